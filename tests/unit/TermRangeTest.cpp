// verifier/TermRange: the interval a dose term can take over the inputs'
// declared ranges, which the dose envelopes propose to Z3 as the extremum.
#include <gtest/gtest.h>

#include "verifier/TermRange.h"

using namespace carepath;
using namespace carepath::ir;
namespace b = carepath::ir::build;

namespace {

const Dimension kMass{{{"mass", 1}}};

/// weight 2..150 kg (canonical mg), height with no upper end, a define.
Protocol protocol() {
  Protocol p;
  Input w;
  w.name = "weight";
  w.type = Type::number(kMass);
  w.lo = Rational(2000000);
  w.hi = Rational(150000000);
  p.inputs.push_back(w);
  Input h;
  h.name = "height";
  h.type = Type::number({});
  h.lo = Rational(0);
  p.inputs.push_back(h);
  Input d;
  d.name = "delta";
  d.type = Type::number({});
  d.lo = Rational(-1);
  d.hi = Rational(1);
  p.inputs.push_back(d);
  p.defines.push_back({"perKg", b::binary(Op::Mul, b::number(Rational(30, 1000000)), b::input(0, w.type)), "", {}, {}});
  return p;
}

ExprRef weight() { return b::input(0, Type::number(kMass)); }
ExprRef height() { return b::input(1, Type::number({})); }
ExprRef delta() { return b::input(2, Type::number({})); }
ExprRef num(int64_t n, int64_t d = 1) { return b::number(Rational(n, d)); }

void expectRange(const Protocol &p, const ExprRef &e, Rational lo, Rational hi) {
  std::optional<verifier::TermRange> r = verifier::termRange(p, *e);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->lo, lo);
  EXPECT_EQ(r->hi, hi);
}

}  // namespace

TEST(TermRangeTest, WeightBasedDoseUnderACap) {
  Protocol p = protocol();
  ExprRef perKg = b::define(0, Type::number({}));
  expectRange(p, perKg, Rational(60), Rational(4500));                         // 30 mg/kg * 2..150 kg
  expectRange(p, b::nary(Op::Min, {perKg, num(1000)}), Rational(60), Rational(1000));
  expectRange(p, b::nary(Op::Max, {perKg, num(100)}), Rational(100), Rational(4500));
}

TEST(TermRangeTest, ArithmeticTakesTheCorners) {
  Protocol p = protocol();
  expectRange(p, b::unary(Op::Neg, delta()), Rational(-1), Rational(1));
  expectRange(p, b::binary(Op::Sub, num(5), delta()), Rational(4), Rational(6));
  expectRange(p, b::binary(Op::Add, delta(), delta()), Rational(-2), Rational(2));  // an outer bound, not exact
  expectRange(p, b::binary(Op::Mul, delta(), num(-3)), Rational(-3), Rational(3));
  expectRange(p, b::binary(Op::Div, num(10), weight()), Rational(10, 150000000), Rational(10, 2000000));
  expectRange(p, b::ifThenElse(b::binary(Op::Gt, delta(), num(0)), num(7), weight()), Rational(7), Rational(150000000));
}

TEST(TermRangeTest, NoRangeWhereNoneIsKnown) {
  Protocol p = protocol();
  EXPECT_FALSE(verifier::termRange(p, *height()));                                // no upper end
  EXPECT_FALSE(verifier::termRange(p, *b::binary(Op::Mul, height(), num(2))));
  EXPECT_FALSE(verifier::termRange(p, *b::binary(Op::Div, num(1), delta())));  // the divisor's range holds 0
  EXPECT_FALSE(verifier::termRange(p, *b::boolean(true)));
}
