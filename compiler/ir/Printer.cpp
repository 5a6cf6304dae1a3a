// Renders the IR for people: `toString` writes an expression in the
// protocol's own terms (input names, enum members, quantities in the unit
// the author wrote), `dump` the whole protocol for `carepath check
// --emit=ir`. Both are deterministic: same IR, same bytes.
#include <ostream>

#include "ir/IR.h"

namespace carepath::ir {

namespace {

int precedence(Op op) {
  switch (op) {
  case Op::Or: return 1;
  case Op::And: return 2;
  case Op::Not: return 3;
  case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: return 4;
  case Op::Add: case Op::Sub: return 5;
  case Op::Mul: case Op::Div: return 6;
  case Op::Neg: return 7;
  case Op::If: return 0;  // `if` extends as far right as it can: parenthesise inside anything
  default: return 8;
  }
}

/// A canonical value shown in `unit` ("420 mg", "1/3 kg" when not decimal).
std::string quantity(const Rational &canonical, const Unit *unit) {
  Rational v = unit && !unit->factor.isZero() ? (canonical - unit->offset) / unit->factor : canonical;
  std::string digits = v.isDecimalExact(6) ? v.decimal() : v.str();
  if (!unit || unit->name.empty()) return digits;
  return digits + (unit->name == "%" ? "" : " ") + unit->name;
}

/// The unit to show a constant of dimension `d` in when the author's unit
/// is not known: the canonical unit of a base dimension.
const Unit *canonicalUnit(const Protocol &p, const Dimension &d) {
  for (auto &[name, u] : p.units)
    if (u.dim == d && u.factor == Rational(1) && !u.affine() && !d.dimensionless()) return &u;
  return nullptr;
}

// Set while `dump` runs: it writes expansions, not their names.
thread_local bool dumping = false;

std::string render(const Protocol &p, const Expr &e, int outer) {
  auto wrap = [&](const std::string &s, int prec) { return prec < outer ? "(" + s + ")" : s; };
  // A pathway or tier named in a condition: the author's name, not the
  // expansion (Expr::label); the IR dump shows what the IR holds.
  if (!e.label.empty() && !dumping) return e.label;
  switch (e.op) {
  case Op::Const:
    if (e.constant.missing) return "missing";  // build::missing: a table output no rule gives
    switch (e.constant.kind) {
    case Type::Kind::Bool: return e.constant.boolean ? "true" : "false";
    case Type::Kind::Enum:
      if (e.type.enumType >= 0 && e.type.enumType < static_cast<int>(p.enums.size()) && e.constant.member >= 0 &&
          e.constant.member < static_cast<int>(p.enums[e.type.enumType].members.size()))
        return p.enums[e.type.enumType].members[e.constant.member];
      return "#" + std::to_string(e.constant.member);
    case Type::Kind::Number:
      return quantity(e.constant.number, e.unit ? &*e.unit : canonicalUnit(p, e.type.dim));
    case Type::Kind::String: return stringLiteral(e.constant.text);
    }
    return "?";
  case Op::Input:
    return e.index >= 0 && e.index < static_cast<int>(p.inputs.size()) ? p.inputs[e.index].name : "input#" + std::to_string(e.index);
  case Op::Define:
    return e.index >= 0 && e.index < static_cast<int>(p.defines.size()) ? p.defines[e.index].name : "define#" + std::to_string(e.index);
  case Op::Not: return wrap("not " + render(p, *e.args[0], precedence(Op::Not)), precedence(Op::Not));
  case Op::Neg: return wrap("-" + render(p, *e.args[0], precedence(Op::Neg)), precedence(Op::Neg));
  // IsTrue is how a guard is read, not something the author wrote.
  case Op::IsTrue: return render(p, *e.args[0], outer);
  case Op::Known: return "known(" + render(p, *e.args[0], 0) + ")";
  case Op::If:
    // A course tier's state as the record is read (Protocol::tierState):
    // the author wrote the state input's name.
    if (e.args[2]->op == Op::Input && e.args[2]->index >= 0 && e.args[2]->index < static_cast<int>(p.inputs.size()) &&
        p.inputs[e.args[2]->index].courseState && e.args[1]->op == Op::Const &&
        e.args[1]->constant.member == static_cast<int>(TierState::NotStarted))
      return p.inputs[e.args[2]->index].name;
    return wrap("if " + render(p, *e.args[0], 0) + " then " + render(p, *e.args[1], 0) + " else " +
                    render(p, *e.args[2], 0),
                precedence(Op::If));
  case Op::Count: {
    std::string s = std::string(spelling(e.counting)) + " " + std::to_string(e.index) + " of {";
    for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + render(p, *e.args[i], 0);
    return s + "}";
  }
  case Op::Min: case Op::Max: {
    std::string s = spelling(e.op);
    s += "(";
    for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + render(p, *e.args[i], 0);
    return s + ")";
  }
  default: {
    int prec = precedence(e.op);
    std::string sep = std::string(" ") + spelling(e.op) + " ";
    std::string s;
    for (size_t i = 0; i < e.args.size(); ++i) {
      // Left-associative: a right operand of equal precedence needs parentheses.
      int need = i == 0 ? prec : prec + 1;
      if (e.op == Op::And || e.op == Op::Or) need = prec + 1;
      s += (i ? sep : "") + render(p, *e.args[i], need);
    }
    return wrap(s, prec);
  }
  }
}

std::string show(const Protocol &p, const ExprRef &e) { return e ? toString(p, *e) : "-"; }

std::string typeName(const Protocol &p, const Type &t) {
  switch (t.kind) {
  case Type::Kind::Bool: return "bool";
  case Type::Kind::Enum: {
    std::string s = "enum {";
    if (t.enumType >= 0 && t.enumType < static_cast<int>(p.enums.size()))
      for (size_t i = 0; i < p.enums[t.enumType].members.size(); ++i)
        s += (i ? ", " : " ") + p.enums[t.enumType].members[i];
    return s + " }";
  }
  case Type::Kind::Number: return t.integer ? "integer" : (t.dim.dimensionless() ? "number" : t.dim.str());
  case Type::Kind::String: return "string";
  }
  return "?";
}

std::string citations(const Citations &c) {
  if (c.empty()) return "";
  std::string s = " [";
  for (size_t i = 0; i < c.size(); ++i) s += (i ? ", " : "") + c[i];
  return s + "]";
}

std::string quoted(const std::string &s) { return stringLiteral(s); }

std::string canonical(const Rational &r, const Dimension &d) {
  return r.str() + (d.dimensionless() ? "" : " [" + d.str() + "]");
}

void dumpAction(const Protocol &p, const Action &a, std::ostream &out) {
  out << "      " << spelling(a.kind);
  if (!a.name.empty()) out << " " << a.name;
  if (a.kind == ActionKind::Give) {
    if (a.dose)
      out << " dose " << toString(p, *a.dose) << (a.doseHigh ? " .. " + toString(p, *a.doseHigh) : "") << " (canonical " << a.dose->type.dim.str() << ", shown in "
          << (a.doseUnit.name.empty() ? "-" : a.doseUnit.name) << ")";
    if (a.doseUnspecified) out << " dose unspecified " << quoted(*a.doseUnspecified);
    if (!a.basis.str().empty()) out << " " << a.basis.str();
    if (a.basis.kind == Basis::Kind::PerTime) out << " (span " << a.basis.span.str() << ")";
    if (a.cap) out << " max " << toString(p, *a.cap);
    if (a.durationLo) out << " for " << a.durationLo->str() << " .. " << a.durationHi->str() << " [duration]";
    if (a.taperLo) out << " taper over " << a.taperLo->str() << " .. " << a.taperHi->str() << " [duration]";
    if (a.over) out << " over " << a.over->str() << (a.overHigh ? " .. " + a.overHigh->str() : std::string()) << " [duration]";
    if (!a.route.empty()) out << " route " << a.route;
    if (!a.regimen.empty()) out << " regimen " << a.regimen.text;
  }
  switch (a.timing) {
  case Action::Timing::None: break;
  case Action::Timing::At:
    out << " at " << quantity(*a.timingLo, &a.timingUnit) << " .. " << quantity(*a.timingHi, &a.timingUnit) << " ("
        << a.timingLo->str() << " .. " << a.timingHi->str() << ")";
    break;
  case Action::Timing::Within: out << " within " << quantity(*a.timingHi, &a.timingUnit) << " (" << a.timingHi->str() << ")"; break;
  case Action::Timing::Over:
    out << " over ";
    if (a.timingLo) out << quantity(*a.timingLo, &a.timingUnit) << " .. ";
    out << quantity(*a.timingHi, &a.timingUnit) << " (" << (a.timingLo ? a.timingLo->str() + " .. " : "") << a.timingHi->str() << ")";
    break;
  }
  if (a.timingAnchor >= 0) out << (a.timing == Action::Timing::At ? " after " : " of ") << p.inputs[a.timingAnchor].name;
  if (a.unspecified) out << " " << quoted(*a.unspecified);
  if (!a.note.empty()) out << " " << quoted(a.note);
  out << citations(a.citations);
  if (a.choice >= 0) out << " [one of #" << a.choice << ", alternative " << a.option << "]";
  if (a.unless) out << " unless " << toString(p, *a.unless);
  out << "\n";
}

std::string valueString(const Protocol &p, const Input &in, const Value &v) {
  if (v.missing) return "missing";
  switch (v.kind) {
  case Type::Kind::Bool: return v.boolean ? "true" : "false";
  case Type::Kind::Enum:
    if (in.type.enumType >= 0 && v.member >= 0 &&
        v.member < static_cast<int>(p.enums[in.type.enumType].members.size()))
      return p.enums[in.type.enumType].members[v.member];
    return "?";
  case Type::Kind::Number: return quantity(v.number, &in.displayUnit);
  case Type::Kind::String: return stringLiteral(v.text);
  }
  return "?";
}

std::string targetName(const Protocol &p, const Target &t) {
  if (t.container < 0 || t.index < 0) return "?";
  if (t.kind == Target::Kind::Tier) return p.pathways[t.container].name + "." + p.pathways[t.container].tiers[t.index].name;
  return p.tables[t.container].name + "." + p.tables[t.container].rules[t.index].name;
}

}  // namespace

std::string toString(const Protocol &p, const Expr &e) { return render(p, e, 0); }

std::string stringLiteral(const std::string &text) {
  std::string r = "\"";
  for (char c : text) {
    if (c == '\n') { r += "\\n"; continue; }
    if (c == '\t') { r += "\\t"; continue; }
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  return r + "\"";
}

void dump(const Protocol &p, std::ostream &out) {
  struct Dumping {
    Dumping() { dumping = true; }
    ~Dumping() { dumping = false; }
  } scope;
  out << "protocol " << p.name;
  if (!p.version.empty()) out << " version " << quoted(p.version);
  out << "\n";
  if (!p.title.empty()) out << "  title " << quoted(p.title) << "\n";
  out << "  population " << show(p, p.population) << "\n";
  if (p.dosingWeight >= 0) out << "  dosing weight = " << p.inputs[p.dosingWeight].name << "\n";
  for (const SourceFile &f : p.files) out << "  file " << (f.module.empty() ? "(protocol)" : f.module) << " " << f.path << "\n";
  for (auto &[name, u] : p.units)
    out << "  unit " << name << " = " << u.factor.str() << (u.affine() ? " offset " + u.offset.str() : "") << " ["
        << u.dim.str() << "]" << (u.ucum.empty() ? "" : " ucum " + quoted(u.ucum)) << "\n";
  for (const Source &s : p.sources) out << "  source " << s.id << "\n";
  for (const Fact &f : p.facts) {
    out << "  fact " << f.name << " = " << f.display << " (";
    if (f.value.kind == Type::Kind::Bool) out << (f.value.boolean ? "true" : "false");
    else out << f.value.number.str();
    out << ")" << citations(f.citations) << "\n";
  }
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const Input &in = p.inputs[i];
    out << "  input #" << i << " " << in.name << " : " << (in.optional ? "optional " : "") << typeName(p, in.type);
    if (in.lo) out << " in " << in.lo->str() << " .. " << in.hi->str() << " (shown in " << in.displayUnit.name << ")";
    if (in.unspecified) out << " unspecified";
    if (in.event) out << " event";
    if (in.courseState) out << " course-state";
    out << citations(in.citations) << "\n";
  }
  for (const Assumption &a : p.assumptions)
    out << "  assume " << a.name << (a.module.empty() ? "" : " (" + a.module + ")") << " = " << show(p, a.condition)
        << (a.unspecified ? " unspecified" : "") << citations(a.citations) << "\n";
  for (const CodeBinding &c : p.codes) {
    out << "  code " << spelling(c.target) << " " << c.name << (c.module.empty() ? "" : " (" + c.module + ")") << " = ";
    if (c.coding)
      out << c.coding->system << " " << quoted(c.coding->code)
          << (c.coding->display.empty() ? "" : " " + quoted(c.coding->display));
    else out << "unspecified " << quoted(*c.unspecified);
    out << citations(c.citations) << "\n";
  }
  for (size_t i = 0; i < p.defines.size(); ++i)
    out << "  define #" << i << " " << p.defines[i].name << " : " << typeName(p, p.defines[i].value->type) << " = "
        << show(p, p.defines[i].value) << citations(p.defines[i].citations) << "\n";
  for (const Drug &d : p.drugs) {
    out << "  drug " << d.name;
    if (!d.route.empty()) out << " route " << d.route;
    out << citations(d.citations) << "\n";
    for (const Limit &l : d.limits)
      out << "    limit " << l.display << " = " << canonical(l.amount, l.dim) << (l.perWeight ? " per weight" : "") << " "
          << l.basis.str() << citations(l.citations) << "\n";
    for (const Contraindication &c : d.contraindications)
      out << "    contraindicated when " << toString(p, *c.when) << citations(c.citations) << "\n";
  }
  for (const Pathway &pw : p.pathways) {
    out << "  pathway " << pw.name << " for " << show(p, pw.entry) << (pw.first ? " first" : "") << (pw.course ? " course" : "");
    for (const Exit &e : pw.exits) out << " exit " << e.name << " when " << show(p, e.when);
    out << citations(pw.citations) << "\n";
    for (const Tier &t : pw.tiers) {
      out << "    tier " << t.name;
      if (t.after >= 0) out << " after " << pw.tiers[t.after].name;
      out << " when " << show(p, t.guard);
      if (t.respondedWhen) out << " responded when " << show(p, t.respondedWhen);
      if (t.failedWhen) out << " failed when " << show(p, t.failedWhen);
      if (t.completedWhen) out << " completed when " << show(p, t.completedWhen);
      out << citations(t.citations) << "\n";
      for (const Action &a : t.actions) dumpAction(p, a, out);
    }
  }
  for (const Table &t : p.tables) {
    std::string agg = spelling(t.aggregation);
    out << "  table " << t.name << " hit " << spelling(t.hit) << (agg.empty() ? "" : " " + agg)
        << (t.complete ? " complete" : "") << citations(t.citations) << "\n";
    for (const Output &o : t.outputs)
      out << "    output " << o.name << " : " << (o.type.kind == Type::Kind::Bool ? "bool"
                                                   : o.type.kind == Type::Kind::Enum ? "enum"
                                                                                    : o.type.integer ? "integer"
                                                                                                     : o.type.dim.str())
          << "\n";
    for (const Rule &r : t.rules) {
      out << "    rule " << r.name;
      if (r.priority) out << " priority " << *r.priority;
      out << " when " << show(p, r.guard) << citations(r.citations) << "\n";
      for (size_t o = 0; o < r.outputs.size() && o < t.outputs.size(); ++o)
        out << "      " << t.outputs[o].name << " = " << show(p, r.outputs[o]) << "\n";
      for (const Action &a : r.actions) dumpAction(p, a, out);
    }
  }
  for (const Property &pr : p.properties) {
    switch (pr.kind) {
    case Property::Kind::Reaches: out << "  every " << show(p, pr.expr) << " reaches " << targetName(p, pr.target); break;
    case Property::Kind::Always: out << "  always " << show(p, pr.expr); break;
    case Property::Kind::Never: out << "  never " << show(p, pr.expr); break;
    case Property::Kind::NeverAction:
      out << "  never " << spelling(pr.action) << " " << pr.actionName;
      if (pr.expr) out << " when " << show(p, pr.expr);
      break;
    case Property::Kind::ReachesAction:
      out << "  every " << show(p, pr.expr) << " reaches " << spelling(pr.action) << " " << pr.actionName;
      break;
    case Property::Kind::DoseAtMost:
      out << "  always dose(" << pr.actionName << ") <= " << pr.bound->display << " = "
          << canonical(pr.bound->amount, pr.bound->dim) << (pr.bound->perWeight ? " per weight" : "");
      if (pr.expr) out << " when " << show(p, pr.expr);
      break;
    }
    out << "\n";
  }
  for (const UnspecifiedMark &u : p.unspecified) out << "  unspecified at " << u.where << ": " << quoted(u.reason) << "\n";
  for (const Example &ex : p.examples) {
    out << "  example " << quoted(ex.name) << "\n    given";
    for (size_t i = 0; i < ex.patient.size() && i < p.inputs.size(); ++i)
      out << (i ? ", " : " ") << p.inputs[i].name << " = " << valueString(p, p.inputs[i], ex.patient[i]);
    out << "\n";
    for (const Expectation &x : ex.expectations) {
      out << "    expect " << (x.negated ? "not " : "");
      switch (x.kind) {
      case Expectation::Kind::Fired: out << targetName(p, x.target); break;
      case Expectation::Kind::Action: out << spelling(x.action) << " " << x.name; break;
      case Expectation::Kind::Dose:
        out << x.name << " dose == " << quantity(x.dose, &x.doseUnit) << " (" << x.dose.str() << ")";
        if (x.doseHigh) out << " .. " << quantity(*x.doseHigh, &x.doseUnit) << " (" << x.doseHigh->str() << ")";
        if (!x.basis.str().empty()) out << " " << x.basis.str();
        break;
      case Expectation::Kind::Outside: out << "outside population"; break;
      case Expectation::Kind::Output: out << show(p, x.actual) << " == " << show(p, x.expected); break;
      }
      out << "\n";
    }
  }
}

}  // namespace carepath::ir
