// The case counts of the randomized unit tests. The sanitizer stage
// (scripts/sanitize.sh) runs every test about ten times slower within CI's
// budget, so there the longest randomized tests take a quarter of their
// cases; the normal stage runs them all (docs/reliability.md, "CI time").
#pragma once

namespace carepath::unittest {

#ifdef CAREPATH_SANITIZED_TESTS
inline constexpr int kCaseDivisor = 4;
#else
inline constexpr int kCaseDivisor = 1;
#endif

/// `n` cases, or a quarter of them under the sanitizers (at least one).
constexpr int cases(int n) { return n / kCaseDivisor > 0 ? n / kCaseDivisor : 1; }

}  // namespace carepath::unittest
