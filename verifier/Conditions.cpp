// Proof obligations from the IR: one per property instance, each with its
// success and failure wording. Nothing here knows about Z3.
#include "verifier/Conditions.h"

#include <algorithm>
#include <map>

#include "verifier/Display.h"

namespace carepath::verifier {

using namespace ir;
namespace b = ir::build;

namespace {

ExprRef conj(std::vector<ExprRef> xs) { return b::nary(Op::And, std::move(xs)); }
ExprRef disj(std::vector<ExprRef> xs) { return b::nary(Op::Or, std::move(xs)); }
ExprRef neg(ExprRef x) { return b::unary(Op::Not, std::move(x)); }
ExprRef implies(ExprRef a, ExprRef c) { return disj({neg(std::move(a)), std::move(c)}); }

ExprRef tierFailed(const Protocol &p, int pw, int t) {
  const Pathway &path = p.pathways[pw];
  const Tier &tier = path.tiers[t];
  if (!tier.failedWhen) return b::boolean(false);
  return path.entry ? conj({path.entry, tier.failedWhen}) : tier.failedWhen;
}

ExprRef targetFires(const Protocol &p, const Target &t) {
  return t.kind == Target::Kind::Tier ? p.tierGuard(t.container, t.index) : ruleFires(p, t.container, t.index);
}

std::string tierName(const Protocol &p, int pw, int t) { return p.pathways[pw].name + "." + p.pathways[pw].tiers[t].name; }
std::string ruleName(const Protocol &p, int tb, int r) { return p.tables[tb].name + "." + p.tables[tb].rules[r].name; }

}  // namespace

std::string targetName(const Protocol &p, const Target &t) {
  return t.kind == Target::Kind::Tier ? tierName(p, t.container, t.index) : ruleName(p, t.container, t.index);
}

std::vector<int> priorityOrder(const Table &t) {
  std::vector<int> order(t.rules.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  if (t.hit == HitPolicy::Priority)
    std::stable_sort(order.begin(), order.end(), [&](int a, int c) {
      const auto &pa = t.rules[a].priority, &pc = t.rules[c].priority;
      if (pa && pc) return *pa < *pc;
      return pa.has_value() && !pc.has_value();  // numbered rules first
    });
  return order;
}

ExprRef ruleFires(const Protocol &p, int table, int rule) {
  const Table &t = p.tables[table];
  if (t.hit != HitPolicy::First && t.hit != HitPolicy::Priority) return t.rules[rule].guard;
  std::vector<ExprRef> parts{t.rules[rule].guard};
  for (int r : priorityOrder(t)) {
    if (r == rule) break;
    parts.push_back(neg(t.rules[r].guard));
  }
  return conj(std::move(parts));
}

Obligation overlapObligation(const Protocol &p, int table, int i, int j) {
  const Table &t = p.tables[table];
  Obligation o;
  o.kind = PropertyKind::TableOverlap;
  o.formula = neg(conj({t.rules[i].guard, t.rules[j].guard}));
  o.proved = "rules '" + t.rules[i].name + "' and '" + t.rules[j].name + "' of unique table '" + t.name + "' never overlap";
  o.refuted = "rules '" + t.rules[j].name + "' and '" + t.rules[i].name + "' of unique table '" + t.name +
              "' both match the same patient";
  o.range = t.rules[j].range;
  o.related.push_back({t.rules[i].range, "rule '" + t.rules[i].name + "' also matches"});
  o.expectations = {"expect " + ruleName(p, table, i), "expect " + ruleName(p, table, j)};
  return o;
}

std::vector<Obligation> buildConditions(const Protocol &p) {
  std::vector<Obligation> out;

  // Tiers: reachable, exclusive, order.
  for (size_t pw = 0; pw < p.pathways.size(); ++pw) {
    const Pathway &path = p.pathways[pw];
    for (size_t t = 0; t < path.tiers.size(); ++t) {
      const Tier &tier = path.tiers[t];
      Obligation o;
      o.kind = PropertyKind::TierReachable;
      o.goal = Obligation::Goal::Satisfiable;
      o.formula = p.tierGuard(pw, t);
      o.proved = "tier '" + tierName(p, pw, t) + "' is reached by some patient";
      o.refuted = "no patient in the population reaches tier '" + tierName(p, pw, t) + "'";
      o.range = tier.range;
      out.push_back(std::move(o));
    }
    for (size_t t = 0; t < path.tiers.size(); ++t)
      for (size_t s = 0; s < t; ++s) {
        Obligation o;
        o.kind = PropertyKind::TierExclusive;
        o.formula = neg(conj({p.tierGuard(pw, s), p.tierGuard(pw, t)}));
        o.proved = "tiers '" + path.tiers[s].name + "' and '" + path.tiers[t].name + "' of pathway '" + path.name +
                   "' are mutually exclusive";
        o.refuted = "tiers '" + path.tiers[t].name + "' and '" + path.tiers[s].name + "' of pathway '" + path.name +
                    "' both apply to the same patient";
        o.range = path.tiers[t].range;
        o.related.push_back({path.tiers[s].range, "tier '" + path.tiers[s].name + "' also applies"});
        o.expectations = {"expect " + tierName(p, pw, s), "expect " + tierName(p, pw, t)};
        out.push_back(std::move(o));
      }
    for (size_t t = 0; t < path.tiers.size(); ++t) {
      const Tier &tier = path.tiers[t];
      if (tier.after < 0) continue;
      const Tier &before = path.tiers[tier.after];
      Obligation o;
      o.kind = PropertyKind::TierOrder;
      o.formula = implies(p.tierGuard(pw, t), tierFailed(p, pw, tier.after));
      o.proved = "tier '" + tier.name + "' is only reached after '" + before.name + "' was tried and failed";
      o.refuted = "tier '" + tier.name + "' is reached although '" + before.name + "' has not failed";
      o.range = tier.range;
      o.related.push_back({before.range, "'" + before.name + "' must have failed first"});
      o.expectations = {"expect " + tierName(p, pw, t)};
      out.push_back(std::move(o));
    }
  }

  // Tables: gaps, dead rules, shadowed rules (overlaps are built separately).
  for (size_t tb = 0; tb < p.tables.size(); ++tb) {
    const Table &t = p.tables[tb];
    if (t.complete) {
      std::vector<ExprRef> any;
      for (const Rule &r : t.rules) any.push_back(r.guard);
      Obligation o;
      o.kind = PropertyKind::TableGap;
      o.formula = disj(std::move(any));
      o.proved = "table '" + t.name + "' is complete: every patient matches a rule";
      o.refuted = "table '" + t.name + "' is declared complete but no rule matches this patient";
      o.range = t.range;
      out.push_back(std::move(o));
    }
    if (t.hit == HitPolicy::First || t.hit == HitPolicy::Priority) {
      std::vector<int> order = priorityOrder(t);
      for (size_t k = 1; k < order.size(); ++k) {
        int r = order[k];
        Obligation o;
        o.kind = PropertyKind::RuleShadowed;
        o.goal = Obligation::Goal::Satisfiable;
        o.formula = ruleFires(p, tb, r);
        o.proved = "rule '" + ruleName(p, tb, r) + "' fires for some patient despite earlier rules";
        o.refuted = "rule '" + ruleName(p, tb, r) + "' never fires: every patient it matches is taken by an earlier rule";
        o.range = t.rules[r].range;
        for (size_t e = 0; e < k; ++e)
          o.related.push_back({t.rules[order[e]].range, "earlier rule '" + t.rules[order[e]].name + "'"});
        out.push_back(std::move(o));
      }
    }
    // After the shadowing checks: a rule that fires is alive, and the
    // witness of the one is reused for the other without a new check.
    for (size_t r = 0; r < t.rules.size(); ++r) {
      Obligation o;
      o.kind = PropertyKind::RuleDead;
      o.goal = Obligation::Goal::Satisfiable;
      o.formula = t.rules[r].guard;
      o.proved = "rule '" + ruleName(p, tb, r) + "' matches some patient";
      o.refuted = "rule '" + ruleName(p, tb, r) + "' matches no patient in the population";
      o.range = t.rules[r].range;
      out.push_back(std::move(o));
    }
  }

  // User properties.
  for (const Property &prop : p.properties) {
    Obligation o;
    o.range = prop.range;
    std::string msg = prop.message.empty() ? "" : " (" + prop.message + ")";
    if (prop.kind == Property::Kind::Reaches) {
      const Target &tg = prop.target;
      ExprRef reached = targetFires(p, tg);
      if (tg.kind == Target::Kind::Tier)
        reached = disj({reached, tierFailed(p, tg.container, tg.index)});
      o.kind = PropertyKind::Reaches;
      o.formula = implies(prop.expr, reached);
      std::string what = toString(p, *prop.expr);
      o.proved = "every patient with '" + what + "' reaches '" + targetName(p, tg) + "'" + msg;
      o.refuted = "a patient with '" + what + "' does not reach '" + targetName(p, tg) + "'" + msg;
      SourceRange tr = tg.kind == Target::Kind::Tier ? p.pathways[tg.container].tiers[tg.index].range
                                                     : p.tables[tg.container].rules[tg.index].range;
      o.related.push_back({tr, "'" + targetName(p, tg) + "' is declared here"});
      o.expectations = {"expect not " + targetName(p, tg)};
    } else {
      o.kind = PropertyKind::Assertion;
      bool always = prop.kind == Property::Kind::Always;
      o.formula = always ? prop.expr : neg(prop.expr);
      std::string what = toString(p, *prop.expr);
      o.proved = std::string(always ? "always" : "never") + " '" + what + "' holds" + msg;
      o.refuted = std::string(always ? "'" : "'") + what + "' " + (always ? "does not hold" : "holds") +
                  " for this patient" + msg;
    }
    out.push_back(std::move(o));
  }
  return out;
}

// ------------------------------------------------------------------ doses

namespace {

/// Factor turning the action's amount into the limit's basis, or the
/// reason it cannot be derived.
std::optional<Rational> basisFactor(const Action &a, const Limit &l, std::string &why) {
  using K = Basis::Kind;
  K ak = a.basis.kind == K::None ? K::PerDose : a.basis.kind;
  K lk = l.basis.kind == K::None ? K::PerDose : l.basis.kind;
  if (ak == lk && ak != K::PerTime) return Rational(1);
  if (ak == K::PerTime && lk == K::PerTime) return l.basis.span / a.basis.span;
  if (ak == K::PerTime && lk == K::PerCourse) {
    if (a.durationHi) return *a.durationHi / a.basis.span;
    why = "the dose is given " + a.basis.str() + " with no maximum duration ('for LO .. HI'), so the course total is unknown";
    return std::nullopt;
  }
  if (ak == K::PerCourse && lk == K::PerTime) {
    if (a.over && !a.over->isZero()) return l.basis.span / *a.over;
    why = "the dose is a total with no 'over' duration, so the amount " + l.basis.str() + " is unknown";
    return std::nullopt;
  }
  if (ak == K::PerDose)
    why = "the dose is given per dose with no dosing frequency or duration, so the amount " +
          (lk == K::PerCourse ? std::string("per course") : l.basis.str()) + " is unknown";
  else
    why = "the dose is given " + a.basis.str() + " and the number of doses is not stated, so the amount per dose is unknown";
  return std::nullopt;
}

}  // namespace

std::vector<DoseSite> buildDoseSites(const Protocol &p) {
  std::vector<DoseSite> out;
  auto visit = [&](const std::vector<Action> &actions, ExprRef condition, const std::string &where) {
    for (const Action &a : actions) {
      if (a.kind != ActionKind::Give || !a.dose) continue;
      DoseSite site;
      site.action = &a;
      site.where = where;
      site.condition = condition;
      site.amount = a.cap ? b::nary(Op::Min, {a.dose, a.cap}) : a.dose;
      const Drug &drug = p.drugs[a.drug];
      if (drug.limits.empty())
        site.warnings.push_back("no formulary limit is known for " + drug.name);
      for (const Limit &l : drug.limits) {
        std::string why;
        std::optional<Rational> factor = basisFactor(a, l, why);
        const Dimension doseDim = a.dose->type.dim;
        int w = p.dosingWeight;
        if (factor && l.perWeight && w < 0) {
          factor.reset();
          why = "the protocol declares no 'dosing weight'";
        }
        if (factor) {
          Dimension expected = l.perWeight ? doseDim / p.inputs[w].type.dim : doseDim;
          if (!(expected == l.dim)) {
            factor.reset();
            why = "the dose is a " + doseDim.str() + " and the limit a " + l.dim.str();
          }
        }
        if (!factor) {
          site.warnings.push_back("the limit " + l.display + " of " + drug.name + " cannot be checked: " + why);
          continue;
        }
        ExprRef converted = *factor == Rational(1) ? site.amount : b::binary(Op::Mul, site.amount, b::number(*factor));
        ExprRef limit = b::number(l.amount, l.dim);
        Obligation o;
        o.kind = PropertyKind::DoseFormulary;
        if (l.perWeight) {
          const Input &wi = p.inputs[w];
          ExprRef weight = b::input(w, wi.type);
          o.observed = b::binary(Op::Div, converted, weight);
          // amount <= limit * weight is linear; equal to amount / weight <= limit for positive weights.
          o.formula = (wi.lo && *wi.lo > Rational(0)) ? b::binary(Op::Le, converted, b::binary(Op::Mul, limit, weight))
                                                      : b::binary(Op::Le, o.observed, limit);
        } else {
          o.observed = converted;
          o.formula = b::binary(Op::Le, converted, limit);
        }
        o.formula = implies(condition, o.formula);
        o.observedUnit = displayUnitOf(p, l);
        o.observedLabel = l.basis.str();
        o.proved = drug.name + " at " + where + " stays within the formulary limit " + l.display;
        o.refuted = drug.name + " at " + where + " exceeds the formulary limit " + l.display;
        o.range = a.range;
        o.related.push_back({l.range, "limit declared here"});
        o.expectations = {"expect " + where, "expect give " + drug.name};
        site.limits.push_back(std::move(o));
      }
      out.push_back(std::move(site));
    }
  };
  for (size_t pw = 0; pw < p.pathways.size(); ++pw)
    for (size_t t = 0; t < p.pathways[pw].tiers.size(); ++t)
      visit(p.pathways[pw].tiers[t].actions, p.tierGuard(pw, t), tierName(p, pw, t));
  for (size_t tb = 0; tb < p.tables.size(); ++tb)
    for (size_t r = 0; r < p.tables[tb].rules.size(); ++r)
      visit(p.tables[tb].rules[r].actions, ruleFires(p, tb, r), ruleName(p, tb, r));
  return out;
}

// ------------------------------------------------------------------ interval sweep

namespace {

struct Bound {
  Rational v;
  bool strict = false;
  bool set = false;
};

/// The box a rule condition implies: per input an interval (numbers) or a
/// member mask (enums, bools). Atoms it does not understand leave the box
/// larger, never smaller, so a disjoint pair of boxes is a disjoint pair
/// of conditions.
struct Box {
  std::map<int, std::pair<Bound, Bound>> ranges;
  std::map<int, uint64_t> masks;
};

void narrowLo(Bound &lo, Rational v, bool strict) {
  if (!lo.set || v > lo.v || (v == lo.v && strict)) lo = {v, strict, true};
}
void narrowHi(Bound &hi, Rational v, bool strict) {
  if (!hi.set || v < hi.v || (v == hi.v && strict)) hi = {v, strict, true};
}

const Expr *resolve(const Protocol &p, const Expr *e) {
  while (e->op == Op::Define) e = p.defines[e->index].value.get();
  return e;
}

/// Mask of enum members (or {false, true} as bits 0, 1) an atom allows for
/// one input; returns the input or -1.
int maskOf(const Protocol &p, const Expr *e, uint64_t &mask) {
  e = resolve(p, e);
  if (e->op == Op::Input && e->type.kind == Type::Kind::Bool) { mask = 2; return e->index; }
  if (e->op == Op::Not) {
    const Expr *a = resolve(p, e->args[0].get());
    if (a->op == Op::Input && a->type.kind == Type::Kind::Bool) { mask = 1; return a->index; }
    return -1;
  }
  if ((e->op == Op::Eq || e->op == Op::Ne) && e->args.size() == 2) {
    const Expr *l = resolve(p, e->args[0].get()), *r = resolve(p, e->args[1].get());
    if (l->op == Op::Const) std::swap(l, r);
    if (l->op != Op::Input || r->op != Op::Const || l->type.kind != Type::Kind::Enum) return -1;
    size_t n = p.enums[l->type.enumType].members.size();
    if (n > 64 || r->constant.member < 0) return -1;
    uint64_t all = n == 64 ? ~0ull : ((1ull << n) - 1);
    uint64_t bit = 1ull << r->constant.member;
    mask = e->op == Op::Eq ? bit : (all & ~bit);
    return l->index;
  }
  if (e->op == Op::Or) {
    int input = -1;
    uint64_t acc = 0;
    for (const ExprRef &a : e->args) {
      uint64_t m = 0;
      int i = maskOf(p, a.get(), m);
      if (i < 0 || (input >= 0 && i != input)) return -1;
      input = i;
      acc |= m;
    }
    mask = acc;
    return input;
  }
  return -1;
}

void addAtom(const Protocol &p, const Expr *e, Box &box) {
  e = resolve(p, e);
  if (e->op == Op::And) {
    for (const ExprRef &a : e->args) addAtom(p, a.get(), box);
    return;
  }
  uint64_t mask = 0;
  int mi = maskOf(p, e, mask);
  if (mi >= 0) {
    auto it = box.masks.find(mi);
    if (it == box.masks.end()) box.masks[mi] = mask;
    else it->second &= mask;
    return;
  }
  if (e->args.size() != 2) return;
  Op op = e->op;
  const Expr *l = resolve(p, e->args[0].get()), *r = resolve(p, e->args[1].get());
  if (l->op == Op::Const && r->op == Op::Input) {
    std::swap(l, r);
    switch (op) {
    case Op::Lt: op = Op::Gt; break;
    case Op::Le: op = Op::Ge; break;
    case Op::Gt: op = Op::Lt; break;
    case Op::Ge: op = Op::Le; break;
    default: break;
    }
  }
  if (l->op != Op::Input || r->op != Op::Const || l->type.kind != Type::Kind::Number) return;
  auto &[lo, hi] = box.ranges[l->index];
  Rational v = r->constant.number;
  switch (op) {
  case Op::Lt: narrowHi(hi, v, true); break;
  case Op::Le: narrowHi(hi, v, false); break;
  case Op::Gt: narrowLo(lo, v, true); break;
  case Op::Ge: narrowLo(lo, v, false); break;
  case Op::Eq: narrowLo(lo, v, false); narrowHi(hi, v, false); break;
  default: break;
  }
}

bool disjointIntervals(const std::pair<Bound, Bound> &a, const std::pair<Bound, Bound> &c) {
  // a entirely below c, or c entirely below a.
  auto below = [](const Bound &hi, const Bound &lo) {
    if (!hi.set || !lo.set) return false;
    return hi.v < lo.v || (hi.v == lo.v && (hi.strict || lo.strict));
  };
  return below(a.second, c.first) || below(c.second, a.first);
}

bool disjointBoxes(const Box &a, const Box &c) {
  for (auto &[i, ra] : a.ranges) {
    auto it = c.ranges.find(i);
    if (it != c.ranges.end() && disjointIntervals(ra, it->second)) return true;
  }
  for (auto &[i, ma] : a.masks) {
    auto it = c.masks.find(i);
    if (it != c.masks.end() && (ma & it->second) == 0) return true;
  }
  return false;
}

}  // namespace

OverlapCandidates overlapCandidates(const Protocol &p, const Table &t) {
  OverlapCandidates out;
  size_t n = t.rules.size();
  out.total = n * (n - (n > 0 ? 1 : 0)) / 2;
  std::vector<Box> boxes(n);
  std::map<int, size_t> uses;
  for (size_t i = 0; i < n; ++i) {
    addAtom(p, t.rules[i].guard.get(), boxes[i]);
    for (auto &[in, r] : boxes[i].ranges) {  // the declared range bounds every box
      if (p.inputs[in].lo) narrowLo(r.first, *p.inputs[in].lo, false);
      if (p.inputs[in].hi) narrowHi(r.second, *p.inputs[in].hi, false);
    }
    for (auto &[in, r] : boxes[i].ranges)
      if (r.first.set || r.second.set) ++uses[in];
  }
  // Sweep along the numeric input most rules bound: sort by lower end and
  // keep only the rules whose interval is still open at each start.
  int axis = -1;
  size_t best = 0;
  for (auto &[in, c] : uses)
    if (c > best) best = c, axis = in;
  auto loOf = [&](size_t i) -> std::optional<Bound> {
    auto it = boxes[i].ranges.find(axis);
    if (it == boxes[i].ranges.end() || !it->second.first.set) return std::nullopt;
    return it->second.first;
  };
  auto hiOf = [&](size_t i) -> std::optional<Bound> {
    auto it = boxes[i].ranges.find(axis);
    if (it == boxes[i].ranges.end() || !it->second.second.set) return std::nullopt;
    return it->second.second;
  };
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t c) {
    auto la = loOf(a), lc = loOf(c);
    if (!la || !lc) return !la && lc.has_value();  // unbounded below first
    return la->v < lc->v;
  });
  std::vector<size_t> active;
  for (size_t k : order) {
    auto lo = loOf(k);
    // Drop rules that end before this one starts.
    if (lo) {
      std::vector<size_t> keep;
      for (size_t a : active) {
        auto hi = hiOf(a);
        bool ended = hi && (hi->v < lo->v || (hi->v == lo->v && (hi->strict || lo->strict)));
        if (!ended) keep.push_back(a);
      }
      active.swap(keep);
    }
    for (size_t a : active)
      if (!disjointBoxes(boxes[a], boxes[k]))
        out.pairs.emplace_back(static_cast<int>(std::min(a, k)), static_cast<int>(std::max(a, k)));
    active.push_back(k);
  }
  std::sort(out.pairs.begin(), out.pairs.end());
  out.excludedBySweep = out.total - out.pairs.size();
  return out;
}

}  // namespace carepath::verifier
