// What a command adds to the JSON and SARIF output of its run; the driver
// (Output.cpp) writes it with the diagnostics. Only the commands that add
// something include this (it brings nlohmann-json).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "Driver.h"

namespace carepath::driver {

struct CommandPayload {
  /// --format=json: the command's keys, written after "diagnostics",
  /// "errors" and "warnings" in the one object on standard output.
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  /// --format=sarif: the run's "properties" (counts, a verdict).
  nlohmann::ordered_json sarifProperties = nlohmann::ordered_json::object();

  /// --format=sarif, for a command that reports its own results (verify:
  /// one per property not proved): `run` has "results" and "properties"
  /// (added to sarifProperties); Output.cpp adds a rule per ruleId. The diagnostics reported before this call are
  /// results too; the later ones are these results again, as text.
  void setSarifRun(nlohmann::ordered_json run, const DiagnosticEngine &diags) {
    sarifRun = std::move(run);
    sarifDiagnostics = diags.sorted();
  }
  std::optional<nlohmann::ordered_json> sarifRun;
  /// --format=markdown (diff): the text on standard output, for a pull-request comment.
  std::string markdown;
  std::vector<const Diagnostic *> sarifDiagnostics;
};

}  // namespace carepath::driver
