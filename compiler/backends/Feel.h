// FEEL (DMN 1.3 "Friendly Enough Expression Language") text for the DMN
// exporter: numbers, strings, unary tests from column conditions, and dose
// expressions. Pure functions of the IR, so the unit tests pin them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/Columns.h"
#include "carepath/Rational.h"
#include "ir/IR.h"

namespace carepath::backends {
// The column analysis (ir/Columns.h), for the DMN exporter too.
using ir::Columns, ir::ColumnsError, ir::InputCondition, ir::Interval, ir::Row;
}  // namespace carepath::backends

namespace carepath::backends::feel {

/// The exact decimal literal of `r` ("420", "-0.25", "0.00003"), or nullopt
/// when `r` has no finite decimal form (1/3) or needs more than 18
/// fractional digits. FEEL literals have no exponent.
std::optional<std::string> decimal(const Rational &r);

/// A FEEL expression with the exact value of `r`: the decimal literal, or
/// `(n / d)` when there is none (FEEL division is decimal: exact to the
/// engine's precision, 34 digits in the spec). Negative values are
/// parenthesised so the text can be an operand.
std::string number(const Rational &r);

/// A FEEL string literal: quoted, `"` and `\` escaped.
std::string string(const std::string &s);

/// Names FEEL reserves (keywords, `null`, built-ins an input may not
/// shadow); an input with such a name cannot be a FEEL variable.
bool reserved(const std::string &name);

/// The unary test for one input's condition: `[a..b]`, `>= a`, `a`,
/// `"x","y"`, `not("z")`, `true`. A number's bounds are written in the unit
/// the DMN states the input in: divided by `factor` (that unit's value in
/// canonical units; 1 for the canonical unit). Fails with the offending
/// bound (so divided) when an interval bound has no finite decimal form.
struct UnaryTest {
  std::string text;
  std::optional<Rational> inexactBound;  // set on failure
};
UnaryTest unaryTest(const ir::Protocol &p, const InputCondition &c, const Rational &factor = Rational(1));

/// The factor of each input's DMN unit (`factors[i]`: input i's value in
/// canonical units is its DMN value times it; 1 when the DMN states it in
/// canonical units). Null: every input canonical.
using InputFactors = std::vector<Rational>;

/// An input reference as a canonical value: `age` stated in years is
/// `(age * 8766)`, so arithmetic over it stays in canonical units.
std::string inputReference(const ir::Protocol &p, int input, const InputFactors *factors);

/// The one coefficient of a product that reads an input stated in another
/// unit than the canonical one: its constants times those inputs' factors
/// (`0.00001 * weight` with weight in kg, factor 1000000, is `10 * weight`),
/// so that a FEEL engine's binary doubles round once, not at every factor.
/// The writer then writes the coefficient, every input bare and every other
/// factor as usual. nullopt when nothing folds or the coefficient has no
/// finite decimal form.
std::optional<Rational> foldedCoefficient(const ir::Expr &product, const InputFactors *factors);

/// A number-valued expression over inputs (defines inlined), in canonical
/// units (inputs stated in another unit multiplied back, inputReference);
/// nullopt when it is not arithmetic on numbers.
std::optional<std::string> expression(const ir::Protocol &p, const ir::Expr &e, const InputFactors *factors = nullptr);

}  // namespace carepath::backends::feel
