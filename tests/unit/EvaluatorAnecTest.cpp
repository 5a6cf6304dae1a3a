// End to end on the flagship protocol: protocols/anec.care through the
// front end, the sample patients of protocols/examples/*.json through the
// patient reader, and the reference evaluator's verdicts against the
// results docs/anec.md states for each sample.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "Frontend.h"
#include "ir/Evaluator.h"
#include "ir/PatientInput.h"

using namespace carepath;
using namespace carepath::ir;

namespace {

std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct EvaluatorAnec : ::testing::Test {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  std::optional<Protocol> p;

  void SetUp() override {
    FrontendOptions fo;
    fo.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
    FrontendResult r = runFrontend(std::string(CAREPATH_SOURCE_DIR) + "/protocols/anec.care", sources, diags, fo);
    ASSERT_FALSE(diags.hasErrors());
    ASSERT_TRUE(r.protocol);
    p = std::move(r.protocol);
  }

  Evaluation run(const std::string &sample) {
    std::vector<runtime::PatientError> errors;
    auto patient = readPatient(*p, slurp(std::string(CAREPATH_SOURCE_DIR) + "/protocols/examples/" + sample), errors);
    EXPECT_TRUE(patient) << sample << ": " << (errors.empty() ? "" : errors[0].message);
    if (!patient) return {};
    return evaluate(*p, *patient);
  }

  bool tier(const Evaluation &ev, const std::string &pathway, const std::string &name) {
    for (size_t i = 0; i < p->pathways.size(); ++i)
      for (size_t t = 0; t < p->pathways[i].tiers.size(); ++t)
        if (p->pathways[i].name == pathway && p->pathways[i].tiers[t].name == name) return ev.tiers[i][t];
    ADD_FAILURE() << "no tier " << pathway << "." << name;
    return false;
  }

  bool rule(const Evaluation &ev, const std::string &table, const std::string &name) {
    for (size_t i = 0; i < p->tables.size(); ++i)
      for (size_t r = 0; r < p->tables[i].rules.size(); ++r)
        if (p->tables[i].name == table && p->tables[i].rules[r].name == name) return ev.rules[i][r];
    ADD_FAILURE() << "no rule " << table << "." << name;
    return false;
  }

  /// The amounts (mg) of every fired `give DRUG`; nullopt for an unspecified dose.
  static std::vector<std::optional<Rational>> gives(const Evaluation &ev, const std::string &drug) {
    std::vector<std::optional<Rational>> out;
    for (const FiredAction &a : ev.actions)
      if (a.action->kind == ActionKind::Give && a.action->name == drug) out.push_back(a.amount);
    return out;
  }
};

using Amounts = std::vector<std::optional<Rational>>;

TEST_F(EvaluatorAnec, ExamplesInTheProtocolAllPass) {
  // The same check `carepath test` makes, reduced to tiers and doses.
  EXPECT_GE(p->examples.size(), 12u);
  for (const Example &ex : p->examples) {
    Evaluation ev = evaluate(*p, ex.patient);
    for (const Expectation &x : ex.expectations) {
      if (x.kind == Expectation::Kind::Outside) { EXPECT_EQ(ev.inPopulation, x.negated) << ex.name; }
      if (x.kind == Expectation::Kind::Fired) {
        bool fired = x.target.kind == Target::Kind::Tier ? ev.tiers[x.target.container][x.target.index]
                                                        : ev.rules[x.target.container][x.target.index];
        EXPECT_EQ(fired, !x.negated) << ex.name;
      }
      if (x.kind == Expectation::Kind::Dose) {
        bool found = false;
        for (const auto &a : gives(ev, x.name)) found = found || (a && *a == x.dose);
        EXPECT_TRUE(found) << ex.name << ": " << x.name;
      }
    }
  }
}

TEST_F(EvaluatorAnec, TypicalThreeYearOld) {
  Evaluation ev = run("typical-3yo-14kg.json");
  EXPECT_TRUE(ev.inPopulation);
  EXPECT_TRUE(tier(ev, "immunotherapy", "first_line"));
  EXPECT_FALSE(tier(ev, "immunotherapy", "second_line"));
  EXPECT_EQ(gives(ev, "methylprednisolone"), (Amounts{Rational(420)}));
  EXPECT_EQ(gives(ev, "ivig"), (Amounts{Rational(28000)}));
  EXPECT_TRUE(rule(ev, "diagnostics", "brain_mri"));
  EXPECT_TRUE(rule(ev, "diagnostics", "csf_analysis"));
  EXPECT_TRUE(rule(ev, "diagnostics", "laboratory"));
  EXPECT_TRUE(rule(ev, "initial_management", "empiric"));
  EXPECT_TRUE(rule(ev, "supportive", "icu"));
  EXPECT_TRUE(ev.violations.empty());
}

TEST_F(EvaluatorAnec, ToddlerWithRefractoryShock) {
  Evaluation ev = run("toddler-1yo-10kg-refractory-shock.json");
  EXPECT_TRUE(tier(ev, "immunotherapy", "first_line"));
  EXPECT_EQ(gives(ev, "methylprednisolone"), (Amounts{Rational(300)}));
  EXPECT_EQ(gives(ev, "ivig"), (Amounts{Rational(20000)}));
  EXPECT_FALSE(rule(ev, "initial_management", "empiric"));  // confirmed by MRI
  EXPECT_TRUE(rule(ev, "advanced_support", "ecmo_criteria"));
  EXPECT_TRUE(rule(ev, "advanced_support", "crrt_criteria"));
  EXPECT_TRUE(rule(ev, "supportive", "seizure_treatment"));
  EXPECT_TRUE(rule(ev, "supportive", "icp_treatment"));
  EXPECT_TRUE(rule(ev, "supportive", "shock_treatment"));
  EXPECT_TRUE(rule(ev, "supportive", "organ_support"));
}

TEST_F(EvaluatorAnec, TwelveYearOldAfterFirstLineFailed) {
  Evaluation ev = run("child-12yo-40kg-first-line-failed.json");
  EXPECT_FALSE(tier(ev, "immunotherapy", "first_line"));
  EXPECT_TRUE(tier(ev, "immunotherapy", "second_line"));
  EXPECT_TRUE(gives(ev, "methylprednisolone").empty());
  EXPECT_TRUE(gives(ev, "ivig").empty());
  // On second line, not yet responded: no taper or follow-up MRI yet (the
  // snapshot encoding gave them to every patient who had had the pulse);
  // the neurological examinations go on throughout.
  EXPECT_FALSE(tier(ev, "immunotherapy", "follow_up"));
  EXPECT_TRUE(rule(ev, "supportive", "neurology"));
}

TEST_F(EvaluatorAnec, HighRiskTwoYearOldWithinTheWindow) {
  Evaluation ev = run("high-risk-2yo-12kg-within-24h.json");
  EXPECT_EQ(gives(ev, "methylprednisolone"), (Amounts{Rational(360)}));
  EXPECT_EQ(gives(ev, "ivig"), (Amounts{Rational(24000)}));
  EXPECT_TRUE(rule(ev, "add_on", "tocilizumab_early"));
  EXPECT_EQ(gives(ev, "tocilizumab"), (Amounts{std::nullopt}));  // dose unspecified by the source
  EXPECT_TRUE(rule(ev, "initial_management", "fluids"));
  EXPECT_TRUE(rule(ev, "supportive", "shock_treatment"));
  EXPECT_TRUE(rule(ev, "supportive", "seizure_treatment"));
}

TEST_F(EvaluatorAnec, CapIsReachedAtOneThirdAboveThirtyThreeKilograms) {
  // 30 mg/kg * w reaches 1 g at w = 100/3 kg exactly; probe both sides
  // with the exact weights a JSON file can state.
  std::string base = slurp(std::string(CAREPATH_SOURCE_DIR) + "/protocols/examples/typical-3yo-14kg.json");
  auto withWeight = [&](const std::string &w) {
    std::string json = base;
    size_t at = json.find("\"weight\"");
    size_t end = json.find('\n', at);
    json.replace(at, end - at, "\"weight\": " + w + ",");
    std::vector<runtime::PatientError> errors;
    auto patient = readPatient(*p, json, errors);
    EXPECT_TRUE(patient) << (errors.empty() ? "" : errors[0].message);
    return gives(evaluate(*p, *patient), "methylprednisolone");
  };
  EXPECT_EQ(withWeight("\"33.333 kg\""), (Amounts{Rational(99999, 100)}));
  EXPECT_EQ(withWeight("\"33.334 kg\""), (Amounts{Rational(1000)}));
  EXPECT_EQ(withWeight("{\"value\": 14.35, \"unit\": \"kg\"}"), (Amounts{Rational(861, 2)}));
}

}  // namespace
