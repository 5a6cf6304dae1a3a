// The conformance suite's runner for the C API (conformance/README.md):
// every case of every cases file, evaluated through libcarepath.so's C
// functions only (carepath/carepath.h); nlohmann-json reads the suite's
// files and the result document. Exit 1 on a mismatch, naming the case.
//
//   carepath_conformance_c TABLE_DIR CASES.json...
#include <carepath/carepath.h>

#include "Expect.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

using nlohmann::json;

namespace {

using conformance::fraction;
using conformance::kProblems;
using conformance::normalize;

std::string where(const json &e) {
  return e.contains("pathway") ? e["pathway"].get<std::string>() + "." + e["tier"].get<std::string>()
                               : e["table"].get<std::string>() + "." + e["rule"].get<std::string>();
}

json observe(const carepath_table *t, const std::string &patient, carepath_result *r) {
  carepath_error *e = nullptr;
  carepath_status s = carepath_table_evaluate_into(t, patient.c_str(), 0, r, &e);
  if (s != CAREPATH_OK) {
    json problems = json::array();
    for (size_t i = 0; i < carepath_error_detail_count(e); ++i) {
      int p = carepath_error_detail_problem(e, i);
      problems.push_back({{"input", carepath_error_detail_input(e, i)},
                          {"problem", p >= 0 && p <= 12 ? kProblems[p] : "?"}});
    }
    carepath_error_free(e);
    return {{"error", carepath_status_name(s)}, {"problems", problems}};
  }
  json doc = json::parse(carepath_result_json(r));
  json out = {{"inPopulation", carepath_result_in_population(r) == 1}};
  json fired = json::array(), undecided = json::array(), actions = json::array(), outputs = json::object();
  for (const json &f : doc["fired"]) fired.push_back(where(f));
  for (const json &u : doc["undecided"]) undecided.push_back(where(u));
  for (size_t i = 0; i < carepath_result_action_count(r); ++i) {
    size_t table = 0, rule = 0, action = 0;
    carepath_result_action(r, i, &table, &rule, &action);
    json a = {{"from", std::string(carepath_table_table_name(t, table)) + "." + carepath_table_rule_name(t, table, rule)},
              {"kind", carepath_table_action_kind(t, table, rule, action)},
              {"name", carepath_table_action_name(t, table, rule, action)}};
    int64_t ln = 0, ld = 1, hn = 0, hd = 1;
    if (carepath_result_action_amount(r, i, &ln, &ld, &hn, &hd)) {
      if (fraction(ln, ld) == fraction(hn, hd)) {
        a["amount"] = fraction(ln, ld);
      } else {
        a["low"] = fraction(ln, ld);
        a["high"] = fraction(hn, hd);
      }
      a["unit"] = doc["actions"].at(i).value("canonicalUnit", "");
    }
    // An alternative of a `one of` (the result JSON carries it).
    if (const json &d = doc["actions"].at(i); d.contains("choice")) {
      a["choice"] = d["choice"];
      a["option"] = d["option"];
    }
    // Its terminology codes, "SYSTEM|CODE", only when it has some.
    for (size_t k = 0; k < carepath_table_action_code_count(t, table, rule, action); ++k) {
      size_t c = carepath_table_action_code(t, table, rule, action, k);
      a["codes"].push_back(std::string(carepath_table_code_system(t, c)) + "|" + carepath_table_code_code(t, c));
    }
    // Its drug's contraindications that hold or may hold, from the
    // accessors (not the result JSON), only when some do.
    for (size_t k = 0; k < carepath_result_action_contraindication_count(r, i); ++k) {
      carepath_truth truth = CAREPATH_TRUTH_FALSE;
      size_t c = carepath_result_action_contraindication(r, i, k, &truth);
      a["contraindications"].push_back({{"when", carepath_table_contraindication_condition(t, c)},
                                        {"truth", truth == CAREPATH_TRUTH_TRUE ? "true" : "unknown"}});
    }
    actions.push_back(a);
  }
  for (const json &o : doc["outputs"]) {
    json from = json::array();
    for (const json &f : o["from"]) from.push_back({f["rule"], f["value"]});
    outputs[o["table"].get<std::string>() + "." + o["output"].get<std::string>()] = {{"value", o["value"]},
                                                                                     {"from", from}};
  }
  out["fired"] = fired;
  out["undecided"] = undecided;
  out["actions"] = actions;
  out["outputs"] = outputs;
  // The assumptions the patient violates, only when some are.
  for (size_t k = 0; k < carepath_result_violated_assumption_count(r); ++k)
    out["assumptionsViolated"].push_back(carepath_table_assumption_name(t, carepath_result_violated_assumption(r, k)));
  // Likewise the course pathways whose state no course produces, from the
  // accessors (indices for carepath_table_table_*), only when some are.
  for (size_t k = 0; k < carepath_result_unreachable_course_count(r); ++k)
    out["courseStatesUnreachable"].push_back(carepath_table_table_name(t, carepath_result_unreachable_course(r, k)));
  // And the sets of pathways read together whose joint state no course
  // produces, each by its pathways' names, only when some are.
  for (size_t k = 0; k < carepath_result_unreachable_joint_course_count(r); ++k) {
    size_t joint = carepath_result_unreachable_joint_course(r, k);
    json names = json::array();
    for (size_t i = 0; i < carepath_table_joint_course_pathway_count(t, joint); ++i)
      names.push_back(carepath_table_table_name(t, carepath_table_joint_course_pathway(t, joint, i)));
    out["jointCourseStatesUnreachable"].push_back(names);
  }
  // Course pathways: each one's next state, from the accessors (in table
  // order, its state inputs together), and the exits taken.
  json course = json::array();
  for (size_t k = 0; k < carepath_result_next_state_count(r); ++k) {
    const char *pathway = nullptr, *input = nullptr, *value = nullptr;
    carepath_result_next_state(r, k, &pathway, &input, &value);
    if (course.empty() || course.back()["pathway"] != pathway)
      course.push_back({{"pathway", pathway}, {"next", json::object()}, {"exits", json::array()}});
    course.back()["next"][input] = value;
  }
  for (size_t k = 0; k < carepath_result_exit_count(r); ++k) {
    const char *pathway = nullptr, *exit = nullptr;
    carepath_result_exit(r, k, &pathway, &exit);
    for (json &c : course)
      if (c["pathway"] == pathway) c["exits"].push_back(exit);
  }
  if (!course.empty()) out["course"] = course;
  return out;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TABLE_DIR CASES.json...\n", argv[0]);
    return 2;
  }
  int passed = 0, failed = 0;
  carepath_result *r = carepath_result_new();
  for (int f = 2; f < argc; ++f) {
    std::ifstream in(argv[f]);
    json doc = json::parse(in);
    std::string protocol = doc["protocol"];
    std::string path = std::string(argv[1]) + "/" + protocol.substr(0, protocol.size() - 5) + ".table.json";
    bool allowUnverified = doc.value("allowUnverified", false);
    carepath_table *t = nullptr;
    carepath_error *e = nullptr;
    if (allowUnverified) {
      // Refused without the flag.
      carepath_status s = carepath_table_open_file(path.c_str(), 0, &t, &e);
      if (s != CAREPATH_ERROR_UNVERIFIED_TABLE) {
        std::printf("FAIL: %s: expected CAREPATH_ERROR_UNVERIFIED_TABLE without the flag, got %s\n", argv[f],
                    carepath_status_name(s));
        ++failed;
      }
      carepath_table_free(t);
      carepath_error_free(e);
      t = nullptr;
      e = nullptr;
    }
    if (carepath_table_open_file(path.c_str(), allowUnverified ? CAREPATH_ALLOW_UNVERIFIED : 0, &t, &e) !=
        CAREPATH_OK) {
      std::printf("FAIL: %s: %s\n", path.c_str(), carepath_error_message(e));
      carepath_error_free(e);
      return 1;
    }
    for (const json &c : doc["cases"]) {
      std::string patient = c.contains("patientText") ? c["patientText"].get<std::string>() : c["patient"].dump();
      json got = normalize(observe(t, patient, r));
      json want = normalize(c["expect"]);
      if (got == want) {
        ++passed;
      } else {
        ++failed;
        std::printf("FAIL: %s: %s\n  expected %s\n  got      %s\n", argv[f], c["name"].get<std::string>().c_str(),
                    want.dump().c_str(), got.dump().c_str());
      }
    }
    carepath_table_free(t);
  }
  carepath_result_free(r);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
