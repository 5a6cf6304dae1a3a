#include "JsonErrors.h"

#include <cstdio>

#include "carepath/Utf8.h"

namespace carepath::runtime {

namespace {

// nlohmann's id for "number overflow" (out_of_range.406): a number beyond
// the range of a double, such as 1e999.
constexpr int kNumberOverflow = 406;

std::string hexByte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}

bool wordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
         c == '.';
}

/// Whether a word is a whole JSON token (a literal or a number), rather
/// than one the lexer stopped in the middle of ("tru", "-", "1.").
bool wholeToken(std::string_view w) {
  if (w == "true" || w == "false" || w == "null") return true;
  size_t i = 0;
  auto digits = [&] {
    size_t from = i;
    while (i < w.size() && w[i] >= '0' && w[i] <= '9') ++i;
    return i > from;
  };
  if (i < w.size() && w[i] == '-') ++i;
  if (!digits()) return false;
  if (i < w.size() && w[i] == '.' && (++i, !digits())) return false;
  if (i < w.size() && (w[i] == 'e' || w[i] == 'E')) {
    ++i;
    if (i < w.size() && (w[i] == '+' || w[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == w.size();
}

/// The opening quote of the string byte `offset` lies in (after that
/// quote), or npos; for text the parser has read without complaint up to
/// there.
size_t stringStart(std::string_view text, size_t offset) {
  size_t open = std::string_view::npos;
  for (size_t i = 0; i < offset; ++i) {
    if (open == std::string_view::npos) { if (text[i] == '"') open = i; }
    else if (text[i] == '\\') ++i;
    else if (text[i] == '"') open = std::string_view::npos;
  }
  return open;
}

/// The start of the ill-formed UTF-8 sequence the lexer stopped in at
/// `offset` (it stops at the first byte that cannot continue it).
size_t badSequenceStart(std::string_view text, size_t offset) {
  size_t start = offset;
  unsigned char c = static_cast<unsigned char>(text[offset]);
  if (c < 0xC0) {  // ASCII or a continuation byte: the sequence may have begun earlier
    while (start > 0 && offset - start < 3 && (static_cast<unsigned char>(text[start - 1]) & 0xC0) == 0x80) --start;
    if (start > 0 && static_cast<unsigned char>(text[start - 1]) >= 0xC0) --start;
  }
  // A complete character before the offending byte is not the culprit.
  if (start < offset) {
    size_t n = decodeUtf8(text, start).length;
    if (n != 0 && start + n <= offset) start = offset;
  }
  return start;
}

}  // namespace

JsonSyntaxError describeJsonError(std::string_view text, size_t position, int id) {
  JsonSyntaxError e;
  size_t offset = position == 0 ? 0 : position - 1;  // the byte the parser stopped at
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    e.reason = "the file is empty";
    offset = 0;
  } else if (offset >= text.size()) {
    e.reason = "the file ends early (truncated?)";
    offset = text.size();
  } else {
    unsigned char c = static_cast<unsigned char>(text[offset]);
    size_t open = stringStart(text, offset);
    bool inString = open != std::string_view::npos;
    bool afterNonAscii = offset > 0 && static_cast<unsigned char>(text[offset - 1]) >= 0x80;
    if (inString && c == '"') {
      // A whole string in the wrong place (the lexer never stops at a closing quote).
      e.reason = "unexpected string";
      offset = open;
    } else if (inString && c < 0x20) {
      e.reason = "control character " + hexByte(c) + " in a string (write it as an escape such as \\n)";
    } else if (inString && (c >= 0x80 || afterNonAscii)) {
      offset = badSequenceStart(text, offset);
      e.reason = "invalid UTF-8 in a string (byte " + hexByte(static_cast<unsigned char>(text[offset])) + ")";
    } else if (inString) {
      e.reason = "invalid escape sequence in a string";
    } else {
      // The word the byte belongs to ("NaN", "1e999", "protocol"), or a
      // literal or number cut short just before it ("tru" then a newline:
      // the lexer stops at the byte after it, but the word is what is wrong).
      size_t begin = offset, end = offset;
      if (wordChar(text[offset])) {
        while (begin > 0 && wordChar(text[begin - 1])) --begin;
        end = offset + 1;
        while (end < text.size() && wordChar(text[end])) ++end;
      } else {
        while (begin > 0 && wordChar(text[begin - 1])) --begin;
        if (wholeToken(text.substr(begin, offset - begin))) begin = offset;
      }
      if (begin == end) {
        e.reason = c < 0x20 || c >= 0x7f ? "unexpected byte " + hexByte(c) : "unexpected '" + std::string(1, text[offset]) + "'";
      } else {
        std::string word(text.substr(begin, end - begin));
        if (word.size() > 24) word = word.substr(0, 20) + "...";
        e.reason = id == kNumberOverflow ? "number '" + word + "' is too large" : "unexpected '" + word + "'";
        offset = begin;
      }
    }
  }
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') { ++e.line; e.column = 1; } else { ++e.column; }
  }
  return e;
}

}  // namespace carepath::runtime
