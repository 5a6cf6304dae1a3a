#include "parse/ASTBuilder.h"

#include "parse/ParseFile.h"

namespace carepath::parse {

using P = grammar::CarepathParser;
using antlr4::tree::TerminalNode;
using namespace carepath::ast;

namespace {

class Builder {
public:
  Builder(const TokenRanges &ranges, DiagnosticEngine &diags) : r_(ranges), diags_(diags) {}

  std::unique_ptr<File> file(P::FileContext &ctx) {
    auto out = std::make_unique<File>();
    out->file = r_.file();
    if (ctx.header()) out->header = header(ctx.header());
    for (P::DeclContext *d : ctx.decl())
      if (DeclPtr decl = declaration(d)) {
        auto *pathway = dyn<PathwayDecl>(decl.get());
        out->decls.push_back(std::move(decl));
        if (pathway && pathway->course) courseStateInputs(*pathway, out->decls);
      }
    return out;
  }

  /// A course pathway's state is input (docs/semantics.md, "The course"):
  /// `on_P : bool` (the record says the patient is on P) and, per tier,
  /// `P_T_state : enum { not_started, on, responded, failed, completed }`,
  /// declared right after the pathway, located at what they describe.
  static void courseStateInputs(const PathwayDecl &p, std::vector<DeclPtr> &decls) {
    auto on = std::make_unique<InputDecl>(p.name.range);
    on->name = {"on_" + p.name.name, p.name.range};
    on->type.kind = TypeExpr::Kind::Bool;
    on->type.range = p.name.range;
    on->description = "the patient's record: on pathway " + p.name.name + " (entered and not exited)";
    on->courseState = true;
    decls.push_back(std::move(on));
    for (const Tier &t : p.tiers) {
      auto st = std::make_unique<InputDecl>(t.name.range);
      st->name = {p.name.name + "_" + t.name.name + "_state", t.name.range};
      st->type.kind = TypeExpr::Kind::Enum;
      st->type.range = t.name.range;
      for (const char *m : {"not_started", "on", "responded", "failed", "completed"})
        st->type.members.push_back({m, t.name.range});
      st->description = "the patient's record: the state of tier " + p.name.name + "." + t.name.name;
      st->courseState = true;
      decls.push_back(std::move(st));
    }
  }

private:
  // ---------------------------------------------------------------- leaves

  Ident ident(TerminalNode *node) {
    if (!node) return {};
    return {node->getText(), r_.of(node)};
  }
  Ident ident(antlr4::Token *token) { return token ? Ident{token->getText(), r_.of(token)} : Ident{}; }
  /// A rule context's text, as getText() gives it. A rule of one token
  /// (`ident`, `number`, `unitAtom`) is that token's text: getText() would
  /// build a string stream for it, a measurable cost on a wide table
  /// (docs/performance.md, "Sixth round").
  static std::string textOf(antlr4::ParserRuleContext *ctx) {
    if (ctx->children.size() == 1) return ctx->children[0]->getText();
    return ctx->getText();
  }
  /// A name, which may be spelled like a contextual keyword (grammar rule `ident`).
  Ident ident(P::IdentContext *ctx) { return ctx ? Ident{textOf(ctx), r_.of(ctx)} : Ident{}; }
  std::vector<Ident> idents(const std::vector<P::IdentContext *> &ctxs) {
    std::vector<Ident> out;
    for (P::IdentContext *c : ctxs) out.push_back(ident(c));
    return out;
  }

  /// The text between the quotes, with \" \\ \n \t resolved.
  static std::string unquote(const std::string &quoted) {
    std::string out;
    size_t end = quoted.size() >= 2 && quoted.back() == '"' ? quoted.size() - 1 : quoted.size();
    for (size_t i = 1; i < end; ++i) {
      char c = quoted[i];
      if (c == '\\' && i + 1 < end) {
        char e = quoted[++i];
        out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
      } else {
        out.push_back(c);
      }
    }
    return out;
  }
  static std::string str(TerminalNode *node) { return node ? unquote(node->getText()) : std::string(); }
  static std::string str(antlr4::Token *token) { return token ? unquote(token->getText()) : std::string(); }

  QualifiedName qualifiedName(P::QualifiedNameContext *ctx) {
    QualifiedName q;
    q.parts = idents(ctx->ident());
    q.range = r_.of(ctx);
    return q;
  }

  Citations citations(P::CitationsContext *ctx) {
    Citations c;
    if (!ctx) return c;
    c.ids = idents(ctx->ident());
    c.range = r_.of(ctx);
    return c;
  }

  UnitExpr unit(P::UnitExprContext *ctx) {
    UnitExpr u;
    for (P::UnitAtomContext *atom : ctx->unitAtom()) u.atoms.push_back({textOf(atom), r_.of(atom)});
    u.range = r_.of(ctx);
    return u;
  }

  std::optional<Unspecified> unspecified(P::UnspecifiedMarkContext *ctx) {
    if (!ctx) return std::nullopt;
    return Unspecified{str(ctx->STRING()), r_.of(ctx)};
  }

  /// The exact value of a number as written; too many digits is an error.
  Rational number(P::NumberContext *ctx) {
    std::string text = textOf(ctx);
    try {
      if (std::optional<Rational> v = Rational::parse(text)) return *v;
    } catch (const RationalOverflow &) {
    }
    diags_.report(DiagId::err_number_too_large, r_.of(ctx), text);
    return Rational();
  }

  // ---------------------------------------------------------------- expressions

  ExprPtr expr(P::ExprContext *ctx) { return ctx ? orExpr(ctx->orExpr()) : nullptr; }

  /// Folds `a op b op c` to the left; refuses chains a later recursive pass
  /// could not walk.
  template <typename Operand, typename Build>
  ExprPtr chain(antlr4::ParserRuleContext *ctx, const std::vector<Operand *> &operands,
                const std::vector<antlr4::Token *> &ops, Build build, BinaryOp (*opOf)(antlr4::Token *)) {
    if (operands.size() > kMaxChainLength) {
      diags_.report(DiagId::err_expression_too_long, r_.of(ctx), kMaxChainLength);
      return std::make_unique<BoolExpr>(r_.of(ctx), false);
    }
    ExprPtr lhs = build(operands[0]);
    for (size_t i = 1; i < operands.size(); ++i) {
      ExprPtr rhs = build(operands[i]);
      SourceRange range = SourceRange::cover(lhs->range, rhs->range);
      lhs = std::make_unique<BinaryExpr>(range, opOf(ops[i - 1]), r_.of(ops[i - 1]), std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  static std::vector<antlr4::Token *> symbols(const std::vector<TerminalNode *> &nodes) {
    std::vector<antlr4::Token *> out;
    for (TerminalNode *n : nodes) out.push_back(n->getSymbol());
    return out;
  }

  static BinaryOp arithmetic(antlr4::Token *t) {
    switch (t->getType()) {
    case P::PLUS: return BinaryOp::Add;
    case P::MINUS: return BinaryOp::Sub;
    case P::STAR: return BinaryOp::Mul;
    default: return BinaryOp::Div;
    }
  }

  // A chain of one operand is that operand's context, its only child: most
  // operands are (`n5 > 163` is one of each level), and reading the child
  // directly skips the getters' scans of the children (a dynamic_cast each).

  ExprPtr orExpr(P::OrExprContext *ctx) {
    if (ctx->children.size() == 1) return andExpr(static_cast<P::AndExprContext *>(ctx->children[0]));
    return chain(ctx, ctx->andExpr(), symbols(ctx->OR()), [this](P::AndExprContext *c) { return andExpr(c); },
                 [](antlr4::Token *) { return BinaryOp::Or; });
  }

  ExprPtr andExpr(P::AndExprContext *ctx) {
    if (ctx->children.size() == 1) return notExpr(static_cast<P::NotExprContext *>(ctx->children[0]));
    return chain(ctx, ctx->notExpr(), symbols(ctx->AND()), [this](P::NotExprContext *c) { return notExpr(c); },
                 [](antlr4::Token *) { return BinaryOp::And; });
  }

  ExprPtr notExpr(P::NotExprContext *ctx) {
    if (auto *neg = dynamic_cast<P::NegationContext *>(ctx))
      return std::make_unique<UnaryExpr>(r_.of(ctx), UnaryOp::Not, notExpr(neg->notExpr()));
    return comparison(static_cast<P::NotPassThroughContext *>(ctx)->comparison());
  }

  ExprPtr comparison(P::ComparisonContext *ctx) {
    ExprPtr lhs = additive(ctx->lhs);
    if (ctx->op) {
      BinaryOp op;
      switch (ctx->op->getType()) {
      case P::EQ: op = BinaryOp::Eq; break;
      case P::NE: op = BinaryOp::Ne; break;
      case P::LT: op = BinaryOp::Lt; break;
      case P::LE: op = BinaryOp::Le; break;
      case P::GT: op = BinaryOp::Gt; break;
      default: op = BinaryOp::Ge; break;
      }
      return std::make_unique<BinaryExpr>(r_.of(ctx), op, r_.of(ctx->op), std::move(lhs), additive(ctx->rhs));
    }
    if (ctx->children.size() == 1) return lhs;  // no `in`: the operand alone
    if (P::RangeContext *rc = ctx->range()) {
      auto e = std::make_unique<InRangeExpr>(r_.of(ctx));
      e->subject = std::move(lhs);
      e->negated = ctx->NOT() != nullptr;
      RangeExpr range = rangeExpr(rc);
      e->lo = std::move(range.lo);
      e->hi = std::move(range.hi);
      e->halfOpen = range.halfOpen;
      return e;
    }
    if (P::SetContext *sc = ctx->set()) {
      auto e = std::make_unique<InSetExpr>(r_.of(ctx));
      e->subject = std::move(lhs);
      e->negated = ctx->NOT() != nullptr;
      for (P::AdditiveContext *m : sc->additive()) e->members.push_back(additive(m));
      return e;
    }
    return lhs;
  }

  RangeExpr rangeExpr(P::RangeContext *ctx) {
    RangeExpr range;
    range.lo = additive(ctx->lo);
    range.hi = additive(ctx->hi);
    range.halfOpen = ctx->halfOpen != nullptr;
    range.range = r_.of(ctx);
    range.opRange = r_.of(ctx->halfOpen ? ctx->halfOpen : ctx->DOTDOT()->getSymbol());
    return range;
  }

  ExprPtr additive(P::AdditiveContext *ctx) {
    if (ctx->children.size() == 1) return multiplicative(static_cast<P::MultiplicativeContext *>(ctx->children[0]));
    return chain(ctx, ctx->multiplicative(), ctx->op, [this](P::MultiplicativeContext *c) { return multiplicative(c); },
                 &Builder::arithmetic);
  }

  ExprPtr multiplicative(P::MultiplicativeContext *ctx) {
    if (ctx->children.size() == 1) return unary(static_cast<P::UnaryContext *>(ctx->children[0]));
    return chain(ctx, ctx->unary(), ctx->op, [this](P::UnaryContext *c) { return unary(c); }, &Builder::arithmetic);
  }

  ExprPtr unary(P::UnaryContext *ctx) {
    if (auto *neg = dynamic_cast<P::NegateContext *>(ctx))
      return std::make_unique<UnaryExpr>(r_.of(ctx), UnaryOp::Negate, unary(neg->unary()));
    return primary(static_cast<P::UnaryPassThroughContext *>(ctx)->primary());
  }

  ExprPtr primary(P::PrimaryContext *ctx) {
    // The alternatives are exclusive; the common ones are tried first.
    if (auto *c = dynamic_cast<P::NamePrimaryContext *>(ctx))
      return std::make_unique<NameExpr>(r_.of(ctx), qualifiedName(c->qualifiedName()));
    if (auto *c = dynamic_cast<P::LiteralPrimaryContext *>(ctx)) return literal(c->literal());
    if (auto *c = dynamic_cast<P::MinMaxCallContext *>(ctx)) {
      auto call = std::make_unique<CallExpr>(r_.of(ctx), c->fn->getText());
      for (P::ExprContext *arg : c->expr()) call->args.push_back(expr(arg));
      return call;
    }
    if (auto *c = dynamic_cast<P::KnownCallContext *>(ctx)) {
      auto call = std::make_unique<CallExpr>(r_.of(ctx), "known");
      call->args.push_back(expr(c->expr()));
      return call;
    }
    if (auto *c = dynamic_cast<P::IfExprContext *>(ctx)) {
      auto e = std::make_unique<IfExpr>(r_.of(ctx));
      e->condition = expr(c->cond);
      e->then = expr(c->then);
      e->otherwise = expr(c->otherwise);
      return e;
    }
    if (auto *c = dynamic_cast<P::CountExprContext *>(ctx)) {
      auto e = std::make_unique<CountExpr>(r_.of(ctx));
      P::CountingContext *how = c->counting();
      e->counting = how->LEAST() ? Counting::AtLeast : how->MOST() ? Counting::AtMost : Counting::Exactly;
      e->k = number(c->k);
      e->kRange = r_.of(c->k);
      for (P::ExprContext *item : c->expr()) e->items.push_back(expr(item));
      return e;
    }
    // Parentheses only group: the inner expression keeps its own range.
    return expr(static_cast<P::ParenPrimaryContext *>(ctx)->expr());
  }

  ExprPtr literal(P::LiteralContext *ctx) {
    if (dynamic_cast<P::TrueLiteralContext *>(ctx)) return std::make_unique<BoolExpr>(r_.of(ctx), true);
    if (dynamic_cast<P::FalseLiteralContext *>(ctx)) return std::make_unique<BoolExpr>(r_.of(ctx), false);
    if (auto *s = dynamic_cast<P::StringLiteralContext *>(ctx)) return std::make_unique<StringExpr>(r_.of(ctx), str(s->STRING()));
    auto *q = static_cast<P::QuantityLiteralContext *>(ctx);
    auto n = std::make_unique<NumberExpr>(r_.of(ctx));
    n->text = textOf(q->number());
    n->value = number(q->number());
    if (q->unitExpr()) n->unit = unit(q->unitExpr());
    return n;
  }

  // ---------------------------------------------------------------- types

  TypeExpr dimension(P::DimExprContext *ctx) {
    TypeExpr t;
    t.kind = TypeExpr::Kind::Quantity;
    t.range = r_.of(ctx);
    for (auto *child : ctx->children) {
      auto *term = dynamic_cast<TerminalNode *>(child);
      if (!term) continue;
      size_t type = term->getSymbol()->getType();
      if (type == P::IDENT) t.dimAtoms.push_back(ident(term));
      else t.dimOps.push_back(type == P::STAR ? '*' : '/');
    }
    return t;
  }

  TypeExpr type(P::TypeExprContext *ctx) {
    if (auto *q = dynamic_cast<P::QuantityTypeContext *>(ctx)) {
      TypeExpr t = dimension(q->dimExpr());
      if (q->substance) {
        t.substance = ident(q->substance);
        t.range = r_.of(ctx);
      }
      return t;
    }
    TypeExpr t;
    t.range = r_.of(ctx);
    if (dynamic_cast<P::BoolTypeContext *>(ctx)) t.kind = TypeExpr::Kind::Bool;
    else if (dynamic_cast<P::IntegerTypeContext *>(ctx)) t.kind = TypeExpr::Kind::Integer;
    else if (dynamic_cast<P::NumberTypeContext *>(ctx)) t.kind = TypeExpr::Kind::Number;
    else if (dynamic_cast<P::StringTypeContext *>(ctx)) t.kind = TypeExpr::Kind::String;
    else {
      t.kind = TypeExpr::Kind::Enum;
      t.members = idents(static_cast<P::EnumTypeContext *>(ctx)->ident());
    }
    return t;
  }

  // ---------------------------------------------------------------- actions

  Basis basis(P::BasisContext *ctx) {
    Basis b;
    if (!ctx) return b;
    b.range = r_.of(ctx);
    if (dynamic_cast<P::PerDoseBasisContext *>(ctx)) b.kind = Basis::Kind::PerDose;
    else if (auto *t = dynamic_cast<P::PerTimeBasisContext *>(ctx)) {
      b.kind = Basis::Kind::PerTime;
      b.timeUnit = ident(t->IDENT());
    } else if (dynamic_cast<P::PerCourseBasisContext *>(ctx)) b.kind = Basis::Kind::PerCourse;
    else if (dynamic_cast<P::RateBasisContext *>(ctx)) b.kind = Basis::Kind::Rate;
    else {
      b.kind = Basis::Kind::PerCourse;
      b.spelledTotal = true;
    }
    return b;
  }

  static ActionKind actionKind(antlr4::Token *kind) {
    switch (kind->getType()) {
    case P::DO: return ActionKind::Do;
    case P::ORDER: return ActionKind::Order;
    case P::CONSIDER: return ActionKind::Consider;
    case P::MONITOR: return ActionKind::Monitor;
    default: return ActionKind::Give;
    }
  }

  /// A dose count as written; 0 (sema refuses it) when it does not fit.
  int64_t count(antlr4::Token *t, SourceRange &range) {
    range = r_.of(t);
    std::optional<Rational> v;
    try {
      v = Rational::parse(t->getText());
    } catch (const RationalOverflow &) {
    }
    if (!v) {
      diags_.report(DiagId::err_number_too_large, range, t->getText());
      return 0;
    }
    return v->num();
  }

  RegimenClause regimen(P::RegimenContext *ctx) {
    RegimenClause c;
    c.range = r_.of(ctx);
    using K = RegimenClause::Kind;
    if (auto *e = dynamic_cast<P::EveryRegimenContext *>(ctx)) {
      c.kind = K::Every;
      c.interval = expr(e->interval);
    } else if (auto *d = dynamic_cast<P::DividedRegimenContext *>(ctx)) {
      c.kind = K::Divided;
      c.count = count(d->count, c.countRange);
    } else if (dynamic_cast<P::OnceRegimenContext *>(ctx)) {
      c.kind = K::Once;
      c.count = 1;
    } else if (auto *r = dynamic_cast<P::RepeatRegimenContext *>(ctx)) {
      c.kind = K::Repeat;
      if (r->count) c.count = count(r->count, c.countRange);
      else {
        c.count = 1;
        c.countRange = r_.of(r->ONCE());
      }
      c.interval = expr(r->interval);
    } else {
      auto *u = static_cast<P::UpToRegimenContext *>(ctx);
      c.kind = K::UpTo;
      c.count = count(u->count, c.countRange);
    }
    return c;
  }

  Action action(P::ActionContext *ctx) {
    Action a;
    a.range = r_.of(ctx);
    if (auto *g = dynamic_cast<P::GiveActionContext *>(ctx)) {
      a.kind = ActionKind::Give;
      a.name = ident(g->drug);
      if (g->route) a.route = ident(g->route);
      if (P::ExprContext *dose = g->doseValue()->expr()) {
        a.dose = expr(dose);
        if (g->doseValue()->high) a.doseHigh = additive(g->doseValue()->high);
      } else a.doseUnspecified = unspecified(g->doseValue()->unspecifiedMark());
      for (P::BasisContext *b : g->basis())
        if (b != g->capBasis) a.basis = basis(b);
      if (g->cap) a.cap = expr(g->cap);
      a.capBasis = basis(g->capBasis);
      if (g->duration) a.duration = rangeExpr(g->duration);
      if (g->taper) {
        a.taper = rangeExpr(g->taper);
        a.taperRange = r_.of(g->THEN() ? g->THEN() : g->TAPER());
        a.taperRange.end = a.taper->range.end;
      }
      if (g->over) a.over = expr(g->over);
      if (g->overHigh) a.overHigh = additive(g->overHigh);
      for (P::RegimenContext *rc : g->regimen()) a.regimen.push_back(regimen(rc));
      a.note = str(g->STRING());
      a.citations = citations(g->citations());
      return a;
    }
    if (auto *p = dynamic_cast<P::PlainActionContext *>(ctx)) {
      a.kind = actionKind(p->kind);
      a.name = ident(p->ident());
      a.note = str(p->STRING());
      if (P::TimingContext *t = p->timing()) {
        a.timing.range = r_.of(t);
        if (auto *at = dynamic_cast<P::AtTimingContext *>(t)) {
          a.timing.kind = Timing::Kind::At;
          a.timing.at = rangeExpr(at->range());
          if (at->anchor) a.timing.anchor = ident(at->anchor);
        } else if (auto *within = dynamic_cast<P::WithinTimingContext *>(t)) {
          a.timing.kind = Timing::Kind::Within;
          a.timing.value = expr(within->expr());
          if (within->anchor) a.timing.anchor = ident(within->anchor);
        } else {
          a.timing.kind = Timing::Kind::Over;
          auto *over = static_cast<P::OverTimingContext *>(t);
          a.timing.value = expr(over->expr());
          if (over->high) a.timing.high = additive(over->high);
        }
      }
      a.citations = citations(p->citations());
      return a;
    }
    auto *u = static_cast<P::UnspecifiedActionContext *>(ctx);
    a.kind = ActionKind::Unspecified;
    a.unspecified = unspecified(u->unspecifiedMark());
    a.citations = citations(u->citations());
    return a;
  }

  std::vector<Action> body(P::BodyContext *ctx) {
    std::vector<Action> actions;
    for (P::BodyItemContext *item : ctx->bodyItem()) bodyItem(item, actions);
    return actions;
  }

  // Alternatives are flattened into the body's actions (ast::Action::choice).
  void bodyItem(P::BodyItemContext *ctx, std::vector<Action> &actions) {
    if (auto *plain = dynamic_cast<P::PlainItemContext *>(ctx)) {
      actions.push_back(action(plain->action()));
      if (plain->unlessCond) actions.back().unless = expr(plain->unlessCond);
      return;
    }
    auto *c = static_cast<P::ChoiceItemContext *>(ctx);
    int choice = 0;
    for (const Action &a : actions) choice = std::max(choice, a.choice + 1);
    int option = 0;
    for (P::AlternativeContext *alt : c->alternative()) {
      for (P::ActionContext *a : alt->action()) {
        actions.push_back(action(a));
        actions.back().choice = choice;
        actions.back().option = option;
        actions.back().choiceRange = r_.of(c);
      }
      if (alt->unlessCond) actions.back().unless = expr(alt->unlessCond);
      ++option;
    }
  }

  // ---------------------------------------------------------------- header

  Header header(P::HeaderContext *ctx) {
    Header h;
    h.range = r_.of(ctx);
    if (auto *m = dynamic_cast<P::ModuleHeaderContext *>(ctx)) {
      h.kind = Header::Kind::Module;
      h.moduleName = qualifiedName(m->qualifiedName());
      return h;
    }
    auto *p = static_cast<P::ProtocolHeaderContext *>(ctx);
    h.kind = Header::Kind::Protocol;
    h.name = ident(p->name);
    if (p->version) {
      h.version = str(p->version);
      h.versionRange = r_.of(p->version);
    }
    for (P::HeaderItemContext *item : p->headerItem()) {
      if (auto *t = dynamic_cast<P::TitleItemContext *>(item)) {
        h.title = str(t->STRING());
        h.titleRange = r_.of(item);
      } else if (auto *pop = dynamic_cast<P::PopulationItemContext *>(item)) {
        h.population = expr(pop->expr());
        h.populationCitations = citations(pop->citations());
      } else if (auto *d = dynamic_cast<P::DosingWeightItemContext *>(item)) {
        if (d->what->getText() != "weight") diags_.report(DiagId::err_dosing_weight_syntax, r_.of(d->what));
        h.dosingWeight = ident(d->ident());
      } else {
        auto *f = static_cast<P::FactItemContext *>(item);
        Fact fact;
        fact.name = ident(f->ident());
        fact.value = literal(f->literal());
        fact.note = str(f->STRING());
        fact.citations = citations(f->citations());
        fact.range = r_.of(item);
        h.facts.push_back(std::move(fact));
      }
    }
    return h;
  }

  // ---------------------------------------------------------------- declarations

  DeclPtr declaration(P::DeclContext *ctx) {
    SourceRange range = r_.of(ctx);
    if (auto *c = ctx->useDecl()) {
      auto d = std::make_unique<UseDecl>(range);
      d->module = qualifiedName(c->qualifiedName());
      d->hasImportList = c->LBRACE() != nullptr;
      d->imports = idents(c->ident());
      return d;
    }
    if (auto *c = ctx->sourceDecl()) {
      auto d = std::make_unique<SourceDecl>(range);
      d->name = ident(c->ident());
      d->text = str(c->STRING());
      return d;
    }
    if (auto *c = ctx->dimensionDecl()) {
      auto d = std::make_unique<DimensionDecl>(range);
      d->name = ident(c->IDENT());
      if (c->dimExpr()) d->definition = dimension(c->dimExpr());
      return d;
    }
    if (auto *c = ctx->unitDecl()) return unitDecl(c, range);
    if (auto *c = ctx->substanceDecl()) return substanceDecl(c, range);
    if (auto *c = ctx->inputDecl()) {
      auto d = std::make_unique<InputDecl>(range);
      d->name = ident(c->ident());
      d->optional = c->OPTIONAL() != nullptr;
      d->type = type(c->typeExpr());
      if (c->range()) d->domain = rangeExpr(c->range());
      d->description = str(c->STRING());
      d->unspecified = unspecified(c->unspecifiedMark());
      d->citations = citations(c->citations());
      return d;
    }
    if (auto *c = ctx->eventDecl()) {
      // An event is an optional duration input: the time since it.
      auto d = std::make_unique<InputDecl>(range);
      d->name = ident(c->ident());
      d->optional = true;
      d->event = true;
      d->type.kind = TypeExpr::Kind::Quantity;
      d->type.dimAtoms.push_back({"duration", d->name.range});
      d->type.range = d->name.range;
      d->description = str(c->STRING());
      d->citations = citations(c->citations());
      return d;
    }
    if (auto *c = ctx->assumeDecl()) {
      auto d = std::make_unique<AssumeDecl>(range);
      d->name = ident(c->ident());
      d->condition = expr(c->expr());
      d->note = str(c->STRING());
      d->unspecified = unspecified(c->unspecifiedMark());
      d->citations = citations(c->citations());
      return d;
    }
    if (auto *c = ctx->codeDecl()) {
      auto d = std::make_unique<CodeDecl>(range);
      switch (c->kind->getType()) {
      case P::INPUT: d->target = CodeDecl::Target::Input; break;
      case P::MEMBER: d->target = CodeDecl::Target::Member; break;
      case P::DRUG: d->target = CodeDecl::Target::Drug; break;
      case P::ROUTE: d->target = CodeDecl::Target::Route; break;
      default: d->target = CodeDecl::Target::Action; break;
      }
      d->name = qualifiedName(c->target);
      if (c->system) {
        d->system = ident(c->system);
        d->code = str(c->code);
        d->codeRange = r_.of(c->code);
        d->display = str(c->display);
      }
      d->unspecified = unspecified(c->unspecifiedMark());
      d->citations = citations(c->citations());
      return d;
    }
    if (auto *c = ctx->defineDecl()) {
      auto d = std::make_unique<DefineDecl>(range);
      d->name = ident(c->ident());
      d->value = expr(c->expr());
      d->description = str(c->STRING());
      d->citations = citations(c->citations());
      return d;
    }
    if (auto *c = ctx->drugDecl()) {
      auto d = std::make_unique<DrugDecl>(range);
      d->name = ident(c->ident());
      d->description = str(c->STRING());
      d->citations = citations(c->citations());
      for (P::DrugItemContext *item : c->drugItem()) {
        if (auto *route = dynamic_cast<P::RouteItemContext *>(item)) {
          d->route = ident(route->ident());
          d->routes.push_back(*d->route);
        } else if (auto *ci = dynamic_cast<P::ContraindicationItemContext *>(item)) {
          d->contraindications.push_back({expr(ci->expr()), str(ci->STRING()), citations(ci->citations()), r_.of(item)});
        } else {
          auto *l = static_cast<P::LimitItemContext *>(item);
          Limit limit;
          limit.amount = expr(l->expr());
          limit.basis = basis(l->basis());
          if (l->route) limit.route = ident(l->route);
          limit.citations = citations(l->citations());
          limit.range = r_.of(item);
          d->limits.push_back(std::move(limit));
        }
      }
      return d;
    }
    if (auto *c = ctx->pathwayDecl()) {
      auto d = std::make_unique<PathwayDecl>(range);
      d->name = ident(c->ident());
      d->entry = expr(c->expr());
      if (c->ordered) {
        d->first = true;
        d->firstRange = r_.of(c->ordered);
      }
      d->description = str(c->STRING());
      d->citations = citations(c->citations());
      if (P::CourseClauseContext *course = c->courseClause()) {
        d->course = true;
        for (P::ExitClauseContext *e : course->exitClause()) d->exits.push_back({ident(e->ident()), expr(e->expr())});
      }
      for (P::TierDeclContext *t : c->tierDecl()) {
        Tier tier;
        tier.name = ident(t->ident(0));
        if (t->AFTER()) tier.after = ident(t->ident(1));
        tier.guard = expr(t->expr(0));
        tier.failedWhen = expr(t->failed);
        tier.respondedWhen = expr(t->responded);
        tier.completedWhen = expr(t->completed);
        tier.citations = citations(t->citations());
        tier.actions = body(t->body());
        tier.range = r_.of(t);
        d->tiers.push_back(std::move(tier));
      }
      return d;
    }
    if (auto *c = ctx->tableDecl()) return tableDecl(c, range);
    if (auto *c = ctx->verifyDecl()) {
      auto d = std::make_unique<VerifyDecl>(range);
      for (P::PropertyContext *p : c->property()) d->properties.push_back(property(p));
      return d;
    }
    if (auto *c = ctx->exampleDecl()) return exampleDecl(c, range);
    return nullptr;
  }

  DeclPtr unitDecl(P::UnitDeclContext *ctx, SourceRange range) {
    auto d = std::make_unique<UnitDecl>(range);
    if (auto *b = dynamic_cast<P::BaseUnitDeclContext *>(ctx)) {
      d->isBase = true;
      d->name = ident(b->IDENT(0));
      d->dimension = ident(b->IDENT(1));
      ucum(*d, b->ucumCode());
      return d;
    }
    auto *s = static_cast<P::ScaledUnitDeclContext *>(ctx);
    d->name = ident(s->IDENT());
    Rational factor = number(s->number(0));
    d->factorRange = r_.of(s->number(0));
    if (s->number().size() > 1) {
      Rational den = number(s->number(1));
      d->factorRange = SourceRange::cover(d->factorRange, r_.of(s->number(1)));
      if (den == Rational()) diags_.report(DiagId::err_zero_denominator, d->factorRange);
      else factor = factor / den;
    }
    d->factor = factor;
    d->ofUnit = unit(s->unitExpr());
    if (P::UnitOffsetContext *o = s->unitOffset()) {
      Rational offset = number(o->number(0));
      d->offsetRange = r_.of(o);
      if (o->number().size() > 1) {
        Rational den = number(o->number(1));
        if (den == Rational()) diags_.report(DiagId::err_zero_denominator, d->offsetRange);
        else offset = offset / den;
      }
      d->offset = o->MINUS() ? -offset : offset;
    }
    ucum(*d, s->ucumCode());
    return d;
  }

  void ucum(UnitDecl &d, P::UcumCodeContext *ctx) {
    if (!ctx) return;
    d.ucum = str(ctx->STRING());
    d.ucumRange = r_.of(ctx);
  }

  DeclPtr substanceDecl(P::SubstanceDeclContext *c, SourceRange range) {
    auto d = std::make_unique<SubstanceDecl>(range);
    d->name = ident(c->IDENT());
    d->description = str(c->STRING());
    d->citations = citations(c->citations());
    for (P::SubstanceRatioContext *r : c->substanceRatio()) {
      SubstanceRatio ratio;
      ratio.lhs = number(r->lhs);
      ratio.rhs = number(r->rhs);
      ratio.lhsUnit = unit(r->lunit);
      ratio.rhsUnit = unit(r->runit);
      ratio.citations = citations(r->citations());
      ratio.range = r_.of(r);
      d->ratios.push_back(std::move(ratio));
    }
    return d;
  }

  DeclPtr tableDecl(P::TableDeclContext *c, SourceRange range) {
    auto d = std::make_unique<TableDecl>(range);
    d->name = ident(c->ident());
    switch (c->hitPolicy()->getStart()->getType()) {
    case P::UNIQUE: d->hit = HitPolicy::Unique; break;
    case P::FIRST: d->hit = HitPolicy::First; break;
    case P::PRIORITY: d->hit = HitPolicy::Priority; break;
    case P::ANY: d->hit = HitPolicy::Any; break;
    case P::RULE: d->hit = HitPolicy::RuleOrder; break;
    case P::OUTPUT: d->hit = HitPolicy::OutputOrder; break;
    default: d->hit = HitPolicy::Collect; break;
    }
    if (antlr4::Token *agg = c->hitPolicy()->aggregation)
      d->aggregation = parseAggregation(agg->getText()).value_or(Aggregation::None);
    if (P::TableOutputsContext *outs = c->tableOutputs())
      for (P::OutputDeclContext *oc : outs->outputDecl())
        d->outputs.push_back(OutputDecl{ident(oc->ident()), type(oc->typeExpr()), r_.of(oc)});
    d->hitRange = r_.of(c->hitPolicy());
    d->complete = c->COMPLETE() != nullptr;
    d->description = str(c->STRING());
    d->citations = citations(c->citations());
    for (P::RuleDeclContext *rc : c->ruleDecl()) {
      Rule rule;
      rule.name = ident(rc->ident());
      if (rc->INT()) {
        rule.priorityRange = r_.of(rc->INT());
        std::string text = rc->INT()->getText();
        std::optional<Rational> v;
        try {
          v = Rational::parse(text);
        } catch (const RationalOverflow &) {
        }
        if (!v) diags_.report(DiagId::err_number_too_large, rule.priorityRange, text);
        else rule.priority = v->num();
      }
      rule.guard = expr(rc->expr());
      rule.citations = citations(rc->citations());
      P::RuleBodyContext *rb = rc->ruleBody();
      for (P::OutputAssignContext *oa : rb->outputAssign())
        rule.outputs.push_back(OutputAssign{ident(oa->ident()), expr(oa->expr()), r_.of(oa)});
      if (P::BodyContext *b = rb->body()) rule.actions = body(b);
      else if (rb->bodyItem()) bodyItem(rb->bodyItem(), rule.actions);
      rule.range = r_.of(rc);
      d->rules.push_back(std::move(rule));
    }
    return d;
  }

  ActionRef actionRef(P::ActionRefContext *ctx) {
    return {actionKind(ctx->kind), ident(ctx->ident()), r_.of(ctx)};
  }

  Property property(P::PropertyContext *ctx) {
    Property p;
    p.range = r_.of(ctx);
    if (auto *c = dynamic_cast<P::ReachesPropertyContext *>(ctx)) {
      p.expr = expr(c->population);
      if (c->actionRef()) {
        p.kind = Property::Kind::ReachesAction;
        p.action = actionRef(c->actionRef());
      } else {
        p.kind = Property::Kind::Reaches;
        p.target = qualifiedName(c->qualifiedName());
      }
      p.citations = citations(c->citations());
      p.message = str(c->STRING());
    } else if (auto *c = dynamic_cast<P::AlwaysPropertyContext *>(ctx)) {
      if (c->bound) {
        p.kind = Property::Kind::DoseAtMost;
        p.action = {ActionKind::Give, ident(c->ident()), r_.of(c->ident())};
        p.bound = expr(c->bound);
        p.basis = basis(c->basis());
        p.expr = expr(c->cond);
        p.citations = citations(c->citations());
      } else {
        p.kind = Property::Kind::Always;
        p.expr = expr(c->assertion);
      }
      p.message = str(c->STRING());
    } else {
      auto *n = static_cast<P::NeverPropertyContext *>(ctx);
      if (n->actionRef()) {
        p.kind = Property::Kind::NeverAction;
        p.action = actionRef(n->actionRef());
        p.expr = expr(n->cond);
        p.citations = citations(n->citations());
      } else {
        p.kind = Property::Kind::Never;
        p.expr = expr(n->assertion);
      }
      p.message = str(n->STRING());
    }
    return p;
  }

  DeclPtr exampleDecl(P::ExampleDeclContext *c, SourceRange range) {
    auto d = std::make_unique<ExampleDecl>(range);
    d->name = str(c->name);
    d->nameRange = r_.of(c->name);
    if (c->base) {
      d->like = str(c->base);
      d->likeRange = r_.of(c->base);
    }
    for (P::ExampleItemContext *item : c->exampleItem()) {
      if (auto *g = dynamic_cast<P::GivenItemContext *>(item)) {
        for (P::GivenContext *gc : g->given()) {
          Given given;
          given.range = r_.of(gc);
          if (auto *m = dynamic_cast<P::GivenMissingContext *>(gc)) {
            given.input = ident(m->ident());
            given.missing = true;
          } else if (auto *v = dynamic_cast<P::GivenValueContext *>(gc)) {
            given.input = ident(v->ident());
            given.value = expr(v->expr());
          } else {
            auto *f = static_cast<P::GivenFlagContext *>(gc);
            given.input = ident(f->ident());
            given.flag = f->NOT() == nullptr;
          }
          d->givens.push_back(std::move(given));
        }
        continue;
      }
      P::ExpectationContext *ec = static_cast<P::ExpectItemContext *>(item)->expectation();
      Expectation e;
      e.range = r_.of(item);
      if (auto *f = dynamic_cast<P::ExpectFiredContext *>(ec)) {
        e.kind = Expectation::Kind::Fired;
        e.negated = f->NOT() != nullptr;
        e.target = qualifiedName(f->qualifiedName());
      } else if (auto *a = dynamic_cast<P::ExpectActionContext *>(ec)) {
        e.kind = Expectation::Kind::Action;
        e.negated = a->NOT() != nullptr;
        e.action = actionKind(a->kind);
        e.name = ident(a->ident());
      } else if (auto *dose = dynamic_cast<P::ExpectDoseContext *>(ec)) {
        e.kind = Expectation::Kind::Dose;
        e.action = ActionKind::Give;
        e.name = ident(dose->ident());
        e.dose = expr(dose->expr());
        if (dose->high) e.doseHigh = additive(dose->high);
        e.basis = basis(dose->basis());
      } else if (auto *out = dynamic_cast<P::ExpectOutputContext *>(ec)) {
        e.kind = Expectation::Kind::Output;
        e.target = qualifiedName(out->qualifiedName());
        e.value = expr(out->expr());
      } else {
        e.kind = Expectation::Kind::Outside;
      }
      d->expectations.push_back(std::move(e));
    }
    return d;
  }

  const TokenRanges &r_;
  DiagnosticEngine &diags_;
};

}  // namespace

std::unique_ptr<File> buildAst(P::FileContext &tree, const TokenRanges &ranges, DiagnosticEngine &diags) {
  return Builder(ranges, diags).file(tree);
}

}  // namespace carepath::parse
