// How the verifier shows values to people: quantities in the protocol's own
// units, patients as ready-to-paste `example` blocks.
#pragma once

#include <string>
#include <vector>

#include "ir/IR.h"

namespace carepath::verifier {

/// "14 kg", "71.428571 (exactly 500/7) mg/kg": carepath/Quantity.h's rule.
std::string formatQuantity(const Rational &canonical, const ir::Unit &unit);
/// An amount a patient gets, for a message: formatQuantity, with more
/// digits where 6 would round a non-whole amount to a whole one (so an
/// amount over a limit never reads as the limit).
std::string formatAmount(const Rational &canonical, const ir::Unit &unit);
/// Whether a patient's value can be written as a decimal (in the unit
/// valueText shows it in): what a `given` line and a patient file accept.
bool hasDecimalForm(const ir::Protocol &p, int input, const ir::Value &v);
/// The exact value in `unit` as .care literal text ("14", "2.5"), or the
/// exact fraction "1/3" when it has no short decimal.
std::string literalIn(const Rational &canonical, const ir::Unit &unit);
/// A `given` item: "weight = 14 kg", "fever", "not fever", "consciousness = coma".
std::string givenItem(const ir::Protocol &p, int input, const ir::Value &v);
/// JSON-friendly value text for one input ("14 kg", "coma", "true").
std::string valueText(const ir::Protocol &p, int input, const ir::Value &v);
/// The unit a limit is written in ("mg/kg" for "30 mg/kg per day"), for
/// showing the observed amount next to it; canonical when unknown.
ir::Unit displayUnitOf(const ir::Protocol &p, const ir::Limit &l);
/// The unit to show a dose in: the one the author wrote when it fits.
ir::Unit doseDisplayUnit(const ir::Protocol &p, const ir::Action &a);
/// A complete `example "name" { given ... expect ... }` block, one line each.
std::vector<std::string> exampleBlock(const ir::Protocol &p, const std::string &name,
                                      const std::vector<ir::Value> &patient,
                                      const std::vector<std::string> &expectations);

}  // namespace carepath::verifier
