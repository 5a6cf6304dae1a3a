// Conditions a DMN unary test cannot hold, as FEEL expressions that agree
// with carepath's three-valued logic on every patient, missing values
// included (carepath/Truth.h; docs/interop.md "Conditions as FEEL
// expressions"). The DMN exporter (Dmn.cpp) puts such a condition in an
// input column of the decision table (`inputExpression`, tested `true`),
// and each define it reads becomes a decision of its own with a literal
// expression, wired through the decision requirements graph.
//
// FEEL's null is carepath's missing. FEEL already agrees on `and`, `or`,
// `not`, `<`..`>=`, arithmetic, `min`/`max` and `if` (null propagates,
// Kleene's tables, an unknown condition takes the else branch); it does
// not on `=`/`!=` (`null = 1` is false, carepath's is unknown) nor in
// filters, so those are written with explicit null tests.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "carepath/Rational.h"
#include "ir/IR.h"

namespace carepath::backends::dmn {

/// Whether `e` reads an optional input (through defines too); such a
/// guard is never written as unary tests (a unary test cannot say
/// "unknown", and the column analysis assumes every value known).
bool readsOptional(const ir::Protocol &p, const ir::Expr &e);

/// Writes FEEL for carepath expressions. Defines are referenced by name
/// (each is a decision); what one text references is collected in
/// `inputs` / `defines` (indices) for its information requirements.
class FeelWriter {
public:
  /// `factors`: the unit each input is stated in (feel::InputFactors);
  /// null: all canonical.
  explicit FeelWriter(const ir::Protocol &p, const std::vector<Rational> *factors = nullptr) : p_(p), factors_(factors) {}

  /// For a dose (an output entry, which has no decision requirements):
  /// defines written out in place, and a constant with no finite decimal
  /// form as an exact FEEL division, as feel::expression writes doses.
  bool forDose = false;

  /// The FEEL text of `e` (a condition: true/false/null; a number or an
  /// enum member: the value or null), or nullopt when a bound or constant
  /// in it has no finite decimal form: `inexact` says which ("1000000/3
  /// (input 'weight', canonical units)"), `inexactRange` where.
  std::optional<std::string> write(const ir::Expr &e);
  /// The same for a guard tested `true` (a DMN input column whose entry is
  /// `true`): only whether it is true matters, so `IsTrue` can be left out.
  std::optional<std::string> writeGuard(const ir::Expr &e);

  std::set<int> inputs, defines;
  std::string inexact;
  SourceRange inexactRange;
  /// Set (with a failure) when a bound of an input has no finite decimal
  /// form in the unit the input is stated in (`inexactBound`: that bound,
  /// canonical): the exporter then states that input in its next candidate
  /// unit and writes again, or refuses the bound at the last one.
  std::optional<int> unscale;
  Rational inexactBound;

private:
  std::string expr(const ir::Expr &e);
  std::string holds(const ir::Expr &e);
  std::optional<std::string> atom(const ir::Expr &e);
  std::string nullGuard(const ir::Expr &a, const ir::Expr &b, const std::string &a1, const std::string &b1,
                        const std::string &op);
  std::string count(const ir::Expr &e);

  void fail(const Rational &r, const std::string &what, SourceRange range);

  const ir::Protocol &p_;
  const std::vector<Rational> *factors_;
  bool failed_ = false;
};

}  // namespace carepath::backends::dmn
