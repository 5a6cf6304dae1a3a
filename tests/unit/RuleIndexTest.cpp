// Differential test of the runtime's large-table index (runtime/src/
// RuleIndex.h) against the plain scan (EvaluateOptions::scan): random
// tables of many rules, random patients (missing values, every threshold
// and a hair either side), identical results: matched, undecided and fired
// rules, actions and amounts, result lists, single outputs, violations,
// and the same error when evaluation fails.
#include <gtest/gtest.h>

#include <sstream>

#include "Differential.h"
#include "CompileForTest.h"
#include "Frontend.h"
#include "ProtocolGenerator.h"
#include "backends/JsonTable.h"
#include "carepath/Table.h"
#include "ir/PatientInput.h"
#include "TestScale.h"

using namespace carepath;

namespace {

using unittest::CompiledForTest;

CompiledForTest compile(const std::string &text) {
  // Loaded with allowUnverified: the index does not depend on the verdict.
  return unittest::compileForTest("index.care", text, "not-verified");
}

/// A protocol of box-heavy tables: every kind of check the index reads
/// (number bounds and bands with and without units, ==, !=, enum sets,
/// bools, `known`, `not known`, optional inputs) and a few it does not (arithmetic,
/// `or`, another table's output), under every hit policy.
std::string boxProtocol(uint64_t seed) {
  difftest::Rng rng(seed);
  std::ostringstream s;
  s << "protocol idx" << seed << " version \"1\" {\n  title \"index test\"\n}\nuse stdlib.units\n"
    << "input a : integer in 0 .. 100\n"
    << "input b : optional integer in 0 .. 50\n"
    << "input w : mass in 1 kg .. 200 kg\n"
    << "input e : enum { p, q, r, s }\n"
    << "input f : optional enum { x, y, z }\n"
    << "input g : bool\n"
    << "input h : optional bool\n";
  auto pickOf = [&](std::initializer_list<const char *> xs) { return *(xs.begin() + rng.below(xs.size())); };
  auto number = [&](const char *name, int lo, int hi, int step, const char *unit) {
    int k = lo + static_cast<int>(rng.below(static_cast<uint64_t>((hi - lo) / step + 1))) * step;
    std::string c = std::to_string(k) + unit;
    switch (rng.below(8)) {
      case 0: return std::string(name) + " < " + c;
      case 1: return std::string(name) + " <= " + c;
      case 2: return std::string(name) + " > " + c;
      case 3: return std::string(name) + " >= " + c;
      case 4: return std::string(name) + " == " + c;
      case 5: return std::string(name) + " != " + c;
      case 6: return std::string(name) + " in " + c + " ..< " + std::to_string(k + step * 2) + unit;
      default: return std::string(name) + " in " + c + " .. " + std::to_string(k + step) + unit;
    }
  };
  auto check = [&](bool residual) -> std::string {
    if (residual)
      switch (rng.below(3)) {
        case 0: return "a + b > " + std::to_string(rng.below(120));
        case 1: return "(g or e == q)";
        default: return "w > a * 1 kg";
      }
    switch (rng.below(12)) {
      case 0: case 1: return number("a", 0, 100, 10, "");
      case 2: return number("b", 0, 50, 10, "");
      case 3: case 4: return number("w", 25, 175, 25, " kg");
      case 5: return std::string("e ") + pickOf({"== p", "!= q", "in {p, r}", "in {q, r, s}"});
      case 6: return std::string("f ") + pickOf({"== x", "!= y", "in {x, z}"});
      case 7: return pickOf({"g", "not g"});
      case 8: return pickOf({"h", "not h"});
      case 9: return pickOf({"known(b)", "known(f)", "known(h)"});
      case 10: return pickOf({"not known(b)", "not known(f)"});
      default: return "e == s";
    }
  };
  const char *policies[] = {"first", "unique", "priority", "any", "collect", "rule order", "output order"};
  int tables = 1 + static_cast<int>(rng.below(2));
  bool firstSingle = false;  // table t0 has single outputs (`t0.n` is a value)
  for (int t = 0; t < tables; ++t) {
    std::string hit = policies[rng.below(7)];
    bool outputs = hit == "output order" || rng.chance(60);
    if (t == 0) firstSingle = outputs && hit != "collect" && hit != "rule order" && hit != "output order";
    s << "table t" << t << " hit " << hit;
    if (outputs) s << " outputs (level : enum { lo, mid, hi }, n : integer)";
    s << " {\n";
    int rules = 8 + static_cast<int>(rng.below(rng.chance(20) ? 300 : 60));
    for (int k = 0; k < rules; ++k) {
      s << "  rule r" << k;
      bool numbered = hit == "priority" && rng.chance(70);
      if (numbered) s << " priority " << rng.below(5);
      int n = 1 + static_cast<int>(rng.below(5));
      s << " when ";
      for (int i = 0; i < n; ++i) s << (i ? " and " : "") << check(rng.chance(4));
      if (t > 0 && firstSingle && rng.chance(5)) s << " and known(t0.n)";  // an earlier table's output
      s << " -> ";
      if (outputs)
        s << "level = " << pickOf({"lo", "mid", "hi"}) << ", n = " << rng.below(4) << " { do act" << rng.below(3) << " }\n";
      else
        s << "do act" << rng.below(hit == "any" ? 2 : 50) << "\n";
    }
    s << "}\n";
  }
  return s.str();
}

struct Outcome {
  std::string error;
  runtime::Result r;
};

Outcome run(const runtime::Table &t, const std::vector<runtime::PatientValue> &p, bool scan) {
  Outcome o;
  runtime::EvaluateOptions opt;
  opt.scan = scan;
  try {
    t.evaluate(p, o.r, opt);
  } catch (const runtime::EvaluationError &e) {
    o.error = std::to_string(static_cast<int>(e.kind)) + ": " + e.what();
  }
  return o;
}

/// What the two paths must agree on; "" when they do.
std::string difference(const runtime::Table &t, const Outcome &x, const Outcome &y) {
  if (x.error != y.error) return "error: '" + x.error + "' vs '" + y.error + "'";
  if (!x.error.empty()) return "";
  const runtime::Result &a = x.r, &b = y.r;
  if (a.inPopulation != b.inPopulation || a.populationUnknown != b.populationUnknown) return "population";
  if (!a.inPopulation) return "";
  if (a.matched != b.matched) return "matched";
  if (a.undecided != b.undecided) return "undecided";
  if (a.fired != b.fired) return "fired";
  if (a.results != b.results) return "results";
  if (a.actions.size() != b.actions.size()) return "number of actions";
  for (size_t k = 0; k < a.actions.size(); ++k) {
    const runtime::FiredAction &p = a.actions[k], &q = b.actions[k];
    if (p.table != q.table || p.rule != q.rule || p.action != q.action || p.amount != q.amount ||
        p.amountHigh != q.amountHigh)
      return "action " + std::to_string(k);
  }
  if (a.violations.size() != b.violations.size()) return "number of violations";
  for (size_t k = 0; k < a.violations.size(); ++k)
    if (t.describe(a.violations[k]) != t.describe(b.violations[k])) return "violation " + std::to_string(k);
  for (uint32_t ti = 0; ti < t.tables().size(); ++ti) {
    for (size_t o = 0; o < t.tables()[ti].outputs.size(); ++o) {
      const runtime::OutputInfo &oi = t.tables()[ti].outputs[o];
      if (oi.value && t.displayOutput(ti, o, *oi.value, a) != t.displayOutput(ti, o, *oi.value, b))
        return "output " + t.tables()[ti].name + "." + oi.name;
      for (uint32_t r : a.results[ti])
        if (t.displayOutput(ti, o, t.tables()[ti].rules[r].outputs[o], a) !=
            t.displayOutput(ti, o, t.tables()[ti].rules[r].outputs[o], b))
          return "rule output " + t.tables()[ti].rules[r].name;
    }
  }
  return "";
}

struct Tally {
  size_t patients = 0, indexedTables = 0, matches = 0, undecided = 0, violations = 0, errors = 0;
};

/// Random patients for a compiled table (`text` names it in failures);
/// every disagreement fails.
void agreeTable(const runtime::Table &table, const ir::Protocol &protocol, const std::string &text, uint64_t seed,
                int patients, Tally &tally) {
  for (uint32_t ti = 0; ti < table.tables().size(); ++ti) tally.indexedTables += table.indexed(ti);
  auto bounds = difftest::boundaries(protocol);
  difftest::Rng rng(seed);
  const auto &inputs = table.inputs();
  std::vector<runtime::PatientValue> p(inputs.size());
  // One Result reused for every patient, as a batch does: the index clears
  // only the flags it set the time before (Result::flagged), which must
  // leave nothing behind from the previous patient.
  Outcome reused;
  for (int n = 0; n < patients; ++n) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const runtime::InputSpec &s = inputs[i];
      runtime::PatientValue &v = p[i];
      v = {};
      v.kind = s.kind;
      if (s.optional && rng.chance(20)) {
        v.missing = true;
        continue;
      }
      switch (s.kind) {
        case runtime::InputSpec::Kind::Bool: v.boolean = rng.chance(50); break;
        case runtime::InputSpec::Kind::Enum: v.member = static_cast<int>(rng.below(s.members.size())); break;
        case runtime::InputSpec::Kind::String: v.text = rng.chance(50) ? "listed" : "unlisted"; break;
        case runtime::InputSpec::Kind::Number:
          if (!bounds[i].empty() && rng.chance(70)) {
            v.number = bounds[i][rng.below(bounds[i].size())];
          } else {
            Rational span = *s.hi - *s.lo;
            v.number = *s.lo + span * Rational(static_cast<int64_t>(rng.below(1001)), 1000);
            if (s.integer) v.number = Rational(v.number.num() / v.number.den());
          }
          break;
      }
    }
    Outcome indexed = run(table, p, false), scanned = run(table, p, true);
    std::string d = difference(table, indexed, scanned);
    reused.error.clear();
    try {
      table.evaluate(p, reused.r);
    } catch (const runtime::EvaluationError &e) {
      reused.error = std::to_string(static_cast<int>(e.kind)) + ": " + e.what();
    }
    if (d.empty() && !difference(table, reused, scanned).empty()) d = "with a reused result: " + difference(table, reused, scanned);
    if (!d.empty()) {
      std::string desc;
      for (size_t i = 0; i < inputs.size(); ++i) desc += inputs[i].name + "=" + table.displayValue(static_cast<uint32_t>(i), p[i]) + " ";
      FAIL() << "index and scan differ (" << d << ") for patient " << desc << "\n" << text;
    }
    ++tally.patients;
    if (!scanned.error.empty()) {
      ++tally.errors;
      continue;
    }
    for (const auto &t : scanned.r.matched)
      for (uint8_t m : t) tally.matches += m;
    for (const auto &t : scanned.r.undecided)
      for (uint8_t m : t) tally.undecided += m;
    tally.violations += scanned.r.violations.size();
  }
}

void agree(const std::string &text, uint64_t seed, int patients, Tally &tally) {
  CompiledForTest c = compile(text);
  ASSERT_TRUE(c.protocol && !c.table.empty()) << c.diagnostics << "\n" << text;
  runtime::LoadOptions lo;
  lo.allowUnverified = true;
  agreeTable(runtime::Table::loadText(c.table, lo), *c.protocol, text, seed, patients, tally);
}

/// A table of `rules` rules under `hit`, built in IR (the front end would
/// take seconds on thousands of rules): rule k is a band of `a` (some
/// overlapping, most a few values wide, so a patient's class row is zero
/// in most words), with a check of `e`, `g`, the optional `h` or `known b`
/// now and then, and every 97th a residual check (`a + b > c`).
std::optional<std::string> bigTable(ir::Protocol &p, SourceManager &sources, ir::HitPolicy hit, int64_t rules) {
  using namespace ir::build;
  int a = p.findInput("a"), b = p.findInput("b"), e = p.findInput("e"), g = p.findInput("g"), h = p.findInput("h");
  const ir::Type &num = p.inputs[a].type;
  ir::Table t;
  t.name = "big";
  t.hit = hit;
  for (int64_t k = 0; k < rules; ++k) {
    ir::Rule r;
    r.name = "r" + std::to_string(k);
    int64_t lo = k * 2000 / rules + (k % 7 == 0 ? -3 : 0), width = 1 + k % 4;
    std::vector<ir::ExprRef> parts = {binary(ir::Op::Ge, input(a, num), number(Rational(lo), num.dim)),
                                  binary(ir::Op::Lt, input(a, num), number(Rational(lo + width), num.dim))};
    if (k % 3 == 0) parts.push_back(binary(ir::Op::Ne, input(e, p.inputs[e].type), member(p.inputs[e].type.enumType, static_cast<int>(k % 4))));
    if (k % 5 == 1) parts.push_back(k % 2 ? input(g, p.inputs[g].type) : unary(ir::Op::Not, input(g, p.inputs[g].type)));
    if (k % 11 == 2) parts.push_back(input(h, p.inputs[h].type, {}, true));
    if (k % 13 == 3) parts.push_back(known(input(b, p.inputs[b].type, {}, true)));
    if (k % 97 == 5)
      parts.push_back(binary(ir::Op::Gt, binary(ir::Op::Add, input(a, num), input(b, p.inputs[b].type, {}, true)),
                             number(Rational(lo + 20), num.dim)));
    r.guard = nary(ir::Op::And, parts);
    ir::Action act;
    act.kind = ir::ActionKind::Do;
    act.name = "act" + std::to_string(k % (hit == ir::HitPolicy::Any ? 2 : 50));
    r.actions.push_back(act);
    t.rules.push_back(r);
  }
  p.tables.push_back(t);
  DiagnosticEngine diags(sources);
  backends::TableMetadata meta;
  meta.compilerVersion = "test";
  return backends::emitJsonTable(p, sources, meta, diags);
}

}  // namespace

TEST(RuleIndex, BoxTablesAgreeWithTheScan) {
  Tally tally;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    agree(boxProtocol(seed), seed, unittest::cases(400), tally);
    if (HasFatalFailure() || HasFailure()) return;
  }
  // The run must exercise what it claims to.
  EXPECT_GE(tally.indexedTables, 30u);
  EXPECT_GT(tally.matches, tally.patients);
  EXPECT_GT(tally.undecided, tally.patients / 10);
  EXPECT_GT(tally.violations, static_cast<unsigned>(unittest::cases(100)));
}

TEST(RuleIndex, TablesOfThousandsOfRulesAgreeWithTheScan) {
  // Over 4,096 rules: more than one summary word, so the two-level query
  // skips whole words and summary words (RuleIndex.h).
  const std::string base = "protocol big version \"1\" {\n  title \"big\"\n}\n"
                           "input a : integer in 0 .. 2000\ninput b : optional integer in 0 .. 50\n"
                           "input e : enum { p, q, r, s }\ninput g : bool\ninput h : optional bool\n"
                           "table t hit first {\n  rule x when g -> do x\n}\n";
  SourceManager sources;  // the protocol's files, for their SHA-256 in the table
  DiagnosticEngine diags(sources);
  FrontendOptions fo;
  fo.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
  FrontendResult fr = runFrontendOnBuffer("big.care", base, sources, diags, fo);
  ASSERT_TRUE(fr.protocol);
  Tally tally;
  uint64_t seed = 1;
  for (ir::HitPolicy hit : {ir::HitPolicy::First, ir::HitPolicy::Unique, ir::HitPolicy::Any}) {
    ir::Protocol p = *fr.protocol;
    p.tables.clear();
    auto json = bigTable(p, sources, hit, 4700);
    ASSERT_TRUE(json.has_value());
    runtime::LoadOptions lo;
    lo.allowUnverified = true;
    runtime::Table table = runtime::Table::loadText(*json, lo);
    ASSERT_TRUE(table.indexed(0));
    agreeTable(table, p, "the 4,700-rule table, hit " + std::to_string(static_cast<int>(hit)), seed++, unittest::cases(300), tally);
    if (HasFatalFailure() || HasFailure()) return;
    // The compact table's stored index gives the same results.
    runtime::Table compact = runtime::Table::loadText(table.compact(), lo);
    ASSERT_TRUE(compact.indexed(0));
    agreeTable(compact, p, "the compact 4,700-rule table", seed++, unittest::cases(100), tally);
    if (HasFatalFailure() || HasFailure()) return;
  }
  EXPECT_GT(tally.matches, tally.patients);
  EXPECT_GT(tally.undecided, tally.patients / 20);
  EXPECT_GT(tally.violations, static_cast<unsigned>(unittest::cases(20)));
}

TEST(RuleIndex, GeneratedProtocolsAgreeWithTheScan) {
  // The differential generator's protocols (doses, pathways, defines,
  // counting, references to rules...) with tables large enough to index.
  difftest::GeneratorOptions g;
  g.maxRulesPerTable = 24;
  Tally tally;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    agree(difftest::generateProtocol(seed, g), seed, 200, tally);
    if (HasFatalFailure() || HasFailure()) return;
  }
  EXPECT_GE(tally.indexedTables, 5u);
}

TEST(RuleIndex, SmallTablesAndExplanationsScan) {
  CompiledForTest c = compile(boxProtocol(3));
  ASSERT_FALSE(c.table.empty()) << c.diagnostics;
  runtime::LoadOptions lo;
  lo.allowUnverified = true;
  runtime::Table table = runtime::Table::loadText(c.table, lo);
  ASSERT_TRUE(table.indexed(0));
  // An explanation lists every rule's checks, indexed table or not.
  std::vector<runtime::PatientValue> p;
  for (const runtime::InputSpec &s : table.inputs()) {
    runtime::PatientValue v;
    v.kind = s.kind;
    if (s.kind == runtime::InputSpec::Kind::Number) v.number = *s.lo;
    if (s.kind == runtime::InputSpec::Kind::Enum) v.member = 0;
    p.push_back(v);
  }
  runtime::EvaluateOptions explain;
  explain.explain = true;
  runtime::Result r = table.evaluate(p, explain);
  size_t rules = 0;
  for (const auto &t : table.tables()) rules += t.rules.size();
  EXPECT_EQ(r.trace.size(), rules);

  CompiledForTest small = compile("protocol s version \"1\" {\n  title \"s\"\n}\ninput g : bool\n"
                           "table t hit first {\n  rule a when g -> do x\n  rule b when not g -> do y\n}\n");
  ASSERT_FALSE(small.table.empty()) << small.diagnostics;
  EXPECT_FALSE(runtime::Table::loadText(small.table, lo).indexed(0));
}
