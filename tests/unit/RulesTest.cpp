// The one definition of rule order, firing and hit-policy violations
// (carepath/Rules.h), and its formula instantiation in the IR agreeing
// with its boolean instantiation on every combination of matches.
#include <gtest/gtest.h>

#include <algorithm>

#include "carepath/Rules.h"
#include "ir/Evaluator.h"
#include "ir/IR.h"

using namespace carepath;

namespace {

std::vector<uint8_t> fired(HitPolicy p, const std::vector<uint32_t> &order, const std::vector<uint8_t> &matched) {
  std::vector<uint8_t> out(matched.size(), 0);
  fire<uint8_t>(p, order, matched, out, ConcreteLogic{});
  return out;
}

std::vector<uint32_t> identity(size_t n) {
  std::vector<uint32_t> o(n);
  for (uint32_t i = 0; i < n; ++i) o[i] = i;
  return o;
}

}  // namespace

TEST(Rules, SpellingsRoundTripAndRejectUnknown) {
  for (HitPolicy p : kHitPolicies) EXPECT_EQ(parseHitPolicy(spelling(p)), p);
  for (ActionKind k : kActionKinds) EXPECT_EQ(parseActionKind(spelling(k)), k);
  EXPECT_FALSE(parseHitPolicy("sometimes"));
  EXPECT_FALSE(parseHitPolicy("UNIQUE"));  // the table format is lower case
  EXPECT_FALSE(parseActionKind(""));
}

TEST(Rules, PriorityOrderNumberedFirstTiesInWrittenOrder) {
  std::vector<std::optional<int64_t>> prio = {std::nullopt, 2, 1, std::nullopt, 1, -5};
  EXPECT_EQ(ruleOrder(HitPolicy::Priority, prio), (std::vector<uint32_t>{5, 2, 4, 1, 0, 3}));
  // Every other policy ignores priorities: written order.
  for (HitPolicy p : {HitPolicy::Unique, HitPolicy::First, HitPolicy::Any, HitPolicy::Collect})
    EXPECT_EQ(ruleOrder(p, prio), identity(prio.size())) << spelling(p);
}

TEST(Rules, FiringPerPolicy) {
  std::vector<uint8_t> m = {0, 1, 0, 1};
  EXPECT_EQ(fired(HitPolicy::Collect, identity(4), m), m);
  EXPECT_EQ(fired(HitPolicy::Unique, identity(4), m), m);
  EXPECT_EQ(fired(HitPolicy::First, identity(4), m), (std::vector<uint8_t>{0, 1, 0, 0}));
  EXPECT_EQ(fired(HitPolicy::Any, identity(4), m), (std::vector<uint8_t>{0, 1, 0, 0}));
  // Priority follows the order given, not the written order.
  EXPECT_EQ(fired(HitPolicy::Priority, {3, 2, 1, 0}, m), (std::vector<uint8_t>{0, 0, 0, 1}));
  EXPECT_EQ(fired(HitPolicy::First, identity(4), {0, 0, 0, 0}), (std::vector<uint8_t>{0, 0, 0, 0}));
}

TEST(Rules, ViolationsUniqueAndAny) {
  std::vector<uint32_t> rules;
  auto same = [](uint32_t, uint32_t) { return true; };
  auto differ = [](uint32_t a, uint32_t b) { return (a % 2) == (b % 2); };  // rules of equal parity agree
  std::vector<uint8_t> one = {0, 1, 0, 0}, three = {1, 1, 0, 1};
  EXPECT_EQ(findViolation(HitPolicy::Unique, identity(4), one, same, rules), HitViolation::None);
  EXPECT_TRUE(rules.empty());
  EXPECT_EQ(findViolation(HitPolicy::Unique, identity(4), three, same, rules), HitViolation::SeveralMatch);
  EXPECT_EQ(rules, (std::vector<uint32_t>{0, 1, 3}));
  EXPECT_EQ(findViolation(HitPolicy::Any, identity(4), three, same, rules), HitViolation::None);
  EXPECT_EQ(findViolation(HitPolicy::Any, identity(4), three, differ, rules), HitViolation::OutputsDiffer);
  EXPECT_EQ(rules, (std::vector<uint32_t>{0, 1, 3}));  // 0 is first; 1 and 3 differ from it
  for (HitPolicy p : {HitPolicy::First, HitPolicy::Priority, HitPolicy::Collect})
    EXPECT_EQ(findViolation(p, identity(4), three, differ, rules), HitViolation::None) << spelling(p);
}

TEST(Rules, OneWordingOfViolations) {
  EXPECT_EQ(describeViolation(HitViolation::SeveralMatch, false, "tb", {"a", "b", "c"}),
            "table 'tb' (hit unique): rules 'a', 'b' and 'c' all match; every match fires");
  EXPECT_EQ(describeViolation(HitViolation::SeveralMatch, true, "p", {"x", "y"}),
            "pathway 'p' (hit unique): tiers 'x' and 'y' all match; every match fires");
  EXPECT_EQ(describeViolation(HitViolation::OutputsDiffer, false, "tb", {"a", "b"}),
            "table 'tb' (hit any): rules 'a' and 'b' match with different actions; the first fires");
}

// ir::rulesFire (formulas) evaluated on a patient gives what the boolean
// instantiation gives, for every policy and every combination of matches of
// four rules, each guarded by its own boolean input.
TEST(Rules, FormulaFiringAgreesWithBooleanFiring) {
  for (HitPolicy hit : kHitPolicies) {
    ir::Protocol p;
    ir::Table t;
    t.name = "tb";
    t.hit = hit;
    for (int i = 0; i < 4; ++i) {
      ir::Input in;
      in.name = "b" + std::to_string(i);
      in.type = ir::Type::boolean();
      p.inputs.push_back(in);
      ir::Rule r;
      r.name = "r" + std::to_string(i);
      r.priority = i == 1 ? std::optional<int64_t>(1) : std::nullopt;
      r.guard = ir::build::input(i, ir::Type::boolean());
      t.rules.push_back(r);
    }
    p.tables.push_back(t);
    std::vector<ir::ExprRef> formulas = ir::rulesFire(p.tables[0]);
    std::vector<uint32_t> order = ir::ruleOrder(p.tables[0]);
    for (int bits = 0; bits < 16; ++bits) {
      ir::Patient patient;
      std::vector<uint8_t> matched;
      for (int i = 0; i < 4; ++i) {
        patient.push_back(ir::Value::ofBool((bits >> i) & 1));
        matched.push_back((bits >> i) & 1);
      }
      std::vector<uint8_t> want = fired(hit, order, matched);
      ir::Evaluation ev = ir::evaluate(p, patient);
      for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(ir::evaluateBool(p, *formulas[i], patient), bool(want[i])) << spelling(hit) << " bits " << bits;
        EXPECT_EQ(ev.rules[0][i], bool(want[i])) << spelling(hit) << " bits " << bits;
      }
    }
  }
}

// A pathway's tiers are a `unique` table: two tiers applying at once fire
// both and are reported, by the evaluator as by the runtime.
TEST(Rules, PathwayTiersThatClashAreAViolation) {
  ir::Protocol p;
  ir::Pathway pw;
  pw.name = "care";
  for (const char *n : {"first_line", "second_line"}) {
    ir::Tier t;
    t.name = n;
    t.guard = ir::build::boolean(true);
    pw.tiers.push_back(t);
  }
  p.pathways.push_back(pw);
  ir::Evaluation ev = ir::evaluate(p, {});
  EXPECT_EQ(ev.tiers[0], (std::vector<bool>{true, true}));
  ASSERT_EQ(ev.violations.size(), 1u);
  EXPECT_EQ(ev.violations[0].container, ir::Target::Kind::Tier);
  EXPECT_EQ(ir::describe(p, ev.violations[0]),
            "pathway 'care' (hit unique): tiers 'first_line' and 'second_line' all match; every match fires");
}

TEST(Rules, MultipleHitPoliciesFireEveryMatchAndOrderResults) {
  std::vector<uint8_t> m = {1, 1, 0, 1};
  EXPECT_EQ(fired(HitPolicy::RuleOrder, identity(4), m), m);
  EXPECT_EQ(fired(HitPolicy::OutputOrder, identity(4), m), m);
  EXPECT_FALSE(hasSingleOutput(HitPolicy::RuleOrder, Aggregation::None));
  EXPECT_FALSE(hasSingleOutput(HitPolicy::OutputOrder, Aggregation::None));
  EXPECT_FALSE(hasSingleOutput(HitPolicy::Collect, Aggregation::None));
  EXPECT_TRUE(hasSingleOutput(HitPolicy::Collect, Aggregation::Count));
  EXPECT_TRUE(hasSingleOutput(HitPolicy::Any, Aggregation::None));
  // Ranks 2, 0, -, 0: output order sorts by rank, ties in rule order.
  std::vector<int> rank = {2, 0, 9, 0};
  auto byRank = [&](uint32_t r) { return rank[r]; };
  EXPECT_EQ(resultOrder(HitPolicy::OutputOrder, identity(4), m, byRank), (std::vector<uint32_t>{1, 3, 0}));
  EXPECT_EQ(resultOrder(HitPolicy::RuleOrder, identity(4), m, byRank), (std::vector<uint32_t>{0, 1, 3}));
  for (Aggregation a : kAggregations) EXPECT_EQ(parseAggregation(spelling(a)), a);
  EXPECT_FALSE(parseAggregation("avg"));
}

// ir::outputValue, evaluated, is what its definition says for every
// single-output policy and aggregation, on every combination of matches of
// four rules giving 3, 1, 4, 1.
TEST(Rules, OutputValueIsTheFirstFiredValueOrTheAggregate) {
  struct Case {
    HitPolicy hit;
    Aggregation agg;
  };
  const Case cases[] = {{HitPolicy::Unique, Aggregation::None},  {HitPolicy::First, Aggregation::None},
                        {HitPolicy::Priority, Aggregation::None}, {HitPolicy::Any, Aggregation::None},
                        {HitPolicy::Collect, Aggregation::Sum},   {HitPolicy::Collect, Aggregation::Min},
                        {HitPolicy::Collect, Aggregation::Max},   {HitPolicy::Collect, Aggregation::Count}};
  const int values[] = {3, 1, 4, 1};
  for (const Case &c : cases) {
    ir::Protocol p;
    ir::Table t;
    t.name = "tb";
    t.hit = c.hit;
    t.aggregation = c.agg;
    ir::Output out;
    out.name = "v";
    out.type = ir::Type::number();
    out.type.integer = true;
    t.outputs.push_back(out);
    for (int i = 0; i < 4; ++i) {
      ir::Input in;
      in.name = "b" + std::to_string(i);
      in.type = ir::Type::boolean();
      p.inputs.push_back(in);
      ir::Rule r;
      r.name = "r" + std::to_string(i);
      r.priority = i == 2 ? std::optional<int64_t>(1) : std::nullopt;
      r.guard = ir::build::input(i, ir::Type::boolean());
      r.outputs.push_back(ir::build::number(values[i]));
      t.rules.push_back(r);
    }
    p.tables.push_back(t);
    ir::ExprRef value = ir::outputValue(p.tables[0], 0);
    std::vector<uint32_t> order = ir::ruleOrder(p.tables[0]);
    for (int bits = 0; bits < 16; ++bits) {
      ir::Patient patient;
      std::vector<uint8_t> matched;
      for (int i = 0; i < 4; ++i) {
        patient.push_back(ir::Value::ofBool((bits >> i) & 1));
        matched.push_back((bits >> i) & 1);
      }
      std::vector<uint8_t> f = fired(c.hit, order, matched);
      std::vector<int> got;
      for (uint32_t r : order)
        if (f[r]) got.push_back(values[r]);
      std::optional<int> want;
      switch (c.agg) {
        case Aggregation::None: if (!got.empty()) want = got[0]; break;
        case Aggregation::Sum: if (!got.empty()) { want = 0; for (int v : got) *want += v; } break;
        case Aggregation::Min: if (!got.empty()) want = *std::min_element(got.begin(), got.end()); break;
        case Aggregation::Max: if (!got.empty()) want = *std::max_element(got.begin(), got.end()); break;
        case Aggregation::Count: want = static_cast<int>(got.size()); break;
      }
      ir::Value v = ir::evaluate(p, *value, patient);
      ir::Evaluation ev = ir::evaluate(p, patient);
      std::string where = std::string(spelling(c.hit)) + " " + spelling(c.agg) + " bits " + std::to_string(bits);
      EXPECT_EQ(v.missing, !want) << where;
      if (want) {
        EXPECT_EQ(v.number, Rational(*want)) << where;
      }
      EXPECT_TRUE(ev.outputs[0][0] == v) << where;
    }
  }
}
