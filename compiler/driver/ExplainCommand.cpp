// `carepath explain [CODE]`: the diagnostics reference entry of a code (what
// it means, a failing example with its message, the fix), or the list of
// every code with its summary (docs/diagnostics.md).
#include "Explanations.h"
#include "Output.h"
#include "carepath/Suggest.h"

namespace carepath::driver {

Command explainCommand() {
  auto code = std::make_shared<std::string>();
  Command c;
  c.name = "explain";
  c.help = "Explain a diagnostic code (its entry in the diagnostics reference), or list every code";
  c.formats = {Format::Text, Format::Json};
  c.readsProtocols = false;
  c.declare = [code](CommandLine &line) {
    line.option("code", *code, "A diagnostic code, as in JSON and SARIF output (e.g. unknown-name)");
  };
  c.run = [code](CommandContext &ctx) -> int {
    ctx.setStarted(true);
    std::vector<std::string> codes = reportableCodes();
    CommandPayload &out = ctx.payload();
    auto severity = [](const std::string &c) { return severityOfCode(c) == Severity::Warning ? "warning" : "error"; };
    if (code->empty()) {
      std::string list;
      nlohmann::ordered_json items = nlohmann::ordered_json::array();
      for (const std::string &c : codes) {
        const Explanation *e = findExplanation(c);
        std::string summary = e ? e->summary : "(no entry in the reference yet)";
        list += fmt::format("{:<34} {:<8} {}\n", c, severity(c), summary);
        items.push_back({{"code", c}, {"severity", severity(c)}, {"summary", summary}});
      }
      ctx.setTextTrailer(list, list);
      out.json["codes"] = std::move(items);
      return kExitOk;
    }
    if (std::find(codes.begin(), codes.end(), *code) == codes.end()) {
      std::string near = closestMatch(*code, codes, 3);
      ctx.diags().report(DiagId::err_unknown_code, SourceRange{}, *code, near.empty() ? "" : " (did you mean '" + near + "'?)");
      return kExitFindings;
    }
    const Explanation *e = findExplanation(*code);
    std::string text = e ? e->text : "# `" + *code + "`\n\nNo entry in the diagnostics reference yet.\n";
    ctx.setTextTrailer(text, text);
    out.json = {{"code", *code},
                {"severity", severity(*code)},
                {"summary", e ? e->summary : ""},
                {"text", text},
                {"helpUri", helpUri(*code)}};
    return kExitOk;
  };
  return c;
}

}  // namespace carepath::driver
