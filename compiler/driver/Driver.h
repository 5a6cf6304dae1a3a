// Shared pieces of the `carepath` command line: exit codes, the options
// every subcommand takes, and diagnostic output.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "Frontend.h"
#include "basic/Diagnostics.h"

namespace carepath::driver {

/// Documented in docs/cli.md; never change a meaning.
enum ExitCode : int {
  kExitOk = 0,            // clean / all proved / all examples pass
  kExitFindings = 1,      // errors in the input, a refuted property, a failing example
  kExitUsage = 2,         // bad command line
  kExitInconclusive = 3,  // the solver could not decide (unknown, timeout)
  kExitInternal = 4,      // a bug in carepath: please report it
};

struct CommonOptions {
  std::string format = "text";  // text | json (| sarif where a command supports it)
  std::vector<std::string> modulePath;
  unsigned errorLimit = 20;
  bool warningsAsErrors = false;
};

/// Adds --format, --stdlib/-I, --error-limit, -Werror to a subcommand.
void addCommonOptions(CLI::App *cmd, CommonOptions &options, std::vector<std::string> formats = {"text", "json"});

FrontendOptions frontendOptions(const CommonOptions &options);

/// Prints the collected diagnostics: text to stderr (coloured on a terminal
/// unless NO_COLOR), or nothing when the command prints JSON itself.
void printDiagnostics(const DiagnosticEngine &diags, const CommonOptions &options);

/// Each subcommand lives in its own file and registers itself here; the
/// callback stores its exit code in `exitCode`.
void addCheckCommand(CLI::App &app, int &exitCode);
void addVerifyCommand(CLI::App &app, int &exitCode);
void addCompileCommand(CLI::App &app, int &exitCode);
void addTestCommand(CLI::App &app, int &exitCode);
void addEvalCommand(CLI::App &app, int &exitCode);

}  // namespace carepath::driver
