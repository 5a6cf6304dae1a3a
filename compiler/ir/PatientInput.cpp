#include "ir/PatientInput.h"

namespace carepath::ir {

namespace {
runtime::InputSpec::Kind kindOf(Type::Kind k) {
  switch (k) {
  case Type::Kind::Bool: return runtime::InputSpec::Kind::Bool;
  case Type::Kind::Enum: return runtime::InputSpec::Kind::Enum;
  case Type::Kind::Number: return runtime::InputSpec::Kind::Number;
  }
  return runtime::InputSpec::Kind::Bool;
}

Type::Kind kindOf(runtime::InputSpec::Kind k) {
  switch (k) {
  case runtime::InputSpec::Kind::Bool: return Type::Kind::Bool;
  case runtime::InputSpec::Kind::Enum: return Type::Kind::Enum;
  case runtime::InputSpec::Kind::Number: return Type::Kind::Number;
  }
  return Type::Kind::Bool;
}

std::string dimensionName(const Dimension &d) { return d.dimensionless() ? "" : d.str(); }
}  // namespace

std::vector<runtime::UnitSpec> unitCatalogue(const Protocol &p) {
  std::vector<runtime::UnitSpec> units;
  for (const auto &[name, unit] : p.units) units.push_back({name, unit.factor, dimensionName(unit.dim)});
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
      for (const auto &[name, unit] : p.units)
        if (unit.dim == in.type.dim) s.units.push_back({name, unit.factor, s.dimension});
      s.displayUnit = in.displayUnit.name;
      // The display unit may be composite ("mg/kg") and so not a named unit.
      if (!s.displayUnit.empty() && p.units.find(s.displayUnit) == p.units.end())
        s.units.push_back({in.displayUnit.name, in.displayUnit.factor, s.dimension});
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
  return out;
}

runtime::PatientValue fromValue(const Value &v) {
  runtime::PatientValue out;
  out.kind = kindOf(v.kind);
  out.boolean = v.boolean;
  out.member = v.member;
  out.number = v.number;
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

}  // namespace carepath::ir
