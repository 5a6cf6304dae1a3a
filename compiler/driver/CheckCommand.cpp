// `carepath check FILE`: parse, resolve, type- and unit-check a protocol.
#include <iostream>

#include "Driver.h"
#include "basic/DiagnosticPrinter.h"

namespace carepath::driver {

namespace {
struct CheckOptions {
  std::string file;
  std::string emit;  // "", "ast", "ir"
  CommonOptions common;
};
}  // namespace

void addCheckCommand(CLI::App &app, int &exitCode) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App *cmd = app.add_subcommand("check", "Parse, resolve names and check types and units");
  cmd->add_option("file", options->file, "Protocol file ('-' for standard input)")->required();
  cmd->add_option("--emit", options->emit, "Also print the AST or the IR")->check(CLI::IsMember({"ast", "ir"}));
  addCommonOptions(cmd, options->common);
  cmd->callback([options, &exitCode] {
    SourceManager sources;
    DiagnosticEngine diags(sources);
    diags.setErrorLimit(options->common.errorLimit);
    diags.setWarningsAsErrors(options->common.warningsAsErrors);
    FrontendOptions fo = frontendOptions(options->common);
    if (options->emit == "ast") fo.stopAfter = FrontendOptions::Stage::Parse;
    FrontendResult result = runFrontend(options->file, sources, diags, fo);
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
