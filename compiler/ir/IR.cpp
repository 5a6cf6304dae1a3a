#include "ir/IR.h"

#include "carepath/Units.h"

#include <map>
#include <ostream>
#include <sstream>

namespace carepath::ir {

// The dimension algebra is carepath/Units.h, shared with the runtime.
Dimension Dimension::operator*(const Dimension &o) const { return {units::multiply(exponents, o.exponents)}; }
Dimension Dimension::operator/(const Dimension &o) const { return {units::divide(exponents, o.exponents)}; }
std::string Dimension::str() const { return units::dimsString(exponents); }

const char *spelling(Op op) {
  switch (op) {
  case Op::Const: return "const";
  case Op::Input: return "input";
  case Op::Define: return "define";
  case Op::Not: return "not";
  case Op::And: return "and";
  case Op::Or: return "or";
  case Op::Eq: return "==";
  case Op::Ne: return "!=";
  case Op::Lt: return "<";
  case Op::Le: return "<=";
  case Op::Gt: return ">";
  case Op::Ge: return ">=";
  case Op::Add: return "+";
  case Op::Sub: return "-";
  case Op::Mul: return "*";
  case Op::Div: return "/";
  case Op::Neg: return "-";
  case Op::Min: return "min";
  case Op::Max: return "max";
  case Op::Known: return "known";
  case Op::IsTrue: return "is-true";
  case Op::If: return "if";
  case Op::Count: return "count";
  }
  return "?";
}

std::string Basis::str() const {
  switch (kind) {
  case Kind::None: return "";
  case Kind::PerDose: return "per dose";
  case Kind::PerTime: return "per " + timeUnit;
  case Kind::PerCourse: return "total";
  case Kind::Rate: return "rate";
  }
  return "";
}

namespace build {
namespace {
std::shared_ptr<Expr> make(Op op, Type t, SourceRange r) {
  auto e = std::make_shared<Expr>();
  e->op = op;
  e->type = std::move(t);
  e->range = r;
  return e;
}
}  // namespace

ExprRef boolean(bool b, SourceRange r) {
  auto e = make(Op::Const, Type::boolean(), r);
  e->constant = Value::ofBool(b);
  return e;
}
ExprRef number(Rational n, Dimension d, SourceRange r) {
  auto e = make(Op::Const, Type::number(std::move(d)), r);
  e->constant = Value::ofNumber(n);
  return e;
}
ExprRef member(int enumType, int m, SourceRange r) {
  auto e = make(Op::Const, Type::enumeration(enumType), r);
  e->constant = Value::ofEnum(m);
  return e;
}
ExprRef string(std::string text, SourceRange r) {
  auto e = make(Op::Const, Type::string(), r);
  e->constant = Value::ofString(std::move(text));
  return e;
}
ExprRef input(int index, Type t, SourceRange r, bool optional) {
  auto e = make(Op::Input, std::move(t), r);
  e->index = index;
  e->mayBeMissing = optional;
  return e;
}
ExprRef define(int index, Type t, SourceRange r, bool mayBeMissing) {
  auto e = make(Op::Define, std::move(t), r);
  e->index = index;
  e->mayBeMissing = mayBeMissing;
  return e;
}
ExprRef unary(Op op, ExprRef a, SourceRange r) {
  Type t = op == Op::Not ? Type::boolean() : a->type;
  auto e = make(op, t, r);
  e->mayBeMissing = a->mayBeMissing;
  e->args.push_back(std::move(a));
  return e;
}
ExprRef binary(Op op, ExprRef a, ExprRef b, SourceRange r) {
  Type t;
  switch (op) {
  case Op::Add: case Op::Sub: case Op::Min: case Op::Max: t = a->type; t.integer = a->type.integer && b->type.integer; break;
  case Op::Mul: t = Type::number(a->type.dim * b->type.dim); t.integer = a->type.integer && b->type.integer; break;
  case Op::Div: t = Type::number(a->type.dim / b->type.dim); break;
  default: t = Type::boolean(); break;
  }
  auto e = make(op, t, r);
  e->mayBeMissing = a->mayBeMissing || b->mayBeMissing;
  e->args = {std::move(a), std::move(b)};
  return e;
}
ExprRef nary(Op op, std::vector<ExprRef> args, SourceRange r) {
  if (args.size() == 1 && (op == Op::And || op == Op::Or || op == Op::Min || op == Op::Max)) return args[0];
  if (args.empty() && op == Op::And) return boolean(true, r);
  if (args.empty() && op == Op::Or) return boolean(false, r);
  Type t = (op == Op::Min || op == Op::Max) ? args[0]->type : Type::boolean();
  auto e = make(op, t, r);
  for (const ExprRef &x : args) e->mayBeMissing = e->mayBeMissing || x->mayBeMissing;
  e->args = std::move(args);
  return e;
}
ExprRef known(ExprRef a, SourceRange r) {
  auto e = make(Op::Known, Type::boolean(), r);
  e->args.push_back(std::move(a));
  return e;
}
ExprRef isTrue(ExprRef a, SourceRange r) {
  if (!a->mayBeMissing) return a;
  auto e = make(Op::IsTrue, Type::boolean(), r.valid() ? r : a->range);
  e->args.push_back(std::move(a));
  return e;
}
ExprRef ifThenElse(ExprRef c, ExprRef a, ExprRef b, SourceRange r) {
  Type t = a->type;
  if (t.kind == Type::Kind::Number) t.integer = a->type.integer && b->type.integer;
  auto e = make(Op::If, t, r);
  // An unknown condition takes the else branch: only the branches can make
  // the result missing.
  e->mayBeMissing = a->mayBeMissing || b->mayBeMissing;
  e->args = {std::move(c), std::move(a), std::move(b)};
  return e;
}
ExprRef count(Counting c, int k, std::vector<ExprRef> args, SourceRange r) {
  auto e = make(Op::Count, Type::boolean(), r);
  e->counting = c;
  e->index = k;
  for (const ExprRef &x : args) e->mayBeMissing = e->mayBeMissing || x->mayBeMissing;
  e->args = std::move(args);
  return e;
}
ExprRef missing(Type t, SourceRange r) {
  auto e = make(Op::Const, t, r);
  e->constant = Value::ofMissing(t.kind);
  e->mayBeMissing = true;
  return e;
}
ExprRef labelled(ExprRef e, std::string label) {
  auto copy = std::make_shared<Expr>(*e);
  copy->label = std::move(label);
  return copy;
}
}  // namespace build

int Protocol::findInput(const std::string &n) const {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].name == n) return static_cast<int>(i);
  return -1;
}

std::vector<Coding> Protocol::codingsOf(CodeBinding::Target t, const std::string &name) const {
  std::vector<Coding> out;
  for (const CodeBinding &b : codes)
    if (b.target == t && b.name == name && b.coding) out.push_back(*b.coding);
  return out;
}

int Protocol::findDrug(const std::string &n) const {
  for (size_t i = 0; i < drugs.size(); ++i)
    if (drugs[i].name == n) return static_cast<int>(i);
  return -1;
}

const Source *Protocol::findSource(const std::string &id) const {
  for (const Source &s : sources)
    if (s.id == id) return &s;
  return nullptr;
}

const char *spelling(TierState s) {
  switch (s) {
  case TierState::NotStarted: return "not_started";
  case TierState::On: return "on";
  case TierState::Responded: return "responded";
  case TierState::Failed: return "failed";
  case TierState::Completed: return "completed";
  }
  return "";
}

ExprRef Protocol::pathwayExits(int pathway) const {
  const Pathway &p = pathways[pathway];
  std::vector<ExprRef> exits;
  for (const Exit &e : p.exits) exits.push_back(build::isTrue(e.when));
  if (exits.empty()) return build::boolean(false);
  return exits.size() == 1 ? exits[0] : build::nary(Op::Or, std::move(exits), p.range);
}

namespace {
/// A course tier's transitions out of `on` that hold now (false when none).
ExprRef endsNow(const Tier &t) {
  std::vector<ExprRef> ends;
  for (const ExprRef &c : {t.respondedWhen, t.failedWhen, t.completedWhen})
    if (c) ends.push_back(build::isTrue(c));
  if (ends.empty()) return build::boolean(false);
  return ends.size() == 1 ? ends[0] : build::nary(Op::Or, std::move(ends), t.range);
}

/// One pathway's tier expressions, each built once for the call of the
/// Protocol accessor that made it and shared where it recurs: a tier's
/// guard on a `first` pathway holds every earlier tier's, each of which
/// holds every tier's `on` (and a tier `after S` holds S's), so written out
/// as copies the guards grow exponentially with the number of tiers.
/// Sharing changes no expression's meaning or shape, only how often it is
/// built.
class PathwayExprs {
public:
  PathwayExprs(const Protocol &pr, int pathway) : pr_(pr), pw_(pathway), p_(pr.pathways[pathway]) {}

  ExprRef active() {
    if (active_) return active_;
    // Named `P` (Expr::label): explanations say the pathway, not its expansion.
    if (!p_.course) return active_ = p_.entry ? build::labelled(build::isTrue(p_.entry), p_.name) : build::boolean(true);
    // On a course pathway the record's `on_P` keeps the patient on it
    // whatever today's findings; only an exit takes them off.
    const Input &on = pr_.inputs[p_.onInput];
    ExprRef onRecord = build::input(p_.onInput, on.type, p_.range);
    ExprRef entered = p_.entry ? build::nary(Op::Or, {onRecord, build::isTrue(p_.entry)}, p_.range) : build::boolean(true);
    if (p_.exits.empty()) return active_ = build::labelled(entered, p_.name);
    return active_ = build::labelled(
               build::nary(Op::And, {entered, build::unary(Op::Not, pr_.pathwayExits(pw_), p_.range)}, p_.range), p_.name);
  }

  ExprRef stateIs(int tier, TierState s) {
    ExprRef &memo = stateIs_[{tier, static_cast<int>(s)}];
    if (memo) return memo;
    const Tier &t = p_.tiers[tier];
    const Input &in = pr_.inputs[t.stateInput];
    auto raw = [&](TierState m) {
      return build::binary(Op::Eq, build::input(t.stateInput, in.type, t.range),
                           build::member(in.type.enumType, static_cast<int>(m), t.range), t.range);
    };
    if (s == TierState::NotStarted) {
      // How the record is read (docs/semantics.md, "The course"): a patient not
      // on the pathway by the record enters it afresh, every tier not started
      // whatever an earlier episode left; a tier `after S` has not started
      // unless S failed (the only way into it).
      std::vector<ExprRef> fresh{build::unary(Op::Not, build::input(p_.onInput, pr_.inputs[p_.onInput].type, p_.range), t.range),
                                 raw(TierState::NotStarted)};
      if (t.after >= 0) fresh.push_back(build::unary(Op::Not, stateIs(t.after, TierState::Failed), t.range));
      // Named `P_T_state == s` (Expr::label): what the author writes for it.
      return memo = build::labelled(build::nary(Op::Or, std::move(fresh), t.range),
                                    in.name + " == " + spelling(TierState::NotStarted));
    }
    ExprRef notStarted = stateIs(tier, TierState::NotStarted);  // std::map: `memo` stays valid
    return memo = build::labelled(build::nary(Op::And, {build::unary(Op::Not, notStarted, t.range), raw(s)}, t.range),
                                  in.name + " == " + spelling(s));
  }

  ExprRef state(int tier) {
    const Tier &t = p_.tiers[tier];
    const Input &in = pr_.inputs[t.stateInput];
    return build::ifThenElse(stateIs(tier, TierState::NotStarted),
                             build::member(in.type.enumType, static_cast<int>(TierState::NotStarted), t.range),
                             build::input(t.stateInput, in.type, t.range), t.range);
  }

  /// A course tier is on by the record or enters now. Tiers run one at a
  /// time (a sequential plan): a tier enters only while no other is on, and a
  /// record with two on is read as its first one.
  ExprRef onOrEnters(int tier) {
    ExprRef &memo = onOrEnters_[tier];
    if (memo) return memo;
    const Tier &t = p_.tiers[tier];
    std::vector<ExprRef> earlierOn, allOn;
    for (size_t s = 0; s < p_.tiers.size(); ++s) {
      ExprRef on = stateIs(static_cast<int>(s), TierState::On);
      allOn.push_back(on);
      if (static_cast<int>(s) < tier) earlierOn.push_back(on);
    }
    auto none = [&](std::vector<ExprRef> xs) -> ExprRef {
      if (xs.empty()) return build::boolean(true);
      return build::unary(Op::Not, xs.size() == 1 ? xs[0] : build::nary(Op::Or, std::move(xs), p_.range), p_.range);
    };
    // Named too: when the record does not have this tier on, the earlier
    // tiers' states do not matter to it, and an explanation need not list them.
    ExprRef stays = build::labelled(build::nary(Op::And, {stateIs(tier, TierState::On), none(earlierOn)}, t.range),
                                    p_.name + "." + t.name + " on by the record");
    // "No other tier is on" is written as "no tier is on", the same for every
    // tier, named once (Expr::label) so an explanation shows it once: while
    // this tier is on, `stays` decides, so including it changes nothing.
    if (!noneOn_) noneOn_ = build::labelled(none(allOn), "no tier of " + p_.name + " is on");
    ExprRef enters = build::nary(Op::And, {build::isTrue(t.guard), noneOn_}, t.range);
    return onOrEnters_[tier] = build::nary(Op::Or, {stays, enters}, t.range);
  }

  ExprRef guard(int tier) {
    ExprRef &memo = guard_[tier];
    if (memo) return memo;
    const Tier &t = p_.tiers[tier];
    if (p_.course) {
      // A course tier applies while the pathway is active, the tier is on by
      // the record or its `when` holds, and none of its ends holds now. A
      // `when` that holds for an ended tier re-enters it: the verifier's
      // tier-reentered property refutes that, it is not masked here. An
      // ordered (`first`) course pathway also excludes the earlier stages.
      std::vector<ExprRef> parts{active(), onOrEnters(tier), build::unary(Op::Not, endsNow(t), t.range)};
      if (p_.first)
        for (int s = 0; s < tier; ++s) parts.push_back(build::unary(Op::Not, guard(s), t.range));
      return guard_[tier] = build::labelled(build::nary(Op::And, std::move(parts), t.guard->range), p_.name + "." + t.name);
    }
    // A tier applies when its pathway's entry and its guard are both true;
    // a stage of a `first` pathway also when no earlier stage's guard is.
    std::vector<ExprRef> parts;
    if (p_.entry) parts.push_back(build::isTrue(p_.entry));
    parts.push_back(build::isTrue(t.guard));
    if (p_.first)
      for (int s = 0; s < tier; ++s) parts.push_back(build::unary(Op::Not, build::isTrue(p_.tiers[s].guard), t.guard->range));
    // Named `P.T` (Expr::label), as a rule naming the tier reads it.
    return guard_[tier] = build::labelled(parts.size() == 1 ? parts[0] : build::nary(Op::And, std::move(parts), t.guard->range),
                                          p_.name + "." + t.name);
  }

  ExprRef failed(int tier) {
    const Tier &t = p_.tiers[tier];
    if (p_.course) {
      // Failed by the record, or failing now.
      std::vector<ExprRef> failed{stateIs(tier, TierState::Failed)};
      if (t.failedWhen) failed.push_back(build::isTrue(t.failedWhen));
      ExprRef any = failed.size() == 1 ? failed[0] : build::nary(Op::Or, std::move(failed), t.range);
      return build::nary(Op::And, {active(), any}, t.range);
    }
    if (!t.failedWhen) return build::boolean(false);
    return p_.entry ? build::nary(Op::And, {build::isTrue(p_.entry), build::isTrue(t.failedWhen)}, t.failedWhen->range)
                    : build::isTrue(t.failedWhen);
  }

  ExprRef ends(int tier) {
    const Tier &t = p_.tiers[tier];
    return build::nary(Op::And, {active(), onOrEnters(tier), endsNow(t)}, t.range);
  }

  ExprRef nextState(int tier) {
    const Tier &t = p_.tiers[tier];
    const Input &in = pr_.inputs[t.stateInput];
    auto state = [&](TierState s) { return build::member(in.type.enumType, static_cast<int>(s), t.range); };
    // Ends apply to a tier that is on or entering, on an active pathway.
    ExprRef live = build::nary(Op::And, {active(), onOrEnters(tier)}, t.range);
    ExprRef next = build::ifThenElse(guard(tier), state(TierState::On), this->state(tier), t.range);
    // Ends in the order written win: responded, then failed, then completed
    // (the last wrapped is the outermost test).
    const std::pair<ExprRef, TierState> order[] = {
        {t.completedWhen, TierState::Completed}, {t.failedWhen, TierState::Failed}, {t.respondedWhen, TierState::Responded}};
    for (const auto &[cond, s] : order)
      if (cond) next = build::ifThenElse(build::nary(Op::And, {live, build::isTrue(cond)}, t.range), state(s), next, t.range);
    return next;
  }

private:
  const Protocol &pr_;
  int pw_;
  const Pathway &p_;
  ExprRef active_, noneOn_;
  std::map<std::pair<int, int>, ExprRef> stateIs_;
  std::map<int, ExprRef> onOrEnters_, guard_;
};
}  // namespace

ExprRef Protocol::pathwayActive(int pathway) const { return PathwayExprs(*this, pathway).active(); }
ExprRef Protocol::tierStateIs(int pathway, int tier, TierState s) const { return PathwayExprs(*this, pathway).stateIs(tier, s); }
ExprRef Protocol::tierState(int pathway, int tier) const { return PathwayExprs(*this, pathway).state(tier); }
ExprRef Protocol::tierGuard(int pathway, int tier) const { return PathwayExprs(*this, pathway).guard(tier); }
ExprRef Protocol::tierFailed(int pathway, int tier) const { return PathwayExprs(*this, pathway).failed(tier); }
ExprRef Protocol::tierEnds(int pathway, int tier) const { return PathwayExprs(*this, pathway).ends(tier); }
ExprRef Protocol::tierNextState(int pathway, int tier) const { return PathwayExprs(*this, pathway).nextState(tier); }

// ------------------------------------------------------------------ rule semantics

std::vector<uint32_t> ruleOrder(const Table &t) {
  std::vector<std::optional<int64_t>> priorities;
  for (const Rule &r : t.rules) priorities.push_back(r.priority);
  return carepath::ruleOrder(t.hit, priorities);
}

namespace {
bool isConst(const ExprRef &e, bool v) {
  return e && e->op == Op::Const && e->type.kind == Type::Kind::Bool && e->constant.boolean == v;
}
}  // namespace

ExprRef FormulaLogic::truth() const { return build::boolean(true); }

ExprRef FormulaLogic::conj(const ExprRef &a, const ExprRef &b) const {
  if (isConst(a, true) || isConst(b, false)) return b;
  if (isConst(b, true) || isConst(a, false)) return a;
  std::vector<ExprRef> parts;
  for (const ExprRef &x : {a, b}) {
    if (x->op == Op::And) parts.insert(parts.end(), x->args.begin(), x->args.end());
    else parts.push_back(x);
  }
  return build::nary(Op::And, std::move(parts), a->range);
}

ExprRef FormulaLogic::negate(const ExprRef &a) const {
  if (a->op == Op::Const && a->type.kind == Type::Kind::Bool) return build::boolean(!a->constant.boolean, a->range);
  return build::unary(Op::Not, a, a->range);
}

std::vector<ExprRef> rulesFire(const Table &t) {
  std::vector<ExprRef> matched, fired(t.rules.size());
  // A rule matches when its guard is true (not when it is unknown).
  for (const Rule &r : t.rules) matched.push_back(r.guard ? build::isTrue(r.guard) : build::boolean(true));
  std::vector<uint32_t> order = ruleOrder(t);
  carepath::fire<ExprRef>(t.hit, order, matched, fired, FormulaLogic{});
  return fired;
}

ExprRef outputValue(HitPolicy hit, Aggregation agg, std::span<const uint32_t> order, const std::vector<ExprRef> &fired,
                    const std::vector<ExprRef> &values, const Output &output, SourceRange range) {
  using build::ifThenElse;
  if (agg == Aggregation::Count) {
    auto integer = [&](int k) {
      auto e = std::const_pointer_cast<Expr>(build::number(k, {}, range));
      e->type.integer = true;
      return ExprRef(e);
    };
    ExprRef n = integer(0);
    for (uint32_t r : order) n = build::binary(Op::Add, n, ifThenElse(fired[r], integer(1), integer(0), range), range);
    return n;
  }
  if (hit == HitPolicy::Collect) {
    // Folded in rule order: acc = fired ? (any before ? acc (+|min|max) v : v) : acc.
    ExprRef acc = build::missing(output.type, range), anyBefore = build::boolean(false, range);
    Op op = agg == Aggregation::Sum ? Op::Add : agg == Aggregation::Min ? Op::Min : Op::Max;
    for (uint32_t r : order) {
      ExprRef combined = isConst(anyBefore, false) ? values[r] : ifThenElse(anyBefore, build::binary(op, acc, values[r], range), values[r], range);
      acc = ifThenElse(fired[r], combined, acc, range);
      anyBefore = isConst(anyBefore, false) ? fired[r] : build::nary(Op::Or, {anyBefore, fired[r]}, range);
    }
    return acc;
  }
  // One rule's value: the first fired in rule order.
  ExprRef v = build::missing(output.type, range);
  for (auto it = order.rbegin(); it != order.rend(); ++it) v = ifThenElse(fired[*it], values[*it], v, range);
  return v;
}

ExprRef outputValue(const Table &t, int output) {
  std::vector<ExprRef> values;
  for (const Rule &r : t.rules) values.push_back(r.outputs.at(output));
  std::vector<uint32_t> order = ruleOrder(t);
  return outputValue(t.hit, t.aggregation, order, rulesFire(t), values, t.outputs.at(output), t.outputs[output].range);
}

std::string givenRoute(const Action &a, const std::vector<Drug> &drugs) {
  if (!a.route.empty()) return a.route;
  return a.drug >= 0 ? drugs[static_cast<size_t>(a.drug)].route : "";
}

GivenAmount givenAmount(const Action &a) {
  if (a.kind != ActionKind::Give || !a.dose) return {};
  auto capped = [&](const ExprRef &e) { return a.cap ? build::nary(Op::Min, {e, a.cap}, e->range) : e; };
  ExprRef low = capped(a.dose);
  return {low, a.doseHigh ? capped(a.doseHigh) : low};
}

namespace {
/// The least whole number >= q (q > 0).
Rational ceilPositive(const Rational &q) { return Rational((q.num() + q.den() - 1) / q.den()); }
}  // namespace

std::optional<Rational> courseLengthHi(const Action &a) {
  if (!a.taperHi) return a.durationHi;
  return a.durationHi.value_or(Rational(0)) + *a.taperHi;
}

std::optional<Rational> courseLengthLo(const Action &a) {
  if (!a.taperLo) return a.durationLo;
  return a.durationLo.value_or(Rational(0)) + *a.taperLo;
}

Schedule schedule(const Action &a) {
  using K = Basis::Kind;
  const Regimen &r = a.regimen;
  Schedule s;
  s.interval = r.every;
  switch (a.basis.kind) {
  case K::None:
  case K::PerDose: s.perDose = Rational(1); break;
  case K::PerTime:
    // `1 g per day divided into 4 doses`: 250 mg every 6 h; `every 6 h`
    // alone splits the amount the same way.
    if (r.dividedInto) {
      s.perDose = Rational(1) / Rational(*r.dividedInto);
      s.interval = a.basis.span / Rational(*r.dividedInto);
    } else if (r.every) s.perDose = *r.every / a.basis.span;
    break;
  case K::PerCourse:
    // A total in N doses: each is 1/N of it, N in all; `once`: all of it.
    if (r.dividedInto) {
      s.perDose = Rational(1) / Rational(*r.dividedInto);
      s.doses = Rational(*r.dividedInto);
    } else if (r.maxDoses && *r.maxDoses == 1) s.perDose = Rational(1);
    break;
  case K::Rate: break;  // a continuous infusion has no doses (sema refuses a regimen on it)
  }
  auto fewer = [&](Rational n) { s.doses = s.doses ? std::min(*s.doses, n) : n; };
  if (r.maxDoses) fewer(Rational(*r.maxDoses));
  // Doses every X for at most D: at 0, X, 2X, ... before D.
  std::optional<Rational> length = courseLengthHi(a);
  if (s.interval && length && !s.interval->isZero()) fewer(ceilPositive(*length / *s.interval));
  return s;
}

std::optional<Rational> dosesWithin(const Schedule &s, const Rational &span) {
  // With no interval only a single dose is known to be alone in any window;
  // more doses could all fall in one or not: the regimen does not say.
  if (!s.interval || s.interval->isZero()) return s.doses && *s.doses == Rational(1) ? s.doses : std::nullopt;
  Rational n = ceilPositive(span / *s.interval);
  return s.doses && *s.doses < n ? *s.doses : n;
}

std::optional<InfusionRate> infusionRate(const Action &a) {
  if (a.basis.kind == Basis::Kind::Rate || !a.over || a.over->sign() <= 0) return std::nullopt;
  return InfusionRate{Rational(1) / *a.over, Rational(1) / a.overHigh.value_or(*a.over)};
}

bool limitApplies(const Action &a, const Limit &l) { return l.route.empty() || a.route.empty() || l.route == a.route; }

std::optional<Rational> basisFactor(const Action &a, const Limit &l, std::string *whyNot) {
  std::string unused, &why = whyNot ? *whyNot : unused;
  using K = Basis::Kind;
  K ak = a.basis.kind == K::None ? K::PerDose : a.basis.kind;
  K lk = l.basis.kind == K::None ? K::PerDose : l.basis.kind;
  const Schedule s = schedule(a);
  const std::string regimen = a.regimen.text.empty() ? "" : " " + a.regimen.text;
  // A continuous infusion: the amount in a window is its rate times the
  // window; it has no single doses.
  if (ak == K::Rate) switch (lk) {
    case K::Rate: return Rational(1);
    case K::PerTime: return l.basis.span;
    case K::PerCourse:
      if (std::optional<Rational> length = courseLengthHi(a)) return *length;
      why = "the dose is a continuous infusion (a rate) with no maximum duration ('for LO .. HI'), so the amount per course is unknown";
      return std::nullopt;
    default:
      why = "the dose is a continuous infusion (a rate), which has no single doses, so the amount per dose is unknown";
      return std::nullopt;
    }
  // `over X`: the amount as written (one dose, a day's amount, the total)
  // runs over X, so its rate is at most amount / X under any reading.
  if (lk == K::Rate) {
    if (std::optional<InfusionRate> r = infusionRate(a)) return r->fastest;
    why = "the dose is given " + (a.basis.kind == K::None ? std::string("per dose") : a.basis.str()) + regimen +
          " with no infusion time ('over X'), so its rate is unknown";
    return std::nullopt;
  }
  if (lk == K::PerDose) {
    if (s.perDose) return *s.perDose;
    why = ak == K::PerCourse && !a.regimen.empty()
              ? "the dose is a total" + regimen + " with no number of doses ('divided into N doses'), so the amount per dose is unknown"
              : "the dose is given " + a.basis.str() + regimen + " and the number of doses is not stated, so the amount per dose is unknown";
    return std::nullopt;
  }
  if (lk == K::PerTime) {
    // Discrete doses: the most any window of the limit's span holds.
    if (s.perDose)
      if (std::optional<Rational> n = dosesWithin(s, l.basis.span)) return *s.perDose * *n;
    if (ak == K::PerTime) {
      // An amount per S in a window of T >= S: T / S of them, but no more
      // than the course holds, read as the per-course amount is (a per-day
      // amount for one day is one day's amount in any week). In a window
      // shorter than S the amount may fall anywhere in its S: not
      // derivable without a schedule.
      if (l.basis.span < a.basis.span) {
        why = "the dose is given " + a.basis.str() + regimen + " with no dosing frequency ('every X', 'divided into N doses'), so the amount " +
              l.basis.str() + " is unknown";
        return std::nullopt;
      }
      Rational windows = l.basis.span / a.basis.span;
      if (std::optional<Rational> length = courseLengthHi(a); length && l.basis.span > a.basis.span) {
        Rational inCourse = *length / a.basis.span;
        if (inCourse < windows) windows = inCourse;
      }
      return windows;
    }
    if (ak == K::PerCourse) {
      // Over X .. Y: at the shortest time, the most in any window: T / X of
      // the total in a window of T shorter than X, the whole total (never
      // more) in a longer one (a total over 20 minutes is not 72 totals a
      // day: found by the infuse2 branch).
      if (a.over && !a.over->isZero()) {
        Rational share = l.basis.span / *a.over;
        return share > Rational(1) ? Rational(1) : share;
      }
      why = "the dose is a total with no 'over' duration, so the amount " + l.basis.str() + " is unknown";
      return std::nullopt;
    }
    why = a.regimen.empty() ? "the dose is given per dose with no dosing frequency or duration, so the amount " + l.basis.str() + " is unknown"
                            : "the dose is given per dose" + regimen + " with no interval between doses ('every X'), so the amount " +
                                  l.basis.str() + " is unknown";
    return std::nullopt;
  }
  // Per course.
  if (ak == K::PerCourse) return Rational(1);
  if (s.perDose && s.doses) return *s.perDose * *s.doses;
  if (ak == K::PerTime) {
    if (std::optional<Rational> length = courseLengthHi(a)) return *length / a.basis.span;
    why = "the dose is given " + a.basis.str() + regimen + " with no maximum duration ('for LO .. HI'), so the course total is unknown";
    return std::nullopt;
  }
  why = a.regimen.empty() ? "the dose is given per dose with no dosing frequency or duration, so the amount per course is unknown"
                          : "the dose is given per dose" + regimen +
                                " with no number of doses ('up to N doses') or maximum duration ('for LO .. HI'), so the amount per course is unknown";
  return std::nullopt;
}

std::optional<Rational> basisFactorLow(const Action &a, const Limit &l) {
  if (!a.taperHi) return basisFactor(a, l);
  // The same derivation over the course at the full amount alone: with no
  // `for` span, the taper starts at the first dose and none of it is known.
  Action full = a;
  full.taperLo = full.taperHi = std::nullopt;
  if (!full.durationHi) full.durationLo = full.durationHi = Rational(0);
  // Doses with no interval (`up to N doses` alone) may fall anywhere in the
  // course, the taper's part too: only the first, which starts the `for`
  // span, is certain to be at the full amount (none with no `for` span).
  Schedule s = schedule(full);
  if (s.perDose && s.doses && *s.doses > Rational(1) && (!s.interval || s.interval->isZero()))
    full.regimen.maxDoses = full.durationHi->isZero() ? 0 : 1;
  return basisFactor(full, l);
}

Dimension basisFactorDim(const Action &a, const Limit &l) {
  using K = Basis::Kind;
  bool ar = a.basis.kind == K::Rate, lr = l.basis.kind == K::Rate;
  Dimension duration{{{"duration", 1}}};
  if (ar && !lr) return duration;
  if (!ar && lr) return Dimension{} / duration;
  return {};
}

std::string actionIdentity(const Action &a) {
  auto opt = [](const std::optional<Rational> &r) { return r ? r->str() : std::string("-"); };
  std::string s = std::string(spelling(a.kind)) + "|" + a.name;
  switch (a.kind) {
  case ActionKind::Give:
    s += "|" + std::string(a.doseUnspecified ? "dose unspecified" : "dose") + "|" + a.basis.str() + "|" +
         opt(a.durationLo) + "|" + opt(a.durationHi) + "|" + opt(a.over);
    // Only when written, so the identities of gives without one are unchanged.
    if (a.taperHi) s += "|taper " + opt(a.taperLo) + "|" + opt(a.taperHi);
    if (a.overHigh) s += "|over-high " + opt(a.overHigh);
    // Only when written, so the identities of gives without one are unchanged.
    if (!a.regimen.empty()) s += "|" + a.regimen.text;
    if (!a.route.empty()) s += "|route " + a.route;
    break;
  case ActionKind::Unspecified: s += "|" + a.unspecified.value_or(""); break;
  default: {
    static const char *timings[] = {"", "at", "within", "over"};
    s += "|" + std::string(timings[static_cast<int>(a.timing)]) + "|" + opt(a.timingLo) + "|" + opt(a.timingHi);
    if (a.timingAnchor >= 0) s += "|from " + std::to_string(a.timingAnchor);
    break;
  }
  }
  // An alternative is another action than the same one given outright.
  if (a.choice >= 0) s += "|one of " + std::to_string(a.choice) + "." + std::to_string(a.option);
  return s;
}

ExprRef offered(const Action &a, const ExprRef &where) {
  if (!a.unless) return where;
  ExprRef allowed = build::isTrue(build::unary(Op::Not, a.unless, a.unless->range));
  return where ? build::nary(Op::And, {where, allowed}) : allowed;
}

ExprRef assumptionHolds(const Assumption &a) {
  const ExprRef &c = a.condition;
  if (!c->mayBeMissing) return c;
  return build::nary(Op::Or, {build::isTrue(c, c->range), build::unary(Op::Not, build::known(c, c->range), c->range)}, c->range);
}

ExprRef assumptionViolated(const Assumption &a) { return build::unary(Op::Not, assumptionHolds(a), a.condition->range); }

}  // namespace carepath::ir
