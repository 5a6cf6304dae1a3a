// The parse stage: source text to AST. The only code that sees ANTLR types.
#pragma once

#include <memory>

#include "ast/AST.h"
#include "basic/Diagnostics.h"

namespace carepath::parse {

/// Limits that keep hostile input from exhausting the stack or the terminal.
inline constexpr unsigned kMaxNestingDepth = 200;
/// Operands in one flat chain (`a + b + ...`, `x or y or ...`): the AST is a
/// binary tree as deep as the chain, which later passes walk recursively.
inline constexpr unsigned kMaxChainLength = 1000;

/// Parses one file. Syntax errors are reported (in the language's words) and
/// the parser recovers to report several in one run; the returned tree is
/// complete only when no error was reported.
std::unique_ptr<ast::File> parseFile(FileId file, const SourceManager &sources, DiagnosticEngine &diags);

}  // namespace carepath::parse
