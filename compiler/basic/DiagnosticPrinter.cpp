#include "basic/DiagnosticPrinter.h"

#include <unistd.h>

#include <cstdlib>

namespace carepath {

namespace {
constexpr const char *kBold = "\033[1m";
constexpr const char *kRed = "\033[1;31m";
constexpr const char *kMagenta = "\033[1;35m";
constexpr const char *kCyan = "\033[1;36m";
constexpr const char *kGreen = "\033[1;32m";
constexpr const char *kReset = "\033[0m";

const char *severityName(Severity s) {
  switch (s) {
  case Severity::Error: return "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "note";
  }
  return "error";
}
const char *severityColor(Severity s) {
  switch (s) {
  case Severity::Error: return kRed;
  case Severity::Warning: return kMagenta;
  case Severity::Note: return kCyan;
  }
  return kRed;
}

// Source line, then a caret at the start of the range and tildes under the
// rest of it (clipped to the first line of a multi-line range).
void printSnippet(std::ostream &out, const SourceManager &sm, const SourceRange &r, bool color) {
  LineColumn begin = sm.begin(r);
  std::string_view line = sm.lineText(r.file, begin.line);
  // Replace control characters so a binary file cannot garble a terminal.
  std::string shown;
  shown.reserve(line.size());
  for (unsigned char c : line) shown.push_back(c == '\t' ? '\t' : (c < 0x20 || c == 0x7f) ? ' ' : c);
  if (shown.size() > 300) shown.resize(300);
  out << shown << '\n';
  std::string marker;
  uint32_t col = begin.column;
  for (uint32_t i = 1; i < col && i - 1 < shown.size(); ++i) marker.push_back(shown[i - 1] == '\t' ? '\t' : ' ');
  LineColumn end = sm.lineColumn(r.file, r.end > r.begin ? r.end : r.begin + 1);
  uint32_t endCol = end.line == begin.line ? end.column : static_cast<uint32_t>(line.size()) + 1;
  marker.push_back('^');
  for (uint32_t c = col + 1; c < endCol && c - 1 < shown.size(); ++c) marker.push_back('~');
  if (color) out << kGreen << marker << kReset << '\n';
  else out << marker << '\n';
}

void printOne(std::ostream &out, const SourceManager &sm, Severity sev, const SourceRange &r,
              const std::string &message, bool color) {
  if (color) out << kBold;
  if (r.valid()) {
    LineColumn lc = sm.begin(r);
    out << sm.name(r.file) << ':' << lc.line << ':' << lc.column << ": ";
  } else {
    out << "carepath: ";
  }
  if (color) out << severityColor(sev);
  out << severityName(sev) << ": ";
  if (color) out << kReset << kBold;
  out << message;
  if (color) out << kReset;
  out << '\n';
  if (r.valid()) printSnippet(out, sm, r, color);
}
}  // namespace

void printDiagnosticsText(std::ostream &out, const DiagnosticEngine &diags, const TextPrintOptions &options) {
  const SourceManager &sm = diags.sources();
  for (const Diagnostic *d : diags.sorted()) {
    printOne(out, sm, d->severity, d->range, d->message, options.color);
    for (const DiagNote &n : d->notes) printOne(out, sm, Severity::Note, n.range, n.message, options.color);
    for (const std::string &line : d->detail) out << line << '\n';
  }
  if (options.summary && (diags.errorCount() || diags.warningCount())) {
    auto plural = [](unsigned n, const char *w) { return std::to_string(n) + " " + w + (n == 1 ? "" : "s"); };
    if (diags.warningCount() && diags.errorCount())
      out << plural(diags.warningCount(), "warning") << " and " << plural(diags.errorCount(), "error") << " generated.\n";
    else if (diags.errorCount())
      out << plural(diags.errorCount(), "error") << " generated.\n";
    else
      out << plural(diags.warningCount(), "warning") << " generated.\n";
  }
}

nlohmann::json locationToJson(const SourceManager &sm, const SourceRange &r) {
  if (!r.valid()) return nullptr;
  LineColumn b = sm.begin(r);
  LineColumn e = sm.lineColumn(r.file, r.end);
  return {{"file", sm.name(r.file)}, {"line", b.line}, {"column", b.column},
          {"endLine", e.line}, {"endColumn", e.column}};
}

nlohmann::json diagnosticsToJson(const DiagnosticEngine &diags) {
  const SourceManager &sm = diags.sources();
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic *d : diags.sorted()) {
    nlohmann::json j;
    j["severity"] = severityName(d->severity);
    j["code"] = d->code();
    j["message"] = d->message;
    j["location"] = locationToJson(sm, d->range);
    nlohmann::json notes = nlohmann::json::array();
    for (const DiagNote &n : d->notes) notes.push_back({{"message", n.message}, {"location", locationToJson(sm, n.range)}});
    j["notes"] = notes;
    if (!d->detail.empty()) j["detail"] = d->detail;
    list.push_back(std::move(j));
  }
  return {{"diagnostics", list}, {"errors", diags.errorCount()}, {"warnings", diags.warningCount()}};
}

bool shouldUseColor(int fd) {
  const char *noColor = std::getenv("NO_COLOR");
  if (noColor && *noColor) return false;
  return ::isatty(fd) == 1;
}

}  // namespace carepath
