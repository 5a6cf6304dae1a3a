// The course states a course pathway can reach from a fresh patient
// (docs/verifier.md, "Reachable course states"): a breadth-first search over
// the record's course state (`on_P` and every `P_T_state`), one Z3 question
// per successor, every other input (findings, event times) free at each
// step. The course properties are checked over these states only, and a
// refutation is shown as the course of records that leads to it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ir/Evaluator.h"
#include "ir/IR.h"
#include "verifier/Z3Backend.h"

namespace carepath::verifier {

// A state is the raw values (Verifier.h's CourseState), not the values as
// read (ir::Protocol::tierStateIs): the search follows what the
// transitions write, so a course of records pastes back exactly. A search
// is over one pathway, or jointly over several (a formula that reads them
// together): a state is then one CourseState per pathway (JointState, in
// the graph's pathway order), each successor's states stepping together.

/// A pathway's transitions as IR (CourseReach.cpp), built once per search
/// and kept with its graph, so that readableCourse does not build them again.
struct CourseTransitions;

struct CourseGraph {
  /// The pathways searched: one, or several jointly (ascending).
  std::vector<int> pathways;
  /// False when the search stopped (a bound, or Z3 could not answer):
  /// `whyIncomplete` says why, and nothing may rely on `states` being all.
  bool complete = false;
  std::string whyIncomplete;
  /// In discovery order (deterministic: successors are found in the order
  /// Z3 answers, each question fixed by the protocol); states[0] is fresh.
  std::vector<JointState> states;
  /// The BFS tree: the state each was first reached from (-1 for fresh)
  /// and the record (every input) that took it there.
  std::vector<int> parent;
  std::vector<std::vector<ir::Value>> via;
  /// Per state (null for fresh): what via[s] satisfies, its parent's
  /// state and the next state and live tiers of the answer that found it.
  /// Any record for which it holds leads to s too: readableCourse asks for
  /// a readable one (the search takes Z3's raw models).
  std::vector<ir::ExprRef> reachedBy;
  /// Every edge found: successors[s] are state indices (sorted, unique).
  std::vector<std::vector<int>> successors;
  /// Per state, the question Z3 answered unsat that closed it (a record in
  /// the state with none of the successors found): what `--cross-check`
  /// asks cvc5 too. Null for a state that reads as an earlier one
  /// (tierStateIs): it has that one's successors, not asked again.
  std::vector<ir::ExprRef> closing;
  size_t queries = 0;  // satisfiability checks the search asked
  std::shared_ptr<const std::vector<CourseTransitions>> transitions;  // the search's, per pathway

  /// The index of `s`, -1 when it was not reached.
  int find(const JointState &s) const;
  /// The records from fresh to state `s`: via[] along the tree path
  /// (empty for fresh itself). The k-th record is in the (k-1)-th state of
  /// the path and the transitions take it to the k-th. Z3's raw values: a
  /// number may have no decimal form (readableCourse).
  std::vector<std::vector<ir::Value>> course(int s) const;
};

/// The bounds of the search: beyond them the graph is incomplete.
struct CourseLimits {
  size_t maxStates = 256;    // distinct course states per search
  size_t maxQueries = 4096;  // Z3 questions per search
};

/// `on_P == s.on and P_T_state == s.t for every tier`, on the raw inputs.
ir::ExprRef courseStateIs(const ir::Protocol &p, int pathway, const CourseState &s);
/// A record's course state for the pathway (its raw state inputs).
CourseState courseStateOf(const ir::Protocol &p, int pathway, const std::vector<ir::Value> &patient);
/// The state the transitions give the next record (`on_P` next is
/// pathwayActive, a tier's is tierNextState), on the IR evaluator.
CourseState nextCourseState(const ir::Protocol &p, int pathway, const std::vector<ir::Value> &patient);
/// Whether the tier is live for the record: on by the record or entering,
/// on an active pathway (it applies, or one of its ends holds now).
ir::ExprRef tierLive(const ir::Protocol &p, int pathway, int tier);
/// The ends a tier does not declare (`responded when` ...): the record's to
/// write (the clinician's judgement, docs/semantics.md "The course"), at any
/// step the tier is live.
std::vector<ir::TierState> recordedEnds(const ir::Tier &t);
/// Every state the next record may have: nextCourseState first, then, for
/// the live tier, each recorded end written over its next state.
std::vector<CourseState> courseSuccessors(const ir::Protocol &p, int pathway, const std::vector<ir::Value> &patient);
/// The same for many records of one pathway, its transitions built once
/// (courseSuccessors builds them on every call): the differential test's
/// random courses.
class CourseSuccessors {
public:
  CourseSuccessors(const ir::Protocol &p, int pathway);
  std::vector<CourseState> operator()(const std::vector<ir::Value> &patient) const;

private:
  const ir::Protocol &p_;
  int pathway_;
  std::shared_ptr<const CourseTransitions> tr_;
};
/// The same over several pathways searched jointly: courseStateIs of each
/// (their conjunction), a record's state on each, and every joint state
/// the next record may have (each pathway's courseSuccessors, combined).
ir::ExprRef jointStateIs(const ir::Protocol &p, const std::vector<int> &pathways, const JointState &s);
JointState jointStateOf(const ir::Protocol &p, const std::vector<int> &pathways, const std::vector<ir::Value> &patient);
std::vector<JointState> jointSuccessors(const ir::Protocol &p, const std::vector<int> &pathways,
                                        const std::vector<ir::Value> &patient);
/// A disjunction of jointStateIs over every state of a complete graph.
ir::ExprRef reachableCourse(const ir::Protocol &p, const CourseGraph &g);
/// The same over a search's result (`complete` only).
ir::ExprRef reachableCourse(const ir::Protocol &p, const CourseReach &r);
/// "pathway 'P'", "pathways 'P' and 'Q'".
std::string pathwaysText(const ir::Protocol &p, const std::vector<int> &pathways);

/// Explores the course pathways `pathways` (each Protocol::pathways[i].course;
/// one, or several jointly): one solver scope per state asked about
/// (Z3Backend::enumerate), the transitions encoded once.
CourseGraph exploreCourse(const ir::Protocol &p, const std::vector<int> &pathways, Z3Backend &z3,
                          const CourseLimits &limits = {});

/// course(s) with readable records, for printing: each step asked again
/// (holdsForSome: an earlier model, or a new one with readable values) by
/// its reachedBy and confirmed on the IR evaluator. A step Z3 cannot answer
/// keeps the search's record; one the evaluator does not confirm too, and
/// `disagreement` says so (a bug in carepath).
std::vector<std::vector<ir::Value>> readableCourse(const ir::Protocol &p, const CourseGraph &g, int s, Z3Backend &z3,
                                                   std::string &disagreement);

// The run-time check (docs/verifier.md, "Course properties"): a record in a
// course state no course produces is one the course proofs say nothing
// about; `carepath test` fails such an example and a compiled table carries
// the states so that `carepath eval` and the runtime flag such a record.

/// Each course pathway's own search (exploreCourse over one pathway), in
/// pathway order, on a Z3Backend of its own: the per-pathway entries the
/// verifier puts first in Report::courses, for a caller that does not
/// verify (`carepath test`, `compile --no-verify` does not ask). Empty for a
/// protocol without course pathways (no solver is started).
std::vector<CourseReach> courseReach(const ir::Protocol &p, const Options &options = {});
/// The same on the caller's solver (its domain restrictions asked with
/// every question).
std::vector<CourseReach> courseReach(const ir::Protocol &p, Z3Backend &z3);
/// Every search the verifier runs (Report::courses): each course pathway's
/// own, then the joint ones, for the sets of pathways some property or rule
/// reads together (a set not searched, one of its pathways' own search
/// having stopped, as an incomplete entry saying so). Which sets those are the verifier finds as it builds its
/// obligations, so with two or more course pathways this verifies the
/// protocol and keeps its searches (one definition of both the sets and
/// the search); with fewer it is courseReach. For `carepath test`.
std::vector<CourseReach> courseReachRead(const ir::Protocol &p, const Options &options = {});
/// The entries of `reach` whose search is complete and do not hold the
/// record's course state on their pathways: the indices into `reach`,
/// each pathway's own entries first, then the joint ones (pathways read
/// together) of which no pathway is flagged on its own already (the
/// runtime's Result::unreachableJointCourses, likewise). A record missing
/// one of an entry's state inputs is not judged for that entry.
std::vector<size_t> unreachableCourses(const ir::Protocol &p, const std::vector<CourseReach> &reach, const ir::Patient &patient);
/// "on_P, P_T_state = s, ..." ("not on_P, ..." off the pathway): a state
/// as messages show it.
std::string courseStateText(const ir::Protocol &p, int pathway, const CourseState &s);
/// The same for several pathways' states read together, "; " between them.
std::string jointStateText(const ir::Protocol &p, const std::vector<int> &pathways, const JointState &s);

}  // namespace carepath::verifier
