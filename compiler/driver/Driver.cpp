#include "Driver.h"

#include <unistd.h>

#include <iostream>

#include "basic/DiagnosticPrinter.h"

namespace carepath::driver {

void addCommonOptions(CLI::App *cmd, CommonOptions &options, std::vector<std::string> formats) {
  cmd->add_option("--format", options.format, "Output format")
      ->check(CLI::IsMember(formats))
      ->capture_default_str();
  cmd->add_option("--stdlib,-I", options.modulePath, "Folder to search for modules (before the built-in stdlib)")
      ->type_name("DIR");
  cmd->add_option("--error-limit", options.errorLimit, "Stop after this many errors (0: no limit)")
      ->capture_default_str();
  cmd->add_flag("-W,--warnings-as-errors", options.warningsAsErrors, "Treat warnings as errors");
}

FrontendOptions frontendOptions(const CommonOptions &options) {
  FrontendOptions fo;
  fo.modulePath = options.modulePath;
  return fo;
}

void printDiagnostics(const DiagnosticEngine &diags, const CommonOptions &options) {
  if (options.format != "text") return;
  TextPrintOptions po;
  po.color = shouldUseColor(STDERR_FILENO);
  printDiagnosticsText(std::cerr, diags, po);
}

}  // namespace carepath::driver
