// The `carepath` command line, shared by every subcommand: exit codes, the
// shared options (parsed once, in Driver.cpp) and one CommandContext per run
// that owns the diagnostics and renders them, in the chosen format, in one
// place. CLI11 and nlohmann-json stay out of this header: it is included by
// every command file, and those two cost seconds per file.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "Frontend.h"
#include "basic/DiagnosticPrinter.h"
#include "basic/Diagnostics.h"

namespace CLI {
class App;
}

namespace carepath::driver {

/// Documented in docs/cli.md; never change a meaning. The same in every
/// output format.
enum ExitCode : int {
  kExitOk = 0,            // clean / all proved / all examples pass
  kExitFindings = 1,      // errors in the input, a refuted property, a failing example
  kExitUsage = 2,         // bad command line
  kExitInconclusive = 3,  // the solver could not decide (unknown, timeout)
  kExitInternal = 4,      // a bug in carepath: please report it
};

enum class Format { Text, Json, Sarif, Jsonl, Junit, CodeQuality, Markdown, Html };

/// Of several runs' exit codes (one per FILE), the one of the whole command:
/// internal error (4) over findings (1) over inconclusive (3) over clean (0).
int worstExit(int a, int b);

/// The options every command takes (docs/cli.md, "Options every command
/// takes"); `modulePath` only where a command reads protocols.
struct SharedOptions {
  Format format = Format::Text;
  unsigned errorLimit = 20;
  bool warningsAsErrors = false;
  ColorMode color = ColorMode::Auto;
  bool quiet = false;                   // -q: errors and the summary line only
  std::string sourceRoot;               // --source-root: SARIF %SRCROOT% ("" = the current folder)
  std::vector<std::string> arguments;   // the command line, for SARIF's invocation
  std::vector<std::string> modulePath;  // --stdlib DIR, -I DIR
};

/// A subcommand's own options, declared through this so that command files
/// do not include CLI11 (Driver.cpp does).
class CommandLine {
public:
  explicit CommandLine(CLI::App *app) : app_(app) {}
  /// A positional argument (or, when `name` starts with '-', an option).
  void option(const std::string &name, std::string &into, const std::string &help, bool required = false);
  /// An option whose value is one of `choices`.
  void choice(const std::string &name, std::string &into, const std::string &help,
              const std::vector<std::string> &choices);
  /// An unsigned option in [min, max]; the default is shown in --help.
  void number(const std::string &name, unsigned &into, const std::string &help, unsigned min = 0,
              unsigned max = ~0u);
  void flag(const std::string &name, bool &into, const std::string &help);
  /// An option that may be given several times, each value kept in order.
  void list(const std::string &name, std::vector<std::string> &into, const std::string &help);

private:
  CLI::App *app_;
};

struct CommandPayload;  // Output.h: what a command adds to JSON and SARIF output

/// One run of one command on one file (a command given several files runs
/// once per file, each in its own context; Output.cpp renders them as one
/// output). Owns the sources and the diagnostics engine
/// (configured from the shared options) and, in finish(), writes the
/// diagnostics and whatever the command added, in the chosen format.
class CommandContext {
public:
  explicit CommandContext(const SharedOptions &options);
  ~CommandContext();

  const SharedOptions &options() const { return options_; }
  /// The FILE this run is about (commands that take several, docs/cli.md).
  const std::string &file() const { return file_; }
  void setFile(std::string file) { file_ = std::move(file); }
  /// The protocol file the front end read (kNoFile before): SARIF results
  /// without a position are located at its start.
  FileId mainFile() const { return mainFile_; }
  Format format() const { return options_.format; }
  SourceManager &sources() { return sources_; }
  DiagnosticEngine &diags() { return diags_; }
  const DiagnosticEngine &diags() const { return diags_; }

  /// The front end on `path`, with the module path and the stdlib root.
  FrontendResult runFrontend(const std::string &path,
                             FrontendOptions::Stage stopAfter = FrontendOptions::Stage::Sema);
  /// The same, reporting into another engine (`check --verify-diagnostics`
  /// compares those with the file's expectations and reports only the
  /// differences here).
  FrontendResult runFrontend(const std::string &path, FrontendOptions::Stage stopAfter, DiagnosticEngine &into);

  /// Whether the command's analysis ran: false when its input could not be
  /// read or checked (SARIF `executionSuccessful`, and the diagnostics are
  /// then notifications of the run, not results).
  void setStarted(bool started) { started_ = started; }
  /// Printed on standard output after the text diagnostics (--format=text).
  /// `quiet`: what is printed instead with -q (the summary line).
  void setTextTrailer(std::string text, std::string quiet) {
    trailer_ = std::move(text);
    quietTrailer_ = std::move(quiet);
  }
  const std::string &textTrailer() const { return options_.quiet ? quietTrailer_ : trailer_; }
  bool started() const { return started_; }
  const CommandPayload *payloadIfAny() const { return payload_.get(); }
  /// The command's own keys and results for JSON and SARIF (Output.h).
  CommandPayload &payload();

  /// The run's exit code: `commandExit` unless that is 0 and an error was
  /// reported (with -W, every warning is one), then 1.
  int exitCode(int commandExit) const;

private:
  SharedOptions options_;
  std::string file_;
  SourceManager sources_;
  DiagnosticEngine diags_{sources_};
  FileId mainFile_ = kNoFile;
  bool started_ = false;
  std::string trailer_, quietTrailer_;
  std::unique_ptr<CommandPayload> payload_;
};

/// Writes the runs of one command (one per FILE, in order) in the chosen
/// format and returns the command's exit code (worstExit of the runs').
int finishRuns(const SharedOptions &options, const std::vector<std::unique_ptr<CommandContext>> &runs,
               const std::vector<int> &exits);

/// A subcommand: its name, what it takes and what it does.
struct Command {
  std::string name, help;
  std::vector<Format> formats;  // the first is the default
  bool readsProtocols = true;   // takes --stdlib/-I
  /// Takes FILE... and runs once per file (CommandContext::file()).
  bool multiFile = false;
  /// With multiFile: no FILE means standard input (`-`).
  bool filesOptional = false;
  std::function<void(CommandLine &)> declare;
  std::function<int(CommandContext &)> run;  // returns the command's exit code
};

/// The standard library root: $CAREPATH_STDLIB, else
/// <prefix>/share/carepath/stdlib for the binary at <prefix>/bin/carepath.
std::string stdlibDir();

/// carepath's version (project(VERSION) in CMakeLists.txt).
const char *version();

Command checkCommand();
Command verifyCommand();
Command compileCommand();
Command testCommand();
Command evalCommand();
Command explainCommand();
Command diffCommand();
Command fmtCommand();
Command docCommand();
Command examplesCommand();
Command lspCommand();
Command auditCommand();

/// Parses the command line and runs the command; returns the exit code.
int runDriver(int argc, char **argv);

}  // namespace carepath::driver
