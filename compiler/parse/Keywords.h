// The language's keywords, read from the generated lexer's vocabulary so
// that they are defined once, in grammar/Carepath.g4 (the language server
// completes them; tests/lsp checks the editor grammar against them).
#pragma once

#include <string>
#include <vector>

namespace carepath::parse {

/// Every word token of the lexer (`after`, `always`, ...), in the grammar's
/// order; operators and punctuation are not included.
std::vector<std::string> keywords();

}  // namespace carepath::parse
