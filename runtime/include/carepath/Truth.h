// Three-valued logic: what a condition means when an optional input is
// missing. Defined once, here, for every reader of a protocol: the IR
// reference evaluator, the runtime, the verifier's encoding (the same
// truth tables over solver formulas) and the exports. docs/semantics.md
// ("Missing values") states the same in words, with the reason for the
// choice (Kleene's strong logic, as SQL, CQL and DMN's FEEL use).
//
// Header-only and dependency-free, like Rules.h.
#pragma once

#include <cstdint>

namespace carepath {

/// The value of a condition: true, false, or unknown because a value it
/// needs is missing. A rule fires only when its condition is True.
enum class Truth : uint8_t { False, True, Unknown };

constexpr Truth truth(bool b) { return b ? Truth::True : Truth::False; }

constexpr const char *spelling(Truth t) {
  switch (t) {
    case Truth::False: return "false";
    case Truth::True: return "true";
    case Truth::Unknown: return "unknown";
  }
  return "?";
}

/// `not`: unknown stays unknown.
constexpr Truth kleeneNot(Truth a) {
  return a == Truth::Unknown ? Truth::Unknown : truth(a == Truth::False);
}

/// `and`: false wins over unknown (one false operand decides).
constexpr Truth kleeneAnd(Truth a, Truth b) {
  if (a == Truth::False || b == Truth::False) return Truth::False;
  if (a == Truth::Unknown || b == Truth::Unknown) return Truth::Unknown;
  return Truth::True;
}

/// `or`: true wins over unknown (one true operand decides).
constexpr Truth kleeneOr(Truth a, Truth b) {
  if (a == Truth::True || b == Truth::True) return Truth::True;
  if (a == Truth::Unknown || b == Truth::Unknown) return Truth::Unknown;
  return Truth::False;
}

/// Counting: `at least K of`, `at most K of`, `exactly K of` a list of
/// conditions, `t` of which are true and `u` unknown. The answer is known
/// when every way of filling in the unknown ones gives the same answer:
/// "at least 4 of 5" is true with 4 true and 1 unknown, unknown with 3
/// true and 1 unknown, false with 2 true and 1 unknown.
enum class Counting : uint8_t { AtLeast, AtMost, Exactly };

constexpr const char *spelling(Counting c) {
  switch (c) {
    case Counting::AtLeast: return "at least";
    case Counting::AtMost: return "at most";
    case Counting::Exactly: return "exactly";
  }
  return "?";
}

constexpr Truth countTruth(Counting c, uint64_t k, uint64_t t, uint64_t u) {
  // The fewest and the most true operands over every filling-in.
  const uint64_t least = t, most = t + u;
  switch (c) {
    case Counting::AtLeast:
      if (least >= k) return Truth::True;
      if (most < k) return Truth::False;
      return Truth::Unknown;
    case Counting::AtMost:
      if (most <= k) return Truth::True;
      if (least > k) return Truth::False;
      return Truth::Unknown;
    case Counting::Exactly:
      if (least == k && most == k) return Truth::True;
      if (least > k || most < k) return Truth::False;
      return Truth::Unknown;
  }
  return Truth::Unknown;
}

}  // namespace carepath
