// Reachable course states: a breadth-first search from a fresh patient,
// each state's successors enumerated by Z3 with blocking clauses.
#include "verifier/CourseReach.h"

#include <algorithm>
#include <array>
#include <set>

#include "ir/Evaluator.h"
#include "verifier/Conditions.h"

namespace carepath::verifier {

using namespace ir;
namespace b = ir::build;

std::string courseStateText(const Protocol &p, int pathway, const CourseState &s) {
  const Pathway &path = p.pathways[pathway];
  std::string out = (s.on ? "" : "not ") + p.inputs[path.onInput].name;
  for (size_t t = 0; t < s.tiers.size(); ++t) out += ", " + p.inputs[path.tiers[t].stateInput].name + " = " + spelling(s.tiers[t]);
  return out;
}

std::string jointStateText(const Protocol &p, const std::vector<int> &pathways, const JointState &s) {
  std::string out;
  for (size_t k = 0; k < pathways.size(); ++k) out += (k ? "; " : "") + courseStateText(p, pathways[k], s[k]);
  return out;
}

namespace {
ExprRef memberIs(const Protocol &p, const ExprRef &e, int input, TierState s) {
  const Type &type = p.inputs[input].type;
  return b::isTrue(b::binary(Op::Eq, e, b::member(type.enumType, static_cast<int>(s))));
}

}  // namespace

/// A pathway's transitions as IR, built once: the search asks about them
/// in every question (the same nodes, so Z3 encodes them once).
struct CourseTransitions {
  ExprRef active;                          // on_P next
  std::vector<ExprRef> next;               // each tier's next state
  std::vector<std::array<ExprRef, 5>> is;  // is[t][s]: tier t's next state is s
  std::vector<ExprRef> live;               // each tier is live
  CourseTransitions(const Protocol &p, int pathway) : active(b::isTrue(p.pathwayActive(pathway))) {
    const Pathway &path = p.pathways[pathway];
    for (size_t t = 0; t < path.tiers.size(); ++t) {
      next.push_back(p.tierNextState(pathway, static_cast<int>(t)));
      is.emplace_back();
      for (int s = 0; s < 5; ++s) is.back()[s] = memberIs(p, next.back(), path.tiers[t].stateInput, static_cast<TierState>(s));
      live.push_back(b::isTrue(tierLive(p, pathway, static_cast<int>(t))));
    }
  }
};

namespace {
using Transitions = CourseTransitions;

/// The next record has state `s`: pathwayActive and every tierNextState.
ExprRef nextIs(const Transitions &tr, const CourseState &s) {
  std::vector<ExprRef> parts{s.on ? tr.active : neg(tr.active)};
  for (size_t t = 0; t < tr.next.size(); ++t) parts.push_back(tr.is[t][static_cast<int>(s.tiers[t])]);
  return conj(std::move(parts));
}
}  // namespace

int CourseGraph::find(const JointState &s) const {
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

ExprRef jointStateIs(const Protocol &p, const std::vector<int> &pathways, const JointState &s) {
  if (pathways.size() == 1) return courseStateIs(p, pathways[0], s[0]);
  std::vector<ExprRef> parts;
  for (size_t k = 0; k < pathways.size(); ++k) parts.push_back(courseStateIs(p, pathways[k], s[k]));
  return conj(std::move(parts));
}

std::string pathwaysText(const Protocol &p, const std::vector<int> &pathways) {
  std::string out = pathways.size() == 1 ? "pathway " : "pathways ";
  for (size_t k = 0; k < pathways.size(); ++k)
    out += (k == 0 ? "'" : k + 1 == pathways.size() ? " and '" : ", '") + p.pathways[pathways[k]].name + "'";
  return out;
}

CourseState courseStateOf(const Protocol &p, int pathway, const std::vector<Value> &patient) {
  const Pathway &path = p.pathways[pathway];
  CourseState s;
  s.on = patient[path.onInput].boolean;
  for (const Tier &t : path.tiers) s.tiers.push_back(static_cast<TierState>(patient[t.stateInput].member));
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
std::vector<bool> liveTiers(const Protocol &p, const Transitions &tr, const std::vector<Value> &patient) {
  std::vector<bool> out;
  for (const ExprRef &live : tr.live) out.push_back(evaluateBool(p, *live, patient));
  return out;
}

CourseState nextState(const Protocol &p, const Transitions &tr, const std::vector<Value> &patient) {
  CourseState s;
  s.on = evaluateBool(p, *tr.active, patient);
  for (const ExprRef &next : tr.next) {
    Value v = evaluate(p, *next, patient);
    s.tiers.push_back(v.missing ? TierState::NotStarted : static_cast<TierState>(v.member));
  }
  return s;
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

CourseState nextCourseState(const Protocol &p, int pathway, const std::vector<Value> &patient) {
  return nextState(p, Transitions(p, pathway), patient);
}

CourseSuccessors::CourseSuccessors(const Protocol &p, int pathway)
    : p_(p), pathway_(pathway), tr_(std::make_shared<const CourseTransitions>(p, pathway)) {}

std::vector<CourseState> CourseSuccessors::operator()(const std::vector<Value> &patient) const {
  return successorsOf(p_, pathway_, nextState(p_, *tr_, patient), liveTiers(p_, *tr_, patient));
}

std::vector<CourseState> courseSuccessors(const Protocol &p, int pathway, const std::vector<Value> &patient) {
  return CourseSuccessors(p, pathway)(patient);
}

JointState jointStateOf(const Protocol &p, const std::vector<int> &pathways, const std::vector<Value> &patient) {
  JointState out;
  for (int pw : pathways) out.push_back(courseStateOf(p, pw, patient));
  return out;
}

namespace {
/// Every combination of one successor per pathway, the first pathway's
/// slowest (a deterministic order).
std::vector<JointState> combine(const std::vector<std::vector<CourseState>> &each) {
  std::vector<JointState> out{JointState{}};
  for (const std::vector<CourseState> &options : each) {
    std::vector<JointState> longer;
    for (const JointState &prefix : out)
      for (const CourseState &s : options) {
        longer.push_back(prefix);
        longer.back().push_back(s);
      }
    out = std::move(longer);
  }
  return out;
}
}  // namespace

namespace {
std::shared_ptr<const std::vector<Transitions>> transitionsOf(const Protocol &p, const std::vector<int> &pathways) {
  auto out = std::make_shared<std::vector<Transitions>>();
  for (int pw : pathways) out->emplace_back(p, pw);
  return out;
}

std::vector<JointState> successorsWith(const Protocol &p, const std::vector<int> &pathways, const std::vector<Transitions> &trs,
                                       const std::vector<Value> &patient) {
  std::vector<std::vector<CourseState>> each;
  for (size_t k = 0; k < pathways.size(); ++k)
    each.push_back(successorsOf(p, pathways[k], nextState(p, trs[k], patient), liveTiers(p, trs[k], patient)));
  return combine(each);
}
}  // namespace

std::vector<JointState> jointSuccessors(const Protocol &p, const std::vector<int> &pathways, const std::vector<Value> &patient) {
  return successorsWith(p, pathways, *transitionsOf(p, pathways), patient);
}

namespace {
ExprRef reachableStates(const Protocol &p, const std::vector<int> &pathways, const std::vector<JointState> &found) {
  std::vector<ExprRef> states;
  for (const JointState &s : found) states.push_back(jointStateIs(p, pathways, s));
  std::string label = pathways.size() == 1 ? "a course state of " + p.pathways[pathways[0]].name
                                            : "a joint course state of " + pathwaysText(p, pathways);
  return b::labelled(disj(std::move(states)), label + " reachable from a fresh patient");
}
}  // namespace

ExprRef reachableCourse(const Protocol &p, const CourseGraph &g) { return reachableStates(p, g.pathways, g.states); }
ExprRef reachableCourse(const Protocol &p, const CourseReach &r) { return reachableStates(p, r.pathways, r.states); }

CourseGraph exploreCourse(const Protocol &p, const std::vector<int> &pathways, Z3Backend &z3, const CourseLimits &limits) {
  CourseGraph g;
  g.pathways = pathways;
  const size_t n = pathways.size();
  size_t tiers = 0;
  for (int pw : pathways) tiers += p.pathways[pw].tiers.size();
  // "pathway 'P'" ... "(N tiers allow up to 2 x 5^N)", or jointly 2^K x 5^N.
  const std::string what = pathwaysText(p, pathways);
  const std::string allow = "(" + std::to_string(tiers) + " tiers" + (n > 1 ? " on " + std::to_string(n) + " pathways" : "") +
                            " allow up to " + (n > 1 ? "2^" + std::to_string(n) : "2") + " x 5^" + std::to_string(tiers) + ")";
  auto stop = [&](std::string why) {
    g.whyIncomplete = std::move(why);
    return g;
  };
  auto add = [&](JointState s, int parent, std::vector<Value> via, ExprRef reachedBy) {
    g.states.push_back(std::move(s));
    g.parent.push_back(parent);
    g.via.push_back(std::move(via));
    g.reachedBy.push_back(std::move(reachedBy));
    g.successors.emplace_back();
  };
  g.transitions = transitionsOf(p, pathways);
  const std::vector<Transitions> &trs = *g.transitions;
  // Every exclusion is built on these: encoded once.
  for (const Transitions &tr : trs) {
    z3.keep(tr.active);
    for (size_t t = 0; t < tr.next.size(); ++t) {
      for (const ExprRef &is : tr.is[t]) z3.keep(is);
      z3.keep(tr.live[t]);
    }
  }
  // Two states that read the same (tierStateIs: off the pathway every tier
  // reads not started, ...) have the same transitions, so the same
  // successors: only the first of each reading is asked about.
  std::vector<std::vector<ExprRef>> reads(n);
  for (size_t k = 0; k < n; ++k)
    for (size_t t = 0; t < p.pathways[pathways[k]].tiers.size(); ++t) reads[k].push_back(p.tierState(pathways[k], static_cast<int>(t)));
  std::vector<std::pair<JointState, size_t>> readings;  // as read, and the state asked about
  auto reading = [&](const JointState &s) {
    // The reading reads the state inputs only; the others get any value
    // of their type (the evaluator asks for every required input).
    std::vector<Value> record;
    for (const Input &in : p.inputs) {
      switch (in.type.kind) {
      case Type::Kind::Bool: record.push_back(Value::ofBool(false)); break;
      case Type::Kind::Enum: record.push_back(Value::ofEnum(0)); break;
      case Type::Kind::Number: record.push_back(Value::ofNumber(in.lo ? *in.lo : Rational(0))); break;
      case Type::Kind::String: record.push_back(Value::ofString("")); break;
      }
    }
    for (size_t k = 0; k < n; ++k) {
      const Pathway &path = p.pathways[pathways[k]];
      record[path.onInput] = Value::ofBool(s[k].on);
      for (size_t t = 0; t < path.tiers.size(); ++t) record[path.tiers[t].stateInput] = Value::ofEnum(static_cast<int>(s[k].tiers[t]));
    }
    JointState read;
    for (size_t k = 0; k < n; ++k) {
      read.push_back(CourseState{s[k].on, {}});
      for (const ExprRef &r : reads[k]) read.back().tiers.push_back(static_cast<TierState>(evaluate(p, *r, record).member));
    }
    return read;
  };
  // A fresh patient: not on any of the pathways, every tier not started.
  JointState fresh;
  for (int pw : pathways) fresh.push_back(CourseState{false, std::vector<TierState>(p.pathways[pw].tiers.size(), TierState::NotStarted)});
  add(std::move(fresh), -1, {}, nullptr);
  for (size_t i = 0; i < g.states.size(); ++i) {
    JointState read;
    try {
      read = reading(g.states[i]);
    } catch (const EvalError &e) {
      return stop("the IR evaluator failed on a course state's reading: " + std::string(e.what()));
    }
    auto same = std::find_if(readings.begin(), readings.end(), [&](const auto &r) { return r.first == read; });
    if (same != readings.end()) {
      g.successors[i] = g.successors[same->second];
      g.closing.push_back(nullptr);
      continue;
    }
    readings.push_back({read, i});
    // The records in state i, each successor found excluded before the
    // next question, on one solver scope (the state asserted once, each
    // exclusion added): when none is left, the successors are all found.
    // A record decides its successors by its next state and which tiers
    // are live (recorded ends), on every pathway: what each answer excludes.
    ExprRef here = jointStateIs(p, pathways, g.states[i]);
    std::vector<ExprRef> parts{here};  // the same question as IR, for --cross-check
    std::unique_ptr<Z3Backend::Enumeration> records = z3.enumerate(here);
    using Key = std::vector<std::pair<CourseState, std::vector<bool>>>;  // per pathway
    std::vector<Key> found;
    for (;;) {
      if (g.queries >= limits.maxQueries)
        return stop("the search for the course states of " + what + " reachable from a fresh patient stopped at its bound of " +
                    std::to_string(limits.maxQueries) + " solver questions (" + std::to_string(g.states.size()) +
                    " states found; " + allow.substr(1));
      ++g.queries;
      Answer a = records->next();
      if (a.kind == Answer::Kind::No) {
        g.closing.push_back(conj(parts));
        break;
      }
      if (a.kind == Answer::Kind::Unknown || !a.patient)
        return stop("the solver could not find the successors of course state (" + jointStateText(p, pathways, g.states[i]) + ") of " +
                    what + ": " + (a.reason.empty() ? "unknown" : a.reason));
      Key key;
      try {
        for (size_t k = 0; k < n; ++k) key.push_back({nextState(p, trs[k], *a.patient), liveTiers(p, trs[k], *a.patient)});
      } catch (const EvalError &e) {
        return stop("the IR evaluator failed on a record of course state (" + jointStateText(p, pathways, g.states[i]) + "): " + e.what());
      }
      // The model is in state i and its key was excluded: a second answer
      // with the same key means Z3 and the evaluator read the transitions
      // differently, a bug in carepath, never a finding.
      if (!(jointStateOf(p, pathways, *a.patient) == g.states[i]) || std::find(found.begin(), found.end(), key) != found.end())
        return stop("internal error: Z3 and the IR evaluator disagree on the successor of course state (" +
                    jointStateText(p, pathways, g.states[i]) + ") of " + what);
      found.push_back(key);
      std::vector<ExprRef> again;
      for (size_t k = 0; k < n; ++k) {
        again.push_back(nextIs(trs[k], key[k].first));
        for (size_t t = 0; t < trs[k].live.size(); ++t) again.push_back(key[k].second[t] ? trs[k].live[t] : neg(trs[k].live[t]));
      }
      ExprRef same = conj(std::move(again));
      records->exclude(same);
      parts.push_back(neg(same));
      std::vector<std::vector<CourseState>> each;
      for (size_t k = 0; k < n; ++k) each.push_back(successorsOf(p, pathways[k], key[k].first, key[k].second));
      for (JointState &next : combine(each)) {
        int j = g.find(next);
        if (j < 0) {
          if (g.states.size() >= limits.maxStates)
            return stop(n == 1
                            ? "pathway '" + p.pathways[pathways[0]].name + "' reaches more than " + std::to_string(limits.maxStates) +
                                  " course states from a fresh patient, the bound of the search " + allow
                            : what + " reach more than " + std::to_string(limits.maxStates) +
                                  " joint course states from a fresh patient, the bound of the search " + allow);
          j = static_cast<int>(g.states.size());
          add(std::move(next), static_cast<int>(i), *a.patient, conj({here, same}));
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

std::vector<std::vector<Value>> readableCourse(const Protocol &p, const CourseGraph &g, int s, Z3Backend &z3,
                                              std::string &disagreement) {
  std::vector<int> path;
  for (int at = s; at > 0; at = g.parent[at]) path.push_back(at);
  std::reverse(path.begin(), path.end());
  std::shared_ptr<const std::vector<Transitions>> transitions = g.transitions ? g.transitions : transitionsOf(p, g.pathways);
  std::vector<std::vector<Value>> out;
  for (int at : path) {
    // Any record with the same reach leads to `at` as the search's did
    // (the search asked for raw models only).
    Answer a = z3.holdsForSome(g.reachedBy[at]);
    bool leads = false;
    if (a.kind == Answer::Kind::Yes && a.patient) {
      try {
        std::vector<JointState> next = successorsWith(p, g.pathways, *transitions, *a.patient);
        leads = jointStateOf(p, g.pathways, *a.patient) == g.states[g.parent[at]] &&
                std::find(next.begin(), next.end(), g.states[at]) != next.end();
      } catch (const EvalError &) {
      }
      if (!leads && disagreement.empty())
        disagreement = "Z3 and the IR evaluator disagree on a record leading to course state " + std::to_string(at + 1) + " of " +
                       pathwaysText(p, g.pathways) + " (" + jointStateText(p, g.pathways, g.states[at]) + ")";
    }
    // Unknown (a resource limit), or the disagreement above: the search's
    // own record, which the evaluator confirmed.
    out.push_back(leads ? *a.patient : g.via[at]);
  }
  return out;
}

std::vector<CourseReach> courseReach(const Protocol &p, Z3Backend &z3) {
  std::vector<CourseReach> out;
  for (size_t pw = 0; pw < p.pathways.size(); ++pw) {
    if (!p.pathways[pw].course) continue;
    CourseGraph g = exploreCourse(p, {static_cast<int>(pw)}, z3);
    out.push_back({g.pathways, g.complete, g.whyIncomplete, std::move(g.states)});
  }
  return out;
}

std::vector<CourseReach> courseReach(const Protocol &p, const Options &options) {
  bool any = false;
  for (const Pathway &path : p.pathways) any = any || path.course;
  if (!any) return {};  // no solver started
  Z3Backend z3(p, options);
  return courseReach(p, z3);
}

std::vector<CourseReach> courseReachRead(const Protocol &p, const Options &options) {
  size_t course = 0;
  for (const Pathway &path : p.pathways) course += path.course ? 1 : 0;
  if (course < 2) return courseReach(p, options);
  return verify(p, options).courses;
}

std::vector<size_t> unreachableCourses(const Protocol &p, const std::vector<CourseReach> &reach, const Patient &patient) {
  auto unlisted = [&](const CourseReach &r) {
    if (!r.complete) return false;
    for (int pw : r.pathways) {
      const Pathway &path = p.pathways[pw];
      if (patient[path.onInput].missing) return false;
      for (const Tier &t : path.tiers)
        if (patient[t.stateInput].missing) return false;
    }
    JointState s = jointStateOf(p, r.pathways, patient);
    return std::find(r.states.begin(), r.states.end(), s) == r.states.end();
  };
  std::vector<size_t> out;
  std::set<int> own;  // the pathways flagged on their own
  for (size_t k = 0; k < reach.size(); ++k)
    if (reach[k].pathways.size() == 1 && unlisted(reach[k])) {
      out.push_back(k);
      own.insert(reach[k].pathways[0]);
    }
  for (size_t k = 0; k < reach.size(); ++k) {
    const CourseReach &r = reach[k];
    if (r.pathways.size() < 2 || std::any_of(r.pathways.begin(), r.pathways.end(), [&](int pw) { return own.count(pw) > 0; }))
      continue;
    if (unlisted(r)) out.push_back(k);
  }
  return out;
}

}  // namespace carepath::verifier
