// Lowering: parse a small protocol, run sema, and check the IR it builds.
#include <gtest/gtest.h>

#include "parse/ParseFile.h"
#include "sema/Sema.h"

namespace carepath {
namespace {

struct Lowered {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  std::unique_ptr<ast::File> ast;
  std::optional<ir::Protocol> protocol;
};

std::unique_ptr<Lowered> lowerText(const std::string &text) {
  auto l = std::make_unique<Lowered>();
  FileId id = l->sources.addBuffer("test.care", text);
  l->ast = parse::parseFile(id, l->sources, l->diags);
  if (l->diags.hasErrors()) return l;
  sema::SemaOptions options;
  options.modulePath.push_back(CAREPATH_SOURCE_DIR "/stdlib");
  l->protocol = sema::analyze(*l->ast, l->sources, l->diags, options);
  return l;
}

std::string messages(const Lowered &l) {
  std::string s;
  for (const Diagnostic *d : l.diags.sorted()) s += d->message + "\n";
  return s;
}

const char *kProtocol = R"(protocol t version "2" {
  title "lowering"
  population age < 18 years
  dosing weight = weight
}
use stdlib.units
use stdlib.drugs.{methylprednisolone}
input age : duration in 0 years .. 120 years
input weight : mass in 2 kg .. 150 kg
input level : enum { low, mid, high }
input flag : bool unspecified "not defined by the source"
define middle = level in {mid, high} and age in 1 year .. 5 years
table tb hit first {
  rule a when flag -> do x
  rule b when middle -> give methylprednisolone dose 30 mg/kg * weight per day max 1 g per day for 3 days .. 5 days
  rule c when not middle -> unspecified "nothing said"
}
pathway p for middle {
  tier one when not flag failed when flag { do y within 24 h }
  tier two after one when flag { do z }
}
verify {
  never tb.b and p.two
}
example "base" {
  given age = 3 years, weight = 14 kg, level = mid, not flag
  expect methylprednisolone dose == 420 mg per day
}
example "derived" like "base" {
  given flag
}
)";

TEST(SemaLoweringTest, QuantitiesAreCanonicalAndExact) {
  auto l = lowerText(kProtocol);
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  ASSERT_EQ(p.inputs.size(), 4u);
  EXPECT_EQ(*p.inputs[0].lo, Rational(0));
  EXPECT_EQ(*p.inputs[0].hi, Rational(120 * 8766));  // years in hours
  EXPECT_EQ(p.inputs[0].displayUnit.name, "years");
  EXPECT_EQ(*p.inputs[1].lo, Rational(2000000));      // 2 kg in mg
  EXPECT_EQ(p.dosingWeight, 1);
  ASSERT_EQ(p.enums.size(), 1u);
  EXPECT_EQ(p.enums[0].members, (std::vector<std::string>{"low", "mid", "high"}));
  EXPECT_EQ(p.units.at("g").factor, Rational(1000));
}

TEST(SemaLoweringTest, SetsAndRangesAreNormalised) {
  auto l = lowerText(kProtocol);
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  ASSERT_EQ(p.defines.size(), 1u);
  const ir::Expr &d = *p.defines[0].value;
  ASSERT_EQ(d.op, ir::Op::And);
  ASSERT_EQ(d.args.size(), 3u);  // or(==, ==), >=, <=: nested `and`s flattened
  EXPECT_EQ(d.args[0]->op, ir::Op::Or);
  EXPECT_EQ(d.args[1]->op, ir::Op::Ge);
  EXPECT_EQ(d.args[2]->op, ir::Op::Le);
  EXPECT_EQ(d.args[2]->args[1]->constant.number, Rational(5 * 8766));
  EXPECT_EQ(ir::toString(p, d), "(level == mid or level == high) and age >= 1 year and age <= 5 years");
}

TEST(SemaLoweringTest, DosesAndActions) {
  auto l = lowerText(kProtocol);
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  const ir::Action &give = p.tables[0].rules[1].actions[0];
  EXPECT_EQ(give.kind, ir::ActionKind::Give);
  EXPECT_EQ(give.drug, 0);
  EXPECT_EQ(give.doseUnit.name, "mg");  // mg/kg * kg
  EXPECT_EQ(give.basis.kind, ir::Basis::Kind::PerTime);
  EXPECT_EQ(give.basis.span, Rational(24));
  EXPECT_EQ(give.cap->constant.number, Rational(1000));
  EXPECT_EQ(*give.durationLo, Rational(72));
  EXPECT_EQ(*give.durationHi, Rational(120));
  EXPECT_EQ(ir::toString(p, *give.dose), "30 mg/kg * weight");
  const ir::Action &within = p.pathways[0].tiers[0].actions[0];
  EXPECT_EQ(within.timing, ir::Action::Timing::Within);
  EXPECT_EQ(*within.timingHi, Rational(24));
  EXPECT_EQ(p.pathways[0].tiers[1].after, 0);
  // Drug limits: per-weight in canonical mg per mg.
  ASSERT_EQ(p.drugs.size(), 1u);
  EXPECT_TRUE(p.drugs[0].limits[0].perWeight);
  EXPECT_EQ(p.drugs[0].limits[0].amount, Rational(30, 1000000));
  EXPECT_FALSE(p.drugs[0].limits[1].perWeight);
  EXPECT_EQ(p.drugs[0].limits[1].amount, Rational(1000));
}

TEST(SemaLoweringTest, FirstHitRulesExcludeEarlierOnesWhenReferenced) {
  auto l = lowerText(kProtocol);
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  ASSERT_EQ(p.properties.size(), 1u);
  // never tb.b and p.two: tb.b is `middle and not flag`; p.two is `middle and flag`.
  EXPECT_EQ(ir::toString(p, *p.properties[0].expr), "middle and not flag and middle and flag");
}

TEST(SemaLoweringTest, UnspecifiedAreCollectedWithWhere) {
  auto l = lowerText(kProtocol);
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  ASSERT_EQ(p.unspecified.size(), 2u);
  EXPECT_EQ(p.unspecified[0].where, "input flag");
  EXPECT_EQ(p.unspecified[1].where, "tb.c");
}

TEST(SemaLoweringTest, ExamplesInheritThroughLike) {
  auto l = lowerText(kProtocol);
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  ASSERT_EQ(p.examples.size(), 2u);
  EXPECT_EQ(p.examples[0].patient[1], ir::Value::ofNumber(Rational(14000000)));
  EXPECT_EQ(p.examples[0].patient[3], ir::Value::ofBool(false));
  EXPECT_EQ(p.examples[1].patient[1], ir::Value::ofNumber(Rational(14000000)));
  EXPECT_EQ(p.examples[1].patient[2], ir::Value::ofEnum(1));
  EXPECT_EQ(p.examples[1].patient[3], ir::Value::ofBool(true));
  ASSERT_EQ(p.examples[0].expectations.size(), 1u);
  EXPECT_EQ(p.examples[0].expectations[0].dose, Rational(420));
  EXPECT_EQ(p.examples[0].expectations[0].basis.span, Rational(24));
}

TEST(SemaLoweringTest, ModulesAndSourcesAreRecorded) {
  auto l = lowerText(kProtocol);
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  ASSERT_EQ(p.files.size(), 3u);
  EXPECT_EQ(p.files[0].module, "");
  EXPECT_EQ(p.files[1].module, "stdlib.units");
  EXPECT_EQ(p.files[2].module, "stdlib.drugs");
  EXPECT_TRUE(p.findSource("BNFC_METHYLPREDNISOLONE"));
}

TEST(SemaLoweringTest, TypeErrorsStopBeforeLowering) {
  auto l = lowerText(R"(protocol t version "1" { title "x" }
use stdlib.units
input age : duration in 0 years .. 18 years
define d = age < 3 kg
)");
  EXPECT_FALSE(l->protocol);
  EXPECT_NE(messages(*l).find("incompatible dimensions for '<': duration and mass"), std::string::npos) << messages(*l);
}

// Regimens: what each clause lowers to, the schedule derived from it and
// the factors between bases (docs/semantics.md, "Regimens").
TEST(SemaLoweringTest, RegimensScheduleAndBasisFactors) {
  auto l = lowerText(R"(protocol t version "1" { title "x" }
use stdlib.units
source S "s"
input sick : bool
drug d "d" {
  route iv
  route oral
  limit 1 g per dose route oral [S]
  limit 4 g per day [S]
  limit 20 g per course [S]
}
table t hit collect {
  rule a when sick -> give d dose 1500 mg per dose every 4 h for 1 day .. 2 days
  rule b when sick -> give d dose 3 g per day route iv divided into 3 doses
  rule c when sick -> give d dose 10 g total divided into 5 doses every 24 h
  rule e when sick -> give d dose 1 g per dose repeat 2 times after 10 minutes
  rule f when sick -> give d dose 1 g per dose up to 3 doses
  rule g when sick -> give d dose 2 g total once
}
)");
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  const auto &rules = p.tables.at(0).rules;
  auto action = [&](size_t i) -> const ir::Action & { return rules.at(i).actions.at(0); };
  const auto &limits = p.drugs.at(0).limits;
  ASSERT_EQ(limits.size(), 3u);
  EXPECT_EQ(limits[0].route, "oral");
  EXPECT_EQ(limits[0].display, "1 g per dose route oral");
  EXPECT_EQ(p.drugs[0].routes, (std::vector<std::string>{"iv", "oral"}));
  auto factor = [&](size_t i, size_t limit) { return ir::basisFactor(action(i), limits.at(limit)); };

  // 1.5 g every 4 h: 6 doses a day (9 g), at most ceil(48 / 4) = 12 doses.
  EXPECT_EQ(action(0).regimen.text, "every 4 h");
  EXPECT_EQ(action(0).regimen.every, Rational(4));
  EXPECT_EQ(ir::schedule(action(0)).doses, Rational(12));
  EXPECT_EQ(factor(0, 0), Rational(1));
  EXPECT_EQ(factor(0, 1), Rational(6));
  EXPECT_EQ(factor(0, 2), Rational(12));
  // 3 g a day in 3 doses: 1 g every 8 h; no duration, so no course total.
  EXPECT_EQ(action(1).route, "iv");
  EXPECT_EQ(ir::schedule(action(1)).interval, Rational(8));
  EXPECT_EQ(factor(1, 0), Rational(1, 3));
  EXPECT_EQ(factor(1, 1), Rational(1));
  std::string why;
  EXPECT_FALSE(ir::basisFactor(action(1), limits[2], &why));
  EXPECT_EQ(why, "the dose is given per day divided into 3 doses with no maximum duration ('for LO .. HI'), so the course total is unknown");
  // 10 g in 5 daily doses: 2 g a dose, one a day.
  EXPECT_EQ(factor(2, 0), Rational(1, 5));
  EXPECT_EQ(factor(2, 1), Rational(1, 5));
  EXPECT_EQ(factor(2, 2), Rational(1));
  // Three doses 10 minutes apart: all three in one day.
  EXPECT_EQ(action(3).regimen.maxDoses, 3);
  EXPECT_EQ(action(3).regimen.text, "repeat 2 times after 10 minutes");
  EXPECT_EQ(factor(3, 1), Rational(3));
  EXPECT_EQ(factor(3, 2), Rational(3));
  // Up to 3 doses with no interval: the course is known, the day is not.
  EXPECT_FALSE(ir::basisFactor(action(4), limits[1], &why));
  EXPECT_EQ(why, "the dose is given per dose up to 3 doses with no interval between doses ('every X'), so the amount per day is unknown");
  EXPECT_EQ(factor(4, 2), Rational(3));
  // One dose of the total: the same amount per dose, per day and per course.
  EXPECT_EQ(factor(5, 0), Rational(1));
  EXPECT_EQ(factor(5, 1), Rational(1));
  EXPECT_EQ(factor(5, 2), Rational(1));
  // The regimen and the route are part of what makes two gives the same.
  EXPECT_NE(ir::actionIdentity(action(1)).find("|divided into 3 doses|route iv"), std::string::npos);
}

// Infusion rates (docs/verifier.md, "Dose bases"): a rate limit against an
// amount run over X is amount / X; a continuous infusion's rate over a
// window is rate x window, over the course rate x the longest `for`.
TEST(SemaLoweringTest, InfusionRateFactors) {
  auto l = lowerText(R"(protocol t version "1" { title "x" }
use stdlib.units
source S "s"
input sick : bool
drug d "d" {
  limit 50 mg/minute rate [S]
  limit 1 g per dose [S]
  limit 4 g per day [S]
  limit 20 g per course [S]
}
table t hit collect {
  rule a when sick -> give d dose 1 g per dose over 20 minutes
  rule b when sick -> give d dose 1 g per dose
  rule c when sick -> give d dose 100 mg/h rate for 1 day .. 2 days
  rule e when sick -> give d dose 100 mg/h rate
}
)");
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  const auto &rules = p.tables.at(0).rules;
  auto action = [&](size_t i) -> const ir::Action & { return rules.at(i).actions.at(0); };
  const auto &limits = p.drugs.at(0).limits;
  ASSERT_EQ(limits.size(), 4u);
  EXPECT_EQ(limits[0].basis.kind, ir::Basis::Kind::Rate);
  EXPECT_EQ(limits[0].display, "50 mg/minute rate");
  EXPECT_EQ(limits[0].amount, Rational(3000));  // canonical mg/h
  const ir::Dimension duration{{{"duration", 1}}};
  // 1 g over 20 minutes (1/3 h): 3 per hour, so 3 g/h.
  EXPECT_EQ(ir::basisFactor(action(0), limits[0]), Rational(3));
  EXPECT_EQ(ir::basisFactorDim(action(0), limits[0]), ir::Dimension{} / duration);
  EXPECT_TRUE(ir::basisFactorDim(action(0), limits[1]).dimensionless());
  std::string why;
  EXPECT_FALSE(ir::basisFactor(action(1), limits[0], &why));
  EXPECT_EQ(why, "the dose is given per dose with no infusion time ('over X'), so its rate is unknown");
  // A continuous infusion: rate as is, 24 h a day, 48 h at most in all; no doses.
  EXPECT_EQ(action(2).basis.kind, ir::Basis::Kind::Rate);
  EXPECT_EQ(ir::basisFactor(action(2), limits[0]), Rational(1));
  EXPECT_EQ(ir::basisFactor(action(2), limits[2]), Rational(24));
  EXPECT_EQ(ir::basisFactorDim(action(2), limits[2]), duration);
  EXPECT_EQ(ir::basisFactor(action(2), limits[3]), Rational(48));
  EXPECT_FALSE(ir::basisFactor(action(2), limits[1], &why));
  EXPECT_EQ(why, "the dose is a continuous infusion (a rate), which has no single doses, so the amount per dose is unknown");
  EXPECT_FALSE(ir::basisFactor(action(3), limits[3], &why));
  EXPECT_EQ(why, "the dose is a continuous infusion (a rate) with no maximum duration ('for LO .. HI'), so the amount per course is unknown");
}

// `over X .. Y` (docs/language.md, "Infusion rates"): the IR keeps both
// ends; the rate is between amount / Y and amount / X (ir::infusionRate),
// and limits are converted at the fastest, X: a rate limit, and a total's
// amount per day.
TEST(SemaLoweringTest, InfusionTimeRange) {
  auto l = lowerText(R"(protocol t version "1" { title "x" }
use stdlib.units
source S "s"
input sick : bool
drug d "d" {
  limit 50 mg/minute rate [S]
  limit 4 g per day [S]
}
table t hit collect {
  rule a when sick -> give d dose 1 g per dose over 10 minutes .. 20 minutes
  rule b when sick -> give d dose 10 g total over 2 days .. 5 days
  rule c when sick -> give d dose 1 g per dose over 20 minutes
  rule e when sick -> give d dose 100 mg/h rate for 1 day .. 2 days
}
)");
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  const auto &rules = p.tables.at(0).rules;
  auto action = [&](size_t i) -> const ir::Action & { return rules.at(i).actions.at(0); };
  const auto &limits = p.drugs.at(0).limits;
  EXPECT_EQ(action(0).over, Rational(1, 6));
  EXPECT_EQ(action(0).overHigh, Rational(1, 3));
  std::optional<ir::InfusionRate> r = ir::infusionRate(action(0));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->fastest, Rational(6));  // per hour: 1 g over 10 minutes is 6 g/h
  EXPECT_EQ(r->slowest, Rational(3));
  EXPECT_EQ(ir::basisFactor(action(0), limits[0]), Rational(6));
  // A total over 2 .. 5 days: at most half of it in a day.
  EXPECT_EQ(ir::basisFactor(action(1), limits[1]), Rational(1, 2));
  EXPECT_EQ(ir::infusionRate(action(1))->slowest, Rational(1, 120));
  // One time: both factors 1 / X; no `over`, or a continuous infusion: none.
  EXPECT_FALSE(action(2).overHigh);
  EXPECT_EQ(ir::infusionRate(action(2))->fastest, Rational(3));
  EXPECT_EQ(ir::infusionRate(action(2))->slowest, Rational(3));
  EXPECT_FALSE(ir::infusionRate(action(3)));
  // The range is part of what makes two gives the same; one time is unchanged.
  EXPECT_NE(ir::actionIdentity(action(0)).find("|over-high 1/3"), std::string::npos);
  EXPECT_EQ(ir::actionIdentity(action(2)).find("over-high"), std::string::npos);
}

// Tapers (docs/semantics.md, "Tapers"): the course runs to the taper's
// end; basisFactor counts it at the full amount (an upper bound),
// basisFactorLow the full amount for the `for` span alone; per dose and per
// day they agree where the `for` span fills the window.
TEST(SemaLoweringTest, TaperFactors) {
  auto l = lowerText(R"(protocol t version "1" { title "x" }
use stdlib.units
source S "s"
input sick : bool
drug d "d" {
  limit 1 g per dose [S]
  limit 4 g per day [S]
  limit 20 g per course [S]
}
table t hit collect {
  rule a when sick -> give d dose 2 g per day divided into 2 doses for 5 days .. 6 days then taper over 2 weeks .. 3 weeks
  rule b when sick -> give d dose 2 g per day taper over 1 week .. 2 weeks
  rule c when sick -> give d dose 1 g per dose every 6 h for 12 h .. 12 h then taper over 1 day .. 1 day
  rule e when sick -> give d dose 1 g per dose up to 4 doses for 1 day .. 2 days then taper over 1 week .. 1 week
  rule f when sick -> give d dose 1 g per dose up to 4 doses taper over 1 week .. 2 weeks
}
)");
  ASSERT_TRUE(l->protocol) << messages(*l);
  const ir::Protocol &p = *l->protocol;
  const auto &rules = p.tables.at(0).rules;
  auto action = [&](size_t i) -> const ir::Action & { return rules.at(i).actions.at(0); };
  const auto &limits = p.drugs.at(0).limits;
  EXPECT_EQ(action(0).taperLo, Rational(336));
  EXPECT_EQ(action(0).taperHi, Rational(504));
  EXPECT_EQ(ir::courseLengthLo(action(0)), Rational(120 + 336));
  EXPECT_EQ(ir::courseLengthHi(action(0)), Rational(144 + 504));
  // Two doses a day to the taper's end (27 days): 54 at most.
  EXPECT_EQ(ir::schedule(action(0)).doses, Rational(54));
  EXPECT_EQ(ir::basisFactor(action(0), limits[0]), Rational(1, 2));
  EXPECT_EQ(ir::basisFactorLow(action(0), limits[0]), Rational(1, 2));
  EXPECT_EQ(ir::basisFactor(action(0), limits[1]), Rational(1));
  EXPECT_EQ(ir::basisFactorLow(action(0), limits[1]), Rational(1));
  EXPECT_EQ(ir::basisFactor(action(0), limits[2]), Rational(27));
  EXPECT_EQ(ir::basisFactorLow(action(0), limits[2]), Rational(6));
  // The whole course a taper: at most 2 weeks of days, at least none known.
  EXPECT_FALSE(action(1).durationHi);
  EXPECT_EQ(ir::basisFactor(action(1), limits[2]), Rational(14));
  EXPECT_EQ(ir::basisFactorLow(action(1), limits[2]), Rational(0));
  EXPECT_EQ(ir::basisFactorLow(action(1), limits[1]), Rational(1));
  // 12 h at the full amount (2 doses) then a day of taper: a day may hold
  // 4 doses of at most 1 g, and holds at least the 2 full ones.
  EXPECT_EQ(ir::basisFactor(action(2), limits[1]), Rational(4));
  EXPECT_EQ(ir::basisFactorLow(action(2), limits[1]), Rational(2));
  // Up to 4 doses with no interval: all 4 at the full amount at most, but
  // only the first, which starts the `for` span, for certain; none when
  // the whole course tapers (docs/verifier.md, "Dose bases").
  EXPECT_EQ(ir::basisFactor(action(3), limits[2]), Rational(4));
  EXPECT_EQ(ir::basisFactorLow(action(3), limits[2]), Rational(1));
  EXPECT_EQ(ir::basisFactorLow(action(3), limits[0]), Rational(1));
  EXPECT_EQ(ir::basisFactor(action(4), limits[2]), Rational(4));
  EXPECT_EQ(ir::basisFactorLow(action(4), limits[2]), Rational(0));
  // The taper is part of what makes two gives the same.
  EXPECT_NE(ir::actionIdentity(action(0)).find("|taper 336|504"), std::string::npos);
}

}  // namespace
}  // namespace carepath
