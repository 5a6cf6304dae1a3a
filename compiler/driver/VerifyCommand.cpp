// `carepath verify FILE...`: proves the protocol's properties with Z3 over every
// patient in the population, or refutes them with a patient (docs/verifier.md).
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <system_error>

#include "Output.h"
#include "verifier/CrossCheck.h"
#include "verifier/Report.h"
#include "verifier/Verifier.h"

namespace carepath::driver {

namespace {
/// The command's exit code for a report: its verdict, or 4 for an
/// internal error (a model that does not replay, Z3 and cvc5 disagreeing).
/// The only place verify reads the verdict.
int exitCodeOf(const verifier::Report &report) {
  if (!report.internalErrors.empty() || report.crossCheckDisagreed()) return kExitInternal;
  verifier::Verdict verdict = report.verdict();
  if (verdict == verifier::Verdict::Failed) return kExitFindings;
  if (verdict == verifier::Verdict::Inconclusive) return kExitInconclusive;
  return kExitOk;
}
/// Finds the second solver and makes the --smt-dir folder before any work:
/// a cross-check that cannot run is an error, never a silent pass.
bool crossCheckReady(verifier::Options &options, const std::string &flag, DiagnosticEngine &diags) {
  const char *env = std::getenv("CAREPATH_CVC5");
  std::string name = !flag.empty() ? flag : env && *env ? env : "cvc5";
  std::optional<std::string> binary = verifier::findExecutable(name);
  if (!binary) {
    diags.report(DiagId::err_cross_check_solver, SourceRange{},
                 name.find('/') != std::string::npos
                     ? "'" + name + "' is not an executable file"
                     : "no executable '" + name + "' in PATH (install the cvc5 package, or name the binary with --cvc5 or CAREPATH_CVC5)");
    return false;
  }
  options.crossCheckSolver = *binary;
  if (!options.smtDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.smtDir, ec);
    if (ec || !std::filesystem::is_directory(options.smtDir)) {
      diags.report(DiagId::err_cannot_write_output, SourceRange{},
                   "cannot create the --smt-dir folder '" + options.smtDir + "': " + (ec ? ec.message() : "not a folder"));
      return false;
    }
  }
  return true;
}

}  // namespace

Command verifyCommand() {
  struct Options {
    verifier::Options verify;
    bool stats = false;
    std::string cvc5;  // --cvc5
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
    line.flag("--cross-check", o->verify.crossCheck, "Ask cvc5 every question too; a disagreement is an error");
    line.option("--cvc5", o->cvc5, "The cvc5 binary for --cross-check (default: $CAREPATH_CVC5, else cvc5 in PATH)");
    line.option("--smt-dir", o->verify.smtDir, "Write every --cross-check query to DIR as an SMT-LIB 2 file");
  };
  c.run = [o](CommandContext &ctx) -> int {
    FrontendResult front = ctx.runFrontend(ctx.file());
    if (ctx.diags().hasErrors() || !front.protocol) {  // could not start
      // The same JSON keys as a verified run (docs/verifier.md, "Output formats").
      CommandPayload &out = ctx.payload();
      out.json = verifier::notVerifiedJson();
      out.sarifProperties = {{"result", verifier::spelling(verifier::Verdict::Error)}};
      return kExitFindings;
    }
    ctx.setStarted(true);
    const ir::Protocol &protocol = *front.protocol;
    verifier::Options options = o->verify;
    if (!o->cvc5.empty() || !options.smtDir.empty()) options.crossCheck = true;  // either implies it
    if (options.crossCheck && !crossCheckReady(options, o->cvc5, ctx.diags())) return kExitFindings;
    verifier::Report report = verifier::verify(protocol, options);
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
                << ", optimisations " << s.optimisations << ", witnesses from rule boxes " << s.witnessesBuilt
                << " (" << s.witnessesFolded << " folded by Z3's rewriter)"
                << ", explanation checks " << s.explanationChecks << ", course states " << s.courseStates << " ("
                << s.courseChecks << " checks), Z3 checks in all " << s.z3Checks << "\n";
    }
    return exitCodeOf(report);
  };
  return c;
}

}  // namespace carepath::driver
