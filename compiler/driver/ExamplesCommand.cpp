// `carepath examples FILE`: example blocks found by Z3 for what the
// protocol's examples leave unexercised (verifier/ExampleGenerator.h), on
// standard output, ready to paste into the protocol; the summary as `//`
// comments so the whole output pastes. docs/testing-protocols.md,
// "Generating examples".
#include "Output.h"
#include "basic/DiagnosticPrinter.h"
#include "verifier/ExampleGenerator.h"

namespace carepath::driver {

Command examplesCommand() {
  struct Options {
    verifier::Options verify;
    bool fromScratch = false;
  };
  auto o = std::make_shared<Options>();
  Command c;
  c.name = "examples";
  c.help = "Generate example blocks (with Z3) for the tiers, rules, doses and conditions the examples leave unexercised";
  c.formats = {Format::Text, Format::Json};
  c.multiFile = true;
  c.declare = [o](CommandLine &line) {
    line.flag("--all", o->fromScratch, "Ignore the protocol's own examples: a whole set from scratch");
    line.number("--timeout", o->verify.timeoutMs, "Solver time limit per question, in milliseconds", 1, 3600000);
  };
  c.run = [o](CommandContext &ctx) -> int {
    CommandPayload &out = ctx.payload();
    out.json["examples"] = nlohmann::json::array();
    out.json["unreached"] = nlohmann::json::array();
    FrontendResult front = ctx.runFrontend(ctx.file());
    if (ctx.diags().hasErrors() || !front.protocol) return kExitFindings;
    ctx.setStarted(true);
    const ir::Protocol &p = *front.protocol;
    verifier::Generation gen = verifier::generateExamples(p, o->verify, o->fromScratch);

    std::string text;
    nlohmann::json examples = nlohmann::json::array(), unreached = nlohmann::json::array();
    for (const verifier::GeneratedExample &ex : gen.examples) {
      std::string block;
      for (const std::string &l : ex.lines) block += l + "\n";
      text += block + "\n";
      examples.push_back({{"goal", ex.goal}, {"text", block}});
    }
    size_t impossible = 0, unknown = 0;
    std::string gaps;
    for (const verifier::UnreachedGoal &u : gen.unreached) {
      (u.impossible ? impossible : unknown)++;
      std::string at;
      if (u.range.valid()) {
        LineColumn lc = ctx.sources().begin(u.range);
        at = ctx.sources().name(u.range.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": ";
      }
      gaps += "//   " + at + u.goal + ": " + (u.impossible ? "no patient in the population can (proved by Z3)" : u.reason) + "\n";
      unreached.push_back({{"goal", u.goal},
                           {"location", locationToJson(ctx.sources(), u.range)},
                           {"impossible", u.impossible},
                           {"reason", u.impossible ? "" : u.reason}});
    }
    std::string summary = "// " + std::to_string(gen.goals) + " goals";
    if (!o->fromScratch) summary += ", " + std::to_string(gen.alreadyMet) + " met by the protocol's examples";
    summary += ", " + std::to_string(gen.examples.size()) + " example(s) generated, " + std::to_string(impossible) +
               " impossible, " + std::to_string(unknown) + " undecided\n";
    if (!gaps.empty()) summary += "// not reached:\n" + gaps;
    out.json["goals"] = gen.goals;
    out.json["alreadyMet"] = gen.alreadyMet;
    out.json["examples"] = examples;
    out.json["unreached"] = unreached;
    ctx.setTextTrailer(text + summary, summary);
    return unknown > 0 ? kExitInconclusive : kExitOk;
  };
  return c;
}

}  // namespace carepath::driver
