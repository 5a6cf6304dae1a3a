// `carepath check --emit=ast`: one node a line, indented by depth, each with
// its source range as <line:col-line:col> (the end is exclusive). The output
// depends only on the tree, so it is byte-identical run to run.
#include <ostream>

#include "ast/AST.h"

namespace carepath::ast {

const char *spelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Or: return "or";
  case BinaryOp::And: return "and";
  case BinaryOp::Eq: return "==";
  case BinaryOp::Ne: return "!=";
  case BinaryOp::Lt: return "<";
  case BinaryOp::Le: return "<=";
  case BinaryOp::Gt: return ">";
  case BinaryOp::Ge: return ">=";
  case BinaryOp::Add: return "+";
  case BinaryOp::Sub: return "-";
  case BinaryOp::Mul: return "*";
  case BinaryOp::Div: return "/";
  }
  return "?";
}

namespace {

/// Strings are shown quoted with the escapes the language uses.
std::string quoted(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out + "\"";
}

class Dumper {
public:
  Dumper(const SourceManager &sm, std::ostream &out) : sm_(sm), out_(out) {}

  void file(const File &f) {
    line(0, "File " + (f.file != kNoFile ? sm_.name(f.file) : std::string("<none>")), {});
    if (f.header) header(1, *f.header);
    for (const DeclPtr &d : f.decls) decl(1, *d);
  }

private:
  std::string where(const SourceRange &r) const {
    if (!r.valid()) return "";
    LineColumn b = sm_.lineColumn(r.file, r.begin), e = sm_.lineColumn(r.file, r.end);
    return " <" + std::to_string(b.line) + ":" + std::to_string(b.column) + "-" + std::to_string(e.line) + ":" +
           std::to_string(e.column) + ">";
  }
  void line(int depth, const std::string &text, const SourceRange &r) {
    out_ << std::string(static_cast<size_t>(depth) * 2, ' ') << text << where(r) << '\n';
  }

  void citations(int depth, const Citations &c) {
    if (c.empty()) return;
    std::string ids;
    for (const Ident &id : c.ids) ids += (ids.empty() ? "" : ", ") + id.name;
    line(depth, "Citations [" + ids + "]", c.range);
  }
  void unspecified(int depth, const std::optional<Unspecified> &u) {
    if (u) line(depth, "Unspecified " + quoted(u->reason), u->range);
  }

  void expr(int depth, const Expr *e, const std::string &role = "") {
    std::string prefix = role.empty() ? "" : role + ": ";
    if (!e) return;
    switch (e->kind) {
    case ExprKind::Number: {
      auto *n = static_cast<const NumberExpr *>(e);
      std::string text = "Number " + n->text;
      if (n->value.str() != n->text) text += " (= " + n->value.str() + ")";
      if (n->unit) text += " " + n->unit->str();
      line(depth, prefix + text, e->range);
      return;
    }
    case ExprKind::Bool:
      line(depth, prefix + (static_cast<const BoolExpr *>(e)->value ? "Bool true" : "Bool false"), e->range);
      return;
    case ExprKind::String:
      line(depth, prefix + "String \"" + static_cast<const StringExpr *>(e)->value + "\"", e->range);
      return;
    case ExprKind::Name:
      line(depth, prefix + "Name " + static_cast<const NameExpr *>(e)->name.str(), e->range);
      return;
    case ExprKind::Unary: {
      auto *u = static_cast<const UnaryExpr *>(e);
      line(depth, prefix + (u->op == UnaryOp::Not ? "Unary not" : "Unary -"), e->range);
      expr(depth + 1, u->operand.get());
      return;
    }
    case ExprKind::Binary: {
      auto *b = static_cast<const BinaryExpr *>(e);
      line(depth, prefix + "Binary " + spelling(b->op), e->range);
      expr(depth + 1, b->lhs.get());
      expr(depth + 1, b->rhs.get());
      return;
    }
    case ExprKind::InRange: {
      auto *r = static_cast<const InRangeExpr *>(e);
      line(depth, prefix + (r->negated ? "NotInRange" : "InRange") + (r->halfOpen ? " half-open" : ""), e->range);
      expr(depth + 1, r->subject.get());
      expr(depth + 1, r->lo.get(), "lo");
      expr(depth + 1, r->hi.get(), "hi");
      return;
    }
    case ExprKind::InSet: {
      auto *s = static_cast<const InSetExpr *>(e);
      line(depth, prefix + (s->negated ? "NotInSet" : "InSet"), e->range);
      expr(depth + 1, s->subject.get());
      for (const ExprPtr &m : s->members) expr(depth + 1, m.get(), "member");
      return;
    }
    case ExprKind::Call: {
      auto *c = static_cast<const CallExpr *>(e);
      line(depth, prefix + "Call " + c->callee, e->range);
      for (const ExprPtr &a : c->args) expr(depth + 1, a.get());
      return;
    }
    case ExprKind::If: {
      auto *i = static_cast<const IfExpr *>(e);
      line(depth, prefix + "If", e->range);
      expr(depth + 1, i->condition.get(), "if");
      expr(depth + 1, i->then.get(), "then");
      expr(depth + 1, i->otherwise.get(), "else");
      return;
    }
    case ExprKind::Count: {
      auto *c = static_cast<const CountExpr *>(e);
      line(depth, prefix + "Count " + spelling(c->counting) + " " + c->k.str(), e->range);
      for (const ExprPtr &a : c->items) expr(depth + 1, a.get(), "of");
      return;
    }
    }
  }

  void range(int depth, const std::optional<RangeExpr> &r, const std::string &role) {
    if (!r) return;
    line(depth, "Range " + role + (r->halfOpen ? " half-open" : ""), r->range);
    expr(depth + 1, r->lo.get(), "lo");
    expr(depth + 1, r->hi.get(), "hi");
  }

  void type(int depth, const TypeExpr &t) {
    switch (t.kind) {
    case TypeExpr::Kind::Bool: line(depth, "Type bool", t.range); return;
    case TypeExpr::Kind::Integer: line(depth, "Type integer", t.range); return;
    case TypeExpr::Kind::Number: line(depth, "Type number", t.range); return;
    case TypeExpr::Kind::String: line(depth, "Type string", t.range); return;
    case TypeExpr::Kind::Enum: {
      std::string members;
      for (const Ident &m : t.members) members += (members.empty() ? "" : ", ") + m.name;
      line(depth, "Type enum {" + members + "}", t.range);
      return;
    }
    case TypeExpr::Kind::Quantity: {
      std::string dim;
      for (size_t i = 0; i < t.dimAtoms.size(); ++i) {
        if (i > 0) dim += std::string(" ") + (i - 1 < t.dimOps.size() ? t.dimOps[i - 1] : '?') + " ";
        dim += t.dimAtoms[i].name;
      }
      if (t.substance) dim += " of " + t.substance->name;
      line(depth, "Type " + dim, t.range);
      return;
    }
    }
  }

  std::string basisText(const Basis &b) {
    switch (b.kind) {
    case Basis::Kind::None: return "";
    case Basis::Kind::PerDose: return "per dose";
    case Basis::Kind::PerTime: return "per " + b.timeUnit.name;
    case Basis::Kind::PerCourse: return b.spelledTotal ? "total" : "per course";
    case Basis::Kind::Rate: return "rate";
    }
    return "";
  }
  void basis(int depth, const Basis &b, const std::string &role) {
    if (b.kind != Basis::Kind::None) line(depth, "Basis " + role + basisText(b), b.range);
  }

  void action(int depth, const Action &a) {
    std::string text = std::string("Action ") + spelling(a.kind);
    if (!a.name.name.empty()) text += " " + a.name.name;
    if (!a.note.empty()) text += " " + quoted(a.note);
    if (a.choice >= 0) text += " (one of #" + std::to_string(a.choice) + ", alternative " + std::to_string(a.option) + ")";
    line(depth, text, a.range);
    expr(depth + 1, a.dose.get(), a.doseHigh ? "dose from" : "dose");
    expr(depth + 1, a.doseHigh.get(), "dose to");
    unspecified(depth + 1, a.doseUnspecified);
    basis(depth + 1, a.basis, "");
    expr(depth + 1, a.cap.get(), "max");
    basis(depth + 1, a.capBasis, "max ");
    range(depth + 1, a.duration, "for");
    range(depth + 1, a.taper, "taper over");
    expr(depth + 1, a.over.get(), "over");
    expr(depth + 1, a.overHigh.get(), "over to");
    if (a.route) line(depth + 1, "Route " + a.route->name, a.route->range);
    for (const RegimenClause &c : a.regimen) {
      static const char *names[] = {"every", "divided into", "once", "repeat", "up to"};
      std::string t = std::string("Regimen ") + names[static_cast<int>(c.kind)];
      if (c.kind != RegimenClause::Kind::Every && c.kind != RegimenClause::Kind::Once) t += " " + std::to_string(c.count);
      line(depth + 1, t, c.range);
      expr(depth + 2, c.interval.get(), c.kind == RegimenClause::Kind::Every ? "interval" : "after");
    }
    if (a.timing.kind == Timing::Kind::At) range(depth + 1, a.timing.at, "at");
    if (a.timing.kind == Timing::Kind::Within) expr(depth + 1, a.timing.value.get(), "within");
    if (a.timing.kind == Timing::Kind::Over) expr(depth + 1, a.timing.value.get(), "over");
    if (a.timing.high) expr(depth + 1, a.timing.high.get(), "to");
    if (a.timing.anchor) line(depth + 1, "Anchor " + a.timing.anchor->name, a.timing.anchor->range);
    unspecified(depth + 1, a.unspecified);
    citations(depth + 1, a.citations);
    expr(depth + 1, a.unless.get(), "unless");
  }

  void header(int depth, const Header &h) {
    if (h.kind == Header::Kind::Module) {
      line(depth, "Module " + h.moduleName.str(), h.range);
      return;
    }
    std::string text = "Protocol " + h.name.name;
    if (!h.version.empty()) text += " version " + quoted(h.version);
    line(depth, text, h.range);
    if (h.titleRange.valid()) line(depth + 1, "Title " + quoted(h.title), h.titleRange);
    if (h.population) {
      expr(depth + 1, h.population.get(), "population");
      citations(depth + 2, h.populationCitations);
    }
    if (h.dosingWeight) line(depth + 1, "DosingWeight " + h.dosingWeight->name, h.dosingWeight->range);
    for (const Fact &f : h.facts) {
      line(depth + 1, "Fact " + f.name.name + (f.note.empty() ? "" : " " + quoted(f.note)), f.range);
      expr(depth + 2, f.value.get());
      citations(depth + 2, f.citations);
    }
  }

  void decl(int depth, const Decl &d) {
    switch (d.kind) {
    case DeclKind::Use: {
      auto &u = static_cast<const UseDecl &>(d);
      std::string text = "Use " + u.module.str();
      if (u.hasImportList) {
        text += ".{";
        for (size_t i = 0; i < u.imports.size(); ++i) text += (i ? ", " : "") + u.imports[i].name;
        text += "}";
      }
      line(depth, text, d.range);
      return;
    }
    case DeclKind::Source: {
      auto &s = static_cast<const SourceDecl &>(d);
      line(depth, "Source " + s.name.name + " " + quoted(s.text), d.range);
      return;
    }
    case DeclKind::Dimension: {
      auto &dim = static_cast<const DimensionDecl &>(d);
      line(depth, "Dimension " + dim.name.name, d.range);
      if (dim.definition) type(depth + 1, *dim.definition);
      return;
    }
    case DeclKind::Unit: {
      auto &u = static_cast<const UnitDecl &>(d);
      if (u.isBase) line(depth, "Unit " + u.name.name + " : " + u.dimension.name, d.range);
      else
        line(depth, "Unit " + u.name.name + " = " + u.factor.str() + " " + u.ofUnit.str() +
                        (u.offset ? " offset " + u.offset->str() : ""),
             d.range);
      if (u.ucum) line(depth + 1, "Ucum " + quoted(*u.ucum), u.ucumRange);
      return;
    }
    case DeclKind::Substance: {
      auto &s = static_cast<const SubstanceDecl &>(d);
      line(depth, "Substance " + s.name.name + (s.description.empty() ? "" : " " + quoted(s.description)), d.range);
      for (const SubstanceRatio &r : s.ratios)
        line(depth + 1, "Ratio " + r.lhs.str() + " " + r.lhsUnit.str() + " = " + r.rhs.str() + " " + r.rhsUnit.str(),
             r.range);
      return;
    }
    case DeclKind::Input: {
      auto &in = static_cast<const InputDecl &>(d);
      line(depth, std::string(in.event ? "Event " : "Input ") + in.name.name + (in.optional && !in.event ? " optional" : "") +
                      (in.courseState ? " course-state" : "") + (in.description.empty() ? "" : " " + quoted(in.description)), d.range);
      type(depth + 1, in.type);
      range(depth + 1, in.domain, "in");
      unspecified(depth + 1, in.unspecified);
      citations(depth + 1, in.citations);
      return;
    }
    case DeclKind::Define: {
      auto &def = static_cast<const DefineDecl &>(d);
      line(depth, "Define " + def.name.name + (def.description.empty() ? "" : " " + quoted(def.description)), d.range);
      expr(depth + 1, def.value.get());
      citations(depth + 1, def.citations);
      return;
    }
    case DeclKind::Assume: {
      auto &as = static_cast<const AssumeDecl &>(d);
      line(depth, "Assume " + as.name.name + (as.note.empty() ? "" : " " + quoted(as.note)), d.range);
      expr(depth + 1, as.condition.get());
      unspecified(depth + 1, as.unspecified);
      citations(depth + 1, as.citations);
      return;
    }
    case DeclKind::Code: {
      auto &c = static_cast<const CodeDecl &>(d);
      std::string value = c.unspecified ? "" : " = " + c.system.name + " " + quoted(c.code) +
                                                   (c.display.empty() ? "" : " " + quoted(c.display));
      line(depth, std::string("Code ") + spelling(c.target) + " " + c.name.str() + value, d.range);
      unspecified(depth + 1, c.unspecified);
      citations(depth + 1, c.citations);
      return;
    }
    case DeclKind::Drug: {
      auto &drug = static_cast<const DrugDecl &>(d);
      line(depth, "Drug " + drug.name.name + (drug.description.empty() ? "" : " " + quoted(drug.description)), d.range);
      citations(depth + 1, drug.citations);
      if (drug.route) line(depth + 1, "Route " + drug.route->name, drug.route->range);
      for (const Limit &l : drug.limits) {
        line(depth + 1, "Limit " + basisText(l.basis), l.range);
        expr(depth + 2, l.amount.get());
        citations(depth + 2, l.citations);
      }
      for (const Contraindication &c : drug.contraindications) {
        line(depth + 1, "Contraindication" + (c.note.empty() ? "" : " " + quoted(c.note)), c.range);
        expr(depth + 2, c.when.get());
        citations(depth + 2, c.citations);
      }
      return;
    }
    case DeclKind::Pathway: {
      auto &p = static_cast<const PathwayDecl &>(d);
      line(depth, "Pathway " + p.name.name + (p.first ? " first" : "") + (p.description.empty() ? "" : " " + quoted(p.description)),
           d.range);
      expr(depth + 1, p.entry.get(), "for");
      if (p.course) line(depth + 1, "Course", p.range);
      for (const Exit &e : p.exits) expr(depth + 1, e.when.get(), "exit " + e.name.name + " when");
      citations(depth + 1, p.citations);
      for (const Tier &t : p.tiers) {
        line(depth + 1, "Tier " + t.name.name + (t.after ? " after " + t.after->name : ""), t.range);
        expr(depth + 2, t.guard.get(), "when");
        expr(depth + 2, t.respondedWhen.get(), "responded when");
        expr(depth + 2, t.failedWhen.get(), "failed when");
        expr(depth + 2, t.completedWhen.get(), "completed when");
        citations(depth + 2, t.citations);
        for (const Action &a : t.actions) action(depth + 2, a);
      }
      return;
    }
    case DeclKind::Table: {
      auto &t = static_cast<const TableDecl &>(d);
      std::string agg = spelling(t.aggregation);
      line(depth, "Table " + t.name.name + " hit " + spelling(t.hit) + (agg.empty() ? "" : " " + agg) +
                      (t.complete ? " complete" : "") + (t.description.empty() ? "" : " " + quoted(t.description)),
           d.range);
      citations(depth + 1, t.citations);
      for (const OutputDecl &o : t.outputs) {
        line(depth + 1, "Output " + o.name.name, o.range);
        type(depth + 2, o.type);
      }
      for (const Rule &r : t.rules) {
        line(depth + 1, "Rule " + r.name.name + (r.priority ? " priority " + std::to_string(*r.priority) : ""), r.range);
        expr(depth + 2, r.guard.get(), "when");
        citations(depth + 2, r.citations);
        for (const OutputAssign &o : r.outputs) expr(depth + 2, o.value.get(), o.name.name + " =");
        for (const Action &a : r.actions) action(depth + 2, a);
      }
      return;
    }
    case DeclKind::Verify: {
      auto &v = static_cast<const VerifyDecl &>(d);
      line(depth, "Verify", d.range);
      for (const Property &p : v.properties) {
        const char *kind = "Never";
        switch (p.kind) {
        case Property::Kind::Reaches: kind = "Reaches"; break;
        case Property::Kind::Always: kind = "Always"; break;
        case Property::Kind::Never: kind = "Never"; break;
        case Property::Kind::NeverAction: kind = "NeverAction"; break;
        case Property::Kind::ReachesAction: kind = "ReachesAction"; break;
        case Property::Kind::DoseAtMost: kind = "DoseAtMost"; break;
        }
        std::string text = std::string("Property ") + kind;
        if (p.kind == Property::Kind::Reaches) text += " " + p.target.str();
        if (p.kind == Property::Kind::NeverAction || p.kind == Property::Kind::ReachesAction ||
            p.kind == Property::Kind::DoseAtMost)
          text += std::string(" ") + spelling(p.action.kind) + " " + p.action.name.name;
        if (!p.message.empty()) text += " " + quoted(p.message);
        line(depth + 1, text, p.range);
        bool conditional = p.kind == Property::Kind::NeverAction || p.kind == Property::Kind::DoseAtMost;
        expr(depth + 2, p.bound.get(), "at most");
        basis(depth + 2, p.basis, "");
        expr(depth + 2, p.expr.get(), conditional ? "when" : "");
        citations(depth + 2, p.citations);
      }
      return;
    }
    case DeclKind::Example: {
      auto &ex = static_cast<const ExampleDecl &>(d);
      line(depth, "Example " + quoted(ex.name) + (ex.like ? " like " + quoted(*ex.like) : ""), d.range);
      for (const Given &g : ex.givens) {
        if (g.missing) {
          line(depth + 1, "Given " + g.input.name + " missing", g.range);
        } else if (g.value) {
          line(depth + 1, "Given " + g.input.name, g.range);
          expr(depth + 2, g.value.get());
        } else {
          line(depth + 1, std::string("Given ") + (g.flag ? "" : "not ") + g.input.name, g.range);
        }
      }
      for (const Expectation &e : ex.expectations) {
        std::string neg = e.negated ? "not " : "";
        switch (e.kind) {
        case Expectation::Kind::Fired: line(depth + 1, "Expect " + neg + e.target.str(), e.range); break;
        case Expectation::Kind::Action:
          line(depth + 1, "Expect " + neg + spelling(e.action) + " " + e.name.name, e.range);
          break;
        case Expectation::Kind::Dose: {
          std::string b = basisText(e.basis);
          line(depth + 1, "Expect " + e.name.name + " dose" + (b.empty() ? "" : " " + b), e.range);
          expr(depth + 2, e.dose.get());
          expr(depth + 2, e.doseHigh.get());
          break;
        }
        case Expectation::Kind::Outside: line(depth + 1, "Expect outside population", e.range); break;
        case Expectation::Kind::Output:
          line(depth + 1, "Expect " + e.target.str() + " ==", e.range);
          expr(depth + 2, e.value.get());
          break;
        }
      }
      return;
    }
    }
  }

  const SourceManager &sm_;
  std::ostream &out_;
};

}  // namespace

void dump(const File &file, const SourceManager &sources, std::ostream &out) { Dumper(sources, out).file(file); }

}  // namespace carepath::ast
