// The conformance suite's runner for the C++ API (conformance/README.md):
// every case of every cases file, loaded and evaluated with
// carepath/Table.h (carepath::runtime::Table, the static library
// carepath::runtime) and observed through its structures (Result, the
// FiredAction amounts as Rationals, displayOutput), not through the result
// JSON. Errors are named by the carepath_status the C API gives for them,
// as the suite spells them. Exit 1 on a mismatch, naming the case.
//
//   carepath_conformance_cxx TABLE_DIR CASES.json...
#include <carepath/Table.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "Expect.h"

using nlohmann::json;
namespace rt = carepath::runtime;

namespace {

// The suite names errors by the C API's status (carepath/carepath.h).
const char *statusName(rt::EvaluationError::Kind k) {
  switch (k) {
    case rt::EvaluationError::Kind::InvalidPatient: return "CAREPATH_ERROR_INVALID_PATIENT";
    case rt::EvaluationError::Kind::Arithmetic: return "CAREPATH_ERROR_ARITHMETIC";
    case rt::EvaluationError::Kind::Undefined: return "CAREPATH_ERROR_UNDEFINED_AMOUNT";
  }
  return "?";
}

// An exact amount as the suite writes it; reduced again by normalize().
std::string amount(const carepath::Rational &r) { return conformance::fraction(r.num(), r.den()); }

json observe(const rt::Table &t, const std::string &text, rt::Result &r) {
  std::vector<rt::PatientError> errors;
  std::optional<std::vector<rt::PatientValue>> patient = t.readPatient(text, errors);
  if (!patient) {
    json problems = json::array();
    for (const rt::PatientError &e : errors)
      problems.push_back({{"input", e.input}, {"problem", conformance::kProblems[1 + static_cast<int>(e.kind)]}});
    bool malformed = errors.size() == 1 && errors[0].kind == rt::PatientError::Kind::Malformed;
    return {{"error", malformed ? "CAREPATH_ERROR_MALFORMED_PATIENT" : "CAREPATH_ERROR_INVALID_PATIENT"},
            {"problems", problems}};
  }
  try {
    t.evaluate(*patient, r);
  } catch (const rt::EvaluationError &e) {
    return {{"error", statusName(e.kind)}, {"problems", json::array({{{"input", ""}, {"problem", "NONE"}}})}};
  }
  const std::vector<rt::TableInfo> &tables = t.tables();
  json fired = json::array(), undecided = json::array(), actions = json::array(), outputs = json::object();
  for (uint32_t ti = 0; ti < tables.size(); ++ti)
    for (uint32_t k = 0; k < tables[ti].rules.size(); ++k) {
      std::string name = tables[ti].name + "." + tables[ti].rules[k].name;
      if (ti < r.fired.size() && r.fired[ti][k]) fired.push_back(name);
      if (ti < r.undecided.size() && r.undecided[ti][k]) undecided.push_back(name);
    }
  for (uint32_t k = 0; k < r.actions.size(); ++k) {
    const rt::FiredAction &f = r.actions[k];
    const rt::ActionInfo &a = tables[f.table].rules[f.rule].actions[f.action];
    json j = {{"from", tables[f.table].name + "." + tables[f.table].rules[f.rule].name},
              {"kind", carepath::spelling(a.kind)},
              {"name", a.name}};
    if (f.amount) {
      const carepath::Rational &high = f.amountHigh ? *f.amountHigh : *f.amount;
      if (high == *f.amount) {
        j["amount"] = amount(*f.amount);
      } else {
        j["low"] = amount(*f.amount);
        j["high"] = amount(high);
      }
      j["unit"] = a.canonicalUnit;
    }
    if (a.choice >= 0) {  // an alternative of a `one of`
      j["choice"] = a.choice;
      j["option"] = a.option;
    }
    // Its terminology codes, "SYSTEM|CODE", only when it has some.
    for (uint32_t c : t.actionCodings(a)) j["codes"].push_back(t.codes()[c].system + "|" + t.codes()[c].code);
    // Its drug's contraindications that hold or may hold, only when some do.
    for (const rt::ContraindicationHit &h : r.contraindicated)
      if (h.action == k)
        j["contraindications"].push_back({{"when", t.contraindications()[h.contraindication].when},
                                          {"truth", h.truth == carepath::Truth::True ? "true" : "unknown"}});
    actions.push_back(j);
  }
  for (uint32_t ti = 0; ti < tables.size(); ++ti)
    for (size_t o = 0; o < tables[ti].outputs.size(); ++o) {
      const rt::OutputInfo &oi = tables[ti].outputs[o];
      json from = json::array();
      if (r.inPopulation)
        for (uint32_t k : r.results[ti])
          from.push_back({tables[ti].rules[k].name, t.displayOutput(ti, o, tables[ti].rules[k].outputs[o], r)});
      json value = nullptr;
      if (oi.value) value = r.inPopulation ? json(t.displayOutput(ti, o, *oi.value, r)) : json("missing");
      outputs[tables[ti].name + "." + oi.name] = {{"value", value}, {"from", from}};
    }
  json out = {{"inPopulation", r.inPopulation}, {"fired", fired}, {"undecided", undecided}, {"actions", actions},
              {"outputs", outputs}};
  // The assumptions the patient violates, only when some are.
  if (!r.violatedAssumptions.empty()) {
    out["assumptionsViolated"] = json::array();
    for (uint32_t k : r.violatedAssumptions) out["assumptionsViolated"].push_back(t.assumptions()[k].name);
  }
  // Likewise the course pathways whose state no course produces
  // (Result::unreachableCourses: indices into tables()).
  for (uint32_t k : r.unreachableCourses) out["courseStatesUnreachable"].push_back(tables[k].name);
  // And the sets read together whose joint state no course produces
  // (Result::unreachableJointCourses: indices into jointCourses()).
  for (uint32_t j : r.unreachableJointCourses) {
    json names = json::array();
    for (uint32_t k : t.jointCourses()[j].pathways) names.push_back(tables[k].name);
    out["jointCourseStatesUnreachable"].push_back(names);
  }
  // Course pathways: where the patient is next (Table::courseState).
  json course = json::array();
  for (uint32_t ti = 0; ti < tables.size() && r.inPopulation; ++ti) {
    if (!tables[ti].course) continue;
    rt::Table::CourseState state = t.courseState(ti, r);
    json next = json::object();
    for (const auto &[input, value] : state.next) next[input] = value;
    course.push_back({{"pathway", tables[ti].name}, {"next", next}, {"exits", state.exits}});
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
  rt::Result r;  // reused for every patient, as a caller would
  for (int f = 2; f < argc; ++f) {
    std::ifstream in(argv[f]);
    json doc = json::parse(in);
    std::string protocol = doc["protocol"];
    std::string path = std::string(argv[1]) + "/" + protocol.substr(0, protocol.size() - 5) + ".table.json";
    rt::LoadOptions options;
    options.allowUnverified = doc.value("allowUnverified", false);
    if (options.allowUnverified) {
      // Refused without it.
      try {
        rt::Table::load(path);
        std::printf("FAIL: %s: expected LoadError::Kind::Unverified without allowUnverified, it loaded\n", argv[f]);
        ++failed;
      } catch (const rt::LoadError &e) {
        if (e.kind != rt::LoadError::Kind::Unverified) {
          std::printf("FAIL: %s: expected LoadError::Kind::Unverified, got: %s\n", argv[f], e.what());
          ++failed;
        }
      }
    }
    std::optional<rt::Table> table;
    try {
      table = rt::Table::load(path, options);
    } catch (const rt::LoadError &e) {
      std::printf("FAIL: %s\n", e.what());
      return 1;
    }
    for (const json &c : doc["cases"]) {
      std::string patient = c.contains("patientText") ? c["patientText"].get<std::string>() : c["patient"].dump();
      json got = conformance::normalize(observe(*table, patient, r));
      json want = conformance::normalize(c["expect"]);
      if (got == want) {
        ++passed;
      } else {
        ++failed;
        std::printf("FAIL: %s: %s\n  expected %s\n  got      %s\n", argv[f], c["name"].get<std::string>().c_str(),
                    want.dump().c_str(), got.dump().c_str());
      }
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
