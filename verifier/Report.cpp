#include "verifier/Report.h"
#include "verifier/CourseReach.h"
#include <algorithm>

#include <nlohmann/json.hpp>

#include "basic/DiagnosticPrinter.h"
#include "verifier/Display.h"

namespace carepath::verifier {

using json = nlohmann::ordered_json;

namespace {

DiagId refutedId(PropertyKind kind) {
  switch (kind) {
  case PropertyKind::Population: return DiagId::err_refuted_population;
  case PropertyKind::Reaches: return DiagId::err_refuted_reaches;
  case PropertyKind::TierReachable: return DiagId::err_refuted_tier_reachable;
  case PropertyKind::TierExclusive: return DiagId::err_refuted_tier_exclusive;
  case PropertyKind::TierOrder: return DiagId::err_refuted_tier_order;
  case PropertyKind::TableOverlap: return DiagId::err_refuted_table_overlap;
  case PropertyKind::TableGap: return DiagId::err_refuted_table_gap;
  case PropertyKind::RuleDead: return DiagId::err_refuted_rule_dead;
  case PropertyKind::RuleShadowed: return DiagId::err_refuted_rule_shadowed;
  case PropertyKind::DoseBounded: return DiagId::err_refuted_dose_bounded;
  case PropertyKind::DoseFormulary: return DiagId::err_refuted_dose_formulary;
  case PropertyKind::Assertion: return DiagId::err_refuted_assertion;
  case PropertyKind::ForbiddenAction: return DiagId::err_refuted_forbidden_action;
  case PropertyKind::DoseCeiling: return DiagId::err_refuted_dose_ceiling;
  case PropertyKind::Unspecified: return DiagId::err_refuted_unspecified;
  case PropertyKind::DoseKnown: return DiagId::err_refuted_dose_known;
  case PropertyKind::DivisionSafe: return DiagId::err_refuted_division_safe;
  case PropertyKind::Contraindication: return DiagId::err_refuted_contraindication;
  case PropertyKind::CourseExit: return DiagId::err_refuted_course_exit;
  case PropertyKind::TierReentered: return DiagId::err_refuted_tier_reentered;
  case PropertyKind::ResponderFollowUp: return DiagId::err_refuted_responder_follow_up;
  case PropertyKind::Deadline: return DiagId::err_refuted_deadline;
  case PropertyKind::CourseTrap: return DiagId::err_refuted_course_trap;
  case PropertyKind::Vacuous: return DiagId::warn_vacuous;  // never refuted: a warning
  }
  return DiagId::err_refuted_assertion;  // unreachable: the switch is total
}

/// A quantity as JSON: a number when it is a whole number, else the exact
/// fraction as a string ("1000/3"), never a rounded float.
json exactJson(const Rational &canonical, const ir::Unit &unit) {
  Rational v = unit.factor.isZero() ? canonical : (canonical - unit.offset) / unit.factor;
  if (v.isInteger()) return v.num();
  return v.str();
}

std::string perText(const ir::Basis &b) {
  switch (b.kind) {
  case ir::Basis::Kind::None:
  case ir::Basis::Kind::PerDose: return "dose";
  case ir::Basis::Kind::PerTime: return b.timeUnit;
  case ir::Basis::Kind::PerCourse: return "total";
  case ir::Basis::Kind::Rate: return "rate";
  }
  return "";
}

json counterexampleJson(const ir::Protocol &p, const std::vector<ir::Value> &patient) {
  json out = json::object();
  for (size_t i = 0; i < patient.size(); ++i) {
    const ir::Input &in = p.inputs[i];
    if (patient[i].missing) out[in.name] = nullptr;  // as in a patient file: null is missing
    else if (in.type.kind == ir::Type::Kind::Bool) out[in.name] = patient[i].boolean;
    else if (in.type.kind == ir::Type::Kind::String) out[in.name] = patient[i].text;
    else out[in.name] = valueText(p, static_cast<int>(i), patient[i]);
  }
  return out;
}

/// A course (docs/verifier.md, "Counterexample courses"): [{record, example}].
json courseJson(const ir::Protocol &p, const std::vector<PropertyResult::CourseStep> &course) {
  json out = json::array();
  for (const PropertyResult::CourseStep &step : course)
    out.push_back({{"record", counterexampleJson(p, step.patient)}, {"example", step.example}});
  return out;
}

/// A record's values as one line: "age = 3 years, fever = true, ...".
std::string valuesText(const json &values) {
  std::string out;
  for (const auto &[name, value] : values.items())
    out += (out.empty() ? "" : ", ") + name + " = " + (value.is_string() ? value.get<std::string>() : value.dump());
  return out;
}

/// SARIF's threadFlowLocation `state`: each input's value as a message.
json sarifState(const json &values) {
  json out = json::object();
  for (const auto &[name, value] : values.items())
    out[name] = {{"text", value.is_string() ? value.get<std::string>() : value.dump()}};
  return out;
}

/// {"solver": "cvc5", "result", "queries", "detail"?, "files"?} (docs/verifier.md).
json crossCheckJson(const CrossCheck &c) {
  json o = {{"solver", "cvc5"}, {"result", spelling(c.outcome)}, {"queries", c.queries}};
  if (!c.detail.empty()) o["detail"] = c.detail;
  if (!c.files.empty()) o["files"] = c.files;
  return o;
}

/// {"coveredBy", "earlier"}?, "instead"?, "conditions"?, "defines"?,
/// "holdsBecause"? (docs/verifier.md, "Explanations").
json explanationJson(const PropertyResult::Explanation &x) {
  json o = json::object();
  if (x.covered) {
    o["coveredBy"] = x.coveredBy;
    o["earlier"] = x.earlier;
  }
  if (x.reaches) o["instead"] = x.instead;
  if (!x.conditions.empty()) o["conditions"] = x.conditions;
  if (!x.defines.empty()) {
    json d = json::object();
    for (const auto &[name, value] : x.defines) d[name] = value;
    o["defines"] = std::move(d);
  }
  if (x.because) o["holdsBecause"] = x.holdsBecause;
  return o;
}

}  // namespace

void reportDiagnostics(const Report &report, DiagnosticEngine &diags) {
  for (const PropertyResult &r : report.properties) {
    Diagnostic *d = nullptr;
    switch (r.status) {
    case Status::Proved: continue;
    case Status::Refuted: d = &diags.report(refutedId(r.kind), r.range, r.message); break;
    case Status::Unknown:
      d = &diags.report(r.crossCheck && r.crossCheck->outcome == CrossCheck::Outcome::Disagreed
                            ? DiagId::err_cross_check_disagreement
                            : DiagId::err_inconclusive,
                        r.range, r.message, r.reason);
      break;
    case Status::Warning:
      d = &diags.report(r.kind == PropertyKind::Unspecified ? DiagId::warn_unspecified
                        : r.kind == PropertyKind::Vacuous  ? DiagId::warn_vacuous
                                                           : DiagId::warn_dose_formulary,
                        r.range, r.message);
      break;
    }
    for (const DiagNote &n : r.related) diags.note(*d, DiagId::note_related, n.range, n.message);
    if (!r.course.empty()) {
      d->detail.push_back("the course from a fresh patient to it (" + std::to_string(r.course.size()) +
                          (r.course.size() == 1 ? " record" : " records") +
                          " before the counterexample; each leads to the next one's course state):");
      for (const PropertyResult::CourseStep &step : r.course)
        if (step.example.empty()) d->detail.push_back("  (a record with a value no example can write)");
        else
          for (const std::string &line : step.example) d->detail.push_back("  " + line);
    }
    if (!r.example.empty()) {
      d->detail.push_back("counterexample (paste into the protocol as an example):");
      for (const std::string &line : r.example) d->detail.push_back("  " + line);
    }
  }
  for (const std::string &e : report.internalErrors) diags.report(DiagId::err_model_check_failed, SourceRange{}, e);
}

std::pair<std::string, std::string> envelopeBounds(const DoseEnvelope &d, bool rate) {
  if (d.never) return {"never given", "never given"};
  const ir::Unit &unit = rate ? d.rate->unit : d.unit;
  // A bound behind a strict comparison is approached, never given: "< 1000 mg".
  auto show = [&](const std::optional<Rational> &v, bool attained, const char *strict) {
    return v ? (attained ? "" : std::string(strict)) + formatQuantity(*v, unit) : std::string("-");
  };
  return {show(rate ? d.rate->min : d.min, d.minAttained, "> "),
          d.unbounded ? "unbounded" : show(rate ? d.rate->max : d.max, d.maxAttained, "< ")};
}

void printSummary(std::ostream &out, const Report &report, const ir::Protocol &p) {
  size_t counts[4] = {0, 0, 0, 0};
  for (const PropertyResult &r : report.properties) ++counts[static_cast<int>(r.status)];
  out << "verify " << p.name << ": " << report.properties.size() << " properties: " << counts[0]
      << (report.crossChecked ? " proved (z3, cvc5), " : " proved, ") << counts[1] << " refuted, " << counts[2]
      << " unknown, " << counts[3] << " warnings\n";
  if (report.crossChecked) {
    size_t outcomes[3] = {0, 0, 0};
    for (const PropertyResult &r : report.properties)
      if (r.crossCheck) ++outcomes[static_cast<int>(r.crossCheck->outcome)];
    out << "cross-checked with cvc5: " << report.stats.crossCheckQueries << " queries; results: " << outcomes[0]
        << " agreed, " << outcomes[1] << " unknown, " << outcomes[2] << " disagreed\n";
  }
  if (!report.doses.empty()) {
    // An envelope over the reachable course states only (who gets the dose
    // reads a course pathway's state) is marked, one mark per set of
    // pathways, and the heading says what each mark means.
    std::vector<std::vector<int>> sets;
    auto mark = [&](const DoseEnvelope &d) -> std::string {
      if (d.restrictedTo.empty()) return "";
      auto it = std::find(sets.begin(), sets.end(), d.restrictedTo);
      if (it == sets.end()) it = sets.insert(sets.end(), d.restrictedTo);
      return " " + std::string(static_cast<size_t>(it - sets.begin()) + 1, '*');
    };
    std::vector<std::array<std::string, 5>> rows{{"drug", "given at", "least", "greatest", "per"}};
    for (const DoseEnvelope &d : report.doses) {
      std::string drug = d.route.empty() ? d.drug : d.drug + " (" + d.route + ")";
      std::string where = d.where + mark(d);
      auto [lo, hi] = envelopeBounds(d);
      rows.push_back({drug, where, lo, hi, perText(d.basis)});
      // An intermittent infusion: its rate on the next row, per its time.
      if (d.rate && !d.never) {
        auto [rlo, rhi] = envelopeBounds(d, true);
        rows.push_back({drug, where, rlo, rhi, "rate over " + d.rate->over});
      }
    }
    out << "dose envelopes over the population";
    for (size_t k = 0; k < sets.size(); ++k)
      out << (k ? "; " : " (") << std::string(k + 1, '*') << " over the course states of "
          << pathwaysText(p, sets[k]) << " reachable from a fresh patient" << (k + 1 == sets.size() ? ")" : "");
    out << ":\n";
    std::array<size_t, 5> width{};
    for (auto &row : rows)
      for (size_t c = 0; c < 5; ++c) width[c] = std::max(width[c], row[c].size());
    for (auto &row : rows) {
      std::string line = " ";
      for (size_t c = 0; c < 5; ++c) {
        line += " " + row[c];
        if (c + 1 < 5) line += std::string(width[c] - row[c].size(), ' ');
      }
      out << line << "\n";
    }
  }
  out << "result: " << spelling(report.verdict()) << "\n";
}

json reportToJson(const Report &report, const ir::Protocol &p, const SourceManager &sources) {
  json props = json::array();
  for (const PropertyResult &r : report.properties) {
    json o = {{"kind", spelling(r.kind)}, {"status", spelling(r.status)}, {"message", r.message},
              {"location", json(locationToJson(sources, r.range))}};
    if (r.status == Status::Unknown) o["reason"] = r.reason;
    if (r.counterexample) o["counterexample"] = counterexampleJson(p, *r.counterexample);
    if (r.counterexample && !p.assumptions.empty()) o["assumptions"] = r.assumptions;
    if (r.witness) o["witness"] = {{"record", counterexampleJson(p, *r.witness)}, {"example", r.example}};
    if (!r.course.empty()) o["course"] = courseJson(p, r.course);
    if (!r.explanation.empty()) o["explanation"] = explanationJson(r.explanation);
    if (r.crossCheck) o["crossCheck"] = crossCheckJson(*r.crossCheck);
    props.push_back(std::move(o));
  }
  json doses = json::array();
  for (const DoseEnvelope &d : report.doses) {
    json o = {{"drug", d.drug}, {"where", d.where}, {"per", perText(d.basis)}, {"unit", d.unit.name}};
    if (!d.route.empty()) o["route"] = d.route;  // only for a give by a named route
    // Only for an envelope over the reachable course states of these pathways.
    if (!d.restrictedTo.empty()) {
      json names = json::array();
      for (int pw : d.restrictedTo) names.push_back(p.pathways[pw].name);
      o["restrictedTo"] = names;
    }
    o["min"] = d.min ? exactJson(*d.min, d.unit) : json(nullptr);
    o["max"] = d.unbounded ? json("unbounded") : d.max ? exactJson(*d.max, d.unit) : json(nullptr);
    // Only for a bound no patient reaches (a strict comparison): absent means attained.
    if (d.min && !d.minAttained) o["minAttained"] = false;
    if (d.max && !d.maxAttained) o["maxAttained"] = false;
    // Only for an intermittent infusion: its rate, reached as the amounts are.
    if (d.rate) {
      const DoseEnvelope::Rate &r = *d.rate;
      o["rate"] = {{"over", r.over},
                   {"unit", r.unit.name},
                   {"min", r.min ? exactJson(*r.min, r.unit) : json(nullptr)},
                   {"max", d.unbounded ? json("unbounded") : r.max ? exactJson(*r.max, r.unit) : json(nullptr)}};
    }
    doses.push_back(std::move(o));
  }
  json out = {{"result", spelling(report.verdict())},
              {"properties", props},
              {"doses", doses},
              {"internalErrors", report.internalErrors}};
  if (report.crossChecked) out["crossCheck"] = {{"solver", "cvc5"}, {"queries", report.stats.crossCheckQueries}};
  return out;
}

json notVerifiedJson() {
  return {{"result", spelling(Verdict::Error)},
          {"properties", json::array()},
          {"doses", json::array()},
          {"internalErrors", json::array()}};
}

json reportToSarifRun(const Report &report, const ir::Protocol &p, const SourceManager &sources) {
  json results = json::array();
  size_t counts[4] = {0, 0, 0, 0};
  for (const PropertyResult &r : report.properties) {
    ++counts[static_cast<int>(r.status)];
    // Only problems are results: code-scanning services (GitHub) turn every
    // result into an alert whatever its kind, so proved properties are
    // counted in the run's properties instead.
    if (r.status == Status::Proved) continue;
    // kind "fail" with a level (SARIF 3.27.9: any other kind has level
    // "none"); an unknown is an error as in text output: it is no proof.
    json res = {{"ruleId", spelling(r.kind)}, {"kind", "fail"},
                {"level", r.status == Status::Warning ? "warning" : "error"}};
    std::string text = r.message;
    if (r.status == Status::Unknown) text += " (" + r.reason + "); this is not a proof";
    res["message"] = {{"text", text}};
    if (r.range.valid()) res["locations"] = json::array({sarifLocation(sources, r.range)});
    json related = json::array();
    for (size_t i = 0; i < r.related.size(); ++i)
      if (r.related[i].range.valid()) {
        json l = sarifLocation(sources, r.related[i].range, r.related[i].message);
        l["id"] = i;
        related.push_back(std::move(l));
      }
    if (!related.empty()) res["relatedLocations"] = related;
    if (r.counterexample) {
      std::string block;
      for (const std::string &line : r.example) block += line + "\n";
      json values = counterexampleJson(p, *r.counterexample);
      std::string patient = valuesText(values);
      // Viewers show a code flow (GitHub: "show paths"): a course's records
      // from a fresh patient, each at its course pathway, then the patient
      // at the result, then the related rules. Each step's `state` is its
      // record's values.
      if (r.range.valid()) {
        json steps = json::array();
        SourceRange pathway = r.coursePathway >= 0 ? p.pathways[r.coursePathway].range : SourceRange{};
        for (size_t k = 0; k < r.course.size(); ++k) {
          json record = counterexampleJson(p, r.course[k].patient);
          std::string text = "course record " + std::to_string(k + 1) + " of " + std::to_string(r.course.size() + 1) +
                             " from a fresh patient: " + valuesText(record);
          steps.push_back({{"location", sarifLocation(sources, pathway.valid() ? pathway : r.range, text)},
                           {"state", sarifState(record)}});
        }
        steps.push_back({{"location", sarifLocation(sources, r.range, "counterexample patient: " + patient)},
                         {"state", sarifState(values)}});
        for (const DiagNote &n : r.related)
          if (n.range.valid()) steps.push_back({{"location", sarifLocation(sources, n.range, n.message)}});
        res["codeFlows"] = json::array({{{"message", {{"text", "counterexample patient: " + patient}}},
                                         {"threadFlows", json::array({{{"locations", steps}}})}}});
        // The fix: the counterexample appended to the protocol as an
        // example block, so that `carepath test` keeps it from coming back.
        std::string_view file = sources.text(r.range.file);
        json end = sarifLocation(sources, {r.range.file, static_cast<uint32_t>(file.size()), static_cast<uint32_t>(file.size())});
        std::string insert = (file.empty() || file.back() == '\n' ? "\n" : "\n\n") + block;
        res["fixes"] = json::array(
            {{{"description", {{"text", "Add the counterexample to the protocol as an example block, with the expectation it should meet"}}},
              {"artifactChanges",
               json::array({{{"artifactLocation", end["physicalLocation"]["artifactLocation"]},
                             {"replacements", json::array({{{"deletedRegion", end["physicalLocation"]["region"]},
                                                            {"insertedContent", {{"text", insert}}}}})}}})}}});
      }
      res["properties"] = {{"counterexample", std::move(values)}, {"example", block}};
      if (!r.course.empty()) res["properties"]["course"] = courseJson(p, r.course);
    }
    if (r.crossCheck) res["properties"]["crossCheck"] = crossCheckJson(*r.crossCheck);
    results.push_back(std::move(res));
  }
  for (const std::string &e : report.internalErrors)
    results.push_back({{"ruleId", "internal-model-check"}, {"kind", "fail"}, {"level", "error"},
                       {"message", {{"text", "internal error: " + e}}}});
  json run = {{"results", results},
              {"properties",
               {{"result", spelling(report.verdict())},
                {"protocol", p.name},
                {"proved", counts[static_cast<int>(Status::Proved)]},
                {"refuted", counts[static_cast<int>(Status::Refuted)]},
                {"unknown", counts[static_cast<int>(Status::Unknown)]},
                {"warnings", counts[static_cast<int>(Status::Warning)]}}}};
  // "proved" counts results Z3 and cvc5 both decided.
  if (report.crossChecked) run["properties"]["crossCheckedWith"] = "cvc5";
  return run;
}

}  // namespace carepath::verifier
