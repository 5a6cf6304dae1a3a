// The CQL/ELM export (`carepath compile --target elm`): the protocol as one
// ELM JSON library (identifier = protocol name and version, using FHIR
// 4.0.1, context Patient) with one expression definition per input (read
// from the patient's FHIR Observations, coded in the carepath-owned code
// system urn:carepath:input), per define, per tier that applies, per rule
// that fires, per action offered, per dose and per typed output, named
// after the author's names. Numbers are exact: every decimal the library
// computes has at most 8 places (CQL's Decimal scale), which the export
// proves from the inputs' ranges or refuses (`elm-not-expressible`).
// docs/interop.md ("CQL/ELM") documents the mapping and the limits;
// tests/elm proves cql-execution agrees with `carepath eval`.
#pragma once

#include <optional>
#include <string>

#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::backends {

struct ElmOptions {
  std::string compilerVersion;
  std::string verificationStatus = "not-verified";
};

/// The ELM library as JSON text. What ELM cannot compute exactly, or as
/// carepath means it, is reported to `diags` (located) and nullopt is
/// returned. Deterministic.
std::optional<std::string> emitElm(const ir::Protocol &p, const ElmOptions &options, DiagnosticEngine &diags);

}  // namespace carepath::backends
