// Pass 4: types and units. Gives every expression of the checked file a
// type (bool, an input's enum, or a number of some dimension), converts
// every literal exactly to canonical units, and enforces the rules of the
// language: conditions where conditions are needed, compatible dimensions,
// enum members of the right enum, input ranges, doses that are amounts,
// durations where durations are needed, examples that give valid values.
#include <algorithm>
#include <functional>

#include "carepath/Quantity.h"
#include "carepath/Suggest.h"
#include "sema/SemaContext.h"

namespace carepath::sema {

namespace {

std::string dimName(const ir::Dimension &d) { return d.dimensionless() ? "a plain number" : d.str(); }

std::string showQuantity(Rational canonical, const ir::Unit &u) {
  return formatQuantity(canonical, u.factor, u.name, u.offset);
}

struct Checker {
  Analysis &a;
  const Scope *scope;
  std::vector<std::optional<ir::Type>> defineTypes;
  std::vector<bool> defineChecked;
  std::set<const ast::DrugDecl *> perWeightReported;
  std::set<std::pair<int, int>> brokenOutputs{};  // (table, output) whose declared type is in error
  bool quietConstants = false;  // checking a module's assumption: see checkTypes

  // ---------------------------------------------------------------- units

  std::optional<ir::Unit> unit(const ast::UnitExpr &u) {
    std::vector<std::string> atoms;
    bool ok = true;
    for (const ast::Ident &atom : u.atoms) {
      atoms.push_back(atom.name);
      if (atom.name == "%") continue;
      if (!scope->units.count(atom.name)) {
        reportUnknownName(a, atom.range, "unit", atom.name, unitDidYouMean(a, atom.name, keysOf(scope->units)));
        ok = false;
      } else if (!a.units.find(atom.name)) {
        ok = false;  // its declaration was wrong; reported by UnitAlgebra
      }
    }
    if (!ok) return std::nullopt;
    try {
      units::Composition c = a.units.composition(atoms);
      if (c.error == units::Composition::Error::AffineInCompound) reportAffineInCompound(a, c.atom, u);
      if (!c.unit) return std::nullopt;
      return UnitTable::toIr(*c.unit);
    } catch (const RationalOverflow &) {
      a.diags.report(DiagId::err_number_overflow, u.range);
      return std::nullopt;
    }
  }

  /// A time unit for `per X`; its span in canonical duration.
  std::optional<ir::Basis> basis(const ast::Basis &b) {
    ir::Basis r;
    switch (b.kind) {
    case ast::Basis::Kind::None: return r;
    case ast::Basis::Kind::PerDose: r.kind = ir::Basis::Kind::PerDose; return r;
    case ast::Basis::Kind::PerCourse: r.kind = ir::Basis::Kind::PerCourse; return r;
    case ast::Basis::Kind::Rate: r.kind = ir::Basis::Kind::Rate; return r;
    case ast::Basis::Kind::PerTime: break;
    }
    ast::UnitExpr u;
    u.atoms.push_back(b.timeUnit);
    u.range = b.timeUnit.range;
    auto resolved = unit(u);
    if (!resolved) return std::nullopt;
    if (!isDuration(resolved->dim)) {
      a.diags.report(DiagId::err_per_not_time, b.timeUnit.range, b.timeUnit.name, dimName(resolved->dim));
      return std::nullopt;
    }
    r.kind = ir::Basis::Kind::PerTime;
    r.span = resolved->factor;
    r.timeUnit = b.timeUnit.name;
    return r;
  }

  std::optional<ir::Dimension> dimension(const ast::TypeExpr &t) {
    std::function<std::optional<ir::Dimension>(const ast::Ident &, int)> one =
        [&](const ast::Ident &atom, int depth) -> std::optional<ir::Dimension> {
      auto it = scope->dimensions.find(atom.name);
      if (it == scope->dimensions.end()) {
        reportUnknownName(a, atom.range, "dimension", atom.name, didYouMean(atom.name, keysOf(scope->dimensions)));
        return std::nullopt;
      }
      if (!it->second->definition) return UnitTable::base(atom.name);
      if (depth > 20) return std::nullopt;
      const ast::TypeExpr &def = *it->second->definition;
      std::optional<ir::Dimension> d;
      for (size_t i = 0; i < def.dimAtoms.size(); ++i) {
        auto x = one(def.dimAtoms[i], depth + 1);
        if (!x) return std::nullopt;
        d = !d ? *x : (def.dimOps[i - 1] == '*' ? *d * *x : *d / *x);
      }
      return d;
    };
    std::optional<ir::Dimension> d;
    for (size_t i = 0; i < t.dimAtoms.size(); ++i) {
      auto x = one(t.dimAtoms[i], 0);
      if (!x) return std::nullopt;
      d = !d ? *x : (t.dimOps[i - 1] == '*' ? *d * *x : *d / *x);
    }
    return d;
  }

  // ---------------------------------------------------------------- literals

  struct Constant {
    Rational value;  // canonical
    ir::Unit unit;   // as written ("" when none)
    ir::Dimension dim;
    bool integer = false;
  };

  /// A literal number, possibly negated, with its unit. Reports `what`
  /// when `e` is anything else.
  std::optional<Constant> constant(const ast::Expr *e, const std::string &what) {
    if (!literalNumber(e)) {
      a.diags.report(DiagId::err_not_literal, e->range, what);
      return std::nullopt;
    }
    auto info = check(e);
    if (!info) return std::nullopt;
    return literalConstant(e);
  }

  /// The checked literal `e` (`x UNIT` or `-x UNIT`) as a Constant.
  Constant literalConstant(const ast::Expr *e) {
    const ast::NumberExpr *n = literalNumber(e);
    Constant c;
    c.value = *literalValue(e);
    c.unit = a.types[n].unit ? *a.types[n].unit : ir::Unit{"", {}, Rational(1)};
    c.dim = a.types[e].type.dim;
    c.integer = a.types[e].type.integer;
    return c;
  }

  // ---------------------------------------------------------------- affine units and substances

  /// The number of a literal `x UNIT` or `-x UNIT`, else null.
  static const ast::NumberExpr *literalNumber(const ast::Expr *e) {
    if (auto *u = ast::dyn<ast::UnaryExpr>(e); u && u->op == ast::UnaryOp::Negate) e = u->operand.get();
    return ast::dyn<ast::NumberExpr>(e);
  }

  /// The canonical value of a checked literal. `-40 degC` is a reading
  /// (233.15 K), not the negation of 313.15 K: the checker records it on
  /// the negation itself.
  std::optional<Rational> literalValue(const ast::Expr *e) {
    const ast::NumberExpr *n = literalNumber(e);
    if (!n || !a.types.count(n) || !a.types.count(e)) return std::nullopt;
    if (n == e) return a.types.at(n).canonical;
    const ExprInfo &neg = a.types.at(e);
    return neg.unit && neg.unit->affine() ? neg.canonical : -a.types.at(n).canonical;
  }

  /// The affine unit of a literal reading (`38 degC`, `-40 degC`), else null.
  const ir::Unit *affineLiteral(const ast::Expr *e) {
    const ast::NumberExpr *n = literalNumber(e);
    if (!n) return nullptr;
    auto it = a.types.find(n);
    return it != a.types.end() && it->second.unit && it->second.unit->affine() ? &*it->second.unit : nullptr;
  }

  /// Reports an affine reading used `how` ("in '+'"): only differences of
  /// absolute values mean anything (38 degC + 1 degC is not 39 degC).
  bool refuseAffine(const ast::Expr *e, const std::string &how) {
    const ir::Unit *u = affineLiteral(e);
    if (!u) return false;
    std::string base = u->dim.exponents.size() == 1 ? a.units.baseUnitOf(u->dim.exponents.begin()->first) : "";
    a.diags.report(DiagId::err_affine_in_arithmetic, e->range, u->name, how,
                   base.empty() ? std::string("the dimension's base unit") : "'" + base + "'");
    return true;
  }

  /// The substance whose conversions a literal compared with `e` may use:
  /// that of an input declared `... of SUBSTANCE`.
  const UnitTable::Substance *substanceOf(const ast::Expr *e) {
    auto *n = ast::dyn<ast::NameExpr>(e);
    if (!n || !a.names.count(n) || a.names.at(n).kind != NameRef::Kind::Input) return nullptr;
    return a.units.substance(a.inputInfo[a.names.at(n).index].substance);
  }

  /// Converts the checked literal `e` to dimension `to` through substance
  /// `s` (`3.9 mmol/L` for a glucose input in mass/volume); true when done.
  bool convertLiteral(const ast::Expr *e, const ir::Dimension &to, const UnitTable::Substance *s) {
    const ast::NumberExpr *n = literalNumber(e);
    if (!s || !n || !a.types.count(n) || !a.types.count(e)) return false;
    ExprInfo &info = a.types[n];
    if (!info.unit || info.unit->affine()) return false;
    try {
      std::optional<Rational> f = units::conversionFactor(info.type.dim.exponents, to.exponents, s->ratios);
      if (!f) return false;
      info.canonical = info.canonical * *f;
      info.unit->factor = info.unit->factor * *f;
    } catch (const RationalOverflow &) {
      a.diags.report(DiagId::err_number_overflow, e->range);
      return false;
    }
    info.unit->dim = to;
    info.type.dim = to;
    if (e != n) a.types[e] = info;  // the negation: same type and unit
    return true;
  }

  /// Brings two compared sides to one dimension where a substance allows.
  void reconcile(const ast::Expr *x, std::optional<ExprInfo> &xi, const ast::Expr *y, std::optional<ExprInfo> &yi) {
    if (!xi || !yi || xi->type.kind != ir::Type::Kind::Number || yi->type.kind != ir::Type::Kind::Number ||
        xi->type.dim == yi->type.dim)
      return;
    if (convertLiteral(y, xi->type.dim, substanceOf(x))) yi = a.types[y];
    else if (convertLiteral(x, yi->type.dim, substanceOf(y))) xi = a.types[x];
  }

  // ---------------------------------------------------------------- expressions

  static bool isBareMember(const ExprInfo &i) { return i.type.kind == ir::Type::Kind::Enum && i.type.enumType < 0; }

  std::string describe(const ExprInfo &i) const {
    if (isBareMember(i)) return "an enum member";
    return sema::describe(i.type, a);
  }

  bool wantBool(const std::optional<ExprInfo> &i, const ast::Expr *e, const std::string &what) {
    if (!i) return false;
    if (i->type.kind == ir::Type::Kind::Bool) return true;
    a.diags.report(DiagId::err_expected_condition, e->range, what, describe(*i));
    return false;
  }

  bool wantNumber(const std::optional<ExprInfo> &i, const ast::Expr *e) {
    if (!i) return false;
    if (i->type.kind == ir::Type::Kind::Number) return true;
    a.diags.report(DiagId::err_expected_quantity, e->range, describe(*i));
    return false;
  }

  std::optional<ExprInfo> record(const ast::Expr *e, ExprInfo info) {
    a.types[e] = info;
    return info;
  }

  /// Resolves a bare enum member against enum `enumType`.
  std::optional<ExprInfo> member(const ast::Expr *e, int enumType) {
    auto *n = ast::dyn<ast::NameExpr>(e);
    const ir::EnumType &en = a.enums[enumType];
    const std::string &name = n->name.parts[0].name;
    for (size_t m = 0; m < en.members.size(); ++m)
      if (en.members[m] == name) {
        ExprInfo info;
        info.type = ir::Type::enumeration(enumType);
        info.member = static_cast<int>(m);
        return record(e, info);
      }
    a.diags.report(DiagId::err_not_member, e->range, name, en.name, joinNames(en.members));
    return std::nullopt;
  }

  /// Checks `e` in a position where a bare enum member is resolved against
  /// `context` (the other side of a comparison), if that is an enum.
  std::optional<ExprInfo> checkIn(const ast::Expr *e, const std::optional<ExprInfo> &context) {
    auto *n = ast::dyn<ast::NameExpr>(e);
    if (n && a.names.count(n) && a.names.at(n).kind == NameRef::Kind::Member) {
      if (context && context->type.kind == ir::Type::Kind::Enum && context->type.enumType >= 0)
        return member(e, context->type.enumType);
      ExprInfo bare;
      bare.type.kind = ir::Type::Kind::Enum;
      bare.type.enumType = -1;
      return bare;
    }
    return check(e);
  }

  bool isBareMemberName(const ast::Expr *e) const {
    auto *n = ast::dyn<ast::NameExpr>(e);
    return n && a.names.count(n) && a.names.at(n).kind == NameRef::Kind::Member;
  }

  /// A comparison of an input with a literal outside its declared range
  /// is constant: warn, since the author probably meant something else.
  void warnConstant(const ast::Expr *whole, ast::BinaryOp op, const ast::Expr *lhs, const ast::Expr *rhs) {
    auto inputOf = [&](const ast::Expr *x) -> int {
      auto *n = ast::dyn<ast::NameExpr>(x);
      if (!n || !a.names.count(n) || a.names.at(n).kind != NameRef::Kind::Input) return -1;
      return a.names.at(n).index;
    };
    auto literal = [&](const ast::Expr *x) { return literalValue(x); };
    int in = inputOf(lhs);
    std::optional<Rational> c = literal(rhs);
    if (quietConstants) return;
    if (in < 0 || !c) {
      in = inputOf(rhs);
      c = literal(lhs);
      if (in < 0 || !c) return;
      switch (op) {  // mirror: `c < x` is `x > c`
      case ast::BinaryOp::Lt: op = ast::BinaryOp::Gt; break;
      case ast::BinaryOp::Le: op = ast::BinaryOp::Ge; break;
      case ast::BinaryOp::Gt: op = ast::BinaryOp::Lt; break;
      case ast::BinaryOp::Ge: op = ast::BinaryOp::Le; break;
      default: break;
      }
    }
    const InputInfo &info = a.inputInfo[in];
    if (!info.lo || !info.hi) return;
    Rational lo = *info.lo, hi = *info.hi;
    if (*c >= lo && *c <= hi) return;  // inside the range: a real decision
    bool above = *c > hi;
    bool value = false;
    switch (op) {
    case ast::BinaryOp::Lt: case ast::BinaryOp::Le: value = above; break;
    case ast::BinaryOp::Gt: case ast::BinaryOp::Ge: value = !above; break;
    case ast::BinaryOp::Eq: value = false; break;
    case ast::BinaryOp::Ne: value = true; break;
    default: return;
    }
    reportConstant(whole, value, in);
  }

  void reportConstant(const ast::Expr *whole, bool value, int in) {
    const InputInfo &info = a.inputInfo[in];
    a.diags.report(DiagId::warn_condition_constant, whole->range, value ? "true" : "false", a.inputs[in]->name.name,
                   showQuantity(*info.lo, info.displayUnit) + " .. " + showQuantity(*info.hi, info.displayUnit));
  }

  /// `route == "buccal"`: an enum compared with text that names one of its
  /// members (or nearly: a typo or another case). Reports the member to write
  /// bare, at the text, and returns true.
  bool quotedMember(const ExprInfo &en, const ast::Expr *other) {
    auto *str = ast::dyn<ast::StringExpr>(other);
    if (!str || en.type.kind != ir::Type::Kind::Enum || en.type.enumType < 0) return false;
    const std::vector<std::string> &members = a.enums[en.type.enumType].members;
    std::string pick = std::find(members.begin(), members.end(), str->value) != members.end()
                           ? str->value
                           : closestMatch(str->value, members, std::max<size_t>(1, str->value.size() / 3) + 1);
    if (pick.empty()) return false;
    a.diags.report(DiagId::err_quoted_member, str->range, describe(en), pick).fixits.push_back({str->range, pick});
    return true;
  }

  std::optional<ExprInfo> compare(const ast::BinaryExpr &b) {
    std::optional<ExprInfo> l, r;
    // Resolve a bare member against the other side.
    if (isBareMemberName(b.lhs.get()) && !isBareMemberName(b.rhs.get())) {
      r = check(b.rhs.get());
      l = checkIn(b.lhs.get(), r);
    } else {
      l = check(b.lhs.get());
      r = checkIn(b.rhs.get(), l);
    }
    if (!l || !r) return std::nullopt;
    reconcile(b.lhs.get(), l, b.rhs.get(), r);
    const char *op = ast::spelling(b.op);
    if (isBareMember(*l) || isBareMember(*r)) {
      const ast::Expr *bare = isBareMember(*l) ? b.lhs.get() : b.rhs.get();
      a.diags.report(DiagId::err_bare_member, bare->range, static_cast<const ast::NameExpr *>(bare)->name.str());
      return std::nullopt;
    }
    auto kl = l->type.kind, kr = r->type.kind;
    bool ordered = b.op == ast::BinaryOp::Lt || b.op == ast::BinaryOp::Le || b.op == ast::BinaryOp::Gt ||
                   b.op == ast::BinaryOp::Ge;
    if ((kl == ir::Type::Kind::Enum && kr == ir::Type::Kind::Number) ||
        (kr == ir::Type::Kind::Enum && kl == ir::Type::Kind::Number)) {
      const ExprInfo &en = kl == ir::Type::Kind::Enum ? *l : *r;
      a.diags.report(DiagId::err_enum_vs_number, b.opRange, a.enums[en.type.enumType].name);
      return std::nullopt;
    }
    if (kl != kr || (kl == ir::Type::Kind::Enum && l->type.enumType != r->type.enumType)) {
      if (!quotedMember(*l, b.rhs.get()) && !quotedMember(*r, b.lhs.get()))
        a.diags.report(DiagId::err_cannot_compare, b.opRange, describe(*l), describe(*r));
      return std::nullopt;
    }
    if (ordered && kl != ir::Type::Kind::Number) {
      a.diags.report(DiagId::err_not_ordered, b.opRange, op, describe(*l));
      return std::nullopt;
    }
    if (kl == ir::Type::Kind::Number && l->type.dim != r->type.dim) {
      auto &d = a.diags.report(DiagId::err_incompatible_dims, b.opRange, op, dimName(l->type.dim), dimName(r->type.dim));
      a.diags.note(d, DiagId::note_here, b.lhs->range, "this is " + dimName(l->type.dim));
      a.diags.note(d, DiagId::note_here, b.rhs->range, "this is " + dimName(r->type.dim));
      return std::nullopt;
    }
    if (kl == ir::Type::Kind::Number) warnConstant(&b, b.op, b.lhs.get(), b.rhs.get());
    ExprInfo info;
    info.type = ir::Type::boolean();
    return info;
  }

  std::optional<ExprInfo> check(const ast::Expr *e) {
    std::optional<ExprInfo> result = checkUncached(e);
    if (result) a.types[e] = *result;
    return result;
  }

  std::optional<ExprInfo> checkUncached(const ast::Expr *e) {
    switch (e->kind) {
    case ast::ExprKind::Number: {
      auto *n = static_cast<const ast::NumberExpr *>(e);
      ExprInfo info;
      if (n->unit) {
        auto u = unit(*n->unit);
        if (!u) return std::nullopt;
        try {
          info.canonical = n->value * u->factor + u->offset;
        } catch (const RationalOverflow &) {
          a.diags.report(DiagId::err_number_overflow, e->range);
          return std::nullopt;
        }
        info.type = ir::Type::number(u->dim);
        info.unit = u;
      } else {
        info.canonical = n->value;
        info.type = ir::Type::number();
        info.type.integer = n->value.isInteger() && n->text.find('.') == std::string::npos;
      }
      return info;
    }
    case ast::ExprKind::Bool: {
      ExprInfo info;
      info.type = ir::Type::boolean();
      return info;
    }
    case ast::ExprKind::String: {
      ExprInfo info;
      info.type = ir::Type::string();
      return info;
    }
    case ast::ExprKind::Name: {
      auto *n = static_cast<const ast::NameExpr *>(e);
      auto it = a.names.find(n);
      if (it == a.names.end()) return std::nullopt;
      ExprInfo info;
      switch (it->second.kind) {
      case NameRef::Kind::Input:
        if (a.inputInfo[it->second.index].broken) return std::nullopt;
        info.type = a.inputInfo[it->second.index].type;
        return info;
      case NameRef::Kind::Define: {
        auto t = defineType(it->second.index);
        if (!t) return std::nullopt;
        info.type = *t;
        return info;
      }
      case NameRef::Kind::Tier: case NameRef::Kind::Rule: case NameRef::Kind::Pathway:
        info.type = ir::Type::boolean();
        return info;
      case NameRef::Kind::Output: {
        auto t = outputReference(it->second.container, it->second.index, e->range);
        if (!t) return std::nullopt;
        info.type = *t;
        return info;
      }
      case NameRef::Kind::Member:
        a.diags.report(DiagId::err_bare_member, e->range, n->name.str());
        return std::nullopt;
      }
      return std::nullopt;
    }
    case ast::ExprKind::Unary: {
      auto *u = static_cast<const ast::UnaryExpr *>(e);
      auto x = check(u->operand.get());
      if (u->op == ast::UnaryOp::Not) {
        if (!wantBool(x, u->operand.get(), "the operand of 'not'")) return std::nullopt;
        return x;
      }
      if (!wantNumber(x, u->operand.get())) return std::nullopt;
      if (auto *n = ast::dyn<ast::NumberExpr>(u->operand.get()); n && x->unit && x->unit->affine()) {
        // `-40 degC` is one reading, not the negation of 40 degC.
        try {
          x->canonical = x->unit->factor * -n->value + x->unit->offset;
        } catch (const RationalOverflow &) {
          a.diags.report(DiagId::err_number_overflow, e->range);
          return std::nullopt;
        }
        return x;
      }
      if (refuseAffine(u->operand.get(), "negated")) return std::nullopt;
      return x;
    }
    case ast::ExprKind::Binary: {
      auto *b = static_cast<const ast::BinaryExpr *>(e);
      switch (b->op) {
      case ast::BinaryOp::And: case ast::BinaryOp::Or: {
        auto l = check(b->lhs.get());
        auto r = check(b->rhs.get());
        std::string what = std::string("an operand of '") + ast::spelling(b->op) + "'";
        bool okL = wantBool(l, b->lhs.get(), what), okR = wantBool(r, b->rhs.get(), what);
        if (!okL || !okR) return std::nullopt;
        return l;
      }
      case ast::BinaryOp::Eq: case ast::BinaryOp::Ne: case ast::BinaryOp::Lt: case ast::BinaryOp::Le:
      case ast::BinaryOp::Gt: case ast::BinaryOp::Ge:
        return compare(*b);
      case ast::BinaryOp::Add: case ast::BinaryOp::Sub: case ast::BinaryOp::Mul: case ast::BinaryOp::Div: {
        auto l = check(b->lhs.get());
        auto r = check(b->rhs.get());
        bool okL = wantNumber(l, b->lhs.get()), okR = wantNumber(r, b->rhs.get());
        if (!okL || !okR) return std::nullopt;
        std::string in = std::string("in '") + ast::spelling(b->op) + "'";
        okL = !refuseAffine(b->lhs.get(), in);
        okR = !refuseAffine(b->rhs.get(), in);
        if (!okL || !okR) return std::nullopt;
        ExprInfo info;
        if (b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub) {
          if (l->type.dim != r->type.dim) {
            a.diags.report(DiagId::err_incompatible_dims, b->opRange, ast::spelling(b->op), dimName(l->type.dim),
                           dimName(r->type.dim));
            return std::nullopt;
          }
          info.type = l->type;
          info.type.integer = l->type.integer && r->type.integer;
        } else if (b->op == ast::BinaryOp::Mul) {
          info.type = ir::Type::number(l->type.dim * r->type.dim);
          info.type.integer = l->type.integer && r->type.integer;
        } else {
          // A literal zero divisor is the author's mistake, caught here; a
          // divisor that is an input has a declared range the author chose.
          if (auto *n = ast::dyn<ast::NumberExpr>(b->rhs.get()); n && n->value.isZero()) {
            a.diags.report(DiagId::err_division_by_zero, b->rhs->range);
            return std::nullopt;
          }
          info.type = ir::Type::number(l->type.dim / r->type.dim);
        }
        return info;
      }
      }
      return std::nullopt;
    }
    case ast::ExprKind::InRange: {
      auto *r = static_cast<const ast::InRangeExpr *>(e);
      auto s = check(r->subject.get());
      auto lo = check(r->lo.get());
      auto hi = check(r->hi.get());
      bool ok = wantNumber(s, r->subject.get());
      ok = wantNumber(lo, r->lo.get()) && ok;
      ok = wantNumber(hi, r->hi.get()) && ok;
      if (!ok) return std::nullopt;
      reconcile(r->subject.get(), s, r->lo.get(), lo);
      reconcile(r->subject.get(), s, r->hi.get(), hi);
      for (auto [end, info] : {std::pair{r->lo.get(), &*lo}, std::pair{r->hi.get(), &*hi}})
        if (info->type.dim != s->type.dim) {
          a.diags.report(DiagId::err_incompatible_dims, end->range, "in", dimName(s->type.dim), dimName(info->type.dim));
          return std::nullopt;
        }
      warnRange(*r);
      ExprInfo info;
      info.type = ir::Type::boolean();
      return info;
    }
    case ast::ExprKind::InSet: {
      auto *set = static_cast<const ast::InSetExpr *>(e);
      auto s = check(set->subject.get());
      if (!s) return std::nullopt;
      bool ok = true;
      for (const auto &m : set->members) {
        auto x = checkIn(m.get(), s);
        if (!x) { ok = false; continue; }
        reconcile(set->subject.get(), s, m.get(), x);
        if (isBareMember(*x)) {
          a.diags.report(DiagId::err_bare_member, m->range, static_cast<const ast::NameExpr *>(m.get())->name.str());
          ok = false;
        } else if (x->type.kind != s->type.kind || x->type.enumType != s->type.enumType) {
          if (!quotedMember(*s, m.get())) a.diags.report(DiagId::err_cannot_compare, m->range, describe(*s), describe(*x));
          ok = false;
        } else if (x->type.kind == ir::Type::Kind::Number && x->type.dim != s->type.dim) {
          a.diags.report(DiagId::err_incompatible_dims, m->range, "in", dimName(s->type.dim), dimName(x->type.dim));
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      ExprInfo info;
      info.type = ir::Type::boolean();
      return info;
    }
    case ast::ExprKind::Call: {
      auto *c = static_cast<const ast::CallExpr *>(e);
      if (c->callee == "known") return checkKnown(*c);
      std::optional<ExprInfo> first;
      bool ok = true;
      for (const auto &arg : c->args) {
        auto x = check(arg.get());
        if (!wantNumber(x, arg.get())) { ok = false; continue; }
        if (refuseAffine(arg.get(), "in '" + c->callee + "'")) { ok = false; continue; }
        if (!first) { first = x; continue; }
        if (x->type.dim != first->type.dim) {
          a.diags.report(DiagId::err_incompatible_dims, arg->range, c->callee, dimName(first->type.dim),
                         dimName(x->type.dim));
          ok = false;
        }
        first->type.integer = first->type.integer && x->type.integer;
      }
      if (!ok || !first) return std::nullopt;
      return first;
    }
    case ast::ExprKind::If: return checkIf(*static_cast<const ast::IfExpr *>(e));
    case ast::ExprKind::Count: return checkCount(*static_cast<const ast::CountExpr *>(e));
    }
    return std::nullopt;
  }

  // ---------------------------------------------------------------- missing values, if, counting

  /// Whether `e` can be missing: it reads an optional input other than
  /// through `known` (or only through an `if` condition, which reads
  /// unknown as false). The IR builders compute the same (Expr::mayBeMissing).
  bool mayBeMissing(const ast::Expr *e) {
    if (!e) return false;
    switch (e->kind) {
    case ast::ExprKind::Number: case ast::ExprKind::Bool: case ast::ExprKind::String: return false;
    case ast::ExprKind::Name: {
      auto it = a.names.find(static_cast<const ast::NameExpr *>(e));
      if (it == a.names.end()) return false;
      if (it->second.kind == NameRef::Kind::Input) return a.inputs[it->second.index]->optional;
      if (it->second.kind == NameRef::Kind::Define) return mayBeMissing(a.defines[it->second.index]->value.get());
      // A table output is missing when no rule gives it; a count never is.
      if (it->second.kind == NameRef::Kind::Output)
        return a.tables[it->second.container]->aggregation != ast::Aggregation::Count;
      return false;  // members; tiers and rules fire or not
    }
    case ast::ExprKind::Unary: return mayBeMissing(static_cast<const ast::UnaryExpr *>(e)->operand.get());
    case ast::ExprKind::Binary: {
      auto *b = static_cast<const ast::BinaryExpr *>(e);
      return mayBeMissing(b->lhs.get()) || mayBeMissing(b->rhs.get());
    }
    case ast::ExprKind::InRange: {
      auto *r = static_cast<const ast::InRangeExpr *>(e);
      return mayBeMissing(r->subject.get()) || mayBeMissing(r->lo.get()) || mayBeMissing(r->hi.get());
    }
    case ast::ExprKind::InSet: {
      auto *s = static_cast<const ast::InSetExpr *>(e);
      if (mayBeMissing(s->subject.get())) return true;
      for (const auto &m : s->members)
        if (mayBeMissing(m.get())) return true;
      return false;
    }
    case ast::ExprKind::Call: {
      auto *c = static_cast<const ast::CallExpr *>(e);
      if (c->callee == "known") return false;
      for (const auto &x : c->args)
        if (mayBeMissing(x.get())) return true;
      return false;
    }
    case ast::ExprKind::If: {
      auto *i = static_cast<const ast::IfExpr *>(e);
      return mayBeMissing(i->then.get()) || mayBeMissing(i->otherwise.get());
    }
    case ast::ExprKind::Count:
      for (const auto &x : static_cast<const ast::CountExpr *>(e)->items)
        if (mayBeMissing(x.get())) return true;
      return false;
    }
    return false;
  }

  std::optional<ExprInfo> checkKnown(const ast::CallExpr &c) {
    const ast::Expr *arg = c.args.at(0).get();
    auto x = check(arg);
    if (!x) return std::nullopt;
    if (!mayBeMissing(arg))
      a.diags.report(DiagId::warn_known_always, c.range, "'" + std::string(a.sources.slice(arg->range)) + "'");
    ExprInfo info;
    info.type = ir::Type::boolean();
    return info;
  }

  std::optional<ExprInfo> checkIf(const ast::IfExpr &i) {
    auto c = check(i.condition.get());
    bool ok = wantBool(c, i.condition.get(), "the condition of 'if'");
    auto t = check(i.then.get());
    auto o = check(i.otherwise.get());
    if (!ok || !t || !o) return std::nullopt;
    bool same = t->type.kind == o->type.kind && t->type.enumType == o->type.enumType &&
                (t->type.kind != ir::Type::Kind::Number || t->type.dim == o->type.dim);
    if (!same) {
      a.diags.report(DiagId::err_if_branch_mismatch, i.range, describe(*t), describe(*o));
      return std::nullopt;
    }
    ExprInfo info;
    info.type = t->type;
    info.type.integer = t->type.integer && o->type.integer;
    return info;
  }

  std::optional<ExprInfo> checkCount(const ast::CountExpr &c) {
    bool ok = true;
    for (const auto &item : c.items) {
      auto x = check(item.get());
      ok = wantBool(x, item.get(), std::string("an item of '") + spelling(c.counting) + " ... of'") && ok;
    }
    std::string k = std::string(a.sources.slice(c.kRange));
    if (!c.k.isInteger() || k.find('.') != std::string::npos || c.k.num() > 1000000) {
      a.diags.report(DiagId::err_count_not_whole, c.kRange, spelling(c.counting), k);
      return std::nullopt;
    }
    if (!ok) return std::nullopt;
    // A count the list can never (or always) reach is the author's slip.
    auto n = static_cast<int64_t>(c.items.size()), kk = c.k.num();
    std::optional<bool> constant;
    switch (c.counting) {
    case Counting::AtLeast: if (kk > n) constant = false; else if (kk == 0) constant = true; break;
    case Counting::AtMost: if (kk >= n) constant = true; break;
    case Counting::Exactly: if (kk > n) constant = false; break;
    }
    if (constant)
      a.diags.report(DiagId::warn_count_constant, c.range, spelling(c.counting), k, n, *constant ? "true" : "false");
    ExprInfo info;
    info.type = ir::Type::boolean();
    return info;
  }

  void warnRange(const ast::InRangeExpr &r) {
    auto *n = ast::dyn<ast::NameExpr>(r.subject.get());
    if (!n || !a.names.count(n) || a.names.at(n).kind != NameRef::Kind::Input) return;
    auto *lo = ast::dyn<ast::NumberExpr>(r.lo.get());
    auto *hi = ast::dyn<ast::NumberExpr>(r.hi.get());
    if (!lo || !hi) return;
    int in = a.names.at(n).index;
    const InputInfo &info = a.inputInfo[in];
    if (!info.lo || !info.hi) return;
    Rational l = a.types[lo].canonical, h = a.types[hi].canonical;
    if (h < *info.lo || (r.halfOpen && h == *info.lo) || l > *info.hi) reportConstant(&r, r.negated, in);
  }

  /// The type of `table.output` in an expression: the declared type, an
  /// integer under `collect count`; a list (reported) under a multiple-hit
  /// policy.
  std::optional<ir::Type> outputReference(int table, int output, SourceRange at) {
    const ast::TableDecl *t = a.tables[table];
    if (!carepath::hasSingleOutput(t->hit, t->aggregation)) {
      a.diags.report(DiagId::err_output_is_list, at, t->name.name + "." + t->outputs[output].name.name,
                     hitText(*t));
      return std::nullopt;
    }
    if (t->aggregation == ast::Aggregation::Count) {
      ir::Type n = ir::Type::number();
      n.integer = true;
      return n;
    }
    if (outputBroken(table, output)) return std::nullopt;
    return a.outputs[table][output].type;
  }

  bool outputBroken(int table, int output) const { return brokenOutputs.count({table, output}) > 0; }

  static std::string hitText(const ast::TableDecl &t) {
    std::string agg = carepath::spelling(t.aggregation);
    return std::string(carepath::spelling(t.hit)) + (agg.empty() ? "" : " " + agg);
  }

  /// The declared outputs of a table: types (enums get their own enum
  /// type, named `table.output`) and display units.
  /// An input's or an output's `enum { ... }`: its members in order, a
  /// repeated one reported once with where it was first written.
  ir::Type declareEnum(std::string name, const std::vector<ast::Ident> &members) {
    ir::EnumType en{std::move(name), {}};
    std::map<std::string, const ast::Ident *> seen;
    for (const ast::Ident &m : members) {
      auto [it, fresh] = seen.emplace(m.name, &m);
      if (!fresh) {
        auto &d = a.diags.report(DiagId::err_duplicate, m.range, "enum member", m.name);
        a.diags.note(d, DiagId::note_previous, it->second->range, "first defined here");
        continue;
      }
      en.members.push_back(m.name);
    }
    a.enums.push_back(std::move(en));
    return ir::Type::enumeration(static_cast<int>(a.enums.size()) - 1);
  }

  void declareOutputs(int ti) {
    const ast::TableDecl &t = *a.tables[ti];
    auto &outs = a.outputs[ti];
    std::map<std::string, const ast::Ident *> seen;
    for (const ast::OutputDecl &od : t.outputs) {
      ir::Output o;
      o.name = od.name.name;
      o.range = od.range;
      auto [it, fresh] = seen.emplace(od.name.name, &od.name);
      if (!fresh) {
        auto &d = a.diags.report(DiagId::err_duplicate, od.name.range, "output", od.name.name);
        a.diags.note(d, DiagId::note_previous, it->second->range, "first defined here");
      }
      for (const ast::Rule &r : t.rules)
        if (r.name.name == od.name.name) {
          // `table.NAME` must mean one thing: the rule or the output.
          auto &d = a.diags.report(DiagId::err_duplicate, od.name.range, "name", od.name.name);
          a.diags.note(d, DiagId::note_previous, r.name.range, "a rule of the table has this name");
        }
      switch (od.type.kind) {
      case ast::TypeExpr::Kind::Bool: o.type = ir::Type::boolean(); break;
      case ast::TypeExpr::Kind::Number: o.type = ir::Type::number(); break;
      case ast::TypeExpr::Kind::String: o.type = ir::Type::string(); break;
      case ast::TypeExpr::Kind::Integer:
        o.type = ir::Type::number();
        o.type.integer = true;
        break;
      case ast::TypeExpr::Kind::Enum: o.type = declareEnum(t.name.name + "." + od.name.name, od.type.members); break;
      case ast::TypeExpr::Kind::Quantity: {
        auto d = dimension(od.type);
        if (!d) brokenOutputs.insert({ti, static_cast<int>(outs.size())});
        o.type = ir::Type::number(d ? *d : ir::Dimension{});
        if (d) o.displayUnit = a.units.displayFor(*d);
        break;
      }
      }
      outs.push_back(o);
    }
    if (t.aggregation != ast::Aggregation::None) {
      if (t.outputs.empty())
        a.diags.report(DiagId::err_aggregate_outputs, t.hitRange, carepath::spelling(t.aggregation),
                       "aggregates the table's outputs, and table '" + t.name.name +
                           "' has none; declare them with 'outputs (NAME : TYPE)'");
      if (t.aggregation != ast::Aggregation::Count)
        for (size_t o = 0; o < outs.size(); ++o)
          if (outs[o].type.kind != ir::Type::Kind::Number)
            a.diags.report(DiagId::err_aggregate_outputs, t.outputs[o].type.range, carepath::spelling(t.aggregation),
                           "needs numbers to aggregate; output '" + outs[o].name + "' is " + sema::describe(outs[o].type, a));
    }
    if (t.hit == ast::HitPolicy::OutputOrder && (outs.empty() || outs[0].type.kind != ir::Type::Kind::Enum))
      a.diags.report(DiagId::err_output_order_needs_enum, outs.empty() ? t.hitRange : t.outputs[0].type.range, t.name.name,
                     outs.empty() ? std::string("; it declares no outputs")
                                  : "; '" + outs[0].name + "' is " + sema::describe(outs[0].type, a));
  }

  /// A value given for an output (in a rule or an expectation): checked
  /// against the output's type. Reports with `what` naming the value.
  void outputValue(int ti, int o, const ast::Expr *value) {
    const ir::Output &out = a.outputs[ti][o];
    std::optional<ExprInfo> v;
    if (out.type.kind == ir::Type::Kind::Enum && isBareMemberName(value)) {
      member(value, out.type.enumType);
      return;
    }
    v = check(value);
    if (!v || outputBroken(ti, o)) return;
    bool ok = !isBareMember(*v) && v->type.kind == out.type.kind;
    if (ok && out.type.kind == ir::Type::Kind::Number)
      ok = v->type.dim == out.type.dim && (!out.type.integer || v->type.integer);
    if (ok && out.type.kind == ir::Type::Kind::Enum) ok = v->type.enumType == out.type.enumType;
    if (!ok)
      a.diags.report(DiagId::err_output_wrong_type, value->range, out.name, a.tables[ti]->name.name,
                     sema::describe(out.type, a),
                     v->type.kind == ir::Type::Kind::Number && out.type.kind == ir::Type::Kind::Number && v->type.dim == out.type.dim
                         ? std::string("a fraction")
                         : describe(*v));
  }

  /// A rule's outputs: each declared output given once, with its type.
  void ruleOutputs(int ti, const ast::Rule &r) {
    const ast::TableDecl &t = *a.tables[ti];
    std::map<std::string, const ast::OutputAssign *> given;
    std::vector<std::string> names;
    for (const ast::OutputDecl &od : t.outputs) names.push_back(od.name.name);
    for (const ast::OutputAssign &oa : r.outputs) {
      auto [it, fresh] = given.emplace(oa.name.name, &oa);
      if (!fresh) {
        auto &d = a.diags.report(DiagId::err_duplicate, oa.name.range, "output value", oa.name.name);
        a.diags.note(d, DiagId::note_previous, it->second->name.range, "first given here");
        continue;
      }
      auto at = std::find(names.begin(), names.end(), oa.name.name);
      if (at == names.end()) {
        a.diags.report(DiagId::err_unknown_name, oa.name.range, "output of table '" + t.name.name + "'", oa.name.name,
                       names.empty() ? std::string("; the table declares no outputs ('outputs (NAME : TYPE)')")
                                     : didYouMean(oa.name.name, names));
        continue;
      }
      outputValue(ti, static_cast<int>(at - names.begin()), oa.value.get());
    }
    for (const std::string &n : names)
      if (!given.count(n)) a.diags.report(DiagId::err_output_not_given, r.name.range, r.name.name, n, t.name.name);
  }

  std::optional<ir::Type> defineType(int i) {
    if (defineChecked[i]) return defineTypes[i];
    defineChecked[i] = true;  // a define in a cycle (NameResolver reported it) reads as untyped when met again
    auto info = check(a.defines[i]->value.get());
    if (info && isBareMember(*info)) info.reset();
    defineTypes[i] = info ? std::optional<ir::Type>(info->type) : std::nullopt;
    return defineTypes[i];
  }

  // ---------------------------------------------------------------- declarations

  void input(int i) {
    const ast::InputDecl &in = *a.inputs[i];
    InputInfo info;
    const ast::TypeExpr &t = in.type;
    switch (t.kind) {
    case ast::TypeExpr::Kind::Bool: info.type = ir::Type::boolean(); break;
    case ast::TypeExpr::Kind::Integer:
      info.type = ir::Type::number();
      info.type.integer = true;
      break;
    // A plain number is the dimensionless Number type, the same one a
    // quantity whose dimension cancels out has (mg/kg / mg/kg).
    case ast::TypeExpr::Kind::Number: info.type = ir::Type::number(); break;
    case ast::TypeExpr::Kind::String: info.type = ir::Type::string(); break;
    case ast::TypeExpr::Kind::Enum: info.type = declareEnum(in.name.name, t.members); break;
    case ast::TypeExpr::Kind::Quantity: {
      auto d = dimension(t);
      info.type = ir::Type::number(d ? *d : ir::Dimension{});
      if (t.substance) {
        if (scope->substances.count(t.substance->name))
          info.substance = t.substance->name;
        else
          a.diags.report(DiagId::err_unknown_name, t.substance->range, "substance", t.substance->name,
                         didYouMean(t.substance->name, keysOf(scope->substances)));
      }
      if (!d) {
        info.broken = true;
        a.inputInfo[i] = info;
        return;
      }
      break;
    }
    }
    info.displayUnit = a.units.displayFor(info.type.dim);
    bool numeric = info.type.kind == ir::Type::Kind::Number;
    if (in.event) {
      // `event E`: the time since E, from 0 to a lifetime (120 years), in
      // hours when the units module has them.
      const ir::Unit *year = a.units.find("year");
      const ir::Unit *hour = a.units.find("h");
      info.lo = Rational(0);
      info.hi = year && year->dim == info.type.dim ? Rational(120) * year->factor
                                                   : Rational(1051920) * (hour ? hour->factor : Rational(1));
      if (hour && hour->dim == info.type.dim) info.displayUnit = *hour;
    } else if (!in.domain) {
      if (t.kind == ast::TypeExpr::Kind::Quantity)
        a.diags.report(DiagId::err_input_needs_range, in.name.range, in.name.name, dimName(info.type.dim),
                       a.units.displayFor(info.type.dim).name);
    } else if (!numeric) {
      a.diags.report(DiagId::err_range_on_non_number, in.domain->range, in.name.name, sema::describe(info.type, a));
    } else if (in.domain->halfOpen) {
      // A domain is what a patient can be: both ends are values a patient may have.
      a.diags.report(DiagId::err_half_open_not_allowed, in.domain->opRange, "the range of input '" + in.name.name + "'");
    } else {
      auto lo = constant(in.domain->lo.get(), "a range end");
      auto hi = constant(in.domain->hi.get(), "a range end");
      bool ok = lo && hi;
      for (auto [c, e] : {std::pair{&lo, in.domain->lo.get()}, std::pair{&hi, in.domain->hi.get()}}) {
        if (!*c) continue;
        if ((*c)->dim != info.type.dim && convertLiteral(e, info.type.dim, a.units.substance(info.substance)))
          *c = literalConstant(e);
        if ((*c)->dim != info.type.dim) {
          a.diags.report(DiagId::err_range_dimension, e->range, in.name.name, dimName((*c)->dim), dimName(info.type.dim));
          ok = false;
        } else if (info.type.integer && !(*c)->integer) {
          a.diags.report(DiagId::err_range_not_integer, e->range, in.name.name);
          ok = false;
        }
      }
      if (ok && lo->value > hi->value) {
        a.diags.report(DiagId::err_range_reversed, in.domain->range, showQuantity(lo->value, lo->unit),
                       showQuantity(hi->value, hi->unit));
        ok = false;
      }
      if (ok) {
        info.lo = lo->value;
        info.hi = hi->value;
        if (!lo->unit.name.empty()) info.displayUnit = lo->unit;
      }
    }
    a.inputInfo[i] = info;
  }

  void condition(const ast::Expr *e, const std::string &what) {
    if (!e) return;
    auto info = check(e);
    wantBool(info, e, what);
  }

  void duration(const ast::Expr *e, const std::string &what) {
    auto c = constant(e, what);
    if (c && !isDuration(c->dim))
      a.diags.report(DiagId::err_expected_duration, e->range, what, dimName(c->dim));
  }

  void durationRange(const ast::RangeExpr &r, const std::string &what) {
    // Durations and times are spans the protocol states, not bands a
    // patient falls in: both ends are meant.
    if (r.halfOpen) a.diags.report(DiagId::err_half_open_not_allowed, r.opRange, what);
    auto lo = constant(r.lo.get(), what);
    auto hi = constant(r.hi.get(), what);
    bool ok = true;
    for (auto [c, e] : {std::pair{&lo, r.lo.get()}, std::pair{&hi, r.hi.get()}})
      if (*c && !isDuration((*c)->dim)) {
        a.diags.report(DiagId::err_expected_duration, e->range, what, dimName((*c)->dim));
        ok = false;
      }
    if (ok && lo && hi && lo->value > hi->value)
      a.diags.report(DiagId::err_range_reversed, r.range, showQuantity(lo->value, lo->unit), showQuantity(hi->value, hi->unit));
  }

  /// A dose range `A .. B` whose ends can be compared here: both literals,
  /// or both a literal times the same name (`30 mg/kg * weight .. 50 mg/kg *
  /// weight`). Other ranges are the verifier's (an empty range is a dose
  /// whose low end exceeds its high end for some patient).
  void doseRangeOrder(const ast::Expr *lo, const ast::Expr *hi) {
    auto factor = [&](const ast::Expr *e, std::string *rest) -> const ast::Expr * {
      if (literalNumber(e)) return e;
      auto *b = ast::dyn<ast::BinaryExpr>(e);
      if (!b || b->op != ast::BinaryOp::Mul || !literalNumber(b->lhs.get())) return nullptr;
      auto *n = ast::dyn<ast::NameExpr>(b->rhs.get());
      if (!n) return nullptr;
      *rest = n->name.str();
      return b->lhs.get();
    };
    std::string restLo, restHi;
    const ast::Expr *fl = factor(lo, &restLo), *fh = factor(hi, &restHi);
    if (!fl || !fh || restLo != restHi) return;
    auto vl = literalValue(fl), vh = literalValue(fh);
    if (!vl || !vh || a.types.at(fl).type.dim != a.types.at(fh).type.dim || *vl <= *vh) return;
    Constant cl = literalConstant(fl), ch = literalConstant(fh);
    std::string suffix = restLo.empty() ? "" : " * " + restLo;
    a.diags.report(DiagId::err_range_reversed, SourceRange::cover(lo->range, hi->range),
                   showQuantity(cl.value, cl.unit) + suffix, showQuantity(ch.value, ch.unit) + suffix);
  }

  /// A dose that is not an amount because of a common slip: reports what to
  /// write and returns true. `0.1 mg/kg` (forgotten `* weight`) and
  /// `30 mg/kg/day` (a rate where the basis `per day` was meant).
  bool doseHint(const ast::Expr &dose, const ExprInfo &d, const ast::Header *header, bool hasBasis) {
    if (d.type.kind != ir::Type::Kind::Number) return false;
    // The literal that carries the unit: the dose itself or its left factor.
    const ast::Expr *lit = &dose;
    if (auto *b = ast::dyn<ast::BinaryExpr>(lit); b && b->op == ast::BinaryOp::Mul) lit = b->lhs.get();
    auto *n = ast::dyn<ast::NumberExpr>(lit);
    if (!n || !n->unit || n->unit->atoms.empty()) return false;
    std::vector<std::string> atoms;
    for (const ast::Ident &x : n->unit->atoms) atoms.push_back(x.name);
    std::string_view file = a.sources.text(dose.range.file);
    std::string written(file.substr(dose.range.begin, dose.range.end - dose.range.begin));
    const ir::Unit *last = a.units.find(atoms.back());
    if (atoms.size() >= 2 && last && isDuration(last->dim)) {
      ir::Dimension amount = d.type.dim * last->dim;
      if (a.units.isAmount(amount) || a.units.isAmount(amount * UnitTable::base("mass"))) {
        auto &diag = a.diags.report(DiagId::err_dose_per_time, dose.range, written, dimName(d.type.dim),
                                    "'/" + atoms.back() + "'", atoms.back());
        if (!hasBasis) {  // drop '/day' from the unit, then 'per day' after the dose
          const auto &unitAtoms = n->unit->atoms;
          diag.fixits.push_back({SourceRange{dose.range.file, unitAtoms[unitAtoms.size() - 2].range.end, unitAtoms.back().range.end}, ""});
          diag.fixits.push_back({SourceRange{dose.range.file, dose.range.end, dose.range.end}, " per " + atoms.back()});
        }
        return true;
      }
    }
    if (&dose == lit && sema::isPerWeight(a.units, atoms)) {
      bool declared = header && header->dosingWeight;
      std::string weight = declared ? header->dosingWeight->name : "weight";
      auto &diag = a.diags.report(DiagId::err_dose_per_weight, dose.range, written, weight,
                                  declared ? "" : " (and declare 'dosing weight = " + weight + "' in the protocol header)");
      if (declared) diag.fixits.push_back({SourceRange{dose.range.file, dose.range.end, dose.range.end}, " * " + weight});
      return true;
    }
    return false;
  }

  void action(const ast::Action &act, const ast::Header *header) {
    condition(act.unless.get(), "an 'unless' condition");
    if (act.kind == ast::ActionKind::Give) {
      auto drugIt = scope->drugs.find(act.name.name);
      std::optional<ir::Dimension> doseDim;
      // `rate`: a continuous infusion, its dose an amount per time.
      const bool continuous = act.basis.kind == ast::Basis::Kind::Rate;
      if (act.dose) {
        auto d = check(act.dose.get());
        bool number = d && !isBareMember(*d) && d->type.kind == ir::Type::Kind::Number;
        if (continuous) {
          if (number && isRate(a.units, d->type.dim)) doseDim = d->type.dim;
          else if (d)
            a.diags.report(DiagId::err_rate_unit, act.dose->range, "a continuous infusion's dose",
                           number ? dimName(d->type.dim) : describe(*d));
        } else if (number && a.units.isAmount(d->type.dim))
          doseDim = d->type.dim;
        else if (d && !doseHint(*act.dose, *d, header, act.basis.kind != ast::Basis::Kind::None))
          a.diags.report(DiagId::err_dose_not_amount, act.dose->range,
                         d->type.kind == ir::Type::Kind::Number ? dimName(d->type.dim) : describe(*d));
      }
      if (act.doseHigh) {
        auto h = check(act.doseHigh.get());
        if (h && doseDim && (h->type.kind != ir::Type::Kind::Number || h->type.dim != *doseDim))
          a.diags.report(DiagId::err_dose_range_dimension, act.doseHigh->range, dimName(*doseDim),
                         h->type.kind == ir::Type::Kind::Number ? dimName(h->type.dim) : describe(*h));
        else if (h && doseDim) doseRangeOrder(act.dose.get(), act.doseHigh.get());
      }
      auto doseBasis = basis(act.basis);
      if (act.cap) {
        auto c = check(act.cap.get());
        if (c && doseDim && (c->type.kind != ir::Type::Kind::Number || c->type.dim != *doseDim)) {
          auto &d = a.diags.report(DiagId::err_cap_dimension, act.cap->range, dimName(*doseDim),
                                   c->type.kind == ir::Type::Kind::Number ? dimName(c->type.dim) : describe(*c));
          a.diags.note(d, DiagId::note_here, act.dose->range, "the dose is " + dimName(*doseDim));
        }
        // The IR keeps one basis per give: a cap counted differently from
        // its dose (`dose ... per dose max ... per day`) cannot be expressed.
        auto capBasis = basis(act.capBasis);
        if (capBasis && doseBasis && capBasis->kind != ir::Basis::Kind::None && !(*capBasis == *doseBasis)) {
          auto &d = a.diags.report(DiagId::err_cap_basis, act.capBasis.range, capBasis->str(),
                                   doseBasis->kind == ir::Basis::Kind::None ? "has no basis" : "is " + doseBasis->str());
          a.diags.note(d, DiagId::note_here, act.dose ? act.dose->range : act.range, "the dose");
        }
      }
      if (act.duration) durationRange(*act.duration, "the 'for' duration");
      if (act.taper) taper(act, doseBasis);
      if (act.over) infusionTime(act);
      if (doseBasis) regimen(act, *doseBasis);
      if (continuous) {
        // A continuous infusion runs for its `for` duration: no doses to space or count.
        for (const ast::RegimenClause &c : act.regimen)
          a.diags.report(DiagId::err_regimen_basis, c.range, clauseText(c), "counts or spaces separate doses",
                         "a continuous infusion ('rate')");
        if (act.over)
          a.diags.report(DiagId::err_regimen_basis, overRange(act), "over " + std::string(a.sources.slice(overRange(act))),
                         "is the time one amount is infused over", "a continuous infusion ('rate'): give its length with 'for'");
      }
      if (act.route && drugIt != scope->drugs.end()) route(*drugIt->second, *act.route);
      if (drugIt != scope->drugs.end() && (!header || !header->dosingWeight)) {
        for (const ast::Limit &l : drugIt->second->limits)
          if (isPerWeight(l) && perWeightReported.insert(drugIt->second).second) {
            auto &d = a.diags.report(DiagId::err_per_weight_without_dosing_weight, act.name.range, act.name.name);
            a.diags.note(d, DiagId::note_here, l.range, "this limit is per kilogram of body weight");
            break;
          }
      }
      return;
    }
    switch (act.timing.kind) {
    case ast::Timing::Kind::None: break;
    case ast::Timing::Kind::At: durationRange(*act.timing.at, "the 'at' time"); break;
    case ast::Timing::Kind::Within: duration(act.timing.value.get(), "the 'within' time"); break;
    case ast::Timing::Kind::Over:
      duration(act.timing.value.get(), "the 'over' duration");
      if (act.timing.high) {
        // `over 4 weeks .. 6 weeks`: both ends meant, low end first.
        duration(act.timing.high.get(), "the 'over' duration");
        auto lit = [&](const ast::Expr *e) {
          return literalNumber(e) ? std::optional<Constant>(literalConstant(e)) : std::nullopt;
        };
        auto lo = lit(act.timing.value.get()), hi = lit(act.timing.high.get());
        if (lo && hi && isDuration(lo->dim) && isDuration(hi->dim) && lo->value > hi->value)
          a.diags.report(DiagId::err_range_reversed, act.timing.range, showQuantity(lo->value, lo->unit),
                         showQuantity(hi->value, hi->unit));
      }
      break;
    }
  }

  /// A give's `over X` or `over X .. Y`, as written.
  static SourceRange overRange(const ast::Action &act) {
    SourceRange r = act.over->range;
    if (act.overHigh) r.end = act.overHigh->range.end;
    return r;
  }

  /// A give's infusion time (docs/language.md, "Infusion rates"): durations
  /// longer than zero; a range low end first, of two different times. Each
  /// error says the fix; the two a reader cannot doubt come as fix-its.
  void infusionTime(const ast::Action &act) {
    const char *what = "the 'over' duration";
    auto time = [&](const ast::Expr *e) -> std::optional<Constant> {
      auto c = constant(e, what);
      if (c && !isDuration(c->dim)) {
        a.diags.report(DiagId::err_expected_duration, e->range, what, dimName(c->dim));
        return std::nullopt;
      }
      return c;
    };
    std::optional<Constant> lo = time(act.over.get()), hi = act.overHigh ? time(act.overHigh.get()) : std::nullopt;
    if (act.overHigh && !hi) return;
    std::string loText(a.sources.slice(act.over->range));
    if (lo && lo->value <= Rational(0)) {
      a.diags.report(DiagId::err_infusion_time, act.over->range, showQuantity(lo->value, lo->unit));
      return;
    }
    if (!lo || !hi) return;
    std::string hiText(a.sources.slice(act.overHigh->range));
    if (lo->value > hi->value) {
      // `over 20 minutes .. 10 minutes`: the ends swapped.
      auto &d = a.diags.report(DiagId::err_range_reversed, overRange(act), showQuantity(lo->value, lo->unit),
                               showQuantity(hi->value, hi->unit));
      d.fixits.push_back({act.over->range, hiText});
      d.fixits.push_back({act.overHigh->range, loText});
    } else if (lo->value == hi->value) {
      // `over 20 minutes .. 20 minutes` (or `.. 1/3 h`): one time; both ends quoted as written.
      a.diags.report(DiagId::err_infusion_time_range, overRange(act), loText, hiText)
          .fixits.push_back({overRange(act), loText});
    }
  }

  /// `then taper over A .. B` (docs/language.md, "Tapers"): a span longer
  /// than zero, on a give whose amount can fall from dose to dose or day to
  /// day; a total, a single dose and a continuous infusion have none.
  void taper(const ast::Action &act, const std::optional<ir::Basis> &basis) {
    const ast::RangeExpr &r = *act.taper;
    durationRange(r, "the taper's length");
    std::optional<Constant> lo;
    if (literalNumber(r.lo.get()) && a.types.count(r.lo.get())) lo = literalConstant(r.lo.get());
    if (lo && isDuration(lo->dim) && lo->value <= Rational(0))
      a.diags.report(DiagId::err_taper_length, r.lo->range, showQuantity(lo->value, lo->unit));
    std::string clause(a.sources.slice(act.taperRange));
    if (basis && basis->kind == ir::Basis::Kind::Rate)
      a.diags.report(DiagId::err_taper_basis, act.taperRange, clause, "a continuous infusion ('rate')");
    else if (basis && basis->kind == ir::Basis::Kind::PerCourse)
      a.diags.report(DiagId::err_taper_basis, act.taperRange, clause, "a total for the whole course");
    for (const ast::RegimenClause &c : act.regimen)
      if (c.kind == ast::RegimenClause::Kind::Once || (c.kind == ast::RegimenClause::Kind::UpTo && c.count == 1))
        a.diags.report(DiagId::err_taper_basis, act.taperRange, clause, "a single dose ('" + clauseText(c) + "')");
  }

  /// A `one of` is a choice: it has at least two alternatives.
  void choices(const std::vector<ast::Action> &acts) {
    std::map<int, std::pair<int, SourceRange>> most;  // choice -> its last option, its range
    for (const ast::Action &act : acts)
      if (act.choice >= 0) most[act.choice] = {std::max(most[act.choice].first, act.option), act.choiceRange};
    for (const auto &[choice, m] : most)
      if (m.first == 0) a.diags.report(DiagId::err_one_alternative, m.second);
  }

  /// A regimen clause as written, for messages ("every 6 h", "up to 4 doses").
  std::string intervalText(const ast::RegimenClause &c) {
    if (!c.interval || !literalNumber(c.interval.get()) || !a.types.count(c.interval.get())) return "";
    Constant k = literalConstant(c.interval.get());
    return showQuantity(k.value, k.unit);
  }
  std::string clauseText(const ast::RegimenClause &c) {
    using K = ast::RegimenClause::Kind;
    std::string interval = intervalText(c);
    std::string n = std::to_string(c.count);
    switch (c.kind) {
    case K::Every: return "every " + interval;
    case K::Divided: return "divided into " + n + " doses";
    case K::Once: return "once";
    case K::Repeat: return "repeat " + (c.count == 1 ? std::string("once") : n + " times") + " after " + interval;
    case K::UpTo: return "up to " + n + " doses";
    }
    return "";
  }

  /// A give's regimen: each clause well formed and fitting the dose's
  /// basis, and no two that say contradicting things (docs/language.md,
  /// "Regimens"); ir::schedule relies on it.
  void regimen(const ast::Action &act, const ir::Basis &basis) {
    using K = ast::RegimenClause::Kind;
    const auto &cs = act.regimen;
    std::vector<std::optional<Rational>> intervals(cs.size());
    for (size_t i = 0; i < cs.size(); ++i) {
      const ast::RegimenClause &c = cs[i];
      if (c.interval) {
        std::string what = c.kind == K::Every ? "the 'every' interval" : "the 'repeat' interval";
        auto k = constant(c.interval.get(), what);
        if (k && !isDuration(k->dim))
          a.diags.report(DiagId::err_expected_duration, c.interval->range, what, dimName(k->dim));
        else if (k && k->value <= Rational(0))
          a.diags.report(DiagId::err_regimen_interval, c.interval->range, showQuantity(k->value, k->unit),
                         "must be longer than zero");
        else if (k) intervals[i] = k->value;
      }
      if (c.kind != K::Every && c.count < 1) a.diags.report(DiagId::err_regimen_count, c.range, clauseText(c));
      // `divided into` splits an amount counted per time or in total;
      // `once` is one dose, so not an amount per day.
      if (c.kind == K::Divided && (basis.kind == ir::Basis::Kind::None || basis.kind == ir::Basis::Kind::PerDose))
        a.diags.report(DiagId::err_regimen_basis, c.range, clauseText(c), "splits an amount per time or a total into doses",
                       basis.kind == ir::Basis::Kind::None ? "given with no basis ('per day', 'total')" : "per dose");
      if (c.kind == K::Once && basis.kind == ir::Basis::Kind::PerTime)
        a.diags.report(DiagId::err_regimen_basis, c.range, "once", "is a single dose", basis.str());
    }
    bool divided = false;
    for (const auto &c : cs) divided = divided || c.kind == K::Divided;
    // An amount per day given every X is split into day / X doses: a whole number.
    if (basis.kind == ir::Basis::Kind::PerTime && !divided)
      for (size_t i = 0; i < cs.size(); ++i)
        if (intervals[i] && !(basis.span / *intervals[i]).isInteger())
          a.diags.report(DiagId::err_regimen_interval, cs[i].interval->range,
                         intervalText(cs[i]), "does not split an amount " + basis.str() + " into whole doses");
    auto contradicts = [&](size_t i, size_t j) -> std::optional<std::string> {
      const ast::RegimenClause &x = cs[i], &y = cs[j];
      auto isCount = [](K k) { return k == K::Once || k == K::Repeat || k == K::UpTo; };
      auto isInterval = [](K k) { return k == K::Every || k == K::Repeat; };
      if (x.kind == y.kind || (isCount(x.kind) && isCount(y.kind)) || (isInterval(x.kind) && isInterval(y.kind))) return "";
      auto pair = [&](K a1, K b1) { return (x.kind == a1 && y.kind == b1) || (x.kind == b1 && y.kind == a1); };
      if (pair(K::Once, K::Every) || pair(K::Once, K::Divided)) return "";
      // A total divided into N doses is N doses in all.
      if (basis.kind == ir::Basis::Kind::PerCourse && (pair(K::Divided, K::Repeat) || pair(K::Divided, K::UpTo))) return "";
      // An amount per day divided into 4 doses is a dose every 6 h.
      if (basis.kind == ir::Basis::Kind::PerTime && (pair(K::Divided, K::Every) || pair(K::Divided, K::Repeat))) {
        const ast::RegimenClause &d = x.kind == K::Divided ? x : y;
        size_t e = x.kind == K::Divided ? j : i;
        if (d.count >= 1 && intervals[e] && *intervals[e] * Rational(d.count) != basis.span)
          return "'" + clauseText(d) + "' " + basis.str() + " is a dose every " +
                 formatQuantity(basis.span / Rational(d.count), Rational(1), "h", Rational(0));
      }
      return std::nullopt;
    };
    for (size_t j = 0; j < cs.size(); ++j)
      for (size_t i = 0; i < j; ++i)
        if (auto why = contradicts(i, j)) {
          auto &d = a.diags.report(DiagId::err_regimen_conflict, cs[j].range, clauseText(cs[j]), clauseText(cs[i]));
          a.diags.note(d, DiagId::note_here, cs[i].range, why->empty() ? "'" + clauseText(cs[i]) + "' is written here" : *why);
          break;
        }
  }

  /// A per-weight limit: written in an amount per mass unit (mg/kg).
  bool isPerWeight(const ast::Limit &l) { return isPerWeight(l.amount.get()); }
  bool isPerWeight(const ast::Expr *amount) {
    auto *n = ast::dyn<ast::NumberExpr>(amount);
    if (!n || !n->unit) return false;
    std::vector<std::string> atoms;
    for (auto &x : n->unit->atoms) atoms.push_back(x.name);
    return sema::isPerWeight(a.units, atoms);
  }

  /// A formulary limit, or the bound of `always dose(D) <= Q`: an amount or
  /// an amount per body weight, with a basis. False when it is not.
  bool limitAmount(const ast::Expr *amount, const ast::Basis &b, const char *what) {
    auto c = constant(amount, what);
    bool ok = basis(b).has_value();
    if (!c) return false;
    // A rate limit (`limit 50 mg/minute rate`, `1 mg/kg/min rate`): an amount per time.
    bool rate = isRate(a.units, c->dim) || isPerWeightRate(amount);
    if (b.kind == ast::Basis::Kind::Rate) {
      if (rate) return ok;
      a.diags.report(DiagId::err_rate_unit, amount->range, std::string("'") + std::string(a.sources.slice(amount->range)) + "'",
                     dimName(c->dim));
      return false;
    }
    if (!a.units.isAmount(c->dim) && !isPerWeight(amount)) {
      auto *n = ast::dyn<ast::NumberExpr>(amount);
      if (rate && n && n->unit && !n->unit->atoms.empty())
        a.diags.report(DiagId::err_limit_per_time, amount->range, std::string(a.sources.slice(amount->range)),
                       dimName(c->dim), std::string(a.sources.slice(b.range)), n->unit->atoms.back().name);
      else a.diags.report(DiagId::err_limit_not_amount, amount->range, dimName(c->dim));
      return false;
    }
    return ok;
  }
  bool isPerWeightRate(const ast::Expr *amount) {
    auto *n = ast::dyn<ast::NumberExpr>(amount);
    if (!n || !n->unit) return false;
    std::vector<std::string> atoms;
    for (auto &x : n->unit->atoms) atoms.push_back(x.name);
    return sema::isPerWeightRate(a.units, atoms);
  }

  /// `route R` on a give or a limit names one of the drug's declared routes.
  void route(const ast::DrugDecl &d, const ast::Ident &r) {
    std::vector<std::string> names;
    for (const ast::Ident &x : d.routes) names.push_back(x.name);
    if (std::find(names.begin(), names.end(), r.name) != names.end()) return;
    a.diags.report(DiagId::err_unknown_route, r.range, r.name, d.name.name,
                   names.empty() ? "it declares none" : "its routes: " + joinNames(names), didYouMean(r.name, names));
  }

  void drug(const ast::DrugDecl &d) {
    for (const ast::Limit &l : d.limits) {
      limitAmount(l.amount.get(), l.basis, "a limit");
      if (l.route) route(d, *l.route);
    }
  }

  void property(const ast::Property &p, const ast::Header *header) {
    using K = ast::Property::Kind;
    switch (p.kind) {
    case K::Reaches: case K::ReachesAction: condition(p.expr.get(), "the 'every' population"); return;
    case K::Always: case K::Never: condition(p.expr.get(), "a property"); return;
    case K::NeverAction: condition(p.expr.get(), "the 'when' condition"); return;
    case K::DoseAtMost:
      condition(p.expr.get(), "the 'when' condition");
      if (limitAmount(p.bound.get(), p.basis, "a dose bound") && isPerWeight(p.bound.get()) &&
          (!header || !header->dosingWeight))
        a.diags.report(DiagId::err_property_per_weight_without_dosing_weight, p.bound->range,
                       std::string(a.sources.slice(p.bound->range)));
      return;
    }
  }
};

}  // namespace

void checkTypes(Analysis &a) {
  Checker c{a, &a.rootScope(), {}, {}, {}};
  c.defineTypes.assign(a.defines.size(), std::nullopt);
  c.defineChecked.assign(a.defines.size(), false);
  a.inputInfo.assign(a.inputs.size(), InputInfo{});
  for (size_t i = 0; i < a.inputs.size(); ++i) c.input(static_cast<int>(i));

  // Drugs, each in the scope of the file declaring it.
  for (const LoadedFile &f : a.files) {
    Checker fc{a, &f.scope, {}, {}, {}};
    for (const auto &d : f.ast->decls)
      if (auto *drug = ast::dyn<ast::DrugDecl>(d.get())) fc.drug(*drug);
  }
  // Contraindications read the checked file's inputs (NameResolver).
  for (const ast::DrugDecl *d : a.drugs)
    for (const ast::Contraindication &ci : d->contraindications)
      if (a.contraindications.count(&ci)) c.condition(ci.when.get(), "a contraindication");
  // Assumptions, like contraindications, read the checked file's inputs.
  // A module's are a reference's figures (stdlib.growth's weight bands),
  // written for every protocol: that this protocol's own ranges make a part
  // of one constant is expected, not a slip to warn its author about.
  std::set<const ast::Decl *> own;
  for (const auto &d : a.files[0].ast->decls) own.insert(d.get());
  for (const ast::AssumeDecl *as : a.assumptions) {
    c.quietConstants = !own.count(as);
    c.condition(as->condition.get(), "an assumption");
    c.quietConstants = false;
  }

  const ast::Header *header = a.files[0].ast->header ? &*a.files[0].ast->header : nullptr;
  if (header) {
    c.condition(header->population.get(), "the population");
    if (header->dosingWeight) {
      int w = -1;
      for (size_t i = 0; i < a.inputs.size(); ++i)
        if (a.inputs[i]->name.name == header->dosingWeight->name) w = static_cast<int>(i);
      if (w >= 0 && !a.inputInfo[w].broken && !(a.inputInfo[w].type.kind == ir::Type::Kind::Number && isMass(a.inputInfo[w].type.dim)))
        a.diags.report(DiagId::err_dosing_weight_not_mass, header->dosingWeight->range, header->dosingWeight->name,
                       describe(a.inputInfo[w].type, a));
    }
    for (const ast::Fact &f : header->facts) {
      if (ast::dyn<ast::BoolExpr>(f.value.get())) c.check(f.value.get());
      else c.constant(f.value.get(), "a fact's value");
    }
  }
  a.outputs.assign(a.tables.size(), {});
  for (size_t t = 0; t < a.tables.size(); ++t) c.declareOutputs(static_cast<int>(t));
  for (size_t i = 0; i < a.defines.size(); ++i) c.defineType(static_cast<int>(i));
  for (const ast::PathwayDecl *p : a.pathways) {
    c.condition(p->entry.get(), "the pathway's 'for' condition");
    for (const ast::Exit &e : p->exits) c.condition(e.when.get(), "a pathway's 'exit ... when'");
    for (const ast::Tier &t : p->tiers) {
      c.condition(t.guard.get(), "a tier's 'when' guard");
      c.condition(t.failedWhen.get(), "a tier's 'failed when'");
      c.condition(t.respondedWhen.get(), "a tier's 'responded when'");
      c.condition(t.completedWhen.get(), "a tier's 'completed when'");
      for (const ast::Action &act : t.actions) c.action(act, header);
      c.choices(t.actions);
    }
  }
  for (size_t ti = 0; ti < a.tables.size(); ++ti)
    for (const ast::Rule &r : a.tables[ti]->rules) {
      c.condition(r.guard.get(), "a rule's 'when' guard");
      c.ruleOutputs(static_cast<int>(ti), r);
      for (const ast::Action &act : r.actions) c.action(act, header);
      c.choices(r.actions);
    }
  for (const auto &d : a.files[0].ast->decls)
    if (auto *v = ast::dyn<ast::VerifyDecl>(d.get()))
      for (const ast::Property &p : v->properties) c.property(p, header);

  // Examples: every given value has the input's type, unit and range.
  for (const ast::ExampleDecl *ex : a.examples) {
    for (const ast::Given &g : ex->givens) {
      int in = -1;
      for (size_t i = 0; i < a.inputs.size(); ++i)
        if (a.inputs[i]->name.name == g.input.name) in = static_cast<int>(i);
      if (in < 0 || a.inputInfo[in].broken) continue;
      const InputInfo &info = a.inputInfo[in];
      if (g.missing) {
        if (!a.inputs[in]->optional) {
          auto &d = a.diags.report(DiagId::err_given_missing_required, g.range, g.input.name);
          a.diags.note(d, DiagId::note_here, a.inputs[in]->name.range, "declared here without 'optional'");
        }
        continue;
      }
      if (!g.value) {
        if (info.type.kind != ir::Type::Kind::Bool)
          a.diags.report(DiagId::err_given_flag_not_bool, g.range, g.input.name, describe(info.type, a));
        continue;
      }
      switch (info.type.kind) {
      case ir::Type::Kind::Bool:
        if (!ast::dyn<ast::BoolExpr>(g.value.get()))
          a.diags.report(DiagId::err_given_type, g.value->range, g.input.name, describe(info.type, a), "something else");
        else
          c.check(g.value.get());
        break;
      case ir::Type::Kind::Enum: {
        auto *n = ast::dyn<ast::NameExpr>(g.value.get());
        if (n && a.names.count(n) && a.names.at(n).kind == NameRef::Kind::Member)
          c.member(g.value.get(), info.type.enumType);
        else
          a.diags.report(DiagId::err_given_type, g.value->range, g.input.name, describe(info.type, a),
                         "something else");
        break;
      }
      case ir::Type::Kind::String:
        if (!ast::dyn<ast::StringExpr>(g.value.get()))
          a.diags.report(DiagId::err_given_type, g.value->range, g.input.name, describe(info.type, a), "something else");
        else
          c.check(g.value.get());
        break;
      case ir::Type::Kind::Number: {
        auto v = c.constant(g.value.get(), "a given value");
        if (!v) break;
        if (v->dim != info.type.dim && c.convertLiteral(g.value.get(), info.type.dim, a.units.substance(info.substance)))
          v = c.literalConstant(g.value.get());
        if (v->dim != info.type.dim) {
          a.diags.report(DiagId::err_given_type, g.value->range, g.input.name, describe(info.type, a), dimName(v->dim));
        } else if (info.type.integer && !v->integer) {
          a.diags.report(DiagId::err_given_type, g.value->range, g.input.name, describe(info.type, a), "a fraction");
        } else if (info.lo && info.hi && (v->value < *info.lo || v->value > *info.hi)) {
          auto &d = a.diags.report(DiagId::err_given_out_of_range, g.value->range, g.input.name,
                                   showQuantity(*info.lo, info.displayUnit) + " .. " +
                                       showQuantity(*info.hi, info.displayUnit));
          if (a.inputs[in]->domain) a.diags.note(d, DiagId::note_here, a.inputs[in]->domain->range, "the range is declared here");
        }
        break;
      }
      }
    }
    for (const ast::Expectation &x : ex->expectations) {
      if (x.kind == ast::Expectation::Kind::Output) {
        auto it = a.expectOutputs.find(&x);
        if (it == a.expectOutputs.end()) continue;
        auto [ti, o] = it->second;
        auto ref = c.outputReference(ti, o, x.target.range);
        if (!ref) continue;
        if (ref->kind == ir::Type::Kind::Enum) {
          c.outputValue(ti, o, x.value.get());
          continue;
        }
        auto v = c.check(x.value.get());
        if (v && !(v->type.kind == ref->kind && v->type.dim == ref->dim))
          a.diags.report(DiagId::err_output_wrong_type, x.value->range, a.outputs[ti][o].name, a.tables[ti]->name.name,
                         describe(*ref, a), c.describe(*v));
        continue;
      }
      if (x.kind != ast::Expectation::Kind::Dose) continue;
      auto v = c.constant(x.dose.get(), "an expected dose");
      if (v && !a.units.isAmount(v->dim)) a.diags.report(DiagId::err_dose_not_amount, x.dose->range, dimName(v->dim));
      if (x.doseHigh) {
        auto h = c.constant(x.doseHigh.get(), "an expected dose");
        if (v && h && h->dim != v->dim)
          a.diags.report(DiagId::err_dose_range_dimension, x.doseHigh->range, dimName(v->dim), dimName(h->dim));
        else if (v && h && v->value > h->value)
          a.diags.report(DiagId::err_range_reversed, SourceRange::cover(x.dose->range, x.doseHigh->range),
                         showQuantity(v->value, v->unit), showQuantity(h->value, h->unit));
      }
      c.basis(x.basis);
    }
  }
  // Every define's type, for readers after sema (the language server's
  // hover); left empty when one could not be typed.
  a.defineTypes.clear();
  for (size_t i = 0; i < a.defines.size(); ++i) {
    std::optional<ir::Type> t = c.defineType(static_cast<int>(i));
    if (!t) {
      a.defineTypes.clear();
      break;
    }
    a.defineTypes.push_back(*t);
  }
}

}  // namespace carepath::sema
