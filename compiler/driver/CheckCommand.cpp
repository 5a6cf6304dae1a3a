// `carepath check FILE`: parse, resolve, type- and unit-check a protocol.
#include <iostream>

#include "Driver.h"

namespace carepath::driver {

Command checkCommand() {
  struct Options {
    std::string file;
    std::string emit;  // "", "ast", "ir"
  };
  auto o = std::make_shared<Options>();
  Command c;
  c.name = "check";
  c.help = "Parse, resolve names and check types and units";
  c.formats = {Format::Text, Format::Json, Format::Sarif};
  c.declare = [o](CommandLine &line) {
    line.option("file", o->file, "Protocol file ('-' for standard input)", true);
    line.choice("--emit", o->emit, "Also print the AST or the IR", {"ast", "ir"});
  };
  c.run = [o](CommandContext &ctx) -> int {
    auto stage = o->emit == "ast" ? FrontendOptions::Stage::Parse : FrontendOptions::Stage::Sema;
    FrontendResult result = ctx.runFrontend(o->file, stage);
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
