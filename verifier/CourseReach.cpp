// Reachable course states: a breadth-first search from a fresh patient,
// each state's successors enumerated by Z3 with blocking clauses.
#include "verifier/CourseReach.h"

#include <algorithm>

#include "ir/Evaluator.h"
#include "verifier/Conditions.h"

namespace carepath::verifier {

using namespace ir;
namespace b = ir::build;

namespace {
std::string stateText(const Protocol &p, int pathway, const CourseState &s) {
  const Pathway &path = p.pathways[pathway];
  std::string out = std::string(s.on ? "" : "not ") + p.inputs[path.onInput].name;
  for (size_t t = 0; t < s.tiers.size(); ++t)
    out += ", " + p.inputs[path.tiers[t].stateInput].name + " = " + spelling(s.tiers[t]);
  return out;
}

ExprRef memberIs(const Protocol &p, const ExprRef &e, int input, TierState s) {
  const Type &type = p.inputs[input].type;
  return b::isTrue(b::binary(Op::Eq, e, b::member(type.enumType, static_cast<int>(s))));
}

/// The next record has state `s`: pathwayActive and every tierNextState.
ExprRef nextIs(const Protocol &p, int pathway, const CourseState &s) {
  const Pathway &path = p.pathways[pathway];
  ExprRef active = p.pathwayActive(pathway);
  std::vector<ExprRef> parts{s.on ? b::isTrue(active) : neg(b::isTrue(active))};
  for (size_t t = 0; t < path.tiers.size(); ++t)
    parts.push_back(memberIs(p, p.tierNextState(pathway, static_cast<int>(t)), path.tiers[t].stateInput, s.tiers[t]));
  return conj(std::move(parts));
}
}  // namespace

int CourseGraph::find(const CourseState &s) const {
  auto it = std::find(states.begin(), states.end(), s);
  return it == states.end() ? -1 : static_cast<int>(it - states.begin());
}

std::vector<std::vector<Value>> CourseGraph::course(int s) const {
  std::vector<std::vector<Value>> out;
  for (int at = s; at > 0; at = parent[at]) out.push_back(via[at]);
  std::reverse(out.begin(), out.end());
  return out;
}

ExprRef courseStateIs(const Protocol &p, int pathway, const CourseState &s) {
  const Pathway &path = p.pathways[pathway];
  ExprRef on = b::input(path.onInput, p.inputs[path.onInput].type);
  std::vector<ExprRef> parts{s.on ? b::isTrue(on) : neg(b::isTrue(on))};
  for (size_t t = 0; t < path.tiers.size(); ++t) {
    int in = path.tiers[t].stateInput;
    parts.push_back(memberIs(p, b::input(in, p.inputs[in].type), in, s.tiers[t]));
  }
  return conj(std::move(parts));
}

CourseState courseStateOf(const Protocol &p, int pathway, const std::vector<Value> &patient) {
  const Pathway &path = p.pathways[pathway];
  CourseState s;
  s.on = patient[path.onInput].boolean;
  for (const Tier &t : path.tiers) s.tiers.push_back(static_cast<TierState>(patient[t.stateInput].member));
  return s;
}

CourseState nextCourseState(const Protocol &p, int pathway, const std::vector<Value> &patient) {
  const Pathway &path = p.pathways[pathway];
  CourseState s;
  s.on = evaluateBool(p, *p.pathwayActive(pathway), patient);
  for (size_t t = 0; t < path.tiers.size(); ++t) {
    Value v = evaluate(p, *p.tierNextState(pathway, static_cast<int>(t)), patient);
    s.tiers.push_back(v.missing ? TierState::NotStarted : static_cast<TierState>(v.member));
  }
  return s;
}

ExprRef tierLive(const Protocol &p, int pathway, int tier) {
  return disj({p.tierGuard(pathway, tier), p.tierEnds(pathway, tier)});
}

std::vector<TierState> recordedEnds(const Tier &t) {
  std::vector<TierState> out;
  if (!t.respondedWhen) out.push_back(TierState::Responded);
  if (!t.failedWhen) out.push_back(TierState::Failed);
  if (!t.completedWhen) out.push_back(TierState::Completed);
  return out;
}

namespace {
std::vector<bool> liveTiers(const Protocol &p, int pathway, const std::vector<Value> &patient) {
  std::vector<bool> out;
  for (size_t t = 0; t < p.pathways[pathway].tiers.size(); ++t)
    out.push_back(evaluateBool(p, *tierLive(p, pathway, static_cast<int>(t)), patient));
  return out;
}

std::vector<CourseState> successorsOf(const Protocol &p, int pathway, const CourseState &next, const std::vector<bool> &live) {
  std::vector<CourseState> out{next};
  for (size_t t = 0; t < live.size(); ++t)
    if (live[t])
      for (TierState e : recordedEnds(p.pathways[pathway].tiers[t])) {
        CourseState s = next;
        s.tiers[t] = e;
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
      }
  return out;
}
}  // namespace

std::vector<CourseState> courseSuccessors(const Protocol &p, int pathway, const std::vector<Value> &patient) {
  return successorsOf(p, pathway, nextCourseState(p, pathway, patient), liveTiers(p, pathway, patient));
}

ExprRef reachableCourse(const Protocol &p, const CourseGraph &g) {
  std::vector<ExprRef> states;
  for (const CourseState &s : g.states) states.push_back(courseStateIs(p, g.pathway, s));
  return b::labelled(disj(std::move(states)), "a course state of " + p.pathways[g.pathway].name + " reachable from a fresh patient");
}

CourseGraph exploreCourse(const Protocol &p, int pathway, Z3Backend &z3, const CourseLimits &limits) {
  const Pathway &path = p.pathways[pathway];
  CourseGraph g;
  g.pathway = pathway;
  auto stop = [&](std::string why) {
    g.whyIncomplete = std::move(why);
    return g;
  };
  auto add = [&](CourseState s, int parent, std::vector<Value> via) {
    g.states.push_back(std::move(s));
    g.parent.push_back(parent);
    g.via.push_back(std::move(via));
    g.successors.emplace_back();
  };
  // A fresh patient: not on the pathway, every tier not started.
  add(CourseState{false, std::vector<TierState>(path.tiers.size(), TierState::NotStarted)}, -1, {});
  for (size_t i = 0; i < g.states.size(); ++i) {
    // The records in state i, each successor found excluded from the next
    // question: when none is left, the successors are all found.
    // A record decides its successors by its next state and which tiers
    // are live (recorded ends): the pair is what each answer excludes.
    std::vector<ExprRef> parts{courseStateIs(p, pathway, g.states[i])};
    std::vector<std::pair<CourseState, std::vector<bool>>> found;
    for (;;) {
      if (g.queries >= limits.maxQueries)
        return stop("the search for the course states of pathway '" + path.name + "' reachable from a fresh patient stopped at its bound of " +
                    std::to_string(limits.maxQueries) + " solver questions (" + std::to_string(g.states.size()) +
                    " states found; " + std::to_string(path.tiers.size()) + " tiers allow up to 2 x 5^" +
                    std::to_string(path.tiers.size()) + ")");
      ++g.queries;
      Answer a = z3.holdsForSome(conj(parts));
      if (a.kind == Answer::Kind::No) break;
      if (a.kind == Answer::Kind::Unknown || !a.patient)
        return stop("the solver could not find the successors of course state (" + stateText(p, pathway, g.states[i]) +
                    ") of pathway '" + path.name + "': " + (a.reason.empty() ? "unknown" : a.reason));
      std::pair<CourseState, std::vector<bool>> key;
      try {
        key = {nextCourseState(p, pathway, *a.patient), liveTiers(p, pathway, *a.patient)};
      } catch (const EvalError &e) {
        return stop("the IR evaluator failed on a record of course state (" + stateText(p, pathway, g.states[i]) + "): " + e.what());
      }
      // The model is in state i and its pair was excluded: a second answer
      // with the same pair means Z3 and the evaluator read the transitions
      // differently, a bug in carepath, never a finding.
      if (!(courseStateOf(p, pathway, *a.patient) == g.states[i]) || std::find(found.begin(), found.end(), key) != found.end())
        return stop("internal error: Z3 and the IR evaluator disagree on the successor of course state (" +
                    stateText(p, pathway, g.states[i]) + ") of pathway '" + path.name + "'");
      found.push_back(key);
      std::vector<ExprRef> same{nextIs(p, pathway, key.first)};
      for (size_t t = 0; t < path.tiers.size(); ++t) {
        ExprRef live = b::isTrue(tierLive(p, pathway, static_cast<int>(t)));
        same.push_back(key.second[t] ? live : neg(live));
      }
      parts.push_back(neg(conj(std::move(same))));
      for (CourseState &next : successorsOf(p, pathway, key.first, key.second)) {
        int j = g.find(next);
        if (j < 0) {
          if (g.states.size() >= limits.maxStates)
            return stop("pathway '" + path.name + "' reaches more than " + std::to_string(limits.maxStates) +
                        " course states from a fresh patient, the bound of the search (" + std::to_string(path.tiers.size()) +
                        " tiers allow up to 2 x 5^" + std::to_string(path.tiers.size()) + ")");
          j = static_cast<int>(g.states.size());
          add(std::move(next), static_cast<int>(i), *a.patient);
        }
        g.successors[i].push_back(j);
      }
    }
    std::sort(g.successors[i].begin(), g.successors[i].end());
    g.successors[i].erase(std::unique(g.successors[i].begin(), g.successors[i].end()), g.successors[i].end());
  }
  g.complete = true;
  return g;
}

}  // namespace carepath::verifier
