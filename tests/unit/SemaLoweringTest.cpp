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

}  // namespace
}  // namespace carepath
