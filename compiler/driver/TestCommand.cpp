// `carepath test FILE`: runs every `example` of a protocol on the IR
// reference evaluator and checks its expectations. Each unmet expectation
// is an error at its `expect` line, with notes saying what happened instead;
// stdout gets one PASS/FAIL line per example and a summary (or one JSON
// document with --format=json).
//
// A protocol `carepath compile` would refuse fails here with the same
// located errors: the table compiler (backends::emitJsonTable, the function
// `compile` calls) runs in memory, nothing written. Every `give` an example
// fires is held to the drug's formulary limits, converted as the verifier
// converts them (verifier::limitCheck over ir::basisFactor).
//
// Structure: runOnEvaluator() turns one example into an ExampleRun (the
// evaluation plus its failures). Another engine (the compiled-table
// runtime) plugs in as one more function of the same shape whose failures
// are appended in runExample().
#include <algorithm>
#include <iostream>
#include <set>

#include "Output.h"
#include "CourseStates.h"
#include "TableAgreement.h"
#include "backends/JsonTable.h"
#include "carepath/Patient.h"
#include "ir/Coverage.h"
#include "ir/Evaluator.h"
#include "ir/Why.h"
#include "verifier/Conditions.h"
#include "verifier/CourseReach.h"
#include "verifier/Display.h"

namespace carepath::driver {

namespace {

/// A value for a message, in the unit the expected value was written in.
std::string showValue(const ir::Protocol &p, const ir::Value &v, const ir::Expr &actual, const ir::Expr &expected) {
  if (v.missing) return "missing (no rule gave it)";
  auto c = std::make_shared<ir::Expr>();
  c->op = ir::Op::Const;
  c->type = actual.type;
  c->constant = v;
  if (expected.op == ir::Op::Const) c->unit = expected.unit;
  return ir::toString(p, *c);
}

/// One unmet expectation (or an example that could not be evaluated).
struct Failure {
  DiagId id = DiagId::err_example_failed;
  SourceRange range;
  std::string message;
  std::vector<DiagNote> notes;
};

struct ExampleRun {
  std::optional<ir::Evaluation> evaluation;  // empty when evaluation failed
  std::vector<Failure> failures;
  std::vector<std::string> warnings;  // hit-policy violations met on the way
};

std::string targetName(const ir::Protocol &p, const ir::Target &t) {
  if (t.kind == ir::Target::Kind::Tier) {
    const ir::Pathway &pw = p.pathways.at(t.container);
    return pw.name + "." + pw.tiers.at(t.index).name;
  }
  const ir::Table &tb = p.tables.at(t.container);
  return tb.name + "." + tb.rules.at(t.index).name;
}

SourceRange targetRange(const ir::Protocol &p, const ir::Target &t) {
  if (t.kind == ir::Target::Kind::Tier) return p.pathways.at(t.container).tiers.at(t.index).range;
  return p.tables.at(t.container).rules.at(t.index).range;
}

runtime::UnitSpec unitSpec(const ir::Unit &u) { return {u.name, u.factor, u.dim.str(), u.offset, u.ucum}; }

/// "420 mg per day", exact ("333.333333 (exactly 1000/3) mg per day").
/// "420 mg per day", or a range "420 mg .. 700 mg per day" when `high` differs.
std::string doseText(const Rational &canonical, const ir::Unit &unit, const ir::Basis &basis,
                     const std::optional<Rational> &high = std::nullopt) {
  runtime::UnitSpec u = unitSpec(unit);
  std::string s = runtime::formatQuantity(canonical, unit.name.empty() ? nullptr : &u);
  if (high && *high != canonical) s += " .. " + runtime::formatQuantity(*high, unit.name.empty() ? nullptr : &u);
  std::string b = basis.str();
  return b.empty() ? s : s + " " + b;
}

/// The diff for a tier or rule expectation: what fired in the same
/// pathway or table instead.
void explainContainer(const ir::Protocol &p, const ir::Evaluation &ev, const ir::Target &t, Failure &f) {
  std::vector<std::string> fired;
  std::string container;
  if (t.kind == ir::Target::Kind::Tier) {
    const ir::Pathway &pw = p.pathways.at(t.container);
    container = "pathway '" + pw.name + "'";
    for (size_t i = 0; i < pw.tiers.size(); ++i)
      if (ev.tiers[t.container][i]) fired.push_back(pw.tiers[i].name);
  } else {
    const ir::Table &tb = p.tables.at(t.container);
    container = "table '" + tb.name + "' (hit " + spelling(tb.hit) + ")";
    for (size_t i = 0; i < tb.rules.size(); ++i)
      if (ev.rules[t.container][i]) fired.push_back(tb.rules[i].name);
    if (ev.matched[t.container][t.index] && !ev.rules[t.container][t.index])
      f.notes.push_back({{}, "its condition holds, but the hit policy of " + container + " fired another rule"});
  }
  std::string list;
  for (const std::string &n : fired) list += (list.empty() ? "" : ", ") + n;
  f.notes.push_back({{}, fired.empty() ? "nothing fired in " + container : "fired in " + container + ": " + list});
}

/// The guard of a tier as the author wrote it (its `when`), or of a rule.
std::string writtenCondition(const ir::Protocol &p, const ir::Target &t) {
  if (t.kind == ir::Target::Kind::Tier) {
    const ir::Pathway &pw = p.pathways.at(t.container);
    const ir::Tier &tier = pw.tiers.at(t.index);
    std::string s = tier.guard ? ir::toString(p, *tier.guard) : "true";
    if (pw.entry) s += " (pathway " + pw.name + " for " + ir::toString(p, *pw.entry) + (pw.course ? ", a course" : "") + ")";
    return s;
  }
  const ir::Rule &r = p.tables.at(t.container).rules.at(t.index);
  return r.guard ? ir::toString(p, *r.guard) : "true";
}

ExampleRun runOnEvaluator(const ir::Protocol &p, const ir::Example &ex, const std::vector<verifier::CourseReach> &reach) {
  ExampleRun run;
  try {
    run.evaluation = ir::evaluate(p, ex.patient);
  } catch (const ir::EvalError &e) {
    Failure f;
    f.id = DiagId::err_example_eval;
    f.range = e.range.valid() ? e.range : ex.range;
    f.message = e.what();
    run.failures.push_back(std::move(f));
    return run;
  }
  const ir::Evaluation &ev = *run.evaluation;
  for (const ir::Violation &v : ev.violations) run.warnings.push_back(ir::describe(p, v));
  // An example is a patient the protocol means to exist: one its own
  // assumptions exclude is a wrong example or a wrong assumption.
  for (int k : ev.violatedAssumptions) {
    const ir::Assumption &as = p.assumptions[k];
    Failure f;
    f.id = DiagId::err_assumption_violated;
    f.range = ex.range;
    f.message = "example '" + ex.name + "' violates assumption '" + as.name + "' (" + ir::toString(p, *as.condition) +
                "): the protocol's verification covers no such patient";
    f.notes.push_back({as.range, "assumption '" + as.name + "' is declared here"});
    run.failures.push_back(std::move(f));
  }
  // Likewise a record in a course state no course produces: the course
  // proofs say nothing about it (docs/verifier.md, "Course properties").
  // Pathways read together: their joint state (docs/verifier.md,
  // "Several course pathways").
  if (ev.inPopulation)
    for (size_t k : verifier::unreachableCourses(p, reach, ex.patient)) {
      const std::vector<int> &pws = reach[k].pathways;
      Failure f;
      f.id = DiagId::err_course_state_unreachable;
      f.range = ex.range;
      f.message = "example '" + ex.name + "' is in " + (pws.size() > 1 ? "joint course state (" : "course state (") +
                  verifier::jointStateText(p, pws, verifier::jointStateOf(p, pws, ex.patient)) + ") of " +
                  verifier::pathwaysText(p, pws) + ", which no course from a fresh patient produces: the verifier's " +
                  "proofs that read the course state (its doses and limits too) say nothing about it";
      for (int pw : pws) f.notes.push_back({p.pathways[pw].range, "pathway '" + p.pathways[pw].name + "' is declared here"});
      run.failures.push_back(std::move(f));
    }
  const std::string outsideNote = "the patient is outside the population: nothing fires";

  for (const ir::Expectation &x : ex.expectations) {
    Failure f;
    f.range = x.range;
    switch (x.kind) {
    case ir::Expectation::Kind::Outside:
      if (ev.inPopulation == !x.negated) {
        f.message = x.negated ? "expected the patient to be inside the population, but it is outside"
                              : "expected the patient to be outside the population, but it is inside";
        if (p.population) f.notes.push_back({p.population->range, "population: " + ir::toString(p, *p.population)});
      }
      break;

    case ir::Expectation::Kind::Output: {
      // Compared as the protocol compares: `table.output == value` holds.
      ir::Value actual = ir::evaluate(p, *x.actual, ex.patient), expected = ir::evaluate(p, *x.expected, ex.patient);
      if (!actual.missing && actual == expected) break;
      const ir::Table &tb = p.tables.at(x.target.container);
      std::string name = tb.name + "." + tb.outputs.at(x.target.index).name;
      f.message = "expected " + name + " == " + ir::toString(p, *x.expected) + ", but it is " +
                  showValue(p, actual, *x.actual, *x.expected);
      if (!ev.inPopulation) f.notes.push_back({{}, outsideNote});
      for (size_t r = 0; r < tb.rules.size(); ++r)
        if (ev.rules.at(x.target.container).at(r))
          f.notes.push_back({tb.rules[r].range, "rule '" + tb.name + "." + tb.rules[r].name + "' fired, giving " + name +
                                                    " = " + ir::toString(p, *tb.rules[r].outputs.at(x.target.index))});
      break;
    }

    case ir::Expectation::Kind::Fired: {
      const ir::Target &t = x.target;
      bool fired = t.kind == ir::Target::Kind::Tier ? ev.tiers.at(t.container).at(t.index)
                                                   : ev.rules.at(t.container).at(t.index);
      if (fired == !x.negated) break;
      std::string name = targetName(p, t);
      f.message = x.negated ? "expected " + name + " not to fire, but it fired"
                            : "expected " + name + " to fire, but it did not";
      if (!ev.inPopulation) {
        f.notes.push_back({{}, outsideNote});
      } else {
        explainContainer(p, ev, t, f);
        ir::ExprRef guard = t.kind == ir::Target::Kind::Tier ? p.tierGuard(t.container, t.index)
                                                             : p.tables.at(t.container).rules.at(t.index).guard;
        if (guard) {
          f.notes.push_back({targetRange(p, t), "condition of " + name + ": " + writtenCondition(p, t)});
          // Which parts, of which defines, decided it (not when the
          // condition holds and the hit policy fired another rule).
          bool holds = t.kind == ir::Target::Kind::Tier ? fired : ev.matched[t.container][t.index] != 0;
          if (x.negated == holds) ir::Why(p, ex.patient, f.notes).explain(*guard, name);
        }
      }
      break;
    }

    case ir::Expectation::Kind::Action: {
      std::vector<const ir::FiredAction *> hits, sameKind;
      for (const ir::FiredAction &fa : ev.actions) {
        if (fa.action->kind != x.action) continue;
        sameKind.push_back(&fa);
        if (fa.action->name == x.name) hits.push_back(&fa);
      }
      std::string what = std::string(spelling(x.action)) + " " + x.name;
      if (x.negated && !hits.empty()) {
        f.message = "expected no " + what + ", but " + targetName(p, hits[0]->from) + " gives it";
        for (const ir::FiredAction *h : hits) f.notes.push_back({h->action->range, "given by " + targetName(p, h->from)});
      } else if (!x.negated && hits.empty()) {
        f.message = "expected " + what + ", but nothing that fired gives it";
        if (!ev.inPopulation) {
          f.notes.push_back({{}, outsideNote});
        } else {
          std::string list;
          for (const ir::FiredAction *h : sameKind)
            if (list.find(" " + h->action->name + ",") == std::string::npos) list += " " + h->action->name + ",";
          if (!list.empty()) list.pop_back();
          f.notes.push_back({{}, list.empty() ? std::string("no '") + spelling(x.action) + "' action fired"
                                              : std::string("'") + spelling(x.action) + "' actions that fired:" + list});
        }
      }
      break;
    }

    case ir::Expectation::Kind::Dose: {
      // `== L .. H` is met by a range from L to H exactly; `== Q` by a single dose Q.
      std::string expected = doseText(x.dose, x.doseUnit, x.basis, x.doseHigh);
      Rational expectedHigh = x.doseHigh.value_or(x.dose);
      std::vector<const ir::FiredAction *> gives;
      for (const ir::FiredAction &fa : ev.actions)
        if (fa.action->kind == ir::ActionKind::Give && fa.action->name == x.name) gives.push_back(&fa);
      bool met = false;
      for (const ir::FiredAction *g : gives)
        if (g->amount && *g->amount == x.dose && g->amountHigh == expectedHigh && (x.basis.kind == ir::Basis::Kind::None || g->action->basis == x.basis))
          met = true;
      if (met != x.negated) break;
      if (x.negated) {
        f.message = "expected " + x.name + " dose other than " + expected + ", but it is " + expected;
        break;
      }
      if (gives.empty()) {
        f.message = "expected " + x.name + " dose " + expected + ", but " + x.name + " is not given";
        if (!ev.inPopulation) f.notes.push_back({{}, outsideNote});
        break;
      }
      std::string got;
      for (const ir::FiredAction *g : gives) {
        std::string one = g->amount ? doseText(*g->amount, x.doseUnit, g->action->basis, g->amountHigh)
                                    : "an unspecified dose (" + g->action->doseUnspecified.value_or("") + ")";
        got += (got.empty() ? "" : " and ") + one;
        const ir::Action &a = *g->action;
        std::string how = "given by " + targetName(p, g->from);
        if (a.dose) {
          Rational raw = ir::evaluate(p, *a.dose, ex.patient).number;
          std::optional<Rational> rawHigh;
          if (a.doseHigh) rawHigh = ir::evaluate(p, *a.doseHigh, ex.patient).number;
          how += ": " + ir::toString(p, *a.dose) + (a.doseHigh ? " .. " + ir::toString(p, *a.doseHigh) : "") + " = " +
                 doseText(raw, x.doseUnit, {}, rawHigh);
          if (a.cap) {
            Rational cap = ir::evaluate(p, *a.cap, ex.patient).number;
            how += ", max " + doseText(cap, x.doseUnit, {}) + (rawHigh.value_or(raw) > cap ? " (capped)" : "");
          }
        }
        f.notes.push_back({a.range, how});
      }
      f.message = "expected " + x.name + " dose " + expected + ", got " + got;
      break;
    }
    }
    if (!f.message.empty()) run.failures.push_back(std::move(f));
  }
  return run;
}

/// The gives an example fires that exceed a formulary limit of their drug,
/// on the limit's basis; a limit the basis cannot be converted to is the
/// verifier's to report (dose-formulary-unchecked), not an example failure.
void checkLimits(const ir::Protocol &p, const ir::Example &ex, const ir::Evaluation &ev, ExampleRun &run) {
  for (const ir::FiredAction &fa : ev.actions) {
    const ir::Action &a = *fa.action;
    if (a.kind != ir::ActionKind::Give || !fa.amount || a.drug < 0) continue;
    const ir::Drug &drug = p.drugs.at(a.drug);
    for (const ir::Limit &l : drug.limits) {
      if (!ir::limitApplies(a, l)) continue;
      std::string why;
      std::optional<verifier::LimitCheck> check = verifier::limitCheck(p, a, l, why);
      if (!check) continue;
      // A taper: only its lower bound exceeding is certain; the rest is the
      // verifier's `unknown` (LimitCheck::boundsWhy).
      const bool tapered = !check->boundsWhy.empty();
      if (tapered && !check->withinLow) continue;
      const ir::ExprRef &within = tapered ? check->withinLow : check->within;
      const ir::ExprRef &amount = tapered ? check->observedLow : check->observed;
      try {
        if (ir::evaluateBool(p, *within, ex.patient)) continue;
        Rational observed = ir::evaluate(p, *amount, ex.patient).number;
        Failure f;
        f.id = DiagId::err_example_exceeds_limit;
        // At the line that expects this dose when there is one, else at the example.
        f.range = ex.range;
        for (const ir::Expectation &x : ex.expectations)
          if (x.kind == ir::Expectation::Kind::Dose && !x.negated && x.name == drug.name) f.range = x.range;
        std::string basis = l.basis.str();
        f.message = drug.name + " given by " + targetName(p, fa.from) + " is " + (tapered ? "at least " : "") +
                    verifier::formatQuantity(observed, verifier::displayUnitOf(p, l)) + (basis.empty() ? "" : " " + basis) +
                    (tapered ? " at the full amount before the taper" : "") + ", over the formulary limit " + l.display;
        f.notes.push_back({a.range, "given here"});
        f.notes.push_back({l.range, "limit declared here"});
        run.failures.push_back(std::move(f));
      } catch (const ir::EvalError &) {
        // A dose the evaluator cannot compute is reported as the example's evaluation error.
      }
    }
  }
}

/// Every engine's verdict on one example, in one list of failures.
ExampleRun runExample(const ir::Protocol &p, const ir::Example &ex, const std::vector<verifier::CourseReach> &reach) {
  ExampleRun run = runOnEvaluator(p, ex, reach);
  if (run.evaluation && run.evaluation->inPopulation) checkLimits(p, ex, *run.evaluation, run);
  // Further engines (the compiled-table runtime) append their failures here.
  return run;
}

void report(DiagnosticEngine &diags, const ir::Example &ex, const Failure &f) {
  Diagnostic &d = f.id == DiagId::err_example_eval ? diags.report(f.id, f.range, ex.name, f.message)
                                                   : diags.report(f.id, f.range, f.message);
  for (const DiagNote &n : f.notes) d.notes.push_back(n);
  diags.note(d, DiagId::note_in_example, ex.range, ex.name);
}

nlohmann::json failureToJson(const SourceManager &sources, const Failure &f) {
  nlohmann::json notes = nlohmann::json::array();
  for (const DiagNote &n : f.notes) notes.push_back({{"message", n.message}, {"location", locationToJson(sources, n.range)}});
  return {{"code", diagInfo(f.id).code},
          {"message", f.message},
          {"location", locationToJson(sources, f.range)},
          {"notes", notes}};
}

/// `file:line:col: ` of a range, as diagnostics print it.
std::string where(const SourceManager &sources, const SourceRange &r) {
  if (!r.valid()) return "";
  LineColumn lc = sources.begin(r);
  return sources.name(r.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": ";
}

/// `--coverage`: the summary and every part the examples leave unexercised
/// (text), and the same as the `coverage` JSON object.
std::string coverageText(const SourceManager &sources, const ir::Coverage &c) {
  auto count = [](const std::vector<ir::Coverage::Item> &items, bool ir::Coverage::Item::*f) {
    size_t n = 0;
    for (const auto &it : items) n += it.*f;
    return std::to_string(n) + " of " + std::to_string(items.size());
  };
  size_t conditions = 0, both = 0, mcdc = 0, optional = 0, missing = 0;
  for (const auto &d : c.decisions)
    for (const auto &k : d.conditions) {
      ++conditions;
      both += k.wasTrue && k.wasFalse;
      mcdc += k.mcdc;
      optional += k.canBeMissing;
      missing += k.canBeMissing && k.wasMissing;
    }
  std::string s = "coverage: " + std::to_string(c.patients) + " example(s)";
  if (c.outsidePopulation || c.notEvaluated)
    s += " (" + std::to_string(c.outsidePopulation) + " outside the population, " + std::to_string(c.notEvaluated) +
         " not evaluated: not counted)";
  s += "\n";
  s += "  tiers:        " + count(c.tiers, &ir::Coverage::Item::on) + " fired, " + count(c.tiers, &ir::Coverage::Item::off) + " not fired\n";
  s += "  rules:        " + count(c.rules, &ir::Coverage::Item::on) + " fired, " + count(c.rules, &ir::Coverage::Item::off) + " not fired\n";
  s += "  capped doses: " + count(c.cappedDoses, &ir::Coverage::Item::on) + " capped, " +
       count(c.cappedDoses, &ir::Coverage::Item::off) + " under the cap\n";
  if (!c.alternatives.empty()) {
    size_t offered = 0, withheld = 0, canBeWithheld = 0;
    for (const auto &it : c.alternatives) {
      offered += it.on;
      canBeWithheld += it.canBeOff;
      withheld += it.canBeOff && it.off;
    }
    s += "  alternatives: " + std::to_string(offered) + " of " + std::to_string(c.alternatives.size()) + " offered, " +
         std::to_string(withheld) + " of " + std::to_string(canBeWithheld) + " with 'unless' withheld\n";
  }
  s += "  conditions:   " + std::to_string(both) + " of " + std::to_string(conditions) + " true and false, " +
       std::to_string(mcdc) + " of " + std::to_string(conditions) + " shown to decide alone (MC/DC)";
  if (optional) s += ", " + std::to_string(missing) + " of " + std::to_string(optional) + " that can be missing seen missing";
  s += "\n";
  std::string gaps;
  auto items = [&](const std::vector<ir::Coverage::Item> &list, const char *kind, const char *on, const char *off) {
    for (const auto &it : list) {
      if (!it.on) gaps += "  " + where(sources, it.range) + kind + " '" + it.name + "' " + on + "\n";
      if (!it.off && it.canBeOff) gaps += "  " + where(sources, it.range) + kind + " '" + it.name + "' " + off + "\n";
    }
  };
  items(c.tiers, "tier", "never fired", "always fired");
  items(c.rules, "rule", "never fired", "always fired");
  items(c.cappedDoses, "dose", "never capped", "always capped");
  items(c.alternatives, "choice", "never offered", "never withheld by its 'unless'");
  for (const auto &d : c.decisions)
    for (const auto &k : d.conditions) {
      std::string head = "  " + where(sources, k.range.valid() ? k.range : d.range) + "condition '" + k.text + "' of " + d.name;
      if (!k.wasTrue) gaps += head + ": never true\n";
      if (!k.wasFalse) gaps += head + ": never false\n";
      if (k.wasTrue && k.wasFalse && !k.mcdc) gaps += head + ": not shown to decide the outcome alone (MC/DC)\n";
      if (k.canBeMissing && !k.wasMissing) gaps += head + ": never missing\n";
    }
  return s + (gaps.empty() ? "  every part is exercised\n" : "not exercised:\n" + gaps);
}

nlohmann::json coverageJson(const SourceManager &sources, const ir::Coverage &c) {
  auto items = [&](const std::vector<ir::Coverage::Item> &list, const char *on, const char *off) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto &it : list) {
      a.push_back({{"name", it.name}, {"location", locationToJson(sources, it.range)}, {on, it.on}});
      // Not applicable (an alternative without an `unless`): null.
      a.back()[off] = it.canBeOff ? nlohmann::json(it.off) : nlohmann::json(nullptr);
    }
    return a;
  };
  nlohmann::json decisions = nlohmann::json::array();
  for (const auto &d : c.decisions) {
    nlohmann::json conds = nlohmann::json::array();
    for (const auto &k : d.conditions)
      conds.push_back({{"condition", k.text},
                       {"location", locationToJson(sources, k.range.valid() ? k.range : d.range)},
                       {"true", k.wasTrue},
                       {"false", k.wasFalse},
                       {"missing", k.wasMissing},
                       {"canBeMissing", k.canBeMissing},
                       {"mcdc", k.mcdc}});
    decisions.push_back({{"decision", d.name}, {"location", locationToJson(sources, d.range)}, {"conditions", conds}});
  }
  return {{"examples", c.patients},
          {"outsidePopulation", c.outsidePopulation},
          {"notEvaluated", c.notEvaluated},
          {"tiers", items(c.tiers, "fired", "notFired")},
          {"rules", items(c.rules, "fired", "notFired")},
          {"cappedDoses", items(c.cappedDoses, "capped", "underCap")},
          {"alternatives", items(c.alternatives, "offered", "withheld")},
          {"decisions", decisions}};
}

}  // namespace

Command testCommand() {
  auto coverage = std::make_shared<bool>(false);
  Command c;
  c.name = "test";
  c.help = "Run the protocol's examples on the reference evaluator";
  c.formats = {Format::Text, Format::Json, Format::Sarif, Format::Junit, Format::CodeQuality};
  c.multiFile = true;
  c.declare = [coverage](CommandLine &line) {
    line.flag("--coverage", *coverage,
              "Report which tiers, rules, capped doses, alternatives and conditions the examples exercise (and MC/DC)");
  };
  c.run = [coverage](CommandContext &ctx) -> int {
    SourceManager &sources = ctx.sources();
    DiagnosticEngine &diags = ctx.diags();
    CommandPayload &out = ctx.payload();
    nlohmann::json examples = nlohmann::json::array();
    int passed = 0, failed = 0;
    auto totals = [&] {
      out.json["examples"] = examples;
      out.json["failed"] = failed;
      out.json["passed"] = passed;
      out.sarifProperties = {{"passed", passed}, {"failed", failed}};
    };
    totals();  // a run that cannot start ran no example
    FrontendResult result = ctx.runFrontend(ctx.file());
    if (diags.hasErrors() || !result.protocol) return kExitFindings;
    ctx.setStarted(true);
    std::string lines;  // PASS/FAIL lines, then the summary (text output)

    const ir::Protocol &p = *result.protocol;
    // What `compile` refuses, `test` refuses, at the same places.
    backends::TableMetadata meta;
    meta.compilerVersion = "test";
    // The course states each course pathway reaches, and those the sets of
    // pathways read together reach jointly (the verifier's searches; none
    // without course pathways): an example in another is one the course
    // proofs say nothing about, and the table carries them too.
    std::vector<verifier::CourseReach> reach = verifier::courseReachRead(p);
    addCourseStates(meta, reach);
    std::optional<std::string> table = backends::emitJsonTable(p, sources, meta, diags);
    for (const ir::Example &ex : p.examples) {
      ExampleRun run = runExample(p, ex, reach);
      for (const Failure &f : run.failures) report(diags, ex, f);
      for (const std::string &w : run.warnings) diags.report(DiagId::warn_example_hit_policy, ex.range, ex.name, w);
      bool ok = run.failures.empty();
      (ok ? passed : failed)++;
      nlohmann::json fs = nlohmann::json::array();
      for (const Failure &f : run.failures) fs.push_back(failureToJson(sources, f));
      examples.push_back({{"name", ex.name},
                          {"status", ok ? "pass" : "fail"},
                          {"location", locationToJson(sources, ex.range)},
                          {"failures", fs}});
      lines += (ok ? "PASS: " : "FAIL: ") + ex.name + "\n";
    }
    // Agreement (issue 6, TableAgreement.h): the compiled table, run by the
    // runtime library, must agree with the IR evaluator on every example.
    if (table) checkTableAgreement(p, *table, reach, diags);

    std::string summary = std::to_string(passed) + " passed, " + std::to_string(failed) + " failed\n";
    if (*coverage) {
      std::vector<ir::Patient> patients;
      for (const ir::Example &ex : p.examples) patients.push_back(ex.patient);
      ir::Coverage cov = ir::measureCoverage(p, patients);
      out.json["coverage"] = coverageJson(sources, cov);
      summary += coverageText(sources, cov);
    }
    ctx.setTextTrailer(lines + summary, summary);
    totals();
    return failed > 0 ? kExitFindings : kExitOk;
  };
  return c;
}

}  // namespace carepath::driver
