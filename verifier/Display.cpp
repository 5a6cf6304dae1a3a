#include "verifier/Display.h"

#include "carepath/Quantity.h"

#include <sstream>

namespace carepath::verifier {

using namespace ir;

namespace {

Unit canonicalUnit(const Protocol &p, const Dimension &dim) {
  for (auto &[name, u] : p.units)
    if (u.dim == dim && u.factor == Rational(1) && !u.affine()) return u;
  Unit u;
  u.name = dim.dimensionless() ? "" : dim.str();
  u.dim = dim;
  u.factor = Rational(1);
  return u;
}

/// "mg/kg" from the protocol's named units, or nullopt.
std::optional<Unit> composeUnit(const Protocol &p, const std::string &text) {
  Unit u;
  u.name = text;
  u.factor = Rational(1);
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    size_t slash = text.find('/', start);
    std::string part = text.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    auto it = p.units.find(part);
    if (it == p.units.end()) return std::nullopt;
    if (first) { u.dim = it->second.dim; u.factor = it->second.factor; }
    else { u.dim = u.dim / it->second.dim; u.factor = u.factor / it->second.factor; }
    first = false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return u;
}

}  // namespace

std::string literalIn(const Rational &canonical, const Unit &unit) {
  Rational v = unit.factor.isZero() ? canonical : (canonical - unit.offset) / unit.factor;
  if (v.isDecimalExact(6)) return v.decimal(6);
  return v.str();
}

std::string formatQuantity(const Rational &canonical, const Unit &unit) {
  return carepath::formatQuantity(canonical, unit.factor, unit.name, unit.offset);
}

std::string valueText(const Protocol &p, int input, const Value &v) {
  const Input &in = p.inputs[input];
  if (v.missing) return "missing";
  switch (in.type.kind) {
  case Type::Kind::Bool: return v.boolean ? "true" : "false";
  case Type::Kind::Enum: return p.enums[in.type.enumType].members.at(v.member);
  case Type::Kind::Number: {
    std::string lit = literalIn(v.number, in.displayUnit);
    return in.displayUnit.name.empty() ? lit : lit + " " + in.displayUnit.name;
  }
  case Type::Kind::String: return ir::stringLiteral(v.text);  // pasteable after `given region =`
  }
  return "?";
}

std::string givenItem(const Protocol &p, int input, const Value &v) {
  const Input &in = p.inputs[input];
  if (in.type.kind == Type::Kind::Bool) return (v.boolean ? "" : "not ") + in.name;
  return in.name + " = " + valueText(p, input, v);
}

Unit displayUnitOf(const Protocol &p, const Limit &l) {
  std::istringstream words(l.display);
  std::string amount, unit;
  words >> amount >> unit;
  if (auto u = composeUnit(p, unit); u && u->dim == l.dim) return *u;
  return canonicalUnit(p, l.dim);
}

Unit doseDisplayUnit(const Protocol &p, const Action &a) {
  Dimension dim = a.dose ? a.dose->type.dim : Dimension{};
  if (a.doseUnit.dim == dim && !a.doseUnit.factor.isZero() && !a.doseUnit.name.empty()) return a.doseUnit;
  return canonicalUnit(p, dim);
}

std::vector<std::string> exampleBlock(const Protocol &p, const std::string &name, const std::vector<Value> &patient,
                                      const std::vector<std::string> &expectations) {
  std::vector<std::string> lines;
  std::string quoted;
  for (char c : name) quoted += (c == '"' || c == '\\') ? ' ' : c;
  lines.push_back("example \"" + quoted + "\" {");
  // Four inputs per `given` line keeps the block readable and diffable.
  std::string line;
  int onLine = 0;
  for (size_t i = 0; i < patient.size(); ++i) {
    if (patient[i].missing) continue;  // an optional input not given is missing
    line += (onLine == 0 ? "  given " : ", ") + givenItem(p, static_cast<int>(i), patient[i]);
    if (++onLine == 4) { lines.push_back(line); line.clear(); onLine = 0; }
  }
  if (onLine) lines.push_back(line);
  for (const std::string &e : expectations) lines.push_back("  " + e);
  lines.push_back("}");
  return lines;
}

}  // namespace carepath::verifier
