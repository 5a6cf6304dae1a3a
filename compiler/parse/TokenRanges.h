// Maps ANTLR token positions (code point indices into the decoded input) to
// the byte ranges every diagnostic and AST node uses.
#pragma once

#include <antlr4-runtime.h>

#include <string_view>
#include <vector>

#include "basic/SourceManager.h"

namespace carepath::parse {

class TokenRanges {
public:
  TokenRanges(FileId file, std::string_view utf8Text);

  /// The byte offset of the code point at `index` (index may be one past the end).
  uint32_t byteOffset(size_t index) const;
  SourceRange of(const antlr4::Token *token) const;
  /// From the first token of `ctx` to the end of its last token.
  SourceRange of(antlr4::ParserRuleContext *ctx) const;
  SourceRange of(antlr4::tree::TerminalNode *node) const { return of(node->getSymbol()); }
  /// An empty range just after `token`: where a missing token belongs.
  SourceRange after(const antlr4::Token *token) const;
  FileId file() const { return file_; }

private:
  FileId file_;
  size_t byteSize_;
  std::vector<uint32_t> offsets_;  // empty when the text is ASCII (identity)
};

}  // namespace carepath::parse
