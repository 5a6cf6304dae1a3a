// `carepath examples FILE`: example blocks, found by Z3, that exercise what
// a protocol's own examples leave unexercised (ir/Coverage.h's measure:
// tiers and rules fired and not fired, capped doses both ways, every
// condition true and false and deciding its outcome alone, MC/DC).
//
// Greedy: the goals are taken in the order the coverage report lists them;
// a goal the examples so far already meet is skipped; otherwise Z3 is asked
// for a patient in the population that meets it (a pasteable one: decimals
// a patient file accepts, Z3Backend), the evaluator computes what the
// protocol does for that patient, and the block's `expect` lines say it.
// A goal no patient can meet is reported as such (proved by Z3: that part
// of the protocol cannot be exercised); `unknown` is reported, never
// treated as either.
#pragma once

#include <string>
#include <vector>

#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::verifier {

struct GeneratedExample {
  std::string goal;                 // what it was generated for ("rule 'x.y' fired")
  std::vector<ir::Value> patient;
  std::vector<std::string> lines;   // the `example` block
};

struct UnreachedGoal {
  std::string goal;
  SourceRange range;
  bool impossible = false;  // Z3 proved no patient in the population meets it
  std::string reason;       // otherwise: why the solver or the evaluator could not say
};

struct Generation {
  std::vector<GeneratedExample> examples;
  std::vector<UnreachedGoal> unreached;
  size_t goals = 0;          // goals considered
  size_t alreadyMet = 0;     // met by the protocol's own examples (when kept)
};

/// `fromScratch`: ignore the protocol's own examples (a full set).
Generation generateExamples(const ir::Protocol &p, const Options &options, bool fromScratch);

}  // namespace carepath::verifier
