// The one place that talks to Z3. Its interface speaks IR only: formulas in,
// verdicts and patients out. One Z3 context per run; each question is asked
// inside push/pop with a resource limit and a timeout, and every Z3 error
// becomes an `unknown` answer here, at the boundary.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::verifier {

struct Answer {
  enum class Kind { Yes, No, Unknown } kind = Kind::Unknown;
  std::optional<std::vector<ir::Value>> patient;  // the model, with readable values
  std::optional<Rational> observed;                // the requested term in that model
  std::string reason;                              // Unknown: why
  bool reused = false;                             // answered by an earlier model, no new check
};

struct Extremum {
  enum class Kind { Value, Unbounded, Empty, Unknown } kind = Kind::Unknown;
  Rational value;         // Value: the least upper / greatest lower bound
  bool attained = true;   // false when only approached (strict comparisons)
  std::string reason;
};

class Z3Backend {
public:
  Z3Backend(const ir::Protocol &protocol, const Options &options);
  ~Z3Backend();
  Z3Backend(const Z3Backend &) = delete;
  Z3Backend &operator=(const Z3Backend &) = delete;

  /// Is `formula` true for every patient in the population? No: the answer
  /// carries a patient where it is false (and `observed` evaluated there).
  Answer holdsForAll(const ir::ExprRef &formula, const ir::ExprRef &observed = nullptr);
  /// Is `formula` true for some patient in the population? Yes: with one.
  Answer holdsForSome(const ir::ExprRef &formula);
  /// From now on, only patients for whom `condition` holds are asked about
  /// (the divisions every later question relies on: docs/verifier.md,
  /// "Division").
  void assume(const ir::ExprRef &condition);
  /// Greatest (or least) value of `term` over the population and `condition`.
  Extremum optimum(const ir::ExprRef &condition, const ir::ExprRef &term, bool maximize);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace carepath::verifier
