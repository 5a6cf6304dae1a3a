// Exact decimals for the backends that write numbers as decimal literals
// (SQL NUMERIC, FHIR and ELM decimals): one definition of a rational's
// decimal places, its scaling by 10^k and its floor.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include "carepath/Rational.h"

namespace carepath::backends {

/// The decimal places of a rational's finite decimal form (0.25: 2);
/// nullopt when it has none (1/3).
inline std::optional<int> decimalPlaces(const Rational &r) {
  int64_t d = r.den();
  int twos = 0, fives = 0;
  while (d % 2 == 0) { d /= 2; ++twos; }
  while (d % 5 == 0) { d /= 5; ++fives; }
  if (d != 1) return std::nullopt;
  return std::max(twos, fives);
}

/// r × 10^k, exactly (throws RationalOverflow when it does not fit).
inline Rational times10(Rational r, int k) {
  for (int i = 0; i < k; ++i) r = r * Rational(10);
  return r;
}

/// The floor of a rational.
inline int64_t floorOf(const Rational &r) {
  int64_t q = r.num() / r.den();
  if (r.num() % r.den() != 0 && r.num() < 0) --q;
  return q;
}

}  // namespace carepath::backends
