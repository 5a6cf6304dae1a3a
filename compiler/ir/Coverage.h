// What a set of patients (a protocol's examples) exercises: `carepath test
// --coverage` (docs/testing-protocols.md, "Coverage"). Measured on the
// reference evaluator, so it means what `carepath test` means:
//  - every tier and rule, fired and not fired;
//  - every give with a `max`, capped and under its cap;
//  - every alternative of a `one of`, offered and (with an `unless`) withheld;
//  - every condition of every decision (a tier's guard, a rule's guard, a
//    boolean define), true, false and (when it can be) missing, and whether
//    the examples show it deciding the outcome on its own (MC/DC, masking
//    form): two examples where it is true and false, the decision's outcome
//    differs, and in each of them flipping it alone flips the outcome.
// A decision's conditions are its operands below `and`, `or`, `not` and
// counting, in the author's names: a define it uses is one condition (the
// define is a decision of its own).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ir/Evaluator.h"

namespace carepath::ir {

struct Coverage {
  /// A tier or rule, or a give with a cap (on: fired / capped; off: not
  /// fired / under the cap).
  struct Item {
    std::string name;  // "pathway.tier", "table.rule", "give D at pathway.tier"
    SourceRange range;
    bool on = false, off = false;
    /// Whether `off` can happen: an alternative without an `unless` is
    /// offered whenever its tier or rule fires, never withheld.
    bool canBeOff = true;
  };
  struct Condition {
    std::string text;  // as written in the author's names
    SourceRange range;
    bool canBeMissing = false;
    bool wasTrue = false, wasFalse = false, wasMissing = false;
    bool mcdc = false;  // shown to decide the outcome on its own (see above)
  };
  struct Decision {
    std::string name;  // "rule table.rule", "tier pathway.tier", "define NAME"
    SourceRange range;
    std::vector<Condition> conditions;
  };
  size_t patients = 0;            // patients measured
  size_t outsidePopulation = 0;   // of them, outside the population (nothing fires: not counted)
  size_t notEvaluated = 0;        // of them, the evaluator could not evaluate (not counted)
  std::vector<Item> tiers, rules, cappedDoses;
  /// Each alternative of a `one of` (on: offered where its tier or rule
  /// fired; off: withheld there by its `unless`), "alternative K of
  /// OWNER (KIND NAME)", in written order.
  std::vector<Item> alternatives;
  std::vector<Decision> decisions;
};

Coverage measureCoverage(const Protocol &p, std::span<const Patient> patients);

/// The same measure over changing sets of patients, each patient evaluated
/// once: `carepath examples` measures after every patient it adds and
/// without every patient it tries to drop (measureCoverage is one meter).
class CoverageMeter {
public:
  explicit CoverageMeter(const Protocol &p);
  ~CoverageMeter();
  CoverageMeter(const CoverageMeter &) = delete;
  CoverageMeter &operator=(const CoverageMeter &) = delete;
  /// Evaluates the patient; the returned id stands for it in measure().
  size_t add(const Patient &patient);
  /// The measure over these patients (ids from add()).
  Coverage measure(std::span<const size_t> patients) const;

private:
  struct Seen;
  struct Sites;
  const Protocol &p_;
  std::unique_ptr<Sites> sites_;
  std::vector<Seen> seen_;
};

// The parts of the measure that `carepath examples` (verifier/ExampleGenerator)
// asks the solver to reach, so both read decisions and conditions one way.

/// A decision measured: its name, where it is written, the condition.
struct DecisionSite {
  std::string name;  // "tier pathway.tier", "rule table.rule", "define NAME"
  SourceRange range;
  ExprRef expr;
};
/// An alternative of a `one of`: its name, its first action (the
/// alternative's `unless` is on each of its actions) and its owner: a
/// pathway's tier (container = pathway, tier >= 0) or a table's rule
/// (container = table, rule >= 0). In the order of Coverage::alternatives.
struct AlternativeSite {
  std::string name;
  const Action *action = nullptr;
  int container = -1, tier = -1, rule = -1;
};
std::vector<AlternativeSite> alternativesOf(const Protocol &p);
/// Every decision, in the order of Coverage::decisions.
std::vector<DecisionSite> decisionsOf(const Protocol &p);
/// A condition's text as written, by which conditions are one and
/// withCondition finds them. A leaf that carries the name of what it stands
/// for (Expr::label: a tier whose guard is one bare condition is named
/// `P.T`) is shown as written, not by that name.
std::string conditionText(const Protocol &p, const Expr &e);
/// A decision's conditions, each once (by its text), in written order.
std::vector<ExprRef> conditionsOf(const Protocol &p, const ExprRef &decision);
/// The decision with every occurrence of the condition written `text`
/// replaced by the constant `value`.
ExprRef withCondition(const Protocol &p, const ExprRef &decision, const std::string &text, bool value);

}  // namespace carepath::ir
