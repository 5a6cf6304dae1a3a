// The verifier on IR built by hand: each property kind proved on a correct
// protocol and refuted (with a patient the evaluator confirms) on a broken one.
#include <gtest/gtest.h>

#include "ir/Evaluator.h"
#include "verifier/Conditions.h"
#include "verifier/Display.h"
#include "verifier/Verifier.h"

using namespace carepath;
using namespace carepath::ir;
namespace b = carepath::ir::build;

namespace {

const Dimension kMass{{{"mass", 1}}};
const Dimension kPerMass{};  // mass / mass cancels

Unit unit(const char *name, Dimension d, Rational f) { return Unit{name, std::move(d), f}; }

/// weight 2..150 kg, fever, status {untreated, failed}.
Protocol base() {
  Protocol p;
  p.name = "t";
  p.units["mg"] = unit("mg", kMass, Rational(1));
  p.units["kg"] = unit("kg", kMass, Rational(1000000));
  p.units["g"] = unit("g", kMass, Rational(1000));
  Input w;
  w.name = "weight";
  w.type = Type::number(kMass);
  w.lo = Rational(2000000);
  w.hi = Rational(150000000);
  w.displayUnit = p.units["kg"];
  p.inputs.push_back(w);
  Input f;
  f.name = "fever";
  f.type = Type::boolean();
  p.inputs.push_back(f);
  p.enums.push_back({"status", {"untreated", "failed"}});
  Input s;
  s.name = "status";
  s.type = Type::enumeration(0);
  p.inputs.push_back(s);
  p.dosingWeight = 0;
  Drug d;
  d.name = "mp";
  Limit perKg;
  perKg.amount = Rational(30, 1000000);
  perKg.dim = kPerMass;
  perKg.perWeight = true;
  perKg.basis = {Basis::Kind::PerTime, Rational(24), "day"};
  perKg.display = "30 mg/kg per day";
  d.limits.push_back(perKg);
  p.drugs.push_back(d);
  return p;
}

ExprRef weight() { return b::input(0, Type::number(kMass)); }
ExprRef fever() { return b::input(1, Type::boolean()); }
ExprRef status() { return b::input(2, Type::enumeration(0)); }
ExprRef mg(int64_t n) { return b::number(Rational(n), kMass); }

Action give(ExprRef dose, ExprRef cap = nullptr) {
  Action a;
  a.kind = ActionKind::Give;
  a.name = "mp";
  a.drug = 0;
  a.dose = std::move(dose);
  a.cap = std::move(cap);
  a.basis = {Basis::Kind::PerTime, Rational(24), "day"};
  return a;
}

Pathway pathway(std::vector<Action> firstLine) {
  Pathway pw;
  pw.name = "immuno";
  pw.entry = fever();
  Tier first;
  first.name = "first";
  first.guard = b::binary(Op::Eq, status(), b::member(0, 0));
  first.failedWhen = b::binary(Op::Eq, status(), b::member(0, 1));
  first.actions = std::move(firstLine);
  Tier second;
  second.name = "second";
  second.guard = b::binary(Op::Eq, status(), b::member(0, 1));
  second.after = 0;
  pw.tiers = {first, second};
  return pw;
}

verifier::Options checking() {
  verifier::Options o;
  o.checkModels = true;
  o.timeoutMs = 5000;
  return o;
}

using K = verifier::PropertyKind;

std::vector<const verifier::PropertyResult *> ofKind(const verifier::Report &r, K kind) {
  std::vector<const verifier::PropertyResult *> out;
  for (const auto &p : r.properties)
    if (p.kind == kind) out.push_back(&p);
  return out;
}

}  // namespace

TEST(VerifierTest, WeightBasedCappedDoseIsProvedWithEnvelope) {
  Protocol p = base();
  // min(30 mg/kg * weight, 1 g) per day
  ExprRef dose = b::binary(Op::Mul, b::number(Rational(30, 1000000), kPerMass), weight());
  p.pathways.push_back(pathway({give(dose, mg(1000))}));
  verifier::Report r = verifier::verify(p, checking());
  EXPECT_EQ(r.verdict(), verifier::Verdict::Verified);
  for (const auto &res : r.properties) EXPECT_EQ(res.status, verifier::Status::Proved) << verifier::spelling(res.kind) << ": " << res.message << " " << res.reason;
  ASSERT_EQ(r.doses.size(), 1u);
  ASSERT_TRUE(r.doses[0].min && r.doses[0].max);
  EXPECT_EQ(*r.doses[0].min, Rational(60));     // 2 kg * 30 mg/kg
  EXPECT_EQ(*r.doses[0].max, Rational(1000));   // the cap
  EXPECT_EQ(ofKind(r, K::DoseFormulary).size(), 1u);
  EXPECT_EQ(ofKind(r, K::TierOrder).size(), 1u);
  EXPECT_EQ(ofKind(r, K::TierExclusive).size(), 1u);
  EXPECT_TRUE(r.internalErrors.empty());
}

TEST(VerifierTest, FixedAdultDoseExceedsPerKgLimitForASmallChild) {
  Protocol p = base();
  p.pathways.push_back(pathway({give(mg(1000))}));
  verifier::Report r = verifier::verify(p, checking());
  EXPECT_EQ(r.verdict(), verifier::Verdict::Failed);
  auto f = ofKind(r, K::DoseFormulary);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->status, verifier::Status::Refuted);
  ASSERT_TRUE(f[0]->counterexample);
  const Patient &child = *f[0]->counterexample;
  EXPECT_LT(child[0].number, Rational(1000 * 1000000, 30));  // under 33 1/3 kg
  EXPECT_TRUE(child[0].number.isInteger() && (child[0].number / Rational(1000000)).isInteger())
      << "a readable patient: whole kilograms";
  EXPECT_TRUE(child[1].boolean);         // in the pathway
  EXPECT_EQ(child[2].member, 0);         // first tier
  ASSERT_FALSE(f[0]->example.empty());
  EXPECT_EQ(f[0]->example.front().rfind("example \"dose-formulary counterexample", 0), 0u);
  EXPECT_TRUE(r.internalErrors.empty());
}

TEST(VerifierTest, UnboundedDoseIsRefuted) {
  Protocol p = base();
  p.inputs[0].hi.reset();
  p.pathways.push_back(pathway({give(b::binary(Op::Mul, b::number(Rational(1, 1000000), kPerMass), weight()))}));
  verifier::Report r = verifier::verify(p, checking());
  auto bounded = ofKind(r, K::DoseBounded);
  ASSERT_EQ(bounded.size(), 1u);
  EXPECT_EQ(bounded[0]->status, verifier::Status::Refuted);
  EXPECT_EQ(r.verdict(), verifier::Verdict::Failed);
  ASSERT_EQ(r.doses.size(), 1u);
  EXPECT_TRUE(r.doses[0].unbounded);
  EXPECT_FALSE(r.doses[0].max);
  ASSERT_TRUE(r.doses[0].min);  // the least amount is still found: 2 kg * 1 mg/kg
  EXPECT_EQ(*r.doses[0].min, Rational(2));
  EXPECT_TRUE(r.doses[0].minAttained);
}

TEST(VerifierTest, DoseUnboundedBelowHasNoLeastAmountAndIsNotUnknown) {
  Protocol p = base();
  p.inputs[0].lo.reset();  // any weight up to 150 kg: the least amount is -infinity
  p.drugs[0].limits.clear();
  p.pathways.push_back(pathway({give(b::binary(Op::Mul, b::number(Rational(1, 1000000), kPerMass), weight()))}));
  verifier::Report r = verifier::verify(p, checking());
  auto bounded = ofKind(r, K::DoseBounded);
  ASSERT_EQ(bounded.size(), 1u);  // no "could not find the least" result: -oo is an answer
  EXPECT_EQ(bounded[0]->status, verifier::Status::Proved) << bounded[0]->message << " " << bounded[0]->reason;
  ASSERT_EQ(r.doses.size(), 1u);
  EXPECT_FALSE(r.doses[0].min);
  ASSERT_TRUE(r.doses[0].max);
  EXPECT_EQ(*r.doses[0].max, Rational(150));
  EXPECT_TRUE(r.doses[0].maxAttained);
  EXPECT_FALSE(r.doses[0].unbounded);
}

TEST(VerifierTest, StrictBoundsAreApproachedNotReached) {
  Protocol p = base();
  p.population = b::binary(Op::Gt, weight(), mg(10000000));  // over 10 kg
  Pathway pw = pathway({give(b::binary(Op::Mul, b::number(Rational(30, 1000000), kPerMass), weight()))});
  pw.tiers[0].guard = b::nary(Op::And, {pw.tiers[0].guard, b::binary(Op::Lt, weight(), mg(100000000))});  // under 100 kg
  p.pathways.push_back(pw);
  verifier::Report r = verifier::verify(p, checking());
  EXPECT_EQ(r.verdict(), verifier::Verdict::Verified);
  ASSERT_EQ(r.doses.size(), 1u);
  const verifier::DoseEnvelope &d = r.doses[0];
  ASSERT_TRUE(d.min && d.max);
  EXPECT_EQ(*d.max, Rational(3000));  // 30 mg/kg * 100 kg, approached from below
  EXPECT_FALSE(d.maxAttained);
  EXPECT_EQ(*d.min, Rational(300));   // 30 mg/kg * 10 kg, approached from above
  EXPECT_FALSE(d.minAttained);
  EXPECT_FALSE(d.unbounded);
  auto bounded = ofKind(r, K::DoseBounded);
  ASSERT_EQ(bounded.size(), 1u);
  EXPECT_EQ(bounded[0]->status, verifier::Status::Proved);
  EXPECT_NE(bounded[0]->message.find("is bounded: below "), std::string::npos) << bounded[0]->message;
  EXPECT_NE(bounded[0]->message.find("(approached, not reached)"), std::string::npos) << bounded[0]->message;

  // With `<=` the same bounds are reached.
  p.pathways[0].tiers[0].guard = b::nary(
      Op::And, {b::binary(Op::Eq, status(), b::member(0, 0)), b::binary(Op::Le, weight(), mg(100000000))});
  p.population = b::binary(Op::Ge, weight(), mg(10000000));
  verifier::Report closed = verifier::verify(p, checking());
  ASSERT_EQ(closed.doses.size(), 1u);
  EXPECT_EQ(*closed.doses[0].max, Rational(3000));
  EXPECT_TRUE(closed.doses[0].maxAttained);
  EXPECT_EQ(*closed.doses[0].min, Rational(300));
  EXPECT_TRUE(closed.doses[0].minAttained);
}

TEST(VerifierTest, TierOrderAndExclusivityRefutedWithPatients) {
  Protocol p = base();
  Pathway pw = pathway({});
  pw.tiers[1].guard = b::boolean(true);  // second tier for everybody: overlaps first, ignores its failure
  p.pathways.push_back(pw);
  verifier::Report r = verifier::verify(p, checking());
  auto order = ofKind(r, K::TierOrder);
  ASSERT_EQ(order.size(), 1u);
  EXPECT_EQ(order[0]->status, verifier::Status::Refuted);
  EXPECT_EQ((*order[0]->counterexample)[2].member, 0);
  auto excl = ofKind(r, K::TierExclusive);
  ASSERT_EQ(excl.size(), 1u);
  EXPECT_EQ(excl[0]->status, verifier::Status::Refuted);
  EXPECT_TRUE(r.internalErrors.empty());
}

TEST(VerifierTest, DeadTierAndEmptyPopulation) {
  Protocol p = base();
  Pathway pw = pathway({});
  pw.tiers[1].guard = b::binary(Op::Lt, weight(), mg(1000));  // under 1 g body weight: nobody
  p.pathways.push_back(pw);
  verifier::Report r = verifier::verify(p, checking());
  auto reach = ofKind(r, K::TierReachable);
  ASSERT_EQ(reach.size(), 2u);
  EXPECT_EQ(reach[0]->status, verifier::Status::Proved);
  EXPECT_EQ(reach[1]->status, verifier::Status::Refuted);

  Protocol q = base();
  q.population = b::binary(Op::Gt, weight(), mg(200000000));
  verifier::Report rq = verifier::verify(q, checking());
  EXPECT_EQ(ofKind(rq, K::Population)[0]->status, verifier::Status::Refuted);
}

TEST(VerifierTest, UniqueTableOverlapFirstTableShadowGapAndDeadRule) {
  Protocol p = base();
  auto rule = [](const char *n, ExprRef g) { Rule r; r.name = n; r.guard = std::move(g); return r; };
  Table u;
  u.name = "band";
  u.hit = HitPolicy::Unique;
  u.complete = true;
  u.rules = {rule("light", b::binary(Op::Le, weight(), mg(20000000))),
             rule("heavy", b::binary(Op::Ge, weight(), mg(20000000))),
             rule("never", b::binary(Op::Lt, weight(), mg(1000000)))};
  p.tables.push_back(u);
  Table f;
  f.name = "pick";
  f.hit = HitPolicy::First;
  f.rules = {rule("any_fever", fever()), rule("fever_failed", b::nary(Op::And, {fever(), b::binary(Op::Eq, status(), b::member(0, 1))}))};
  p.tables.push_back(f);
  verifier::Report r = verifier::verify(p, checking());
  auto overlap = ofKind(r, K::TableOverlap);
  ASSERT_EQ(overlap.size(), 1u);  // light/heavy at exactly 20 kg; the pairs with `never` are swept away
  EXPECT_EQ(overlap[0]->status, verifier::Status::Refuted);
  EXPECT_EQ((*overlap[0]->counterexample)[0].number, Rational(20000000));
  EXPECT_EQ(r.stats.overlapSwept, 2u);
  auto gap = ofKind(r, K::TableGap);
  ASSERT_EQ(gap.size(), 1u);
  EXPECT_EQ(gap[0]->status, verifier::Status::Proved);
  auto dead = ofKind(r, K::RuleDead);
  ASSERT_EQ(dead.size(), 5u);
  EXPECT_EQ(dead[2]->status, verifier::Status::Refuted);
  auto shadow = ofKind(r, K::RuleShadowed);
  ASSERT_EQ(shadow.size(), 1u);
  EXPECT_EQ(shadow[0]->status, verifier::Status::Refuted);
  EXPECT_TRUE(r.internalErrors.empty());
}

TEST(VerifierTest, AssertionsReachesAndUnspecified) {
  Protocol p = base();
  p.pathways.push_back(pathway({}));
  Property always;
  always.kind = Property::Kind::Always;
  always.expr = b::binary(Op::Ge, weight(), mg(3000000));  // false at 2 kg
  Property never;
  never.kind = Property::Kind::Never;
  never.expr = b::binary(Op::Gt, weight(), mg(200000000));
  Property reaches;
  reaches.kind = Property::Kind::Reaches;
  reaches.expr = fever();
  reaches.target = {Target::Kind::Tier, 0, 0};  // first or its failure: every febrile patient
  p.properties = {always, never, reaches};
  p.unspecified.push_back({"no criteria", "input fever", {}});
  verifier::Report r = verifier::verify(p, checking());
  auto a = ofKind(r, K::Assertion);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]->status, verifier::Status::Refuted);
  EXPECT_EQ((*a[0]->counterexample)[0].number, Rational(2000000));
  EXPECT_EQ(a[1]->status, verifier::Status::Proved);
  EXPECT_EQ(ofKind(r, K::Reaches)[0]->status, verifier::Status::Proved);
  EXPECT_EQ(ofKind(r, K::Unspecified)[0]->status, verifier::Status::Warning);
  verifier::Options strict = checking();
  strict.strict = true;
  EXPECT_EQ(ofKind(verifier::verify(p, strict), K::Unspecified)[0]->status, verifier::Status::Refuted);
}

TEST(VerifierTest, TimeoutIsUnknownNeverProved) {
  Protocol p = base();
  Property hard;
  hard.kind = Property::Kind::Always;
  // Nonlinear: weight * weight != 2 kg^2 has no rational counterexample; with a
  // resource limit of 1 the solver must give up, and that is not a proof.
  hard.expr = b::binary(Op::Ne, b::binary(Op::Mul, weight(), weight()), b::number(Rational(2), Dimension{{{"mass", 2}}}));
  p.properties = {hard};
  verifier::Options o = checking();
  o.rlimit = 1;
  verifier::Report r = verifier::verify(p, o);
  for (const auto &res : r.properties) EXPECT_NE(res.status, verifier::Status::Proved) << verifier::spelling(res.kind);
  EXPECT_EQ(r.verdict(), verifier::Verdict::Inconclusive);
}

TEST(VerifierTest, StrictBoundBehindAnEmptyAlternativeIsNeverOverstated) {
  // (under 30 kg and over 30 kg) or under 10 kg: the closure of the first,
  // empty, alternative reaches 30 kg, but no patient comes near it; the
  // greatest dose is approached at 10 kg.
  Protocol p = base();
  p.drugs[0].limits.clear();
  Pathway pw = pathway({give(b::binary(Op::Mul, b::number(Rational(30, 1000000), kPerMass), weight()))});
  pw.tiers[0].guard = b::nary(
      Op::Or, {b::nary(Op::And, {b::binary(Op::Lt, weight(), mg(30000000)), b::binary(Op::Gt, weight(), mg(30000000))}),
               b::binary(Op::Lt, weight(), mg(10000000))});
  p.pathways.push_back(pw);
  verifier::Report r = verifier::verify(p, checking());
  ASSERT_EQ(r.doses.size(), 1u);
  auto bounded = ofKind(r, K::DoseBounded);
  ASSERT_FALSE(bounded.empty());
  if (r.doses[0].max) {  // exact: 30 mg/kg * 10 kg, approached
    EXPECT_EQ(*r.doses[0].max, Rational(300));
    EXPECT_FALSE(r.doses[0].maxAttained);
  } else {  // or undecided, with the reason; never 900 mg
    EXPECT_EQ(bounded[0]->status, verifier::Status::Unknown);
    EXPECT_FALSE(bounded[0]->reason.empty());
  }
  EXPECT_NE(bounded[0]->status, verifier::Status::Refuted);
}

TEST(VerifierTest, KindAndVerdictSpellingsAreStableAndParseBack) {
  // The JSON `kind`, SARIF `ruleId` and diagnostic codes: an interface.
  const char *kinds[] = {"population",   "reaches",   "tier-reachable", "tier-exclusive", "tier-order",
                         "table-overlap", "table-gap", "rule-dead",      "rule-shadowed",  "dose-bounded",
                         "dose-formulary", "assertion", "forbidden-action", "dose-ceiling", "unspecified",
                         "dose-known", "division-safe", "contraindication", "course-exit", "tier-reentered",
                         "responder-follow-up", "deadline", "course-trap", "vacuous"};
  ASSERT_EQ(std::size(verifier::kPropertyKinds), std::size(kinds));
  for (size_t i = 0; i < std::size(kinds); ++i) {
    EXPECT_STREQ(verifier::spelling(verifier::kPropertyKinds[i]), kinds[i]);
    EXPECT_EQ(verifier::parsePropertyKind(kinds[i]), verifier::kPropertyKinds[i]);
  }
  for (const char *bad : {"", "Reaches", "reaches ", "unspecified-strict", "internal-model-check", "?"})
    EXPECT_EQ(verifier::parsePropertyKind(bad), std::nullopt) << bad;

  const char *verdicts[] = {"verified", "failed", "inconclusive", "error"};
  ASSERT_EQ(std::size(verifier::kVerdicts), std::size(verdicts));
  for (size_t i = 0; i < std::size(verdicts); ++i) {
    EXPECT_STREQ(verifier::spelling(verifier::kVerdicts[i]), verdicts[i]);
    EXPECT_EQ(verifier::parseVerdict(verdicts[i]), verifier::kVerdicts[i]);
  }
  for (const char *bad : {"", "Verified", "unverified", "not-verified", "?"})
    EXPECT_EQ(verifier::parseVerdict(bad), std::nullopt) << bad;
}

namespace {
Property assertion(Property::Kind kind, ExprRef e) {
  Property prop;
  prop.kind = kind;
  prop.expr = std::move(e);
  return prop;
}

std::vector<std::string> exampleNames(const verifier::Report &r) {
  std::vector<std::string> names;
  for (const auto &res : r.properties)
    if (!res.example.empty()) names.push_back(res.example.front());
  return names;
}
}  // namespace

TEST(VerifierTest, CounterexampleNamesListTheQuantitiesInvolvedAndAreUnique) {
  Protocol p = base();
  // A quantity only the population mentions, with a single value.
  Input doses;
  doses.name = "doses";
  doses.type = Type::number();
  doses.lo = doses.hi = Rational(3);
  p.inputs.push_back(doses);
  p.population = b::binary(Op::Ge, b::input(3, Type::number()), b::number(Rational(1)));
  p.properties = {
      assertion(Property::Kind::Always, fever()),  // fever and the population's doses
      assertion(Property::Kind::Never, fever()),   // the same name: suffixed
      // Only 2 kg refutes it; weight comes before doses (declaration order).
      assertion(Property::Kind::Always, b::binary(Op::Gt, weight(), mg(2000000))),
      assertion(Property::Kind::Always, b::binary(Op::Eq, status(), b::member(0, 0))),  // status: not a quantity
  };
  verifier::Report r = verifier::verify(p, checking());
  EXPECT_EQ(exampleNames(r), (std::vector<std::string>{
                                 "example \"assertion counterexample: 3\" {",
                                 "example \"assertion counterexample: 3 (2)\" {",
                                 "example \"assertion counterexample: 2 kg, 3\" {",
                                 "example \"assertion counterexample: 3 (3)\" {",
                             }));
  EXPECT_TRUE(r.internalErrors.empty());

  // No quantity involved: the kind alone, and a name the protocol's own
  // examples already use is not reused (the block must paste back).
  Protocol q = base();
  Example existing;
  existing.name = "assertion counterexample";
  q.examples.push_back(existing);
  q.properties = {assertion(Property::Kind::Always, fever()), assertion(Property::Kind::Never, fever())};
  EXPECT_EQ(exampleNames(verifier::verify(q, checking())), (std::vector<std::string>{
                                                              "example \"assertion counterexample (2)\" {",
                                                              "example \"assertion counterexample (3)\" {",
                                                          }));
}

TEST(VerifierTest, AnAmountOverALimitNeverReadsAsTheLimit) {
  // 6 digits would round 30.00000045 mg/kg to "30": the amount that exceeds
  // a 30 mg/kg limit must not read as 30 (issue #14, "about 800 mg").
  ir::Unit perKg{"mg/kg", {}, Rational(1)};
  EXPECT_EQ(verifier::formatAmount(Rational(6000000000, 199999997), perKg),
            "30.0000005 (exactly 6000000000/199999997) mg/kg");
  // A short decimal, or a value 6 digits do not round to a whole number, reads as ever.
  EXPECT_EQ(verifier::formatAmount(Rational(8005, 10), perKg), "800.5 mg/kg");
  EXPECT_EQ(verifier::formatAmount(Rational(1000, 3), perKg), "333.333333 (exactly 1000/3) mg/kg");
}
