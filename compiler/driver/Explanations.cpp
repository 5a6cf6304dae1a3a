#include "Explanations.h"

#include <algorithm>
#include <map>
#include <set>

namespace carepath::driver {

namespace {

struct RawEntry {
  const char *code;
  const char *text;
};
const RawEntry kEntries[] = {
#include "Explanations.inc"
    {nullptr, nullptr},  // the list may be empty
};

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

/// Reads the heading and the paragraphs before "## Example"; an entry that
/// does not have them is caught by the reference test (docs/diagnostics.md).
Explanation parse(const RawEntry &raw) {
  Explanation e{raw.code, raw.text, "", ""};
  std::string_view text = raw.text;
  size_t eol = text.find('\n');
  std::string_view heading = text.substr(0, eol);
  size_t colon = heading.find("`: ");
  if (colon != std::string_view::npos) e.summary = trim(heading.substr(colon + 3));
  std::string_view rest = eol == std::string_view::npos ? "" : text.substr(eol + 1);
  rest = rest.substr(0, rest.find("\n## "));
  // Plain text: paragraphs kept, lines of a paragraph joined, backticks dropped.
  std::string para;
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t next = rest.find('\n', pos);
    std::string line = trim(rest.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (line.empty()) {
      if (!para.empty()) e.description += (e.description.empty() ? "" : "\n\n") + para;
      para.clear();
    } else {
      para += (para.empty() ? "" : " ") + line;
    }
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  if (!para.empty()) e.description += (e.description.empty() ? "" : "\n\n") + para;
  e.description.erase(std::remove(e.description.begin(), e.description.end(), '`'), e.description.end());
  return e;
}

const std::map<std::string, Explanation, std::less<>> &entries() {
  static const std::map<std::string, Explanation, std::less<>> all = [] {
    std::map<std::string, Explanation, std::less<>> m;
    for (const RawEntry &raw : kEntries)
      if (raw.code) m.emplace(raw.code, parse(raw));
    return m;
  }();
  return all;
}

}  // namespace

const Explanation *findExplanation(std::string_view code) {
  auto it = entries().find(code);
  return it == entries().end() ? nullptr : &it->second;
}

std::vector<std::string> reportableCodes() {
  std::set<std::string> codes;
  for (size_t i = 0; i < static_cast<size_t>(DiagId::NumDiags); ++i) {
    const DiagInfo &info = diagInfo(static_cast<DiagId>(i));
    if (info.severity != Severity::Note) codes.insert(info.code);
  }
  return {codes.begin(), codes.end()};
}

Severity severityOfCode(std::string_view code) {
  for (size_t i = 0; i < static_cast<size_t>(DiagId::NumDiags); ++i) {
    const DiagInfo &info = diagInfo(static_cast<DiagId>(i));
    if (code == info.code && info.severity != Severity::Note) return info.severity;
  }
  return Severity::Error;
}

std::string helpUri(std::string_view code) { return std::string(CAREPATH_DOCS_URL) + "diagnostics/" + std::string(code) + ".md"; }

}  // namespace carepath::driver
