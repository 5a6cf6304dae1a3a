// `carepath verify`: being built (see the open issue); registered so the
// command line is stable.
#include <iostream>

#include "Driver.h"

namespace carepath::driver {

void addVerifyCommand(CLI::App &app, int &exitCode) {
  CLI::App *cmd = app.add_subcommand("verify", "(not available yet)");
  cmd->allow_extras();
  cmd->callback([&exitCode] {
    std::cerr << "carepath: error: 'verify' is not available in this build yet\n";
    exitCode = kExitUsage;
  });
}

}  // namespace carepath::driver
