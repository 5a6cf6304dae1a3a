#include "verifier/Z3Backend.h"

#include <z3++.h>

#include <deque>
#include <optional>
#include <unordered_map>

namespace carepath::verifier {

using namespace ir;

struct Z3Backend::Impl {
  const Protocol &p;
  const Options &options;
  z3::context ctx;
  z3::solver solver;
  std::vector<z3::expr> vars;        // one per input (Real numbers, Int enums, Bool)
  std::vector<z3::expr> domain;      // ranges and the population
  std::unordered_map<int, z3::expr> defines;  // encoded once per define
  std::deque<z3::model> recent;      // models of earlier answers: cheap witnesses
  std::optional<z3::optimize> optimizer;  // created on first use; push/pop per question

  // The plain incremental SMT solver: the default strategy selector costs a
  // slow first check, which dominates on protocols of this size.
  Impl(const Protocol &protocol, const Options &opts)
      : p(protocol), options(opts), solver(ctx, z3::solver::simple()) {
    z3::params params(ctx);
    params.set("timeout", options.timeoutMs);
    params.set("rlimit", options.rlimit);
    solver.set(params);
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      const Input &in = p.inputs[i];
      std::string name = "in!" + in.name;
      switch (in.type.kind) {
      case Type::Kind::Bool: vars.push_back(ctx.bool_const(name.c_str())); break;
      case Type::Kind::Enum: {
        z3::expr v = ctx.int_const(name.c_str());
        int n = static_cast<int>(p.enums[in.type.enumType].members.size());
        domain.push_back(v >= 0 && v < n);
        vars.push_back(v);
        break;
      }
      case Type::Kind::Number: {
        z3::expr v = in.type.integer ? z3::to_real(ctx.int_const(name.c_str())) : ctx.real_const(name.c_str());
        if (in.lo) domain.push_back(v >= real(*in.lo));
        if (in.hi) domain.push_back(v <= real(*in.hi));
        vars.push_back(v);
        break;
      }
      }
    }
    if (p.population) domain.push_back(encode(*p.population));
    for (const z3::expr &d : domain) solver.add(d);
  }

  z3::expr real(const Rational &r) {
    std::string text = r.str();
    return ctx.real_val(text.c_str());
  }

  z3::expr encodeDefine(int index) {
    if (auto it = defines.find(index); it != defines.end()) return it->second;
    z3::expr r = encode(*p.defines.at(index).value);
    defines.emplace(index, r);
    return r;
  }

  // Not cached by node address: obligations build short-lived nodes whose
  // addresses are reused. Z3 shares equal terms itself.
  z3::expr encode(const Expr &e) {
    auto arg = [&](size_t i) { return encode(*e.args[i]); };
    switch (e.op) {
    case Op::Const:
      switch (e.constant.kind) {
      case Type::Kind::Bool: return ctx.bool_val(e.constant.boolean);
      case Type::Kind::Enum: return ctx.int_val(e.constant.member);
      case Type::Kind::Number: return real(e.constant.number);
      }
      break;
    case Op::Input: return vars.at(e.index);
    case Op::Define: return encodeDefine(e.index);
    case Op::Not: return !arg(0);
    case Op::And:
    case Op::Or: {
      z3::expr_vector xs(ctx);
      for (size_t i = 0; i < e.args.size(); ++i) xs.push_back(arg(i));
      return e.op == Op::And ? z3::mk_and(xs) : z3::mk_or(xs);
    }
    case Op::Eq: return arg(0) == arg(1);
    case Op::Ne: return arg(0) != arg(1);
    case Op::Lt: return arg(0) < arg(1);
    case Op::Le: return arg(0) <= arg(1);
    case Op::Gt: return arg(0) > arg(1);
    case Op::Ge: return arg(0) >= arg(1);
    case Op::Add: return arg(0) + arg(1);
    case Op::Sub: return arg(0) - arg(1);
    case Op::Mul: return arg(0) * arg(1);
    case Op::Div: return arg(0) / arg(1);
    case Op::Neg: return -arg(0);
    case Op::Min:
    case Op::Max: {
      z3::expr acc = arg(0);
      for (size_t i = 1; i < e.args.size(); ++i) {
        z3::expr x = arg(i);
        acc = e.op == Op::Min ? z3::ite(x < acc, x, acc) : z3::ite(x > acc, x, acc);
      }
      return acc;
    }
    }
    throw z3::exception("unsupported IR operator");
  }

  static std::optional<Rational> toRational(const z3::expr &v) {
    int64_t num = 0, den = 1;
    if (!v.is_numeral() || !Z3_get_numeral_rational_int64(v.ctx(), v, &num, &den)) return std::nullopt;
    try {
      return Rational(num, den);
    } catch (const std::exception &) {
      return std::nullopt;
    }
  }

  /// The patient of a model; nullopt when a value is not a small rational
  /// (an algebraic number from nonlinear arithmetic, say).
  std::optional<std::vector<Value>> patientOf(const z3::model &m) {
    std::vector<Value> patient;
    for (size_t i = 0; i < vars.size(); ++i) {
      z3::expr v = m.eval(vars[i], true);
      switch (p.inputs[i].type.kind) {
      case Type::Kind::Bool: patient.push_back(Value::ofBool(v.is_true())); break;
      case Type::Kind::Enum: patient.push_back(Value::ofEnum(v.get_numeral_int())); break;
      case Type::Kind::Number: {
        auto r = toRational(v);
        if (!r) return std::nullopt;
        patient.push_back(Value::ofNumber(*r));
        break;
      }
      }
    }
    return patient;
  }

  /// Asks again with every quantity a whole number of its display unit,
  /// then with one and two decimals, so the patient reads like a chart.
  std::optional<z3::model> readableModel() {
    for (Rational step : {Rational(1), Rational(1, 10), Rational(1, 100)}) {
      solver.push();
      for (size_t i = 0; i < vars.size(); ++i) {
        const Input &in = p.inputs[i];
        if (in.type.kind != Type::Kind::Number || in.type.integer) continue;
        Rational unit = in.displayUnit.factor.isZero() ? Rational(1) : in.displayUnit.factor;
        z3::expr k = ctx.int_const(("nice!" + std::to_string(i)).c_str());
        solver.add(vars[i] == z3::to_real(k) * real(unit * step));
      }
      z3::check_result r = solver.check();
      std::optional<z3::model> m;
      if (r == z3::sat) m = solver.get_model();
      solver.pop();
      if (m) return m;
    }
    return std::nullopt;
  }

  void remember(const z3::model &m) {
    recent.push_front(m);
    if (recent.size() > 32) recent.pop_back();
  }

  /// Checks `goal` on top of the domain: Yes with a readable patient if sat.
  Answer find(const z3::expr &goal, const ExprRef &observed) {
    Answer a;
    solver.push();
    solver.add(goal);
    z3::check_result r = solver.check();
    if (r == z3::unsat) {
      a.kind = Answer::Kind::No;
    } else if (r == z3::unknown) {
      a.reason = solver.reason_unknown();
    } else {
      std::optional<z3::model> m = readableModel();
      if (!m) m = solver.get_model();
      a.patient = patientOf(*m);
      if (!a.patient) {
        a.reason = "the solver's patient has irrational values (nonlinear arithmetic)";
      } else {
        a.kind = Answer::Kind::Yes;
        remember(*m);
        if (observed) a.observed = toRational(m->eval(encode(*observed), true));
      }
    }
    solver.pop();
    return a;
  }
};

Z3Backend::Z3Backend(const Protocol &protocol, const Options &options)
    : impl_(std::make_unique<Impl>(protocol, options)) {}
Z3Backend::~Z3Backend() = default;

Answer Z3Backend::holdsForAll(const ExprRef &formula, const ExprRef &observed) {
  try {
    Answer a = impl_->find(!impl_->encode(*formula), observed);
    // find() answers "is there a patient where it fails?": flip it.
    if (a.kind == Answer::Kind::Yes) a.kind = Answer::Kind::No;
    else if (a.kind == Answer::Kind::No) a.kind = Answer::Kind::Yes;
    return a;
  } catch (const z3::exception &e) {
    Answer a;
    a.reason = std::string("solver error: ") + e.msg();
    return a;
  }
}

Answer Z3Backend::holdsForSome(const ExprRef &formula) {
  try {
    z3::expr f = impl_->encode(*formula);
    for (const z3::model &m : impl_->recent)
      if (m.eval(f, true).is_true()) {
        Answer a;
        a.kind = Answer::Kind::Yes;
        a.patient = impl_->patientOf(m);
        a.reused = true;
        if (a.patient) return a;
      }
    return impl_->find(f, nullptr);
  } catch (const z3::exception &e) {
    Answer a;
    a.reason = std::string("solver error: ") + e.msg();
    return a;
  }
}

namespace {
/// The numeric part of an optimiser bound: `c`, or `c - epsilon` (not
/// attained); nullopt for infinities.
std::optional<std::pair<Rational, bool>> boundValue(const z3::expr &e) {
  int64_t num = 0, den = 1;
  if (e.is_numeral() && Z3_get_numeral_rational_int64(e.ctx(), e, &num, &den)) return std::make_pair(Rational(num, den), true);
  if (e.is_app() && e.decl().decl_kind() == Z3_OP_ADD) {
    std::optional<Rational> value;
    bool hasEpsilon = false;
    for (unsigned i = 0; i < e.num_args(); ++i) {
      z3::expr a = e.arg(i);
      if (a.is_numeral() && Z3_get_numeral_rational_int64(e.ctx(), a, &num, &den)) value = Rational(num, den);
      else if (a.to_string().find("epsilon") != std::string::npos) hasEpsilon = true;
      else return std::nullopt;  // oo
    }
    if (value && hasEpsilon) return std::make_pair(*value, false);
  }
  return std::nullopt;
}
}  // namespace

Extremum Z3Backend::optimum(const ExprRef &condition, const ExprRef &term, bool maximize) {
  Extremum out;
  try {
    z3::context &ctx = impl_->ctx;
    if (!impl_->optimizer) {
      impl_->optimizer.emplace(ctx);
      z3::params params(ctx);
      params.set("timeout", impl_->options.timeoutMs);
      params.set("rlimit", impl_->options.rlimit);
      impl_->optimizer->set(params);
      for (const z3::expr &d : impl_->domain) impl_->optimizer->add(d);
    }
    z3::optimize &opt = *impl_->optimizer;
    struct Scope {  // pops the condition and the objective, even on exceptions
      z3::optimize &o;
      explicit Scope(z3::optimize &x) : o(x) { o.push(); }
      ~Scope() { o.pop(); }
    } scope(opt);
    opt.add(impl_->encode(*condition));
    z3::expr t = impl_->encode(*term);
    z3::optimize::handle h = maximize ? opt.maximize(t) : opt.minimize(t);
    z3::check_result r = opt.check();
    if (r == z3::unsat) {
      out.kind = Extremum::Kind::Empty;
      return out;
    }
    if (r == z3::unknown) {
      out.reason = Z3_optimize_get_reason_unknown(ctx, opt);
      return out;
    }
    z3::expr bound = maximize ? opt.upper(h) : opt.lower(h);
    if (auto v = boundValue(bound)) {
      out.kind = Extremum::Kind::Value;
      out.value = v->first;
      out.attained = v->second;
    } else if (bound.to_string().find("oo") != std::string::npos) {
      out.kind = Extremum::Kind::Unbounded;
    } else {
      out.reason = "the optimiser returned a bound that is not a rational number: " + bound.to_string();
    }
  } catch (const z3::exception &e) {
    out.kind = Extremum::Kind::Unknown;
    out.reason = std::string("solver error: ") + e.msg();
  }
  return out;
}

}  // namespace carepath::verifier
