#include "basic/SourceManager.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <sys/stat.h>

namespace carepath {

FileId SourceManager::addBuffer(std::string name, std::string text) {
  auto file = std::make_unique<File>();
  file->name = std::move(name);
  file->text = std::move(text);
  file->lineStarts.push_back(0);
  for (uint32_t i = 0; i < file->text.size(); ++i)
    if (file->text[i] == '\n') file->lineStarts.push_back(i + 1);
  files_.push_back(std::move(file));
  return static_cast<FileId>(files_.size() - 1);
}

LineColumn SourceManager::lineColumn(FileId id, uint32_t offset) const {
  const File &f = *files_[id];
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(f.text.size()));
  auto it = std::upper_bound(f.lineStarts.begin(), f.lineStarts.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - f.lineStarts.begin());
  uint32_t col = offset - f.lineStarts[line - 1] + 1;
  return {line, col};
}

std::string_view SourceManager::lineText(FileId id, uint32_t line) const {
  const File &f = *files_[id];
  if (line == 0 || line > f.lineStarts.size()) return {};
  uint32_t start = f.lineStarts[line - 1];
  uint32_t end = line < f.lineStarts.size() ? f.lineStarts[line] : static_cast<uint32_t>(f.text.size());
  std::string_view v(f.text.data() + start, end - start);
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

std::string_view SourceManager::slice(const SourceRange &r) const {
  if (!r.valid()) return {};
  std::string_view t = files_[r.file]->text;
  uint32_t b = std::min<uint32_t>(r.begin, t.size());
  uint32_t e = std::min<uint32_t>(std::max(r.end, b), t.size());
  return t.substr(b, e - b);
}

std::optional<std::string> readSourceFile(const std::string &path, std::string &error, size_t maxSize) {
  if (path == "-") {
    std::string data;
    char buf[65536];
    while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
      data.append(buf, static_cast<size_t>(std::cin.gcount()));
      if (data.size() > maxSize) {
        error = "input is too large (more than " + std::to_string(maxSize) + " bytes)";
        return std::nullopt;
      }
    }
    return data;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = std::string("cannot open file: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "cannot read file: it is a directory";
    return std::nullopt;
  }
  if (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > maxSize) {
    error = "file is too large (" + std::to_string(st.st_size) + " bytes; the limit is " +
            std::to_string(maxSize) + " bytes)";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot open file: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > maxSize) {
      error = "file is too large (more than " + std::to_string(maxSize) + " bytes)";
      return std::nullopt;
    }
  }
  if (in.bad()) {
    error = std::string("cannot read file: ") + std::strerror(errno);
    return std::nullopt;
  }
  return data;
}

}  // namespace carepath
