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
  std::optional<Rational> amount;  // Give with a dose: min(dose, cap), canonical units
};

struct Evaluation {
  bool inPopulation = true;           // false: nothing below fires
  std::vector<std::vector<bool>> tiers;  // [pathway][tier]: effective guard holds
  std::vector<std::vector<bool>> rules;  // [table][rule]: fired under the hit policy
  std::vector<std::vector<bool>> matched;  // [table][rule]: guard holds (before the hit policy)
  std::vector<std::string> violations;   // hit-policy violations (two `unique` rules matched, ...)
  std::vector<FiredAction> actions;      // pathways in order, then tables in order
};

/// Evaluates an expression. Throws EvalError (division by zero, overflow).
Value evaluate(const Protocol &p, const Expr &e, const Patient &patient);
bool evaluateBool(const Protocol &p, const Expr &e, const Patient &patient);

/// Evaluates the whole protocol for one patient.
///
/// Hit policies (a violation is recorded as a message naming the rules and
/// the table, and evaluation goes on):
///  - unique: more than one match is a violation; every match fires, so
///    that nothing the author wrote is silently dropped;
///  - first: the first match in order fires;
///  - priority: the match with the lowest `priority N` fires; rules without
///    N come after numbered ones; ties go to the earlier rule;
///  - any: matches whose actions differ are a violation; the first fires;
///  - collect: every match fires.
/// Throws EvalError when an expression cannot be evaluated exactly, or when
/// the patient does not fit the protocol's inputs.
Evaluation evaluate(const Protocol &p, const Patient &patient);

/// Whether two actions mean the same for this patient (kind, name, drug,
/// computed amount, basis, durations, timing); notes and citations aside.
bool sameAction(const FiredAction &a, const FiredAction &b);

}  // namespace carepath::ir
