// The random-protocol differential test (see Differential.h).
//
// The operational judgements below read only the reference evaluator's
// Evaluation (which tiers and rules matched and fired, which actions with
// which amounts): they are a second, deliberately naive reading of what
// each verifier property means, so a verifier encoding that drifts from
// the evaluator shows up as a disagreement.
#include "Differential.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <ostream>
#include <sstream>
#include <tuple>

#include "Frontend.h"
#include "ProtocolGenerator.h"
#include "ir/Columns.h"
#include "basic/DiagnosticPrinter.h"
#include "backends/JsonTable.h"
#include "carepath/Table.h"
#include "driver/CourseStates.h"
#include "ir/Evaluator.h"
#include "ir/PatientInput.h"
#include "verifier/CourseReach.h"
#include "verifier/Display.h"
#include "verifier/Verifier.h"

namespace carepath::difftest {

using namespace carepath;

// ------------------------------------------------------------------ expected disagreements

const std::set<std::string> &expectedDisagreements() {
  // Each has a minimal reproducer in tests/unit/RandomProtocolDifferentialTest.cpp
  // (FormerDisagreement.*), which flips to a regression test when its entry
  // is removed here.
  // Empty: the five kinds this test found when it was written (pathway tier
  // clashes unreported by the IR evaluator; `any` rules taken as firing by
  // sema and the verifier; strict dose bounds) are fixed, and their
  // reproducers are regression tests now.
  // So is the one found with optional inputs (table format 3's generator): a
  // dose envelope behind a guard read through IsTrue missed the strict
  // bound's infimum (FormerDisagreement.DoseEnvelopeWithAnOptionalInputInTheGuard).
  // So is the one found when the generator learnt typed outputs: Z3's
  // optimiser stopped short of the maximum over the closure, and the bound
  // was not checked (FormerDisagreement.DoseEnvelopeBehindANegatedOptionalConjunction,
  // ClosureOptimumShortOfTheMaximum).
  static const std::set<std::string> kinds = {};
  return kinds;
}

bool isExpected(const std::string &kind) {
  const auto &kinds = expectedDisagreements();
  return kinds.count(kind) > 0 || kinds.count(kind.substr(0, kind.find('@'))) > 0;
}

namespace {

// ------------------------------------------------------------------ one observation, two engines

/// What one engine says about one patient, in a form both can be read into.
struct Observation {
  bool inPopulation = true;
  std::vector<std::vector<bool>> fired;  // [container][rule]: pathways first, then tables
  struct Act {
    uint32_t container = 0, rule = 0;
    std::string kind, name;
    std::optional<Rational> amount, amountHigh;  // a dose range's ends (equal for a single dose)
    std::string route;                           // a give's (its own, else its drug's)
    friend bool operator==(const Act &, const Act &) = default;
  };
  std::vector<Act> actions;
  /// Hit-policy violations: (pathway or table name, names of the rules or
  /// tiers involved). The English around them is not compared.
  std::set<std::pair<std::string, std::set<std::string>>> violations;
  /// Table outputs, one text per table output: "value | rule=value ..."
  /// (the single value, then the result list in result order).
  std::vector<std::string> outputs;
};

/// One value as both engines' observations write it.
std::string valueText(bool missing, int kind, bool b, int member, const Rational &n) {
  if (missing) return "missing";
  switch (kind) {
    case 0: return b ? "true" : "false";
    case 1: return "#" + std::to_string(member);
    default: return n.str();
  }
}

/// The only function that reads runtime::Result / TableInfo / ActionInfo.
Observation observeRuntime(const runtime::Table &table, const runtime::Result &r) {
  Observation o;
  o.inPopulation = r.inPopulation;
  for (const auto &row : r.fired) o.fired.emplace_back(row.begin(), row.end());
  for (const runtime::FiredAction &f : r.actions) {
    const runtime::ActionInfo &a = table.tables()[f.table].rules[f.rule].actions[f.action];
    o.actions.push_back({f.table, f.rule, spelling(a.kind), a.name, f.amount, f.amountHigh, a.route});
  }
  for (const carepath::Violation &v : r.violations) {
    const runtime::TableInfo &t = table.tables()[v.table];
    std::set<std::string> rules;
    for (uint32_t k : v.rules) rules.insert(t.rules[k].name);
    o.violations.insert({t.name, rules});
  }
  auto text = [&](uint32_t node) {
    const runtime::NodeValue &v = r.values.at(node);
    int kind = table.nodes()[node].kind == runtime::InputSpec::Kind::Bool   ? 0
               : table.nodes()[node].kind == runtime::InputSpec::Kind::Enum ? 1
                                                                            : 2;
    return valueText(v.missing, kind, v.truth == Truth::True, v.member, v.number);
  };
  for (uint32_t t = 0; t < table.tables().size(); ++t)
    for (size_t out = 0; out < table.tables()[t].outputs.size(); ++out) {
      const runtime::TableInfo &info = table.tables()[t];
      std::string s = !r.inPopulation ? "-" : info.outputs[out].value ? text(*info.outputs[out].value) : "list";
      if (r.inPopulation)
        for (uint32_t k : r.results[t]) s += " " + info.rules[k].name + "=" + text(info.rules[k].outputs[out]);
      o.outputs.push_back(s);
    }
  return o;
}

Observation observeEvaluator(const ir::Protocol &p, const ir::Evaluation &ev) {
  Observation o;
  o.inPopulation = ev.inPopulation;
  for (const auto &row : ev.tiers) o.fired.push_back(row);
  for (const auto &row : ev.rules) o.fired.push_back(row);
  uint32_t np = static_cast<uint32_t>(p.pathways.size());
  for (const ir::FiredAction &f : ev.actions) {
    uint32_t container = static_cast<uint32_t>(f.from.container) + (f.from.kind == ir::Target::Kind::Rule ? np : 0);
    std::string name = f.action->kind == ir::ActionKind::Unspecified ? "" : f.action->name;
    std::string route = f.action->kind == ir::ActionKind::Give ? ir::givenRoute(*f.action, p.drugs) : "";
    o.actions.push_back({container, static_cast<uint32_t>(f.from.index), ir::spelling(f.action->kind), name, f.amount,
                         f.amountHigh, route});
  }
  for (const ir::Violation &v : ev.violations) {
    bool tier = v.container == ir::Target::Kind::Tier;
    std::set<std::string> rules;
    for (uint32_t k : v.rules)
      rules.insert(tier ? p.pathways[v.index].tiers[k].name : p.tables[v.index].rules[k].name);
    o.violations.insert({tier ? p.pathways[v.index].name : p.tables[v.index].name, rules});
  }
  auto text = [](const ir::Value &v) {
    int kind = v.kind == ir::Type::Kind::Bool ? 0 : v.kind == ir::Type::Kind::Enum ? 1 : 2;
    return valueText(v.missing, kind, v.boolean, v.member, v.number);
  };
  for (size_t t = 0; t < p.tables.size(); ++t)
    for (size_t out = 0; out < p.tables[t].outputs.size(); ++out) {
      const ir::Table &info = p.tables[t];
      std::string s = !ev.inPopulation ? "-"
                      : carepath::hasSingleOutput(info.hit, info.aggregation) ? text(ev.outputs[t][out])
                                                                               : "list";
      if (ev.inPopulation)
        for (uint32_t k : ev.results[t]) s += " " + info.rules[k].name + "=" + text(ev.ruleOutputs[t][k][out]);
      o.outputs.push_back(s);
    }
  return o;
}

// ------------------------------------------------------------------ helpers

using RangeKey = std::tuple<FileId, uint32_t, uint32_t>;
RangeKey key(const SourceRange &r) { return {r.file, r.begin, r.end}; }

std::string hitSuffix(const ir::Protocol &p, int table) { return std::string("@") + ir::spelling(p.tables[table].hit); }

std::string givenLine(const ir::Protocol &p, const ir::Patient &patient) {
  std::string s = "given ";
  for (size_t i = 0; i < patient.size(); ++i) s += (i ? ", " : "") + verifier::givenItem(p, static_cast<int>(i), patient[i]);
  return s;
}

std::string ratText(const std::optional<Rational> &r) { return r ? r->str() : "none"; }

/// Collects the outcome's mismatches (first example of each kind kept).
struct Recorder {
  ProtocolOutcome &out;
  void add(const std::string &kind, const std::string &detail, const std::string &patient) {
    if (out.mismatches[kind]++ == 0) out.examples.push_back({kind, detail, patient});
  }
};

// ------------------------------------------------------------------ patients

}  // namespace

/// Interesting values of each number input: every bound any condition
/// tests it against, a hair either side, and the range ends.
std::vector<std::vector<Rational>> boundaries(const ir::Protocol &p) {
  std::vector<std::vector<Rational>> out(p.inputs.size());
  auto addCols = [&](const ir::ExprRef &e) {
    if (!e || e->type.kind != ir::Type::Kind::Bool) return;
    auto cols = ir::toColumns(p, *e);
    if (!std::holds_alternative<ir::Columns>(cols)) return;
    for (const auto &row : std::get<ir::Columns>(cols).rows)
      for (const auto &c : row.conditions)
        for (const auto &iv : c.intervals)
          for (const auto &b : {iv.lo, iv.hi})
            if (b)
              for (const Rational &d : {Rational(0), Rational(1), Rational(-1), Rational(1, 1000), Rational(-1, 1000)})
                out[c.input].push_back(*b + d);
  };
  addCols(p.population);
  for (size_t pi = 0; pi < p.pathways.size(); ++pi)
    for (size_t t = 0; t < p.pathways[pi].tiers.size(); ++t) {
      addCols(p.tierGuard(static_cast<int>(pi), static_cast<int>(t)));
      addCols(p.pathways[pi].tiers[t].failedWhen);
    }
  for (const auto &t : p.tables)
    for (const auto &r : t.rules) addCols(r.guard);
  for (const auto &d : p.defines) addCols(d.value);
  for (const auto &prop : p.properties) addCols(prop.expr);
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const ir::Input &in = p.inputs[i];
    if (in.lo) out[i].push_back(*in.lo);
    if (in.hi) out[i].push_back(*in.hi);
    // The weight where a per-kg dose meets a cap lies between thresholds
    // no guard names; uniform draws cover it.
    std::vector<Rational> kept;
    for (const Rational &v : out[i])
      if ((!in.lo || v >= *in.lo) && (!in.hi || v <= *in.hi) && (!in.type.integer || v.isInteger())) kept.push_back(v);
    std::sort(kept.begin(), kept.end());
    kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
    out[i] = kept;
  }
  return out;
}

namespace {

/// The string literals a protocol's conditions mention, sorted: a string
/// input's interesting values (with ones no literal is).
std::vector<std::string> stringLiterals(const ir::Protocol &p) {
  std::set<std::string> out;
  std::function<void(const ir::ExprRef &)> walk = [&](const ir::ExprRef &e) {
    if (!e) return;
    if (e->op == ir::Op::Const && e->constant.kind == ir::Type::Kind::String) out.insert(e->constant.text);
    for (const ir::ExprRef &a : e->args) walk(a);
  };
  walk(p.population);
  for (const auto &d : p.defines) walk(d.value);
  for (const auto &pw : p.pathways) {
    walk(pw.entry);
    for (const auto &t : pw.tiers) walk(t.guard), walk(t.failedWhen);
  }
  for (const auto &t : p.tables)
    for (const auto &r : t.rules) walk(r.guard);
  for (const auto &prop : p.properties) walk(prop.expr);
  return {out.begin(), out.end()};
}

/// What patients are drawn from, worked out once per protocol: each number
/// input's interesting values (boundaries) and the string literals the
/// conditions mention.
struct Draws {
  std::vector<std::vector<Rational>> bounds;
  std::vector<std::string> literals;
  explicit Draws(const ir::Protocol &p) : bounds(boundaries(p)), literals(stringLiterals(p)) {}
};

ir::Patient randomPatient(const ir::Protocol &p, const Draws &draws, Rng &rng) {
  ir::Patient patient;
  const std::vector<std::vector<Rational>> &bounds = draws.bounds;
  const std::vector<std::string> &literals = draws.literals;
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const ir::Input &in = p.inputs[i];
    // An optional input is missing for one patient in four.
    if (in.optional && rng.chance(25)) {
      patient.push_back(ir::Value::ofMissing(in.type.kind));
      continue;
    }
    switch (in.type.kind) {
    case ir::Type::Kind::Bool: patient.push_back(ir::Value::ofBool(rng.below(2))); break;
    case ir::Type::Kind::Enum:
      patient.push_back(ir::Value::ofEnum(static_cast<int>(rng.below(p.enums[in.type.enumType].members.size()))));
      break;
    case ir::Type::Kind::String: {
      // A listed value, or one no condition names (open set): "", "zz", "eu".
      static const char *unlisted[] = {"", "zz unlisted", "eu"};
      if (!literals.empty() && rng.chance(70)) patient.push_back(ir::Value::ofString(literals[rng.below(literals.size())]));
      else patient.push_back(ir::Value::ofString(unlisted[rng.below(3)]));
      break;
    }
    case ir::Type::Kind::Number: {
      Rational v;
      if (!bounds[i].empty() && rng.chance(50)) {
        v = bounds[i][rng.below(bounds[i].size())];
      } else {
        // Uniform over the range in steps of 1/100 of the display unit.
        Rational step = in.displayUnit.factor.isZero() ? Rational(1, 100) : in.displayUnit.factor / Rational(100);
        if (in.type.integer) step = 1;
        Rational span = (*in.hi - *in.lo) / step;
        int64_t steps = span.num() / span.den();
        v = *in.lo + step * Rational(static_cast<int64_t>(rng.below(static_cast<uint64_t>(steps) + 1)));
      }
      patient.push_back(ir::Value::ofNumber(v));
      break;
    }
    }
  }
  return patient;
}

// ------------------------------------------------------------------ operational judgements

/// One patient's evaluation, with the few derived facts the judgements need.
struct Judged {
  const ir::Protocol &p;
  const ir::Patient &patient;
  const ir::Evaluation &ev;

  bool holds(const ir::ExprRef &e) const { return !e || ir::evaluateBool(p, *e, patient); }
  /// Three-valued: unknown when a value it needs is missing.
  Truth truth(const ir::ExprRef &e) const { return !e ? Truth::True : ir::evaluate(p, *e, patient).truth(); }
  /// A tier "failed": its pathway applies and its `failed when` holds.
  bool failed(int pw, int t) const { return holds(p.tierFailed(pw, t)); }

  bool fires(const ir::Target &t) const {
    return t.kind == ir::Target::Kind::Tier ? ev.tiers[t.container][t.index] : ev.rules[t.container][t.index];
  }
  const ir::FiredAction *fired(const ir::Action *a) const {
    for (const ir::FiredAction &f : ev.actions)
      if (f.action == a) return &f;
    return nullptr;
  }
};

/// Whether rules ri and rj of table tb give this patient the same actions
/// (hit `any`), judged with the evaluator's own notion (ir::sameAction).
bool sameOutputs(const Judged &x, int tb, int ri, int rj) {
  const ir::Rule &a = x.p.tables[tb].rules[ri], &b = x.p.tables[tb].rules[rj];
  if (a.actions.size() != b.actions.size()) return false;
  for (size_t k = 0; k < a.actions.size(); ++k) {
    ir::FiredAction fa{{}, &a.actions[k], std::nullopt, std::nullopt}, fb{{}, &b.actions[k], std::nullopt, std::nullopt};
    for (auto [f, act] : {std::pair{&fa, &a.actions[k]}, std::pair{&fb, &b.actions[k]}})
      if (ir::GivenAmount e = ir::givenAmount(*act)) {
        f->amount = ir::evaluate(x.p, *e.low, x.patient).number;
        f->amountHigh = ir::evaluate(x.p, *e.high, x.patient).number;
      }
    if (!ir::sameAction(fa, fb)) return false;
  }
  for (size_t o = 0; o < a.outputs.size(); ++o)
    if (!ir::sameOutputValue(ir::evaluate(x.p, *a.outputs[o], x.patient), ir::evaluate(x.p, *b.outputs[o], x.patient)))
      return false;
  return true;
}

/// One verifier verdict to judge: `pred` says whether a patient violates
/// the property (Valid goals) or witnesses it (Satisfiable goals).
struct Check {
  std::string kind;   // verifier kind + "@where"
  std::string what;   // the verifier's message
  bool valid = true;  // Valid goal; else Satisfiable
  verifier::Status status = verifier::Status::Proved;
  bool wholeRange = false;  // judged on patients outside the population too (population)
  std::function<bool(const Judged &)> pred;
  std::optional<ir::Patient> counterexample;
  std::optional<ir::Patient> witness;  // a proved Satisfiable goal over the reachable course states
};

class Harness {
public:
  Harness(const ir::Protocol &p, const runtime::Table &table, ProtocolOutcome &out)
      : p_(p), table_(table), out_(out), rec_{out} {
    for (size_t pw = 0; pw < p.pathways.size(); ++pw)
      if (p.pathways[pw].course) successors_.emplace(static_cast<int>(pw), verifier::CourseSuccessors(p, static_cast<int>(pw)));
  }

  void buildChecks(const verifier::Report &report) {
    // The results over the course state hold over the reachable course
    // states only (one pathway's, or several pathways' searched jointly).
    for (const verifier::CourseReach &c : report.courses)
      if (c.complete) courseReach_[c.pathways] = c.states;
    std::map<RangeKey, std::pair<int, int>> tiers, rules;
    std::map<RangeKey, int> tables, props;
    std::map<RangeKey, std::pair<const ir::Action *, std::string>> actions;  // action, "@where"
    std::map<RangeKey, const ir::Limit *> limits;
    std::map<RangeKey, int> coursePathways;
    std::map<RangeKey, std::pair<int, int>> tierGuards;  // tier-reentered is reported at the tier's `when`
    for (size_t pw = 0; pw < p_.pathways.size(); ++pw)
      for (size_t t = 0; t < p_.pathways[pw].tiers.size(); ++t) {
        const ir::Tier &tier = p_.pathways[pw].tiers[t];
        tiers[key(tier.range)] = {static_cast<int>(pw), static_cast<int>(t)};
        if (p_.pathways[pw].course) {
          coursePathways[key(p_.pathways[pw].range)] = static_cast<int>(pw);
          tierGuards[key(tier.guard->range)] = {static_cast<int>(pw), static_cast<int>(t)};
        }
        for (const ir::Action &a : tier.actions) actions[key(a.range)] = {&a, "@tier"};
      }
    for (size_t tb = 0; tb < p_.tables.size(); ++tb) {
      tables[key(p_.tables[tb].range)] = static_cast<int>(tb);
      for (size_t r = 0; r < p_.tables[tb].rules.size(); ++r) {
        const ir::Rule &rule = p_.tables[tb].rules[r];
        rules[key(rule.range)] = {static_cast<int>(tb), static_cast<int>(r)};
        for (const ir::Action &a : rule.actions) actions[key(a.range)] = {&a, hitSuffix(p_, static_cast<int>(tb))};
      }
    }
    for (size_t i = 0; i < p_.properties.size(); ++i) props[key(p_.properties[i].range)] = static_cast<int>(i);
    for (const ir::Drug &d : p_.drugs)
      for (const ir::Limit &l : d.limits) limits[key(l.range)] = &l;
    std::map<RangeKey, std::pair<const ir::Drug *, const ir::Contraindication *>> contraindications;
    for (const ir::Drug &d : p_.drugs)
      for (const ir::Contraindication &ci : d.contraindications) contraindications[key(ci.range)] = {&d, &ci};

    std::map<int, std::set<std::pair<int, int>>> undecidedOverlaps;  // unique table -> rule pairs not proved
    std::set<int> overlapTablesProved;

    for (const verifier::PropertyResult &r : report.properties) {
      const std::string kind = verifier::spelling(r.kind);
      if (r.status == verifier::Status::Unknown) ++out_.unknown;
      if (r.status == verifier::Status::Proved) ++out_.proved;
      if (r.status == verifier::Status::Refuted) ++out_.refuted;
      if (r.counterexample) ++out_.counterexamples;
      if (r.status == verifier::Status::Warning || kind == "unspecified" || kind == "dose-bounded") continue;
      Check c;
      c.what = r.message;
      c.status = r.status;
      c.counterexample = r.counterexample;
      c.witness = r.witness;
      auto unmapped = [&] { rec_.add("harness/unmapped-result", kind + ": " + r.message, ""); };
      if (kind == "table-overlap") {
        if (auto it = tables.find(key(r.range)); it != tables.end()) {
          if (r.status == verifier::Status::Proved) overlapTablesProved.insert(it->second);
          continue;
        }
        auto j = rules.find(key(r.range));
        auto i = r.related.empty() ? rules.end() : rules.find(key(r.related[0].range));
        if (j == rules.end() || i == rules.end()) { unmapped(); continue; }
        int tb = j->second.first, ri = i->second.second, rj = j->second.second;
        undecidedOverlaps[tb].insert({std::min(ri, rj), std::max(ri, rj)});
        c.kind = kind + hitSuffix(p_, tb);
        if (p_.tables[tb].hit == ir::HitPolicy::Any)  // forbidden only with different actions
          c.pred = [tb, ri, rj](const Judged &x) {
            return x.ev.matched[tb][ri] && x.ev.matched[tb][rj] && !sameOutputs(x, tb, ri, rj);
          };
        else
          c.pred = [tb, ri, rj](const Judged &x) { return x.ev.matched[tb][ri] && x.ev.matched[tb][rj]; };
      } else if (kind == "population") {
        c.kind = kind;
        c.valid = false;
        c.wholeRange = true;
        c.pred = [](const Judged &x) { return x.ev.inPopulation; };
      } else if (kind == "tier-reachable" || kind == "tier-exclusive" || kind == "tier-order") {
        auto it = tiers.find(key(r.range));
        if (it == tiers.end()) { unmapped(); continue; }
        int pw = it->second.first, t = it->second.second;
        c.kind = kind + "@tier";
        if (kind == "tier-reachable") {
          c.valid = false;
          c.pred = [pw, t](const Judged &x) { return bool(x.ev.tiers[pw][t]); };
        } else if (kind == "tier-exclusive") {
          auto s = r.related.empty() ? tiers.end() : tiers.find(key(r.related[0].range));
          if (s == tiers.end()) { unmapped(); continue; }
          int st = s->second.second;
          c.pred = [pw, t, st](const Judged &x) { return x.ev.tiers[pw][t] && x.ev.tiers[pw][st]; };
        } else {
          int before = p_.pathways[pw].tiers[t].after;
          c.pred = [pw, t, before](const Judged &x) { return x.ev.tiers[pw][t] && !x.failed(pw, before); };
        }
      } else if (kind == "table-gap") {
        auto it = tables.find(key(r.range));
        if (it == tables.end()) { unmapped(); continue; }
        int tb = it->second;
        c.kind = kind + hitSuffix(p_, tb);
        c.pred = [tb](const Judged &x) {
          return std::none_of(x.ev.matched[tb].begin(), x.ev.matched[tb].end(), [](bool b) { return b; });
        };
      } else if (kind == "rule-dead" || kind == "rule-shadowed") {
        auto it = rules.find(key(r.range));
        if (it == rules.end()) { unmapped(); continue; }
        int tb = it->second.first, ri = it->second.second;
        c.kind = kind + hitSuffix(p_, tb);
        c.valid = false;
        if (kind == "rule-dead") c.pred = [tb, ri](const Judged &x) { return bool(x.ev.matched[tb][ri]); };
        else c.pred = [tb, ri](const Judged &x) { return bool(x.ev.rules[tb][ri]); };
      } else if (kind == "assertion" || kind == "reaches") {
        auto it = props.find(key(r.range));
        if (it == props.end()) { unmapped(); continue; }
        const ir::Property &prop = p_.properties[it->second];
        if (prop.kind == ir::Property::Kind::Reaches) {
          ir::Target tg = prop.target;
          c.kind = kind + (tg.kind == ir::Target::Kind::Tier ? std::string("@tier") : hitSuffix(p_, tg.container));
          c.pred = [&prop, tg](const Judged &x) {
            if (!x.holds(prop.expr) || x.fires(tg)) return false;
            return !(tg.kind == ir::Target::Kind::Tier && x.failed(tg.container, tg.index));
          };
        } else {
          bool always = prop.kind == ir::Property::Kind::Always;
          c.kind = kind;
          // `always P` needs P true and `never P` needs P false for every
          // patient: unknown (a missing value) violates both.
          c.pred = [&prop, always](const Judged &x) { return x.truth(prop.expr) != truth(always); };
        }
      } else if (kind == "forbidden-action" || kind == "contraindication") {
        // `never ACTION when C` and a drug's `contraindicated when C`: no
        // patient C may hold for (true, or unknown for a missing value) is
        // offered the action (the evaluator's actions: fired, not withheld
        // by `unless`, alternatives of a `one of` included).
        ir::ActionKind what = ir::ActionKind::Give;
        std::string name;
        ir::ExprRef when;
        if (kind == "contraindication") {
          auto it = contraindications.find(key(r.range));
          if (it == contraindications.end()) { unmapped(); continue; }
          name = it->second.first->name;
          when = it->second.second->when;
        } else {
          auto it = props.find(key(r.range));
          if (it == props.end() || p_.properties[it->second].kind != ir::Property::Kind::NeverAction) { unmapped(); continue; }
          const ir::Property &prop = p_.properties[it->second];
          what = prop.action;
          name = prop.actionName;
          when = prop.expr;
        }
        c.kind = kind;
        c.pred = [what, name, when](const Judged &x) {
          if (x.truth(when) == Truth::False) return false;
          for (const ir::FiredAction &f : x.ev.actions)
            if (f.action->kind == what && f.action->name == name) return true;
          return false;
        };
      } else if (kind == "dose-ceiling") {
        // `always dose(D) <= Q BASIS when C`: no give of D offered (fired,
        // not withheld, alternatives included) to a patient C is true or
        // unknown for exceeds Q, the amount converted to Q's basis
        // (ir::basisFactor; a taper's lower bound for a refutation, as for
        // a formulary limit). A site whose basis does not convert is left
        // out, as the verifier leaves it out (its result is then unknown,
        // or refuted by another site).
        auto it = props.find(key(r.range));
        if (it == props.end() || p_.properties[it->second].kind != ir::Property::Kind::DoseAtMost ||
            !p_.properties[it->second].bound) { unmapped(); continue; }
        const ir::Property &prop = p_.properties[it->second];
        const ir::Limit bound = *prop.bound;
        int w = p_.dosingWeight;
        if (bound.perWeight && w < 0) { if (r.status != verifier::Status::Unknown) unmapped(); continue; }
        bool refuted = r.status == verifier::Status::Refuted;
        c.kind = kind;
        c.pred = [&prop, bound, w, refuted](const Judged &x) {
          if (x.truth(prop.expr) == Truth::False) return false;
          for (const ir::FiredAction &f : x.ev.actions) {
            if (f.action->kind != ir::ActionKind::Give || f.action->name != prop.actionName || !f.amountHigh) continue;
            std::optional<Rational> factor =
                refuted ? ir::basisFactorLow(*f.action, bound) : ir::basisFactor(*f.action, bound);
            if (!factor) continue;
            Rational limit = bound.perWeight ? bound.amount * x.patient[w].number : bound.amount;
            if (*f.amountHigh * *factor > limit) return true;
          }
          return false;
        };
      } else if (kind == "dose-formulary") {
        auto a = actions.find(key(r.range));
        auto l = r.related.empty() ? limits.end() : limits.find(key(r.related[0].range));
        if (a == actions.end() || l == limits.end()) { unmapped(); continue; }
        const ir::Action *action = a->second.first;
        const ir::Limit *limit = l->second;
        c.kind = kind + a->second.second;
        std::optional<Rational> factor = ir::basisFactor(*action, *limit);
        if (!factor || (limit->perWeight && p_.dosingWeight < 0)) {
          // A limit the dose cannot be checked against must be `unknown`
          // (never proved); a proof or refutation of it is a disagreement.
          if (r.status == verifier::Status::Unknown) continue;
          rec_.add("verifier-formulary-basis" + a->second.second,
                   "the verifier decided '" + r.message + "' but the limit's basis is not derivable from the dose's", "");
          continue;
        }
        // A taper (ir::basisFactorLow): a proof is judged at the upper bound
        // (no patient over it), a refutation at the lower bound (the
        // counterexample exceeds whatever the taper's shape).
        std::optional<Rational> low = ir::basisFactorLow(*action, *limit);
        if (r.status == verifier::Status::Refuted && !low) {
          rec_.add("verifier-formulary-taper" + a->second.second,
                   "the verifier refuted '" + r.message + "' but no lower bound of the tapered amount is known", "");
          continue;
        }
        int w = p_.dosingWeight;
        Rational f = r.status == verifier::Status::Refuted ? *low : *factor;
        c.pred = [action, limit, f, w](const Judged &x) {
          const ir::FiredAction *fa = x.fired(action);
          if (!fa || !fa->amountHigh) return false;
          Rational amount = *fa->amountHigh * f;  // a range is judged by its high end
          Rational bound = limit->perWeight ? limit->amount * x.patient[w].number : limit->amount;
          return amount > bound;
        };
      } else if (kind == "course-exit" || kind == "responder-follow-up" || kind == "tier-reentered") {
        // The course (docs/semantics.md): judged on the evaluator's tiers,
        // with the record read by the IR's one definition of the course.
        c.kind = kind + "@course";
        const ir::Protocol &p = p_;
        auto reachable = [this](const Judged &x, int pw) { return reachableCourse({pw}, x.patient); };
        auto nothingElse = [&p](const Judged &x, int pw, int except) {
          for (size_t s = 0; s < p.pathways[pw].tiers.size(); ++s)
            if (static_cast<int>(s) != except &&
                (x.ev.tiers[pw][s] || x.holds(p.tierEnds(pw, static_cast<int>(s)))))
              return false;
          return true;
        };
        if (kind == "course-exit") {
          auto it = coursePathways.find(key(r.range));
          if (it == coursePathways.end()) { unmapped(); continue; }
          int pw = it->second;
          c.pred = [&p, pw, nothingElse, reachable](const Judged &x) {
            return reachable(x, pw) && x.holds(p.pathwayActive(pw)) && nothingElse(x, pw, -1);
          };
        } else if (kind == "responder-follow-up") {
          auto it = tiers.find(key(r.range));
          if (it == tiers.end()) { unmapped(); continue; }
          int pw = it->second.first, t = it->second.second;
          c.pred = [&p, pw, t, nothingElse, reachable](const Judged &x) {
            return reachable(x, pw) && x.holds(p.pathwayActive(pw)) &&
                   x.holds(p.tierStateIs(pw, t, ir::TierState::Responded)) && nothingElse(x, pw, t);
          };
        } else {
          auto it = tierGuards.find(key(r.range));
          if (it == tierGuards.end()) { unmapped(); continue; }
          int pw = it->second.first, t = it->second.second;
          c.pred = [&p, pw, t, reachable](const Judged &x) {
            if (!reachable(x, pw)) return false;
            bool ended = x.holds(p.tierStateIs(pw, t, ir::TierState::Responded)) ||
                         x.holds(p.tierStateIs(pw, t, ir::TierState::Failed)) ||
                         x.holds(p.tierStateIs(pw, t, ir::TierState::Completed));
            return ended && x.ev.tiers[pw][t];
          };
        }
      } else if (kind == "course-trap") {
        // A property of the reachable-state graph, not of one record: the
        // graph itself is judged (judge(): closed under the transitions).
        continue;
      } else if (kind == "deadline") {
        auto a = actions.find(key(r.range));
        if (a == actions.end() || a->second.first->timingAnchor < 0) { unmapped(); continue; }
        const ir::Action *action = a->second.first;
        c.kind = kind + a->second.second;
        // Recommended while the time since the event is X or more.
        c.pred = [action](const Judged &x) {
          const ir::Value &since = x.patient[action->timingAnchor];
          return x.fired(action) && !since.missing && since.number >= *action->timingHi;
        };
      } else {
        unmapped();
        continue;
      }
      // A result over the reachable course states (a property that reads a
      // course state): a record in another state is no counterexample.
      // A refutation of a Satisfiable kind (tier-reachable, rule-dead) over
      // them: a record in another state is no witness either.
      if (!r.restrictedTo.empty())
        c.pred = [this, pred = std::move(c.pred), pws = r.restrictedTo](const Judged &x) {
          return reachableCourse(pws, x.patient) && pred(x);
        };
      checks_.push_back(std::move(c));
    }

    // Overlap pairs of unique tables not listed as refuted or unknown were
    // proved disjoint (by the sweep or by Z3): no patient may match both.
    for (size_t tb = 0; tb < p_.tables.size(); ++tb) {
      if (p_.tables[tb].hit != ir::HitPolicy::Unique) continue;
      std::set<std::pair<int, int>> skip = undecidedOverlaps[static_cast<int>(tb)];
      // Pairs that read a course state were proved over its reachable records.
      std::vector<int> over;
      for (const verifier::PropertyResult &r : report.properties)
        if (r.kind == verifier::PropertyKind::TableOverlap && r.status == verifier::Status::Proved &&
            key(r.range) == key(p_.tables[tb].range))
          over = r.restrictedTo;
      Check c;
      c.kind = "table-overlap@unique";
      c.what = "rule pairs of unique table '" + p_.tables[tb].name + "' proved disjoint";
      int t = static_cast<int>(tb);
      c.pred = [this, t, skip, over](const Judged &x) {
        if (!over.empty() && !reachableCourse(over, x.patient)) return false;
        const auto &m = x.ev.matched[t];
        for (size_t i = 0; i < m.size(); ++i)
          for (size_t j = i + 1; j < m.size(); ++j)
            if (m[i] && m[j] && !skip.count({static_cast<int>(i), static_cast<int>(j)})) return true;
        return false;
      };
      checks_.push_back(std::move(c));
    }

    // Dose envelopes: every amount given lies within [min, max].
    for (const verifier::DoseEnvelope &env : report.doses) {
      auto a = actions.find(key(env.range));
      if (a == actions.end()) { rec_.add("harness/unmapped-result", "dose envelope of " + env.where, ""); continue; }
      if (env.unbounded || (!env.never && (!env.min || !env.max))) continue;
      const ir::Action *action = a->second.first;
      Check c;
      c.kind = "dose-bounded" + a->second.second;
      c.what = env.never ? action->name + " at " + env.where + " is never given"
                         : action->name + " at " + env.where + " lies in [" + env.min->str() + ", " + env.max->str() + "]";
      std::optional<Rational> lo = env.min, hi = env.max;
      bool never = env.never;
      c.pred = [this, action, lo, hi, never, over = env.restrictedTo](const Judged &x) {
        if (!over.empty() && !reachableCourse(over, x.patient)) return false;  // over the reachable records
        const ir::FiredAction *fa = x.fired(action);
        if (!fa) return false;
        if (never) return true;
        return fa->amount && (*fa->amount < *lo || *fa->amountHigh > *hi);
      };
      checks_.push_back(std::move(c));
    }

    for (const std::string &e : report.internalErrors) rec_.add("verifier-internal", e, "");
  }

  /// Defines that only name a tier or rule (marked by the generator).
  void buildReferences() {
    for (size_t d = 0; d < p_.defines.size(); ++d) {
      const std::string &desc = p_.defines[d].description;
      std::string marker = kFiresMarker;
      if (desc.rfind(marker, 0) != 0) continue;
      std::string target = desc.substr(marker.size());
      size_t dot = target.find('.');
      if (dot == std::string::npos) continue;
      std::string c = target.substr(0, dot), m = target.substr(dot + 1);
      for (size_t pw = 0; pw < p_.pathways.size(); ++pw)
        for (size_t t = 0; t < p_.pathways[pw].tiers.size(); ++t)
          if (p_.pathways[pw].name == c && p_.pathways[pw].tiers[t].name == m)
            refs_.push_back({static_cast<int>(d), {ir::Target::Kind::Tier, static_cast<int>(pw), static_cast<int>(t)}, "@tier"});
      for (size_t tb = 0; tb < p_.tables.size(); ++tb)
        for (size_t r = 0; r < p_.tables[tb].rules.size(); ++r)
          if (p_.tables[tb].name == c && p_.tables[tb].rules[r].name == m)
            refs_.push_back({static_cast<int>(d), {ir::Target::Kind::Rule, static_cast<int>(tb), static_cast<int>(r)},
                             hitSuffix(p_, static_cast<int>(tb))});
    }
  }

  /// Judges every counterexample the verifier printed, and every witness
  /// (pred, restricted to the reachable course states, must hold for it).
  void judgeCounterexamples() {
    for (const Check &c : checks_) {
      if (c.witness && c.status == verifier::Status::Proved && !c.valid) {
        ++out_.comparisons;
        try {
          ir::Evaluation ev = ir::evaluate(p_, *c.witness);
          Judged x{p_, *c.witness, ev};
          if (!ev.inPopulation || !c.pred(x))
            rec_.add("verifier-witness-not-witnessing/" + c.kind, c.what, givenLine(p_, *c.witness));
        } catch (const ir::EvalError &e) {
          rec_.add("verifier-witness-eval-error/" + c.kind, c.what + ": " + e.what(), givenLine(p_, *c.witness));
        }
      }
      if (!c.counterexample || c.status != verifier::Status::Refuted || !c.valid) continue;
      const ir::Patient &patient = *c.counterexample;
      ++out_.comparisons;
      try {
        ir::Evaluation ev = ir::evaluate(p_, patient);
        Judged x{p_, patient, ev};
        if (!ev.inPopulation) rec_.add("verifier-cex-outside-population/" + c.kind, c.what, givenLine(p_, patient));
        else if (!c.pred(x)) rec_.add("verifier-cex-not-violating/" + c.kind, c.what, givenLine(p_, patient));
      } catch (const ir::EvalError &e) {
        rec_.add("verifier-cex-eval-error/" + c.kind, c.what + ": " + e.what(), givenLine(p_, patient));
      }
    }
  }

  /// Puts the record, on a set of course pathways (each chosen for
  /// `percent` of the patients, independently), in the states one course of
  /// 0 to 4 random records leads them to together from a fresh patient on
  /// the IR evaluator: each record in the population, every chosen pathway
  /// in the course's current state (the others as drawn: the verifier's
  /// searches leave them free), each one's successor drawn from
  /// courseSuccessors (the next state, or a recorded end) for the same
  /// record. Such states are reachable, each pathway's and any set's
  /// jointly, whatever the verifier found. Returns the pathways so set.
  std::vector<bool> produceCourseStates(ir::Patient &patient, const Draws &draws, Rng &rng, unsigned percent) const {
    std::vector<bool> produced(p_.pathways.size());
    std::map<int, verifier::CourseState> states;
    for (size_t pw = 0; pw < p_.pathways.size(); ++pw)
      if (p_.pathways[pw].course && rng.chance(percent))
        states.emplace(static_cast<int>(pw), verifier::CourseState{false, std::vector<ir::TierState>(p_.pathways[pw].tiers.size(), ir::TierState::NotStarted)});
    if (states.empty()) return produced;
    auto put = [&](ir::Patient &record) {
      for (const auto &[pw, s] : states) {
        const ir::Pathway &path = p_.pathways[pw];
        record[path.onInput] = ir::Value::ofBool(s.on);
        for (size_t t = 0; t < path.tiers.size(); ++t) record[path.tiers[t].stateInput] = ir::Value::ofEnum(static_cast<int>(s.tiers[t]));
      }
    };
    for (uint64_t step = 0, steps = rng.below(5); step < steps; ++step) {
      ir::Patient record = randomPatient(p_, draws, rng);
      put(record);
      try {
        if (p_.population && !ir::evaluateBool(p_, *p_.population, record)) continue;  // not a record of the search
        std::map<int, verifier::CourseState> next;
        for (const auto &[pw, s] : states) {
          std::vector<verifier::CourseState> options = successors_.at(pw)(record);
          next.emplace(pw, options.at(rng.below(options.size())));
        }
        states = std::move(next);
      } catch (const ir::EvalError &) {
        break;  // the evaluator's failures are judged elsewhere
      }
    }
    put(patient);
    for (const auto &[pw, s] : states) produced[pw] = true;
    return produced;
  }

  void patient(const ir::Patient &patient, const std::vector<bool> &produced) {
    ++out_.patients;
    std::vector<runtime::PatientValue> values;
    for (const ir::Value &v : patient) values.push_back(ir::fromValue(v));
    std::optional<ir::Evaluation> ev;
    std::string irError, rtError;
    try {
      ev = ir::evaluate(p_, patient);
    } catch (const ir::EvalError &e) {
      irError = e.what();
    }
    try {
      table_.evaluate(values, result_);
    } catch (const runtime::EvaluationError &e) {
      rtError = e.what();
    }
    ++out_.comparisons;
    if (!irError.empty() || !rtError.empty()) {
      if (irError.empty() != rtError.empty())
        rec_.add("runtime-vs-ir/error", "IR: " + (irError.empty() ? "ok" : irError) + "; runtime: " +
                                            (rtError.empty() ? "ok" : rtError), givenLine(p_, patient));
      return;
    }
    compare(observeEvaluator(p_, *ev), observeRuntime(table_, result_), patient);
    judgeCourseStates(patient, ev->inPopulation, produced);
    Judged x{p_, patient, *ev};
    if (ev->inPopulation) ++out_.inPopulation;
    try {
      judge(x);
    } catch (const ir::EvalError &e) {
      rec_.add("judge-eval-error", e.what(), givenLine(p_, patient));
    }
  }

private:
  std::string containerName(size_t k) const {
    size_t np = p_.pathways.size();
    return k < np ? p_.pathways[k].name : p_.tables[k - np].name;
  }
  std::string memberName(size_t k, size_t r) const {
    size_t np = p_.pathways.size();
    return containerName(k) + "." + (k < np ? p_.pathways[k].tiers[r].name : p_.tables[k - np].rules[r].name);
  }
  std::string containerSuffix(size_t k) const {
    size_t np = p_.pathways.size();
    return k < np ? "@pathway" : hitSuffix(p_, static_cast<int>(k - np));
  }
  std::string containerSuffix(const std::string &name) const {
    for (size_t k = 0; k < p_.pathways.size() + p_.tables.size(); ++k)
      if (containerName(k) == name) return containerSuffix(k);
    return "@unknown";
  }

  void compare(const Observation &iro, const Observation &rto, const ir::Patient &patient) {
    auto add = [&](const std::string &kind, const std::string &detail) {
      rec_.add("runtime-vs-ir/" + kind, detail, givenLine(p_, patient));
    };
    if (iro.inPopulation != rto.inPopulation) {
      add("population", std::string("IR says ") + (iro.inPopulation ? "inside" : "outside") + ", runtime the opposite");
      return;
    }
    bool firedAgree = true;
    for (size_t k = 0; k < iro.fired.size(); ++k)
      for (size_t r = 0; r < iro.fired[k].size(); ++r) {
        ++out_.comparisons;
        bool rtFired = k < rto.fired.size() && r < rto.fired[k].size() && rto.fired[k][r];
        if (iro.fired[k][r] != rtFired) {
          firedAgree = false;
          add(std::string(k < p_.pathways.size() ? "tier-fired" : "rule-fired") + containerSuffix(k),
              memberName(k, r) + ": IR says " + (iro.fired[k][r] ? "fires" : "does not fire") + ", runtime the opposite");
        }
      }
    // Actions follow from what fired; compare them only when that agrees.
    if (firedAgree) {
      ++out_.comparisons;
      if (iro.actions.size() != rto.actions.size()) {
        add("actions", std::to_string(iro.actions.size()) + " actions on the IR, " + std::to_string(rto.actions.size()) +
                           " on the runtime");
      } else {
        for (size_t k = 0; k < iro.actions.size(); ++k) {
          const auto &a = iro.actions[k], &b = rto.actions[k];
          ++out_.comparisons;
          if (a.container != b.container || a.rule != b.rule || a.kind != b.kind || a.name != b.name) {
            add("actions", "action " + std::to_string(k + 1) + ": IR " + a.kind + " " + a.name + " from " +
                               memberName(a.container, a.rule) + ", runtime " + b.kind + " " + b.name);
            break;
          }
          if (a.amount != b.amount || a.amountHigh != b.amountHigh) {
            add("amount", a.name + " at " + memberName(a.container, a.rule) + ": IR " + ratText(a.amount) + " .. " +
                              ratText(a.amountHigh) + ", runtime " + ratText(b.amount) + " .. " + ratText(b.amountHigh) +
                              " (canonical units)");
          }
          if (a.route != b.route)
            add("route", a.name + " at " + memberName(a.container, a.rule) + ": IR by '" + a.route + "', runtime by '" + b.route + "'");
        }
      }
    }
    if (firedAgree)
      for (size_t k = 0; k < iro.outputs.size(); ++k) {
        ++out_.comparisons;
        if (k >= rto.outputs.size() || iro.outputs[k] != rto.outputs[k])
          add("output", "table output " + std::to_string(k + 1) + ": IR " + iro.outputs[k] + ", runtime " +
                            (k < rto.outputs.size() ? rto.outputs[k] : std::string("(none)")));
      }
    ++out_.comparisons;
    auto describe = [](const std::pair<std::string, std::set<std::string>> &v) {
      std::string s = v.first + ":";
      for (const auto &r : v.second) s += " " + r;
      return s;
    };
    for (const auto &v : rto.violations)
      if (!iro.violations.count(v))
        add("violation" + containerSuffix(v.first), "the runtime reports a violation the IR does not: " + describe(v));
    for (const auto &v : iro.violations)
      if (!rto.violations.count(v))
        add("violation" + containerSuffix(v.first), "the IR reports a violation the runtime does not: " + describe(v));
  }

  /// The runtime's course-state flag (Result::unreachableCourses, looked up
  /// in the table's course.reachable) against the harness's own reading:
  /// the record's state on the IR side (jointStateOf) among the verifier's
  /// reachable states of the pathway. Flagged: inside the population, every
  /// state input given, the pathway's search complete, the state not among
  /// them. A state a course of records produced must be among them.
  void judgeCourseStates(const ir::Patient &patient, bool inPopulation, const std::vector<bool> &produced) {
    std::vector<uint32_t> expected;
    for (size_t pw = 0; pw < p_.pathways.size() && inPopulation; ++pw) {
      const ir::Pathway &path = p_.pathways[pw];
      if (!path.course || !courseReach_.count({static_cast<int>(pw)})) continue;
      if (!stateGiven(path, patient)) continue;
      ++out_.courseRecords;
      bool reachable = reachableCourse({static_cast<int>(pw)}, patient);
      if (!reachable) expected.push_back(static_cast<uint32_t>(pw)), ++out_.courseUnreachable;
      if (produced[pw]) {
        ++out_.courseProduced;
        ++out_.comparisons;
        if (!reachable)
          rec_.add("verifier-course-missed", "pathway '" + path.name + "': a course of records from a fresh patient leads to " +
                   "course state (" + verifier::courseStateText(p_, static_cast<int>(pw), verifier::courseStateOf(p_, static_cast<int>(pw), patient)) +
                   "), which the verifier's search did not reach", givenLine(p_, patient));
      }
    }
    ++out_.comparisons;
    auto names = [&](const std::vector<uint32_t> &pws) {
      std::string s;
      for (uint32_t pw : pws) s += (s.empty() ? "" : ", ") + p_.pathways[pw].name;
      return "[" + s + "]";
    };
    if (expected != result_.unreachableCourses)
      rec_.add("runtime-vs-ir/course-state-unreachable", "the runtime flags the course state of " + names(result_.unreachableCourses) +
               ", the verifier's reachable states read on the IR side flag " + names(expected), givenLine(p_, patient));
    judgeJointCourseStates(patient, inPopulation, produced, expected);
  }

  /// Whether the record gives every state input of the course pathway
  /// (`on_P` and each tier's state): else the runtime does not judge it.
  static bool stateGiven(const ir::Pathway &path, const ir::Patient &patient) {
    bool given = !patient[path.onInput].missing;
    for (const ir::Tier &t : path.tiers) given = given && !patient[t.stateInput].missing;
    return given;
  }

  /// The same for each set of pathways the verifier searched jointly
  /// (Result::unreachableJointCourses, looked up in the table's
  /// jointCourses): flagged when, inside the population, every state input
  /// of the set's pathways is given, none of them is flagged on its own
  /// (`flaggedAlone`) and their joint state is not among the set's. A joint
  /// state one course of records produced must be among them.
  void judgeJointCourseStates(const ir::Patient &patient, bool inPopulation, const std::vector<bool> &produced,
                              const std::vector<uint32_t> &flaggedAlone) {
    std::set<std::vector<uint32_t>> expected, flagged;
    for (const auto &[pws, states] : courseReach_) {
      if (pws.size() < 2 || !inPopulation) continue;
      bool given = true, alone = false, together = true;  // every state input given; one flagged alone; produced together
      std::vector<uint32_t> set;
      for (int pw : pws) {
        const ir::Pathway &path = p_.pathways[pw];
        given = given && stateGiven(path, patient);
        alone = alone || std::count(flaggedAlone.begin(), flaggedAlone.end(), static_cast<uint32_t>(pw));
        together = together && produced[pw];
        set.push_back(static_cast<uint32_t>(pw));
      }
      if (!given || alone) continue;
      ++out_.jointRecords;
      bool reachable = reachableCourse(pws, patient);
      if (!reachable) expected.insert(set), ++out_.jointUnreachable;
      if (together) {
        ++out_.jointProduced;
        ++out_.comparisons;
        if (!reachable)
          rec_.add("verifier-course-missed", verifier::pathwaysText(p_, pws) + ": one course of records from a fresh patient " +
                   "leads to joint course state (" + verifier::jointStateText(p_, pws, verifier::jointStateOf(p_, pws, patient)) +
                   "), which the verifier's joint search did not reach", givenLine(p_, patient));
      }
    }
    for (uint32_t j : result_.unreachableJointCourses) flagged.insert(table_.jointCourses()[j].pathways);
    ++out_.comparisons;
    if (expected != flagged) {
      auto sets = [&](const std::set<std::vector<uint32_t>> &s) {
        std::string out;
        for (const std::vector<uint32_t> &pws : s) {
          std::string one;
          for (uint32_t pw : pws) one += (one.empty() ? "" : ", ") + p_.pathways[pw].name;
          out += (out.empty() ? "" : " ") + std::string("[") + one + "]";
        }
        return "{" + out + "}";
      };
      rec_.add("runtime-vs-ir/joint-course-state-unreachable", "the runtime flags the joint course state of " + sets(flagged) +
               ", the verifier's joint reachable states read on the IR side flag " + sets(expected), givenLine(p_, patient));
    }
  }

  /// Whether the record's course state on the pathways (one, or several
  /// searched jointly) is one the verifier found reachable (true when it
  /// did not compute them: no restriction).
  bool reachableCourse(const std::vector<int> &pathways, const ir::Patient &patient) const {
    auto it = courseReach_.find(pathways);
    if (it == courseReach_.end()) return true;
    verifier::JointState s = verifier::jointStateOf(p_, pathways, patient);
    return std::find(it->second.begin(), it->second.end(), s) != it->second.end();
  }

  void judge(const Judged &x) {
    // The reachable course states are closed under the transitions: a
    // record in one of them leads to one of them (else a course result
    // could have been proved over too few records).
    if (x.ev.inPopulation)
      for (const auto &[pws, states] : courseReach_) {
        if (!reachableCourse(pws, x.patient)) continue;
        ++out_.comparisons;
        std::vector<verifier::JointState> next;
        try {
          next = verifier::jointSuccessors(p_, pws, x.patient);
        } catch (const ir::EvalError &) {
          continue;  // the evaluator's failures are judged elsewhere
        }
        for (const verifier::JointState &s : next)
          if (std::find(states.begin(), states.end(), s) == states.end())
            rec_.add("verifier-course-not-closed", verifier::pathwaysText(p_, pws) +
                   ": a record in a reachable course state leads to one the verifier did not reach", givenLine(p_, x.patient));
      }
    for (const Check &c : checks_) {
      if (c.status == verifier::Status::Unknown) continue;
      if (!x.ev.inPopulation && !c.wholeRange) continue;
      if (c.valid && c.status != verifier::Status::Proved) continue;    // proved: no patient violates it
      if (!c.valid && c.status != verifier::Status::Refuted) continue;  // refuted: no patient witnesses it
      ++out_.comparisons;
      if (!c.pred(x))
        continue;
      if (c.valid) rec_.add("verifier-proved-violated/" + c.kind, c.what, givenLine(p_, x.patient));
      else rec_.add("verifier-refuted-witnessed/" + c.kind, c.what, givenLine(p_, x.patient));
    }
    if (!x.ev.inPopulation) return;
    for (const Ref &r : refs_) {
      ++out_.comparisons;
      bool value = ir::evaluateBool(p_, *ir::build::define(r.define, ir::Type::boolean()), x.patient);
      if (value != x.fires(r.target))
        rec_.add("reference-vs-firing" + r.suffix,
                 "'" + p_.defines[r.define].name + " = " + p_.defines[r.define].description.substr(std::string(kFiresMarker).size()) +
                     "' is " + (value ? "true" : "false") + " but the evaluator says it " +
                     (x.fires(r.target) ? "fires" : "does not fire"),
                 givenLine(p_, x.patient));
    }
  }

  struct Ref {
    int define;
    ir::Target target;
    std::string suffix;
  };

  const ir::Protocol &p_;
  const runtime::Table &table_;
  ProtocolOutcome &out_;
  Recorder rec_;
  std::vector<Check> checks_;
  std::map<std::vector<int>, std::vector<verifier::JointState>> courseReach_;  // complete searches only
  std::map<int, verifier::CourseSuccessors> successors_;  // per course pathway: its random courses' steps
  std::vector<Ref> refs_;
  runtime::Result result_;
};

}  // namespace

ProtocolOutcome runProtocol(const std::string &name, const std::string &text, uint64_t patientSeed,
                            const DifferentialOptions &options) {
  ProtocolOutcome out;
  SourceManager sources;
  DiagnosticEngine diags(sources);
  auto diagnosticsText = [&] {
    std::ostringstream s;
    TextPrintOptions po;
    po.summary = false;
    printDiagnosticsText(s, diags, po);
    return s.str();
  };
  FrontendOptions fo;
  fo.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";  // the generated protocols `use` the stdlib
  FrontendResult fr = runFrontendOnBuffer(name, text, sources, diags, fo);
  if (!fr.protocol) {
    out.status = ProtocolOutcome::Status::CheckFailed;
    out.diagnostics = diagnosticsText();
    return out;
  }
  const ir::Protocol &p = *fr.protocol;
  backends::TableMetadata meta;
  meta.compilerVersion = "differential";
  // Verified first, as `carepath compile` does: the table carries each
  // course pathway's reachable states from the verifier's own search.
  std::optional<verifier::Report> report;
  if (options.verify) {
    verifier::Options vo;
    vo.checkModels = true;
    vo.timeoutMs = options.verifyTimeoutMs;
    report = verifier::verify(p, vo);
    meta.courseStatesWhy = "the verifier did not search the course states";
    driver::addCourseStates(meta, report->courses);  // as `compile`: each pathway's and the joint searches
  }
  if (options.editTable) options.editTable(meta);
  std::optional<std::string> tableText = backends::emitJsonTable(p, sources, meta, diags);
  if (!tableText) {
    out.status = ProtocolOutcome::Status::CompileRefused;
    out.diagnostics = diagnosticsText();
    return out;
  }
  runtime::LoadOptions lo;
  lo.allowUnverified = true;  // compiled here without recording a verification
  std::optional<runtime::Table> table;
  try {
    table = runtime::Table::loadText(*tableText, lo, name);
  } catch (const runtime::LoadError &e) {
    out.mismatches["runtime-load-error"] = 1;
    out.examples.push_back({"runtime-load-error", e.what(), ""});
    return out;
  }

  Harness h(p, *table, out);
  if (report) {
    h.buildChecks(*report);
    h.judgeCounterexamples();
  }
  h.buildReferences();
  Draws draws(p);
  // The courses draw from a stream of their own: the other inputs of each
  // patient stay what they were without them.
  Rng rng(patientSeed), courses(patientSeed ^ 0x636f7572736573ull);
  for (int n = 0; n < options.patients; ++n) {
    ir::Patient patient = randomPatient(p, draws, rng);
    std::vector<bool> produced = h.produceCourseStates(patient, draws, courses, options.producedCoursePercent);
    h.patient(patient, produced);
  }
  return out;
}

// ------------------------------------------------------------------ many protocols

std::vector<std::string> RunSummary::unexpected() const {
  std::vector<std::string> out;
  for (const auto &[kind, n] : mismatches)
    if (!isExpected(kind)) out.push_back(kind);
  return out;
}

std::vector<std::string> RunSummary::unseenExpected() const {
  std::vector<std::string> out;
  for (const std::string &kind : expectedDisagreements()) {
    bool seen = false;
    for (const auto &[k, n] : mismatches) seen = seen || k == kind || k.substr(0, k.find('@')) == kind;
    if (!seen) out.push_back(kind);
  }
  return out;
}

namespace {

std::string writeRepro(const std::string &dir, uint64_t seed, const std::string &text) {
  if (dir.empty()) return "(not written)";
  std::filesystem::create_directories(dir);
  std::string path = dir + "/random-" + std::to_string(seed) + ".care";
  std::ofstream(path) << text;
  return path;
}

}  // namespace

RunSummary runMany(uint64_t seed, uint64_t count, const DifferentialOptions &options, const std::string &reproDir,
                   std::ostream &log) {
  RunSummary s;
  auto start = std::chrono::steady_clock::now();
  constexpr uint64_t kReportsPerKind = 3;  // protocols logged per mismatch kind
  for (uint64_t k = 0; k < count; ++k) {
    uint64_t ps = seed + k;
    std::string text = generateProtocol(ps);
    std::string name = "random-" + std::to_string(ps) + ".care";
    // Patients come from their own stream, so one protocol reproduces alone.
    ProtocolOutcome o = runProtocol(name, text, ps ^ 0x5deece66dull, options);
    ++s.protocols;
    if (o.status == ProtocolOutcome::Status::CheckFailed) {
      ++s.checkFailed;
      log << "GENERATOR BUG: seed " << ps << " does not pass check; protocol written to "
          << writeRepro(reproDir, ps, text) << "\n" << o.diagnostics;
      continue;
    }
    if (o.status == ProtocolOutcome::Status::CompileRefused) {
      ++s.compileRefused;
      std::string first = o.diagnostics.substr(0, o.diagnostics.find('\n'));
      s.compileRefusals.push_back("seed " + std::to_string(ps) + ": " + first);
      log << "compile refused seed " << ps << ": " << first << "\n";
      continue;
    }
    ++s.ran;
    s.patients += o.patients;
    s.inPopulation += o.inPopulation;
    s.comparisons += o.comparisons;
    s.proved += o.proved;
    s.refuted += o.refuted;
    s.unknown += o.unknown;
    s.counterexamples += o.counterexamples;
    s.courseRecords += o.courseRecords;
    s.courseProduced += o.courseProduced;
    s.courseUnreachable += o.courseUnreachable;
    s.jointRecords += o.jointRecords;
    s.jointProduced += o.jointProduced;
    s.jointUnreachable += o.jointUnreachable;
    std::string path;
    for (const Mismatch &m : o.examples) {
      s.mismatches[m.kind] += o.mismatches[m.kind];
      if (++s.protocolsWithKind[m.kind] > kReportsPerKind) continue;
      if (path.empty()) path = writeRepro(reproDir, ps, text);
      log << "MISMATCH " << m.kind << (isExpected(m.kind) ? " [expected]" : " [NEW]") << "\n"
          << "  seed " << ps << ", protocol " << path << " (" << o.mismatches[m.kind] << " times in this protocol)\n"
          << "  " << m.detail << "\n";
      if (!m.patient.empty()) log << "  patient: " << m.patient << "\n";
      log << "  reproduce: scripts/differential.sh 1 " << options.patients << " " << ps << "\n";
    }
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

void printSummary(const RunSummary &s, const DifferentialOptions &options, std::ostream &out) {
  out << "protocols: " << s.protocols << " (" << s.ran << " compared, " << s.compileRefused << " refused by compile, "
      << s.checkFailed << " refused by check)\n"
      << "patients: " << s.patients << " (" << options.patients << " per protocol, " << s.inPopulation
      << " in the population)\n"
      << "comparisons: " << s.comparisons << "\n"
      << "verifier: " << s.proved << " proved, " << s.refuted << " refuted, " << s.unknown << " unknown, "
      << s.counterexamples << " counterexamples judged\n"
      << "course states: " << s.courseRecords << " records on a course pathway judged (" << s.courseProduced
      << " in a state a course of records produced), " << s.courseRecords - s.courseUnreachable << " in a reachable state, "
      << s.courseUnreachable << " in one no course produces\n"
      << "joint course states: " << s.jointRecords << " records judged on a set of pathways searched jointly ("
      << s.jointProduced << " produced jointly by a course of records), " << s.jointUnreachable
      << " in a joint state no course produces\n";
  uint64_t total = 0;
  for (const auto &[kind, n] : s.mismatches) total += n;
  out << "mismatches: " << total << (total ? " by kind (occurrences, protocols):" : "") << "\n";
  for (const auto &[kind, n] : s.mismatches)
    out << "  " << kind << ": " << n << ", " << s.protocolsWithKind.at(kind) << (isExpected(kind) ? "  [expected]" : "  [NEW]")
        << "\n";
  for (const std::string &kind : s.unseenExpected()) out << "  " << kind << ": 0  [expected, not seen]\n";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s.seconds);
  out << "time: " << buf << " s\n";
}

}  // namespace carepath::difftest
