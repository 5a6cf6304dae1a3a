// IR -> the "carepath-table" JSON document (docs/tables.md). Every
// condition and every amount is a node of one expression DAG (`nodes`),
// hash-consed so that a subexpression used by many rules is stored and
// evaluated once; nothing is expanded into rows, so every protocol `check`
// accepts compiles. Everything is keyed and ordered so that the same
// protocol always gives the same bytes.
#include "backends/JsonTable.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "carepath/Sha256.h"
#include "carepath/TableFormat.h"
#include "ir/PatientInput.h"

namespace carepath::backends {

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
    case Kind::String: return "string";
  }
  return "?";
}

json basis(const ir::Basis &b) {
  switch (b.kind) {
    case ir::Basis::Kind::None: return nullptr;
    case ir::Basis::Kind::PerDose: return {{"kind", "per-dose"}, {"text", b.str()}};
    case ir::Basis::Kind::PerCourse: return {{"kind", "per-course"}, {"text", b.str()}};
    case ir::Basis::Kind::Rate: return {{"kind", "rate"}, {"text", b.str()}};
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
    d["enums"] = outputEnums();
    d["units"] = units();
    where_ = "the population";
    d["population"] = p_.population ? json(node(*p_.population)) : json(nullptr);
    // Right after the population, so the runtime computes their nodes with
    // its (docs/tables.md, "Assumptions"); absent when there are none, so
    // every other table is unchanged.
    if (!p_.assumptions.empty()) {
      json as = json::array();
      for (const ir::Assumption &a : p_.assumptions) {
        where_ = "assumption '" + a.name + "'";
        as.push_back({{"name", a.name},
                      {"when", ir::toString(p_, *a.condition)},
                      {"node", node(*keep(ir::assumptionHolds(a)))},
                      {"citations", citations(a.citations)}});
      }
      d["assumptions"] = as;
    }
    d["drugs"] = drugs();
    // Terminology codes (docs/tables.md, "Codes"): absent when the protocol
    // has none, so every other table is unchanged.
    if (!p_.codes.empty()) {
      json codes = json::array();
      for (const ir::CodeBinding &c : p_.codes)
        codes.push_back({{"target", ir::spelling(c.target)},
                         {"name", c.name},
                         {"system", c.coding ? json(c.coding->system) : json(nullptr)},
                         {"code", c.coding ? json(c.coding->code) : json(nullptr)},
                         {"display", c.coding ? json(c.coding->display) : json(nullptr)},
                         {"unspecified", c.unspecified ? json(*c.unspecified) : json(nullptr)},
                         {"citations", citations(c.citations)}});
      d["codes"] = codes;
    }
    json pathways = json::array();
    for (size_t i = 0; i < p_.pathways.size(); ++i) pathways.push_back(pathway(static_cast<int>(i), meta));
    d["pathways"] = pathways;
    // The joint course states (docs/tables.md, "jointCourses"): absent when
    // no property or rule reads two course pathways together, so every
    // other table is unchanged.
    if (!meta.jointCourseStates.empty()) d["jointCourses"] = jointCourses(meta);
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
    d["nodes"] = nodes_;  // last: every condition and amount above added its nodes
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
                {"optional", in.optional},
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

  // Enum types that are not an input's: those of table outputs
  // (`discount.tier`), named so; enum nodes name them as they name inputs.
  json outputEnums() {
    json out = json::array();
    for (size_t e = 0; e < p_.enums.size(); ++e)
      if (enumInput(static_cast<int>(e)) == p_.enums[e].name && p_.findInput(p_.enums[e].name) < 0)
        out.push_back({{"name", p_.enums[e].name}, {"members", p_.enums[e].members}});
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
      json j = {{"name", d.name},
                {"description", d.description},
                {"route", d.route},
                {"limits", limits},
                {"citations", citations(d.citations)}};
      // `contraindicated when C` (docs/tables.md, "Contraindications"): the
      // runtime checks each offered give of the drug against them. Absent
      // when the drug has none, so every other table is unchanged.
      if (!d.contraindications.empty()) {
        json cs = json::array();
        for (const ir::Contraindication &c : d.contraindications) {
          where_ = "a contraindication of drug '" + d.name + "'";
          cs.push_back({{"when", ir::toString(p_, *c.when)},
                        {"condition", node(*keep(c.when))},
                        {"note", c.note},
                        {"citations", citations(c.citations)}});
        }
        j["contraindications"] = cs;
      }
      out.push_back(j);
    }
    return out;
  }

  /// A course pathway's reachable course states (docs/tables.md,
  /// "course.reachable"): sorted, so the table does not depend on the
  /// order the search found them in; or why they are not known.
  json reachable(int pi, const TableMetadata &meta) {
    auto it = std::find_if(meta.courseStates.begin(), meta.courseStates.end(),
                           [&](const CourseStates &c) { return c.pathway == pi; });
    if (it == meta.courseStates.end()) return {{"complete", false}, {"why", meta.courseStatesWhy}};
    if (!it->complete) return {{"complete", false}, {"why", it->why}};
    auto states = it->states;
    std::sort(states.begin(), states.end());
    json out = json::array();
    for (const auto &s : states) out.push_back(courseState(s));
    return {{"complete", true}, {"states", out}};
  }

  /// One pathway's course state: `{on, tiers: [STATE...]}`.
  static json courseState(const std::pair<bool, std::vector<ir::TierState>> &s) {
    json names = json::array();
    for (ir::TierState t : s.second) names.push_back(ir::spelling(t));
    return {{"on", s.first}, {"tiers", names}};
  }

  /// `jointCourses` (docs/tables.md): each set of course pathways read
  /// together, in the order of their pathways' indices, with its joint
  /// states sorted (each pathway's state in the order of `pathways`), or
  /// why they are not known.
  json jointCourses(const TableMetadata &meta) {
    auto sets = meta.jointCourseStates;
    std::sort(sets.begin(), sets.end(), [](const JointCourseStates &a, const JointCourseStates &b) { return a.pathways < b.pathways; });
    json out = json::array();
    for (JointCourseStates &c : sets) {
      json names = json::array();
      for (int pw : c.pathways) names.push_back(p_.pathways[pw].name);
      json j = {{"pathways", names}, {"complete", c.complete}};
      if (!c.complete) {
        j["why"] = c.why;
      } else {
        std::sort(c.states.begin(), c.states.end());
        json states = json::array();
        for (const auto &state : c.states) {
          json each = json::array();
          for (const auto &s : state) each.push_back(courseState(s));
          states.push_back(each);
        }
        j["states"] = states;
      }
      out.push_back(j);
    }
    return out;
  }

  json pathway(int pi, const TableMetadata &meta) {
    const ir::Pathway &pw = p_.pathways[pi];
    json tiers = json::array();
    for (size_t ti = 0; ti < pw.tiers.size(); ++ti) {
      const ir::Tier &t = pw.tiers[ti];
      where_ = "tier '" + pw.name + "." + t.name + "'";
      ir::ExprRef guard = keep(p_.tierGuard(pi, static_cast<int>(ti)));
      json j = {{"name", t.name},
                {"after", t.after >= 0 ? json(pw.tiers[t.after].name) : json(nullptr)},
                // The tier's own `when`, as written (the pathway's entry is
                // `entryWhen`; `condition` is the whole of when it applies).
                {"when", t.guard ? ir::toString(p_, *t.guard) : "true"},
                // When the tier applies: ir::Protocol::tierGuard, the one definition.
                {"condition", guard ? node(*guard) : constant(true)},
                // The tier's own guard, for telling an undecided tier.
                {"guard", t.guard ? node(*t.guard) : constant(true)},
                {"failedWhen", t.failedWhen ? json(node(*t.failedWhen)) : json(nullptr)},
                {"actions", actions(t.actions)},
                {"citations", citations(t.citations)}};
      tiers.push_back(j);
    }
    std::vector<uint32_t> order = carepath::ruleOrder(ir::kPathwayHitPolicy,
                                                      std::vector<std::optional<int64_t>>(pw.tiers.size()));
    json out = {{"name", pw.name},
                {"description", pw.description},
                {"hit", carepath::spelling(ir::kPathwayHitPolicy)},
                {"order", order},
                {"entry", pw.entry ? json(node(*pw.entry)) : json(nullptr)},
                {"entryWhen", pw.entry ? json(ir::toString(p_, *pw.entry)) : json(nullptr)},
                {"tiers", tiers},
                {"citations", citations(pw.citations)}};
    // Ordered stages: written only when set (docs/tables.md); `condition`
    // (tierGuard) already excludes the earlier stages, so `hit` stays unique.
    if (pw.first) out["first"] = true;
    if (pw.course) {
      // The next state (additive): the runtime evaluates these nodes like
      // any other and `carepath eval` prints them.
      where_ = "pathway '" + pw.name + "'";
      json exits = json::array(), next = json::array();
      for (const ir::Exit &e : pw.exits) exits.push_back({{"name", e.name}, {"condition", node(*keep(ir::build::isTrue(e.when)))}});
      for (size_t ti = 0; ti < pw.tiers.size(); ++ti)
        next.push_back({{"stateInput", p_.inputs[pw.tiers[ti].stateInput].name},
                        {"next", node(*keep(p_.tierNextState(pi, static_cast<int>(ti))))}});
      out["course"] = {{"onInput", p_.inputs[pw.onInput].name},
                       {"onNext", node(*keep(p_.pathwayActive(pi)))},
                       {"exits", exits},
                       {"tiers", next},
                       {"reachable", reachable(pi, meta)}};
    }
    return out;
  }

  json table(const ir::Table &t) {
    json rules = json::array();
    for (const ir::Rule &r : t.rules) {
      where_ = "rule '" + t.name + "." + r.name + "'";
      json values = json::array();
      for (const ir::ExprRef &v : r.outputs) values.push_back(node(*v));
      rules.push_back({{"name", r.name},
                       {"priority", r.priority ? json(*r.priority) : json(nullptr)},
                       {"when", r.guard ? ir::toString(p_, *r.guard) : "true"},
                       {"condition", r.guard ? node(*r.guard) : constant(true)},
                       {"outputs", values},
                       {"actions", actions(r.actions)},
                       {"citations", citations(r.citations)}});
    }
    json outputs = json::array();
    for (size_t o = 0; o < t.outputs.size(); ++o) {
      const ir::Output &out = t.outputs[o];
      where_ = "output '" + t.name + "." + out.name + "'";
      json j = {{"name", out.name}, {"type", kindName(out.type.kind)}};
      if (out.type.kind == Kind::Enum) j["enum"] = enumInput(out.type.enumType);
      if (out.type.kind == Kind::Number) {
        j["integer"] = out.type.integer;
        j["dimension"] = out.type.dim.str();
        j["canonicalUnit"] = canonicalUnitName(out.type.dim);
        j["displayUnit"] = out.displayUnit.name.empty() ? json(nullptr) : unit(out.displayUnit);
      }
      // The single value (ir::outputValue, the same expression as
      // `table.output`); null when the table decides a list.
      j["value"] = carepath::hasSingleOutput(t.hit, t.aggregation)
                       ? json(node(*keep(ir::outputValue(t, static_cast<int>(o)))))
                       : json(nullptr);
      outputs.push_back(j);
    }
    std::string agg = carepath::spelling(t.aggregation);
    return {{"name", t.name},
            {"description", t.description},
            {"hit", ir::spelling(t.hit)},
            {"aggregation", agg.empty() ? json(nullptr) : json(agg)},
            {"order", ir::ruleOrder(t)},
            {"complete", t.complete},
            {"outputs", outputs},
            {"rules", rules},
            {"citations", citations(t.citations)}};
  }

  // ---------------------------------------------------------------- the expression DAG

  // Adds a node unless an identical one exists (hash-consing on the node's
  // canonical JSON: its arguments are indices of nodes already unique, so
  // equal text means an equal subexpression). Returns its index.
  uint32_t add(json n) {
    std::string key = n.dump();
    auto [it, fresh] = byKey_.emplace(std::move(key), static_cast<uint32_t>(nodes_.size()));
    if (fresh) nodes_.push_back(std::move(n));
    return it->second;
  }

  uint32_t constant(bool b) { return add({{"op", "const"}, {"type", "bool"}, {"value", b}}); }

  static const char *opName(ir::Op op) {
    switch (op) {
      case ir::Op::Not: return "not";
      case ir::Op::And: return "and";
      case ir::Op::Or: return "or";
      case ir::Op::Eq: return "eq";
      case ir::Op::Ne: return "ne";
      case ir::Op::Lt: return "lt";
      case ir::Op::Le: return "le";
      case ir::Op::Gt: return "gt";
      case ir::Op::Ge: return "ge";
      case ir::Op::Add: return "add";
      case ir::Op::Sub: return "sub";
      case ir::Op::Mul: return "mul";
      case ir::Op::Div: return "div";
      case ir::Op::Neg: return "neg";
      case ir::Op::Min: return "min";
      case ir::Op::Max: return "max";
      case ir::Op::IsTrue: return "is-true";
      case ir::Op::If: return "if";
      default: return "?";
    }
  }

  // The input an enum type belongs to (its members are that input's).
  const std::string &enumInput(int enumType) {
    for (const ir::Input &in : p_.inputs)
      if (in.type.kind == Kind::Enum && in.type.enumType == enumType) return in.name;
    return p_.enums.at(enumType).name;
  }

  // Expressions built here (tier guards, capped doses) live as long as the
  // emitter: byExpr_ is keyed by address.
  ir::ExprRef keep(ir::ExprRef e) {
    if (e) kept_.push_back(e);
    return e;
  }

  uint32_t node(const ir::Expr &e) {
    if (auto it = byExpr_.find(&e); it != byExpr_.end()) return it->second;
    uint32_t n = build(e);
    byExpr_.emplace(&e, n);
    return n;
  }

  json args(const ir::Expr &e) {
    json a = json::array();
    for (const ir::ExprRef &x : e.args) a.push_back(node(*x));
    return a;
  }

  uint32_t build(const ir::Expr &e) {
    if (!e.label.empty()) {
      // A pathway, tier or rule named in a condition (ir::Expr::label): a
      // define node of that name, so explanations say `immunotherapy`, not
      // its expansion. The value is its argument's: nothing else changes.
      ir::Expr unnamed = e;
      unnamed.label.clear();
      return add({{"op", "define"}, {"name", e.label}, {"args", json::array({build(unnamed)})}});
    }
    switch (e.op) {
      case ir::Op::Const:
        if (e.constant.missing) {
          // No value (a table output no rule gives): ir::build::missing.
          json j = {{"op", "const"}, {"type", kindName(e.type.kind)}, {"missing", true}};
          if (e.type.kind == Kind::Enum) j["enum"] = enumInput(e.type.enumType);
          return add(j);
        }
        switch (e.type.kind) {
          case Kind::Bool: return constant(e.constant.boolean);
          case Kind::Number: return add({{"op", "const"}, {"type", "number"}, {"value", rational(e.constant.number)}});
          case Kind::Enum:
            return add({{"op", "const"}, {"type", "enum"}, {"enum", enumInput(e.type.enumType)},
                        {"value", p_.enums.at(e.type.enumType).members.at(e.constant.member)}});
          case Kind::String: return add({{"op", "const"}, {"type", "string"}, {"value", e.constant.text}});
        }
        break;
      case ir::Op::Input: return add({{"op", "input"}, {"input", p_.inputs.at(e.index).name}});
      case ir::Op::Define: {
        // Defines keep their name, so explanations say `worst_z = 2.7`.
        const ir::Define &d = p_.defines.at(e.index);
        json j = {{"op", "define"}, {"name", d.name}, {"args", json::array({node(*d.value)})}};
        if (d.value->type.kind == Kind::Number) {
          // Shown in the canonical unit: the one unit object of the format.
          ir::Unit canonical{canonicalUnitName(d.value->type.dim), d.value->type.dim, Rational(1)};
          j["unit"] = d.value->type.dim.dimensionless() ? json(nullptr) : unit(canonical);
        }
        return add(j);
      }
      case ir::Op::And:
      case ir::Op::Or:
        if (e.args.empty()) return constant(e.op == ir::Op::And);
        if (e.args.size() == 1) return node(*e.args[0]);
        if (e.op == ir::Op::Or)
          if (auto in = memberSet(e)) return *in;
        return add({{"op", opName(e.op)}, {"args", args(e)}});
      case ir::Op::Eq: case ir::Op::Ne: case ir::Op::Lt: case ir::Op::Le: case ir::Op::Gt: case ir::Op::Ge:
        // Comparisons carry their text in the author's terms, for explanations.
        return add({{"op", opName(e.op)}, {"args", args(e)}, {"text", ir::toString(p_, e)}});
      case ir::Op::Add: case ir::Op::Sub: case ir::Op::Mul: case ir::Op::Div: case ir::Op::Neg:
      case ir::Op::Min: case ir::Op::Max: {
        json a = args(e);
        if (auto folded = fold(e, a)) return *folded;
        return add({{"op", opName(e.op)}, {"args", a}});
      }
      case ir::Op::Not: case ir::Op::IsTrue: case ir::Op::If:
        return add({{"op", opName(e.op)}, {"args", args(e)}});
      case ir::Op::Known: return add({{"op", "known"}, {"args", args(e)}, {"text", ir::toString(p_, e)}});
      case ir::Op::Count:
        return add({{"op", "count"},
                    {"counting", e.counting == Counting::AtLeast ? "at-least"
                                 : e.counting == Counting::AtMost ? "at-most"
                                                                  : "exactly"},
                    {"k", e.index},
                    {"args", args(e)},
                    {"text", ir::toString(p_, e)}});
    }
    // Unreachable for a protocol sema accepted: every operator has a node.
    throw std::logic_error(std::string("table compiler: no node for operator '") + ir::spelling(e.op) + "'");
  }

  // Arithmetic on constants only is computed here: a value that overflows
  // exact arithmetic would fail for every patient, so it is refused with
  // its location instead of written.
  std::optional<uint32_t> fold(const ir::Expr &e, const json &args) {
    std::vector<Rational> xs;
    for (const json &a : args) {
      const json &n = nodes_[a.get<size_t>()];
      if (n["op"] != "const" || n["type"] != "number") return std::nullopt;
      xs.push_back(*Rational::parse(n["value"].get<std::string>()));
    }
    Rational r;
    try {
      switch (e.op) {
        case ir::Op::Add: r = xs[0] + xs[1]; break;
        case ir::Op::Sub: r = xs[0] - xs[1]; break;
        case ir::Op::Mul: r = xs[0] * xs[1]; break;
        case ir::Op::Div: r = xs[0] / xs[1]; break;
        case ir::Op::Neg: r = -xs[0]; break;
        default:
          r = xs[0];
          for (const Rational &x : xs) r = e.op == ir::Op::Min ? std::min(r, x) : std::max(r, x);
          break;
      }
    } catch (const RationalOverflow &) {
      diags_.report(DiagId::err_condition_not_tabular, e.range, where_,
                    "'" + ir::toString(p_, e) + "' overflows exact arithmetic");
      failed_ = true;
      return std::nullopt;
    } catch (const RationalDivisionByZero &) {
      diags_.report(DiagId::err_condition_not_tabular, e.range, where_,
                    "'" + ir::toString(p_, e) + "' divides by zero");
      failed_ = true;
      return std::nullopt;
    }
    return add({{"op", "const"}, {"type", "number"}, {"value", rational(r)}});
  }

  // `x == a or x == b` over one enum subject (what `x in {a, b}` lowers
  // to): one `in` node with a member set, read as one check.
  std::optional<uint32_t> memberSet(const ir::Expr &e) {
    std::optional<uint32_t> subject;
    std::vector<int> members;
    for (const ir::ExprRef &x : e.args) {
      if (x->op != ir::Op::Eq || x->args.size() != 2 || x->args[0]->type.kind != Kind::Enum ||
          x->args[1]->op != ir::Op::Const)
        return std::nullopt;
      uint32_t s = node(*x->args[0]);
      if (subject && *subject != s) return std::nullopt;
      subject = s;
      members.push_back(x->args[1]->constant.member);
    }
    const auto &all = p_.enums.at(e.args[0]->args[0]->type.enumType).members;
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    json names = json::array();
    std::string text = ir::toString(p_, *e.args[0]->args[0]) + " in {";
    for (size_t k = 0; k < members.size(); ++k) {
      names.push_back(all.at(members[k]));
      text += (k ? ", " : "") + all.at(members[k]);
    }
    return add({{"op", "in"}, {"args", json::array({*subject})}, {"members", names}, {"text", text + "}"}});
  }

  json timing(const ir::Action &a) {
    json t = timingOnly(a);
    // Relative to a named event: only when there is one (additive).
    if (!t.is_null() && a.timingAnchor >= 0) t["anchor"] = p_.inputs[a.timingAnchor].name;
    return t;
  }

  json timingOnly(const ir::Action &a) {
    switch (a.timing) {
      case ir::Action::Timing::None: return nullptr;
      case ir::Action::Timing::At:
        return {{"kind", "at"}, {"lo", optionalRational(a.timingLo)}, {"hi", optionalRational(a.timingHi)},
                {"unit", unit(a.timingUnit)}};
      case ir::Action::Timing::Within:
        return {{"kind", "within"}, {"lo", nullptr}, {"hi", optionalRational(a.timingHi)}, {"unit", unit(a.timingUnit)}};
      case ir::Action::Timing::Over:
        return {{"kind", "over"}, {"lo", optionalRational(a.timingLo)}, {"hi", optionalRational(a.timingHi)}, {"unit", unit(a.timingUnit)}};
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
      // Written only when present, so a table without them is unchanged (docs/tables.md).
      if (a.unless) {
        j["unless"] = node(*keep(a.unless));
        j["unlessWhen"] = ir::toString(p_, *a.unless);
      }
      if (a.choice >= 0) {
        j["choice"] = a.choice;
        j["option"] = a.option;
      }
      switch (a.kind) {
        case ir::ActionKind::Give: {
          j["drug"] = a.name;
          j["route"] = ir::givenRoute(a, p_.drugs);
          ir::GivenAmount given = ir::givenAmount(a);
          ir::ExprRef amount = keep(given.low);
          j["amount"] = amount ? json(node(*amount)) : json(nullptr);
          // A dose range: `amount` is its low end. Written only for ranges,
          // so a table of single doses is unchanged (docs/tables.md).
          if (given.isRange()) j["amountHigh"] = node(*keep(given.high));
          j["doseUnspecified"] = a.doseUnspecified ? json(*a.doseUnspecified) : json(nullptr);
          j["dimension"] = a.dose ? a.dose->type.dim.str() : "";
          j["canonicalUnit"] = a.dose ? canonicalUnitName(a.dose->type.dim) : "";
          j["unit"] = unit(a.doseUnit);
          j["basis"] = basis(a.basis);
          j["duration"] = a.durationLo || a.durationHi
                              ? json{{"lo", optionalRational(a.durationLo)}, {"hi", optionalRational(a.durationHi)}}
                              : json(nullptr);
          j["over"] = optionalRational(a.over);
          // `over X .. Y`: Y; written only for a range, so other tables are unchanged.
          if (a.overHigh) j["overHigh"] = a.overHigh->str();
          // Written only for a tapered give, so other tables are unchanged.
          if (a.taperHi) j["taper"] = {{"lo", optionalRational(a.taperLo)}, {"hi", optionalRational(a.taperHi)}};
          if (!a.regimen.empty())
            j["regimen"] = {{"text", a.regimen.text},
                            {"every", optionalRational(a.regimen.every)},
                            {"dividedInto", a.regimen.dividedInto ? json(*a.regimen.dividedInto) : json(nullptr)},
                            {"maxDoses", a.regimen.maxDoses ? json(*a.regimen.maxDoses) : json(nullptr)}};
          if (a.dose) j["plan"] = plan(a);
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

  // The treatment plan of a give (docs/tables.md, "plan"): the factors
  // that turn its amount into one dose, a day and the whole course, by the
  // one conversion between bases (ir::basisFactor), and its schedule
  // (ir::schedule); null where the protocol does not say.
  json plan(const ir::Action &a) {
    auto factor = [&](ir::Basis b) {
      ir::Limit l;
      l.basis = std::move(b);
      return optionalRational(ir::basisFactor(a, l));
    };
    ir::Basis dose, course, day;
    dose.kind = ir::Basis::Kind::PerDose;
    course.kind = ir::Basis::Kind::PerCourse;
    json perDay = nullptr;
    if (auto it = p_.units.find("day"); it != p_.units.end() && it->second.dim == ir::Dimension{{{"duration", 1}}}) {
      day.kind = ir::Basis::Kind::PerTime;
      day.span = it->second.factor;
      day.timeUnit = "day";
      perDay = factor(day);
    }
    ir::Schedule s = ir::schedule(a);
    // A taper's course amount depends on its shape, which the protocol does
    // not state: no factor (ir::basisFactor would give an upper bound).
    json out = {{"perDose", factor(dose)}, {"perDay", perDay}, {"perCourse", a.taperHi ? json(nullptr) : factor(course)},
                {"doses", optionalRational(s.doses)}, {"interval", optionalRational(s.interval)}};
    // Only for a continuous infusion, so other tables are unchanged.
    if (a.basis.kind == ir::Basis::Kind::Rate) out["unit"] = unit(amountUnit(a));
    // Only for an intermittent infusion (`over X`): the factors turning the
    // amount into its rate, least and greatest (ir::infusionRate), and the
    // rate's canonical unit ("mg/h").
    if (std::optional<ir::InfusionRate> r = ir::infusionRate(a))
      out["rate"] = {{"lo", r->slowest.str()},
                     {"hi", r->fastest.str()},
                     {"canonicalUnit", canonicalUnitName(a.dose->type.dim / ir::Dimension{{{"duration", 1}}})}};
    return out;
  }

  // A continuous infusion's amounts per day and per course are shown in
  // its rate's amount unit ("mg" of "mg/h"), else in the base unit.
  ir::Unit amountUnit(const ir::Action &a) {
    ir::Dimension dim = a.dose->type.dim * ir::Dimension{{{"duration", 1}}};
    const std::string &name = a.doseUnit.name;
    if (size_t slash = name.find('/'); slash != std::string::npos)
      if (auto it = p_.units.find(name.substr(0, slash)); it != p_.units.end() && it->second.dim == dim) return it->second;
    const ir::Unit *best = nullptr;
    for (const auto &[n, u] : p_.units)
      if (u.dim == dim && u.factor == Rational(1) && !u.affine() && (!best || n.size() < best->name.size())) best = &u;
    return best ? *best : ir::Unit{"", dim, Rational(1)};
  }

  const ir::Protocol &p_;
  const SourceManager &sources_;
  DiagnosticEngine &diags_;
  bool failed_ = false;
  json nodes_ = json::array();
  std::map<std::string, uint32_t> byKey_;          // a node's canonical JSON -> its index
  std::map<const ir::Expr *, uint32_t> byExpr_;    // IR nodes already compiled
  std::vector<ir::ExprRef> kept_;
  std::string where_;  // the condition or dose being compiled, for diagnostics
};

}  // namespace

std::optional<std::string> emitJsonTable(const ir::Protocol &p, const SourceManager &sources,
                                         const TableMetadata &meta, DiagnosticEngine &diags) {
  Emitter e(p, sources, diags);
  json doc = e.document(meta);
  if (e.failed()) return std::nullopt;
  // The canonical form: the document without `digest`, keys sorted, no
  // whitespace (nlohmann::json's dump() of an object map is exactly that).
  // The signature covers it without `signature` too; the digest then
  // covers the signature, so a loader that ignores signatures still
  // checks the whole file.
  if (meta.signer)
    doc["signature"] = {{"algorithm", runtime::kSignatureAlgorithm},
                        {"keyId", meta.signer->id()},
                        {"value", runtime::base64Encode(meta.signer->sign(runtime::signedMessage(doc.dump())))}};
  doc["digest"] = runtime::tableDigest(doc.dump());
  return doc.dump(2) + "\n";
}

}  // namespace carepath::backends
