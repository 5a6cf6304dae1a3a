// The reference evaluator (see Evaluator.h). Straightforward on purpose:
// it is the meaning every faster or symbolic reading of a protocol is
// checked against, so it favours obviousness over speed.
#include "ir/Evaluator.h"

#include <algorithm>

namespace carepath::ir {

namespace {

std::string kindName(Type::Kind k) {
  switch (k) {
  case Type::Kind::Bool: return "bool";
  case Type::Kind::Enum: return "enum";
  case Type::Kind::Number: return "number";
  }
  return "?";
}

/// One patient's evaluation: holds the memoised values of the defines.
class Context {
public:
  Context(const Protocol &p, const Patient &patient)
      : p_(p), patient_(patient), defines_(p.defines.size()), active_(p.defines.size(), false) {
    if (patient.size() != p.inputs.size())
      throw EvalError("the patient has " + std::to_string(patient.size()) + " values but the protocol has " +
                          std::to_string(p.inputs.size()) + " inputs",
                      SourceRange{});
    for (size_t i = 0; i < patient.size(); ++i)
      if (patient[i].kind != p.inputs[i].type.kind)
        throw EvalError("the value of input '" + p.inputs[i].name + "' is a " + kindName(patient[i].kind) +
                            ", the input is a " + kindName(p.inputs[i].type.kind),
                        p.inputs[i].range);
  }

  Value eval(const Expr &e) {
    try {
      return evalUnchecked(e);
    } catch (const RationalOverflow &) {
      throw EvalError("exact arithmetic overflow evaluating '" + toString(p_, e) + "'", e.range);
    } catch (const RationalDivisionByZero &) {
      throw EvalError("division by zero evaluating '" + toString(p_, e) + "'", e.range);
    }
  }

  bool evalBool(const Expr &e) {
    Value v = eval(e);
    if (v.kind != Type::Kind::Bool) throw EvalError("expected a condition, got a " + kindName(v.kind), e.range);
    return v.boolean;
  }

  Rational evalNumber(const Expr &e) {
    Value v = eval(e);
    if (v.kind != Type::Kind::Number) throw EvalError("expected a number, got a " + kindName(v.kind), e.range);
    return v.number;
  }

private:
  Value evalUnchecked(const Expr &e) {
    switch (e.op) {
    case Op::Const: return e.constant;
    case Op::Input:
      if (e.index < 0 || e.index >= static_cast<int>(patient_.size()))
        throw EvalError("internal: input index out of range", e.range);
      return patient_[e.index];
    case Op::Define: return define(e);
    case Op::Not: return Value::ofBool(!evalBool(arg(e, 0)));
    // And/Or short-circuit, like every reading of a guard a clinician does.
    case Op::And:
      for (const ExprRef &a : e.args)
        if (!evalBool(*a)) return Value::ofBool(false);
      return Value::ofBool(true);
    case Op::Or:
      for (const ExprRef &a : e.args)
        if (evalBool(*a)) return Value::ofBool(true);
      return Value::ofBool(false);
    case Op::Eq: return Value::ofBool(equal(e));
    case Op::Ne: return Value::ofBool(!equal(e));
    case Op::Lt: return Value::ofBool(evalNumber(arg(e, 0)) < evalNumber(arg(e, 1)));
    case Op::Le: return Value::ofBool(evalNumber(arg(e, 0)) <= evalNumber(arg(e, 1)));
    case Op::Gt: return Value::ofBool(evalNumber(arg(e, 0)) > evalNumber(arg(e, 1)));
    case Op::Ge: return Value::ofBool(evalNumber(arg(e, 0)) >= evalNumber(arg(e, 1)));
    case Op::Add: return Value::ofNumber(evalNumber(arg(e, 0)) + evalNumber(arg(e, 1)));
    case Op::Sub: return Value::ofNumber(evalNumber(arg(e, 0)) - evalNumber(arg(e, 1)));
    case Op::Mul: return Value::ofNumber(evalNumber(arg(e, 0)) * evalNumber(arg(e, 1)));
    case Op::Div: {
      Rational a = evalNumber(arg(e, 0)), b = evalNumber(arg(e, 1));
      if (b.isZero()) throw EvalError("division by zero: '" + toString(p_, arg(e, 1)) + "' is 0", e.range);
      return Value::ofNumber(a / b);
    }
    case Op::Neg: return Value::ofNumber(-evalNumber(arg(e, 0)));
    case Op::Min:
    case Op::Max: {
      if (e.args.empty()) throw EvalError("internal: min/max without arguments", e.range);
      Rational r = evalNumber(*e.args[0]);
      for (size_t i = 1; i < e.args.size(); ++i) {
        Rational x = evalNumber(*e.args[i]);
        r = e.op == Op::Min ? std::min(r, x) : std::max(r, x);
      }
      return Value::ofNumber(r);
    }
    }
    throw EvalError("internal: unknown operator", e.range);
  }

  const Expr &arg(const Expr &e, size_t i) {
    if (i >= e.args.size() || !e.args[i])
      throw EvalError(std::string("internal: '") + spelling(e.op) + "' is missing an operand", e.range);
    return *e.args[i];
  }

  bool equal(const Expr &e) {
    Value a = eval(arg(e, 0)), b = eval(arg(e, 1));
    if (a.kind != b.kind)
      throw EvalError("cannot compare a " + kindName(a.kind) + " with a " + kindName(b.kind), e.range);
    switch (a.kind) {
    case Type::Kind::Bool: return a.boolean == b.boolean;
    case Type::Kind::Enum: return a.member == b.member;
    case Type::Kind::Number: return a.number == b.number;
    }
    return false;
  }

  Value define(const Expr &e) {
    if (e.index < 0 || e.index >= static_cast<int>(p_.defines.size()))
      throw EvalError("internal: define index out of range", e.range);
    auto &slot = defines_[e.index];
    if (slot) return *slot;
    const Define &d = p_.defines[e.index];
    if (active_[e.index]) throw EvalError("define '" + d.name + "' depends on itself", d.range);
    if (!d.value) throw EvalError("internal: define '" + d.name + "' has no value", d.range);
    active_[e.index] = true;
    Value v = eval(*d.value);
    active_[e.index] = false;
    slot = v;
    return v;
  }

  const Protocol &p_;
  const Patient &patient_;
  std::vector<std::optional<Value>> defines_;
  std::vector<bool> active_;  // being evaluated: a cycle sema missed
};

FiredAction fire(Context &ctx, Target from, const Action &a) {
  FiredAction f;
  f.from = from;
  f.action = &a;
  if (a.kind == ActionKind::Give && a.dose) {
    Rational amount = ctx.evalNumber(*a.dose);
    if (a.cap) amount = std::min(amount, ctx.evalNumber(*a.cap));
    f.amount = amount;
  }
  return f;
}

/// The order in which a `priority` table consults its rules.
std::vector<size_t> priorityOrder(const Table &t) {
  std::vector<size_t> order(t.rules.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto &pa = t.rules[a].priority, &pb = t.rules[b].priority;
    if (pa.has_value() != pb.has_value()) return pa.has_value();
    return pa && *pa < *pb;
  });
  return order;
}

}  // namespace

Value evaluate(const Protocol &p, const Expr &e, const Patient &patient) {
  Context ctx(p, patient);
  return ctx.eval(e);
}

bool evaluateBool(const Protocol &p, const Expr &e, const Patient &patient) {
  Context ctx(p, patient);
  return ctx.evalBool(e);
}

bool sameAction(const FiredAction &a, const FiredAction &b) {
  if (!a.action || !b.action) return a.action == b.action;
  const Action &x = *a.action, &y = *b.action;
  return x.kind == y.kind && x.name == y.name && x.drug == y.drug && a.amount == b.amount &&
         x.doseUnspecified.has_value() == y.doseUnspecified.has_value() && x.basis == y.basis &&
         x.durationLo == y.durationLo && x.durationHi == y.durationHi && x.over == y.over && x.timing == y.timing &&
         x.timingLo == y.timingLo && x.timingHi == y.timingHi && x.unspecified == y.unspecified;
}

Evaluation evaluate(const Protocol &p, const Patient &patient) {
  Context ctx(p, patient);
  Evaluation ev;
  ev.tiers.resize(p.pathways.size());
  for (size_t i = 0; i < p.pathways.size(); ++i) ev.tiers[i].assign(p.pathways[i].tiers.size(), false);
  ev.rules.resize(p.tables.size());
  ev.matched.resize(p.tables.size());
  for (size_t i = 0; i < p.tables.size(); ++i) {
    ev.rules[i].assign(p.tables[i].rules.size(), false);
    ev.matched[i].assign(p.tables[i].rules.size(), false);
  }

  ev.inPopulation = !p.population || ctx.evalBool(*p.population);
  if (!ev.inPopulation) return ev;

  // Pathways: every tier whose effective guard holds fires; that at most one
  // does is a property the verifier proves, not something to hide here.
  for (size_t pi = 0; pi < p.pathways.size(); ++pi) {
    const Pathway &pw = p.pathways[pi];
    bool entry = !pw.entry || ctx.evalBool(*pw.entry);
    for (size_t ti = 0; ti < pw.tiers.size(); ++ti) {
      const Tier &t = pw.tiers[ti];
      bool holds = entry && (!t.guard || ctx.evalBool(*t.guard));
      ev.tiers[pi][ti] = holds;
      if (!holds) continue;
      Target from{Target::Kind::Tier, static_cast<int>(pi), static_cast<int>(ti)};
      for (const Action &a : t.actions) ev.actions.push_back(fire(ctx, from, a));
    }
  }

  for (size_t ti = 0; ti < p.tables.size(); ++ti) {
    const Table &t = p.tables[ti];
    std::vector<size_t> matches;
    for (size_t ri = 0; ri < t.rules.size(); ++ri) {
      bool m = !t.rules[ri].guard || ctx.evalBool(*t.rules[ri].guard);
      ev.matched[ti][ri] = m;
      if (m) matches.push_back(ri);
    }
    auto ruleTarget = [&](size_t ri) { return Target{Target::Kind::Rule, static_cast<int>(ti), static_cast<int>(ri)}; };
    auto actionsOf = [&](size_t ri) {
      std::vector<FiredAction> out;
      for (const Action &a : t.rules[ri].actions) out.push_back(fire(ctx, ruleTarget(ri), a));
      return out;
    };
    auto names = [&](const std::vector<size_t> &rs) {
      std::string s;
      for (size_t i = 0; i < rs.size(); ++i)
        s += (i == 0 ? "" : i + 1 == rs.size() ? " and " : ", ") + ("'" + t.rules[rs[i]].name + "'");
      return s;
    };

    std::vector<size_t> fired;
    switch (t.hit) {
    case HitPolicy::Unique:
      if (matches.size() > 1)
        ev.violations.push_back("table '" + t.name + "' (hit unique): rules " + names(matches) +
                                " all match; every match fires");
      fired = matches;
      break;
    case HitPolicy::First:
      if (!matches.empty()) fired = {matches.front()};
      break;
    case HitPolicy::Priority:
      for (size_t ri : priorityOrder(t))
        if (ev.matched[ti][ri]) { fired = {ri}; break; }
      break;
    case HitPolicy::Any:
      if (!matches.empty()) {
        std::vector<FiredAction> first = actionsOf(matches.front());
        std::vector<size_t> differing;
        for (size_t k = 1; k < matches.size(); ++k) {
          std::vector<FiredAction> other = actionsOf(matches[k]);
          bool same = other.size() == first.size() &&
                      std::equal(first.begin(), first.end(), other.begin(), sameAction);
          if (!same) differing.push_back(matches[k]);
        }
        if (!differing.empty()) {
          differing.insert(differing.begin(), matches.front());
          ev.violations.push_back("table '" + t.name + "' (hit any): rules " + names(differing) +
                                  " match with different actions; the first fires");
        }
        fired = {matches.front()};
      }
      break;
    case HitPolicy::Collect:
      fired = matches;
      break;
    }
    for (size_t ri : fired) {
      ev.rules[ti][ri] = true;
      for (FiredAction &f : actionsOf(ri)) ev.actions.push_back(std::move(f));
    }
  }
  return ev;
}

}  // namespace carepath::ir
