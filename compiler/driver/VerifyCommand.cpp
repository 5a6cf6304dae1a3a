// `carepath verify FILE...`: proves the protocol's properties with Z3 over every
// patient in the population, or refutes them with a patient (docs/verifier.md).
#include <iostream>
#include <sstream>

#include "Output.h"
#include "verifier/Report.h"
#include "verifier/Verifier.h"

namespace carepath::driver {

namespace {
/// The command's exit code for a report: its verdict, or 4 for an
/// internal error. The only place verify reads the verdict.
int exitCodeOf(const verifier::Report &report) {
  if (!report.internalErrors.empty()) return kExitInternal;
  verifier::Verdict verdict = report.verdict();
  if (verdict == verifier::Verdict::Failed) return kExitFindings;
  if (verdict == verifier::Verdict::Inconclusive) return kExitInconclusive;
  return kExitOk;
}
}  // namespace

Command verifyCommand() {
  struct Options {
    verifier::Options verify;
    bool stats = false;
  };
  auto o = std::make_shared<Options>();
  Command c;
  c.name = "verify";
  c.help = "Prove the protocol's properties with Z3, or refute them with a patient";
  c.formats = {Format::Text, Format::Json, Format::Sarif, Format::CodeQuality};
  c.multiFile = true;
  c.declare = [o](CommandLine &line) {
    line.number("--timeout", o->verify.timeoutMs, "Solver time limit per property, in milliseconds", 1, 3600000);
    line.number("--rlimit", o->verify.rlimit, "Solver resource limit per property (deterministic)");
    line.flag("--strict", o->verify.strict, "Report every 'unspecified' as an error");
    line.flag("--check-models", o->verify.checkModels, "Re-check every counterexample on the IR reference evaluator");
    line.flag("--stats", o->stats, "Print solver statistics to standard error");
  };
  c.run = [o](CommandContext &ctx) -> int {
    FrontendResult front = ctx.runFrontend(ctx.file());
    if (ctx.diags().hasErrors() || !front.protocol) return kExitFindings;  // could not start
    ctx.setStarted(true);
    const ir::Protocol &protocol = *front.protocol;
    verifier::Report report = verifier::verify(protocol, o->verify);
    // One report, in every format: its results as SARIF results, its JSON
    // keys, and as diagnostics (text, the JSON "diagnostics", -W, the
    // error limit) with the summary after them.
    CommandPayload &out = ctx.payload();
    out.setSarifRun(verifier::reportToSarifRun(report, protocol, ctx.sources()), ctx.diags());
    out.json = verifier::reportToJson(report, protocol, ctx.sources());
    verifier::reportDiagnostics(report, ctx.diags());
    std::ostringstream summary;
    verifier::printSummary(summary, report, protocol);
    std::string full = summary.str();
    ctx.setTextTrailer(full, full.substr(0, full.find('\n') + 1));  // -q: the counts line
    if (o->stats) {
      const verifier::Statistics &s = report.stats;
      std::cerr << "stats: solver checks " << s.solverChecks << ", witnesses reused " << s.witnessesReused
                << ", overlap pairs " << s.overlapPairs << " (" << s.overlapSwept << " excluded by interval sweep)"
                << ", optimisations " << s.optimisations << ", witnesses from rule boxes " << s.witnessesBuilt << "\n";
    }
    return exitCodeOf(report);
  };
  return c;
}

}  // namespace carepath::driver
