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

}  // namespace carepath
