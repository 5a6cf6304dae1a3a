// The unit algebra: named units (base, exact multiples of others, or affine
// like degC), the composite units written after numbers (`mg/kg/day`), and
// substances (exact conversions between dimensions that hold for one
// substance: a molar mass). Pure data, no diagnostics; the UnitAlgebra pass
// fills it from `dimension` / `unit` / `substance` declarations and reports
// what is wrong with them. Composition is carepath/Units.h, which the
// runtime's patient reader shares.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "carepath/Rational.h"
#include "carepath/Units.h"
#include "ir/IR.h"

namespace carepath::sema {

class UnitTable {
public:
  UnitTable();  // knows only the built-in `%`

  /// Declares `name` as the base (canonical) unit of base dimension `dim`.
  /// Returns false when the dimension already has a base unit.
  bool addBase(const std::string &name, const std::string &dim, const std::string &ucum = "");
  /// Declares `name = factor * of`, `of` already known; with an `offset`
  /// (the reading of `name` at the zero of `of`) the unit is affine:
  /// x name = factor * (x - offset) of. Returns the composition of `of`
  /// (its error when it failed, and then nothing is declared). May throw
  /// RationalOverflow.
  units::Composition addScaled(const std::string &name, Rational factor, const std::vector<std::string> &of,
                               Rational offset = 0, const std::string &ucum = "");

  const ir::Unit *find(const std::string &name) const;
  /// `a / b / c`: each further atom divides. nullopt if an atom is unknown
  /// or an affine unit is part of a compound.
  std::optional<ir::Unit> compose(const std::vector<std::string> &atoms) const;
  /// The same, saying what went wrong.
  units::Composition composition(const std::vector<std::string> &atoms) const;
  static ir::Unit toIr(const units::UnitDef &u);
  /// The base unit declared for a base dimension ("mass" -> "mg"), or "".
  std::string baseUnitOf(const std::string &dim) const;

  /// Picks the unit to show a canonical value of dimension `dim` in:
  /// the base unit for base dimensions, else an empty-named unit.
  ir::Unit displayFor(const ir::Dimension &dim) const;

  const std::map<std::string, ir::Unit> &all() const { return units_; }

  /// A substance and its exact ratios between base dimensions.
  struct Substance {
    std::string name;
    std::vector<units::Ratio> ratios;
  };
  void addSubstance(Substance s);
  const Substance *substance(const std::string &name) const;
  /// Amounts are mass, volume, amount of substance, and any base dimension
  /// a substance relates to one of them (phenytoin equivalents).
  bool isAmount(const ir::Dimension &d) const;

  static ir::Dimension base(const std::string &dim) {
    ir::Dimension d;
    d.exponents[dim] = 1;
    return d;
  }

private:
  std::map<std::string, ir::Unit> units_;
  std::map<std::string, units::UnitDef> defs_;     // the same units, as carepath/Units.h composes them
  std::map<std::string, std::string> baseUnits_;  // dimension -> unit
  std::map<std::string, Substance> substances_;
  std::set<std::string> amountDims_ = {"mass", "volume", "amount"};
};

/// Dimension predicates the type rules use (by the stdlib's dimension names).
bool isAmount(const ir::Dimension &d);      // mass, volume or amount (UnitTable::isAmount adds equivalents)
bool isDuration(const ir::Dimension &d);
bool isMass(const ir::Dimension &d);
/// Whether a written unit is an amount per body weight (`mg/kg`, `mL/kg`):
/// its last atom is a mass unit and multiplying by it gives an amount.
bool isPerWeight(const UnitTable &units, const std::vector<std::string> &atoms);
/// A rate per body weight written `mg/kg/min`: per weight (above) once the
/// trailing time unit is dropped.
bool isPerWeightRate(const UnitTable &units, const std::vector<std::string> &atoms);
/// An amount per time (`mg/h`): a continuous infusion's rate, a rate limit.
bool isRate(const UnitTable &units, const ir::Dimension &d);

}  // namespace carepath::sema
