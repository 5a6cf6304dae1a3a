// `carepath check --verify-diagnostics`: a test file states the diagnostics
// it expects in its own comments, in the style of clang's -verify:
//
//   // expected-error@+1 {{unknown name 'agee'}}
//   define young = agee < 5 years
//
// The syntax is documented in docs/diagnostics.md ("Writing diagnostic
// tests"). Expected and produced diagnostics must match exactly.
#pragma once

#include "basic/Diagnostics.h"

namespace carepath {

/// Compares every diagnostic (and note) collected in `seen` with the
/// expected-* directives in the comments of `file`. Each difference (an
/// expected diagnostic not produced, a diagnostic produced but not expected,
/// a malformed directive, a file without any directive) is reported to
/// `report`, located where it applies. Returns true when there is none.
bool verifyDiagnostics(const DiagnosticEngine &seen, FileId file, DiagnosticEngine &report);

}  // namespace carepath
