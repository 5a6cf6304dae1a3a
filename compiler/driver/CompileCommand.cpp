// `carepath compile`: being built (see the open issue); registered so the
// command line is stable.
#include <iostream>

#include "Driver.h"

namespace carepath::driver {

void addCompileCommand(CLI::App &app, int &exitCode) {
  CLI::App *cmd = app.add_subcommand("compile", "(not available yet)");
  cmd->allow_extras();
  cmd->callback([&exitCode] {
    std::cerr << "carepath: error: 'compile' is not available in this build yet\n";
    exitCode = kExitUsage;
  });
}

}  // namespace carepath::driver
