// IR -> DMN 1.3 XML (see Dmn.h and docs/interop.md).
//
// Each pathway and each table becomes one <decision> with a <decisionTable>.
// A rule's guard goes through the column analysis (Columns.h) after being
// conjoined with the population (outside it nothing fires, as in the
// runtime); a guard with several rows becomes several DMN rules, made
// pairwise disjoint so that a carepath rule matches at most once: UNIQUE
// then sees overlaps only between different carepath rules, and COLLECT
// never repeats a rule. Numbers are in canonical units (mass mg, duration
// h, ...), the IR's own, so no conversion can lose anything.
#include "backends/Dmn.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "ir/Columns.h"
#include "backends/Feel.h"
#include "carepath/Quantity.h"
#include "ir/PatientInput.h"

namespace carepath::backends {

// The column analysis (ir/Columns.h) is named as Feel.h brings it in.

namespace {

using Kind = ir::Type::Kind;

std::string xml(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

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
  }
  return "UNIQUE";
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

class Emitter {
public:
  Emitter(const ir::Protocol &p, const DmnOptions &o, DiagnosticEngine &diags) : p_(p), o_(o), diags_(diags) {}

  std::optional<std::string> document() {
    // The population once, so a non-tabular population is reported once.
    if (p_.population) {
      auto pop = toColumns(p_, *p_.population);
      if (auto *err = std::get_if<ColumnsError>(&pop)) {
        diags_.report(DiagId::err_condition_not_tabular, err->range.valid() ? err->range : p_.population->range,
                      "the population", err->message);
        return std::nullopt;
      }
    }
    for (const ir::Input &in : p_.inputs)
      if (feel::reserved(in.name)) {
        diags_.report(DiagId::err_condition_not_tabular, in.range, "input '" + in.name + "'",
                      "'" + in.name + "' is a reserved word of FEEL, the DMN expression language; rename the input");
        failed_ = true;
      }
    if (failed_) return std::nullopt;

    std::vector<std::string> decisions;
    for (size_t i = 0; i < p_.pathways.size(); ++i) decisions.push_back(pathway(static_cast<int>(i)));
    for (const ir::Table &t : p_.tables) decisions.push_back(table(t));
    if (failed_) return std::nullopt;

    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x << "<definitions xmlns=\"https://www.omg.org/spec/DMN/20191111/MODEL/\" id=\"" << xml(id("carepath", p_.name))
      << "\" name=\"" << xml(p_.name) << "\" namespace=\"https://carepath.invalid/protocols/" << xml(p_.name) << "/"
      << xml(p_.version) << "\" exporter=\"carepath\" exporterVersion=\"" << xml(o_.compilerVersion) << "\">\n";
    x << "  <description>" << text(modelDescription()) << "</description>\n";
    for (const ir::Input &in : p_.inputs) x << inputData(in);
    for (const ir::Source &s : p_.sources)
      x << "  <knowledgeSource id=\"" << xml(id("source", s.id)) << "\" name=\"" << xml(s.id) << "\">\n"
        << "    <description>" << text(s.text) << "</description>\n  </knowledgeSource>\n";
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
    std::string extra;  // pathway tiers: "after first_line; failed when ..."
    SourceRange range;
  };
  struct Decision {
    std::string name, description, kind;  // kind: "pathway" | "table"
    ir::HitPolicy hit = ir::HitPolicy::Unique;
    ir::Citations citations;
    std::vector<SourceRule> rules;
  };

  static std::string id(const std::string &prefix, const std::string &name) { return prefix + "." + name; }

  std::string modelDescription() {
    return p_.title + " (carepath protocol " + p_.name + " " + p_.version + ", verification: " + o_.verificationStatus +
           "). Numbers are in the canonical unit of their dimension (" + canonicalUnits() +
           "): give every input in that unit; doses come out in it. Outside the population (" +
           (p_.population ? ir::toString(p_, *p_.population) : std::string("every patient")) +
           ") no rule matches. Generated by carepath; do not edit.";
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

  std::string inputData(const ir::Input &in) {
    std::string desc = in.description;
    if (in.type.kind == Kind::Number) {
      std::string unit = in.type.dim.dimensionless() ? "" : " " + canonicalUnit(in.type.dim);
      desc += (desc.empty() ? "" : "; ") + std::string("number") + (in.type.integer ? " (whole)" : "") +
              (unit.empty() ? "" : " in" + unit + " (canonical unit)");
      if (in.lo && in.hi) {
        desc += ", " + feel::number(*in.lo) + " .. " + feel::number(*in.hi) + unit;
        // The range as the author wrote it, when that is another unit: the
        // tests stay canonical (FEEL engines compare binary doubles, where
        // 3 mg/dL is no exact multiple of mg/mL), the reader sees both.
        const ir::Unit &du = in.displayUnit;
        if (!du.name.empty() && (du.factor != Rational(1) || du.affine()))
          desc += " (declared " + formatQuantity(*in.lo, du.factor, du.name, du.offset) + " .. " +
                  formatQuantity(*in.hi, du.factor, du.name, du.offset) + ")";
      }
    } else if (in.type.kind == Kind::Enum) {
      desc += (desc.empty() ? "" : "; ") + std::string("one of ") + join(p_.enums[in.type.enumType].members, ", ");
    } else if (in.type.kind == Kind::String) {
      desc += (desc.empty() ? "" : "; ") + std::string("any string");  // open: no inputValues list
    }
    if (in.unspecified) desc += "; unspecified: " + *in.unspecified;
    if (!in.citations.empty()) desc += " [" + join(in.citations, ", ") + "]";
    std::ostringstream x;
    x << "  <inputData id=\"" << xml(id("input", in.name)) << "\" name=\"" << xml(in.name) << "\">\n"
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
    Decision d{t.name, t.description, "table", t.hit, t.citations, {}};
    for (const ir::Rule &rule : t.rules)
      d.rules.push_back({rule.name, rule.priority, rule.guard, &rule.actions, rule.citations, "", rule.range});
    return decision(d);
  }

  // The guard conjoined with the population, as disjoint rows.
  std::optional<std::vector<Row>> rows(const Decision &d, const SourceRule &r) {
    ir::ExprRef e = r.guard;
    if (p_.population) e = e ? ir::build::nary(ir::Op::And, {p_.population, e}, e->range) : p_.population;
    std::string where = std::string(d.kind == "pathway" ? "tier '" : "rule '") + d.name + "." + r.name + "'";
    if (!e) return std::vector<Row>{Row{}};
    auto result = toColumns(p_, *e);
    if (auto *err = std::get_if<ColumnsError>(&result)) {
      diags_.report(DiagId::err_condition_not_tabular, err->range.valid() ? err->range : r.range, where, err->message);
      return std::nullopt;
    }
    auto out = disjoint(p_, std::get<Columns>(result).rows, o_.maxRulesPerTable);
    if (!out) {
      diags_.report(DiagId::err_dmn_too_many_rules, r.range, where, std::to_string(o_.maxRulesPerTable));
      return std::nullopt;
    }
    return out;
  }

  std::string optionalNumber(const std::optional<Rational> &r) { return r ? feel::number(*r) : "null"; }
  static std::string optionalString(const std::optional<std::string> &s) { return s ? feel::string(*s) : "null"; }

  // One action as a FEEL context; the amount given in canonical units
  // (ir::givenAmount: the dose, capped).
  std::optional<std::string> action(const ir::Action &a) {
    std::vector<std::string> f{"kind: " + feel::string(ir::spelling(a.kind))};
    switch (a.kind) {
      case ir::ActionKind::Give: {
        f.push_back("name: " + feel::string(a.name));
        std::string dose = "null";
        if (ir::ExprRef amount = ir::givenAmount(a)) {
          auto d = feel::expression(p_, *amount);
          if (!d) {
            diags_.report(DiagId::err_dose_not_compilable, amount->range, a.name,
                          "'" + ir::toString(p_, *amount) + "' is not arithmetic on numbers");
            return std::nullopt;
          }
          dose = *d;
        }
        f.push_back("dose: " + dose);
        f.push_back("unit: " + (a.dose ? feel::string(canonicalUnit(a.dose->type.dim)) : std::string("null")));
        f.push_back("basis: " + feel::string(a.basis.str()));
        f.push_back("forLo: " + optionalNumber(a.durationLo));
        f.push_back("forHi: " + optionalNumber(a.durationHi));
        f.push_back("over: " + optionalNumber(a.over));
        f.push_back("reason: " + optionalString(a.doseUnspecified));
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
        break;
      }
    }
    return "{" + join(f, ", ") + "}";
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
    std::vector<std::vector<Row>> rowsOf;
    size_t total = 0;
    for (const SourceRule &r : d.rules) {
      auto rs = rows(d, r);
      if (!rs) { failed_ = true; return ""; }
      total += rs->size();
      rowsOf.push_back(std::move(*rs));
    }
    if (total > o_.maxRulesPerTable) {
      diags_.report(DiagId::err_dmn_too_many_rules, d.rules.front().range, d.kind + " '" + d.name + "'",
                    std::to_string(o_.maxRulesPerTable));
      failed_ = true;
      return "";
    }
    std::set<int> used;
    for (const auto &rs : rowsOf)
      for (const Row &row : rs)
        for (const InputCondition &c : row.conditions) used.insert(c.input);
    std::vector<int> inputs(used.begin(), used.end());

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
    std::string desc = d.kind + " " + d.name + (d.description.empty() ? "" : ": " + d.description);
    if (!d.citations.empty()) desc += " [" + join(d.citations, ", ") + "]";
    x << "    <description>" << text(desc) << "</description>\n";
    x << "    <variable id=\"" << xml(did + ".variable") << "\" name=\"" << xml(d.name) << "\"/>\n";
    for (int i : inputs)
      x << "    <informationRequirement id=\"" << xml(did + ".requires." + p_.inputs[i].name)
        << "\">\n      <requiredInput href=\"#" << xml(id("input", p_.inputs[i].name)) << "\"/>\n"
        << "    </informationRequirement>\n";
    for (const ir::Source &s : p_.sources)
      if (cited.count(s.id))
        x << "    <authorityRequirement id=\"" << xml(did + ".cites." + s.id) << "\">\n      <requiredAuthority href=\"#"
          << xml(id("source", s.id)) << "\"/>\n    </authorityRequirement>\n";
    std::string tid = id("table", d.name);
    x << "    <decisionTable id=\"" << xml(tid) << "\" hitPolicy=\"" << hitPolicy(d.hit) << "\">\n";
    for (int i : inputs) {
      const ir::Input &in = p_.inputs[i];
      x << "      <input id=\"" << xml(tid + ".input." + in.name) << "\" label=\"" << xml(in.name) << "\">\n"
        << "        <inputExpression id=\"" << xml(tid + ".input." + in.name + ".expression") << "\" typeRef=\""
        << typeRef(in.type.kind) << "\">\n          <text>" << text(in.name) << "</text>\n        </inputExpression>\n";
      std::string values = inputValues(in);
      if (!values.empty()) x << "        <inputValues>\n          <text>" << text(values) << "</text>\n        </inputValues>\n";
      x << "      </input>\n";
    }
    if (ruleOutput) {
      x << "      <output id=\"" << xml(tid + ".output.rule") << "\" name=\"" << (d.kind == "pathway" ? "tier" : "rule")
        << "\" typeRef=\"string\">\n";
      if (d.hit == ir::HitPolicy::Priority) x << "        <outputValues>\n          <text>" << text(priorityOrder(d)) << "</text>\n        </outputValues>\n";
      x << "      </output>\n";
    }
    x << "      <output id=\"" << xml(tid + ".output.actions") << "\" name=\"actions\"/>\n";
    x << "      <annotation name=\"citations\"/>\n      <annotation name=\"notes\"/>\n";
    for (size_t k = 0; k < d.rules.size(); ++k) {
      const SourceRule &r = d.rules[k];
      std::vector<std::string> acts;
      for (const ir::Action &a : *r.actions) {
        auto s = action(a);
        if (!s) { failed_ = true; return ""; }
        acts.push_back(*s);
      }
      std::string actionsText = "[" + join(acts, ", ") + "]";
      const std::vector<Row> &rs = rowsOf[k];
      for (size_t j = 0; j < rs.size(); ++j) {
        std::string rdesc = (r.guard ? "when " + ir::toString(p_, *r.guard) : std::string("always")) +
                            (p_.population ? " (within the population)" : "");
        if (rs.size() > 1) rdesc += "; part " + std::to_string(j + 1) + " of " + std::to_string(rs.size());
        if (!r.extra.empty()) rdesc += "; " + r.extra;
        if (r.priority) rdesc += "; priority " + std::to_string(*r.priority);
        x << "      <rule id=\"" << xml(d.name + "." + r.name + "." + std::to_string(j + 1)) << "\">\n"
          << "        <description>" << text(rdesc) << "</description>\n";
        for (int i : inputs) {
          const InputCondition *c = nullptr;
          for (const InputCondition &ic : rs[j].conditions)
            if (ic.input == i) c = &ic;
          std::string entry = "-";
          if (c) {
            feel::UnaryTest t = feel::unaryTest(p_, *c);
            if (t.inexactBound) {
              diags_.report(DiagId::err_dmn_not_decimal, r.guard ? r.guard->range : r.range,
                            std::string(d.kind == "pathway" ? "tier '" : "rule '") + d.name + "." + r.name + "'",
                            t.inexactBound->str() + " (input '" + p_.inputs[i].name + "', canonical units)");
              failed_ = true;
              return "";
            }
            entry = t.text;
          }
          x << "        <inputEntry>\n          <text>" << text(entry) << "</text>\n        </inputEntry>\n";
        }
        if (ruleOutput) x << "        <outputEntry>\n          <text>" << text(feel::string(r.name)) << "</text>\n        </outputEntry>\n";
        x << "        <outputEntry>\n          <text>" << text(actionsText) << "</text>\n        </outputEntry>\n";
        x << "        <annotationEntry>\n          <text>" << text(cites(r.citations)) << "</text>\n        </annotationEntry>\n";
        x << "        <annotationEntry>\n          <text>" << text(notes(*r.actions)) << "</text>\n        </annotationEntry>\n";
        x << "      </rule>\n";
      }
    }
    x << "    </decisionTable>\n  </decision>\n";
    return x.str();
  }

  // An input's domain as a unary test: its range or its members ("" when a
  // bound has no finite decimal: the list is informative only).
  std::string inputValues(const ir::Input &in) {
    if (in.type.kind == Kind::Enum) {
      std::vector<std::string> m;
      for (const std::string &s : p_.enums[in.type.enumType].members) m.push_back(feel::string(s));
      return join(m, ",");
    }
    if (in.type.kind == Kind::Number && in.lo && in.hi) {
      auto lo = feel::decimal(*in.lo), hi = feel::decimal(*in.hi);
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
  bool failed_ = false;
};

}  // namespace

std::optional<std::string> emitDmn(const ir::Protocol &p, const DmnOptions &options, DiagnosticEngine &diags) {
  Emitter e(p, options, diags);
  return e.document();
}

}  // namespace carepath::backends
