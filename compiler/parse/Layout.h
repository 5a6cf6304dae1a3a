// What the formatter (format/Formatter.cpp) needs to know of a file: every
// token and comment in order, with the structure that decides where lines
// break and how tokens are spaced. Keeps ANTLR types inside parse/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "basic/Diagnostics.h"

namespace carepath::parse {

enum LayoutFlag : unsigned {
  kItemStart = 1u << 0,         // starts a declaration or a block item (forced line start)
  kRuleStart = 1u << 1,         // starts a table rule (its continuation lines indent deeper)
  kRuleArrow = 1u << 2,         // a rule's `->`
  kBlockOpen = 1u << 3,         // a `{` that opens a block of items
  kBlockClose = 1u << 4,        // its `}`
  kTopLevelClose = 1u << 5,     // the `}` that ends a top-level declaration
  kTightSlash = 1u << 6,        // `/` inside a unit (`mg/kg`, `1/1000 mg`)
  kUnaryMinus = 1u << 7,        // prefix `-`
  kCallParen = 1u << 8,         // `(` of known(...), min(...), max(...), dose(...)
  kPaddedBrace = 1u << 9,       // `{ ... }` of an enum type or a count
  kBinaryLogic = 1u << 10,      // `and` / `or`
};

struct LayoutElement {
  enum class Kind { Token, LineComment, BlockComment };
  Kind kind = Kind::Token;
  uint32_t begin = 0, end = 0;  // byte range in the file
  std::string text;             // as written (a line comment without trailing blanks)
  unsigned newlinesBefore = 0;  // line breaks in the blanks before it
  unsigned flags = 0;           // LayoutFlag (tokens only)
};

/// The elements of `file` in order, without the end-of-file token; nullopt
/// (the errors reported) when the file does not parse or the AST builder
/// rejects it, exactly as parseFile would.
std::optional<std::vector<LayoutElement>> scanLayout(FileId file, const SourceManager &sources,
                                                     DiagnosticEngine &diags);

}  // namespace carepath::parse
