// `carepath test`'s agreement step (issue 6): the protocol is compiled to a
// decision table in memory, loaded by the runtime library, and every
// example is evaluated both ways; any difference from the IR reference
// evaluator is an error.
#pragma once

#include "basic/Diagnostics.h"
#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::driver {

/// Returns the number of examples on which the runtime disagrees with the
/// IR evaluator (each reported as `runtime-disagrees` at the example).
/// `tableText`: the protocol compiled by backends::emitJsonTable (`carepath
/// test` compiles it once and reports what cannot be compiled itself).
/// `reach`: each course pathway's reachable states (verifier::courseReach),
/// which the table carries: the two must flag the same records.
int checkTableAgreement(const ir::Protocol &p, const std::string &tableText,
                        const std::vector<verifier::CourseReach> &reach, DiagnosticEngine &diags);

}  // namespace carepath::driver
