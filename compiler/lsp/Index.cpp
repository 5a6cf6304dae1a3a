#include "lsp/Index.h"

#include <filesystem>

#include "ir/Terminology.h"
#include "sema/SemaContext.h"

namespace carepath::lsp {

const char *spelling(Symbol::Kind k) {
  switch (k) {
  case Symbol::Kind::Input: return "input";
  case Symbol::Kind::Define: return "define";
  case Symbol::Kind::Drug: return "drug";
  case Symbol::Kind::Pathway: return "pathway";
  case Symbol::Kind::Tier: return "tier";
  case Symbol::Kind::Table: return "table";
  case Symbol::Kind::Rule: return "rule";
  case Symbol::Kind::Output: return "output";
  case Symbol::Kind::Member: return "enum member";
  case Symbol::Kind::Source: return "source";
  case Symbol::Kind::Unit: return "unit";
  case Symbol::Kind::Dimension: return "dimension";
  case Symbol::Kind::Substance: return "substance";
  case Symbol::Kind::Example: return "example";
  case Symbol::Kind::Module: return "module";
  }
  return "?";
}

int Index::occurrenceAt(FileId file, uint32_t offset) const {
  int best = -1;
  for (size_t i = 0; i < occurrences.size(); ++i) {
    const Occurrence &o = occurrences[i];
    if (o.file != file || offset < o.begin || offset > o.end) continue;
    if (best < 0 || o.end - o.begin < occurrences[best].end - occurrences[best].begin) best = static_cast<int>(i);
  }
  return best;
}

namespace {

using ast::dyn;

/// At most `maxLines` lines of a declaration's text, for a hover.
std::string excerpt(std::string_view text, size_t maxLines = 8) {
  std::string out;
  size_t lines = 0, i = 0;
  while (i < text.size() && lines < maxLines) {
    size_t nl = text.find('\n', i);
    if (nl == std::string_view::npos) nl = text.size();
    out += std::string(text.substr(i, nl - i)) + "\n";
    ++lines;
    i = nl + 1;
  }
  if (i < text.size()) out += "...\n";
  return out;
}

struct Builder {
  const sema::Analysis &a;
  Index &ix;
  std::map<const void *, int> ids;  // the declaring node (its name Ident, an example) -> symbol
  const sema::Scope *scope = nullptr;

  std::string_view slice(SourceRange r) const { return r.valid() ? a.sources.slice(r) : std::string_view(); }

  std::string codeBlock(SourceRange r) const { return "```carepath\n" + excerpt(slice(r)) + "```\n"; }

  std::string citationText(const ast::Citations &c) const {
    std::string out;
    for (const ast::Ident &id : c.ids) {
      auto it = scope->sources.find(id.name);
      if (it != scope->sources.end()) out += "\n[" + id.name + "] " + it->second->text + "\n";
    }
    return out;
  }

  int declare(const void *key, Symbol::Kind kind, const ast::Ident &name, std::string container, std::string detail,
              std::string hover) {
    Symbol s;
    s.kind = kind;
    s.name = name.name;
    s.file = name.range.file;
    s.begin = name.range.begin;
    s.end = name.range.end;
    s.container = std::move(container);
    s.detail = std::move(detail);
    s.hover = std::move(hover);
    int id = static_cast<int>(ix.symbols.size());
    ix.symbols.push_back(std::move(s));
    ids[key] = id;
    if (name.range.valid()) ix.occurrences.push_back({name.range.file, name.range.begin, name.range.end, id, true});
    return id;
  }

  void ref(const void *key, SourceRange r) {
    auto it = ids.find(key);
    if (it == ids.end() || !r.valid()) return;
    ix.occurrences.push_back({r.file, r.begin, r.end, it->second, false});
  }

  // ---------------------------------------------------------------- declarations

  std::string inputType(const ast::InputDecl &in, bool checkedFile) const {
    if (checkedFile)
      for (size_t i = 0; i < a.inputs.size() && i < a.inputInfo.size(); ++i)
        if (a.inputs[i] == &in) {
          std::string t = sema::describe(a.inputInfo[i].type, a);
          if (!a.inputInfo[i].displayUnit.name.empty()) t += ", in " + a.inputInfo[i].displayUnit.name;
          return t;
        }
    return std::string(slice(in.type.range));
  }

  /// "**codes**: LOINC `29463-7` Body weight" for the hover of a coded
  /// input or drug (the checked protocol's codes, docs/language.md).
  std::string codesText(ast::CodeDecl::Target target, const std::string &name) const {
    std::string s;
    for (const ast::CodeDecl *c : a.codes) {
      if (c->target != target || c->name.str() != name) continue;
      const ir::terminology::System *sys = ir::terminology::findSystem(c->system.name);
      s += s.empty() ? "\n\n**codes**: " : "; ";
      s += c->unspecified ? "unspecified: " + c->unspecified->reason
                          : std::string(sys ? sys->title : c->system.name) + " `" + c->code + "`" +
                                (c->display.empty() ? "" : " " + c->display);
    }
    return s;
  }

  void declareFile(size_t fileIndex) {
    const sema::LoadedFile &f = a.files[fileIndex];
    scope = &f.scope;
    bool checked = fileIndex == 0;
    for (const auto &d : f.ast->decls) {
      const ast::Decl *decl = d.get();
      std::string where = f.module.empty() ? "" : "\n\n*from module `" + f.module + "`*";
      if (auto *in = dyn<ast::InputDecl>(decl)) {
        std::string type = inputType(*in, checked);
        std::string hover = codeBlock(in->range) + "\n**input** `" + in->name.name + "`: " + type +
                            (in->optional ? " (optional: may be missing)" : "");
        if (in->domain) hover += "\n\n**range**: `" + std::string(slice(in->domain->range)) + "`";
        if (!in->description.empty()) hover += "\n\n" + in->description;
        hover += codesText(ast::CodeDecl::Target::Input, in->name.name) + citationText(in->citations) + where;
        declare(&in->name, Symbol::Kind::Input, in->name, "", "input: " + type, hover);
        for (const ast::Ident &m : in->type.members)
          declare(&m, Symbol::Kind::Member, m, in->name.name, "member of " + in->name.name,
                  "**enum member** `" + m.name + "` of input `" + in->name.name + "`");
      } else if (auto *def = dyn<ast::DefineDecl>(decl)) {
        std::string type;
        if (checked)
          for (size_t i = 0; i < a.defines.size() && i < a.defineTypes.size(); ++i)
            if (a.defines[i] == def) type = sema::describe(a.defineTypes[i], a);
        std::string hover = codeBlock(def->range) + "\n**define** `" + def->name.name + "`" +
                            (type.empty() ? "" : ": " + type);
        if (!def->description.empty()) hover += "\n\n" + def->description;
        declare(&def->name, Symbol::Kind::Define, def->name, "", "define" + (type.empty() ? "" : ": " + type),
                hover + citationText(def->citations) + where);
      } else if (auto *drug = dyn<ast::DrugDecl>(decl)) {
        std::string hover = codeBlock(drug->range) + "\n**drug** `" + drug->name.name + "`";
        if (!drug->description.empty()) hover += ": " + drug->description;
        hover += codesText(ast::CodeDecl::Target::Drug, drug->name.name);
        declare(&drug->name, Symbol::Kind::Drug, drug->name, "", "drug" + (drug->description.empty() ? "" : ": " + drug->description),
                hover + citationText(drug->citations) + where);
      } else if (auto *p = dyn<ast::PathwayDecl>(decl)) {
        std::string hover = "**pathway** `" + p->name.name + "`" + (p->description.empty() ? "" : ": " + p->description);
        declare(&p->name, Symbol::Kind::Pathway, p->name, "", "pathway", hover + citationText(p->citations) + where);
        for (const ast::Tier &t : p->tiers)
          declare(&t.name, Symbol::Kind::Tier, t.name, p->name.name, "tier of " + p->name.name,
                  codeBlock(t.range) + "\n**tier** `" + p->name.name + "." + t.name.name + "`" +
                      citationText(t.citations) + where);
      } else if (auto *t = dyn<ast::TableDecl>(decl)) {
        std::string hover = "**table** `" + t->name.name + "`" + (t->description.empty() ? "" : ": " + t->description);
        declare(&t->name, Symbol::Kind::Table, t->name, "", "table", hover + citationText(t->citations) + where);
        for (const ast::OutputDecl &o : t->outputs)
          declare(&o.name, Symbol::Kind::Output, o.name, t->name.name, "output of " + t->name.name,
                  "**output** `" + t->name.name + "." + o.name.name + "`: `" + std::string(slice(o.type.range)) + "`");
        for (const ast::Rule &r : t->rules)
          declare(&r.name, Symbol::Kind::Rule, r.name, t->name.name, "rule of " + t->name.name,
                  codeBlock(r.range) + "\n**rule** `" + t->name.name + "." + r.name.name + "`" +
                      citationText(r.citations) + where);
      } else if (auto *s = dyn<ast::SourceDecl>(decl)) {
        declare(&s->name, Symbol::Kind::Source, s->name, "", "source: " + s->text,
                "**source** `" + s->name.name + "`\n\n" + s->text + where);
      } else if (auto *u = dyn<ast::UnitDecl>(decl)) {
        std::string hover = codeBlock(u->range) + "\n**unit** `" + u->name.name + "`";
        if (u->ucum) hover += " (UCUM `" + *u->ucum + "`)";
        declare(&u->name, Symbol::Kind::Unit, u->name, "", "unit: " + std::string(slice(u->range)), hover + where);
      } else if (auto *dim = dyn<ast::DimensionDecl>(decl)) {
        declare(&dim->name, Symbol::Kind::Dimension, dim->name, "", "dimension",
                codeBlock(dim->range) + "\n**dimension** `" + dim->name.name + "`" + where);
      } else if (auto *sub = dyn<ast::SubstanceDecl>(decl)) {
        declare(&sub->name, Symbol::Kind::Substance, sub->name, "", "substance: " + sub->description,
                codeBlock(sub->range) + "\n**substance** `" + sub->name.name + "`" +
                    citationText(sub->citations) + where);
      } else if (auto *ex = dyn<ast::ExampleDecl>(decl)) {
        ast::Ident name{ex->name, ex->nameRange};
        declare(ex, Symbol::Kind::Example, name, "", "example", codeBlock(ex->range));
      }
    }
  }

  // ---------------------------------------------------------------- references

  const ast::Ident *valueName(const ast::Decl *d) const {
    if (auto *x = dyn<ast::InputDecl>(d)) return &x->name;
    if (auto *x = dyn<ast::DefineDecl>(d)) return &x->name;
    if (auto *x = dyn<ast::PathwayDecl>(d)) return &x->name;
    if (auto *x = dyn<ast::TableDecl>(d)) return &x->name;
    return nullptr;
  }

  template <typename Map> void lookup(const Map &m, const ast::Ident &id) {
    auto it = m.find(id.name);
    if (it != m.end()) ref(&it->second->name, id.range);
  }

  /// A name in the values namespace (inputs, defines, pathways, tables).
  void value(const ast::Ident &id) {
    auto it = scope->values.find(id.name);
    if (it != scope->values.end()) ref(valueName(it->second), id.range);
  }

  void citations(const ast::Citations &c) {
    for (const ast::Ident &id : c.ids) lookup(scope->sources, id);
  }
  void unit(const ast::UnitExpr &u) {
    for (const ast::Ident &atom : u.atoms) lookup(scope->units, atom);
  }
  void type(const ast::TypeExpr &t) {
    for (const ast::Ident &d : t.dimAtoms) lookup(scope->dimensions, d);
    if (t.substance) lookup(scope->substances, *t.substance);
  }
  void basis(const ast::Basis &b) {
    if (b.kind == ast::Basis::Kind::PerTime) lookup(scope->units, b.timeUnit);
  }

  /// `p.t`, `t.r`, `t.o`: the second part within the first.
  void qualified(const ast::QualifiedName &q) {
    if (q.parts.empty()) return;
    auto it = scope->values.find(q.parts[0].name);
    if (it == scope->values.end()) return;
    ref(valueName(it->second), q.parts[0].range);
    if (q.parts.size() < 2) return;
    const ast::Ident &second = q.parts[1];
    if (auto *p = dyn<ast::PathwayDecl>(it->second)) {
      for (const ast::Tier &t : p->tiers)
        if (t.name.name == second.name) ref(&t.name, second.range);
    } else if (auto *t = dyn<ast::TableDecl>(it->second)) {
      for (const ast::Rule &r : t->rules)
        if (r.name.name == second.name) ref(&r.name, second.range);
      for (const ast::OutputDecl &o : t->outputs)
        if (o.name.name == second.name) ref(&o.name, second.range);
    }
  }

  /// An enum member written alone: the input whose enum the type checker
  /// chose, else the only input in scope that has it.
  void member(const ast::NameExpr &n) {
    const std::string &name = n.name.parts[0].name;
    auto info = a.types.find(&n);
    std::string owner;
    if (info != a.types.end() && info->second.type.kind == ir::Type::Kind::Enum && info->second.type.enumType >= 0 &&
        info->second.type.enumType < static_cast<int>(a.enums.size()))
      owner = a.enums[info->second.type.enumType].name;
    for (auto &[inputName, d] : scope->values) {
      auto *in = dyn<ast::InputDecl>(d);
      if (!in || (!owner.empty() && inputName != owner)) continue;
      for (const ast::Ident &m : in->type.members)
        if (m.name == name) {
          ref(&m, n.name.parts[0].range);
          return;
        }
    }
  }

  void expr(const ast::Expr *e) {
    if (!e) return;
    switch (e->kind) {
    case ast::ExprKind::Number:
      if (auto *n = dyn<ast::NumberExpr>(e); n->unit) unit(*n->unit);
      break;
    case ast::ExprKind::Name: {
      auto *n = dyn<ast::NameExpr>(e);
      if (n->name.parts.empty()) break;
      if (scope->values.count(n->name.parts[0].name)) qualified(n->name);
      else if (n->name.parts.size() == 1) member(*n);
      break;
    }
    case ast::ExprKind::Unary: expr(dyn<ast::UnaryExpr>(e)->operand.get()); break;
    case ast::ExprKind::Binary: {
      auto *b = dyn<ast::BinaryExpr>(e);
      expr(b->lhs.get());
      expr(b->rhs.get());
      break;
    }
    case ast::ExprKind::InRange: {
      auto *r = dyn<ast::InRangeExpr>(e);
      expr(r->subject.get());
      expr(r->lo.get());
      expr(r->hi.get());
      break;
    }
    case ast::ExprKind::InSet: {
      auto *s = dyn<ast::InSetExpr>(e);
      expr(s->subject.get());
      for (auto &m : s->members) expr(m.get());
      break;
    }
    case ast::ExprKind::Call:
      for (auto &arg : dyn<ast::CallExpr>(e)->args) expr(arg.get());
      break;
    case ast::ExprKind::If: {
      auto *i = dyn<ast::IfExpr>(e);
      expr(i->condition.get());
      expr(i->then.get());
      expr(i->otherwise.get());
      break;
    }
    case ast::ExprKind::Count:
      for (auto &item : dyn<ast::CountExpr>(e)->items) expr(item.get());
      break;
    case ast::ExprKind::Bool:
    case ast::ExprKind::String: break;
    }
  }
  void range(const std::optional<ast::RangeExpr> &r) {
    if (!r) return;
    expr(r->lo.get());
    expr(r->hi.get());
  }

  void action(const ast::Action &act) {
    if (act.kind == ast::ActionKind::Give) lookup(scope->drugs, act.name);
    citations(act.citations);
    expr(act.dose.get());
    expr(act.doseHigh.get());
    basis(act.basis);
    expr(act.cap.get());
    basis(act.capBasis);
    range(act.duration);
    range(act.taper);
    expr(act.over.get());
    expr(act.overHigh.get());
    range(act.timing.at);
    expr(act.timing.value.get());
  }

  void referencesIn(size_t fileIndex) {
    const sema::LoadedFile &f = a.files[fileIndex];
    scope = &f.scope;
    if (const auto &h = f.ast->header) {
      expr(h->population.get());
      citations(h->populationCitations);
      if (h->dosingWeight) value(*h->dosingWeight);
      for (const ast::Fact &fact : h->facts) {
        expr(fact.value.get());
        citations(fact.citations);
      }
    }
    std::map<std::string, const ast::ExampleDecl *> examples;
    for (const auto &d : f.ast->decls)
      if (auto *ex = dyn<ast::ExampleDecl>(d.get())) examples.emplace(ex->name, ex);
    for (const auto &d : f.ast->decls) {
      const ast::Decl *decl = d.get();
      if (auto *use = dyn<ast::UseDecl>(decl)) {
        auto target = a.useTarget.find(use);
        if (target == a.useTarget.end() || target->second < 0) continue;
        ref(a.files[target->second].ast, use->module.range);
        for (const ast::Ident &want : use->imports)
          for (const auto &md : a.files[target->second].ast->decls) {
            auto key = declKey(md.get());
            if (key.second && *key.second == want.name) ref(key.first, want.range);
          }
      } else if (auto *in = dyn<ast::InputDecl>(decl)) {
        type(in->type);
        range(in->domain);
        citations(in->citations);
      } else if (auto *def = dyn<ast::DefineDecl>(decl)) {
        expr(def->value.get());
        citations(def->citations);
      } else if (auto *as = dyn<ast::AssumeDecl>(decl)) {
        expr(as->condition.get());
        citations(as->citations);
      } else if (auto *code = dyn<ast::CodeDecl>(decl)) {
        // A code's input or drug is a reference to it (rename, references).
        using Target = ast::CodeDecl::Target;
        if (code->target == Target::Input || code->target == Target::Member) value(code->name.parts[0]);
        else if (code->target == Target::Drug) lookup(scope->drugs, code->name.parts[0]);
        citations(code->citations);
      } else if (auto *drug = dyn<ast::DrugDecl>(decl)) {
        citations(drug->citations);
        for (const ast::Limit &l : drug->limits) {
          expr(l.amount.get());
          basis(l.basis);
          citations(l.citations);
        }
      } else if (auto *p = dyn<ast::PathwayDecl>(decl)) {
        expr(p->entry.get());
        citations(p->citations);
        for (const ast::Tier &t : p->tiers) {
          if (t.after)
            for (const ast::Tier &other : p->tiers)
              if (other.name.name == t.after->name) ref(&other.name, t.after->range);
          expr(t.guard.get());
          expr(t.failedWhen.get());
          citations(t.citations);
          for (const ast::Action &act : t.actions) action(act);
        }
      } else if (auto *t = dyn<ast::TableDecl>(decl)) {
        citations(t->citations);
        for (const ast::OutputDecl &o : t->outputs) type(o.type);
        for (const ast::Rule &r : t->rules) {
          expr(r.guard.get());
          citations(r.citations);
          for (const ast::OutputAssign &o : r.outputs) {
            for (const ast::OutputDecl &od : t->outputs)
              if (od.name.name == o.name.name) ref(&od.name, o.name.range);
            expr(o.value.get());
          }
          for (const ast::Action &act : r.actions) action(act);
        }
      } else if (auto *u = dyn<ast::UnitDecl>(decl)) {
        if (u->isBase) lookup(scope->dimensions, u->dimension);
        else unit(u->ofUnit);
      } else if (auto *dim = dyn<ast::DimensionDecl>(decl)) {
        if (dim->definition) type(*dim->definition);
      } else if (auto *sub = dyn<ast::SubstanceDecl>(decl)) {
        citations(sub->citations);
        for (const ast::SubstanceRatio &r : sub->ratios) {
          unit(r.lhsUnit);
          unit(r.rhsUnit);
          citations(r.citations);
        }
      } else if (auto *v = dyn<ast::VerifyDecl>(decl)) {
        for (const ast::Property &prop : v->properties) {
          expr(prop.expr.get());
          qualified(prop.target);
          if (prop.action.kind == ast::ActionKind::Give) lookup(scope->drugs, prop.action.name);
          expr(prop.bound.get());
          basis(prop.basis);
          citations(prop.citations);
        }
      } else if (auto *ex = dyn<ast::ExampleDecl>(decl)) {
        if (ex->like) {
          auto it = examples.find(*ex->like);
          if (it != examples.end()) ref(it->second, ex->likeRange);
        }
        for (const ast::Given &g : ex->givens) {
          value(g.input);
          expr(g.value.get());
        }
        for (const ast::Expectation &x : ex->expectations) {
          qualified(x.target);
          if (x.kind == ast::Expectation::Kind::Dose ||
              (x.kind == ast::Expectation::Kind::Action && x.action == ast::ActionKind::Give))
            lookup(scope->drugs, x.name);
          expr(x.value.get());
          expr(x.dose.get());
          expr(x.doseHigh.get());
          basis(x.basis);
        }
      }
    }
  }

  /// The node a declaration's symbol is keyed by, and its name.
  std::pair<const void *, const std::string *> declKey(const ast::Decl *d) const {
    if (const ast::Ident *n = valueName(d)) return {n, &n->name};
    if (auto *x = dyn<ast::DrugDecl>(d)) return {&x->name, &x->name.name};
    if (auto *x = dyn<ast::SourceDecl>(d)) return {&x->name, &x->name.name};
    if (auto *x = dyn<ast::UnitDecl>(d)) return {&x->name, &x->name.name};
    if (auto *x = dyn<ast::DimensionDecl>(d)) return {&x->name, &x->name.name};
    if (auto *x = dyn<ast::SubstanceDecl>(d)) return {&x->name, &x->name.name};
    return {nullptr, nullptr};
  }
};

}  // namespace

Index buildIndex(const sema::Analysis &a) {
  Index ix;
  Builder b{a, ix, {}, nullptr};
  for (size_t i = 0; i < a.files.size(); ++i) {
    const sema::LoadedFile &f = a.files[i];
    if (i > 0 && f.ast->file != kNoFile) {
      // A module: a symbol for its file, and where it lives on disk (the
      // stdlib's are shown as stdlib/NAME.care, ModuleLoader.cpp).
      std::string path = f.path;
      if (path.rfind("stdlib/", 0) == 0 && !a.options.stdlibDir.empty() &&
          !std::filesystem::exists(path))
        path = (std::filesystem::path(a.options.stdlibDir) / path.substr(7)).string();
      ix.paths[f.ast->file] = path;
      ast::Ident name{f.module, SourceRange{f.ast->file, 0, 0}};
      b.declare(f.ast, Symbol::Kind::Module, name, "", "module " + f.module, "**module** `" + f.module + "`\n\n" + f.path);
      ix.occurrences.pop_back();  // a module has no name to rename in its file
    }
    b.declareFile(i);
  }
  for (size_t i = 0; i < a.files.size(); ++i) b.referencesIn(i);

  // What the checked file can name.
  const sema::Scope &root = a.rootScope();
  auto see = [&](const void *key) {
    auto it = b.ids.find(key);
    if (it != b.ids.end()) ix.visible.push_back(it->second);
  };
  for (auto &[key, d] : root.values) {
    const std::string &n = key;  // a structured binding is not captured below
    see(b.valueName(d));
    if (auto *in = dyn<ast::InputDecl>(d))
      for (const ast::Ident &m : in->type.members) see(&m);
    auto add = [&](const void *key) {
      auto it = b.ids.find(key);
      if (it != b.ids.end()) ix.members[n].push_back(it->second);
    };
    if (auto *p = dyn<ast::PathwayDecl>(d))
      for (const ast::Tier &t : p->tiers) add(&t.name);
    if (auto *t = dyn<ast::TableDecl>(d)) {
      for (const ast::Rule &r : t->rules) add(&r.name);
      for (const ast::OutputDecl &o : t->outputs) add(&o.name);
    }
  }
  for (auto &[n, d] : root.drugs) see(&d->name);
  for (auto &[n, d] : root.sources) see(&d->name);
  for (auto &[n, d] : root.units) see(&d->name);
  for (auto &[n, d] : root.dimensions) see(&d->name);
  for (auto &[n, d] : root.substances) see(&d->name);
  return ix;
}

}  // namespace carepath::lsp
