// The verifier's interface: proof obligations over the IR, decided by Z3.
// Results are never two-valued: proved, refuted (with a patient), unknown
// (with the solver's reason), or a warning (an `unspecified` placeholder).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::verifier {

enum class Status { Proved, Refuted, Unknown, Warning };
const char *spelling(Status s);  // "proved", "refuted", "unknown", "warning"

/// What a result is about (docs/verifier.md, "Properties"). The spellings
/// are a stable interface: the JSON `kind`, the SARIF `ruleId` and the code
/// of a refuted property's diagnostic.
enum class PropertyKind {
  Population,     // "population": some patient is in it (else every proof is vacuous)
  Reaches,        // "reaches"
  TierReachable,  // "tier-reachable"
  TierExclusive,  // "tier-exclusive"
  TierOrder,      // "tier-order"
  TableOverlap,   // "table-overlap"
  TableGap,       // "table-gap"
  RuleDead,       // "rule-dead"
  RuleShadowed,   // "rule-shadowed"
  DoseBounded,    // "dose-bounded"
  DoseFormulary,  // "dose-formulary"
  Assertion,      // "assertion"
  ForbiddenAction,  // "forbidden-action": `never give D when C`
  DoseCeiling,      // "dose-ceiling": `always dose(D) <= Q`
  Unspecified,    // "unspecified"
  DoseKnown,      // "dose-known": a give never fires with its amount missing (an optional input)
  DivisionSafe,   // "division-safe": no division is evaluated with a zero divisor
  Contraindication,  // "contraindication": no give or alternative is offered to a patient its drug's contraindication covers
  // The course (docs/verifier.md, "Course properties"): one-step invariants
  // over every record the course pathways allow.
  CourseExit,     // "course-exit": no patient on a course pathway falls off it without an exit
  TierReentered,  // "tier-reentered": no ended tier (responded, failed, completed) is entered again
  ResponderFollowUp,  // "responder-follow-up": a responder still on the pathway gets a next tier
  Deadline,       // "deadline": an action `within X of E` is never recommended once X has passed
  CourseTrap,     // "course-trap": from every reachable course state on a pathway some course of records leaves it
  Vacuous,        // "vacuous": a warning: a proof that holds for no reason the protocol gives
};
inline constexpr PropertyKind kPropertyKinds[] = {
    PropertyKind::Population,    PropertyKind::Reaches,      PropertyKind::TierReachable, PropertyKind::TierExclusive,
    PropertyKind::TierOrder,     PropertyKind::TableOverlap, PropertyKind::TableGap,      PropertyKind::RuleDead,
    PropertyKind::RuleShadowed,  PropertyKind::DoseBounded,  PropertyKind::DoseFormulary, PropertyKind::Assertion,
    PropertyKind::ForbiddenAction, PropertyKind::DoseCeiling, PropertyKind::Unspecified, PropertyKind::DoseKnown,
    PropertyKind::DivisionSafe,  PropertyKind::Contraindication, PropertyKind::CourseExit, PropertyKind::TierReentered, PropertyKind::ResponderFollowUp,
    PropertyKind::Deadline,      PropertyKind::CourseTrap,    PropertyKind::Vacuous,
};
const char *spelling(PropertyKind k);
/// The kind spelled `text`; nullopt for anything else.
std::optional<PropertyKind> parsePropertyKind(std::string_view text);

/// The outcome of a whole run.
enum class Verdict {
  Verified,      // "verified": every property proved (warnings allowed)
  Failed,        // "failed": some property refuted
  Inconclusive,  // "inconclusive": none refuted, some undecided
  Error,         // "error": not verified at all, the protocol has errors (a run, never a Report)
};
inline constexpr Verdict kVerdicts[] = {Verdict::Verified, Verdict::Failed, Verdict::Inconclusive, Verdict::Error};
const char *spelling(Verdict v);
std::optional<Verdict> parseVerdict(std::string_view text);

/// What the second solver said about a result's queries (`--cross-check`,
/// verifier/CrossCheck.h, docs/verifier.md "Cross-checking").
struct CrossCheck {
  enum class Outcome {
    Agreed,     // "agreed": cvc5 gave Z3's answer to every query (the result stands)
    Unknown,    // "unknown": cvc5 could not decide a query: the result is unknown
    Disagreed,  // "disagreed": cvc5 contradicted Z3: the result is unknown, exit 4
  } outcome = Outcome::Agreed;
  size_t queries = 0;       // sent for this result
  std::string detail;       // Unknown/Disagreed: the query and both answers
  std::vector<std::string> files;  // with --smt-dir: the benchmark of each query
};
const char *spelling(CrossCheck::Outcome o);  // "agreed", "unknown", "disagreed"

struct PropertyResult {
  PropertyKind kind = PropertyKind::Assertion;
  Status status = Status::Unknown;
  std::string message;  // success or failure wording of this obligation
  SourceRange range;    // the rule/tier/property that the result is about
  std::vector<DiagNote> related;  // other rules involved (the overlapping rule, ...)
  std::optional<std::vector<ir::Value>> counterexample;  // one value per input
  std::string reason;   // Unknown: the solver's reason_unknown()
  /// The counterexample (or the witness) as a ready-to-paste `example`
  /// block (one line each).
  std::vector<std::string> example;
  /// A proved Satisfiable kind (tier-reachable, rule-dead, rule-shadowed,
  /// population) restricted to the reachable course states: the record in
  /// one of them that shows it, its block in `example`, and the course
  /// that leads to it in `course` (docs/verifier.md, "Course properties").
  std::optional<std::vector<ir::Value>> witness;
  /// With a counterexample: the population assumptions it satisfies (by
  /// name; every one it can be judged on, docs/verifier.md "Assumptions").
  std::vector<std::string> assumptions;
  /// Why (docs/verifier.md, "Explanations"); empty when there is nothing to say.
  struct Explanation {
    /// rule-shadowed, tier-reachable of a `first` stage: the earlier rules
    /// (tiers) that cover it, a minimal set in rule order, of `earlier`.
    std::vector<std::string> coveredBy;
    size_t earlier = 0;
    bool covered = false;  // coveredBy was computed (empty: its own condition holds for no patient)
    /// A refuted reaches: the tiers and rules that fire for the
    /// counterexample in the target's pathway or table instead.
    std::vector<std::string> instead;
    bool reaches = false;  // `instead` was computed (empty: nothing fired there)
    /// The counterexample: the parts of the conditions that decided it,
    /// in the author's names (ir::Why), and the defines they went through
    /// with their values ("true", "false", "12 kg").
    std::vector<std::string> conditions;
    std::vector<std::pair<std::string, std::string>> defines;
    /// A proved `always`/`never` or `reaches`: what it needs of "the
    /// population", each "assumption 'NAME'" and the reachable course
    /// states, a minimal set (empty: the input ranges alone).
    std::vector<std::string> holdsBecause;
    bool because = false;  // holdsBecause was computed
    bool empty() const { return !covered && !reaches && !because && conditions.empty() && defines.empty(); }
  } explanation;
  /// A refuted course property (docs/verifier.md, "Counterexample
  /// courses"): the records from a fresh patient to `counterexample` (or
  /// to `witness`), each
  /// producing the next one's course state, each with its example block
  /// (empty when a value has no decimal form).
  struct CourseStep {
    std::vector<ir::Value> patient;
    std::vector<std::string> example;
  };
  std::vector<CourseStep> course;
  int coursePathway = -1;  // with a course: its (first) pathway, where SARIF places each record
  /// The course pathways whose reachable course states the result is
  /// decided over (docs/verifier.md, "Course properties"): a record not in
  /// one of them is no counterexample. Empty: over every record.
  std::vector<int> restrictedTo;
  /// Set when `--cross-check` sent this result's queries to cvc5 (none for
  /// warnings, results Z3 left unknown, and proofs by the interval sweep).
  std::optional<CrossCheck> crossCheck;
};

/// Least and greatest amount of one `give` over the patients it applies to.
struct DoseEnvelope {
  std::string drug;
  std::string where;        // "immunotherapy.first_line"
  std::string route;        // the give's `route R`; "" when it names none
  ir::Basis basis;
  ir::Unit unit;            // display unit
  std::optional<Rational> min, max;  // nullopt: unbounded / not found
  /// False when the bound is only approached (an infimum / supremum behind
  /// a strict comparison), never reached by a patient.
  bool minAttained = true, maxAttained = true;
  bool unbounded = false;   // max is +infinity
  bool never = false;       // no patient in the population gets it
  SourceRange range;
  /// The course pathways whose reachable course states the envelope is
  /// over (who gets the dose reads their state: docs/verifier.md, "Course
  /// properties"). Empty: over every patient of the population.
  std::vector<int> restrictedTo;
  /// An intermittent infusion (`over X`, ir::infusionRate): the rate it runs
  /// at over the same patients, from the least amount over the longest time
  /// to the greatest over the shortest, in `unit` ("mg/minute"); reached or
  /// approached as the amounts are. Unset for any other give.
  struct Rate {
    ir::Unit unit;
    std::string over;  // the infusion time as eval shows it: "20 minutes"
    std::optional<Rational> min, max;
  };
  std::optional<Rate> rate;
};

/// How the work was done (for benchmarks and `--stats`; not part of a verdict).
struct Statistics {
  size_t solverChecks = 0;        // satisfiability checks sent to Z3
  size_t witnessesReused = 0;     // reachability shown by an earlier Z3 model
  size_t witnessesBuilt = 0;      // reachability shown by a patient built from rule boxes
  size_t witnessesFolded = 0;     // of which Z3's rewriter confirmed on the ground term (no check)
  size_t overlapPairs = 0;        // rule pairs of unique tables
  size_t overlapSwept = 0;        // of which excluded by the interval sweep
  size_t optimisations = 0;       // extremum questions (dose envelopes): proposed by intervals, else z3::optimize
  size_t crossCheckQueries = 0;   // SMT-LIB queries sent to cvc5 (`--cross-check`)
  size_t explanationChecks = 0;   // checks that explain a result (minimal cores), not in solverChecks
  /// Every check Z3 ran, whatever asked it: the questions above, their
  /// re-asks for readable values, each box witness's confirmation, the
  /// explanations, the optimiser's rounds (so a change that multiplies
  /// them shows here; docs/performance.md, "Third round").
  size_t z3Checks = 0;
  size_t courseStates = 0;        // course states reached from a fresh patient (all course pathways)
  size_t courseChecks = 0;        // checks the search for them asked, not in solverChecks
};

/// A record's course state for one course pathway: `on_P` and each tier's
/// `P_T_state` as the record gives them.
struct CourseState {
  bool on = false;
  std::vector<ir::TierState> tiers;
  bool operator==(const CourseState &o) const { return on == o.on && tiers == o.tiers; }
};
/// Several pathways' states at once (a joint search): one per pathway.
using JointState = std::vector<CourseState>;

/// The course states a course pathway reaches from a fresh patient, or
/// several pathways jointly (verifier/CourseReach.h); the results over the
/// course state hold over these only.
struct CourseReach {
  std::vector<int> pathways;  // one, or several searched jointly
  bool complete = false;      // false: the search stopped, `states` is not all
  std::string why;            // incomplete: why the search stopped (CourseGraph::whyIncomplete)
  std::vector<JointState> states;
};

struct Report {
  std::vector<PropertyResult> properties;
  /// One per course pathway, in order, then each set of pathways read
  /// together: its joint search, or (incomplete, `why` saying so) a set
  /// not searched because one of its pathways' own search stopped.
  std::vector<CourseReach> courses;
  std::vector<DoseEnvelope> doses;
  /// Counterexamples the IR evaluator did not confirm (`checkModels`): a
  /// bug in carepath, never a finding about the protocol.
  std::vector<std::string> internalErrors;
  Statistics stats;
  /// Run with `--cross-check`: "proved" means Z3 and cvc5 said so.
  bool crossChecked = false;
  /// Some result's queries got another answer from cvc5 than from Z3: no
  /// verdict can be trusted (exit 4, docs/cli.md).
  bool crossCheckDisagreed() const;
  /// Failed if something is refuted, else Inconclusive if something is
  /// undecided, else Verified.
  Verdict verdict() const;
};

struct Options {
  unsigned timeoutMs = 10000;      // per property, wall-clock backstop
  unsigned rlimit = 50'000'000;    // per property, deterministic limit
  bool strict = false;             // `unspecified` is an error, not a warning
  bool checkModels = false;        // re-check every counterexample on the IR evaluator
  /// Ask cvc5 every question that decides a result, too (verifier/CrossCheck.h).
  bool crossCheck = false;
  std::string crossCheckSolver = "cvc5";  // the binary: a path, or a name looked up in PATH
  std::string smtDir;              // when set: every cross-check query written there as NAME.smt2
};

Report verify(const ir::Protocol &protocol, const Options &options);

}  // namespace carepath::verifier
