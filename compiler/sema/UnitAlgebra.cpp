// Pass 3: dimensions and units. Builds the unit table from every `unit`
// declaration in the loaded files (base units first, then scaled units in
// dependency order), reporting unknown dimensions/units, a second base unit
// for a dimension, non-positive factors and units defined through
// themselves. Conversions are exact: a factor is a Rational.
#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "sema/SemaContext.h"

namespace carepath::sema {

// ------------------------------------------------------------------ the table

ir::Unit UnitTable::toIr(const units::UnitDef &u) {
  return ir::Unit{u.name, ir::Dimension{u.dims}, u.factor, u.offset, u.ucum};
}

UnitTable::UnitTable() {
  defs_["%"] = units::UnitDef{"%", {}, Rational(1, 100), Rational(0), "%"};
  units_["%"] = toIr(defs_["%"]);
}

bool UnitTable::addBase(const std::string &name, const std::string &dim, const std::string &ucum) {
  if (baseUnits_.count(dim)) return false;
  baseUnits_[dim] = name;
  defs_[name] = units::UnitDef{name, base(dim).exponents, Rational(1), Rational(0), ucum};
  units_[name] = toIr(defs_[name]);
  return true;
}

units::Composition UnitTable::addScaled(const std::string &name, Rational factor, const std::vector<std::string> &of,
                                        Rational offset, const std::string &ucum) {
  units::Composition c = composition(of);
  if (!c.unit) return c;
  // x name = factor * (x - offset) of, and y of = y * f + b canonical.
  units::UnitDef u = *c.unit;
  u.name = name;
  u.factor = factor * c.unit->factor;
  u.offset = c.unit->offset - u.factor * offset;
  u.ucum = ucum;
  defs_[name] = u;
  units_[name] = toIr(u);
  return c;
}

const ir::Unit *UnitTable::find(const std::string &name) const {
  auto it = units_.find(name);
  return it == units_.end() ? nullptr : &it->second;
}

units::Composition UnitTable::composition(const std::vector<std::string> &atoms) const {
  return units::compose(atoms, [&](const std::string &n) -> const units::UnitDef * {
    auto it = defs_.find(n);
    return it == defs_.end() ? nullptr : &it->second;
  });
}

std::optional<ir::Unit> UnitTable::compose(const std::vector<std::string> &atoms) const {
  units::Composition c = composition(atoms);
  if (!c.unit) return std::nullopt;
  return toIr(*c.unit);
}

std::string UnitTable::baseUnitOf(const std::string &dim) const {
  auto it = baseUnits_.find(dim);
  return it == baseUnits_.end() ? "" : it->second;
}

ir::Unit UnitTable::displayFor(const ir::Dimension &dim) const {
  if (dim.exponents.size() == 1 && dim.exponents.begin()->second == 1) {
    std::string b = baseUnitOf(dim.exponents.begin()->first);
    if (!b.empty()) return units_.at(b);
  }
  return ir::Unit{"", dim, Rational(1)};
}

void UnitTable::addSubstance(Substance s) {
  // A dimension a substance relates to an amount measures an amount too.
  for (bool changed = true; changed;) {
    changed = false;
    for (const units::Ratio &r : s.ratios) {
      bool of = amountDims_.count(r.of) > 0, per = amountDims_.count(r.per) > 0;
      if (of != per) {
        amountDims_.insert(of ? r.per : r.of);
        changed = true;
      }
    }
  }
  std::string name = s.name;
  substances_[name] = std::move(s);
}

const UnitTable::Substance *UnitTable::substance(const std::string &name) const {
  auto it = substances_.find(name);
  return it == substances_.end() ? nullptr : &it->second;
}

bool UnitTable::isAmount(const ir::Dimension &d) const {
  return d.exponents.size() == 1 && d.exponents.begin()->second == 1 && amountDims_.count(d.exponents.begin()->first);
}

namespace {
bool isBaseNamed(const ir::Dimension &d, std::initializer_list<const char *> names) {
  if (d.exponents.size() != 1 || d.exponents.begin()->second != 1) return false;
  for (const char *n : names)
    if (d.exponents.begin()->first == n) return true;
  return false;
}
}  // namespace

bool isAmount(const ir::Dimension &d) { return isBaseNamed(d, {"mass", "volume", "amount"}); }
bool isDuration(const ir::Dimension &d) { return isBaseNamed(d, {"duration"}); }
bool isMass(const ir::Dimension &d) { return isBaseNamed(d, {"mass"}); }

bool isPerWeight(const UnitTable &units, const std::vector<std::string> &atoms) {
  if (atoms.size() < 2) return false;
  const ir::Unit *last = units.find(atoms.back());
  auto whole = units.compose(atoms);
  return last && whole && isMass(last->dim) && !units.isAmount(whole->dim) && units.isAmount(whole->dim * last->dim);
}

bool isPerWeightRate(const UnitTable &units, const std::vector<std::string> &atoms) {
  if (atoms.size() < 3) return false;
  const ir::Unit *last = units.find(atoms.back());
  return last && isDuration(last->dim) && isPerWeight(units, {atoms.begin(), atoms.end() - 1});
}

bool isRate(const UnitTable &units, const ir::Dimension &d) { return units.isAmount(d * UnitTable::base("duration")); }

// ------------------------------------------------------------------ the pass

namespace {
/// A unit's `ucum "CODE"`, "" when absent or not a code. Only the form is
/// checked here (printable ASCII without blanks, UCUM §1); that each code
/// means the declared factor is checked against the UCUM reference
/// implementation by tests/interop (ucum-check.mjs).
std::string ucumCode(Analysis &a, const ast::UnitDecl &u) {
  if (!u.ucum) return "";
  const std::string &code = *u.ucum;
  std::string why = code.empty() ? "it is empty" : "";
  for (char c : code)
    if (why.empty() && (c <= ' ' || c > '~')) why = "UCUM codes are printable ASCII without blanks";
  if (!why.empty()) {
    a.diags.report(DiagId::err_bad_ucum_code, u.ucumRange, code, why);
    return "";
  }
  return code;
}
}  // namespace

std::string unitDidYouMean(const Analysis &a, const std::string &name, const std::vector<std::string> &candidates) {
  // A UCUM code of a unit in scope: the unit it is the code of.
  for (const std::string &c : candidates)
    if (const ir::Unit *u = a.units.find(c); u && u->ucum == name) return "; did you mean '" + c + "' (UCUM '" + name + "')?";
  // The abbreviations clinicians write for units of time (after `min`, which
  // is reserved, `mins` is the next thing tried).
  static const std::pair<const char *, const char *> kAbbreviations[] = {
      {"mins", "minutes"}, {"hr", "h"}, {"hrs", "h"}, {"sec", "seconds"}, {"secs", "seconds"},
      {"wk", "weeks"},     {"wks", "weeks"}, {"yr", "years"}, {"yrs", "years"}, {"mo", "months"}, {"mos", "months"}};
  for (auto [abbreviation, unit] : kAbbreviations)
    if (name == abbreviation && std::find(candidates.begin(), candidates.end(), unit) != candidates.end())
      return "; did you mean '" + std::string(unit) + "'?";
  // A typo, but never another prefix: 'dL' is not 'L', 'ug' is not 'mg'.
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  std::vector<std::string> samePrefix;
  for (const std::string &c : candidates)
    if (!c.empty() && !name.empty() && lower(c[0]) == lower(name[0])) samePrefix.push_back(c);
  return didYouMean(name, samePrefix);
}

void reportAffineInCompound(Analysis &a, const std::string &atom, const ast::UnitExpr &written) {
  SourceRange at = written.range;
  for (const ast::Ident &x : written.atoms)
    if (x.name == atom) at = x.range;
  const ir::Unit *u = a.units.find(atom);
  std::string absolute = u && u->dim.exponents.size() == 1 ? a.units.baseUnitOf(u->dim.exponents.begin()->first) : "";
  a.diags.report(DiagId::err_affine_in_compound, at, atom, written.str(), absolute.empty() ? "its base unit" : "'" + absolute + "'");
}

void buildUnits(Analysis &a) {
  // Every unit declaration of every loaded file, by name. Duplicates across
  // files were reported by NameResolver when both are in one scope; here the
  // first one wins.
  std::map<std::string, const ast::UnitDecl *> decls;
  std::vector<const ast::UnitDecl *> order;
  std::map<std::string, const ast::DimensionDecl *> dims;
  for (const LoadedFile &f : a.files)
    for (const auto &d : f.ast->decls) {
      if (auto *u = ast::dyn<ast::UnitDecl>(d.get())) {
        if (decls.emplace(u->name.name, u).second) order.push_back(u);
      } else if (auto *dim = ast::dyn<ast::DimensionDecl>(d.get())) {
        dims.emplace(dim->name.name, dim);
      }
    }

  // Base units.
  std::map<std::string, const ast::UnitDecl *> baseOf;
  for (const ast::UnitDecl *u : order) {
    if (!u->isBase) continue;
    auto dim = dims.find(u->dimension.name);
    if (dim == dims.end()) {
      a.diags.report(DiagId::err_unknown_name, u->dimension.range, "dimension", u->dimension.name,
                     didYouMean(u->dimension.name, keysOf(dims)));
      continue;
    }
    if (dim->second->definition) {
      a.diags.report(DiagId::err_base_unit_of_derived, u->dimension.range, u->dimension.name);
      continue;
    }
    if (!a.units.addBase(u->name.name, u->dimension.name, ucumCode(a, *u))) {
      auto &d = a.diags.report(DiagId::err_base_unit_twice, u->range, u->dimension.name,
                               baseOf[u->dimension.name]->name.name);
      a.diags.note(d, DiagId::note_previous, baseOf[u->dimension.name]->range, "the base unit is declared here");
      continue;
    }
    baseOf[u->dimension.name] = u;
  }

  // Scaled units, each after the units it is defined from.
  enum class State { New, Active, Done, Failed };
  std::map<const ast::UnitDecl *, State> state;
  std::vector<const ast::UnitDecl *> stack;
  std::function<bool(const ast::UnitDecl *)> define = [&](const ast::UnitDecl *u) -> bool {
    State &s = state[u];
    if (s == State::Done) return true;
    if (s == State::Failed) return false;
    if (u->isBase) return a.units.find(u->name.name) != nullptr;
    if (s == State::Active) {
      std::string chain;
      bool on = false;
      for (const ast::UnitDecl *x : stack) {
        if (x == u) on = true;
        if (on) chain += x->name.name + " -> ";
      }
      a.diags.report(DiagId::err_unit_cycle, u->name.range, u->name.name, chain + u->name.name);
      return false;
    }
    s = State::Active;
    stack.push_back(u);
    bool ok = true;
    std::vector<std::string> atoms;
    for (const ast::Ident &atom : u->ofUnit.atoms) {
      atoms.push_back(atom.name);
      if (atom.name == "%") continue;
      auto it = decls.find(atom.name);
      if (it == decls.end()) {
        std::vector<std::string> known = keysOf(decls);
        a.diags.report(DiagId::err_unknown_name, atom.range, "unit", atom.name, unitDidYouMean(a, atom.name, known));
        ok = false;
      } else if (!define(it->second)) {
        ok = false;
      }
    }
    stack.pop_back();
    if (ok && u->factor.sign() <= 0) {
      a.diags.report(DiagId::err_unit_factor_not_positive, u->factorRange, u->name.name);
      ok = false;
    }
    if (ok) {
      try {
        units::Composition c = a.units.addScaled(u->name.name, u->factor, atoms, u->offset.value_or(Rational(0)),
                                                 ucumCode(a, *u));
        ok = c.unit.has_value();
        if (c.error == units::Composition::Error::AffineInCompound) reportAffineInCompound(a, c.atom, u->ofUnit);
      } catch (const RationalOverflow &) {
        a.diags.report(DiagId::err_number_overflow, u->range);
        ok = false;
      }
    }
    state[u] = ok ? State::Done : State::Failed;
    return ok;
  };
  for (const ast::UnitDecl *u : order) {
    if (!u->isBase) define(u);
    a.unitKey[u] = u->name.name;
  }

  // Substances, after every unit: each ratio `A UA = B UB` says that, for
  // this substance, A UA and B UB are the same quantity.
  std::set<std::string> seen;
  for (const LoadedFile &f : a.files)
    for (const auto &d : f.ast->decls) {
      auto *sub = ast::dyn<ast::SubstanceDecl>(d.get());
      if (!sub || !seen.insert(sub->name.name).second) continue;
      UnitTable::Substance s{sub->name.name, {}};
      std::map<std::set<std::string>, const ast::SubstanceRatio *> related;
      for (const ast::SubstanceRatio &r : sub->ratios) {
        // One side: a positive amount of one base dimension.
        auto side = [&](const Rational &n, const ast::UnitExpr &ue) -> std::optional<std::pair<std::string, Rational>> {
          std::vector<std::string> atoms;
          for (const ast::Ident &x : ue.atoms) {
            atoms.push_back(x.name);
            if (x.name != "%" && !decls.count(x.name)) {
              a.diags.report(DiagId::err_unknown_name, x.range, "unit", x.name, unitDidYouMean(a, x.name, keysOf(decls)));
              return std::nullopt;
            }
          }
          units::Composition c = a.units.composition(atoms);
          if (c.error == units::Composition::Error::AffineInCompound) reportAffineInCompound(a, c.atom, ue);
          if (!c.unit) return std::nullopt;  // a bad unit declaration, reported with it
          if (c.unit->affine()) {
            a.diags.report(DiagId::err_substance_ratio, ue.range, sub->name.name,
                           "'" + ue.str() + "' is an affine unit; a ratio relates amounts, not readings");
            return std::nullopt;
          }
          if (c.unit->dims.size() != 1 || c.unit->dims.begin()->second != 1) {
            a.diags.report(DiagId::err_substance_ratio, ue.range, sub->name.name,
                           "'" + ue.str() + "' is " + units::dimsString(c.unit->dims) +
                               "; each side of a ratio is a unit of one base dimension, e.g. '1 mol = 180.156 g'");
            return std::nullopt;
          }
          if (n.sign() <= 0) {
            a.diags.report(DiagId::err_substance_ratio, r.range, sub->name.name, "both sides of a ratio must be positive");
            return std::nullopt;
          }
          return std::pair{c.unit->dims.begin()->first, n * c.unit->factor};
        };
        try {
          auto l = side(r.lhs, r.lhsUnit), rt = side(r.rhs, r.rhsUnit);
          if (!l || !rt) continue;
          if (l->first == rt->first) {
            a.diags.report(DiagId::err_substance_ratio, r.range, sub->name.name,
                           "both sides are " + l->first + "; a ratio relates two different dimensions");
            continue;
          }
          auto [it, fresh] = related.emplace(std::set<std::string>{l->first, rt->first}, &r);
          if (!fresh) {
            auto &diag = a.diags.report(DiagId::err_substance_ratio_twice, r.range, sub->name.name, l->first, rt->first);
            a.diags.note(diag, DiagId::note_previous, it->second->range, "the first ratio is here");
            continue;
          }
          // l.second canonical `l` == rt.second canonical `rt`.
          s.ratios.push_back(units::Ratio{rt->first, l->first, rt->second / l->second});
        } catch (const RationalOverflow &) {
          a.diags.report(DiagId::err_number_overflow, r.range);
        }
      }
      a.units.addSubstance(std::move(s));
    }
}

}  // namespace carepath::sema
