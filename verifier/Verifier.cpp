// Runs every proof obligation of a protocol through the Z3 backend and
// turns the answers into results; with `checkModels`, every counterexample
// is replayed on the IR reference evaluator before it is reported.
#include "verifier/Verifier.h"

#include <iterator>
#include <set>

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

const char *spelling(PropertyKind k) {
  switch (k) {
  case PropertyKind::Population: return "population";
  case PropertyKind::Reaches: return "reaches";
  case PropertyKind::TierReachable: return "tier-reachable";
  case PropertyKind::TierExclusive: return "tier-exclusive";
  case PropertyKind::TierOrder: return "tier-order";
  case PropertyKind::TableOverlap: return "table-overlap";
  case PropertyKind::TableGap: return "table-gap";
  case PropertyKind::RuleDead: return "rule-dead";
  case PropertyKind::RuleShadowed: return "rule-shadowed";
  case PropertyKind::DoseBounded: return "dose-bounded";
  case PropertyKind::DoseFormulary: return "dose-formulary";
  case PropertyKind::Assertion: return "assertion";
  case PropertyKind::ForbiddenAction: return "forbidden-action";
  case PropertyKind::DoseCeiling: return "dose-ceiling";
  case PropertyKind::Unspecified: return "unspecified";
  case PropertyKind::DoseKnown: return "dose-known";
  }
  return "?";
}

// kPropertyKinds lists every kind once, in declaration order (parse relies on it).
static_assert([] {
  for (size_t i = 0; i < std::size(kPropertyKinds); ++i)
    if (static_cast<size_t>(kPropertyKinds[i]) != i) return false;
  return std::size(kPropertyKinds) == static_cast<size_t>(PropertyKind::DoseKnown) + 1;
}());
static_assert(std::size(kVerdicts) == static_cast<size_t>(Verdict::Inconclusive) + 1);

std::optional<PropertyKind> parsePropertyKind(std::string_view text) {
  for (PropertyKind k : kPropertyKinds)
    if (text == spelling(k)) return k;
  return std::nullopt;
}

const char *spelling(Verdict v) {
  switch (v) {
  case Verdict::Verified: return "verified";
  case Verdict::Failed: return "failed";
  case Verdict::Inconclusive: return "inconclusive";
  }
  return "?";
}

std::optional<Verdict> parseVerdict(std::string_view text) {
  for (Verdict v : kVerdicts)
    if (text == spelling(v)) return v;
  return std::nullopt;
}

Verdict Report::verdict() const {
  bool unknown = false;
  for (const PropertyResult &r : properties) {
    if (r.status == Status::Refuted) return Verdict::Failed;
    if (r.status == Status::Unknown) unknown = true;
  }
  return unknown ? Verdict::Inconclusive : Verdict::Verified;
}

namespace {

class Run {
public:
  Run(const Protocol &p, const Options &o, Report &report) : p_(p), options_(o), report_(report), z3_(p, o) {
    for (const Example &e : p.examples) exampleNames_.insert(e.name);
  }

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
    o.kind = PropertyKind::Population;
    o.goal = Obligation::Goal::Satisfiable;
    o.formula = build::boolean(true);
    o.proved = "some patient is in the population";
    o.refuted = "no patient satisfies the population and the input ranges: every other proof would be vacuous";
    o.range = p_.population ? p_.population->range : SourceRange{};
    decide(o);
  }

  /// Marks the inputs `e` mentions, through defines (each define walked once).
  void markInputs(const Expr &e, std::vector<bool> &inputs, std::vector<bool> &defines) const {
    if (e.op == Op::Input) inputs.at(e.index) = true;
    if (e.op == Op::Define && !defines.at(e.index)) {
      defines[e.index] = true;
      markInputs(*p_.defines[e.index].value, inputs, defines);
    }
    for (const ExprRef &a : e.args) markInputs(*a, inputs, defines);
  }

  /// "<kind> counterexample: 4 years, 12 kg": the patient's quantities that
  /// the obligation and the population mention, in declaration order (the
  /// `given` line has the rest). A name the protocol's examples or an earlier
  /// counterexample of this report already has gets " (2)", " (3)", ...
  std::string exampleName(const Obligation &o, const std::vector<Value> &patient) {
    std::vector<bool> inputs(p_.inputs.size()), defines(p_.defines.size());
    markInputs(*o.formula, inputs, defines);
    if (p_.population) markInputs(*p_.population, inputs, defines);
    std::string name = std::string(spelling(o.kind)) + " counterexample";
    const char *separator = ": ";
    for (size_t i = 0; i < inputs.size(); ++i)
      if (inputs[i] && p_.inputs[i].type.kind == Type::Kind::Number) {
        name += separator + (patient[i].missing ? p_.inputs[i].name + " missing" : valueText(p_, static_cast<int>(i), patient[i]));
        separator = ", ";
      }
    std::string unique = name;
    for (int n = 2; exampleNames_.count(unique); ++n) unique = name + " (" + std::to_string(n) + ")";
    exampleNames_.insert(unique);
    return unique;
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
      report_.internalErrors.push_back("model check failed for " + std::string(spelling(o.kind)) + " (" + o.refuted + "): " + problem);
  }

  /// A patient built from rule boxes proves a Satisfiable goal only when
  /// the evaluator finds it in the domain and the population with the
  /// formula true (the same reading of the IR as Z3's, which the
  /// differential tests hold it to).
  bool confirmed(const ExprRef &formula, const std::vector<Value> &patient) const {
    if (patient.size() != p_.inputs.size()) return false;
    for (size_t i = 0; i < patient.size(); ++i) {
      const Input &in = p_.inputs[i];
      const Value &v = patient[i];
      if (v.missing || v.kind != in.type.kind) return false;
      if (in.type.kind == Type::Kind::Number) {
        if ((in.lo && v.number < *in.lo) || (in.hi && v.number > *in.hi)) return false;
        if (in.type.integer && !v.number.isInteger()) return false;
      }
      if (in.type.kind == Type::Kind::Enum &&
          (v.member < 0 || v.member >= static_cast<int>(p_.enums[in.type.enumType].members.size())))
        return false;
    }
    try {
      return (!p_.population || evaluateBool(p_, *p_.population, patient)) && evaluateBool(p_, *formula, patient);
    } catch (const EvalError &) {
      return false;
    }
  }

  void decide(const Obligation &o) {
    PropertyResult r;
    r.kind = o.kind;
    r.range = o.range;
    r.related = o.related;
    if (o.goal == Obligation::Goal::Satisfiable && o.witness && confirmed(o.formula, *o.witness)) {
      ++report_.stats.witnessesBuilt;
      r.status = Status::Proved;
      r.message = o.proved;
      report_.properties.push_back(std::move(r));
      return;
    }
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
        std::vector<std::string> expectations = o.expectations;
        attribute(o, *a.patient, r, expectations);
        r.counterexample = a.patient;
        r.example = exampleBlock(p_, exampleName(o, *a.patient), *a.patient, expectations);
        checkModel(o, *a.patient);
      } else if (r.status == Status::Proved && !o.incomplete.empty()) {
        // Part of the property could not be encoded: what was checked holds,
        // which is no proof of the whole.
        r.status = Status::Unknown;
        r.reason = o.incomplete;
        r.message = "could not decide: " + o.proved;
      }
    }
    report_.properties.push_back(std::move(r));
  }

  /// Names the sites of an action property that the counterexample meets:
  /// "by treat.young", a note at each (with the amount for a dose), and an
  /// `expect` line for each in the printed example.
  void attribute(const Obligation &o, const std::vector<Value> &patient, PropertyResult &r,
                 std::vector<std::string> &expectations) const {
    std::string by;
    for (const ActionSite &s : o.sites) {
      std::string note = o.siteNote;
      try {
        if (!evaluateBool(p_, *s.condition, patient)) continue;
        if (s.observed)
          note += ": " + formatQuantity(evaluate(p_, *s.observed, patient).number, o.observedUnit) +
                  (o.observedLabel.empty() ? "" : " " + o.observedLabel);
      } catch (const EvalError &) {
        continue;  // --check-models reports a patient the evaluator cannot run
      }
      by += (by.empty() ? "" : ", ") + s.where;
      r.related.push_back({s.range, note});
      expectations.push_back("expect " + s.where);
    }
    if (!by.empty()) r.message += ", by " + by;
    r.message += o.refutedNote;
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
        r.kind = PropertyKind::TableOverlap;
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
      // The envelope of a dose range: from the least low end to the
      // greatest high end over the patients who get it.
      Extremum hi = z3_.optimum(site.condition, site.amount.high, true);
      Extremum lo = z3_.optimum(site.condition, site.amount.low, false);
      if (lo.kind == Extremum::Kind::Value) env.min = lo.value, env.minAttained = lo.attained;
      if (hi.kind == Extremum::Kind::Value) env.max = hi.value, env.maxAttained = hi.attained;
      env.unbounded = hi.kind == Extremum::Kind::Unbounded;
      env.never = hi.kind == Extremum::Kind::Empty;

      PropertyResult r;
      r.kind = PropertyKind::DoseBounded;
      r.range = a.range;
      std::string what = a.name + " dose at " + site.where;
      switch (hi.kind) {
      case Extremum::Kind::Value:
        r.status = Status::Proved;
        r.message = what + " is bounded: " + (hi.attained ? "at most " : "below ") + formatQuantity(hi.value, env.unit) +
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
        u.kind = PropertyKind::DoseBounded;
        u.status = Status::Unknown;
        u.range = a.range;
        u.message = "could not find the least " + what;
        u.reason = lo.reason;
        report_.properties.push_back(std::move(u));
      }
      report_.doses.push_back(std::move(env));

      // A dose computed from an optional input: it must be known whenever
      // the give fires (the bounds above are over the patients who have one).
      if (site.amount.low->mayBeMissing || site.amount.high->mayBeMissing) {
        namespace b = ir::build;
        Obligation o;
        o.kind = PropertyKind::DoseKnown;
        ExprRef known = b::known(site.amount.low);
        std::string text = toString(p_, *site.amount.low);
        if (site.amount.isRange()) {
          known = b::nary(Op::And, {known, b::known(site.amount.high)});
          text += " .. " + toString(p_, *site.amount.high);
        }
        o.formula = b::nary(Op::Or, {b::unary(Op::Not, site.condition), known});
        o.proved = what + " can always be computed: every value it needs is given whenever it is given";
        o.refuted = what + " cannot be computed for this patient: '" + text + "' needs a value that is missing";
        o.range = a.range;
        decide(o);
      }
      for (const Obligation &o : site.limits) decide(o);
      for (const std::string &w : site.warnings) {
        PropertyResult r;
        r.kind = PropertyKind::DoseFormulary;
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
      r.kind = PropertyKind::Unspecified;
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
  std::set<std::string> exampleNames_;  // taken: the protocol's examples and earlier counterexamples
};

}  // namespace

Report verify(const Protocol &protocol, const Options &options) {
  Report report;
  Run(protocol, options, report).all();
  return report;
}

}  // namespace carepath::verifier
