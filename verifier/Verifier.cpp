// Runs every proof obligation of a protocol through the Z3 backend and
// turns the answers into results; with `checkModels`, every counterexample
// is replayed on the IR reference evaluator before it is reported.
#include "verifier/Verifier.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <set>

#include "carepath/Quantity.h"
#include "ir/Evaluator.h"
#include "ir/Why.h"
#include "verifier/Conditions.h"
#include "verifier/CourseReach.h"
#include "verifier/CrossCheck.h"
#include "verifier/Display.h"
#include "verifier/TableBoxes.h"
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
  case PropertyKind::DivisionSafe: return "division-safe";
  case PropertyKind::Contraindication: return "contraindication";
  case PropertyKind::CourseExit: return "course-exit";
  case PropertyKind::TierReentered: return "tier-reentered";
  case PropertyKind::ResponderFollowUp: return "responder-follow-up";
  case PropertyKind::Deadline: return "deadline";
  case PropertyKind::CourseTrap: return "course-trap";
  case PropertyKind::Vacuous: return "vacuous";
  }
  return "?";
}

// kPropertyKinds lists every kind once, in declaration order (parse relies on it).
static_assert([] {
  for (size_t i = 0; i < std::size(kPropertyKinds); ++i)
    if (static_cast<size_t>(kPropertyKinds[i]) != i) return false;
  return std::size(kPropertyKinds) == static_cast<size_t>(PropertyKind::Vacuous) + 1;
}());
static_assert(std::size(kVerdicts) == static_cast<size_t>(Verdict::Error) + 1);

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
  case Verdict::Error: return "error";
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

namespace b = ir::build;

/// A division and the patients for whom the evaluator computes it.
struct Division {
  ExprRef numerator, divisor;
  std::vector<ExprRef> contexts;  // any of them (a null one: every patient)
  std::string text;               // "(800 mg) / weight"
  std::string why;                // "" for the author's; else what divides (a per-kg limit)
  SourceRange range;
  bool everywhere = false;
};

ExprRef both(const ExprRef &ctx, ExprRef c) {
  return ctx ? b::nary(Op::And, {ctx, std::move(c)}) : std::move(c);
}

/// Every division of the protocol with the condition under which it is
/// evaluated, following the evaluator (docs/semantics.md, "Division"): an
/// `if` computes one branch, `and`/`or` stop at the operand that decides,
/// a tier's guard is read when its pathway's entry holds, actions and
/// outputs when their tier or rule fires, a define wherever it is used.
class DivisionFinder {
public:
  explicit DivisionFinder(const Protocol &p) : p_(p), uses_(p.defines.size()) {}

  std::vector<Division> find(const std::vector<std::vector<ExprRef>> &fires) {
    walk(p_.population, nullptr);
    for (size_t pw = 0; pw < p_.pathways.size(); ++pw) {
      const Pathway &path = p_.pathways[pw];
      walk(path.entry, nullptr);
      ExprRef entered = path.entry ? b::isTrue(path.entry) : nullptr;
      for (size_t t = 0; t < path.tiers.size(); ++t) {
        const Tier &tier = path.tiers[t];
        walk(tier.guard, entered);
        ExprRef applies = p_.tierGuard(static_cast<int>(pw), static_cast<int>(t));
        walk(tier.failedWhen, entered);
        actions(tier.actions, applies);
      }
    }
    for (size_t tb = 0; tb < p_.tables.size(); ++tb) {
      const Table &t = p_.tables[tb];
      for (size_t r = 0; r < t.rules.size(); ++r) {
        const Rule &rule = t.rules[r];
        walk(rule.guard, nullptr);
        // Hit `any` compares the actions of every rule that matches.
        ExprRef fired = t.hit == HitPolicy::Any ? (rule.guard ? b::isTrue(rule.guard) : nullptr) : fires[tb][r];
        actions(rule.actions, fired);
        for (const ExprRef &o : rule.outputs) walk(o, fired);
      }
    }
    for (const Property &prop : p_.properties) walk(prop.expr, nullptr);
    // Defines after everything that uses them, users before what they use.
    for (int d : usersFirst()) {
      if (uses_[d].empty()) continue;  // never evaluated
      bool everywhere = false;
      for (const ExprRef &c : uses_[d]) everywhere = everywhere || !c;
      walk(p_.defines[d].value, everywhere ? nullptr : (uses_[d].size() == 1 ? uses_[d][0] : b::nary(Op::Or, uses_[d])));
    }
    return std::move(out_);
  }

private:
  void actions(const std::vector<Action> &as, const ExprRef &ctx) {
    for (const Action &a : as) {
      walk(a.unless, ctx);
      // A dose is computed only for a patient it is offered to.
      ExprRef given = a.unless ? offered(a, ctx) : ctx;
      walk(a.dose, given);
      walk(a.doseHigh, given);
      walk(a.cap, given);
    }
  }

  /// Whether a division is below `e` (through defines): only those paths are walked.
  bool divides(const Expr &e) {
    auto it = divides_.find(&e);
    if (it != divides_.end()) return it->second;
    bool r = e.op == Op::Div || (e.op == Op::Define && p_.defines.at(e.index).value && divides(*p_.defines[e.index].value));
    for (const ExprRef &a : e.args) r = r || divides(*a);
    divides_.emplace(&e, r);
    return r;
  }

  void walk(const ExprRef &e, const ExprRef &ctx) {
    if (!e || !divides(*e) || !seen_.insert({e.get(), ctx.get()}).second) return;
    if (ctx) alive_.push_back(ctx);  // its address stays unique while seen_ holds it
    switch (e->op) {
    case Op::Define: uses_.at(e->index).push_back(ctx); return;
    case Op::If: {
      walk(e->args[0], ctx);
      ExprRef c = b::isTrue(e->args[0]);
      walk(e->args[1], both(ctx, c));
      walk(e->args[2], both(ctx, b::unary(Op::Not, c)));
      return;
    }
    case Op::And: case Op::Or: {
      // Operand i is read when no earlier one decided: none known false
      // (and) or known true (or); unknown decides nothing.
      bool isAnd = e->op == Op::And;
      ExprRef c = ctx;
      for (const ExprRef &a : e->args) {
        walk(a, c);
        ExprRef decides = isAnd ? b::nary(Op::And, {b::known(a), b::unary(Op::Not, a)}) : b::isTrue(a);
        if (!a->mayBeMissing && isAnd) decides = b::unary(Op::Not, a);
        c = both(c, b::unary(Op::Not, decides));
      }
      return;
    }
    default: break;
    }
    for (const ExprRef &a : e->args) walk(a, ctx);
    if (e->op == Op::Div) {
      auto [it, fresh] = index_.emplace(e.get(), out_.size());
      if (fresh) {
        Division d;
        d.numerator = e->args[0];
        d.divisor = e->args[1];
        d.text = toString(p_, *e);
        d.range = e->range;
        out_.push_back(std::move(d));
      }
      Division &d = out_[it->second];
      if (!ctx) d.everywhere = true;
      else d.contexts.push_back(ctx);
    }
  }

  /// Define indices, each before the defines its value reads.
  std::vector<int> usersFirst() const {
    std::vector<int> order;
    std::vector<char> state(p_.defines.size(), 0);
    std::function<void(const Expr &)> deps;
    std::function<void(int)> visit = [&](int d) {
      if (state[d]) return;
      state[d] = 1;
      if (p_.defines[d].value) deps(*p_.defines[d].value);
      order.push_back(d);  // after what it reads
    };
    deps = [&](const Expr &e) {
      if (e.op == Op::Define) visit(e.index);
      for (const ExprRef &a : e.args) deps(*a);
    };
    for (size_t d = 0; d < p_.defines.size(); ++d) visit(static_cast<int>(d));
    return {order.rbegin(), order.rend()};
  }

  const Protocol &p_;
  std::vector<std::vector<ExprRef>> uses_;
  std::set<std::pair<const Expr *, const Expr *>> seen_;
  std::map<const Expr *, bool> divides_;
  std::vector<ExprRef> alive_;
  std::map<const Expr *, size_t> index_;
  std::vector<Division> out_;
};

/// The division is computed without error: not read, an operand missing
/// (then the result is missing), or a divisor that is not 0.
ExprRef safe(const Division &d) {
  std::vector<ExprRef> ok;
  if (!d.everywhere) {
    ExprRef read = d.contexts.size() == 1 ? d.contexts[0] : b::nary(Op::Or, d.contexts);
    ok.push_back(b::unary(Op::Not, read));
  }
  if (d.numerator->mayBeMissing) ok.push_back(b::unary(Op::Not, b::known(d.numerator)));
  if (d.divisor->mayBeMissing) ok.push_back(b::unary(Op::Not, b::known(d.divisor)));
  ok.push_back(b::isTrue(b::binary(Op::Ne, d.divisor, b::number(Rational(0), d.divisor->type.dim))));
  return ok.size() == 1 ? ok[0] : b::nary(Op::Or, std::move(ok));
}

class Run {
public:
  Run(const Protocol &p, const Options &o, Report &report)
      : p_(p), options_(o), report_(report), z3_(p, o), boxes_(p) {
    for (const Example &e : p.examples) exampleNames_.insert(e.name);
    if (o.crossCheck) cross_.emplace(p, o, report);
  }

  void all() {
    populationNotEmpty();
    // The course search first: every obligation after it that reads a
    // course state is restricted to the states it finds (restrictWhereRead).
    // It searches without the partial operations assumed safe (as it does
    // without the population assumptions): a superset of the states it
    // finds with them (docs/verifier.md, "Course properties").
    own_ = exploreCourses();
    assumptions();
    partialOperations();
    buildConditions(p_, boxes_, [&](Obligation &&o) {
      for (const ExprRef &part : o.shared) z3_.keep(part);
      decide(o);
      if (o.kind == PropertyKind::Reaches && report_.properties.back().status == Status::Proved)
        holdsBecause(o, report_.properties.back());
      if (o.kind == PropertyKind::Assertion && report_.properties.back().status == Status::Proved) {
        holdsBecause(o, report_.properties.back());
        // Over the reachable records, only when the proof does not need them.
        const PropertyResult::Explanation &x = report_.properties.back().explanation;
        bool ranges = !o.reachable || (x.because && std::find(x.holdsBecause.begin(), x.holdsBecause.end(),
                                                               reachableName(o)) == x.holdsBecause.end());
        for (const Property &prop : p_.properties)
          if (ranges && prop.range == o.range && (prop.kind == Property::Kind::Always || prop.kind == Property::Kind::Never) &&
              onlyInputs(*prop.expr, prop.range))
            vacuous(o.range, o.proved,
                    std::string("it follows from the input ranges") +
                        (p_.assumptions.empty() ? " and the population" : ", the population and the assumptions") +
                        " alone (it reads no define, tier or rule)");
      }
    }, courseRestrictions());
    courseTraps();
    overlaps();
    doses();
    unspecified();
    report_.stats.z3Checks = z3_.checks();
    report_.stats.witnessesFolded = z3_.groundConfirmations();
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

  /// The population assumptions (docs/verifier.md, "Assumptions"): each
  /// holds for some patient of the population, and all of them together
  /// (else every proof is vacuous: the smallest set that no patient
  /// satisfies is named). Then every later question is asked under them.
  void assumptions() {
    if (p_.assumptions.empty()) return;
    std::vector<ExprRef> truths;
    bool each = true;
    for (const Assumption &as : p_.assumptions) {
      Obligation o;
      o.kind = PropertyKind::Population;
      o.goal = Obligation::Goal::Satisfiable;
      o.formula = b::isTrue(as.condition);
      truths.push_back(o.formula);
      o.proved = "assumption '" + as.name + "' holds for some patient in the population";
      o.range = as.range;
      restrictWhereRead(p_, o, courseRestrictions());
      o.refuted = nobody(o, "patient in the population and the input ranges") + " satisfies assumption '" + as.name + "'";
      decide(o);
      each = each && report_.properties.back().status == Status::Proved;
    }
    if (each && truths.size() > 1) {
      Obligation o;
      o.kind = PropertyKind::Population;
      o.goal = Obligation::Goal::Satisfiable;
      o.formula = b::nary(Op::And, truths);
      o.proved = "some patient in the population satisfies all " + std::to_string(truths.size()) + " assumptions";
      o.range = p_.assumptions[0].range;
      std::string names = "all " + std::to_string(truths.size());
      ++report_.stats.solverChecks;
      if (z3_.holdsForSome(o.formula).kind == Answer::Kind::No) {
        // The smallest set no patient satisfies, by deletion: drop each
        // assumption the rest are unsatisfiable without.
        std::vector<size_t> core;
        for (size_t i = 0; i < truths.size(); ++i) core.push_back(i);
        for (size_t k = 0; k < core.size() && core.size() > 2;) {
          std::vector<ExprRef> rest;
          for (size_t j = 0; j < core.size(); ++j)
            if (j != k) rest.push_back(truths[core[j]]);
          ++report_.stats.solverChecks;
          if (z3_.holdsForSome(rest.size() == 1 ? rest[0] : b::nary(Op::And, rest)).kind == Answer::Kind::No)
            core.erase(core.begin() + static_cast<std::ptrdiff_t>(k));
          else
            ++k;
        }
        std::vector<ExprRef> parts;
        names.clear();
        for (size_t j = 0; j < core.size(); ++j) {
          const Assumption &as = p_.assumptions[core[j]];
          names += (j == 0 ? "'" : j + 1 == core.size() ? "' and '" : "', '") + as.name;
          if (j + 1 == core.size()) names += "'";
          parts.push_back(truths[core[j]]);
          if (j > 0) o.related.push_back({as.range, "assumption '" + as.name + "' is here"});
        }
        o.formula = b::nary(Op::And, parts);
        o.range = p_.assumptions[core[0]].range;
      }
      restrictWhereRead(p_, o, courseRestrictions());
      o.refuted = nobody(o, "patient in the population") + " satisfies assumptions " + names +
                  " together: every other proof would be vacuous";
      decide(o);
    }
    std::vector<ExprRef> hold;
    for (const Assumption &as : p_.assumptions) hold.push_back(assumptionHolds(as));
    z3_.restrict(hold.size() == 1 ? hold[0] : b::nary(Op::And, hold));
  }

  /// Whether the patient is in the population and possible under every
  /// assumption, on the evaluator (throws EvalError as evaluateBool does).
  bool possible(const std::vector<Value> &patient) const {
    if (p_.population && !evaluateBool(p_, *p_.population, patient)) return false;
    for (const Assumption &as : p_.assumptions)
      if (!evaluateBool(p_, *assumptionHolds(as), patient)) return false;
    return true;
  }

  /// The assumptions a counterexample satisfies: a note at each, and their
  /// names in the result (an assumption a missing value leaves unknown is
  /// said so).
  void assumptionsOf(const std::vector<Value> &patient, PropertyResult &r) const {
    for (const Assumption &as : p_.assumptions) {
      try {
        Value v = evaluate(p_, *as.condition, patient);
        if (v.missing) {
          r.related.push_back({as.range, "assumption '" + as.name + "' cannot be judged for this patient (a value it reads is missing)"});
        } else if (v.boolean) {
          r.related.push_back({as.range, "the patient satisfies assumption '" + as.name + "'"});
          r.assumptions.push_back(as.name);
        }
      } catch (const EvalError &) {
        // --check-models reports a patient the evaluator cannot run
      }
    }
  }

  /// The operations the evaluator cannot always complete: every division
  /// is safe for the patients who reach it, and every dose computed from an
  /// optional input is known where it is given (one obligation each,
  /// assuming the ones before it: a patient is blamed on the first). Then every
  /// later question is about patients for whom they all are, so no amount
  /// computed from a zero divisor is ever reported, and every counterexample
  /// can be evaluated by `carepath test`.
  void partialOperations() {
    std::vector<Division> ds = DivisionFinder(p_).find(allFires());
    // A per-kg limit divides the dose by the dosing weight (limitCheck).
    if (p_.dosingWeight >= 0) {
      const Input &w = p_.inputs[p_.dosingWeight];
      if (!(w.lo && *w.lo > Rational(0)))
        for (const DoseSite &site : buildDoseSites(p_)) {
          const Action &a = *site.action;
          bool perKg = false;
          for (const Limit &l : p_.drugs[a.drug].limits) perKg = perKg || l.perWeight;
          for (const Property &prop : p_.properties)
            perKg = perKg || (prop.kind == Property::Kind::DoseAtMost && prop.actionName == a.name && prop.bound &&
                              prop.bound->perWeight);
          if (!perKg) continue;
          Division d;
          d.numerator = givenAmount(a).high;
          d.divisor = b::input(p_.dosingWeight, w.type, {}, w.optional);
          d.contexts = {site.condition};
          d.text = "the dose per dosing weight '" + w.name + "'";
          d.why = "the per-kg limit of " + a.name + " at " + site.where;
          d.range = a.range;
          ds.push_back(std::move(d));
        }
    }
    // Each partial operation: its obligation (the formula: it is safe) and
    // its division, if it is one.
    std::vector<Obligation> obs;
    std::vector<const Division *> divs;
    for (const Division &d : ds) {
      Obligation o;
      o.kind = PropertyKind::DivisionSafe;
      o.formula = safe(d);
      std::string divisor = toString(p_, *d.divisor);
      o.proved = "'" + d.text + "' never divides by zero";
      o.refuted = d.why.empty() ? "division by zero possible: '" + divisor + "' is 0 for this patient in '" + d.text + "'"
                                : "division by zero possible: " + d.why + " divides by '" + divisor +
                                      "', which is 0 for this patient";
      o.range = d.range;
      obs.push_back(std::move(o));
      divs.push_back(&d);
    }
    // A dose computed from an optional input must be known whenever the
    // give fires: the evaluator cannot give a missing amount either.
    for (const DoseSite &site : buildDoseSites(p_)) {
      if (!site.amount.low->mayBeMissing && !site.amount.high->mayBeMissing) continue;
      const Action &a = *site.action;
      std::string what = a.name + " dose at " + site.where;
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
      obs.push_back(std::move(o));
      divs.push_back(nullptr);
    }
    if (obs.empty()) return;
    std::set<int> over;  // the course pathways the proved divisions were restricted to
    std::vector<ExprRef> all;
    for (const Obligation &o : obs) all.push_back(o.formula);
    std::vector<size_t> rank = evaluationRank(ds);
    size_t proved = 0;
    for (size_t i = 0; i < obs.size(); ++i) {
      // Each assumes the ones before it, never a later one: assuming every
      // other one, two divisions that fail for the same patients each
      // proved the other safe. A patient is blamed on the first it fails;
      // when all are proved, the first holds outright, the second given the
      // first, and so on. "Before" is the order the evaluator computes them
      // in where one is on the way to another (evaluationRank), so a
      // division is never blamed for a patient the evaluator stops at an
      // earlier one for; the dose checks come after every division.
      std::vector<ExprRef> earlier;
      for (size_t j = 0; j < obs.size(); ++j)
        if (j < ds.size() && i < ds.size() ? rank[j] < rank[i] : j < i) earlier.push_back(all[j]);
      // Over the reachable records when its own formula reads a course
      // state (a division at a course tier); the earlier ones it assumes
      // are assumed over every record, as every later question assumes
      // them (a record they exclude divides by zero: the evaluator gives
      // it no decision to judge).
      Obligation o = obs[i];
      restrictWhereRead(p_, o, courseRestrictions());
      if (!earlier.empty())
        o.formula = b::nary(Op::Or, {b::unary(Op::Not, earlier.size() == 1 ? earlier[0] : b::nary(Op::And, earlier)), o.formula});
      division_ = divs[i];
      decide(o);
      division_ = nullptr;
      if (o.kind == PropertyKind::DivisionSafe && report_.properties.back().status == Status::Proved) {
        report_.properties.pop_back(), ++proved;
        over.insert(o.restrictedTo.begin(), o.restrictedTo.end());
      }
    }
    if (!ds.empty() && proved == ds.size()) {
      PropertyResult r;
      r.kind = PropertyKind::DivisionSafe;
      r.status = Status::Proved;
      r.message = "no division divides by zero (" + std::to_string(ds.size()) +
                  (ds.size() == 1 ? " division" : " divisions") + ")";
      // Some divisions are read at a course state: proved over its reachable records.
      if (!over.empty()) {
        r.restrictedTo.assign(over.begin(), over.end());
        r.message += ", over " + reachableName(r.restrictedTo);
      }
      report_.properties.push_back(std::move(r));
    }
    partialSafe_ = all.size() == 1 ? all[0] : b::nary(Op::And, all);
    z3_.assume(partialSafe_);
  }

  std::vector<std::vector<ExprRef>> allFires() const {
    std::vector<std::vector<ExprRef>> out;
    for (const Table &t : p_.tables) out.push_back(rulesFire(t));
    return out;
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
    return uniqueName(name);
  }

  /// `name`, or "name (2)", "name (3)" ...: not an example of the protocol
  /// nor an earlier counterexample's.
  std::string uniqueName(const std::string &name) {
    std::string unique = name;
    for (int n = 2; exampleNames_.count(unique); ++n) unique = name + " (" + std::to_string(n) + ")";
    exampleNames_.insert(unique);
    return unique;
  }

  /// The course states of every course pathway reachable from a fresh
  /// patient (CourseReach.h), and the restriction of its course
  /// obligations: those states, or, when the search stopped, every record
  /// with the reason a counterexample may be one no course produces.
  std::vector<CourseRestriction> exploreCourses() {
    std::vector<CourseRestriction> out(p_.pathways.size());
    courses_.resize(p_.pathways.size());
    for (size_t pw = 0; pw < p_.pathways.size(); ++pw) {
      if (!p_.pathways[pw].course) continue;
      CourseGraph g = exploreCourse(p_, {static_cast<int>(pw)}, z3_);
      out[pw] = restrictionOf(g);
      courses_[pw] = std::move(g);
    }
    return out;
  }

  /// A search's figures in the report and its restriction: the reachable
  /// states (kept encoded: in every course obligation), or why it stopped.
  CourseRestriction restrictionOf(const CourseGraph &g) {
    report_.stats.courseChecks += g.queries;
    report_.stats.courseStates += g.states.size();
    CourseReach reach;
    reach.pathways = g.pathways;
    reach.complete = g.complete;
    reach.why = g.whyIncomplete;
    reach.states = g.states;
    report_.courses.push_back(std::move(reach));
    CourseRestriction r;
    if (g.complete) {
      r.reachable = reachableCourse(p_, g);
      z3_.keep(r.reachable);
    } else {
      r.why = g.whyIncomplete;
    }
    return r;
  }

  /// The restriction of an obligation that reads several course pathways:
  /// their joint search (docs/verifier.md, "Several course pathways"), once
  /// per set, asked when the first obligation needs it. When one pathway's
  /// own search stopped, its reason: the joint search is not tried (its
  /// states are fewer, so it might finish; at worst a needless unknown).
  CourseRestriction jointRestriction(const std::vector<int> &pathways, const std::vector<CourseRestriction> &own) {
    for (int pw : pathways)
      if (!own[pw].reachable) {
        // In the report (and so the compiled table, `jointCourses`) once,
        // with the reason: a set read together whose states are unknown.
        if (unsearched_.insert(pathways).second) {
          CourseReach reach;
          reach.pathways = pathways;
          reach.why = "not searched jointly: " + own[pw].why;
          report_.courses.push_back(std::move(reach));
        }
        return own[pw];
      }
    auto it = joint_.find(pathways);
    if (it == joint_.end()) {
      CourseGraph g = exploreCourse(p_, pathways, z3_);
      CourseRestriction r = restrictionOf(g);
      it = joint_.emplace(pathways, std::make_pair(std::move(g), std::move(r))).first;
    }
    return it->second.second;
  }

  /// The restriction of the obligations that read the course state of
  /// some pathways: one pathway's own search, or their joint one.
  CourseRestrictions courseRestrictions() {
    return [this](const std::vector<int> &pathways) {
      return pathways.size() == 1 ? own_[pathways[0]] : jointRestriction(pathways, own_);
    };
  }

  /// The graph of one pathway's search, or of a joint one.
  const CourseGraph &graph(const std::vector<int> &pathways) const {
    return pathways.size() == 1 ? *courses_[pathways[0]] : joint_.at(pathways).first;
  }

  /// With `--cross-check`, the questions that closed a joint search's
  /// states (Z3: unsat), in the first result that rests on it (a pathway's
  /// own are in its course-trap result).
  void crossCheckJoint(const std::vector<int> &pathways, PropertyResult &r) {
    if (!cross_ || pathways.size() < 2 || !jointChecked_.insert(pathways).second) return;
    const CourseGraph &g = graph(pathways);
    for (size_t s = 0; s < g.closing.size(); ++s) {
      if (!g.closing[s]) continue;
      std::string why;
      cross_->check(r, z3_.benchmark(g.closing[s], false, why), why, false,
                    "the joint search's last question for course state " + std::to_string(s + 1));
    }
  }

  /// `course-trap` (docs/verifier.md, "Course properties"): a property of
  /// the reachable-state graph, not one record. From every reachable state
  /// on the pathway some course of records (findings free at each step)
  /// reaches a state off it; refuted by the course to the first trap state
  /// in search order and a record in it.
  void courseTraps() {
    for (size_t pwi = 0; pwi < courses_.size(); ++pwi) {
      if (!courses_[pwi]) continue;
      const CourseGraph &g = *courses_[pwi];
      const Pathway &path = p_.pathways[pwi];
      int pw = static_cast<int>(pwi);
      PropertyResult r;
      r.kind = PropertyKind::CourseTrap;
      r.range = path.range;
      std::string proved = "from every course state of pathway '" + path.name +
                           "' reachable from a fresh patient, some course of records leaves it by an exit";
      if (!g.complete) {
        r.status = Status::Unknown;
        r.reason = g.whyIncomplete;
        r.message = "could not decide: " + proved;
        report_.properties.push_back(std::move(r));
        continue;
      }
      // Backwards from the states off the pathway.
      std::vector<std::vector<int>> into(g.states.size());
      for (size_t s = 0; s < g.states.size(); ++s)
        for (int t : g.successors[s]) into[t].push_back(static_cast<int>(s));
      std::vector<bool> leaves(g.states.size());
      std::vector<int> work;
      for (size_t s = 0; s < g.states.size(); ++s)
        if (!g.states[s][0].on) leaves[s] = true, work.push_back(static_cast<int>(s));
      while (!work.empty()) {
        int t = work.back();
        work.pop_back();
        for (int s : into[t])
          if (!leaves[s]) leaves[s] = true, work.push_back(s);
      }
      int trap = -1;
      for (size_t s = 0; s < g.states.size() && trap < 0; ++s)
        if (!leaves[s]) trap = static_cast<int>(s);
      // The graph is complete by Z3's unsat answers, one per state: cvc5
      // is asked them here, once per pathway (the other course results of
      // the pathway rely on them too).
      auto crossCheckSearch = [&] {
        if (!cross_) return;
        for (size_t s = 0; s < g.closing.size(); ++s) {
          if (!g.closing[s]) continue;
          std::string why;
          cross_->check(r, z3_.benchmark(g.closing[s], false, why), why, false,
                        "the search's last question for course state " + std::to_string(s + 1));
        }
      };
      if (trap < 0) {
        r.status = Status::Proved;
        r.message = proved + " (" + std::to_string(g.states.size()) + " states)";
        crossCheckSearch();
        report_.properties.push_back(std::move(r));
        continue;
      }
      r.status = Status::Refuted;
      r.message = "this patient is on course pathway '" + path.name +
                  "' in a course state from which no course of records reaches an exit: they stay on it forever";
      // A record in the trap state, shown at the end of its course.
      ++report_.stats.solverChecks;
      Answer a = z3_.holdsForSome(courseStateIs(p_, pw, g.states[trap][0]));
      if (a.reused) --report_.stats.solverChecks, ++report_.stats.witnessesReused;
      if (a.kind == Answer::Kind::Yes && a.patient) {
        bool exact = true;
        for (size_t i = 0; i < p_.inputs.size(); ++i) exact = exact && hasDecimalForm(p_, static_cast<int>(i), (*a.patient)[i]);
        if (exact) {
          r.counterexample = a.patient;
          std::string name = uniqueName(std::string(spelling(r.kind)) + " counterexample");
          r.example = exampleBlock(p_, name, *a.patient, tierExpectations({pw}, *a.patient));
          courseTo({pw}, *a.patient, spelling(r.kind), r);
        }
      }
      crossCheckSearch();
      report_.properties.push_back(std::move(r));
    }
  }

  /// Which tiers of the pathways apply for the record, as `expect` lines.
  std::vector<std::string> tierExpectations(const std::vector<int> &pathways, const std::vector<Value> &patient) const {
    std::vector<std::string> out;
    for (int pw : pathways) {
      const Pathway &path = p_.pathways[pw];
      for (size_t t = 0; t < path.tiers.size(); ++t) {
        bool applies = false;
        try {
          applies = evaluateBool(p_, *p_.tierGuard(pw, static_cast<int>(t)), patient);
        } catch (const EvalError &) {
        }
        out.push_back(std::string(applies ? "expect " : "expect not ") + path.name + "." + path.tiers[t].name);
      }
    }
    return out;
  }

  /// A course counterexample: the records from a fresh patient that lead
  /// to `patient`'s course state on the pathways (one, or several searched
  /// jointly), each an example block with the tiers that apply for it.
  void courseTo(const std::vector<int> &pathways, const std::vector<Value> &patient, const std::string &kind, PropertyResult &r) {
    const CourseGraph &g = graph(pathways);
    int s = g.find(jointStateOf(p_, pathways, patient));
    if (s < 0) {
      report_.internalErrors.push_back("the counterexample of " + kind + " (" + r.message +
                                       ") is in a course state the search did not reach");
      return;
    }
    std::string disagreement;
    std::vector<std::vector<Value>> records = readableCourse(p_, g, s, z3_, disagreement);
    r.coursePathway = pathways[0];
    if (!disagreement.empty()) report_.internalErrors.push_back(disagreement);
    size_t n = records.size() + 1;
    for (size_t k = 0; k < records.size(); ++k) {
      PropertyResult::CourseStep step;
      step.patient = records[k];
      bool exact = true;
      for (size_t i = 0; i < p_.inputs.size(); ++i) exact = exact && hasDecimalForm(p_, static_cast<int>(i), records[k][i]);
      if (exact)
        step.example = exampleBlock(p_, uniqueName(kind + " course, record " + std::to_string(k + 1) + " of " + std::to_string(n)),
                                    records[k], tierExpectations(pathways, records[k]));
      r.course.push_back(std::move(step));
    }
  }

  /// A proof over the reachable course states says so: a reader must not
  /// take it for every record (eval and the runtime flag a record no course
  /// produces, course-state-unreachable, but decide it all the same).
  /// The course kinds are about courses by their wording already.
  void sayRestricted(const Obligation &o, PropertyResult &r) const {
    if (r.status == Status::Proved && o.reachable && !o.restrictedTo.empty() && !isCourseKind(o.kind))
      r.message += ", over " + reachableName(o);
  }

  /// A Satisfiable goal restricted to the reachable course states, proved:
  /// its witness (a record in one of them) as an example block, with the
  /// course from a fresh patient that leads to it (docs/verifier.md,
  /// "Course properties"). Over every record a witness is not shown.
  void witnessCourse(const Obligation &o, const std::vector<Value> &patient, PropertyResult &r) {
    if (!o.reachable || o.restrictedTo.empty()) return;
    for (size_t i = 0; i < p_.inputs.size(); ++i)
      if (!hasDecimalForm(p_, static_cast<int>(i), patient[i])) return;
    r.witness = patient;
    std::string kind = spelling(o.kind);
    r.example = exampleBlock(p_, uniqueName(kind + " witness"), patient, tierExpectations(o.restrictedTo, patient));
    courseTo(o.restrictedTo, patient, kind, r);
  }

  /// Replays a counterexample on the evaluator: it must be in the
  /// population and must falsify the formula.
  /// A counterexample's course state on a pathway its formula does not
  /// read (every pathway, when it reads none) is Z3's free choice, and may
  /// be one no course produces, which `carepath test` and `eval` flag
  /// (course-state-unreachable): pasted, the block would fail. The same
  /// record in a fresh patient's state on each such pathway (its search's
  /// states[0]) is shown instead when the IR evaluator confirms it is in
  /// the population and refutes the property too (it must, the formula not
  /// reading that state; the evaluator is asked rather than trusted to it),
  /// and when every search, joint ones included, has the moved record in a
  /// reachable state.
  /// Not for division-safe, whose refutation the evaluator cannot replay
  /// by `decided` (checkDivision).
  void intoReachableState(const Obligation &o, const ExprRef &decided, std::vector<Value> &patient) {
    if (o.kind == PropertyKind::DivisionSafe || !decided) return;
    std::vector<Value> fresh = patient;
    bool moved = false;
    // An entry read together (a joint search) moves its pathways the
    // formula does not read likewise, each to its fresh state.
    for (size_t k : unreachableCourses(p_, report_.courses, patient)) {
      const CourseReach &reach = report_.courses[k];
      if (reach.states.empty()) continue;
      for (size_t i = 0; i < reach.pathways.size(); ++i) {
        int pw = reach.pathways[i];
        if (std::find(o.restrictedTo.begin(), o.restrictedTo.end(), pw) != o.restrictedTo.end()) continue;
        const Pathway &path = p_.pathways[pw];
        const CourseState &start = reach.states[0][i];
        fresh[path.onInput] = Value::ofBool(start.on);
        for (size_t t = 0; t < path.tiers.size(); ++t)
          fresh[path.tiers[t].stateInput] = Value::ofEnum(static_cast<int>(start.tiers[t]));
        moved = true;
      }
    }
    if (!moved) return;
    // Moved, the record must be in a reachable state on every search, the
    // joint ones included (a pathway moved to its fresh state may leave a
    // set it shares with a pathway the formula reads in a joint state no
    // course produces): else Z3's record stands.
    if (!unreachableCourses(p_, report_.courses, fresh).empty()) return;
    try {
      if (possible(fresh) && !evaluateBool(p_, *decided, fresh)) patient = std::move(fresh);
    } catch (const EvalError &) {
      // The evaluator cannot decide this record: keep Z3's.
    }
  }

  void checkModel(const Obligation &o, const std::vector<Value> &patient) {
    if (!options_.checkModels) return;
    if (o.kind == PropertyKind::DivisionSafe && division_) return checkDivision(o, *division_, patient);
    std::string problem;
    try {
      bool inPopulation = possible(patient);
      bool holds = evaluateBool(p_, *o.formula, patient);
      if (!inPopulation) problem = "the patient is outside the population or violates an assumption";
      else if (holds) problem = "the property holds for the patient on the IR evaluator";
    } catch (const EvalError &e) {
      problem = std::string("the IR evaluator failed on the patient: ") + e.what();
    }
    if (!problem.empty())
      report_.internalErrors.push_back("model check failed for " + std::string(spelling(o.kind)) + " (" + o.refuted + "): " + problem);
  }

  /// A division's counterexample on the evaluator: in the population, the
  /// divisor 0 and the numerator known, and the division computed: some
  /// context of it holds, or evaluating one already divides by zero (as
  /// the evaluator would on its way there).
  /// A position for each division in an order the evaluator computes them
  /// in: every division inside another's operands or, unless it is computed
  /// for every patient, its contexts (through defines) comes before it;
  /// otherwise the finder's order. A cycle (two contexts that each hold the
  /// other's division) is broken where the search meets it, so the order
  /// is total and each division assumes only divisions ranked before it.
  std::vector<size_t> evaluationRank(const std::vector<Division> &ds) const {
    std::map<std::pair<const Expr *, const Expr *>, size_t> byOperands;
    for (size_t j = 0; j < ds.size(); ++j) byOperands.emplace(std::make_pair(ds[j].numerator.get(), ds[j].divisor.get()), j);
    auto within = [&](const ExprRef &root, std::set<size_t> &out, std::set<const Expr *> &seen) {
      std::vector<const Expr *> todo{root.get()};
      while (!todo.empty()) {
        const Expr *e = todo.back();
        todo.pop_back();
        if (!e || !seen.insert(e).second) continue;
        if (e->op == Op::Div) {
          auto it = byOperands.find({e->args[0].get(), e->args[1].get()});
          if (it != byOperands.end()) out.insert(it->second);
        }
        if (e->op == Op::Define && p_.defines.at(e->index).value) todo.push_back(p_.defines[e->index].value.get());
        for (const ExprRef &a : e->args) todo.push_back(a.get());
      }
    };
    std::vector<std::set<size_t>> before(ds.size());
    for (size_t i = 0; i < ds.size(); ++i) {
      std::set<const Expr *> seen;
      within(ds[i].numerator, before[i], seen);
      within(ds[i].divisor, before[i], seen);
      if (!ds[i].everywhere)
        for (const ExprRef &c : ds[i].contexts) within(c, before[i], seen);
      before[i].erase(i);
    }
    std::vector<size_t> rank(ds.size(), 0);
    std::vector<char> state(ds.size(), 0);
    size_t next = 0;
    std::function<void(size_t)> visit = [&](size_t i) {
      if (state[i]) return;
      state[i] = 1;
      for (size_t j : before[i]) visit(j);
      rank[i] = next++;
    };
    for (size_t i = 0; i < ds.size(); ++i) visit(i);
    return rank;
  }

  void checkDivision(const Obligation &o, const Division &d, const std::vector<Value> &patient) {
    std::string problem;
    try {
      bool reached = d.everywhere;
      for (const ExprRef &c : d.contexts) {
        if (reached) break;
        try {
          reached = evaluateBool(p_, *c, patient);
        } catch (const EvalError &) {
          // The evaluator stops there: the division is not computed.
        }
      }
      Value divisor = evaluate(p_, *d.divisor, patient), numerator = evaluate(p_, *d.numerator, patient);
      if (!possible(patient)) problem = "the patient is outside the population or violates an assumption";
      else if (divisor.missing || numerator.missing) problem = "an operand of the division is missing for the patient";
      else if (!divisor.number.isZero()) problem = "the divisor is not 0 for the patient on the IR evaluator";
      else if (!reached) problem = "the IR evaluator does not compute the division for the patient";
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
      // Every later question assumes the partial operations safe: a patient
      // they exclude (a division by zero) is no witness Z3 can confirm.
      return possible(patient) && evaluateBool(p_, *formula, patient) &&
             (!partialSafe_ || evaluateBool(p_, *partialSafe_, patient));
    } catch (const EvalError &) {
      return false;
    }
  }

  /// `input == value` for every input of a (complete) patient.
  ExprRef pinned(const std::vector<Value> &patient) const {
    namespace b = ir::build;
    std::vector<ExprRef> eqs;
    for (size_t i = 0; i < patient.size(); ++i) {
      const Input &in = p_.inputs[i];
      const Value &v = patient[i];
      ExprRef c;
      switch (in.type.kind) {
        case Type::Kind::Bool: c = b::boolean(v.boolean); break;
        case Type::Kind::Number: c = b::number(v.number, in.type.dim); break;
        case Type::Kind::Enum: c = b::member(in.type.enumType, v.member); break;
        case Type::Kind::String: c = b::string(v.text); break;
      }
      eqs.push_back(b::binary(Op::Eq, b::input(static_cast<int>(i), in.type, {}, in.optional), c));
    }
    return eqs.empty() ? b::boolean(true) : b::nary(Op::And, eqs);
  }

  void decide(const Obligation &o) {
    PropertyResult r;
    r.kind = o.kind;
    r.range = o.range;
    r.related = o.related;
    if (o.reachable) r.restrictedTo = o.restrictedTo;
    if (o.goal == Obligation::Goal::Satisfiable && o.witness && o.unreachableWhy.empty() &&
        confirmed(o.formula, *o.witness)) {
      // "Proved" is Z3's word: it is asked about this one patient, every
      // input fixed, which it answers at once (the search was the cost).
      Answer a = z3_.holdsForSomeAt(o.formula, *o.witness);
      if (a.kind == Answer::Kind::Yes) {
        ++report_.stats.witnessesBuilt;
        r.status = Status::Proved;
        r.message = o.proved;
        if (cross_) {
          std::string why;
          ExprRef atWitness = ir::build::nary(Op::And, {o.formula, pinned(*o.witness)});
          cross_->check(r, z3_.benchmark(atWitness, false, why), why, true, "the witness query");
        }
        witnessCourse(o, *o.witness, r);
        sayRestricted(o, r);
        report_.properties.push_back(std::move(r));
        return;
      }
      // Z3 unknown (a resource limit): decided below like any question.
      if (a.kind == Answer::Kind::No)
        report_.internalErrors.push_back("the evaluator and Z3 disagree on a witness for " +
                                         std::string(spelling(o.kind)) + " (" + o.proved + ")");
    }
    ++report_.stats.solverChecks;
    if (o.goal == Obligation::Goal::Satisfiable) {
      Answer a = z3_.holdsForSome(o.formula);
      if (a.reused) --report_.stats.solverChecks, ++report_.stats.witnessesReused;
      fill(r, a, o, /*refuteOn=*/Answer::Kind::No);
      if (r.status == Status::Proved && !o.unreachableWhy.empty()) {
        // A record over every record may be one no course produces: no witness.
        r.status = Status::Unknown;
        r.reason = o.unreachableWhy;
        r.message = "could not decide: " + o.proved;
      } else if (r.status == Status::Proved && a.patient) {
        witnessCourse(o, *a.patient, r);
      }
      if (r.status == Status::Refuted && o.coverBase) explainCover(o, r);
      // A reused witness is Z3's model too: cvc5 is asked all the same.
      if (cross_ && r.status != Status::Unknown) {
        std::string why;
        cross_->check(r, z3_.benchmark(o.formula, false, why), why, a.kind == Answer::Kind::Yes, "the witness query");
      }
    } else {
      Answer a = z3_.holdsForAll(o.formula, o.observed);
      // A taper's upper bound exceeded: its lower bound decides a refutation
      // (that patient exceeds whatever the taper's shape); else unknown.
      ExprRef decided = o.formula;
      bool atLowerBound = false;
      if (a.kind == Answer::Kind::No && !o.boundsWhy.empty()) {
        std::optional<Answer> low;
        if (o.lowFormula) {
          ++report_.stats.solverChecks;
          low = z3_.holdsForAll(o.lowFormula, o.lowObserved);
        }
        if (low && low->kind == Answer::Kind::No) {
          a = std::move(*low);
          decided = o.lowFormula;
          atLowerBound = true;
        } else {
          a.kind = Answer::Kind::Unknown;
          a.reason = o.boundsWhy;
          a.patient.reset();
        }
      }
      if (a.kind == Answer::Kind::No && a.patient && o.unreachableWhy.empty()) intoReachableState(o, decided, *a.patient);
      fill(r, a, o, Answer::Kind::No);
      if (a.kind == Answer::Kind::No && !o.unreachableWhy.empty()) {
        // A record that may be one no course produces refutes nothing.
        r.status = Status::Unknown;
        r.reason = o.unreachableWhy;
        r.message = "could not decide: " + o.proved;
      } else if (a.kind == Answer::Kind::No && a.patient) {
        if (o.observed && a.observed)
          r.message += ": this patient gets " + std::string(atLowerBound ? "at least " : "") +
                       formatAmount(*a.observed, o.observedUnit) + (o.observedLabel.empty() ? "" : " " + o.observedLabel) +
                       (atLowerBound ? " at the full amount before the taper" : "");
        else if (atLowerBound)
          r.message += " even at the full amount before the taper";
        std::vector<std::string> expectations = o.expectations;
        attribute(o, *a.patient, r, expectations, atLowerBound);
        explainCounterexample(o, *a.patient, r);
        assumptionsOf(*a.patient, r);
        checkModel(o, *a.patient);
        // A value with no decimal form cannot be written in an example or a
        // patient file: the patient is described, never printed as a block.
        std::string inexact;
        for (size_t i = 0; i < p_.inputs.size(); ++i)
          if (!hasDecimalForm(p_, static_cast<int>(i), (*a.patient)[i]))
            inexact += (inexact.empty() ? "" : ", ") + p_.inputs[i].name + " = " +
                       formatQuantity((*a.patient)[i].number, p_.inputs[i].displayUnit);
        if (!inexact.empty()) {
          r.message += "; no patient with decimal values was found: this one needs " + inexact +
                       " exactly, which no example can write";
        } else {
          r.counterexample = a.patient;
          r.example = exampleBlock(p_, exampleName(o, *a.patient), *a.patient, expectations);
          if (!o.restrictedTo.empty()) courseTo(o.restrictedTo, *a.patient, spelling(o.kind), r);
        }
      } else if (r.status == Status::Proved && !o.incomplete.empty()) {
        // Part of the property could not be encoded: what was checked holds,
        // which is no proof of the whole.
        r.status = Status::Unknown;
        r.reason = o.incomplete;
        r.message = "could not decide: " + o.proved;
      }
      if (cross_ && r.status != Status::Unknown) {
        std::string why;
        cross_->check(r, z3_.benchmark(decided, true, why), why, a.kind == Answer::Kind::No,
                      "the counterexample query");
        crossCheckJoint(o.restrictedTo, r);
      }
    }
    sayRestricted(o, r);
    report_.properties.push_back(std::move(r));
    if (o.antecedent && report_.properties.back().status == Status::Proved) {
      ++report_.stats.solverChecks;
      Answer a = z3_.holdsForSome(o.antecedent);
      if (a.reused) --report_.stats.solverChecks, ++report_.stats.witnessesReused;
      if (a.kind == Answer::Kind::No) vacuous(o.range, o.proved, o.vacuousWhy);
    }
  }

  /// A proof that holds for no reason the protocol gives (docs/verifier.md, "Vacuity").
  void vacuous(SourceRange range, const std::string &proved, const std::string &why) {
    PropertyResult w;
    w.kind = PropertyKind::Vacuous;
    w.status = Status::Warning;
    w.range = range;
    w.message = "vacuous proof (" + proved + "): " + why;
    report_.properties.push_back(std::move(w));
  }

  /// Whether `e` reads nothing but inputs, as written in the property at
  /// `where`: no define, no tier, rule or output (those lower to
  /// expressions written elsewhere). Proved, such an `always`/`never`
  /// follows from the input ranges and the population alone.
  static bool onlyInputs(const Expr &e, SourceRange where) {
    if (e.op == Op::Define) return false;
    if (e.range.valid() && (e.range.file != where.file || e.range.begin < where.begin || e.range.end > where.end))
      return false;
    for (const ExprRef &a : e.args)
      if (!onlyInputs(*a, where)) return false;
    return true;
  }

  /// Names the sites of an action property that the counterexample meets:
  /// "by treat.young", a note at each (with the amount for a dose), and an
  /// `expect` line for each in the printed example. A refutation at the
  /// tapers' lower bounds names only the sites over the bound at theirs.
  void attribute(const Obligation &o, const std::vector<Value> &patient, PropertyResult &r,
                 std::vector<std::string> &expectations, bool atLowerBound = false) const {
    std::string by;
    for (const ActionSite &s : o.sites) {
      std::string note = o.siteNote;
      try {
        const ExprRef &exceeds = atLowerBound && s.conditionLow ? s.conditionLow : s.condition;
        if (!evaluateBool(p_, *exceeds, patient)) continue;
        // A taper's amount is a range: its shape decides where in it.
        auto shown = [&](const ExprRef &e) { return formatAmount(evaluate(p_, *e, patient).number, o.observedUnit); };
        if (s.observed)
          note += ": " + (s.observedLow ? shown(s.observedLow) + " .. " : std::string()) + shown(s.observed) +
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

  /// "'a', 'b' and 'c'"; after `max` names, "and N more".
  static std::string quotedList(const std::vector<std::string> &names, size_t max = 5) {
    std::string out;
    size_t shown = std::min(names.size(), max);
    for (size_t i = 0; i < shown; ++i) {
      bool last = i + 1 == shown && shown == names.size();
      out += (i == 0 ? "" : last ? " and " : ", ") + ("'" + names[i] + "'");
    }
    if (shown < names.size()) out += " and " + std::to_string(names.size() - shown) + " more";
    return out;
  }

  /// A refuted rule-shadowed (or `first` stage's tier-reachable): the
  /// earlier rules that cover it, a minimal set (Z3Backend::minimalCore),
  /// replace the list of every earlier rule that could.
  void explainCover(const Obligation &o, PropertyResult &r) {
    std::vector<size_t> core;
    if (!o.coverParts.empty()) {
      std::optional<std::vector<size_t>> c = z3_.minimalCore(o.coverBase, o.coverParts, report_.stats.explanationChecks);
      if (!c) return;  // undecided: the notes keep every earlier one that could
      core = std::move(*c);
    }
    PropertyResult::Explanation &x = r.explanation;
    x.covered = true;
    x.earlier = o.coverOf;
    const std::string &noun = o.coverNoun;
    std::vector<DiagNote> notes;
    for (size_t i : core) {
      x.coveredBy.push_back(o.coverNames[i]);
      DiagNote n = o.coverNotes[i];
      n.message += core.size() == 1 ? " covers it" : " covers part of it";
      notes.push_back(std::move(n));
    }
    // The notes of the earlier ones are replaced; any other note stays.
    std::vector<DiagNote> rest;
    for (const DiagNote &n : r.related) {
      bool earlier = false;
      for (const DiagNote &c : o.coverNotes) earlier = earlier || (c.range == n.range && c.message == n.message);
      if (!earlier) rest.push_back(n);
    }
    notes.insert(notes.end(), rest.begin(), rest.end());
    r.related = std::move(notes);
    size_t k = core.size(), of = o.coverOf;
    if (k == 0)
      r.message += "; its own condition holds for " + nobody(o, "patient in the population");
    else if (of == 1)
      r.message += "; its one earlier " + noun + " " + quotedList(x.coveredBy) + " covers it";
    else if (k == of)
      r.message += "; all " + std::to_string(of) + " of its earlier " + noun + "s are needed to cover it: " + quotedList(x.coveredBy);
    else
      r.message += "; " + std::to_string(k) + " of its " + std::to_string(of) + " earlier " + noun + "s " +
                   (k == 1 ? "covers" : "cover") + " it: " + quotedList(x.coveredBy);
  }

  /// A proved `always`/`never`: which of the population and the
  /// assumptions it needs (Z3Backend::neededFor, a minimal set); none: it
  /// holds for every patient within the input ranges. A proved `every P
  /// reaches T`: which of P's conditions too (an `and`'s operands), so a
  /// condition the proof does not need shows.
  void holdsBecause(const Obligation &o, PropertyResult &r) {
    std::vector<ExprRef> hypotheses;
    std::vector<std::string> names;
    ExprRef formula = o.reachable ? o.unrestricted : o.formula;
    if (o.kind == PropertyKind::Reaches) {
      if (!o.consequent) return;
      formula = o.consequent;
      for (const ExprRef &part : o.antecedentParts) {
        hypotheses.push_back(b::isTrue(part));
        names.push_back("'" + toString(p_, *part) + "'");
      }
    }
    if (p_.population) {
      hypotheses.push_back(b::isTrue(p_.population));
      names.push_back("the population");
    }
    for (const Assumption &as : p_.assumptions) {
      hypotheses.push_back(assumptionHolds(as));
      names.push_back("assumption '" + as.name + "'");
    }
    // Restricted to the reachable records: a candidate like the population.
    if (o.reachable) {
      hypotheses.push_back(o.reachable);
      names.push_back(reachableName(o));
    }
    if (hypotheses.empty()) return;
    std::optional<std::vector<size_t>> needed = z3_.neededFor(formula, hypotheses, report_.stats.explanationChecks);
    if (!needed) return;
    r.explanation.because = true;
    for (size_t i : *needed) r.explanation.holdsBecause.push_back(names[i]);
  }

  static bool isCourseKind(PropertyKind k) {
    return k == PropertyKind::CourseExit || k == PropertyKind::TierReentered || k == PropertyKind::ResponderFollowUp ||
           k == PropertyKind::CourseTrap;
  }

  /// How "What a proof needs" names an obligation's course restriction.
  std::string reachableName(const Obligation &o) const { return reachableName(o.restrictedTo); }
  std::string reachableName(const std::vector<int> &pathways) const {
    return std::string(pathways.size() == 1 ? "the course states of " : "the joint course states of ") +
           pathwaysText(p_, pathways) + " reachable from a fresh patient";
  }

  /// A counterexample in the author's names: for a reaches, what fired
  /// instead in the target's pathway or table and why the target's
  /// condition failed; for an assertion, the parts of it that decided.
  /// Both read the reference evaluator (ir::evaluate, ir::Why), as
  /// `carepath test` would for the pasted example.
  void explainCounterexample(const Obligation &o, const std::vector<Value> &patient, PropertyResult &r) const {
    if (o.reachTargets.empty() && !o.explain) return;
    PropertyResult::Explanation &x = r.explanation;
    std::vector<DiagNote> notes;
    Why why(p_, patient, notes);
    std::vector<DiagNote> sites;  // what fired instead
    try {
      if (!o.reachTargets.empty()) {
        Evaluation ev = evaluate(p_, patient);
        if (!ev.inPopulation) return;
        x.reaches = true;
        std::vector<std::pair<Target::Kind, int>> containers;
        std::vector<std::string> empty;  // containers where nothing fired
        for (const Target &t : o.reachTargets) {
          std::pair<Target::Kind, int> key{t.kind, t.container};
          if (std::find(containers.begin(), containers.end(), key) != containers.end()) continue;
          containers.push_back(key);
          bool any = false;
          if (t.kind == Target::Kind::Tier) {
            const Pathway &pw = p_.pathways[t.container];
            for (size_t i = 0; i < pw.tiers.size(); ++i) {
              if (!ev.tiers[t.container][i] || isTarget(o, t.kind, t.container, i)) continue;
              any = true;
              x.instead.push_back(pw.name + "." + pw.tiers[i].name);
              sites.push_back({pw.tiers[i].range, "the patient takes '" + x.instead.back() + "' instead"});
            }
            if (!any) empty.push_back("pathway '" + pw.name + "'");
          } else {
            const Table &tb = p_.tables[t.container];
            for (size_t i = 0; i < tb.rules.size(); ++i) {
              if (!ev.rules[t.container][i] || isTarget(o, t.kind, t.container, i)) continue;
              any = true;
              x.instead.push_back(tb.name + "." + tb.rules[i].name);
              sites.push_back({tb.rules[i].range, "the patient takes '" + x.instead.back() + "' instead"});
            }
            if (!any) empty.push_back("table '" + tb.name + "'");
          }
        }
        if (!x.instead.empty()) r.message += "; instead it takes " + quotedList(x.instead);
        else if (empty.size() == 1) r.message += "; nothing in " + empty[0] + " applies to it";
        else if (!empty.empty()) r.message += "; nothing applies to it in any of the places that do it";
        // Why each target did not fire (or, for an action, was withheld).
        for (const Target &t : o.reachTargets) {
          std::string name = targetName(p_, t);
          if (t.kind == Target::Kind::Tier) {
            if (ev.tiers[t.container][t.index]) {
              notes.push_back({p_.pathways[t.container].tiers[t.index].range,
                               "'" + name + "' applies, but its 'unless' withholds the action from this patient"});
              continue;
            }
            why.explain(*p_.tierGuard(t.container, t.index), name);
          } else {
            const Table &tb = p_.tables[t.container];
            const Rule &rule = tb.rules[t.index];
            if (ev.rules[t.container][t.index]) {
              notes.push_back({rule.range, "'" + name + "' fires, but its 'unless' withholds the action from this patient"});
              continue;
            }
            if (ev.matched[t.container][t.index]) {
              notes.push_back({rule.range, "the condition of '" + name + "' holds, but the hit policy of table '" + tb.name +
                                               "' (hit " + spelling(tb.hit) + ") fires another rule"});
              continue;
            }
            if (rule.guard) why.explain(*rule.guard, name);
          }
        }
      }
      if (o.explain) why.explain(*o.explain, o.explainName);
    } catch (const EvalError &) {
      x = {};
      return;  // --check-models reports a patient the evaluator cannot run
    }
    for (const DiagNote &n : notes) x.conditions.push_back(n.message);
    std::string values;
    for (const Why::DefineValue &d : why.defines()) {
      std::string v = defineValueText(p_, d);
      x.defines.emplace_back(p_.defines[d.index].name, v);
      values += (values.empty() ? "" : ", ") + p_.defines[d.index].name + " is " + v;
    }
    if (!values.empty()) notes.push_back({{}, "the defines it reads, for this patient: " + values});
    r.related.insert(r.related.end(), sites.begin(), sites.end());
    r.related.insert(r.related.end(), notes.begin(), notes.end());
  }

  static bool isTarget(const Obligation &o, Target::Kind kind, int container, size_t index) {
    for (const Target &t : o.reachTargets)
      if (t.kind == kind && t.container == container && t.index == static_cast<int>(index)) return true;
    return false;
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
      OverlapCandidates c = overlapCandidates(t, boxes_.of(tb));
      report_.stats.overlapPairs += c.total;
      report_.stats.overlapSwept += c.excludedBySweep;
      size_t before = report_.properties.size();
      bool allProved = true;
      std::optional<CrossCheck> checked;  // the proved pairs' cross-checks, for the table's result
      std::set<int> over;  // the course pathways the proved pairs were restricted to
      for (auto [i, j] : c.pairs) {
        Obligation o = overlapObligation(p_, static_cast<int>(tb), i, j);
        restrictWhereRead(p_, o, courseRestrictions());
        decide(o);
        if (report_.properties.back().status == Status::Proved) {
          over.insert(o.restrictedTo.begin(), o.restrictedTo.end());
          mergeCrossCheck(checked, report_.properties.back().crossCheck);
          report_.properties.pop_back();
        } else {
          allProved = false;
        }
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
        // Some pairs read a course state: proved over its reachable records.
        if (!over.empty()) {
          r.restrictedTo.assign(over.begin(), over.end());
          r.message += ", over " + reachableName(r.restrictedTo);
        }
        r.crossCheck = std::move(checked);
        if (cross_ && c.excludedBySweep > 0) crossCheckSweep(r, static_cast<int>(tb), c);
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
      env.route = a.route;
      env.basis = a.basis;
      env.unit = doseDisplayUnit(p_, a);
      env.range = a.range;
      report_.stats.optimisations += 2;
      // Who gets it, over the records some course produces when that reads
      // a course state (restrictWhereRead on the condition alone).
      Obligation who;
      who.formula = site.condition;
      restrictWhereRead(p_, who, courseRestrictions());
      ExprRef condition = who.reachable ? b::nary(Op::And, {who.reachable, site.condition}) : site.condition;
      env.restrictedTo = who.restrictedTo;
      // The envelope of a dose range: from the least low end to the
      // greatest high end over the patients who get it.
      Extremum hi = z3_.optimum(condition, site.amount.high, true);
      Extremum lo = z3_.optimum(condition, site.amount.low, false);
      if (lo.kind == Extremum::Kind::Value) env.min = lo.value, env.minAttained = lo.attained;
      if (hi.kind == Extremum::Kind::Value) env.max = hi.value, env.maxAttained = hi.attained;
      env.unbounded = hi.kind == Extremum::Kind::Unbounded;
      env.never = hi.kind == Extremum::Kind::Empty;
      if (std::optional<InfusionRate> rate = infusionRate(a)) {
        // Each amount times a constant: the extremes of the rate are theirs.
        Rational fastest = Rational(1) / rate->fastest, slowest = Rational(1) / rate->slowest;
        std::optional<Rational> longest = slowest == fastest ? std::nullopt : std::optional(slowest);
        DurationUnit time = durationUnit(fastest, longest, false);
        RateUnit u = rateUnit(env.unit.name, env.unit.factor, time);
        DoseEnvelope::Rate r{Unit{u.name, env.unit.dim / Dimension{{{"duration", 1}}}, u.factor}, formatDurations(fastest, longest, false),
                             std::nullopt, std::nullopt};
        if (env.min) r.min = *env.min * rate->slowest;
        if (env.max) r.max = *env.max * rate->fastest;
        env.rate = std::move(r);
      }

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
        r.message = what + " is never given to " +
                    (who.reachable ? "a record in a course state reachable from a fresh patient" : "a patient in the population");
        break;
      case Extremum::Kind::Unbounded:
        r.status = Status::Refuted;
        r.message = what + " has no upper bound over the patients who get it";
        // Over every record (the search stopped): the patients beyond any
        // bound may be records no course produces.
        if (!who.unreachableWhy.empty()) {
          r.status = Status::Unknown;
          r.reason = who.unreachableWhy;
          r.message = "could not bound the " + what;
        }
        break;
      case Extremum::Kind::Unknown:
        r.status = Status::Unknown;
        r.message = "could not bound the " + what;
        r.reason = hi.reason;
        break;
      }
      if (who.reachable && r.status == Status::Proved && hi.kind == Extremum::Kind::Value) {
        r.restrictedTo = who.restrictedTo;
        r.message += ", over " + reachableName(who);
      }
      if (cross_ && r.status != Status::Unknown) {
        crossCheckExtremum(r, condition, site.amount.high, hi, true, env.unit);
        if (hi.kind != Extremum::Kind::Empty) crossCheckExtremum(r, condition, site.amount.low, lo, false, env.unit);
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

      for (Obligation o : site.limits) {
        restrictWhereRead(p_, o, courseRestrictions());
        decide(o);
        if (hi.kind == Extremum::Kind::Empty && report_.properties.back().status == Status::Proved)
          vacuous(o.range, o.proved,
                  nobody(who, "patient in the population") + " gets this dose (" + site.where + " is never reached)");
      }
      for (const DoseSite::Unchecked &u : site.unchecked) {
        PropertyResult r;
        r.kind = PropertyKind::DoseFormulary;
        r.status = Status::Unknown;
        r.range = a.range;
        r.message = u.message;
        r.reason = u.reason;
        r.related.push_back({u.limit, "limit declared here"});
        report_.properties.push_back(std::move(r));
      }
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

  static void mergeCrossCheck(std::optional<CrossCheck> &into, const std::optional<CrossCheck> &from) {
    if (!from) return;
    if (!into) into.emplace();
    into->queries += from->queries;
    into->files.insert(into->files.end(), from->files.begin(), from->files.end());
  }

  /// The pairs the interval sweep found disjoint are no solver's proof:
  /// cvc5 is asked whether a patient matches any of them (one query).
  void crossCheckSweep(PropertyResult &r, int table, const OverlapCandidates &c) {
    std::set<std::pair<int, int>> asked(c.pairs.begin(), c.pairs.end());
    std::vector<ExprRef> disjoint;
    int n = static_cast<int>(p_.tables[table].rules.size());
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j)
        if (!asked.count({i, j})) disjoint.push_back(overlapObligation(p_, table, i, j).formula);
    std::string why;
    cross_->check(r, z3_.benchmark(build::nary(Op::And, std::move(disjoint)), true, why), why, false,
                  "the query for the pairs the interval sweep found disjoint");
  }

  /// The bound an envelope reports, checked by cvc5: no patient beyond it,
  /// and some patient at it exactly when Z3 says it is reached; an
  /// unbounded dose has no bound M (a quantified query); a dose never given
  /// has no patient. That the bound is the least one stays Z3's answer.
  void crossCheckExtremum(PropertyResult &r, const ExprRef &condition, const ExprRef &term, const Extremum &e,
                          bool maximize, const Unit &unit) {
    std::string why;
    const std::string side = maximize ? "above " : "below ";
    switch (e.kind) {
    case Extremum::Kind::Value: {
      std::string v = formatQuantity(e.value, unit);
      cross_->check(r, z3_.boundBenchmark(condition, term, e.value, maximize, true, why), why, false,
                    "the query for a patient " + side + v);
      cross_->check(r, z3_.boundBenchmark(condition, term, e.value, maximize, false, why), why, e.attained,
                    "the query for a patient at " + v + " or " + side + "it");
      break;
    }
    case Extremum::Kind::Empty:
      cross_->check(r, z3_.boundBenchmark(condition, term, std::nullopt, maximize, false, why), why, false,
                    "the query for a patient who gets it");
      break;
    case Extremum::Kind::Unbounded:
      cross_->check(r, z3_.boundedBenchmark(condition, term, maximize, why), why, false,
                    std::string("the query for an ") + (maximize ? "upper" : "lower") + " bound");
      break;
    case Extremum::Kind::Unknown: break;
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
  ProtocolBoxes boxes_;  // the tables' rule boxes: the table checks' and the overlap sweep's
  std::optional<CrossChecker> cross_;  // --cross-check
  std::set<std::string> exampleNames_;  // taken: the protocol's examples and earlier counterexamples
  std::vector<std::optional<CourseGraph>> courses_;  // per pathway: course pathways' reachable states
  std::vector<CourseRestriction> own_;               // per pathway: the restriction of its own search
  std::map<std::vector<int>, std::pair<CourseGraph, CourseRestriction>> joint_;  // joint searches, by pathway set
  std::set<std::vector<int>> jointChecked_;  // joint searches whose closing questions went to cvc5
  std::set<std::vector<int>> unsearched_;    // sets read together, not searched (a pathway's own search stopped)
  const Division *division_ = nullptr;  // the division being decided (its model check)
  ir::ExprRef partialSafe_;  // the partial operations, assumed safe once decided (partialOperations)
};

}  // namespace

Report verify(const Protocol &protocol, const Options &options) {
  Report report;
  Run(protocol, options, report).all();
  return report;
}

}  // namespace carepath::verifier
