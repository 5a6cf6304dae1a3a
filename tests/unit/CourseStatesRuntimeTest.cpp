// A course pathway's reachable course states in the compiled table
// (docs/tables.md, `course.reachable`) and the runtime's check of a
// record's state against them (docs/runtime.md, "Course states no course
// produces"): read from the JSON table and from the compact format
// (version 7), unknown states flag nothing, a table without the key is
// read and flags nothing, a malformed set is refused by its field, and a
// compact table of the previous version is refused. The protocol is the
// conformance suite's course.care, its states from the verifier's search.
#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "../../compiler/driver/CourseStates.h"
#include "CompactVersion.h"
#include "CompileForTest.h"
#include "TableForTest.h"
#include "carepath/Table.h"
#include "carepath/TableFormat.h"
#include "carepath/carepath.h"
#include "verifier/CourseReach.h"

using namespace carepath;

namespace {

const char *kCourse = "conformance/protocols/course.care";

// The table with the course searches `carepath test` runs (CompileForTest.h).
std::string compileWithStates(const std::string &relative) {
  return unittest::compileForTest(relative, unittest::readSource(relative), "verified", true).table;
}

// A fresh patient presenting with suspected disease, and the same record
// edited: `patch` overrides its fields.
std::string patient(const nlohmann::json &patch = nlohmann::json::object()) {
  nlohmann::json p = {{"age", "3 years"},
                      {"fever", true},
                      {"coma", true},
                      {"transferred", false},
                      {"presentation", "2 h"},
                      {"first_dose", nullptr},
                      {"on_care", false},
                      {"care_first_line_state", "not_started"},
                      {"care_second_line_state", "not_started"},
                      {"care_no_further_line_state", "not_started"},
                      {"care_follow_up_state", "not_started"}};
  p.update(patch);
  return p.dump();
}

runtime::Result evaluate(const runtime::Table &t, const std::string &text) { return unittest::evaluateText(t, text); }

using unittest::edited;

TEST(CourseStates, InTheTableSorted) {
  std::string text = compileWithStates(kCourse);
  ASSERT_FALSE(text.empty());
  nlohmann::json doc = nlohmann::json::parse(text);
  const nlohmann::json &reach = doc["pathways"][0]["course"]["reachable"];
  ASSERT_EQ(reach["complete"], true);
  const nlohmann::json &states = reach["states"];
  ASSERT_GT(states.size(), 1u);
  // Fresh first: not on the pathway, every tier not started.
  EXPECT_EQ(states[0], nlohmann::json({{"on", false}, {"tiers", {"not_started", "not_started", "not_started", "not_started"}}}));
  // On the pathway with first line not started: no course produces it.
  for (const auto &s : states)
    EXPECT_FALSE(s["on"] == true && s["tiers"][0] == "not_started") << s.dump();
  // The same protocol gives the same bytes.
  EXPECT_EQ(text, compileWithStates(kCourse));
  // A protocol without course pathways has no key.
  EXPECT_EQ(compileWithStates("conformance/protocols/dosing.care").find("reachable"), std::string::npos);
}

TEST(CourseStates, FlaggedInsideThePopulationOnly) {
  runtime::Table t = runtime::Table::loadText(compileWithStates(kCourse));
  ASSERT_TRUE(t.tables()[0].course && t.tables()[0].course->reachable);
  EXPECT_TRUE(evaluate(t, patient()).unreachableCourses.empty());
  EXPECT_TRUE(evaluate(t, patient({{"on_care", true}, {"care_first_line_state", "on"}})).unreachableCourses.empty());
  EXPECT_EQ(evaluate(t, patient({{"on_care", true}})).unreachableCourses, std::vector<uint32_t>{0});
  // Second line on while first line never failed.
  EXPECT_EQ(evaluate(t, patient({{"on_care", true}, {"care_first_line_state", "on"}, {"care_second_line_state", "on"}}))
                .unreachableCourses,
            std::vector<uint32_t>{0});
  // Outside the population nothing is decided, and nothing flagged.
  EXPECT_TRUE(evaluate(t, patient({{"on_care", true}, {"age", "30 years"}})).unreachableCourses.empty());
  // The result JSON names the pathway.
  std::vector<runtime::PatientError> errors;
  auto values = t.readPatient(patient({{"on_care", true}}), errors);
  ASSERT_TRUE(values);
  runtime::Result r = t.evaluate(*values);
  nlohmann::json j = nlohmann::json::parse(t.resultJson(*values, r, false));
  EXPECT_EQ(j["courseStatesUnreachable"], nlohmann::json::array({"care"}));
}

TEST(CourseStates, CompactKeepsThem) {
  runtime::Table t = runtime::Table::loadText(compileWithStates(kCourse));
  std::string bytes = t.compact();
  runtime::Table c = runtime::Table::loadCompact(bytes, {}, "t.ctab");
  EXPECT_EQ(c.tables()[0].course->reachable, t.tables()[0].course->reachable);
  EXPECT_EQ(evaluate(c, patient({{"on_care", true}})).unreachableCourses, std::vector<uint32_t>{0});
  EXPECT_TRUE(evaluate(c, patient()).unreachableCourses.empty());
  // A compact file of the previous version (6, before the states) is refused.
  expectOlderCompactRefused(bytes, 6);
}

TEST(CourseStates, UnknownOrAbsentFlagNothing) {
  std::string text = compileWithStates(kCourse);
  // The search stopped (or --no-verify): the reason is kept, nothing flagged.
  runtime::Table unknown = runtime::Table::loadText(edited(text, [](nlohmann::json &d) {
    d["pathways"][0]["course"]["reachable"] = {{"complete", false}, {"why", "the search stopped"}};
  }));
  EXPECT_FALSE(unknown.tables()[0].course->reachable);
  EXPECT_EQ(unknown.tables()[0].course->reachableWhy, "the search stopped");
  EXPECT_TRUE(evaluate(unknown, patient({{"on_care", true}})).unreachableCourses.empty());
  // A table written before the field: read, nothing flagged.
  runtime::Table before = runtime::Table::loadText(
      edited(text, [](nlohmann::json &d) { d["pathways"][0]["course"].erase("reachable"); }));
  EXPECT_FALSE(before.tables()[0].course->reachable);
  EXPECT_EQ(before.tables()[0].course->reachableWhy, "");
  EXPECT_TRUE(evaluate(before, patient({{"on_care", true}})).unreachableCourses.empty());
  // The compiler's default when no states are given (compile --no-verify).
  EXPECT_NE(unittest::compileSourceForTest(kCourse).table.find("compiled with --no-verify"), std::string::npos);
}

TEST(CourseStates, MalformedRefusedByField) {
  std::string text = compileWithStates(kCourse);
  auto refused = [&](const std::function<void(nlohmann::json &)> &edit, const std::string &want) {
    try {
      runtime::Table::loadText(edited(text, edit), {}, "t.json");
      ADD_FAILURE() << "loaded: " << want;
    } catch (const runtime::LoadError &e) {
      EXPECT_EQ(e.kind, runtime::LoadError::Kind::Malformed) << e.what();
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  };
  refused([](nlohmann::json &d) { d["pathways"][0]["course"]["reachable"]["states"][1]["tiers"][0] = "started"; },
          "field 'pathways[0].course.reachable.states[1].tiers[0]': 'started' is not a member of 'care_first_line_state'");
  refused([](nlohmann::json &d) { d["pathways"][0]["course"]["reachable"]["states"][1]["tiers"].erase(0); },
          "field 'pathways[0].course.reachable.states[1].tiers': expected 4 tier states, got 3");
  refused([](nlohmann::json &d) {
    auto &s = d["pathways"][0]["course"]["reachable"]["states"];
    std::swap(s[0], s[1]);
  }, "field 'pathways[0].course.reachable.states[1]': the states are not in ascending order");
  refused([](nlohmann::json &d) { d["pathways"][0]["course"]["reachable"]["states"] = nlohmann::json::array(); },
          "field 'pathways[0].course.reachable.states': complete course states with none listed");
}

TEST(CourseStates, CApi) {
  std::string text = compileWithStates(kCourse);
  carepath_table *t = nullptr;
  carepath_error *error = nullptr;
  ASSERT_EQ(carepath_table_open_string(text.data(), text.size(), 0, &t, &error), CAREPATH_OK);
  carepath_result *r = carepath_result_new();
  std::string p = patient({{"on_care", true}});
  ASSERT_EQ(carepath_table_evaluate_into(t, p.c_str(), 0, r, &error), CAREPATH_OK);
  ASSERT_EQ(carepath_result_unreachable_course_count(r), 1u);
  EXPECT_EQ(std::string(carepath_table_table_name(t, carepath_result_unreachable_course(r, 0))), "care");
  EXPECT_EQ(carepath_result_unreachable_course(r, 1), static_cast<size_t>(-1));
  p = patient();
  ASSERT_EQ(carepath_table_evaluate_into(t, p.c_str(), 0, r, &error), CAREPATH_OK);
  EXPECT_EQ(carepath_result_unreachable_course_count(r), 0u);
  carepath_result_free(r);
  carepath_table_free(t);
}

}  // namespace
