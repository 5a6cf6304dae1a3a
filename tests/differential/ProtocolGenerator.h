// Random well-typed protocols as .care source text, deterministic from a
// seed. Every construct that changes what a protocol means is drawn:
// each hit policy (with `complete`, `priority N` on some rules, ties),
// pathways with `after` / `failed when` tiers, `give` doses with `max`
// caps, per-weight doses and formulary limits, bool/enum/number (with
// units, integer and plain `number`) and `string` inputs, optional inputs
// with `known(x)`, ranges with `..` and `..<`, counting (`at least K of`),
// `if ... then ... else`, defines used in guards, references to tiers and
// rules, a population, and `always` / `never` / `every P reaches T`
// properties (some true, some false); `one of` alternatives, `unless` on
// actions and alternatives, and `first` pathways (ordered stages).
//
// Used by the random-protocol differential test (tests/differential) and
// meant for reuse (formatter round trips, benchmarks): the text is all a
// caller gets, so it exercises the real parser.
#pragma once

#include <cstdint>
#include <string>

namespace carepath::difftest {

/// A small deterministic generator (splitmix64): the same seed gives the
/// same numbers with every standard library, unlike std::*_distribution.
class Rng {
public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  /// Uniform in [0, n); n > 0.
  uint64_t below(uint64_t n) { return next() % n; }
  /// Uniform in [lo, hi].
  int64_t between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1))); }
  /// True with probability `percent` / 100.
  bool chance(unsigned percent) { return below(100) < percent; }

private:
  uint64_t state_;
};

struct GeneratorOptions {
  /// Upper bounds on the protocol's size (the generator draws below them).
  int maxTables = 4;
  int maxRulesPerTable = 6;
  int maxPathways = 2;
  int maxTiers = 4;
  int maxProperties = 8;
};

/// The protocol for `seed`, as .care text (uses stdlib.units and
/// stdlib.drugs). Always passes `carepath check`; a protocol that does not
/// is a generator bug.
std::string generateProtocol(uint64_t seed, const GeneratorOptions &options = {});

/// Description given to a define that only names a tier or rule
/// (`define d = tb.r "<marker> tb.r"`), so that a test can check that the
/// reference means "fires" without knowing the generator.
inline constexpr const char *kFiresMarker = "differential: fires ";

}  // namespace carepath::difftest
