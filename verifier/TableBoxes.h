// The boxes of a table's rules, for the table checks' cheap questions
// (docs/verifier.md, "Wide tables"). Each rule's condition is turned into
// rows by the one interval analysis (ir/Columns) and restricted to what the
// inputs can hold (ir::withinDomain: declared ranges, whole numbers for
// `integer` inputs); its hull on every input is kept on compressed
// coordinates so that two boxes are compared with integer tests.
//
// Everything here over-approximates the patients a rule matches (a rule the
// analysis cannot express matches everything), so an answer that two rules
// are disjoint is certain; a patient it builds is only a candidate, which
// the verifier confirms on the IR evaluator before it proves anything.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "ir/Columns.h"
#include "ir/IR.h"

namespace carepath::verifier {

/// A rule's rows within the domain; nullopt when the analysis cannot
/// express its condition. No rows: it matches no patient.
using RuleRows = std::optional<std::vector<ir::Row>>;

/// The rows of a guard (null: always) within the domain.
RuleRows rowsWithinDomain(const ir::Protocol &p, const ir::ExprRef &guard);

class TableBoxes {
public:
  TableBoxes(const ir::Protocol &p, const ir::Table &t);

  const RuleRows &rows(size_t rule) const { return rows_.at(rule); }

  /// Every pair (i < j, ascending) of rules whose rows intersect: the pairs
  /// that may match one patient. Found by a sweep along the input that
  /// separates the rules best, a hull test on every input, then a row test.
  const std::vector<std::pair<int, int>> &intersecting();

  /// The rules before `rule` in `order` whose rows intersect its rows, in
  /// that order: the only rules that can take a patient it matches.
  std::vector<uint32_t> earlierIntersecting(const std::vector<uint32_t> &order, uint32_t rule);

private:
  bool boxesMeet(size_t a, size_t b) const;

  const ir::Table &t_;
  std::vector<RuleRows> rows_;
  // Hulls: numeric inputs on compressed coordinates ([lo, hi] per rule and
  // input, row-major), enums and booleans as member masks.
  std::vector<int> numeric_, discrete_;  // input indices
  std::vector<size_t> meetOrder_;         // positions in numeric_, in the order boxesMeet tests them
  std::vector<int32_t> lo_, hi_;
  std::vector<uint64_t> mask_;
  std::vector<bool> never_;  // matches no patient
  std::optional<std::vector<std::pair<int, int>>> pairs_;
  std::vector<std::vector<uint32_t>> neighbours_;
  std::vector<uint32_t> order_;   // the order position_ is for
  std::vector<size_t> position_;
};

/// Each table's boxes, built when first asked for: the table checks
/// (buildConditions) and the overlap sweep (overlapCandidates) of one run
/// share them instead of each analysing every rule's condition again.
class ProtocolBoxes {
public:
  explicit ProtocolBoxes(const ir::Protocol &p) : p_(p), tables_(p.tables.size()) {}
  TableBoxes &of(size_t table);

private:
  const ir::Protocol &p_;
  std::vector<std::unique_ptr<TableBoxes>> tables_;
};

/// A patient within the domain who satisfies `target` and none of the
/// `avoid` rows, found by a search over one representative value per cell
/// of the inputs' cut points; nullopt when every cell is covered or the
/// search gives up after `budget` steps. Inputs the rows do not test get a
/// value of their domain. A candidate only: confirm it on the evaluator.
std::optional<std::vector<ir::Value>> boxWitness(const ir::Protocol &p, const ir::Row &target,
                                                 const std::vector<const ir::Row *> &avoid, size_t budget = 20000);

}  // namespace carepath::verifier
