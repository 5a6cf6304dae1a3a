// The range a numeric term can take over the inputs' declared ranges, by
// interval arithmetic. An outer bound only, never an answer on its own: the
// dose envelopes propose its end to Z3 as the extremum and keep it only
// when Z3 confirms that a patient has it and none goes beyond
// (Z3Backend::optimum), since the condition may keep every patient away
// from it.
#pragma once

#include <optional>

#include "carepath/Rational.h"
#include "ir/IR.h"

namespace carepath::verifier {

struct TermRange {
  Rational lo, hi;  // inclusive
};

/// [lo, hi] of `term` for every patient whose inputs lie in their declared
/// ranges and for whom it has a value; none when an input it reads has no
/// declared range, when it divides by a range holding 0, when it reads
/// anything but numbers, inputs, defines and + - * / min max if, or when
/// the arithmetic overflows.
std::optional<TermRange> termRange(const ir::Protocol &p, const ir::Expr &term);

}  // namespace carepath::verifier
