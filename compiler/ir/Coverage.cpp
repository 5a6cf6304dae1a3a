// The coverage measure of Coverage.h: one evaluation per patient, then each
// decision re-decided with one condition forced true and false to see
// whether that condition alone decides it.
#include "ir/Coverage.h"

#include <algorithm>
#include <map>
#include <set>

namespace carepath::ir {

namespace {

/// A decision split into its conditions: the operands below the Boolean
/// connectives. Conditions with the same text are one condition (the same
/// words mean the same value), so forcing one forces every occurrence.
struct Split {
  ExprRef decision;
  std::map<const Expr *, size_t> leafOf;  // every leaf node -> its condition
  std::vector<ExprRef> first;             // each condition's first node
};

bool isConnective(const Expr &e) {
  return e.op == Op::Not || e.op == Op::And || e.op == Op::Or || e.op == Op::IsTrue || e.op == Op::Count;
}

void collect(const Protocol &p, const ExprRef &e, Split &s, std::map<std::string, size_t> &byText) {
  if (isConnective(*e)) {
    for (const ExprRef &a : e->args) collect(p, a, s, byText);
    return;
  }
  // A constant is no condition (the course model's generated guards hold some).
  if (e->op == Op::Const) return;
  auto [it, fresh] = byText.emplace(conditionText(p, *e), s.first.size());
  if (fresh) s.first.push_back(e);
  s.leafOf[e.get()] = it->second;
}

Split split(const Protocol &p, ExprRef decision) {
  Split s;
  s.decision = decision;
  std::map<std::string, size_t> byText;
  collect(p, decision, s, byText);
  return s;
}

/// The decision's truth from its conditions' values, with condition
/// `forced` (if any) set to `to`; the connectives as the evaluator reads them.
Truth decide(const Expr &e, const Split &s, const std::vector<Truth> &values, size_t forced, Truth to) {
  switch (e.op) {
  case Op::Not: return kleeneNot(decide(*e.args[0], s, values, forced, to));
  case Op::IsTrue: return truth(decide(*e.args[0], s, values, forced, to) == Truth::True);
  case Op::And: {
    Truth t = Truth::True;
    for (const ExprRef &a : e.args) t = kleeneAnd(t, decide(*a, s, values, forced, to));
    return t;
  }
  case Op::Or: {
    Truth t = Truth::False;
    for (const ExprRef &a : e.args) t = kleeneOr(t, decide(*a, s, values, forced, to));
    return t;
  }
  case Op::Count: {
    uint64_t trues = 0, unknowns = 0;
    for (const ExprRef &a : e.args) {
      Truth t = decide(*a, s, values, forced, to);
      trues += t == Truth::True;
      unknowns += t == Truth::Unknown;
    }
    return countTruth(e.counting, static_cast<uint64_t>(e.index), trues, unknowns);
  }
  case Op::Const: return e.constant.truth();
  default: {
    size_t c = s.leafOf.at(&e);
    return c == forced ? to : values[c];
  }
  }
}

/// One patient's view of a decision: each condition's value, whether the
/// decision holds, and which conditions decide it on their own.
struct Observation {
  std::vector<Truth> values;
  bool holds = false;
  std::vector<bool> decisive;
};

constexpr size_t kNone = static_cast<size_t>(-1);

std::optional<Observation> observe(const Protocol &p, const Split &s, const Patient &patient) {
  Observation o;
  try {
    for (const ExprRef &leaf : s.first) o.values.push_back(evaluate(p, *leaf, patient).truth());
  } catch (const EvalError &) {
    return std::nullopt;
  }
  o.holds = decide(*s.decision, s, o.values, kNone, Truth::False) == Truth::True;
  for (size_t c = 0; c < s.first.size(); ++c)
    o.decisive.push_back((decide(*s.decision, s, o.values, c, Truth::True) == Truth::True) !=
                         (decide(*s.decision, s, o.values, c, Truth::False) == Truth::True));
  return o;
}

}  // namespace

/// Everything the measure reads of one patient, evaluated once.
struct CoverageMeter::Seen {
  enum class Status { Inside, OutsidePopulation, NotEvaluated } status = Status::NotEvaluated;
  std::vector<std::vector<bool>> tiers, rules;  // fired, as Evaluation has them
  std::vector<std::pair<size_t, bool>> capped;  // (cappedDoses index, over the cap) per fired capped give
  std::vector<bool> offered;                    // per alternative: offered / withheld / (not fired: absent)
  std::vector<bool> fired;                      // per alternative: its tier or rule fired
  std::vector<std::optional<Observation>> decisions;
};

struct CoverageMeter::Sites {
  std::vector<Coverage::Item> tiers, rules, cappedDoses, alternatives;
  std::map<const Action *, size_t> capped;  // give with a cap -> its cappedDoses index
  std::vector<AlternativeSite> alternativeSites;
  std::vector<DecisionSite> decisionSites;
  std::vector<Split> splits;
  std::vector<std::vector<Coverage::Condition>> conditions;  // per decision, nothing seen yet
};

CoverageMeter::CoverageMeter(const Protocol &p) : p_(p), sites_(std::make_unique<Sites>()) {
  Sites &s = *sites_;
  for (const Pathway &w : p.pathways)
    for (const Tier &t : w.tiers) s.tiers.push_back({w.name + "." + t.name, t.range});
  for (const Table &b : p.tables)
    for (const Rule &r : b.rules) s.rules.push_back({b.name + "." + r.name, r.range});
  // Gives with a cap: capped when the dose as written (a range's high end)
  // exceeds the cap, under it otherwise; counted only where the give fired.
  auto addCapped = [&](const std::string &where, const std::vector<Action> &actions) {
    for (const Action &a : actions)
      if (a.kind == ActionKind::Give && a.cap && a.dose) {
        s.capped[&a] = s.cappedDoses.size();
        s.cappedDoses.push_back({"give " + a.name + " at " + where, a.range});
      }
  };
  for (const Pathway &w : p.pathways)
    for (const Tier &t : w.tiers) addCapped(w.name + "." + t.name, t.actions);
  for (const Table &b : p.tables)
    for (const Rule &r : b.rules) addCapped(b.name + "." + r.name, r.actions);
  s.alternativeSites = alternativesOf(p);
  for (const AlternativeSite &alt : s.alternativeSites) {
    Coverage::Item it{alt.name, alt.action->range};
    it.canBeOff = alt.action->unless != nullptr;
    s.alternatives.push_back(std::move(it));
  }
  s.decisionSites = decisionsOf(p);
  for (const DecisionSite &d : s.decisionSites) {
    s.splits.push_back(split(p, d.expr));
    std::vector<Coverage::Condition> conds;
    for (const ExprRef &first : s.splits.back().first) {
      Coverage::Condition cond;
      cond.text = conditionText(p, *first);
      cond.range = first->range;
      cond.canBeMissing = first->mayBeMissing;
      conds.push_back(std::move(cond));
    }
    s.conditions.push_back(std::move(conds));
  }
}

CoverageMeter::~CoverageMeter() = default;

size_t CoverageMeter::add(const Patient &patient) {
  const Sites &s = *sites_;
  Seen seen;
  Evaluation ev;
  try {
    ev = evaluate(p_, patient);
    seen.status = ev.inPopulation ? Seen::Status::Inside : Seen::Status::OutsidePopulation;
  } catch (const EvalError &) {
    seen.status = Seen::Status::NotEvaluated;
  }
  if (seen.status == Seen::Status::Inside) {
    seen.tiers = ev.tiers;
    seen.rules = ev.rules;
    for (const FiredAction &fa : ev.actions) {
      auto it = s.capped.find(fa.action);
      if (it == s.capped.end()) continue;
      try {
        const Action &a = *fa.action;
        Value raw = evaluate(p_, a.doseHigh ? *a.doseHigh : *a.dose, patient);
        Value cap = evaluate(p_, *a.cap, patient);
        if (raw.missing || cap.missing) continue;
        seen.capped.push_back({it->second, raw.number > cap.number});
      } catch (const EvalError &) {
      }
    }
    // An alternative's `unless` is on each of its actions, so its first
    // action stands for it.
    for (const AlternativeSite &alt : s.alternativeSites) {
      bool fired = alt.tier >= 0 ? ev.tiers[alt.container][alt.tier] : ev.rules[alt.container][alt.rule];
      seen.fired.push_back(fired);
      seen.offered.push_back(fired && std::any_of(ev.actions.begin(), ev.actions.end(), [&](const FiredAction &fa) {
                               return fa.action == alt.action;
                             }));
    }
    for (const Split &split : s.splits) seen.decisions.push_back(observe(p_, split, patient));
  }
  seen_.push_back(std::move(seen));
  return seen_.size() - 1;
}

Coverage CoverageMeter::measure(std::span<const size_t> patients) const {
  const Sites &s = *sites_;
  Coverage cov;
  cov.patients = patients.size();
  cov.tiers = s.tiers;
  cov.rules = s.rules;
  cov.cappedDoses = s.cappedDoses;
  cov.alternatives = s.alternatives;
  std::vector<const Seen *> inside;
  for (size_t id : patients) {
    const Seen &seen = seen_.at(id);
    if (seen.status == Seen::Status::OutsidePopulation) ++cov.outsidePopulation;
    else if (seen.status == Seen::Status::NotEvaluated) ++cov.notEvaluated;
    else inside.push_back(&seen);
  }
  // Tiers and rules, fired and not fired; capped doses; alternatives.
  for (const Seen *seen : inside) {
    size_t k = 0;
    for (const std::vector<bool> &tiers : seen->tiers)
      for (bool fired : tiers) (fired ? cov.tiers[k++].on : cov.tiers[k++].off) = true;
    k = 0;
    for (const std::vector<bool> &rules : seen->rules)
      for (bool fired : rules) (fired ? cov.rules[k++].on : cov.rules[k++].off) = true;
    for (const auto &[index, over] : seen->capped) (over ? cov.cappedDoses[index].on : cov.cappedDoses[index].off) = true;
    for (size_t a = 0; a < seen->fired.size(); ++a)
      if (seen->fired[a]) (seen->offered[a] ? cov.alternatives[a].on : cov.alternatives[a].off) = true;
  }
  // Decisions: a condition shows MC/DC when one patient has it true and
  // another false, the outcomes differ, and it decides each on its own.
  for (size_t d = 0; d < s.decisionSites.size(); ++d) {
    Coverage::Decision dec{s.decisionSites[d].name, s.decisionSites[d].range, s.conditions[d]};
    for (size_t c = 0; c < dec.conditions.size(); ++c) {
      Coverage::Condition &cond = dec.conditions[c];
      bool trueHolds = false, trueFails = false, falseHolds = false, falseFails = false;  // decisive only
      for (const Seen *seen : inside) {
        const std::optional<Observation> &o = seen->decisions[d];
        if (!o) continue;
        Truth v = o->values[c];
        cond.wasTrue |= v == Truth::True;
        cond.wasFalse |= v == Truth::False;
        cond.wasMissing |= v == Truth::Unknown;
        if (!o->decisive[c]) continue;
        if (v == Truth::True) (o->holds ? trueHolds : trueFails) = true;
        if (v == Truth::False) (o->holds ? falseHolds : falseFails) = true;
      }
      cond.mcdc = (trueHolds && falseFails) || (trueFails && falseHolds);
    }
    cov.decisions.push_back(std::move(dec));
  }
  return cov;
}

Coverage measureCoverage(const Protocol &p, std::span<const Patient> patients) {
  CoverageMeter meter(p);
  std::vector<size_t> ids;
  for (const Patient &patient : patients) ids.push_back(meter.add(patient));
  return meter.measure(ids);
}

std::vector<AlternativeSite> alternativesOf(const Protocol &p) {
  std::vector<AlternativeSite> out;
  auto add = [&](const std::string &owner, const std::vector<Action> &actions, int container, int tier, int rule) {
    std::set<std::pair<int, int>> seen;
    for (const Action &a : actions)
      if (a.choice >= 0 && seen.insert({a.choice, a.option}).second)
        out.push_back({"alternative " + std::to_string(a.option + 1) + " of " + owner + " (" + spelling(a.kind) + " " +
                           a.name + ")",
                       &a, container, tier, rule});
  };
  for (size_t w = 0; w < p.pathways.size(); ++w)
    for (size_t t = 0; t < p.pathways[w].tiers.size(); ++t)
      add(p.pathways[w].name + "." + p.pathways[w].tiers[t].name, p.pathways[w].tiers[t].actions, static_cast<int>(w),
          static_cast<int>(t), -1);
  for (size_t b = 0; b < p.tables.size(); ++b)
    for (size_t r = 0; r < p.tables[b].rules.size(); ++r)
      add(p.tables[b].name + "." + p.tables[b].rules[r].name, p.tables[b].rules[r].actions, static_cast<int>(b), -1,
          static_cast<int>(r));
  return out;
}

std::vector<DecisionSite> decisionsOf(const Protocol &p) {
  std::vector<DecisionSite> out;
  for (size_t w = 0; w < p.pathways.size(); ++w)
    for (size_t t = 0; t < p.pathways[w].tiers.size(); ++t)
      if (ExprRef g = p.tierGuard(static_cast<int>(w), static_cast<int>(t)))
        out.push_back({"tier " + p.pathways[w].name + "." + p.pathways[w].tiers[t].name, p.pathways[w].tiers[t].range, g});
  for (const Table &b : p.tables)
    for (const Rule &r : b.rules)
      if (r.guard) out.push_back({"rule " + b.name + "." + r.name, r.range, r.guard});
  // Defines of the protocol itself (a module's defines are its own to cover).
  FileId own = p.files.empty() ? kNoFile : p.files.front().file;
  for (const Define &d : p.defines)
    if (d.range.file == own && d.value && d.value->type.kind == Type::Kind::Bool && isConnective(*d.value))
      out.push_back({"define " + d.name, d.range, d.value});
  return out;
}

std::string conditionText(const Protocol &p, const Expr &e) {
  if (e.label.empty()) return toString(p, e);
  Expr unnamed = e;
  unnamed.label.clear();
  return toString(p, unnamed);
}

std::vector<ExprRef> conditionsOf(const Protocol &p, const ExprRef &decision) { return split(p, decision).first; }

ExprRef withCondition(const Protocol &p, const ExprRef &decision, const std::string &text, bool value) {
  const Expr &e = *decision;
  if (!isConnective(e)) return conditionText(p, e) == text ? build::boolean(value, e.range) : decision;
  std::vector<ExprRef> args;
  for (const ExprRef &a : e.args) args.push_back(withCondition(p, a, text, value));
  switch (e.op) {
  case Op::Not: return build::unary(Op::Not, args[0], e.range);
  case Op::IsTrue: return build::isTrue(args[0], e.range);
  case Op::Count: return build::count(e.counting, e.index, std::move(args), e.range);
  default: return build::nary(e.op, std::move(args), e.range);
  }
}

}  // namespace carepath::ir
