#include "basic/DiagnosticPrinter.h"

#include "carepath/Utf8.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

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
// rest of it (clipped to the first line of a multi-line range). Long lines
// are shown as a window around the caret. Control characters and invalid
// UTF-8 are replaced so a binary file cannot garble a terminal; the marker
// line counts one column per character shown.
void printSnippet(std::ostream &out, const SourceManager &sm, const SourceRange &r, bool color) {
  constexpr size_t kContextBefore = 60, kWidth = 160;
  LineColumn begin = sm.begin(r);
  std::string_view line = sm.lineText(r.file, begin.line);
  LineColumn end = sm.lineColumn(r.file, r.end > r.begin ? r.end : r.begin + 1);
  size_t caret = std::min<size_t>(begin.column - 1, line.size());
  size_t stop = end.line == begin.line ? std::max<size_t>(end.column - 1, caret + 1) : line.size();
  size_t from = caret > kContextBefore ? caret - kContextBefore : 0;
  size_t to = std::min(line.size(), from + kWidth);
  std::string shown, marker;
  if (from > 0) shown += "...", marker += "   ";
  for (size_t i = from; i < to;) {
    size_t n = decodeUtf8(line, i).length;
    unsigned char c = static_cast<unsigned char>(line[i]);
    std::string piece = n == 0 ? "?" : c == '\t' ? "\t" : (c < 0x20 || c == 0x7f) ? " " : std::string(line.substr(i, n));
    char mark = i < caret ? (c == '\t' ? '\t' : ' ') : i == caret ? '^' : i < stop ? '~' : '\0';
    shown += piece;
    if (mark) marker.push_back(mark);
    i += n == 0 ? 1 : n;
  }
  if (to < line.size()) shown += "...";
  if (caret >= to) marker.push_back('^');  // the range starts at the end of the line
  out << shown << '\n';
  if (color) out << kGreen << marker << kReset << '\n';
  else out << marker << '\n';
}

void printOne(std::ostream &out, const SourceManager &sm, Severity sev, const SourceRange &r,
              const std::string &message, bool color, const char *code = nullptr) {
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
  // The stable code, as clang shows its [-Wname]: what `carepath explain`
  // and the JSON/SARIF outputs call it. Notes have none.
  if (code) out << " [" << code << ']';
  out << '\n';
  // A file that could not be read (or is empty) has no line to show.
  if (r.valid() && !sm.text(r.file).empty()) printSnippet(out, sm, r, color);
}
}  // namespace

void printDiagnosticsText(std::ostream &out, const DiagnosticEngine &diags, const TextPrintOptions &options) {
  const SourceManager &sm = diags.sources();
  for (const Diagnostic *d : diags.sorted()) {
    if (options.errorsOnly && d->severity != Severity::Error) continue;
    printOne(out, sm, d->severity, d->range, d->message, options.color, d->severity == Severity::Note ? nullptr : d->code());
    for (const DiagNote &n : d->notes) printOne(out, sm, Severity::Note, n.range, n.message, options.color);
    for (const std::string &line : d->detail) out << line << '\n';
  }
  if (options.summary) printDiagnosticSummary(out, diags.errorCount(), options.errorsOnly ? 0 : diags.warningCount());
}

void printDiagnosticSummary(std::ostream &out, unsigned errors, unsigned warnings) {
  auto plural = [](unsigned n, const char *w) { return std::to_string(n) + " " + w + (n == 1 ? "" : "s"); };
  if (warnings && errors)
    out << plural(warnings, "warning") << " and " << plural(errors, "error") << " generated.\n";
  else if (errors)
    out << plural(errors, "error") << " generated.\n";
  else if (warnings)
    out << plural(warnings, "warning") << " generated.\n";
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
    // The certain fix: replace each range (empty: insert there) by its text.
    nlohmann::json fixits = nlohmann::json::array();
    for (const FixIt &f : d->fixits)
      if (f.range.valid()) fixits.push_back({{"location", locationToJson(sm, f.range)}, {"replacement", f.replacement}});
    if (!fixits.empty()) j["fixits"] = std::move(fixits);
    list.push_back(std::move(j));
  }
  return {{"diagnostics", list}, {"errors", diags.errorCount()}, {"warnings", diags.warningCount()}};
}

/// A file name as a URI reference: bytes that may not appear in one
/// (spaces, `<stdin>`'s brackets, non-ASCII) percent-encoded.
std::string uriReference(const std::string &name) {
  static const char *kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || std::strchr("-._~/!$&'()*+,;=:@", c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

uint32_t utf16Column(const SourceManager &sm, FileId file, LineColumn lc) {
  std::string_view line = sm.lineText(file, lc.line);
  size_t bytes = std::min<size_t>(lc.column - 1, line.size());
  uint32_t units = 0;
  for (size_t i = 0; i < bytes;) {
    Utf8Char c = decodeUtf8(line, i);
    // A byte that is not UTF-8 (only in a file refused as invalid-utf8) counts as one unit.
    units += c.length == 0 ? 1 : c.codePoint > 0xFFFF ? 2 : 1;
    i += c.length == 0 ? 1 : c.length;
  }
  // A column past the line's end (the newline) stays one past its text.
  return units + 1 + static_cast<uint32_t>(lc.column - 1 - bytes);
}

nlohmann::ordered_json sarifLocation(const SourceManager &sm, const SourceRange &r, const std::string &message) {
  using json = nlohmann::ordered_json;
  if (!r.valid()) return nullptr;
  LineColumn b = sm.begin(r), e = sm.lineColumn(r.file, r.end);
  // SARIF columns count UTF-16 code units (the run's columnKind), not bytes.
  json region = {{"startLine", b.line}, {"startColumn", utf16Column(sm, r.file, b)}, {"endLine", e.line},
                 {"endColumn", utf16Column(sm, r.file, e)}};
  // The name as diagnostics show it: relative to where carepath ran, or
  // `stdlib/...` for the standard library (docs/cli.md): a relative URI.
  json l = {{"physicalLocation", {{"artifactLocation", {{"uri", uriReference(sm.name(r.file))}}}, {"region", region}}}};
  if (!message.empty()) l["message"] = {{"text", message}};
  return l;
}

namespace {
const char *sarifLevel(Severity s) {
  switch (s) {
  case Severity::Error: return "error";
  case Severity::Warning: return "warning";
  case Severity::Note: return "note";
  }
  return "error";
}

/// The message, then notes without a location and detail lines, one a
/// line: SARIF has no place for them but the text.
std::string sarifText(const Diagnostic &d) {
  std::string text = d.message;
  for (const DiagNote &n : d.notes)
    if (!n.range.valid()) text += "\nnote: " + n.message;
  for (const std::string &line : d.detail) text += "\n" + line;
  return text;
}
}  // namespace

std::string fixItTitle(const Diagnostic &d) {
  for (const FixIt &f : d.fixits) {
    size_t first = f.replacement.find_first_not_of(' ');
    if (first != std::string::npos) return "Fix: write '" + f.replacement.substr(first) + "'";
  }
  return "Fix: remove it";
}

nlohmann::ordered_json diagnosticToSarifResult(const Diagnostic &d, const SourceManager &sm) {
  using json = nlohmann::ordered_json;
  json r = {{"ruleId", d.code()}, {"level", sarifLevel(d.severity)}, {"message", {{"text", sarifText(d)}}}};
  if (d.range.valid()) r["locations"] = json::array({sarifLocation(sm, d.range)});
  json related = json::array();
  for (const DiagNote &n : d.notes)
    if (n.range.valid()) {
      json l = sarifLocation(sm, n.range, n.message);
      l["id"] = related.size();
      related.push_back(std::move(l));
    }
  if (!related.empty()) r["relatedLocations"] = std::move(related);
  // SARIF 2.1.0 §3.55: one fix, its replacements grouped by file in the
  // order the fix-its name them; an empty deleted region inserts, an
  // absent insertedContent deletes.
  json changes = json::array();
  std::vector<FileId> files;
  for (const FixIt &f : d.fixits) {
    if (!f.range.valid()) continue;
    json at = sarifLocation(sm, f.range)["physicalLocation"];
    json replacement = {{"deletedRegion", at["region"]}};
    if (!f.replacement.empty()) replacement["insertedContent"] = {{"text", f.replacement}};
    auto i = std::find(files.begin(), files.end(), f.range.file);
    if (i == files.end()) {
      files.push_back(f.range.file);
      changes.push_back({{"artifactLocation", at["artifactLocation"]}, {"replacements", json::array()}});
      i = files.end() - 1;
    }
    changes[static_cast<size_t>(i - files.begin())]["replacements"].push_back(std::move(replacement));
  }
  if (!changes.empty())
    r["fixes"] = json::array({{{"description", {{"text", fixItTitle(d)}}}, {"artifactChanges", std::move(changes)}}});
  return r;
}

nlohmann::ordered_json diagnosticToSarifNotification(const Diagnostic &d, const SourceManager &sm) {
  using json = nlohmann::ordered_json;
  std::string text = sarifText(d);
  for (const DiagNote &n : d.notes)
    if (n.range.valid()) text += "\nnote: " + n.message;
  json n = {{"descriptor", {{"id", d.code()}}}, {"level", sarifLevel(d.severity)}, {"message", {{"text", text}}}};
  if (d.range.valid()) n["locations"] = json::array({sarifLocation(sm, d.range)});
  return n;
}

bool shouldUseColor(ColorMode mode, int fd) {
  if (mode != ColorMode::Auto) return mode == ColorMode::Always;
  const char *noColor = std::getenv("NO_COLOR");
  if (noColor && *noColor) return false;
  return ::isatty(fd) == 1;
}

}  // namespace carepath
