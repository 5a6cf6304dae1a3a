// `carepath check FILE...`: parse, resolve, type- and unit-check a protocol.
#include <iostream>

#include "Driver.h"
#include "basic/VerifyDiagnostics.h"

namespace carepath::driver {

Command checkCommand() {
  struct Options {
    std::string emit;  // "", "ast", "ir"
    bool verifyDiagnostics = false;
  };
  auto o = std::make_shared<Options>();
  Command c;
  c.name = "check";
  c.help = "Parse, resolve names and check types and units";
  c.formats = {Format::Text, Format::Json, Format::Sarif, Format::CodeQuality};
  c.multiFile = true;
  c.declare = [o](CommandLine &line) {
    line.choice("--emit", o->emit, "Also print the AST or the IR", {"ast", "ir"});
    line.flag("--verify-diagnostics", o->verifyDiagnostics,
              "Check the diagnostics against the file's expected-* comments (docs/diagnostics.md)");
  };
  c.run = [o](CommandContext &ctx) -> int {
    auto stage = o->emit == "ast" ? FrontendOptions::Stage::Parse : FrontendOptions::Stage::Sema;
    if (o->verifyDiagnostics) {
      // Only the differences from the file's expected-* comments are
      // reported, all of them.
      DiagnosticEngine seen(ctx.sources());
      seen.setErrorLimit(0);
      FrontendResult result = ctx.runFrontend(ctx.file(), stage, seen);
      ctx.diags().setErrorLimit(0);
      ctx.setStarted(true);
      verifyDiagnostics(seen, result.file, ctx.diags());
      return kExitOk;  // a difference is an error: exit 1 (CommandContext::finish)
    }
    FrontendResult result = ctx.runFrontend(ctx.file(), stage);
    // Checking is the analysis: a file that cannot be read or parsed is a
    // run that could not start; name, type and unit errors are findings.
    ctx.setStarted(result.parsed);
    if (!ctx.diags().hasErrors()) {
      if (o->emit == "ast" && result.ast) ast::dump(*result.ast, ctx.sources(), std::cout);
      if (o->emit == "ir" && result.protocol) ir::dump(*result.protocol, std::cout);
    }
    return kExitOk;  // errors, if any, make it 1 (CommandContext::finish)
  };
  return c;
}

}  // namespace carepath::driver
