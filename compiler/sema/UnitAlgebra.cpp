// Pass 3: dimensions and units. Builds the unit table from every `unit`
// declaration in the loaded files (base units first, then scaled units in
// dependency order), reporting unknown dimensions/units, a second base unit
// for a dimension, non-positive factors and units defined through
// themselves. Conversions are exact: a factor is a Rational.
#include <functional>

#include "sema/SemaContext.h"

namespace carepath::sema {

// ------------------------------------------------------------------ the table

UnitTable::UnitTable() { units_["%"] = ir::Unit{"%", {}, Rational(1, 100)}; }

bool UnitTable::addBase(const std::string &name, const std::string &dim) {
  if (baseUnits_.count(dim)) return false;
  baseUnits_[dim] = name;
  units_[name] = ir::Unit{name, base(dim), Rational(1)};
  return true;
}

bool UnitTable::addScaled(const std::string &name, Rational factor, const std::vector<std::string> &of) {
  auto u = compose(of);
  if (!u) return false;
  units_[name] = ir::Unit{name, u->dim, factor * u->factor};
  return true;
}

const ir::Unit *UnitTable::find(const std::string &name) const {
  auto it = units_.find(name);
  return it == units_.end() ? nullptr : &it->second;
}

std::optional<ir::Unit> UnitTable::compose(const std::vector<std::string> &atoms) const {
  if (atoms.empty()) return std::nullopt;
  ir::Unit result;
  for (size_t i = 0; i < atoms.size(); ++i) {
    const ir::Unit *u = find(atoms[i]);
    if (!u) return std::nullopt;
    if (i == 0) {
      result = *u;
      continue;
    }
    result.name += "/" + u->name;
    result.dim = result.dim / u->dim;
    result.factor = result.factor / u->factor;
  }
  return result;
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
  return last && whole && isMass(last->dim) && !isAmount(whole->dim) && isAmount(whole->dim * last->dim);
}

// ------------------------------------------------------------------ the pass

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
    if (!a.units.addBase(u->name.name, u->dimension.name)) {
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
        a.diags.report(DiagId::err_unknown_name, atom.range, "unit", atom.name, didYouMean(atom.name, known));
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
        ok = a.units.addScaled(u->name.name, u->factor, atoms);
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
}

}  // namespace carepath::sema
