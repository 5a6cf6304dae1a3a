// The patient reader: one JSON object of input name -> value, checked
// against a neutral description of the inputs and converted exactly.
//
// It serves both the compiler (the IR reference evaluator, through
// compiler/ir/PatientInput.h) and the compiled-table runtime, so it knows
// nothing of either: the caller describes each input with an InputSpec.
//
// The JSON format (docs/testing-protocols.md has the full description):
//   {
//     "age": "3 years",                          quantity as "NUMBER UNIT"
//     "crp": "3.0 mg/dL",                        any unit of the input's dimension,
//                                                composed from the named units (or
//                                                their UCUM codes: "ug/L")
//     "weight": {"value": 14.5, "unit": "kg"},   or as an object
//     "fever": true,                             bool
//     "consciousness": "coma",                   enum member by name
//     "count": 2,                                bare number: dimensionless only
//     "ratio": "0.5",                            (or a decimal string)
//     "region": "EU"                             string input: any JSON string
//   }
// Numbers are read exactly: a JSON number is converted from the text the
// file contains ("14.35" is 1435/100, never the nearest double), exponents
// included ("1.5e3"). Every input must be given exactly once, except an
// optional one (InputSpec::optional), which may be left out or given as
// `null`: its value is then missing (PatientValue::missing). A unit may be
// compound ("mg/dL", "mg/kg/day": carepath/Units.h composes it), affine
// ("38.5 degC"), or, for an input of a substance, of a dimension that
// substance converts ("5.5 mmol/L" for glucose in mg/dL, through its molar
// mass).
//
// Errors are collected, not thrown: every problem in the file is reported in
// one pass, each naming its input (empty for whole-file problems such as
// malformed JSON, which gives the line and column).
#pragma once

#include "carepath/CxxApi.h"  // C++20, __int128: a clear error without them

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carepath/Rational.h"
#include "carepath/Units.h"

namespace carepath::runtime {

/// A unit a quantity may be written in.
struct UnitSpec {
  std::string name;       // "kg", "mg/kg", "years"
  Rational factor;        // value in canonical units = written value * factor + offset
  std::string dimension;  // "mass", "duration", "mass/duration"; "" = dimensionless
  Rational offset = 0;    // affine units only (degC)
  std::string ucum{};     // its UCUM code, "" when none
};

/// What the reader needs to know about one input.
struct InputSpec {
  enum class Kind { Bool, Enum, Number, String };
  std::string name;
  Kind kind = Kind::Bool;
  std::vector<std::string> members;  // Enum: member names, in declaration order
  bool integer = false;              // Number: must be a whole number (in canonical units)
  std::optional<Rational> lo, hi;    // Number: inclusive range, canonical units
  std::string dimension;             // Number: "" = dimensionless (a bare JSON number is accepted)
  std::vector<UnitSpec> units;       // Number: units accepted for it (all of `dimension`)
  std::string displayUnit;           // Number: unit the range is shown in ("" = canonical)
  std::string substance;             // Number: `of glucose`, "" when none
  std::vector<units::Ratio> conversions;  // Number: the substance's ratios (mmol/L for mg/L)
  bool optional = false;             // may be missing: left out of the patient, or null
};

/// One input's value: bool, member index, number in canonical units, or
/// the text of a string input;
/// or missing (an optional input not given: the other fields are then
/// meaningless, and conditions that need it are unknown, carepath/Truth.h).
struct PatientValue {
  InputSpec::Kind kind = InputSpec::Kind::Bool;
  bool boolean = false;
  int member = -1;
  Rational number;
  std::string text;  // String
  bool missing = false;
};

struct PatientError {
  /// What is wrong, for callers that act on it (the C API's details).
  enum class Kind : uint8_t {
    Malformed,       // not JSON, or not a JSON object (input "")
    UnknownInput,    // a name the table has no input for
    Duplicate,       // an input given twice
    Missing,         // a required input left out or null
    WrongType,       // e.g. a number for a bool input, a bad quantity object
    UnknownMember,   // an enum value that is not a member
    NotANumber,      // a number input whose number does not parse
    UnknownUnit,     // a unit not known, or none where one is needed
    WrongDimension,  // a unit of another dimension
    NotInteger,      // a whole-number input given a fraction
    OutOfRange,      // outside the input's declared range
    TooLarge,        // too large or too precise for exact arithmetic
  };
  std::string input;    // the input concerned; "" for the file as a whole
  std::string message;  // a complete sentence naming the input
  Kind kind = Kind::Malformed;
  std::string expected;  // what the input takes: "true or false", "0 kg .. 300 kg", "a unit of mass"
  std::string found;     // what was given: "a string", "'comma'", "500 kg"; "" when nothing was
};

/// Reads a patient. Returns one value per spec, in spec order, or nullopt
/// when anything is wrong (then `errors` holds every problem found).
/// `knownUnits` lists further units (of any dimension): compound units are
/// composed from them and from each spec's units, and a unit of the wrong
/// dimension is reported as such rather than as unknown.
std::optional<std::vector<PatientValue>> readPatient(const std::vector<InputSpec> &specs, std::string_view jsonText,
                                                     std::vector<PatientError> &errors,
                                                     const std::vector<UnitSpec> &knownUnits = {});

/// The fast path readPatient takes first (batch evaluation reads millions
/// of patients): a flat object whose keys and strings are printable ASCII
/// without escapes, each value a bool, null, a number, an enum member, a
/// string, or a quantity "NUMBER UNIT" in one of the input's own units,
/// every value valid. Returns false on anything else, and then the
/// general reader decides (and words every problem); when it returns
/// true, `values` is exactly what the general reader returns.
bool readSimplePatient(const std::vector<InputSpec> &specs, std::string_view jsonText, std::vector<PatientValue> &values);
/// readPatient without the fast path (tests compare the two).
std::optional<std::vector<PatientValue>> readPatientGeneral(const std::vector<InputSpec> &specs, std::string_view jsonText,
                                                            std::vector<PatientError> &errors,
                                                            const std::vector<UnitSpec> &knownUnits = {});

/// Exact value of a decimal number as written in JSON or in a quantity
/// string: "14", "-0.25", "1.5e3", "2E-2". Nullopt when malformed or too
/// large/precise for a Rational.
std::optional<Rational> parseDecimal(std::string_view text);
/// Whether `text` is written as a decimal number ("14", "-0.25", "1.5e3"):
/// when parseDecimal still refuses it, it is too large or too precise, not
/// "not a number".
bool isDecimalSyntax(std::string_view text);

/// `canonical` shown in `unit` (none: canonical, no unit name) by the one
/// display rule of carepath/Quantity.h: "14 kg", "333.333333 (exactly 1000/3) mg".
std::string formatQuantity(const Rational &canonical, const UnitSpec *unit);

}  // namespace carepath::runtime
