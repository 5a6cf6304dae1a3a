// TEMPORARY (issue 2 replaces this file).
#include <ostream>
#include "ast/AST.h"
namespace carepath::ast {
void dump(const File &, const SourceManager &, std::ostream &) {}
const char *spelling(BinaryOp) { return "?"; }
const char *spelling(ActionKind) { return "?"; }
const char *spelling(HitPolicy) { return "?"; }
}  // namespace carepath::ast
