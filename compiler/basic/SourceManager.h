// Owns the text of every file the toolchain reads and maps byte offsets to
// line and column, so that every diagnostic can point at its source.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carepath {

using FileId = uint32_t;
inline constexpr FileId kNoFile = UINT32_MAX;

/// A half-open byte range [begin, end) in one file. Every AST node has one.
struct SourceRange {
  FileId file = kNoFile;
  uint32_t begin = 0;
  uint32_t end = 0;

  bool valid() const { return file != kNoFile; }
  static SourceRange cover(const SourceRange &a, const SourceRange &b) {
    if (!a.valid()) return b;
    if (!b.valid()) return a;
    return {a.file, std::min(a.begin, b.begin), std::max(a.end, b.end)};
  }
  bool operator==(const SourceRange &) const = default;
};

struct LineColumn {
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in bytes
};

class SourceManager {
public:
  /// Largest source file accepted (bytes); larger files are refused with a
  /// located error rather than read whole.
  static constexpr size_t kMaxFileSize = 4u << 20;

  /// Registers an in-memory buffer under a display name.
  FileId addBuffer(std::string name, std::string text);

  const std::string &name(FileId id) const { return files_[id]->name; }
  std::string_view text(FileId id) const { return files_[id]->text; }
  size_t fileCount() const { return files_.size(); }

  LineColumn lineColumn(FileId id, uint32_t offset) const;
  LineColumn begin(const SourceRange &r) const { return lineColumn(r.file, r.begin); }
  /// The text of the 1-based line (without its newline).
  std::string_view lineText(FileId id, uint32_t line) const;
  std::string_view slice(const SourceRange &r) const;

private:
  struct File {
    std::string name;
    std::string text;
    std::vector<uint32_t> lineStarts;
  };
  std::vector<std::unique_ptr<File>> files_;
};

/// Reads a file from disk ("-" is standard input). On failure returns
/// std::nullopt and sets `error` to a message in the user's words.
std::optional<std::string> readSourceFile(const std::string &path, std::string &error,
                                          size_t maxSize = SourceManager::kMaxFileSize);

}  // namespace carepath
