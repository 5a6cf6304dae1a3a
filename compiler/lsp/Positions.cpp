#include "lsp/Positions.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "carepath/Utf8.h"

namespace carepath::lsp {

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (uint32_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(i + 1);
}

Position LineIndex::position(uint32_t offset) const {
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - starts_.begin()) - 1;
  uint32_t units = 0;
  for (size_t i = starts_[line]; i < offset;) {
    Utf8Char c = decodeUtf8(text_, i);
    if (c.length == 0) {  // an ill-formed byte: one unit, as a replacement character
      ++units, ++i;
      continue;
    }
    units += c.codePoint > 0xFFFF ? 2 : 1;
    i += c.length;
  }
  return {line, units};
}

uint32_t LineIndex::offset(Position p) const {
  if (p.line >= starts_.size()) return static_cast<uint32_t>(text_.size());
  size_t i = starts_[p.line];
  size_t end = p.line + 1 < starts_.size() ? starts_[p.line + 1] - 1 : text_.size();
  if (end > i && text_[end - 1] == '\r') --end;
  uint32_t units = 0;
  while (i < end && units < p.character) {
    Utf8Char c = decodeUtf8(text_, i);
    if (c.length == 0) {
      ++units, ++i;
      continue;
    }
    units += c.codePoint > 0xFFFF ? 2 : 1;
    i += c.length;
  }
  return static_cast<uint32_t>(i);
}

nlohmann::json LineIndex::range(uint32_t begin, uint32_t end) const {
  Position b = position(begin), e = position(std::max(begin, end));
  return {{"start", {{"line", b.line}, {"character", b.character}}},
          {"end", {{"line", e.line}, {"character", e.character}}}};
}

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string uriToPath(std::string_view uri) {
  constexpr std::string_view scheme = "file://";
  if (uri.substr(0, scheme.size()) != scheme) return "";
  uri.remove_prefix(scheme.size());
  if (!uri.empty() && uri.front() != '/') {  // file://host/path: drop the host
    size_t slash = uri.find('/');
    if (slash == std::string_view::npos) return "";
    uri.remove_prefix(slash);
  }
  std::string path;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size()) {
      int hi = hexValue(uri[i + 1]), lo = hexValue(uri[i + 2]);
      if (hi >= 0 && lo >= 0) {
        path.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    path.push_back(uri[i]);
  }
  return path;
}

std::string pathToUri(std::string_view path) {
  std::string absolute = std::filesystem::absolute(std::filesystem::path(path)).lexically_normal().string();
  std::string uri = "file://";
  static const char *hex = "0123456789ABCDEF";
  for (unsigned char c : absolute) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
      uri.push_back(static_cast<char>(c));
    else {
      uri.push_back('%');
      uri.push_back(hex[c >> 4]);
      uri.push_back(hex[c & 15]);
    }
  }
  return uri;
}

}  // namespace carepath::lsp
