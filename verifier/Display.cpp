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

/// The unit a patient's value reads best in ("12 years", not "4383 days"):
/// the largest of the protocol's units of the input's dimension in which
/// the value is a whole number ("1 year", not "365.25 days"), no larger
/// than the input's range reaches (so a weight never reads in tonnes), nor
/// smaller than the unit the author wrote the range in (else that unit);
/// then its singular or plural spelling when the protocol declares both.
Unit readingUnit(const Protocol &p, const Input &in, const Rational &canonical) {
  Unit best = in.displayUnit;
  if (best.name.empty() || best.affine() || best.factor.sign() <= 0) return best;
  auto inUnit = [&](const Unit &u) { return canonical / u.factor; };
  for (const auto &[name, u] : p.units) {
    if (!(u.dim == best.dim) || u.affine() || u.factor <= best.factor || name.empty()) continue;
    if (in.hi && u.factor > *in.hi) continue;
    Rational v = inUnit(u);
    if (v.isInteger() && v.sign() != 0) best = u;
  }
  // Spelling: "year" for one, "years" otherwise, when both are declared alike.
  Rational v = inUnit(best);
  bool one = v == Rational(1) || v == Rational(-1);
  auto alias = [&](const std::string &name) -> const Unit * {
    auto it = p.units.find(name);
    if (it == p.units.end() || !(it->second.dim == best.dim) || it->second.factor != best.factor || it->second.affine())
      return nullptr;
    return &it->second;
  };
  const std::string &n = best.name;
  if (one && n.size() > 1 && n.back() == 's') {
    if (const Unit *u = alias(n.substr(0, n.size() - 1))) best = *u;
  } else if (!one) {
    if (const Unit *u = alias(n + "s")) best = *u;
  }
  return best;
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

std::string formatAmount(const Rational &canonical, const Unit &unit) {
  Rational v = unit.factor.isZero() ? canonical : (canonical - unit.offset) / unit.factor;
  if (v.isDecimalExact(kDisplayDigits) || v.isInteger()) return formatQuantity(canonical, unit);
  // "30.0000005 (exactly 6000000000/199999997)", never "30 (exactly ...)":
  // a rounding that reads as the limit it exceeds is no explanation.
  int digits = kDisplayDigits;
  while (digits < 15 && Rational::parse(v.decimal(digits))->isInteger()) ++digits;
  return v.decimal(digits) + " (exactly " + v.str() + ")" + (unit.name.empty() ? "" : " " + unit.name);
}

bool hasDecimalForm(const Protocol &p, int input, const Value &v) {
  const Input &in = p.inputs[input];
  if (in.type.kind != Type::Kind::Number || v.missing) return true;
  Unit u = readingUnit(p, in, v.number);
  Rational shown = u.factor.isZero() ? v.number : (v.number - u.offset) / u.factor;
  return shown.isDecimalExact(kDisplayDigits);
}

std::string valueText(const Protocol &p, int input, const Value &v) {
  const Input &in = p.inputs[input];
  if (v.missing) return "missing";
  switch (in.type.kind) {
  case Type::Kind::Bool: return v.boolean ? "true" : "false";
  case Type::Kind::Enum: return p.enums[in.type.enumType].members.at(v.member);
  case Type::Kind::Number: {
    Unit u = readingUnit(p, in, v.number);
    std::string lit = literalIn(v.number, u);
    return u.name.empty() ? lit : lit + " " + u.name;
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
