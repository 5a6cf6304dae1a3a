// How every carepath tool shows a quantity to people: compiler and verifier
// messages, `carepath test` and `eval` output, the runtime's "display"
// fields. One rule, so that the same dose reads the same everywhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "carepath/Rational.h"

namespace carepath {

/// Kept fractional digits when a value is shown as a decimal.
inline constexpr int kDisplayDigits = 6;

/// The rule: at most 6 fractional digits, rounded half away from zero,
/// trailing zeros dropped ("420", "14.35", "0.000001"); when that decimal
/// is not the exact value, the exact fraction follows, so nothing rounded
/// passes for exact: "333.333333 (exactly 1000/3)".
std::string formatDecimal(const Rational &value);

/// `canonical` converted to a unit (value in the unit = (canonical - offset)
/// / factor, carepath/Units.h; a zero factor means no conversion) and shown
/// by formatDecimal, then the unit's name when it has one: "14 kg",
/// "333.333333 (exactly 1000/3) mg", "38.5 degC".
std::string formatQuantity(const Rational &canonical, const Rational &factor, std::string_view unitName,
                           const Rational &offset = 0);

/// Durations shown together, given in canonical hours (`2 weeks .. 3
/// weeks`, `19 days .. 26 days`, `36 h`): in the largest of weeks (when
/// `weeks`), days and h in which every value is whole, else h; minutes when
/// every value is under an hour; "1 day", not "1 days". One value when
/// `hi` is unset. Every duration a person reads goes through it.
std::string formatDurations(const Rational &lo, const std::optional<Rational> &hi = std::nullopt, bool weeks = true);

/// The unit formatDurations shows those durations in: its length in hours
/// and its singular name ("minute", "h", "day", "week").
struct DurationUnit {
  Rational hours;
  const char *name;
};
DurationUnit durationUnit(const Rational &lo, const std::optional<Rational> &hi = std::nullopt, bool weeks = true);

/// The rate of an amount run over a time shown by formatDurations (`over 20
/// minutes`), per that time's unit: "mg/minute" for minutes, "mg/h", "g/day".
/// `amountUnit` is the amount's (name, factor in canonical units); the
/// result's factor turns a canonical rate (per hour) into it. A rate per
/// body weight passes the weight's unit as `perUnit` ("mg/kg/minute").
struct RateUnit {
  std::string name;
  Rational factor;
};
RateUnit rateUnit(std::string_view amountUnit, const Rational &amountFactor, const DurationUnit &time,
                  std::string_view perUnit = {}, const Rational &perFactor = 1);

}  // namespace carepath
