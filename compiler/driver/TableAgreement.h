// `carepath test`'s agreement step (issue 6): the protocol is compiled to a
// decision table in memory, loaded by the runtime library, and every
// example is evaluated both ways; any difference from the IR reference
// evaluator is an error.
#pragma once

#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::driver {

/// Returns the number of examples on which the runtime disagrees with the
/// IR evaluator (each reported as `runtime-disagrees` at the example). A
/// protocol that cannot be compiled to a table is skipped: `carepath
/// compile` reports why.
int checkTableAgreement(const ir::Protocol &p, const SourceManager &sources, DiagnosticEngine &diags);

}  // namespace carepath::driver
