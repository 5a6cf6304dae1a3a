// Population assumptions on IR built by hand: ir::assumptionHolds reads a
// missing value as possible, the evaluator lists the violated ones (and
// ir::assumptionViolated, what the exports write, agrees with it), and
// the verifier proves under them what holds only for the patients they
// allow (and says which ones a counterexample satisfies).
#include <gtest/gtest.h>

#include <algorithm>

#include "ir/Evaluator.h"
#include "verifier/Verifier.h"

using namespace carepath;
using namespace carepath::ir;
namespace b = carepath::ir::build;

namespace {

/// weight 0..100 (a number), an optional lab value 0..10, `high` when weight > 50.
Protocol base() {
  Protocol p;
  p.name = "a";
  Input w;
  w.name = "weight";
  w.type = Type::number();
  w.lo = Rational(0);
  w.hi = Rational(100);
  p.inputs.push_back(w);
  Input lab;
  lab.name = "lab";
  lab.type = Type::number();
  lab.lo = Rational(0);
  lab.hi = Rational(10);
  lab.optional = true;
  p.inputs.push_back(lab);
  Table t;
  t.name = "t";
  t.hit = HitPolicy::First;
  Rule r;
  r.name = "high";
  r.guard = b::binary(Op::Gt, b::input(0, Type::number()), b::number(Rational(50)));
  Action a;
  a.kind = ActionKind::Do;
  a.name = "treat";
  r.actions.push_back(a);
  t.rules.push_back(r);
  p.tables.push_back(t);
  return p;
}

Assumption assume(const std::string &name, ExprRef c) {
  Assumption a;
  a.name = name;
  a.condition = std::move(c);
  return a;
}

ExprRef weightAtMost(int64_t n) { return b::binary(Op::Le, b::input(0, Type::number()), b::number(Rational(n))); }
ExprRef labAtMost(int64_t n) {
  return b::binary(Op::Le, b::input(1, Type::number(), {}, true), b::number(Rational(n)));
}

Patient patient(int64_t weight, std::optional<int64_t> lab) {
  return {Value::ofNumber(Rational(weight)), lab ? Value::ofNumber(Rational(*lab)) : Value::ofMissing(Type::Kind::Number)};
}

verifier::Options checking() {
  verifier::Options o;
  o.checkModels = true;
  o.timeoutMs = 5000;
  return o;
}

}  // namespace

TEST(AssumptionsTest, AMissingValueLeavesThePatientPossible) {
  Protocol p = base();
  p.assumptions.push_back(assume("light", weightAtMost(80)));
  p.assumptions.push_back(assume("low_lab", labAtMost(5)));
  EXPECT_TRUE(evaluate(p, patient(60, std::nullopt)).violatedAssumptions.empty());
  EXPECT_EQ(evaluate(p, patient(90, 3)).violatedAssumptions, std::vector<int>{0});
  EXPECT_EQ(evaluate(p, patient(90, 7)).violatedAssumptions, (std::vector<int>{0, 1}));
  // Flagged, not silenced: the decision is the same.
  EXPECT_TRUE(evaluate(p, patient(90, 7)).rules[0][0]);
}

// What the exports write (docs/interop.md): ir::assumptionViolated is never
// missing, and true exactly for the assumptions the evaluator flags, a
// missing value included.
TEST(AssumptionsTest, ViolatedIsKnownAndWhatTheEvaluatorFlags) {
  Protocol p = base();
  p.assumptions.push_back(assume("light", weightAtMost(80)));
  p.assumptions.push_back(assume("low_lab", labAtMost(5)));
  for (int64_t w : {60, 80, 81, 90})
    for (std::optional<int64_t> lab : {std::optional<int64_t>(), std::optional<int64_t>(3), std::optional<int64_t>(7)}) {
      Patient pt = patient(w, lab);
      std::vector<int> flagged = evaluate(p, pt).violatedAssumptions;
      for (int k = 0; k < 2; ++k) {
        Value v = evaluate(p, *assumptionViolated(p.assumptions[k]), pt);
        EXPECT_FALSE(v.missing) << "weight " << w << ", assumption " << k;
        EXPECT_EQ(v.boolean, std::find(flagged.begin(), flagged.end(), k) != flagged.end())
            << "weight " << w << ", assumption " << k;
      }
    }
}

TEST(AssumptionsTest, APropertyRefutedOnlyByExcludedPatientsIsProved) {
  Protocol p = base();
  Property never;
  never.kind = Property::Kind::Never;
  never.expr = b::binary(Op::Gt, b::input(0, Type::number()), b::number(Rational(80)));
  p.properties.push_back(never);
  verifier::Report without = verifier::verify(p, checking());
  EXPECT_EQ(without.verdict(), verifier::Verdict::Failed);

  p.assumptions.push_back(assume("light", weightAtMost(80)));
  verifier::Report under = verifier::verify(p, checking());
  EXPECT_EQ(under.verdict(), verifier::Verdict::Verified);
  EXPECT_TRUE(under.internalErrors.empty());
}

TEST(AssumptionsTest, ACounterexampleNamesTheAssumptionsItSatisfies) {
  Protocol p = base();
  Property never;
  never.kind = Property::Kind::Never;
  never.expr = b::binary(Op::Gt, b::input(0, Type::number()), b::number(Rational(60)));
  p.properties.push_back(never);
  p.assumptions.push_back(assume("light", weightAtMost(80)));
  verifier::Report r = verifier::verify(p, checking());
  EXPECT_EQ(r.verdict(), verifier::Verdict::Failed);
  const verifier::PropertyResult *refuted = nullptr;
  for (const auto &res : r.properties)
    if (res.status == verifier::Status::Refuted) refuted = &res;
  ASSERT_TRUE(refuted && refuted->counterexample);
  EXPECT_EQ(refuted->assumptions, std::vector<std::string>{"light"});
  EXPECT_LE((*refuted->counterexample)[0].number, Rational(80));
  EXPECT_TRUE(r.internalErrors.empty());
}

TEST(AssumptionsTest, AssumptionsNoPatientSatisfiesTogetherAreNamed) {
  Protocol p = base();
  p.assumptions.push_back(assume("light", weightAtMost(20)));
  p.assumptions.push_back(assume("any_lab", labAtMost(10)));
  p.assumptions.push_back(assume("heavy", b::binary(Op::Ge, b::input(0, Type::number()), b::number(Rational(30)))));
  verifier::Report r = verifier::verify(p, checking());
  EXPECT_EQ(r.verdict(), verifier::Verdict::Failed);
  bool named = false;
  for (const auto &res : r.properties)
    if (res.kind == verifier::PropertyKind::Population && res.status == verifier::Status::Refuted)
      named = res.message.find("'light' and 'heavy' together") != std::string::npos;
  EXPECT_TRUE(named);
}
