// `carepath verify FILE`: proves the protocol's properties with Z3 over every
// patient in the population, or refutes them with a patient (docs/verifier.md).
#include <iostream>

#include "Driver.h"
#include "basic/DiagnosticPrinter.h"
#include "verifier/Report.h"
#include "verifier/Verifier.h"

namespace carepath::driver {

namespace {
struct VerifyOptions {
  std::string file;
  CommonOptions common;
  verifier::Options verify;
  bool stats = false;
};

int exitCodeOf(const verifier::Report &report) {
  if (!report.internalErrors.empty()) return kExitInternal;
  verifier::Verdict verdict = report.verdict();
  if (verdict == verifier::Verdict::Failed) return kExitFindings;
  if (verdict == verifier::Verdict::Inconclusive) return kExitInconclusive;
  return kExitOk;
}
}  // namespace

void addVerifyCommand(CLI::App &app, int &exitCode) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App *cmd = app.add_subcommand("verify", "Prove the protocol's properties with Z3, or refute them with a patient");
  cmd->add_option("file", options->file, "Protocol file ('-' for standard input)")->required();
  cmd->add_option("--timeout", options->verify.timeoutMs, "Solver time limit per property, in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(1u, 3600000u));
  cmd->add_option("--rlimit", options->verify.rlimit, "Solver resource limit per property (deterministic)")
      ->capture_default_str();
  cmd->add_flag("--strict", options->verify.strict, "Report every 'unspecified' as an error");
  cmd->add_flag("--check-models", options->verify.checkModels,
                "Re-check every counterexample on the IR reference evaluator");
  cmd->add_flag("--stats", options->stats, "Print solver statistics to standard error");
  addCommonOptions(cmd, options->common, {"text", "json", "sarif"});
  cmd->callback([options, &exitCode] {
    SourceManager sources;
    DiagnosticEngine diags(sources);
    diags.setErrorLimit(0);  // every refuted property is reported
    diags.setWarningsAsErrors(options->common.warningsAsErrors);
    FrontendResult front = runFrontend(options->file, sources, diags, frontendOptions(options->common));
    if (diags.hasErrors() || !front.protocol) {
      if (options->common.format != "text") std::cout << diagnosticsToJson(diags).dump(2) << "\n";
      printDiagnostics(diags, options->common);
      exitCode = kExitFindings;
      return;
    }
    const ir::Protocol &protocol = *front.protocol;
    verifier::Report report = verifier::verify(protocol, options->verify);
    exitCode = exitCodeOf(report);
    if (options->common.format == "json") {
      std::cout << verifier::reportToJson(report, protocol, sources).dump(2) << "\n";
    } else if (options->common.format == "sarif") {
      std::cout << verifier::reportToSarif(report, protocol, sources, CAREPATH_VERSION).dump(2) << "\n";
    } else {
      verifier::reportDiagnostics(report, diags);
      printDiagnostics(diags, options->common);
      verifier::printSummary(std::cout, report, protocol);
      if (options->common.warningsAsErrors && exitCode == kExitOk && diags.warningCount() + diags.errorCount() > 0)
        exitCode = kExitFindings;
    }
    if (options->stats) {
      const verifier::Statistics &s = report.stats;
      std::cerr << "stats: solver checks " << s.solverChecks << ", witnesses reused " << s.witnessesReused
                << ", overlap pairs " << s.overlapPairs << " (" << s.overlapSwept << " excluded by interval sweep)"
                << ", optimisations " << s.optimisations << "\n";
    }
  });
}

}  // namespace carepath::driver
