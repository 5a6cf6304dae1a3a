#include "ir/PatientInput.h"

namespace carepath::ir {

namespace {
runtime::InputSpec::Kind kindOf(Type::Kind k) {
  switch (k) {
  case Type::Kind::Bool: return runtime::InputSpec::Kind::Bool;
  case Type::Kind::Enum: return runtime::InputSpec::Kind::Enum;
  case Type::Kind::Number: return runtime::InputSpec::Kind::Number;
  case Type::Kind::String: return runtime::InputSpec::Kind::String;
  }
  return runtime::InputSpec::Kind::Bool;
}

Type::Kind kindOf(runtime::InputSpec::Kind k) {
  switch (k) {
  case runtime::InputSpec::Kind::Bool: return Type::Kind::Bool;
  case runtime::InputSpec::Kind::Enum: return Type::Kind::Enum;
  case runtime::InputSpec::Kind::Number: return Type::Kind::Number;
  case runtime::InputSpec::Kind::String: return Type::Kind::String;
  }
  return Type::Kind::Bool;
}

std::string dimensionName(const Dimension &d) { return d.dimensionless() ? "" : d.str(); }
}  // namespace

runtime::UnitSpec unitSpec(const Unit &u, const std::string &dimension) {
  return {u.name, u.factor, dimension, u.offset, u.ucum};
}

std::vector<runtime::UnitSpec> unitCatalogue(const Protocol &p) {
  std::vector<runtime::UnitSpec> units;
  for (const auto &[name, unit] : p.units) units.push_back(unitSpec(unit, dimensionName(unit.dim)));
  return units;
}

std::vector<runtime::InputSpec> inputSpecs(const Protocol &p) {
  std::vector<runtime::InputSpec> specs;
  for (const Input &in : p.inputs) {
    runtime::InputSpec s;
    s.name = in.name;
    s.kind = kindOf(in.type.kind);
    s.optional = in.optional;
    if (in.type.kind == Type::Kind::Enum && in.type.enumType >= 0 &&
        in.type.enumType < static_cast<int>(p.enums.size()))
      s.members = p.enums[in.type.enumType].members;
    if (in.type.kind == Type::Kind::Number) {
      s.integer = in.type.integer;
      s.lo = in.lo;
      s.hi = in.hi;
      s.dimension = dimensionName(in.type.dim);
      s.substance = in.substance;
      s.conversions = in.conversions;
      // Named units of the input's dimension, and for an input of a
      // substance those of a dimension it converts (mmol for mg), with
      // the conversion in their factor.
      for (const auto &[name, unit] : p.units) {
        try {
          if (std::optional<Rational> f = units::conversionFactor(unit.dim.exponents, in.type.dim.exponents, in.conversions)) {
            runtime::UnitSpec u = unitSpec(unit, s.dimension);
            u.factor = unit.factor * *f;
            s.units.push_back(u);
          }
        } catch (const RationalOverflow &) {
          // A conversion beyond exact arithmetic: the unit is not offered.
        }
      }
      s.displayUnit = in.displayUnit.name;
      // The display unit may be composite ("mg/kg") and so not a named unit.
      if (!s.displayUnit.empty() && p.units.find(s.displayUnit) == p.units.end())
        s.units.push_back(unitSpec(in.displayUnit, s.dimension));
    }
    specs.push_back(std::move(s));
  }
  return specs;
}

Value toValue(const runtime::PatientValue &v) {
  if (v.missing) return Value::ofMissing(kindOf(v.kind));
  Value out;
  out.kind = kindOf(v.kind);
  out.boolean = v.boolean;
  out.member = v.member;
  out.number = v.number;
  out.text = v.text;
  return out;
}

runtime::PatientValue fromValue(const Value &v) {
  runtime::PatientValue out;
  out.kind = kindOf(v.kind);
  out.boolean = v.boolean;
  out.member = v.member;
  out.number = v.number;
  out.text = v.text;
  out.missing = v.missing;
  return out;
}

std::optional<Patient> readPatient(const Protocol &p, std::string_view jsonText,
                                   std::vector<runtime::PatientError> &errors) {
  auto values = runtime::readPatient(inputSpecs(p), jsonText, errors, unitCatalogue(p));
  if (!values) return std::nullopt;
  Patient patient;
  for (const runtime::PatientValue &v : *values) patient.push_back(toValue(v));
  return patient;
}

// The canonical unit of a dimension, spelled in UCUM ("mg/mL", "mg.h",
// "mL2"): for each base dimension the unit declared with factor 1 and no
// offset (the shortest name when aliases such as `hour = 1 h` exist), by
// its UCUM code. When a base unit has no UCUM code, the names composed
// like Dimension::str() ("mass*duration^2" -> "mg*h^2") instead.
std::string canonicalUnitName(const Protocol &p, const Dimension &dim) {
  if (dim.dimensionless()) return "";
  std::map<std::string, const Unit *> bases;
  bool allUcum = true;
  for (const auto &[d, e] : dim.exponents) {
    const Unit *best = nullptr;
    for (const auto &[name, u] : p.units) {
      Dimension want;
      want.exponents[d] = 1;
      if (u.dim == want && u.factor == Rational(1) && !u.affine() && (!best || name.size() < best->name.size()))
        best = &u;
    }
    bases[d] = best;
    allUcum = allUcum && best && !best->ucum.empty();
  }
  auto base = [&](const std::string &d) {
    const Unit *u = bases[d];
    return !u ? d : allUcum ? u->ucum : u->name;
  };
  std::string num, den;
  auto term = [&](const std::string &d, int e) {
    if (e == 1) return base(d);
    return allUcum ? base(d) + std::to_string(e) : base(d) + "^" + std::to_string(e);
  };
  for (const auto &[d, e] : dim.exponents) {
    if (e > 0) num += (num.empty() ? "" : allUcum ? "." : "*") + term(d, e);
    else den += "/" + term(d, -e);
  }
  return (num.empty() ? "1" : num) + den;
}


}  // namespace carepath::ir
