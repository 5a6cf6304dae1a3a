// `verify --cross-check` (docs/verifier.md, "Cross-checking"): every question
// whose answer decides a result is asked of cvc5 too, as the SMT-LIB 2
// benchmark Z3 prints for it, and the two answers are compared. cvc5 runs as
// one co-process per verify run, asked benchmark after benchmark with a
// (reset) between them: one process start instead of one per query.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::verifier {

/// Resolves `name` as execvp would: a path containing '/' as it is, else the
/// first executable file of that name in $PATH; nullopt when there is none.
std::optional<std::string> findExecutable(const std::string &name);

enum class SmtAnswer { Sat, Unsat, Unknown };

/// One SMT-LIB 2 solver process (cvc5), restarted after it dies or hangs.
class SmtProcess {
public:
  SmtProcess(std::string binary, unsigned timeoutMs);
  ~SmtProcess();
  SmtProcess(const SmtProcess &) = delete;
  SmtProcess &operator=(const SmtProcess &) = delete;

  /// The answer to one benchmark (which ends with (check-sat)); Unknown
  /// with `reason`: the solver's (`timeout`, `incomplete`) or why there is
  /// no answer (it could not start, exited, printed an error, hung).
  SmtAnswer ask(const std::string &benchmark, std::string &reason);

private:
  bool start(std::string &why);
  void stop();
  std::string binary_;
  unsigned timeoutMs_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;  // the solver's standard input; its standard output and error
  std::string hung_;        // set once it missed a deadline: later queries are not sent
};

/// Asks cvc5 a result's queries and folds the answers into the result.
class CrossChecker {
public:
  CrossChecker(const ir::Protocol &protocol, const Options &options, Report &report);

  /// `benchmark` (nullopt when Z3 could not print it: `why`), to which Z3
  /// answered sat (`z3Sat`) or unsat; `what` names the query in messages.
  /// Agreement leaves `r` as it is; an unknown makes it unknown; a
  /// disagreement makes it unknown and marks the report (exit 4). Once a
  /// result is no longer agreed on, its later queries are not sent.
  void check(PropertyResult &r, const std::optional<std::string> &benchmark, const std::string &why, bool z3Sat,
             const std::string &what);

private:
  std::string write(const PropertyResult &r, const std::string &benchmark, bool z3Sat, const std::string &what,
                    std::string &error);
  const ir::Protocol &p_;
  const Options &options_;
  Report &report_;
  SmtProcess solver_;
};

}  // namespace carepath::verifier
