// LSP positions: a zero-based line and a character offset counted in UTF-16
// code units (the protocol's default encoding); the toolchain counts bytes.
// Also file URIs <-> paths.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace carepath::lsp {

struct Position {
  uint32_t line = 0, character = 0;
};

/// Line starts of one text, for converting both ways.
class LineIndex {
public:
  explicit LineIndex(std::string_view text);
  /// The position of byte `offset` (clamped to the text).
  Position position(uint32_t offset) const;
  /// The byte offset of a position; a line or character past the end is
  /// clamped to the end of the text / line (as LSP asks).
  uint32_t offset(Position p) const;
  nlohmann::json range(uint32_t begin, uint32_t end) const;

private:
  std::string_view text_;
  std::vector<uint32_t> starts_;
};

/// `file:///a/b%20c.care` -> `/a/b c.care`; "" when it is not a file URI.
std::string uriToPath(std::string_view uri);
std::string pathToUri(std::string_view path);

}  // namespace carepath::lsp
