// Runtime throughput (docs/performance.md, runtime section): evaluating the
// compiled ANEC table with patients already parsed, loading the table, and
// how evaluation scales with the number of rules (synthetic tables of N
// rules over the ANEC inputs).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "Frontend.h"
#include "backends/JsonTable.h"
#include "carepath/Table.h"
#include "carepath/carepath.h"
#include "ir/PatientInput.h"

using namespace carepath;


namespace {

std::string anecSource() { return CAREPATH_SOURCE_DIR "/protocols/anec.care"; }

struct Anec {
  SourceManager sources;
  std::unique_ptr<DiagnosticEngine> diags;
  std::optional<ir::Protocol> protocol;
  std::string table;
};

Anec &anec() {
  static Anec a = [] {
    Anec x;
    x.diags = std::make_unique<DiagnosticEngine>(x.sources);
    FrontendOptions fo;
    fo.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
    FrontendResult fr = runFrontend(anecSource(), x.sources, *x.diags, fo);
    x.protocol = std::move(fr.protocol);
    if (!x.protocol) throw std::runtime_error("anec.care does not compile");
    backends::TableMetadata meta;
    meta.compilerVersion = "bench";
    meta.verification.status = "verified";  // benchmark only: the verdict does not change evaluation
    x.table = *backends::emitJsonTable(*x.protocol, x.sources, meta, *x.diags);
    return x;
  }();
  return a;
}

// A pool of random in-range patients (fixed seed), in the runtime's form.
std::vector<std::vector<runtime::PatientValue>> patients(const runtime::Table &t, size_t n) {
  std::mt19937_64 rng(42);
  std::vector<std::vector<runtime::PatientValue>> out;
  for (size_t k = 0; k < n; ++k) {
    std::vector<runtime::PatientValue> p;
    for (const runtime::InputSpec &s : t.inputs()) {
      runtime::PatientValue v;
      v.kind = s.kind;
      switch (s.kind) {
        case runtime::InputSpec::Kind::Bool: v.boolean = rng() & 1; break;
        case runtime::InputSpec::Kind::String: v.text = (rng() & 1) ? "a" : "b"; break;
        case runtime::InputSpec::Kind::Enum: v.member = static_cast<int>(rng() % s.members.size()); break;
        case runtime::InputSpec::Kind::Number: {
          // Mostly children (the population), in whole display units.
          Rational span = *s.hi - *s.lo;
          v.number = *s.lo + span * Rational(static_cast<int64_t>(rng() % 1000), 1000 * (k % 4 == 0 ? 1 : 7));
          if (s.integer) v.number = Rational(v.number.num() / v.number.den());
          break;
        }
      }
      p.push_back(v);
    }
    // Half the patients are suspected cases, so that doses are computed.
    out.push_back(std::move(p));
  }
  return out;
}

void BM_EvaluateAnec(benchmark::State &state) {
  runtime::Table t = runtime::Table::loadText(anec().table);
  auto pool = patients(t, 1024);
  runtime::Result r;
  size_t i = 0, fired = 0;
  for (auto _ : state) {
    t.evaluate(pool[i++ & 1023], r);
    fired += r.actions.size();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["actions/eval"] = benchmark::Counter(double(fired) / double(state.iterations()));
}
BENCHMARK(BM_EvaluateAnec);

// The typical suspected case (every guard's first conditions hold, doses computed).
void BM_EvaluateAnecSuspected(benchmark::State &state) {
  runtime::Table t = runtime::Table::loadText(anec().table);
  std::ifstream in(anecSource().substr(0, anecSource().rfind('/')) + "/examples/typical-3yo-14kg.json");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<runtime::PatientError> errors;
  auto p = t.readPatient(text.str(), errors);
  runtime::Result r;
  for (auto _ : state) {
    t.evaluate(*p, r);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateAnecSuspected);

void BM_EvaluateAnecExplain(benchmark::State &state) {
  runtime::Table t = runtime::Table::loadText(anec().table);
  auto pool = patients(t, 1024);
  runtime::Result r;
  size_t i = 0;
  for (auto _ : state) {
    t.evaluate(pool[i++ & 1023], r, {true});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateAnecExplain);

void BM_LoadAnec(benchmark::State &state) {
  const std::string &text = anec().table;
  for (auto _ : state) {
    runtime::Table t = runtime::Table::loadText(text);
    benchmark::DoNotOptimize(t);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
  state.counters["bytes"] = double(text.size());
}
BENCHMARK(BM_LoadAnec)->Unit(benchmark::kMicrosecond);

// Scaling: a copy of ANEC with one extra collect table of N rules, each a
// weight band and an age threshold (two interval checks and an enum).
void BM_EvaluateScaling(benchmark::State &state) {
  ir::Protocol p = *anec().protocol;
  p.tables.clear();
  p.pathways.clear();
  int weight = p.findInput("weight"), age = p.findInput("age"), cons = p.findInput("consciousness");
  ir::Table t;
  t.name = "scaling";
  t.hit = ir::HitPolicy::Collect;
  for (int64_t k = 0; k < state.range(0); ++k) {
    ir::Rule r;
    r.name = "r" + std::to_string(k);
    using namespace ir::build;
    auto w = input(weight, p.inputs[weight].type), a = input(age, p.inputs[age].type);
    Rational lo = Rational(2000000) + Rational(1000000) * Rational(k % 140);
    r.guard = nary(ir::Op::And, {binary(ir::Op::Ge, w, number(lo, p.inputs[weight].type.dim)),
                                 binary(ir::Op::Lt, w, number(lo + Rational(5000000), p.inputs[weight].type.dim)),
                                 binary(ir::Op::Lt, a, number(Rational(8766) * Rational(1 + k % 17), p.inputs[age].type.dim)),
                                 binary(ir::Op::Ne, input(cons, p.inputs[cons].type), member(p.inputs[cons].type.enumType, 0))});
    ir::Action act;
    act.kind = ir::ActionKind::Do;
    act.name = "a" + std::to_string(k);
    r.actions.push_back(act);
    t.rules.push_back(r);
  }
  p.tables.push_back(t);
  // The protocol's files (for their SHA-256) live in anec()'s source manager.
  DiagnosticEngine diags(anec().sources);
  backends::TableMetadata meta;
  meta.verification.status = "verified";
  auto json = backends::emitJsonTable(p, anec().sources, meta, diags);
  if (!json) {
    state.SkipWithError("the scaling table did not compile");
    return;
  }
  runtime::Table table = runtime::Table::loadText(*json);
  auto pool = patients(table, 1024);
  runtime::Result r;
  size_t i = 0;
  for (auto _ : state) {
    table.evaluate(pool[i++ & 1023], r);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["rules"] = double(state.range(0));
}
BENCHMARK(BM_EvaluateScaling)->RangeMultiplier(4)->Range(16, 4096);

// ------------------------------------------------------------------ large tables (the index)

// Evaluations of a table over a pool of patients, with the index or with
// the plain scan (EvaluateOptions::scan: every rule's condition).
void evaluatePool(benchmark::State &state, const runtime::Table &table, bool scan) {
  auto pool = patients(table, 1024);
  runtime::Result r;
  runtime::EvaluateOptions options;
  options.scan = scan;
  size_t i = 0;
  for (auto _ : state) {
    table.evaluate(pool[i++ & 1023], r, options);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  // Counted once over the pool, outside the timed loop: counting the dense
  // per-rule flags each iteration is linear in the rules and cost more
  // than the indexed evaluation itself.
  size_t matched = 0;
  for (const auto &patient : pool) {
    table.evaluate(patient, r, options);
    for (const auto &t : r.matched) matched += static_cast<size_t>(std::count(t.begin(), t.end(), 1));
  }
  state.counters["matched/eval"] = benchmark::Counter(double(matched) / double(pool.size()));
  state.counters["indexed"] = table.indexed(static_cast<uint32_t>(table.tables().size() - 1)) && !scan;
}

// A weight-band lookup table of N rules under `first`: rule k covers the
// k-th of N equal weight bands, below an age threshold, for some states of
// consciousness (the shape of a dosing table); a patient matches about one.
std::string bandTable(int64_t n) {
  ir::Protocol p = *anec().protocol;
  p.tables.clear();
  p.pathways.clear();
  p.population.reset();
  int weight = p.findInput("weight"), age = p.findInput("age"), cons = p.findInput("consciousness");
  const ir::Input &w = p.inputs[weight];
  ir::Table t;
  t.name = "bands";
  t.hit = ir::HitPolicy::First;
  Rational span = *w.hi - *w.lo;
  for (int64_t k = 0; k < n; ++k) {
    ir::Rule r;
    r.name = "r" + std::to_string(k);
    using namespace ir::build;
    auto wi = input(weight, w.type), a = input(age, p.inputs[age].type);
    Rational lo = *w.lo + span * Rational(k, n), hi = *w.lo + span * Rational(k + 1, n);
    r.guard = nary(ir::Op::And, {binary(ir::Op::Ge, wi, number(lo, w.type.dim)),
                                 binary(ir::Op::Lt, wi, number(hi, w.type.dim)),
                                 binary(ir::Op::Lt, a, number(Rational(8766) * Rational(1 + k % 17), p.inputs[age].type.dim)),
                                 binary(ir::Op::Ne, input(cons, p.inputs[cons].type), member(p.inputs[cons].type.enumType, 0))});
    ir::Action act;
    act.kind = ir::ActionKind::Do;
    act.name = "a" + std::to_string(k);
    r.actions.push_back(act);
    t.rules.push_back(r);
  }
  p.tables.push_back(t);
  DiagnosticEngine diags(anec().sources);
  backends::TableMetadata meta;
  meta.verification.status = "verified";
  auto json = backends::emitJsonTable(p, anec().sources, meta, diags);
  if (!json) throw std::runtime_error("the band table did not compile");
  return *json;
}

// Arguments: N rules, 1 = plain scan.
void BM_EvaluateBandsFirst(benchmark::State &state) {
  static std::map<int64_t, std::string> cache;
  std::string &text = cache[state.range(0)];
  if (text.empty()) text = bandTable(state.range(0));
  runtime::Table table = runtime::Table::loadText(text);
  evaluatePool(state, table, state.range(1) != 0);
  state.counters["rules"] = double(state.range(0));
}
BENCHMARK(BM_EvaluateBandsFirst)->ArgsProduct({{16, 64, 256, 1024, 4096, 10000}, {0, 1}});

// The 3,700-rule `first` table of bench/gen_wide_first.py (8 inputs, 4 to 6
// conditions per rule), compiled in process (no verification).
const std::string &wideFirst() {
  static std::string table = [] {
    std::string cmd = "python3 " CAREPATH_SOURCE_DIR "/bench/gen_wide_first.py 3700 1";
    FILE *f = popen(cmd.c_str(), "r");
    if (!f) throw std::runtime_error("cannot run " + cmd);
    std::string text;
    char buf[65536];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    if (pclose(f) != 0) throw std::runtime_error(cmd + " failed");
    SourceManager sources;
    DiagnosticEngine diags(sources);
    FrontendOptions fo;
    fo.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
    FrontendResult fr = runFrontendOnBuffer("wide-first-3700.care", text, sources, diags, fo);
    if (!fr.protocol) throw std::runtime_error("wide-first-3700.care does not compile");
    backends::TableMetadata meta;
    meta.compilerVersion = "bench";
    meta.verification.status = "verified";
    return *backends::emitJsonTable(*fr.protocol, sources, meta, diags);
  }();
  return table;
}

void BM_EvaluateWideFirst3700(benchmark::State &state) {
  runtime::Table table = runtime::Table::loadText(wideFirst());
  evaluatePool(state, table, state.range(0) != 0);
}
BENCHMARK(BM_EvaluateWideFirst3700)->Arg(0)->Arg(1);

void BM_LoadWideFirst3700(benchmark::State &state) {
  const std::string &text = wideFirst();
  for (auto _ : state) {
    runtime::Table t = runtime::Table::loadText(text);
    benchmark::DoNotOptimize(t);
  }
  state.counters["bytes"] = double(text.size());
}
BENCHMARK(BM_LoadWideFirst3700)->Unit(benchmark::kMillisecond);

// The same table in the compact format (docs/runtime.md, "Compact tables"):
// digest check, decoding, validation, explanation lists and index.
void BM_LoadWideFirst3700Compact(benchmark::State &state) {
  static const std::string bytes = runtime::Table::loadText(wideFirst()).compact();
  for (auto _ : state) {
    runtime::Table t = runtime::Table::loadText(bytes);
    benchmark::DoNotOptimize(t);
  }
  state.counters["bytes"] = double(bytes.size());
}
BENCHMARK(BM_LoadWideFirst3700Compact)->Unit(benchmark::kMillisecond);

void BM_LoadAnecCompact(benchmark::State &state) {
  static const std::string bytes = runtime::Table::loadText(anec().table).compact();
  for (auto _ : state) {
    runtime::Table t = runtime::Table::loadText(bytes);
    benchmark::DoNotOptimize(t);
  }
  state.counters["bytes"] = double(bytes.size());
}
BENCHMARK(BM_LoadAnecCompact)->Unit(benchmark::kMicrosecond);

// ------------------------------------------------------------------ batch

// Patient lines of bench/gen_patients.py for ANEC (seed 1), as `eval
// --patients` reads them.
const std::vector<std::string> &anecLines() {
  static std::vector<std::string> lines = [] {
    std::string table = "/tmp/carepath-bench-anec.json";
    { std::ofstream(table) << anec().table; }
    std::string cmd = "python3 " CAREPATH_SOURCE_DIR "/bench/gen_patients.py " + table + " 4096 1";
    FILE *f = popen(cmd.c_str(), "r");
    if (!f) throw std::runtime_error("cannot run " + cmd);
    std::vector<std::string> out;
    std::string text;
    char buf[65536];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    pclose(f);
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }();
  return lines;
}

// The patient reader on those lines (arg 1: the general reader only).
void BM_ReadPatientAnec(benchmark::State &state) {
  runtime::Table t = runtime::Table::loadText(anec().table);
  const auto &lines = anecLines();
  size_t i = 0, read = 0;
  for (auto _ : state) {
    std::vector<runtime::PatientError> errors;
    const std::string &line = lines[i++ % lines.size()];
    auto p = state.range(0) ? runtime::readPatientGeneral(t.inputs(), line, errors) : t.readPatient(line, errors);
    read += p.has_value();
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["valid"] = double(read) / double(state.iterations());
}
BENCHMARK(BM_ReadPatientAnec)->Arg(0)->Arg(1);

// The C API's columnar batch call on ANEC: 4,096 patients per call, their
// values as columns, the fired rules into an array (one core).
void BM_EvaluateColumnsAnec(benchmark::State &state) {
  const std::string &json = anec().table;
  carepath_table *t = nullptr;
  if (carepath_table_open_string(json.data(), json.size(), 0, &t, nullptr) != CAREPATH_OK) {
    state.SkipWithError("cannot open the table");
    return;
  }
  runtime::Table table = runtime::Table::loadText(json);
  constexpr size_t kPatients = 4096;
  auto pool = patients(table, kPatients);
  size_t inputs = table.inputs().size();
  std::vector<std::vector<carepath_value>> columns(inputs, std::vector<carepath_value>(kPatients));
  for (size_t i = 0; i < inputs; ++i) {
    const runtime::InputSpec &s = table.inputs()[i];
    const runtime::UnitSpec *unit = nullptr;
    for (const runtime::UnitSpec &u : s.units)
      if (u.name == s.displayUnit) unit = &u;
    for (size_t p = 0; p < kPatients; ++p) {
      const runtime::PatientValue &v = pool[p][i];
      Rational written = unit ? (v.number - unit->offset) / unit->factor : v.number;
      carepath_value &c = columns[i][p];
      c = carepath_value{v.kind == runtime::InputSpec::Kind::Number ? written.num()
                         : v.kind == runtime::InputSpec::Kind::Enum ? v.member
                                                                    : int64_t(v.boolean),
                         v.kind == runtime::InputSpec::Kind::Number ? written.den() : 1, v.text.c_str(), 0};
    }
  }
  std::vector<const carepath_value *> cols;
  for (auto &c : columns) cols.push_back(c.data());
  std::vector<int32_t> status(kPatients);
  std::vector<uint8_t> in(kPatients), fired(kPatients * carepath_table_rule_total(t));
  size_t ok = 0;
  for (auto _ : state) {
    carepath_table_evaluate_columns(t, kPatients, cols.data(), status.data(), in.data(), fired.data(), nullptr);
    ok += static_cast<size_t>(std::count(status.begin(), status.end(), CAREPATH_OK));
    benchmark::DoNotOptimize(fired.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(kPatients));
  state.counters["ok"] = double(ok) / double(state.iterations() * kPatients);
  carepath_table_free(t);
}
BENCHMARK(BM_EvaluateColumnsAnec)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
