// Diagnostics as LSP wants them: UTF-16 ranges in the document, notes as
// related information, a counterexample block as related information and,
// for the code action, in `data.example`; the fix-its in `data.fixits`.
#include "lsp/Server.h"

#include "basic/DiagnosticPrinter.h"

namespace carepath::lsp {

namespace {
int severityOf(Severity s) {
  switch (s) {
  case Severity::Error: return 1;
  case Severity::Warning: return 2;
  case Severity::Note: return 3;
  }
  return 1;
}

std::string where(const SourceManager &sources, const SourceRange &r) {
  LineColumn lc = sources.begin(r);
  return sources.name(r.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}
}  // namespace

json toLspDiagnostics(const Document &doc, const Snapshot &snap, const std::vector<const Diagnostic *> &diags) {
  json out = json::array();
  LineIndex lines(snap.main == kNoFile ? std::string_view() : snap.sources.text(snap.main));
  for (const Diagnostic *d : diags) {
    json item;
    json related = json::array();
    bool here = d->range.valid() && d->range.file == snap.main;
    std::string message = d->message;
    if (here) {
      item["range"] = lines.range(d->range.begin, d->range.end);
    } else {
      // In a used module, or about no position: shown at the top of the
      // document, with the place it is about as related information.
      item["range"] = lines.range(0, 0);
      if (d->range.valid()) {
        message = where(snap.sources, d->range) + ": " + message;
        related.push_back({{"location", Server::location(doc, snap, d->range.file, d->range.begin, d->range.end)},
                           {"message", d->message}});
      }
    }
    for (const DiagNote &n : d->notes) {
      if (n.range.valid())
        related.push_back({{"location", Server::location(doc, snap, n.range.file, n.range.begin, n.range.end)},
                           {"message", n.message}});
      else
        message += "\n" + n.message;
    }
    if (!d->detail.empty()) {
      // verifier/Report.cpp: sections, each a heading and its lines
      // indented by two; the counterexample's block is the last section,
      // and the code action pastes it alone. An earlier section (a course)
      // may hold several blocks (one per record, each starting at the
      // section's top level): each is related information of its own.
      std::vector<std::pair<std::string, std::vector<std::string>>> sections;
      for (const std::string &line : d->detail) {
        if (line.rfind("  ", 0) == 0 && !sections.empty()) sections.back().second.push_back(line.substr(2));
        else sections.push_back({line, {}});
      }
      json at = here ? Server::location(doc, snap, snap.main, d->range.begin, d->range.end)
                     : json{{"uri", doc.uri}, {"range", lines.range(0, 0)}};
      auto shown = [](const std::string &heading, const std::vector<std::string> &block) {
        std::string text = heading;
        for (const std::string &line : block) text += "\n  " + line;
        return text;
      };
      for (size_t s = 0; s + 1 < sections.size(); ++s) {
        std::vector<std::vector<std::string>> blocks;
        for (const std::string &line : sections[s].second) {
          if (blocks.empty() || (!line.empty() && line[0] != ' ' && line != "}")) blocks.emplace_back();
          blocks.back().push_back(line);
        }
        if (blocks.empty()) blocks.emplace_back();
        for (const std::vector<std::string> &block : blocks)
          related.push_back({{"location", at}, {"message", shown(sections[s].first, block)}});
      }
      related.push_back({{"location", at}, {"message", shown(sections.back().first, sections.back().second)}});
      item["data"] = {{"example", sections.back().second}};
    }
    // Fix-its in this document, for the quick fix (codeActions).
    json fixits = json::array();
    for (const FixIt &f : d->fixits)
      if (f.range.valid() && f.range.file == snap.main)
        fixits.push_back({{"range", lines.range(f.range.begin, f.range.end)}, {"newText", f.replacement}});
    if (here && !fixits.empty()) {
      item["data"]["fixits"] = fixits;
      item["data"]["fixTitle"] = fixItTitle(*d);  // the quick fix's title, as SARIF's fix says it
    }
    item["severity"] = severityOf(d->severity);
    item["source"] = "carepath";
    item["code"] = d->code();
    item["message"] = message;
    if (!related.empty()) item["relatedInformation"] = related;
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace carepath::lsp
