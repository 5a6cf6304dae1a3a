// One interval of a number, exactly: what a condition on a number input
// allows. The compiler's interval analysis (ir/Columns) builds sets of these
// and the runtime tests patients against the ones a compiled table holds;
// both use this one definition of membership and emptiness.
#pragma once

#include <optional>

#include "carepath/Rational.h"

namespace carepath {

/// A missing bound is unbounded; `loClosed`/`hiClosed` say whether a present
/// bound belongs to the interval.
struct Interval {
  std::optional<Rational> lo, hi;
  bool loClosed = false, hiClosed = false;

  bool contains(const Rational &x) const {
    if (lo && (loClosed ? x < *lo : x <= *lo)) return false;
    if (hi && (hiClosed ? x > *hi : x >= *hi)) return false;
    return true;
  }
  /// No number lies in it.
  bool empty() const { return lo && hi && (*lo > *hi || (*lo == *hi && !(loClosed && hiClosed))); }
  friend bool operator==(const Interval &, const Interval &) = default;
};

}  // namespace carepath
