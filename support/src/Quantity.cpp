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

std::string formatDurations(const Rational &lo, const std::optional<Rational> &hi, bool weeks) {
  struct Unit {
    int hours;
    const char *one, *many;
  };
  static const Unit units[] = {{168, "week", "weeks"}, {24, "day", "days"}, {1, "h", "h"}};
  Rational factor(1);
  const char *one = "h", *many = "h";
  bool underHour = lo < Rational(1) && (!hi || *hi < Rational(1));
  if (underHour) {
    factor = Rational(1, 60), one = "minute", many = "minutes";
  } else {
    for (const Unit &u : units) {
      if (u.hours == 168 && !weeks) continue;
      bool fits = (lo / Rational(u.hours)).isInteger() && (!hi || (*hi / Rational(u.hours)).isInteger());
      if (fits || u.hours == 1) {
        factor = Rational(u.hours), one = u.one, many = u.many;
        break;
      }
    }
  }
  auto show = [&](const Rational &h) { return formatQuantity(h, factor, h == factor ? one : many); };
  return hi ? show(lo) + " .. " + show(*hi) : show(lo);
}

}  // namespace carepath
