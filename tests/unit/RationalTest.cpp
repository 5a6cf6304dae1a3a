#include "carepath/Rational.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>

using carepath::Rational;

TEST(Rational, NormalisesSignAndGcd) {
  Rational r(6, -8);
  EXPECT_EQ(r.num(), -3);
  EXPECT_EQ(r.den(), 4);
  EXPECT_EQ(r.str(), "-3/4");
}

TEST(Rational, ParsesDecimalsExactly) {
  EXPECT_EQ(*Rational::parse("14.35"), Rational(287, 20));
  EXPECT_EQ(*Rational::parse("0.001"), Rational(1, 1000));
  EXPECT_EQ(*Rational::parse("-2.50"), Rational(-5, 2));
  EXPECT_EQ(*Rational::parse("3/4"), Rational(3, 4));
  EXPECT_FALSE(Rational::parse("1.").has_value());
  EXPECT_FALSE(Rational::parse("abc").has_value());
  EXPECT_FALSE(Rational::parse("").has_value());
  EXPECT_THROW(Rational::parse("123456789012345678901234567890"), carepath::RationalOverflow);
}

// A parsed decimal n / 10^k is reduced without a gcd (only 2s and 5s can be
// shared): every such value must still come out in lowest terms.
TEST(Rational, ParsedDecimalsAreInLowestTerms) {
  for (int64_t n = -2100; n <= 2100; ++n)
    for (int k = 0; k <= 4; ++k) {
      std::string digits = std::to_string(n < 0 ? -n : n);
      if (k > 0) {
        digits.insert(0, static_cast<size_t>(std::max<int>(0, k + 1 - static_cast<int>(digits.size()))), '0');
        digits.insert(digits.size() - static_cast<size_t>(k), ".");
      }
      std::string text = (n < 0 ? "-" : "") + digits;
      std::optional<Rational> r = Rational::parse(text);
      ASSERT_TRUE(r) << text;
      int64_t den = 1;
      for (int i = 0; i < k; ++i) den *= 10;
      int64_t g = std::gcd(n < 0 ? -n : n, den);
      EXPECT_EQ(r->num(), n / g) << text;
      EXPECT_EQ(r->den(), den / g) << text;
    }
}

TEST(Rational, ArithmeticIsExact) {
  Rational tenth = *Rational::parse("0.1");
  EXPECT_EQ(tenth + tenth + tenth, *Rational::parse("0.3"));  // never 0.30000000000000004
  EXPECT_EQ(Rational(30) * Rational(14), Rational(420));
  EXPECT_EQ(Rational(1) / Rational(3) * Rational(3), Rational(1));
  EXPECT_LT(Rational(1, 3), Rational(334, 1000));
  EXPECT_THROW(Rational(1) / Rational(0), carepath::RationalDivisionByZero);
}

TEST(Rational, OverflowIsReportedNotWrapped) {
  Rational big(INT64_MAX / 2);
  EXPECT_THROW(big * Rational(4), carepath::RationalOverflow);
  EXPECT_THROW(Rational(1, INT64_MAX / 3) * Rational(1, 7), carepath::RationalOverflow);
}

TEST(Rational, DecimalDisplayRoundsOnlyForShow) {
  EXPECT_EQ(Rational(1, 3).decimal(3), "0.333");
  EXPECT_EQ(Rational(2, 3).decimal(3), "0.667");
  EXPECT_EQ(Rational(420).decimal(), "420");
  EXPECT_EQ(Rational(-5, 2).decimal(), "-2.5");
  EXPECT_TRUE(Rational(1, 8).isDecimalExact(3));
  EXPECT_FALSE(Rational(1, 3).isDecimalExact(6));
}

