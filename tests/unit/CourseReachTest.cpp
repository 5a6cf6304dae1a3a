// The search for reachable course states (verifier/CourseReach.h) on the
// course protocols of tests/verify: the states it finds, the courses of
// records that lead to them (replayed on the IR evaluator), its bounds.
#include <gtest/gtest.h>

#include <algorithm>

#include "Frontend.h"
#include "verifier/CourseReach.h"

using namespace carepath;
using namespace carepath::ir;
using namespace carepath::verifier;

namespace {

struct CourseReachTest : ::testing::Test {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  std::optional<Protocol> p;

  void load(const std::string &file) {
    FrontendOptions fo;
    fo.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
    FrontendResult r = runFrontend(std::string(CAREPATH_SOURCE_DIR) + "/tests/verify/" + file, sources, diags, fo);
    ASSERT_FALSE(diags.hasErrors());
    ASSERT_TRUE(r.protocol);
    p = std::move(r.protocol);
  }

  /// Every state's course replays on the evaluator: each record is in the
  /// state before it and may lead to the next (courseSuccessors).
  void replayCourses(const CourseGraph &g) {
    for (size_t s = 0; s < g.states.size(); ++s) {
      std::vector<int> path;
      for (int at = static_cast<int>(s); at >= 0; at = g.parent[at]) path.insert(path.begin(), at);
      std::vector<std::vector<Value>> records = g.course(static_cast<int>(s));
      ASSERT_EQ(records.size() + 1, path.size());
      for (size_t k = 0; k < records.size(); ++k) {
        EXPECT_TRUE(jointStateOf(*p, g.pathways, records[k]) == g.states[path[k]]) << "state " << s;
        std::vector<JointState> next = jointSuccessors(*p, g.pathways, records[k]);
        EXPECT_NE(std::find(next.begin(), next.end(), g.states[path[k + 1]]), next.end()) << "state " << s;
      }
    }
  }
};

TEST_F(CourseReachTest, FindsTheStatesACourseProducesAndOnlyThose) {
  load("good/course-reachable.care");
  Z3Backend z3(*p, Options{});
  CourseGraph g = exploreCourse(*p, {0}, z3);
  ASSERT_TRUE(g.complete) << g.whyIncomplete;
  // fresh; on with the tier on; on with it completed (entering and
  // recovering at once, or later); off after the exit, the tier as left.
  ASSERT_EQ(g.states.size(), 14u);
  using S = TierState;
  EXPECT_TRUE(g.states[0] == (JointState{CourseState{false, {S::NotStarted, S::NotStarted}}}));
  EXPECT_NE(g.find(JointState{CourseState{true, {S::On, S::NotStarted}}}), -1);
  EXPECT_NE(g.find(JointState{CourseState{true, {S::Failed, S::On}}}), -1);
  // The clinician records the ends (neither tier declares one).
  EXPECT_NE(g.find(JointState{CourseState{true, {S::Responded, S::NotStarted}}}), -1);
  EXPECT_NE(g.find(JointState{CourseState{true, {S::Failed, S::Completed}}}), -1);
  // Entering with fever starts first line at once; second line starts only
  // after first line failed: these records are not reachable.
  EXPECT_EQ(g.find(JointState{CourseState{true, {S::NotStarted, S::NotStarted}}}), -1);
  EXPECT_EQ(g.find(JointState{CourseState{true, {S::NotStarted, S::Failed}}}), -1);
  EXPECT_EQ(g.find(JointState{CourseState{true, {S::On, S::On}}}), -1);
  // Every edge ends at a found state, and fresh is the tree's root.
  EXPECT_EQ(g.parent[0], -1);
  for (const std::vector<int> &succ : g.successors)
    for (int t : succ) EXPECT_TRUE(t >= 0 && t < static_cast<int>(g.states.size()));
  replayCourses(g);
}

TEST_F(CourseReachTest, IsDeterministic) {
  load("bad/course.care");
  Z3Backend a(*p, Options{}), b(*p, Options{});
  CourseGraph x = exploreCourse(*p, {0}, a), y = exploreCourse(*p, {0}, b);
  ASSERT_TRUE(x.complete && y.complete);
  ASSERT_EQ(x.states.size(), y.states.size());
  for (size_t s = 0; s < x.states.size(); ++s) EXPECT_TRUE(x.states[s] == y.states[s]);
  EXPECT_EQ(x.successors, y.successors);
  EXPECT_EQ(x.queries, y.queries);
  // responded and failed are reachable here (the tier has both ends).
  EXPECT_NE(x.find(JointState{CourseState{true, {TierState::Responded}}}), -1);
  EXPECT_NE(x.find(JointState{CourseState{true, {TierState::Failed}}}), -1);
  replayCourses(x);
}

// The search keeps Z3's raw records; a printed course asks again for
// readable ones, which lead along the same path (replayed on the
// evaluator), each value with a decimal form.
TEST_F(CourseReachTest, ReadableCoursesLeadWhereTheSearchsDo) {
  load("good/course-reachable.care");
  Z3Backend z3(*p, Options{});
  CourseGraph g = exploreCourse(*p, {0}, z3);
  ASSERT_TRUE(g.complete) << g.whyIncomplete;
  for (size_t s = 0; s < g.states.size(); ++s) {
    std::string disagreement;
    std::vector<std::vector<Value>> records = readableCourse(*p, g, static_cast<int>(s), z3, disagreement);
    EXPECT_TRUE(disagreement.empty()) << disagreement;
    std::vector<int> path;
    for (int at = static_cast<int>(s); at >= 0; at = g.parent[at]) path.insert(path.begin(), at);
    ASSERT_EQ(records.size() + 1, path.size());
    for (size_t k = 0; k < records.size(); ++k) {
      EXPECT_TRUE(jointStateOf(*p, g.pathways, records[k]) == g.states[path[k]]) << "state " << s;
      std::vector<JointState> next = jointSuccessors(*p, g.pathways, records[k]);
      EXPECT_NE(std::find(next.begin(), next.end(), g.states[path[k + 1]]), next.end()) << "state " << s;
      for (const Value &v : records[k])
        if (!v.missing && v.kind == Type::Kind::Number) { EXPECT_TRUE(v.number.isDecimalExact(3)) << v.number.str(); }
    }
  }
}

// Two pathways that exclude each other (each is entered only off the
// other): each one's own search reaches "on", the joint search finds no
// state with both on; its states are pairs of the own searches' states,
// and its courses replay on the evaluator.
TEST_F(CourseReachTest, AJointSearchFindsTheStatesReachableTogether) {
  load("Inputs/course-joint.care");
  Z3Backend z3(*p, Options{});
  CourseGraph care = exploreCourse(*p, {0}, z3), watch = exploreCourse(*p, {1}, z3);
  CourseGraph g = exploreCourse(*p, {0, 1}, z3);
  ASSERT_TRUE(care.complete && watch.complete && g.complete) << g.whyIncomplete;
  auto on = [](const CourseGraph &x) {
    return std::any_of(x.states.begin(), x.states.end(), [](const JointState &s) { return s[0].on; });
  };
  EXPECT_TRUE(on(care) && on(watch));
  bool careOn = false, watchOn = false;
  for (const JointState &s : g.states) {
    ASSERT_EQ(s.size(), 2u);
    EXPECT_FALSE(s[0].on && s[1].on);
    careOn = careOn || s[0].on;
    watchOn = watchOn || s[1].on;
    EXPECT_NE(care.find(JointState{s[0]}), -1);
    EXPECT_NE(watch.find(JointState{s[1]}), -1);
  }
  EXPECT_TRUE(careOn && watchOn);
  replayCourses(g);
  // The same questions in the same order: the same graph.
  Z3Backend again(*p, Options{});
  CourseGraph h = exploreCourse(*p, {0, 1}, again);
  ASSERT_EQ(h.states.size(), g.states.size());
  for (size_t s = 0; s < g.states.size(); ++s) EXPECT_TRUE(h.states[s] == g.states[s]);
  EXPECT_EQ(h.successors, g.successors);
  EXPECT_EQ(h.queries, g.queries);
}

TEST_F(CourseReachTest, ABoundStopsTheSearchWithItsReason) {
  load("bad/course.care");
  Z3Backend z3(*p, Options{});
  CourseLimits few;
  few.maxStates = 2;
  CourseGraph g = exploreCourse(*p, {0}, z3, few);
  EXPECT_FALSE(g.complete);
  EXPECT_NE(g.whyIncomplete.find("more than 2 course states"), std::string::npos) << g.whyIncomplete;
  CourseLimits one;
  one.maxQueries = 1;
  CourseGraph h = exploreCourse(*p, {0}, z3, one);
  EXPECT_FALSE(h.complete);
  EXPECT_NE(h.whyIncomplete.find("bound of 1 solver questions"), std::string::npos) << h.whyIncomplete;
}

TEST_F(CourseReachTest, AJointSearchHasTheSameBounds) {
  load("Inputs/course-joint.care");
  Z3Backend z3(*p, Options{});
  CourseLimits few;
  few.maxStates = 3;
  CourseGraph g = exploreCourse(*p, {0, 1}, z3, few);
  EXPECT_FALSE(g.complete);
  EXPECT_NE(g.whyIncomplete.find("pathways 'care' and 'watch' reach more than 3 joint course states from a fresh patient, the bound "
                                 "of the search (2 tiers on 2 pathways allow up to 2^2 x 5^2)"),
            std::string::npos)
      << g.whyIncomplete;
}

}  // namespace
