// TEMPORARY (issue 3 replaces this file).
#include <ostream>
#include "ir/IR.h"
namespace carepath::ir {
std::string toString(const Protocol &, const Expr &) { return "?"; }
void dump(const Protocol &, std::ostream &) {}
}  // namespace carepath::ir
