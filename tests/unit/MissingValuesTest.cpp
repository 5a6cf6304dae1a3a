// Missing values: the three-valued logic of carepath/Truth.h against its
// definition ("the answer every filling-in of the unknowns gives, when they
// all agree"), and the IR reference evaluator and the verifier's Z3 encoding
// against that logic on expressions over optional inputs.
#include <gtest/gtest.h>

#include "carepath/Truth.h"
#include "ir/Evaluator.h"
#include "verifier/Verifier.h"
#include "verifier/Z3Backend.h"

using namespace carepath;
using namespace carepath::ir;

namespace {

/// Every way of filling in `u` unknowns: the set of answers.
template <typename F> Truth byFillingIn(uint64_t u, F answer) {
  bool sawTrue = false, sawFalse = false;
  for (uint64_t bits = 0; bits < (uint64_t(1) << u); ++bits) (answer(bits) ? sawTrue : sawFalse) = true;
  return sawTrue && sawFalse ? Truth::Unknown : truth(sawTrue);
}

TEST(Truth, KleeneTablesAreTheFillingInDefinition) {
  const Truth all[] = {Truth::False, Truth::True, Truth::Unknown};
  auto value = [](Truth t, bool fill) { return t == Truth::Unknown ? fill : t == Truth::True; };
  for (Truth a : all) {
    EXPECT_EQ(kleeneNot(a), byFillingIn(1, [&](uint64_t b) { return !value(a, b & 1); }));
    for (Truth b : all) {
      EXPECT_EQ(kleeneAnd(a, b), byFillingIn(2, [&](uint64_t f) { return value(a, f & 1) && value(b, f & 2); }))
          << spelling(a) << " and " << spelling(b);
      EXPECT_EQ(kleeneOr(a, b), byFillingIn(2, [&](uint64_t f) { return value(a, f & 1) || value(b, f & 2); }))
          << spelling(a) << " or " << spelling(b);
    }
  }
}

TEST(Truth, CountingIsTheFillingInDefinition) {
  for (Counting c : {Counting::AtLeast, Counting::AtMost, Counting::Exactly})
    for (uint64_t t = 0; t <= 5; ++t)
      for (uint64_t u = 0; u <= 5; ++u)
        for (uint64_t k = 0; k <= 11; ++k) {
          Truth want = byFillingIn(u, [&](uint64_t bits) {
            uint64_t n = t + static_cast<uint64_t>(__builtin_popcountll(bits));
            return c == Counting::AtLeast ? n >= k : c == Counting::AtMost ? n <= k : n == k;
          });
          EXPECT_EQ(countTruth(c, k, t, u), want) << spelling(c) << " " << k << " with " << t << " true, " << u << " unknown";
        }
}

/// Inputs a, b (optional bools), x (optional number 0..10), y (number 0..10).
struct Fixture {
  Protocol p;
  ExprRef a, b, x, y;
  Fixture() {
    p.name = "t";
    auto add = [&](const std::string &n, Type t, bool optional) {
      Input in;
      in.name = n;
      in.type = t;
      in.optional = optional;
      if (t.kind == Type::Kind::Number) in.lo = 0, in.hi = 10;
      p.inputs.push_back(in);
      return build::input(static_cast<int>(p.inputs.size()) - 1, t, {}, optional);
    };
    a = add("a", Type::boolean(), true);
    b = add("b", Type::boolean(), true);
    x = add("x", Type::number(), true);
    y = add("y", Type::number(), false);
  }
  std::vector<Patient> patients() const {
    std::vector<Patient> out;
    std::vector<Value> bools{Value::ofBool(false), Value::ofBool(true), Value::ofMissing(Type::Kind::Bool)};
    std::vector<Value> xs{Value::ofNumber(2), Value::ofNumber(7), Value::ofMissing(Type::Kind::Number)};
    for (const Value &va : bools)
      for (const Value &vb : bools)
        for (const Value &vx : xs)
          for (int vy : {3, 8}) out.push_back({va, vb, vx, Value::ofNumber(vy)});
    return out;
  }
};

TEST(MissingValues, EvaluatorFollowsTheTruthTables) {
  Fixture f;
  namespace b = build;
  ExprRef xBig = b::binary(Op::Gt, f.x, b::number(5));
  for (const Patient &pt : f.patients()) {
    auto tv = [&](const ExprRef &e) { return evaluate(f.p, *e, pt).truth(); };
    Truth ta = pt[0].truth(), tb = pt[1].truth(), tx = pt[2].missing ? Truth::Unknown : truth(pt[2].number > 5);
    EXPECT_EQ(tv(b::nary(Op::And, {f.a, f.b})), kleeneAnd(ta, tb));
    EXPECT_EQ(tv(b::nary(Op::Or, {f.a, xBig})), kleeneOr(ta, tx));
    EXPECT_EQ(tv(b::unary(Op::Not, xBig)), kleeneNot(tx));
    EXPECT_EQ(tv(b::count(Counting::AtLeast, 2, {f.a, f.b, xBig})),
              countTruth(Counting::AtLeast, 2, (ta == Truth::True) + (tb == Truth::True) + (tx == Truth::True),
                         (ta == Truth::Unknown) + (tb == Truth::Unknown) + (tx == Truth::Unknown)));
    EXPECT_EQ(tv(b::known(f.x)), truth(!pt[2].missing));
    EXPECT_EQ(tv(b::isTrue(f.a)), truth(ta == Truth::True));
    // Arithmetic on a missing value is missing; `if` takes else on unknown.
    EXPECT_EQ(evaluate(f.p, *b::binary(Op::Add, f.x, f.y), pt).missing, pt[2].missing);
    Value chosen = evaluate(f.p, *b::ifThenElse(f.a, f.x, f.y), pt);
    EXPECT_EQ(chosen, ta == Truth::True ? pt[2] : pt[3]);
  }
}

TEST(MissingValues, RequiredInputMayNotBeMissing) {
  Fixture f;
  Patient pt = f.patients()[0];
  pt[3] = Value::ofMissing(Type::Kind::Number);
  EXPECT_THROW(evaluate(f.p, *f.y, pt), EvalError);
}

/// The verifier's encoding agrees with the evaluator: for each formula,
/// "holds for some patient" is answered with a patient on which the
/// evaluator agrees, and "holds for all" is refuted exactly when some
/// enumerated patient falsifies it.
TEST(MissingValues, SolverAgreesWithEvaluator) {
  Fixture f;
  namespace b = build;
  ExprRef xBig = b::binary(Op::Gt, f.x, b::number(5));
  ExprRef sum = b::binary(Op::Add, f.x, f.y);
  std::vector<ExprRef> formulas = {
      b::isTrue(b::nary(Op::And, {f.a, f.b})),
      b::isTrue(b::nary(Op::Or, {f.a, xBig})),
      b::isTrue(b::unary(Op::Not, b::nary(Op::Or, {f.a, xBig}))),
      b::isTrue(b::count(Counting::AtLeast, 2, {f.a, f.b, xBig})),
      b::isTrue(b::count(Counting::Exactly, 1, {f.a, f.b, xBig})),
      b::isTrue(b::count(Counting::AtMost, 1, {f.a, f.b, xBig})),
      b::isTrue(b::binary(Op::Ge, b::ifThenElse(f.a, f.x, f.y), b::number(7))),
      b::isTrue(b::binary(Op::Gt, sum, b::number(12))),
      b::known(sum),
      b::unary(Op::Not, b::known(b::ifThenElse(f.b, f.x, f.y))),
  };
  std::vector<Patient> patients = f.patients();
  for (size_t i = 0; i < formulas.size(); ++i) {
    const ExprRef &phi = formulas[i];
    bool someHolds = false, someFails = false;
    for (const Patient &pt : patients) (evaluateBool(f.p, *phi, pt) ? someHolds : someFails) = true;
    verifier::Z3Backend z3(f.p, {});
    verifier::Answer some = z3.holdsForSome(phi);
    ASSERT_NE(some.kind, verifier::Answer::Kind::Unknown) << i;
    // The enumeration is a subset of patients: holding there implies sat.
    if (someHolds) { EXPECT_EQ(some.kind, verifier::Answer::Kind::Yes) << i; }
    if (some.kind == verifier::Answer::Kind::Yes) { EXPECT_TRUE(evaluateBool(f.p, *phi, *some.patient)) << i; }
    verifier::Answer all = z3.holdsForAll(phi);
    ASSERT_NE(all.kind, verifier::Answer::Kind::Unknown) << i;
    if (someFails) { EXPECT_EQ(all.kind, verifier::Answer::Kind::No) << i; }
    if (all.kind == verifier::Answer::Kind::No) { EXPECT_FALSE(evaluateBool(f.p, *phi, *all.patient)) << i; }
  }
}

}  // namespace
