// IR -> DMN 1.3 XML (see Dmn.h and docs/interop.md).
//
// Each pathway and each table becomes one <decision> with a <decisionTable>.
// A rule's guard goes through the column analysis (Columns.h) after being
// conjoined with the population (outside it nothing fires, as in the
// runtime); a guard with several rows becomes several DMN rules, made
// pairwise disjoint so that a carepath rule matches at most once: UNIQUE
// then sees overlaps only between different carepath rules, and COLLECT
// never repeats a rule. Each number input is stated in the unit its range
// was declared in (the author's: years, kg) when every bound the export
// writes for it is a finite decimal in that unit, else in the canonical
// unit of its dimension (mass mg, duration h, ...); its label says which
// (`age (years)`). Arithmetic reads such an input times its factor, so
// doses and defines stay canonical (Units below, docs/interop.md).
//
// What unary tests cannot hold exactly (counting, `if`, `known`, inputs
// compared with each other, numeric defines, optional inputs, too many
// rows) goes to a condition column: a FEEL expression tested `true`
// (DmnExpressions.h), next to the unary tests of the conjuncts they can
// hold; the defines it reads become literal-expression decisions.
//
// A protocol with population assumptions gets one more decision table,
// `assumptionsViolated` (COLLECT): one rule per assumption, matching when
// the patient violates it (ir::assumptionViolated), so its value is the
// list of their names in the protocol's order, as the runtime reports them.
#include "backends/Dmn.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "ir/Columns.h"
#include "backends/DmnExpressions.h"
#include "backends/Feel.h"
#include "carepath/Quantity.h"
#include "carepath/Xml.h"
#include "ir/PatientInput.h"

namespace carepath::backends {

// The column analysis (ir/Columns.h) is named as Feel.h brings it in.

namespace {

using Kind = ir::Type::Kind;

// The decision listing the assumptions the patient violates (the name the
// runtime's result gives them: docs/runtime.md).
const char *const kAssumptionsDecision = "assumptionsViolated";

// Attribute values (carepath/Xml.h, shared with the JUnit report and the
// review page); a control character XML cannot hold becomes '?'.
std::string xml(const std::string &s) { return xmlEscape(s, true); }

// Element text: only `&` and `<` must be escaped (and `>` after `]]`);
// quotes stay readable in FEEL strings.
std::string text(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>' && out.size() >= 2 && out.compare(out.size() - 2, 2, "]]") == 0) out += "&gt;";
    else out += c;
  }
  return out;
}

const char *hitPolicy(ir::HitPolicy h) {
  switch (h) {
    case ir::HitPolicy::Unique: return "UNIQUE";
    case ir::HitPolicy::First: return "FIRST";
    case ir::HitPolicy::Priority: return "PRIORITY";
    case ir::HitPolicy::Any: return "ANY";
    case ir::HitPolicy::Collect: return "COLLECT";
    case ir::HitPolicy::RuleOrder: return "RULE ORDER";
    case ir::HitPolicy::OutputOrder: return "OUTPUT ORDER";
  }
  return "UNIQUE";
}

const char *aggregation(ir::Aggregation a) {
  switch (a) {
    case ir::Aggregation::Sum: return "SUM";
    case ir::Aggregation::Min: return "MIN";
    case ir::Aggregation::Max: return "MAX";
    case ir::Aggregation::Count: return "COUNT";
    case ir::Aggregation::None: break;
  }
  return "";
}

const char *typeRef(Kind k) {
  switch (k) {
    case Kind::Bool: return "boolean";
    case Kind::Enum: return "string";
    case Kind::Number: return "number";
    case Kind::String: return "string";
  }
  return "string";
}

std::string join(const std::vector<std::string> &v, const std::string &sep) {
  std::string out;
  for (size_t k = 0; k < v.size(); ++k) out += (k ? sep : "") + v[k];
  return out;
}

// The parts of `r` outside `s`, pairwise disjoint: r and not c1, r and c1
// and not c2, ... for the conditions c1, c2, ... of s.
std::vector<Row> minus(const ir::Protocol &p, const Row &r, const Row &s) {
  if (!conjoinRows(r, s)) return {r};
  std::vector<Row> out;
  Row prefix = r;
  for (const InputCondition &c : s.conditions) {
    InputCondition n = negateCondition(p, c);
    if (conditionSatisfiable(n))
      if (auto piece = conjoinRows(prefix, Row{{n}})) out.push_back(std::move(*piece));
    auto next = conjoinRows(prefix, Row{{c}});
    if (!next) break;
    prefix = std::move(*next);
  }
  return out;
}

// Rows covering the same patients as `rows`, pairwise disjoint; nullopt
// when there would be more than `limit`.
std::optional<std::vector<Row>> disjoint(const ir::Protocol &p, const std::vector<Row> &rows, size_t limit) {
  std::vector<Row> out;
  for (size_t k = 0; k < rows.size(); ++k) {
    std::vector<Row> pieces{rows[k]};
    for (size_t j = 0; j < k && !pieces.empty(); ++j) {
      std::vector<Row> next;
      for (const Row &piece : pieces)
        for (Row &x : minus(p, piece, rows[j])) next.push_back(std::move(x));
      pieces = std::move(next);
      if (pieces.size() + out.size() > limit) return std::nullopt;
    }
    for (Row &x : pieces) out.push_back(std::move(x));
    if (out.size() > limit) return std::nullopt;
  }
  return out;
}

// The unit each input is stated in: for a number input, the candidates in
// the order they are tried (its declared unit when it is a plain scale,
// then the canonical unit, then the other units of its dimension from the
// largest down), and the one in use. An input moves to its next candidate
// when a bound the export writes has no finite decimal form in its unit;
// at its last one that bound is refused. `factors[i]` is 1 for the
// canonical unit (feel::InputFactors).
struct Units {
  enum class Kind { Declared, Canonical, Other };
  struct Candidate {
    Kind kind;
    Rational factor;
    std::string name;  // Other: the unit's UCUM code, else its name
  };
  feel::InputFactors factors;
  std::vector<std::vector<Candidate>> candidates;
  std::vector<size_t> at;
  std::vector<char> refused;  // the declared unit was tried and refused

  Kind kind(int i) const { return candidates[i].empty() ? Kind::Canonical : candidates[i][at[i]].kind; }
  bool declared(int i) const { return kind(i) == Kind::Declared; }
  bool last(int i) const { return at[i] + 1 >= candidates[i].size(); }
  void next(int i) {
    if (declared(i)) refused[i] = 1;
    ++at[i];
    factors[i] = candidates[i][at[i]].factor;
  }
};

// Whether both ends of an input's range are finite decimals in a unit.
bool rangeExact(const ir::Input &in, const Rational &factor) {
  for (const auto &b : {in.lo, in.hi}) {
    if (!b) continue;
    try {
      if (!feel::decimal(*b / factor)) return false;
    } catch (const RationalOverflow &) {
      return false;
    }
  }
  return true;
}

// The candidates of each input, each starting at its first. The declared
// unit only where it is a plain scale (an affine unit's offset would have
// to be added in every test) and the input's range is a finite decimal in
// it; another unit likewise, one per factor (the shortest name, `minute`
// before `minutes`), labelled with its UCUM code when it has one.
Units candidateUnits(const ir::Protocol &p) {
  Units u{feel::InputFactors(p.inputs.size(), Rational(1)), std::vector<std::vector<Units::Candidate>>(p.inputs.size()),
          std::vector<size_t>(p.inputs.size(), 0), std::vector<char>(p.inputs.size(), 0)};
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const ir::Input &in = p.inputs[i];
    if (in.type.kind != Kind::Number) continue;
    auto &cs = u.candidates[i];
    const ir::Unit &du = in.displayUnit;
    if (!du.name.empty() && !du.affine() && du.factor.sign() > 0) {
      if (rangeExact(in, du.factor)) cs.push_back({Units::Kind::Declared, du.factor, du.name});
      else u.refused[i] = 1;
    }
    if (cs.empty() || cs.front().factor != Rational(1)) cs.push_back({Units::Kind::Canonical, Rational(1), ""});
    if (in.type.dim.dimensionless()) continue;
    std::map<Rational, const ir::Unit *, std::greater<Rational>> others;  // largest first
    for (const auto &[name, unit] : p.units) {
      if (unit.dim != in.type.dim || unit.affine() || unit.factor.sign() <= 0 || unit.factor == Rational(1)) continue;
      if (!cs.empty() && cs.front().kind == Units::Kind::Declared && unit.factor == cs.front().factor) continue;
      if (!rangeExact(in, unit.factor)) continue;
      auto [it, fresh] = others.emplace(unit.factor, &unit);
      if (!fresh && name.size() < it->second->name.size()) it->second = &unit;
    }
    for (const auto &[factor, unit] : others)
      cs.push_back({Units::Kind::Other, factor, unit->ucum.empty() ? unit->name : unit->ucum});
  }
  for (size_t i = 0; i < p.inputs.size(); ++i)
    if (!u.candidates[i].empty()) u.factors[i] = u.candidates[i][0].factor;
  return u;
}

class Emitter {
public:
  Emitter(const ir::Protocol &p, const DmnOptions &o, DiagnosticEngine &diags, const Units &units)
      : p_(p), o_(o), diags_(diags), units_(units) {}

  /// Set when a bound of an input has no finite decimal form in the unit
  /// it is stated in and the input has another candidate: state it in
  /// that one and emit again.
  std::optional<int> unscale() const { return unscale_; }

  std::optional<std::string> document() {
    for (const ir::Input &in : p_.inputs)
      if (feel::reserved(in.name)) {
        diags_.report(DiagId::err_condition_not_tabular, in.range, "input '" + in.name + "'",
                      "'" + in.name + "' is a reserved word of FEEL, the DMN expression language; rename the input");
        failed_ = true;
      }
    if (!p_.assumptions.empty()) assumptionsNameFree();
    if (failed_) return std::nullopt;

    std::vector<std::string> decisions;
    for (size_t i = 0; i < p_.pathways.size(); ++i) decisions.push_back(pathway(static_cast<int>(i)));
    for (const ir::Table &t : p_.tables) decisions.push_back(table(t));
    if (!p_.assumptions.empty()) decisions.push_back(assumptions());
    if (failed_) return std::nullopt;
    std::string defines = defineDecisions();
    if (failed_) return std::nullopt;

    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x << "<definitions xmlns=\"https://www.omg.org/spec/DMN/20191111/MODEL/\" id=\"" << xml(id("carepath", p_.name))
      << "\" name=\"" << xml(p_.name) << "\" namespace=\"https://carepath.invalid/protocols/" << xml(p_.name) << "/"
      << xml(p_.version) << "\" exporter=\"carepath\" exporterVersion=\"" << xml(o_.compilerVersion) << "\">\n";
    x << "  <description>" << text(modelDescription()) << "</description>\n";
    x << codes();
    for (size_t i = 0; i < p_.inputs.size(); ++i) x << inputData(static_cast<int>(i));
    for (const ir::Source &s : p_.sources)
      x << "  <knowledgeSource id=\"" << xml(id("source", s.id)) << "\" name=\"" << xml(s.id) << "\">\n"
        << "    <description>" << text(s.text) << "</description>\n  </knowledgeSource>\n";
    x << defines;
    for (const std::string &d : decisions) x << d;
    x << "</definitions>\n";
    return x.str();
  }

private:
  // What one pathway or table becomes.
  struct SourceRule {
    std::string name;
    std::optional<int64_t> priority;
    ir::ExprRef guard;  // effective guard (pathway entry included); null: always
    const std::vector<ir::Action> *actions = nullptr;
    ir::Citations citations;
    std::string extra;  // pathway tiers: "after first_line; failed when ..."; assumptions: the description
    SourceRange range;
    const std::vector<ir::ExprRef> *outputs = nullptr;  // tables: the rule's output values
    std::string note{};  // assumptions: the notes annotation
  };
  struct Decision {
    std::string name, description, kind;  // kind: "pathway" | "table"
    ir::HitPolicy hit = ir::HitPolicy::Unique;
    ir::Citations citations;
    std::vector<SourceRule> rules;
    ir::Aggregation aggregation = ir::Aggregation::None;
    const std::vector<ir::Output> *outputs = nullptr;  // tables: typed output columns
    // The assumptions decision: its rules are assumptions (the guard: the
    // patient violates it), not conjoined with the population (the runtime
    // checks them for every patient), with no actions.
    bool assumptions = false;
  };
  // What one rule of `d` is, as its output column and the diagnostics name it.
  static const char *item(const Decision &d) {
    return d.kind == "pathway" ? "tier" : d.assumptions ? "assumption" : "rule";
  }

  static std::string id(const std::string &prefix, const std::string &name) { return prefix + "." + name; }

  // The terminology codes: DMN 1.3 has no coding element, so the model's
  // <extensionElements> (which every DMN engine keeps and ignores) holds
  // one carepath:code per `code` declaration, in declaration order. None
  // when the protocol declares no code.
  std::string codes() const {
    if (p_.codes.empty()) return "";
    std::ostringstream x;
    x << "  <extensionElements xmlns:carepath=\"https://carepath.invalid/ns/codes\">\n";
    for (size_t k = 0; k < p_.codes.size(); ++k) {
      const ir::CodeBinding &c = p_.codes[k];
      x << "    <carepath:code position=\"" << k + 1 << "\" target=\"" << ir::spelling(c.target) << "\" name=\"" << xml(c.name)
        << "\"";
      if (c.coding) {
        x << " system=\"" << xml(c.coding->system) << "\" code=\"" << xml(c.coding->code) << "\"";
        if (!c.coding->display.empty()) x << " display=\"" << xml(c.coding->display) << "\"";
      }
      if (c.unspecified) x << " unspecified=\"" << xml(*c.unspecified) << "\"";
      x << "/>\n";
    }
    x << "  </extensionElements>\n";
    return x.str();
  }

  std::string modelDescription() {
    return p_.title + " (carepath protocol " + p_.name + " " + p_.version + ", verification: " + o_.verificationStatus +
           "). Give each number input in the unit its label states (`age (years)`): the unit it was declared in, "
           "or the canonical unit of its dimension where a bound has no finite decimal form in that one. Doses and "
           "durations come out in the canonical units (" + canonicalUnits() + "). Outside the population (" +
           (p_.population ? ir::toString(p_, *p_.population) : std::string("every patient")) + ") no rule matches. " +
           (p_.assumptions.empty() ? std::string()
                                   : std::string("Decision ") + kAssumptionsDecision +
                                         " lists the population assumptions the patient violates: the protocol was "
                                         "verified for no such patient, so its decisions for one are unverified. ") +
           "Generated by carepath; do not edit.";
  }

  // "mass in mg, duration in h" for the dimensions the inputs use.
  std::string canonicalUnits() {
    std::vector<std::string> parts;
    std::set<std::string> seen;
    for (const ir::Input &in : p_.inputs)
      if (in.type.kind == Kind::Number && !in.type.dim.dimensionless()) {
        std::string d = in.type.dim.str();
        if (seen.insert(d).second) parts.push_back(d + " in " + canonicalUnit(in.type.dim));
      }
    return parts.empty() ? "dimensionless numbers only" : join(parts, ", ");
  }

  // The canonical unit of a dimension, as the table spells it (UCUM).
  std::string canonicalUnit(const ir::Dimension &dim) {
    return dim.dimensionless() ? "1" : ir::canonicalUnitName(p_, dim);
  }

  // The unit input i is stated in ("" for a plain number).
  std::string unitOf(int i) {
    const ir::Input &in = p_.inputs[i];
    if (in.type.kind != Kind::Number) return "";
    if (units_.declared(i)) return in.displayUnit.name;
    if (units_.kind(i) == Units::Kind::Other) return units_.candidates[i][units_.at[i]].name;
    return in.type.dim.dimensionless() ? "" : canonicalUnit(in.type.dim);
  }

  // A bound of input i with no finite decimal form in its last candidate
  // unit, as the refusal names it (`canonical`: the bound in canonical
  // units).
  std::string inexactBound(int i, const Rational &canonical) {
    const ir::Input &in = p_.inputs[i];
    std::string where = "input '" + in.name + "', canonical units";
    if (units_.candidates[i].size() > 1)
      where += in.type.dim.dimensionless() ? ", nor in its declared unit" : ", nor in the other units of " + in.type.dim.str() + " tried";
    return canonical.str() + " (" + where + ")";
  }

  // After a FEEL writer failed on a bound of an input that has another
  // candidate unit: emit again with it (true).
  bool retry(const dmn::FeelWriter &w) {
    if (!w.unscale || units_.last(*w.unscale)) return false;
    unscale_ = w.unscale;
    return true;
  }
  // What a FEEL writer's failure says.
  std::string inexact(const dmn::FeelWriter &w) {
    return w.unscale ? inexactBound(*w.unscale, w.inexactBound) : w.inexact;
  }

  // An input's label, where a caller reads its unit: "age (years)".
  std::string label(int i) {
    std::string u = unitOf(i);
    return p_.inputs[i].name + (u.empty() ? "" : " (" + u + ")");
  }

  std::string inputData(int index) {
    const ir::Input &in = p_.inputs[index];
    std::string desc = in.description;
    if (in.type.kind == Kind::Number) {
      const ir::Unit &du = in.displayUnit;
      std::string name = unitOf(index), unit = name.empty() ? "" : " " + name;
      std::string canonical = in.type.dim.dimensionless() ? "" : canonicalUnit(in.type.dim);
      desc += (desc.empty() ? "" : "; ") + std::string("number") + (in.type.integer ? " (whole)" : "");
      const Units::Candidate *other =
          units_.kind(index) == Units::Kind::Other ? &units_.candidates[index][units_.at[index]] : nullptr;
      if (units_.declared(index) && name != canonical) {
        desc += " in" + unit + " (the declared unit";
        if (du.factor != Rational(1)) desc += ", worth " + du.factor.str() + (canonical.empty() ? "" : " " + canonical);
        desc += ")";
      } else if (other) {
        // Neither the declared nor the canonical unit holds every bound.
        desc += " in" + unit + " (worth " + other->factor.str() + " " + canonical + "; a bound has no finite decimal form in " +
                (!du.name.empty() && du.name != canonical ? du.name + " nor in " : "") + canonical +
                ": the largest unit of " + in.type.dim.str() + " in which all have one)";
      } else if (!unit.empty()) {
        desc += " in" + unit + " (canonical unit";
        if (units_.refused[index]) desc += "; not " + du.name + ": a bound has no finite decimal form in it";
        else if (du.affine()) desc += "; not " + du.name + ": it has an offset";
        desc += ")";
      }
      if (in.lo && in.hi) {
        const Rational f = units_.factors[index];
        desc += ", " + feel::number(*in.lo / f) + " .. " + feel::number(*in.hi / f) + unit;
        // The range as the author wrote it, when the input is stated in
        // another unit (canonical: a bound with no decimal in the declared
        // unit, or an affine one).
        if (!units_.declared(index) && !du.name.empty() && (du.factor != Rational(1) || du.affine()))
          desc += " (declared " + formatQuantity(*in.lo, du.factor, du.name, du.offset) + " .. " +
                  formatQuantity(*in.hi, du.factor, du.name, du.offset) + ")";
      }
    } else if (in.type.kind == Kind::Enum) {
      desc += (desc.empty() ? "" : "; ") + std::string("one of ") + join(p_.enums[in.type.enumType].members, ", ");
    } else if (in.type.kind == Kind::String) {
      desc += (desc.empty() ? "" : "; ") + std::string("any string");  // open: no inputValues list
    }
    if (in.unspecified) desc += "; unspecified: " + *in.unspecified;
    if (in.optional) desc += std::string(desc.empty() ? "" : "; ") + "optional: null when not known";
    if (!in.citations.empty()) desc += " [" + join(in.citations, ", ") + "]";
    std::ostringstream x;
    x << "  <inputData id=\"" << xml(id("input", in.name)) << "\" name=\"" << xml(in.name) << "\" label=\""
      << xml(label(index)) << "\">\n"
      << "    <description>" << text(desc) << "</description>\n"
      << "    <variable id=\"" << xml(id("input", in.name) + ".variable") << "\" name=\"" << xml(in.name)
      << "\" typeRef=\"" << typeRef(in.type.kind) << "\"/>\n"
      << "  </inputData>\n";
    return x.str();
  }

  std::string pathway(int pi) {
    const ir::Pathway &pw = p_.pathways[pi];
    Decision d{pw.name, pw.description, "pathway", ir::kPathwayHitPolicy, pw.citations, {}};
    for (size_t ti = 0; ti < pw.tiers.size(); ++ti) {
      const ir::Tier &t = pw.tiers[ti];
      SourceRule r{t.name, std::nullopt, p_.tierGuard(pi, static_cast<int>(ti)), &t.actions, t.citations, "", t.range};
      std::vector<std::string> extra;
      if (t.after >= 0) extra.push_back("after " + pw.tiers[t.after].name);
      if (t.failedWhen) extra.push_back("failed when " + ir::toString(p_, *t.failedWhen));
      r.extra = join(extra, "; ");
      d.rules.push_back(std::move(r));
    }
    return decision(d);
  }

  std::string table(const ir::Table &t) {
    Decision d{t.name, t.description, "table", t.hit, t.citations, {}, t.aggregation, &t.outputs};
    for (const ir::Rule &rule : t.rules)
      d.rules.push_back({rule.name, rule.priority, rule.guard, &rule.actions, rule.citations, "", rule.range, &rule.outputs});
    if (t.aggregation != ir::Aggregation::None) {
      // DMN aggregates a decision table with one output column.
      bool actions = false;
      for (const ir::Rule &rule : t.rules) actions = actions || !rule.actions.empty();
      if (t.outputs.size() != 1 || actions) {
        diags_.report(DiagId::err_condition_not_tabular, t.range, "table '" + t.name + "'",
                      std::string("DMN's 'collect ") + carepath::spelling(t.aggregation) +
                          "' aggregates a table with exactly one output column and no other; this table has " +
                          std::to_string(t.outputs.size()) + " output(s)" + (actions ? " and actions" : "") +
                          "; give the aggregated output a table of its own");
        failed_ = true;
        return "";
      }
    }
    return decision(d);
  }

  static std::string where(const Decision &d, const SourceRule &r) {
    if (d.assumptions) return "assumption '" + r.name + "'";
    return std::string(item(d)) + " '" + d.name + "." + r.name + "'";
  }

  // The assumptions decision's name is the protocol's own only when no
  // input, define, pathway or table of it has that name.
  void assumptionsNameFree() {
    auto check = [&](const std::string &name, const char *what, SourceRange at) {
      if (name != kAssumptionsDecision) return;
      diags_.report(DiagId::err_condition_not_tabular, at, std::string(what) + " '" + name + "'",
                    "'" + name + "' names the DMN decision listing the population assumptions the patient violates; "
                    "rename the " + what);
      failed_ = true;
    };
    for (const ir::Input &in : p_.inputs) check(in.name, "input", in.range);
    for (const ir::Define &d : p_.defines) check(d.name, "define", d.range);
    for (const ir::Pathway &pw : p_.pathways) check(pw.name, "pathway", pw.range);
    for (const ir::Table &t : p_.tables) check(t.name, "table", t.range);
  }

  // The assumptions decision (COLLECT): one rule per assumption, in the
  // protocol's order, matching exactly when the patient violates it.
  std::string assumptions() {
    static const std::vector<ir::Action> none;
    Decision d{kAssumptionsDecision,
               "the population assumptions the patient violates, by name in the protocol's order (a missing value "
               "that leaves an assumption's condition unknown does not violate it); the protocol was verified for no "
               "such patient",
               "assumptions", ir::HitPolicy::Collect, {}, {}};
    d.assumptions = true;
    for (const ir::Assumption &a : p_.assumptions) {
      std::string desc = "assume " + a.name + ": " + ir::toString(p_, *a.condition) + "; violated when it is false" +
                         (a.condition->mayBeMissing ? ", not when a missing value leaves it unknown" : "") +
                         (a.module.empty() ? "" : "; from " + a.module);
      std::string note = a.note;
      if (a.unspecified) note += (note.empty() ? "" : "; ") + std::string("unspecified: ") + *a.unspecified;
      d.rules.push_back({a.name, std::nullopt, ir::assumptionViolated(a), &none, a.citations, desc, a.range, nullptr, note.empty() ? "-" : note});
    }
    return decision(d);
  }

  // A condition as disjoint rows of unary tests; nullopt when unary tests
  // cannot hold it exactly: it reads an optional input (a unary test
  // cannot say "unknown"), is not a test of inputs against constants, or
  // needs more than the limit.
  std::optional<std::vector<Row>> tabularRows(const ir::Expr &e) {
    if (dmn::readsOptional(p_, e)) return std::nullopt;
    auto result = toColumns(p_, e);
    auto *c = std::get_if<Columns>(&result);
    if (!c) return std::nullopt;
    auto out = disjoint(p_, c->rows, o_.maxRulesPerTable);
    return out;  // a bound with no decimal form is refused where it is written
  }

  // How one rule's condition is written: rows of unary tests, and a guard
  // column (a FEEL expression tested `true`) for what they cannot hold.
  struct Form {
    std::vector<Row> rows;
    std::optional<std::string> guard;
    std::set<int> guardInputs, guardDefines;
  };

  std::optional<Form> form(const Decision &d, const SourceRule &r) {
    ir::ExprRef e = r.guard;
    if (p_.population && !d.assumptions) e = e ? ir::build::nary(ir::Op::And, {p_.population, e}, e->range) : p_.population;
    if (!e) return Form{{Row{}}, std::nullopt, {}, {}};
    if (auto rows = tabularRows(*e)) return Form{std::move(*rows), std::nullopt, {}, {}};
    return expressionForm(d, r, false);
  }

  // The conjuncts of a guard read as "is true" (IsTrue and `and` looked
  // through: the whole is true exactly when each of them is).
  static void conjuncts(const ir::ExprRef &e, std::vector<ir::ExprRef> &out) {
    if (e->op == ir::Op::IsTrue || e->op == ir::Op::And) {
      for (const ir::ExprRef &a : e->args) conjuncts(a, out);
      return;
    }
    if (e->op == ir::Op::Const && e->type.kind == Kind::Bool && e->constant.boolean) return;  // `population true`
    out.push_back(e);
  }

  // The population and guard as a FEEL condition column, except the
  // conjuncts unary tests can hold, which stay rows of unary tests (`whole`:
  // everything in the column, one DMN rule).
  std::optional<Form> expressionForm(const Decision &d, const SourceRule &r, bool whole) {
    std::vector<ir::ExprRef> items, tab, rest;
    if (p_.population && !d.assumptions) conjuncts(p_.population, items);
    if (r.guard) conjuncts(r.guard, items);
    for (const ir::ExprRef &x : items) {
      bool tabular = !whole && !dmn::readsOptional(p_, *x) && std::holds_alternative<Columns>(toColumns(p_, *x));
      (tabular ? tab : rest).push_back(x);
    }
    Form f{{Row{}}, std::nullopt, {}, {}};
    if (!tab.empty()) {
      ir::ExprRef t = tab.size() == 1 ? tab[0] : ir::build::nary(ir::Op::And, tab, tab[0]->range);
      if (auto rows = tabularRows(*t)) f.rows = std::move(*rows);
      else rest = items;  // too many rows together: all in the column
    }
    if (rest.empty()) return f;
    ir::ExprRef g = rest.size() == 1 ? rest[0] : ir::build::nary(ir::Op::And, rest, rest[0]->range);
    dmn::FeelWriter w(p_, &units_.factors);
    auto text = w.writeGuard(*g);
    if (!text) {
      if (!retry(w))
        diags_.report(DiagId::err_dmn_not_decimal, w.inexactRange.valid() ? w.inexactRange : r.range, where(d, r),
                      inexact(w));
      return std::nullopt;
    }
    f.guard = *text;
    f.guardInputs = std::move(w.inputs);
    f.guardDefines = std::move(w.defines);
    return f;
  }

  // Each define a FEEL guard reads (and each define those read) is a
  // decision with a literal expression, required by the decisions that
  // read it: DMN's decision requirements graph.
  std::string defineDecisions() {
    std::set<int> done;
    std::vector<int> todo(neededDefines_.begin(), neededDefines_.end());
    std::map<int, std::string> out;
    while (!todo.empty()) {
      int i = todo.back();
      todo.pop_back();
      if (!done.insert(i).second) continue;
      const ir::Define &def = p_.defines[i];
      if (feel::reserved(def.name)) {
        diags_.report(DiagId::err_condition_not_tabular, def.range, "define '" + def.name + "'",
                      "'" + def.name + "' is a reserved word of FEEL, the DMN expression language; rename the define");
        failed_ = true;
        continue;
      }
      dmn::FeelWriter w(p_, &units_.factors);
      auto feelText = w.write(*def.value);
      if (!feelText) {
        if (!retry(w))
          diags_.report(DiagId::err_dmn_not_decimal, w.inexactRange.valid() ? w.inexactRange : def.range,
                        "define '" + def.name + "'", inexact(w));
        failed_ = true;
        continue;
      }
      for (int j : w.defines) todo.push_back(j);
      std::string did = id("define", def.name);
      std::string desc = "define " + def.name + " = " + ir::toString(p_, *def.value) +
                         (def.description.empty() ? "" : ": " + def.description);
      if (def.value->mayBeMissing) desc += "; null when a value it needs is missing";
      if (!def.citations.empty()) desc += " [" + join(def.citations, ", ") + "]";
      std::ostringstream x;
      x << "  <decision id=\"" << xml(did) << "\" name=\"" << xml(def.name) << "\">\n"
        << "    <description>" << text(desc) << "</description>\n"
        << "    <variable id=\"" << xml(did + ".variable") << "\" name=\"" << xml(def.name) << "\" typeRef=\""
        << typeRef(def.value->type.kind) << "\"/>\n";
      x << requirements(did, w.inputs, w.defines);
      for (const ir::Source &s : p_.sources)
        if (std::find(def.citations.begin(), def.citations.end(), s.id) != def.citations.end())
          x << "    <authorityRequirement id=\"" << xml(did + ".cites." + s.id) << "\">\n      <requiredAuthority href=\"#"
            << xml(id("source", s.id)) << "\"/>\n    </authorityRequirement>\n";
      x << "    <literalExpression id=\"" << xml(did + ".expression") << "\" typeRef=\"" << typeRef(def.value->type.kind)
        << "\">\n      <text>" << text(*feelText) << "</text>\n    </literalExpression>\n  </decision>\n";
      out[i] = x.str();
    }
    std::string all;
    for (const auto &[i, s] : out) all += s;
    return all;
  }

  // informationRequirement elements: the inputs, then the define decisions.
  std::string requirements(const std::string &did, const std::set<int> &inputs, const std::set<int> &defines) {
    std::ostringstream x;
    for (int i : inputs)
      x << "    <informationRequirement id=\"" << xml(did + ".requires." + p_.inputs[i].name)
        << "\">\n      <requiredInput href=\"#" << xml(id("input", p_.inputs[i].name)) << "\"/>\n"
        << "    </informationRequirement>\n";
    for (int i : defines)
      x << "    <informationRequirement id=\"" << xml(did + ".requires." + p_.defines[i].name)
        << "\">\n      <requiredDecision href=\"#" << xml(id("define", p_.defines[i].name)) << "\"/>\n"
        << "    </informationRequirement>\n";
    return x.str();
  }

  std::string optionalNumber(const std::optional<Rational> &r) { return r ? feel::number(*r) : "null"; }
  static std::string optionalString(const std::optional<std::string> &s) { return s ? feel::string(*s) : "null"; }

  // The FEEL expression of one end of a given amount.
  std::optional<std::string> amountExpression(const ir::Action &a, const ir::ExprRef &amount) {
    auto d = feel::expression(p_, *amount, &units_.factors);
    if (!d) {
      // `if`, `count`, ... in a dose: the condition writer, defines in place.
      dmn::FeelWriter w(p_, &units_.factors);
      w.forDose = true;
      d = w.write(*amount);
      if (!d && w.unscale) {
        if (!retry(w))
          diags_.report(DiagId::err_dmn_not_decimal, w.inexactRange.valid() ? w.inexactRange : amount->range,
                        "the dose of '" + a.name + "'", inexact(w));
        return std::nullopt;
      }
    }
    if (!d)
      diags_.report(DiagId::err_dose_not_compilable, amount->range, a.name,
                    "'" + ir::toString(p_, *amount) + "' is not arithmetic on numbers");
    return d;
  }

  // One action as a FEEL context; the amount given in canonical units
  // (ir::givenAmount: the dose, capped). A dose range gives `dose` (its low
  // end) and `doseHigh`, as the table format gives `amount` and `amountHigh`.
  std::optional<std::string> action(const ir::Action &a) {
    std::vector<std::string> f{"kind: " + feel::string(ir::spelling(a.kind))};
    switch (a.kind) {
      case ir::ActionKind::Give: {
        f.push_back("name: " + feel::string(a.name));
        std::string dose = "null";
        std::optional<std::string> doseHigh;
        if (ir::GivenAmount amount = ir::givenAmount(a)) {
          auto d = amountExpression(a, amount.low);
          if (!d) return std::nullopt;
          dose = *d;
          if (amount.isRange() && !(doseHigh = amountExpression(a, amount.high))) return std::nullopt;
        }
        f.push_back("dose: " + dose);
        if (doseHigh) f.push_back("doseHigh: " + *doseHigh);
        f.push_back("unit: " + (a.dose ? feel::string(canonicalUnit(a.dose->type.dim)) : std::string("null")));
        f.push_back("basis: " + feel::string(a.basis.str()));
        f.push_back("forLo: " + optionalNumber(a.durationLo));
        f.push_back("forHi: " + optionalNumber(a.durationHi));
        f.push_back("over: " + optionalNumber(a.over));
        // `over X .. Y`: only for a range, so every other give exports as before.
        if (a.overHigh) f.push_back("overHigh: " + optionalNumber(a.overHigh));
        // Only for a tapered give, so every other give exports as before.
        if (a.taperHi) {
          f.push_back("taperLo: " + optionalNumber(a.taperLo));
          f.push_back("taperHi: " + optionalNumber(a.taperHi));
        }
        // The regimen as the table format writes it; only when there is one,
        // so a give without one exports as before.
        if (!a.route.empty()) f.push_back("route: " + feel::string(a.route));
        if (!a.regimen.empty()) {
          f.push_back("regimen: " + feel::string(a.regimen.text));
          f.push_back("every: " + optionalNumber(a.regimen.every));
          f.push_back("dividedInto: " + (a.regimen.dividedInto ? std::to_string(*a.regimen.dividedInto) : std::string("null")));
          f.push_back("maxDoses: " + (a.regimen.maxDoses ? std::to_string(*a.regimen.maxDoses) : std::string("null")));
        }
        f.push_back("reason: " + optionalString(a.doseUnspecified));
        // The drug's contraindications that hold ("true") or may hold
        // ("unknown": C is null) for the patient, as the runtime reports
        // them (docs/runtime.md, "Contraindications"); only for a drug that
        // has some, so every other give exports as before.
        if (a.drug >= 0 && !p_.drugs[a.drug].contraindications.empty()) {
          std::vector<std::string> lists;
          for (const ir::Contraindication &c : p_.drugs[a.drug].contraindications) {
            dmn::FeelWriter w(p_, &units_.factors);
            auto cond = w.write(*c.when);
            if (!cond) {
              if (!retry(w))
                diags_.report(DiagId::err_dmn_not_decimal, w.inexactRange.valid() ? w.inexactRange : c.range,
                              "a contraindication of drug '" + p_.drugs[a.drug].name + "'", inexact(w));
              return std::nullopt;
            }
            std::string when = feel::string(ir::toString(p_, *c.when));
            lists.push_back("(if (" + *cond + ") = true then [{when: " + when + ", truth: \"true\"}] else if (" + *cond +
                            ") = false then [] else [{when: " + when + ", truth: \"unknown\"}])");
          }
          f.push_back("contraindications: " + (lists.size() == 1 ? lists[0] : "concatenate(" + join(lists, ", ") + ")"));
        }
        break;
      }
      case ir::ActionKind::Unspecified:
        f.push_back("reason: " + feel::string(a.unspecified ? *a.unspecified : ""));
        break;
      default: {
        f.push_back("name: " + feel::string(a.name));
        static const char *timings[] = {"null", "\"at\"", "\"within\"", "\"over\""};
        f.push_back(std::string("timing: ") + timings[static_cast<int>(a.timing)]);
        f.push_back("timingLo: " + optionalNumber(a.timingLo));
        f.push_back("timingHi: " + optionalNumber(a.timingHi));
        // A time relative to a named event (`within 24 h of presentation`).
        if (a.timingAnchor >= 0) f.push_back("timingAnchor: " + feel::string(p_.inputs[a.timingAnchor].name));
        break;
      }
    }
    if (a.choice >= 0) {  // an alternative of a `one of`: offered, the clinician chooses
      f.push_back("choice: " + std::to_string(a.choice));
      f.push_back("option: " + std::to_string(a.option));
    }
    return "{" + join(f, ", ") + "}";
  }

  // A rule's actions as one FEEL list. An action with `unless C` is in it
  // only when C is false: `if C = false then [a] else []` (null, a missing
  // value, is not false, so it withholds, as ir::offered does).
  std::optional<std::string> actionList(const std::vector<ir::Action> &as) {
    std::vector<std::string> parts, run;
    for (const ir::Action &a : as) {
      auto s = action(a);
      if (!s) return std::nullopt;
      if (!a.unless) {
        run.push_back(*s);
        continue;
      }
      dmn::FeelWriter w(p_, &units_.factors);
      w.forDose = true;
      auto c = w.write(*a.unless);
      if (!c) {
        if (!retry(w))
          diags_.report(DiagId::err_dmn_not_decimal, w.inexactRange.valid() ? w.inexactRange : a.unless->range,
                        "the 'unless' of '" + std::string(ir::spelling(a.kind)) + " " + a.name + "'", inexact(w));
        return std::nullopt;
      }
      if (!run.empty()) parts.push_back("[" + join(run, ", ") + "]");
      run.clear();
      parts.push_back("if (" + *c + ") = false then [" + *s + "] else []");
    }
    if (parts.empty()) return "[" + join(run, ", ") + "]";
    if (!run.empty()) parts.push_back("[" + join(run, ", ") + "]");
    return parts.size() == 1 ? parts[0] : "concatenate(" + join(parts, ", ") + ")";
  }

  // A typed output column's name: "rate", "dose (mg)" for a number in a unit.
  static std::string outputLabel(const ir::Output &o) {
    bool unit = o.type.kind == Kind::Number && !o.type.dim.dimensionless() && !o.displayUnit.name.empty();
    return o.name + (unit ? " (" + o.displayUnit.name + ")" : "");
  }

  // A rule's value of an output as FEEL: numbers in the output's display
  // unit (the author's), enum members as strings.
  std::optional<std::string> outputEntry(const ir::Output &o, const ir::Expr &v, const std::string &where) {
    if (v.op == ir::Op::Const) {
      switch (v.type.kind) {
        case Kind::Bool: return std::string(v.constant.boolean ? "true" : "false");
        case Kind::Enum: return feel::string(p_.enums.at(v.type.enumType).members.at(v.constant.member));
        case Kind::String: return feel::string(v.constant.text);
        case Kind::Number: {
          Rational x = v.constant.number;
          if (!o.displayUnit.name.empty() && !o.displayUnit.affine()) x = x / o.displayUnit.factor;
          if (!feel::decimal(x)) break;
          return feel::number(x);
        }
      }
    }
    if (v.type.kind == Kind::Number) {
      if (auto e = feel::expression(p_, v, &units_.factors)) {
        if (o.displayUnit.name.empty() || o.displayUnit.factor == Rational(1) || o.displayUnit.affine()) return *e;
        return "(" + *e + ") / " + feel::number(o.displayUnit.factor);
      }
    }
    diags_.report(DiagId::err_condition_not_tabular, v.range, where,
                  "its value '" + ir::toString(p_, v) + "' is not a literal or arithmetic on numbers");
    return std::nullopt;
  }

  // Citations as they read in an annotation: "R1, BNFC"; "-" when none.
  static std::string cites(const ir::Citations &c) { return c.empty() ? "-" : join(c, ", "); }

  std::string notes(const std::vector<ir::Action> &as) {
    std::vector<std::string> out;
    for (const ir::Action &a : as) {
      std::string s = std::string(ir::spelling(a.kind)) + (a.name.empty() ? "" : " " + a.name);
      if (!a.note.empty()) s += ": " + a.note;
      if (a.unspecified) s += ": " + *a.unspecified;
      if (a.doseUnspecified) s += ": dose unspecified: " + *a.doseUnspecified;
      if (!a.citations.empty()) s += " [" + join(a.citations, ", ") + "]";
      out.push_back(s);
    }
    return out.empty() ? "-" : join(out, "; ");
  }

  std::string decision(const Decision &d) {
    // Rows first: they decide which inputs the table needs.
    std::vector<Form> forms;
    for (const SourceRule &r : d.rules) {
      auto f = form(d, r);
      if (!f) { failed_ = true; return ""; }
      forms.push_back(std::move(*f));
    }
    auto total = [&] {
      size_t n = 0;
      for (const Form &f : forms) n += f.rows.size();
      return n;
    };
    // Too many DMN rules: the rules with the most rows become one DMN rule
    // each (the whole condition in the condition column), largest first.
    if (total() > o_.maxRulesPerTable) {
      std::vector<size_t> bySize(forms.size());
      for (size_t k = 0; k < forms.size(); ++k) bySize[k] = k;
      std::stable_sort(bySize.begin(), bySize.end(),
                       [&](size_t a, size_t b) { return forms[a].rows.size() > forms[b].rows.size(); });
      for (size_t k : bySize) {
        if (total() <= o_.maxRulesPerTable || forms[k].rows.size() <= 1) break;
        auto f = expressionForm(d, d.rules[k], true);
        if (!f) { failed_ = true; return ""; }
        forms[k] = std::move(*f);
      }
    }
    if (total() > o_.maxRulesPerTable) {
      diags_.report(DiagId::err_dmn_too_many_rules, d.rules.front().range, (d.assumptions ? "" : d.kind + " ") + "'" + d.name + "'",
                    std::to_string(o_.maxRulesPerTable));
      failed_ = true;
      return "";
    }
    std::set<int> used, usedDefines;
    for (const Form &f : forms) {
      for (const Row &row : f.rows)
        for (const InputCondition &c : row.conditions) used.insert(c.input);
      used.insert(f.guardInputs.begin(), f.guardInputs.end());
      usedDefines.insert(f.guardDefines.begin(), f.guardDefines.end());
    }
    neededDefines_.insert(usedDefines.begin(), usedDefines.end());
    // Input columns test the inputs the rows test; a guard reads the others
    // itself (its requirement is listed all the same).
    std::set<int> tested;
    for (const Form &f : forms)
      for (const Row &row : f.rows)
        for (const InputCondition &c : row.conditions) tested.insert(c.input);
    std::vector<int> inputs(tested.begin(), tested.end());

    // Citations of the decision: the table's, its rules' and their actions',
    // in the order the sources are declared.
    std::set<std::string> cited(d.citations.begin(), d.citations.end());
    for (const SourceRule &r : d.rules) {
      cited.insert(r.citations.begin(), r.citations.end());
      for (const ir::Action &a : *r.actions) cited.insert(a.citations.begin(), a.citations.end());
    }

    bool ruleOutput = d.hit != ir::HitPolicy::Any;  // ANY needs equal outputs across rules
    std::string did = id("decision", d.name);
    std::ostringstream x;
    x << "  <decision id=\"" << xml(did) << "\" name=\"" << xml(d.name) << "\">\n";
    std::string desc = d.assumptions ? d.description : d.kind + " " + d.name + (d.description.empty() ? "" : ": " + d.description);
    if (!d.citations.empty()) desc += " [" + join(d.citations, ", ") + "]";
    x << "    <description>" << text(desc) << "</description>\n";
    x << "    <variable id=\"" << xml(did + ".variable") << "\" name=\"" << xml(d.name) << "\"/>\n";
    x << requirements(did, used, usedDefines);
    for (const ir::Source &s : p_.sources)
      if (cited.count(s.id))
        x << "    <authorityRequirement id=\"" << xml(did + ".cites." + s.id) << "\">\n      <requiredAuthority href=\"#"
          << xml(id("source", s.id)) << "\"/>\n    </authorityRequirement>\n";
    std::string tid = id("table", d.name);
    x << "    <decisionTable id=\"" << xml(tid) << "\" hitPolicy=\"" << hitPolicy(d.hit) << "\"";
    if (d.aggregation != ir::Aggregation::None) x << " aggregation=\"" << aggregation(d.aggregation) << "\"";
    x << ">\n";
    const std::vector<ir::Output> noOutputs;
    const std::vector<ir::Output> &typed = d.outputs ? *d.outputs : noOutputs;
    bool aggregated = d.aggregation != ir::Aggregation::None;  // the one output column (table())
    if (aggregated) ruleOutput = false;
    // Typed outputs first, so that OUTPUT ORDER ranks by the first one's
    // values; under PRIORITY the rule column (its priority order) leads.
    bool ruleFirst = d.hit == ir::HitPolicy::Priority;
    for (int i : inputs) {
      const ir::Input &in = p_.inputs[i];
      x << "      <input id=\"" << xml(tid + ".input." + in.name) << "\" label=\"" << xml(label(i)) << "\">\n"
        << "        <inputExpression id=\"" << xml(tid + ".input." + in.name + ".expression") << "\" typeRef=\""
        << typeRef(in.type.kind) << "\">\n          <text>" << text(in.name) << "</text>\n        </inputExpression>\n";
      std::string values = inputValues(i);
      if (!values.empty()) x << "        <inputValues>\n          <text>" << text(values) << "</text>\n        </inputValues>\n";
      x << "      </input>\n";
    }
    // One guard column per rule written as a FEEL expression.
    for (size_t k = 0; k < d.rules.size(); ++k)
      if (forms[k].guard) {
        const std::string cid = tid + ".guard." + d.rules[k].name;
        x << "      <input id=\"" << xml(cid) << "\" label=\"" << xml(d.rules[k].name + " (condition)") << "\">\n"
          << "        <inputExpression id=\"" << xml(cid + ".expression") << "\" typeRef=\"boolean\">\n          <text>"
          << text(*forms[k].guard) << "</text>\n        </inputExpression>\n      </input>\n";
      }
    auto ruleColumn = [&] {
      if (!ruleOutput) return;
      x << "      <output id=\"" << xml(tid + ".output.rule") << "\" name=\"" << item(d)
        << "\" typeRef=\"string\">\n";
      if (d.hit == ir::HitPolicy::Priority) x << "        <outputValues>\n          <text>" << text(priorityOrder(d)) << "</text>\n        </outputValues>\n";
      x << "      </output>\n";
    };
    if (ruleFirst) ruleColumn();
    for (const ir::Output &o : typed) {
      x << "      <output id=\"" << xml(tid + ".output." + o.name) << "\" name=\"" << xml(outputLabel(o)) << "\" typeRef=\""
        << typeRef(o.type.kind) << "\"";
      if (o.type.kind == Kind::Enum) {
        std::vector<std::string> m;
        for (const std::string &s : p_.enums.at(o.type.enumType).members) m.push_back(feel::string(s));
        x << ">\n        <outputValues>\n          <text>" << text(join(m, ",")) << "</text>\n        </outputValues>\n      </output>\n";
      } else {
        x << "/>\n";
      }
    }
    if (!ruleFirst) ruleColumn();
    bool actions = !aggregated && !d.assumptions;
    if (actions) x << "      <output id=\"" << xml(tid + ".output.actions") << "\" name=\"actions\"/>\n";
    x << "      <annotation name=\"citations\"/>\n      <annotation name=\"notes\"/>\n";
    for (size_t k = 0; k < d.rules.size(); ++k) {
      const SourceRule &r = d.rules[k];
      std::optional<std::string> acts = actionList(*r.actions);
      if (!acts) { failed_ = true; return ""; }
      std::string actionsText = *acts;
      const std::vector<Row> &rs = forms[k].rows;
      for (size_t j = 0; j < rs.size(); ++j) {
        std::string rdesc = d.assumptions ? r.extra
                                          : (r.guard ? "when " + ir::toString(p_, *r.guard) : std::string("always")) +
                                                (p_.population ? " (within the population)" : "");
        if (rs.size() > 1) rdesc += "; part " + std::to_string(j + 1) + " of " + std::to_string(rs.size());
        if (!d.assumptions && !r.extra.empty()) rdesc += "; " + r.extra;
        if (r.priority) rdesc += "; priority " + std::to_string(*r.priority);
        x << "      <rule id=\"" << xml(d.name + "." + r.name + "." + std::to_string(j + 1)) << "\">\n"
          << "        <description>" << text(rdesc) << "</description>\n";
        for (int i : inputs) {
          const InputCondition *c = nullptr;
          for (const InputCondition &ic : rs[j].conditions)
            if (ic.input == i) c = &ic;
          std::string entry = "-";
          if (c) {
            feel::UnaryTest t = feel::unaryTest(p_, *c, units_.factors[i]);
            if (t.inexactBound && !units_.last(i)) {
              unscale_ = i;
              failed_ = true;
              return "";
            }
            if (t.inexactBound) {
              // unaryTest gives the bound in the unit it tried.
              Rational canonical = *t.inexactBound;
              try {
                canonical = canonical * units_.factors[i];
              } catch (const RationalOverflow &) {
              }
              diags_.report(DiagId::err_dmn_not_decimal, r.guard ? r.guard->range : r.range, where(d, r),
                            inexactBound(i, canonical));
              failed_ = true;
              return "";
            }
            entry = t.text;
          }
          x << "        <inputEntry>\n          <text>" << text(entry) << "</text>\n        </inputEntry>\n";
        }
        // The guard columns: this rule's holds (true, not false or null).
        for (size_t g = 0; g < d.rules.size(); ++g)
          if (forms[g].guard)
            x << "        <inputEntry>\n          <text>" << (g == k ? "true" : "-") << "</text>\n        </inputEntry>\n";
        auto ruleEntry = [&] {
          if (ruleOutput) x << "        <outputEntry>\n          <text>" << text(feel::string(r.name)) << "</text>\n        </outputEntry>\n";
        };
        if (ruleFirst) ruleEntry();
        for (size_t o = 0; o < typed.size(); ++o) {
          auto v = outputEntry(typed[o], *r.outputs->at(o), "output '" + typed[o].name + "' of rule '" + d.name + "." + r.name + "'");
          if (!v) { failed_ = true; return ""; }
          x << "        <outputEntry>\n          <text>" << text(*v) << "</text>\n        </outputEntry>\n";
        }
        if (!ruleFirst) ruleEntry();
        if (actions) x << "        <outputEntry>\n          <text>" << text(actionsText) << "</text>\n        </outputEntry>\n";
        x << "        <annotationEntry>\n          <text>" << text(cites(r.citations)) << "</text>\n        </annotationEntry>\n";
        x << "        <annotationEntry>\n          <text>" << text(d.assumptions ? r.note : notes(*r.actions))
          << "</text>\n        </annotationEntry>\n";
        x << "      </rule>\n";
      }
    }
    x << "    </decisionTable>\n  </decision>\n";
    return x.str();
  }

  // An input's domain as a unary test: its range or its members ("" when a
  // bound has no finite decimal: the list is informative only).
  std::string inputValues(int i) {
    const ir::Input &in = p_.inputs[i];
    if (in.type.kind == Kind::Enum) {
      std::vector<std::string> m;
      for (const std::string &s : p_.enums[in.type.enumType].members) m.push_back(feel::string(s));
      return join(m, ",");
    }
    if (in.type.kind == Kind::Number && in.lo && in.hi) {
      auto lo = feel::decimal(*in.lo / units_.factors[i]), hi = feel::decimal(*in.hi / units_.factors[i]);
      if (lo && hi) return "[" + *lo + ".." + *hi + "]";
    }
    return "";
  }

  // Rule names in rule order (carepath::ruleOrder), for PRIORITY's output
  // values: the first listed wins.
  static std::string priorityOrder(const Decision &d) {
    std::vector<std::optional<int64_t>> priorities;
    for (const SourceRule &r : d.rules) priorities.push_back(r.priority);
    std::vector<std::string> names;
    for (uint32_t i : carepath::ruleOrder(d.hit, priorities)) names.push_back(feel::string(d.rules[i].name));
    return join(names, ",");
  }

  const ir::Protocol &p_;
  const DmnOptions &o_;
  DiagnosticEngine &diags_;
  const Units &units_;
  bool failed_ = false;
  std::optional<int> unscale_;
  std::set<int> neededDefines_;              // defines read by FEEL guards
};

}  // namespace

std::optional<std::string> emitDmn(const ir::Protocol &p, const DmnOptions &options, DiagnosticEngine &diags) {
  // Each input in its first candidate unit until a bound has no decimal
  // form in it; then that input in its next one and again (a unit once
  // left is never tried again, so the result does not depend on the order
  // bounds are met in). Trial runs report to a scratch engine: a refused
  // unit is no error.
  Units units = candidateUnits(p);
  for (;;) {
    DiagnosticEngine scratch(diags.sources());
    Emitter trial(p, options, scratch, units);
    std::optional<std::string> doc = trial.document();
    if (auto i = trial.unscale()) {
      units.next(*i);
      continue;
    }
    if (doc && scratch.errorCount() == 0 && scratch.warningCount() == 0) return doc;
    break;
  }
  Emitter e(p, options, diags, units);
  return e.document();
}

}  // namespace carepath::backends
