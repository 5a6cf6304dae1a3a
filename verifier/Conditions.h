// Proof obligations built from the IR, independent of any solver. Each
// obligation is an IR formula plus the words to report it with; the Z3
// backend decides it, and the evaluator can re-check its counterexamples
// because the formula is plain IR.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "basic/Diagnostics.h"
#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::verifier {

class TableBoxes;
class ProtocolBoxes;

/// A tier or rule doing the action of an action property, with the
/// patients for whom it violates the property (never/dose) or that it
/// serves (reaches); a counterexample names the sites that hold for it.
struct ActionSite {
  std::string where;      // "pathway.tier" / "table.rule"
  ir::ExprRef condition;  // without the population
  ir::ExprRef observed;   // dose properties: the amount on the bound's basis; else null
  SourceRange range;      // the action
  /// A tapered give (LimitCheck::observedLow): the amount at the lower
  /// bound; `observed` is then the upper one. Null otherwise.
  ir::ExprRef observedLow = nullptr;
  /// Dose properties: the patients for whom the site exceeds at its lower
  /// bound (`condition` for an exact amount); who a refutation at the lower
  /// bounds (Obligation::lowFormula) is attributed to. Null otherwise.
  ir::ExprRef conditionLow = nullptr;
};

struct Obligation {
  enum class Goal {
    Valid,        // holds for every patient in the population; a patient where it fails refutes it
    Satisfiable,  // some patient in the population satisfies it; none refutes it
  };
  PropertyKind kind = PropertyKind::Assertion;
  Goal goal = Goal::Valid;
  ir::ExprRef formula;   // boolean IR expression
  /// Parts of `formula` that many obligations share (a `first` table's
  /// earlier rules, negated): the verifier has them encoded once for the
  /// run (Z3Backend::keep) instead of once per obligation.
  std::vector<ir::ExprRef> shared;
  std::string proved;    // wording when it holds
  std::string refuted;   // wording when it fails
  SourceRange range;
  std::vector<DiagNote> related;
  /// Shown with a counterexample: "<label> <value in unit>" (the dose per kg...).
  ir::ExprRef observed;
  ir::Unit observedUnit;
  std::string observedLabel;
  /// `expect` lines for the printed example (targets that fire for it).
  std::vector<std::string> expectations;
  /// Action properties: a counterexample is attributed to the sites whose
  /// condition holds for it (a note `siteNote` at each, "by X" in the message).
  std::vector<ActionSite> sites;
  std::string siteNote;
  std::string refutedNote;  // appended to the refuted wording after the sites: " (the author's message)"
  /// A Valid obligation about the patients with A only ("every P reaches
  /// T", "never D when C"): A. When no patient of the population has A, its
  /// proof holds for nobody: a `vacuous` warning, saying `vacuousWhy`.
  ir::ExprRef antecedent;
  std::string vacuousWhy;
  /// A `reaches`: the conditions a proof may rest on (each operand of P's
  /// top-level `and`, as written; P itself otherwise) and what P implies
  /// (the target fires), so a proof can say which conditions it needs
  /// (docs/verifier.md, "What a proof needs").
  std::vector<ir::ExprRef> antecedentParts;
  ir::ExprRef consequent;
  /// Non-empty when the formula covers only part of the property (a dose
  /// whose basis cannot be converted): then it is never reported proved,
  /// only refuted or unknown with this reason.
  std::string incomplete;
  /// Tapered gives (LimitCheck::boundsWhy): `formula` checks the amounts'
  /// upper bounds; when a patient fails it, `lowFormula` (their lower
  /// bounds within the limit; null: none known) decides: a patient failing
  /// it refutes, else the result is `unknown` with `boundsWhy`. Empty when
  /// every amount is exact.
  ir::ExprRef lowFormula, lowObserved;
  std::string boundsWhy;
  /// Explanations (docs/verifier.md, "Explanations"). A Satisfiable goal
  /// of the form `coverBase and not E1 and ... not En` (a rule against the
  /// earlier rules that can take its patients, a stage against the earlier
  /// stages): when refuted, the minimal set of the Ei that cover it is
  /// named, each with its note, and "k of its `coverOf` earlier <noun>s".
  ir::ExprRef coverBase;
  std::vector<ir::ExprRef> coverParts;
  std::vector<DiagNote> coverNotes;   // one per part: its place and name
  std::vector<std::string> coverNames;  // one per part
  size_t coverOf = 0;
  std::string coverNoun;  // "rule", "tier"
  /// Reaches: the tiers and rules it asks the patient to reach; a
  /// counterexample says what fired instead in their pathways and tables,
  /// and why each target's condition failed (ir::Why).
  std::vector<ir::Target> reachTargets;
  /// A condition whose deciding parts explain a counterexample (an
  /// assertion: the asserted condition).
  ir::ExprRef explain;
  std::string explainName;
  /// Satisfiable goals: a patient built from the table's rule boxes
  /// (TableBoxes.h) that should satisfy the formula. The verifier proves
  /// the goal with it only after the IR evaluator confirms it (in the
  /// population, formula true); otherwise Z3 decides as usual.
  std::optional<std::vector<ir::Value>> witness;
  /// Course properties, and every obligation whose formula reads a course
  /// pathway's state (docs/verifier.md, "Course properties"): the
  /// restriction (restrictWhereRead), `formula` being `reachable =>
  /// unrestricted` (a Valid goal) or `reachable and unrestricted` (a
  /// Satisfiable one) over the reachable course states of the pathways
  /// `restrictedTo` (searched jointly when there are several). Null when
  /// none applies. A refutation of a Valid goal, and a Satisfiable goal's
  /// witness, is shown with the course of records that leads to it; what a
  /// proof needs names the restriction.
  ir::ExprRef reachable, unrestricted;
  std::vector<int> restrictedTo;
  /// Non-empty when those states could not be computed (CourseReach.h): the
  /// formula is over every record. A Valid goal's proof stands, but a
  /// counterexample may be a record no course produces; a Satisfiable
  /// goal's refutation (no record at all) stands, but a witness may be such
  /// a record: either is `unknown` with this reason.
  std::string unreachableWhy;
};

/// What restricts the obligations that read the course state of some
/// pathways: `reachable` (their reachable course states, searched jointly
/// when there are several: CourseReach.h), or, when they could not be
/// computed, null and `why`.
struct CourseRestriction {
  ir::ExprRef reachable;
  std::string why;
};
/// The restriction for a set of course pathways (ascending); empty: none.
using CourseRestrictions = std::function<CourseRestriction(const std::vector<int> &pathways)>;

/// Restricts `o` to the records some course produces on each course pathway
/// whose state (`on_P`, a tier's `P_T_state`) its formula reads, defines
/// expanded (a tier of a course pathway reads `on_P`; an action property
/// the firing conditions of the tiers and rules that do its action):
/// docs/verifier.md, "Course properties". One definition for every kind
/// that reads a record: the course kinds, the deadlines, the user's
/// properties and contraindications, the tier and table kinds, the doses'
/// and the partial operations'. A formula that reads no course state is
/// left as it is, over every record. Call it once the formula (and its
/// lower bound, antecedent, cover base) is built.
void restrictWhereRead(const ir::Protocol &p, Obligation &o, const CourseRestrictions &courses);
/// How a refutation of a Satisfiable goal names whom it searched: "no
/// <who>" ("no patient in the population"), or, restricted, "no record in a
/// course state reachable from a fresh patient".
std::string nobody(const Obligation &o, const std::string &who);

/// A give's amount against a limit (a drug's formulary limit, or the bound
/// of `always dose(D) <= Q`): `observed` is the amount on the limit's basis
/// (per dosing weight when the limit is per weight), `within` the formula
/// that it stays within the limit. nullopt, with the reason in `whyNot`,
/// when the basis (ir::basisFactor) or the dimension cannot be converted.
struct LimitCheck {
  ir::ExprRef observed;
  ir::ExprRef within;
  /// A tapered give (ir::basisFactorLow): `observed` is an upper bound and
  /// these the amount at the lower bound and that it stays within the
  /// limit; `within` failing while `withinLow` holds is the taper's shape
  /// deciding, which the protocol does not state (`boundsWhy`). Null, and
  /// `boundsWhy` empty, when the amount is exact; `withinLow` null and
  /// `boundsWhy` set when no lower bound is known.
  ir::ExprRef observedLow, withinLow;
  std::string boundsWhy;
};
std::optional<LimitCheck> limitCheck(const ir::Protocol &p, const ir::Action &a, const ir::Limit &l, std::string &whyNot);

/// The obligation of an action property (`never give D when C`, `every P
/// reaches give D`, `always dose(D) <= Q`): over every tier and rule that
/// does the action, whenever it was written. `fires`: ir::rulesFire of
/// every table.
Obligation actionPropertyObligation(const ir::Protocol &p, const ir::Property &prop,
                                    const std::vector<std::vector<ir::ExprRef>> &fires);
bool isActionProperty(const ir::Property &prop);
/// The `contraindication` obligations: for each contraindication C of a
/// drug the protocol gives, no give or alternative of it is offered to a
/// patient C may hold for (read as `never give D when C`, with the
/// contraindication's words and no vacuity warning).
std::vector<Obligation> contraindicationObligations(const ir::Protocol &p,
                                                    const std::vector<std::vector<ir::ExprRef>> &fires);

/// One `give` with a dose: its envelope and formulary checks.
struct DoseSite {
  const ir::Action *action = nullptr;
  std::string where;        // "immunotherapy.first_line"
  ir::ExprRef condition;    // the patients who get it (without the population)
  ir::GivenAmount amount;  // [low, high], each min(end, cap), canonical units
  std::vector<Obligation> limits;     // dose-formulary obligations (Valid)
  std::vector<std::string> warnings;  // no formulary limit at all
  /// Declared limits this give cannot be checked against (a per-day limit
  /// and a dose given per dose with no frequency): never a pass, each is an
  /// `unknown` result (exit 3), with where the limit was declared.
  struct Unchecked {
    std::string message, reason;
    SourceRange limit;
  };
  std::vector<Unchecked> unchecked;
};

/// Pairs of `unique` rules whose conditions cannot be told apart by their
/// interval boxes, plus how many were excluded by the sweep.
struct OverlapCandidates {
  std::vector<std::pair<int, int>> pairs;
  size_t excludedBySweep = 0;
  size_t total = 0;
};

/// "pathway.tier" / "table.rule".
std::string targetName(const ir::Protocol &p, const ir::Target &t);

/// Candidate overlapping pairs of a table by an interval sweep over the
/// boxes its rule conditions imply (`boxes`, the table's: an
/// over-approximation, pairs it drops are disjoint for certain).
OverlapCandidates overlapCandidates(const ir::Table &t, TableBoxes &boxes);

/// table-overlap for rules i and j of a `unique` table (both match) or an
/// `any` table (both match with different actions).
Obligation overlapObligation(const ir::Protocol &p, int table, int i, int j);

/// All obligations except doses and table overlaps, handed to `emit` one at
/// a time in protocol order: the verifier decides each as it comes, so the
/// formulas of a wide table's rules are never all held at once.
using ObligationSink = std::function<void(Obligation &&)>;
/// `courses`: the restriction of each set of course pathways an obligation
/// reads (empty: none, every record). `boxes`: the run's table boxes.
void buildConditions(const ir::Protocol &p, ProtocolBoxes &boxes, const ObligationSink &emit,
                     const CourseRestrictions &courses = {});
/// Every `give` with a dose.
std::vector<DoseSite> buildDoseSites(const ir::Protocol &p);

/// Formula builders shared by the obligation builders (Conditions.cpp,
/// ActionProperties.cpp).
ir::ExprRef conj(std::vector<ir::ExprRef> xs);
ir::ExprRef disj(std::vector<ir::ExprRef> xs);
ir::ExprRef neg(ir::ExprRef x);

}  // namespace carepath::verifier
