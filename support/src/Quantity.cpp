#include "carepath/Quantity.h"

namespace carepath {

std::string formatDecimal(const Rational &value) {
  std::string s = value.decimal(kDisplayDigits);
  if (!value.isDecimalExact(kDisplayDigits)) s += " (exactly " + value.str() + ")";
  return s;
}

std::string formatQuantity(const Rational &canonical, const Rational &factor, std::string_view unitName,
                           const Rational &offset) {
  std::string s = formatDecimal(factor.isZero() ? canonical : (canonical - offset) / factor);
  if (!unitName.empty()) s += " " + std::string(unitName);
  return s;
}

DurationUnit durationUnit(const Rational &lo, const std::optional<Rational> &hi, bool weeks) {
  struct Unit {
    int hours;
    const char *name;
  };
  static const Unit units[] = {{168, "week"}, {24, "day"}, {1, "h"}};
  if (lo < Rational(1) && (!hi || *hi < Rational(1))) return {Rational(1, 60), "minute"};
  for (const Unit &u : units) {
    if (u.hours == 168 && !weeks) continue;
    bool fits = (lo / Rational(u.hours)).isInteger() && (!hi || (*hi / Rational(u.hours)).isInteger());
    if (fits) return {Rational(u.hours), u.name};
  }
  return {Rational(1), "h"};
}

std::string formatDurations(const Rational &lo, const std::optional<Rational> &hi, bool weeks) {
  DurationUnit u = durationUnit(lo, hi, weeks);
  // "1 day", "2 days"; "h" and its plural alike.
  std::string one = u.name, many = one == "h" ? one : one + "s";
  auto show = [&](const Rational &h) { return formatQuantity(h, u.hours, h == u.hours ? one : many); };
  return hi ? show(lo) + " .. " + show(*hi) : show(lo);
}

RateUnit rateUnit(std::string_view amountUnit, const Rational &amountFactor, const DurationUnit &time,
                  std::string_view perUnit, const Rational &perFactor) {
  std::string name(amountUnit);
  if (!perUnit.empty()) name += "/" + std::string(perUnit);
  return {name + "/" + time.name, amountFactor / perFactor / time.hours};
}

}  // namespace carepath
