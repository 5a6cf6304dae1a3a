// The joint course states of pathways read together in the compiled table
// (docs/tables.md, `jointCourses`) and the runtime's check of a record's
// states on them, read together (docs/runtime.md, "Course states no course
// produces"): from the JSON table and the compact format (version 8), a
// compact table of version 7 still read (without them), unknown or absent
// states flag nothing, a malformed set is refused by its field, the C API.
// The protocol is tests/runtime/Inputs/course-joint-states.care (two
// pathways each entered only off the other), its states from the verifier.
#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "../../compiler/driver/CourseStates.h"
#include "CompileForTest.h"
#include "TableForTest.h"
#include "carepath/Sha256.h"
#include "carepath/Table.h"
#include "carepath/TableFormat.h"
#include "carepath/carepath.h"
#include "verifier/CourseReach.h"

using namespace carepath;

namespace {

const char *kJoint = "tests/runtime/Inputs/course-joint-states.care";

// The table with the course searches `carepath test` runs (CompileForTest.h).
std::string compileWithStates(const std::string &relative) {
  return unittest::compileForTest(relative, unittest::readSource(relative), "verified", true).table;
}

const std::string &table() {
  static const std::string text = compileWithStates(kJoint);
  return text;
}

// A fresh patient, and the same record edited: `patch` overrides its fields.
std::string patient(const nlohmann::json &patch = nlohmann::json::object()) {
  nlohmann::json p = {{"age", "3 years"},         {"fever", false},         {"rash", false},
                      {"on_care", false},         {"care_first_state", "not_started"},
                      {"on_watch", false},        {"watch_look_state", "not_started"}};
  p.update(patch);
  return p.dump();
}
// On both pathways, each tier on: each state reachable alone, never together.
const nlohmann::json kBoth = {{"on_care", true}, {"care_first_state", "on"}, {"on_watch", true}, {"watch_look_state", "on"}};

runtime::Result evaluate(const runtime::Table &t, const std::string &text) { return unittest::evaluateText(t, text); }

using unittest::edited;

TEST(JointCourseStates, InTheTableSorted) {
  ASSERT_FALSE(table().empty());
  nlohmann::json doc = nlohmann::json::parse(table());
  ASSERT_TRUE(doc.contains("jointCourses"));
  const nlohmann::json &joint = doc["jointCourses"];
  ASSERT_EQ(joint.size(), 1u);
  EXPECT_EQ(joint[0]["pathways"], nlohmann::json::array({"care", "watch"}));
  ASSERT_EQ(joint[0]["complete"], true);
  const nlohmann::json &states = joint[0]["states"];
  ASSERT_GT(states.size(), 2u);
  nlohmann::json fresh = {{"on", false}, {"tiers", {"not_started"}}};
  EXPECT_EQ(states[0], nlohmann::json::array({fresh, fresh}));
  bool careOn = false, watchOn = false;
  for (const auto &s : states) {
    EXPECT_FALSE(s[0]["on"] == true && s[1]["on"] == true) << s.dump();
    careOn = careOn || s[0]["on"] == true;
    watchOn = watchOn || s[1]["on"] == true;
  }
  EXPECT_TRUE(careOn && watchOn);
  // Each pathway's own states have it on: the joint check is what flags both.
  EXPECT_EQ(table(), compileWithStates(kJoint));
  // A protocol with one course pathway has no key.
  EXPECT_EQ(compileWithStates("conformance/protocols/course.care").find("jointCourses"), std::string::npos);
}

TEST(JointCourseStates, FlaggedTogetherOnly) {
  runtime::Table t = runtime::Table::loadText(table());
  ASSERT_EQ(t.jointCourses().size(), 1u);
  EXPECT_EQ(t.jointCourses()[0].pathways, (std::vector<uint32_t>{0, 1}));
  ASSERT_TRUE(t.jointCourses()[0].reachable);
  runtime::Result both = evaluate(t, patient(kBoth));
  EXPECT_TRUE(both.unreachableCourses.empty());
  EXPECT_EQ(both.unreachableJointCourses, std::vector<uint32_t>{0});
  EXPECT_TRUE(evaluate(t, patient()).unreachableJointCourses.empty());
  EXPECT_TRUE(evaluate(t, patient({{"on_care", true}, {"care_first_state", "on"}})).unreachableJointCourses.empty());
  // A pathway flagged on its own (care on, its tier not started): not again jointly.
  nlohmann::json own = kBoth;
  own["care_first_state"] = "not_started";
  runtime::Result r = evaluate(t, patient(own));
  EXPECT_EQ(r.unreachableCourses, std::vector<uint32_t>{0});
  EXPECT_TRUE(r.unreachableJointCourses.empty());
  // Outside the population: not judged.
  nlohmann::json old = kBoth;
  old["age"] = "30 years";
  EXPECT_TRUE(evaluate(t, patient(old)).unreachableJointCourses.empty());
  // The result JSON names the set by its pathways.
  std::vector<runtime::PatientError> errors;
  auto values = t.readPatient(patient(kBoth), errors);
  ASSERT_TRUE(values);
  nlohmann::json j = nlohmann::json::parse(t.resultJson(*values, t.evaluate(*values), false));
  EXPECT_EQ(j["jointCourseStatesUnreachable"], nlohmann::json::parse(R"([["care", "watch"]])"));
  EXPECT_EQ(j["courseStatesUnreachable"], nlohmann::json::array());
}

// A compact file of version 7: the version 8 bytes of a table without joint
// sets, whose payload ends in their empty list (one zero byte), without it.
std::string asVersion7(std::string bytes) {
  EXPECT_EQ(bytes.back(), '\0');
  std::string payload = bytes.substr(52, bytes.size() - 53);
  Sha256 h;
  h.update(payload);
  auto md = h.finish();
  std::string out = bytes.substr(0, 8);
  for (int k = 0; k < 4; ++k) out.push_back(static_cast<char>(k == 0 ? 7 : 0));
  out.append(reinterpret_cast<const char *>(md.data()), md.size());
  for (int k = 0; k < 8; ++k) out.push_back(static_cast<char>(static_cast<uint64_t>(payload.size()) >> (8 * k)));
  return out + payload;
}

TEST(JointCourseStates, CompactKeepsThemAndVersion7IsRead) {
  runtime::Table t = runtime::Table::loadText(table());
  runtime::Table c = runtime::Table::loadCompact(t.compact(), {}, "t.ctab");
  ASSERT_EQ(c.jointCourses().size(), 1u);
  EXPECT_EQ(c.jointCourses()[0].pathways, t.jointCourses()[0].pathways);
  EXPECT_EQ(c.jointCourses()[0].reachable, t.jointCourses()[0].reachable);
  EXPECT_EQ(evaluate(c, patient(kBoth)).unreachableJointCourses, std::vector<uint32_t>{0});
  EXPECT_TRUE(evaluate(c, patient()).unreachableJointCourses.empty());
  // Version 7 (written before the joint states): read, each pathway's own
  // states checked, nothing flagged jointly.
  runtime::Table without = runtime::Table::loadText(edited(table(), [](nlohmann::json &d) { d.erase("jointCourses"); }));
  runtime::Table seven = runtime::Table::loadCompact(asVersion7(without.compact()), {}, "t7.ctab");
  EXPECT_TRUE(seven.jointCourses().empty());
  EXPECT_TRUE(evaluate(seven, patient(kBoth)).unreachableJointCourses.empty());
  nlohmann::json own = kBoth;
  own["care_first_state"] = "not_started";
  EXPECT_EQ(evaluate(seven, patient(own)).unreachableCourses, std::vector<uint32_t>{0});
  // A version 8 file cut to version 7's length is refused, never misread.
  std::string cut = t.compact();
  cut[8] = 7;
  EXPECT_THROW(runtime::Table::loadCompact(cut, {}, "t.ctab"), runtime::LoadError);
}

TEST(JointCourseStates, UnknownOrAbsentFlagNothing) {
  runtime::Table unknown = runtime::Table::loadText(edited(table(), [](nlohmann::json &d) {
    d["jointCourses"][0] = {{"pathways", {"care", "watch"}}, {"complete", false}, {"why", "the search stopped"}};
  }));
  ASSERT_EQ(unknown.jointCourses().size(), 1u);
  EXPECT_FALSE(unknown.jointCourses()[0].reachable);
  EXPECT_EQ(unknown.jointCourses()[0].reachableWhy, "the search stopped");
  EXPECT_TRUE(evaluate(unknown, patient(kBoth)).unreachableJointCourses.empty());
  runtime::Table before = runtime::Table::loadText(edited(table(), [](nlohmann::json &d) { d.erase("jointCourses"); }));
  EXPECT_TRUE(before.jointCourses().empty());
  runtime::Result r = evaluate(before, patient(kBoth));
  EXPECT_TRUE(r.unreachableJointCourses.empty() && r.unreachableCourses.empty());
}

TEST(JointCourseStates, MalformedRefusedByField) {
  auto refused = [&](const std::function<void(nlohmann::json &)> &edit, const std::string &want) {
    try {
      runtime::Table::loadText(edited(table(), edit), {}, "t.json");
      ADD_FAILURE() << "loaded: " << want;
    } catch (const runtime::LoadError &e) {
      EXPECT_EQ(e.kind, runtime::LoadError::Kind::Malformed) << e.what();
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  };
  refused([](nlohmann::json &d) { d["jointCourses"][0]["pathways"][1] = "nowhere"; },
          "field 'jointCourses[0].pathways[1]': 'nowhere' is not a course pathway");
  refused([](nlohmann::json &d) { d["jointCourses"][0]["states"][1].erase(1); },
          "field 'jointCourses[0].states[1]': expected one course state per pathway (2)");
  refused([](nlohmann::json &d) { d["jointCourses"][0]["states"][1][1]["tiers"][0] = "started"; },
          "field 'jointCourses[0].states[1][1].tiers[0]': 'started' is not a member of 'watch_look_state'");
  refused([](nlohmann::json &d) {
    auto &s = d["jointCourses"][0]["states"];
    std::swap(s[0], s[1]);
  }, "field 'jointCourses[0].states[1]': the states are not in ascending order");
  refused([](nlohmann::json &d) { d["jointCourses"][0]["pathways"] = {"watch", "care"}; },
          "field 'jointCourses[0]': a joint course set's pathways are not in ascending order");
  refused([](nlohmann::json &d) { d["jointCourses"][0]["states"] = nlohmann::json::array(); },
          "field 'jointCourses[0].states': complete course states with none listed");
  refused([](nlohmann::json &d) { d["jointCourses"].push_back(d["jointCourses"][0]); },
          "field 'jointCourses': joint course sets not in ascending order (or one is listed twice)");
}

TEST(JointCourseStates, CApi) {
  carepath_table *t = nullptr;
  carepath_error *error = nullptr;
  ASSERT_EQ(carepath_table_open_string(table().data(), table().size(), 0, &t, &error), CAREPATH_OK);
  ASSERT_EQ(carepath_table_joint_course_count(t), 1u);
  ASSERT_EQ(carepath_table_joint_course_pathway_count(t, 0), 2u);
  EXPECT_EQ(std::string(carepath_table_table_name(t, carepath_table_joint_course_pathway(t, 0, 0))), "care");
  EXPECT_EQ(std::string(carepath_table_table_name(t, carepath_table_joint_course_pathway(t, 0, 1))), "watch");
  EXPECT_EQ(carepath_table_joint_course_pathway(t, 0, 2), static_cast<size_t>(-1));
  EXPECT_EQ(carepath_table_joint_course_pathway_count(t, 1), 0u);
  carepath_result *r = carepath_result_new();
  std::string p = patient(kBoth);
  ASSERT_EQ(carepath_table_evaluate_into(t, p.c_str(), 0, r, &error), CAREPATH_OK);
  EXPECT_EQ(carepath_result_unreachable_course_count(r), 0u);
  ASSERT_EQ(carepath_result_unreachable_joint_course_count(r), 1u);
  EXPECT_EQ(carepath_result_unreachable_joint_course(r, 0), 0u);
  EXPECT_EQ(carepath_result_unreachable_joint_course(r, 1), static_cast<size_t>(-1));
  p = patient();
  ASSERT_EQ(carepath_table_evaluate_into(t, p.c_str(), 0, r, &error), CAREPATH_OK);
  EXPECT_EQ(carepath_result_unreachable_joint_course_count(r), 0u);
  carepath_result_free(r);
  carepath_table_free(t);
}

}  // namespace
