// The parse pipeline up to the ANTLR tree, shared by parseFile (the AST)
// and scanLayout (the formatter's view of a file): one place decides what
// is a syntax error.
#pragma once

#include <functional>
#include <string_view>

#include "CarepathParser.h"
#include "basic/Diagnostics.h"
#include "parse/TokenRanges.h"

namespace carepath::parse {

/// `text`: the file as lexed (a byte-order mark blanked to spaces, same offsets).
using TreeUser = std::function<void(grammar::CarepathParser::FileContext &tree, antlr4::CommonTokenStream &tokens,
                                    const TokenRanges &ranges, std::string_view text)>;

/// Checks the bytes, lexes and parses `file`, reporting every lexical and
/// syntax error; calls `use` with the tree only when there was none.
/// Returns whether `use` was called.
bool withParseTree(FileId file, const SourceManager &sources, DiagnosticEngine &diags, const TreeUser &use);

}  // namespace carepath::parse
