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

Coverage::Decision measureDecision(const Protocol &p, std::string name, SourceRange range, ExprRef guard,
                                   std::span<const Patient *const> patients) {
  Coverage::Decision d;
  d.name = std::move(name);
  d.range = range;
  Split s = split(p, guard);
  std::vector<Observation> seen;
  for (const Patient *patient : patients)
    if (std::optional<Observation> o = observe(p, s, *patient)) seen.push_back(std::move(*o));
  for (size_t c = 0; c < s.first.size(); ++c) {
    Coverage::Condition cond;
    cond.text = conditionText(p, *s.first[c]);
    cond.range = s.first[c]->range;
    cond.canBeMissing = s.first[c]->mayBeMissing;
    for (const Observation &o : seen) {
      cond.wasTrue |= o.values[c] == Truth::True;
      cond.wasFalse |= o.values[c] == Truth::False;
      cond.wasMissing |= o.values[c] == Truth::Unknown;
    }
    for (const Observation &a : seen)
      for (const Observation &b : seen)
        if (a.values[c] == Truth::True && b.values[c] == Truth::False && a.holds != b.holds && a.decisive[c] &&
            b.decisive[c])
          cond.mcdc = true;
    d.conditions.push_back(std::move(cond));
  }
  return d;
}

}  // namespace

Coverage measureCoverage(const Protocol &p, std::span<const Patient> patients) {
  Coverage cov;
  cov.patients = patients.size();
  std::vector<Evaluation> evaluations;
  std::vector<const Patient *> inside;
  for (const Patient &patient : patients) {
    try {
      Evaluation ev = evaluate(p, patient);
      if (!ev.inPopulation) {
        ++cov.outsidePopulation;
        continue;
      }
      evaluations.push_back(std::move(ev));
      inside.push_back(&patient);
    } catch (const EvalError &) {
      ++cov.notEvaluated;
    }
  }

  // Tiers and rules, fired and not fired.
  for (size_t w = 0; w < p.pathways.size(); ++w)
    for (size_t t = 0; t < p.pathways[w].tiers.size(); ++t) {
      Coverage::Item it{p.pathways[w].name + "." + p.pathways[w].tiers[t].name, p.pathways[w].tiers[t].range};
      for (const Evaluation &ev : evaluations) (ev.tiers[w][t] ? it.on : it.off) = true;
      cov.tiers.push_back(std::move(it));
    }
  for (size_t b = 0; b < p.tables.size(); ++b)
    for (size_t r = 0; r < p.tables[b].rules.size(); ++r) {
      Coverage::Item it{p.tables[b].name + "." + p.tables[b].rules[r].name, p.tables[b].rules[r].range};
      for (const Evaluation &ev : evaluations) (ev.rules[b][r] ? it.on : it.off) = true;
      cov.rules.push_back(std::move(it));
    }

  // Gives with a cap: capped when the dose as written (a range's high end)
  // exceeds the cap, under it otherwise; counted only where the give fired.
  std::map<const Action *, size_t> capped;
  auto addCapped = [&](const std::string &where, const std::vector<Action> &actions) {
    for (const Action &a : actions)
      if (a.kind == ActionKind::Give && a.cap && a.dose) {
        capped[&a] = cov.cappedDoses.size();
        cov.cappedDoses.push_back({"give " + a.name + " at " + where, a.range});
      }
  };
  for (const Pathway &w : p.pathways)
    for (const Tier &t : w.tiers) addCapped(w.name + "." + t.name, t.actions);
  for (const Table &b : p.tables)
    for (const Rule &r : b.rules) addCapped(b.name + "." + r.name, r.actions);
  for (size_t i = 0; i < evaluations.size(); ++i)
    for (const FiredAction &fa : evaluations[i].actions) {
      auto it = capped.find(fa.action);
      if (it == capped.end()) continue;
      try {
        const Action &a = *fa.action;
        Value raw = evaluate(p, a.doseHigh ? *a.doseHigh : *a.dose, *inside[i]);
        Value cap = evaluate(p, *a.cap, *inside[i]);
        if (raw.missing || cap.missing) continue;
        (raw.number > cap.number ? cov.cappedDoses[it->second].on : cov.cappedDoses[it->second].off) = true;
      } catch (const EvalError &) {
      }
    }

  // Alternatives: offered in some example where their tier or rule fired,
  // withheld (by their `unless`) in another. An alternative's `unless` is on
  // each of its actions, so its first action stands for it.
  for (const AlternativeSite &alt : alternativesOf(p)) {
    Coverage::Item it{alt.name, alt.action->range};
    it.canBeOff = alt.action->unless != nullptr;
    for (const Evaluation &ev : evaluations) {
      bool fired = alt.tier >= 0 ? ev.tiers[alt.container][alt.tier] : ev.rules[alt.container][alt.rule];
      if (!fired) continue;
      bool offered = std::any_of(ev.actions.begin(), ev.actions.end(), [&](const FiredAction &fa) { return fa.action == alt.action; });
      (offered ? it.on : it.off) = true;
    }
    cov.alternatives.push_back(std::move(it));
  }

  for (const DecisionSite &d : decisionsOf(p)) cov.decisions.push_back(measureDecision(p, d.name, d.range, d.expr, inside));
  return cov;
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
