// Pass 2: names. Builds each file's scope (own declarations, then what its
// `use`s import), then resolves every name the checked file writes: inputs,
// defines, `pathway.tier` / `table.rule`, enum members (contextually: which
// enum is decided by the type checker), drugs, sources, tiers named by
// `after`, examples named by `like`, and expectations. Also finds cycles
// through defines, tiers and rules (a condition that needs itself).
#include <algorithm>
#include <functional>
#include <set>

#include "ir/Terminology.h"
#include "sema/SemaContext.h"

namespace carepath::sema {

namespace {

const char *kindName(const ast::Decl *d) {
  switch (d->kind) {
  case ast::DeclKind::Input: return "input";
  case ast::DeclKind::Define: return "define";
  case ast::DeclKind::Pathway: return "pathway";
  case ast::DeclKind::Table: return "table";
  case ast::DeclKind::Drug: return "drug";
  case ast::DeclKind::Source: return "source";
  case ast::DeclKind::Unit: return "unit";
  case ast::DeclKind::Substance: return "substance";
  case ast::DeclKind::Dimension: return "dimension";
  case ast::DeclKind::Assume: return "assumption";
  default: return "declaration";
  }
}

const ast::Ident *declName(const ast::Decl *d) {
  switch (d->kind) {
  case ast::DeclKind::Input: return &static_cast<const ast::InputDecl *>(d)->name;
  case ast::DeclKind::Define: return &static_cast<const ast::DefineDecl *>(d)->name;
  case ast::DeclKind::Pathway: return &static_cast<const ast::PathwayDecl *>(d)->name;
  case ast::DeclKind::Table: return &static_cast<const ast::TableDecl *>(d)->name;
  case ast::DeclKind::Drug: return &static_cast<const ast::DrugDecl *>(d)->name;
  case ast::DeclKind::Source: return &static_cast<const ast::SourceDecl *>(d)->name;
  case ast::DeclKind::Unit: return &static_cast<const ast::UnitDecl *>(d)->name;
  case ast::DeclKind::Substance: return &static_cast<const ast::SubstanceDecl *>(d)->name;
  case ast::DeclKind::Dimension: return &static_cast<const ast::DimensionDecl *>(d)->name;
  case ast::DeclKind::Assume: return &static_cast<const ast::AssumeDecl *>(d)->name;
  default: return nullptr;
  }
}

bool isProtocolOnly(ast::DeclKind k) {
  switch (k) {
  case ast::DeclKind::Input: case ast::DeclKind::Define: case ast::DeclKind::Pathway: case ast::DeclKind::Table:
  case ast::DeclKind::Verify: case ast::DeclKind::Example:
    return true;
  default:
    return false;
  }
}

// ------------------------------------------------------------------ scopes

struct ScopeBuilder {
  Analysis &a;

  /// Adds `d` to the namespace it belongs to. `local` decides who is blamed
  /// on a clash: a local declaration, or the `use` that imported it.
  void add(Scope &s, const ast::Decl *d, const ast::UseDecl *via) {
    const ast::Ident *name = declName(d);
    if (!name) return;
    auto put = [&](auto &map, auto *decl) {
      auto [it, inserted] = map.emplace(name->name, decl);
      if (inserted || it->second == decl) return;
      if (via) {
        auto &diag = a.diags.report(DiagId::err_import_conflict, via->module.range, name->name, via->module.str());
        a.diags.note(diag, DiagId::note_previous, declName(it->second)->range, "the other declaration is here");
      } else {
        auto &diag = a.diags.report(DiagId::err_duplicate, name->range, kindName(d), name->name);
        a.diags.note(diag, DiagId::note_previous, declName(it->second)->range, "first defined here");
      }
    };
    switch (d->kind) {
    case ast::DeclKind::Input: case ast::DeclKind::Define: case ast::DeclKind::Pathway: case ast::DeclKind::Table:
      put(s.values, d);
      break;
    case ast::DeclKind::Drug: put(s.drugs, static_cast<const ast::DrugDecl *>(d)); break;
    case ast::DeclKind::Source: put(s.sources, static_cast<const ast::SourceDecl *>(d)); break;
    case ast::DeclKind::Unit: put(s.units, static_cast<const ast::UnitDecl *>(d)); break;
    case ast::DeclKind::Substance: put(s.substances, static_cast<const ast::SubstanceDecl *>(d)); break;
    case ast::DeclKind::Dimension: put(s.dimensions, static_cast<const ast::DimensionDecl *>(d)); break;
    case ast::DeclKind::Assume: put(s.assumptions, static_cast<const ast::AssumeDecl *>(d)); break;
    default: break;
    }
  }

  void build(int index) {
    LoadedFile &f = a.files[index];
    if (f.scopeDone) return;
    f.scopeDone = true;  // set first: cycles were already cut by the loader
    Scope scope;
    // Imports first, so a local declaration clashing with one is the one blamed.
    for (const auto &d : f.ast->decls) {
      auto *use = ast::dyn<ast::UseDecl>(d.get());
      if (!use) continue;
      auto target = a.useTarget.find(use);
      if (target == a.useTarget.end() || target->second < 0) continue;
      build(target->second);
      const LoadedFile &m = a.files[target->second];
      // What a module needs comes along: its units, dimensions, substances
      // and sources.
      for (auto &[n, u] : m.scope.units) add(scope, u, use);
      for (auto &[n, sub] : m.scope.substances) add(scope, sub, use);
      for (auto &[n, dim] : m.scope.dimensions) add(scope, dim, use);
      for (auto &[n, src] : m.scope.sources) add(scope, src, use);
      // A module's protocol-only declaration (an input, a pathway, ...) is
      // an error reported at it (module-decl-not-allowed), not a name its
      // importers get: with it they would lose their own declaration of
      // the name, or meet a declaration the model has no place for.
      bool module = m.ast->header && m.ast->header->kind == ast::Header::Kind::Module;
      auto importable = [&](const ast::Decl *md) { return !(module && isProtocolOnly(md->kind)); };
      if (!use->hasImportList) {
        for (const auto &md : m.ast->decls)
          if (importable(md.get())) add(scope, md.get(), use);
        continue;
      }
      for (const ast::Ident &want : use->imports) {
        const ast::Decl *found = nullptr;
        std::vector<std::string> exported;
        for (const auto &md : m.ast->decls)
          if (const ast::Ident *n = declName(md.get())) {
            exported.push_back(n->name);
            if (n->name == want.name) found = md.get();
          }
        if (!found) {
          auto &diag = a.diags.report(DiagId::err_not_exported, want.range, m.module, want.name, didYouMean(want.name, exported));
          noteFailedImport(a, want.range.file, want.name, diag);
          continue;
        }
        if (importable(found)) add(scope, found, use);
      }
    }
    for (const auto &d : f.ast->decls) add(scope, d.get(), nullptr);
    a.files[index].scope = std::move(scope);
  }
};

// ------------------------------------------------------------------ references

/// A node of the dependency graph between conditions: defines, tiers, rules.
struct Node {
  // Rule: a rule's own condition. Fires: whether it fires, which under
  // carepath::fire is decided over every rule of its table.
  enum Kind { Define, Tier, Rule, Fires } kind;
  int container, index;
  auto operator<=>(const Node &) const = default;
};

/// The members of a first-match table (in rule order) or a `first`
/// pathway: each depends on every one before it. Kept as a list, not as
/// the quadratic set of edges (findCycles walks them implicitly).
using FirstMatchGroup = std::vector<Node>;

struct Resolver {
  Analysis &a;
  const Scope &scope;
  std::unordered_map<const ast::Decl *, int> index;  // input/define/pathway/table -> IR index
  std::map<Node, std::vector<Node>> edges;
  std::vector<FirstMatchGroup> groups;
  std::optional<Node> current;  // whose condition is being resolved

  void substanceCitations(const ast::SubstanceDecl &sub, const Scope &s) {
    citations(sub.citations, s);
    for (const ast::SubstanceRatio &r : sub.ratios) citations(r.citations, s);
  }

  void citations(const ast::Citations &c, const Scope &s) {
    for (const ast::Ident &id : c.ids)
      if (!s.sources.count(id.name)) reportUnknownName(a, id.range, "source", id.name, didYouMean(id.name, keysOf(s.sources)));
  }

  std::vector<std::string> valueCandidates() const {
    std::vector<std::string> c = keysOf(scope.values);
    for (auto &[m, inputs] : a.memberInputs) c.push_back(m);
    return c;
  }

  void name(const ast::NameExpr &e) {
    const auto &parts = e.name.parts;
    if (parts.size() == 1) {
      auto it = scope.values.find(parts[0].name);
      if (it != scope.values.end()) {
        const ast::Decl *d = it->second;
        if (d->kind == ast::DeclKind::Input) {
          a.names[&e] = {NameRef::Kind::Input, index.at(d), -1};
        } else if (d->kind == ast::DeclKind::Define) {
          a.names[&e] = {NameRef::Kind::Define, index.at(d), -1};
          if (current) edges[*current].push_back({Node::Define, -1, index.at(d)});
        } else if (auto *pw = ast::dyn<ast::PathwayDecl>(d); pw && pw->course && index.count(d) && !pw->tiers.empty()) {
          // A course pathway names its state: on it now, entered and not
          // exited. Its entry and exits are read under its first tier.
          a.names[&e] = {NameRef::Kind::Pathway, -1, index.at(d)};
          if (current) edges[*current].push_back({Node::Tier, index.at(d), 0});
        } else {
          bool pathway = d->kind == ast::DeclKind::Pathway;
          a.diags.report(DiagId::err_container_in_expr, e.range, parts[0].name, pathway ? "pathway" : "table",
                         pathway ? "tier" : "rule");
        }
        return;
      }
      if (a.memberInputs.count(parts[0].name)) {
        a.names[&e] = {NameRef::Kind::Member, -1, -1};
        return;
      }
      reportUnknownName(a, e.range, "name", parts[0].name, didYouMean(parts[0].name, valueCandidates()));
      return;
    }
    if (auto out = resolveOutput(e.name)) {
      a.names[&e] = {NameRef::Kind::Output, out->second, out->first};
      // The output's value is decided by every rule of its table.
      if (current)
        for (size_t ri = 0; ri < a.tables[out->first]->rules.size(); ++ri)
          edges[*current].push_back({Node::Rule, out->first, static_cast<int>(ri)});
      return;
    }
    auto target = resolveTarget(e.name);
    if (!target) return;
    if (target->kind == ir::Target::Kind::Tier) {
      a.names[&e] = {NameRef::Kind::Tier, target->index, target->container};
      if (current) edges[*current].push_back({Node::Tier, target->container, target->index});
    } else {
      a.names[&e] = {NameRef::Kind::Rule, target->index, target->container};
      // Whether a rule fires is decided over its whole table (carepath::fire
      // reads every rule's match, and lowering builds them all), so reading
      // it depends on every rule of the table: a rule reading a rule of its
      // own table is a cycle, reported, not a crash of the lowering.
      if (current) {
        Node fires{Node::Fires, target->container, target->index};
        edges[*current].push_back(fires);
        std::vector<Node> &all = edges[fires];
        if (all.empty())
          for (size_t ri = 0; ri < a.tables[target->container]->rules.size(); ++ri)
            all.push_back({Node::Rule, target->container, static_cast<int>(ri)});
      }
    }
  }

  /// `table.output`: (table, output) when `q` names an output of a table
  /// in scope; nullopt (and nothing reported) otherwise.
  std::optional<std::pair<int, int>> resolveOutput(const ast::QualifiedName &q) {
    if (q.parts.size() != 2) return std::nullopt;
    auto it = scope.values.find(q.parts[0].name);
    auto *tb = it == scope.values.end() ? nullptr : ast::dyn<ast::TableDecl>(it->second);
    if (!tb || !index.count(tb)) return std::nullopt;
    for (size_t o = 0; o < tb->outputs.size(); ++o)
      if (tb->outputs[o].name.name == q.parts[1].name) return std::make_pair(index.at(tb), static_cast<int>(o));
    return std::nullopt;
  }

  /// `pathway.tier` or `table.rule`; reports and returns nullopt otherwise.
  std::optional<ir::Target> resolveTarget(const ast::QualifiedName &q) {
    const auto &parts = q.parts;
    auto it = scope.values.find(parts[0].name);
    const ast::Decl *d = it == scope.values.end() ? nullptr : it->second;
    if (!d || (d->kind != ast::DeclKind::Pathway && d->kind != ast::DeclKind::Table)) {
      std::vector<std::string> containers;
      for (auto &[n, decl] : scope.values)
        if (decl->kind == ast::DeclKind::Pathway || decl->kind == ast::DeclKind::Table) containers.push_back(n);
      if (d)
        a.diags.report(DiagId::err_not_a_container, parts[0].range, parts[0].name, kindName(d));
      else
        a.diags.report(DiagId::err_unknown_name, parts[0].range, "pathway or table", parts[0].name,
                       didYouMean(parts[0].name, containers));
      return std::nullopt;
    }
    if (parts.size() != 2) {
      a.diags.report(DiagId::err_unknown_name, q.range, "name", q.str(), std::string());
      return std::nullopt;
    }
    std::vector<std::string> members;
    ir::Target t;
    t.container = index.at(d);
    if (auto *p = ast::dyn<ast::PathwayDecl>(d)) {
      t.kind = ir::Target::Kind::Tier;
      for (size_t i = 0; i < p->tiers.size(); ++i) {
        members.push_back(p->tiers[i].name.name);
        if (p->tiers[i].name.name == parts[1].name) t.index = static_cast<int>(i);
      }
    } else {
      auto *tb = ast::dyn<ast::TableDecl>(d);
      t.kind = ir::Target::Kind::Rule;
      for (size_t i = 0; i < tb->rules.size(); ++i) {
        members.push_back(tb->rules[i].name.name);
        if (tb->rules[i].name.name == parts[1].name) t.index = static_cast<int>(i);
      }
    }
    if (t.index < 0) {
      std::string what = (t.kind == ir::Target::Kind::Tier ? "tier of pathway '" : "rule of table '") + parts[0].name + "'";
      a.diags.report(DiagId::err_unknown_name, parts[1].range, what, parts[1].name, didYouMean(parts[1].name, members));
      return std::nullopt;
    }
    return t;
  }

  void expr(const ast::Expr *e) {
    if (!e) return;
    switch (e->kind) {
    case ast::ExprKind::Number: case ast::ExprKind::Bool: case ast::ExprKind::String: return;
    case ast::ExprKind::Name: name(*static_cast<const ast::NameExpr *>(e)); return;
    case ast::ExprKind::Unary: expr(static_cast<const ast::UnaryExpr *>(e)->operand.get()); return;
    case ast::ExprKind::Binary: {
      auto *b = static_cast<const ast::BinaryExpr *>(e);
      expr(b->lhs.get());
      // `0.1 mg/kg/dose`: units after a number are names, so '/dose' reads
      // as a division by a name 'dose'; the author meant the dose basis.
      auto *n = ast::dyn<ast::NameExpr>(b->rhs.get());
      if (b->op == ast::BinaryOp::Div && n && n->name.parts.size() == 1 &&
          (n->name.parts[0].name == "dose" || n->name.parts[0].name == "doses") &&
          !scope.values.count(n->name.parts[0].name)) {
        SourceRange slash = SourceRange::cover(b->opRange, n->range);
        a.diags.report(DiagId::err_slash_dose, slash, n->name.parts[0].name).fixits.push_back({slash, " per dose"});
        return;
      }
      expr(b->rhs.get());
      return;
    }
    case ast::ExprKind::InRange: {
      auto *r = static_cast<const ast::InRangeExpr *>(e);
      expr(r->subject.get());
      expr(r->lo.get());
      expr(r->hi.get());
      return;
    }
    case ast::ExprKind::InSet: {
      auto *s = static_cast<const ast::InSetExpr *>(e);
      expr(s->subject.get());
      for (auto &m : s->members) expr(m.get());
      return;
    }
    case ast::ExprKind::Call:
      for (auto &arg : static_cast<const ast::CallExpr *>(e)->args) expr(arg.get());
      return;
    case ast::ExprKind::If: {
      auto *i = static_cast<const ast::IfExpr *>(e);
      expr(i->condition.get());
      expr(i->then.get());
      expr(i->otherwise.get());
      return;
    }
    case ast::ExprKind::Count:
      for (auto &item : static_cast<const ast::CountExpr *>(e)->items) expr(item.get());
      return;
    }
  }

  void drug(const ast::Ident &name) {
    if (!scope.drugs.count(name.name))
      reportUnknownName(a, name.range, "drug", name.name, didYouMean(name.name, keysOf(scope.drugs)));
  }

  void action(const ast::Action &act) {
    citations(act.citations, scope);
    if (act.kind == ast::ActionKind::Give) {
      drug(act.name);
      expr(act.dose.get());
      expr(act.doseHigh.get());
      expr(act.cap.get());
      for (const auto *r : {&act.duration, &act.taper})
        if (*r) {
          expr((*r)->lo.get());
          expr((*r)->hi.get());
        }
      expr(act.over.get());
      expr(act.overHigh.get());
      for (const ast::RegimenClause &c : act.regimen) expr(c.interval.get());
    }
    if (act.timing.at) {
      expr(act.timing.at->lo.get());
      expr(act.timing.at->hi.get());
    }
    expr(act.timing.value.get());
    expr(act.unless.get());
    expr(act.timing.high.get());
    if (act.timing.anchor) anchor(*act.timing.anchor, act.timing.kind == ast::Timing::Kind::At ? "after" : "of");
  }

  /// `within X of E` / `at A .. B after E`: E must be an event.
  void anchor(const ast::Ident &e, const char *word) {
    auto it = scope.values.find(e.name);
    auto *in = it == scope.values.end() ? nullptr : ast::dyn<ast::InputDecl>(it->second);
    if (in && in->event) return;
    std::vector<std::string> events;
    for (auto &[n, decl] : scope.values)
      if (auto *ev = ast::dyn<ast::InputDecl>(decl); ev && ev->event) events.push_back(n);
    std::string what = it == scope.values.end() ? "not declared" : in ? "an input" : "a " + std::string(kindName(it->second));
    a.diags.report(DiagId::err_anchor_not_event, e.range, word, e.name, what, didYouMean(e.name, events));
  }
};

/// Reports every cycle through defines, tiers and rules once. A node's
/// edges are its own (`edges`), then, for a member of a first-match group,
/// one to each earlier member in order.
void findCycles(Analysis &a, const std::map<Node, std::vector<Node>> &edges,
                const std::vector<FirstMatchGroup> &groups) {
  auto label = [&](const Node &n) -> std::string {
    switch (n.kind) {
    case Node::Define: return a.defines[n.index]->name.name;
    case Node::Tier: return a.pathways[n.container]->name.name + "." + a.pathways[n.container]->tiers[n.index].name.name;
    case Node::Rule: return a.tables[n.container]->name.name + "." + a.tables[n.container]->rules[n.index].name.name;
    case Node::Fires:
      return a.tables[n.container]->name.name + "." + a.tables[n.container]->rules[n.index].name.name +
             " (whether it fires depends on every rule of " + a.tables[n.container]->name.name + ")";
    }
    return "?";
  };
  auto where = [&](const Node &n) -> SourceRange {
    switch (n.kind) {
    case Node::Define: return a.defines[n.index]->name.range;
    case Node::Tier: return a.pathways[n.container]->tiers[n.index].name.range;
    case Node::Rule: case Node::Fires: return a.tables[n.container]->rules[n.index].name.range;
    }
    return {};
  };
  enum class State { New, Active, Done };
  std::map<Node, State> state;
  auto stateOf = [&](const Node &m) {
    auto it = state.find(m);
    return it == state.end() ? State::New : it->second;
  };
  // Group membership (group, position), and per group the length of its
  // prefix known to be Done: an edge to a Done node does nothing, so the
  // walk over earlier members skips that prefix (linear, not quadratic).
  std::map<Node, std::pair<size_t, size_t>> member;
  for (size_t g = 0; g < groups.size(); ++g)
    for (size_t k = 0; k < groups[g].size(); ++k) member.emplace(groups[g][k], std::pair{g, k});
  std::vector<size_t> donePrefix(groups.size(), 0);
  std::vector<Node> stack;
  std::function<void(const Node &)> visit;
  std::set<Node> reported;  // one cycle per node it closes at: another path through it adds nothing
  auto follow = [&](const Node &m) {
    State s = stateOf(m);
    if (s == State::Active && reported.insert(m).second) {
      std::string chain;
      for (auto at = std::find(stack.begin(), stack.end(), m); at != stack.end(); ++at) chain += label(*at) + " -> ";
      a.diags.report(DiagId::err_definition_cycle, where(m), label(m), chain + label(m));
    } else if (s == State::New) {
      visit(m);
    }
  };
  visit = [&](const Node &n) {
    state[n] = State::Active;
    stack.push_back(n);
    auto it = edges.find(n);
    if (it != edges.end())
      for (const Node &m : it->second) follow(m);
    if (auto g = member.find(n); g != member.end()) {
      const FirstMatchGroup &group = groups[g->second.first];
      size_t &done = donePrefix[g->second.first];
      for (size_t j = 0; j < g->second.second; ++j) {
        while (done < group.size() && stateOf(group[done]) == State::Done) ++done;
        if (j < done) j = done;
        if (j >= g->second.second) break;
        follow(group[j]);
      }
    }
    stack.pop_back();
    state[n] = State::Done;
  };
  // The nodes that have edges, in order (a node without any is no cycle's start).
  std::set<Node> starts;
  for (auto &[n, out] : edges) starts.insert(n);
  for (const FirstMatchGroup &group : groups)
    for (size_t k = 1; k < group.size(); ++k) starts.insert(group[k]);
  for (const Node &n : starts)
    if (!state.count(n)) visit(n);
}

const char *protocolOnlyName(ast::DeclKind k) {
  switch (k) {
  case ast::DeclKind::Input: return "inputs";
  case ast::DeclKind::Define: return "defines";
  case ast::DeclKind::Pathway: return "pathways";
  case ast::DeclKind::Table: return "tables";
  case ast::DeclKind::Verify: return "verify blocks";
  case ast::DeclKind::Example: return "examples";
  default: return "declarations";
  }
}

bool isActionProperty(ast::Property::Kind k) {
  return k == ast::Property::Kind::NeverAction || k == ast::Property::Kind::ReachesAction ||
         k == ast::Property::Kind::DoseAtMost;
}

void collectAction(std::set<std::pair<ast::ActionKind, std::string>> &acts, const std::vector<ast::Action> &actions) {
  for (const ast::Action &act : actions) acts.insert({act.kind, act.name.name});
}

}  // namespace

/// The names a contraindication reads, each with where it is written.
void namesIn(const ast::Expr *e, std::vector<const ast::NameExpr *> &out) {
  if (!e) return;
  switch (e->kind) {
  case ast::ExprKind::Name: out.push_back(static_cast<const ast::NameExpr *>(e)); return;
  case ast::ExprKind::Unary: namesIn(static_cast<const ast::UnaryExpr *>(e)->operand.get(), out); return;
  case ast::ExprKind::Binary: {
    auto *b = static_cast<const ast::BinaryExpr *>(e);
    namesIn(b->lhs.get(), out);
    namesIn(b->rhs.get(), out);
    return;
  }
  case ast::ExprKind::InRange: {
    auto *r = static_cast<const ast::InRangeExpr *>(e);
    for (const ast::Expr *x : {r->subject.get(), r->lo.get(), r->hi.get()}) namesIn(x, out);
    return;
  }
  case ast::ExprKind::InSet: {
    auto *r = static_cast<const ast::InSetExpr *>(e);
    namesIn(r->subject.get(), out);
    for (const auto &m : r->members) namesIn(m.get(), out);
    return;
  }
  case ast::ExprKind::Call:
    for (const auto &x : static_cast<const ast::CallExpr *>(e)->args) namesIn(x.get(), out);
    return;
  case ast::ExprKind::If: {
    auto *i = static_cast<const ast::IfExpr *>(e);
    for (const ast::Expr *x : {i->condition.get(), i->then.get(), i->otherwise.get()}) namesIn(x, out);
    return;
  }
  case ast::ExprKind::Count:
    for (const auto &x : static_cast<const ast::CountExpr *>(e)->items) namesIn(x.get(), out);
    return;
  default: return;
  }
}

/// A drug's contraindications read the inputs of the protocol that gives it,
/// by name (a drug of stdlib knows no protocol): resolved here in the checked
/// file's scope, for the drugs it gives. A name that is not an input there
/// (or an enum member) is an error at the give: that protocol must be able
/// to tell whether its patient is covered.
template <typename R> void resolveContraindications(Analysis &a, R &r) {
  const Scope &scope = a.rootScope();
  std::map<std::string, const ast::Action *> firstGive;
  auto gives = [&](const std::vector<ast::Action> &acts) {
    for (const ast::Action &act : acts)
      if (act.kind == ast::ActionKind::Give) firstGive.emplace(act.name.name, &act);
  };
  for (const ast::PathwayDecl *p : a.pathways)
    for (const ast::Tier &t : p->tiers) gives(t.actions);
  for (const ast::TableDecl *t : a.tables)
    for (const ast::Rule &rule : t->rules) gives(rule.actions);
  for (const ast::DrugDecl *d : a.drugs) {
    auto give = firstGive.find(d->name.name);
    if (give == firstGive.end()) continue;  // not given: it constrains nothing here
    for (const ast::Contraindication &c : d->contraindications) {
      std::vector<const ast::NameExpr *> names;
      namesIn(c.when.get(), names);
      bool ok = true;
      for (const ast::NameExpr *n : names) {
        const std::string &first = n->name.parts[0].name;
        auto it = scope.values.find(first);
        if (n->name.parts.size() > 1 || (it != scope.values.end() && it->second->kind != ast::DeclKind::Input)) {
          a.diags.report(DiagId::err_contraindication_name, n->range, n->name.str(),
                         n->name.parts.size() > 1 ? "a qualified name" : "not an input of the protocol");
          ok = false;
        } else if (it == scope.values.end() && !a.memberInputs.count(first)) {
          auto &diag = a.diags.report(DiagId::err_contraindication_input, give->second->name.range, d->name.name,
                                      std::string(a.sources.slice(c.when->range)), first);
          a.diags.note(diag, DiagId::note_here, c.range, "the contraindication");
          ok = false;
        }
      }
      if (!ok) continue;
      r.expr(c.when.get());
      a.contraindications.insert(&c);
    }
  }
}

/// A protocol's population assumptions, its own and those of the modules it
/// uses (imported as any declaration is: the whole module, or by name),
/// resolved in its scope. Like a contraindication, an assumption reads
/// inputs and enum members only, so that it says which patients exist and
/// nothing about what the protocol decides; a module's reads the inputs of
/// the protocol that uses it, by name, and one it lacks is an error at the
/// `use`.
template <typename R> void resolveAssumptions(Analysis &a, R &r) {
  if (a.isModuleFile()) return;  // no inputs: resolved in each protocol that uses it
  const Scope &scope = a.rootScope();
  std::vector<std::pair<const ast::AssumeDecl *, const ast::UseDecl *>> list;
  std::set<const ast::AssumeDecl *> seen;
  auto take = [&](const ast::Decl *d, const ast::UseDecl *via) {
    auto *as = ast::dyn<ast::AssumeDecl>(d);
    if (!as) return;
    auto it = scope.assumptions.find(as->name.name);
    if (it != scope.assumptions.end() && it->second == as && seen.insert(as).second) list.push_back({as, via});
  };
  for (const auto &d : a.files[0].ast->decls) take(d.get(), nullptr);
  for (const auto &d : a.files[0].ast->decls)
    if (auto *use = ast::dyn<ast::UseDecl>(d.get())) {
      auto target = a.useTarget.find(use);
      if (target == a.useTarget.end() || target->second < 0) continue;
      for (const auto &md : a.files[target->second].ast->decls) take(md.get(), use);
    }
  for (auto [as, use] : list) {
    std::vector<const ast::NameExpr *> names;
    namesIn(as->condition.get(), names);
    bool ok = true;
    for (const ast::NameExpr *n : names) {
      const std::string &first = n->name.parts[0].name;
      auto it = scope.values.find(first);
      if (n->name.parts.size() > 1 || (it != scope.values.end() && it->second->kind != ast::DeclKind::Input)) {
        a.diags.report(DiagId::err_assumption_name, n->range, n->name.str(), as->name.name,
                       n->name.parts.size() > 1 ? "a qualified name" : std::string("a ") + kindName(it->second));
        ok = false;
      } else if (it == scope.values.end() && !a.memberInputs.count(first)) {
        ok = false;
        if (!use) continue;  // the checked file's own: unknown-name, below
        auto &diag = a.diags.report(DiagId::err_assumption_input, use->module.range, as->name.name, use->module.str(),
                                    first);
        a.diags.note(diag, DiagId::note_here, as->range, "the assumption");
      }
    }
    if (!use) r.expr(as->condition.get());
    else if (ok) r.expr(as->condition.get());
    if (ok) a.assumptions.push_back(as);
  }
}

/// Terminology codes (docs/language.md, "Terminology codes"). Every file's
/// are checked in its own scope: the system is known, the code well formed
/// for it (with its check digit), a source cited or `unspecified "why"`,
/// the target declared (a module has drugs and routes only). The checked
/// protocol keeps its own and those of its modules' drugs and routes it
/// has; one code per target and system among them.
void resolveCodes(Analysis &a) {
  using Target = ast::CodeDecl::Target;
  static const char *kinds[] = {"input", "enum member", "drug", "route", "action"};
  std::vector<std::string> systemNames;
  for (const ir::terminology::System &s : ir::terminology::systems()) systemNames.push_back(s.keyword);

  // What a file's codes may name: its drugs' routes and the routes and
  // actions its tiers and rules give or do.
  struct Names {
    std::set<std::string> routes, actions;
  };
  auto namesOf = [&](size_t fi) {
    Names n;
    const Scope &scope = a.files[fi].scope;
    for (auto &[name, drug] : scope.drugs)
      for (const ast::Ident &r : drug->routes) n.routes.insert(r.name);
    auto take = [&](const std::vector<ast::Action> &actions) {
      for (const ast::Action &act : actions) {
        if (act.kind == ast::ActionKind::Give && act.route) n.routes.insert(act.route->name);
        else if (act.kind != ast::ActionKind::Give && act.kind != ast::ActionKind::Unspecified)
          n.actions.insert(act.name.name);
      }
    };
    for (const auto &d : a.files[fi].ast->decls)
      if (auto *p = ast::dyn<ast::PathwayDecl>(d.get())) {
        for (const ast::Tier &t : p->tiers) take(t.actions);
      } else if (auto *t = ast::dyn<ast::TableDecl>(d.get())) {
        for (const ast::Rule &r : t->rules) take(r.actions);
      }
    return n;
  };

  std::vector<Names> names;
  for (size_t fi = 0; fi < a.files.size(); ++fi) names.push_back(namesOf(fi));
  std::set<const ast::CodeDecl *> resolved;
  for (size_t fi = 0; fi < a.files.size(); ++fi) {
    const Scope &scope = a.files[fi].scope;
    Resolver r{a, scope, {}, {}, {}, {}};
    for (const auto &d : a.files[fi].ast->decls) {
      auto *c = ast::dyn<ast::CodeDecl>(d.get());
      if (!c) continue;
      const char *kind = kinds[static_cast<int>(c->target)];
      r.citations(c->citations, scope);
      bool ok = true;
      if (!c->unspecified) {
        const ir::terminology::System *sys = ir::terminology::findSystem(c->system.name);
        if (!sys) {
          std::string hint = didYouMean(c->system.name, systemNames);
          a.diags.report(DiagId::err_unknown_name, c->system.range, "code system", c->system.name,
                         hint.empty() ? " (the code systems are " + joinNames(systemNames) + ")" : hint);
          ok = false;
        } else if (std::string why = ir::terminology::checkCode(*sys, c->code); !why.empty()) {
          a.diags.report(DiagId::err_code_invalid, c->codeRange, c->code, sys->title, why);
          ok = false;
        }
        if (c->citations.empty()) {
          a.diags.report(DiagId::err_code_uncited, c->name.range, sys ? sys->title : c->system.name,
                         kinds[static_cast<int>(c->target)], c->name.str());
          ok = false;
        }
      }
      // The target. A module has no inputs, members or actions to code:
      // its code for one is an error of the module, not an unknown name.
      bool inModule = a.files[fi].ast->header && a.files[fi].ast->header->kind == ast::Header::Kind::Module;
      if (inModule && (c->target == Target::Input || c->target == Target::Member || c->target == Target::Action)) {
        static const char *what[] = {"codes of inputs", "codes of enum members", "", "", "codes of actions"};
        a.diags.report(DiagId::err_module_decl_not_allowed, c->range, what[static_cast<int>(c->target)]);
        continue;
      }
      const std::vector<ast::Ident> &parts = c->name.parts;
      auto unknown = [&](const std::vector<std::string> &candidates) {
        a.diags.report(DiagId::err_unknown_name, c->name.range, kind, c->name.str(),
                       didYouMean(c->name.str(), candidates));
        ok = false;
      };
      if (c->target == Target::Member) {
        if (parts.size() != 2) {
          std::string hint;
          auto it = a.memberInputs.find(parts.back().name);
          if (fi == 0 && parts.size() == 1 && it != a.memberInputs.end() && it->second.size() == 1)
            hint = "; did you mean '" + a.inputs[it->second[0]]->name.name + "." + parts[0].name + "'?";
          a.diags.report(DiagId::err_code_member_form, c->name.range, c->name.str(), hint);
          ok = false;
        } else {
          auto it = scope.values.find(parts[0].name);
          auto *in = it == scope.values.end() ? nullptr : ast::dyn<ast::InputDecl>(it->second);
          std::vector<std::string> members;
          if (in && in->type.kind == ast::TypeExpr::Kind::Enum)
            for (const ast::Ident &m : in->type.members) members.push_back(parts[0].name + "." + m.name);
          if (std::find(members.begin(), members.end(), c->name.str()) == members.end()) unknown(members);
        }
      } else if (parts.size() != 1) {
        unknown({});
      } else if (c->target == Target::Input) {
        auto it = scope.values.find(parts[0].name);
        if (it == scope.values.end() || it->second->kind != ast::DeclKind::Input) {
          std::vector<std::string> inputs;
          for (auto &[n, decl] : scope.values)
            if (decl->kind == ast::DeclKind::Input) inputs.push_back(n);
          unknown(inputs);
        }
      } else if (c->target == Target::Drug) {
        if (!scope.drugs.count(parts[0].name)) unknown(keysOf(scope.drugs));
      } else {
        const std::set<std::string> &known = c->target == Target::Route ? names[fi].routes : names[fi].actions;
        if (!known.count(parts[0].name)) unknown({known.begin(), known.end()});
      }
      if (ok) resolved.insert(c);
    }
  }

  // The checked protocol's: those of its modules' drugs and routes it has
  // (its `use`s come first), then its own.
  if (!a.isModuleFile()) {
    for (size_t fi = 1; fi < a.files.size(); ++fi)
      for (const auto &d : a.files[fi].ast->decls) {
        auto *c = ast::dyn<ast::CodeDecl>(d.get());
        if (!c || !resolved.count(c)) continue;
        const std::string &n = c->name.parts[0].name;
        if (c->target == Target::Drug) {
          // The protocol's drug of that name is this module's.
          auto mine = a.files[fi].scope.drugs.find(n);
          if (std::find(a.drugs.begin(), a.drugs.end(), mine->second) == a.drugs.end()) continue;
        } else if (!names[0].routes.count(n)) {
          continue;  // a route none of the protocol's drugs has
        }
        a.codes.push_back(c);
      }
  }
  for (const auto &d : a.files[0].ast->decls)
    if (auto *c = ast::dyn<ast::CodeDecl>(d.get()); c && resolved.count(c)) a.codes.push_back(c);

  // One code per target and code system.
  std::map<std::tuple<Target, std::string, std::string>, const ast::CodeDecl *> seen;
  for (const ast::CodeDecl *c : a.codes) {
    std::string system = c->unspecified ? "unspecified" : c->system.name;
    auto [it, fresh] = seen.emplace(std::make_tuple(c->target, c->name.str(), system), c);
    if (fresh) continue;
    const ir::terminology::System *sys = ir::terminology::findSystem(system);
    auto &diag = a.diags.report(DiagId::err_code_duplicate, c->range, kinds[static_cast<int>(c->target)], c->name.str(),
                                sys ? sys->title : std::string("'unspecified'"));
    a.diags.note(diag, DiagId::note_previous, it->second->range, "the first");
  }
}

void resolveNames(Analysis &a) {
  ScopeBuilder builder{a};
  for (size_t i = 0; i < a.files.size(); ++i) builder.build(static_cast<int>(i));

  // Modules hold what protocols share: no decision logic.
  for (const LoadedFile &f : a.files) {
    if (!f.ast->header || f.ast->header->kind != ast::Header::Kind::Module) continue;
    for (const auto &d : f.ast->decls)
      if (isProtocolOnly(d->kind)) a.diags.report(DiagId::err_module_decl_not_allowed, d->range, protocolOnlyName(d->kind));
  }
  // Every file's assumptions cite a source, or say why none exists.
  for (size_t i = 0; i < a.files.size(); ++i)
    for (const auto &d : a.files[i].ast->decls)
      if (auto *as = ast::dyn<ast::AssumeDecl>(d.get())) {
        Resolver r{a, a.files[i].scope, {}, {}, {}, {}};
        r.citations(as->citations, a.files[i].scope);
        if (as->citations.empty() && !as->unspecified)
          a.diags.report(DiagId::err_assumption_uncited, as->name.range, as->name.name);
      }
  // Citations inside modules, checked in each module's own scope.
  for (size_t i = 1; i < a.files.size(); ++i) {
    Resolver r{a, a.files[i].scope, {}, {}, {}, {}};
    for (const auto &d : a.files[i].ast->decls)
      if (auto *drug = ast::dyn<ast::DrugDecl>(d.get())) {
        r.citations(drug->citations, a.files[i].scope);
        for (const ast::Limit &l : drug->limits) r.citations(l.citations, a.files[i].scope);
        for (const ast::Contraindication &c : drug->contraindications) r.citations(c.citations, a.files[i].scope);
      } else if (auto *sub = ast::dyn<ast::SubstanceDecl>(d.get())) {
        r.substanceCitations(*sub, a.files[i].scope);
      }
  }

  // The checked file's model, in declaration order (the IR's indices).
  const LoadedFile &root = a.files[0];
  const Scope &scope = root.scope;
  Resolver r{a, scope, {}, {}, {}, {}};
  std::set<const ast::DrugDecl *> seenDrugs;
  auto addDrug = [&](const ast::DrugDecl *d) {
    if (seenDrugs.insert(d).second) a.drugs.push_back(d);
  };
  for (const auto &d : root.ast->decls) {
    const ast::Decl *decl = d.get();
    // Only the declaration that won its name is part of the model.
    if (const ast::Ident *n = declName(decl); n && isProtocolOnly(decl->kind)) {
      auto it = scope.values.find(n->name);
      if (it == scope.values.end() || it->second != decl) continue;
    }
    if (auto *in = ast::dyn<ast::InputDecl>(decl)) {
      r.index[decl] = static_cast<int>(a.inputs.size());
      a.inputs.push_back(in);
      if (in->type.kind == ast::TypeExpr::Kind::Enum)
        for (const ast::Ident &m : in->type.members) {
          auto &v = a.memberInputs[m.name];
          if (std::find(v.begin(), v.end(), r.index[decl]) == v.end()) v.push_back(r.index[decl]);
        }
    } else if (auto *def = ast::dyn<ast::DefineDecl>(decl)) {
      r.index[decl] = static_cast<int>(a.defines.size());
      a.defines.push_back(def);
    } else if (auto *p = ast::dyn<ast::PathwayDecl>(decl)) {
      r.index[decl] = static_cast<int>(a.pathways.size());
      a.pathways.push_back(p);
    } else if (auto *t = ast::dyn<ast::TableDecl>(decl)) {
      r.index[decl] = static_cast<int>(a.tables.size());
      a.tables.push_back(t);
      // An enum output's members are names too (resolved against the
      // output's type by the type checker), though no input has them.
      for (const ast::OutputDecl &o : t->outputs)
        if (o.type.kind == ast::TypeExpr::Kind::Enum)
          for (const ast::Ident &m : o.type.members) a.memberInputs[m.name];
    } else if (auto *drug = ast::dyn<ast::DrugDecl>(decl)) {
      auto it = scope.drugs.find(drug->name.name);
      if (it != scope.drugs.end() && it->second == drug) addDrug(drug);
    } else if (auto *use = ast::dyn<ast::UseDecl>(decl)) {
      auto target = a.useTarget.find(use);
      if (target == a.useTarget.end() || target->second < 0) continue;
      for (const auto &md : a.files[target->second].ast->decls)
        if (auto *drug = ast::dyn<ast::DrugDecl>(md.get())) {
          auto it = scope.drugs.find(drug->name.name);
          if (it != scope.drugs.end() && it->second == drug) addDrug(drug);
        }
    }
  }
  for (size_t i = 0; i < a.files.size(); ++i)
    for (const auto &d : a.files[i].ast->decls)
      if (auto *s = ast::dyn<ast::SourceDecl>(d.get())) {
        auto it = a.files[i].scope.sources.find(s->name.name);
        if (it != a.files[i].scope.sources.end() && it->second == s) a.allSources.push_back(s);
      }

  // Header.
  if (root.ast->header) {
    const ast::Header &h = *root.ast->header;
    r.expr(h.population.get());
    r.citations(h.populationCitations, scope);
    for (const ast::Fact &f : h.facts) r.citations(f.citations, scope);
    if (h.dosingWeight) {
      auto it = scope.values.find(h.dosingWeight->name);
      if (it == scope.values.end() || it->second->kind != ast::DeclKind::Input) {
        std::vector<std::string> inputs;
        for (const auto *in : a.inputs) inputs.push_back(in->name.name);
        a.diags.report(DiagId::err_unknown_name, h.dosingWeight->range, "input", h.dosingWeight->name,
                       didYouMean(h.dosingWeight->name, inputs));
      }
    }
  }

  // Rule order under each table's hit policy (carepath/Rules.h).
  for (const ast::TableDecl *t : a.tables) {
    std::vector<std::optional<int64_t>> priorities;
    for (const ast::Rule &rule : t->rules) priorities.push_back(rule.priority);
    std::vector<uint32_t> order = carepath::ruleOrder(t->hit, priorities);
    a.ruleOrder.emplace_back(order.begin(), order.end());
  }

  for (const auto &d : root.ast->decls) {
    if (auto *in = ast::dyn<ast::InputDecl>(d.get())) {
      r.citations(in->citations, scope);
    } else if (auto *def = ast::dyn<ast::DefineDecl>(d.get())) {
      r.citations(def->citations, scope);
      if (!r.index.count(def)) continue;
      r.current = Node{Node::Define, -1, r.index.at(def)};
      r.expr(def->value.get());
      r.current.reset();
    } else if (auto *drug = ast::dyn<ast::DrugDecl>(d.get())) {
      r.citations(drug->citations, scope);
      for (const ast::Limit &l : drug->limits) r.citations(l.citations, scope);
      for (const ast::Contraindication &c : drug->contraindications) r.citations(c.citations, scope);
    } else if (auto *sub = ast::dyn<ast::SubstanceDecl>(d.get())) {
      r.substanceCitations(*sub, scope);
    } else if (auto *p = ast::dyn<ast::PathwayDecl>(d.get())) {
      r.citations(p->citations, scope);
      int pi = r.index.count(p) ? r.index.at(p) : -1;
      std::map<std::string, int> tierIndex;
      std::vector<int> after(p->tiers.size(), -1);
      for (size_t ti = 0; ti < p->tiers.size(); ++ti) {
        const ast::Tier &tier = p->tiers[ti];
        auto [it, fresh] = tierIndex.emplace(tier.name.name, static_cast<int>(ti));
        if (!fresh) {
          auto &diag = a.diags.report(DiagId::err_duplicate, tier.name.range, "tier", tier.name.name);
          a.diags.note(diag, DiagId::note_previous, p->tiers[it->second].name.range, "first defined here");
        }
        if (pi >= 0) r.current = Node{Node::Tier, pi, static_cast<int>(ti)};
        r.expr(p->entry.get());
        r.expr(tier.guard.get());
        // A course tier applies only while no exit and none of its ends
        // holds (ir::Protocol::tierGuard): those are part of its condition.
        // The exits are read once, under the first tier; every later tier
        // reads them too, through the first tier (for cycles).
        if (p->course) {
          if (ti == 0)
            for (const ast::Exit &e : p->exits) r.expr(e.when.get());
          else if (pi >= 0)
            r.edges[Node{Node::Tier, pi, static_cast<int>(ti)}].push_back(Node{Node::Tier, pi, 0});
          r.expr(tier.failedWhen.get());
          r.expr(tier.respondedWhen.get());
          r.expr(tier.completedWhen.get());
        }
        r.current.reset();
        if (!p->course) {
          r.expr(tier.failedWhen.get());
          for (const ast::ExprPtr *c : {&tier.respondedWhen, &tier.completedWhen})
            if (*c)
              a.diags.report(DiagId::err_course_clause_not_course, (*c)->range,
                             c == &tier.respondedWhen ? "responded when" : "completed when", p->name.name);
        }
        r.citations(tier.citations, scope);
        for (const ast::Action &act : tier.actions) r.action(act);
      }
      for (size_t ti = 0; ti < p->tiers.size(); ++ti) {
        const ast::Tier &tier = p->tiers[ti];
        if (!tier.after) continue;
        const ast::Ident &s = *tier.after;
        auto it = tierIndex.find(s.name);
        if (it == tierIndex.end()) {
          std::string other;
          for (const ast::PathwayDecl *q : a.pathways)
            if (q != p)
              for (const ast::Tier &qt : q->tiers)
                if (qt.name.name == s.name && other.empty()) other = q->name.name;
          if (!other.empty())
            a.diags.report(DiagId::err_after_other_pathway, s.range, s.name, other, p->name.name);
          else
            a.diags.report(DiagId::err_unknown_name, s.range, "tier of pathway '" + p->name.name + "'", s.name,
                           didYouMean(s.name, keysOf(tierIndex)));
          continue;
        }
        int si = it->second;
        if (si >= static_cast<int>(ti)) {
          auto &diag = a.diags.report(DiagId::err_after_not_earlier, s.range, tier.name.name, s.name);
          a.diags.note(diag, DiagId::note_here, p->tiers[si].name.range, "'" + s.name + "' is declared here");
          continue;
        }
        // A course tier can have failed by the record (its state) alone.
        if (!p->tiers[si].failedWhen && !p->course) {
          auto &diag = a.diags.report(DiagId::err_after_without_failed, s.range, s.name);
          a.diags.note(diag, DiagId::note_here, p->tiers[si].name.range,
                       "add 'failed when CONDITION' to tier '" + s.name + "'");
          continue;
        }
        after[ti] = si;
      }
      if (p->tiers.empty())
        for (const ast::Exit &e : p->exits) r.expr(e.when.get());
      std::map<std::string, const ast::Exit *> exitNames;
      for (const ast::Exit &e : p->exits)
        if (!exitNames.emplace(e.name.name, &e).second) {
          auto &diag = a.diags.report(DiagId::err_duplicate_exit, e.name.range, e.name.name, p->name.name);
          a.diags.note(diag, DiagId::note_previous, exitNames.at(e.name.name)->name.range, "first defined here");
        }
      if (pi >= 0) a.afterIndex.push_back(after);
      // In a `first` pathway a tier applies only if no earlier tier's guard holds.
      if (pi >= 0 && p->first) {
        FirstMatchGroup &group = r.groups.emplace_back();
        for (size_t ti = 0; ti < p->tiers.size(); ++ti) group.push_back(Node{Node::Tier, pi, static_cast<int>(ti)});
      }
    } else if (auto *t = ast::dyn<ast::TableDecl>(d.get())) {
      r.citations(t->citations, scope);
      int tIndex = r.index.count(t) ? r.index.at(t) : -1;
      std::map<std::string, int> ruleIndex;
      for (size_t ri = 0; ri < t->rules.size(); ++ri) {
        const ast::Rule &rule = t->rules[ri];
        auto [it, fresh] = ruleIndex.emplace(rule.name.name, static_cast<int>(ri));
        if (!fresh) {
          auto &diag = a.diags.report(DiagId::err_duplicate, rule.name.range, "rule", rule.name.name);
          a.diags.note(diag, DiagId::note_previous, t->rules[it->second].name.range, "first defined here");
        }
        if (tIndex >= 0) r.current = Node{Node::Rule, tIndex, static_cast<int>(ri)};
        r.expr(rule.guard.get());
        for (const ast::OutputAssign &o : rule.outputs) r.expr(o.value.get());
        r.current.reset();
        r.citations(rule.citations, scope);
        for (const ast::Action &act : rule.actions) r.action(act);
      }
      // Under first/priority/any a rule fires only if no rule before it does.
      if (tIndex >= 0 && carepath::firesFirstMatchOnly(t->hit)) {
        FirstMatchGroup &group = r.groups.emplace_back();
        for (int ri : a.ruleOrder[tIndex]) group.push_back(Node{Node::Rule, tIndex, ri});
      }
    } else if (auto *v = ast::dyn<ast::VerifyDecl>(d.get())) {
      for (const ast::Property &prop : v->properties) {
        r.expr(prop.expr.get());
        r.expr(prop.bound.get());
        r.citations(prop.citations, scope);
        if (prop.kind == ast::Property::Kind::Reaches) r.resolveTarget(prop.target);
        if (isActionProperty(prop.kind) && prop.action.kind == ast::ActionKind::Give) r.drug(prop.action.name);
      }
    }
  }
  resolveContraindications(a, r);
  resolveAssumptions(a, r);
  resolveCodes(a);
  if (!a.diags.hasErrors()) findCycles(a, r.edges, r.groups);

  // Examples: names, `like`, givens, expectations.
  std::map<std::string, int> exampleIndex;
  for (const auto &d : root.ast->decls)
    if (auto *ex = ast::dyn<ast::ExampleDecl>(d.get())) {
      auto [it, fresh] = exampleIndex.emplace(ex->name, static_cast<int>(a.examples.size()));
      if (!fresh) {
        auto &diag = a.diags.report(DiagId::err_duplicate_example, ex->nameRange, ex->name);
        a.diags.note(diag, DiagId::note_previous, a.examples[it->second]->nameRange, "first defined here");
      }
      a.examples.push_back(ex);
    }
  std::set<std::pair<ast::ActionKind, std::string>> actions;
  for (const ast::PathwayDecl *p : a.pathways)
    for (const ast::Tier &t : p->tiers) collectAction(actions, t.actions);
  for (const ast::TableDecl *t : a.tables)
    for (const ast::Rule &rule : t->rules) collectAction(actions, rule.actions);
  std::map<std::string, int> inputIndex;
  for (size_t i = 0; i < a.inputs.size(); ++i) inputIndex[a.inputs[i]->name.name] = static_cast<int>(i);

  // An action property about an action nothing does yet holds (or fails)
  // for want of a tier or rule: likely a misspelling, so it is said.
  for (const auto &d : root.ast->decls)
    if (auto *v = ast::dyn<ast::VerifyDecl>(d.get()))
      for (const ast::Property &prop : v->properties) {
        if (!isActionProperty(prop.kind) || actions.count({prop.action.kind, prop.action.name.name})) continue;
        if (prop.action.kind == ast::ActionKind::Give && !scope.drugs.count(prop.action.name.name)) continue;
        std::vector<std::string> same;
        for (auto &[k, n] : actions)
          if (k == prop.action.kind) same.push_back(n);
        a.diags.report(DiagId::warn_property_action_never_done, prop.action.range, ast::spelling(prop.action.kind),
                       prop.action.name.name, didYouMean(prop.action.name.name, same));
      }

  a.exampleBase.assign(a.examples.size(), -1);
  for (size_t e = 0; e < a.examples.size(); ++e) {
    const ast::ExampleDecl *ex = a.examples[e];
    if (ex->like) {
      auto it = exampleIndex.find(*ex->like);
      if (it == exampleIndex.end())
        a.diags.report(DiagId::err_unknown_example, ex->likeRange, *ex->like, didYouMean(*ex->like, keysOf(exampleIndex)));
      else
        a.exampleBase[e] = it->second;
    }
    std::map<std::string, const ast::Given *> given;
    for (const ast::Given &g : ex->givens) {
      if (!inputIndex.count(g.input.name)) {
        a.diags.report(DiagId::err_unknown_name, g.input.range, "input", g.input.name,
                       didYouMean(g.input.name, keysOf(inputIndex)));
        continue;
      }
      auto [it, fresh] = given.emplace(g.input.name, &g);
      if (!fresh) {
        auto &diag = a.diags.report(DiagId::err_given_twice, g.input.range, g.input.name);
        a.diags.note(diag, DiagId::note_previous, it->second->range, "first given here");
      }
      r.expr(g.value.get());
    }
    for (const ast::Expectation &x : ex->expectations) {
      switch (x.kind) {
      case ast::Expectation::Kind::Fired: r.resolveTarget(x.target); break;
      case ast::Expectation::Kind::Action:
        if (x.action == ast::ActionKind::Give) {
          r.drug(x.name);
        } else if (!actions.count({x.action, x.name.name})) {
          std::vector<std::string> same;
          for (auto &[k, n] : actions)
            if (k == x.action) same.push_back(n);
          a.diags.report(DiagId::err_expect_unknown_action, x.name.range, ast::spelling(x.action), x.name.name,
                         didYouMean(x.name.name, same));
        }
        break;
      case ast::Expectation::Kind::Dose: r.drug(x.name); break;
      case ast::Expectation::Kind::Outside: break;
      case ast::Expectation::Kind::Output:
        if (auto out = r.resolveOutput(x.target))
          a.expectOutputs[&x] = *out;
        else
          a.diags.report(DiagId::err_unknown_name, x.target.range, "table output", x.target.str(),
                         std::string("; 'expect TABLE.OUTPUT == VALUE' checks the value of a table's output"));
        r.expr(x.value.get());
        break;
      }
    }
  }
  // `like` cycles, then inputs left ungiven after inheritance. Examples in
  // or leading into a cycle are marked (-2) afterwards: not expanded.
  std::vector<size_t> cyclic;
  for (size_t e = 0; e < a.examples.size(); ++e) {
    std::vector<int> chain{static_cast<int>(e)};
    int at = a.exampleBase[e];
    bool cycle = false;
    while (at >= 0) {
      if (std::find(chain.begin(), chain.end(), at) != chain.end()) {
        cycle = at == static_cast<int>(e);
        if (cycle) {
          std::string text;
          for (int c : chain) text += "\"" + a.examples[c]->name + "\" -> ";
          a.diags.report(DiagId::err_like_cycle, a.examples[e]->likeRange, a.examples[e]->name,
                         text + "\"" + a.examples[e]->name + "\"");
        }
        break;
      }
      chain.push_back(at);
      at = a.exampleBase[at];
    }
    if (at >= 0) {
      cyclic.push_back(e);
      continue;
    }
    std::set<std::string> given;
    for (int c : chain)
      for (const ast::Given &g : a.examples[c]->givens) given.insert(g.input.name);
    std::vector<std::string> missing;
    for (const ast::InputDecl *in : a.inputs)
      if (!in->optional && !given.count(in->name.name)) missing.push_back(in->name.name);  // optional: missing
    if (!missing.empty())
      a.diags.report(DiagId::err_example_missing_inputs, a.examples[e]->nameRange, a.examples[e]->name, missing.size(),
                     missing.size() == 1 ? "" : "s", joinNames(missing));
  }
  for (size_t e : cyclic) a.exampleBase[e] = -2;
}

}  // namespace carepath::sema
