// The semantic diff: both versions over one set of solver variables. The
// old version's inputs come first; the new version's expressions are copied
// with their inputs renumbered onto the old ones of the same name (and
// their defines after the old ones), so that one Z3Backend asks, for each
// outcome, "is there a patient for whom the two versions differ?".
#include "verifier/SemanticDiff.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "ir/Evaluator.h"
#include "verifier/Conditions.h"
#include "verifier/Display.h"
#include "verifier/Z3Backend.h"

namespace carepath::verifier {

using namespace ir;
namespace b = ir::build;

const char *spelling(OutcomeKind k) {
  switch (k) {
  case OutcomeKind::Population: return "population";
  case OutcomeKind::Tier: return "tier";
  case OutcomeKind::Rule: return "rule";
  case OutcomeKind::Action: return "action";
  case OutcomeKind::Dose: return "dose";
  }
  return "rule";
}

std::optional<OutcomeKind> parseOutcomeKind(std::string_view text) {
  for (OutcomeKind k : {OutcomeKind::Population, OutcomeKind::Tier, OutcomeKind::Rule, OutcomeKind::Action, OutcomeKind::Dose})
    if (text == spelling(k)) return k;
  return std::nullopt;
}

size_t DiffReport::count(Status s) const {
  return static_cast<size_t>(std::count_if(outcomes.begin(), outcomes.end(), [&](const OutcomeResult &o) { return o.status == s; }));
}

namespace {

/// One outcome of one version, in that version's own indices.
struct Outcome {
  OutcomeKind kind = OutcomeKind::Rule;
  std::string name;
  ExprRef holds;                 // Population/Tier/Rule/Action; Dose: when the site fires
  const Action *action = nullptr;  // Dose
  std::string text;              // the guard or the dose, as written
  SourceRange range;
};

std::string guardText(const Protocol &p, const ExprRef &e) { return e ? toString(p, *e) : "always"; }

std::string doseText(const Protocol &p, const Action &a) {
  std::string s;
  if (a.kind == ActionKind::Give) {
    GivenAmount amount = givenAmount(a);
    s = !amount ? "dose unspecified"
                : toString(p, *amount.low) + (amount.isRange() ? " .. " + toString(p, *amount.high) : "");
    if (!a.basis.str().empty()) s += " " + a.basis.str();
  } else {
    s = std::string(spelling(a.kind)) + " " + a.name;
  }
  return s;
}

std::vector<Outcome> outcomesOf(const Protocol &p) {
  std::vector<Outcome> out;
  out.push_back({OutcomeKind::Population, "population", p.population ? b::isTrue(p.population) : b::boolean(true), nullptr,
                 guardText(p, p.population), p.population ? p.population->range : SourceRange{}});
  std::vector<Outcome> actions, sites;
  std::map<std::string, size_t> actionAt;
  std::map<std::string, int> siteCount;
  auto visit = [&](const std::vector<Action> &as, const ExprRef &where_, const std::string &where) {
    for (const Action &a : as) {
      ExprRef fires = offered(a, where_);
      std::string key = std::string(spelling(a.kind)) + " " + a.name;
      auto [it, fresh] = actionAt.emplace(key, actions.size());
      if (fresh) actions.push_back({OutcomeKind::Action, key, fires, nullptr, "", a.range});
      else actions[it->second].holds = disj({actions[it->second].holds, fires});
      std::string site = key + " at " + where;
      int n = ++siteCount[site];
      if (n > 1) site += " (" + std::to_string(n) + ")";
      sites.push_back({OutcomeKind::Dose, site, fires, &a, doseText(p, a), a.range});
    }
  };
  for (size_t pw = 0; pw < p.pathways.size(); ++pw)
    for (size_t t = 0; t < p.pathways[pw].tiers.size(); ++t) {
      const Tier &tier = p.pathways[pw].tiers[t];
      std::string name = p.pathways[pw].name + "." + tier.name;
      ExprRef g = b::isTrue(p.tierGuard(static_cast<int>(pw), static_cast<int>(t)));
      out.push_back({OutcomeKind::Tier, name, g, nullptr, guardText(p, tier.guard), tier.range});
      visit(tier.actions, g, name);
    }
  for (const Table &t : p.tables) {
    std::vector<ExprRef> fires = rulesFire(t);
    for (size_t r = 0; r < t.rules.size(); ++r) {
      std::string name = t.name + "." + t.rules[r].name;
      out.push_back({OutcomeKind::Rule, name, b::isTrue(fires[r]), nullptr, guardText(p, t.rules[r].guard), t.rules[r].range});
      visit(t.rules[r].actions, b::isTrue(fires[r]), name);
    }
  }
  out.insert(out.end(), actions.begin(), actions.end());
  out.insert(out.end(), sites.begin(), sites.end());
  return out;
}

/// Copies the new version's expressions into the shared protocol: inputs
/// renumbered, defines shifted. Memoised on the node (sharing is kept: the
/// firing conditions of a `first` table share their subterms); every source
/// node is kept alive so that an address is never reused while memoised.
class Remap {
public:
  /// `members`: for a new enum type matched by member names, each new
  /// member's index in the old type (a member the old one lacks: past its end).
  Remap(std::vector<int> inputs, int defineOffset, std::map<int, std::vector<int>> members)
      : inputs_(std::move(inputs)), defineOffset_(defineOffset), members_(std::move(members)) {}
  ExprRef operator()(const ExprRef &e) {
    if (!e) return nullptr;
    if (auto it = memo_.find(e.get()); it != memo_.end()) return it->second.second;
    auto c = std::make_shared<Expr>(*e);
    for (ExprRef &a : c->args) a = (*this)(a);
    if (e->op == Op::Input) c->index = inputs_.at(e->index);
    if (e->op == Op::Define) c->index += defineOffset_;
    if (e->op == Op::Const && e->type.kind == Type::Kind::Enum)
      if (auto m = members_.find(e->type.enumType); m != members_.end()) c->constant.member = m->second.at(e->constant.member);
    ExprRef out = c;
    memo_.emplace(e.get(), std::make_pair(e, out));
    return out;
  }

private:
  std::vector<int> inputs_;
  int defineOffset_;
  std::map<int, std::vector<int>> members_;
  std::unordered_map<const Expr *, std::pair<ExprRef, ExprRef>> memo_;
};

/// Two expressions of the shared protocol that are the same formula (a
/// define compared by its value): then they agree on every patient.
class Same {
public:
  explicit Same(const Protocol &p) : p_(p) {}
  bool operator()(const ExprRef &a, const ExprRef &c) {
    if (!a || !c) return !a && !c;
    return (*this)(*a, *c);
  }
  bool operator()(const Expr &a, const Expr &c) {
    if (&a == &c) return true;
    auto key = std::make_pair(&a, &c);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    bool same = compare(a, c);
    memo_[key] = same;
    return same;
  }

private:
  bool compare(const Expr &a, const Expr &c) {
    if (a.op == Op::Define && c.op == Op::Define)
      return a.index == c.index || (*this)(*p_.defines.at(a.index).value, *p_.defines.at(c.index).value);
    if (a.op == Op::Define) return (*this)(*p_.defines.at(a.index).value, c);
    if (c.op == Op::Define) return (*this)(a, *p_.defines.at(c.index).value);
    if (a.op != c.op || a.type.kind != c.type.kind || a.mayBeMissing != c.mayBeMissing || a.args.size() != c.args.size())
      return false;
    if (a.op == Op::Const && !(a.constant == c.constant)) return false;
    if ((a.op == Op::Input || a.op == Op::Count) && a.index != c.index) return false;
    if (a.op == Op::Count && a.counting != c.counting) return false;
    for (size_t i = 0; i < a.args.size(); ++i)
      if (!(*this)(*a.args[i], *c.args[i])) return false;
    return true;
  }
  const Protocol &p_;
  std::map<std::pair<const Expr *, const Expr *>, bool> memo_;
};

/// Inputs an expression reads, through defines.
void inputsOf(const Protocol &p, const Expr &e, std::set<int> &out, std::set<const Expr *> &seen) {
  if (!seen.insert(&e).second) return;
  if (e.op == Op::Input) out.insert(e.index);
  if (e.op == Op::Define) inputsOf(p, *p.defines.at(e.index).value, out, seen);
  for (const ExprRef &a : e.args) inputsOf(p, *a, out, seen);
}

ExprRef exclusiveOr(const ExprRef &x, const ExprRef &y) { return disj({conj({x, neg(y)}), conj({neg(x), y})}); }

/// x != y with a two-argument min (a dose under its cap) split into its
/// cases, and the same formula on both sides folded to false: the region
/// bounds (Z3Backend::optimum) then see the comparisons that delimit it
/// ("30 mg/kg * weight <= 1 g") instead of one `!=`, which bounds nothing.
ExprRef unequal(const ExprRef &x, const ExprRef &y, Same &same) {
  if (same(x, y)) return b::boolean(false);
  if (x->op == Op::Const && y->op == Op::Const) return b::boolean(!(x->constant == y->constant));
  auto split = [&](const ExprRef &m, const ExprRef &other, bool mFirst) {
    const ExprRef &d = m->args[0], &c = m->args[1];
    auto ne = [&](const ExprRef &v) { return mFirst ? unequal(v, other, same) : unequal(other, v, same); };
    return disj({conj({b::binary(Op::Le, d, c), ne(d)}), conj({b::binary(Op::Gt, d, c), ne(c)})});
  };
  if (x->op == Op::Min && x->args.size() == 2) return split(x, y, true);
  if (y->op == Op::Min && y->args.size() == 2) return split(y, x, false);
  return b::binary(Op::Ne, x, y);
}

/// The two amounts differ: one is missing and the other not, or both are
/// known and unequal.
ExprRef amountsDiffer(const ExprRef &x, const ExprRef &y, Same &same) {
  if (!x || !y) return b::boolean(static_cast<bool>(x) != static_cast<bool>(y));
  if (!x->mayBeMissing && !y->mayBeMissing) return unequal(x, y, same);
  return disj({exclusiveOr(b::known(x), b::known(y)), b::isTrue(b::binary(Op::Ne, x, y))});
}

std::string rangeText(const Input &in) {
  if (in.type.kind != Type::Kind::Number) return "";
  auto q = [&](const std::optional<Rational> &v) { return v ? formatQuantity(*v, in.displayUnit) : std::string("unbounded"); };
  return q(in.lo) + " .. " + q(in.hi);
}

std::string typeText(const Protocol &p, const Input &in) {
  switch (in.type.kind) {
  case Type::Kind::Bool: return "bool";
  case Type::Kind::Enum: {
    std::string s = "enum {";
    for (const std::string &m : p.enums[in.type.enumType].members) s += (s.size() > 6 ? ", " : " ") + m;
    return s + " }";
  }
  case Type::Kind::Number: return (in.type.integer ? "integer " : "") + (in.type.dim.dimensionless() ? std::string("number") : in.type.dim.str());
  case Type::Kind::String: return "string";
  }
  return "";
}

/// The same type, so one solver variable serves both (an enum: the same
/// members in the same order; a number: the same dimension).
bool sameType(const Protocol &op, const Input &a, const Protocol &np, const Input &c) {
  if (a.type.kind != c.type.kind) return false;
  if (a.type.kind == Type::Kind::Enum) {  // matched by member names: some member in common
    for (const std::string &m : np.enums[c.type.enumType].members)
      for (const std::string &o : op.enums[a.type.enumType].members)
        if (m == o) return true;
    return false;
  }
  if (a.type.kind == Type::Kind::Number) return a.type.dim == c.type.dim;
  return true;
}

class Differ {
public:
  Differ(const Protocol &oldP, const Protocol &newP, const Options &options)
      : old_(oldP), new_(newP), options_(options), shared_(oldP) {}

  DiffReport run() {
    if (!buildShared()) return std::move(report_);
    remap_.emplace(newIndex_, static_cast<int>(old_.defines.size()), members_);
    for (const Define &d : new_.defines) {
      Define c = d;
      c.value = (*remap_)(d.value);
      shared_.defines.push_back(std::move(c));
    }
    assumptions();
    // Each version's population is an outcome and a condition; the shared
    // protocol's population only keeps enum inputs to the members both have,
    // and the patients to those both versions' assumptions allow.
    shared_.population = restrictions_.empty() ? nullptr : conj(restrictions_);
    z3_.emplace(shared_, options_);
    std::vector<Outcome> olds = outcomesOf(old_), news = outcomesOf(new_);
    oldPop_ = olds.front().holds;
    newPop_ = (*remap_)(news.front().holds);
    std::map<std::string, const Outcome *> byName;
    for (const Outcome &o : olds) byName[std::string(spelling(o.kind)) + ":" + o.name] = &o;
    std::set<std::string> matched;
    for (const Outcome &n : news) {
      std::string key = std::string(spelling(n.kind)) + ":" + n.name;
      auto it = byName.find(key);
      const Outcome *o = it == byName.end() ? nullptr : it->second;
      if (o) matched.insert(key);
      compare(o, &n);
    }
    for (const Outcome &o : olds)
      if (!matched.count(std::string(spelling(o.kind)) + ":" + o.name)) compare(&o, nullptr);
    return std::move(report_);
  }

private:
  /// The shared inputs: the old ones (ranges intersected with the new
  /// ones'), then those only the new version has. False when no patient is
  /// valid in both (disjoint ranges): nothing to compare.
  bool buildShared() {
    bool ok = true;
    std::vector<bool> seen(old_.inputs.size(), false);
    for (const Input &in : new_.inputs) {
      int i = old_.findInput(in.name);
      if (i >= 0 && sameType(old_, old_.inputs[i], new_, in)) {
        seen[i] = true;
        newIndex_.push_back(i);
        Input &s = shared_.inputs[i];
        const Input &o = old_.inputs[i];
        if (o.type.kind == Type::Kind::Enum) matchMembers(i, o, in);
        if (o.type.integer != in.type.integer) {
          s.type.integer = true;  // the patients valid in both: whole numbers
          change(in.name, "type " + typeText(old_, o) + " -> " + typeText(new_, in), o.range, in.range);
        }
        if (in.lo && (!s.lo || *in.lo > *s.lo)) s.lo = in.lo;
        if (in.hi && (!s.hi || *in.hi < *s.hi)) s.hi = in.hi;
        if (o.lo != in.lo || o.hi != in.hi) {
          std::string what = "range " + rangeText(o) + " -> " + rangeText(in);
          if (s.lo && s.hi && *s.lo > *s.hi) {
            what += ": no value is valid in both versions, nothing else is compared";
            ok = false;
          }
          change(in.name, what, o.range, in.range);
        }
        if (o.optional != in.optional) {
          s.optional = false;  // valid in both: given
          change(in.name, in.optional ? "now optional (compared where it is given)" : "now required (compared where it is given)",
                 o.range, in.range);
        }
        continue;
      }
      // New, or retyped: a variable of its own (a retyped input under a
      // name no protocol input can have).
      Input s = in;
      if (in.type.kind == Type::Kind::Enum) {
        shared_.enums.push_back(new_.enums[in.type.enumType]);
        s.type.enumType = static_cast<int>(shared_.enums.size()) - 1;
      }
      if (i >= 0) {
        seen[i] = true;
        s.name = in.name + "'new";
        change(in.name, "type " + typeText(old_, old_.inputs[i]) + " -> " + typeText(new_, in) +
                            " (compared as two unrelated inputs)", old_.inputs[i].range, in.range);
      } else {
        change(in.name, "added", {}, in.range);
      }
      newIndex_.push_back(static_cast<int>(shared_.inputs.size()));
      shared_.inputs.push_back(std::move(s));
    }
    for (size_t i = 0; i < old_.inputs.size(); ++i)
      if (!seen[i]) change(old_.inputs[i].name, "removed", old_.inputs[i].range, {});
    return ok;
  }

  /// The population assumptions of both versions restrict the comparison:
  /// a patient one version says does not exist is not one a change can
  /// reach there (the verifier proves under them too). An assumption only
  /// one version makes, or whose condition differs, is reported, since it
  /// hides the patients it excludes from the comparison.
  void assumptions() {
    for (const Assumption &a : old_.assumptions) restrictions_.push_back(assumptionHolds(a));
    for (const Assumption &a : new_.assumptions) restrictions_.push_back((*remap_)(assumptionHolds(a)));
    const std::string hidden = ": patients who violate it are not compared";
    for (const Assumption &n : new_.assumptions) {
      auto o = std::find_if(old_.assumptions.begin(), old_.assumptions.end(),
                            [&](const Assumption &a) { return a.name == n.name; });
      if (o == old_.assumptions.end()) {
        report_.assumptions.push_back({n.name, "added" + hidden, {}, n.range});
        continue;
      }
      std::string before = toString(old_, *o->condition), after = toString(new_, *n.condition);
      if (before != after)
        report_.assumptions.push_back(
            {n.name, "condition '" + before + "' -> '" + after + "': patients who violate either are not compared",
             o->range, n.range});
    }
    for (const Assumption &o : old_.assumptions)
      if (std::none_of(new_.assumptions.begin(), new_.assumptions.end(),
                       [&](const Assumption &a) { return a.name == o.name; }))
        report_.assumptions.push_back({o.name, "removed" + hidden, o.range, {}});
  }

  /// An enum input whose members differ: the new members renumbered onto
  /// the old ones by name, the shared input limited to the members both have.
  void matchMembers(int i, const Input &o, const Input &in) {
    const std::vector<std::string> &om = old_.enums[o.type.enumType].members, &nm = new_.enums[in.type.enumType].members;
    if (om == nm) return;
    std::vector<int> map;
    int extra = static_cast<int>(om.size());
    for (const std::string &m : nm) {
      auto it = std::find(om.begin(), om.end(), m);
      map.push_back(it == om.end() ? extra++ : static_cast<int>(it - om.begin()));
    }
    members_[in.type.enumType] = map;
    oldMember_[i] = map;
    std::string common;
    for (size_t k = 0; k < om.size(); ++k) {
      if (std::find(nm.begin(), nm.end(), om[k]) != nm.end()) {
        common += (common.empty() ? "" : ", ") + om[k];
        continue;
      }
      restrictions_.push_back(b::binary(Op::Ne, b::input(i, o.type, {}, o.optional), b::member(o.type.enumType, static_cast<int>(k))));
    }
    change(in.name, "type " + typeText(old_, o) + " -> " + typeText(new_, in) + " (compared where it is " + common + ")",
           o.range, in.range);
  }

  /// A value of the shared input `i` as the new version numbers it.
  Value inNew(int i, Value v) const {
    auto it = oldMember_.find(i);
    if (it == oldMember_.end() || v.missing) return v;
    auto at = std::find(it->second.begin(), it->second.end(), v.member);
    v.member = static_cast<int>(at - it->second.begin());
    return v;
  }

  void change(const std::string &name, std::string what, SourceRange o, SourceRange n) {
    report_.inputs.push_back({name, std::move(what), o, n});
  }

  std::string patientWord(const OutcomeResult &r, bool holds) const {
    switch (r.kind) {
    case OutcomeKind::Population: return holds ? "in the population" : "outside the population";
    case OutcomeKind::Tier: return holds ? "applies" : "does not apply";
    case OutcomeKind::Rule: return holds ? "fires" : "does not fire";
    case OutcomeKind::Action: return holds ? "done" : "not done";
    case OutcomeKind::Dose: return holds ? "done" : "not done";
    }
    return "";
  }

  /// What the outcome is for one patient in one version: "fires", "60 mg per day".
  std::string valueFor(const Protocol &p, const Outcome *o, const Patient &patient, bool &holds) const {
    holds = false;
    if (!o) return "absent";
    try {
      holds = evaluateBool(p, *o->holds, patient);
      if (o->kind != OutcomeKind::Dose || !holds) return "";
      const Action &a = *o->action;
      GivenAmount amount = givenAmount(a);
      if (a.kind != ActionKind::Give) return doseText(p, a);
      if (!amount) return "dose unspecified";
      Value lo = evaluate(p, *amount.low, patient), hi = evaluate(p, *amount.high, patient);
      if (lo.missing || hi.missing) return "dose missing";
      Unit u = doseDisplayUnit(p, a);
      return formatQuantity(lo.number, u) + (amount.isRange() ? " .. " + formatQuantity(hi.number, u) : "") +
             (a.basis.str().empty() ? "" : " " + a.basis.str());
    } catch (const EvalError &e) {
      return std::string("cannot be evaluated: ") + e.what();
    }
  }

  /// `expect` lines saying what the new version does for the patient.
  std::vector<std::string> expectations(const Outcome *n, const Patient &patient) const {
    if (new_.population && !evaluateBool(new_, *new_.population, patient)) return {"expect outside population"};
    if (!n) return {};
    bool holds = evaluateBool(new_, *n->holds, patient);
    switch (n->kind) {
    case OutcomeKind::Population: return {};
    case OutcomeKind::Tier:
    case OutcomeKind::Rule:
    case OutcomeKind::Action: return {std::string("expect ") + (holds ? "" : "not ") + n->name};
    case OutcomeKind::Dose: {
      std::string where = n->name.substr(n->name.find(" at ") + 4);
      where = where.substr(0, where.find(" ("));
      if (!holds) return {"expect not " + where};
      const Action &a = *n->action;
      GivenAmount amount = givenAmount(a);
      if (a.kind == ActionKind::Give && amount) {
        Value v = evaluate(new_, *amount.low, patient), h = evaluate(new_, *amount.high, patient);
        if (!v.missing && !h.missing) {
          Unit u = doseDisplayUnit(new_, a);
          return {"expect " + where,
                  "expect " + a.name + " dose == " + literalIn(v.number, u) + " " + u.name +
                      (amount.isRange() ? " .. " + literalIn(h.number, u) + " " + u.name : "") +
                      (a.basis.str().empty() ? "" : " " + a.basis.str())};
        }
      }
      return {"expect " + where};
    }
    }
    return {};
  }

  /// The extremes of input `i` over the patients of both versions (the
  /// ranges and populations): region bounds no tighter than these say nothing.
  const std::pair<Extremum, Extremum> &baseline(int i, const ExprRef &x) {
    auto it = baseline_.find(i);
    if (it != baseline_.end()) return it->second;
    ExprRef both = conj({oldPop_, newPop_});
    report_.optimisations += 2;
    return baseline_.emplace(i, std::make_pair(z3_->optimum(both, x, false), z3_->optimum(both, x, true))).first->second;
  }

  /// Whether bound `e` is tighter than `base` (a greater least value when
  /// `lower`, a smaller greatest one; or the same, only approached).
  static bool tighter(const Extremum &e, const Extremum &base, bool lower) {
    if (e.kind != Extremum::Kind::Value) return false;
    if (base.kind == Extremum::Kind::Unbounded) return true;
    if (base.kind != Extremum::Kind::Value) return false;
    if (e.value != base.value) return lower ? e.value > base.value : e.value < base.value;
    return base.attained && !e.attained;
  }

  /// The changed region's hull on the numeric inputs the outcome reads.
  void region(OutcomeResult &r, const ExprRef &changed, const std::set<int> &inputs, bool population) {
    for (int i : inputs) {
      const Input &in = shared_.inputs[i];
      ExprRef x = b::input(i, in.type, {}, in.optional);
      if (in.optional) {  // every changed patient lacks it: say so (the bounds below are over patients who have it)
        ++report_.solverChecks;
        if (z3_->holdsForSome(conj({changed, b::known(x)})).kind == Answer::Kind::No) {
          r.region.push_back(in.name.substr(0, in.name.find('\'')) + " missing");
          continue;
        }
      }
      if (in.type.kind != Type::Kind::Number) continue;
      Extremum lo = z3_->optimum(changed, x, false), hi = z3_->optimum(changed, x, true);
      report_.optimisations += 2;
      Extremum rangeLo, rangeHi;
      rangeLo.kind = in.lo ? Extremum::Kind::Value : Extremum::Kind::Unbounded;
      rangeHi.kind = in.hi ? Extremum::Kind::Value : Extremum::Kind::Unbounded;
      rangeLo.value = in.lo.value_or(Rational(0));
      rangeHi.value = in.hi.value_or(Rational(0));
      const auto &base = population ? std::make_pair(rangeLo, rangeHi) : baseline(i, x);
      Unit unit = in.displayUnit;
      if (unit.factor.isZero()) unit.factor = Rational(1);
      std::string name = in.name.substr(0, in.name.find('\''));
      bool hasLo = tighter(lo, base.first, true), hasHi = tighter(hi, base.second, false);
      std::string l = hasLo ? formatQuantity(lo.value, unit) : "", h = hasHi ? formatQuantity(hi.value, unit) : "";
      if (hasLo && hasHi && lo.value == hi.value) r.region.push_back(name + " = " + l);
      else if (hasLo && hasHi)
        r.region.push_back(l + (lo.attained ? " <= " : " < ") + name + (hi.attained ? " <= " : " < ") + h);
      else if (hasLo) r.region.push_back(name + (lo.attained ? " >= " : " > ") + l);
      else if (hasHi) r.region.push_back(name + (hi.attained ? " <= " : " < ") + h);
    }
  }

  void compare(const Outcome *o, const Outcome *n) {
    OutcomeResult r;
    const Outcome &any = n ? *n : *o;
    r.kind = any.kind;
    r.name = any.name;
    r.inOld = o != nullptr;
    r.inNew = n != nullptr;
    if (o) r.oldRange = o->range, r.before = o->text;
    if (n) r.newRange = n->range, r.after = n->text;
    ExprRef oh = o ? o->holds : b::boolean(false), nh = n ? (*remap_)(n->holds) : b::boolean(false);
    ExprRef changed;
    bool same = false;
    Same equal(shared_);
    if (r.kind == OutcomeKind::Dose) {
      // A dose range compares end by end (a single dose: low == high).
      GivenAmount oa = o ? givenAmount(*o->action) : GivenAmount{}, ng = n ? givenAmount(*n->action) : GivenAmount{};
      ExprRef naLow = ng ? (*remap_)(ng.low) : nullptr, naHigh = ng ? (*remap_)(ng.high) : nullptr;
      bool sameIdentity = o && n && actionIdentity(*o->action) == actionIdentity(*n->action);
      same = sameIdentity && oa.isRange() == ng.isRange() && equal(oa.low, naLow) && equal(oa.high, naHigh);
      // Both versions do it, and differently: whether it is done at all is the rule's or tier's outcome.
      changed = conj({oh, nh,
                      sameIdentity ? disj({amountsDiffer(oa.low, naLow, equal), amountsDiffer(oa.high, naHigh, equal)})
                                   : b::boolean(true)});
    } else {
      same = o && n && equal(oh, nh);
      changed = exclusiveOr(oh, nh);
    }
    if (r.kind != OutcomeKind::Population) changed = conj({oldPop_, newPop_, changed});
    if (same) {
      r.status = Status::Proved;
      r.syntactic = true;
      ++report_.syntactic;
      report_.outcomes.push_back(std::move(r));
      return;
    }
    ++report_.solverChecks;
    Answer a = z3_->holdsForSome(changed);
    if (a.kind == Answer::Kind::No) {
      r.status = Status::Proved;
    } else if (a.kind == Answer::Kind::Unknown) {
      r.status = Status::Unknown;
      r.reason = a.reason.empty() ? "unknown" : a.reason;
    } else {
      r.status = Status::Refuted;
      const Patient &both = *a.patient;
      Patient op(both.begin(), both.begin() + static_cast<long>(old_.inputs.size())), np;
      for (int i : newIndex_) np.push_back(inNew(i, both.at(i)));
      try {
        if (!evaluateBool(shared_, *changed, both))
          report_.internalErrors.push_back("the diff's patient for '" + r.name + "' does not change on the IR evaluator");
        bool ho = false, hn = false;
        std::string vo = valueFor(old_, o, op, ho), vn = valueFor(new_, n, np, hn);
        r.exampleBefore = vo.empty() ? patientWord(r, ho) : vo;
        r.exampleAfter = vn.empty() ? patientWord(r, hn) : vn;
        r.example = exampleBlock(new_, "diff: " + r.name, np, expectations(n, np));
      } catch (const EvalError &e) {
        report_.internalErrors.push_back("the diff's patient for '" + r.name + "' cannot be evaluated: " + e.what());
      }
      r.patient = np;
      std::set<int> ins;
      std::set<const Expr *> seen;
      inputsOf(shared_, *changed, ins, seen);
      region(r, changed, ins, r.kind == OutcomeKind::Population);
    }
    report_.outcomes.push_back(std::move(r));
  }

  const Protocol &old_, &new_;
  const Options &options_;
  Protocol shared_;
  std::vector<int> newIndex_;  // new input -> shared input
  std::map<int, std::vector<int>> members_;    // new enum type -> old member index of each new member
  std::map<int, std::vector<int>> oldMember_;  // shared input -> the same, for patients
  std::vector<ExprRef> restrictions_;          // shared enum inputs: only members both versions have
  std::optional<Remap> remap_;
  std::optional<Z3Backend> z3_;
  ExprRef oldPop_, newPop_;
  std::map<int, std::pair<Extremum, Extremum>> baseline_;
  DiffReport report_;
};

}  // namespace

DiffReport semanticDiff(const Protocol &oldP, const Protocol &newP, const Options &options) {
  return Differ(oldP, newP, options).run();
}

}  // namespace carepath::verifier
