// Builds the project's AST from a syntactically valid ANTLR parse tree:
// exact numbers, unescaped strings, a byte range on every node. Reports the
// few errors the grammar cannot express (numbers too large to be exact,
// `dosing` not followed by `weight`, over-long operator chains).
#pragma once

#include <memory>

#include "CarepathParser.h"
#include "ast/AST.h"
#include "basic/Diagnostics.h"
#include "parse/TokenRanges.h"

namespace carepath::parse {

std::unique_ptr<ast::File> buildAst(grammar::CarepathParser::FileContext &tree, const TokenRanges &ranges,
                                    DiagnosticEngine &diags);

}  // namespace carepath::parse
