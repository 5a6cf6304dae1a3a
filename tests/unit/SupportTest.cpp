// The support library (support/): SHA-256 against the FIPS 180-4 / NIST
// CAVP example vectors, the strict UTF-8 decoder on the edge cases of
// RFC 3629, the one quantity display rule, and edit distance.
#include <gtest/gtest.h>

#include "carepath/Quantity.h"
#include "carepath/Sha256.h"
#include "carepath/Units.h"
#include "carepath/Suggest.h"
#include "carepath/Utf8.h"

namespace {
using namespace carepath;

TEST(SupportSha256, FipsVectors) {
  EXPECT_EQ(Sha256::hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256::hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256::hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(Sha256::hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(SupportSha256, IncrementalEqualsOneShot) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>('a' + i % 26);
  for (size_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 500u, 1000u}) {
    Sha256 s;
    s.update(std::string_view(text).substr(0, split));
    s.update(std::string_view(text).substr(split));
    std::string hex;
    for (uint8_t b : s.finish()) { char buf[3]; snprintf(buf, sizeof buf, "%02x", b); hex += buf; }
    EXPECT_EQ(hex, Sha256::hex(text)) << "split at " << split;
  }
}

// The code point of the whole of `bytes` as one character, or -1 when it
// is not exactly one well-formed character.
long one(std::string_view bytes) {
  Utf8Char c = decodeUtf8(bytes, 0);
  return c.length == bytes.size() && c.length != 0 ? static_cast<long>(c.codePoint) : -1;
}

TEST(SupportUtf8, DecodesTheBoundariesOfEachLength) {
  EXPECT_EQ(one(std::string_view("\0", 1)), 0x0);
  EXPECT_EQ(one("\x7F"), 0x7F);
  EXPECT_EQ(one("\xC2\x80"), 0x80);
  EXPECT_EQ(one("\xDF\xBF"), 0x7FF);
  EXPECT_EQ(one("\xE0\xA0\x80"), 0x800);
  EXPECT_EQ(one("\xED\x9F\xBF"), 0xD7FF);      // just below the surrogates
  EXPECT_EQ(one("\xEE\x80\x80"), 0xE000);      // just above them
  EXPECT_EQ(one("\xEF\xBF\xBF"), 0xFFFF);
  EXPECT_EQ(one("\xF0\x90\x80\x80"), 0x10000);
  EXPECT_EQ(one("\xF4\x8F\xBF\xBF"), 0x10FFFF);
}

TEST(SupportUtf8, RejectsOverlongForms) {
  EXPECT_EQ(one("\xC0\xAF"), -1);          // '/' in two bytes
  EXPECT_EQ(one("\xC1\xBF"), -1);          // 0x7F in two bytes
  EXPECT_EQ(one("\xE0\x80\xAF"), -1);      // '/' in three bytes
  EXPECT_EQ(one("\xE0\x9F\xBF"), -1);      // 0x7FF in three bytes
  EXPECT_EQ(one("\xF0\x80\x80\xAF"), -1);  // '/' in four bytes
  EXPECT_EQ(one("\xF0\x8F\xBF\xBF"), -1);  // 0xFFFF in four bytes
}

TEST(SupportUtf8, RejectsSurrogatesAndBeyondUnicode) {
  EXPECT_EQ(one("\xED\xA0\x80"), -1);      // U+D800
  EXPECT_EQ(one("\xED\xBF\xBF"), -1);      // U+DFFF
  EXPECT_EQ(one("\xF4\x90\x80\x80"), -1);  // U+110000
  EXPECT_EQ(one("\xF5\x80\x80\x80"), -1);
  EXPECT_EQ(one("\xFF"), -1);
  EXPECT_EQ(one("\xFE"), -1);
}

TEST(SupportUtf8, RejectsBrokenSequences) {
  EXPECT_EQ(one("\x80"), -1);      // a continuation byte alone
  EXPECT_EQ(one("\xBF"), -1);
  EXPECT_EQ(one("\xC3"), -1);      // truncated at the end of the text
  EXPECT_EQ(one("\xE2\x82"), -1);
  EXPECT_EQ(one("\xF0\x9F\x98"), -1);
  EXPECT_EQ(one("\xC3\x41"), -1);  // a lead byte followed by ASCII
  EXPECT_EQ(one("\xE2\x28\xA1"), -1);
  // Decoding stops at the end of the view, not at a NUL.
  EXPECT_EQ(decodeUtf8(std::string_view("\xE2\x82\xAC", 2), 0).length, 0u);
  EXPECT_EQ(decodeUtf8("a\xE2\x82\xAC", 1).length, 3u);
  EXPECT_EQ(decodeUtf8("a\xE2\x82\xAC", 1).codePoint, U'\u20AC');
}

TEST(SupportQuantity, OneRoundingRule) {
  EXPECT_EQ(formatDecimal(Rational(420)), "420");
  EXPECT_EQ(formatDecimal(Rational(-5, 2)), "-2.5");
  EXPECT_EQ(formatDecimal(Rational(1, 1000000)), "0.000001");
  // Not exact in 6 digits: rounded half away from zero, the fraction follows.
  EXPECT_EQ(formatDecimal(Rational(1000, 3)), "333.333333 (exactly 1000/3)");
  EXPECT_EQ(formatDecimal(Rational(2, 3)), "0.666667 (exactly 2/3)");
  EXPECT_EQ(formatDecimal(Rational(-2, 3)), "-0.666667 (exactly -2/3)");
  EXPECT_EQ(formatDecimal(Rational(1, 2000000)), "0.000001 (exactly 1/2000000)");
  EXPECT_EQ(formatDecimal(Rational(1, 3000000)), "0 (exactly 1/3000000)");
}

TEST(SupportQuantity, ConvertsToTheUnit) {
  EXPECT_EQ(formatQuantity(Rational(14350000), Rational(1000000), "kg"), "14.35 kg");
  EXPECT_EQ(formatQuantity(Rational(500000, 7), Rational(1000), "mg/kg"), "71.428571 (exactly 500/7) mg/kg");
  EXPECT_EQ(formatQuantity(Rational(3), Rational(1), ""), "3");
  EXPECT_EQ(formatQuantity(Rational(3), Rational(0), "kg"), "3 kg");  // no factor: no conversion
}

TEST(SupportSuggest, EditDistanceAndClosestMatch) {
  EXPECT_EQ(editDistance("", ""), 0u);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(editDistance("weight", "wieght"), 2u);
  EXPECT_EQ(closestMatch("wieght", {"age", "weight", "fever"}, 3), "weight");
  EXPECT_EQ(closestMatch("wieght", {"age", "weight"}, 2), "");       // too far
  EXPECT_EQ(closestMatch("age", {"age", "agr"}, 3), "agr");          // never the word itself
}

// ------------------------------------------------------------------ units

TEST(SupportUnits, DimensionsPrintAndParseBack) {
  using carepath::units::Dims;
  for (const Dims &d : {Dims{}, Dims{{"mass", 1}}, Dims{{"mass", 1}, {"volume", -1}}, Dims{{"duration", -1}},
                        Dims{{"mass", 2}, {"volume", 1}, {"duration", -3}}}) {
    std::string text = carepath::units::dimsString(d);
    auto back = carepath::units::parseDims(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, d) << text;
  }
  EXPECT_EQ(carepath::units::dimsString({{"mass", 1}, {"volume", -1}}), "mass/volume");
  EXPECT_EQ(*carepath::units::parseDims(""), Dims{});
  for (const char *bad : {"mass/", "/mass", "mass/volume*duration", "mass^0", "ma ss", "mass^x"})
    EXPECT_FALSE(carepath::units::parseDims(bad)) << bad;
}

TEST(SupportUnits, SplitUnit) {
  using V = std::vector<std::string>;
  EXPECT_EQ(*carepath::units::splitUnit("mg/kg/day"), (V{"mg", "kg", "day"}));
  EXPECT_EQ(*carepath::units::splitUnit(" mmol / L "), (V{"mmol", "L"}));
  EXPECT_EQ(*carepath::units::splitUnit("mm[Hg]"), (V{"mm[Hg]"}));
  for (const char *bad : {"", " ", "mg/", "/L", "mg//L"}) EXPECT_FALSE(carepath::units::splitUnit(bad)) << bad;
}

TEST(SupportUnits, ComposeDividesLeftToRightAndKeepsUcum) {
  using carepath::units::UnitDef;
  std::map<std::string, UnitDef> cat = {
      {"mg", {"mg", {{"mass", 1}}, 1, 0, "mg"}},
      {"kg", {"kg", {{"mass", 1}}, 1000000, 0, "kg"}},
      {"day", {"day", {{"duration", 1}}, 24, 0, "d"}},
      {"dose", {"dose", {}, 1, 0, ""}},
      {"degC", {"degC", {{"temperature", 1}}, 1, Rational(5463, 20), "Cel"}},
  };
  auto lookup = [&](const std::string &n) -> const UnitDef * {
    auto it = cat.find(n);
    return it == cat.end() ? nullptr : &it->second;
  };
  auto c = carepath::units::compose({"mg", "kg", "day"}, lookup);
  ASSERT_TRUE(c);
  EXPECT_EQ(c.unit->name, "mg/kg/day");
  EXPECT_EQ(c.unit->ucum, "mg/kg/d");
  EXPECT_EQ(c.unit->factor, Rational(1, 24000000));
  EXPECT_EQ(carepath::units::dimsString(c.unit->dims), "1/duration");
  // One atom without a UCUM code: the compound has none.
  EXPECT_EQ(carepath::units::compose({"mg", "dose"}, lookup).unit->ucum, "");
  auto unknown = carepath::units::compose({"mg", "furlong"}, lookup);
  EXPECT_EQ(unknown.error, carepath::units::Composition::Error::Unknown);
  EXPECT_EQ(unknown.atom, "furlong");
  // An affine unit alone is a unit; inside a compound it is refused.
  auto alone = carepath::units::compose({"degC"}, lookup);
  ASSERT_TRUE(alone);
  EXPECT_EQ(alone.unit->toCanonical(Rational(385, 10)), Rational(31165, 100));
  EXPECT_EQ(alone.unit->fromCanonical(Rational(31165, 100)), Rational(385, 10));
  auto perHour = carepath::units::compose({"degC", "day"}, lookup);
  EXPECT_EQ(perHour.error, carepath::units::Composition::Error::AffineInCompound);
  EXPECT_EQ(perHour.atom, "degC");
}

TEST(SupportUnits, ConversionThroughASubstanceRatio) {
  using carepath::units::Dims;
  // Glucose: 1 mmol is 180.156 mg.
  std::vector<carepath::units::Ratio> glucose = {{"mass", "amount", Rational(45039, 250)}};
  Dims molar = {{"amount", 1}, {"volume", -1}}, mass = {{"mass", 1}, {"volume", -1}};
  EXPECT_EQ(*carepath::units::conversionFactor(molar, mass, glucose), Rational(45039, 250));
  EXPECT_EQ(*carepath::units::conversionFactor(mass, molar, glucose), Rational(250, 45039));
  EXPECT_EQ(*carepath::units::conversionFactor(mass, mass, {}), Rational(1));
  EXPECT_FALSE(carepath::units::conversionFactor(molar, mass, {}));
  // amount/mass is not mass/volume, whatever the substance.
  EXPECT_FALSE(carepath::units::conversionFactor({{"amount", 1}, {"mass", -1}}, mass, glucose));
}

}  // namespace
