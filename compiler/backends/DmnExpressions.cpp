// FEEL expressions in carepath's three-valued logic (see DmnExpressions.h).
#include "backends/DmnExpressions.h"

#include <algorithm>
#include <variant>

#include "backends/Feel.h"
#include "ir/Columns.h"

namespace carepath::backends::dmn {

using Kind = ir::Type::Kind;
using ir::Op;

namespace {

bool reads(const ir::Protocol &p, const ir::Expr &e, std::vector<char> &seen) {
  if (e.op == Op::Input) return p.inputs[e.index].optional;
  if (e.op == Op::Define) {
    if (seen[e.index]) return false;
    seen[e.index] = 1;
    return reads(p, *p.defines.at(e.index).value, seen);
  }
  return std::any_of(e.args.begin(), e.args.end(), [&](const ir::ExprRef &a) { return a && reads(p, *a, seen); });
}

// The exact value of arithmetic on constants only (`1000 g / 3`), so that
// it is written as one exact literal, never as a FEEL division.
std::optional<Rational> constantValue(const ir::Expr &e) {
  if (e.type.kind != Kind::Number) return std::nullopt;
  if (e.op == Op::Const) return e.constant.number;
  if (e.op != Op::Add && e.op != Op::Sub && e.op != Op::Mul && e.op != Op::Div && e.op != Op::Neg &&
      e.op != Op::Min && e.op != Op::Max)
    return std::nullopt;
  std::vector<Rational> xs;
  for (const auto &a : e.args) {
    auto x = a ? constantValue(*a) : std::nullopt;
    if (!x) return std::nullopt;
    xs.push_back(*x);
  }
  if (xs.empty()) return std::nullopt;
  try {
    Rational r = e.op == Op::Neg ? -xs[0] : xs[0];
    for (size_t i = 1; i < xs.size(); ++i) switch (e.op) {
        case Op::Add: r = r + xs[i]; break;
        case Op::Sub: r = r - xs[i]; break;
        case Op::Mul: r = r * xs[i]; break;
        case Op::Div: if (xs[i].isZero()) return std::nullopt; r = r / xs[i]; break;
        case Op::Min: r = std::min(r, xs[i]); break;
        case Op::Max: r = std::max(r, xs[i]); break;
        default: break;
      }
    return r;
  } catch (const RationalOverflow &) {
    return std::nullopt;
  }
}

std::string join(const std::vector<std::string> &v, const std::string &sep) {
  std::string out;
  for (size_t k = 0; k < v.size(); ++k) out += (k ? sep : "") + v[k];
  return out;
}

}  // namespace

bool readsOptional(const ir::Protocol &p, const ir::Expr &e) {
  std::vector<char> seen(p.defines.size(), 0);
  return reads(p, e, seen);
}

void FeelWriter::fail(const Rational &r, const std::string &what, SourceRange range) {
  if (failed_) return;  // the first one is reported
  failed_ = true;
  inexact = r.str() + " (" + what + ", canonical units)";
  inexactRange = range;
}

std::optional<std::string> FeelWriter::write(const ir::Expr &e) {
  failed_ = false;
  unscale.reset();
  std::string text = expr(e);
  if (failed_) return std::nullopt;
  return text;
}

std::optional<std::string> FeelWriter::writeGuard(const ir::Expr &e) {
  failed_ = false;
  unscale.reset();
  std::string text = holds(e);
  if (failed_) return std::nullopt;
  return text;
}

// `e` read as "is true": `IsTrue(a) and IsTrue(b)` is true exactly when
// `a and b` is, so the IsTrue wrappers of a conjunction are left out.
std::string FeelWriter::holds(const ir::Expr &e) {
  if (e.op == Op::IsTrue) return holds(*e.args.at(0));
  if (e.op != Op::And) return expr(e);
  if (auto a = atom(e)) return *a;
  std::vector<std::string> xs;
  for (const auto &x : e.args) xs.push_back(holds(*x));
  return "(" + join(xs, " and ") + ")";
}

// A condition on one input only (a comparison with constants, or `and`,
// `or`, `not` of such), as the column analysis reads it: solved for the
// input (`weight * 2 > 1 kg` is `weight > 500000`; `stage in {early, late}`
// one membership test), so the bounds are the exact decimals a unary test
// would have; nullopt (write the expression as is) when it is not such a
// condition. A bound with no finite decimal form is refused, as in a unary
// test. When the input is missing the condition is unknown: had it another
// value for every value of the input, the analysis would have found it
// always or never true (Kleene's logic is monotone).
std::optional<std::string> FeelWriter::atom(const ir::Expr &e) {
  auto result = ir::toColumns(p_, e);
  auto *c = std::get_if<ir::Columns>(&result);
  if (!c) return std::nullopt;
  if (c->always() || c->never()) {
    // Constant only when no value can be missing (`x - x > 0` is unknown
    // for a missing x).
    if (e.mayBeMissing) return std::nullopt;
    return std::string(c->always() ? "true" : "false");
  }
  if (c->rows.size() != 1 || c->rows[0].conditions.size() != 1) return std::nullopt;
  const ir::InputCondition &ic = c->rows[0].conditions[0];
  const ir::Input &in = p_.inputs[ic.input];
  std::vector<std::string> parts;
  std::string sep = " or ";
  switch (ic.kind) {
    case Kind::Bool:  // null stays null
      inputs.insert(ic.input);
      return ic.value ? in.name : "not(" + in.name + ")";
    case Kind::Enum: {
      const auto &all = p_.enums[in.type.enumType].members;
      std::vector<std::string> yes, no;
      for (int m = 0; m < static_cast<int>(all.size()); ++m)
        (std::binary_search(ic.members.begin(), ic.members.end(), m) ? yes : no).push_back(feel::string(all[m]));
      if (no.size() < yes.size()) {
        for (const std::string &m : no) parts.push_back(in.name + " != " + m);
        sep = " and ";
      } else {
        for (const std::string &m : yes) parts.push_back(in.name + " = " + m);
      }
      break;
    }
    case Kind::String:
      // Open: a list, or with `excluded` none of it (every other string too).
      for (const std::string &s : ic.texts) parts.push_back(in.name + (ic.excluded ? " != " : " = ") + feel::string(s));
      if (ic.excluded) sep = " and ";
      if (parts.empty()) return std::nullopt;
      break;
    case Kind::Number: {
      // Bounds in the unit the input is stated in (feel::unaryTest's rule).
      const Rational factor = factors_ ? factors_->at(ic.input) : Rational(1);
      auto bound = [&](const Rational &canonical) -> std::optional<std::string> {
        std::optional<std::string> d;
        try {
          d = feel::decimal(factor == Rational(1) ? canonical : canonical / factor);
        } catch (const RationalOverflow &) {
        }
        if (!d && !failed_) {
          fail(canonical, "input '" + in.name + "'", e.range);
          unscale = ic.input;
          inexactBound = canonical;
        }
        return d;
      };
      for (const ir::Interval &i : ic.intervals) {
        std::optional<std::string> lo, hi;
        if (i.lo && !(lo = bound(*i.lo))) return "null";
        if (i.hi && !(hi = bound(*i.hi))) return "null";
        if (lo && hi && *i.lo == *i.hi) parts.push_back(in.name + " = " + *lo);
        else if (lo && hi)
          parts.push_back("(" + in.name + (i.loClosed ? " >= " : " > ") + *lo + " and " + in.name +
                          (i.hiClosed ? " <= " : " < ") + *hi + ")");
        else if (lo) parts.push_back(in.name + (i.loClosed ? " >= " : " > ") + *lo);
        else if (hi) parts.push_back(in.name + (i.hiClosed ? " <= " : " < ") + *hi);
        else return std::nullopt;
      }
      break;
    }
  }
  inputs.insert(ic.input);
  std::string text = parts.size() == 1 ? parts[0] : "(" + join(parts, sep) + ")";
  // FEEL's `=` says false for a null operand; carepath's comparison is
  // unknown. Comparisons with `<`..`>=` are null already, but one form
  // for every test of an optional input is easier to check.
  if (in.optional) text = "(if " + in.name + " = null then null else " + text + ")";
  else if (parts.size() == 1) text = "(" + text + ")";
  return text;
}

// `a = b` / `a != b` with carepath's unknown for a missing operand.
std::string FeelWriter::nullGuard(const ir::Expr &a, const ir::Expr &b, const std::string &a1, const std::string &b1,
                                  const std::string &op) {
  std::string test = a1 + " " + op + " " + b1;
  if (!a.mayBeMissing && !b.mayBeMissing) return "(" + test + ")";
  std::vector<std::string> nulls;
  if (a.mayBeMissing) nulls.push_back(a1 + " = null");
  if (b.mayBeMissing) nulls.push_back(b1 + " = null");
  return "(if " + join(nulls, " or ") + " then null else " + test + ")";
}

// Counting, with Truth.h's countTruth: t true, f false, the rest unknown.
std::string FeelWriter::count(const ir::Expr &e) {
  std::vector<std::string> items, negated;
  bool missing = false;
  for (const auto &a : e.args) {
    items.push_back(expr(*a));
    negated.push_back("not(" + items.back() + ")");
    missing = missing || a->mayBeMissing;
  }
  // The false items are counted as the true ones of the negated list:
  // feelin's filter drops `false` items (`[false][item = false]` is []),
  // and `not(null)` is null, so unknown items count as neither.
  const std::string t = "count([" + join(items, ", ") + "][item = true])";
  const std::string f = "count([" + join(negated, ", ") + "][item = true])";
  const std::string k = std::to_string(e.index), rest = std::to_string(static_cast<long>(e.args.size()) - e.index);
  if (!missing) {
    const char *op = e.counting == Counting::AtLeast ? " >= " : e.counting == Counting::AtMost ? " <= " : " = ";
    return "(" + t + op + k + ")";
  }
  switch (e.counting) {
    case Counting::AtLeast:  // true: t >= K; false: even every unknown true is too few
      return "(if " + t + " >= " + k + " then true else if " + f + " > " + rest + " then false else null)";
    case Counting::AtMost:  // true: even every unknown true stays within K; false: t > K
      return "(if " + f + " >= " + rest + " then true else if " + t + " > " + k + " then false else null)";
    case Counting::Exactly:
      return "(if " + t + " = " + k + " and " + f + " = " + rest + " then true else if " + t + " > " + k + " or " + f +
             " > " + rest + " then false else null)";
  }
  return "null";
}

std::string FeelWriter::expr(const ir::Expr &e) {
  auto arg = [&](size_t i) { return expr(*e.args.at(i)); };
  auto nary = [&](const std::string &op) {
    std::vector<std::string> xs;
    for (size_t i = 0; i < e.args.size(); ++i) xs.push_back(arg(i));
    return "(" + join(xs, " " + op + " ") + ")";
  };
  if (e.op != Op::Const)
    if (auto k = constantValue(e)) {
      ir::Expr c = e;
      c.op = Op::Const;
      c.constant = ir::Value::ofNumber(*k);
      c.args.clear();
      return expr(c);
    }
  switch (e.op) {
    case Op::Const:
      switch (e.type.kind) {
        case Kind::Bool: return e.constant.boolean ? "true" : "false";
        case Kind::Enum: return feel::string(p_.enums.at(e.type.enumType).members.at(e.constant.member));
        case Kind::String: return feel::string(e.constant.text);
        case Kind::Number: {
          if (forDose) return feel::number(e.constant.number);
          auto d = feel::decimal(e.constant.number);
          if (!d) {
            fail(e.constant.number, "a constant", e.range);
            return "null";
          }
          return e.constant.number.sign() < 0 ? "(" + *d + ")" : *d;
        }
      }
      return "null";
    case Op::Input: inputs.insert(e.index); return feel::inputReference(p_, e.index, factors_);
    case Op::Define:
      if (forDose) return expr(*p_.defines.at(e.index).value);
      defines.insert(e.index);
      return p_.defines[e.index].name;
    case Op::Not:
      if (auto a = atom(e)) return *a;
      return "not(" + arg(0) + ")";
    case Op::And:
      if (auto a = atom(e)) return *a;
      return nary("and");
    case Op::Or:
      if (auto a = atom(e)) return *a;
      return nary("or");
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: {
      if (auto a = atom(e)) return *a;
      const char *op = e.op == Op::Eq ? "=" : e.op == Op::Ne ? "!=" : e.op == Op::Lt ? "<" : e.op == Op::Le ? "<=" :
                       e.op == Op::Gt ? ">" : ">=";
      std::string a = arg(0), b = arg(1);
      // Two inputs stated in one unit compare as they are: multiplying
      // both back to canonical could round them together in binary.
      const ir::Expr &l = *e.args[0], &r = *e.args[1];
      if (factors_ && l.op == Op::Input && r.op == Op::Input && factors_->at(l.index) == factors_->at(r.index)) {
        a = p_.inputs.at(l.index).name;
        b = p_.inputs.at(r.index).name;
      }
      if (e.op == Op::Eq || e.op == Op::Ne) return nullGuard(*e.args[0], *e.args[1], a, b, op);
      return "(" + a + " " + op + " " + b + ")";  // null operand: null, as carepath's unknown
    }
    case Op::Add: return nary("+");
    case Op::Sub: return nary("-");
    case Op::Mul:
      if (auto k = feel::foldedCoefficient(e, factors_)) {
        std::vector<std::string> xs;
        if (*k != Rational(1)) xs.push_back(feel::number(*k));
        for (const ir::ExprRef &a : e.args) {
          if (a->op == Op::Const) continue;
          if (a->op == Op::Input) inputs.insert(a->index);
          xs.push_back(a->op == Op::Input ? p_.inputs.at(a->index).name : expr(*a));
        }
        return xs.size() == 1 ? xs[0] : "(" + join(xs, " * ") + ")";
      }
      return nary("*");
    case Op::Div: return nary("/");
    case Op::Neg: return "(-" + arg(0) + ")";
    case Op::Min: case Op::Max: {
      std::vector<std::string> xs;
      for (size_t i = 0; i < e.args.size(); ++i) xs.push_back(arg(i));
      return std::string(e.op == Op::Min ? "min(" : "max(") + join(xs, ", ") + ")";
    }
    case Op::Known: return "(" + arg(0) + " != null)";
    case Op::IsTrue: return "(" + arg(0) + " = true)";
    case Op::If: return "(if " + arg(0) + " then " + arg(1) + " else " + arg(2) + ")";
    case Op::Count: return count(e);
  }
  return "null";
}

}  // namespace carepath::backends::dmn
