// Randomized differential test: the compiled ANEC table on the runtime
// versus the IR reference evaluator, on 100,000 random patients (fixed
// seed). Numbers are drawn from the input's range and, half of the time,
// from the boundaries of every interval the table tests that input against
// (each bound, one unit either side, the range ends), so that off-by-one
// readings of < and <= cannot hide.
#include <gtest/gtest.h>

#include <random>

#include "Frontend.h"
#include "Differential.h"
#include "backends/JsonTable.h"
#include "carepath/Table.h"
#include "ir/Evaluator.h"
#include "ir/PatientInput.h"
#include "TestScale.h"

using namespace carepath;

namespace {

struct Compiled {
  SourceManager sources;
  std::unique_ptr<DiagnosticEngine> diags;
  std::optional<ir::Protocol> protocol;
  std::string table;
};

std::unique_ptr<Compiled> compileAnec() {
  auto c = std::make_unique<Compiled>();
  c->diags = std::make_unique<DiagnosticEngine>(c->sources);
  FrontendOptions fo;
  fo.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
  FrontendResult fr = runFrontend(std::string(CAREPATH_SOURCE_DIR) + "/protocols/anec.care", c->sources, *c->diags, fo);
  if (!fr.protocol) return c;
  c->protocol = std::move(fr.protocol);
  backends::TableMetadata meta;
  meta.compilerVersion = "test";
  auto text = backends::emitJsonTable(*c->protocol, c->sources, meta, *c->diags);
  if (text) c->table = *text;
  return c;
}


}  // namespace

TEST(RuntimeDifferential, AnecRandomPatientsAgreeWithEvaluator) {
  auto c = compileAnec();
  ASSERT_TRUE(c->protocol) << "protocols/anec.care does not compile";
  ASSERT_FALSE(c->table.empty());
  const ir::Protocol &p = *c->protocol;
  runtime::LoadOptions lo;
  lo.allowUnverified = true;  // compiled here without the verifier
  runtime::Table table = runtime::Table::loadText(c->table, lo);
  auto bounds = difftest::boundaries(p);

  std::mt19937_64 rng(20240611);
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  runtime::Result r;
  size_t np = p.pathways.size();
  constexpr int kPatients = unittest::cases(100000);
  int mismatches = 0, inPopulation = 0, withDose = 0;
  for (int n = 0; n < kPatients; ++n) {
    ir::Patient patient;
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      const ir::Input &in = p.inputs[i];
      switch (in.type.kind) {
        case ir::Type::Kind::Bool: patient.push_back(ir::Value::ofBool(pick(2))); break;
        case ir::Type::Kind::String: patient.push_back(ir::Value::ofString(pick(2) ? "listed" : "unlisted")); break;
        case ir::Type::Kind::Enum:
          patient.push_back(ir::Value::ofEnum(static_cast<int>(pick(p.enums[in.type.enumType].members.size()))));
          break;
        case ir::Type::Kind::Number: {
          Rational v;
          if (!bounds[i].empty() && pick(2)) {
            v = bounds[i][pick(bounds[i].size())];
          } else {
            // Uniform over the range in steps of 1/100 of the display unit.
            Rational step = in.displayUnit.factor.isZero() ? Rational(1, 100) : in.displayUnit.factor / Rational(100);
            if (in.type.integer) step = 1;
            int64_t steps = ((*in.hi - *in.lo) / step).num() / ((*in.hi - *in.lo) / step).den();
            v = *in.lo + step * Rational(static_cast<int64_t>(pick(static_cast<uint64_t>(steps) + 1)));
          }
          patient.push_back(ir::Value::ofNumber(v));
          break;
        }
      }
    }
    std::vector<runtime::PatientValue> values;
    for (const ir::Value &v : patient) values.push_back(ir::fromValue(v));
    ir::Evaluation ev = ir::evaluate(p, patient);
    table.evaluate(values, r);

    bool same = r.inPopulation == ev.inPopulation && r.actions.size() == ev.actions.size();
    for (size_t pi = 0; same && pi < np; ++pi)
      for (size_t k = 0; k < p.pathways[pi].tiers.size(); ++k) same = same && bool(r.fired[pi][k]) == bool(ev.tiers[pi][k]);
    for (size_t ti = 0; same && ti < p.tables.size(); ++ti)
      for (size_t k = 0; k < p.tables[ti].rules.size(); ++k)
        same = same && bool(r.fired[np + ti][k]) == bool(ev.rules[ti][k]);
    for (size_t k = 0; same && k < r.actions.size(); ++k) {
      const runtime::ActionInfo &a = table.tables()[r.actions[k].table].rules[r.actions[k].rule].actions[r.actions[k].action];
      same = r.actions[k].amount == ev.actions[k].amount && a.name == ev.actions[k].action->name &&
             a.kind == ev.actions[k].action->kind;
    }
    if (!same && ++mismatches <= 5) {
      std::string desc;
      for (size_t i = 0; i < p.inputs.size(); ++i)
        desc += p.inputs[i].name + "=" + table.displayValue(static_cast<uint32_t>(i), values[i]) + " ";
      ADD_FAILURE() << "runtime and IR evaluator disagree on patient " << n << ": " << desc;
    }
    inPopulation += ev.inPopulation;
    for (const auto &a : ev.actions) withDose += a.amount.has_value();
  }
  EXPECT_EQ(mismatches, 0);
  // The sample must exercise the interesting parts, or the test proves little.
  EXPECT_GT(inPopulation, kPatients / 10);
  EXPECT_GT(withDose, unittest::cases(1000));
}
