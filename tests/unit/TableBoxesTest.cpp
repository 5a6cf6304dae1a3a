// Rule boxes of wide tables (verifier/TableBoxes.h): integer rounding of
// the interval analysis, the sweep for intersecting rule pairs and the
// search for a patient in one box outside others, each checked against the
// IR evaluator on a grid of patients that includes every boundary.
#include <gtest/gtest.h>

#include <random>

#include "ir/Columns.h"
#include "ir/Evaluator.h"
#include "verifier/TableBoxes.h"
#include "verifier/Verifier.h"
#include "verifier/Z3Backend.h"

using namespace carepath;
using namespace carepath::ir;
namespace b = carepath::ir::build;

namespace {

Type integerType() {
  Type t = Type::number();
  t.integer = true;
  return t;
}

/// n : integer in 0 .. 300, x : number in 0 .. 300, e : enum { a, b, c }.
Protocol base() {
  Protocol p;
  p.name = "boxes";
  Input n;
  n.name = "n";
  n.type = integerType();
  n.lo = Rational(0);
  n.hi = Rational(300);
  p.inputs.push_back(n);
  Input x;
  x.name = "x";
  x.type = Type::number();
  x.lo = Rational(0);
  x.hi = Rational(300);
  p.inputs.push_back(x);
  p.enums.push_back({"abc", {"a", "b", "c"}});
  Input e;
  e.name = "e";
  e.type = Type::enumeration(0);
  p.inputs.push_back(e);
  return p;
}

ExprRef n() { return b::input(0, integerType()); }
ExprRef x() { return b::input(1, Type::number()); }
ExprRef e() { return b::input(2, Type::enumeration(0)); }
ExprRef num(Rational v) { return b::number(v); }
ExprRef cmp(Op op, ExprRef a, Rational v) { return b::binary(op, std::move(a), num(v)); }
ExprRef all(std::vector<ExprRef> xs) { return b::nary(Op::And, std::move(xs)); }

Rule rule(std::string name, ExprRef guard) {
  Rule r;
  r.name = std::move(name);
  r.guard = std::move(guard);
  return r;
}

Row rowOf(const Protocol &p, const ExprRef &guard) {
  auto rows = verifier::rowsWithinDomain(p, guard);
  EXPECT_TRUE(rows && rows->size() == 1u);
  return rows && !rows->empty() ? rows->front() : Row{};
}

/// Every patient of a grid on and around the cut points the tests use.
std::vector<Patient> grid() {
  std::vector<Patient> out;
  for (int nv : {0, 1, 49, 50, 51, 99, 100, 101, 160, 161, 162, 163, 199, 200, 201, 299, 300})
    for (Rational xv : {Rational(0), Rational(1, 2), Rational(50), Rational(101, 2), Rational(100), Rational(323, 2),
                        Rational(162), Rational(181), Rational(200), Rational(250), Rational(300)})
      for (int ev = 0; ev < 3; ++ev) out.push_back({Value::ofNumber(nv), Value::ofNumber(xv), Value::ofEnum(ev)});
  return out;
}

bool matches(const Protocol &p, const Rule &r, const Patient &patient) { return evaluateBool(p, *r.guard, patient); }

/// A random condition on one or two of the inputs, from a few cut points.
ExprRef randomGuard(std::mt19937 &rng) {
  auto pick = [&](std::vector<int> v) { return v[rng() % v.size()]; };
  std::vector<ExprRef> parts;
  int mask = 1 + static_cast<int>(rng() % 7);
  Op ops[] = {Op::Lt, Op::Le, Op::Gt, Op::Ge};
  if (mask & 1) parts.push_back(cmp(ops[rng() % 4], n(), pick({50, 100, 161, 162, 200})));
  if (mask & 2) parts.push_back(cmp(ops[rng() % 4], x(), pick({50, 100, 162, 200})));
  if (mask & 4) parts.push_back(b::binary(rng() % 2 ? Op::Eq : Op::Ne, e(), b::member(0, pick({0, 1, 2}))));
  return all(std::move(parts));
}

}  // namespace

TEST(TableBoxes, IntegerBoundsAreRoundedToWholeNumbers) {
  Protocol p = base();
  Row below = rowOf(p, cmp(Op::Lt, n(), 162));
  ASSERT_EQ(below.conditions.size(), 1u);
  const Interval &i = below.conditions[0].intervals.at(0);
  EXPECT_EQ(*i.lo, Rational(0));  // the declared range
  EXPECT_EQ(*i.hi, Rational(161));
  EXPECT_TRUE(i.hiClosed);
  Row above = rowOf(p, cmp(Op::Gt, n(), 161));
  EXPECT_EQ(*above.conditions[0].intervals.at(0).lo, Rational(162));
  EXPECT_FALSE(conjoinRows(below, above));
  // A number input keeps its open bound: 161.5 is in both.
  Row xb = rowOf(p, cmp(Op::Lt, x(), 162)), xa = rowOf(p, cmp(Op::Gt, x(), 161));
  EXPECT_FALSE(xb.conditions[0].intervals[0].hiClosed);
  EXPECT_TRUE(conjoinRows(xb, xa));
  // No whole number between 3 and 4: the rule matches nobody.
  auto none = verifier::rowsWithinDomain(p, all({cmp(Op::Gt, n(), 3), cmp(Op::Lt, n(), 4)}));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  // Fractional bounds round inward: n > 2.5 is n >= 3, n <= 7.5 is n <= 7.
  Row frac = rowOf(p, all({cmp(Op::Gt, n(), Rational(5, 2)), cmp(Op::Le, n(), Rational(15, 2))}));
  EXPECT_EQ(*frac.conditions[0].intervals[0].lo, Rational(3));
  EXPECT_EQ(*frac.conditions[0].intervals[0].hi, Rational(7));
}

TEST(TableBoxes, StrictIntegerCutsAreDisjointAndEnumMembersToo) {
  Protocol p = base();
  Table t;
  t.name = "t";
  t.hit = HitPolicy::Unique;
  t.rules = {rule("lo", cmp(Op::Lt, n(), 162)), rule("hi", cmp(Op::Gt, n(), 161)),
             rule("xa", all({cmp(Op::Lt, x(), 162), b::binary(Op::Eq, e(), b::member(0, 0))})),
             rule("xb", all({cmp(Op::Gt, x(), 161), b::binary(Op::Ne, e(), b::member(0, 0))}))};
  verifier::TableBoxes boxes(p, t);
  // lo/hi: integers; xa/xb: members a vs b, c. Every other pair meets.
  std::vector<std::pair<int, int>> expected = {{0, 2}, {0, 3}, {1, 2}, {1, 3}};
  EXPECT_EQ(boxes.intersecting(), expected);
}

TEST(TableBoxes, SweepFindsEveryPairTheEvaluatorSeesMeet) {
  Protocol p = base();
  std::vector<Patient> patients = grid();
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    Table t;
    t.name = "t";
    t.hit = HitPolicy::Unique;
    for (int r = 0; r < 40; ++r) t.rules.push_back(rule("r" + std::to_string(r), randomGuard(rng)));
    verifier::TableBoxes boxes(p, t);
    const auto &pairs = boxes.intersecting();
    std::set<std::pair<int, int>> found(pairs.begin(), pairs.end());
    std::set<std::pair<int, int>> seen;
    for (const Patient &patient : patients) {
      std::vector<int> hit;
      for (int r = 0; r < 40; ++r)
        if (matches(p, t.rules[static_cast<size_t>(r)], patient)) hit.push_back(r);
      for (size_t i = 0; i < hit.size(); ++i)
        for (size_t j = i + 1; j < hit.size(); ++j) seen.insert({hit[i], hit[j]});
    }
    // Sound: every pair some patient matches is a candidate; and on these
    // conditions (one interval per input) the rows are exact, so every
    // candidate is a pair the grid, which holds every cell, sees.
    EXPECT_EQ(found, seen) << "seed " << seed;
  }
}

TEST(TableBoxes, WitnessAvoidsEarlierBoxesOrSaysTheyCover) {
  Protocol p = base();
  Row target = rowOf(p, cmp(Op::Ge, n(), 0));
  Row low = rowOf(p, cmp(Op::Lt, n(), 100));
  Row highA = rowOf(p, all({cmp(Op::Ge, n(), 100), b::binary(Op::Eq, e(), b::member(0, 0))}));
  auto w = verifier::boxWitness(p, target, {&low, &highA});
  ASSERT_TRUE(w);
  EXPECT_GE((*w)[0].number, Rational(100));
  EXPECT_NE((*w)[2].member, 0);
  Row high = rowOf(p, cmp(Op::Gt, n(), 99));  // n >= 100 over the integers
  EXPECT_FALSE(verifier::boxWitness(p, target, {&low, &high}));
  // Over a number input the gap (99, 100) is a cell of its own.
  Row xt = rowOf(p, cmp(Op::Ge, x(), 0));
  Row xlow = rowOf(p, cmp(Op::Le, x(), 99)), xhigh = rowOf(p, cmp(Op::Ge, x(), 100));
  auto wx = verifier::boxWitness(p, xt, {&xlow, &xhigh});
  ASSERT_TRUE(wx);
  EXPECT_GT((*wx)[1].number, Rational(99));
  EXPECT_LT((*wx)[1].number, Rational(100));
}

TEST(TableBoxes, WitnessIsFoundExactlyWhenTheGridHasOne) {
  Protocol p = base();
  std::vector<Patient> patients = grid();
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    Rule target = rule("target", randomGuard(rng));
    std::vector<Rule> avoid;
    for (int k = 0, m = 1 + static_cast<int>(rng() % 6); k < m; ++k) avoid.push_back(rule("a", randomGuard(rng)));
    auto targetRows = verifier::rowsWithinDomain(p, target.guard);
    ASSERT_TRUE(targetRows);
    std::vector<std::vector<Row>> avoidRows;
    for (const Rule &a : avoid) avoidRows.push_back(*verifier::rowsWithinDomain(p, a.guard));
    std::vector<const Row *> ptrs;
    for (const auto &rows : avoidRows)
      for (const Row &r : rows) ptrs.push_back(&r);
    std::optional<Patient> w;
    for (const Row &r : *targetRows)
      if (!w) w = verifier::boxWitness(p, r, ptrs);
    auto outside = [&](const Patient &patient) {
      if (!matches(p, target, patient)) return false;
      for (const Rule &a : avoid)
        if (matches(p, a, patient)) return false;
      return true;
    };
    bool gridHasOne = std::any_of(patients.begin(), patients.end(), outside);
    EXPECT_EQ(w.has_value(), gridHasOne) << "seed " << seed;
    if (w) {
      EXPECT_TRUE(outside(*w)) << "seed " << seed;
    }
  }
}

TEST(TableBoxes, VerifierSweepsIntegerCutsAndStillFindsRealOverlaps) {
  // The same strict cuts on an integer and on a number input: only the
  // number's pair reaches Z3, and it overlaps (161 < x < 162).
  Protocol p = base();
  Table ti;
  ti.name = "whole";
  ti.hit = HitPolicy::Unique;
  ti.rules = {rule("lo", cmp(Op::Lt, n(), 162)), rule("hi", cmp(Op::Gt, n(), 161))};
  Table tx = ti;
  tx.name = "real";
  tx.rules = {rule("lo", cmp(Op::Lt, x(), 162)), rule("hi", cmp(Op::Gt, x(), 161))};
  p.tables = {ti, tx};
  verifier::Options o;
  o.checkModels = true;
  verifier::Report r = verifier::verify(p, o);
  EXPECT_EQ(r.stats.overlapPairs, 2u);
  EXPECT_EQ(r.stats.overlapSwept, 1u);
  std::vector<const verifier::PropertyResult *> overlaps;
  for (const auto &pr : r.properties)
    if (pr.kind == verifier::PropertyKind::TableOverlap) overlaps.push_back(&pr);
  ASSERT_EQ(overlaps.size(), 2u);
  EXPECT_EQ(overlaps[0]->status, verifier::Status::Proved);
  EXPECT_EQ(overlaps[1]->status, verifier::Status::Refuted);
  ASSERT_TRUE(overlaps[1]->counterexample);
  Rational xv = (*overlaps[1]->counterexample)[1].number;
  EXPECT_GT(xv, Rational(161));
  EXPECT_LT(xv, Rational(162));
  EXPECT_TRUE(r.internalErrors.empty());
}

TEST(TableBoxes, FirstTableShadowingDecidedByBoxesAndZ3Alike) {
  // live: keeps 100 <= n < 162 for itself; covered: every patient it
  // matches is taken by `low` or `high` (no box alone covers it: Z3 says so).
  Protocol p = base();
  Table t;
  t.name = "pick";
  t.hit = HitPolicy::First;
  t.rules = {rule("low", cmp(Op::Lt, n(), 100)), rule("high", cmp(Op::Gt, n(), 161)),
             rule("live", cmp(Op::Lt, n(), 200)),
             rule("covered", all({cmp(Op::Gt, n(), 50), b::binary(Op::Eq, e(), b::member(0, 1))}))};
  p.tables = {t};
  verifier::Options o;
  o.checkModels = true;
  verifier::Report r = verifier::verify(p, o);
  std::map<std::string, verifier::Status> shadowed;
  for (const auto &pr : r.properties)
    if (pr.kind == verifier::PropertyKind::RuleShadowed) shadowed[pr.message.substr(0, pr.message.find(' ', 6))] = pr.status;
  ASSERT_EQ(shadowed.size(), 3u);
  EXPECT_EQ(shadowed["rule 'pick.high'"], verifier::Status::Proved);
  EXPECT_EQ(shadowed["rule 'pick.live'"], verifier::Status::Proved);
  EXPECT_EQ(shadowed["rule 'pick.covered'"], verifier::Status::Refuted);
  // The refuted rule names the earlier rules that cover it, a minimal set:
  // 'live' and 'high' (all three can take its patients, but 'low' is not
  // needed: 'live' takes them all below 200). It listed all three before.
  for (const auto &pr : r.properties)
    if (pr.kind == verifier::PropertyKind::RuleShadowed && pr.status == verifier::Status::Refuted) {
      ASSERT_EQ(pr.related.size(), 2u);
      EXPECT_EQ(pr.related[0].message, "earlier rule 'high' covers part of it");
      EXPECT_EQ(pr.related[1].message, "earlier rule 'live' covers part of it");
      EXPECT_EQ(pr.explanation.coveredBy, (std::vector<std::string>{"high", "live"}));
      EXPECT_EQ(pr.explanation.earlier, 3u);
      EXPECT_NE(pr.message.find("2 of its 3 earlier rules cover it: 'high' and 'live'"), std::string::npos) << pr.message;
    }
  EXPECT_GT(r.stats.explanationChecks, 0u);
  // Witnesses from boxes: 2 shadowing checks and 4 dead-rule checks; Z3
  // only for the population and the covered rule.
  EXPECT_EQ(r.stats.witnessesBuilt, 6u);
  EXPECT_EQ(r.stats.solverChecks + r.stats.witnessesReused, 2u);
  EXPECT_TRUE(r.internalErrors.empty());
}

TEST(TableBoxes, MinimalCoreIsPlainDeletionWhateverTheCore) {
  // Three minimal covers of 0 <= n <= 300 among n < 100, n >= 100, n < 150,
  // n >= 150: {0, 1}, {1, 2} and {2, 3}. Deletion in index order drops 0
  // (1 and 2 cover), then 1 (2 and 3 cover), and keeps 2 and 3: that one,
  // whichever core Z3 hands back on the way. Each part is "not E", as a
  // shadowed rule's formula has it.
  Protocol p = base();
  std::vector<ExprRef> parts;
  for (auto [op, v] : std::vector<std::pair<Op, int>>{{Op::Lt, 100}, {Op::Ge, 100}, {Op::Lt, 150}, {Op::Ge, 150}})
    parts.push_back(b::unary(Op::Not, cmp(op, n(), Rational(v))));
  verifier::Z3Backend z3(p, {});
  size_t checks = 0;
  std::optional<std::vector<size_t>> core = z3.minimalCore(b::boolean(true), parts, checks);
  ASSERT_TRUE(core);
  EXPECT_EQ(*core, (std::vector<size_t>{2, 3}));
  EXPECT_GE(checks, 1u);
  EXPECT_LE(checks, 5u);  // the first check, then at most one per part
  // Some patient (n > 200) escapes n < 100 and n < 150: no core.
  EXPECT_FALSE(z3.minimalCore(cmp(Op::Gt, n(), Rational(200)), {parts[0], parts[2]}, checks));
  // The base alone holds for nobody (n <= 300): no part is needed.
  core = z3.minimalCore(cmp(Op::Gt, n(), Rational(400)), parts, checks);
  ASSERT_TRUE(core);
  EXPECT_TRUE(core->empty());
}

TEST(TableBoxes, PinnedWitnessFoldedByZ3OrAskedOnTheSolver) {
  // holdsForSomeAt, one patient: Z3's rewriter folds the ground term to
  // true (no solver check), and anything it does not fold to true is asked
  // on the solver, whose answer stands.
  Protocol p = base();
  auto at = [](int nv, int xv) {
    return std::vector<Value>{Value::ofNumber(Rational(nv)), Value::ofNumber(Rational(xv)), Value::ofEnum(1)};
  };
  verifier::Z3Backend z3(p, {});
  // n > 10 holds at n = 50: folded, no check.
  verifier::Answer yes = z3.holdsForSomeAt(cmp(Op::Gt, n(), Rational(10)), at(50, 0));
  EXPECT_EQ(yes.kind, verifier::Answer::Kind::Yes);
  ASSERT_TRUE(yes.patient);
  EXPECT_EQ((*yes.patient)[0].number, Rational(50));
  EXPECT_EQ(z3.groundConfirmations(), 1u);
  EXPECT_EQ(z3.checks(), 0u);
  // n > 60 is false at n = 51: folded to false, which is not taken; the
  // solver says no.
  EXPECT_EQ(z3.holdsForSomeAt(cmp(Op::Gt, n(), Rational(60)), at(51, 0)).kind, verifier::Answer::Kind::No);
  EXPECT_EQ(z3.groundConfirmations(), 1u);
  EXPECT_EQ(z3.checks(), 1u);
  // Outside the range of n (0 .. 300): the formula alone holds, the domain
  // does not; Z3 says no.
  EXPECT_EQ(z3.holdsForSomeAt(cmp(Op::Gt, n(), Rational(10)), at(301, 0)).kind, verifier::Answer::Kind::No);
  EXPECT_EQ(z3.checks(), 2u);
  // 1 / x > 2 at x = 0: the rewriter leaves the division by zero unfolded;
  // Z3's solver decides (it may interpret 1 / 0 as it likes: yes).
  ExprRef inverse = b::binary(Op::Div, num(Rational(1)), x());
  EXPECT_EQ(z3.holdsForSomeAt(cmp(Op::Gt, inverse, Rational(2)), at(52, 0)).kind, verifier::Answer::Kind::Yes);
  EXPECT_EQ(z3.groundConfirmations(), 1u);
  EXPECT_EQ(z3.checks(), 3u);
  // The first patient again: its model is reused, neither folded nor checked.
  verifier::Answer again = z3.holdsForSomeAt(cmp(Op::Lt, n(), Rational(100)), at(50, 0));
  EXPECT_EQ(again.kind, verifier::Answer::Kind::Yes);
  EXPECT_TRUE(again.reused);
  EXPECT_EQ(z3.groundConfirmations(), 1u);
  EXPECT_EQ(z3.checks(), 3u);
}
