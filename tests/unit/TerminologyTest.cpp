// The check digits of terminology codes (ir/Terminology.h) on codes whose
// digits are published: the algorithms' own worked examples, then real
// codes, each with its check digit changed.
#include <gtest/gtest.h>

#include "ir/Terminology.h"

using namespace carepath::ir::terminology;

namespace {

std::string check(const char *system, const std::string &code) { return checkCode(*findSystem(system), code); }

TEST(Terminology, LoincMod10) {
  // LOINC Users' Guide, "Calculating Mod 10 Check Digits": 5 for 12345.
  EXPECT_EQ(loincCheckDigit("12345"), 5);
  EXPECT_EQ(loincCheckDigit("29463"), 7);  // 29463-7 Body weight
  EXPECT_EQ(loincCheckDigit("8310"), 5);   // 8310-5 Body temperature
  EXPECT_EQ(check("loinc", "29463-7"), "");
  EXPECT_EQ(check("loinc", "8310-5"), "");
  EXPECT_EQ(check("loinc", "29463-8"), "its check digit should be 7, not 8 (LOINC's mod-10 check)");
  // Two digits swapped: the check catches it.
  EXPECT_NE(check("loinc", "24963-7"), "");
  // One of the 14 deprecated codes the Users' Guide lists with a wrong check
  // digit (computed 8): refused like any other.
  EXPECT_EQ(check("loinc", "11491-6"), "its check digit should be 8, not 6 (LOINC's mod-10 check)");
  EXPECT_NE(check("loinc", "29463"), "");
  EXPECT_NE(check("loinc", "-7"), "");
  EXPECT_NE(check("loinc", "2946a-7"), "");
  EXPECT_NE(check("loinc", "12345678-4"), "");
}

TEST(Terminology, SnomedVerhoeff) {
  // SNOMED CT concepts: intravenous route, oral route, clinical finding.
  for (const char *ok : {"47625008", "26643006", "404684003", "138875005"}) EXPECT_EQ(check("snomed", ok), "") << ok;
  EXPECT_EQ(verhoeffCheckDigit("4762500"), 8);
  EXPECT_EQ(check("snomed", "47625007"), "its check digit should be 8, not 7 (SNOMED CT's Verhoeff check)");
  // A swap of two adjacent digits, which a mod-10 sum would miss.
  EXPECT_NE(check("snomed", "74625008"), "");
  // Partition 01 is a description's identifier, not a concept's.
  EXPECT_NE(check("snomed", "47625018").find("partition identifier"), std::string::npos);
  EXPECT_NE(check("snomed", "04762508"), "");
  EXPECT_NE(check("snomed", "12345"), "");
  EXPECT_NE(check("snomed", "1234567890123456789"), "");
}

TEST(Terminology, RxnormAndAtc) {
  EXPECT_EQ(check("rxnorm", "6902"), "");
  EXPECT_NE(check("rxnorm", "69O2"), "");
  EXPECT_NE(check("rxnorm", "06902"), "");
  for (const char *ok : {"L04AC07", "L04AC", "L04A", "L04", "L", "N02BE01"}) EXPECT_EQ(check("atc", ok), "") << ok;
  for (const char *bad : {"L04AC7", "X04", "L4", "L04a", "L04AC071", ""}) EXPECT_NE(check("atc", bad), "") << bad;
}

TEST(Terminology, Systems) {
  ASSERT_NE(findSystem("snomed"), nullptr);
  EXPECT_STREQ(findSystem("loinc")->uri, "http://loinc.org");
  EXPECT_EQ(findSystemByUri("http://snomed.info/sct"), findSystem("snomed"));
  EXPECT_EQ(findSystem("icd10"), nullptr);
}

}  // namespace
