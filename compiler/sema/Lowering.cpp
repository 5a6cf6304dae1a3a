// Pass 5: lowering to the IR. Runs on a tree the earlier passes found
// clean. Normalises as ir/IR.h documents: quantities in canonical units
// (exact), `x in lo .. hi` as lo <= x and x <= hi (`lo ..< hi`: x < hi), `x in {a, b}` as
// x == a or x == b, `not in` as not(...), references to `pathway.tier` /
// `table.rule` as their firing condition, defines kept named, examples
// expanded through `like` into whole patients, and every `unspecified`
// collected with where it stands.
#include <algorithm>
#include <map>
#include <set>

#include "carepath/Quantity.h"
#include "ir/Terminology.h"
#include "sema/SemaContext.h"

namespace carepath::sema {

namespace {

using ir::build::binary;
using ir::build::nary;
using ir::build::unary;

ir::Citations cites(const ast::Citations &c) {
  ir::Citations r;
  for (const ast::Ident &id : c.ids) r.push_back(id.name);
  return r;
}

/// A written unit as numerator and denominator atoms, for working out the
/// unit to display a computed dose in (`30 mg/kg * weight` -> mg).
struct UnitAtoms {
  std::vector<std::string> num, den;
  bool known = false;
  void cancel() {
    for (auto it = num.begin(); it != num.end();) {
      auto d = std::find(den.begin(), den.end(), *it);
      if (d != den.end()) {
        den.erase(d);
        it = num.erase(it);
      } else {
        ++it;
      }
    }
  }
};

struct Lowerer {
  Analysis &a;
  ir::Protocol p;
  std::unordered_map<const ast::Expr *, ir::ExprRef> memo;
  std::map<std::pair<int, int>, ir::ExprRef> ruleFiring;

  // ---------------------------------------------------------------- expressions

  ir::ExprRef expr(const ast::Expr *e) {
    if (!e) return nullptr;
    auto it = memo.find(e);
    if (it != memo.end()) return it->second;
    ir::ExprRef r = lowerExpr(e);
    memo[e] = r;
    return r;
  }

  /// A number as written: its canonical value and the unit the author wrote.
  static ir::ExprRef literal(const ast::Expr *e, const ExprInfo &info) {
    auto n = std::make_shared<ir::Expr>();
    n->op = ir::Op::Const;
    n->type = info.type;
    n->constant = ir::Value::ofNumber(info.canonical);
    n->range = e->range;
    n->unit = info.unit;
    return n;
  }

  ir::ExprRef lowerExpr(const ast::Expr *e) {
    const ExprInfo &info = a.types.at(e);
    switch (e->kind) {
    case ast::ExprKind::Number: return literal(e, info);
    case ast::ExprKind::Bool: return ir::build::boolean(static_cast<const ast::BoolExpr *>(e)->value, e->range);
    case ast::ExprKind::String: return ir::build::string(static_cast<const ast::StringExpr *>(e)->value, e->range);
    case ast::ExprKind::Name: {
      auto *n = static_cast<const ast::NameExpr *>(e);
      const NameRef &ref = a.names.at(n);
      switch (ref.kind) {
      case NameRef::Kind::Input:
        if (a.inputs[ref.index]->courseState && info.type.kind == ir::Type::Kind::Enum) return tierStateRead(ref.index);
        return ir::build::input(ref.index, info.type, e->range, a.inputs[ref.index]->optional);
      case NameRef::Kind::Define:
        return ir::build::define(ref.index, info.type, e->range, expr(a.defines[ref.index]->value.get())->mayBeMissing);
      case NameRef::Kind::Member: return ir::build::member(info.type.enumType, info.member, e->range);
      case NameRef::Kind::Tier: return tierFiring(ref.container, ref.index);
      case NameRef::Kind::Pathway: {
        // ir::Protocol::pathwayActive, the one definition.
        ir::Protocol one;
        one.inputs = p.inputs;
        one.pathways.push_back(skeleton(ref.container, -1));
        return one.pathwayActive(0);
      }
      case NameRef::Kind::Rule: return ruleFires(ref.container, ref.index);
      case NameRef::Kind::Output: return outputReference(ref.container, ref.index, e->range);
      }
      return nullptr;
    }
    case ast::ExprKind::Unary: {
      auto *u = static_cast<const ast::UnaryExpr *>(e);
      if (u->op == ast::UnaryOp::Negate && info.unit && info.unit->affine()) {
        // `-40 degC`: one reading, checked and converted as a whole.
        return literal(e, info);
      }
      return unary(u->op == ast::UnaryOp::Not ? ir::Op::Not : ir::Op::Neg, expr(u->operand.get()), e->range);
    }
    case ast::ExprKind::Binary: {
      auto *b = static_cast<const ast::BinaryExpr *>(e);
      ir::ExprRef l = expr(b->lhs.get()), r = expr(b->rhs.get());
      switch (b->op) {
      case ast::BinaryOp::And: return flat(ir::Op::And, l, r, e->range);
      case ast::BinaryOp::Or: return flat(ir::Op::Or, l, r, e->range);
      case ast::BinaryOp::Eq: return binary(ir::Op::Eq, l, r, e->range);
      case ast::BinaryOp::Ne: return binary(ir::Op::Ne, l, r, e->range);
      case ast::BinaryOp::Lt: return binary(ir::Op::Lt, l, r, e->range);
      case ast::BinaryOp::Le: return binary(ir::Op::Le, l, r, e->range);
      case ast::BinaryOp::Gt: return binary(ir::Op::Gt, l, r, e->range);
      case ast::BinaryOp::Ge: return binary(ir::Op::Ge, l, r, e->range);
      case ast::BinaryOp::Add: return binary(ir::Op::Add, l, r, e->range);
      case ast::BinaryOp::Sub: return binary(ir::Op::Sub, l, r, e->range);
      case ast::BinaryOp::Mul: return binary(ir::Op::Mul, l, r, e->range);
      case ast::BinaryOp::Div: return binary(ir::Op::Div, l, r, e->range);
      }
      return nullptr;
    }
    case ast::ExprKind::InRange: {
      auto *r = static_cast<const ast::InRangeExpr *>(e);
      ir::ExprRef s = expr(r->subject.get());
      ir::ExprRef in = nary(ir::Op::And, {binary(ir::Op::Ge, s, expr(r->lo.get()), e->range),
                                          binary(r->halfOpen ? ir::Op::Lt : ir::Op::Le, s, expr(r->hi.get()), e->range)},
                         e->range);
      return r->negated ? unary(ir::Op::Not, in, e->range) : in;
    }
    case ast::ExprKind::InSet: {
      auto *set = static_cast<const ast::InSetExpr *>(e);
      ir::ExprRef s = expr(set->subject.get());
      std::vector<ir::ExprRef> eqs;
      for (const auto &m : set->members) eqs.push_back(binary(ir::Op::Eq, s, expr(m.get()), m->range));
      ir::ExprRef in = nary(ir::Op::Or, eqs, e->range);
      return set->negated ? unary(ir::Op::Not, in, e->range) : in;
    }
    case ast::ExprKind::Call: {
      auto *c = static_cast<const ast::CallExpr *>(e);
      std::vector<ir::ExprRef> args;
      for (const auto &arg : c->args) args.push_back(expr(arg.get()));
      if (c->callee == "known") return ir::build::known(args.at(0), e->range);
      return nary(c->callee == "min" ? ir::Op::Min : ir::Op::Max, args, e->range);
    }
    case ast::ExprKind::If: {
      auto *i = static_cast<const ast::IfExpr *>(e);
      return ir::build::ifThenElse(expr(i->condition.get()), expr(i->then.get()), expr(i->otherwise.get()), e->range);
    }
    case ast::ExprKind::Count: {
      auto *c = static_cast<const ast::CountExpr *>(e);
      std::vector<ir::ExprRef> items;
      for (const auto &item : c->items) items.push_back(expr(item.get()));
      return ir::build::count(c->counting, static_cast<int>(c->k.num()), std::move(items), e->range);
    }
    }
    return nullptr;
  }

  /// `a and (b and c)` -> and(a, b, c).
  static ir::ExprRef flat(ir::Op op, const ir::ExprRef &l, const ir::ExprRef &r, SourceRange range) {
    std::vector<ir::ExprRef> args;
    for (const ir::ExprRef &x : {l, r}) {
      if (x->op == op) args.insert(args.end(), x->args.begin(), x->args.end());
      else args.push_back(x);
    }
    return nary(op, args, range);
  }

  /// A pathway as ir::Protocol's course functions read it: its state
  /// inputs, `after`s, entry and exits (lowered only when `conditions`),
  /// and the conditions of tier `full` only (-1: none), so that a tier
  /// named in another tier's guard does not lower the whole pathway.
  ir::Pathway skeleton(int pathway, int full, bool conditions = true) {
    const ast::PathwayDecl *pw = a.pathways[pathway];
    ir::Pathway r;
    r.name = pw->name.name;
    r.description = pw->description;
    r.citations = cites(pw->citations);
    r.range = pw->range;
    r.course = pw->course;
    r.first = pw->first;
    if (conditions) r.entry = expr(pw->entry.get());
    if (pw->course) {
      r.onInput = p.findInput("on_" + pw->name.name);
      if (conditions)
        for (const ast::Exit &e : pw->exits) r.exits.push_back({e.name.name, expr(e.when.get())});
    }
    for (size_t ti = 0; ti < pw->tiers.size(); ++ti) {
      const ast::Tier &t = pw->tiers[ti];
      ir::Tier tier;
      tier.name = t.name.name;
      tier.guard = ir::build::boolean(false, t.range);  // a placeholder unless `full`
      // An ordered (`first`) pathway's stage reads the earlier stages' guards too.
      if (static_cast<int>(ti) == full || (conditions && pw->first && static_cast<int>(ti) < full)) {
        tier.guard = expr(t.guard.get());
        tier.failedWhen = expr(t.failedWhen.get());
        tier.respondedWhen = expr(t.respondedWhen.get());
        tier.completedWhen = expr(t.completedWhen.get());
      }
      if (pw->course) tier.stateInput = p.findInput(pw->name.name + "_" + t.name.name + "_state");
      tier.after = a.afterIndex[pathway][ti];
      tier.citations = cites(t.citations);
      tier.range = t.range;
      r.tiers.push_back(std::move(tier));
    }
    return r;
  }

  /// A tier's `P_T_state` named in an expression: the state as the record
  /// is read (ir::Protocol::tierState), which needs only the pathway's
  /// state inputs and its `after`s.
  ir::ExprRef tierStateRead(int input) {
    for (size_t pi = 0; pi < a.pathways.size(); ++pi) {
      const ast::PathwayDecl *pw = a.pathways[pi];
      if (!pw->course) continue;
      for (size_t ti = 0; ti < pw->tiers.size(); ++ti) {
        if (p.findInput(pw->name.name + "_" + pw->tiers[ti].name.name + "_state") != input) continue;
        ir::Protocol one;
        one.inputs = p.inputs;
        one.pathways.push_back(skeleton(static_cast<int>(pi), -1, false));
        return one.tierState(0, static_cast<int>(ti));
      }
    }
    const ir::Input &in = p.inputs[input];
    return ir::build::input(input, in.type, in.range, in.optional);
  }

  ir::ExprRef tierFiring(int pathway, int tier) {
    const ast::PathwayDecl *pw = a.pathways[pathway];
    if (pw->course) {
      // ir::Protocol::tierGuard, the one definition, on this pathway alone.
      ir::Protocol one;
      one.inputs = p.inputs;
      one.pathways.push_back(skeleton(pathway, tier));
      return one.tierGuard(0, tier);
    }
    // As ir::Protocol::tierGuard: entry and guard both true; in a `first`
    // pathway also no earlier tier's guard.
    ir::ExprRef guard = ir::build::isTrue(expr(pw->tiers[tier].guard.get()));
    std::vector<ir::ExprRef> parts;
    if (pw->entry) parts.push_back(ir::build::isTrue(expr(pw->entry.get())));
    parts.push_back(guard);
    if (pw->first)
      for (int s = 0; s < tier; ++s)
        parts.push_back(ir::build::unary(ir::Op::Not, ir::build::isTrue(expr(pw->tiers[s].guard.get())), guard->range));
    // Named `pathway.tier` (ir::Expr::label), as ir::Protocol::tierGuard.
    std::string label = pw->name.name + "." + pw->tiers[tier].name.name;
    if (parts.size() == 1) return ir::build::labelled(guard, label);
    return ir::build::labelled(nary(ir::Op::And, std::move(parts), guard->range), label);
  }

  /// When a rule fires: carepath::fire over the table's lowered guards, the
  /// same definition the evaluator and the verifier use.
  ir::ExprRef ruleFires(int table, int rule) {
    auto key = std::make_pair(table, rule);
    if (auto it = ruleFiring.find(key); it != ruleFiring.end()) return it->second;
    const ast::TableDecl *t = a.tables[table];
    std::vector<ir::ExprRef> matched, fired(t->rules.size());
    for (const ast::Rule &r : t->rules) {
      ir::ExprRef g = expr(r.guard.get());
      matched.push_back(g ? ir::build::isTrue(g) : ir::build::boolean(true, r.range));
    }
    std::vector<uint32_t> order(a.ruleOrder[table].begin(), a.ruleOrder[table].end());
    carepath::fire<ir::ExprRef>(t->hit, order, matched, fired, ir::FormulaLogic{});
    // Named `table.rule` (ir::Expr::label): explanations say the rule.
    for (size_t r = 0; r < fired.size(); ++r)
      ruleFiring[std::make_pair(table, static_cast<int>(r))] =
          ir::build::labelled(fired[r], t->name.name + "." + t->rules[r].name.name);
    return ruleFiring[key];
  }

  /// `table.output`: a define named so, appended after the protocol's own
  /// (outputDefines), so explanations show its value by name and every
  /// reader evaluates it as it evaluates a define.
  ir::ExprRef outputReference(int table, int output, SourceRange range) {
    const ast::TableDecl *t = a.tables[table];
    int index = static_cast<int>(a.defines.size());
    for (int ti = 0; ti < table; ++ti)
      if (carepath::hasSingleOutput(a.tables[ti]->hit, a.tables[ti]->aggregation))
        index += static_cast<int>(a.tables[ti]->outputs.size());
    index += output;
    ir::Type type = a.outputs[table][output].type;
    if (t->aggregation == carepath::Aggregation::Count) {
      type = ir::Type::number();
      type.integer = true;
    }
    return ir::build::define(index, type, range, t->aggregation != carepath::Aggregation::Count);
  }

  /// The defines behind `table.output` (ir::outputValue), in the order
  /// outputReference numbers them.
  void outputDefines() {
    for (size_t ti = 0; ti < a.tables.size(); ++ti) {
      const ast::TableDecl *t = a.tables[ti];
      if (!carepath::hasSingleOutput(t->hit, t->aggregation) || t->outputs.empty()) continue;
      std::vector<ir::ExprRef> fired;
      for (size_t r = 0; r < t->rules.size(); ++r) fired.push_back(ruleFires(static_cast<int>(ti), static_cast<int>(r)));
      std::vector<uint32_t> order(a.ruleOrder[ti].begin(), a.ruleOrder[ti].end());
      for (size_t o = 0; o < t->outputs.size(); ++o) {
        std::vector<ir::ExprRef> values;
        for (const ir::Rule &r : p.tables[ti].rules) values.push_back(r.outputs.at(o));
        const ir::Output &out = p.tables[ti].outputs[o];
        ir::Define d;
        d.name = t->name.name + "." + out.name;
        d.value = ir::outputValue(t->hit, t->aggregation, order, fired, values, out, out.range);
        d.description = "output '" + out.name + "' of table '" + t->name.name + "'";
        d.range = out.range;
        p.defines.push_back(std::move(d));
      }
    }
  }

  // ---------------------------------------------------------------- units for display

  UnitAtoms atomsOf(const ast::Expr *e) {
    UnitAtoms u;
    switch (e->kind) {
    case ast::ExprKind::Number: {
      auto *n = static_cast<const ast::NumberExpr *>(e);
      u.known = true;
      if (n->unit)
        for (size_t i = 0; i < n->unit->atoms.size(); ++i) (i ? u.den : u.num).push_back(n->unit->atoms[i].name);
      return u;
    }
    case ast::ExprKind::Name: {
      auto *n = static_cast<const ast::NameExpr *>(e);
      const NameRef &ref = a.names.at(n);
      if (ref.kind == NameRef::Kind::Input) {
        const std::string &name = a.inputInfo[ref.index].displayUnit.name;
        u.known = true;
        size_t start = 0;
        for (size_t i = 0; !name.empty(); ++i) {
          size_t slash = name.find('/', start);
          (i ? u.den : u.num).push_back(name.substr(start, slash - start));
          if (slash == std::string::npos) break;
          start = slash + 1;
        }
      } else if (ref.kind == NameRef::Kind::Define) {
        return atomsOf(a.defines[ref.index]->value.get());
      }
      return u;
    }
    case ast::ExprKind::Unary: return atomsOf(static_cast<const ast::UnaryExpr *>(e)->operand.get());
    case ast::ExprKind::Binary: {
      auto *b = static_cast<const ast::BinaryExpr *>(e);
      UnitAtoms l = atomsOf(b->lhs.get());
      if (b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub) return l;
      UnitAtoms r = atomsOf(b->rhs.get());
      if (b->op == ast::BinaryOp::Div) std::swap(r.num, r.den);
      l.num.insert(l.num.end(), r.num.begin(), r.num.end());
      l.den.insert(l.den.end(), r.den.begin(), r.den.end());
      l.known = l.known && r.known;
      l.cancel();
      return l;
    }
    case ast::ExprKind::Call: return atomsOf(static_cast<const ast::CallExpr *>(e)->args[0].get());
    case ast::ExprKind::If: return atomsOf(static_cast<const ast::IfExpr *>(e)->then.get());
    default: return u;
    }
  }

  /// The unit an amount computed by `e` is best shown in: the one its
  /// units cancel to when that is a single written unit, else the base unit.
  ir::Unit displayUnit(const ast::Expr *e) {
    const ir::Dimension &dim = a.types.at(e).type.dim;
    UnitAtoms u = atomsOf(e);
    if (u.known && u.num.size() == 1) {
      std::vector<std::string> atoms = u.num;
      atoms.insert(atoms.end(), u.den.begin(), u.den.end());
      auto composed = a.units.compose(atoms);
      if (composed && composed->dim == dim) return *composed;
    }
    return a.units.displayFor(dim);
  }

  // ---------------------------------------------------------------- constants

  Rational constant(const ast::Expr *e) {
    return a.types.at(e).type.kind == ir::Type::Kind::Number ? expr(e)->op == ir::Op::Neg
                                                                   ? -expr(e)->args[0]->constant.number
                                                                   : expr(e)->constant.number
                                                             : Rational(0);
  }
  ir::Unit writtenUnit(const ast::Expr *e) {
    const ast::Expr *at = e;
    if (auto *u = ast::dyn<ast::UnaryExpr>(at)) at = u->operand.get();
    const ExprInfo &info = a.types.at(at);
    return info.unit ? *info.unit : a.units.displayFor(info.type.dim);
  }

  ir::Basis basis(const ast::Basis &b) {
    ir::Basis r;
    switch (b.kind) {
    case ast::Basis::Kind::None: break;
    case ast::Basis::Kind::PerDose: r.kind = ir::Basis::Kind::PerDose; break;
    case ast::Basis::Kind::PerCourse: r.kind = ir::Basis::Kind::PerCourse; break;
    case ast::Basis::Kind::Rate: r.kind = ir::Basis::Kind::Rate; break;
    case ast::Basis::Kind::PerTime:
      r.kind = ir::Basis::Kind::PerTime;
      r.timeUnit = b.timeUnit.name;
      r.span = a.units.find(b.timeUnit.name)->factor;
      break;
    }
    return r;
  }

  /// The clauses of a give's regimen (sema checked they do not contradict),
  /// with their normalised text for messages, tables and the plan.
  ir::Regimen regimen(const std::vector<ast::RegimenClause> &cs) {
    using K = ast::RegimenClause::Kind;
    ir::Regimen r;
    std::vector<std::string> words;
    for (const ast::RegimenClause &c : cs) {
      std::string interval;
      if (c.interval) {
        ir::Unit u = writtenUnit(c.interval.get());
        r.every = constant(c.interval.get());
        interval = formatQuantity(*r.every, u.factor, u.name, u.offset);
      }
      std::string n = std::to_string(c.count);
      switch (c.kind) {
      case K::Every: words.push_back("every " + interval); break;
      case K::Divided:
        r.dividedInto = c.count;
        words.push_back("divided into " + n + " doses");
        break;
      case K::Once:
        r.maxDoses = 1;
        words.push_back("once");
        break;
      case K::Repeat:
        r.maxDoses = c.count + 1;
        words.push_back("repeat " + (c.count == 1 ? std::string("once") : n + " times") + " after " + interval);
        break;
      case K::UpTo:
        r.maxDoses = c.count;
        words.push_back("up to " + n + " doses");
        break;
      }
    }
    for (size_t i = 0; i < words.size(); ++i) r.text += (i ? " " : "") + words[i];
    return r;
  }

  // ---------------------------------------------------------------- declarations

  void unspecified(const std::optional<ast::Unspecified> &u, const std::string &where) {
    if (u) p.unspecified.push_back({u->reason, where, u->range});
  }

  ir::Action action(const ast::Action &act, const std::string &where) {
    ir::Action r;
    r.kind = act.kind;
    r.name = act.name.name;
    r.note = act.note;
    r.citations = cites(act.citations);
    r.range = act.range;
    r.unless = expr(act.unless.get());
    r.choice = act.choice;
    r.option = act.option;
    r.choiceRange = act.choiceRange;
    switch (act.kind) {
    case ast::ActionKind::Give:
      r.drug = -1;
      for (size_t i = 0; i < a.drugs.size(); ++i)
        if (a.drugs[i]->name.name == act.name.name) r.drug = static_cast<int>(i);
      r.dose = expr(act.dose.get());
      r.doseHigh = expr(act.doseHigh.get());
      if (act.doseUnspecified) {
        r.doseUnspecified = act.doseUnspecified->reason;
        unspecified(act.doseUnspecified, "give " + act.name.name + " dose");
      }
      r.basis = basis(act.basis);
      r.cap = expr(act.cap.get());
      if (act.dose) r.doseUnit = displayUnit(act.dose.get());
      if (act.duration) {
        r.durationLo = constant(act.duration->lo.get());
        r.durationHi = constant(act.duration->hi.get());
      }
      if (act.taper) {
        r.taperLo = constant(act.taper->lo.get());
        r.taperHi = constant(act.taper->hi.get());
      }
      if (act.over) r.over = constant(act.over.get());
      if (act.overHigh) r.overHigh = constant(act.overHigh.get());
      r.regimen = regimen(act.regimen);
      if (act.route) r.route = act.route->name;
      break;
    case ast::ActionKind::Unspecified:
      if (act.unspecified) r.unspecified = act.unspecified->reason;
      unspecified(act.unspecified, where);
      break;
    default:
      if (act.timing.anchor) r.timingAnchor = p.findInput(act.timing.anchor->name);
      switch (act.timing.kind) {
      case ast::Timing::Kind::None: break;
      case ast::Timing::Kind::At:
        r.timing = ir::Action::Timing::At;
        r.timingLo = constant(act.timing.at->lo.get());
        r.timingHi = constant(act.timing.at->hi.get());
        r.timingUnit = writtenUnit(act.timing.at->lo.get());
        break;
      case ast::Timing::Kind::Within: case ast::Timing::Kind::Over:
        r.timing = act.timing.kind == ast::Timing::Kind::Within ? ir::Action::Timing::Within : ir::Action::Timing::Over;
        r.timingHi = constant(act.timing.value.get());
        r.timingUnit = writtenUnit(act.timing.value.get());
        if (act.timing.high) {  // `over A .. B`
          r.timingLo = r.timingHi;
          r.timingHi = constant(act.timing.high.get());
        }
        break;
      }
    }
    return r;
  }

  /// A tier's or rule's actions. An alternative's `unless` is written after
  /// its last action (ast::Action::unless) and withholds every action of it.
  std::vector<ir::Action> actions(const std::vector<ast::Action> &acts, const std::string &where) {
    std::vector<ir::Action> out;
    for (const ast::Action &act : acts) out.push_back(action(act, where));
    for (size_t i = out.size(); i-- > 0;) {
      if (!out[i].unless || out[i].choice < 0) continue;
      for (size_t j = i; j-- > 0 && out[j].choice == out[i].choice && out[j].option == out[i].option;)
        out[j].unless = out[i].unless;
    }
    return out;
  }

  /// A formulary limit, or the bound of `always dose(D) <= Q`.
  ir::Limit limit(const ast::Expr *amount, const ast::Basis &b, const ast::Citations &c, SourceRange range) {
    ir::Limit lim;
    const ExprInfo &info = a.types.at(amount);
    lim.amount = constant(amount);
    lim.dim = info.type.dim;
    auto *n = ast::dyn<ast::NumberExpr>(amount);
    std::vector<std::string> atoms;
    if (n && n->unit)
      for (auto &x : n->unit->atoms) atoms.push_back(x.name);
    lim.basis = basis(b);
    lim.perWeight = isPerWeight(a.units, atoms) ||
                    (lim.basis.kind == ir::Basis::Kind::Rate && isPerWeightRate(a.units, atoms));
    lim.display = std::string(a.sources.slice(amount->range)) + (lim.basis.str().empty() ? "" : " " + lim.basis.str());
    lim.citations = cites(c);
    lim.range = range;
    return lim;
  }

  ir::Target target(const ast::QualifiedName &q) {
    ir::Target t;
    for (size_t i = 0; i < a.pathways.size(); ++i)
      if (a.pathways[i]->name.name == q.parts[0].name) {
        t.kind = ir::Target::Kind::Tier;
        t.container = static_cast<int>(i);
        for (size_t k = 0; k < a.pathways[i]->tiers.size(); ++k)
          if (a.pathways[i]->tiers[k].name.name == q.parts[1].name) t.index = static_cast<int>(k);
      }
    for (size_t i = 0; i < a.tables.size(); ++i)
      if (a.tables[i]->name.name == q.parts[0].name) {
        t.kind = ir::Target::Kind::Rule;
        t.container = static_cast<int>(i);
        for (size_t k = 0; k < a.tables[i]->rules.size(); ++k)
          if (a.tables[i]->rules[k].name.name == q.parts[1].name) t.index = static_cast<int>(k);
      }
    return t;
  }

  ir::Value givenValue(const ast::Given &g) {
    if (g.missing) return ir::Value::ofMissing(a.inputInfo[p.findInput(g.input.name)].type.kind);
    if (!g.value) return ir::Value::ofBool(g.flag);
    const ExprInfo &info = a.types.at(g.value.get());
    switch (info.type.kind) {
    case ir::Type::Kind::Bool: return ir::Value::ofBool(static_cast<const ast::BoolExpr *>(g.value.get())->value);
    case ir::Type::Kind::Enum: return ir::Value::ofEnum(info.member);
    case ir::Type::Kind::Number: return ir::Value::ofNumber(constant(g.value.get()));
    case ir::Type::Kind::String: return ir::Value::ofString(static_cast<const ast::StringExpr *>(g.value.get())->value);
    }
    return {};
  }

  void examples() {
    for (size_t e = 0; e < a.examples.size(); ++e) {
      const ast::ExampleDecl *ex = a.examples[e];
      ir::Example r;
      r.name = ex->name;
      r.range = ex->range;
      // An optional input the example does not give is missing.
      for (size_t i = 0; i < a.inputs.size(); ++i) r.patient.push_back(ir::Value::ofMissing(a.inputInfo[i].type.kind));
      // Oldest ancestor first, so each `like` level overrides the one above.
      std::vector<const ast::ExampleDecl *> chain;
      for (int at = static_cast<int>(e); at >= 0; at = a.exampleBase[at]) chain.insert(chain.begin(), a.examples[at]);
      for (const ast::ExampleDecl *level : chain)
        for (const ast::Given &g : level->givens) r.patient[p.findInput(g.input.name)] = givenValue(g);
      for (const ast::Expectation &x : ex->expectations) {
        ir::Expectation y;
        y.kind = static_cast<ir::Expectation::Kind>(x.kind);
        y.negated = x.negated;
        y.range = x.range;
        switch (x.kind) {
        case ast::Expectation::Kind::Fired: y.target = target(x.target); break;
        case ast::Expectation::Kind::Action:
          y.action = x.action;
          y.name = x.name.name;
          break;
        case ast::Expectation::Kind::Dose:
          y.name = x.name.name;
          y.dose = constant(x.dose.get());
          if (x.doseHigh) y.doseHigh = constant(x.doseHigh.get());
          y.doseUnit = writtenUnit(x.dose.get());
          y.basis = basis(x.basis);
          break;
        case ast::Expectation::Kind::Outside: break;
        case ast::Expectation::Kind::Output: {
          auto [ti, o] = a.expectOutputs.at(&x);
          y.target = ir::Target{ir::Target::Kind::Rule, ti, o};
          y.actual = outputReference(ti, o, x.target.range);
          y.expected = expr(x.value.get());
          break;
        }
        }
        r.expectations.push_back(std::move(y));
      }
      p.examples.push_back(std::move(r));
    }
  }

  ir::Protocol run() {
    const ast::File &root = *a.files[0].ast;
    if (root.header) {
      const ast::Header &h = *root.header;
      p.name = h.kind == ast::Header::Kind::Module ? h.moduleName.str() : h.name.name;
      p.version = h.version;
      p.title = h.title;
    }
    for (size_t i = 0; i < a.files.size(); ++i)
      p.files.push_back({a.files[i].path, a.files[i].module, a.files[i].ast->file});
    for (const ast::SourceDecl *s : a.allSources) p.sources.push_back({s->name.name, s->text, s->range});
    p.enums = a.enums;
    for (auto &[name, decl] : a.rootScope().units)
      if (const ir::Unit *u = a.units.find(name)) p.units[name] = *u;
    p.units["%"] = *a.units.find("%");

    for (size_t i = 0; i < a.inputs.size(); ++i) {
      const ast::InputDecl &in = *a.inputs[i];
      const InputInfo &info = a.inputInfo[i];
      ir::Input r{in.name.name, info.type,          info.lo,  info.hi,  info.displayUnit, in.description,
                  std::nullopt,          cites(in.citations), in.range, in.optional};
      if (in.unspecified) {
        r.unspecified = in.unspecified->reason;
        unspecified(in.unspecified, "input " + in.name.name);
      }
      if (const UnitTable::Substance *sub = a.units.substance(info.substance)) {
        r.substance = sub->name;
        r.conversions = sub->ratios;
      }
      r.event = in.event;
      r.courseState = in.courseState;
      p.inputs.push_back(std::move(r));
    }
    if (root.header) {
      const ast::Header &h = *root.header;
      p.population = expr(h.population.get());
      if (h.dosingWeight) p.dosingWeight = p.findInput(h.dosingWeight->name);
      for (const ast::Fact &f : h.facts) {
        ir::Fact r;
        r.name = f.name.name;
        r.display = std::string(a.sources.slice(f.value->range));
        if (auto *b = ast::dyn<ast::BoolExpr>(f.value.get())) r.value = ir::Value::ofBool(b->value);
        else r.value = ir::Value::ofNumber(constant(f.value.get()));
        r.note = f.note;
        r.citations = cites(f.citations);
        r.range = f.range;
        p.facts.push_back(std::move(r));
      }
    }
    for (const ast::AssumeDecl *as : a.assumptions) {
      ir::Assumption r;
      r.name = as->name.name;
      r.condition = expr(as->condition.get());
      r.note = as->note;
      r.citations = cites(as->citations);
      r.range = as->range;
      for (const LoadedFile &f : a.files)
        if (f.ast->file == as->range.file) r.module = f.module;
      if (as->unspecified) {
        r.unspecified = as->unspecified->reason;
        unspecified(as->unspecified, "assumption " + as->name.name);
      }
      p.assumptions.push_back(std::move(r));
    }
    for (const ast::CodeDecl *c : a.codes) {
      ir::CodeBinding b;
      b.target = c->target;
      b.name = c->name.str();
      // An unknown code is no gap in what the protocol decides: it is not
      // one of Protocol::unspecified, which verify reports.
      if (c->unspecified) {
        b.unspecified = c->unspecified->reason;
      } else {
        b.coding = ir::Coding{ir::terminology::findSystem(c->system.name)->uri, c->code, c->display};
      }
      b.citations = cites(c->citations);
      b.range = c->range;
      for (const LoadedFile &f : a.files)
        if (f.ast->file == c->range.file) b.module = f.module;
      p.codes.push_back(std::move(b));
    }
    for (const ast::DefineDecl *d : a.defines)
      p.defines.push_back({d->name.name, expr(d->value.get()), d->description, cites(d->citations), d->range});
    for (const ast::DrugDecl *d : a.drugs) {
      ir::Drug r{d->name.name, d->description, d->route ? d->route->name : "", {}, cites(d->citations), d->range};
      for (const ast::Limit &l : d->limits) {
        r.limits.push_back(limit(l.amount.get(), l.basis, l.citations, l.range));
        if (l.route) {
          r.limits.back().route = l.route->name;
          r.limits.back().display += " route " + l.route->name;
        }
      }
      for (const ast::Ident &x : d->routes) r.routes.push_back(x.name);
      for (const ast::Contraindication &c : d->contraindications)
        if (a.contraindications.count(&c))
          r.contraindications.push_back({expr(c.when.get()), c.note, cites(c.citations), c.range});
      p.drugs.push_back(std::move(r));
    }
    for (size_t pi = 0; pi < a.pathways.size(); ++pi) {
      const ast::PathwayDecl *pw = a.pathways[pi];
      ir::Pathway r = skeleton(static_cast<int>(pi), -1);
      for (size_t ti = 0; ti < pw->tiers.size(); ++ti) {
        const ast::Tier &t = pw->tiers[ti];
        ir::Tier &tier = r.tiers[ti];
        tier.guard = expr(t.guard.get());
        tier.failedWhen = expr(t.failedWhen.get());
        tier.respondedWhen = expr(t.respondedWhen.get());
        tier.completedWhen = expr(t.completedWhen.get());
        tier.actions = actions(t.actions, pw->name.name + "." + t.name.name);
      }
      p.pathways.push_back(std::move(r));
    }
    for (const ast::TableDecl *t : a.tables) {
      ir::Table r;
      r.name = t->name.name;
      r.hit = t->hit;
      r.aggregation = t->aggregation;
      r.outputs = a.outputs[p.tables.size()];
      r.complete = t->complete;
      r.description = t->description;
      r.citations = cites(t->citations);
      r.range = t->range;
      for (const ast::Rule &rule : t->rules) {
        ir::Rule x;
        x.name = rule.name.name;
        x.priority = rule.priority;
        x.guard = expr(rule.guard.get());
        // In declared order (sema checked each is given once).
        for (const ast::OutputDecl &od : t->outputs)
          for (const ast::OutputAssign &oa : rule.outputs)
            if (oa.name.name == od.name.name) {
              x.outputs.push_back(expr(oa.value.get()));
              break;
            }
        x.actions = actions(rule.actions, t->name.name + "." + rule.name.name);
        x.citations = cites(rule.citations);
        x.range = rule.range;
        r.rules.push_back(std::move(x));
      }
      // A number output is shown in the unit its rules write it in (the
      // first literal's), else its dimension's display unit.
      for (size_t o = 0; o < r.outputs.size(); ++o)
        for (const ir::Rule &rule : r.rules)
          if (o < rule.outputs.size() && rule.outputs[o]->op == ir::Op::Const && rule.outputs[o]->unit) {
            r.outputs[o].displayUnit = *rule.outputs[o]->unit;
            break;
          }
      p.tables.push_back(std::move(r));
    }
    outputDefines();
    for (const auto &d : root.decls)
      if (auto *v = ast::dyn<ast::VerifyDecl>(d.get()))
        for (const ast::Property &prop : v->properties) {
          ir::Property r;
          static_assert(static_cast<int>(ast::Property::Kind::DoseAtMost) == static_cast<int>(ir::Property::Kind::DoseAtMost));
          r.kind = static_cast<ir::Property::Kind>(prop.kind);
          r.expr = expr(prop.expr.get());
          if (prop.kind == ast::Property::Kind::Reaches) r.target = target(prop.target);
          r.action = prop.action.kind;
          r.actionName = prop.action.name.name;
          if (prop.bound) r.bound = limit(prop.bound.get(), prop.basis, prop.citations, prop.range);
          r.message = prop.message;
          r.citations = cites(prop.citations);
          r.range = prop.range;
          p.properties.push_back(std::move(r));
        }
    examples();
    return std::move(p);
  }
};

}  // namespace

ir::Protocol lower(Analysis &a) {
  Lowerer l{a, {}, {}, {}};
  return l.run();
}

}  // namespace carepath::sema
