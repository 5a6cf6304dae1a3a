// The compiled decision-table document (format "carepath-table", described
// field by field in docs/tables.md, schema in docs/schema/). What downstream
// tools load with the runtime library; the compiler's only JSON backend.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "basic/Diagnostics.h"
#include "carepath/Signing.h"
#include "ir/IR.h"

namespace carepath::backends {

/// What the verifier said, as the table records it.
struct VerificationSummary {
  /// "verified" (every obligation proved), "unverified" (written with
  /// --force despite a refuted or inconclusive verification) or
  /// "not-verified" (--no-verify).
  std::string status = "not-verified";
  std::string verdict;  // the verifier's: "verified" | "failed" | "inconclusive"; "" when not run
  struct Property {
    std::string kind, status, message, location;  // location: "anec.care:12:3"
  };
  std::vector<Property> properties;
};

/// A course pathway's course states reachable from a fresh patient (the
/// verifier's search, verifier/CourseReach.h), as the table carries them
/// (docs/tables.md, "course.reachable"): `carepath eval` and the runtime
/// flag a record in another state.
struct CourseStates {
  int pathway = -1;       // index into Protocol::pathways
  bool complete = false;  // false: the search stopped (`why`), nothing is flagged
  std::string why;
  /// Each state: `on_P`, then each tier's `P_T_state` (any order: written sorted).
  std::vector<std::pair<bool, std::vector<ir::TierState>>> states;
};

/// Several course pathways' course states reachable together (the
/// verifier's joint search, for a set of pathways some property or rule
/// reads together), as the table carries them (docs/tables.md,
/// "jointCourses"): `carepath eval` and the runtime flag a record whose
/// states on them, read together, are not among them.
struct JointCourseStates {
  std::vector<int> pathways;  // indices into Protocol::pathways, ascending
  bool complete = false;      // false: the search stopped (`why`), nothing is flagged
  std::string why;
  /// Each joint state: one `(on_P, tier states)` per pathway (any order: written sorted).
  std::vector<std::vector<std::pair<bool, std::vector<ir::TierState>>>> states;
};

struct TableMetadata {
  std::string compilerVersion;
  VerificationSummary verification;
  /// Per course pathway: its reachable states. A course pathway with none
  /// here gets `reachable: {complete: false, why: courseStatesWhy}`.
  std::vector<CourseStates> courseStates;
  std::string courseStatesWhy = "the course states were not computed (compiled with --no-verify)";
  /// The joint searches: `jointCourses`, absent when there are none.
  std::vector<JointCourseStates> jointCourseStates;
  /// When set, the document gets a `signature` by this key over its
  /// canonical form (docs/tables.md, "Signature").
  const runtime::SigningKey *signer = nullptr;
};

/// Builds the document. Conditions that are not tabular and dose
/// expressions that cannot be compiled are reported to `diags` (located);
/// nullopt then. The text is deterministic: keys sorted, two-space indent,
/// a final newline; `digest` is computed over the canonical form.
std::optional<std::string> emitJsonTable(const ir::Protocol &p, const SourceManager &sources,
                                         const TableMetadata &meta, DiagnosticEngine &diags);

}  // namespace carepath::backends
