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
  if (ExprRef amount = givenAmount(a)) f.amount = ctx.evalNumber(*amount);
  return f;
}

std::vector<std::string> ruleNames(const std::vector<std::string> &all, const std::vector<uint32_t> &rules) {
  std::vector<std::string> out;
  for (uint32_t r : rules) out.push_back(all.at(r));
  return out;
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

std::string describe(const Protocol &p, const Violation &v) {
  std::vector<std::string> names;
  std::string container;
  if (v.container == Target::Kind::Tier) {
    container = p.pathways.at(v.index).name;
    for (const Tier &t : p.pathways[v.index].tiers) names.push_back(t.name);
  } else {
    container = p.tables.at(v.index).name;
    for (const Rule &r : p.tables[v.index].rules) names.push_back(r.name);
  }
  return describeViolation(v.kind, v.container == Target::Kind::Tier, container, ruleNames(names, v.rules));
}

bool sameAction(const FiredAction &a, const FiredAction &b) {
  if (!a.action || !b.action) return a.action == b.action;
  return a.amount == b.amount && actionIdentity(*a.action) == actionIdentity(*b.action);
}

Evaluation evaluate(const Protocol &p, const Patient &patient) {
  Context ctx(p, patient);
  Evaluation ev;
  ev.tiers.resize(p.pathways.size());
  ev.rules.resize(p.tables.size());
  ev.matched.resize(p.tables.size());
  ev.inPopulation = !p.population || ctx.evalBool(*p.population);

  // One container (a pathway's tiers or a table's rules): which match, which
  // fire and what the policy forbids are carepath/Rules.h's.
  auto resolve = [&](Target::Kind kind, int index, HitPolicy hit, const std::vector<uint32_t> &order,
                     const std::vector<uint8_t> &matched, const std::vector<const std::vector<Action> *> &actions) {
    std::vector<uint8_t> fired(matched.size(), 0);
    carepath::fire<uint8_t>(hit, order, matched, fired, ConcreteLogic{});
    auto target = [&](uint32_t r) { return Target{kind, index, static_cast<int>(r)}; };
    auto actionsOf = [&](uint32_t r) {
      std::vector<FiredAction> out;
      for (const Action &a : *actions[r]) out.push_back(fire(ctx, target(r), a));
      return out;
    };
    auto sameOutputs = [&](uint32_t x, uint32_t y) {
      std::vector<FiredAction> ax = actionsOf(x), ay = actionsOf(y);
      return ax.size() == ay.size() && std::equal(ax.begin(), ax.end(), ay.begin(), sameAction);
    };
    Violation v{kind, index, HitViolation::None, {}};
    v.kind = findViolation(hit, order, matched, sameOutputs, v.rules);
    if (v.kind != HitViolation::None) ev.violations.push_back(std::move(v));
    for (uint32_t r = 0; r < fired.size(); ++r)
      if (fired[r])
        for (FiredAction &f : actionsOf(r)) ev.actions.push_back(std::move(f));
    return fired;
  };

  for (size_t pi = 0; pi < p.pathways.size(); ++pi) {
    const Pathway &pw = p.pathways[pi];
    ev.tiers[pi].assign(pw.tiers.size(), false);
    if (!ev.inPopulation) continue;
    bool entry = !pw.entry || ctx.evalBool(*pw.entry);
    std::vector<uint8_t> matched;
    std::vector<const std::vector<Action> *> actions;
    for (const Tier &t : pw.tiers) {
      matched.push_back(entry && (!t.guard || ctx.evalBool(*t.guard)));
      actions.push_back(&t.actions);
    }
    std::vector<uint8_t> fired = resolve(Target::Kind::Tier, static_cast<int>(pi), kPathwayHitPolicy,
                                         carepath::ruleOrder(kPathwayHitPolicy, std::vector<std::optional<int64_t>>(
                                                                                    pw.tiers.size())),
                                         matched, actions);
    for (size_t ti = 0; ti < fired.size(); ++ti) ev.tiers[pi][ti] = fired[ti];
  }

  for (size_t ti = 0; ti < p.tables.size(); ++ti) {
    const Table &t = p.tables[ti];
    ev.rules[ti].assign(t.rules.size(), false);
    ev.matched[ti].assign(t.rules.size(), false);
    if (!ev.inPopulation) continue;
    std::vector<uint8_t> matched;
    std::vector<const std::vector<Action> *> actions;
    for (size_t ri = 0; ri < t.rules.size(); ++ri) {
      matched.push_back(!t.rules[ri].guard || ctx.evalBool(*t.rules[ri].guard));
      ev.matched[ti][ri] = matched.back();
      actions.push_back(&t.rules[ri].actions);
    }
    std::vector<uint8_t> fired = resolve(Target::Kind::Rule, static_cast<int>(ti), t.hit, ruleOrder(t), matched, actions);
    for (size_t ri = 0; ri < fired.size(); ++ri) ev.rules[ti][ri] = fired[ri];
  }
  return ev;
}

}  // namespace carepath::ir
