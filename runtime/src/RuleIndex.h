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
// Two levels keep a query's cost flat in the number of rules: each row has
// a summary (bit w set when word w of the row is not zero), the summaries
// are ANDed first, and only the words set in every column's summary are
// read (docs/runtime.md, "Large tables").
//
// Missing values follow carepath/Truth.h: a check of a missing input is
// unknown (`known x` false), so a second row per column, "true or
// unknown", gives the undecided rules (no check false, one unknown).
//
// What a build derives from the rules' conditions (the cut points and each
// rule's classes per column: the Recipe) is what the compact format stores
// (docs/tables.md, "Compact tables"); the rows are expanded from it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "carepath/Table.h"

namespace carepath::runtime {

class RuleIndex {
public:
  /// One box rule's checks of one column, reduced to the classes where
  /// they are true. Rules a column does not list are true in every class
  /// and when the value is missing.
  struct Check {
    enum Flags : uint8_t {
      MissingTrue = 1,     // the checks are true when the value is missing (only `not known`)
      MissingUnknown = 2,  // ... true or unknown (no `known`)
      NoValue = 4,         // false for every present value (`not known`, or bounds that exclude each other)
    };
    uint32_t position = 0;  // in the table's order
    uint32_t lo = 0, hi = 0;  // numbers: the classes [lo, hi] (less the excluded points)
    uint64_t members = 0;     // enums and bools: the classes, one bit each
    uint8_t flags = 0;
  };
  struct Column {
    uint32_t input = 0;
    InputSpec::Kind kind = InputSpec::Kind::Bool;
    std::vector<Rational> cuts;  // numbers: ascending, distinct
    std::vector<Check> checks;   // ascending positions
    std::vector<std::pair<uint32_t, uint32_t>> excluded;  // (position, class): the points of `!=` checks
  };
  /// What the index is made of; everything else is expanded from it.
  struct Recipe {
    std::vector<uint32_t> residual;  // rules not indexed, ascending (written order)
    std::vector<Column> columns;
  };

  /// The index of table `t`, or nullptr when it is not worth it (few
  /// rules) or not possible (a pathway, or a table whose single output is
  /// an aggregate: the runtime then evaluates every rule, as before).
  static std::unique_ptr<RuleIndex> build(const std::vector<NodeInfo> &nodes, const std::vector<InputSpec> &inputs,
                                          const TableInfo &t);
  /// The index of table `t` from a stored recipe (the compact format), or
  /// nullptr with `problem` set when the recipe does not fit the table
  /// (sizes, positions, classes, columns). Only the shape is checked: that
  /// the recipe is the one build() derives from the conditions is what the
  /// file's digest protects.
  static std::unique_ptr<RuleIndex> fromRecipe(Recipe recipe, const std::vector<NodeInfo> &nodes,
                                               const std::vector<InputSpec> &inputs, const TableInfo &t,
                                               std::string &problem);
  /// Whether table `t` can have an index at all (build() may still decline).
  static bool possible(const TableInfo &t);
  /// Tables with fewer rules are scanned: the index would not pay.
  static constexpr size_t kMinRules = 8;
  /// The most words an index's rows take (256 MiB): a larger one is not
  /// built (the table is scanned). 10,000 weight bands take 3.1 M.
  static constexpr size_t kMaxRowWords = size_t(1) << 25;

  /// Words of the bitsets (one bit per position in the order), and of
  /// their summaries (one bit per word).
  size_t words() const { return words_; }
  size_t summaryWords() const { return (words_ + 63) / 64; }
  /// The matching box rules (into `matched`) and those undecided because
  /// of a missing value (into `undecided`), as bitsets over order
  /// positions of words() words, which must be zero on entry. Only words
  /// that become non-zero are written, and each such word w sets bit w of
  /// `touched` (summaryWords() words): the caller reads and clears just those.
  void query(const std::vector<PatientValue> &patient, uint64_t *matched, uint64_t *undecided, uint64_t *touched) const;
  /// Rules not indexed (their condition is not a box), in written order.
  const std::vector<uint32_t> &residual() const { return recipe_.residual; }
  /// position -> rule, rule -> position in the table's order.
  const std::vector<uint32_t> &order() const { return order_; }
  const std::vector<uint32_t> &position() const { return position_; }
  /// Per single output: the node of "no rule fired" (the missing constant
  /// that ends the output's if-chain).
  const std::vector<uint32_t> &noValue() const { return noValue_; }
  const Recipe &recipe() const { return recipe_; }

  ~RuleIndex();

private:
  struct Rows;
  RuleIndex() = default;
  /// Order, positions and the "no value" nodes; false when the outputs do
  /// not have the shape the index answers for.
  bool prepare(const std::vector<NodeInfo> &nodes, const TableInfo &t);
  /// The rows and summaries of every column, from the recipe.
  void expand(const std::vector<InputSpec> &inputs);

  size_t words_ = 0;
  Recipe recipe_;
  std::vector<uint64_t> box_, boxSummary_;  // positions of indexed rules
  std::vector<Rows> rows_;                  // [column]
  std::vector<uint32_t> order_, position_, noValue_;
};

}  // namespace carepath::runtime
