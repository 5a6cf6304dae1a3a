// The reference evaluator (see Evaluator.h). Straightforward on purpose:
// it is the meaning every faster or symbolic reading of a protocol is
// checked against, so it favours obviousness over speed.
#include "ir/Evaluator.h"

#include <algorithm>
#include <array>

namespace carepath::ir {

namespace {

std::string kindName(Type::Kind k) {
  switch (k) {
  case Type::Kind::Bool: return "bool";
  case Type::Kind::Enum: return "enum";
  case Type::Kind::Number: return "number";
  case Type::Kind::String: return "string";
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
    for (size_t i = 0; i < patient.size(); ++i) {
      if (patient[i].kind != p.inputs[i].type.kind)
        throw EvalError("the value of input '" + p.inputs[i].name + "' is a " + kindName(patient[i].kind) +
                            ", the input is a " + kindName(p.inputs[i].type.kind),
                        p.inputs[i].range);
      if (patient[i].missing && !p.inputs[i].optional)
        throw EvalError("input '" + p.inputs[i].name + "' is missing, and it is not optional", p.inputs[i].range);
    }
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

  /// A condition's truth value (unknown when a value it needs is missing).
  Truth evalTruth(const Expr &e) {
    Value v = eval(e);
    if (v.kind != Type::Kind::Bool) throw EvalError("expected a condition, got a " + kindName(v.kind), e.range);
    return v.truth();
  }

  /// Whether a condition holds: it is true (not false, not unknown). Guards,
  /// the population and pathway entries are read this way.
  bool evalBool(const Expr &e) { return evalTruth(e) == Truth::True; }

  /// A number that must be known (a dose): missing is an error here.
  Rational evalKnownNumber(const Expr &e, const std::string &what) {
    Value v = eval(e);
    if (v.kind != Type::Kind::Number) throw EvalError("expected a number, got a " + kindName(v.kind), e.range);
    if (v.missing) throw EvalError(what + " cannot be computed: '" + toString(p_, e) + "' needs a missing value", e.range);
    return v.number;
  }

private:
  Value number(const Expr &e) {
    Value v = eval(e);
    if (v.kind != Type::Kind::Number) throw EvalError("expected a number, got a " + kindName(v.kind), e.range);
    return v;
  }

  /// The operands' numbers, indexed like a vector.
  struct Operands {
    const Rational *xs;
    size_t n;
    const Rational &operator[](size_t i) const { return xs[i]; }
    size_t size() const { return n; }
  };

  /// Applies `f` to the operands' numbers; missing if any operand is.
  template <typename F> Value arithmetic(const Expr &e, Type::Kind result, F f) {
    // One or two operands (every operator but min and max) stay on the
    // stack: the verifier confirms thousands of witnesses on this path.
    std::array<Rational, 2> few;
    std::vector<Rational> many(e.args.size() > few.size() ? e.args.size() : 0);
    Rational *xs = many.empty() ? few.data() : many.data();
    bool missing = false;
    for (size_t i = 0; i < e.args.size(); ++i) {
      Value v = number(arg(e, i));
      missing = missing || v.missing;
      xs[i] = v.number;
    }
    if (missing) return Value::ofMissing(result);
    const Operands operands{xs, e.args.size()};
    return f(operands);
  }

  Value evalUnchecked(const Expr &e) {
    const auto Num = Type::Kind::Number, Bool = Type::Kind::Bool;
    switch (e.op) {
    case Op::Const: return e.constant;
    case Op::Input:
      if (e.index < 0 || e.index >= static_cast<int>(patient_.size()))
        throw EvalError("internal: input index out of range", e.range);
      return patient_[e.index];
    case Op::Define: return define(e);
    case Op::Not: return Value::ofTruth(kleeneNot(evalTruth(arg(e, 0))));
    // And/Or stop at the operand that decides (false / true), like every
    // reading of a guard a clinician does; unknown does not decide.
    case Op::And: {
      Truth t = Truth::True;
      for (size_t i = 0; i < e.args.size() && t != Truth::False; ++i) t = kleeneAnd(t, evalTruth(arg(e, i)));
      return Value::ofTruth(t);
    }
    case Op::Or: {
      Truth t = Truth::False;
      for (size_t i = 0; i < e.args.size() && t != Truth::True; ++i) t = kleeneOr(t, evalTruth(arg(e, i)));
      return Value::ofTruth(t);
    }
    case Op::Eq: case Op::Ne: {
      Value a = eval(arg(e, 0)), b = eval(arg(e, 1));
      if (a.kind != b.kind)
        throw EvalError("cannot compare a " + kindName(a.kind) + " with a " + kindName(b.kind), e.range);
      if (a.missing || b.missing) return Value::ofMissing(Bool);
      bool same = false;
      switch (a.kind) {
      case Type::Kind::Bool: same = a.boolean == b.boolean; break;
      case Type::Kind::Enum: same = a.member == b.member; break;
      case Type::Kind::Number: same = a.number == b.number; break;
      case Type::Kind::String: same = a.text == b.text; break;
      }
      return Value::ofBool(e.op == Op::Eq ? same : !same);
    }
    case Op::Lt: return arithmetic(e, Bool, [](auto &x) { return Value::ofBool(x[0] < x[1]); });
    case Op::Le: return arithmetic(e, Bool, [](auto &x) { return Value::ofBool(x[0] <= x[1]); });
    case Op::Gt: return arithmetic(e, Bool, [](auto &x) { return Value::ofBool(x[0] > x[1]); });
    case Op::Ge: return arithmetic(e, Bool, [](auto &x) { return Value::ofBool(x[0] >= x[1]); });
    case Op::Add: return arithmetic(e, Num, [](auto &x) { return Value::ofNumber(x[0] + x[1]); });
    case Op::Sub: return arithmetic(e, Num, [](auto &x) { return Value::ofNumber(x[0] - x[1]); });
    case Op::Mul: return arithmetic(e, Num, [](auto &x) { return Value::ofNumber(x[0] * x[1]); });
    case Op::Div:
      return arithmetic(e, Num, [&](auto &x) {
        if (x[1].isZero()) throw EvalError("division by zero: '" + toString(p_, arg(e, 1)) + "' is 0", e.range);
        return Value::ofNumber(x[0] / x[1]);
      });
    case Op::Neg: return arithmetic(e, Num, [](auto &x) { return Value::ofNumber(-x[0]); });
    case Op::Min:
    case Op::Max:
      if (e.args.empty()) throw EvalError("internal: min/max without arguments", e.range);
      return arithmetic(e, Num, [&](auto &x) {
        Rational r = x[0];
        for (size_t i = 1; i < x.size(); ++i) r = e.op == Op::Min ? std::min(r, x[i]) : std::max(r, x[i]);
        return Value::ofNumber(r);
      });
    case Op::Known: return Value::ofBool(!eval(arg(e, 0)).missing);
    case Op::IsTrue: return Value::ofBool(evalTruth(arg(e, 0)) == Truth::True);
    // An unknown condition takes the else branch (FEEL, CQL and SQL agree).
    case Op::If: return evalTruth(arg(e, 0)) == Truth::True ? eval(arg(e, 1)) : eval(arg(e, 2));
    case Op::Count: {
      uint64_t t = 0, u = 0;
      for (size_t i = 0; i < e.args.size(); ++i) {
        Truth x = evalTruth(arg(e, i));
        t += x == Truth::True;
        u += x == Truth::Unknown;
      }
      if (e.index < 0) throw EvalError("internal: negative count", e.range);
      return Value::ofTruth(countTruth(e.counting, static_cast<uint64_t>(e.index), t, u));
    }
    }
    throw EvalError("internal: unknown operator", e.range);
  }

  const Expr &arg(const Expr &e, size_t i) {
    if (i >= e.args.size() || !e.args[i])
      throw EvalError(std::string("internal: '") + spelling(e.op) + "' is missing an operand", e.range);
    return *e.args[i];
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
  if (GivenAmount amount = givenAmount(a)) {
    f.amount = ctx.evalKnownNumber(*amount.low, "the dose of '" + a.name + "'");
    f.amountHigh = amount.isRange() ? ctx.evalKnownNumber(*amount.high, "the dose of '" + a.name + "'") : f.amount;
    // Sema orders the ends it can compare; any other range is checked here.
    if (*f.amountHigh < *f.amount)
      throw EvalError("the dose range of '" + a.name + "' is empty for this patient: its low end " + f.amount->str() +
                          " exceeds its high end " + f.amountHigh->str() + " (canonical units)",
                      a.dose->range);
  }
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

bool sameOutputValue(const Value &a, const Value &b) { return a.missing || b.missing || a == b; }

bool sameAction(const FiredAction &a, const FiredAction &b) {
  if (!a.action || !b.action) return a.action == b.action;
  return a.amount == b.amount && a.amountHigh == b.amountHigh && actionIdentity(*a.action) == actionIdentity(*b.action);
}

Evaluation evaluate(const Protocol &p, const Patient &patient) {
  Context ctx(p, patient);
  Evaluation ev;
  ev.tiers.resize(p.pathways.size());
  ev.rules.resize(p.tables.size());
  ev.matched.resize(p.tables.size());
  for (size_t k = 0; k < p.assumptions.size(); ++k)
    if (!ctx.evalBool(*assumptionHolds(p.assumptions[k]))) ev.violatedAssumptions.push_back(static_cast<int>(k));
  ev.inPopulation = !p.population || ctx.evalBool(*p.population);

  // One container (a pathway's tiers or a table's rules): which match, which
  // fire and what the policy forbids are carepath/Rules.h's.
  auto resolve = [&](Target::Kind kind, int index, HitPolicy hit, const std::vector<uint32_t> &order,
                     const std::vector<uint8_t> &matched, const std::vector<const std::vector<Action> *> &actions,
                     const std::vector<const std::vector<ExprRef> *> &outputs) {
    std::vector<uint8_t> fired(matched.size(), 0);
    carepath::fire<uint8_t>(hit, order, matched, fired, ConcreteLogic{});
    auto target = [&](uint32_t r) { return Target{kind, index, static_cast<int>(r)}; };
    auto actionsOf = [&](uint32_t r) {
      std::vector<FiredAction> out;
      for (const Action &a : *actions[r]) {
        // ir::offered: withheld unless its `unless` is known false.
        if (a.unless) {
          Value u = ctx.eval(*a.unless);
          if (u.missing || u.boolean) continue;
        }
        out.push_back(fire(ctx, target(r), a));
      }
      return out;
    };
    auto sameOutputs = [&](uint32_t x, uint32_t y) {
      std::vector<FiredAction> ax = actionsOf(x), ay = actionsOf(y);
      if (ax.size() != ay.size() || !std::equal(ax.begin(), ax.end(), ay.begin(), sameAction)) return false;
      if (outputs.empty()) return true;
      // Outputs too: values known to differ (a missing value is no disagreement, as in the verifier).
      for (size_t o = 0; o < outputs[x]->size(); ++o)
        if (!sameOutputValue(ctx.eval(*(*outputs[x])[o]), ctx.eval(*(*outputs[y])[o]))) return false;
      return true;
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
    for (size_t ti = 0; ti < pw.tiers.size(); ++ti) {
      const Tier &t = pw.tiers[ti];
      // A course tier reads its state and the pathway's; an ordered stage
      // excludes the earlier ones: both in ir::Protocol::tierGuard.
      if (pw.course || pw.first) matched.push_back(ctx.evalBool(*p.tierGuard(static_cast<int>(pi), static_cast<int>(ti))));
      else matched.push_back(entry && (!t.guard || ctx.evalBool(*t.guard)));
      actions.push_back(&t.actions);
    }
    std::vector<uint8_t> fired = resolve(Target::Kind::Tier, static_cast<int>(pi), kPathwayHitPolicy,
                                         carepath::ruleOrder(kPathwayHitPolicy, std::vector<std::optional<int64_t>>(
                                                                                    pw.tiers.size())),
                                         matched, actions, {});
    for (size_t ti = 0; ti < fired.size(); ++ti) ev.tiers[pi][ti] = fired[ti];
  }

  ev.results.resize(p.tables.size());
  ev.ruleOutputs.resize(p.tables.size());
  ev.outputs.resize(p.tables.size());
  for (size_t ti = 0; ti < p.tables.size(); ++ti) {
    const Table &t = p.tables[ti];
    ev.rules[ti].assign(t.rules.size(), false);
    ev.matched[ti].assign(t.rules.size(), false);
    ev.ruleOutputs[ti].assign(t.rules.size(), {});
    for (const Output &o : t.outputs) ev.outputs[ti].push_back(Value::ofMissing(o.type.kind));
    if (!ev.inPopulation) continue;
    std::vector<uint8_t> matched;
    std::vector<const std::vector<Action> *> actions;
    std::vector<const std::vector<ExprRef> *> outputs;
    for (size_t ri = 0; ri < t.rules.size(); ++ri) {
      matched.push_back(!t.rules[ri].guard || ctx.evalBool(*t.rules[ri].guard));
      ev.matched[ti][ri] = matched.back();
      actions.push_back(&t.rules[ri].actions);
      if (!t.outputs.empty()) outputs.push_back(&t.rules[ri].outputs);
    }
    std::vector<uint32_t> order = ruleOrder(t);
    std::vector<uint8_t> fired = resolve(Target::Kind::Rule, static_cast<int>(ti), t.hit, order, matched, actions, outputs);
    for (size_t ri = 0; ri < fired.size(); ++ri) {
      ev.rules[ti][ri] = fired[ri];
      if (fired[ri])
        for (const ExprRef &o : t.rules[ri].outputs) ev.ruleOutputs[ti][ri].push_back(ctx.eval(*o));
    }
    // `output order`: ranked by the first output's enum member (sema: an enum).
    if (!t.outputs.empty())
      ev.results[ti] = carepath::resultOrder(t.hit, order, fired, [&](uint32_t r) {
      const Value &v = ev.ruleOutputs[ti][r].at(0);
      return v.missing ? INT32_MAX : v.member;
    });
    if (carepath::hasSingleOutput(t.hit, t.aggregation))
      for (size_t o = 0; o < t.outputs.size(); ++o) ev.outputs[ti][o] = ctx.eval(*outputValue(t, static_cast<int>(o)));
  }
  return ev;
}

}  // namespace carepath::ir
