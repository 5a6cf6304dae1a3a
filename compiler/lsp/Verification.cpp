// Verification on save (verifier/): refuted properties as diagnostics whose
// related information is the counterexample, each give's dose envelope for
// hover, and the code actions: one pastes a counterexample into the file as
// an `example` block, one applies a diagnostic's fix-its.
#include "lsp/Server.h"
#include "verifier/Display.h"
#include "verifier/Report.h"
#include "verifier/Verifier.h"

#include <nlohmann/json.hpp>

namespace carepath::lsp {

namespace {
std::string envelopeText(const verifier::DoseEnvelope &d, const std::string &per) {
  auto show = [&](const std::optional<Rational> &v, bool attained, const char *strict) {
    return v ? (attained ? "" : std::string(strict)) + verifier::formatQuantity(*v, d.unit) : std::string("-");
  };
  std::string least = d.never ? "never given" : show(d.min, d.minAttained, "> ");
  std::string greatest = d.unbounded ? "unbounded" : d.never ? "never given" : show(d.max, d.maxAttained, "< ");
  return "**dose envelope** of `" + d.drug + "` at `" + d.where + "` over the population (per " + per +
         "): least " + least + ", greatest " + greatest + " *(verified on save)*";
}
}  // namespace

void verifyOnSave(const Server &server, Document &doc) {
  doc.verifiedText = doc.text;
  doc.verifyDiagnostics = json::array();
  doc.envelopes.clear();
  const Snapshot *snap = doc.current.get();
  if (!snap || !snap->protocol) return;  // errors first: they are already shown
  verifier::Options options;
  options.timeoutMs = server.options().verifyTimeoutMs;
  verifier::Report report = verifier::verify(*snap->protocol, options);
  // Diagnostics worded as `carepath verify` words them, in the snapshot's sources.
  const SourceManager &sources = snap->sources;
  DiagnosticEngine diags(sources);
  diags.setErrorLimit(0);
  verifier::reportDiagnostics(report, diags);
  doc.verifyDiagnostics = toLspDiagnostics(server, doc, *snap, diags.sorted());
  nlohmann::ordered_json summary = verifier::reportToJson(report, *snap->protocol, sources);
  for (size_t i = 0; i < report.doses.size(); ++i) {
    const verifier::DoseEnvelope &d = report.doses[i];
    if (!d.range.valid() || d.range.file != snap->main) continue;
    std::string per = summary["doses"][i]["per"];
    doc.envelopes.push_back({d.range.begin, d.range.end, envelopeText(d, per)});
  }
}

json codeActions(const Server &, const Document &doc, const json &params) {
  json actions = json::array();
  const json &context = params.at("context");
  if (!context.contains("diagnostics")) return actions;
  LineIndex lines(doc.text);
  json end = lines.range(static_cast<uint32_t>(doc.text.size()), static_cast<uint32_t>(doc.text.size()));
  for (const json &d : context["diagnostics"]) {
    if (!d.contains("data") || !d["data"].is_object()) continue;
    if (d["data"].contains("fixits") && d["data"]["fixits"].is_array() && !d["data"]["fixits"].empty()) {
      // The compiler's fix-its of the diagnostic, as one preferred quick fix.
      std::string title = "Fix: ";
      for (const json &f : d["data"]["fixits"])
        if (f.contains("newText") && f["newText"].is_string() && !f["newText"].get<std::string>().empty()) {
          std::string text = f["newText"].get<std::string>();
          size_t first = text.find_first_not_of(' ');
          title += "write '" + (first == std::string::npos ? text : text.substr(first)) + "'";
          break;
        }
      if (title == "Fix: ") title += "remove it";
      actions.push_back({{"title", title},
                         {"kind", "quickfix"},
                         {"isPreferred", true},
                         {"diagnostics", json::array({d})},
                         {"edit", {{"changes", {{doc.uri, d["data"]["fixits"]}}}}}});
    }
    if (!d["data"].contains("example")) continue;
    std::string block = doc.text.empty() || doc.text.back() == '\n' ? "\n" : "\n\n";
    for (const json &line : d["data"]["example"]) block += line.get<std::string>() + "\n";
    json edit = {{"range", end}, {"newText", block}};
    actions.push_back({{"title", "Add the counterexample as an example"},
                       {"kind", "quickfix"},
                       {"diagnostics", json::array({d})},
                       {"edit", {{"changes", {{doc.uri, json::array({edit})}}}}}});
  }
  return actions;
}

}  // namespace carepath::lsp
