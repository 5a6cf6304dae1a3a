// carepath: check, verify, compile, test and evaluate clinical protocols.
#include <iostream>

#include "Driver.h"

int main(int argc, char **argv) {
  using namespace carepath::driver;
  CLI::App app{"carepath: clinical protocols as verified code", "carepath"};
  app.set_version_flag("--version", std::string("carepath ") + CAREPATH_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  int exitCode = kExitOk;
  addCheckCommand(app, exitCode);
  addVerifyCommand(app, exitCode);
  addCompileCommand(app, exitCode);
  addTestCommand(app, exitCode);
  addEvalCommand(app, exitCode);

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
