// TEMPORARY (issue 3 replaces this file): lets the tree link while sema is
// written.
#include "sema/Sema.h"
namespace carepath::sema {
std::optional<ir::Protocol> analyze(const ast::File &, SourceManager &, DiagnosticEngine &, const SemaOptions &) {
  return ir::Protocol{};
}
}  // namespace carepath::sema
