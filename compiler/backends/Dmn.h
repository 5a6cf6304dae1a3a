// The DMN 1.3 export (`carepath compile --target dmn`): one decision table
// per pathway and per table (and a literal-expression decision per define
// a FEEL condition reads), for loading a protocol into a third-party DMN
// engine. docs/interop.md documents the mapping, the units convention and
// the limits; tests/interop proves an independent engine agrees with ours.
#pragma once

#include <optional>
#include <string>

#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::backends {

struct DmnOptions {
  std::string compilerVersion;
  /// "verified" / "unverified" / "not-verified", recorded in the model's
  /// description (as the JSON table's `verification.status`).
  std::string verificationStatus = "not-verified";
  /// Most DMN rules one decision table may have after its rules' rows are
  /// made disjoint; beyond it the largest rules become condition columns.
  size_t maxRulesPerTable = 4096;
};

/// Builds the DMN 1.3 XML. What DMN cannot represent faithfully is reported
/// to `diags` (located) and nullopt is returned. Deterministic text.
std::optional<std::string> emitDmn(const ir::Protocol &p, const DmnOptions &options, DiagnosticEngine &diags);

}  // namespace carepath::backends
