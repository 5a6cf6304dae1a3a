// The short run of the random-protocol differential test
// (tests/differential; the long run is scripts/differential.sh): generated
// protocols through the front end, the runtime and the verifier, with
// random patients judged by the IR reference evaluator.
#include <gtest/gtest.h>

#include <sstream>

#include "Differential.h"
#include "ProtocolGenerator.h"
#include "backends/JsonTable.h"
#include "TestScale.h"

using namespace carepath::difftest;

namespace {

std::string joined(const std::vector<std::string> &xs) {
  std::string s;
  for (const auto &x : xs) s += "\n  " + x;
  return s;
}

}  // namespace

TEST(ProtocolGenerator, SameSeedSameTextOtherSeedOtherText) {
  EXPECT_EQ(generateProtocol(7), generateProtocol(7));
  EXPECT_NE(generateProtocol(7), generateProtocol(8));
}

TEST(ProtocolGenerator, UsesEveryConstructOverAFewSeeds) {
  std::string all;
  for (uint64_t seed = 1; seed <= 30; ++seed) all += generateProtocol(seed);
  for (const char *construct :
       {"hit unique", "hit first", "hit priority", "hit any", "hit collect", " complete", " priority ", " after ",
        " failed when ", " max ", "mg/kg * weight", "dosing weight = weight", " integer in ", " : enum {", " : bool",
        "population ", "always ", "never ", "every ", " reaches ", "define ", kFiresMarker, "limit ", " for ",
        " over ", "dose unspecified", "contraindicated when ", "never give "})
    EXPECT_NE(all.find(construct), std::string::npos) << "no generated protocol uses '" << construct << "'";
}

TEST(RandomProtocolDifferential, ThirtyProtocolsAgree) {
  DifferentialOptions options;
  options.patients = static_cast<uint64_t>(carepath::unittest::cases(300));
  std::ostringstream log;
  RunSummary s = runMany(/*seed=*/1, /*count=*/30, options, ::testing::TempDir() + "carepath-differential", log);
  std::ostringstream summary;
  printSummary(s, options, summary);
  SCOPED_TRACE(log.str() + summary.str());

  EXPECT_EQ(s.checkFailed, 0u) << "the generator wrote protocols `check` refuses (generator bugs)";
  // Every protocol `check` accepts compiles (table format 3: no row expansion).
  EXPECT_EQ(s.compileRefused, 0u) << joined(s.compileRefusals);
  EXPECT_TRUE(s.unexpected().empty()) << "new disagreements:" << joined(s.unexpected());
  // The run must exercise what it claims to.
  EXPECT_GE(s.ran, 25u);
  EXPECT_GT(s.inPopulation, s.patients / 4);
  EXPECT_GT(s.proved, 100u);
  EXPECT_GT(s.refuted, 20u);
  EXPECT_GT(s.counterexamples, 10u);
  // Course pathway records both ways: the runtime's flag is compared on
  // records in a reachable state (most of them produced by a course of
  // records) and on records in a state no course produces.
  const uint64_t some = static_cast<uint64_t>(carepath::unittest::cases(100));
  EXPECT_GT(s.courseProduced, some);
  EXPECT_GT(s.courseRecords - s.courseUnreachable, some);
  EXPECT_GT(s.courseUnreachable, some);
  // Records judged on pathways searched jointly (the generator's pairs of
  // course pathways entered off each other): the joint flag is compared.
  EXPECT_GT(s.jointRecords, 0u);
}

// ------------------------------------------------------------------ known disagreements
//
// One minimal reproducer per entry of expectedDisagreements(). While the
// kind is listed there, the reproducer must still show it (so the list
// never hides a fixed bug); once it is removed, the same protocol becomes
// a regression test that must show no disagreement of that kind.

namespace {

void expectKnown(const std::string &kind, const std::string &text) {
  DifferentialOptions options;
  options.patients = 200;
  ProtocolOutcome o = runProtocol("known.care", text, 1, options);
  ASSERT_EQ(o.status, ProtocolOutcome::Status::Ran) << o.diagnostics;
  bool found = false;
  std::string seen;
  for (const auto &[k, n] : o.mismatches) {
    seen += "\n  " + k;
    found = found || k == kind;
  }
  if (isExpected(kind))
    EXPECT_TRUE(found) << kind << " is no longer found: remove it from expectedDisagreements(); found:" << seen;
  else
    EXPECT_FALSE(found) << kind << " is found but not listed in expectedDisagreements(); found:" << seen;
  for (const auto &[k, n] : o.mismatches)
    EXPECT_TRUE(k == kind || isExpected(k)) << "unexpected disagreement " << k;
}

}  // namespace

// Found when the generator learnt optional inputs (format 3): with an
// optional input in the guard, the verifier's dose envelope took the
// strict bound `weight > 22.5 kg` as `weight >= 22.500001 kg` (a minimum
// of 450.00002 mg); a patient of 22.500000001 kg gets 450.00000002 mg.
// The closure relaxation did not look inside IsTrue (the guard read as
// "is true"); it does now, and the envelope is exact, [450, 800].
TEST(FormerDisagreement, DoseEnvelopeWithAnOptionalInputInTheGuard) {
  expectKnown("verifier-proved-violated/dose-bounded@first", R"(
protocol env version "1" {
  title "dose envelope behind an optional input"
  dosing weight = weight
}
use stdlib.units
use stdlib.drugs.{methylprednisolone}
input weight : mass in 5 kg .. 40 kg
input b : optional bool
table t hit first {
  rule r0 when weight > 22.5 kg and not b -> give methylprednisolone dose min(20 mg/kg * weight, 1000 mg) max 800 mg
}
)");
}

// Found when the generator learnt typed outputs (its random stream
// changed); the protocol has none: the verifier reports the envelope of
// drug0 at tb1.r0 as 30 mg .. 31 mg, while a 45 kg patient with n0 = 1 gets
// 500 mg (main's verifier says the same). Open.
TEST(FormerDisagreement, DoseEnvelopeBehindANegatedOptionalConjunction) {
  expectKnown("verifier-proved-violated/dose-bounded@any", R"(
protocol m version "1" {
  title "m"
}
use stdlib.units
input weight : mass in 1 kg .. 150 kg
input age : duration in 0 years .. 120 years
input t1 : duration in 0 days .. 30 days
input n0 : optional integer in 0 .. 6
drug drug0 "a drug" {
}
define nd0 = max(age, t1)
define dose_d = min(30 mg/kg * weight, 500 mg)
table tb1 hit any {
  rule r0 when not (n0 > 2 and nd0 <= 39 h) -> give drug0 dose dose_d total over 3 days
}
)");
}

TEST(FormerDisagreement, PathwayTiersBothApply) {
  // b = true: both tiers apply; the runtime reports a violation, the IR evaluator none.
  expectKnown("runtime-vs-ir/violation@pathway", R"(
protocol clash version "1" { title "two tiers apply" }
input b : bool
pathway p {
  tier one when b { do x }
  tier two when b { do y }
}
)");
}

TEST(FormerDisagreement, ReferenceToAnyRuleIsItsGuard) {
  // b = true: `t.r1` is true but only r0 fires.
  expectKnown("reference-vs-firing@any", std::string(R"(
protocol anyref version "1" { title "reference to an any rule" }
input b : bool
table t hit any {
  rule r0 when b -> do x
  rule r1 when b -> do y
}
define f = t.r1 ")") + kFiresMarker + R"(t.r1"
)");
}

TEST(FormerDisagreement, VerifierProvesReachesForShadowedAnyRule) {
  // Proved by the verifier; b = true does not reach t.r1 (r0 fires).
  expectKnown("verifier-proved-violated/reaches@any", R"(
protocol anyreach version "1" { title "reaches an any rule" }
input b : bool
table t hit any {
  rule r0 when b -> do x
  rule r1 when b -> do y
}
verify { every b reaches t.r1 }
)");
}

TEST(FormerDisagreement, DoseCounterexampleWhereTheAnyRuleDoesNotFire) {
  // r0 matches every patient, so r1 never fires; the verifier still
  // reports its 200 mg against the 100 mg limit, with a patient where r0 fires.
  expectKnown("verifier-cex-not-violating/dose-formulary@any", R"(
protocol anydose version "1" { title "dose in an any rule" }
use stdlib.units
drug d { route iv  limit 100 mg per dose }
input b : bool
table t hit any {
  rule r0 when true -> do x
  rule r1 when true -> give d dose 200 mg per dose
}
)");
}

TEST(FormerDisagreement, DoseEnvelopeOfAStrictBound) {
  // The dose approaches 150 mg as the weight approaches 5 kg; a patient of
  // 4.999999999 kg gets more than the maximum the verifier reports.
  expectKnown("verifier-proved-violated/dose-bounded@collect", R"(
protocol envelope version "1" { title "strict bound" dosing weight = weight }
use stdlib.units
drug d { route iv }
input weight : mass in 2 kg .. 150 kg
table t hit collect {
  rule r0 when weight < 5 kg -> give d dose 30 mg/kg * weight per dose
}
)");
}

TEST(FormerDisagreement, StaleModelAfterTheSearchForAReadablePatient) {
  // The second counterexample cannot be written with two decimals of a day;
  // the readable-patient search came back unsat and Z3 then handed out the
  // first query's model (seed 1083; tests/verify/stale-model.test).
  expectKnown("verifier-internal", R"(
protocol stale version "1" { title "a counterexample with no readable value after one with" }
use stdlib.units
input x : duration in 0 days .. 10 days
verify {
  never x >= 2 days "readable"
  never x > 11.8 h and x < 11.9 h "no whole hundredth of a day"
}
)");
}

TEST(FormerDisagreement, ClosureOptimumShortOfTheMaximum) {
  // Seed 164, reduced: Z3 4.8.12's optimiser stopped at 55.0000025 mg for
  // tb1.r0's 5 mg/kg * weight + 50 mg per day (the maximum is 450 mg), and
  // the envelope was reported without checking that no patient exceeds it.
  expectKnown("verifier-proved-violated/dose-bounded@priority", R"(
protocol random_164 version "1" {
  title "random protocol 164"
  dosing weight = weight
}

use stdlib.units
use stdlib.drugs.{methylprednisolone, ivig, tocilizumab}
source S1 "a source"

input weight : mass in 1 kg .. 80 kg "body weight"
input age : duration in 0 years .. 120 years
input t0 : duration in 0 h .. 72 h
input t1 : duration in 0 days .. 30 days
input n0 : integer in 2 .. 8
input n1 : optional integer in 2 .. 6
input b0 : optional bool
input e0 : optional enum { v0_0, v0_1, v0_2, v0_3 }
input e1 : enum { v1_0, v1_1, v1_2, v1_3 }
input e2 : enum { v2_0, v2_1, v2_2 }

drug drug0 "a random drug" {
  route iv
  limit 1000 mg per h
}

define nd0 = max(t0, t1)
define d0 = (not b0) or (n1 > 2) "a concept"
define dose_d = min(10 mg/kg * weight, 500 mg)

pathway p0 for e0 not in {v0_1} {
  tier step0 when not (e2 in {v2_0, v2_1} and weight - 2 kg >= 52 kg) failed when not b0 and 3 * t0 >= 24 h {
  }
  tier step1 after step0 when d0 and t1 < age failed when e1 != v1_1 {
    do a3
  }
  tier step2 when (n1 < 5 and b0) or (e1 in {v1_2}) {
  }
  tier step3 after step0 when true failed when (e2 not in {v2_0} and t0 > 20 h) or (n1 < 6) {
  }
}

table tb0 hit first complete {
  rule r0 when n0 + 3 > 7 and e2 == v2_0 [S1] -> { do a0 order a0 within 6 h }
  rule r1 when n0 > 5 and e0 in {v0_0} and e2 in {v2_0, v2_1, v2_2} -> give ivig dose dose_d per dose
  rule r2 when (t1 >= 28.5 days) or (age <= t0 and e0 == v0_2) -> { do a2 do a4 monitor a4 at 1 h .. 5 h }
  rule r4 when e1 in {v1_0, v1_1} -> { do a4 "with a note" unspecified "the source is silent" }
}
define f1 = tb0.r1 "differential: fires tb0.r1"

pathway p1 {
  tier step0 when not (known(n1)) failed when not f1 and not known(n1) {
  }
  tier step1 when b0 and t0 >= 34 h failed when age - 1 years >= 16 years and n0 < 3 {
  }
}

table tb1 hit priority complete {
  rule r0 priority 2 when n1 >= 4 and nd0 <= 30 h and t0 > 2 h -> { monitor a5 at 1 h .. 5 h give ivig dose 2 g total max 800 mg total over 2 days give ivig dose 5 mg/kg * weight + 50 mg per day for 3 days .. 7 days }
  rule r1 priority 2 when e1 != v1_2 -> do a1
  rule r2 priority 4 when t1 >= 6 days and age >= 17 years and e0 != v0_3 -> { do a3 "with a note" give methylprednisolone dose unspecified "no dose in the source" give ivig dose 20 mg/kg * weight per dose }
  rule r4 priority 2 when (d0 and n0 < 7) or (weight >= 25 kg and e1 != v1_1) -> { monitor a3 at 2 h .. 8 h give tocilizumab dose 10 mg/kg * weight total over 2 days give methylprednisolone dose 1000 mg per day }
}
table tb3 hit first {
  rule r0 when e0 in {v0_0} and t1 in 288 h .. 16 days -> { consider a0 give tocilizumab dose min(20 mg/kg * weight, 500 mg) }
  rule r1 when age > 69 years and t0 >= 63 h and n1 + 1 <= 3 -> { monitor a5 at 2 h .. 6 h give tocilizumab dose min(30 mg/kg * weight, 1000 mg) total max 1000 mg total }
}
)");
}

// The harness's comparison of the runtime's course-state flag can fail: a
// table that carries a state too few (fresh dropped: the runtime flags
// records the verifier reached) or none at all (not known: the runtime
// flags nothing) disagrees with the verifier's states read on the IR side.
TEST(RandomProtocolDifferential, CourseStateFlagComparedBothWays) {
  const std::string text = R"(protocol flagged version "1" {
  title "a course pathway"
  population age < 100 years
}
use stdlib.units
input age : duration in 0 years .. 120 years
input fever : bool
pathway care for fever course
  exit done when care_first_state in {responded, completed} {
  tier first when care_first_state == not_started { do treat }
}
)";
  DifferentialOptions options;
  options.patients = 200;
  ProtocolOutcome agree = runProtocol("flagged.care", text, 1, options);
  ASSERT_EQ(agree.status, ProtocolOutcome::Status::Ran) << agree.diagnostics;
  EXPECT_TRUE(agree.mismatches.empty());
  EXPECT_GT(agree.courseProduced, 50u);
  EXPECT_GT(agree.courseUnreachable, 20u);
  EXPECT_GT(agree.courseRecords - agree.courseUnreachable, 50u);

  options.editTable = [](carepath::backends::TableMetadata &meta) {
    ASSERT_EQ(meta.courseStates.size(), 1u);
    auto &states = meta.courseStates[0].states;
    ASSERT_FALSE(states.empty());
    states.erase(states.begin());  // the fresh patient's state, found first
  };
  ProtocolOutcome tooMany = runProtocol("flagged.care", text, 1, options);
  EXPECT_GT(tooMany.mismatches["runtime-vs-ir/course-state-unreachable"], 0u);

  options.editTable = [](carepath::backends::TableMetadata &meta) { meta.courseStates.clear(); };
  ProtocolOutcome none = runProtocol("flagged.care", text, 1, options);
  EXPECT_GT(none.mismatches["runtime-vs-ir/course-state-unreachable"], 0u);
}
