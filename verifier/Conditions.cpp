// Proof obligations from the IR: one per property instance, each with its
// success and failure wording. Nothing here knows about Z3.
#include "verifier/Conditions.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <variant>

#include "ir/Columns.h"
#include "verifier/Display.h"
#include "verifier/TableBoxes.h"

namespace carepath::verifier {

using namespace ir;
namespace b = ir::build;

ExprRef conj(std::vector<ExprRef> xs) { return b::nary(Op::And, std::move(xs)); }
ExprRef disj(std::vector<ExprRef> xs) { return b::nary(Op::Or, std::move(xs)); }
ExprRef neg(ExprRef x) { return b::unary(Op::Not, std::move(x)); }

namespace {

ExprRef implies(ExprRef a, ExprRef c) { return disj({neg(std::move(a)), std::move(c)}); }

/// A rule matches when its guard is true (not unknown); no guard: always
/// (as ir::rulesFire has it).
ExprRef matches(const Rule &r) { return r.guard ? b::isTrue(r.guard) : b::boolean(true); }

/// Every rule's firing condition, table by table (ir::rulesFire), built
/// once per protocol: a rule's condition mentions every earlier rule.
std::vector<std::vector<ExprRef>> allRulesFire(const Protocol &p) {
  std::vector<std::vector<ExprRef>> out;
  for (const Table &t : p.tables) out.push_back(rulesFire(t));
  return out;
}

std::string tierName(const Protocol &p, int pw, int t) { return p.pathways[pw].name + "." + p.pathways[pw].tiers[t].name; }
std::string ruleName(const Protocol &p, int tb, int r) { return p.tables[tb].name + "." + p.tables[tb].rules[r].name; }

}  // namespace

std::string targetName(const Protocol &p, const Target &t) {
  return t.kind == Target::Kind::Tier ? tierName(p, t.container, t.index) : ruleName(p, t.container, t.index);
}

namespace {
/// Whether rules x and y give different actions or outputs to a patient (hit `any`):
/// the same notion as the evaluators' (ir::actionIdentity, then amounts).
ExprRef outputsDiffer(const Rule &x, const Rule &y) {
  if (x.actions.size() != y.actions.size()) return b::boolean(true);
  std::vector<ExprRef> differ;
  for (size_t k = 0; k < x.actions.size(); ++k) {
    if (actionIdentity(x.actions[k]) != actionIdentity(y.actions[k])) return b::boolean(true);
    // `unless`: the actions at k differ when one is offered and the other
    // not, and their amounts count only when both are offered. (Offered
    // lists that agree only after shifting, [A unless c, A] against [A, A
    // unless c], are counted as a difference: conservative.)
    ExprRef ox = offered(x.actions[k], nullptr), oy = offered(y.actions[k], nullptr);
    if (ox || oy) {
      ExprRef bx = ox ? ox : b::boolean(true), by = oy ? oy : b::boolean(true);
      differ.push_back(disj({conj({bx, neg(by)}), conj({by, neg(bx)})}));
    }
    GivenAmount ax = givenAmount(x.actions[k]), ay = givenAmount(y.actions[k]);
    if (ax && ay) {
      std::vector<ExprRef> amounts{b::binary(Op::Ne, ax.low, ay.low)};
      if (ax.isRange() || ay.isRange()) amounts.push_back(b::binary(Op::Ne, ax.high, ay.high));
      ExprRef d = disj(std::move(amounts));
      differ.push_back(ox || oy ? conj({ox ? ox : b::boolean(true), oy ? oy : b::boolean(true), d}) : d);
    }
  }
  // And the values of the table's outputs (an unknown one is not a difference).
  for (size_t o = 0; o < x.outputs.size() && o < y.outputs.size(); ++o)
    differ.push_back(b::binary(Op::Ne, x.outputs[o], y.outputs[o]));
  return disj(std::move(differ));
}
}  // namespace

Obligation overlapObligation(const Protocol &p, int table, int i, int j) {
  const Table &t = p.tables[table];
  Obligation o;
  o.kind = PropertyKind::TableOverlap;
  bool any = t.hit == HitPolicy::Any;
  // A rule matches when its guard is true (not unknown).
  std::vector<ExprRef> both{b::isTrue(t.rules[i].guard), b::isTrue(t.rules[j].guard)};
  // Amounts that cannot be computed are dose-known's to report, not an overlap.
  if (any) both.push_back(b::isTrue(outputsDiffer(t.rules[i], t.rules[j])));
  o.formula = neg(conj(std::move(both)));
  std::string table_ = std::string(any ? "any" : "unique") + " table '" + t.name + "'";
  if (any) {
    o.proved = "rules '" + t.rules[i].name + "' and '" + t.rules[j].name + "' of " + table_ +
               " never match the same patient with different actions";
    o.refuted = "rules '" + t.rules[j].name + "' and '" + t.rules[i].name + "' of " + table_ +
                " both match the same patient with different actions";
  } else {
    o.proved = "rules '" + t.rules[i].name + "' and '" + t.rules[j].name + "' of " + table_ + " never overlap";
    o.refuted = "rules '" + t.rules[j].name + "' and '" + t.rules[i].name + "' of " + table_ +
                " both match the same patient";
  }
  o.range = t.rules[j].range;
  o.related.push_back({t.rules[i].range, "rule '" + t.rules[i].name + "' also matches"});
  o.expectations = {"expect " + ruleName(p, table, i), "expect " + ruleName(p, table, j)};
  if (any) o.expectations = {"expect " + ruleName(p, table, i)};  // under `any` only the first match fires
  return o;
}

namespace {
/// buildConditions' output: each obligation goes to the sink as it is built.
struct Out {
  const ObligationSink &emit;
  void push_back(Obligation &&o) const { emit(std::move(o)); }
};

/// The course pathways whose course state (`on_P`, a tier's `P_T_state`)
/// `e` reads, defines expanded; in pathway order.
std::vector<int> coursePathwaysRead(const Protocol &p, const ExprRef &e) {
  std::map<int, int> stateInputs;  // input -> its course pathway
  for (size_t pw = 0; pw < p.pathways.size(); ++pw) {
    const Pathway &path = p.pathways[pw];
    if (!path.course) continue;
    stateInputs[path.onInput] = static_cast<int>(pw);
    for (const Tier &t : path.tiers) stateInputs[t.stateInput] = static_cast<int>(pw);
  }
  std::set<int> read;
  if (stateInputs.empty()) return {};
  std::set<const Expr *> seen;
  std::set<int> defines;
  std::function<void(const ExprRef &)> walk = [&](const ExprRef &x) {
    if (!x || !seen.insert(x.get()).second) return;
    if (x->op == Op::Input)
      if (auto it = stateInputs.find(x->index); it != stateInputs.end()) read.insert(it->second);
    if (x->op == Op::Define && defines.insert(x->index).second) walk(p.defines.at(x->index).value);
    for (const ExprRef &a : x->args) walk(a);
  };
  walk(e);
  return {read.begin(), read.end()};
}

/// An obligation checked over the records some course produces on
/// `pathways` (docs/verifier.md, "Course properties"). A Valid goal becomes
/// `reachable => formula`, and so its taper's lower bound and its vacuity
/// question; a Satisfiable goal (a witness is wanted) `reachable and
/// formula`, and so the base its cover is explained against. When their
/// reachable states could not be found, the formula stays over every record
/// (unreachableWhy): a Valid goal's counterexample, and a Satisfiable
/// goal's witness, may then be a record no course produces.
void restrictToCourses(Obligation &o, const std::vector<int> &pathways, const CourseRestrictions &courses) {
  if (pathways.empty() || !courses) return;
  CourseRestriction r = courses(pathways);
  if (!r.reachable) {
    o.unreachableWhy = r.why;
    return;
  }
  o.reachable = r.reachable;
  o.restrictedTo = pathways;
  o.unrestricted = o.formula;
  if (o.goal == Obligation::Goal::Satisfiable) {
    o.formula = conj({o.reachable, o.formula});
    if (o.coverBase) o.coverBase = conj({o.reachable, o.coverBase});
    return;
  }
  o.formula = implies(o.reachable, o.formula);
  if (o.lowFormula) o.lowFormula = implies(o.reachable, o.lowFormula);
  // A proof over the reachable records is vacuous when none of them has the antecedent.
  if (o.antecedent) {
    o.antecedent = conj({o.reachable, o.antecedent});
    o.vacuousWhy += " in a course state reachable from a fresh patient";
  }
}

}  // namespace

void restrictWhereRead(const Protocol &p, Obligation &o, const CourseRestrictions &courses) {
  restrictToCourses(o, coursePathwaysRead(p, o.formula), courses);
}

std::string nobody(const Obligation &o, const std::string &who) {
  return o.reachable ? "no record in a course state reachable from a fresh patient" : "no " + who;
}

namespace {

/// The course properties (docs/verifier.md, "Course properties"): one-step
/// invariants over every record whose course state is reachable from a
/// fresh patient (findings and event times free); a counterexample is a
/// record at one point of a course.
void courseConditions(const Protocol &p, const Out &out, const CourseRestrictions &courses) {
  for (size_t pwi = 0; pwi < p.pathways.size(); ++pwi) {
    const Pathway &path = p.pathways[pwi];
    if (!path.course) continue;
    int pw = static_cast<int>(pwi);
    auto emit = [&](Obligation &&o) {
      restrictToCourses(o, {pw}, courses);
      out.push_back(std::move(o));
    };
    // A tier that applies, or one whose end holds now: the record moves on
    // (the next state), which is not falling off.
    std::vector<ExprRef> anyTier;
    for (size_t t = 0; t < path.tiers.size(); ++t) {
      anyTier.push_back(p.tierGuard(pw, static_cast<int>(t)));
      anyTier.push_back(p.tierEnds(pw, static_cast<int>(t)));
    }
    auto someTier = [&](int except) {
      std::vector<ExprRef> xs;
      for (size_t t = 0; t < anyTier.size(); ++t)
        if (static_cast<int>(t / 2) != except) xs.push_back(anyTier[t]);
      return xs.empty() ? b::boolean(false) : disj(std::move(xs));
    };
    auto noneFires = [&](Obligation &o) {
      for (size_t t = 0; t < path.tiers.size(); ++t) o.expectations.push_back("expect not " + tierName(p, pw, t));
    };
    {
      // On the pathway (by the record or entering) and no exit: some tier applies.
      Obligation o;
      o.kind = PropertyKind::CourseExit;
      o.formula = implies(p.pathwayActive(pw), someTier(-1));
      o.proved = "no patient on course pathway '" + path.name + "' falls off it without an exit";
      o.refuted = "this patient is on course pathway '" + path.name + "' with no exit holding, but no tier applies";
      o.range = path.range;
      noneFires(o);
      emit(std::move(o));
    }
    for (size_t ti = 0; ti < path.tiers.size(); ++ti) {
      const Tier &tier = path.tiers[ti];
      int t = static_cast<int>(ti);
      std::string name = tierName(p, pw, t);
      {
        // An ended tier is never entered again (only its `when` can do it).
        Obligation o;
        o.kind = PropertyKind::TierReentered;
        ExprRef ended = disj({p.tierStateIs(pw, t, TierState::Responded), p.tierStateIs(pw, t, TierState::Failed),
                              p.tierStateIs(pw, t, TierState::Completed)});
        o.formula = neg(conj({b::isTrue(ended), p.tierGuard(pw, t)}));
        o.proved = "tier '" + name + "' is never entered again once it has responded, failed or completed";
        o.refuted = "tier '" + name + "' is entered again although the record says it has ended";
        o.range = tier.guard->range;
        o.related.push_back({tier.range, "its 'when' holds for an ended tier"});
        o.expectations = {"expect " + name};
        emit(std::move(o));
      }
      {
        // A responder still on the pathway is owed what follows (taper, follow-up).
        Obligation o;
        o.kind = PropertyKind::ResponderFollowUp;
        o.formula = implies(conj({p.pathwayActive(pw), p.tierStateIs(pw, t, TierState::Responded)}), someTier(t));
        o.proved = "every responder to tier '" + name + "' still on the pathway gets a next tier";
        o.refuted = "this patient responded to tier '" + name + "' and is still on pathway '" + path.name +
                    "', but no other tier applies";
        o.range = tier.range;
        noneFires(o);
        emit(std::move(o));
      }
    }
  }
}

/// `within X of E`: whenever the action is recommended, less than X has
/// passed since E (the window is half-open: at X the deadline has passed).
/// Over the records a course produces on each course pathway whose state
/// the condition reads (a tier of a course pathway reads `on_P`).
void deadlineConditions(const Protocol &p, const Out &out, const CourseRestrictions &courses) {
  auto visit = [&](const std::vector<Action> &actions, const std::function<ExprRef()> &fires, const std::string &where) {
    for (const Action &a : actions) {
      if (a.timing != Action::Timing::Within || a.timingAnchor < 0 || !a.timingHi) continue;
      const Input &ev = p.inputs[a.timingAnchor];
      ExprRef since = b::input(a.timingAnchor, ev.type, a.range, ev.optional);
      ExprRef passed = b::binary(Op::Ge, since, b::number(*a.timingHi, ev.type.dim, a.range), a.range);
      Obligation o;
      o.kind = PropertyKind::Deadline;
      // Recommended: fired and offered (an `unless` that holds withholds it: ir::offered).
      o.formula = neg(conj({offered(a, fires()), b::isTrue(passed)}));
      std::string what = std::string(spelling(a.kind)) + " " + a.name + " within " + formatQuantity(*a.timingHi, a.timingUnit) +
                         " of " + ev.name;
      o.proved = "'" + what + "' at " + where + " is never recommended after its deadline";
      o.refuted = "'" + what + "' at " + where + " is recommended after its deadline has passed";
      o.range = a.range;
      o.expectations = {"expect " + where};
      restrictWhereRead(p, o, courses);
      out.push_back(std::move(o));
    }
  };
  for (size_t pw = 0; pw < p.pathways.size(); ++pw)
    for (size_t t = 0; t < p.pathways[pw].tiers.size(); ++t)
      visit(p.pathways[pw].tiers[t].actions, [&] { return p.tierGuard(static_cast<int>(pw), static_cast<int>(t)); },
            tierName(p, static_cast<int>(pw), static_cast<int>(t)));
  for (size_t tb = 0; tb < p.tables.size(); ++tb) {
    std::vector<ExprRef> fires;
    for (size_t r = 0; r < p.tables[tb].rules.size(); ++r)
      visit(p.tables[tb].rules[r].actions,
            [&] {
              if (fires.empty()) fires = rulesFire(p.tables[tb]);
              return fires[r];
            },
            ruleName(p, static_cast<int>(tb), static_cast<int>(r)));
  }
}
}  // namespace

void buildConditions(const Protocol &p, ProtocolBoxes &tableBoxes, const ObligationSink &emit,
                     const CourseRestrictions &courses) {
  const Out out{emit};
  // The population as rows within the domain, for witnesses built from
  // rule boxes; nullopt when the analysis cannot express it.
  RuleRows population = rowsWithinDomain(p, p.population);
  // Only the user's properties and contraindications need every rule's
  // firing condition (whose size grows with the rule's position in a
  // first-match table).
  std::vector<std::vector<ExprRef>> fires;
  bool contraindicated = false;
  for (const Drug &d : p.drugs) contraindicated = contraindicated || !d.contraindications.empty();
  if (!p.properties.empty() || contraindicated) fires = allRulesFire(p);
  auto targetFires = [&](const Target &t) {
    return t.kind == Target::Kind::Tier ? p.tierGuard(t.container, t.index) : fires[t.container][t.index];
  };

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
      o.range = tier.range;
      // A stage's guard ends with "no earlier stage applies", one part per
      // earlier stage (Protocol::tierGuard): refuted, the stages that
      // cover it are named.
      if (path.first && t > 0 && o.formula->op == Op::And && o.formula->args.size() > t) {
        const std::vector<ExprRef> &parts = o.formula->args;
        size_t own = parts.size() - t;
        o.coverBase = conj(std::vector<ExprRef>(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(own)));
        for (size_t s = 0; s < t; ++s) {
          o.coverParts.push_back(parts[own + s]);
          o.coverNotes.push_back({path.tiers[s].range, "earlier tier '" + path.tiers[s].name + "'"});
          o.coverNames.push_back(path.tiers[s].name);
        }
        o.coverOf = t;
        o.coverNoun = "tier";
      }
      // A tier of a course pathway: reached by a record in a reachable course state.
      restrictWhereRead(p, o, courses);
      o.refuted = nobody(o, "patient in the population") + " reaches tier '" + tierName(p, pw, t) + "'";
      // An ordered stage: shadowed by the earlier ones, or dead itself.
      if (path.first && t > 0)
        o.refuted += " (the pathway is 'first': every patient its guard holds for, if any, takes an earlier tier)";
      out.push_back(std::move(o));
    }
    // The stages of a `first` pathway are exclusive by construction (tierGuard).
    for (size_t t = 0; t < path.tiers.size() && !path.first; ++t)
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
        restrictWhereRead(p, o, courses);
        out.push_back(std::move(o));
      }
    for (size_t t = 0; t < path.tiers.size(); ++t) {
      const Tier &tier = path.tiers[t];
      if (tier.after < 0) continue;
      const Tier &before = path.tiers[tier.after];
      Obligation o;
      o.kind = PropertyKind::TierOrder;
      o.formula = implies(p.tierGuard(pw, t), p.tierFailed(pw, tier.after));
      o.proved = "tier '" + tier.name + "' is only reached after '" + before.name + "' was tried and failed";
      o.refuted = "tier '" + tier.name + "' is reached although '" + before.name + "' has not failed";
      o.range = tier.range;
      o.related.push_back({before.range, "'" + before.name + "' must have failed first"});
      o.expectations = {"expect " + tierName(p, pw, t)};
      restrictWhereRead(p, o, courses);
      out.push_back(std::move(o));
    }
  }

  courseConditions(p, out, courses);
  deadlineConditions(p, out, courses);

  // Tables: gaps, dead rules, shadowed rules (overlaps are built separately).
  for (size_t tb = 0; tb < p.tables.size(); ++tb) {
    const Table &t = p.tables[tb];
    if (t.complete) {
      std::vector<ExprRef> any;
      for (const Rule &r : t.rules) any.push_back(b::isTrue(r.guard));
      Obligation o;
      o.kind = PropertyKind::TableGap;
      o.formula = disj(std::move(any));
      o.proved = "table '" + t.name + "' is complete: every patient matches a rule";
      o.refuted = "table '" + t.name + "' is declared complete but no rule matches this patient";
      o.range = t.range;
      // What the table gives the patient: nothing (`carepath test` checks it).
      for (size_t r = 0; r < t.rules.size(); ++r) o.expectations.push_back("expect not " + ruleName(p, tb, r));
      restrictWhereRead(p, o, courses);
      out.push_back(std::move(o));
    }
    // Rule boxes (TableBoxes.h): a rule can only lose patients to earlier
    // rules whose boxes meet its own, and a patient built from the boxes
    // is a witness the verifier confirms on the evaluator before using it.
    TableBoxes &boxes = tableBoxes.of(tb);
    auto witness = [&](uint32_t r, const std::vector<uint32_t> &earlier) -> std::optional<std::vector<Value>> {
      if (!population || !boxes.rows(r)) return std::nullopt;
      std::vector<const Row *> avoid;
      for (uint32_t e : earlier) {
        if (!boxes.rows(e)) return std::nullopt;  // not expressible: only Z3 can tell
        for (const Row &row : *boxes.rows(e)) avoid.push_back(&row);
      }
      for (const Row &row : *boxes.rows(r))
        for (const Row &pop : *population)
          if (auto target = conjoinRows(row, pop))
            if (auto patient = boxWitness(p, *target, avoid)) return patient;
      return std::nullopt;
    };
    if (t.hit == HitPolicy::First || t.hit == HitPolicy::Priority) {
      std::vector<uint32_t> order = ruleOrder(t);
      // "Rule E does not match", one node per rule, shared by every later
      // rule's formula (Obligation::shared).
      std::vector<ExprRef> notMatches(t.rules.size());
      auto notMatch = [&](uint32_t e) -> const ExprRef & {
        if (!notMatches[e]) notMatches[e] = neg(matches(t.rules[e]));
        return notMatches[e];
      };
      for (size_t k = 1; k < order.size(); ++k) {
        uint32_t r = order[k];
        // The rule fires when it matches and no earlier rule does; earlier
        // rules whose boxes miss its own never match where it does, so
        // leaving them out of the formula changes nothing (and keeps it
        // small: the full one grows with the rule's position).
        std::vector<uint32_t> earlier = boxes.earlierIntersecting(order, r);
        std::vector<ExprRef> fires{matches(t.rules[r])};
        for (uint32_t e : earlier) fires.push_back(notMatch(e));
        Obligation o;
        o.kind = PropertyKind::RuleShadowed;
        o.goal = Obligation::Goal::Satisfiable;
        o.formula = conj(std::move(fires));
        for (uint32_t e : earlier) o.shared.push_back(notMatch(e));
        o.proved = "rule '" + ruleName(p, tb, r) + "' fires for some patient despite earlier rules";
        o.range = t.rules[r].range;
        // The earlier rules that can take its patients (the others cannot);
        // refuted, only those that cover it are named (Obligation::coverParts).
        for (uint32_t e : earlier) o.related.push_back({t.rules[e].range, "earlier rule '" + t.rules[e].name + "'"});
        o.coverBase = matches(t.rules[r]);
        for (size_t j = 0; j < earlier.size(); ++j) {
          // The formula's own "not E" parts (conj keeps them as its arguments).
          o.coverParts.push_back(o.formula->args.size() == earlier.size() + 1 ? o.formula->args[j + 1]
                                                                              : notMatch(earlier[j]));
          o.coverNotes.push_back(o.related[j]);
          o.coverNames.push_back(t.rules[earlier[j]].name);
        }
        o.coverOf = k;
        o.coverNoun = "rule";
        o.witness = witness(r, earlier);
        restrictWhereRead(p, o, courses);
        o.refuted = "rule '" + ruleName(p, tb, r) + "' never fires: every " +
                    (o.reachable ? "record it matches in a course state reachable from a fresh patient"
                                 : "patient it matches") +
                    " is taken by an earlier rule";
        out.push_back(std::move(o));
      }
    }
    // After the shadowing checks: a rule that fires is alive, and the
    // witness of the one is reused for the other without a new check.
    for (size_t r = 0; r < t.rules.size(); ++r) {
      Obligation o;
      o.kind = PropertyKind::RuleDead;
      o.goal = Obligation::Goal::Satisfiable;
      o.formula = b::isTrue(t.rules[r].guard);
      o.proved = "rule '" + ruleName(p, tb, r) + "' matches some patient";
      o.range = t.rules[r].range;
      o.witness = witness(static_cast<uint32_t>(r), {});
      restrictWhereRead(p, o, courses);
      o.refuted = "rule '" + ruleName(p, tb, r) + "' matches " + nobody(o, "patient in the population");
      out.push_back(std::move(o));
    }
  }

  // Drug contraindications, proved without being asked for. They and the
  // user's properties are one-step: over the reachable records wherever
  // they read a course.
  for (Obligation &o : contraindicationObligations(p, fires)) {
    restrictWhereRead(p, o, courses);
    out.push_back(std::move(o));
  }

  // User properties.
  for (const Property &prop : p.properties) {
    if (isActionProperty(prop)) {
      Obligation o = actionPropertyObligation(p, prop, fires);
      restrictWhereRead(p, o, courses);
      out.push_back(std::move(o));
      continue;
    }
    Obligation o;
    o.range = prop.range;
    std::string msg = prop.message.empty() ? "" : " (" + prop.message + ")";
    if (prop.kind == Property::Kind::Reaches) {
      const Target &tg = prop.target;
      ExprRef reached = targetFires(tg);
      if (tg.kind == Target::Kind::Tier)
        reached = disj({reached, p.tierFailed(tg.container, tg.index)});
      o.kind = PropertyKind::Reaches;
      o.formula = implies(b::isTrue(prop.expr), reached);  // every patient for whom it is true
      std::string what = toString(p, *prop.expr);
      o.proved = "every patient with '" + what + "' reaches '" + targetName(p, tg) + "'" + msg;
      o.refuted = "a patient with '" + what + "' does not reach '" + targetName(p, tg) + "'" + msg;
      SourceRange tr = tg.kind == Target::Kind::Tier ? p.pathways[tg.container].tiers[tg.index].range
                                                     : p.tables[tg.container].rules[tg.index].range;
      o.related.push_back({tr, "'" + targetName(p, tg) + "' is declared here"});
      o.expectations = {"expect not " + targetName(p, tg)};
      o.antecedent = b::isTrue(prop.expr);
      o.vacuousWhy = "no patient in the population has '" + what + "'";
      o.consequent = reached;
      if (prop.expr->op == Op::And && prop.expr->label.empty()) o.antecedentParts = prop.expr->args;
      else o.antecedentParts = {prop.expr};
      o.reachTargets = {tg};
    } else {
      o.kind = PropertyKind::Assertion;
      bool always = prop.kind == Property::Kind::Always;
      // Unknown (a value it needs is missing) refutes both: `always P` needs
      // P true, `never P` needs P false, for every patient.
      o.formula = b::isTrue(always ? prop.expr : neg(prop.expr));
      std::string what = toString(p, *prop.expr);
      o.proved = std::string(always ? "always" : "never") + " '" + what + "' holds" + msg;
      o.refuted = std::string(always ? "'" : "'") + what + "' " + (always ? "does not hold" : "holds") +
                  " for this patient" + msg;
      o.explain = prop.expr;
    }
    restrictWhereRead(p, o, courses);
    out.push_back(std::move(o));
  }
}

// ------------------------------------------------------------------ doses

namespace {
/// `amount` times `factor` on the limit's basis, and that it is within it.
std::pair<ExprRef, ExprRef> withinLimit(const Protocol &p, const Limit &l, const ExprRef &amount, const Rational &factor,
                                        const Dimension &factorDim) {
  ExprRef converted = factor == Rational(1) && factorDim.dimensionless()
                          ? amount
                          : b::binary(Op::Mul, amount, b::number(factor, factorDim));
  ExprRef limit = b::number(l.amount, l.dim);
  ExprRef observed, within;
  if (l.perWeight) {
    const Input &wi = p.inputs[p.dosingWeight];
    ExprRef weight = b::input(p.dosingWeight, wi.type, {}, wi.optional);
    observed = b::binary(Op::Div, converted, weight);
    // amount <= limit * weight is linear; equal to amount / weight <= limit for positive weights.
    within = (wi.lo && *wi.lo > Rational(0)) ? b::binary(Op::Le, converted, b::binary(Op::Mul, limit, weight))
                                             : b::binary(Op::Le, observed, limit);
  } else {
    observed = converted;
    within = b::binary(Op::Le, converted, limit);
  }
  // A dose that cannot be computed (a missing value) exceeds no limit: that
  // patient is dose-known's counterexample, not the formulary's.
  if (observed->mayBeMissing) within = b::nary(Op::Or, {b::unary(Op::Not, b::known(observed)), within});
  return {observed, within};
}
}  // namespace

std::optional<LimitCheck> limitCheck(const Protocol &p, const Action &a, const Limit &l, std::string &whyNot) {
  // A dose range is within a limit when its high end is: the prescriber may
  // give any amount of the range.
  ExprRef amount = givenAmount(a).high;
  if (!amount) {
    whyNot = "the dose is unspecified";
    return std::nullopt;
  }
  std::optional<Rational> factor = basisFactor(a, l, &whyNot);
  if (!factor) return std::nullopt;
  const Dimension doseDim = a.dose->type.dim;
  int w = p.dosingWeight;
  if (l.perWeight && w < 0) {
    whyNot = "the protocol declares no 'dosing weight'";
    return std::nullopt;
  }
  // A rate against a window (rate * span) or an amount against a rate
  // (amount / infusion time): the factor carries a duration.
  const Dimension factorDim = basisFactorDim(a, l);
  const Dimension given = doseDim * factorDim;
  Dimension expected = l.perWeight ? given / p.inputs[w].type.dim : given;
  if (!(expected == l.dim)) {
    whyNot = "the dose is a " + doseDim.str() + " and the limit a " + l.dim.str();
    return std::nullopt;
  }
  LimitCheck c;
  std::tie(c.observed, c.within) = withinLimit(p, l, amount, *factor, factorDim);
  // A taper: the amount is known only between two bounds (ir::basisFactorLow).
  std::optional<Rational> low = basisFactorLow(a, l);
  if (low && *low == *factor) return c;
  std::string what = l.basis.kind == Basis::Kind::PerCourse ? "per course" : l.basis.str();
  c.boundsWhy = "the taper's shape, which the protocol does not state, decides it: the amount " + what + " lies between " +
                (low ? "the full amount for the longest 'for' span alone" : "none") +
                " and the full amount to the taper's longest end";
  if (low) std::tie(c.observedLow, c.withinLow) = withinLimit(p, l, amount, *low, factorDim);
  return c;
}

std::vector<DoseSite> buildDoseSites(const Protocol &p) {
  std::vector<DoseSite> out;
  // Firing conditions of the tables that give a dose (only those).
  std::vector<std::vector<ExprRef>> fires(p.tables.size());
  for (size_t tb = 0; tb < p.tables.size(); ++tb)
    for (const Rule &r : p.tables[tb].rules)
      for (const Action &a : r.actions)
        if (a.kind == ActionKind::Give && a.dose && fires[tb].empty()) fires[tb] = rulesFire(p.tables[tb]);
  auto visit = [&](const std::vector<Action> &actions, ExprRef where_, const std::string &where) {
    for (const Action &a : actions) {
      if (a.kind != ActionKind::Give || !a.dose) continue;
      // An alternative is verified like a give; `unless` narrows who gets it.
      ExprRef condition = offered(a, where_);
      DoseSite site;
      site.action = &a;
      site.where = where;
      site.condition = condition;
      site.amount = givenAmount(a);
      const Drug &drug = p.drugs[a.drug];
      if (drug.limits.empty())
        site.warnings.push_back("no formulary limit is known for " + drug.name);
      for (const Limit &l : drug.limits) {
        if (!limitApplies(a, l)) continue;
        std::string why;
        std::optional<LimitCheck> check = limitCheck(p, a, l, why);
        if (!check) {
          site.unchecked.push_back({"could not check " + drug.name + " at " + where + " against the formulary limit " +
                                        l.display,
                                    why, l.range});
          continue;
        }
        Obligation o;
        o.kind = PropertyKind::DoseFormulary;
        o.observed = check->observed;
        o.formula = implies(condition, check->within);
        if (!check->boundsWhy.empty()) {
          o.boundsWhy = check->boundsWhy;
          if (check->withinLow) o.lowFormula = implies(condition, check->withinLow);
          o.lowObserved = check->observedLow;
        }
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
      if (!fires[tb].empty()) visit(p.tables[tb].rules[r].actions, fires[tb][r], ruleName(p, tb, r));
  return out;
}

// ------------------------------------------------------------------ interval sweep

OverlapCandidates overlapCandidates(const Table &t, TableBoxes &boxes) {
  OverlapCandidates out;
  size_t n = t.rules.size();
  out.total = n * (n - (n > 0 ? 1 : 0)) / 2;
  out.pairs = boxes.intersecting();
  out.excludedBySweep = out.total - out.pairs.size();
  return out;
}

}  // namespace carepath::verifier
