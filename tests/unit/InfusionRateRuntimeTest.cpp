// An intermittent infusion's rate in the runtime (docs/tables.md, "plan"):
// the plan's `rate` factors times the amount, shown per kilogram of the
// protocol's dosing weight and as is (Table::displayRate), the same from
// the compact format (version 6), and nothing per kilogram without a
// dosing weight.
#include <gtest/gtest.h>

#include "CompactVersion.h"
#include "CompileForTest.h"
#include "carepath/Table.h"

using namespace carepath;

namespace {

const char *kProtocol = R"(protocol rates version "1" {
  title "rates"
  population age < 18 years
DOSING
}
use stdlib.units
source S1 "a source"
input age : duration in 0 years .. 120 years
input weight : mass in 2 kg .. 150 kg
input seizure : bool
drug antiepileptic "d" {
  route iv
  limit 1000 mg per dose [S1]
}
table t hit collect {
  rule load when seizure -> give antiepileptic dose 20 mg/kg * weight per dose max 1000 mg per dose over 20 minutes
  rule bolus when seizure -> give antiepileptic dose 10 mg per dose
}
)";

runtime::Table load(bool dosingWeight) {
  std::string text = kProtocol;
  text.replace(text.find("DOSING"), 6, dosingWeight ? "  dosing weight = weight" : "");
  unittest::CompiledForTest c = unittest::compileForTest("rates.care", text);
  EXPECT_FALSE(c.table.empty()) << c.diagnostics;
  return runtime::Table::loadText(c.table);
}

struct Fired {
  std::vector<runtime::PatientValue> patient;
  runtime::Result result;
};

Fired evaluate(const runtime::Table &t, const std::string &weight) {
  std::vector<runtime::PatientError> errors;
  auto values = t.readPatient(R"({"age": "10 years", "weight": ")" + weight + R"(", "seizure": true})", errors);
  EXPECT_TRUE(values);
  Fired f{*values, t.evaluate(*values)};
  EXPECT_EQ(f.result.actions.size(), 2u);
  return f;
}

std::string rate(const runtime::Table &t, const Fired &f, size_t action) {
  const runtime::FiredAction &a = f.result.actions.at(action);
  return t.displayRate(t.tables()[a.table].rules[a.rule].actions[a.action], a, f.patient);
}

TEST(InfusionRate, PerWeightAndAsIs) {
  runtime::Table t = load(true);
  // 600 mg over 20 minutes for 30 kg; 1000 mg (the cap) for 80 kg.
  Fired light = evaluate(t, "30 kg"), heavy = evaluate(t, "80 kg");
  EXPECT_EQ(rate(t, light, 0), "1 mg/kg/minute, 30 mg/minute");
  EXPECT_EQ(rate(t, heavy, 0), "0.625 mg/kg/minute, 50 mg/minute");
  // A bolus has no rate.
  EXPECT_EQ(rate(t, light, 1), "");
  const runtime::FiredAction &a = heavy.result.actions[0];
  std::optional<runtime::Table::PlanAmounts> p = t.planAmounts(t.tables()[a.table].rules[a.rule].actions[a.action], a);
  ASSERT_TRUE(p && p->rate && p->rateHigh);
  EXPECT_EQ(*p->rate, Rational(3000));  // mg/h
  EXPECT_EQ(*p->rateHigh, Rational(3000));
}

TEST(InfusionRate, NoDosingWeightNoPerWeightRate) {
  runtime::Table t = load(false);
  EXPECT_EQ(rate(t, evaluate(t, "30 kg"), 0), "30 mg/minute");
}

TEST(InfusionRate, CompactKeepsItAndRefusesVersion5) {
  runtime::Table t = load(true);
  std::string bytes = t.compact();
  runtime::Table back = runtime::Table::loadCompact(bytes);
  EXPECT_EQ(rate(back, evaluate(back, "80 kg"), 0), "0.625 mg/kg/minute, 50 mg/minute");
  // A file of the previous version (no rates, no dosing weight) is refused with its version named.
  expectOlderCompactRefused(bytes, 5);
}

}  // namespace
