// Renders a verification report: diagnostics for the text form, the JSON
// object of `--format=json`, and SARIF 2.1.0 for code-scanning tools.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>
#include <utility>

#include "basic/Diagnostics.h"
#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::verifier {

/// Every result that is not proved becomes a diagnostic at its rule, tier
/// or property, with notes at related rules and the counterexample block
/// as detail. Internal model-check failures become errors too.
void reportDiagnostics(const Report &report, DiagnosticEngine &diags);

/// A dose envelope's least and greatest as people read them ("40 mg",
/// "< 1000 mg" when only approached, "unbounded", "never given"); with
/// `rate`, those of an intermittent infusion's rate (DoseEnvelope::rate,
/// which it must have). The text report, the doc page and the language
/// server's hover all show them so.
std::pair<std::string, std::string> envelopeBounds(const DoseEnvelope &d, bool rate = false);

/// The counts and the dose envelope table, for people (stdout).
void printSummary(std::ostream &out, const Report &report, const ir::Protocol &protocol);

/// {"result", "properties": [...], "doses": [...]} (docs/verifier.md).
nlohmann::ordered_json reportToJson(const Report &report, const ir::Protocol &protocol, const SourceManager &sources);

/// The same keys for a protocol that could not be verified (errors before
/// the verifier ran): "result": "error", no properties, no doses, so that
/// `verify --format=json` has one shape whatever happens.
nlohmann::ordered_json notVerifiedJson();

/// The verifier's part of a SARIF 2.1.0 run: {"results", "properties"};
/// every property that is not proved is a result, the proved ones are
/// counted in "properties". The driver writes the log around it (rules,
/// locations, fingerprints: compiler/driver/Output.cpp).
nlohmann::ordered_json reportToSarifRun(const Report &report, const ir::Protocol &protocol,
                                        const SourceManager &sources);

}  // namespace carepath::verifier
