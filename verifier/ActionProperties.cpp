// The action properties: `never give D when C`, `every P reaches give D`,
// `always dose(D) <= Q basis when C`. Each quantifies over every tier and
// rule that does the action, found by scanning the protocol, so a rule
// written after the property (or by another author) is covered without
// being named. Nothing here knows about Z3.
#include "verifier/Conditions.h"

#include "verifier/Display.h"

namespace carepath::verifier {

using namespace ir;
namespace b = ir::build;

namespace {

/// An action with its place and the condition under which it is done now
/// (`done`), or was done (`reached`: a tier also when it was tried and failed,
/// the reading of `every P reaches pathway.tier`). Both are ir::offered: an
/// action withheld by `unless` is not done. An alternative (`one of`) is
/// offered, so `never` and `dose(D) <=` count it; `reaches` does not
/// (docs/semantics.md, "Alternatives").
struct Doer {
  const Action *action;
  std::string where;
  ExprRef done, reached;
  Target target;
};

std::vector<Doer> doers(const Protocol &p, const Property &prop, const std::vector<std::vector<ExprRef>> &fires) {
  std::vector<Doer> out;
  auto matches = [&](const Action &a) { return a.kind == prop.action && a.name == prop.actionName; };
  for (size_t pw = 0; pw < p.pathways.size(); ++pw)
    for (size_t t = 0; t < p.pathways[pw].tiers.size(); ++t)
      for (const Action &a : p.pathways[pw].tiers[t].actions)
        if (matches(a)) {
          ExprRef guard = p.tierGuard(static_cast<int>(pw), static_cast<int>(t));
          out.push_back({&a, p.pathways[pw].name + "." + p.pathways[pw].tiers[t].name, offered(a, guard),
                         offered(a, disj({guard, p.tierFailed(static_cast<int>(pw), static_cast<int>(t))})),
                         Target{Target::Kind::Tier, static_cast<int>(pw), static_cast<int>(t)}});
        }
  for (size_t tb = 0; tb < p.tables.size(); ++tb)
    for (size_t r = 0; r < p.tables[tb].rules.size(); ++r)
      for (const Action &a : p.tables[tb].rules[r].actions)
        if (matches(a))
          out.push_back({&a, p.tables[tb].name + "." + p.tables[tb].rules[r].name, offered(a, fires[tb][r]),
                         offered(a, fires[tb][r]), Target{Target::Kind::Rule, static_cast<int>(tb), static_cast<int>(r)}});
  return out;
}

/// C is true or unknown: how `never ... when C` and `dose(D) <= Q when C` read C.
ExprRef mayHold(const ExprRef &c) { return neg(b::isTrue(neg(c))); }

/// " (checked at 2 tiers and rules)": how many places the property covered.
std::string checked(size_t n) {
  if (n == 0) return " (no tier or rule does it)";
  return " (checked at " + std::to_string(n) + (n == 1 ? " tier or rule)" : " tiers and rules)");
}

}  // namespace

bool isActionProperty(const Property &prop) {
  return prop.kind == Property::Kind::NeverAction || prop.kind == Property::Kind::ReachesAction ||
         prop.kind == Property::Kind::DoseAtMost;
}

Obligation actionPropertyObligation(const Protocol &p, const Property &prop,
                                    const std::vector<std::vector<ExprRef>> &fires) {
  Obligation o;
  o.range = prop.range;
  const std::string msg = prop.message.empty() ? "" : " (" + prop.message + ")";
  const std::string what = "'" + std::string(spelling(prop.action)) + " " + prop.actionName + "'";
  const std::string when = prop.expr ? "'" + toString(p, *prop.expr) + "'" : "";
  std::vector<Doer> ds = doers(p, prop, fires);

  switch (prop.kind) {
  case Property::Kind::NeverAction: {
    o.kind = PropertyKind::ForbiddenAction;
    std::vector<ExprRef> done;
    for (const Doer &d : ds) {
      done.push_back(d.done);
      ExprRef violates = prop.expr ? conj({prop.expr, d.done}) : d.done;
      o.sites.push_back({d.where, violates, nullptr, d.action->range});
    }
    o.formula = neg(prop.expr ? conj({prop.expr, disj(done)}) : disj(done));
    o.proved = "never " + what + (when.empty() ? "" : " when " + when) + checked(ds.size()) + msg;
    o.refuted = what + " is done for " + (when.empty() ? "this patient" : "a patient with " + when);
    o.refutedNote = msg;
    o.siteNote = "does " + what + " for this patient";
    o.expectations = {"expect " + std::string(spelling(prop.action)) + " " + prop.actionName};
    // Vacuous when no patient may have C, or (without C) nobody gets it at all.
    if (prop.expr) {
      o.antecedent = mayHold(prop.expr);
      o.vacuousWhy = "no patient in the population has " + when;
    } else if (!ds.empty()) {
      o.antecedent = disj(done);
      o.vacuousWhy = "no patient in the population gets " + what;
    }
    break;
  }
  case Property::Kind::ReachesAction: {
    o.kind = PropertyKind::Reaches;
    std::vector<ExprRef> reached;
    for (const Doer &d : ds) {
      // The clinician may choose another alternative: offering D is not giving it.
      if (d.action->choice >= 0) continue;
      reached.push_back(d.reached);
      o.related.push_back({d.action->range, what + " is done here (" + d.where + ")"});
      o.reachTargets.push_back(d.target);
    }
    // As for `every P reaches T`: the patients for whom P is true (a P
    // left unknown by a missing value asks nothing; found by the Kawasaki
    // protocol, whose P is unknown without the echocardiogram).
    o.formula = disj({neg(b::isTrue(prop.expr)), disj(reached)});
    o.proved = "every patient with " + when + " gets " + what + checked(ds.size()) + msg;
    o.refuted = "a patient with " + when + " does not get " + what + msg;
    o.expectations = {"expect not " + std::string(spelling(prop.action)) + " " + prop.actionName};
    o.antecedent = b::isTrue(prop.expr);
    o.vacuousWhy = "no patient in the population has " + when;
    break;
  }
  case Property::Kind::DoseAtMost: {
    o.kind = PropertyKind::DoseCeiling;
    const Limit &bound = *prop.bound;
    std::vector<ExprRef> within, withinLow;
    std::vector<std::string> unchecked;
    bool lowKnown = true;
    for (const Doer &d : ds) {
      std::string why;
      std::optional<LimitCheck> c = limitCheck(p, *d.action, bound, why);
      if (!c) {
        unchecked.push_back("give " + prop.actionName + " at " + d.where + ": " + why);
        continue;
      }
      ExprRef applies = prop.expr ? conj({prop.expr, d.done}) : d.done;
      within.push_back(disj({neg(applies), c->within}));
      // A taper's amount is known between bounds (LimitCheck::boundsWhy).
      if (!c->boundsWhy.empty() && o.boundsWhy.empty()) o.boundsWhy = "at " + d.where + ", " + c->boundsWhy;
      if (!c->boundsWhy.empty() && !c->withinLow) lowKnown = false;
      ExprRef low = c->boundsWhy.empty() ? c->within : c->withinLow ? c->withinLow : c->within;
      withinLow.push_back(disj({neg(applies), low}));
      o.sites.push_back({d.where, conj({applies, neg(c->within)}), c->observed, d.action->range, c->observedLow,
                         conj({applies, neg(low)})});
    }
    o.formula = conj(std::move(within));
    if (!o.boundsWhy.empty() && lowKnown) o.lowFormula = conj(std::move(withinLow));
    std::string more = " more than " + bound.display + (when.empty() ? "" : " to a patient with " + when);
    o.proved = prop.actionName + " is never given" + more + checked(ds.size()) + msg;
    o.refuted = prop.actionName + " is given" + more;
    o.refutedNote = msg;
    o.siteNote = "gives " + prop.actionName;
    o.observedUnit = displayUnitOf(p, bound);
    o.observedLabel = bound.basis.str();
    o.expectations = {"expect give " + prop.actionName};
    {
      std::vector<ExprRef> given;
      for (const Doer &d : ds) given.push_back(prop.expr ? conj({mayHold(prop.expr), d.done}) : d.done);
      if (!given.empty()) {
        o.antecedent = disj(std::move(given));
        o.vacuousWhy = "no patient in the population" + (when.empty() ? "" : " with " + when) + " gets " + prop.actionName;
      }
    }
    for (size_t i = 0; i < unchecked.size(); ++i)
      o.incomplete += (i ? "; " : "the bound " + bound.display + " cannot be compared with ") + unchecked[i];
    break;
  }
  default: break;
  }
  return o;
}

std::vector<Obligation> contraindicationObligations(const Protocol &p, const std::vector<std::vector<ExprRef>> &fires) {
  std::vector<Obligation> out;
  for (const Drug &d : p.drugs)
    for (const Contraindication &c : d.contraindications) {
      Property prop;
      prop.kind = Property::Kind::NeverAction;
      prop.expr = c.when;
      prop.action = ActionKind::Give;
      prop.actionName = d.name;
      prop.message = c.note;
      prop.range = c.range;
      Obligation o = actionPropertyObligation(p, prop, fires);
      if (o.sites.empty()) continue;  // sema resolves them only for a drug given
      o.kind = PropertyKind::Contraindication;
      const std::string when = "'" + toString(p, *c.when) + "'";
      const std::string msg = c.note.empty() ? "" : " (" + c.note + ")";
      std::string cites;
      for (const std::string &id : c.citations) cites += (cites.empty() ? " [" : ", ") + id;
      if (!cites.empty()) cites += "]";
      o.proved = d.name + " is never offered to a patient its contraindication " + when + cites + " covers" +
                 checked(o.sites.size()) + msg;
      o.refuted = d.name + " is offered to a patient its contraindication " + when + cites + " covers";
      o.siteNote = "offers 'give " + d.name + "' to this patient";
      // A contraindication no patient of this population has is simply met.
      o.antecedent = nullptr;
      o.vacuousWhy.clear();
      out.push_back(std::move(o));
    }
  return out;
}

}  // namespace carepath::verifier
