// The reference evaluator: the meaning of a protocol for one patient,
// computed exactly on the IR. `carepath test`, the verifier's model
// self-check and the compiled-table runtime are all checked against it.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/IR.h"

namespace carepath::ir {

using Patient = std::vector<Value>;  // one value per Protocol::inputs entry

struct EvalError : std::runtime_error {
  EvalError(const std::string &m, SourceRange r) : std::runtime_error(m), range(r) {}
  SourceRange range;
};

struct FiredAction {
  Target from;              // the tier or rule it came from
  const Action *action = nullptr;
  // Give with a dose (ir::givenAmount), canonical units: the low and high
  // ends of the range given; a single dose has amountHigh == amount.
  std::optional<Rational> amount, amountHigh;
};

/// A hit-policy violation in a pathway (its tiers are `unique`) or a table.
struct Violation {
  Target::Kind container = Target::Kind::Rule;  // Tier: a pathway's tiers; Rule: a table's rules
  int index = -1;                               // pathway or table index
  HitViolation kind = HitViolation::None;
  std::vector<uint32_t> rules;                  // tiers or rules involved, in written order
};

/// The one wording of a violation (carepath::describeViolation).
std::string describe(const Protocol &p, const Violation &v);

struct Evaluation {
  bool inPopulation = true;           // false: nothing below fires
  /// Protocol::assumptions the patient violates (ir::assumptionHolds is
  /// false), by index; the evaluation goes on, the caller flags them.
  std::vector<int> violatedAssumptions;
  std::vector<std::vector<bool>> tiers;  // [pathway][tier]: effective guard holds (every such tier fires)
  std::vector<std::vector<bool>> rules;  // [table][rule]: fired under the hit policy
  std::vector<std::vector<bool>> matched;  // [table][rule]: guard holds (before the hit policy)
  std::vector<Violation> violations;     // hit-policy violations (two tiers or `unique` rules apply, ...)
  /// Pathways in order, then tables in order: what is offered (an action
  /// withheld by `unless` is not; an alternative has action->choice >= 0).
  std::vector<FiredAction> actions;
  /// [table]: the fired rules in result order (carepath::resultOrder): the
  /// list a `rule order`, `output order` or plain `collect` table decides
  /// (empty for a table without outputs).
  std::vector<std::vector<uint32_t>> results;
  /// [table][rule][output]: each fired rule's output values (empty when the
  /// rule did not fire).
  std::vector<std::vector<std::vector<Value>>> ruleOutputs;
  /// [table][output]: the output's single value (ir::outputValue), for
  /// tables with carepath::hasSingleOutput; missing otherwise.
  std::vector<std::vector<Value>> outputs;
};

/// Evaluates an expression. Throws EvalError (division by zero, overflow).
Value evaluate(const Protocol &p, const Expr &e, const Patient &patient);
/// Whether a condition holds for the patient: it is true (false and
/// unknown -- a value it needs is missing -- do not hold).
bool evaluateBool(const Protocol &p, const Expr &e, const Patient &patient);

/// Evaluates the whole protocol for one patient.
///
/// Rule order, firing and violations are carepath/Rules.h's (a pathway's
/// tiers are a `unique` table: kPathwayHitPolicy); a violation is recorded
/// and evaluation goes on. Actions come in written order of the rules that
/// fired.
/// Throws EvalError when an expression cannot be evaluated exactly, or when
/// the patient does not fit the protocol's inputs.
Evaluation evaluate(const Protocol &p, const Patient &patient);

/// Whether two actions mean the same for this patient: the same
/// actionIdentity and the same computed amount.
bool sameAction(const FiredAction &a, const FiredAction &b);

/// Whether two rules' values of an output agree (hit `any`): unless both
/// are known and differ (a missing value is no disagreement, as the
/// verifier's overlap obligation reads it).
bool sameOutputValue(const Value &a, const Value &b);

}  // namespace carepath::ir
