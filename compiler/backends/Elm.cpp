// IR -> ELM JSON library (see Elm.h and docs/interop.md, "CQL/ELM").
//
// Inputs: one FHIR Observation per input, found by its code in the
// carepath-owned code system urn:carepath:input (not a clinical terminology:
// a protocol's inputs have none, and none is invented), its value a
// valueQuantity in the unit the input is stated in (its declared unit, else
// canonical; UCUM), a valueBoolean, or a valueString (an enum member's
// name, a string). No Observation is a missing value (null). Two for one
// input are an error of the engine (`singleton from`). What carepath would
// refuse (a required input missing, a wrong unit, out of range, too many
// decimal places, not a member) is named by the definition
// "carepath input error"; a patient with one is in no population.
//
// Missing values are CQL's null: comparisons and arithmetic with null are
// null, and/or/not are Kleene's tables as in carepath/Truth.h, `if` takes
// the else branch on null as carepath's `if` does; `known` is `not IsNull`,
// a guard read as true is IsTrue, `min`/`max` are null when an operand is
// (CQL's Min/Max aggregates would skip it), counting counts true and null
// items as carepath does.
//
// Numbers: an input's definition is its value in its stated unit, and a
// comparison of it with a constant is made there (the constant converted
// exactly); everything else is in canonical units. Every value has a known
// number of decimal places (inputs at most kInputPlaces in their stated unit,
// products add places, a division only by a constant whose reciprocal is
// a finite decimal); the export refuses a value that may need more than
// the 8 places of a CQL Decimal. Every arithmetic result is written as
// Round(x, places): under exact decimal semantics a no-op, in an engine
// that computes with doubles (cql-execution) it gives the double nearest
// the exact decimal, so comparisons and doses are exact as long as every
// value has at most 14 significant digits (checked from the inputs'
// ranges). A comparison with a constant that has more places than the value
// compares with its floor at the value's places, so no bound is rounded.
#include "backends/Elm.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "backends/Sql.h"
#include "backends/Decimals.h"
#include "ir/PatientInput.h"

namespace carepath::backends {

namespace {

using Kind = ir::Type::Kind;
using json = nlohmann::ordered_json;

struct Refuse {
  SourceRange range;
  std::string what;
};

// Decimal places a number input is read with, in its stated unit.
constexpr int kInputPlaces = 3;
// CQL Decimal: at most 8 digits after the point.
constexpr int kMaxPlaces = 8;
// |x| * 10^places below this: at most 14 significant digits, which a double
// holds exactly enough for Round to recover the decimal.
constexpr double kDigits = 1e14;
// cql-execution reads a whole-number result as an Integer and makes one
// beyond 2^31 - 1 null (overflow), whatever its declared type.
constexpr double kIntegerLimit = 2147483647.0;
// The bound the library checks for a number input with no declared range.
constexpr int64_t kUnranged = 1000000;

const char *kInputSystem = "urn:carepath:input";
const char *kCodeSystemName = "carepath input";
const char *kErrorDef = "carepath input error";
const char *kPopulationDef = "in population";

std::string systemType(const char *t) { return std::string("{urn:hl7-org:elm-types:r1}") + t; }

// The decimal places of a rational with a finite decimal form; negative
// for a whole number that is a multiple of 10^-k (10^6: -6).
std::optional<int> placesOf(const Rational &r) {
  if (r.isZero()) return 0;
  if (r.isInteger()) {
    int64_t n = r.num();
    int k = 0;
    while (n % 10 == 0) {
      n /= 10;
      --k;
    }
    return k;
  }
  return decimalPlaces(r);
}

// ------------------------------------------------------------------ ELM nodes

json op(const char *type, std::vector<json> operands) {
  json x = json::object();
  x["type"] = type;
  x["operand"] = json(std::move(operands));
  return x;
}
json unary(const char *type, json operand) { return {{"type", type}, {"operand", std::move(operand)}}; }
json nullLiteral() { return {{"type", "Null"}}; }
json boolLiteral(bool b) { return {{"type", "Literal"}, {"valueType", systemType("Boolean")}, {"value", b ? "true" : "false"}}; }
json intLiteral(int64_t v) {
  json lit = {{"type", "Literal"}, {"valueType", systemType("Integer")}, {"value", std::to_string(v < 0 ? -v : v)}};
  return v < 0 ? unary("Negate", lit) : lit;
}
json stringLiteral(const std::string &s) { return {{"type", "Literal"}, {"valueType", systemType("String")}, {"value", s}}; }
// A decimal literal of r, which has at most `places` decimal places.
json decimalLiteral(const Rational &r, int places) {
  Rational a = r.sign() < 0 ? -r : r;
  std::string text = a.decimal(std::max(0, places));
  if (text.find('.') == std::string::npos) text += ".0";
  json lit = {{"type", "Literal"}, {"valueType", systemType("Decimal")}, {"value", text}};
  return r.sign() < 0 ? unary("Negate", lit) : lit;
}
json exprRef(const std::string &name) { return {{"type", "ExpressionRef"}, {"name", name}}; }
json ifThen(json c, json a, json b) { return {{"type", "If"}, {"condition", std::move(c)}, {"then", std::move(a)}, {"else", std::move(b)}}; }
json isNull(json x) { return unary("IsNull", std::move(x)); }
json isTrue(json x) { return unary("IsTrue", std::move(x)); }
json notOf(json x) { return unary("Not", std::move(x)); }
json property(json source, const char *path) { return {{"type", "Property"}, {"path", path}, {"source", std::move(source)}}; }
json rounded(json x, int places) {
  return {{"type", "Round"}, {"operand", std::move(x)}, {"precision", intLiteral(std::max(0, places))}};
}
// A coding in the annotations: {system, code, display?}.
json codingJson(const ir::Coding &c) {
  json j = {{"system", c.system}, {"code", c.code}};
  if (!c.display.empty()) j["display"] = c.display;
  return j;
}

// And/Or are binary in ELM: left-nested.
json fold(const char *type, const std::vector<json> &xs) {
  json acc = xs.at(0);
  for (size_t k = 1; k < xs.size(); ++k) acc = op(type, {acc, xs[k]});
  return acc;
}

const char *comparison(ir::Op o) {
  switch (o) {
    case ir::Op::Eq: return "Equal";
    case ir::Op::Ne: return "NotEqual";
    case ir::Op::Lt: return "Less";
    case ir::Op::Le: return "LessOrEqual";
    case ir::Op::Gt: return "Greater";
    case ir::Op::Ge: return "GreaterOrEqual";
    default: return "Equal";
  }
}

ir::Op flip(ir::Op o) {
  switch (o) {
    case ir::Op::Lt: return ir::Op::Gt;
    case ir::Op::Le: return ir::Op::Ge;
    case ir::Op::Gt: return ir::Op::Lt;
    case ir::Op::Ge: return ir::Op::Le;
    default: return o;
  }
}

// A number: its ELM expression, its decimal places (negative: a multiple
// of 10^-places) and a bound of its magnitude, in canonical units.
struct Num {
  json e;
  int places = 0;
  double mag = 0;
};

class ElmWriter {
public:
  ElmWriter(const ir::Protocol &p, const ElmOptions &o)
      : p_(p), o_(o), columns_(sqlInputColumns(p, SqlDialect::Standard)), defineNums_(p.defines.size()) {}

  std::string document() {
    for (const ir::Input &in : p_.inputs)
      if (in.name == "Patient")
        throw Refuse{in.range, "input 'Patient' would be the library's Patient definition (context Patient); rename the input"};
    for (const ir::Define &d : p_.defines)
      if (d.name == "Patient")
        throw Refuse{d.range, "define 'Patient' would be the library's Patient definition (context Patient); rename it"};

    for (const ir::Input &in : p_.inputs) reserved_.insert(in.name);
    for (const ir::Define &d : p_.defines) reserved_.insert(d.name);
    json statements = json::array();
    json patient = {{"type", "SingletonFrom"},
                    {"operand", {{"type", "Retrieve"}, {"dataType", "{http://hl7.org/fhir}Patient"},
                                 {"templateId", "http://hl7.org/fhir/StructureDefinition/Patient"}}}};
    statements.push_back({{"name", "Patient"}, {"context", "Patient"}, {"expression", patient}});

    json codes = json::array();
    std::vector<json> errors;
    inputNums_.resize(p_.inputs.size());
    for (size_t i = 0; i < p_.inputs.size(); ++i) input(static_cast<int>(i), codes, statements, errors);
    json error = nullLiteral();
    if (errors.size() == 1) error = errors[0];
    else if (!errors.empty()) error = {{"type", "Coalesce"}, {"operand", json(errors)}};
    statements.push_back(def(kErrorDef, error,
                             {{"role", "input-error"},
                              {"description", "why carepath would refuse the patient's data (null when it would not)"}}));

    // The defines (numbers with their places, computed on first use).
    std::vector<json> defineExprs(p_.defines.size());
    for (size_t d = 0; d < p_.defines.size(); ++d) {
      const ir::Define &dfn = p_.defines[d];
      defineExprs[d] = dfn.value->type.kind == Kind::Number ? defineNum(static_cast<int>(d)).e : value(*dfn.value);
    }
    for (size_t d = 0; d < p_.defines.size(); ++d) {
      const ir::Define &df = p_.defines[d];
      json info = {{"role", "define"}};
      if (df.value->type.kind == Kind::Number) info["unit"] = unitOf(df.value->type.dim);
      if (!df.description.empty()) info["description"] = df.description;
      statements.push_back(def(df.name, defineNums_[d] ? defineNums_[d]->e : defineExprs[d], info));
    }

    json pop = isNull(exprRef(kErrorDef));
    if (p_.population) pop = op("And", {pop, isTrue(cond(*p_.population))});
    statements.push_back(def(kPopulationDef, pop, {{"role", "population"}}));

    // The population assumptions (`assume NAME: C`), one definition each in
    // the protocol's order: true exactly when the patient violates it
    // (ir::assumptionViolated: C known false; a missing value leaves it
    // unknown, which is no violation), inside the population or not, as the
    // runtime reports them; false for a patient with an input error.
    for (const ir::Assumption &a : p_.assumptions) {
      json info = {{"role", "assumption"}, {"assumption", a.name}, {"when", ir::toString(p_, *a.condition)},
                   {"note", a.note}, {"citations", a.citations}};
      if (a.unspecified) info["unspecified"] = *a.unspecified;
      statements.push_back(def("assumption " + a.name + " violated",
                               op("And", {isNull(exprRef(kErrorDef)), cond(*ir::assumptionViolated(a))}), info));
    }

    // Each drug's contraindications (`contraindicated when C`): C for the
    // patient, true, false or null (a missing value); a host reports those
    // that are true or null for an offered give of the drug, as the
    // runtime does (docs/runtime.md, "Contraindications"). The give's
    // annotation names them.
    for (size_t d = 0; d < p_.drugs.size(); ++d) {
      const ir::Drug &drug = p_.drugs[d];
      for (size_t k = 0; k < drug.contraindications.size(); ++k) {
        const ir::Contraindication &c = drug.contraindications[k];
        std::string name = "contraindication " + drug.name + " " + std::to_string(k + 1);
        json info = {{"role", "contraindication"}, {"drug", drug.name}, {"when", ir::toString(p_, *c.when)},
                     {"note", c.note}, {"citations", c.citations}};
        statements.push_back(def(name, cond(*c.when), info));
        contraindicationDefs_[static_cast<int>(d)].push_back(name);
      }
    }

    for (size_t pi = 0; pi < p_.pathways.size(); ++pi) {
      const ir::Pathway &pw = p_.pathways[pi];
      for (size_t ti = 0; ti < pw.tiers.size(); ++ti) {
        const ir::Tier &t = pw.tiers[ti];
        std::string name = pw.name + "." + t.name + " applies";
        json guard = op("And", {exprRef(kPopulationDef), isTrue(cond(*p_.tierGuard(static_cast<int>(pi), static_cast<int>(ti))))});
        statements.push_back(def(name, guard, {{"role", "fires"}, {"decision", pw.name}, {"item", t.name}, {"pathway", true}}));
        body(statements, pw.name, t.name, name, t.actions);
      }
      if (pw.tiers.empty()) statements.push_back(def(pw.name + " (no tiers)", boolLiteral(false), {{"role", "decision"}, {"decision", pw.name}}));
    }
    for (const ir::Table &t : p_.tables) {
      std::vector<ir::ExprRef> fired = ir::rulesFire(t);
      for (size_t r = 0; r < t.rules.size(); ++r) {
        const ir::Rule &rule = t.rules[r];
        std::string name = t.name + "." + rule.name + " fires";
        json guard = op("And", {exprRef(kPopulationDef), isTrue(cond(*fired[r]))});
        statements.push_back(def(name, guard,
                                 {{"role", "fires"}, {"decision", t.name}, {"item", rule.name}, {"pathway", false},
                                  {"hit", spelling(t.hit)}}));
        body(statements, t.name, rule.name, name, rule.actions);
      }
      if (t.rules.empty()) statements.push_back(def(t.name + " (no rules)", boolLiteral(false), {{"role", "decision"}, {"decision", t.name}}));
      if (!carepath::hasSingleOutput(t.hit, t.aggregation)) continue;  // a list: the fired rules say it
      for (size_t o = 0; o < t.outputs.size(); ++o) {
        const ir::Output &out = t.outputs[o];
        ir::ExprRef e = ir::outputValue(t, static_cast<int>(o));
        // The value's own type: `collect count` counts (an integer) whatever the output's type.
        json v = value(*e);
        json info = {{"role", "output"}, {"decision", t.name}, {"output", out.name}, {"type", typeName(e->type)}};
        if (e->type.kind == Kind::Number) info["unit"] = unitOf(e->type.dim);
        // "output T.O": sema names a define T.O where an expression reads it.
        statements.push_back(def("output " + t.name + "." + out.name, ifThen(exprRef(kPopulationDef), v, nullLiteral()), info));
      }
    }

    for (json &x : labelStatements_) statements.push_back(std::move(x));

    json library = json::object();
    library["annotation"] = annotation({{"role", "library"},
                                        {"description", "carepath protocol " + p_.name + " " + p_.version +
                                                            " (verification: " + o_.verificationStatus +
                                                            "), exported by carepath " + o_.compilerVersion +
                                                            "; do not edit (docs/interop.md, \"CQL/ELM\")"}});
    library["identifier"] = {{"id", p_.name}, {"version", p_.version}};
    library["schemaIdentifier"] = {{"id", "urn:hl7-org:elm"}, {"version", "r1"}};
    library["usings"] = {{"def", json::array({{{"localIdentifier", "System"}, {"uri", "urn:hl7-org:elm-types:r1"}},
                                              {{"localIdentifier", "FHIR"}, {"uri", "http://hl7.org/fhir"}, {"version", "4.0.1"}}})}};
    json systems = json::array({{{"name", kCodeSystemName}, {"id", kInputSystem}, {"accessLevel", "Public"}}});
    for (json &x : systemDefs_) systems.push_back(std::move(x));
    library["codeSystems"] = {{"def", systems}};
    if (!codes.empty()) library["codes"] = {{"def", codes}};
    library["contexts"] = {{"def", json::array({{{"name", "Patient"}}})}};
    library["statements"] = {{"def", statements}};
    json doc = {{"library", library}};
    return doc.dump(2) + "\n";
  }

private:
  const ir::Protocol &p_;
  const ElmOptions &o_;
  std::vector<SqlInputColumn> columns_;
  std::vector<Num> inputNums_;
  std::vector<std::optional<Num>> defineNums_;
  std::set<std::string> names_{"Patient"};
  std::map<int, std::vector<std::string>> contraindicationDefs_;  // [drug] its contraindications' definitions
  std::set<std::string> reserved_;  // the inputs' and defines' names
  std::map<std::string, std::string> labels_;  // Expr::label -> its definition
  std::vector<json> labelStatements_;
  std::set<std::string> codeSystems_;  // clinical code systems the inputs' codes use (by URI)
  std::vector<json> systemDefs_;

  static json annotation(const json &info) {
    return json::array({{{"type", "Annotation"}, {"t", json::array({{{"name", "carepath"}, {"value", info.dump()}}})}}});
  }

  json def(const std::string &name, json expr, const json &info) {
    if (!names_.insert(name).second) throw Refuse{SourceRange{}, "two definitions would be named '" + name + "'; rename one"};
    json d = json::object();
    d["name"] = name;
    d["context"] = "Patient";
    d["accessLevel"] = "Public";
    d["annotation"] = annotation(info);
    d["expression"] = std::move(expr);
    return d;
  }

  std::string unitOf(const ir::Dimension &dim) const { return dim.dimensionless() ? "1" : ir::canonicalUnitName(p_, dim); }

  static std::string typeName(const ir::Type &t) {
    switch (t.kind) {
      case Kind::Bool: return "boolean";
      case Kind::Enum: return "enum";
      case Kind::String: return "string";
      case Kind::Number: return t.integer ? "integer" : "decimal";
    }
    return "";
  }

  // ---------------------------------------------------------------- inputs

  void input(int i, json &codes, json &statements, std::vector<json> &errors) {
    const ir::Input &in = p_.inputs[i];
    std::string codeName = "input " + in.name;
    codes.push_back({{"name", codeName}, {"id", in.name}, {"display", in.name}, {"accessLevel", "Public"},
                     {"codeSystem", {{"name", kCodeSystemName}}}});
    // The Observation coded with the carepath code or with any clinical
    // code bound to the input (a record coded only in LOINC is read too).
    std::vector<json> refs{{{"type", "CodeRef"}, {"name", codeName}}};
    json clinical = json::array();
    for (const ir::Coding &c : p_.codingsOf(ir::CodeBinding::Target::Input, in.name)) {
      std::string name = codeName + " " + c.system + "|" + c.code;
      if (!codeSystems_.count(c.system)) {
        codeSystems_.insert(c.system);
        systemDefs_.push_back({{"name", c.system}, {"id", c.system}, {"accessLevel", "Public"}});
      }
      json cd = {{"name", name}, {"id", c.code}};
      if (!c.display.empty()) cd["display"] = c.display;
      cd["accessLevel"] = "Public";
      cd["codeSystem"] = {{"name", c.system}};
      codes.push_back(cd);
      refs.push_back({{"type", "CodeRef"}, {"name", name}});
      clinical.push_back(codingJson(c));
    }
    std::string obsName = in.name + " observation";
    json retrieve = {{"type", "Retrieve"},
                     {"dataType", "{http://hl7.org/fhir}Observation"},
                     {"templateId", "http://hl7.org/fhir/StructureDefinition/Observation"},
                     {"codeProperty", "code"},
                     {"codes", {{"type", "List"}, {"element", json(refs)}}}};
    json info = {{"role", "input"}, {"input", in.name}, {"code", in.name}, {"system", kInputSystem}, {"type", typeName(in.type)},
                 {"optional", in.optional}};
    if (!clinical.empty()) info["codings"] = clinical;
    statements.push_back(def(obsName, {{"type", "SingletonFrom"}, {"operand", retrieve}},
                             {{"role", "observation"}, {"input", in.name}}));
    json obs = exprRef(obsName);
    auto message = [&](json condition, const std::string &text) {
      errors.push_back(ifThen(std::move(condition), stringLiteral(text), nullLiteral()));
    };
    if (!in.optional) message(isNull(obs), "input " + in.name + " is missing (no Observation)");

    // Observation.value (the choice present), then the primitive's value.
    json raw = property(property(obs, "value"), "value");
    switch (in.type.kind) {
      case Kind::Bool:
        info["value"] = "valueBoolean";
        break;
      case Kind::String:
        info["value"] = "valueString";
        break;
      case Kind::Enum: {
        info["value"] = "valueString";
        json members = json::array();
        std::vector<json> isMember;
        for (const std::string &m : p_.enums.at(in.type.enumType).members) {
          members.push_back(m);
          isMember.push_back(op("Equal", {exprRef(in.name), stringLiteral(m)}));
        }
        info["members"] = members;
        // The members' codes (`code member`), for the host that maps a coded
        // record to the member's name: the library reads the name (above).
        json memberCodings = json::object();
        for (const std::string &m : p_.enums.at(in.type.enumType).members) {
          json list = json::array();
          for (const ir::Coding &c : p_.codingsOf(ir::CodeBinding::Target::Member, in.name + "." + m))
            list.push_back(codingJson(c));
          if (!list.empty()) memberCodings[m] = list;
        }
        if (!memberCodings.empty()) info["memberCodings"] = memberCodings;
        message(op("And", {notOf(isNull(exprRef(in.name))), notOf(isTrue(fold("Or", isMember)))}),
                "input " + in.name + " is not one of its members");
        break;
      }
      case Kind::Number: break;
    }
    if (in.type.kind != Kind::Number) {
      message(op("And", {notOf(isNull(obs)), isNull(exprRef(in.name))}),
              "input " + in.name + ": its Observation has no " + info["value"].get<std::string>());
      if (in.description.size()) info["description"] = in.description;
      statements.push_back(def(in.name, raw, info));
      return;
    }

    // A number: valueQuantity.value, in the stated unit (canonical where
    // arithmetic needs it: canonicalInput).
    const SqlInputColumn &c = columns_[i];
    int places = c.scale == 0 ? 0 : kInputPlaces;
    std::string ucum = c.unit;
    if (c.declared && !in.displayUnit.ucum.empty()) ucum = in.displayUnit.ucum;
    if (ucum.empty()) ucum = "1";
    json quantity = property(obs, "value");
    json stated = property(property(quantity, "value"), "value");
    json unit = property(property(quantity, "code"), "value");
    double magStated = static_cast<double>(kUnranged);
    std::optional<Rational> lo, hi;
    if (in.lo) lo = (*in.lo - c.offset) / c.factor;
    if (in.hi) hi = (*in.hi - c.offset) / c.factor;
    if (lo && hi) magStated = std::max(std::fabs(lo->toDouble()), std::fabs(hi->toDouble()));
    Num s{exprRef(in.name), places, magStated};
    checked(s, in.range, "input " + in.name, false);
    message(op("And", {notOf(isNull(obs)), isNull(exprRef(in.name))}),
            "input " + in.name + ": its Observation has no valueQuantity with a value");
    message(op("And", {notOf(isNull(exprRef(in.name))), notOf(isTrue(op("Equal", {unit, stringLiteral(ucum)})))}),
            "input " + in.name + ": the valueQuantity's code is not " + ucum);
    message(isTrue(notOf(op("Equal", {rounded(exprRef(in.name), places), exprRef(in.name)}))),
            "input " + in.name + " has more than " + std::to_string(places) + " decimal places");
    std::vector<json> out;
    if (lo) out.push_back(compareConst(s, ir::Op::Lt, *lo, in.range));
    else out.push_back(op("Less", {exprRef(in.name), intLiteral(-kUnranged)}));
    if (hi) out.push_back(compareConst(s, ir::Op::Gt, *hi, in.range));
    else out.push_back(op("Greater", {exprRef(in.name), intLiteral(kUnranged)}));
    message(isTrue(fold("Or", out)), "input " + in.name + " is out of range");

    info["value"] = "valueQuantity";
    info["unit"] = c.unit;
    info["ucum"] = ucum;
    info["places"] = places;
    info["canonical"] = unitOf(in.type.dim);
    if (c.factor != Rational(1)) info["factor"] = c.factor.str();
    if (!c.offset.isZero()) info["offset"] = c.offset.str();
    if (lo) info["lo"] = lo->str();
    if (hi) info["hi"] = hi->str();
    if (!lo && !hi) info["bound"] = kUnranged;
    if (in.description.size()) info["description"] = in.description;
    statements.push_back(def(in.name, stated, info));
    inputNums_[i] = s;
  }

  // A number input in canonical units: its stated value times the unit's
  // factor, plus its offset (arithmetic, so checked where it is used).
  Num canonicalInput(int i, SourceRange at) {
    const SqlInputColumn &c = columns_[i];
    Num n = inputNums_.at(i);
    std::string what = "input " + p_.inputs[i].name + " in canonical units";
    if (c.factor != Rational(1)) n = mul(n, constant(c.factor, at), at, what);
    if (!c.offset.isZero()) n = add("Add", n, constant(c.offset, at), at, what);
    return n;
  }

  // ---------------------------------------------------------------- actions

  // The actions of a tier or rule: each offered when `where` holds and its
  // `unless` is known false; a give's amount (canonical units, on the
  // give's basis) in its own definitions.
  void body(json &statements, const std::string &decision, const std::string &item, const std::string &where,
            const std::vector<ir::Action> &actions) {
    for (size_t k = 0; k < actions.size(); ++k) {
      const ir::Action &a = actions[k];
      std::string what = a.kind == ir::ActionKind::Unspecified ? "unspecified" : a.name;
      std::string name = decision + "." + item + ": " + spelling(a.kind) + " " + what;
      if (names_.count(name)) name += " #" + std::to_string(k + 1);
      json offered = exprRef(where);
      if (a.unless) offered = op("And", {offered, isTrue(notOf(cond(*a.unless)))});
      json info = {{"role", "action"}, {"decision", decision}, {"rule", item}, {"kind", spelling(a.kind)}, {"name", what},
                   {"choice", a.choice >= 0}};
      // Its codes, for the host that turns an offered action into an order
      // or a card: as the compiled table gives them (Table::actionCodings):
      // a give's drug's, then its route's (the give's, else the drug's);
      // another action's own.
      json codings = json::array();
      auto add = [&](ir::CodeBinding::Target t, const std::string &n) {
        for (const ir::Coding &c : p_.codingsOf(t, n)) codings.push_back(codingJson(c));
      };
      if (a.kind == ir::ActionKind::Give) {
        add(ir::CodeBinding::Target::Drug, a.name);
        std::string route = ir::givenRoute(a, p_.drugs);
        if (!route.empty()) add(ir::CodeBinding::Target::Route, route);
      } else if (a.kind != ir::ActionKind::Unspecified) {
        add(ir::CodeBinding::Target::Action, a.name);
      }
      std::vector<json> amounts;
      if (a.kind == ir::ActionKind::Give) {
        ir::GivenAmount given = ir::givenAmount(a);
        if (given) {
          std::string what2 = "the dose of '" + a.name + "'";
          Num low = num(*given.low);
          checked(low, a.range, what2, false);
          info["amount"] = name + " amount";
          info["unit"] = unitOf(given.low->type.dim);
          info["basis"] = a.basis.str();
          // The full amount; a taper lowers it after (hours, canonical).
          if (a.taperHi) info["taper"] = {{"lo", a.taperLo->str()}, {"hi", a.taperHi->str()}};
          amounts.push_back(def(name + " amount", low.e, {{"role", "amount"}, {"action", name}}));
          if (given.isRange()) {
            Num high = num(*given.high);
            info["amountHigh"] = name + " amount high";
            amounts.push_back(def(name + " amount high", high.e, {{"role", "amount"}, {"action", name}, {"end", "high"}}));
          }
        }
      }
      if (!codings.empty()) info["codings"] = codings;
      if (a.kind == ir::ActionKind::Give && contraindicationDefs_.count(a.drug))
        info["contraindications"] = contraindicationDefs_.at(a.drug);
      statements.push_back(def(name, offered, info));
      for (json &x : amounts) statements.push_back(std::move(x));
    }
  }

  // ---------------------------------------------------------------- numbers

  static std::string show(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
  }

  // `computed`: the result of arithmetic, which cql-execution checks for
  // overflow (a value read or written as a literal is not).
  const Num &checked(const Num &n, SourceRange at, const std::string &what, bool computed = true) {
    int places = std::max(0, n.places);
    if (places > kMaxPlaces)
      throw Refuse{at, what + " may have " + std::to_string(places) +
                           " decimal places (canonical units), more than the 8 of a CQL Decimal"};
    if (computed && n.mag > kIntegerLimit)
      throw Refuse{at, what + " may reach " + show(n.mag) +
                           " (canonical units), beyond 2147483647, where cql-execution makes a whole-number result null; "
                           "narrow the inputs' ranges"};
    if (n.mag * std::pow(10.0, places) >= kDigits)
      throw Refuse{at, what + " may need more than 14 significant digits (" + show(n.mag) + " with " +
                           std::to_string(places) + " decimal places), more than a double-based CQL engine keeps exactly; "
                           "narrow the inputs' ranges"};
    return n;
  }

  Num constant(const Rational &c, SourceRange at) {
    auto pl = placesOf(c);
    if (!pl)
      throw Refuse{at, "the constant " + c.str() +
                           " (canonical units) has no finite decimal form, and a CQL Decimal is one; write it as a finite decimal"};
    Num n{decimalLiteral(c, *pl), *pl, std::fabs(c.toDouble())};
    checked(n, at, "the constant " + c.str(), false);
    return n;
  }

  Num add(const char *type, const Num &a, const Num &b, SourceRange at, const std::string &what) {
    int places = std::max(std::max(0, a.places), std::max(0, b.places));
    if (a.places < 0 && b.places < 0) places = std::max(a.places, b.places);
    Num n{rounded(op(type, {a.e, b.e}), places), places, a.mag + b.mag};
    checked(n, at, what);
    return n;
  }

  Num mul(const Num &a, const Num &b, SourceRange at, const std::string &what) {
    int places = a.places + b.places;
    Num n{rounded(op("Multiply", {a.e, b.e}), places), places, a.mag * b.mag};
    checked(n, at, what);
    return n;
  }

  Num defineNum(int d) {
    if (!defineNums_[d]) {
      const ir::Define &df = p_.defines[d];
      defineNums_[d] = num(*df.value);
      checked(*defineNums_[d], df.range, "define " + df.name, false);
    }
    return Num{exprRef(p_.defines[d].name), defineNums_[d]->places, defineNums_[d]->mag};
  }

  static bool isNumberConst(const ir::Expr &e) { return e.op == ir::Op::Const && e.type.kind == Kind::Number && !e.constant.missing; }

  // x op c, exactly: c at x's places, else (c has more places than x
  // can) x against floor(c) at x's places.
  json compareConst(const Num &x, ir::Op o, const Rational &c, SourceRange at) {
    int places = std::max(0, x.places);
    Rational scaled;
    try {
      scaled = times10(c, places);
    } catch (const RationalOverflow &) {
      throw Refuse{at, "the constant " + c.str() + " has too many digits to compare exactly"};
    }
    auto known = [&](bool b) { return ifThen(isNull(x.e), nullLiteral(), boolLiteral(b)); };
    // A constant beyond every value x can take decides the comparison.
    double bound = x.mag * std::pow(10.0, places);
    if (scaled.toDouble() > bound + 1 || scaled.toDouble() < -bound - 1) {
      bool above = scaled.sign() > 0;
      switch (o) {
        case ir::Op::Lt:
        case ir::Op::Le: return known(above);
        case ir::Op::Gt:
        case ir::Op::Ge: return known(!above);
        case ir::Op::Eq: return known(false);
        case ir::Op::Ne: return known(true);
        default: break;
      }
    }
    if (scaled.isInteger()) return op(comparison(o), {x.e, decimalLiteral(c, places)});
    Rational fl = Rational(floorOf(scaled)) / times10(Rational(1), places);
    json lit = decimalLiteral(fl, places);
    switch (o) {
      case ir::Op::Lt:
      case ir::Op::Le: return op("LessOrEqual", {x.e, lit});
      case ir::Op::Gt:
      case ir::Op::Ge: return op("Greater", {x.e, lit});
      case ir::Op::Eq: return known(false);
      case ir::Op::Ne: return known(true);
      default: break;
    }
    throw Refuse{at, "internal: not a comparison"};
  }

  json compare(const ir::Expr &e) {
    const ir::Expr &a = *e.args.at(0), &b = *e.args.at(1);
    // An input against a constant: in the input's stated unit, the constant
    // converted exactly (the factor is positive: the order is kept).
    for (auto [x, c, o] : {std::tuple{&a, &b, e.op}, std::tuple{&b, &a, flip(e.op)}}) {
      if (x->op != ir::Op::Input || !isNumberConst(*c)) continue;
      const SqlInputColumn &col = columns_[x->index];
      return compareConst(inputNums_.at(x->index), o, (c->constant.number - col.offset) / col.factor, e.range);
    }
    if (isNumberConst(b)) return compareConst(num(a), e.op, b.constant.number, e.range);
    if (isNumberConst(a)) return compareConst(num(b), flip(e.op), a.constant.number, e.range);
    return op(comparison(e.op), {num(a).e, num(b).e});
  }

  Num num(const ir::Expr &e) {
    std::string what = "'" + ir::toString(p_, e) + "'";
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return Num{nullLiteral(), 0, 0};
        return constant(e.constant.number, e.range);
      case ir::Op::Input: return canonicalInput(e.index, e.range);
      case ir::Op::Define: return defineNum(e.index);
      case ir::Op::Add: return add("Add", num(*e.args.at(0)), num(*e.args.at(1)), e.range, what);
      case ir::Op::Sub: return add("Subtract", num(*e.args.at(0)), num(*e.args.at(1)), e.range, what);
      case ir::Op::Mul: return mul(num(*e.args.at(0)), num(*e.args.at(1)), e.range, what);
      case ir::Op::Div: {
        const ir::Expr &b = *e.args.at(1);
        if (!isNumberConst(b))
          throw Refuse{e.range, what + " divides by a value that is not a constant; the export divides only by constants, "
                                       "so that every quotient is a decimal of known places"};
        if (b.constant.number.isZero()) throw Refuse{e.range, what + " divides by zero"};
        Rational inv = Rational(1) / b.constant.number;
        if (!placesOf(inv))
          throw Refuse{e.range, what + " divides by " + b.constant.number.str() +
                                    ", whose reciprocal has no finite decimal form: the quotient may not be a CQL Decimal"};
        return mul(num(*e.args.at(0)), constant(inv, e.range), e.range, what);
      }
      case ir::Op::Neg: {
        Num a = num(*e.args.at(0));
        return Num{unary("Negate", a.e), a.places, a.mag};
      }
      case ir::Op::Min:
      case ir::Op::Max: {
        // Null when an operand is (the aggregates would skip a null).
        std::vector<json> nulls, items;
        Num n{json(), 0, 0};
        bool first = true;
        for (const ir::ExprRef &a : e.args) {
          Num x = num(*a);
          nulls.push_back(isNull(x.e));
          items.push_back(x.e);
          n.places = first ? x.places : std::max(n.places, x.places);
          n.mag = std::max(n.mag, x.mag);
          first = false;
        }
        if (items.size() == 1) return num(*e.args[0]);
        json agg = {{"type", e.op == ir::Op::Min ? "Min" : "Max"}, {"source", {{"type", "List"}, {"element", json(items)}}}};
        n.e = ifThen(fold("Or", nulls), nullLiteral(), agg);
        return n;
      }
      case ir::Op::If: {
        Num a = num(*e.args.at(1)), b = num(*e.args.at(2));
        return Num{ifThen(cond(*e.args.at(0)), a.e, b.e), std::max(a.places, b.places), std::max(a.mag, b.mag)};
      }
      default: break;
    }
    throw Refuse{e.range, what + " is not arithmetic the export can write exactly"};
  }

  // ---------------------------------------------------------------- conditions and values

  json value(const ir::Expr &e) {
    if (e.type.kind == Kind::Bool) return cond(e);
    if (e.type.kind == Kind::Number) return num(e).e;
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return nullLiteral();
        if (e.type.kind == Kind::Enum) return stringLiteral(p_.enums.at(e.type.enumType).members.at(e.constant.member));
        return stringLiteral(e.constant.text);
      case ir::Op::Input: return exprRef(p_.inputs[e.index].name);
      case ir::Op::Define: return exprRef(p_.defines[e.index].name);
      case ir::Op::If: return ifThen(cond(*e.args.at(0)), value(*e.args.at(1)), value(*e.args.at(2)));
      default: break;
    }
    throw Refuse{e.range, "'" + ir::toString(p_, e) + "' is not a value the export can write"};
  }

  // A condition the compiler derived and named (Expr::label: the pathway
  // `P` is on, the tier `P.T` applies, the rule `T.R` fires, a course
  // state): one definition under that name, read wherever it is used (the
  // IR shares it; written out each time the library would grow
  // exponentially).
  json cond(const ir::Expr &e) {
    if (e.label.empty()) return condBody(e);
    auto it = labels_.find(e.label);
    if (it != labels_.end()) return exprRef(it->second);
    std::string name = reserved_.count(e.label) ? "condition " + e.label : e.label;
    labels_[e.label] = name;
    json body = condBody(e);
    labelStatements_.push_back(def(name, body, {{"role", "condition"}, {"label", e.label}}));
    return exprRef(name);
  }

  json condBody(const ir::Expr &e) {
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return nullLiteral();
        return boolLiteral(e.constant.boolean);
      case ir::Op::Input: return exprRef(p_.inputs[e.index].name);
      case ir::Op::Define: return exprRef(p_.defines[e.index].name);
      case ir::Op::Not: return notOf(cond(*e.args.at(0)));
      case ir::Op::And:
      case ir::Op::Or: {
        std::vector<json> xs;
        for (const ir::ExprRef &a : e.args) xs.push_back(cond(*a));
        return fold(e.op == ir::Op::And ? "And" : "Or", xs);
      }
      case ir::Op::Eq:
      case ir::Op::Ne:
        if (e.args.at(0)->type.kind == Kind::Number) return compare(e);
        return op(comparison(e.op), {value(*e.args.at(0)), value(*e.args.at(1))});
      case ir::Op::Lt:
      case ir::Op::Le:
      case ir::Op::Gt:
      case ir::Op::Ge:
        if (e.args.at(0)->type.kind == Kind::Number) return compare(e);
        break;
      case ir::Op::Known: {
        // An input is known when it has a value, in whatever unit.
        const ir::Expr &x = *e.args.at(0);
        if (x.op == ir::Op::Input) return notOf(isNull(exprRef(p_.inputs[x.index].name)));
        return notOf(isNull(value(x)));
      }
      case ir::Op::IsTrue: return isTrue(cond(*e.args.at(0)));
      case ir::Op::If: return ifThen(cond(*e.args.at(0)), cond(*e.args.at(1)), cond(*e.args.at(2)));
      case ir::Op::Count: {
        // At least `least` items are true, at most `most` may be.
        std::vector<json> t, u;
        for (const ir::ExprRef &a : e.args) {
          json c = cond(*a);
          t.push_back(ifThen(c, intLiteral(1), intLiteral(0)));
          u.push_back(ifThen(isNull(c), intLiteral(1), intLiteral(0)));
        }
        json least = fold("Add", t);
        std::vector<json> all = t;
        all.insert(all.end(), u.begin(), u.end());
        json most = fold("Add", all);
        json k = intLiteral(e.index);
        switch (e.counting) {
          case Counting::AtLeast:
            return ifThen(op("GreaterOrEqual", {least, k}), boolLiteral(true),
                          ifThen(op("Less", {most, k}), boolLiteral(false), nullLiteral()));
          case Counting::AtMost:
            return ifThen(op("LessOrEqual", {most, k}), boolLiteral(true),
                          ifThen(op("Greater", {least, k}), boolLiteral(false), nullLiteral()));
          case Counting::Exactly:
            return ifThen(op("And", {op("Equal", {least, k}), op("Equal", {most, k})}), boolLiteral(true),
                          ifThen(op("Or", {op("Greater", {least, k}), op("Less", {most, k})}), boolLiteral(false), nullLiteral()));
        }
        break;
      }
      default: break;
    }
    throw Refuse{e.range, "'" + ir::toString(p_, e) + "' is not a condition the export can write"};
  }
};

}  // namespace

std::optional<std::string> emitElm(const ir::Protocol &p, const ElmOptions &options, DiagnosticEngine &diags) {
  ElmWriter w(p, options);
  try {
    return w.document();
  } catch (const Refuse &r) {
    diags.report(DiagId::err_elm_not_expressible, r.range, r.what);
    return std::nullopt;
  }
}

}  // namespace carepath::backends
