// IR -> FHIR R4 Bundle (see Fhir.h and docs/interop.md, "FHIR").
//
// Conditions are FHIRPath (text/fhirpath) over environment variables, one
// per input (`%weight`), declared as the Library's parameters: a number in
// the unit the author declared it in (else canonical), a bool, an enum
// member's name, a string; a missing value is the empty collection. FHIRPath's empty collection propagates through comparisons
// and arithmetic and `and`/`or`/`not()` follow Kleene's tables, as carepath's
// missing value does; `iif` reads an empty criterion as false, as `if` does.
// Numbers in FHIRPath engines are often doubles (fhirpath.js): a comparison
// of an input with a constant is written in the input's stated unit, with
// the constant converted exactly (when it is a finite decimal there), so
// the common threshold is decided without arithmetic; a constant with no
// finite decimal form is written as a quotient (`(1 / 3)`).
#include "backends/Fhir.h"

#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "backends/Decimals.h"
#include "carepath/Quantity.h"
#include "ir/PatientInput.h"

namespace carepath::backends {

namespace {

using Kind = ir::Type::Kind;
using json = nlohmann::ordered_json;

struct Refuse {
  SourceRange range;
  std::string what;
};

// FHIR ids: [A-Za-z0-9-.]{1,64}; carepath names have '_', which becomes '-'
// (a name cannot hold '-', so two names stay two ids).
std::string fhirId(std::string s) {
  for (char &c : s)
    if (c == '_') c = '-';
  if (s.size() > 64) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", h);
    s = s.substr(0, 55) + "-" + hex;
  }
  return s;
}

// FHIRPath string literal: '...' with \ and ' escaped (FHIRPath, "String").
std::string fpString(const std::string &s) {
  std::string out = "'";
  for (char c : s) {
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "'";
}

// FHIRPath's and the FHIR context's own environment variables: an input of
// that name would be shadowed or shadow them.
const std::set<std::string> kReservedVariables{"context", "resource", "rootResource", "ucum", "sct", "loinc",
                                                "factory", "terminologies", "server", "questionnaire", "subject",
                                                "patient", "encounter", "location", "practitioner", "practitionerRole",
                                                "sdc", "us-zip"};

const char *kUcum = "http://unitsofmeasure.org";
// The code system this project owns for naming a protocol's inputs (as
// the ELM export's Observations are coded; not a clinical terminology).
const char *kInputSystem = "urn:carepath:input";

json coding(const ir::Coding &c) {
  json x = {{"system", c.system}, {"code", c.code}};
  if (!c.display.empty()) x["display"] = c.display;
  return x;
}

class FhirWriter {
public:
  FhirWriter(const ir::Protocol &p, const FhirOptions &o) : p_(p), o_(o) {
    for (const ir::Input &in : p.inputs) {
      Stated c;
      if (in.type.kind == Kind::Number) {
        const ir::Unit &du = in.displayUnit;
        if (!du.name.empty() && du.factor.sign() > 0) {
          c.unit = du.name;
          c.factor = du.factor;
          c.offset = du.offset;
        } else {
          c.unit = in.type.dim.dimensionless() ? "" : ir::canonicalUnitName(p, in.type.dim);
        }
        c.integer = in.type.integer && c.factor == Rational(1) && c.offset.isZero();
      }
      columns_.push_back(c);
    }
  }

  std::string document() {
    for (const ir::Input &in : p_.inputs)
      if (kReservedVariables.count(in.name))
        throw Refuse{in.range, "input '" + in.name + "' would be the FHIRPath environment variable %" + in.name +
                                   ", which FHIRPath or FHIR already defines; rename the input"};
    for (const ir::Table &t : p_.tables)
      if (!t.outputs.empty())
        throw Refuse{t.range, "table '" + t.name + "' has typed outputs, which a PlanDefinition has no element for"};

    const std::string version = p_.version;
    planUrl_ = o_.base + "/PlanDefinition/" + fhirId(p_.name);
    libraryUrl_ = o_.base + "/Library/" + fhirId(p_.name) + "-inputs";

    json plan = json::object();
    plan["resourceType"] = "PlanDefinition";
    plan["id"] = fhirId(p_.name);
    if (!p_.assumptions.empty()) plan["extension"] = assumptions();
    plan["url"] = planUrl_;
    plan["identifier"] = json::array({{{"system", "urn:ietf:rfc:3986"}, {"value", planUrl_}}});
    plan["version"] = version;
    plan["name"] = p_.name;
    plan["title"] = p_.title.empty() ? p_.name : p_.title;
    plan["type"] = {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/plan-definition-type"},
                                             {"code", "clinical-protocol"}}})}};
    plan["status"] = "draft";
    plan["experimental"] = true;
    plan["description"] = "carepath protocol " + p_.name + " " + version + " (verification: " + o_.verificationStatus +
                          "), exported by carepath " + o_.compilerVersion +
                          "; do not edit. Conditions are FHIRPath over the inputs of " + libraryUrl_ +
                          " as environment variables (docs/interop.md, \"FHIR\").";
    json related = json::array();
    for (const ir::Source &s : p_.sources)
      related.push_back({{"type", "citation"}, {"label", s.id}, {"citation", s.text}});
    if (!related.empty()) plan["relatedArtifact"] = related;
    plan["library"] = json::array({libraryUrl_});

    json actions = json::array();
    for (size_t pi = 0; pi < p_.pathways.size(); ++pi) actions.push_back(pathway(static_cast<int>(pi)));
    for (const ir::Table &t : p_.tables) actions.push_back(table(t));
    if (!actions.empty()) plan["action"] = actions;

    json entries = json::array();
    entries.push_back({{"fullUrl", libraryUrl_}, {"resource", library()}});
    entries.push_back({{"fullUrl", planUrl_}, {"resource", plan}});
    for (json &ad : activities_) {
      std::string url = ad["url"].get<std::string>();
      entries.push_back({{"fullUrl", url}, {"resource", std::move(ad)}});
    }
    json bundle = json::object();
    bundle["resourceType"] = "Bundle";
    bundle["id"] = fhirId(p_.name) + "-" + fhirId(version);
    bundle["type"] = "collection";
    bundle["entry"] = entries;
    return bundle.dump(2) + "\n";
  }

private:
  const ir::Protocol &p_;
  const FhirOptions &o_;
  // How a number input is stated: canonical = value * factor + offset.
  struct Stated {
    std::string unit;
    Rational factor = 1, offset = 0;
    bool integer = false;
  };
  std::vector<Stated> columns_;
  std::string planUrl_, libraryUrl_;
  std::vector<json> activities_;
  std::map<std::string, std::string> activityByKey_;  // identity -> url
  std::set<std::string> activityIds_;

  // ---------------------------------------------------------------- resources

  json library() {
    json lib = json::object();
    lib["resourceType"] = "Library";
    lib["id"] = fhirId(p_.name) + "-inputs";
    lib["url"] = libraryUrl_;
    lib["version"] = p_.version;
    lib["name"] = p_.name + "_inputs";
    lib["title"] = "Inputs of " + (p_.title.empty() ? p_.name : p_.title);
    lib["status"] = "draft";
    lib["type"] = {{"coding", json::array({{{"system", "http://terminology.hl7.org/CodeSystem/library-type"},
                                            {"code", "logic-library"}}})}};
    lib["description"] =
        "The inputs the PlanDefinition's FHIRPath expressions read, each as the environment variable %NAME: "
        "a boolean, a code (the member's name), a string, or a number in the unit its documentation states; "
        "a missing value is the empty collection.";
    json params = json::array(), reqs = json::array();
    for (size_t i = 0; i < p_.inputs.size(); ++i) {
      const ir::Input &in = p_.inputs[i];
      json prm = json::object();
      prm["name"] = in.name;
      prm["use"] = "in";
      prm["min"] = in.optional ? 0 : 1;
      prm["max"] = "1";
      std::string doc = "Value: ";
      switch (in.type.kind) {
        case Kind::Bool: prm["type"] = "boolean"; doc += "boolean"; break;
        case Kind::String: prm["type"] = "string"; doc += "string"; break;
        case Kind::Enum: {
          prm["type"] = "code";
          doc += "one of: ";
          const auto &m = p_.enums[in.type.enumType].members;
          for (size_t k = 0; k < m.size(); ++k) doc += (k ? ", " : "") + m[k];
          break;
        }
        case Kind::Number: {
          const Stated &c = columns_[i];
          bool integer = c.integer;
          prm["type"] = integer ? "integer" : "decimal";
          doc += integer ? "integer" : "decimal";
          if (!c.unit.empty()) doc += " in " + c.unit;
          if (in.lo && in.hi)
            doc += ", " + ((*in.lo - c.offset) / c.factor).decimal(12) + " .. " + ((*in.hi - c.offset) / c.factor).decimal(12);
          break;
        }
      }
      doc += in.optional ? "; optional (missing: empty)" : "; required";
      if (!in.description.empty()) doc += ". " + in.description;
      // A code parameter's members stay names; their codings are said here.
      if (in.type.kind == Kind::Enum)
        for (const std::string &m : p_.enums[in.type.enumType].members)
          for (const ir::Coding &c : p_.codingsOf(ir::CodeBinding::Target::Member, in.name + "." + m))
            doc += ". Member " + m + ": " + c.system + " " + c.code + (c.display.empty() ? "" : " '" + c.display + "'");
      prm["documentation"] = doc;
      params.push_back(prm);
      // Where %NAME comes from in the record: the Observation coded with
      // the input's carepath code or any clinical code bound to it.
      json codes = json::array({{{"system", kInputSystem}, {"code", in.name}}});
      for (const ir::Coding &c : p_.codingsOf(ir::CodeBinding::Target::Input, in.name)) codes.push_back(coding(c));
      reqs.push_back({{"type", "Observation"}, {"codeFilter", json::array({{{"path", "code"}, {"code", codes}}})}});
    }
    if (!params.empty()) lib["parameter"] = params;
    if (!reqs.empty()) lib["dataRequirement"] = reqs;
    return lib;
  }

  json fhirpath(const ir::ExprRef &e, const std::string &description = "") {
    json x = json::object();
    if (!description.empty()) x["description"] = description;
    x["language"] = "text/fhirpath";
    x["expression"] = cond(*e);
    return x;
  }

  json condition(const char *kind, const ir::ExprRef &e, const std::string &description = "") {
    return {{"kind", kind}, {"expression", fhirpath(e, description)}};
  }

  // The population assumptions (`assume NAME: C`): FHIR R4 has no element
  // for the patients a plan was verified for, so each is the complex
  // extension BASE/StructureDefinition/assumption on the PlanDefinition,
  // in the protocol's order: `name`; `violated`, the FHIRPath that is true
  // exactly when the patient violates it (ir::assumptionViolated: C is
  // false; a missing value leaves C unknown, which is no violation), never
  // empty; `note`, one `citation` per source, `unspecified`. Not a modifier:
  // an engine that ignores it applies the plan as before; one that reads it
  // flags such a patient, as `carepath eval` does (docs/interop.md, "FHIR").
  json assumptions() {
    json exts = json::array();
    for (const ir::Assumption &a : p_.assumptions) {
      json parts = json::array({{{"url", "name"}, {"valueString", a.name}},
                                {{"url", "violated"},
                                 {"valueExpression", fhirpath(ir::assumptionViolated(a), ir::toString(p_, *a.condition) + " is false")}}});
      if (!a.note.empty()) parts.push_back({{"url", "note"}, {"valueString", a.note}});
      for (const std::string &cite : a.citations) parts.push_back({{"url", "citation"}, {"valueString", cite}});
      if (a.unspecified) parts.push_back({{"url", "unspecified"}, {"valueString", *a.unspecified}});
      exts.push_back({{"url", o_.base + "/StructureDefinition/assumption"}, {"extension", parts}});
    }
    return exts;
  }

  json documentation(const ir::Citations &cites) {
    json docs = json::array();
    for (const std::string &c : cites) docs.push_back({{"type", "citation"}, {"label", c}});
    return docs;
  }

  json pathway(int pi) {
    const ir::Pathway &pw = p_.pathways[pi];
    json a = json::object();
    a["id"] = fhirId(pw.name);
    a["title"] = pw.name;
    if (!pw.description.empty()) a["description"] = pw.description;
    if (!pw.citations.empty()) a["documentation"] = documentation(pw.citations);
    json conds = json::array();
    if (p_.population) conds.push_back(condition("applicability", ir::build::isTrue(p_.population), "in the population"));
    for (const ir::Exit &ex : pw.exits) conds.push_back(condition("stop", ir::build::isTrue(ex.when), "exit " + ex.name));
    if (!conds.empty()) a["condition"] = conds;
    a["groupingBehavior"] = "logical-group";
    a["selectionBehavior"] = "at-most-one";  // tiers are a `unique` table (verified exclusive)
    json tiers = json::array();
    for (size_t ti = 0; ti < pw.tiers.size(); ++ti) {
      const ir::Tier &t = pw.tiers[ti];
      json x = json::object();
      std::string id = fhirId(pw.name + "." + t.name);
      x["id"] = id;
      x["title"] = t.name;
      if (!t.citations.empty()) x["documentation"] = documentation(t.citations);
      json tc = json::array();
      tc.push_back(condition("applicability", p_.tierGuard(pi, static_cast<int>(ti)), "tier " + pw.name + "." + t.name + " applies"));
      if (t.respondedWhen) tc.push_back(condition("stop", ir::build::isTrue(t.respondedWhen), "responded"));
      if (t.failedWhen) tc.push_back(condition("stop", ir::build::isTrue(t.failedWhen), "failed"));
      if (t.completedWhen) tc.push_back(condition("stop", ir::build::isTrue(t.completedWhen), "completed"));
      x["condition"] = tc;
      if (t.after >= 0)
        x["relatedAction"] = json::array({{{"actionId", fhirId(pw.name + "." + pw.tiers[t.after].name)}, {"relationship", "after-end"}}});
      body(x, id, t.actions);
      tiers.push_back(x);
    }
    if (!tiers.empty()) a["action"] = tiers;
    return a;
  }

  json table(const ir::Table &t) {
    json a = json::object();
    a["id"] = fhirId(t.name);
    a["title"] = t.name;
    if (!t.description.empty()) a["description"] = t.description;
    if (!t.citations.empty()) a["documentation"] = documentation(t.citations);
    if (p_.population)
      a["condition"] = json::array({condition("applicability", ir::build::isTrue(p_.population), "in the population")});
    a["groupingBehavior"] = "logical-group";
    a["selectionBehavior"] = carepath::hasSingleOutput(t.hit, ir::Aggregation::None) ? "at-most-one" : "any";
    std::vector<ir::ExprRef> fired = ir::rulesFire(t);
    json rules = json::array();
    for (size_t r = 0; r < t.rules.size(); ++r) {
      const ir::Rule &rule = t.rules[r];
      json x = json::object();
      std::string id = fhirId(t.name + "." + rule.name);
      x["id"] = id;
      x["title"] = rule.name;
      if (!rule.citations.empty()) x["documentation"] = documentation(rule.citations);
      x["condition"] = json::array({condition("applicability", fired[r], "rule " + t.name + "." + rule.name + " fires (hit " +
                                                                              std::string(spelling(t.hit)) + ")")});
      body(x, id, rule.actions);
      rules.push_back(x);
    }
    if (!rules.empty()) a["action"] = rules;
    return a;
  }

  // The actions of a tier or rule: given outright, then each `one of` as a
  // group of which exactly one alternative is chosen.
  void body(json &parent, const std::string &id, const std::vector<ir::Action> &actions) {
    json out = json::array();
    std::map<int, std::map<int, std::vector<size_t>>> choices;
    std::vector<int> choiceOrder;
    for (size_t k = 0; k < actions.size(); ++k) {
      const ir::Action &a = actions[k];
      if (a.choice < 0) {
        out.push_back(action(a, fhirId(id + "." + std::to_string(k + 1))));
        continue;
      }
      if (!choices.count(a.choice)) choiceOrder.push_back(a.choice);
      choices[a.choice][a.option].push_back(k);
    }
    for (int c : choiceOrder) {
      json g = json::object();
      std::string gid = fhirId(id + ".choice" + std::to_string(c + 1));
      g["id"] = gid;
      g["title"] = "one of";
      g["groupingBehavior"] = "logical-group";
      g["selectionBehavior"] = "exactly-one";
      json opts = json::array();
      for (auto &[o, ks] : choices[c]) {
        std::string oid = fhirId(gid + "." + std::to_string(o + 1));
        if (ks.size() == 1) {
          opts.push_back(action(actions[ks[0]], oid));
          continue;
        }
        json og = json::object();
        og["id"] = oid;
        og["groupingBehavior"] = "logical-group";
        og["selectionBehavior"] = "all";
        json inner = json::array();
        for (size_t j = 0; j < ks.size(); ++j) inner.push_back(action(actions[ks[j]], fhirId(oid + "." + std::to_string(j + 1))));
        og["action"] = inner;
        opts.push_back(og);
      }
      g["action"] = opts;
      out.push_back(g);
    }
    if (!out.empty()) parent["action"] = out;
  }

  json action(const ir::Action &a, const std::string &id) {
    json x = json::object();
    x["id"] = id;
    x["prefix"] = spelling(a.kind);
    x["title"] = a.kind == ir::ActionKind::Unspecified ? "unspecified" : a.name;
    if (a.kind != ir::ActionKind::Give && a.kind != ir::ActionKind::Unspecified) {
      json codes = json::array();
      for (const ir::Coding &c : p_.codingsOf(ir::CodeBinding::Target::Action, a.name)) codes.push_back(coding(c));
      if (!codes.empty()) x["code"] = json::array({{{"coding", codes}, {"text", a.name}}});
    }
    std::string note = a.kind == ir::ActionKind::Unspecified && a.unspecified ? *a.unspecified : a.note;
    if (!note.empty()) x["description"] = note;
    if (!a.citations.empty()) x["documentation"] = documentation(a.citations);
    if (a.unless)
      x["condition"] = json::array({condition("applicability", ir::build::isTrue(ir::build::unary(ir::Op::Not, a.unless, a.unless->range)),
                                              "not withheld (unless)")});
    if (a.kind == ir::ActionKind::Give) {
      contraindications(x, a);
      x["definitionCanonical"] = activity(a);
      return x;
    }
    timing(x, a);
    return x;
  }

  // A give's drug's `contraindicated when C "note" [cites]`: FHIR R4 has no
  // element for it on a PlanDefinition action or an ActivityDefinition (an
  // applicability condition would withhold the give, which the protocol
  // does not; `unless` does), so each is the complex extension
  // BASE/StructureDefinition/contraindication: `condition` the FHIRPath of
  // C (true: it holds; empty: it may hold, a missing value; false: it does
  // not), `note`, one `citation` per source. Not a modifier: an engine that
  // ignores it still offers what the protocol offers; one that reads it
  // reports, as the runtime does, those that are true or empty for an
  // applicable give (docs/interop.md, "FHIR").
  void contraindications(json &x, const ir::Action &a) {
    if (a.drug < 0) return;
    json exts = json::array();
    for (const ir::Contraindication &c : p_.drugs[a.drug].contraindications) {
      json parts = json::array({{{"url", "condition"}, {"valueExpression", fhirpath(c.when, ir::toString(p_, *c.when))}}});
      if (!c.note.empty()) parts.push_back({{"url", "note"}, {"valueString", c.note}});
      for (const std::string &cite : c.citations) parts.push_back({{"url", "citation"}, {"valueString", cite}});
      exts.push_back({{"url", o_.base + "/StructureDefinition/contraindication"}, {"extension", parts}});
    }
    if (!exts.empty()) x["extension"] = exts;
  }

  // ---------------------------------------------------------------- timings

  // A duration (canonical hours) as a UCUM quantity in the largest unit of
  // time it is a whole number of (UnitsOfTime codes), else hours.
  json duration(const Rational &hours, SourceRange at) {
    for (const auto &[code, f] : timeUnits()) {
      Rational v = hours / f;
      if (v.isInteger()) return {{"value", v.num()}, {"unit", code}, {"system", kUcum}, {"code", code}};
    }
    if (!decimalPlaces(hours)) throw Refuse{at, "the duration " + hours.str() + " h has no finite decimal form in any unit of time"};
    return {{"value", number(hours)}, {"unit", "h"}, {"system", kUcum}, {"code", "h"}};
  }

  static json number(const Rational &r) {
    if (r.isInteger()) return r.num();
    return json::parse(r.decimal(*decimalPlaces(r)));
  }

  void timing(json &x, const ir::Action &a) {
    using T = ir::Action::Timing;
    if (a.timing == T::None) return;
    if (a.timing == T::Over) {
      // How long the action lasts: Timing.repeat.duration (.. durationMax),
      // both in one unit of time.
      Rational lo = a.timingLo ? *a.timingLo : *a.timingHi, hi = a.timingHi ? *a.timingHi : lo;
      auto [code, f] = commonUnit(lo, hi, a.range);
      json rep = {{"duration", number(lo / f)}};
      if (lo != hi) rep["durationMax"] = number(hi / f);
      rep["durationUnit"] = code;
      x["timingTiming"] = {{"repeat", rep}};
      return;
    }
    // `within X` (from 0 to X) and `at A .. B`: when, as a Range of time
    // from the start of the plan, or (a modifier extension) from an event.
    json range = json::object();
    if (a.timing == T::At && a.timingLo) range["low"] = duration(*a.timingLo, a.range);
    if (a.timingHi) range["high"] = duration(*a.timingHi, a.range);
    x["timingRange"] = range;
    if (a.timingAnchor >= 0)
      x["modifierExtension"] = json::array(
          {{{"url", o_.base + "/StructureDefinition/timing-from-event"}, {"valueString", p_.inputs[a.timingAnchor].name}}});
  }

  // The largest unit of time both durations are whole numbers of, else
  // hours (both then finite decimals).
  std::pair<std::string, Rational> commonUnit(const Rational &a, const Rational &b, SourceRange at) {
    for (const auto &[code, f] : timeUnits())
      if ((a / f).isInteger() && (b / f).isInteger()) return {code, f};
    if (!decimalPlaces(a) || !decimalPlaces(b)) throw Refuse{at, "a duration has no finite decimal form in any unit of time"};
    return {"h", Rational(1)};
  }

  static const std::vector<std::pair<std::string, Rational>> &timeUnits() {
    static const std::vector<std::pair<std::string, Rational>> units{
        {"wk", Rational(168)}, {"d", Rational(24)}, {"h", Rational(1)}, {"min", Rational(1, 60)}, {"s", Rational(1, 3600)}};
    return units;
  }

  // ---------------------------------------------------------------- gives

  // A drug or route: its name as text, with the codings bound to it.
  json codeable(ir::CodeBinding::Target t, const std::string &name) const {
    json x = json::object();
    json codes = json::array();
    for (const ir::Coding &c : p_.codingsOf(t, name)) codes.push_back(coding(c));
    if (!codes.empty()) x["coding"] = codes;
    x["text"] = name;
    return x;
  }

  // The canonical unit of a dimension as a Quantity's unit, with its UCUM
  // code when every base unit has one.
  json quantityUnit(const ir::Dimension &dim, SourceRange at) {
    std::string name = ir::canonicalUnitName(p_, dim);
    if (name.empty()) return {{"unit", "1"}, {"system", kUcum}, {"code", "1"}};
    bool ucum = true;
    for (const auto &[d, e] : dim.exponents) {
      ir::Dimension want;
      want.exponents[d] = 1;
      bool found = false;
      for (const auto &[n, u] : p_.units)
        if (u.dim == want && u.factor == Rational(1) && !u.affine() && !u.ucum.empty()) found = true;
      ucum = ucum && found;
    }
    (void)at;
    if (!ucum) return {{"unit", name}};
    return {{"unit", name}, {"system", kUcum}, {"code", name}};
  }

  static std::string per(const std::string &code, const std::string &time) {
    bool compound = code.find('/') != std::string::npos || code.find('.') != std::string::npos;
    return (compound ? "(" + code + ")" : code) + "/" + time;
  }

  // A quantity whose value is `e`: static when a constant, else a
  // dynamicValue at `path` (the MedicationRequest's element).
  json amount(const ir::ExprRef &e, json unit, const std::string &path, json &dynamic) {
    json q = json::object();
    if (e->op == ir::Op::Const && !e->constant.missing && decimalPlaces(e->constant.number)) {
      q["value"] = number(e->constant.number);
    } else {
      dynamic.push_back({{"path", path + ".value"}, {"expression", {{"language", "text/fhirpath"}, {"expression", num(*e)}}}});
    }
    for (auto &[k, v] : unit.items()) q[k] = v;
    return q;
  }

  std::string activity(const ir::Action &a) {
    ir::GivenAmount given = ir::givenAmount(a);
    std::string key = ir::actionIdentity(a) + "|" + a.route + "|" + (given ? ir::toString(p_, *given.low) : "") + "|" +
                      (given && given.isRange() ? ir::toString(p_, *given.high) : "");
    if (auto it = activityByKey_.find(key); it != activityByKey_.end()) return it->second;
    const ir::Drug &drug = p_.drugs.at(a.drug);
    std::string id = fhirId(p_.name + "-" + a.name);
    for (int k = 2; activityIds_.count(id); ++k) id = fhirId(p_.name + "-" + a.name + "-" + std::to_string(k));
    activityIds_.insert(id);
    std::string url = o_.base + "/ActivityDefinition/" + id;

    json ad = json::object();
    ad["resourceType"] = "ActivityDefinition";
    ad["id"] = id;
    ad["url"] = url;
    ad["version"] = p_.version;
    ad["name"] = id;
    ad["title"] = "give " + a.name;
    ad["status"] = "draft";
    if (!drug.description.empty()) ad["description"] = drug.description;
    json related = json::array();
    std::set<std::string> cited;
    auto cite = [&](const ir::Citations &cs) {
      for (const std::string &c : cs)
        if (cited.insert(c).second) related.push_back({{"type", "citation"}, {"label", c}});
    };
    cite(a.citations);
    cite(drug.citations);
    ad["kind"] = "MedicationRequest";
    ad["productCodeableConcept"] = codeable(ir::CodeBinding::Target::Drug, a.name);

    json dosage = json::object();
    json dynamic = json::array();
    const std::string mr = "dosageInstruction[0]";
    std::string text = a.basis.str();
    if (!a.regimen.text.empty()) text += (text.empty() ? "" : " ") + a.regimen.text;
    if (!a.note.empty()) text += (text.empty() ? "" : "; ") + a.note;
    if (!given && a.doseUnspecified) text = "dose unspecified: " + *a.doseUnspecified + (text.empty() ? "" : "; " + text);
    if (!text.empty()) dosage["text"] = text;

    // Timing: the regimen, the course length (`for`), the infusion time (`over`).
    json repeat = json::object();
    using B = ir::Basis::Kind;
    if (a.regimen.every) {
      json d = duration(*a.regimen.every, a.range);
      repeat["frequency"] = 1;
      repeat["period"] = d["value"];
      repeat["periodUnit"] = d["code"];
    }
    if (a.regimen.dividedInto) {
      if (a.basis.kind == B::PerTime) {
        // N doses per unit of time (ir::schedule: one every span / N).
        json d = duration(a.basis.span, a.range);
        repeat["frequency"] = *a.regimen.dividedInto;
        repeat["period"] = d["value"];
        repeat["periodUnit"] = d["code"];
      } else if (a.basis.kind == B::PerCourse) {
        repeat["count"] = *a.regimen.dividedInto;
      } else {
        throw Refuse{a.range, "'divided into' a dose given per dose has no FHIR Timing"};
      }
    }
    if (a.regimen.maxDoses && !repeat.contains("count")) {
      repeat["count"] = 1;
      if (*a.regimen.maxDoses > 1) repeat["countMax"] = *a.regimen.maxDoses;
    }
    // A taper (docs/semantics.md, "Tapers"): after the `for` span, a second
    // Dosage (sequence 2) with its length and the fall in words, no amount
    // (its shape is not stated). With no `for` the amount given is where a
    // fall of unstated shape starts: no Dosage says that, unless no amount
    // is given at all.
    std::optional<json> taper;
    if (a.taperHi) {
      std::string fall = "taper to none over " + formatDurations(*a.taperLo, *a.taperHi) + "; the shape of the fall is not stated";
      json bounds = *a.taperLo == *a.taperHi
                        ? json{{"boundsDuration", duration(*a.taperLo, a.range)}}
                        : json{{"boundsRange", {{"low", duration(*a.taperLo, a.range)}, {"high", duration(*a.taperHi, a.range)}}}};
      if (a.durationLo || a.durationHi) {
        dosage["sequence"] = 1;
        taper = json{{"sequence", 2}, {"text", "then " + fall}, {"timing", {{"repeat", bounds}}}};
      } else if (given) {
        throw Refuse{a.range, "the taper of '" + a.name + "' from its first dose (no 'for' before it) has no FHIR R4 Dosage element: its amount is where a fall of unstated shape starts"};
      } else {
        dosage["text"] = (dosage.contains("text") ? dosage["text"].get<std::string>() + "; " : std::string()) + fall;
        for (auto &[k, v] : bounds.items()) repeat[k] = v;
      }
    }
    if (a.durationLo || a.durationHi) {
      Rational lo = a.durationLo ? *a.durationLo : *a.durationHi, hi = a.durationHi ? *a.durationHi : lo;
      if (lo == hi) {
        repeat["boundsDuration"] = duration(lo, a.range);
      } else {
        repeat["boundsRange"] = {{"low", duration(lo, a.range)}, {"high", duration(hi, a.range)}};
      }
    }
    if (a.over) {
      // `over X .. Y`: duration .. durationMax, in one unit of time.
      auto [code, f] = commonUnit(*a.over, a.overHigh.value_or(*a.over), a.range);
      repeat["duration"] = number(*a.over / f);
      if (a.overHigh) repeat["durationMax"] = number(*a.overHigh / f);
      repeat["durationUnit"] = code;
    }
    if (!repeat.empty()) dosage["timing"] = {{"repeat", repeat}};
    if (!a.route.empty()) dosage["route"] = codeable(ir::CodeBinding::Target::Route, a.route);
    else if (!drug.route.empty() && drug.routes.size() <= 1) dosage["route"] = codeable(ir::CodeBinding::Target::Route, drug.route);

    // The amount: per dose a dose, per unit of time a rate, a total over
    // an infusion time a rate over it; capped (`max`) inside the value.
    if (given) {
      json unit = quantityUnit(given.low->type.dim, a.range);
      json dr = json::object();
      const std::string base = mr + ".doseAndRate[0]";
      switch (a.basis.kind) {
        case B::None:
        case B::PerDose:
        case B::PerCourse:
          if (a.basis.kind == B::PerCourse && !a.regimen.dividedInto && !(a.regimen.maxDoses && *a.regimen.maxDoses == 1)) {
            if (!a.over)
              throw Refuse{a.range, "a total amount of '" + a.name +
                                        "' with neither `over`, `divided into` nor `once` has no FHIR R4 Dosage element"};
            if (given.isRange())
              throw Refuse{a.range, "a total range of '" + a.name + "' over an infusion time has no FHIR R4 Dosage element"};
            // rateRatio has one denominator: a total over X .. Y is a range of rates.
            if (a.overHigh)
              throw Refuse{a.range, "a total amount of '" + a.name + "' over an infusion time range has no FHIR R4 Dosage element"};
            json den = duration(*a.over, a.range);
            dr["rateRatio"] = {{"numerator", amount(given.low, unit, base + ".rateRatio.numerator", dynamic)}, {"denominator", den}};
            break;
          }
          if (a.basis.kind == B::PerCourse && a.regimen.dividedInto) {
            // Each dose is the total divided by the count (Timing.repeat.count).
            ir::ExprRef n = ir::build::number(Rational(*a.regimen.dividedInto));
            auto share = [&](const ir::ExprRef &e) { return ir::build::binary(ir::Op::Div, e, n, e->range); };
            if (given.isRange())
              dr["doseRange"] = {{"low", amount(share(given.low), unit, base + ".doseRange.low", dynamic)},
                                 {"high", amount(share(given.high), unit, base + ".doseRange.high", dynamic)}};
            else
              dr["doseQuantity"] = amount(share(given.low), unit, base + ".doseQuantity", dynamic);
            break;
          }
          if (given.isRange())
            dr["doseRange"] = {{"low", amount(given.low, unit, base + ".doseRange.low", dynamic)},
                               {"high", amount(given.high, unit, base + ".doseRange.high", dynamic)}};
          else
            dr["doseQuantity"] = amount(given.low, unit, base + ".doseQuantity", dynamic);
          break;
        case B::PerTime: {
          json d = duration(a.basis.span, a.range);
          if (d["value"] != 1) throw Refuse{a.range, "the basis per " + a.basis.timeUnit + " is not one unit of time"};
          json rate = unit;
          std::string code = per(unit.contains("code") ? unit["code"].get<std::string>() : unit["unit"].get<std::string>(),
                                 d["code"].get<std::string>());
          rate["unit"] = code;
          if (rate.contains("code")) rate["code"] = code;
          if (given.isRange())
            dr["rateRange"] = {{"low", amount(given.low, rate, base + ".rateRange.low", dynamic)},
                               {"high", amount(given.high, rate, base + ".rateRange.high", dynamic)}};
          else
            dr["rateQuantity"] = amount(given.low, rate, base + ".rateQuantity", dynamic);
          break;
        }
        case B::Rate:
          // A continuous infusion: the dose is the rate (mg/h).
          if (given.isRange())
            dr["rateRange"] = {{"low", amount(given.low, unit, base + ".rateRange.low", dynamic)},
                               {"high", amount(given.high, unit, base + ".rateRange.high", dynamic)}};
          else
            dr["rateQuantity"] = amount(given.low, unit, base + ".rateQuantity", dynamic);
          break;
      }
      dosage["doseAndRate"] = json::array({dr});
      // The limits are amounts: a continuous infusion's rate times a time.
      limits(a, drug,
             a.basis.kind == B::Rate ? quantityUnit(given.low->type.dim * ir::Dimension{{{"duration", 1}}}, a.range) : unit,
             dosage, dynamic, mr);
    }
    ad["dosage"] = json::array({dosage});
    if (taper) ad["dosage"].push_back(*taper);
    if (!related.empty()) ad["relatedArtifact"] = related;
    if (!dynamic.empty()) ad["dynamicValue"] = dynamic;
    activities_.push_back(ad);
    activityByKey_[key] = url;
    return url;
  }

  // The drug's limits that bind this give: per dose as
  // maxDosePerAdministration, per unit of time as maxDosePerPeriod; several
  // of one kind as their least (per kg through the dosing weight).
  void limits(const ir::Action &a, const ir::Drug &drug, const json &unit, json &dosage, json &dynamic, const std::string &mr) {
    std::vector<const ir::Limit *> perDose, perTime;
    for (const ir::Limit &l : drug.limits) {
      if (!ir::limitApplies(a, l)) continue;
      switch (l.basis.kind) {
        case ir::Basis::Kind::None:
        case ir::Basis::Kind::PerDose: perDose.push_back(&l); break;
        case ir::Basis::Kind::PerTime:
          if (!perTime.empty() && perTime.front()->basis.span != l.basis.span)
            throw Refuse{l.range, "limits of '" + drug.name + "' per different periods: FHIR R4 has one maxDosePerPeriod"};
          perTime.push_back(&l);
          break;
        case ir::Basis::Kind::PerCourse:
          throw Refuse{l.range, "the per-course limit '" + l.display + "' of '" + drug.name + "' has no FHIR R4 Dosage element"};
        case ir::Basis::Kind::Rate:
          // Dosage has maxDosePerPeriod, -PerAdministration, -PerLifetime: no maximum rate.
          throw Refuse{l.range, "the rate limit '" + l.display + "' of '" + drug.name + "' has no FHIR R4 Dosage element"};
      }
    }
    auto least = [&](const std::vector<const ir::Limit *> &ls) {
      std::vector<ir::ExprRef> terms;
      for (const ir::Limit *l : ls) {
        ir::ExprRef amountE = ir::build::number(l->amount, l->dim, l->range);
        if (l->perWeight) {
          if (p_.dosingWeight < 0) throw Refuse{l->range, "the per-weight limit '" + l->display + "' needs a dosing weight"};
          const ir::Input &w = p_.inputs[p_.dosingWeight];
          amountE = ir::build::binary(ir::Op::Mul, amountE, ir::build::input(p_.dosingWeight, w.type, l->range, w.optional), l->range);
        }
        terms.push_back(amountE);
      }
      return terms.size() == 1 ? terms[0] : ir::build::nary(ir::Op::Min, terms);
    };
    if (!perDose.empty()) dosage["maxDosePerAdministration"] = amount(least(perDose), unit, mr + ".maxDosePerAdministration", dynamic);
    if (!perTime.empty()) {
      json d = duration(perTime.front()->basis.span, perTime.front()->range);
      dosage["maxDosePerPeriod"] = {{"numerator", amount(least(perTime), unit, mr + ".maxDosePerPeriod.numerator", dynamic)},
                                    {"denominator", d}};
    }
  }

  // ---------------------------------------------------------------- FHIRPath

  // A FHIRPath number: the decimal, or the quotient when it has no finite
  // decimal form.
  static std::string literal(const Rational &c) {
    auto places = decimalPlaces(c);
    std::string s = places ? c.decimal(*places) : "(" + std::to_string(c.num()) + " / " + std::to_string(c.den()) + ")";
    return c.sign() < 0 ? "(" + s + ")" : s;
  }

  std::string input(int i) {
    const ir::Input &in = p_.inputs[i];
    std::string x = "%" + in.name;
    if (in.type.kind != Kind::Number) return x;
    const Stated &c = columns_[i];
    if (c.factor != Rational(1)) x = "(" + x + " * " + literal(c.factor) + ")";
    if (!c.offset.isZero()) x = "(" + x + " + " + literal(c.offset) + ")";
    return x;
  }

  static bool isNumberConst(const ir::Expr &e) { return e.op == ir::Op::Const && e.type.kind == Kind::Number && !e.constant.missing; }

  static const char *opText(ir::Op op) {
    switch (op) {
      case ir::Op::Eq: return " = ";
      case ir::Op::Ne: return " != ";
      case ir::Op::Lt: return " < ";
      case ir::Op::Le: return " <= ";
      case ir::Op::Gt: return " > ";
      case ir::Op::Ge: return " >= ";
      default: return " ? ";
    }
  }

  static ir::Op flip(ir::Op op) {
    switch (op) {
      case ir::Op::Lt: return ir::Op::Gt;
      case ir::Op::Le: return ir::Op::Ge;
      case ir::Op::Gt: return ir::Op::Lt;
      case ir::Op::Ge: return ir::Op::Le;
      default: return op;
    }
  }

  std::string compare(const ir::Expr &e) {
    const ir::Expr &a = *e.args.at(0), &b = *e.args.at(1);
    // An input against a constant: in the input's stated unit, exactly.
    for (auto [x, c, op] : {std::tuple{&a, &b, e.op}, std::tuple{&b, &a, flip(e.op)}}) {
      if (x->op != ir::Op::Input || !isNumberConst(*c)) continue;
      const Stated &col = columns_[x->index];
      Rational stated = (c->constant.number - col.offset) / col.factor;  // factor > 0: the order is kept
      if (!decimalPlaces(stated)) continue;
      return "(%" + p_.inputs[x->index].name + opText(op) + literal(stated) + ")";
    }
    return "(" + num(a) + opText(e.op) + num(b) + ")";
  }

  std::string num(const ir::Expr &e) {
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return "{}";
        return literal(e.constant.number);
      case ir::Op::Input: return input(e.index);
      case ir::Op::Define: return "(" + num(*p_.defines.at(e.index).value) + ")";
      case ir::Op::Add: return "(" + num(*e.args.at(0)) + " + " + num(*e.args.at(1)) + ")";
      case ir::Op::Sub: return "(" + num(*e.args.at(0)) + " - " + num(*e.args.at(1)) + ")";
      case ir::Op::Mul: return "(" + num(*e.args.at(0)) + " * " + num(*e.args.at(1)) + ")";
      case ir::Op::Div: return "(" + num(*e.args.at(0)) + " / " + num(*e.args.at(1)) + ")";
      case ir::Op::Neg: return "(0 - " + num(*e.args.at(0)) + ")";
      case ir::Op::Min:
      case ir::Op::Max: {
        // Pairwise; missing when an operand is (iif would pick the other).
        std::string acc = num(*e.args.at(0));
        for (size_t k = 1; k < e.args.size(); ++k) {
          std::string b = num(*e.args[k]);
          acc = "iif((" + acc + ").exists() and (" + b + ").exists(), iif(" + acc + (e.op == ir::Op::Min ? " <= " : " >= ") + b +
                ", " + acc + ", " + b + "), {})";
        }
        return acc;
      }
      case ir::Op::If: return "iif(" + cond(*e.args.at(0)) + ", " + num(*e.args.at(1)) + ", " + num(*e.args.at(2)) + ")";
      default: break;
    }
    throw Refuse{e.range, "'" + ir::toString(p_, e) + "' is not arithmetic FHIRPath can compute"};
  }

  std::string value(const ir::Expr &e) {
    if (e.type.kind == Kind::Bool) return cond(e);
    if (e.type.kind == Kind::Number) return num(e);
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return "{}";
        if (e.type.kind == Kind::Enum) return fpString(p_.enums.at(e.type.enumType).members.at(e.constant.member));
        return fpString(e.constant.text);
      case ir::Op::Input: return input(e.index);
      case ir::Op::Define: return "(" + value(*p_.defines.at(e.index).value) + ")";
      case ir::Op::If: return "iif(" + cond(*e.args.at(0)) + ", " + value(*e.args.at(1)) + ", " + value(*e.args.at(2)) + ")";
      default: break;
    }
    throw Refuse{e.range, "'" + ir::toString(p_, e) + "' is not a value FHIRPath can compute"};
  }

  std::string cond(const ir::Expr &e) {
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) return "{}";
        return e.constant.boolean ? "true" : "false";
      case ir::Op::Input: return input(e.index);
      case ir::Op::Define: return "(" + cond(*p_.defines.at(e.index).value) + ")";
      case ir::Op::Not: return "(" + cond(*e.args.at(0)) + ").not()";
      case ir::Op::And:
      case ir::Op::Or: {
        std::string out = "(";
        for (size_t k = 0; k < e.args.size(); ++k) out += (k ? (e.op == ir::Op::And ? " and " : " or ") : "") + cond(*e.args[k]);
        return out + ")";
      }
      case ir::Op::Eq:
      case ir::Op::Ne:
        if (e.args.at(0)->type.kind == Kind::Number) return compare(e);
        return "(" + value(*e.args.at(0)) + opText(e.op) + value(*e.args.at(1)) + ")";
      case ir::Op::Lt:
      case ir::Op::Le:
      case ir::Op::Gt:
      case ir::Op::Ge:
        if (e.args.at(0)->type.kind == Kind::Number) return compare(e);
        break;
      case ir::Op::Known: return "(" + value(*e.args.at(0)) + ").exists()";
      case ir::Op::IsTrue: return "iif(" + cond(*e.args.at(0)) + ", true, false)";
      case ir::Op::If: return "iif(" + cond(*e.args.at(0)) + ", " + cond(*e.args.at(1)) + ", " + cond(*e.args.at(2)) + ")";
      case ir::Op::Count: {
        // At least `least` items are true, at most `most` may be.
        std::string t, u;
        for (size_t k = 0; k < e.args.size(); ++k) {
          std::string c = cond(*e.args[k]);
          t += (k ? " + " : "") + std::string("iif(") + c + ", 1, 0)";
          u += (k ? " + " : "") + std::string("iif((") + c + ").empty(), 1, 0)";
        }
        std::string least = "(" + t + ")", most = "(" + t + " + " + u + ")", k = std::to_string(e.index);
        switch (e.counting) {
          case Counting::AtLeast: return "iif(" + least + " >= " + k + ", true, iif(" + most + " < " + k + ", false, {}))";
          case Counting::AtMost: return "iif(" + most + " <= " + k + ", true, iif(" + least + " > " + k + ", false, {}))";
          case Counting::Exactly:
            return "iif(" + least + " = " + k + " and " + most + " = " + k + ", true, iif(" + least + " > " + k + " or " + most +
                   " < " + k + ", false, {}))";
        }
        break;
      }
      default: break;
    }
    throw Refuse{e.range, "'" + ir::toString(p_, e) + "' is not a condition FHIRPath can compute"};
  }
};

}  // namespace

std::optional<std::string> emitFhir(const ir::Protocol &p, const FhirOptions &options, DiagnosticEngine &diags) {
  FhirWriter w(p, options);
  try {
    return w.document();
  } catch (const Refuse &r) {
    diags.report(DiagId::err_fhir_not_expressible, r.range, r.what);
    return std::nullopt;
  }
}

}  // namespace carepath::backends
