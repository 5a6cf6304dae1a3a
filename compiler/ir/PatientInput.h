// Glue between the IR's inputs and the runtime's patient reader
// (carepath/Patient.h): describes a protocol's inputs as neutral InputSpecs
// and converts the values both ways. `carepath test`, `carepath eval` on a
// .care file and the verifier's model check read patients through here.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "carepath/Patient.h"
#include "ir/Evaluator.h"
#include "ir/IR.h"

namespace carepath::ir {

/// One spec per input, in input order. A quantity input accepts every unit
/// in Protocol::units of its dimension; its range is shown in the unit the
/// author wrote it in.
std::vector<runtime::InputSpec> inputSpecs(const Protocol &p);

/// Every named unit in scope, so the reader can say "'h' is a duration
/// unit" for a weight given in hours.
std::vector<runtime::UnitSpec> unitCatalogue(const Protocol &p);

/// The canonical unit of a dimension as tables and exports spell it: UCUM
/// codes of the base units ("mg/mL", "mg.h", "mL2"); "" when dimensionless.
std::string canonicalUnitName(const Protocol &p, const Dimension &dim);

Value toValue(const runtime::PatientValue &v);
runtime::PatientValue fromValue(const Value &v);

/// Reads a patient JSON document for protocol `p`; nullopt with `errors`
/// filled when it is not a valid patient.
std::optional<Patient> readPatient(const Protocol &p, std::string_view jsonText,
                                   std::vector<runtime::PatientError> &errors);

}  // namespace carepath::ir
