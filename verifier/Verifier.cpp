// Runs every proof obligation of a protocol through the Z3 backend and
// turns the answers into results; with `checkModels`, every counterexample
// is replayed on the IR reference evaluator before it is reported.
#include "verifier/Verifier.h"

#include "ir/Evaluator.h"
#include "verifier/Conditions.h"
#include "verifier/Display.h"
#include "verifier/Z3Backend.h"

namespace carepath::verifier {

using namespace ir;

const char *spelling(Status s) {
  switch (s) {
  case Status::Proved: return "proved";
  case Status::Refuted: return "refuted";
  case Status::Unknown: return "unknown";
  case Status::Warning: return "warning";
  }
  return "?";
}

std::string Report::verdict() const {
  bool unknown = false;
  for (const PropertyResult &r : properties) {
    if (r.status == Status::Refuted) return "failed";
    if (r.status == Status::Unknown) unknown = true;
  }
  return unknown ? "inconclusive" : "verified";
}

namespace {

class Run {
public:
  Run(const Protocol &p, const Options &o, Report &report) : p_(p), options_(o), report_(report), z3_(p, o) {}

  void all() {
    populationNotEmpty();
    for (const Obligation &o : buildConditions(p_)) decide(o);
    overlaps();
    doses();
    unspecified();
  }

private:
  /// Every "for all patients" proof is vacuous over an empty population.
  void populationNotEmpty() {
    Obligation o;
    o.kind = "population";
    o.goal = Obligation::Goal::Satisfiable;
    o.formula = build::boolean(true);
    o.proved = "some patient is in the population";
    o.refuted = "no patient satisfies the population and the input ranges: every other proof would be vacuous";
    o.range = p_.population ? p_.population->range : SourceRange{};
    decide(o);
  }

  std::string exampleName(const Obligation &o, const std::vector<Value> &patient) const {
    std::string name = o.kind + " counterexample";
    std::vector<std::string> traits;
    for (const char *key : {"age"}) {
      int i = p_.findInput(key);
      if (i >= 0 && p_.inputs[i].type.kind == Type::Kind::Number) traits.push_back(valueText(p_, i, patient[i]));
    }
    if (p_.dosingWeight >= 0) traits.push_back(valueText(p_, p_.dosingWeight, patient[p_.dosingWeight]));
    for (size_t k = 0; k < traits.size(); ++k) name += (k == 0 ? ": " : ", ") + traits[k];
    return name;
  }

  /// Replays a counterexample on the evaluator: it must be in the
  /// population and must falsify the formula.
  void checkModel(const Obligation &o, const std::vector<Value> &patient) {
    if (!options_.checkModels) return;
    std::string problem;
    try {
      bool inPopulation = !p_.population || evaluateBool(p_, *p_.population, patient);
      bool holds = evaluateBool(p_, *o.formula, patient);
      if (!inPopulation) problem = "the patient is outside the population";
      else if (holds) problem = "the property holds for the patient on the IR evaluator";
    } catch (const EvalError &e) {
      problem = std::string("the IR evaluator failed on the patient: ") + e.what();
    }
    if (!problem.empty())
      report_.internalErrors.push_back("model check failed for " + o.kind + " (" + o.refuted + "): " + problem);
  }

  void decide(const Obligation &o) {
    PropertyResult r;
    r.kind = o.kind;
    r.range = o.range;
    r.related = o.related;
    ++report_.stats.solverChecks;
    if (o.goal == Obligation::Goal::Satisfiable) {
      Answer a = z3_.holdsForSome(o.formula);
      if (a.reused) --report_.stats.solverChecks, ++report_.stats.witnessesReused;
      fill(r, a, o, /*refuteOn=*/Answer::Kind::No);
    } else {
      Answer a = z3_.holdsForAll(o.formula, o.observed);
      fill(r, a, o, Answer::Kind::No);
      if (a.kind == Answer::Kind::No && a.patient) {
        if (o.observed && a.observed)
          r.message += ": this patient gets " + formatQuantity(*a.observed, o.observedUnit) +
                       (o.observedLabel.empty() ? "" : " " + o.observedLabel);
        r.counterexample = a.patient;
        r.example = exampleBlock(p_, exampleName(o, *a.patient), *a.patient, o.expectations);
        checkModel(o, *a.patient);
      }
    }
    report_.properties.push_back(std::move(r));
  }

  void fill(PropertyResult &r, const Answer &a, const Obligation &o, Answer::Kind refuteOn) {
    if (a.kind == Answer::Kind::Unknown) {
      r.status = Status::Unknown;
      r.reason = a.reason.empty() ? "unknown" : a.reason;
      r.message = "could not decide: " + o.proved;
    } else if (a.kind == refuteOn) {
      r.status = Status::Refuted;
      r.message = o.refuted;
    } else {
      r.status = Status::Proved;
      r.message = o.proved;
    }
  }

  void overlaps() {
    for (size_t tb = 0; tb < p_.tables.size(); ++tb) {
      const Table &t = p_.tables[tb];
      // What the policy forbids: two matches (unique), two matches with
      // different actions (any).
      if (t.hit != HitPolicy::Unique && t.hit != HitPolicy::Any) continue;
      OverlapCandidates c = overlapCandidates(p_, t);
      report_.stats.overlapPairs += c.total;
      report_.stats.overlapSwept += c.excludedBySweep;
      size_t before = report_.properties.size();
      bool allProved = true;
      for (auto [i, j] : c.pairs) {
        decide(overlapObligation(p_, static_cast<int>(tb), i, j));
        if (report_.properties.back().status == Status::Proved) report_.properties.pop_back();
        else allProved = false;
      }
      (void)before;
      if (allProved) {
        PropertyResult r;
        r.kind = "table-overlap";
        r.status = Status::Proved;
        r.range = t.range;
        r.message = t.hit == HitPolicy::Any
                        ? "no two rules of any table '" + t.name + "' match the same patient with different actions (" +
                              std::to_string(c.total) +
                              " pairs: " + std::to_string(c.excludedBySweep) + " disjoint by interval sweep, " +
                              std::to_string(c.pairs.size()) + " proved by Z3)"
                        : "no two rules of unique table '" + t.name + "' overlap (" + std::to_string(c.total) +
                    " pairs: " + std::to_string(c.excludedBySweep) + " disjoint by interval sweep, " +
                    std::to_string(c.pairs.size()) + " proved by Z3)";
        report_.properties.push_back(std::move(r));
      }
    }
  }

  void doses() {
    for (const DoseSite &site : buildDoseSites(p_)) {
      const Action &a = *site.action;
      DoseEnvelope env;
      env.drug = a.name;
      env.where = site.where;
      env.basis = a.basis;
      env.unit = doseDisplayUnit(p_, a);
      env.range = a.range;
      report_.stats.optimisations += 2;
      Extremum hi = z3_.optimum(site.condition, site.amount, true);
      Extremum lo = z3_.optimum(site.condition, site.amount, false);
      if (lo.kind == Extremum::Kind::Value) env.min = lo.value;
      if (hi.kind == Extremum::Kind::Value) env.max = hi.value;
      env.unbounded = hi.kind == Extremum::Kind::Unbounded;
      env.never = hi.kind == Extremum::Kind::Empty;

      PropertyResult r;
      r.kind = "dose-bounded";
      r.range = a.range;
      std::string what = a.name + " dose at " + site.where;
      switch (hi.kind) {
      case Extremum::Kind::Value:
        r.status = Status::Proved;
        r.message = what + " is bounded: at most " + formatQuantity(hi.value, env.unit) +
                    (hi.attained ? "" : " (approached, not reached)");
        break;
      case Extremum::Kind::Empty:
        r.status = Status::Proved;
        r.message = what + " is never given to a patient in the population";
        break;
      case Extremum::Kind::Unbounded:
        r.status = Status::Refuted;
        r.message = what + " has no upper bound over the patients who get it";
        break;
      case Extremum::Kind::Unknown:
        r.status = Status::Unknown;
        r.message = "could not bound the " + what;
        r.reason = hi.reason;
        break;
      }
      report_.properties.push_back(std::move(r));
      if (lo.kind == Extremum::Kind::Unknown && hi.kind != Extremum::Kind::Unknown) {
        PropertyResult u;
        u.kind = "dose-bounded";
        u.status = Status::Unknown;
        u.range = a.range;
        u.message = "could not find the least " + what;
        u.reason = lo.reason;
        report_.properties.push_back(std::move(u));
      }
      report_.doses.push_back(std::move(env));

      for (const Obligation &o : site.limits) decide(o);
      for (const std::string &w : site.warnings) {
        PropertyResult r;
        r.kind = "dose-formulary";
        r.status = Status::Warning;
        r.range = a.range;
        r.message = w;
        report_.properties.push_back(std::move(r));
      }
    }
  }

  void unspecified() {
    for (const UnspecifiedMark &m : p_.unspecified) {
      PropertyResult r;
      r.kind = "unspecified";
      r.status = options_.strict ? Status::Refuted : Status::Warning;
      r.range = m.range;
      r.message = "unspecified " + m.where + ": " + m.reason;
      report_.properties.push_back(std::move(r));
    }
  }

  const Protocol &p_;
  const Options &options_;
  Report &report_;
  Z3Backend z3_;
};

}  // namespace

Report verify(const Protocol &protocol, const Options &options) {
  Report report;
  Run(protocol, options, report).all();
  return report;
}

}  // namespace carepath::verifier
