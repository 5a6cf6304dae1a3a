#include "TableAgreement.h"

#include <algorithm>

#include "carepath/Table.h"
#include "ir/Evaluator.h"
#include "ir/PatientInput.h"
#include "verifier/CourseReach.h"

namespace carepath::driver {

namespace {
// The first difference between the two evaluations, or "".
std::string difference(const ir::Protocol &p, const ir::Evaluation &ev, const runtime::Table &table,
                       const runtime::Result &r, const std::vector<verifier::CourseReach> &reach, const ir::Patient &patient) {
  if (ev.inPopulation != r.inPopulation)
    return std::string("population: IR says ") + (ev.inPopulation ? "inside" : "outside") + ", table says " +
           (r.inPopulation ? "inside" : "outside");
  if (!std::equal(ev.violatedAssumptions.begin(), ev.violatedAssumptions.end(), r.violatedAssumptions.begin(),
                  r.violatedAssumptions.end(), [](int a, uint32_t b) { return a == static_cast<int>(b); }))
    return "the assumptions the patient violates differ";
  // The course pathways whose state no course produces (pathways are the
  // table's first tables, in the protocol's order).
  // Sets read together: compared by their pathways, in ascending order.
  std::vector<uint32_t> unreachable;
  std::vector<std::vector<uint32_t>> jointIr, jointTable;
  if (ev.inPopulation)
    for (size_t k : verifier::unreachableCourses(p, reach, patient)) {
      if (reach[k].pathways.size() == 1) unreachable.push_back(static_cast<uint32_t>(reach[k].pathways[0]));
      else jointIr.emplace_back(reach[k].pathways.begin(), reach[k].pathways.end());
    }
  if (unreachable != r.unreachableCourses) return "the course pathways whose state no course produces differ";
  for (uint32_t j : r.unreachableJointCourses) jointTable.push_back(table.jointCourses()[j].pathways);
  std::sort(jointIr.begin(), jointIr.end());
  std::sort(jointTable.begin(), jointTable.end());
  if (jointIr != jointTable) return "the sets of course pathways whose joint state no course produces differ";
  size_t np = p.pathways.size();
  for (size_t pi = 0; pi < np; ++pi)
    for (size_t t = 0; t < p.pathways[pi].tiers.size(); ++t)
      if (ev.tiers[pi][t] != bool(r.fired[pi][t]))
        return p.pathways[pi].name + "." + p.pathways[pi].tiers[t].name + ": IR says " +
               (ev.tiers[pi][t] ? "fires" : "does not fire") + ", table says the opposite";
  for (size_t ti = 0; ti < p.tables.size(); ++ti)
    for (size_t k = 0; k < p.tables[ti].rules.size(); ++k)
      if (ev.rules[ti][k] != bool(r.fired[np + ti][k]))
        return p.tables[ti].name + "." + p.tables[ti].rules[k].name + ": IR says " +
               (ev.rules[ti][k] ? "fires" : "does not fire") + ", table says the opposite";
  if (ev.actions.size() != r.actions.size())
    return std::to_string(ev.actions.size()) + " actions on the IR, " + std::to_string(r.actions.size()) + " on the table";
  for (size_t k = 0; k < ev.actions.size(); ++k) {
    const runtime::FiredAction &f = r.actions[k];
    const runtime::ActionInfo &a = table.tables()[f.table].rules[f.rule].actions[f.action];
    const ir::Action &b = *ev.actions[k].action;
    if (a.kind != b.kind || a.name != b.name)
      return "action " + std::to_string(k + 1) + ": IR gives " + spelling(b.kind) + " " + b.name + ", table " +
             spelling(a.kind) + " " + a.name;
    if (ev.actions[k].amount != f.amount)
      return "amount of " + b.name + ": IR " + (ev.actions[k].amount ? ev.actions[k].amount->str() : "none") +
             ", table " + (f.amount ? f.amount->str() : "none") + " (canonical units)";
    if (ev.actions[k].amountHigh != f.amountHigh)
      return "high end of the amount of " + b.name + ": IR " +
             (ev.actions[k].amountHigh ? ev.actions[k].amountHigh->str() : "none") + ", table " +
             (f.amountHigh ? f.amountHigh->str() : "none") + " (canonical units)";
  }
  // Table outputs: the same single values, the same result lists.
  for (size_t ti = 0; ti < p.tables.size() && ev.inPopulation; ++ti) {
    const runtime::TableInfo &info = table.tables()[np + ti];
    if (ev.results[ti] != r.results[np + ti])
      return "table '" + p.tables[ti].name + "': the result lists differ between the IR and the table";
    for (size_t o = 0; o < info.outputs.size(); ++o) {
      if (!info.outputs[o].value) continue;
      const ir::Value &a = ev.outputs[ti][o];
      const runtime::NodeValue &b = r.values.at(*info.outputs[o].value);
      bool same = a.missing == b.missing &&
                  (a.missing || (a.kind == ir::Type::Kind::Bool ? a.boolean == (b.truth == Truth::True)
                                 : a.kind == ir::Type::Kind::Enum ? a.member == b.member
                                                                  : a.number == b.number));
      if (!same) return p.tables[ti].name + "." + info.outputs[o].name + ": the IR and the table give different values";
    }
  }
    // Violations: the same kind in the same container with the same rules.
  auto describeAll = [&](auto &&each) {
    std::vector<std::string> out;
    each(out);
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<std::string> irv = describeAll([&](std::vector<std::string> &out) {
    for (const ir::Violation &v : ev.violations) out.push_back(ir::describe(p, v));
  });
  std::vector<std::string> tv = describeAll([&](std::vector<std::string> &out) {
    for (const carepath::Violation &v : r.violations) out.push_back(table.describe(v));
  });
  if (irv != tv) {
    auto join = [](const std::vector<std::string> &xs) {
      std::string s;
      for (const std::string &x : xs) s += (s.empty() ? "" : "; ") + x;
      return s.empty() ? std::string("none") : s;
    };
    return "hit-policy violations: IR reports " + join(irv) + ", table reports " + join(tv);
  }
  return "";
}
}  // namespace

int checkTableAgreement(const ir::Protocol &p, const std::string &text, const std::vector<verifier::CourseReach> &reach,
                        DiagnosticEngine &diags) {
  runtime::LoadOptions lo;
  lo.allowUnverified = true;  // compiled without the verifier, for this comparison only
  std::optional<runtime::Table> table;
  try {
    table = runtime::Table::loadText(text, lo, "<in-memory table>");
  } catch (const runtime::LoadError &e) {
    // The compiler wrote something its own runtime refuses: a bug either side.
    for (const ir::Example &ex : p.examples) diags.report(DiagId::err_example_table, ex.range, ex.name, e.what());
    return static_cast<int>(p.examples.size());
  }
  int disagreements = 0;
  runtime::Result r;
  for (const ir::Example &ex : p.examples) {
    std::string diff;
    try {
      ir::Evaluation ev = ir::evaluate(p, ex.patient);
      std::vector<runtime::PatientValue> values;
      for (const ir::Value &v : ex.patient) values.push_back(ir::fromValue(v));
      table->evaluate(values, r);
      diff = difference(p, ev, *table, r, reach, ex.patient);
    } catch (const ir::EvalError &) {
      continue;  // the example runner reports it
    } catch (const std::exception &e) {
      diags.report(DiagId::err_example_table, ex.range, ex.name, e.what());
      ++disagreements;
      continue;
    }
    if (!diff.empty()) {
      diags.report(DiagId::err_runtime_disagrees, ex.range, ex.name, diff);
      ++disagreements;
    }
  }
  return disagreements;
}

}  // namespace carepath::driver
