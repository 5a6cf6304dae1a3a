// The unit algebra: named units (base or exact multiples of others) and the
// composite units written after numbers (`mg/kg/day`). Pure data, no
// diagnostics; the UnitAlgebra pass fills it from `dimension` / `unit`
// declarations and reports what is wrong with them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carepath/Rational.h"
#include "ir/IR.h"

namespace carepath::sema {

class UnitTable {
public:
  UnitTable();  // knows only the built-in `%`

  /// Declares `name` as the base (canonical) unit of base dimension `dim`.
  /// Returns false when the dimension already has a base unit.
  bool addBase(const std::string &name, const std::string &dim);
  /// Declares `name = factor * of`, `of` already known. Returns false if not.
  bool addScaled(const std::string &name, Rational factor, const std::vector<std::string> &of);

  const ir::Unit *find(const std::string &name) const;
  /// `a / b / c`: each further atom divides. nullopt if an atom is unknown.
  std::optional<ir::Unit> compose(const std::vector<std::string> &atoms) const;
  /// The base unit declared for a base dimension ("mass" -> "mg"), or "".
  std::string baseUnitOf(const std::string &dim) const;

  /// Picks the unit to show a canonical value of dimension `dim` in:
  /// the base unit for base dimensions, else an empty-named unit.
  ir::Unit displayFor(const ir::Dimension &dim) const;

  const std::map<std::string, ir::Unit> &all() const { return units_; }

  static ir::Dimension base(const std::string &dim) {
    ir::Dimension d;
    d.exponents[dim] = 1;
    return d;
  }

private:
  std::map<std::string, ir::Unit> units_;
  std::map<std::string, std::string> baseUnits_;  // dimension -> unit
};

/// Dimension predicates the type rules use (by the stdlib's dimension names).
bool isAmount(const ir::Dimension &d);      // mass, volume or amount
bool isDuration(const ir::Dimension &d);
bool isMass(const ir::Dimension &d);
/// Whether a written unit is an amount per body weight (`mg/kg`, `mL/kg`):
/// its last atom is a mass unit and multiplying by it gives an amount.
bool isPerWeight(const UnitTable &units, const std::vector<std::string> &atoms);

}  // namespace carepath::sema
