// A course pathway's reachable course states as the verifier's search
// found them (verifier::CourseReach), in the form the compiled table carries
// them (backends::CourseStates, docs/tables.md "course.reachable"): what
// `compile` (from the verifier's report) and `test` (from
// verifier::courseReach, for its in-memory table) give the table writer.
#pragma once

#include "backends/JsonTable.h"
#include "verifier/Verifier.h"

namespace carepath::driver {

/// One pathway's own search (`c.pathways` has one pathway).
inline backends::CourseStates courseStates(const verifier::CourseReach &c) {
  backends::CourseStates out;
  out.pathway = c.pathways.at(0);
  out.complete = c.complete;
  out.why = c.why;
  for (const verifier::JointState &s : c.states) out.states.push_back({s.at(0).on, s.at(0).tiers});
  return out;
}

}  // namespace carepath::driver
