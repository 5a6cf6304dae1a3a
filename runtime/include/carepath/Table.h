// The runtime: loads a compiled decision table ("carepath-table", see
// docs/tables.md) and evaluates patients against it. Depends on nothing in
// compiler/. docs/runtime.md documents the API with an example.
//
//   auto table = carepath::runtime::Table::load("anec.table.json");
//   std::vector<carepath::runtime::PatientError> errors;
//   auto patient = table.readPatient(jsonText, errors);   // names bad inputs
//   carepath::runtime::Result r = table.evaluate(*patient);
//
// Arithmetic is exact (carepath::Rational); amounts are rounded only when
// rendered for display (Result JSON "display" fields, formatQuantity).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "carepath/Patient.h"
#include "carepath/Rational.h"
#include "carepath/Rules.h"

namespace carepath::runtime {

/// A table that cannot be loaded. The message names the file and the field
/// ("tables[2].rules[0].condition") or position (line, column).
struct LoadError : std::runtime_error {
  explicit LoadError(const std::string &m) : std::runtime_error(m) {}
};

/// Patient values that do not fit the table's inputs (wrong kind, outside
/// the declared range, not an integer), or an expression that cannot be
/// computed exactly (overflow, division by zero).
struct EvaluationError : std::runtime_error {
  explicit EvaluationError(const std::string &m) : std::runtime_error(m) {}
};

struct LoadOptions {
  /// Accept tables whose verification status is not "verified"
  /// ("unverified": written with --force; "not-verified": --no-verify).
  bool allowUnverified = false;
  /// Largest table accepted, in bytes (the ANEC table is about 60 KiB).
  size_t maxBytes = 16u << 20;
};

// ------------------------------------------------------------------ the loaded model (read-only)

/// A dose expression node, in canonical units.
struct DoseNode {
  enum class Op : uint8_t { Const, Input, Add, Sub, Mul, Div, Neg, Min, Max } op = Op::Const;
  Rational value;          // Const
  uint32_t input = 0;      // Input: index into Table::inputs()
  std::vector<uint32_t> args;  // indices into the action's `nodes`
};

struct ActionInfo {
  ActionKind kind = ActionKind::Do;
  std::string name;  // drug for give; action name for do/...; "" for unspecified
  std::string note, reason;  // reason: `unspecified` text (action or dose)
  std::vector<std::string> citations;
  /// Everything that makes two actions the same apart from the computed
  /// amount (written by the compiler: hit policy `any` compares it).
  std::string identity;
  // give
  std::vector<DoseNode> nodes;       // the amount given (the dose, capped); root is nodes[amount]
  int amount = -1;                   // root in `nodes`; -1 when the dose is unspecified
  std::string canonicalUnit;         // "mg"
  std::optional<UnitSpec> unit;      // display unit of the dose
  std::string basis;                 // "per day", "total", "per dose", ""
  std::string extra;                 // "for 3 days .. 5 days", "over 5 days", "within 24 h" (display)
};

struct RuleInfo {
  std::string name;
  std::optional<int64_t> priority;
  std::string when;  // the guard as written, for explanations
  std::vector<ActionInfo> actions;
  std::vector<std::string> citations;
};

/// A table or a pathway (whose rules are its tiers).
struct TableInfo {
  std::string name, description;
  HitPolicy hit = HitPolicy::Collect;  // a pathway's tiers: unique
  std::vector<uint32_t> order;         // the order rules are consulted (carepath/Rules.h), from the table
  bool pathway = false;
  std::vector<RuleInfo> rules;
  std::vector<std::string> citations;
};

// ------------------------------------------------------------------ results

struct FiredAction {
  uint32_t table = 0;   // index into Table::tables() (pathways first)
  uint32_t rule = 0;
  uint32_t action = 0;
  std::optional<Rational> amount;  // give with a dose: min(dose, cap), canonical units
};

/// One input tested against one condition, for the explanation.
struct ConditionCheck {
  uint32_t input = 0;
  std::string condition;  // "in {altered, coma}", "< 18 years", "is true"
  bool holds = false;
};

struct RuleTrace {
  uint32_t table = 0, rule = 0;
  bool matched = false, fired = false;
  std::vector<std::vector<ConditionCheck>> rows;  // rows tried, each up to its first failing check
};

struct Result {
  bool inPopulation = true;
  std::vector<std::vector<uint8_t>> matched;  // [table][rule]: condition holds
  std::vector<std::vector<uint8_t>> fired;    // [table][rule]: fired under the hit policy
  std::vector<FiredAction> actions;           // tables in order, then rules in written order
  std::vector<Violation> violations;          // hit-policy violations (Table::describe words them)
  std::vector<ConditionCheck> population;     // explain only
  std::vector<RuleTrace> trace;               // explain only
};

struct EvaluateOptions {
  bool explain = false;
};

class Table {
public:
  /// Loads a table file; throws LoadError.
  static Table load(const std::string &path, const LoadOptions &options = {});
  /// Loads a table from text; `name` is used in messages.
  static Table loadText(std::string_view text, const LoadOptions &options = {}, const std::string &name = "<table>");

  const std::string &protocolName() const;
  const std::string &protocolVersion() const;
  const std::string &title() const;
  const std::string &digest() const;
  const std::string &verificationStatus() const;  // verified | unverified | not-verified
  const std::vector<InputSpec> &inputs() const;
  /// Pathways first (in order), then tables (in order).
  const std::vector<TableInfo> &tables() const;

  /// Reads a patient JSON document (see Patient.h) against this table's
  /// inputs: missing, unknown, out-of-range and wrong-unit values are
  /// reported by name.
  std::optional<std::vector<PatientValue>> readPatient(std::string_view json, std::vector<PatientError> &errors) const;

  /// Evaluates one patient (values in input order, as readPatient returns
  /// them). Throws EvaluationError.
  Result evaluate(const std::vector<PatientValue> &patient, const EvaluateOptions &options = {}) const;
  /// The same into a caller-owned result whose buffers are reused: no
  /// allocation per call once warmed up (unless a violation or explanation).
  void evaluate(const std::vector<PatientValue> &patient, Result &out, const EvaluateOptions &options = {}) const;

  /// The result as a JSON document (the C API's and `carepath eval
  /// --format=json`'s output; docs/runtime.md).
  std::string resultJson(const std::vector<PatientValue> &patient, const Result &r, bool explain) const;
  /// A violation in words: "table 'x' (hit unique): rules 'a' and 'b' all
  /// match; every match fires".
  std::string describe(const Violation &v) const;
  /// A value as written for people: "14 kg", "coma", "true".
  std::string displayValue(uint32_t input, const PatientValue &v) const;
  /// An amount in the action's display unit, rounded for display only.
  std::string displayAmount(const ActionInfo &a, const Rational &canonical) const;

  struct Model;

private:
  explicit Table(std::shared_ptr<const Model> m) : m_(std::move(m)) {}
  std::shared_ptr<const Model> m_;
};

}  // namespace carepath::runtime
