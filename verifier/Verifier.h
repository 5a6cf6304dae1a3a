// The verifier's interface: proof obligations over the IR, decided by Z3.
// Results are never two-valued: proved, refuted (with a patient), unknown
// (with the solver's reason), or a warning (an `unspecified` placeholder).
#pragma once

#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::verifier {
// Filled in by the verifier (issue 5).
}  // namespace carepath::verifier
