// `carepath lsp`: the Language Server Protocol server over standard input
// and output (docs/lsp.md); compiler/lsp/ does the work.
#include <cstdlib>
#include <iostream>

#include "Driver.h"
#include "lsp/Server.h"

namespace carepath::driver {

Command lspCommand() {
  struct Options {
    bool stdio = false;
  };
  auto o = std::make_shared<Options>();
  Command c;
  c.name = "lsp";
  c.help = "Run the language server (Language Server Protocol over standard input and output)";
  c.formats = {Format::Text};
  c.declare = [o](CommandLine &line) {
    // What editors' clients pass; standard input and output is the only transport.
    line.flag("--stdio", o->stdio, "Talk LSP on standard input and output (the default and only transport)");
  };
  c.run = [](CommandContext &ctx) -> int {
    lsp::ServerOptions options;
    options.modulePath = ctx.options().modulePath;
    options.stdlibDir = stdlibDir();
    lsp::Server server(options);
    std::ios::sync_with_stdio(false);
    // LSP's exit code: 0 after a `shutdown` request, 1 when the client
    // went away or sent `exit` without one.
    int code = server.run(std::cin, std::cout) == 0 ? kExitOk : kExitFindings;
    if (server.abandonedVerification()) {
      // A verification still runs on its thread (Z3 cannot be stopped): end
      // now, without the static destructors that would pull the solver's
      // memory from under it. Everything was written and flushed.
      std::cout.flush();
      std::cerr.flush();
      std::_Exit(code);
    }
    return code;
  };
  return c;
}

}  // namespace carepath::driver
