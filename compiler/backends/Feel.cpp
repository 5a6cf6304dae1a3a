// FEEL text for the DMN exporter (see Feel.h).
#include "backends/Feel.h"

#include <algorithm>
#include <set>

namespace carepath::backends::feel {

using Kind = ir::Type::Kind;

std::optional<std::string> decimal(const Rational &r) {
  // 18 fractional digits keep decimal()'s 128-bit intermediate in range.
  if (!r.isDecimalExact(18)) return std::nullopt;
  return r.decimal(18);
}

std::string number(const Rational &r) {
  std::optional<std::string> d = decimal(r);
  std::string text = d ? *d : "(" + std::to_string(r.num()) + " / " + std::to_string(r.den()) + ")";
  return r.sign() < 0 && d ? "(" + text + ")" : text;
}

std::string string(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

bool reserved(const std::string &name) {
  static const std::set<std::string> words = {
      "and", "or", "not", "in", "between", "instance", "of", "true", "false", "null", "function", "for",
      "return", "if", "then", "else", "some", "every", "satisfies", "external", "date", "time", "duration",
      "min", "max", "sum", "count", "mean", "string", "number", "list", "context", "range"};
  return words.count(name) > 0;
}

namespace {

// One interval as a unary test, its bounds divided by `factor`; the
// failing bound when it has no decimal.
std::optional<std::string> interval(const Interval &i, const Rational &factor, std::optional<Rational> &bad) {
  auto lit = [&](const Rational &canonical) -> std::string {
    Rational r = canonical;
    try {
      if (factor != Rational(1)) r = canonical / factor;
    } catch (const RationalOverflow &) {
      bad = canonical;
      return "";
    }
    std::optional<std::string> d = decimal(r);
    if (!d) { bad = r; return ""; }
    return *d;
  };
  if (i.lo && i.hi) {
    if (*i.lo == *i.hi) return lit(*i.lo);  // a closed point: equality
    std::string lo = lit(*i.lo), hi = lit(*i.hi);
    return std::string(i.loClosed ? "[" : "(") + lo + ".." + hi + (i.hiClosed ? "]" : ")");
  }
  if (i.lo) return std::string(i.loClosed ? ">= " : "> ") + lit(*i.lo);
  if (i.hi) return std::string(i.hiClosed ? "<= " : "< ") + lit(*i.hi);
  return "-";
}

std::string list(const std::vector<std::string> &items) {
  std::string out;
  for (size_t k = 0; k < items.size(); ++k) out += (k ? ", " : "") + items[k];
  return out;
}

}  // namespace

UnaryTest unaryTest(const ir::Protocol &p, const InputCondition &c, const Rational &factor) {
  UnaryTest t;
  switch (c.kind) {
    case Kind::Bool: t.text = c.value ? "true" : "false"; break;
    case Kind::Enum: {
      const auto &all = p.enums[p.inputs[c.input].type.enumType].members;
      // The shorter of the list and its complement: `not("alert")` rather
      // than `"altered", "coma"` when one member is excluded.
      std::vector<std::string> in, out;
      for (int m = 0; m < static_cast<int>(all.size()); ++m)
        (std::binary_search(c.members.begin(), c.members.end(), m) ? in : out).push_back(string(all[m]));
      t.text = out.size() < in.size() ? "not(" + list(out) + ")" : list(in);
      break;
    }
    case Kind::String: {
      // A string input is open: what a condition leaves out stays a
      // negation, `not("EU", "US")`, true for every other region too.
      std::vector<std::string> items;
      for (const std::string &s : c.texts) items.push_back(string(s));
      t.text = c.excluded ? (items.empty() ? "-" : "not(" + list(items) + ")") : list(items);
      break;
    }
    case Kind::Number: {
      std::vector<std::string> parts;
      for (const Interval &i : c.intervals) {
        std::optional<Rational> bad;
        std::optional<std::string> s = interval(i, factor, bad);
        if (bad) { t.inexactBound = bad; return t; }
        parts.push_back(*s);
      }
      t.text = list(parts);
      break;
    }
  }
  return t;
}

std::string inputReference(const ir::Protocol &p, int input, const InputFactors *factors) {
  const std::string &name = p.inputs.at(input).name;
  if (!factors || factors->at(input) == Rational(1)) return name;
  return "(" + name + " * " + number(factors->at(input)) + ")";
}

std::optional<Rational> foldedCoefficient(const ir::Expr &product, const InputFactors *factors) {
  if (product.op != ir::Op::Mul || !factors) return std::nullopt;
  Rational k(1);
  bool scaled = false;
  try {
    for (const ir::ExprRef &a : product.args) {
      if (a->op == ir::Op::Const && a->type.kind == Kind::Number) k = k * a->constant.number;
      else if (a->op == ir::Op::Input && factors->at(a->index) != Rational(1)) {
        k = k * factors->at(a->index);
        scaled = true;
      }
    }
  } catch (const RationalOverflow &) {
    return std::nullopt;
  }
  if (!scaled || !decimal(k)) return std::nullopt;
  return k;
}

std::optional<std::string> expression(const ir::Protocol &p, const ir::Expr &e, const InputFactors *factors) {
  if (e.type.kind != Kind::Number) return std::nullopt;
  if (auto k = foldedCoefficient(e, factors)) {
    std::vector<std::string> xs;
    if (*k != Rational(1)) xs.push_back(number(*k));
    for (const ir::ExprRef &a : e.args) {
      if (a->op == ir::Op::Const) continue;
      auto x = a->op == ir::Op::Input ? std::optional<std::string>(p.inputs.at(a->index).name) : expression(p, *a, factors);
      if (!x) return std::nullopt;
      xs.push_back(*x);
    }
    std::string out = xs[0];
    for (size_t i = 1; i < xs.size(); ++i) out += " * " + xs[i];
    return xs.size() == 1 ? out : "(" + out + ")";
  }
  switch (e.op) {
    case ir::Op::Const: return number(e.constant.number);
    case ir::Op::Input: return inputReference(p, e.index, factors);
    case ir::Op::Define: return expression(p, *p.defines.at(e.index).value, factors);
    case ir::Op::Neg: {
      auto a = expression(p, *e.args[0], factors);
      if (!a) return std::nullopt;
      return "(-" + *a + ")";
    }
    case ir::Op::Add: case ir::Op::Sub: case ir::Op::Mul: case ir::Op::Div: {
      const char *op = e.op == ir::Op::Add ? " + " : e.op == ir::Op::Sub ? " - " : e.op == ir::Op::Mul ? " * " : " / ";
      std::string out = "(";
      for (size_t k = 0; k < e.args.size(); ++k) {
        auto a = expression(p, *e.args[k], factors);
        if (!a) return std::nullopt;
        out += (k ? op : "") + *a;
      }
      return out + ")";
    }
    case ir::Op::Min: case ir::Op::Max: {
      std::vector<std::string> args;
      for (const auto &x : e.args) {
        auto a = expression(p, *x, factors);
        if (!a) return std::nullopt;
        args.push_back(*a);
      }
      return std::string(e.op == ir::Op::Min ? "min(" : "max(") + list(args) + ")";
    }
    default: return std::nullopt;
  }
}

}  // namespace carepath::backends::feel
