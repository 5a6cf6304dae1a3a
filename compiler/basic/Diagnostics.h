// The one diagnostics engine of the toolchain. Every stage reports through
// it with an id from the catalogue (diags/*.def); nothing prints directly.
// Diagnostics are kept and emitted sorted by location, so output is
// deterministic whatever order the passes found them in.
#pragma once

#include <fmt/core.h>  // not format.h: this header is in every compiler file

#include <string>
#include <vector>

#include "basic/SourceManager.h"

namespace carepath {

enum class Severity { Note, Warning, Error };

enum class DiagId : uint16_t {
#define DIAG(ID, SEVERITY, CODE, TEXT) ID,
#include "basic/diags/All.def"
#undef DIAG
  NumDiags
};

struct DiagInfo {
  Severity severity;
  const char *code;    // stable machine-readable name, e.g. "unknown-name"
  const char *format;  // fmt format string with positional arguments {0}, {1}
};
const DiagInfo &diagInfo(DiagId id);

struct DiagNote {
  SourceRange range;  // may be invalid: a note without a location
  std::string message;
};

/// An edit that fixes a diagnostic: replace RANGE (empty: insert there) by
/// REPLACEMENT. The language server offers a diagnostic's fix-its together
/// as one quick fix; a fix-it is given only where it is certainly right.
struct FixIt {
  SourceRange range;
  std::string replacement;
};

struct Diagnostic {
  DiagId id;
  Severity severity;
  SourceRange range;  // may be invalid: a diagnostic about no file position
  std::string message;
  std::vector<DiagNote> notes;
  /// Verbatim lines printed after the notes (a counterexample `example`
  /// block, for instance). Kept apart so JSON output can carry them as-is.
  std::vector<std::string> detail;
  std::vector<FixIt> fixits;
  uint64_t order = 0;  // arrival order: tie-breaker when sorting
  const char *code() const { return diagInfo(id).code; }
};

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(const SourceManager &sources) : sources_(sources) {}

  /// Reports a diagnostic; returns it so the caller can attach notes.
  template <typename... Args>
  Diagnostic &report(DiagId id, SourceRange range, const Args &...args) {
    return add(id, range, fmt::vformat(diagInfo(id).format, fmt::make_format_args(args...)));
  }
  /// Attaches a note (its id must be a Note in the catalogue).
  template <typename... Args>
  void note(Diagnostic &d, DiagId id, SourceRange range, const Args &...args) {
    d.notes.push_back({range, fmt::vformat(diagInfo(id).format, fmt::make_format_args(args...))});
  }

  unsigned errorCount() const { return errors_; }
  unsigned warningCount() const { return warnings_; }
  bool hasErrors() const { return errors_ > 0; }
  /// True once the error limit was reached; passes should stop early.
  bool tooManyErrors() const { return errorLimit_ != 0 && errors_ >= errorLimit_; }
  void setErrorLimit(unsigned limit) { errorLimit_ = limit; }
  void setWarningsAsErrors(bool on) { warningsAsErrors_ = on; }

  /// All diagnostics kept so far, sorted by file, position, arrival.
  std::vector<const Diagnostic *> sorted() const;
  const SourceManager &sources() const { return sources_; }

private:
  Diagnostic &add(DiagId id, SourceRange range, std::string message);

  const SourceManager &sources_;
  std::vector<std::unique_ptr<Diagnostic>> diags_;
  Diagnostic dropped_{};  // sink for diagnostics past the error limit
  unsigned errors_ = 0, warnings_ = 0, errorLimit_ = 20;
  bool warningsAsErrors_ = false;
  bool limitNoted_ = false;
  uint64_t next_ = 0;
};

}  // namespace carepath
