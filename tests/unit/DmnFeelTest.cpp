// FEEL text of the DMN exporter (compiler/backends/Feel.h): exact decimals,
// string escaping, unary tests from column conditions.
#include <gtest/gtest.h>

#include "backends/Feel.h"

namespace carepath::backends {
namespace {

TEST(DmnFeel, DecimalsAreExactOrRefused) {
  EXPECT_EQ(feel::decimal(Rational(420)), "420");
  EXPECT_EQ(feel::decimal(Rational(3, 100000)), "0.00003");
  EXPECT_EQ(feel::decimal(Rational(-1, 4)), "-0.25");
  EXPECT_EQ(feel::decimal(Rational(0)), "0");
  EXPECT_EQ(feel::decimal(Rational(1, 3)), std::nullopt);
  EXPECT_EQ(feel::decimal(Rational(1, 8766)), std::nullopt);
  EXPECT_EQ(feel::decimal(Rational(1, int64_t(1) << 62)), std::nullopt);  // > 18 fractional digits
}

TEST(DmnFeel, NumbersWithoutDecimalAreDivisions) {
  EXPECT_EQ(feel::number(Rational(1, 3000)), "(1 / 3000)");
  EXPECT_EQ(feel::number(Rational(-2, 3)), "(-2 / 3)");
  EXPECT_EQ(feel::number(Rational(-5)), "(-5)");
  EXPECT_EQ(feel::number(Rational(5, 2)), "2.5");
}

TEST(DmnFeel, StringsAreEscaped) {
  EXPECT_EQ(feel::string("coma"), "\"coma\"");
  EXPECT_EQ(feel::string("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
}

TEST(DmnFeel, ReservedNames) {
  EXPECT_TRUE(feel::reserved("not"));
  EXPECT_TRUE(feel::reserved("date"));
  EXPECT_FALSE(feel::reserved("weight"));
}

ir::Protocol protocolWithInputs() {
  ir::Protocol p;
  p.enums.push_back({"c", {"alert", "altered", "coma"}});
  ir::Input n;
  n.name = "age";
  n.type = ir::Type::number();
  ir::Input e;
  e.name = "c";
  e.type = ir::Type::enumeration(0);
  ir::Input b;
  b.name = "fever";
  p.inputs = {n, e, b};
  return p;
}

InputCondition numberCondition(std::vector<Interval> ivs) {
  InputCondition c;
  c.input = 0;
  c.kind = ir::Type::Kind::Number;
  c.intervals = std::move(ivs);
  return c;
}

TEST(DmnFeel, UnaryTestsForNumbers) {
  ir::Protocol p = protocolWithInputs();
  Interval closed{Rational(1), Rational(5), true, true};
  Interval halfOpen{Rational(1), Rational(5), false, true};
  Interval below{std::nullopt, Rational(18), false, false};
  Interval atLeast{Rational(-2), std::nullopt, true, false};
  Interval point{Rational(7), Rational(7), true, true};
  EXPECT_EQ(feel::unaryTest(p, numberCondition({closed})).text, "[1..5]");
  EXPECT_EQ(feel::unaryTest(p, numberCondition({halfOpen})).text, "(1..5]");
  EXPECT_EQ(feel::unaryTest(p, numberCondition({below})).text, "< 18");
  EXPECT_EQ(feel::unaryTest(p, numberCondition({atLeast})).text, ">= -2");
  EXPECT_EQ(feel::unaryTest(p, numberCondition({point})).text, "7");
  EXPECT_EQ(feel::unaryTest(p, numberCondition({below, point})).text, "< 18, 7");
  Interval third{std::nullopt, Rational(1, 3), false, false};
  feel::UnaryTest bad = feel::unaryTest(p, numberCondition({third}));
  ASSERT_TRUE(bad.inexactBound.has_value());
  EXPECT_EQ(*bad.inexactBound, Rational(1, 3));
}

// An input stated in its declared unit (years, factor 8766 h): the bounds
// are divided by the factor, and a bound with no decimal form in that unit
// is refused (the exporter then states the input canonically).
TEST(DmnFeel, UnaryTestsInADeclaredUnit) {
  ir::Protocol p = protocolWithInputs();
  Interval under18{std::nullopt, Rational(157788), false, false};
  Interval oneHour{Rational(1), std::nullopt, true, false};
  EXPECT_EQ(feel::unaryTest(p, numberCondition({under18}), Rational(8766)).text, "< 18");
  feel::UnaryTest bad = feel::unaryTest(p, numberCondition({oneHour}), Rational(8766));
  ASSERT_TRUE(bad.inexactBound.has_value());
  EXPECT_EQ(*bad.inexactBound, Rational(1, 8766));
  // Minutes (1/60 h): a sixth of an hour is 10.
  Interval tenMinutes{Rational(1, 6), std::nullopt, false, false};
  EXPECT_EQ(feel::unaryTest(p, numberCondition({tenMinutes}), Rational(1, 60)).text, "> 10");
}

TEST(DmnFeel, UnaryTestsForEnumsAndBools) {
  ir::Protocol p = protocolWithInputs();
  InputCondition c;
  c.input = 1;
  c.kind = ir::Type::Kind::Enum;
  c.members = {1, 2};
  EXPECT_EQ(feel::unaryTest(p, c).text, "not(\"alert\")");
  c.members = {2};
  EXPECT_EQ(feel::unaryTest(p, c).text, "\"coma\"");
  InputCondition b;
  b.input = 2;
  b.kind = ir::Type::Kind::Bool;
  b.value = false;
  EXPECT_EQ(feel::unaryTest(p, b).text, "false");
}

TEST(DmnFeel, DoseExpressions) {
  ir::Protocol p = protocolWithInputs();
  ir::Dimension mass;
  mass.exponents["mass"] = 1;
  p.inputs[0].type = ir::Type::number(mass);
  auto w = ir::build::input(0, p.inputs[0].type);
  auto dose = ir::build::binary(ir::Op::Mul, ir::build::number(Rational(3, 100000)), w);
  auto capped = ir::build::nary(ir::Op::Min, {dose, ir::build::number(Rational(1000), mass)});
  EXPECT_EQ(feel::expression(p, *capped), "min((0.00003 * age), 1000)");
  EXPECT_EQ(feel::expression(p, *ir::build::unary(ir::Op::Neg, w)), "(-age)");
  EXPECT_EQ(feel::expression(p, *ir::build::boolean(true)), std::nullopt);
  // The weight stated in kg: multiplied back to mg, so the dose stays in
  // mg; in a product the factor joins the constant (one rounding in FEEL).
  feel::InputFactors kg{Rational(1000000), Rational(1), Rational(1)};
  EXPECT_EQ(feel::expression(p, *capped, &kg), "min((30 * age), 1000)");
  EXPECT_EQ(feel::expression(p, *w, &kg), "(age * 1000000)");
  auto negative = ir::build::binary(ir::Op::Mul, ir::build::number(Rational(-1, 1000)), w);
  EXPECT_EQ(feel::expression(p, *negative, &kg), "((-1000) * age)");
  // A coefficient with no finite decimal (1/60 * 1/3) is not folded.
  feel::InputFactors minutes{Rational(1, 60), Rational(1), Rational(1)};
  EXPECT_EQ(feel::expression(p, *w, &minutes), "(age * (1 / 60))");
  auto third = ir::build::binary(ir::Op::Mul, ir::build::number(Rational(1, 3)), w);
  EXPECT_EQ(feel::expression(p, *third, &minutes), "((1 / 3) * (age * (1 / 60)))");
}

}  // namespace
}  // namespace carepath::backends
