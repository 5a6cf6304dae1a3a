// Guard -> DMN-style columns (see Columns.h). The expression is expanded to
// disjunctive normal form with negation pushed into the atoms; each atom is
// one input against a constant, so a negated atom is just the complement of
// its condition within the input's type.
#include "ir/Columns.h"

#include <algorithm>

namespace carepath::ir {

namespace {

using ir::Expr;
using ir::Op;
using Kind = ir::Type::Kind;

struct Refused {
  std::string message;
  SourceRange range;
};

// ------------------------------------------------------------------ interval sets

// Orders lower bounds: unbounded first, then by value, closed before open.
bool loBefore(const Interval &a, const Interval &b) {
  if (!a.lo || !b.lo) return !a.lo && b.lo;
  if (*a.lo != *b.lo) return *a.lo < *b.lo;
  return a.loClosed && !b.loClosed;
}

bool empty(const Interval &i) { return i.empty(); }

Interval intersect(const Interval &a, const Interval &b) {
  Interval r;
  if (!a.lo) { r.lo = b.lo; r.loClosed = b.loClosed; }
  else if (!b.lo) { r.lo = a.lo; r.loClosed = a.loClosed; }
  else if (*a.lo != *b.lo) { const Interval &m = *a.lo > *b.lo ? a : b; r.lo = m.lo; r.loClosed = m.loClosed; }
  else { r.lo = a.lo; r.loClosed = a.loClosed && b.loClosed; }
  if (!a.hi) { r.hi = b.hi; r.hiClosed = b.hiClosed; }
  else if (!b.hi) { r.hi = a.hi; r.hiClosed = a.hiClosed; }
  else if (*a.hi != *b.hi) { const Interval &m = *a.hi < *b.hi ? a : b; r.hi = m.hi; r.hiClosed = m.hiClosed; }
  else { r.hi = a.hi; r.hiClosed = a.hiClosed && b.hiClosed; }
  return r;
}

// Sorts and merges overlapping or touching intervals.
std::vector<Interval> normalise(std::vector<Interval> v) {
  v.erase(std::remove_if(v.begin(), v.end(), empty), v.end());
  std::sort(v.begin(), v.end(), loBefore);
  std::vector<Interval> out;
  for (const Interval &i : v) {
    if (!out.empty()) {
      Interval &last = out.back();
      bool joins = !last.hi || !i.lo || *last.hi > *i.lo ||
                   (*last.hi == *i.lo && (last.hiClosed || i.loClosed));
      if (joins) {
        if (!last.hi) continue;
        if (!i.hi || *i.hi > *last.hi) { last.hi = i.hi; last.hiClosed = i.hiClosed; }
        else if (*i.hi == *last.hi) last.hiClosed = last.hiClosed || i.hiClosed;
        continue;
      }
    }
    out.push_back(i);
  }
  return out;
}

std::vector<Interval> intersect(const std::vector<Interval> &a, const std::vector<Interval> &b) {
  std::vector<Interval> out;
  for (const Interval &x : a)
    for (const Interval &y : b) out.push_back(intersect(x, y));
  return normalise(std::move(out));
}

std::vector<Interval> complement(const std::vector<Interval> &set) {
  std::vector<Interval> out;
  Interval gap;  // starts unbounded below
  bool open = true;
  for (const Interval &i : set) {
    if (i.lo) {
      gap.hi = i.lo;
      gap.hiClosed = !i.loClosed;
      out.push_back(gap);
    }
    if (!i.hi) { open = false; break; }
    gap = Interval{};
    gap.lo = i.hi;
    gap.loClosed = !i.hiClosed;
  }
  if (open) out.push_back(gap);
  return normalise(std::move(out));
}

bool everything(const std::vector<Interval> &set) { return set.size() == 1 && !set[0].lo && !set[0].hi; }

// ------------------------------------------------------------------ conditions

// String conditions: `texts` or, with `excluded`, anything but `texts`.
std::vector<std::string> textsIntersect(const std::vector<std::string> &a, const std::vector<std::string> &b) {
  std::vector<std::string> r;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r));
  return r;
}
std::vector<std::string> textsUnion(const std::vector<std::string> &a, const std::vector<std::string> &b) {
  std::vector<std::string> r;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r));
  return r;
}
std::vector<std::string> textsMinus(const std::vector<std::string> &a, const std::vector<std::string> &b) {
  std::vector<std::string> r;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r));
  return r;
}

size_t memberCount(const ir::Protocol &p, int input) {
  return p.enums[p.inputs[input].type.enumType].members.size();
}

// The complement of a condition within its input's type.
InputCondition negate(const ir::Protocol &p, const InputCondition &c) {
  InputCondition r = c;
  switch (c.kind) {
    case Kind::Bool: r.value = !c.value; break;
    case Kind::Enum: {
      r.members.clear();
      for (int m = 0; m < static_cast<int>(memberCount(p, c.input)); ++m)
        if (!std::binary_search(c.members.begin(), c.members.end(), m)) r.members.push_back(m);
      break;
    }
    case Kind::Number: r.intervals = complement(c.intervals); break;
    case Kind::String: r.excluded = !c.excluded; break;
  }
  return r;
}

bool satisfiable(const InputCondition &c) {
  switch (c.kind) {
    case Kind::Bool: return true;
    case Kind::Enum: return !c.members.empty();
    case Kind::Number: return !c.intervals.empty();
    case Kind::String: return c.excluded || !c.texts.empty();  // infinitely many strings are not listed
  }
  return false;
}

// Intersection in place; false when it is empty.
bool conjoin(InputCondition &into, const InputCondition &c) {
  switch (c.kind) {
    case Kind::Bool: return into.value == c.value;
    case Kind::Enum: {
      std::vector<int> both;
      std::set_intersection(into.members.begin(), into.members.end(), c.members.begin(), c.members.end(),
                            std::back_inserter(both));
      into.members = std::move(both);
      return !into.members.empty();
    }
    case Kind::Number:
      into.intervals = intersect(into.intervals, c.intervals);
      return !into.intervals.empty();
    case Kind::String:
      if (into.excluded && c.excluded) into.texts = textsUnion(into.texts, c.texts);
      else if (into.excluded) into.texts = textsMinus(c.texts, into.texts);
      else if (c.excluded) into.texts = textsMinus(into.texts, c.texts);
      else into.texts = textsIntersect(into.texts, c.texts);
      into.excluded = into.excluded && c.excluded;
      return satisfiable(into);
  }
  return false;
}


// Whether `a` implies `b` (both on the same input).
bool implies(const InputCondition &a, const InputCondition &b) {
  switch (a.kind) {
    case Kind::Bool: return a.value == b.value;
    case Kind::Enum: return std::includes(b.members.begin(), b.members.end(), a.members.begin(), a.members.end());
    case Kind::Number: return intersect(a.intervals, b.intervals) == a.intervals;
    case Kind::String:
      if (b.excluded) return a.excluded ? textsMinus(b.texts, a.texts).empty() : textsIntersect(a.texts, b.texts).empty();
      return !a.excluded && textsMinus(a.texts, b.texts).empty();
  }
  return false;
}

const InputCondition *find(const Row &r, int input) {
  for (const InputCondition &c : r.conditions)
    if (c.input == input) return &c;
  return nullptr;
}

// Whether every patient satisfying `a` satisfies `b`.
bool implies(const Row &a, const Row &b) {
  for (const InputCondition &cb : b.conditions) {
    const InputCondition *ca = find(a, cb.input);
    if (!ca || !implies(*ca, cb)) return false;
  }
  return true;
}

// Conjunction of two rows; nullopt when unsatisfiable.
std::optional<Row> conjoin(const Row &a, const Row &b) {
  Row r = a;
  for (const InputCondition &c : b.conditions) {
    auto it = std::find_if(r.conditions.begin(), r.conditions.end(),
                           [&](const InputCondition &x) { return x.input >= c.input; });
    if (it != r.conditions.end() && it->input == c.input) {
      if (!conjoin(*it, c)) return std::nullopt;
    } else {
      r.conditions.insert(it, c);
    }
  }
  return r;
}

// ------------------------------------------------------------------ DNF

using Dnf = std::vector<Row>;

class Expander {
public:
  Expander(const ir::Protocol &p, const ColumnsOptions &o) : p_(p), o_(o) {}

  Dnf expand(const Expr &e, bool neg) {
    switch (e.op) {
      case Op::Const:
        if (e.type.kind != Kind::Bool) break;
        return e.constant.boolean != neg ? Dnf{Row{}} : Dnf{};
      case Op::Define: return expand(*p_.defines.at(e.index).value, neg);
      case Op::Input:
        if (e.type.kind != Kind::Bool) break;
        return {Row{{boolCondition(e.index, !neg)}}};
      case Op::Not: return expand(*e.args[0], !neg);
      case Op::And:
      case Op::Or: {
        // De Morgan: a negated conjunction is a disjunction of negations.
        bool conjunction = (e.op == Op::And) != neg;
        Dnf acc = conjunction ? Dnf{Row{}} : Dnf{};
        for (const auto &a : e.args) {
          Dnf d = expand(*a, neg);
          acc = conjunction ? product(acc, d, e) : unite(std::move(acc), std::move(d), e);
        }
        return acc;
      }
      case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
        return compare(e, neg);
      default: break;
    }
    throw Refused{"condition '" + ir::toString(p_, e) + "' is not a test of an input against a constant", e.range};
  }

  Dnf simplify(Dnf d) {
    // Join rows that differ in one input only (`x == a or x == b`).
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < d.size() && !changed; ++i)
        for (size_t j = i + 1; j < d.size() && !changed; ++j)
          if (auto joined = join(d[i], d[j])) {
            d[i] = std::move(*joined);
            d.erase(d.begin() + static_cast<long>(j));
            changed = true;
          }
    }
    // Drop rows implied by another row (absorption).
    Dnf out;
    for (size_t i = 0; i < d.size(); ++i) {
      bool redundant = false;
      for (size_t j = 0; j < d.size() && !redundant; ++j)
        if (i != j && implies(d[i], d[j]) && (!implies(d[j], d[i]) || j < i)) redundant = true;
      if (!redundant) out.push_back(d[i]);
    }
    return out;
  }

private:
  InputCondition boolCondition(int input, bool value) {
    InputCondition c;
    c.input = input;
    c.kind = Kind::Bool;
    c.value = value;
    return c;
  }

  Dnf product(const Dnf &a, const Dnf &b, const Expr &where) {
    Dnf out;
    for (const Row &x : a)
      for (const Row &y : b)
        if (auto r = conjoin(x, y)) {
          out.push_back(std::move(*r));
          checkSize(out, where);
        }
    return dedupe(std::move(out));
  }

  Dnf unite(Dnf a, Dnf b, const Expr &where) {
    for (Row &r : b) a.push_back(std::move(r));
    a = dedupe(std::move(a));
    checkSize(a, where);
    return a;
  }

  static Dnf dedupe(Dnf d) {
    Dnf out;
    for (Row &r : d) {
      if (r.conditions.empty()) return {Row{}};  // one row that always holds absorbs the rest
      if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
    }
    return out;
  }

  void checkSize(const Dnf &d, const Expr &where) {
    if (d.size() > o_.maxRows)
      throw Refused{"condition expands to more than " + std::to_string(o_.maxRows) +
                        " decision-table rows; split it into simpler rules or defines",
                    where.range};
  }

  // Two rows that differ only in the condition on one input become one row
  // whose condition on it is the union.
  std::optional<Row> join(const Row &a, const Row &b) {
    if (a.conditions.size() != b.conditions.size()) return std::nullopt;
    int differing = -1;
    for (size_t i = 0; i < a.conditions.size(); ++i) {
      if (a.conditions[i].input != b.conditions[i].input) return std::nullopt;
      if (a.conditions[i] == b.conditions[i]) continue;
      if (differing >= 0) return std::nullopt;
      differing = static_cast<int>(i);
    }
    if (differing < 0) return a;
    Row r = a;
    InputCondition &c = r.conditions[static_cast<size_t>(differing)];
    const InputCondition &o = b.conditions[static_cast<size_t>(differing)];
    bool covers = false;
    switch (c.kind) {
      case Kind::Bool: covers = true; break;  // differing values: true or false
      case Kind::Enum: {
        std::vector<int> both;
        std::set_union(c.members.begin(), c.members.end(), o.members.begin(), o.members.end(),
                       std::back_inserter(both));
        c.members = std::move(both);
        covers = c.members.size() == memberCount(p_, c.input);
        break;
      }
      case Kind::Number: {
        std::vector<Interval> all = c.intervals;
        all.insert(all.end(), o.intervals.begin(), o.intervals.end());
        c.intervals = normalise(std::move(all));
        covers = everything(c.intervals);
        break;
      }
      case Kind::String:
        // The union: of two lists a list, otherwise what both leave out.
        if (c.excluded && o.excluded) c.texts = textsIntersect(c.texts, o.texts);
        else if (c.excluded) c.texts = textsMinus(c.texts, o.texts);
        else if (o.excluded) c.texts = textsMinus(o.texts, c.texts);
        else c.texts = textsUnion(c.texts, o.texts);
        c.excluded = c.excluded || o.excluded;
        covers = c.excluded && c.texts.empty();
        break;
    }
    if (covers) r.conditions.erase(r.conditions.begin() + differing);
    return r;
  }

  // The input an enum operand names, through defines.
  const Expr &resolve(const Expr &e) {
    const Expr *x = &e;
    while (x->op == Op::Define) x = p_.defines.at(x->index).value.get();
    return *x;
  }

  Dnf compare(const Expr &e, bool neg) {
    const Expr &l = *e.args[0], &r = *e.args[1];
    Op op = e.op;
    if (l.type.kind == Kind::Bool) {
      if (op != Op::Eq && op != Op::Ne) throw notAtom(e);
      bool ne = (op == Op::Ne) != neg;
      // a == b  <=>  (a and b) or (not a and not b)
      Dnf both = product(expand(l, false), expand(r, false), e);
      Dnf neither = product(expand(l, true), expand(r, true), e);
      Dnf differ1 = product(expand(l, false), expand(r, true), e);
      Dnf differ2 = product(expand(l, true), expand(r, false), e);
      return ne ? unite(differ1, differ2, e) : unite(both, neither, e);
    }
    if (l.type.kind == Kind::Enum || l.type.kind == Kind::String) {
      // Equality with a constant: an enum's members (a closed set, so `!=`
      // is the complement) or a string (open, so `!=` stays a negation).
      bool isEnum = l.type.kind == Kind::Enum;
      const Expr &a = resolve(l), &b = resolve(r);
      const Expr *in = a.op == Op::Input ? &a : b.op == Op::Input ? &b : nullptr;
      const Expr *k = in == &a ? &b : &a;
      if (op != Op::Eq && op != Op::Ne) throw notAtom(e);
      bool ne = (op == Op::Ne) != neg;
      if (k->op == Op::Const && in) {
        InputCondition c;
        c.input = in->index;
        c.kind = l.type.kind;
        if (!isEnum) {
          c.texts = {k->constant.text};
          c.excluded = ne;
          return Dnf{Row{{c}}};
        }
        c.members = {k->constant.member};
        if (ne) c = negate(p_, c);
        return c.members.empty() ? Dnf{} : Dnf{Row{{c}}};
      }
      if (a.op == Op::Const && b.op == Op::Const) {
        bool equal = isEnum ? a.constant.member == b.constant.member : a.constant.text == b.constant.text;
        return equal != ne ? Dnf{Row{}} : Dnf{};
      }
      throw Refused{"condition '" + ir::toString(p_, e) +
                        "' compares two inputs; a decision table can only test an input against a constant",
                    e.range};
    }
    // Numbers: l - r = a*x + b, solved for the one input x.
    Linear d;
    try {
      d = subtract(linear(l), linear(r), e);
    } catch (const RationalOverflow &) {
      throw Refused{"condition '" + ir::toString(p_, e) + "' overflows exact arithmetic", e.range};
    } catch (const RationalDivisionByZero &) {
      throw Refused{"condition '" + ir::toString(p_, e) + "' divides by zero", e.range};
    }
    if (neg) op = negateOp(op);
    if (d.input < 0 || d.a.isZero()) {
      bool v = compareConst(d.b, op);
      return v ? Dnf{Row{}} : Dnf{};
    }
    // a*x + b OP 0  <=>  x OP' -b/a, with OP' flipped when a < 0.
    Rational bound;
    try {
      bound = -d.b / d.a;
    } catch (const RationalOverflow &) {
      throw Refused{"condition '" + ir::toString(p_, e) + "' overflows exact arithmetic", e.range};
    }
    if (d.a.sign() < 0) op = flipOp(op);
    InputCondition c;
    c.input = d.input;
    c.kind = Kind::Number;
    Interval i;
    switch (op) {
      case Op::Lt: i.hi = bound; break;
      case Op::Le: i.hi = bound; i.hiClosed = true; break;
      case Op::Gt: i.lo = bound; break;
      case Op::Ge: i.lo = bound; i.loClosed = true; break;
      case Op::Eq: i.lo = i.hi = bound; i.loClosed = i.hiClosed = true; break;
      case Op::Ne: {
        Interval below, above;
        below.hi = bound;
        above.lo = bound;
        c.intervals = {below, above};
        return {Row{{c}}};
      }
      default: throw notAtom(e);
    }
    c.intervals = {i};
    return {Row{{c}}};
  }

  Refused notAtom(const Expr &e) {
    return Refused{"condition '" + ir::toString(p_, e) + "' is not a test of an input against a constant", e.range};
  }

  static Op negateOp(Op op) {
    switch (op) {
      case Op::Eq: return Op::Ne;
      case Op::Ne: return Op::Eq;
      case Op::Lt: return Op::Ge;
      case Op::Le: return Op::Gt;
      case Op::Gt: return Op::Le;
      case Op::Ge: return Op::Lt;
      default: return op;
    }
  }
  static Op flipOp(Op op) {
    switch (op) {
      case Op::Lt: return Op::Gt;
      case Op::Le: return Op::Ge;
      case Op::Gt: return Op::Lt;
      case Op::Ge: return Op::Le;
      default: return op;
    }
  }
  static bool compareConst(const Rational &v, Op op) {
    switch (op) {
      case Op::Eq: return v.isZero();
      case Op::Ne: return !v.isZero();
      case Op::Lt: return v.sign() < 0;
      case Op::Le: return v.sign() <= 0;
      case Op::Gt: return v.sign() > 0;
      case Op::Ge: return v.sign() >= 0;
      default: return false;
    }
  }

  // a*x + b; input < 0 when the expression is constant.
  struct Linear {
    int input = -1;
    Rational a, b;
  };

  Refused twoInputs(const Expr &e) {
    return Refused{"condition '" + ir::toString(p_, e) +
                       "' combines two inputs arithmetically; a decision table can only test one input against a constant",
                   e.range};
  }

  Linear add(Linear x, const Linear &y, const Expr &e) {
    if (y.input >= 0 && !y.a.isZero()) {
      if (x.input >= 0 && !x.a.isZero() && x.input != y.input) throw twoInputs(e);
      x.input = y.input;
    }
    x.a += y.a;
    x.b += y.b;
    return x;
  }
  Linear scale(Linear x, const Rational &k) {
    x.a *= k;
    x.b *= k;
    return x;
  }
  Linear subtract(const Linear &x, const Linear &y, const Expr &e) { return add(x, scale(y, -1), e); }
  static bool constant(const Linear &x) { return x.input < 0 || x.a.isZero(); }

  Linear linear(const Expr &e) {
    switch (e.op) {
      case Op::Const: return {-1, 0, e.constant.number};
      case Op::Input: return {e.index, 1, 0};
      case Op::Define: return linear(*p_.defines.at(e.index).value);
      case Op::Neg: return scale(linear(*e.args[0]), -1);
      case Op::Add: case Op::Sub: {
        Linear acc = linear(*e.args[0]);
        for (size_t i = 1; i < e.args.size(); ++i)
          acc = e.op == Op::Add ? add(acc, linear(*e.args[i]), e) : subtract(acc, linear(*e.args[i]), e);
        return acc;
      }
      case Op::Mul: {
        Linear x = linear(*e.args[0]), y = linear(*e.args[1]);
        if (constant(x)) return scale(y, x.b);
        if (constant(y)) return scale(x, y.b);
        throw twoInputs(e);
      }
      case Op::Div: {
        Linear x = linear(*e.args[0]), y = linear(*e.args[1]);
        if (!constant(y)) throw twoInputs(e);
        return scale(x, Rational(1) / y.b);
      }
      case Op::Min: case Op::Max: {
        Linear acc = linear(*e.args[0]);
        for (size_t i = 1; i < e.args.size(); ++i) {
          Linear y = linear(*e.args[i]);
          if (!constant(acc) || !constant(y))
            throw Refused{"condition uses " + std::string(ir::spelling(e.op)) + "() of an input ('" +
                              ir::toString(p_, e) + "'); a decision table can only test an input against a constant",
                          e.range};
          acc.b = e.op == Op::Min ? std::min(acc.b, y.b) : std::max(acc.b, y.b);
        }
        return acc;
      }
      default: break;
    }
    throw notAtom(e);
  }

  const ir::Protocol &p_;
  const ColumnsOptions &o_;
};

}  // namespace

std::variant<Columns, ColumnsError> toColumns(const ir::Protocol &p, const ir::Expr &e, const ColumnsOptions &options) {
  try {
    Expander x(p, options);
    Columns c;
    c.rows = x.simplify(x.expand(e, false));
    for (const Row &r : c.rows)
      for (const InputCondition &ic : r.conditions)
        if (!satisfiable(ic)) return ColumnsError{"internal: unsatisfiable condition kept", e.range};
    return c;
  } catch (const Refused &r) {
    return ColumnsError{r.message, r.range};
  }
}

bool holds(const Columns &c, const std::vector<ir::Value> &patient) {
  for (const Row &r : c.rows) {
    bool all = true;
    for (const InputCondition &ic : r.conditions) {
      const ir::Value &v = patient.at(static_cast<size_t>(ic.input));
      switch (ic.kind) {
        case Kind::Bool: all = v.boolean == ic.value; break;
        case Kind::Enum: all = std::binary_search(ic.members.begin(), ic.members.end(), v.member); break;
        case Kind::String: all = std::binary_search(ic.texts.begin(), ic.texts.end(), v.text) != ic.excluded; break;
        case Kind::Number:
          all = std::any_of(ic.intervals.begin(), ic.intervals.end(),
                            [&](const Interval &i) { return i.contains(v.number); });
          break;
      }
      if (!all) break;
    }
    if (all) return true;
  }
  return false;
}

}  // namespace carepath::ir

// Public row algebra (Columns.h): thin wrappers over the helpers above.
namespace carepath::ir {
InputCondition negateCondition(const ir::Protocol &p, const InputCondition &c) { return negate(p, c); }
std::optional<Row> conjoinRows(const Row &a, const Row &b) { return conjoin(a, b); }
bool conditionSatisfiable(const InputCondition &c) { return satisfiable(c); }

namespace {
// Floor and ceiling of an exact rational (denominators are positive).
Rational floorOf(const Rational &x) {
  int64_t q = x.num() / x.den();
  if (x.num() % x.den() != 0 && x.num() < 0) --q;
  return Rational(q);
}
Rational ceilOf(const Rational &x) {
  int64_t q = x.num() / x.den();
  if (x.num() % x.den() != 0 && x.num() > 0) ++q;
  return Rational(q);
}

// The whole numbers of an interval, as a closed interval (empty if none).
Interval wholeNumbers(Interval i) {
  try {
    if (i.lo) {
      Rational c = ceilOf(*i.lo);
      if (c == *i.lo && !i.loClosed) c = c + Rational(1);
      i.lo = c;
      i.loClosed = true;
    }
    if (i.hi) {
      Rational f = floorOf(*i.hi);
      if (f == *i.hi && !i.hiClosed) f = f - Rational(1);
      i.hi = f;
      i.hiClosed = true;
    }
  } catch (const RationalOverflow &) {
    // At the ends of the 64-bit range: left as it is, a superset.
  }
  return i;
}

std::vector<Interval> restrictNumber(const ir::Protocol &p, int input, std::vector<Interval> set) {
  const ir::Input &in = p.inputs.at(static_cast<size_t>(input));
  if (in.lo || in.hi) set = intersect(set, {Interval{in.lo, in.hi, in.lo.has_value(), in.hi.has_value()}});
  if (in.type.integer) {
    for (Interval &i : set) i = wholeNumbers(i);
    set = normalise(std::move(set));
  }
  return set;
}
}  // namespace

std::optional<Row> withinDomain(const ir::Protocol &p, const Row &r) {
  Row out = r;
  for (InputCondition &c : out.conditions) {
    if (c.kind != Kind::Number) continue;
    c.intervals = restrictNumber(p, c.input, std::move(c.intervals));
    if (c.intervals.empty()) return std::nullopt;
  }
  return out;
}

InputCondition numberDomain(const ir::Protocol &p, int input) {
  InputCondition c;
  c.input = input;
  c.kind = Kind::Number;
  c.intervals = restrictNumber(p, input, {Interval{}});
  return c;
}
}  // namespace carepath::ir
