// The C API (carepath/carepath.h) on the hand-built protocol: status codes
// for each kind of failure, structured details (input, expected, found),
// introspection, and evaluation into a caller-owned result.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "BackendTestProtocol.h"
#include "TableForTest.h"
#include "CompileForTest.h"
#include "Frontend.h"
#include "backends/JsonTable.h"
#include "carepath/TableFormat.h"
#include "carepath/carepath.h"

using namespace carepath;

namespace {

std::string compileMini(const std::string &status = "verified") { return handbuilt::miniTable(status); }

using unittest::resign;

struct Opened {
  carepath_status status = CAREPATH_ERROR_INTERNAL;
  carepath_table *table = nullptr;
  carepath_error *error = nullptr;
  ~Opened() {
    carepath_table_free(table);
    carepath_error_free(error);
  }
};

void openTable(const std::string &text, Opened &o, unsigned flags = 0) {
  o.status = carepath_table_open_string(text.data(), text.size(), flags, &o.table, &o.error);
}

const char *kPatient =
    R"({"age": "3 years", "weight": "14 kg", "fever": true, "consciousness": "coma", "count": 0})";

}  // namespace

TEST(CApi, LoadFailuresHaveTheirOwnCodes) {
  struct Case {
    std::string text;
    carepath_status status;
    const char *words;
  };
  nlohmann::json doc = nlohmann::json::parse(compileMini());
  nlohmann::json future = doc;
  future["formatVersion"] = runtime::kTableFormatVersion + 1;
  std::string tampered = compileMini();
  size_t at = tampered.find("\"3/100000\"");
  ASSERT_NE(at, std::string::npos);
  tampered[at + 1] = '4';
  std::vector<Case> cases = {
      {"{", CAREPATH_ERROR_MALFORMED_TABLE, "malformed JSON"},
      {"[]", CAREPATH_ERROR_MALFORMED_TABLE, "not a carepath table"},
      {resign(future), CAREPATH_ERROR_UNSUPPORTED_TABLE, "is not supported"},
      {tampered, CAREPATH_ERROR_TAMPERED_TABLE, "digest mismatch"},
      {compileMini("unverified"), CAREPATH_ERROR_UNVERIFIED_TABLE, "refusing it"},
  };
  for (const Case &c : cases) {
    Opened o;
    openTable(c.text, o);
    EXPECT_EQ(o.status, c.status) << c.words;
    EXPECT_EQ(o.table, nullptr);
    ASSERT_NE(o.error, nullptr);
    EXPECT_EQ(carepath_error_code(o.error), c.status);
    EXPECT_NE(std::string(carepath_error_message(o.error)).find(c.words), std::string::npos)
        << carepath_error_message(o.error);
    ASSERT_EQ(carepath_error_detail_count(o.error), 1u);
    EXPECT_EQ(carepath_error_detail_problem(o.error, 0), CAREPATH_PROBLEM_NONE);
    EXPECT_STREQ(carepath_error_detail_input(o.error, 0), "");
  }
  // The unverified table loads when allowed.
  Opened allowed;
  openTable(compileMini("unverified"), allowed, CAREPATH_ALLOW_UNVERIFIED);
  EXPECT_EQ(allowed.status, CAREPATH_OK);
  EXPECT_EQ(allowed.error, nullptr);
  EXPECT_STREQ(carepath_table_verification(allowed.table), "unverified");

  Opened missing;
  missing.status = carepath_table_open_file("/nonexistent/t.json", 0, &missing.table, &missing.error);
  EXPECT_EQ(missing.status, CAREPATH_ERROR_IO);
  EXPECT_STREQ(carepath_error_message(missing.error), "/nonexistent/t.json: cannot open the file");

  Opened null;
  null.status = carepath_table_open_file(nullptr, 0, &null.table, &null.error);
  EXPECT_EQ(null.status, CAREPATH_ERROR_INVALID_ARGUMENT);
  // No error object asked for: the status alone.
  carepath_table *t = nullptr;
  EXPECT_EQ(carepath_table_open_string("[]", 2, 0, &t, nullptr), CAREPATH_ERROR_MALFORMED_TABLE);
  EXPECT_EQ(t, nullptr);
}

TEST(CApi, StatusNames) {
  EXPECT_STREQ(carepath_status_name(CAREPATH_OK), "CAREPATH_OK");
  EXPECT_STREQ(carepath_status_name(CAREPATH_ERROR_ARITHMETIC), "CAREPATH_ERROR_ARITHMETIC");
  EXPECT_STREQ(carepath_status_name(static_cast<carepath_status>(99)), "");
}

TEST(CApi, Introspection) {
  Opened o;
  openTable(compileMini(), o);
  ASSERT_EQ(o.status, CAREPATH_OK);
  const carepath_table *t = o.table;
  ASSERT_EQ(carepath_table_input_count(t), 5u);
  std::vector<std::string> names;
  for (size_t i = 0; i < 5; ++i) names.push_back(carepath_table_input_name(t, i));
  EXPECT_EQ(names, (std::vector<std::string>{"age", "weight", "fever", "consciousness", "count"}));
  EXPECT_EQ(carepath_table_input_name(t, 5), nullptr);
  EXPECT_EQ(carepath_table_input_kind(t, 5), -1);

  // weight: a number of mass, in kg, 2 kg .. 150 kg.
  EXPECT_EQ(carepath_table_input_kind(t, 1), CAREPATH_KIND_NUMBER);
  EXPECT_EQ(carepath_table_input_optional(t, 1), 0);
  EXPECT_EQ(carepath_table_input_integer(t, 1), 0);
  EXPECT_STREQ(carepath_table_input_unit(t, 1), "kg");
  EXPECT_STREQ(carepath_table_input_dimension(t, 1), "mass");
  std::vector<std::string> units;
  for (size_t u = 0; u < carepath_table_input_unit_count(t, 1); ++u) units.push_back(carepath_table_input_unit_name(t, 1, u));
  EXPECT_NE(std::find(units.begin(), units.end(), "kg"), units.end());
  EXPECT_NE(std::find(units.begin(), units.end(), "mg"), units.end());
  int64_t num = 0, den = 0;
  ASSERT_EQ(carepath_table_input_min(t, 1, &num, &den), 1);
  EXPECT_EQ(num, 2);
  EXPECT_EQ(den, 1);
  ASSERT_EQ(carepath_table_input_max(t, 1, &num, &den), 1);
  EXPECT_EQ(num, 150);
  EXPECT_EQ(den, 1);
  // age in years: 0 .. 120.
  ASSERT_EQ(carepath_table_input_max(t, 0, &num, &den), 1);
  EXPECT_EQ(num, 120);
  EXPECT_EQ(den, 1);
  // count: a dimensionless whole number.
  EXPECT_EQ(carepath_table_input_integer(t, 4), 1);
  EXPECT_STREQ(carepath_table_input_unit(t, 4), "");
  EXPECT_STREQ(carepath_table_input_dimension(t, 4), "");
  ASSERT_EQ(carepath_table_input_max(t, 4, &num, &den), 1);
  EXPECT_EQ(num, 10);
  // fever: a bool, no range.
  EXPECT_EQ(carepath_table_input_kind(t, 2), CAREPATH_KIND_BOOL);
  EXPECT_EQ(carepath_table_input_min(t, 2, &num, &den), 0);
  // consciousness: an enum.
  EXPECT_EQ(carepath_table_input_kind(t, 3), CAREPATH_KIND_ENUM);
  ASSERT_EQ(carepath_table_input_member_count(t, 3), 3u);
  EXPECT_STREQ(carepath_table_input_member(t, 3, 0), "alert");
  EXPECT_STREQ(carepath_table_input_member(t, 3, 2), "coma");
  EXPECT_EQ(carepath_table_input_member(t, 3, 3), nullptr);

  // The pathway first, then the five tables.
  ASSERT_EQ(carepath_table_table_count(t), 6u);
  EXPECT_STREQ(carepath_table_table_name(t, 0), "therapy");
  EXPECT_EQ(carepath_table_table_is_pathway(t, 0), 1);
  EXPECT_STREQ(carepath_table_table_hit_policy(t, 0), "unique");
  ASSERT_EQ(carepath_table_rule_count(t, 0), 2u);
  EXPECT_STREQ(carepath_table_rule_name(t, 0, 1), "second");
  ASSERT_EQ(carepath_table_action_count(t, 0, 0), 1u);
  EXPECT_STREQ(carepath_table_action_kind(t, 0, 0, 0), "give");
  EXPECT_STREQ(carepath_table_action_name(t, 0, 0, 0), "drug");
  EXPECT_STREQ(carepath_table_action_kind(t, 0, 1, 0), "unspecified");
  EXPECT_STREQ(carepath_table_table_name(t, 2), "t_first");
  EXPECT_EQ(carepath_table_table_is_pathway(t, 2), 0);
  EXPECT_STREQ(carepath_table_table_hit_policy(t, 2), "first");
  EXPECT_EQ(carepath_table_rule_count(t, 2), 5u);
  EXPECT_STREQ(carepath_table_rule_name(t, 2, 3), "linear");
  EXPECT_STREQ(carepath_table_action_kind(t, 2, 3, 0), "do");
  EXPECT_STREQ(carepath_table_action_name(t, 2, 3, 0), "c");
  EXPECT_EQ(carepath_table_rule_name(t, 2, 5), nullptr);
  EXPECT_EQ(carepath_table_table_name(t, 6), nullptr);
}

TEST(CApi, EvaluatesIntoACallerOwnedResult) {
  Opened o;
  openTable(compileMini(), o);
  ASSERT_EQ(o.status, CAREPATH_OK);
  carepath_result *r = carepath_result_new();
  EXPECT_STREQ(carepath_result_json(r), "");
  carepath_error *e = nullptr;
  ASSERT_EQ(carepath_table_evaluate_into(o.table, kPatient, 0, r, &e), CAREPATH_OK);
  EXPECT_EQ(e, nullptr);
  EXPECT_EQ(carepath_result_in_population(r), 1);
  EXPECT_NE(std::string(carepath_result_json(r)).find("\"inPopulation\": true"), std::string::npos);
  // The pathway's first tier gives 30 mg/kg x 14 kg = 420 mg per day.
  ASSERT_GE(carepath_result_action_count(r), 1u);
  size_t table = 9, rule = 9, action = 9;
  ASSERT_EQ(carepath_result_action(r, 0, &table, &rule, &action), CAREPATH_OK);
  EXPECT_EQ(table, 0u);
  EXPECT_EQ(rule, 0u);
  EXPECT_EQ(action, 0u);
  int64_t ln = 0, ld = 0, hn = 0, hd = 0;
  ASSERT_EQ(carepath_result_action_amount(r, 0, &ln, &ld, &hn, &hd), 1);
  EXPECT_EQ(ln, 420);
  EXPECT_EQ(ld, 1);
  EXPECT_EQ(hn, 420);
  EXPECT_STREQ(carepath_result_action_dose(r, 0), "420 mg per day");
  // A `do` action has no amount.
  size_t last = carepath_result_action_count(r) - 1;
  EXPECT_EQ(carepath_result_action_amount(r, last, &ln, &ld, nullptr, nullptr), 0);
  EXPECT_STREQ(carepath_result_action_dose(r, last), "");
  EXPECT_EQ(carepath_result_action(r, last + 1, &table, &rule, &action), CAREPATH_ERROR_INVALID_ARGUMENT);

  // The same result reused: a heavier child, capped at 1000 mg.
  std::string heavy = kPatient;
  heavy.replace(heavy.find("14 kg"), 5, "40 kg");
  ASSERT_EQ(carepath_table_evaluate_into(o.table, heavy.c_str(), CAREPATH_EXPLAIN, r, &e), CAREPATH_OK);
  ASSERT_EQ(carepath_result_action_amount(r, 0, &ln, &ld, nullptr, nullptr), 1);
  EXPECT_EQ(ln, 1000);
  EXPECT_NE(std::string(carepath_result_json(r)).find("\"trace\""), std::string::npos);

  // An adult: outside the population, nothing fires.
  std::string adult = kPatient;
  adult.replace(adult.find("3 years"), 7, "30 years");
  ASSERT_EQ(carepath_table_evaluate_into(o.table, adult.c_str(), 0, r, &e), CAREPATH_OK);
  EXPECT_EQ(carepath_result_in_population(r), 0);
  EXPECT_EQ(carepath_result_action_count(r), 0u);

  // A failure empties the result.
  ASSERT_EQ(carepath_table_evaluate_into(o.table, kPatient, 0, r, &e), CAREPATH_OK);
  EXPECT_EQ(carepath_table_evaluate_into(o.table, "{", 0, r, &e), CAREPATH_ERROR_MALFORMED_PATIENT);
  EXPECT_EQ(carepath_result_action_count(r), 0u);
  EXPECT_STREQ(carepath_result_json(r), "");
  carepath_error_free(e);
  EXPECT_EQ(carepath_table_evaluate_into(o.table, kPatient, 0, nullptr, nullptr), CAREPATH_ERROR_INVALID_ARGUMENT);
  carepath_result_free(r);
}

TEST(CApi, PatientErrorsNameInputExpectedAndFound) {
  Opened o;
  openTable(compileMini(), o);
  ASSERT_EQ(o.status, CAREPATH_OK);
  carepath_result *r = carepath_result_new();
  carepath_error *e = nullptr;
  const char *bad = R"({"age": "3 years", "weight": "500 kg", "fever": 1, "consciousness": "comma",
                        "count": 1.5, "height": "1 m"})";
  ASSERT_EQ(carepath_table_evaluate_into(o.table, bad, 0, r, &e), CAREPATH_ERROR_INVALID_PATIENT);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(carepath_error_code(e), CAREPATH_ERROR_INVALID_PATIENT);
  struct Detail {
    carepath_problem problem;
    std::string expected, found;
  };
  std::map<std::string, Detail> got;
  for (size_t i = 0; i < carepath_error_detail_count(e); ++i) {
    got[carepath_error_detail_input(e, i)] = {carepath_error_detail_problem(e, i), carepath_error_detail_expected(e, i),
                                              carepath_error_detail_found(e, i)};
    EXPECT_NE(std::string(carepath_error_message(e)).find(carepath_error_detail_message(e, i)), std::string::npos);
  }
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got["height"].problem, CAREPATH_PROBLEM_UNKNOWN_INPUT);
  EXPECT_EQ(got["height"].found, "'height'");
  EXPECT_EQ(got["weight"].problem, CAREPATH_PROBLEM_OUT_OF_RANGE);
  EXPECT_EQ(got["weight"].expected, "2 kg .. 150 kg");
  EXPECT_EQ(got["weight"].found, "500 kg");
  EXPECT_EQ(got["fever"].problem, CAREPATH_PROBLEM_WRONG_TYPE);
  EXPECT_EQ(got["fever"].expected, "true or false");
  EXPECT_EQ(got["fever"].found, "a number");
  EXPECT_EQ(got["consciousness"].problem, CAREPATH_PROBLEM_UNKNOWN_MEMBER);
  EXPECT_EQ(got["consciousness"].expected, "one of alert, altered, coma");
  EXPECT_EQ(got["consciousness"].found, "'comma'");
  EXPECT_EQ(got["count"].problem, CAREPATH_PROBLEM_NOT_INTEGER);
  EXPECT_EQ(got["count"].found, "1.5");
  carepath_error_free(e);

  // Units: unknown, of the wrong dimension, absent; a required input missing.
  const char *units = R"({"age": "3 kg", "weight": "14 stone", "fever": true, "consciousness": "coma", "count": 0})";
  ASSERT_EQ(carepath_table_evaluate_into(o.table, units, 0, r, &e), CAREPATH_ERROR_INVALID_PATIENT);
  ASSERT_EQ(carepath_error_detail_count(e), 2u);
  EXPECT_STREQ(carepath_error_detail_input(e, 0), "age");
  EXPECT_EQ(carepath_error_detail_problem(e, 0), CAREPATH_PROBLEM_WRONG_DIMENSION);
  EXPECT_STREQ(carepath_error_detail_expected(e, 0), "a unit of duration");
  EXPECT_STREQ(carepath_error_detail_found(e, 0), "'kg' (mass)");
  EXPECT_EQ(carepath_error_detail_problem(e, 1), CAREPATH_PROBLEM_UNKNOWN_UNIT);
  EXPECT_STREQ(carepath_error_detail_found(e, 1), "'stone'");
  carepath_error_free(e);
  ASSERT_EQ(carepath_table_evaluate_into(o.table, R"({"age": "3 years"})", 0, r, &e), CAREPATH_ERROR_INVALID_PATIENT);
  ASSERT_EQ(carepath_error_detail_count(e), 4u);
  EXPECT_EQ(carepath_error_detail_problem(e, 0), CAREPATH_PROBLEM_MISSING);
  EXPECT_STREQ(carepath_error_detail_input(e, 0), "weight");
  EXPECT_STREQ(carepath_error_detail_found(e, 0), "");
  carepath_error_free(e);

  // Not a JSON object: malformed, about the document ("" input).
  ASSERT_EQ(carepath_table_evaluate_into(o.table, "[1]", 0, r, &e), CAREPATH_ERROR_MALFORMED_PATIENT);
  ASSERT_EQ(carepath_error_detail_count(e), 1u);
  EXPECT_EQ(carepath_error_detail_problem(e, 0), CAREPATH_PROBLEM_MALFORMED);
  EXPECT_STREQ(carepath_error_detail_input(e, 0), "");
  EXPECT_STREQ(carepath_error_detail_expected(e, 0), "a JSON object");
  EXPECT_STREQ(carepath_error_detail_found(e, 0), "an array");
  carepath_error_free(e);
  carepath_result_free(r);
}

// A dose whose exact arithmetic overflows is an arithmetic error, told
// apart from a bad patient.
TEST(CApi, ArithmeticOverflowHasItsOwnCode) {
  std::string text = compileMini();
  size_t at = text.find("\"3/100000\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 10, "\"4611686018427387903/7\"");
  Opened o;
  openTable(resign(nlohmann::json::parse(text)), o);
  ASSERT_EQ(o.status, CAREPATH_OK) << carepath_error_message(o.error);
  carepath_result *r = carepath_result_new();
  carepath_error *e = nullptr;
  ASSERT_EQ(carepath_table_evaluate_into(o.table, kPatient, 0, r, &e), CAREPATH_ERROR_ARITHMETIC);
  EXPECT_NE(std::string(carepath_error_message(e)).find("exact arithmetic overflow"), std::string::npos)
      << carepath_error_message(e);
  carepath_error_free(e);
  carepath_result_free(r);
}

// The earlier, text-only functions still work (tests/runtime/c_api_test.c
// uses them from C).
TEST(CApi, EarlierFunctionsStillWork) {
  std::string text = compileMini();
  char *error = nullptr;
  carepath_table *t = carepath_table_load_string(text.data(), text.size(), 0, &error);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(error, nullptr);
  char *result = carepath_table_evaluate(t, R"({"age": "3 years"})", 0, &error);
  EXPECT_EQ(result, nullptr);
  ASSERT_NE(error, nullptr);
  EXPECT_NE(std::string(error).find("input 'weight' is missing"), std::string::npos) << error;
  carepath_string_free(error);
  result = carepath_table_evaluate(t, kPatient, 0, &error);
  ASSERT_NE(result, nullptr);
  EXPECT_NE(std::string(result).find("420 mg per day"), std::string::npos);
  carepath_string_free(result);
  carepath_table_free(t);
}

// Assumptions and alternatives, compiled from source: a patient who
// violates an assumption is still decided and says which; an action of a
// `one of` says its choice and alternative.
TEST(CApi, AssumptionsAndAlternatives) {
  const char *text = R"(protocol t version "1" {
  title "test"
}
use stdlib.units
input age : duration in 0 years .. 18 years
input weight : mass in 1 kg .. 150 kg
input seizing : bool
input allergy : bool
assume infant_weight : age >= 1 year or weight <= 15 kg unspecified "made up for the test"
pathway treat {
  tier first when seizing {
    do call_for_help
    one of {
      do lorazepam_route unless allergy
    | do midazolam_route
    }
  }
}
)";
  unittest::CompiledForTest c = unittest::compileForTest("choices.care", text);
  ASSERT_FALSE(c.table.empty()) << c.diagnostics;
  Opened o;
  openTable(c.table, o);
  ASSERT_EQ(o.status, CAREPATH_OK);
  ASSERT_EQ(carepath_table_assumption_count(o.table), 1u);
  EXPECT_STREQ(carepath_table_assumption_name(o.table, 0), "infant_weight");
  EXPECT_STREQ(carepath_table_assumption_condition(o.table, 0), "age >= 1 year or weight <= 15 kg");
  EXPECT_EQ(carepath_table_assumption_name(o.table, 1), nullptr);

  carepath_result *r = carepath_result_new();
  carepath_error *e = nullptr;
  // A 6-month-old of 40 kg: outside the assumption, still decided.
  ASSERT_EQ(carepath_table_evaluate_into(o.table, R"({"age": "6 months", "weight": "40 kg", "seizing": true, "allergy": false})", 0, r, &e),
            CAREPATH_OK);
  ASSERT_EQ(carepath_result_violated_assumption_count(r), 1u);
  EXPECT_EQ(carepath_result_violated_assumption(r, 0), 0u);
  EXPECT_EQ(carepath_result_violated_assumption(r, 1), static_cast<size_t>(-1));
  // call_for_help outright; both alternatives offered (no allergy).
  ASSERT_EQ(carepath_result_action_count(r), 3u);
  size_t choice = 9, option = 9;
  std::vector<std::pair<size_t, size_t>> alternatives;
  for (size_t i = 0; i < carepath_result_action_count(r); ++i) {
    size_t t = 0, rule = 0, a = 0;
    ASSERT_EQ(carepath_result_action(r, i, &t, &rule, &a), CAREPATH_OK);
    if (carepath_table_action_alternative(o.table, t, rule, a, &choice, &option)) alternatives.push_back({choice, option});
    else EXPECT_STREQ(carepath_table_action_name(o.table, t, rule, a), "call_for_help");
  }
  EXPECT_EQ(alternatives, (std::vector<std::pair<size_t, size_t>>{{0, 0}, {0, 1}}));
  // A 3-year-old of 14 kg: no assumption violated; the allergy withholds one.
  ASSERT_EQ(carepath_table_evaluate_into(o.table, R"({"age": "3 years", "weight": "14 kg", "seizing": true, "allergy": true})", 0, r, &e),
            CAREPATH_OK);
  EXPECT_EQ(carepath_result_violated_assumption_count(r), 0u);
  EXPECT_EQ(carepath_result_action_count(r), 2u);
  EXPECT_EQ(carepath_table_action_alternative(o.table, 99, 0, 0, nullptr, nullptr), 0);
  carepath_error_free(e);
  carepath_result_free(r);
}

// The treatment plan and the course's next state, on ANEC's typical
// 3-year-old of 14 kg (protocols/examples/typical-3yo-14kg.json, whose
// `carepath eval` shows "plan: 420 mg per day, 2100 mg per course" and
// "on_immunotherapy: false -> true").
TEST(CApi, PlanAndNextState) {
  unittest::CompiledForTest c = unittest::compileSourceForTest("protocols/anec.care");
  ASSERT_FALSE(c.table.empty()) << c.diagnostics;
  Opened o;
  openTable(c.table, o);
  ASSERT_EQ(o.status, CAREPATH_OK);
  carepath_result *r = carepath_result_new();
  carepath_error *e = nullptr;
  EXPECT_EQ(carepath_result_next_state_count(r), 0u) << "nothing before an evaluation";
  std::string patient = unittest::readSource("protocols/examples/typical-3yo-14kg.json");
  ASSERT_EQ(carepath_table_evaluate_into(o.table, patient.c_str(), 0, r, &e), CAREPATH_OK);
  // Methylprednisolone: 30 mg/kg x 14 kg = 420 mg a day, for 5 days.
  bool found = false;
  for (size_t i = 0; i < carepath_result_action_count(r); ++i) {
    size_t t = 0, rule = 0, a = 0;
    ASSERT_EQ(carepath_result_action(r, i, &t, &rule, &a), CAREPATH_OK);
    if (std::string(carepath_table_action_name(o.table, t, rule, a)) != "methylprednisolone") continue;
    found = true;
    EXPECT_STREQ(carepath_result_action_plan(r, i), "420 mg per day, 2100 mg per course");
    int64_t ln = 0, ld = 0, hn = 0, hd = 0;
    ASSERT_EQ(carepath_result_action_plan_part(r, i, CAREPATH_PLAN_PER_DAY, &ln, &ld, &hn, &hd), 1);
    EXPECT_EQ(ln, 420);
    EXPECT_EQ(ld, 1);
    EXPECT_EQ(hn, 420);
    EXPECT_EQ(hd, 1);
    ASSERT_EQ(carepath_result_action_plan_part(r, i, CAREPATH_PLAN_PER_COURSE, &ln, &ld, nullptr, nullptr), 1);
    EXPECT_EQ(ln, 2100);
    EXPECT_EQ(carepath_result_action_plan_part(r, i, CAREPATH_PLAN_INTERVAL, &ln, &ld, &hn, &hd), 0)
        << "the protocol gives no interval";
    EXPECT_EQ(carepath_result_action_plan_part(r, i, static_cast<carepath_plan_part>(9), &ln, &ld, &hn, &hd), 0);
  }
  EXPECT_TRUE(found);
  EXPECT_STREQ(carepath_result_action_plan(r, 999), "");
  // The course: on the pathway next time, first line on.
  std::map<std::string, std::string> next;
  for (size_t i = 0; i < carepath_result_next_state_count(r); ++i) {
    const char *pathway = nullptr, *input = nullptr, *value = nullptr;
    ASSERT_EQ(carepath_result_next_state(r, i, &pathway, &input, &value), CAREPATH_OK);
    EXPECT_STREQ(pathway, "immunotherapy");
    next[input] = value;
  }
  EXPECT_EQ(next["on_immunotherapy"], "true");
  EXPECT_EQ(next["immunotherapy_first_line_state"], "on");
  EXPECT_EQ(next["immunotherapy_second_line_state"], "not_started");
  EXPECT_EQ(next.size(), 6u);
  EXPECT_EQ(carepath_result_exit_count(r), 0u);
  EXPECT_EQ(carepath_result_next_state(r, 99, nullptr, nullptr, nullptr), CAREPATH_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(carepath_result_exit(r, 0, nullptr, nullptr), CAREPATH_ERROR_INVALID_ARGUMENT);
  // A failed evaluation empties the result.
  EXPECT_NE(carepath_table_evaluate_into(o.table, "{}", 0, r, &e), CAREPATH_OK);
  EXPECT_EQ(carepath_result_next_state_count(r), 0u);
  EXPECT_STREQ(carepath_result_action_plan(r, 0), "");
  carepath_error_free(e);
  carepath_result_free(r);
}
