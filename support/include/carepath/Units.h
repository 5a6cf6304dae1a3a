// Units, defined once for the compiler and the runtime: dimensions as
// exponent maps, a written unit ("mg/kg/day", "mmol / L") split into atoms
// and composed over a catalogue of named units, affine units (degC: a scale
// and an offset), and conversion through a substance's declared ratio
// (mmol <-> mg by a molar mass). The compiler's unit table
// (compiler/sema/UnitAlgebra) and the patient reader (carepath/Patient.h)
// both compose through here, so "mg/dL" means the same in a protocol and in
// a patient file.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "carepath/Rational.h"

namespace carepath::units {

/// Exponents over the base dimensions ("mass" -> 1, "volume" -> -1); empty
/// is dimensionless. Zero exponents are never stored.
using Dims = std::map<std::string, int>;

Dims multiply(const Dims &a, const Dims &b);
Dims divide(const Dims &a, const Dims &b);

/// "mass/volume", "mass*volume^2/duration", "1" when dimensionless.
std::string dimsString(const Dims &d);
/// The inverse of dimsString; "" and "1" are dimensionless. Nullopt when
/// `text` is not in that form.
std::optional<Dims> parseDims(std::string_view text);

/// A unit: a value written in it is `value * factor + offset` in the
/// canonical units of `dims`. Only affine units (degC, degF) have an offset.
struct UnitDef {
  std::string name;  // as written: "mg", "mg/dL"
  Dims dims;
  Rational factor = 1;
  Rational offset = 0;
  std::string ucum;  // the UCUM code ("ug", "mg/dL", "Cel"); "" when it has none

  bool affine() const { return !offset.isZero(); }
  /// A value written in this unit, in canonical units (may throw RationalOverflow).
  Rational toCanonical(const Rational &written) const { return written * factor + offset; }
  /// A canonical value, in this unit (may throw RationalOverflow).
  Rational fromCanonical(const Rational &canonical) const { return (canonical - offset) / factor; }
};

/// The atoms of a written unit: "mg/kg/day" -> {mg, kg, day}; blanks around
/// '/' are ignored. Nullopt when an atom is empty ("mg/", "/L", "").
std::optional<std::vector<std::string>> splitUnit(std::string_view text);

/// Composition of atoms: the first is the numerator, every further atom
/// divides (`mg/kg/day` is (mg/kg)/day, as in UCUM). An affine unit composes
/// with nothing: "degC/h" is refused, because a reading on a shifted scale
/// has no meaning per hour.
struct Composition {
  enum class Error { None, Unknown, AffineInCompound } error = Error::None;
  std::string atom;  // the atom at fault
  std::optional<UnitDef> unit;
  explicit operator bool() const { return unit.has_value(); }
};
using UnitLookup = std::function<const UnitDef *(const std::string &)>;
Composition compose(const std::vector<std::string> &atoms, const UnitLookup &lookup);

/// A substance's exact conversion between two base dimensions: one
/// canonical unit of `per` is `factor` canonical units of `of`. Glucose's
/// molar mass 180.156 g/mol is {of "mass", per "amount", 180156/1000}
/// (mg per mmol); 1 mg PE = 1.5 mg of fosphenytoin is {mass,
/// phenytoin_equivalents, 3/2}.
struct Ratio {
  std::string of, per;
  Rational factor;
};

/// The factor turning a canonical value of dimension `from` into canonical
/// units of `to` through one of `ratios` (amount/volume -> mass/volume by a
/// molar mass); 1 when the dimensions are equal, nullopt when no ratio
/// relates them. May throw RationalOverflow.
std::optional<Rational> conversionFactor(const Dims &from, const Dims &to, const std::vector<Ratio> &ratios);

}  // namespace carepath::units
