// Drug contraindications from the protocol to the runtime (docs/tables.md,
// "Contraindications"; docs/runtime.md, "Contraindications"): the table's
// `drugs[].contraindications`, the runtime's report for each offered give
// (true, or unknown for a missing value), and the compact format (version
// 5) keeping them. The protocol is the conformance suite's errors.care,
// which the verifier refutes: a verified protocol never reports one.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "CompileForTest.h"
#include "CompactVersion.h"
#include "carepath/Table.h"
#include "carepath/carepath.h"

using namespace carepath;

namespace {

std::string compile(const std::string &relative) { return unittest::compileSourceForTest(relative).table; }

runtime::Result evaluate(const runtime::Table &t, const std::string &patient) {
  std::vector<runtime::PatientError> errors;
  auto values = t.readPatient(patient, errors);
  EXPECT_TRUE(values) << patient;
  return values ? t.evaluate(*values) : runtime::Result{};
}

const char *kErrors = "conformance/protocols/errors.care";

TEST(Contraindications, InTheTable) {
  std::string text = compile(kErrors);
  ASSERT_FALSE(text.empty());
  nlohmann::json doc = nlohmann::json::parse(text);
  int with = 0;
  for (const auto &d : doc["drugs"]) {
    if (d["name"] != "contra_drug") {
      EXPECT_FALSE(d.contains("contraindications")) << d["name"];  // absent when a drug has none
      continue;
    }
    ++with;
    ASSERT_EQ(d["contraindications"].size(), 1u);
    const auto &c = d["contraindications"][0];
    EXPECT_EQ(c["when"], "renal_failure");
    EXPECT_EQ(c["note"], "illustrative: renal failure");
    EXPECT_EQ(c["citations"], nlohmann::json::array({"S1"}));
    EXPECT_TRUE(c["condition"].is_number_unsigned());
  }
  EXPECT_EQ(with, 1);
  // A protocol without contraindications: no key anywhere.
  EXPECT_EQ(compile("tests/runtime/Inputs/coded.care").find("contraindications"), std::string::npos);
}

TEST(Contraindications, ReportedForEachOfferedGive) {
  runtime::Table t = runtime::Table::loadText(compile(kErrors));
  ASSERT_EQ(t.contraindications().size(), 1u);
  EXPECT_EQ(t.contraindications()[0].drug, "contra_drug");
  EXPECT_EQ(t.contraindications()[0].when, "renal_failure");
  // Holds.
  runtime::Result r = evaluate(t, R"({"weight": "20 kg", "route": "contra", "renal_failure": true})");
  ASSERT_EQ(r.actions.size(), 1u);
  ASSERT_EQ(r.contraindicated.size(), 1u);
  EXPECT_EQ(r.contraindicated[0].action, 0u);
  EXPECT_EQ(r.contraindicated[0].contraindication, 0u);
  EXPECT_EQ(r.contraindicated[0].truth, Truth::True);
  // May hold: the value is missing.
  r = evaluate(t, R"({"weight": "20 kg", "route": "contra"})");
  ASSERT_EQ(r.contraindicated.size(), 1u);
  EXPECT_EQ(r.contraindicated[0].truth, Truth::Unknown);
  // Does not hold; another drug; and the list is cleared between patients.
  EXPECT_TRUE(evaluate(t, R"({"weight": "20 kg", "route": "contra", "renal_failure": false})").contraindicated.empty());
  runtime::Result reused = evaluate(t, R"({"weight": "20 kg", "route": "contra", "renal_failure": true})");
  std::vector<runtime::PatientError> errors;
  t.evaluate(*t.readPatient(R"({"weight": "20 kg", "route": "ranged", "renal_failure": true})", errors), reused);
  EXPECT_TRUE(reused.contraindicated.empty());
  // The result JSON: on the give, with its truth.
  std::vector<runtime::PatientValue> p = *t.readPatient(R"({"weight": "20 kg", "route": "contra"})", errors);
  nlohmann::json j = nlohmann::json::parse(t.resultJson(p, t.evaluate(p), false));
  ASSERT_EQ(j["actions"].size(), 1u);
  EXPECT_EQ(j["actions"][0]["contraindications"],
            nlohmann::json::parse(R"([{"when": "renal_failure", "note": "illustrative: renal failure",
                                       "citations": ["S1"], "truth": "unknown"}])"));
}

TEST(Contraindications, CompactKeepsThemAndRefusesVersion4) {
  runtime::Table t = runtime::Table::loadText(compile(kErrors));
  std::string bytes = t.compact();
  runtime::Table back = runtime::Table::loadCompact(bytes);
  ASSERT_EQ(back.contraindications().size(), 1u);
  EXPECT_EQ(back.contraindications()[0].note, "illustrative: renal failure");
  EXPECT_EQ(back.contraindications()[0].citations, std::vector<std::string>{"S1"});
  runtime::Result r = evaluate(back, R"({"weight": "20 kg", "route": "contra", "renal_failure": true})");
  ASSERT_EQ(r.contraindicated.size(), 1u);
  EXPECT_EQ(r.contraindicated[0].truth, Truth::True);
  // A file of the previous version (no contraindications) is refused with its version named.
  expectOlderCompactRefused(bytes, 4);
}

// The C API's accessors (docs/runtime.md, "C API"): the table's
// contraindications, and per fired give those that hold or may hold, as
// Result::contraindicated lists them. Two contraindications on one drug
// (one reading an optional input), a give withheld by `unless`, a drug
// without any.
TEST(Contraindications, CApi) {
  std::string text = compile("tests/backends/Inputs/dmn-contraindications.care");
  ASSERT_FALSE(text.empty());
  carepath_table *t = nullptr;
  ASSERT_EQ(carepath_table_open_string(text.data(), text.size(), 0, &t, nullptr), CAREPATH_OK);
  ASSERT_EQ(carepath_table_contraindication_count(t), 2u);
  EXPECT_STREQ(carepath_table_contraindication_drug(t, 0), "calm");
  EXPECT_STREQ(carepath_table_contraindication_condition(t, 0), "renal");
  EXPECT_STREQ(carepath_table_contraindication_note(t, 0), "renal failure");
  EXPECT_STREQ(carepath_table_contraindication_condition(t, 1), "liver == failed or age < 2 years");
  EXPECT_STREQ(carepath_table_contraindication_note(t, 1), "liver failure; infants");
  ASSERT_EQ(carepath_table_contraindication_citation_count(t, 1), 1u);
  EXPECT_STREQ(carepath_table_contraindication_citation(t, 1, 0), "S");
  EXPECT_EQ(carepath_table_contraindication_citation(t, 1, 1), nullptr);
  EXPECT_EQ(carepath_table_contraindication_drug(t, 2), nullptr);
  EXPECT_EQ(carepath_table_contraindication_citation_count(t, 2), 0u);
  EXPECT_EQ(carepath_table_contraindication_count(nullptr), 0u);

  carepath_result *r = carepath_result_new();
  // A 1-year-old, renal function unknown: `unless renal` withholds the
  // guarded give; the other holds one (age) and may hold the other.
  ASSERT_EQ(carepath_table_evaluate_into(t, R"({"age": "1 year", "weight": "20 kg", "liver": "normal", "seizing": true})",
                                         0, r, nullptr),
            CAREPATH_OK);
  ASSERT_EQ(carepath_result_action_count(r), 1u);
  ASSERT_EQ(carepath_result_action_contraindication_count(r, 0), 2u);
  carepath_truth truth = CAREPATH_TRUTH_FALSE;
  EXPECT_EQ(carepath_result_action_contraindication(r, 0, 0, &truth), 0u);
  EXPECT_EQ(truth, CAREPATH_TRUTH_UNKNOWN);
  EXPECT_EQ(carepath_result_action_contraindication(r, 0, 1, &truth), 1u);
  EXPECT_EQ(truth, CAREPATH_TRUTH_TRUE);
  EXPECT_EQ(carepath_result_action_contraindication(r, 0, 1, nullptr), 1u);
  EXPECT_EQ(carepath_result_action_contraindication(r, 0, 2, &truth), static_cast<size_t>(-1));
  EXPECT_EQ(carepath_result_action_contraindication_count(r, 1), 0u);  // out of range
  // Both gives offered, neither contraindicated; each action's list is its own.
  ASSERT_EQ(carepath_table_evaluate_into(
                t, R"({"age": "5 years", "weight": "20 kg", "renal": false, "liver": "normal", "seizing": true})", 0, r,
                nullptr),
            CAREPATH_OK);
  ASSERT_EQ(carepath_result_action_count(r), 2u);
  EXPECT_EQ(carepath_result_action_contraindication_count(r, 0), 0u);
  EXPECT_EQ(carepath_result_action_contraindication_count(r, 1), 0u);
  // Both offered, the second's drug contraindicated by the liver only: the
  // hits of action 1 are told from action 0's.
  ASSERT_EQ(carepath_table_evaluate_into(
                t, R"({"age": "5 years", "weight": "20 kg", "renal": false, "liver": "failed", "seizing": true})", 0,
                r, nullptr),
            CAREPATH_OK);
  ASSERT_EQ(carepath_result_action_count(r), 2u);
  for (size_t a = 0; a < 2; ++a) {
    ASSERT_EQ(carepath_result_action_contraindication_count(r, a), 1u) << a;
    EXPECT_EQ(carepath_result_action_contraindication(r, a, 0, &truth), 1u);
    EXPECT_EQ(truth, CAREPATH_TRUTH_TRUE);
  }
  // A drug without contraindications.
  ASSERT_EQ(carepath_table_evaluate_into(t, R"({"age": "5 years", "weight": "20 kg", "liver": "failed", "seizing": false})",
                                         0, r, nullptr),
            CAREPATH_OK);
  ASSERT_EQ(carepath_result_action_count(r), 1u);
  EXPECT_EQ(carepath_result_action_contraindication_count(r, 0), 0u);
  // A failed evaluation empties the result.
  carepath_error *e = nullptr;
  EXPECT_NE(carepath_table_evaluate_into(t, R"({"age": "1 year"})", 0, r, &e), CAREPATH_OK);
  carepath_error_free(e);
  EXPECT_EQ(carepath_result_action_contraindication_count(r, 0), 0u);
  EXPECT_EQ(carepath_result_action_contraindication(r, 0, 0, &truth), static_cast<size_t>(-1));
  EXPECT_EQ(carepath_result_action_contraindication_count(nullptr, 0), 0u);
  carepath_result_free(r);
  carepath_table_free(t);
}

}  // namespace
