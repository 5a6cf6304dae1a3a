#include "parse/TokenRanges.h"

namespace carepath::parse {

TokenRanges::TokenRanges(FileId file, std::string_view text) : file_(file), byteSize_(text.size()) {
  bool ascii = true;
  for (unsigned char c : text)
    if (c >= 0x80) { ascii = false; break; }
  if (ascii) return;
  // The text was validated as UTF-8 before lexing: every code point starts
  // at a byte that is not a continuation byte (10xxxxxx).
  for (uint32_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) offsets_.push_back(i);
  offsets_.push_back(static_cast<uint32_t>(text.size()));
}

uint32_t TokenRanges::byteOffset(size_t index) const {
  if (offsets_.empty()) return static_cast<uint32_t>(std::min(index, byteSize_));
  return index < offsets_.size() ? offsets_[index] : offsets_.back();
}

SourceRange TokenRanges::of(const antlr4::Token *token) const {
  if (!token) return {};
  if (token->getType() == antlr4::Token::EOF) {
    uint32_t end = static_cast<uint32_t>(byteSize_);
    return {file_, end, end};
  }
  return {file_, byteOffset(token->getStartIndex()), byteOffset(token->getStopIndex() + 1)};
}

SourceRange TokenRanges::of(antlr4::ParserRuleContext *ctx) const {
  SourceRange begin = of(ctx->getStart());
  const antlr4::Token *stop = ctx->getStop();
  // An empty rule's stop token precedes its start.
  if (!stop || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) return {file_, begin.begin, begin.begin};
  return SourceRange::cover(begin, of(stop));
}

SourceRange TokenRanges::after(const antlr4::Token *token) const {
  SourceRange r = of(token);
  return {file_, r.end, r.end};
}

}  // namespace carepath::parse
