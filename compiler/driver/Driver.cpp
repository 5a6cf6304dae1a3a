// The command line: the only file that includes CLI11. Every subcommand gets
// the shared options here, once, and runs in a CommandContext (Output.cpp).
#include "Driver.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "carepath/ProjectVersion.h"

namespace carepath::driver {

const char *version() { return CAREPATH_VERSION; }

int worstExit(int a, int b) {
  auto rank = [](int code) {
    switch (code) {
    case kExitOk: return 0;
    case kExitInconclusive: return 1;
    case kExitFindings: return 2;
    case kExitUsage: return 3;
    default: return 4;  // kExitInternal
    }
  };
  return rank(a) >= rank(b) ? a : b;
}

std::string stdlibDir() {
  const char *env = std::getenv("CAREPATH_STDLIB");
  if (env && *env) return env;
  // Never a folder of the machine that built carepath: relative to the
  // binary, so an installed tree and the build tree work alike.
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  return (exe.parent_path().parent_path() / "share" / "carepath" / "stdlib").string();
}

void CommandLine::option(const std::string &name, std::string &into, const std::string &help, bool required) {
  CLI::Option *o = app_->add_option(name, into, help);
  if (required) o->required();
}

void CommandLine::list(const std::string &name, std::vector<std::string> &into, const std::string &help) {
  app_->add_option(name, into, help)->take_all()->allow_extra_args(false);
}

void CommandLine::choice(const std::string &name, std::string &into, const std::string &help,
                         const std::vector<std::string> &choices) {
  app_->add_option(name, into, help)->check(CLI::IsMember(choices))->capture_default_str();
}

void CommandLine::number(const std::string &name, unsigned &into, const std::string &help, unsigned min,
                         unsigned max) {
  app_->add_option(name, into, help)->capture_default_str()->check(CLI::Range(min, max));
}

void CommandLine::flag(const std::string &name, bool &into, const std::string &help) {
  app_->add_flag(name, into, help);
}

namespace {

const std::map<std::string, Format> kFormats = {
    {"text", Format::Text},   {"json", Format::Json},   {"sarif", Format::Sarif},
    {"jsonl", Format::Jsonl}, {"junit", Format::Junit}, {"codequality", Format::CodeQuality},
    {"markdown", Format::Markdown}, {"html", Format::Html}};
const std::map<std::string, ColorMode> kColors = {
    {"auto", ColorMode::Auto}, {"always", ColorMode::Always}, {"never", ColorMode::Never}};

std::string formatName(Format f) {
  for (const auto &[name, format] : kFormats)
    if (format == f) return name;
  return "text";
}

/// The shared options as parsed, before they are turned into SharedOptions.
struct ParsedShared {
  SharedOptions options;
  std::string format, color = "auto";
  std::vector<std::string> files;  // FILE... of a multiFile command
};

void addSharedOptions(CLI::App *cmd, const Command &c, ParsedShared &p) {
  std::vector<std::string> formats;
  for (Format f : c.formats) formats.push_back(formatName(f));
  p.format = formats.front();
  cmd->add_option("--format", p.format, "Output format")->check(CLI::IsMember(formats))->capture_default_str();
  if (c.readsProtocols)
    // One folder per -I, collected as they come (a vector option would
    // also swallow the FILEs after it: `-I lib a.care b.care`).
    cmd->add_option_function<std::string>(
           "--stdlib,-I", [&p](const std::string &dir) { p.options.modulePath.push_back(dir); },
           "Folder to search for modules (before the standard library); repeatable")
        ->type_name("DIR")
        ->trigger_on_parse();  // `-I lib a.care b.care`: one folder per -I
  cmd->add_option("--error-limit", p.options.errorLimit, "Stop after this many errors (0: no limit)")
      ->capture_default_str();
  cmd->add_flag("-W,--warnings-as-errors", p.options.warningsAsErrors, "Treat warnings as errors");
  cmd->add_flag("-q,--quiet", p.options.quiet, "Print only errors and the summary line (text output)");
  bool locates = std::find(c.formats.begin(), c.formats.end(), Format::Sarif) != c.formats.end();
  if (locates)
    cmd->add_option("--source-root", p.options.sourceRoot,
                    "SARIF and Code Quality paths are relative to this folder (default: the current one)")
        ->type_name("DIR");
  if (c.multiFile) {
    CLI::Option *files =
        cmd->add_option("file", p.files, c.filesOptional ? "Protocol files ('-' or none for standard input)"
                                                         : "Protocol files ('-' for standard input)")
            ->type_name("FILE...");
    if (!c.filesOptional) files->required();
  }
  cmd->add_option("--color", p.color, "Colour text diagnostics: auto (a terminal, unless NO_COLOR), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

}  // namespace

int runDriver(int argc, char **argv) {
  CLI::App app{"carepath: clinical protocols as verified code", "carepath"};
  app.set_version_flag("--version", std::string("carepath ") + version());
  app.require_subcommand(1);
  app.fallthrough();

  int exitCode = kExitOk;
  std::vector<Command> commands = {checkCommand(), verifyCommand(), compileCommand(),
                                   testCommand(),  evalCommand(),   explainCommand(), diffCommand(),
                                   fmtCommand(),   docCommand(),    examplesCommand(),
                                   lspCommand(),     auditCommand()};
  std::vector<std::unique_ptr<ParsedShared>> shared;
  for (const Command &c : commands) {
    CLI::App *sub = app.add_subcommand(c.name, c.help);
    CommandLine line(sub);
    c.declare(line);
    shared.push_back(std::make_unique<ParsedShared>());
    ParsedShared *p = shared.back().get();
    addSharedOptions(sub, c, *p);
    sub->callback([&c, p, &exitCode, argc, argv] {
      SharedOptions options = p->options;
      options.format = kFormats.at(p->format);
      options.color = kColors.at(p->color);
      options.arguments.assign(argv, argv + argc);
      std::vector<std::string> files = c.multiFile ? p->files : std::vector<std::string>{""};
      if (c.multiFile && files.empty()) files = {"-"};  // filesOptional
      std::vector<std::unique_ptr<CommandContext>> runs;
      std::vector<int> exits;
      for (const std::string &file : files) {
        runs.push_back(std::make_unique<CommandContext>(options));
        CommandContext &context = *runs.back();
        context.setFile(file);
        int code;
        try {
          code = c.run(context);
        } catch (const std::exception &e) {
          // A bug in carepath, reported in the chosen format (SARIF: a run
          // that did not succeed), exit 4.
          context.diags().report(DiagId::err_internal, SourceRange{}, e.what());
          context.setStarted(false);
          code = kExitInternal;
        }
        exits.push_back(context.exitCode(code));
      }
      exitCode = finishRuns(options, runs, exits);
    });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    app.exit(e);
    return kExitUsage;
  } catch (const std::exception &e) {
    std::cerr << "carepath: internal error: " << e.what() << "\n"
              << "carepath: this is a bug in carepath; please report it with the input that caused it\n";
    return kExitInternal;
  }
  return exitCode;
}

}  // namespace carepath::driver
