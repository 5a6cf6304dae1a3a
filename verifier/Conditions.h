// Proof obligations built from the IR, independent of any solver. Each
// obligation is an IR formula plus the words to report it with; the Z3
// backend decides it, and the evaluator can re-check its counterexamples
// because the formula is plain IR.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "basic/Diagnostics.h"
#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::verifier {

struct Obligation {
  enum class Goal {
    Valid,        // holds for every patient in the population; a patient where it fails refutes it
    Satisfiable,  // some patient in the population satisfies it; none refutes it
  };
  PropertyKind kind = PropertyKind::Assertion;
  Goal goal = Goal::Valid;
  ir::ExprRef formula;   // boolean IR expression
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
};

/// One `give` with a dose: its envelope and formulary checks.
struct DoseSite {
  const ir::Action *action = nullptr;
  std::string where;        // "immunotherapy.first_line"
  ir::ExprRef condition;    // the patients who get it (without the population)
  ir::ExprRef amount;       // min(dose, cap), canonical units
  std::vector<Obligation> limits;     // dose-formulary obligations (Valid)
  std::vector<std::string> warnings;  // limits whose basis cannot be derived, or no limits at all
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
/// boxes its rule conditions imply (an over-approximation: pairs it drops
/// are disjoint for certain).
OverlapCandidates overlapCandidates(const ir::Protocol &p, const ir::Table &t);

/// table-overlap for rules i and j of a `unique` table (both match) or an
/// `any` table (both match with different actions).
Obligation overlapObligation(const ir::Protocol &p, int table, int i, int j);

/// All obligations except doses and table overlaps, in protocol order.
std::vector<Obligation> buildConditions(const ir::Protocol &p);
/// Every `give` with a dose.
std::vector<DoseSite> buildDoseSites(const ir::Protocol &p);

}  // namespace carepath::verifier
