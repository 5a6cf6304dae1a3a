// IR -> the "carepath-table" JSON document (docs/tables.md). Guards go
// through the column analysis (Columns.h); doses become small expression
// trees in canonical units; everything is keyed and ordered so that the same
// protocol always gives the same bytes.
#include "backends/JsonTable.h"

#include <nlohmann/json.hpp>

#include "ir/Columns.h"
#include "carepath/Sha256.h"
#include "carepath/TableFormat.h"
#include "ir/PatientInput.h"

namespace carepath::backends {

// The column analysis (ir/Columns.h).
using ir::Columns, ir::ColumnsError, ir::InputCondition, ir::Interval, ir::Row;

namespace {

using nlohmann::json;
using Kind = ir::Type::Kind;

std::string baseName(const std::string &path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

json citations(const ir::Citations &c) { return json(c); }

json rational(const Rational &r) { return r.str(); }

json optionalRational(const std::optional<Rational> &r) { return r ? json(r->str()) : json(nullptr); }

json ucum(const std::string &code) { return code.empty() ? json(nullptr) : json(code); }

// A unit: a value written in it is value * factor + offset canonical
// (offset "0" but for affine units such as degC); its UCUM code or null.
json unitSpec(const runtime::UnitSpec &u) {
  return {{"name", u.name}, {"factor", u.factor.str()}, {"offset", u.offset.str()}, {"ucum", ucum(u.ucum)}};
}

json unit(const ir::Unit &u) {
  if (u.name.empty()) return nullptr;
  return unitSpec({u.name, u.factor, "", u.offset, u.ucum});
}

const char *kindName(Kind k) {
  switch (k) {
    case Kind::Bool: return "bool";
    case Kind::Enum: return "enum";
    case Kind::Number: return "number";
  }
  return "?";
}

json basis(const ir::Basis &b) {
  switch (b.kind) {
    case ir::Basis::Kind::None: return nullptr;
    case ir::Basis::Kind::PerDose: return {{"kind", "per-dose"}, {"text", b.str()}};
    case ir::Basis::Kind::PerCourse: return {{"kind", "per-course"}, {"text", b.str()}};
    case ir::Basis::Kind::PerTime:
      return {{"kind", "per-time"}, {"per", b.timeUnit}, {"span", b.span.str()}, {"text", b.str()}};
  }
  return nullptr;
}

class Emitter {
public:
  Emitter(const ir::Protocol &p, const SourceManager &sources, DiagnosticEngine &diags)
      : p_(p), sources_(sources), diags_(diags) {}

  json document(const TableMetadata &meta) {
    json d;
    d["format"] = runtime::kTableFormatName;
    d["formatVersion"] = runtime::kTableFormatVersion;
    d["compiler"] = {{"name", "carepath"}, {"version", meta.compilerVersion}};
    d["protocol"] = {{"name", p_.name},
                     {"version", p_.version},
                     {"title", p_.title},
                     {"dosingWeight", p_.dosingWeight >= 0 ? json(p_.inputs[p_.dosingWeight].name) : json(nullptr)}};
    json files = json::array();
    for (const ir::SourceFile &f : p_.files) {
      json entry = {{"module", f.module}, {"file", baseName(f.path)}};
      entry["sha256"] = f.file != kNoFile ? json(Sha256::hex(sources_.text(f.file))) : json(nullptr);
      files.push_back(entry);
    }
    d["sources"] = files;
    json v = {{"status", meta.verification.status}, {"verdict", meta.verification.verdict}};
    json props = json::array();
    for (const auto &pr : meta.verification.properties)
      props.push_back({{"kind", pr.kind}, {"status", pr.status}, {"message", pr.message}, {"location", pr.location}});
    v["properties"] = props;
    d["verification"] = v;

    d["inputs"] = inputs();
    d["units"] = units();
    d["population"] = p_.population ? columns(*p_.population, "the population") : json(nullptr);
    d["drugs"] = drugs();
    json pathways = json::array();
    for (size_t i = 0; i < p_.pathways.size(); ++i) pathways.push_back(pathway(static_cast<int>(i)));
    d["pathways"] = pathways;
    json tables = json::array();
    for (const ir::Table &t : p_.tables) tables.push_back(table(t));
    d["tables"] = tables;
    json srcs = json::array();
    for (const ir::Source &s : p_.sources) srcs.push_back({{"id", s.id}, {"text", s.text}});
    d["citations"] = srcs;
    json facts = json::array();
    for (const ir::Fact &f : p_.facts)
      facts.push_back({{"name", f.name}, {"display", f.display}, {"note", f.note}, {"citations", citations(f.citations)}});
    d["facts"] = facts;
    json marks = json::array();
    for (const ir::UnspecifiedMark &m : p_.unspecified) marks.push_back({{"where", m.where}, {"reason", m.reason}});
    d["unspecified"] = marks;
    return d;
  }

  bool failed() const { return failed_; }

private:
  json inputs() {
    json out = json::array();
    std::vector<runtime::InputSpec> specs = ir::inputSpecs(p_);
    for (size_t i = 0; i < p_.inputs.size(); ++i) {
      const ir::Input &in = p_.inputs[i];
      const runtime::InputSpec &s = specs[i];
      json j = {{"name", in.name},
                {"type", kindName(in.type.kind)},
                {"description", in.description},
                {"unspecified", in.unspecified ? json(*in.unspecified) : json(nullptr)},
                {"citations", citations(in.citations)}};
      if (in.type.kind == Kind::Enum) j["members"] = s.members;
      if (in.type.kind == Kind::Number) {
        j["integer"] = in.type.integer;
        j["dimension"] = s.dimension;
        j["canonicalUnit"] = canonicalUnitName(in.type.dim);
        j["displayUnit"] = unit(in.displayUnit);
        j["range"] = {{"lo", optionalRational(in.lo)}, {"hi", optionalRational(in.hi)}};
        json accepted = json::array();
        for (const runtime::UnitSpec &u : s.units) accepted.push_back(unitSpec(u));
        j["acceptedUnits"] = accepted;
        json substance = nullptr;
        if (!in.substance.empty()) {
          json ratios = json::array();
          for (const units::Ratio &r : in.conversions)
            ratios.push_back({{"of", r.of}, {"per", r.per}, {"factor", r.factor.str()}});
          substance = {{"name", in.substance}, {"ratios", ratios}};
        }
        j["substance"] = substance;
      }
      out.push_back(j);
    }
    return out;
  }

  // Every named unit in scope: lets a reader say "'h' is a duration unit"
  // when a weight is given in hours.
  json units() {
    json out = json::array();
    for (const runtime::UnitSpec &u : ir::unitCatalogue(p_)) {
      json j = unitSpec(u);
      j["dimension"] = u.dimension;
      out.push_back(j);
    }
    return out;
  }

  std::string canonicalUnitName(const ir::Dimension &dim) { return ir::canonicalUnitName(p_, dim); }

  json drugs() {
    json out = json::array();
    for (const ir::Drug &d : p_.drugs) {
      json limits = json::array();
      for (const ir::Limit &l : d.limits)
        limits.push_back({{"amount", l.amount.str()},
                          {"dimension", l.dim.str()},
                          {"perWeight", l.perWeight},
                          {"basis", basis(l.basis)},
                          {"display", l.display},
                          {"citations", citations(l.citations)}});
      out.push_back({{"name", d.name},
                     {"description", d.description},
                     {"route", d.route},
                     {"limits", limits},
                     {"citations", citations(d.citations)}});
    }
    return out;
  }

  json pathway(int pi) {
    const ir::Pathway &pw = p_.pathways[pi];
    json tiers = json::array();
    for (size_t ti = 0; ti < pw.tiers.size(); ++ti) {
      const ir::Tier &t = pw.tiers[ti];
      std::string where = "tier '" + pw.name + "." + t.name + "'";
      ir::ExprRef guard = p_.tierGuard(pi, static_cast<int>(ti));
      json j = {{"name", t.name},
                {"after", t.after >= 0 ? json(pw.tiers[t.after].name) : json(nullptr)},
                {"when", guard ? ir::toString(p_, *guard) : "true"},
                {"condition", guard ? columns(*guard, where) : alwaysColumns()},
                {"failedWhen", t.failedWhen ? columns(*t.failedWhen, where + " (failed when)") : json(nullptr)},
                {"actions", actions(t.actions)},
                {"citations", citations(t.citations)}};
      tiers.push_back(j);
    }
    std::vector<uint32_t> order = carepath::ruleOrder(ir::kPathwayHitPolicy,
                                                      std::vector<std::optional<int64_t>>(pw.tiers.size()));
    return {{"name", pw.name},
            {"description", pw.description},
            {"hit", carepath::spelling(ir::kPathwayHitPolicy)},
            {"order", order},
            {"entry", pw.entry ? json(ir::toString(p_, *pw.entry)) : json(nullptr)},
            {"tiers", tiers},
            {"citations", citations(pw.citations)}};
  }

  json table(const ir::Table &t) {
    json rules = json::array();
    for (const ir::Rule &r : t.rules) {
      std::string where = "rule '" + t.name + "." + r.name + "'";
      rules.push_back({{"name", r.name},
                       {"priority", r.priority ? json(*r.priority) : json(nullptr)},
                       {"when", r.guard ? ir::toString(p_, *r.guard) : "true"},
                       {"condition", r.guard ? columns(*r.guard, where) : alwaysColumns()},
                       {"actions", actions(r.actions)},
                       {"citations", citations(r.citations)}});
    }
    return {{"name", t.name},
            {"description", t.description},
            {"hit", ir::spelling(t.hit)},
            {"order", ir::ruleOrder(t)},
            {"complete", t.complete},
            {"rules", rules},
            {"citations", citations(t.citations)}};
  }

  static json alwaysColumns() { return json::array({json::object()}); }

  // A condition: an array of rows (any may hold), each an object from input
  // name to what that input must be.
  json columns(const ir::Expr &e, const std::string &where) {
    auto result = toColumns(p_, e);
    if (auto *err = std::get_if<ColumnsError>(&result)) {
      diags_.report(DiagId::err_condition_not_tabular, err->range.valid() ? err->range : e.range, where, err->message);
      failed_ = true;
      return json::array();
    }
    json rows = json::array();
    for (const Row &r : std::get<Columns>(result).rows) {
      json row = json::object();
      for (const InputCondition &c : r.conditions) {
        const std::string &name = p_.inputs[c.input].name;
        switch (c.kind) {
          case Kind::Bool: row[name] = {{"is", c.value}}; break;
          case Kind::Enum: {
            json members = json::array();
            const auto &all = p_.enums[p_.inputs[c.input].type.enumType].members;
            for (int m : c.members) members.push_back(all[m]);
            row[name] = {{"in", members}};
            break;
          }
          case Kind::Number: {
            json ivs = json::array();
            for (const Interval &i : c.intervals)
              ivs.push_back({{"lo", optionalRational(i.lo)},
                             {"loClosed", i.lo && i.loClosed},
                             {"hi", optionalRational(i.hi)},
                             {"hiClosed", i.hi && i.hiClosed}});
            row[name] = {{"intervals", ivs}};
            break;
          }
        }
      }
      rows.push_back(row);
    }
    return rows;
  }

  // A dose as an expression tree over inputs, in canonical units; defines
  // are inlined so a reader needs nothing else.
  json expression(const ir::Expr &e, const std::string &drug) {
    switch (e.op) {
      case ir::Op::Const:
        if (e.type.kind == Kind::Number) return {{"op", "const"}, {"value", rational(e.constant.number)}};
        break;
      case ir::Op::Input:
        if (e.type.kind == Kind::Number) return {{"op", "input"}, {"input", p_.inputs[e.index].name}};
        break;
      case ir::Op::Define: return expression(*p_.defines.at(e.index).value, drug);
      case ir::Op::Add: case ir::Op::Sub: case ir::Op::Mul: case ir::Op::Div: case ir::Op::Neg:
      case ir::Op::Min: case ir::Op::Max: {
        static const std::map<ir::Op, const char *> names = {
            {ir::Op::Add, "add"}, {ir::Op::Sub, "sub"}, {ir::Op::Mul, "mul"}, {ir::Op::Div, "div"},
            {ir::Op::Neg, "neg"}, {ir::Op::Min, "min"}, {ir::Op::Max, "max"}};
        json args = json::array();
        for (const auto &a : e.args) args.push_back(expression(*a, drug));
        return {{"op", names.at(e.op)}, {"args", args}};
      }
      default: break;
    }
    diags_.report(DiagId::err_dose_not_compilable, e.range, drug,
                  "'" + ir::toString(p_, e) + "' is not arithmetic on numbers");
    failed_ = true;
    return nullptr;
  }

  json timing(const ir::Action &a) {
    switch (a.timing) {
      case ir::Action::Timing::None: return nullptr;
      case ir::Action::Timing::At:
        return {{"kind", "at"}, {"lo", optionalRational(a.timingLo)}, {"hi", optionalRational(a.timingHi)},
                {"unit", unit(a.timingUnit)}};
      case ir::Action::Timing::Within:
        return {{"kind", "within"}, {"lo", nullptr}, {"hi", optionalRational(a.timingHi)}, {"unit", unit(a.timingUnit)}};
      case ir::Action::Timing::Over:
        return {{"kind", "over"}, {"lo", nullptr}, {"hi", optionalRational(a.timingHi)}, {"unit", unit(a.timingUnit)}};
    }
    return nullptr;
  }

  json actions(const std::vector<ir::Action> &as) {
    json out = json::array();
    for (const ir::Action &a : as) {
      json j = {{"kind", ir::spelling(a.kind)},
                {"identity", ir::actionIdentity(a)},
                {"note", a.note},
                {"citations", citations(a.citations)}};
      switch (a.kind) {
        case ir::ActionKind::Give: {
          j["drug"] = a.name;
          const ir::Drug *d = a.drug >= 0 ? &p_.drugs[a.drug] : nullptr;
          j["route"] = d ? d->route : "";
          ir::ExprRef amount = ir::givenAmount(a);
          j["amount"] = amount ? expression(*amount, a.name) : json(nullptr);
          j["doseUnspecified"] = a.doseUnspecified ? json(*a.doseUnspecified) : json(nullptr);
          j["dimension"] = a.dose ? a.dose->type.dim.str() : "";
          j["canonicalUnit"] = a.dose ? canonicalUnitName(a.dose->type.dim) : "";
          j["unit"] = unit(a.doseUnit);
          j["basis"] = basis(a.basis);
          j["duration"] = a.durationLo || a.durationHi
                              ? json{{"lo", optionalRational(a.durationLo)}, {"hi", optionalRational(a.durationHi)}}
                              : json(nullptr);
          j["over"] = optionalRational(a.over);
          break;
        }
        case ir::ActionKind::Unspecified:
          j["reason"] = a.unspecified ? *a.unspecified : "";
          break;
        default:
          j["name"] = a.name;
          j["timing"] = timing(a);
          break;
      }
      out.push_back(j);
    }
    return out;
  }

  const ir::Protocol &p_;
  const SourceManager &sources_;
  DiagnosticEngine &diags_;
  bool failed_ = false;
};

}  // namespace

std::optional<std::string> emitJsonTable(const ir::Protocol &p, const SourceManager &sources,
                                         const TableMetadata &meta, DiagnosticEngine &diags) {
  Emitter e(p, sources, diags);
  json doc = e.document(meta);
  if (e.failed()) return std::nullopt;
  // The canonical form: the document without `digest`, keys sorted, no
  // whitespace (nlohmann::json's dump() of an object map is exactly that).
  doc["digest"] = runtime::tableDigest(doc.dump());
  return doc.dump(2) + "\n";
}

}  // namespace carepath::backends
