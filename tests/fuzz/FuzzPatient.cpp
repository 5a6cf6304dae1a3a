// libFuzzer target: the patient JSON reader (runtime readPatient) against
// inputs of every kind: bool, enum, integer, quantities with scaled and
// compound units and ranges. Every document must end in values or named
// errors.
#include <cstddef>
#include <cstdint>
#include <string>

#include "carepath/Patient.h"

namespace {
using namespace carepath;
using namespace carepath::runtime;

std::vector<InputSpec> specs() {
  UnitSpec kg{"kg", Rational(1000), "mass"}, g{"g", Rational(1), "mass"}, mg{"mg", Rational(1, 1000), "mass"};
  UnitSpec h{"h", Rational(1), "duration"}, years{"years", Rational(8766), "duration"},
      minutes{"minutes", Rational(1, 60), "duration"};
  UnitSpec mgkg{"mg/kg", Rational(1, 1000000), "mass/mass"};
  InputSpec age{"age", InputSpec::Kind::Number, {}, false, Rational(0), Rational(120 * 8766), "duration",
                {h, years, minutes}, "years"};
  InputSpec weight{"weight", InputSpec::Kind::Number, {}, false, Rational(2000), Rational(150000), "mass",
                   {kg, g, mg}, "kg"};
  InputSpec ratio{"ratio", InputSpec::Kind::Number, {}, false, Rational(0), Rational(1, 100), "mass/mass", {mgkg}, ""};
  InputSpec count{"count", InputSpec::Kind::Number, {}, true, Rational(0), Rational(10), "", {}, ""};
  InputSpec fever{"fever", InputSpec::Kind::Bool, {}, false, std::nullopt, std::nullopt, "", {}, ""};
  InputSpec level{"consciousness", InputSpec::Kind::Enum, {"alert", "altered", "coma"}, false, std::nullopt,
                  std::nullopt, "", {}, ""};
  return {age, weight, ratio, count, fever, level};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const std::vector<InputSpec> inputs = specs();
  static const std::vector<UnitSpec> known = {{"mL", Rational(1), "volume"}, {"L", Rational(1000), "volume"}};
  std::vector<PatientError> errors;
  auto values = readPatient(inputs, std::string_view(reinterpret_cast<const char *>(data), size), errors, known);
  // The contract: values, or at least one error, never both.
  if (values.has_value() == !errors.empty()) __builtin_trap();
  if (values && values->size() != inputs.size()) __builtin_trap();
  (void)parseDecimal(std::string_view(reinterpret_cast<const char *>(data), size < 64 ? size : 64));
  return 0;
}
