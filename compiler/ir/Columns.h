// The decision-table view of a guard: DMN-style columns. A guard becomes a
// disjunction of rows; each row is a conjunction of per-input conditions (an
// interval set for a number, a member set for an enum, a value for a bool,
// a finite set of strings or its complement for a string).
// Defines are inlined, `not` is pushed into the conditions, and a condition
// that is not `input OP constant` after normalisation (linear arithmetic on
// one input with constants is solved for the input) is refused with a
// located error. The one interval analysis of conditions: the JSON table
// emitter, the DMN exporter and the verifier's overlap sweep all use it.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "carepath/Interval.h"
#include "carepath/Rational.h"
#include "ir/IR.h"

namespace carepath::ir {

/// One interval of a number input (carepath/Interval.h).
using carepath::Interval;

/// What one input must satisfy in one row.
struct InputCondition {
  int input = -1;                   // index into Protocol::inputs
  ir::Type::Kind kind = ir::Type::Kind::Bool;
  bool value = false;               // Bool: the required value
  std::vector<int> members;         // Enum: allowed members, ascending
  std::vector<Interval> intervals;  // Number: disjoint, ascending, non-empty
  /// String: the value is one of `texts` (sorted, unique), or with
  /// `excluded` none of them. A string input has values beyond every
  /// literal, so the complement of a list stays a negation (never a list).
  std::vector<std::string> texts;
  bool excluded = false;
  friend bool operator==(const InputCondition &, const InputCondition &) = default;
};

/// A conjunction; at most one condition per input, ordered by input index.
/// No conditions: the row always holds.
struct Row {
  std::vector<InputCondition> conditions;
  friend bool operator==(const Row &, const Row &) = default;
};

/// A disjunction of rows. No rows: never holds.
struct Columns {
  std::vector<Row> rows;
  bool always() const { return rows.size() == 1 && rows[0].conditions.empty(); }
  bool never() const { return rows.empty(); }
};

struct ColumnsError {
  std::string message;  // "condition 'weight * age > 3' relates two inputs; ..."
  SourceRange range;
};

struct ColumnsOptions {
  /// Most rows a single guard may expand to (disjunctive normal form can
  /// grow exponentially); beyond it the guard is refused.
  size_t maxRows = 256;
};

/// Turns a boolean expression into columns, or explains why it cannot.
std::variant<Columns, ColumnsError> toColumns(const ir::Protocol &p, const ir::Expr &e,
                                              const ColumnsOptions &options = {});

/// Whether a patient (one value per input) satisfies the columns; the
/// reference for tests: must agree with the IR evaluator on the guard.
bool holds(const Columns &c, const std::vector<ir::Value> &patient);

}  // namespace carepath::ir

// Row algebra for users that need more than the disjunction (the DMN
// exporter makes the rows of one rule disjoint; the verifier tests rows for
// disjointness). Same logic as toColumns uses.
namespace carepath::ir {
/// The complement of a condition within its input's type; may be empty
/// (no member, no interval) when `c` admits every value.
InputCondition negateCondition(const ir::Protocol &p, const InputCondition &c);
/// The conjunction of two rows; nullopt when no patient satisfies both.
std::optional<Row> conjoinRows(const Row &a, const Row &b);
/// Whether some value satisfies the condition.
bool conditionSatisfiable(const InputCondition &c);
/// The row restricted to the values its inputs can take, as the verifier
/// declares them: each number within its input's declared range, and for an
/// `integer` input each interval shrunk to the closed interval of the whole
/// numbers in it (`n < 162` is `n <= 161`, so it is disjoint from
/// `n > 161`). nullopt when no value is left for some input. Inputs the row
/// does not test are left unrestricted.
std::optional<Row> withinDomain(const ir::Protocol &p, const Row &r);
/// The declared domain of a number input as a condition (its range,
/// rounded inward to whole numbers for an `integer` input); no intervals
/// when the range holds no value.
InputCondition numberDomain(const ir::Protocol &p, int input);
}  // namespace carepath::ir
