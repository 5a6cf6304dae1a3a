// The IR reference evaluator on protocols built by hand: exact doses and
// caps, defines, population, pathways, and every hit policy.
#include <gtest/gtest.h>

#include "ir/Evaluator.h"
#include "ir/PatientInput.h"

using namespace carepath;
using namespace carepath::ir;

namespace {

const Dimension kMass{{{"mass", 1}}};
const Dimension kDuration{{{"duration", 1}}};
const Rational kKg = 1000000;  // mg
const Rational kYear = 8766;   // h

SourceRange at(uint32_t offset) { return {0, offset, offset + 1}; }

/// inputs: weight (mass), age (duration), flag (bool), level (enum a, b, c).
struct Fixture {
  Protocol p;
  ExprRef weight, age, flag, level;

  Fixture() {
    p.name = "t";
    p.enums.push_back({"level", {"a", "b", "c"}});
    addInput("weight", Type::number(kMass), Rational(2) * kKg, Rational(150) * kKg, {"kg", kMass, kKg});
    addInput("age", Type::number(kDuration), 0, Rational(120) * kYear, {"years", kDuration, kYear});
    addInput("flag", Type::boolean());
    addInput("level", Type::enumeration(0));
    weight = build::input(0, p.inputs[0].type);
    age = build::input(1, p.inputs[1].type);
    flag = build::input(2, p.inputs[2].type);
    level = build::input(3, p.inputs[3].type);
    p.units["mg"] = {"mg", kMass, 1};
    p.units["g"] = {"g", kMass, 1000};
    p.units["kg"] = {"kg", kMass, kKg};
    p.units["h"] = {"h", kDuration, 1};
    p.units["years"] = {"years", kDuration, kYear};
    p.drugs.push_back({"mp", "", "iv", {}, {}, {}});
    p.dosingWeight = 0;
  }

  void addInput(std::string name, Type t, std::optional<Rational> lo = {}, std::optional<Rational> hi = {},
                Unit display = {}) {
    Input in;
    in.name = std::move(name);
    in.type = t;
    in.lo = lo;
    in.hi = hi;
    in.displayUnit = display;
    p.inputs.push_back(in);
  }

  ExprRef levelIs(int m) { return build::binary(Op::Eq, level, build::member(0, m)); }

  static Patient patient(Rational weightKg, Rational ageYears, bool flag, int level) {
    return {Value::ofNumber(weightKg * kKg), Value::ofNumber(ageYears * kYear), Value::ofBool(flag), Value::ofEnum(level)};
  }

  /// give mp dose 30 mg/kg * weight per day max 1 g per day
  Action pulse() {
    Action a;
    a.kind = ActionKind::Give;
    a.name = "mp";
    a.drug = 0;
    a.dose = build::binary(Op::Mul, build::number(Rational(30) / kKg), weight);
    a.cap = build::number(1000, kMass);
    a.basis.kind = Basis::Kind::PerTime;
    a.basis.span = 24;
    a.basis.timeUnit = "day";
    a.doseUnit = {"mg", kMass, 1};
    return a;
  }

  static Action doAction(std::string name) {
    Action a;
    a.kind = ActionKind::Do;
    a.name = std::move(name);
    return a;
  }

  Table &table(HitPolicy hit, std::vector<std::pair<ExprRef, std::string>> rules) {
    Table t;
    t.name = "tb";
    t.hit = hit;
    for (auto &[guard, action] : rules) {
      Rule r;
      r.name = "r" + std::to_string(t.rules.size() + 1);
      r.guard = guard;
      r.actions.push_back(doAction(action));
      t.rules.push_back(r);
    }
    p.tables.push_back(t);
    return p.tables.back();
  }
};

std::vector<std::string> actionNames(const Evaluation &ev) {
  std::vector<std::string> names;
  for (const FiredAction &a : ev.actions) names.push_back(a.action->name);
  return names;
}

TEST(EvaluatorDose, WeightBasedDoseIsExact) {
  Fixture f;
  Pathway pw;
  pw.name = "pw";
  Tier t;
  t.name = "first";
  t.guard = build::boolean(true);
  t.actions.push_back(f.pulse());
  pw.tiers.push_back(t);
  f.p.pathways.push_back(pw);

  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 0));
  ASSERT_EQ(ev.actions.size(), 1u);
  EXPECT_EQ(*ev.actions[0].amount, Rational(420));

  // 14.35 kg: 430.5 mg exactly, not a double's approximation.
  ev = evaluate(f.p, Fixture::patient(Rational(1435, 100), 3, true, 0));
  EXPECT_EQ(*ev.actions[0].amount, Rational(861, 2));

  // 1/3 of a kilogram more than 10: 310 mg exactly.
  ev = evaluate(f.p, Fixture::patient(Rational(31, 3), 3, true, 0));
  EXPECT_EQ(*ev.actions[0].amount, Rational(310));
}

TEST(EvaluatorDose, CapIsMinOfDoseAndCap) {
  Fixture f;
  Pathway pw;
  pw.name = "pw";
  Tier t;
  t.name = "first";
  t.guard = build::boolean(true);
  t.actions.push_back(f.pulse());
  pw.tiers.push_back(t);
  f.p.pathways.push_back(pw);

  EXPECT_EQ(*evaluate(f.p, Fixture::patient(33, 10, true, 0)).actions[0].amount, Rational(990));
  EXPECT_EQ(*evaluate(f.p, Fixture::patient(Rational(100, 3), 10, true, 0)).actions[0].amount, Rational(1000));
  EXPECT_EQ(*evaluate(f.p, Fixture::patient(40, 12, true, 0)).actions[0].amount, Rational(1000));
}

TEST(EvaluatorDose, RangeGivesBothEndsEachCapped) {
  Fixture f;
  Pathway pw;
  pw.name = "pw";
  Tier t;
  t.name = "first";
  t.guard = build::boolean(true);
  // 20 .. 30 mg/kg per day, max 1 g per day.
  Action a = f.pulse();
  a.dose = build::binary(Op::Mul, build::number(Rational(20) / kKg), f.weight);
  a.doseHigh = build::binary(Op::Mul, build::number(Rational(30) / kKg), f.weight);
  t.actions.push_back(a);
  pw.tiers.push_back(t);
  f.p.pathways.push_back(pw);

  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 0));
  EXPECT_EQ(*ev.actions[0].amount, Rational(280));
  EXPECT_EQ(*ev.actions[0].amountHigh, Rational(420));
  // 40 kg: 800 mg .. 1200 mg, the high end capped at 1 g.
  ev = evaluate(f.p, Fixture::patient(40, 12, true, 0));
  EXPECT_EQ(*ev.actions[0].amount, Rational(800));
  EXPECT_EQ(*ev.actions[0].amountHigh, Rational(1000));
  // 60 kg: both ends capped, the range is one amount.
  ev = evaluate(f.p, Fixture::patient(60, 12, true, 0));
  EXPECT_EQ(*ev.actions[0].amount, Rational(1000));
  EXPECT_EQ(*ev.actions[0].amountHigh, Rational(1000));
  // A single dose has amountHigh == amount.
  f.p.pathways[0].tiers[0].actions[0] = f.pulse();
  ev = evaluate(f.p, Fixture::patient(14, 3, true, 0));
  EXPECT_EQ(ev.actions[0].amountHigh, ev.actions[0].amount);
}

TEST(EvaluatorDose, RangeEmptyForThePatientIsAnError) {
  Fixture f;
  Table &t = f.table(HitPolicy::Collect, {{build::boolean(true), "x"}});
  // 30 mg/kg * weight .. 500 mg: empty above 16 2/3 kg.
  Action a = f.pulse();
  a.cap = nullptr;
  a.doseHigh = build::number(500, kMass);
  t.rules[0].actions = {a};
  EXPECT_EQ(*evaluate(f.p, Fixture::patient(10, 3, true, 0)).actions[0].amountHigh, Rational(500));
  EXPECT_THROW(evaluate(f.p, Fixture::patient(20, 3, true, 0)), EvalError);
}

TEST(EvaluatorDose, UnspecifiedDoseHasNoAmount) {
  Fixture f;
  Table &t = f.table(HitPolicy::Collect, {{build::boolean(true), "x"}});
  Action give;
  give.kind = ActionKind::Give;
  give.name = "mp";
  give.drug = 0;
  give.doseUnspecified = "the source gives no dose";
  t.rules[0].actions = {give};
  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 0));
  ASSERT_EQ(ev.actions.size(), 1u);
  EXPECT_FALSE(ev.actions[0].amount.has_value());
}

TEST(EvaluatorExpr, ArithmeticComparisonsAndMinMax) {
  Fixture f;
  Patient pt = Fixture::patient(14, 3, true, 1);
  // 0.1 + 0.2 == 0.3 exactly.
  auto sum = build::binary(Op::Add, build::number(Rational(1, 10)), build::number(Rational(2, 10)));
  EXPECT_TRUE(evaluateBool(f.p, *build::binary(Op::Eq, sum, build::number(Rational(3, 10))), pt));
  // weight > 14 kg is false, >= is true.
  EXPECT_FALSE(evaluateBool(f.p, *build::binary(Op::Gt, f.weight, build::number(Rational(14) * kKg, kMass)), pt));
  EXPECT_TRUE(evaluateBool(f.p, *build::binary(Op::Ge, f.weight, build::number(Rational(14) * kKg, kMass)), pt));
  EXPECT_TRUE(evaluateBool(f.p, *f.levelIs(1), pt));
  EXPECT_TRUE(evaluateBool(f.p, *build::binary(Op::Ne, f.level, build::member(0, 2)), pt));
  auto mn = build::nary(Op::Min, {build::number(5), build::number(Rational(-7, 2)), build::number(3)});
  EXPECT_EQ(evaluate(f.p, *mn, pt).number, Rational(-7, 2));
  auto mx = build::nary(Op::Max, {build::number(5), build::number(Rational(-7, 2)), build::number(3)});
  EXPECT_EQ(evaluate(f.p, *mx, pt).number, Rational(5));
  EXPECT_EQ(evaluate(f.p, *build::unary(Op::Neg, build::number(4)), pt).number, Rational(-4));
  auto div = build::binary(Op::Div, build::number(1), build::number(3));
  EXPECT_EQ(evaluate(f.p, *div, pt).number, Rational(1, 3));
  auto notFlag = build::unary(Op::Not, f.flag);
  EXPECT_FALSE(evaluateBool(f.p, *notFlag, pt));
  EXPECT_TRUE(evaluateBool(f.p, *build::nary(Op::Or, {notFlag, f.flag}), pt));
  EXPECT_FALSE(evaluateBool(f.p, *build::nary(Op::And, {notFlag, f.flag}), pt));
}

TEST(EvaluatorExpr, DivisionByZeroIsALocatedError) {
  Fixture f;
  auto zero = build::binary(Op::Sub, f.weight, f.weight);
  auto div = build::binary(Op::Div, build::number(1), zero, at(42));
  try {
    evaluate(f.p, *div, Fixture::patient(14, 3, true, 0));
    FAIL() << "no error";
  } catch (const EvalError &e) {
    EXPECT_EQ(e.range, at(42));
    EXPECT_NE(std::string(e.what()).find("division by zero"), std::string::npos);
  }
}

TEST(EvaluatorExpr, OverflowIsALocatedError) {
  Fixture f;
  auto big = build::number(Rational(INT64_MAX / 2));
  auto product = build::binary(Op::Mul, big, big, at(7));
  try {
    evaluate(f.p, *product, Fixture::patient(14, 3, true, 0));
    FAIL() << "no error";
  } catch (const EvalError &e) {
    EXPECT_EQ(e.range, at(7));
    EXPECT_NE(std::string(e.what()).find("overflow"), std::string::npos);
  }
}

TEST(EvaluatorExpr, PatientMustFitTheInputs) {
  Fixture f;
  Patient wrongSize = {Value::ofBool(true)};
  EXPECT_THROW(evaluate(f.p, *f.flag, wrongSize), EvalError);
  Patient wrongKind = Fixture::patient(14, 3, true, 0);
  wrongKind[2] = Value::ofNumber(1);
  EXPECT_THROW(evaluate(f.p, *f.flag, wrongKind), EvalError);
}

TEST(EvaluatorDefines, DefinesAreEvaluatedAndShared) {
  Fixture f;
  f.p.defines.push_back({"heavy", build::binary(Op::Ge, f.weight, build::number(Rational(30) * kKg, kMass)), "", {}, {}});
  auto heavy = build::define(0, Type::boolean());
  f.table(HitPolicy::Collect, {{heavy, "big"}, {build::unary(Op::Not, heavy), "small"}});
  EXPECT_EQ(actionNames(evaluate(f.p, Fixture::patient(40, 12, true, 0))), std::vector<std::string>{"big"});
  EXPECT_EQ(actionNames(evaluate(f.p, Fixture::patient(10, 1, true, 0))), std::vector<std::string>{"small"});
}

TEST(EvaluatorDefines, SelfReferenceIsAnErrorNotARecursion) {
  Fixture f;
  f.p.defines.push_back({"loop", nullptr, "", {}, at(3)});
  f.p.defines[0].value = build::unary(Op::Not, build::define(0, Type::boolean()));
  EXPECT_THROW(evaluate(f.p, *build::define(0, Type::boolean()), Fixture::patient(14, 3, true, 0)), EvalError);
}

TEST(EvaluatorPopulation, OutsideNothingFires) {
  Fixture f;
  f.p.population = build::binary(Op::Lt, f.age, build::number(Rational(18) * kYear, kDuration));
  f.table(HitPolicy::Collect, {{build::boolean(true), "always"}});
  Pathway pw;
  pw.name = "pw";
  Tier t;
  t.name = "t";
  t.guard = build::boolean(true);
  pw.tiers.push_back(t);
  f.p.pathways.push_back(pw);

  Evaluation in = evaluate(f.p, Fixture::patient(14, 3, true, 0));
  EXPECT_TRUE(in.inPopulation);
  EXPECT_TRUE(in.rules[0][0]);
  EXPECT_TRUE(in.tiers[0][0]);

  Evaluation out = evaluate(f.p, Fixture::patient(70, 30, true, 0));
  EXPECT_FALSE(out.inPopulation);
  EXPECT_FALSE(out.rules[0][0]);
  EXPECT_FALSE(out.tiers[0][0]);
  EXPECT_TRUE(out.actions.empty());
  // The boundary: exactly 18 years is outside (`age < 18 years`).
  EXPECT_FALSE(evaluate(f.p, Fixture::patient(14, 18, true, 0)).inPopulation);
}

TEST(EvaluatorPathway, EntryAndGuardsAndEveryHoldingTierRecorded) {
  Fixture f;
  Pathway pw;
  pw.name = "pw";
  pw.entry = f.flag;
  Tier a, b, c;
  a.name = "a";
  a.guard = f.levelIs(0);
  a.actions.push_back(Fixture::doAction("act_a"));
  b.name = "b";
  b.guard = build::unary(Op::Not, f.levelIs(0));
  b.actions.push_back(Fixture::doAction("act_b"));
  c.name = "c";  // overlaps b: recorded too; exclusivity is the verifier's job
  c.guard = f.levelIs(2);
  c.actions.push_back(Fixture::doAction("act_c"));
  pw.tiers = {a, b, c};
  f.p.pathways.push_back(pw);

  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 0));
  EXPECT_EQ(ev.tiers[0], (std::vector<bool>{true, false, false}));
  EXPECT_EQ(actionNames(ev), std::vector<std::string>{"act_a"});
  EXPECT_EQ(ev.actions[0].from.kind, Target::Kind::Tier);

  ev = evaluate(f.p, Fixture::patient(14, 3, true, 2));
  EXPECT_EQ(ev.tiers[0], (std::vector<bool>{false, true, true}));
  EXPECT_EQ(actionNames(ev), (std::vector<std::string>{"act_b", "act_c"}));

  ev = evaluate(f.p, Fixture::patient(14, 3, false, 0));  // entry fails
  EXPECT_EQ(ev.tiers[0], (std::vector<bool>{false, false, false}));
  EXPECT_TRUE(ev.actions.empty());
}

// Three rules: r1 when level in {a, b}; r2 when level == b; r3 always.
struct HitFixture : Fixture {
  explicit HitFixture(HitPolicy hit) {
    table(hit, {{build::nary(Op::Or, {levelIs(0), levelIs(1)}), "one"}, {levelIs(1), "two"}, {build::boolean(true), "three"}});
  }
};

TEST(EvaluatorHitPolicy, CollectFiresEveryMatch) {
  HitFixture f(HitPolicy::Collect);
  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 1));
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{true, true, true}));
  EXPECT_EQ(actionNames(ev), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(ev.violations.empty());
}

TEST(EvaluatorHitPolicy, FirstFiresTheFirstMatch) {
  HitFixture f(HitPolicy::First);
  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 1));
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{true, false, false}));
  EXPECT_EQ(ev.matched[0], (std::vector<bool>{true, true, true}));
  EXPECT_EQ(actionNames(ev), std::vector<std::string>{"one"});
  ev = evaluate(f.p, Fixture::patient(14, 3, true, 2));
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{false, false, true}));
}

TEST(EvaluatorHitPolicy, UniqueViolationNamesTheRulesAndFiresAll) {
  HitFixture f(HitPolicy::Unique);
  f.p.tables[0].rules.pop_back();  // r1, r2 only
  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 0));
  EXPECT_TRUE(ev.violations.empty());
  EXPECT_EQ(actionNames(ev), std::vector<std::string>{"one"});

  ev = evaluate(f.p, Fixture::patient(14, 3, true, 1));
  ASSERT_EQ(ev.violations.size(), 1u);
  EXPECT_EQ(ev.violations[0].kind, HitViolation::SeveralMatch);
  EXPECT_EQ(ev.violations[0].rules, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(describe(f.p, ev.violations[0]), "table 'tb' (hit unique): rules 'r1' and 'r2' all match; every match fires");
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{true, true}));
}

TEST(EvaluatorHitPolicy, PriorityLowestNumberWinsUnnumberedLast) {
  HitFixture f(HitPolicy::Priority);
  Table &t = f.p.tables[0];
  t.rules[0].priority.reset();  // r1: unnumbered
  t.rules[1].priority = 5;      // r2
  t.rules[2].priority = 2;      // r3: always matches, highest priority
  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 1));
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{false, false, true}));

  t.rules[2].priority.reset();  // r1 and r3 unnumbered: r2 (5) first, then r1 before r3
  ev = evaluate(f.p, Fixture::patient(14, 3, true, 1));
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{false, true, false}));
  ev = evaluate(f.p, Fixture::patient(14, 3, true, 0));
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{true, false, false}));

  t.rules[0].priority = 5;  // a tie between r1 and r2: the earlier rule wins
  ev = evaluate(f.p, Fixture::patient(14, 3, true, 1));
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{true, false, false}));
}

TEST(EvaluatorHitPolicy, AnyRequiresIdenticalActions) {
  HitFixture f(HitPolicy::Any);
  Table &t = f.p.tables[0];
  // r1 and r2 give the same action; r3 a different one.
  t.rules[1].actions = t.rules[0].actions;
  t.rules[1].actions[0].note = "notes do not make actions different";
  Evaluation ev = evaluate(f.p, Fixture::patient(14, 3, true, 1));
  ASSERT_EQ(ev.violations.size(), 1u);  // r3 differs
  EXPECT_EQ(ev.violations[0].kind, HitViolation::OutputsDiffer);
  EXPECT_EQ(ev.violations[0].rules, (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(describe(f.p, ev.violations[0]),
            "table 'tb' (hit any): rules 'r1' and 'r3' match with different actions; the first fires");
  EXPECT_EQ(ev.rules[0], (std::vector<bool>{true, false, false}));

  t.rules[2].guard = build::boolean(false);
  ev = evaluate(f.p, Fixture::patient(14, 3, true, 1));
  EXPECT_TRUE(ev.violations.empty());
  EXPECT_EQ(actionNames(ev), std::vector<std::string>{"one"});
}

TEST(EvaluatorHitPolicy, AnyComparesComputedDoses) {
  Fixture f;
  Table &t = f.table(HitPolicy::Any, {{build::boolean(true), "x"}, {f.flag, "y"}});
  t.rules[0].actions = {f.pulse()};
  t.rules[1].actions = {f.pulse()};
  t.rules[1].actions[0].cap = build::number(400, kMass);  // differs only for patients above 400 mg
  EXPECT_TRUE(evaluate(f.p, Fixture::patient(10, 1, true, 0)).violations.empty());
  EXPECT_FALSE(evaluate(f.p, Fixture::patient(14, 3, true, 0)).violations.empty());
}

TEST(EvaluatorPatientInput, SpecsComeFromTheProtocol) {
  Fixture f;
  auto specs = inputSpecs(f.p);
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].dimension, "mass");
  EXPECT_EQ(specs[0].displayUnit, "kg");
  EXPECT_EQ(specs[0].units.size(), 3u);  // g, kg, mg
  EXPECT_EQ(specs[3].members, (std::vector<std::string>{"a", "b", "c"}));

  std::vector<runtime::PatientError> errors;
  auto patient = readPatient(f.p, R"({"weight": "14.35 kg", "age": {"value": 3, "unit": "years"},
                                      "flag": true, "level": "c"})",
                             errors);
  ASSERT_TRUE(patient) << (errors.empty() ? "" : errors[0].message);
  EXPECT_EQ((*patient)[0], Value::ofNumber(Rational(14350000)));
  EXPECT_EQ((*patient)[1], Value::ofNumber(Rational(3) * kYear));
  EXPECT_EQ((*patient)[2], Value::ofBool(true));
  EXPECT_EQ((*patient)[3], Value::ofEnum(2));
  EXPECT_EQ(toValue(fromValue((*patient)[0])), (*patient)[0]);

  errors.clear();
  EXPECT_FALSE(readPatient(f.p, R"({"weight": "14 h", "age": "3 years", "flag": true, "level": "c"})", errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("'h' is a duration unit"), std::string::npos) << errors[0].message;
}

}  // namespace
