// `carepath check FILE`: parse, resolve, type- and unit-check a protocol.
#include <iostream>

#include "Driver.h"
#include "basic/DiagnosticPrinter.h"
#include "basic/VerifyDiagnostics.h"

namespace carepath::driver {

namespace {
struct CheckOptions {
  std::string file;
  std::string emit;  // "", "ast", "ir"
  bool verifyDiagnostics = false;
  CommonOptions common;
};
}  // namespace

void addCheckCommand(CLI::App &app, int &exitCode) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App *cmd = app.add_subcommand("check", "Parse, resolve names and check types and units");
  cmd->add_option("file", options->file, "Protocol file ('-' for standard input)")->required();
  cmd->add_option("--emit", options->emit, "Also print the AST or the IR")->check(CLI::IsMember({"ast", "ir"}));
  cmd->add_flag("--verify-diagnostics", options->verifyDiagnostics,
                "Check the diagnostics against the file's expected-* comments (docs/diagnostics.md)");
  addCommonOptions(cmd, options->common);
  cmd->callback([options, &exitCode] {
    SourceManager sources;
    DiagnosticEngine diags(sources);
    diags.setErrorLimit(options->common.errorLimit);
    diags.setWarningsAsErrors(options->common.warningsAsErrors);
    FrontendOptions fo = frontendOptions(options->common);
    if (options->emit == "ast") fo.stopAfter = FrontendOptions::Stage::Parse;
    FrontendResult result = runFrontend(options->file, sources, diags, fo);
    if (options->verifyDiagnostics) {
      // Only the differences from the file's expected-* comments are shown, all of them.
      DiagnosticEngine mismatches(sources);
      mismatches.setErrorLimit(0);
      verifyDiagnostics(diags, result.file, mismatches);
      if (options->common.format == "json") std::cout << diagnosticsToJson(mismatches).dump(2) << "\n";
      printDiagnostics(mismatches, options->common);
      exitCode = mismatches.hasErrors() ? kExitFindings : kExitOk;
      return;
    }
    if (!diags.hasErrors()) {
      if (options->emit == "ast" && result.ast) ast::dump(*result.ast, sources, std::cout);
      if (options->emit == "ir" && result.protocol) ir::dump(*result.protocol, std::cout);
    }
    if (options->common.format == "json") std::cout << diagnosticsToJson(diags).dump(2) << "\n";
    printDiagnostics(diags, options->common);
    exitCode = diags.hasErrors() ? kExitFindings : kExitOk;
  });
}

}  // namespace carepath::driver
