// The greedy example generator of ExampleGenerator.h.
#include "verifier/ExampleGenerator.h"

#include <functional>

#include "ir/Coverage.h"
#include "ir/Evaluator.h"
#include "verifier/CourseReach.h"
#include "verifier/Display.h"
#include "verifier/Z3Backend.h"

namespace carepath::verifier {

using namespace ir;

namespace {

/// One thing to exercise: the patient formula Z3 is asked to meet, and how
/// the coverage measure says it is met. An MC/DC goal needs two patients
/// (`pair`): the condition true and false, each deciding the outcome, the
/// outcome different; either orientation.
struct Goal {
  std::string text;
  SourceRange range;
  ExprRef formula;                          // single-patient goals
  std::vector<std::pair<ExprRef, ExprRef>> pair;  // MC/DC: the orientations
  std::function<bool(const Coverage &)> met;
  std::string subject;                      // the tier or rule the goal is about: expected either way
};

ExprRef both(ExprRef a, ExprRef b) { return build::nary(Op::And, {std::move(a), std::move(b)}); }
ExprRef negate(ExprRef a) { return build::unary(Op::Not, std::move(a)); }
ExprRef holds(ExprRef a) { return build::isTrue(std::move(a)); }

std::vector<Goal> goalsOf(const Protocol &p) {
  std::vector<Goal> goals;
  size_t k = 0;
  for (size_t w = 0; w < p.pathways.size(); ++w)
    for (size_t t = 0; t < p.pathways[w].tiers.size(); ++t, ++k) {
      std::string name = p.pathways[w].name + "." + p.pathways[w].tiers[t].name;
      ExprRef g = holds(p.tierGuard(static_cast<int>(w), static_cast<int>(t)));
      SourceRange r = p.pathways[w].tiers[t].range;
      goals.push_back({"tier '" + name + "' fired", r, g, {}, [k](const Coverage &c) { return c.tiers[k].on; }, name});
      goals.push_back(
          {"tier '" + name + "' not fired", r, negate(g), {}, [k](const Coverage &c) { return c.tiers[k].off; }, name});
    }
  k = 0;
  for (const Table &b : p.tables) {
    std::vector<ExprRef> fires = rulesFire(b);
    for (size_t r = 0; r < b.rules.size(); ++r, ++k) {
      std::string name = b.name + "." + b.rules[r].name;
      goals.push_back({"rule '" + name + "' fired", b.rules[r].range, fires[r], {},
                       [k](const Coverage &c) { return c.rules[k].on; }, name});
      goals.push_back({"rule '" + name + "' not fired", b.rules[r].range, negate(fires[r]), {},
                       [k](const Coverage &c) { return c.rules[k].off; }, name});
    }
  }
  // Capped doses, in the order of Coverage::cappedDoses.
  k = 0;
  auto capped = [&](const std::string &where, const std::vector<Action> &actions, const ExprRef &fires) {
    for (const Action &a : actions) {
      if (a.kind != ActionKind::Give || !a.cap || !a.dose) continue;
      ExprRef dose = a.doseHigh ? a.doseHigh : a.dose;
      std::string name = "give " + a.name + " at " + where;
      goals.push_back({"'" + name + "' capped", a.range, both(fires, holds(build::binary(Op::Gt, dose, a.cap))), {},
                       [k](const Coverage &c) { return c.cappedDoses[k].on; }, ""});
      goals.push_back({"'" + name + "' under its cap", a.range, both(fires, holds(build::binary(Op::Le, dose, a.cap))),
                       {}, [k](const Coverage &c) { return c.cappedDoses[k].off; }, ""});
      ++k;
    }
  };
  for (size_t w = 0; w < p.pathways.size(); ++w)
    for (size_t t = 0; t < p.pathways[w].tiers.size(); ++t)
      capped(p.pathways[w].name + "." + p.pathways[w].tiers[t].name, p.pathways[w].tiers[t].actions,
             holds(p.tierGuard(static_cast<int>(w), static_cast<int>(t))));
  for (const Table &b : p.tables) {
    std::vector<ExprRef> fires = rulesFire(b);
    for (size_t r = 0; r < b.rules.size(); ++r) capped(b.name + "." + b.rules[r].name, b.rules[r].actions, fires[r]);
  }
  // Alternatives, in the order of Coverage::alternatives: offered where
  // their tier or rule fires, and withheld there when they have an `unless`.
  std::vector<std::vector<ExprRef>> tableFires;
  for (const Table &b : p.tables) tableFires.push_back(rulesFire(b));
  std::vector<AlternativeSite> alternatives = alternativesOf(p);
  for (size_t a = 0; a < alternatives.size(); ++a) {
    const AlternativeSite &alt = alternatives[a];
    ExprRef fires = alt.tier >= 0 ? holds(p.tierGuard(alt.container, alt.tier)) : tableFires[alt.container][alt.rule];
    ExprRef offeredNow = holds(offered(*alt.action, fires));
    goals.push_back({"'" + alt.name + "' offered", alt.action->range, offeredNow, {},
                     [a](const Coverage &c) { return c.alternatives[a].on; }, ""});
    if (alt.action->unless)
      goals.push_back({"'" + alt.name + "' withheld by its 'unless'", alt.action->range, both(fires, negate(offeredNow)),
                       {}, [a](const Coverage &c) { return c.alternatives[a].off; }, ""});
  }
  // Every condition of every decision: true, false, deciding alone.
  std::vector<DecisionSite> decisions = decisionsOf(p);
  for (size_t d = 0; d < decisions.size(); ++d) {
    const DecisionSite &site = decisions[d];
    std::vector<ExprRef> conditions = conditionsOf(p, site.expr);
    // "tier a.b" / "rule a.b": its firing is stated either way; a define has no `expect`.
    std::string subject = site.name.rfind("define ", 0) == 0 ? "" : site.name.substr(site.name.find(' ') + 1);
    for (size_t c = 0; c < conditions.size(); ++c) {
      std::string text = conditionText(p, *conditions[c]);
      SourceRange r = conditions[c]->range.valid() ? conditions[c]->range : site.range;
      std::string head = "condition '" + text + "' of " + site.name;
      goals.push_back({head + " true", r, holds(conditions[c]), {},
                       [d, c](const Coverage &cv) { return cv.decisions[d].conditions[c].wasTrue; }, subject});
      goals.push_back({head + " false", r, holds(negate(conditions[c])), {},
                       [d, c](const Coverage &cv) { return cv.decisions[d].conditions[c].wasFalse; }, subject});
      if (conditions[c]->mayBeMissing)
        goals.push_back({head + " missing", r, negate(build::known(conditions[c])), {},
                         [d, c](const Coverage &cv) { return cv.decisions[d].conditions[c].wasMissing; }, subject});
      ExprRef whenTrue = holds(withCondition(p, site.expr, text, true));
      ExprRef whenFalse = holds(withCondition(p, site.expr, text, false));
      ExprRef decides = build::nary(Op::Or, {both(whenTrue, negate(whenFalse)), both(negate(whenTrue), whenFalse)});
      ExprRef isTrue = both(holds(conditions[c]), decides), isFalse = both(holds(negate(conditions[c])), decides);
      ExprRef outcome = holds(site.expr);
      Goal g{head + " deciding the outcome alone (MC/DC)", r, nullptr, {},
             [d, c](const Coverage &cv) { return cv.decisions[d].conditions[c].mcdc; }, subject};
      g.pair = {{both(isTrue, outcome), both(isFalse, negate(outcome))},
                {both(isTrue, negate(outcome)), both(isFalse, outcome)}};
      goals.push_back(std::move(g));
    }
  }
  return goals;
}

/// What the protocol does for the patient, as `expect` lines: every tier and
/// rule that fired, every computed dose, and the goal's subject (a tier or
/// rule) not fired when it did not; when nothing fires at all, every tier
/// and rule not fired.
std::vector<std::string> expectations(const Protocol &p, const Patient &patient, const std::string &subject) {
  std::vector<std::string> fired, notFired;
  Evaluation ev = evaluate(p, patient);
  auto state = [&](const std::string &name, bool on) {
    if (on) fired.push_back("expect " + name);
    else notFired.push_back("expect not " + name);
  };
  for (size_t w = 0; w < p.pathways.size(); ++w)
    for (size_t t = 0; t < p.pathways[w].tiers.size(); ++t)
      state(p.pathways[w].name + "." + p.pathways[w].tiers[t].name, ev.tiers[w][t]);
  for (size_t b = 0; b < p.tables.size(); ++b)
    for (size_t r = 0; r < p.tables[b].rules.size(); ++r)
      state(p.tables[b].name + "." + p.tables[b].rules[r].name, ev.rules[b][r]);
  if (fired.empty()) return notFired;
  std::vector<std::string> lines = fired;
  if (!subject.empty())
    for (const std::string &n : notFired)
      if (n == "expect not " + subject) lines.push_back(n);
  for (const FiredAction &fa : ev.actions) {
    const Action &a = *fa.action;
    if (a.kind != ActionKind::Give || !fa.amount) continue;
    Unit u = doseDisplayUnit(p, a);
    std::string line = "expect " + a.name + " dose == " + literalIn(*fa.amount, u) + " " + u.name;
    if (fa.amountHigh && *fa.amountHigh != *fa.amount) line += " .. " + literalIn(*fa.amountHigh, u) + " " + u.name;
    if (!a.basis.str().empty()) line += " " + a.basis.str();
    lines.push_back(line);
  }
  return lines;
}

}  // namespace

Generation generateExamples(const Protocol &p, const Options &options, bool fromScratch) {
  Generation gen;
  std::vector<Patient> patients;
  if (!fromScratch)
    for (const Example &ex : p.examples) patients.push_back(ex.patient);
  std::vector<Goal> goals = goalsOf(p);
  gen.goals = goals.size();
  // Each patient evaluated once; `ids` follows `patients`.
  CoverageMeter meter(p);
  std::vector<size_t> ids;
  for (const Patient &patient : patients) ids.push_back(meter.add(patient));
  Coverage cov = meter.measure(ids);
  if (!fromScratch)
    for (const Goal &g : goals) gen.alreadyMet += g.met(cov);
  Z3Backend z3(p, options);
  // Only records some course produces: `carepath test` fails an example in
  // a course state no course from a fresh patient produces, on one pathway
  // or on pathways read together; the same searches as `test` runs
  // (courseReachRead), before the restrictions below, as the verifier
  // searches. A search that stopped restricts nothing, as `test` then flags
  // nothing.
  std::vector<ExprRef> reachable;
  for (const CourseReach &r : courseReachRead(p, options))
    if (r.complete) reachable.push_back(reachableCourse(p, r));
  // Only patients the protocol assumes exist: `carepath test` fails an
  // example that violates an assumption.
  for (const Assumption &a : p.assumptions) z3.restrict(assumptionHolds(a));
  for (const ExprRef &r : reachable) z3.restrict(r);

  // Asks for one patient; on `yes`, the patient (evaluable by the evaluator).
  auto ask = [&](const ExprRef &formula, std::string &why, bool &impossible) -> std::optional<Patient> {
    Answer a = z3.holdsForSome(formula);
    if (a.kind == Answer::Kind::No) {
      impossible = true;
      return std::nullopt;
    }
    impossible = false;
    if (a.kind != Answer::Kind::Yes || !a.patient) {
      why = a.reason.empty() ? "the solver could not decide" : a.reason;
      return std::nullopt;
    }
    try {
      (void)evaluate(p, *a.patient);
    } catch (const EvalError &e) {
      why = std::string("the solver's patient cannot be evaluated: ") + e.what();
      return std::nullopt;
    }
    return *a.patient;
  };
  std::vector<std::string> subjects;  // per generated example, for its `expect` lines
  auto add = [&](const Goal &g, Patient patient) {
    GeneratedExample ex;
    ex.goal = g.text;
    ex.patient = patient;
    subjects.push_back(g.subject);
    ids.push_back(meter.add(patient));
    patients.push_back(std::move(patient));
    gen.examples.push_back(std::move(ex));
  };

  for (const Goal &g : goals) {
    if (g.met(cov)) continue;
    std::string why;
    bool impossible = true;
    if (g.formula) {
      bool no = false;
      if (std::optional<Patient> pt = ask(g.formula, why, no)) add(g, std::move(*pt));
      impossible = no;
    } else {
      // MC/DC: the first orientation that has both patients.
      bool done = false;
      for (const auto &[first, second] : g.pair) {
        bool no1 = false, no2 = false;
        std::string why1, why2;
        std::optional<Patient> a = ask(first, why1, no1);
        std::optional<Patient> b = a ? ask(second, why2, no2) : std::nullopt;
        if (a && b) {
          add(g, std::move(*a));
          add(g, std::move(*b));
          done = true;
          break;
        }
        impossible = impossible && (no1 || no2);
        if (!no1 && !a) why = why1;
        else if (!no2 && !b) why = why2;
      }
      if (done) impossible = false;
    }
    cov = meter.measure(ids);
    if (g.met(cov)) continue;
    UnreachedGoal u{g.text, g.range, impossible && why.empty(), why};
    if (!u.impossible && u.reason.empty()) u.reason = "the evaluator does not confirm the solver's patient";
    gen.unreached.push_back(std::move(u));
  }

  // Minimal by elimination: the last generated first, drop every example
  // without which each goal met so far is still met.
  std::vector<bool> metAll;
  for (const Goal &g : goals) metAll.push_back(g.met(cov));
  size_t base = patients.size() - gen.examples.size();
  for (size_t i = gen.examples.size(); i-- > 0;) {
    std::vector<size_t> without = ids;
    without.erase(without.begin() + static_cast<std::ptrdiff_t>(base + i));
    Coverage c = meter.measure(without);
    bool redundant = true;
    for (size_t k = 0; k < goals.size() && redundant; ++k) redundant = !metAll[k] || goals[k].met(c);
    if (!redundant) continue;
    ids = std::move(without);
    patients.erase(patients.begin() + static_cast<std::ptrdiff_t>(base + i));
    gen.examples.erase(gen.examples.begin() + static_cast<std::ptrdiff_t>(i));
    subjects.erase(subjects.begin() + static_cast<std::ptrdiff_t>(i));
  }
  for (size_t i = 0; i < gen.examples.size(); ++i) {
    GeneratedExample &ex = gen.examples[i];
    ex.lines = exampleBlock(p, "generated " + std::to_string(i + 1) + ": " + ex.goal, ex.patient,
                            expectations(p, ex.patient, subjects[i]));
  }
  return gen;
}

}  // namespace carepath::verifier
