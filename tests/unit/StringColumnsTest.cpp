// String inputs in the column analysis (ir/Columns.h) and its FEEL text: a
// string's values are open, so a negated list stays a negation through
// `not`, `and`, `or` and the row algebra, and agrees with the evaluator on
// listed and unlisted strings.
#include <gtest/gtest.h>

#include "backends/Feel.h"
#include "ir/Columns.h"
#include "ir/Evaluator.h"

using namespace carepath;
using namespace carepath::ir;
using namespace carepath::ir::build;

namespace {

Protocol regionProtocol() {
  Protocol p;
  Input region;
  region.name = "region";
  region.type = Type::string();
  p.inputs.push_back(region);
  return p;
}

ExprRef region() { return input(0, Type::string()); }
ExprRef is(const std::string &s) { return binary(Op::Eq, region(), string(s)); }
ExprRef listed(std::vector<std::string> xs) {
  std::vector<ExprRef> eqs;
  for (const auto &x : xs) eqs.push_back(is(x));
  return nary(Op::Or, eqs);
}

Columns columnsOf(const Protocol &p, const Expr &e) {
  auto r = toColumns(p, e);
  if (auto *err = std::get_if<ColumnsError>(&r)) ADD_FAILURE() << err->message;
  return std::get<Columns>(r);
}

}  // namespace

TEST(StringColumns, NegatedListStaysNegation) {
  Protocol p = regionProtocol();
  Columns c = columnsOf(p, *unary(Op::Not, listed({"US", "EU"})));
  ASSERT_EQ(c.rows.size(), 1u);
  ASSERT_EQ(c.rows[0].conditions.size(), 1u);
  const InputCondition &ic = c.rows[0].conditions[0];
  EXPECT_TRUE(ic.excluded);
  EXPECT_EQ(ic.texts, (std::vector<std::string>{"EU", "US"}));
  EXPECT_EQ(backends::feel::unaryTest(p, ic).text, "not(\"EU\", \"US\")");
  EXPECT_EQ(backends::feel::unaryTest(p, negateCondition(p, ic)).text, "\"EU\", \"US\"");
}

TEST(StringColumns, ListOrItsComplementCoversEveryString) {
  Protocol p = regionProtocol();
  // `region in {EU, US} or not (region in {EU})` holds for every string.
  Columns c = columnsOf(p, *nary(Op::Or, {listed({"EU", "US"}), unary(Op::Not, is("EU"))}));
  EXPECT_TRUE(c.always());
  // `not (region in {EU, US}) and region != APAC`: one negation of three.
  Columns d = columnsOf(p, *nary(Op::And, {unary(Op::Not, listed({"EU", "US"})), binary(Op::Ne, region(), string("APAC"))}));
  ASSERT_EQ(d.rows.size(), 1u);
  EXPECT_EQ(backends::feel::unaryTest(p, d.rows[0].conditions[0]).text, "not(\"APAC\", \"EU\", \"US\")");
  // Listed and excluded at once: never.
  EXPECT_TRUE(columnsOf(p, *nary(Op::And, {is("EU"), unary(Op::Not, is("EU"))})).never());
}

TEST(StringColumns, AgreesWithEvaluatorOnListedAndUnlistedStrings) {
  Protocol p = regionProtocol();
  std::vector<ExprRef> guards = {is("EU"), listed({"EU", "US"}), unary(Op::Not, listed({"EU", "US"})),
                                 nary(Op::And, {unary(Op::Not, is("EU")), binary(Op::Ne, region(), string("US"))}),
                                 nary(Op::Or, {is("APAC"), unary(Op::Not, listed({"APAC", "EU"}))})};
  size_t n = guards.size();
  for (size_t i = 0; i < n; ++i) guards.push_back(unary(Op::Not, guards[i]));
  for (const ExprRef &g : guards) {
    Columns c = columnsOf(p, *g);
    for (const char *s : {"EU", "US", "APAC", "", "Mars"}) {
      Patient pt = {Value::ofString(s)};
      EXPECT_EQ(ir::holds(c, pt), evaluateBool(p, *g, pt)) << toString(p, *g) << " for " << s;
    }
  }
}
