// The course states reachable from a fresh patient as the verifier's
// searches found them (verifier::CourseReach), in the form the compiled
// table carries them (backends::CourseStates, docs/tables.md
// "course.reachable"; backends::JointCourseStates, "jointCourses"): what
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

/// A joint search (`c.pathways` has several pathways).
inline backends::JointCourseStates jointCourseStates(const verifier::CourseReach &c) {
  backends::JointCourseStates out;
  out.pathways = c.pathways;
  out.complete = c.complete;
  out.why = c.why;
  for (const verifier::JointState &s : c.states) {
    out.states.emplace_back();
    for (const verifier::CourseState &each : s) out.states.back().push_back({each.on, each.tiers});
  }
  return out;
}

/// Every search in the table's form: the per-pathway ones in
/// `courseStates`, the joint ones in `jointCourseStates`.
inline void addCourseStates(backends::TableMetadata &meta, const std::vector<verifier::CourseReach> &reach) {
  for (const verifier::CourseReach &c : reach)
    if (c.pathways.size() == 1) meta.courseStates.push_back(courseStates(c));
    else meta.jointCourseStates.push_back(jointCourseStates(c));
}

}  // namespace carepath::driver
