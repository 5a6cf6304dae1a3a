// UTF-8 as RFC 3629 defines it, the one decoder of the toolchain: the parser
// refuses source files with it and the diagnostic printer uses it to show
// lines without garbling a terminal, so both agree on what is a character.
#pragma once

#include <cstddef>
#include <string_view>

namespace carepath {

/// One decoded character: its code point and how many bytes it took.
/// `length` is 0 when the bytes at the position are not well-formed UTF-8.
struct Utf8Char {
  char32_t codePoint = 0;
  size_t length = 0;
};

/// Decodes the character starting at byte `i` of `s` (i < s.size()).
/// Strict: a truncated sequence, a stray continuation byte, an overlong
/// form (C0, C1, E0 80..9F, F0 80..8F), a surrogate (U+D800..U+DFFF) and
/// anything above U+10FFFF (F4 90.. and F5..FF) are all ill-formed.
Utf8Char decodeUtf8(std::string_view s, size_t i);

}  // namespace carepath
