// FEEL (DMN 1.3 "Friendly Enough Expression Language") text for the DMN
// exporter: numbers, strings, unary tests from column conditions, and dose
// expressions. Pure functions of the IR, so the unit tests pin them.
#pragma once

#include <optional>
#include <string>

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
/// `"x","y"`, `not("z")`, `true`. Fails with the offending bound when an
/// interval bound has no finite decimal form.
struct UnaryTest {
  std::string text;
  std::optional<Rational> inexactBound;  // set on failure
};
UnaryTest unaryTest(const ir::Protocol &p, const InputCondition &c);

/// A number-valued expression over inputs (defines inlined), in canonical
/// units; nullopt when it is not arithmetic on numbers.
std::optional<std::string> expression(const ir::Protocol &p, const ir::Expr &e);

}  // namespace carepath::backends::feel
