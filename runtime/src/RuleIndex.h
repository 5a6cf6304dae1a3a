// The large-table index (internal to the runtime): finds the rules of a
// table whose condition holds for a patient without evaluating every rule.
//
// A rule whose condition is a conjunction of checks of single inputs
// against constants (a "box": `hr >= 100 and hr < 130 and avpu in {pain,
// unresponsive} and known spo2`) is indexed; any other rule stays in the
// residual list and is evaluated as before. Per input column the index
// splits the input's values into classes (for a number: each cut point and
// the open intervals between them; an enum's members; false/true) plus
// "missing", and keeps per class the bitset of rules whose checks of that
// column are true there. A patient's matching box rules are the AND of one
// row per column; bits are numbered by the rule's position in the table's
// order (carepath::ruleOrder), so the first set bit is the first match.
//
// Missing values follow carepath/Truth.h: a check of a missing input is
// unknown (`known x` false), so a second row per column, "true or
// unknown", gives the undecided rules (no check false, one unknown).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "carepath/Table.h"

namespace carepath::runtime {

class RuleIndex {
public:
  /// The index of table `t`, or nullptr when it is not worth it (few
  /// rules) or not possible (a pathway, or a table whose single output is
  /// an aggregate: the runtime then evaluates every rule, as before).
  static std::unique_ptr<RuleIndex> build(const std::vector<NodeInfo> &nodes, const std::vector<InputSpec> &inputs,
                                          const TableInfo &t);
  /// Tables with fewer rules are scanned: the index would not pay.
  static constexpr size_t kMinRules = 8;

  /// Words of the bitsets (one bit per position in the order).
  size_t words() const { return words_; }
  /// The matching box rules (`matched`) and those undecided because of a
  /// missing value (`undecided`), as bitsets over order positions. Returns
  /// whether any input the index reads is missing (undecided is filled only then).
  bool query(const std::vector<PatientValue> &patient, uint64_t *matched, uint64_t *undecided) const;
  /// Rules not indexed (their condition is not a box), in written order.
  const std::vector<uint32_t> &residual() const { return residual_; }
  /// position -> rule, rule -> position in the table's order.
  const std::vector<uint32_t> &order() const { return order_; }
  const std::vector<uint32_t> &position() const { return position_; }
  /// Per single output: the node of "no rule fired" (the missing constant
  /// that ends the output's if-chain).
  const std::vector<uint32_t> &noValue() const { return noValue_; }

  struct Column;

private:
  RuleIndex() = default;
  size_t words_ = 0;
  std::vector<uint64_t> box_;  // positions of indexed rules
  std::vector<Column> columns_;
  std::vector<uint32_t> residual_, order_, position_, noValue_;

public:
  ~RuleIndex();
};

}  // namespace carepath::runtime
