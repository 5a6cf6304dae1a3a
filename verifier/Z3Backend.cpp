#include "verifier/Z3Backend.h"
#include "verifier/TermRange.h"

#include <z3++.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace carepath::verifier {

using namespace ir;

namespace {
/// A numeral as an exact Rational; nullopt for anything else (an algebraic
/// number, a term, a rational beyond 64 bits).
std::optional<Rational> exactRational(const z3::expr &v) {
  int64_t num = 0, den = 1;
  if (!v.is_numeral() || !Z3_get_numeral_rational_int64(v.ctx(), v, &num, &den)) return std::nullopt;
  try {
    return Rational(num, den);
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

/// The closure relaxation of a boolean IR formula: negations pushed to the
/// atoms, then every comparison of numbers made non-strict (`<` becomes
/// `<=`, `!=` becomes true). It holds wherever the formula holds and on the
/// boundary of its strict comparisons; booleans and enums are kept as they are.
ExprRef closure(const Protocol &p, const ExprRef &e, bool positive = true) {
  namespace b = ir::build;
  switch (e->op) {
  case Op::Define: return closure(p, p.defines.at(e->index).value, positive);
  case Op::Not: return closure(p, e->args[0], !positive);
  // "x is true" relaxes to the relaxation of x (read as "holds"); "x is not
  // true" is "x is false, or unknown".
  case Op::IsTrue:
    if (positive) return closure(p, e->args[0], true);
    return b::nary(Op::Or, {b::unary(Op::Not, b::known(e->args[0])), closure(p, e->args[0], false)});
  case Op::And:
  case Op::Or: {
    std::vector<ExprRef> xs;
    for (const ExprRef &a : e->args) xs.push_back(closure(p, a, positive));
    return b::nary((e->op == Op::And) == positive ? Op::And : Op::Or, std::move(xs));
  }
  case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: case Op::Eq: case Op::Ne: {
    if (e->args[0]->type.kind != Type::Kind::Number) break;
    Op op = e->op;
    if (!positive) {  // the atom that must hold: not (a < b) is a >= b
      switch (op) {
      case Op::Lt: op = Op::Ge; break;
      case Op::Le: op = Op::Gt; break;
      case Op::Gt: op = Op::Le; break;
      case Op::Ge: op = Op::Lt; break;
      case Op::Eq: op = Op::Ne; break;
      default: op = Op::Eq; break;
      }
    }
    if (op == Op::Ne) return b::boolean(true);
    if (op == Op::Lt) op = Op::Le;
    if (op == Op::Gt) op = Op::Ge;
    return b::binary(op, e->args[0], e->args[1]);
  }
  default: break;
  }
  return positive ? e : b::unary(Op::Not, e);
}

/// An optimiser bound as Z3 reports it: infinity * a + b + epsilon * c, each
/// coefficient an exact numeral (Z3_optimize_get_{lower,upper}_as_vector).
struct Bound {
  Rational infinity, value, epsilon;
};

/// The bound of objective `h` after a `sat` check; nullopt when a coefficient
/// is not a numeral that fits a Rational.
std::optional<Bound> boundOf(z3::context &ctx, z3::optimize &opt, const z3::optimize::handle &h, bool maximize) {
  Z3_ast_vector raw = maximize ? Z3_optimize_get_upper_as_vector(ctx, opt, h.h())
                               : Z3_optimize_get_lower_as_vector(ctx, opt, h.h());
  ctx.check_error();
  z3::expr_vector v(ctx, raw);
  if (v.size() != 3) return std::nullopt;
  std::optional<Rational> a = exactRational(v[0]), b = exactRational(v[1]), c = exactRational(v[2]);
  if (!a || !b || !c) return std::nullopt;
  return Bound{*a, *b, *c};
}

/// Scoped push/pop on a solver or optimiser, popped even on exceptions.
template <class S>
struct Pushed {
  S &s;
  explicit Pushed(S &x) : s(x) { s.push(); }
  ~Pushed() { s.pop(); }
  Pushed(const Pushed &) = delete;
  Pushed &operator=(const Pushed &) = delete;
};

/// What a Z3 exception leaves of a question: no answer, with Z3's message
/// as the reason (reported as unknown, never as a pass).
std::string solverError(const z3::exception &e) { return std::string("solver error: ") + e.msg(); }
Answer unanswered(const z3::exception &e) {
  Answer a;
  a.reason = solverError(e);
  return a;
}

}  // namespace

struct Z3Backend::Impl {
  const Protocol &p;
  // A copy: callers pass temporaries (`Z3Backend z3(p, Options{})`), and the
  // limits are read at every solver made later (the course search's).
  const Options options;
  z3::context ctx;
  z3::solver solver;
  std::vector<z3::expr> vars;        // one per input (Real numbers, Int enums and strings, Bool)
  std::vector<z3::expr> knowns;      // per input: given (true for inputs that are not optional)
  std::vector<z3::expr> constants;   // the Z3 constant of each input (an Int under `to_real` for integers)
  std::vector<z3::expr> domain;      // ranges and the population
  size_t rangeCount = 0;             // domain[0, rangeCount) are the ranges
  /// The population assumptions' entries of the domain (restrict()): the
  /// course search leaves them out (enumerate).
  std::vector<size_t> assumptionEntries;
  std::vector<std::optional<z3::expr>> inputRange;  // per input: its ranges' conjunction (groundTrue)
  std::vector<ExprRef> restrictions;  // restrict(): the population assumptions, for closureOptimum
  std::vector<z3::expr> invariants;   // assume() but not restrict(): the partial operations are safe
  /// An encoded expression: its value, meaningful when `known` holds
  /// (missing values, carepath/Truth.h). `known` is the constant true for
  /// everything that cannot be missing (Expr::mayBeMissing).
  struct Enc {
    z3::expr value, known;
  };
  std::unordered_map<int, Enc> defines;  // encoded once per define
  /// The protocol's own expression nodes (rule guards, tier guards, doses,
  /// ...), encoded once: they live as long as the protocol, so their
  /// addresses are never reused; a wide table's obligations mention every
  /// earlier guard again (docs/performance.md, "Fourth round").
  std::unordered_set<const Expr *> lasting;
  std::unordered_map<const Expr *, Enc> encoded;
  /// Box witnesses are confirmed on a solver of their own (holdsForSomeAt),
  /// with the domain added as it grows: the main solver's history is the
  /// questions' alone.
  std::optional<z3::solver> pinnedSolver;
  size_t pinnedDomain = 0;  // domain[0, pinnedDomain) asserted on it
  /// Enumerations (the course search) on a solver of their own too, the
  /// domain added as it grows; `enumerating` while one is open.
  std::optional<z3::solver> enumSolver;
  size_t enumDomain = 0;
  bool enumerating = false;
  std::vector<ExprRef> kept;  // keep(): alive as long as the backend, so `lasting`
  size_t z3Checks = 0;      // every check Z3 ran, on every solver and optimiser
  std::deque<z3::model> recent;      // models of earlier answers: cheap witnesses
  std::deque<std::vector<Value>> recentPatients;  // the patient of each
  std::optional<z3::optimize> optimizer;  // created on first use; push/pop per question
  /// Strings (docs/verifier.md, "Strings"): each string literal of the
  /// protocol is a distinct integer, and a string input an unconstrained
  /// Int, so every other integer stands for a string the protocol never
  /// names. Equality is all a protocol can ask of strings, and this
  /// numbering keeps it exact.
  std::map<std::string, int> stringIndex;

  // The plain incremental SMT solver: the default strategy selector costs a
  // slow first check, which dominates on protocols of this size.
  Impl(const Protocol &protocol, const Options &opts)
      : p(protocol), options(opts), solver(ctx, z3::solver::simple()) {
    numberStrings();
    z3::params params(ctx);
    params.set("timeout", options.timeoutMs);
    params.set("rlimit", options.rlimit);
    solver.set(params);
    for (size_t i = 0; i < p.inputs.size(); ++i) {
      const Input &in = p.inputs[i];
      std::string name = "in!" + in.name;
      switch (in.type.kind) {
      case Type::Kind::Bool:
        vars.push_back(ctx.bool_const(name.c_str()));
        constants.push_back(vars.back());
        break;
      case Type::Kind::Enum: {
        z3::expr v = ctx.int_const(name.c_str());
        constants.push_back(v);
        int n = static_cast<int>(p.enums[in.type.enumType].members.size());
        domain.push_back(v >= 0 && v < n);
        inputRange.emplace_back(domain.back());
        vars.push_back(v);
        break;
      }
      case Type::Kind::String: {
        // No domain: a string input may be any string, literal or not.
        vars.push_back(ctx.int_const(name.c_str()));
        constants.push_back(vars.back());
        break;
      }
      case Type::Kind::Number: {
        z3::expr c = in.type.integer ? ctx.int_const(name.c_str()) : ctx.real_const(name.c_str());
        constants.push_back(c);
        z3::expr v = in.type.integer ? z3::to_real(c) : c;
        z3::expr_vector range(ctx);
        if (in.lo) domain.push_back(v >= real(*in.lo)), range.push_back(domain.back());
        if (in.hi) domain.push_back(v <= real(*in.hi)), range.push_back(domain.back());
        if (!range.empty()) inputRange.emplace_back(z3::mk_and(range));
        vars.push_back(v);
        break;
      }
      }
      knowns.push_back(in.optional ? ctx.bool_const(("known!" + in.name).c_str()) : ctx.bool_val(true));
      if (inputRange.size() == i) inputRange.emplace_back();  // no range
    }
    rangeCount = domain.size();
    if (p.population) domain.push_back(encode(*p.population));
    for (const z3::expr &d : domain) solver.add(d);
  }

  z3::expr real(const Rational &r) {
    // The same numeral either way; the small case skips printing and parsing it.
    if (r.num() >= INT32_MIN && r.num() <= INT32_MAX && r.den() <= INT32_MAX)
      return ctx.real_val(static_cast<int>(r.num()), static_cast<int>(r.den()));
    std::string text = r.str();
    return ctx.real_val(text.c_str());
  }

  /// Numbers every string literal the protocol's formulas mention, in
  /// sorted order so the encoding (and so every model) is deterministic.
  void numberStrings() {
    std::set<std::string> texts;
    std::unordered_set<const Expr *> &seen = lasting;  // the walk's nodes are the protocol's own
    std::function<void(const ExprRef &)> walk = [&](const ExprRef &e) {
      if (!e || !seen.insert(e.get()).second) return;
      if (e->op == Op::Const && e->constant.kind == Type::Kind::String) texts.insert(e->constant.text);
      for (const ExprRef &a : e->args) walk(a);
    };
    auto actions = [&](const std::vector<Action> &as) {
      for (const Action &a : as) {
        walk(a.dose);
        walk(a.cap);
      }
    };
    walk(p.population);
    for (const Assumption &a : p.assumptions) walk(a.condition);
    for (const Define &d : p.defines) walk(d.value);
    for (const Pathway &pw : p.pathways) {
      walk(pw.entry);
      for (const Tier &t : pw.tiers) {
        walk(t.guard);
        walk(t.failedWhen);
        actions(t.actions);
      }
    }
    for (const Table &t : p.tables)
      for (const Rule &r : t.rules) {
        walk(r.guard);
        actions(r.actions);
      }
    for (const Property &pr : p.properties) walk(pr.expr);
    for (const std::string &t : texts) stringIndex.emplace(t, static_cast<int>(stringIndex.size()));
  }

  z3::expr stringVal(const std::string &text) {
    // A literal only a tool built (none is outside the protocol's formulas
    // today) still gets its own number, after the others.
    auto it = stringIndex.emplace(text, static_cast<int>(stringIndex.size())).first;
    return ctx.int_val(it->second);
  }

  /// The strings of a model's string inputs: a literal's number reads as
  /// that literal; each other number as a fresh string that no literal is
  /// ("other", then "other 2", ...), equal numbers as equal strings, so the
  /// counterexample can be pasted into an example or a patient file.
  std::vector<std::string> stringsOf(const std::vector<std::optional<int64_t>> &numbers) {
    std::map<int64_t, std::string> names;
    for (const auto &[text, index] : stringIndex) names.emplace(index, text);
    std::vector<std::string> out;
    int fresh = 0;
    for (const auto &n : numbers) {
      if (!n) { out.emplace_back(); continue; }
      auto it = names.find(*n);
      if (it == names.end()) {
        std::string name;
        do {
          ++fresh;
          name = fresh == 1 ? "other" : "other " + std::to_string(fresh);
        } while (stringIndex.count(name));
        it = names.emplace(*n, name).first;
      }
      out.push_back(it->second);
    }
    return out;
  }

  Enc encodeDefine(int index) {
    if (auto it = defines.find(index); it != defines.end()) return it->second;
    Enc r = enc(*p.defines.at(index).value);
    defines.emplace(index, r);
    return r;
  }

  /// A condition holds (is true: not false, not unknown), or a number's value.
  z3::expr encode(const Expr &e) {
    Enc x = enc(e);
    if (e.type.kind == Type::Kind::Bool && e.mayBeMissing) return x.known && x.value;
    return x.value;
  }

  /// The value is not missing.
  z3::expr knownOf(const Expr &e) { return enc(e).known; }

  // Two caches by node address. The protocol's own nodes (`lasting`) live as
  // long as it does: each is encoded once for the whole run. Any other node
  // is cached within one top-level encoding only, where every node is alive
  // (obligations build short-lived nodes whose addresses are reused): a node
  // several parents share (the course transitions repeat tierStateIs and
  // tierGuard many times over) is encoded once. Z3 shares equal terms itself.
  std::unordered_map<const Expr *, Enc> encoded_;
  int encDepth_ = 0;
  Enc enc(const Expr &e) {
    if (lasting.count(&e)) {
      if (auto it = encoded.find(&e); it != encoded.end()) return it->second;
      Enc r = encNode(e);
      encoded.emplace(&e, r);
      return r;
    }
    struct Depth {
      Impl &m;
      explicit Depth(Impl &m) : m(m) { ++m.encDepth_; }
      ~Depth() {
        if (--m.encDepth_ == 0) m.encoded_.clear();
      }
    } depth(*this);
    if (auto it = encoded_.find(&e); it != encoded_.end()) return it->second;
    Enc x = encNode(e);
    encoded_.emplace(&e, x);
    return x;
  }

  // Missing values follow carepath/Truth.h: Kleene's tables for not/and/or
  // and counting, every other operator missing when an operand is.
  Enc encNode(const Expr &e) {
    const z3::expr yes = ctx.bool_val(true);
    if (!e.mayBeMissing) {
      // Everything below is known: the two-valued encoding.
      return Enc{plain(e), yes};
    }
    std::vector<Enc> xs;
    for (const ExprRef &a : e.args) xs.push_back(enc(*a));
    auto allKnown = [&] {
      z3::expr_vector ks(ctx);
      for (const Enc &x : xs) ks.push_back(x.known);
      return z3::mk_and(ks);
    };
    switch (e.op) {
    case Op::Const: return Enc{plain(e), ctx.bool_val(!e.constant.missing)};  // build::missing: no value
    case Op::Input: return Enc{vars.at(e.index), knowns.at(e.index)};
    case Op::Define: return encodeDefine(e.index);
    case Op::Not: return Enc{!xs[0].value, xs[0].known};
    case Op::And: case Op::Or: {
      // And: false as soon as one operand is known false; Or: true as soon as one is known true.
      bool isAnd = e.op == Op::And;
      z3::expr_vector decisive(ctx), values(ctx);
      for (const Enc &x : xs) {
        decisive.push_back(x.known && (isAnd ? !x.value : x.value));
        values.push_back(isAnd ? (x.value || !x.known) : (x.value && x.known));
      }
      z3::expr value = isAnd ? z3::mk_and(values) : z3::mk_or(values);
      return Enc{value, allKnown() || z3::mk_or(decisive)};
    }
    case Op::Eq: return Enc{xs[0].value == xs[1].value, allKnown()};
    case Op::Ne: return Enc{xs[0].value != xs[1].value, allKnown()};
    case Op::Lt: return Enc{xs[0].value < xs[1].value, allKnown()};
    case Op::Le: return Enc{xs[0].value <= xs[1].value, allKnown()};
    case Op::Gt: return Enc{xs[0].value > xs[1].value, allKnown()};
    case Op::Ge: return Enc{xs[0].value >= xs[1].value, allKnown()};
    case Op::Add: return Enc{xs[0].value + xs[1].value, allKnown()};
    case Op::Sub: return Enc{xs[0].value - xs[1].value, allKnown()};
    case Op::Mul: return Enc{xs[0].value * xs[1].value, allKnown()};
    case Op::Div: return Enc{xs[0].value / xs[1].value, allKnown()};
    case Op::Neg: return Enc{-xs[0].value, allKnown()};
    case Op::Min: case Op::Max: {
      z3::expr acc = xs[0].value;
      for (size_t i = 1; i < xs.size(); ++i) {
        const z3::expr &x = xs[i].value;
        acc = e.op == Op::Min ? z3::ite(x < acc, x, acc) : z3::ite(x > acc, x, acc);
      }
      return Enc{acc, allKnown()};
    }
    case Op::Known: case Op::IsTrue: return Enc{plain(e), yes};  // never missing (mayBeMissing is false)
    case Op::If: {
      // An unknown condition takes the else branch.
      z3::expr c = xs[0].known && xs[0].value;
      return Enc{z3::ite(c, xs[1].value, xs[2].value), z3::ite(c, xs[1].known, xs[2].known)};
    }
    case Op::Count: {
      z3::expr t = ctx.int_val(0), u = ctx.int_val(0);
      for (const Enc &x : xs) {
        t = t + z3::ite(x.known && x.value, ctx.int_val(1), ctx.int_val(0));
        u = u + z3::ite(!x.known, ctx.int_val(1), ctx.int_val(0));
      }
      z3::expr k = ctx.int_val(e.index), most = t + u;
      z3::expr isTrue = yes, isFalse = yes;
      switch (e.counting) {
      case Counting::AtLeast: isTrue = t >= k; isFalse = most < k; break;
      case Counting::AtMost: isTrue = most <= k; isFalse = t > k; break;
      case Counting::Exactly: isTrue = t == k && most == k; isFalse = t > k || most < k; break;
      }
      return Enc{isTrue, isTrue || isFalse};
    }
    }
    throw z3::exception("unsupported IR operator");
  }

  /// The two-valued encoding of an expression that cannot be missing.
  z3::expr plain(const Expr &e) {
    auto arg = [&](size_t i) { return encode(*e.args[i]); };
    switch (e.op) {
    case Op::Const:
      switch (e.constant.kind) {
      case Type::Kind::Bool: return ctx.bool_val(e.constant.boolean);
      case Type::Kind::Enum: return ctx.int_val(e.constant.member);
      case Type::Kind::Number: return real(e.constant.number);
      case Type::Kind::String: return stringVal(e.constant.text);
      }
      break;
    case Op::Input: return vars.at(e.index);
    case Op::Define: return encodeDefine(e.index).value;
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
    case Op::Known: return knownOf(*e.args[0]);
    case Op::IsTrue: return encode(*e.args[0]);  // encode() reads a condition as "holds"
    case Op::If: return z3::ite(encode(*e.args[0]), arg(1), arg(2));
    case Op::Count: {
      z3::expr t = ctx.int_val(0);
      for (size_t i = 0; i < e.args.size(); ++i) t = t + z3::ite(arg(i), ctx.int_val(1), ctx.int_val(0));
      z3::expr k = ctx.int_val(e.index);
      switch (e.counting) {
      case Counting::AtLeast: return t >= k;
      case Counting::AtMost: return t <= k;
      case Counting::Exactly: return t == k;
      }
      break;
    }
    }
    throw z3::exception("unsupported IR operator");
  }

  /// The patient of a model; nullopt when a value is not a small rational
  /// (an algebraic number from nonlinear arithmetic, say).
  std::optional<std::vector<Value>> patientOf(const z3::model &m) {
    std::vector<Value> patient;
    std::vector<std::optional<int64_t>> stringNumbers(vars.size());
    for (size_t i = 0; i < vars.size(); ++i) {
      int64_t n = 0;
      if (p.inputs[i].type.kind != Type::Kind::String) continue;
      if (p.inputs[i].optional && m.eval(knowns[i], true).is_false()) continue;
      z3::expr v = m.eval(vars[i], true);
      if (!v.is_numeral_i64(n)) return std::nullopt;
      stringNumbers[i] = n;
    }
    std::vector<std::string> strings = stringsOf(stringNumbers);
    for (size_t i = 0; i < vars.size(); ++i) {
      z3::expr v = m.eval(vars[i], true);
      if (p.inputs[i].optional && m.eval(knowns[i], true).is_false()) {
        patient.push_back(Value::ofMissing(p.inputs[i].type.kind));
        continue;
      }
      switch (p.inputs[i].type.kind) {
      case Type::Kind::String: patient.push_back(Value::ofString(strings[i])); break;
      case Type::Kind::Bool: patient.push_back(Value::ofBool(v.is_true())); break;
      case Type::Kind::Enum: patient.push_back(Value::ofEnum(v.get_numeral_int())); break;
      case Type::Kind::Number: {
        auto r = exactRational(v);
        if (!r) return std::nullopt;
        patient.push_back(Value::ofNumber(*r));
        break;
      }
      }
    }
    return patient;
  }

  /// Asks again with every quantity a whole number of its display unit,
  /// then with one, two and three decimals, so the patient reads like a
  /// chart. A grid over every input at once can defeat the solver where the
  /// formula is nonlinear (a dose per kg: integers times reals), and a
  /// violation can sit in a band narrower than the grid (`weight >= 66.666
  /// kg` below 66.6667 kg): then each input in turn is pinned to its value
  /// in the latest model rounded to 0, 1, ... 6 decimals, the first that
  /// still violates kept. An input no rounding fits keeps its exact value
  /// (the verifier says it has no decimal form).
  std::optional<z3::model> readableModel(const z3::model &raw) {
    for (Rational step : {Rational(1), Rational(1, 10), Rational(1, 100), Rational(1, 1000)}) {
      Pushed<z3::solver> scope(solver);  // popped on a z3::exception too
      for (size_t i = 0; i < vars.size(); ++i) {
        const Input &in = p.inputs[i];
        if (in.type.kind != Type::Kind::Number || in.type.integer) continue;
        Rational unit = in.displayUnit.factor.isZero() ? Rational(1) : in.displayUnit.factor;
        z3::expr k = ctx.int_const(("nice!" + std::to_string(i)).c_str());
        // A whole number of display units is a reading: affine units (degC) add their offset.
        solver.add(vars[i] == z3::to_real(k) * real(unit * step) + real(in.displayUnit.offset));
      }
      ++z3Checks;
      z3::check_result r = solver.check();
      if (r == z3::sat) return solver.get_model();
    }
    return pinnedModel(raw);
  }

  /// readableModel's second way: one input at a time, rounded near `raw`.
  std::optional<z3::model> pinnedModel(const z3::model &raw) {
    Pushed<z3::solver> scope(solver);
    z3::model current = raw;
    bool changed = false;
    for (size_t i = 0; i < vars.size(); ++i) {
      const Input &in = p.inputs[i];
      if (in.type.kind != Type::Kind::Number || in.type.integer) continue;
      if (in.optional && current.eval(knowns[i], true).is_false()) continue;
      std::optional<Rational> exact = exactRational(current.eval(vars[i], true));
      if (!exact) continue;
      Rational unit = in.displayUnit.factor.isZero() ? Rational(1) : in.displayUnit.factor;
      Rational shown = (*exact - in.displayUnit.offset) / unit;
      if (shown.isDecimalExact(3)) {  // already readable: keep it for the inputs after it
        solver.add(vars[i] == real(*exact));
        continue;
      }
      for (int digits = 0; digits <= 6; ++digits) {
        std::optional<Rational> rounded = Rational::parse(shown.decimal(digits));
        if (!rounded) continue;
        Pushed<z3::solver> attempt(solver);
        solver.add(vars[i] == real(*rounded * unit + in.displayUnit.offset));
        ++z3Checks;
        if (solver.check() != z3::sat) continue;
        current = solver.get_model();
        changed = true;
        break;
      }
      // Kept for the inputs after it, rounded or not: the latest model has it.
      solver.add(vars[i] == real(*exactRational(current.eval(vars[i], true))));
    }
    if (!changed) return std::nullopt;
    return current;
  }

  /// Does Z3's rewriter fold `f` and the domain, with each input's
  /// constant replaced by `values[i]` (and each optional input given), to
  /// true? Every constant of the ground term is a value, so true is Z3's
  /// verdict for this one patient; false or a term left unfolded says
  /// nothing here (the caller asks the solver).
  bool groundTrue(const z3::expr &f, const std::vector<z3::expr> &values) {
    // Each input's range mentions that input alone: folded once per value
    // (witnesses repeat values), the rest of the domain with the formula.
    for (size_t i = 0; i < values.size(); ++i) {
      if (!inputRange[i]) continue;
      auto key = std::make_pair(i, values[i].id());
      auto it = rangeFolded.find(key);
      if (it == rangeFolded.end()) {
        z3::expr_vector from(ctx), to(ctx);
        from.push_back(constants[i]);
        to.push_back(values[i]);
        keepAlive(values[i]);  // alive, so its id names it
        it = rangeFolded.emplace(key, inputRange[i]->substitute(from, to).simplify().is_true()).first;
      }
      if (!it->second) return false;
    }
    // The rest of the domain and the formula, conjunct by conjunct. A
    // conjunct Z3 folded to true is remembered with the values of the
    // inputs it reads (a wide table's formulas repeat the earlier rules'
    // guards, and witnesses repeat values: docs/performance.md, "Sixth
    // round"); the others are folded together, in one ground term, and
    // when Z3 folds that conjunction to true it folded each of them so.
    std::vector<z3::expr> parts;
    for (size_t k = rangeCount; k < domain.size(); ++k) conjuncts(domain[k], parts);
    conjuncts(f, parts);
    z3::expr_vector pending(ctx);
    std::vector<std::vector<unsigned>> pendingKeys;
    std::set<size_t> pendingReads;
    for (const z3::expr &part : parts) {
      const std::vector<size_t> &reads = readsOf(part);
      std::vector<unsigned> key{part.id()};
      for (size_t i : reads) key.push_back(values[i].id());
      if (partTrue.count(key)) continue;
      pending.push_back(part);
      pendingKeys.push_back(std::move(key));
      pendingReads.insert(reads.begin(), reads.end());
    }
    if (pending.empty()) return true;
    z3::expr_vector from(ctx), to(ctx);
    for (size_t i : pendingReads) {
      from.push_back(constants[i]);
      to.push_back(values[i]);
      keepAlive(values[i]);  // alive, so its id names it in partTrue's keys
      if (!p.inputs[i].optional) continue;
      from.push_back(knowns[i]);
      to.push_back(ctx.bool_val(true));
    }
    z3::expr ground = pending.size() == 1 ? pending[0] : z3::mk_and(pending);
    if (!ground.substitute(from, to).simplify().is_true()) return false;
    for (std::vector<unsigned> &key : pendingKeys) partTrue.insert(std::move(key));
    return true;
  }
  /// The conjuncts of `e` (nested conjunctions flattened) onto `out`.
  static void conjuncts(const z3::expr &e, std::vector<z3::expr> &out) {
    if (e.is_app() && e.decl().decl_kind() == Z3_OP_AND) {
      for (unsigned k = 0; k < e.num_args(); ++k) conjuncts(e.arg(k), out);
      return;
    }
    out.push_back(e);
  }
  /// The inputs whose constant (or `known`) occurs in `e`, ascending;
  /// computed once per term, which is kept alive so that its id names it.
  const std::vector<size_t> &readsOf(const z3::expr &e) {
    if (auto it = partReads.find(e.id()); it != partReads.end()) return it->second;
    if (inputOfDecl.empty())
      for (size_t i = 0; i < constants.size(); ++i) {
        inputOfDecl.emplace(constants[i].decl().id(), i);
        if (p.inputs[i].optional) inputOfDecl.emplace(knowns[i].decl().id(), i);
      }
    std::set<size_t> reads;
    std::unordered_set<unsigned> seen;
    std::vector<z3::expr> todo{e};
    while (!todo.empty()) {
      z3::expr x = todo.back();
      todo.pop_back();
      if (!seen.insert(x.id()).second) continue;
      if (x.is_app()) {
        if (x.num_args() == 0) {
          if (auto in = inputOfDecl.find(x.decl().id()); in != inputOfDecl.end()) reads.insert(in->second);
        }
        for (unsigned k = 0; k < x.num_args(); ++k) todo.push_back(x.arg(k));
      } else if (x.is_quantifier()) {
        todo.push_back(x.body());
      }
    }
    foldedTerms.push_back(e);
    return partReads.emplace(e.id(), std::vector<size_t>(reads.begin(), reads.end())).first->second;
  }
  void keepAlive(const z3::expr &e) {
    if (aliveIds.insert(e.id()).second) foldedValues.push_back(e);
  }
  struct IdsHash {
    size_t operator()(const std::vector<unsigned> &v) const {
      size_t h = v.size();
      for (unsigned x : v) h = h * 1000003u ^ x;
      return h;
    }
  };
  std::map<std::pair<size_t, unsigned>, bool> rangeFolded;  // (input, value's id): its range folds to true
  /// (conjunct's id, its inputs' values' ids): it folds to true.
  std::unordered_set<std::vector<unsigned>, IdsHash> partTrue;
  std::unordered_map<unsigned, std::vector<size_t>> partReads;  // conjunct's id: readsOf
  std::unordered_map<unsigned, size_t> inputOfDecl;            // an input's constant (or known): the input
  std::vector<z3::expr> foldedValues, foldedTerms;              // alive, so their ids name them
  std::unordered_set<unsigned> aliveIds;                        // of foldedValues
  size_t groundConfirmed = 0;  // holdsForSomeAt answers groundTrue decided

  /// Some patient within the domain was found (so every input's range is
  /// satisfiable): remember() was called.
  bool patientFound = false;
  void remember(const z3::model &m, const std::vector<Value> &patient) {
    patientFound = true;
    recent.push_front(m);
    recentPatients.push_front(patient);
    if (recent.size() > 32) recent.pop_back(), recentPatients.pop_back();
  }

  /// Checks `goal` on top of the domain: Yes with a readable patient if sat.
  /// `readable` false: every input is pinned by the goal, so the readable
  /// re-asks could only return the same values (they cost a check and a
  /// model each); the raw model is that patient already.
  Answer find(const z3::expr &goal, const ExprRef &observed, bool readable = true) {
    Answer a;
    // Popped on a z3::exception too ("there is no current model"): a goal
    // left asserted would make every later question vacuous, and a
    // refutable property proved (found by the differential test, seed 25).
    Pushed<z3::solver> scope(solver);
    solver.add(goal);
    ++z3Checks;
    z3::check_result r = solver.check();
    if (r == z3::unsat) {
      a.kind = Answer::Kind::No;
    } else if (r == z3::unknown) {
      a.reason = solver.reason_unknown();
    } else {
      // Taken now: after readableModel's own checks come back unsat, the
      // solver may hand out a stale model of an earlier query instead.
      z3::model raw = solver.get_model();
      std::optional<z3::model> m = readable ? readableModel(raw) : std::nullopt;
      if (!m) m = raw;
      a.patient = patientOf(*m);
      if (!a.patient) {
        a.reason = "the solver's patient has irrational values (nonlinear arithmetic)";
      } else {
        a.kind = Answer::Kind::Yes;
        remember(*m, *a.patient);
        if (observed) a.observed = exactRational(m->eval(encode(*observed), true));
      }
    }
    return a;
  }

  /// The parts `s` (with what it has asserted) is unsat with: a minimal
  /// subset by deletion in index order, sped up by unsat cores over one
  /// tracked literal per part (Z3Backend::minimalCore says why the result
  /// does not depend on the cores). nullopt when sat with all, or unknown.
  std::optional<std::vector<size_t>> deletionCore(z3::solver &s, const std::vector<z3::expr> &parts, size_t &checks) {
    Pushed<z3::solver> scope(s);
    std::vector<z3::expr> lits;
    std::unordered_map<unsigned, size_t> index;  // literal's ast id -> part
    for (size_t i = 0; i < parts.size(); ++i) {
      z3::expr lit = ctx.bool_const(("core!" + std::to_string(i)).c_str());
      s.add(z3::implies(lit, parts[i]));
      index.emplace(lit.id(), i);
      lits.push_back(lit);
    }
    // Unsat with the parts in `kept`: true, and its core (a subset of
    // kept) in `core`; false when satisfiable; nullopt when unknown.
    auto unsat = [&](const std::vector<size_t> &kept, std::set<size_t> &core) -> std::optional<bool> {
      z3::expr_vector as(ctx);
      for (size_t k : kept) as.push_back(lits[k]);
      ++checks;
      ++z3Checks;
      z3::check_result r = s.check(as);
      if (r == z3::unknown) return std::nullopt;
      if (r == z3::sat) return false;
      core.clear();
      z3::expr_vector uc = s.unsat_core();
      for (unsigned i = 0; i < uc.size(); ++i)
        if (auto it = index.find(uc[i].id()); it != index.end()) core.insert(it->second);
      return true;
    };
    std::vector<size_t> kept(parts.size());
    for (size_t i = 0; i < kept.size(); ++i) kept[i] = i;
    std::set<size_t> core;
    std::optional<bool> all = unsat(kept, core);
    if (!all || !*all) return std::nullopt;
    for (size_t i = 0; i < parts.size(); ++i) {
      std::vector<size_t> rest;
      for (size_t k : kept)
        if (k != i) rest.push_back(k);
      // Outside the latest core: the rest still holds that core, so plain
      // deletion would drop it too.
      if (!core.count(i)) {
        kept = std::move(rest);
        continue;
      }
      std::set<size_t> smaller;
      std::optional<bool> without = unsat(rest, smaller);
      if (without && *without) {
        kept = std::move(rest);
        core = std::move(smaller);
      }
      // Satisfiable without it: needed. Unknown: kept (a cover still, maybe not minimal).
    }
    return kept;
  }

  void limit(z3::solver &s) {
    z3::params params(ctx);
    params.set("timeout", options.timeoutMs);
    params.set("rlimit", options.rlimit);
    s.set(params);
  }
  void limit(z3::optimize &o) {
    z3::params params(ctx);
    params.set("timeout", options.timeoutMs);
    params.set("rlimit", options.rlimit);
    o.set(params);
  }

  /// Does a patient of the population with `condition` get `t` above
  /// `bound` (below when minimising; or equal, unless `strictly`)?
  z3::check_result beyond(const z3::expr &condition, const z3::expr &t, const Rational &bound, bool maximize,
                          bool strictly) {
    Pushed<z3::solver> scope(solver);
    solver.add(condition);
    z3::expr v = real(bound);
    solver.add(maximize ? (strictly ? t > v : t >= v) : (strictly ? t < v : t <= v));
    ++z3Checks;
    return solver.check();
  }

  /// beyond(strictly), and the value `t` takes for the patient found there.
  z3::check_result beyondValue(const z3::expr &condition, const z3::expr &t, const Rational &bound, bool maximize,
                               std::optional<Rational> &value) {
    Pushed<z3::solver> scope(solver);
    solver.add(condition);
    solver.add(maximize ? t > real(bound) : t < real(bound));
    ++z3Checks;
    z3::check_result r = solver.check();
    if (r == z3::sat) value = exactRational(solver.get_model().eval(t, true));
    return r;
  }

  /// How many patients the search below asks for, each beyond the last,
  /// before it leaves the question to the optimiser. One: Z3's next patient
  /// beyond a strict bound is only just beyond it (999.99997 after 1000).
  static constexpr int kSearchRounds = 1;

  /// The extremum of `t` over the patients with `cond`, when a few plain
  /// checks find it: a patient, then a patient beyond its value, until none
  /// is. The last value is then the extremum and a patient has it: the
  /// answer the optimiser gives, which costs about ten plain checks per
  /// question (docs/performance.md, "Eighth round"). The first patient is
  /// asked at `proposal` or beyond it when there is one (the end of the
  /// term's range over the inputs' ranges, TermRange.h): a dose whose
  /// extremum is set by the ranges, the common case, takes two checks. No
  /// answer (left to the optimiser) when the values keep moving, as they do
  /// towards a supremum no patient reaches, or when Z3 cannot tell.
  std::optional<Extremum> searchOptimum(const z3::expr &cond, const z3::expr &t, bool maximize,
                                        const std::optional<Rational> &proposal) {
    auto past = [&](const Rational &v, bool strictly) {
      z3::expr b = real(v);
      return maximize ? (strictly ? t > b : t >= b) : (strictly ? t < b : t <= b);
    };
    Pushed<z3::solver> scope(solver);
    solver.add(cond);
    z3::check_result r = z3::unknown;
    if (proposal) {
      // Under a scope of its own: dropped when no patient is there.
      Pushed<z3::solver> proposed(solver);
      solver.add(past(*proposal, false));
      ++z3Checks;
      z3::check_result at = solver.check();
      if (at == z3::unknown) return std::nullopt;
      std::optional<Rational> value;
      if (at == z3::sat) value = exactRational(solver.get_model().eval(t, true));
      if (value) {
        // A patient has `value` (at or beyond the proposal): the extremum
        // when none goes beyond it (none can, by the ranges, unless the
        // arithmetic above is wrong: then the optimiser answers).
        solver.add(past(*value, true));
        ++z3Checks;
        if (solver.check() == z3::unsat) return Extremum{Extremum::Kind::Value, *value, true, {}};
        return std::nullopt;
      }
    }
    ++z3Checks;
    r = solver.check();
    if (r == z3::unsat) return Extremum{Extremum::Kind::Empty, {}, true, {}};
    for (int round = 0; r == z3::sat && round < kSearchRounds; ++round) {
      std::optional<Rational> value = exactRational(solver.get_model().eval(t, true));
      if (!value) break;
      solver.add(past(*value, true));
      ++z3Checks;
      r = solver.check();
      if (r == z3::unsat) return Extremum{Extremum::Kind::Value, *value, true, {}};
    }
    return std::nullopt;
  }

  /// The extremum of `term`, checked: a bound that some patient goes beyond
  /// is never reported. The search above first, then Z3's optimiser.
  Extremum optimum(const ExprRef &condition, const ExprRef &term, bool maximize) {
    // A missing amount has no value to bound (a separate obligation asks
    // whether a fired dose can be missing).
    std::optional<Rational> proposal;
    if (std::optional<TermRange> range = termRange(p, *term)) proposal = maximize ? range->hi : range->lo;
    if (std::optional<Extremum> found =
            searchOptimum(encode(*condition) && knownOf(*term), encode(*term), maximize, proposal))
      return *found;
    Extremum out;
    if (!optimizer) {
      // The domain but the ranges: each question adds the ranges it needs.
      optimizer.emplace(ctx);
      limit(*optimizer);
      for (size_t k = rangeCount; k < domain.size(); ++k) optimizer->add(domain[k]);
    }
    z3::optimize &opt = *optimizer;
    Pushed<z3::optimize> scope(opt);  // the condition, the ranges and the objective
    // A missing amount has no value to bound (a separate obligation asks
    // whether a fired dose can be missing).
    z3::expr cond = encode(*condition) && knownOf(*term);
    z3::expr t = encode(*term);
    opt.add(cond);
    // The ranges of the inputs that the question or the rest of the domain
    // reads. Any other input's range constrains that input alone, and once
    // some patient of the domain was found it is satisfiable, so leaving it
    // out changes no optimum; Z3's optimiser spends about twice as long per
    // question with all of them (docs/performance.md, "Sixth round").
    // Before any patient was found (an empty population), every range.
    std::set<size_t> reads;
    for (size_t k = rangeCount; k < domain.size(); ++k) {
      const std::vector<size_t> &r = readsOf(domain[k]);
      reads.insert(r.begin(), r.end());
    }
    for (const z3::expr *e : {&cond, &t}) {
      const std::vector<size_t> &r = readsOf(*e);
      reads.insert(r.begin(), r.end());
    }
    for (size_t i = 0; i < inputRange.size(); ++i)
      if (inputRange[i] && (!patientFound || reads.count(i))) opt.add(*inputRange[i]);
    z3::optimize::handle h = maximize ? opt.maximize(t) : opt.minimize(t);
    ++z3Checks;
    z3::check_result r = opt.check();
    if (r == z3::unsat) {
      out.kind = Extremum::Kind::Empty;
      return out;
    }
    if (r == z3::unknown) {
      out.reason = Z3_optimize_get_reason_unknown(ctx, opt);
      return out;
    }
    std::optional<Bound> bound = boundOf(ctx, opt, h, maximize);
    // The direction of the objective: a maximum is unbounded at +oo and a
    // supremum no patient reaches is b - epsilon; a minimum, the mirror image.
    int away = maximize ? 1 : -1;
    if (!bound) {
      out.reason = "the optimiser's bound is not an exact rational number";
      return out;
    }
    if (bound->infinity.sign() == away) {
      out.kind = Extremum::Kind::Unbounded;
      return out;
    }
    if (!bound->infinity.isZero() || bound->epsilon.sign() == away) {
      out.reason = "the optimiser returned an impossible bound";
      return out;
    }
    switch (beyond(cond, t, bound->value, maximize, /*strictly=*/true)) {
    case z3::unsat:
      out.kind = Extremum::Kind::Value;
      out.value = bound->value;
      out.attained = bound->epsilon.isZero();  // b - epsilon: a supremum no patient reaches
      return out;
    case z3::unknown:
      out.reason = solver.reason_unknown();
      return out;
    case z3::sat:
      // Z3 4.8.11 to 4.8.13 answer a feasible value instead of b - epsilon
      // when the optimum sits on a strict comparison (Z3 issue #5720).
      return closureOptimum(condition, term, maximize);
    }
    return out;
  }

  /// The extremum over the closure of the patients (strict comparisons made
  /// non-strict), which the optimiser finds exactly. It bounds every
  /// patient; it is the supremum if some patient reaches it, or if patients
  /// come arbitrarily close (checked with a quantifier), and else unknown.
  Extremum closureOptimum(const ExprRef &condition, const ExprRef &term, bool maximize) {
    Extremum out;
    z3::optimize opt(ctx);
    limit(opt);
    for (size_t i = 0; i < rangeCount; ++i) opt.add(domain[i]);
    if (p.population) opt.add(encode(*closure(p, p.population)));
    for (const ExprRef &r : restrictions) opt.add(encode(*closure(p, r)));
    opt.add(encode(*closure(p, condition)));
    opt.add(knownOf(*term));
    z3::expr t = encode(*term);
    z3::optimize::handle h = maximize ? opt.maximize(t) : opt.minimize(t);
    z3::expr cond = encode(*condition) && knownOf(*term);
    std::optional<Bound> bound;
    // Z3 4.8.12's optimiser can stop at a feasible value short of the
    // optimum here too: a bound is used only once no patient goes beyond it.
    // A patient who does is the next floor, a few times before giving up.
    for (int round = 0;; ++round) {
      ++z3Checks;
      z3::check_result r = opt.check();
      bound.reset();
      if (r == z3::sat) bound = boundOf(ctx, opt, h, maximize);
      if (!bound || !bound->infinity.isZero() || !bound->epsilon.isZero()) {
        out.reason = r == z3::unknown ? std::string(Z3_optimize_get_reason_unknown(ctx, opt))
                                      : "the optimiser's bound over the closure is not exact";
        return out;
      }
      std::optional<Rational> past;
      z3::check_result r2 = beyondValue(cond, t, bound->value, maximize, past);
      if (r2 == z3::unsat) break;
      if (r2 == z3::unknown || !past || round == 8) {
        out.reason = r2 == z3::unknown ? solver.reason_unknown()
                                       : "the optimiser's bound is exceeded by a patient and the extremum is not found";
        return out;
      }
      opt.add(maximize ? t >= real(*past) : t <= real(*past));
    }
    z3::check_result reached = beyond(cond, t, bound->value, maximize, /*strictly=*/false);
    if (reached == z3::unknown) {
      out.reason = solver.reason_unknown();
      return out;
    }
    out.kind = Extremum::Kind::Value;
    out.value = bound->value;
    out.attained = reached == z3::sat;
    if (out.attained) return out;
    // Approached: no gap delta > 0 keeps every patient delta away from it.
    z3::solver q(ctx);
    limit(q);
    z3::expr delta = ctx.real_const("approach!delta");
    z3::expr v = real(bound->value);
    q.add(delta > 0);
    q.add(z3::forall(patientVariables(), z3::implies(inDomain(cond), maximize ? t <= v - delta : t >= v + delta)));
    ++z3Checks;
    z3::check_result gap = q.check();
    if (gap == z3::unsat) return out;
    out.kind = Extremum::Kind::Unknown;
    out.reason = gap == z3::unknown ? q.reason_unknown()
                                    : "the optimiser's bound is exceeded by a patient and the supremum is not found";
    return out;
  }
  /// A patient's variables, to quantify over: every input's value and, for
  /// an optional input, whether it is known.
  z3::expr_vector patientVariables() {
    z3::expr_vector xs(ctx);
    for (const z3::expr &c : constants) xs.push_back(c);
    for (size_t i = 0; i < knowns.size(); ++i)
      if (p.inputs[i].optional) xs.push_back(knowns[i]);
    return xs;
  }

  /// The patient is within the declared ranges and population and `cond` holds.
  z3::expr inDomain(const z3::expr &cond) {
    z3::expr_vector patient(ctx);
    for (const z3::expr &d : domain) patient.push_back(d);
    patient.push_back(cond);
    return z3::mk_and(patient);
  }

  /// `goal` on top of the domain as an SMT-LIB 2 benchmark. Logic ALL: the
  /// goal may mix integers and reals, and be nonlinear (a dose per kg).
  std::string smtlib(const z3::expr &goal, bool withDomain = true) {
    std::vector<Z3_ast> assumptions;
    if (withDomain)
      for (const z3::expr &d : domain) assumptions.push_back(d);
    Z3_string text = Z3_benchmark_to_smtlib_string(ctx, "", "ALL", "unknown", "",
                                                   static_cast<unsigned>(assumptions.size()), assumptions.data(), goal);
    ctx.check_error();
    return text;
  }

  z3::expr beyondGoal(const ExprRef &condition, const ExprRef &term, const std::optional<Rational> &bound,
                      bool maximize, bool strictly) {
    z3::expr goal = encode(*condition) && knownOf(*term);
    if (!bound) return goal;
    z3::expr t = encode(*term), v = real(*bound);
    return goal && (maximize ? (strictly ? t > v : t >= v) : (strictly ? t < v : t <= v));
  }

  /// exists M. forall patients: domain and condition (term known) imply term <= M (>= M when minimising).
  z3::expr boundedGoal(const ExprRef &condition, const ExprRef &term, bool maximize) {
    z3::expr m = ctx.real_const("bound!m");
    z3::expr_vector xs = patientVariables();
    z3::expr t = encode(*term);
    z3::expr body = z3::implies(inDomain(encode(*condition) && knownOf(*term)), maximize ? t <= m : t >= m);
    z3::expr_vector ms(ctx);
    ms.push_back(m);
    return xs.empty() ? z3::exists(ms, body) : z3::exists(ms, z3::forall(xs, body));
  }
};

Z3Backend::Z3Backend(const Protocol &protocol, const Options &options)
    : impl_(std::make_unique<Impl>(protocol, options)) {}
Z3Backend::~Z3Backend() = default;

size_t Z3Backend::checks() const { return impl_->z3Checks; }
size_t Z3Backend::groundConfirmations() const { return impl_->groundConfirmed; }

Answer Z3Backend::holdsForAll(const ExprRef &formula, const ExprRef &observed) {
  try {
    Answer a = impl_->find(!impl_->encode(*formula), observed);
    // find() answers "is there a patient where it fails?": flip it.
    if (a.kind == Answer::Kind::Yes) a.kind = Answer::Kind::No;
    else if (a.kind == Answer::Kind::No) a.kind = Answer::Kind::Yes;
    return a;
  } catch (const z3::exception &e) {
    return unanswered(e);
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
    return unanswered(e);
  }
}

Answer Z3Backend::holdsForSomeAt(const ExprRef &formula, const std::vector<Value> &patient) {
  try {
    Impl &m = *impl_;
    z3::expr f = m.encode(*formula);  // first, as holdsForSome does (it numbers the strings)
    // Each input's constant (and `known`) at the patient's value, as the
    // model reads it: an integer input's Int constant, a string's number.
    Answer a;
    bool complete = patient.size() == m.p.inputs.size();
    std::vector<z3::expr> values;
    for (size_t i = 0; complete && i < patient.size(); ++i) {
      const Input &in = m.p.inputs[i];
      const Value &v = patient[i];
      complete = !v.missing && v.kind == in.type.kind && !(in.type.integer && !v.number.isInteger());
      if (!complete) break;
      switch (in.type.kind) {
      case Type::Kind::Bool: values.push_back(m.ctx.bool_val(v.boolean)); break;
      case Type::Kind::Enum: values.push_back(m.ctx.int_val(v.member)); break;
      case Type::Kind::String: values.push_back(m.stringVal(v.text)); break;
      case Type::Kind::Number:
        // A whole number as an int64 numeral: the same Z3 term as its text parsed.
        values.push_back(in.type.integer ? m.ctx.int_val(v.number.num()) : m.real(v.number));
        break;
      }
    }
    if (!complete) {
      a.reason = "the patient does not give every input a value of its type";
      return a;
    }
    // An earlier model of this very patient that satisfies the formula.
    auto samePatient = [&](size_t k) {
      const std::vector<Value> &q = m.recentPatients[k];
      for (size_t i = 0; i < values.size(); ++i) {
        const Value &v = patient[i], &w = q[i];
        if (w.missing) return false;
        switch (m.p.inputs[i].type.kind) {
        case Type::Kind::Bool: if (w.boolean != v.boolean) return false; break;
        case Type::Kind::Enum: if (w.member != v.member) return false; break;
        case Type::Kind::Number: if (w.number != v.number) return false; break;
        case Type::Kind::String:  // by number: a string no literal is reads as "other" in either
          if (!z3::eq(m.recent[k].eval(m.constants[i], true), values[i])) return false;
          break;
        }
      }
      return true;
    };
    for (size_t k = 0; k < m.recent.size(); ++k)
      if (samePatient(k) && m.recent[k].eval(f, true).is_true()) {
        a.kind = Answer::Kind::Yes;
        a.patient = m.recentPatients[k];
        a.reused = true;
        return a;
      }
    // The patient's model: each input's constant its value, each optional
    // input given. When Z3 says yes, this patient is the answer (the values
    // read back from it are the patient's own).
    z3::model model(m.ctx);
    for (size_t i = 0; i < values.size(); ++i) {
      z3::func_decl d = m.constants[i].decl();
      model.add_const_interp(d, values[i]);
      if (!m.p.inputs[i].optional) continue;
      z3::func_decl k = m.knowns[i].decl();
      z3::expr yes = m.ctx.bool_val(true);
      model.add_const_interp(k, yes);
    }
    auto yes = [&] {
      a.kind = Answer::Kind::Yes;
      a.patient = patient;
      m.remember(model, patient);
      return a;
    };
    // First Z3's rewriter on the ground term (the domain and the formula,
    // each input replaced by its value), which folds it to true without a
    // solver check. Only `true` is taken; any other result (false, or a
    // term it cannot fold, such as a division by zero) is asked on the
    // solver below.
    if (m.groundTrue(f, values)) {
      ++m.groundConfirmed;
      return yes();
    }
    // Asked on the witness solver, every input pinned (each input's
    // constant, each optional input given), so its model can only be the
    // patient itself: taken as that, without reading Z3's model back.
    if (!m.pinnedSolver) {
      m.pinnedSolver.emplace(m.ctx, z3::solver::simple());
      // The resource limit only: a question with every input fixed needs
      // no clock, and Z3 4.8.12 arms a timer thread for each timed check
      // (docs/performance.md, "Fourth round").
      z3::params params(m.ctx);
      params.set("rlimit", m.options.rlimit);
      m.pinnedSolver->set(params);
    }
    for (; m.pinnedDomain < m.domain.size(); ++m.pinnedDomain) m.pinnedSolver->add(m.domain[m.pinnedDomain]);
    Pushed<z3::solver> scope(*m.pinnedSolver);
    z3::expr_vector goal(m.ctx);
    for (size_t i = 0; i < values.size(); ++i) {
      // A number as the encoding of `input == value` has it (a real
      // numeral), terms Z3 shares with those in `f`.
      bool number = m.p.inputs[i].type.kind == Type::Kind::Number;
      goal.push_back(number ? m.vars[i] == m.real(patient[i].number) : m.constants[i] == values[i]);
      if (m.p.inputs[i].optional) goal.push_back(m.knowns[i]);
    }
    goal.push_back(f);
    m.pinnedSolver->add(z3::mk_and(goal));
    ++m.z3Checks;
    z3::check_result r = m.pinnedSolver->check();
    if (r == z3::sat) return yes();
    if (r == z3::unsat) a.kind = Answer::Kind::No;
    else a.reason = m.pinnedSolver->reason_unknown();
    return a;
  } catch (const z3::exception &e) {
    return unanswered(e);
  }
}

void Z3Backend::keep(const ExprRef &e) {
  Impl &m = *impl_;
  if (!e || m.lasting.count(e.get())) return;  // kept already (or the protocol's own)
  m.kept.push_back(e);
  std::function<void(const ExprRef &)> walk = [&](const ExprRef &x) {
    if (!x || !m.lasting.insert(x.get()).second) return;
    for (const ExprRef &a : x->args) walk(a);
  };
  walk(e);
}

std::unique_ptr<Z3Backend::Enumeration> Z3Backend::enumerate(const ExprRef &base) {
  Impl &m = *impl_;
  std::unique_ptr<Enumeration> out(new Enumeration(m));
  if (m.enumerating) {
    out->error_ = "internal error: a second enumeration opened while one is open";
    return out;
  }
  try {
    // Measured on ANEC's search (docs/performance.md, "session 11"): a
    // scope per enumeration beats keeping the transitions asserted for
    // good (as constants equal to them, or under a literal per
    // enumeration): Z3 then carries them through every question.
    if (!m.enumSolver) {
      m.enumSolver.emplace(m.ctx, z3::solver::simple());
      m.limit(*m.enumSolver);
    }
    // Not the population assumptions: `carepath eval` flags a record that
    // violates one but still moves its course on (docs/semantics.md, "The
    // course"), so a course may pass through such a record; searching
    // under them would miss the states it leads to (a false proof, found
    // by review: tests/verify/course-assumption.test).
    for (; m.enumDomain < m.domain.size(); ++m.enumDomain)
      if (std::find(m.assumptionEntries.begin(), m.assumptionEntries.end(), m.enumDomain) == m.assumptionEntries.end())
        m.enumSolver->add(m.domain[m.enumDomain]);
    z3::expr f = m.encode(*base);
    m.enumSolver->push();
    m.enumerating = out->open_ = true;
    m.enumSolver->add(f);
  } catch (const z3::exception &e) {
    out->error_ = solverError(e);
  }
  return out;
}

Z3Backend::Enumeration::~Enumeration() {
  if (!open_) return;
  m_.enumerating = false;
  try {
    m_.enumSolver->pop();
  } catch (const z3::exception &) {
    // The solver is dropped: the next enumeration starts a new one.
    m_.enumSolver.reset();
    m_.enumDomain = 0;
  }
}

void Z3Backend::Enumeration::exclude(const ExprRef &condition) {
  if (!error_.empty()) return;
  try {
    m_.enumSolver->add(!m_.encode(*condition));
  } catch (const z3::exception &e) {
    error_ = solverError(e);
  }
}

Answer Z3Backend::Enumeration::next() {
  Answer a;
  if (!error_.empty()) {
    a.reason = error_;
    return a;
  }
  try {
    z3::solver &s = *m_.enumSolver;
    ++m_.z3Checks;
    z3::check_result r = s.check();
    if (r == z3::unsat) {
      a.kind = Answer::Kind::No;
    } else if (r == z3::unknown) {
      a.reason = s.reason_unknown();
    } else {
      a.patient = m_.patientOf(s.get_model());
      if (!a.patient) a.reason = "the solver's patient has irrational values (nonlinear arithmetic)";
      else a.kind = Answer::Kind::Yes;
    }
  } catch (const z3::exception &e) {
    a.reason = solverError(e);
  }
  return a;
}

std::optional<std::vector<size_t>> Z3Backend::minimalCore(const ExprRef &base, const std::vector<ExprRef> &parts,
                                                          size_t &checks) {
  try {
    Impl &m = *impl_;
    Pushed<z3::solver> scope(m.solver);
    m.solver.add(m.encode(*base));
    std::vector<z3::expr> encoded;
    for (const ExprRef &e : parts) encoded.push_back(m.encode(*e));
    return m.deletionCore(m.solver, encoded, checks);
  } catch (const z3::exception &) {
    return std::nullopt;
  }
}

std::optional<std::vector<size_t>> Z3Backend::neededFor(const ExprRef &formula, const std::vector<ExprRef> &hypotheses,
                                                        size_t &checks) {
  try {
    Impl &m = *impl_;
    // A solver of its own: the main one has the population asserted for good.
    z3::solver q(m.ctx, z3::solver::simple());
    m.limit(q);
    for (size_t i = 0; i < m.rangeCount; ++i) q.add(m.domain[i]);
    for (const z3::expr &c : m.invariants) q.add(c);
    q.add(!m.encode(*formula));
    std::vector<z3::expr> encoded;
    for (const ExprRef &h : hypotheses) encoded.push_back(m.encode(*h));
    return m.deletionCore(q, encoded, checks);
  } catch (const z3::exception &) {
    return std::nullopt;
  }
}

void Z3Backend::assume(const ExprRef &condition) {
  try {
    z3::expr c = impl_->encode(*condition);
    impl_->solver.add(c);
    impl_->domain.push_back(c);
    impl_->invariants.push_back(c);
    if (impl_->optimizer) impl_->optimizer->add(c);
    impl_->recent.clear();  // earlier models need not satisfy it
    impl_->recentPatients.clear();
  } catch (const z3::exception &) {
    // Not assumed: later answers may then include such patients, which
    // --check-models reports; never a crash.
  }
}

void Z3Backend::restrict(const ExprRef &condition) {
  size_t invariants = impl_->invariants.size(), entry = impl_->domain.size();
  assume(condition);
  if (impl_->domain.size() > entry) impl_->assumptionEntries.push_back(entry);
  // A hypothesis neededFor names, not an invariant.
  impl_->invariants.erase(impl_->invariants.begin() + static_cast<std::ptrdiff_t>(invariants), impl_->invariants.end());
  impl_->restrictions.push_back(condition);
}

Extremum Z3Backend::optimum(const ExprRef &condition, const ExprRef &term, bool maximize) {
  try {
    return impl_->optimum(condition, term, maximize);
  } catch (const z3::exception &e) {
    Extremum out;
    out.reason = solverError(e);
    return out;
  }
}

std::optional<std::string> Z3Backend::benchmark(const ExprRef &formula, bool negated, std::string &why) {
  try {
    z3::expr f = impl_->encode(*formula);
    return impl_->smtlib(negated ? !f : f);
  } catch (const z3::exception &e) {
    why = std::string("z3 could not print the query: ") + e.msg();
    return std::nullopt;
  }
}

std::optional<std::string> Z3Backend::boundBenchmark(const ExprRef &condition, const ExprRef &term,
                                                     const std::optional<Rational> &bound, bool maximize,
                                                     bool strictly, std::string &why) {
  try {
    return impl_->smtlib(impl_->beyondGoal(condition, term, bound, maximize, strictly));
  } catch (const z3::exception &e) {
    why = std::string("z3 could not print the query: ") + e.msg();
    return std::nullopt;
  }
}

std::optional<std::string> Z3Backend::boundedBenchmark(const ExprRef &condition, const ExprRef &term, bool maximize,
                                                       std::string &why) {
  try {
    // The domain is inside the quantifier: nothing asserted outside it.
    return impl_->smtlib(impl_->boundedGoal(condition, term, maximize), /*withDomain=*/false);
  } catch (const z3::exception &e) {
    why = std::string("z3 could not print the query: ") + e.msg();
    return std::nullopt;
  }
}

}  // namespace carepath::verifier
