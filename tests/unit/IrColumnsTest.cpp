// The column analysis: guards to DMN-style rows, checked against the IR
// evaluator on every patient of a grid that includes each boundary.
#include <gtest/gtest.h>

#include "BackendTestProtocol.h"
#include "ir/Columns.h"
#include "ir/Evaluator.h"

using namespace carepath;
using namespace carepath::ir;
using namespace carepath::ir::build;
using carepath::ir::Columns;
using carepath::ir::ColumnsError;
using carepath::ir::toColumns;

namespace {

// Patients on a grid around every constant the mini protocol uses.
std::vector<Patient> grid(const Protocol &p) {
  std::vector<Rational> ages = {0, 5 * 8766 - 1, 5 * 8766, 5 * 8766 + 1, 18 * 8766 - 1, 18 * 8766, 120 * 8766};
  std::vector<Rational> weights = {2000000, 11999999, 12000000, 12000001, 19999999, 20000000, 150000000};
  std::vector<Patient> out;
  for (const Rational &a : ages)
    for (const Rational &w : weights)
      for (bool f : {false, true})
        for (int c = 0; c < 3; ++c)
          for (int n : {0, 1, 2, 3, 10})
            out.push_back({Value::ofNumber(a), Value::ofNumber(w), Value::ofBool(f), Value::ofEnum(c),
                           Value::ofNumber(n)});
  (void)p;
  return out;
}

Columns columnsOf(const Protocol &p, const Expr &e) {
  auto r = toColumns(p, e);
  if (auto *err = std::get_if<ColumnsError>(&r)) ADD_FAILURE() << err->message;
  return std::get<Columns>(r);
}

}  // namespace

TEST(BackendColumns, AgreesWithEvaluatorOnEveryGuard) {
  Protocol p = handbuilt::miniProtocol();
  std::vector<ExprRef> guards = {p.population};
  for (const Table &t : p.tables)
    for (const Rule &r : t.rules) guards.push_back(r.guard);
  for (int t = 0; t < 2; ++t) guards.push_back(p.tierGuard(0, t));
  // Negations of each, to exercise pushing `not` inward.
  size_t n = guards.size();
  for (size_t i = 0; i < n; ++i) guards.push_back(unary(Op::Not, guards[i]));
  auto patients = grid(p);
  for (const ExprRef &g : guards) {
    Columns c = columnsOf(p, *g);
    for (const Patient &pt : patients)
      ASSERT_EQ(ir::holds(c, pt), evaluateBool(p, *g, pt)) << toString(p, *g);
  }
}

TEST(BackendColumns, MemberSetBecomesOneRow) {
  Protocol p = handbuilt::miniProtocol();
  Columns c = columnsOf(p, *p.defines[0].value);  // consciousness in {altered, coma}
  ASSERT_EQ(c.rows.size(), 1u);
  ASSERT_EQ(c.rows[0].conditions.size(), 1u);
  EXPECT_EQ(c.rows[0].conditions[0].members, (std::vector<int>{1, 2}));
}

TEST(BackendColumns, LinearConditionIsSolvedForTheInput) {
  Protocol p = handbuilt::miniProtocol();
  const Expr &linear = *p.tables[0].rules[3].guard->args[0];  // (weight - 10 kg) * 2 >= 4 kg
  Columns c = columnsOf(p, linear);
  ASSERT_EQ(c.rows.size(), 1u);
  const auto &iv = c.rows[0].conditions[0].intervals;
  ASSERT_EQ(iv.size(), 1u);
  EXPECT_EQ(*iv[0].lo, Rational(12000000));
  EXPECT_TRUE(iv[0].loClosed);
  EXPECT_FALSE(iv[0].hi.has_value());
}

TEST(BackendColumns, NotEqualSplitsTheLine) {
  Protocol p = handbuilt::miniProtocol();
  Columns c = columnsOf(p, *binary(Op::Ne, input(4, p.inputs[4].type), number(3)));
  ASSERT_EQ(c.rows.size(), 1u);
  EXPECT_EQ(c.rows[0].conditions[0].intervals.size(), 2u);
}

TEST(BackendColumns, TautologyAndContradiction) {
  Protocol p = handbuilt::miniProtocol();
  auto fever = input(2, p.inputs[2].type);
  EXPECT_TRUE(columnsOf(p, *nary(Op::Or, {fever, unary(Op::Not, fever)})).always());
  EXPECT_TRUE(columnsOf(p, *nary(Op::And, {fever, unary(Op::Not, fever)})).never());
}

TEST(BackendColumns, RefusesArithmeticBetweenTwoInputs) {
  Protocol p = handbuilt::miniProtocol();
  SourceRange at{0, 10, 20};
  auto e = binary(Op::Gt, binary(Op::Mul, input(0, p.inputs[0].type), input(1, p.inputs[1].type), at), number(3), at);
  auto r = toColumns(p, *e);
  ASSERT_TRUE(std::holds_alternative<ColumnsError>(r));
  EXPECT_NE(std::get<ColumnsError>(r).message.find("two inputs"), std::string::npos);
  EXPECT_EQ(std::get<ColumnsError>(r).range, at);
}

TEST(BackendColumns, RefusesComparingTwoInputs) {
  Protocol p = handbuilt::miniProtocol();
  auto e = binary(Op::Lt, input(0, p.inputs[0].type), input(4, p.inputs[4].type));
  EXPECT_TRUE(std::holds_alternative<ColumnsError>(toColumns(p, *e)));
}

TEST(BackendColumns, CapsTheNumberOfRows) {
  Protocol p = handbuilt::miniProtocol();
  // (count != i or age != i) for 12 values of i: every subset of the i
  // gives a different row, 2^12 in all.
  std::vector<ExprRef> conj;
  for (int i = 0; i < 12; ++i)
    conj.push_back(nary(Op::Or, {binary(Op::Ne, input(4, p.inputs[4].type), number(i)),
                                 binary(Op::Ne, input(0, p.inputs[0].type), number(i, p.inputs[0].type.dim))}));
  auto r = toColumns(p, *nary(Op::And, conj));
  ASSERT_TRUE(std::holds_alternative<ColumnsError>(r));
  EXPECT_NE(std::get<ColumnsError>(r).message.find("more than 256"), std::string::npos);
}
