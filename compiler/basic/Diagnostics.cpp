#include "basic/Diagnostics.h"

#include <algorithm>

namespace carepath {

namespace {
const DiagInfo kInfos[] = {
#define DIAG(ID, SEVERITY, CODE, TEXT) {Severity::SEVERITY, CODE, TEXT},
#include "basic/diags/All.def"
#undef DIAG
};
}  // namespace

const DiagInfo &diagInfo(DiagId id) { return kInfos[static_cast<size_t>(id)]; }

Diagnostic &DiagnosticEngine::add(DiagId id, SourceRange range, std::string message) {
  Severity sev = diagInfo(id).severity;
  if (sev == Severity::Warning && warningsAsErrors_) sev = Severity::Error;
  if (sev == Severity::Error && tooManyErrors()) {
    if (!limitNoted_) {
      limitNoted_ = true;
      auto d = std::make_unique<Diagnostic>();
      d->id = DiagId::err_too_many_errors;
      d->severity = Severity::Error;
      d->message = fmt::vformat(diagInfo(DiagId::err_too_many_errors).format, fmt::make_format_args(errorLimit_));
      d->order = UINT64_MAX;  // always last
      diags_.push_back(std::move(d));
    }
    dropped_ = Diagnostic{};
    return dropped_;
  }
  auto d = std::make_unique<Diagnostic>();
  d->id = id;
  d->severity = sev;
  d->range = range;
  d->message = std::move(message);
  d->order = next_++;
  if (sev == Severity::Error) ++errors_;
  if (sev == Severity::Warning) ++warnings_;
  diags_.push_back(std::move(d));
  return *diags_.back();
}

std::vector<const Diagnostic *> DiagnosticEngine::sorted() const {
  std::vector<const Diagnostic *> out;
  for (auto &d : diags_) out.push_back(d.get());
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic *a, const Diagnostic *b) {
    // The "too many errors" marker stays last; unlocated diagnostics first.
    if ((a->order == UINT64_MAX) != (b->order == UINT64_MAX)) return b->order == UINT64_MAX;
    if (a->range.valid() != b->range.valid()) return !a->range.valid();
    if (a->range.file != b->range.file) return a->range.file < b->range.file;
    if (a->range.begin != b->range.begin) return a->range.begin < b->range.begin;
    return a->order < b->order;
  });
  return out;
}

}  // namespace carepath
