// The FHIR R4 export (`carepath compile --target fhir`): the protocol as a
// Bundle (type collection) of one Library (the inputs, as the FHIRPath
// environment variables the conditions read), one PlanDefinition following
// the CPG-on-FHIR conventions (an action per pathway and table, nested per
// tier and rule, with FHIRPath applicability conditions, stop conditions,
// stage order as relatedAction, timings, citations as relatedArtifact) and
// one ActivityDefinition (MedicationRequest) per distinct give.
// docs/interop.md ("FHIR") documents the mapping and the limits;
// tests/fhir proves the FHIRPath conditions agree with `carepath eval`.
#pragma once

#include <optional>
#include <string>

#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::backends {

struct FhirOptions {
  /// Canonical base of the resources' urls (`BASE/PlanDefinition/NAME`).
  std::string base = "http://example.org/carepath";
  std::string compilerVersion;
  std::string verificationStatus = "not-verified";
};

/// Builds the Bundle as JSON text. What FHIR R4 cannot hold faithfully is
/// reported to `diags` (located) and nullopt is returned. Deterministic.
std::optional<std::string> emitFhir(const ir::Protocol &p, const FhirOptions &options, DiagnosticEngine &diags);

}  // namespace carepath::backends
