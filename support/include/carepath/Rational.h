// Exact rational numbers for quantities. Guidelines are written in decimals
// ("14.5 kg", "0.4 g/kg"); doses computed from them must be exact, so the
// toolchain never uses floating point for clinical values. Numerator and
// denominator are 64-bit; intermediate products use 128 bits and an
// overflow throws RationalOverflow instead of silently wrapping.
#pragma once

#include <compare>
#include <cstdint>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace carepath {

struct RationalOverflow : std::overflow_error {
  RationalOverflow() : std::overflow_error("exact arithmetic overflow (number too large or too precise)") {}
};
struct RationalDivisionByZero : std::domain_error {
  RationalDivisionByZero() : std::domain_error("division by zero") {}
};

class Rational {
public:
  constexpr Rational() = default;
  constexpr Rational(int64_t n) : num_(n), den_(1) {}  // NOLINT: implicit from integers
  Rational(int64_t n, int64_t d) { *this = make(n, d); }

  int64_t num() const { return num_; }
  int64_t den() const { return den_; }
  bool isInteger() const { return den_ == 1; }
  bool isZero() const { return num_ == 0; }
  int sign() const { return (num_ > 0) - (num_ < 0); }

  friend Rational operator+(const Rational &a, const Rational &b) {
    if (a.den_ == b.den_) return fromWide(static_cast<__int128>(a.num_) + b.num_, a.den_);
    return fromWide(static_cast<__int128>(a.num_) * b.den_ + static_cast<__int128>(b.num_) * a.den_,
                    static_cast<__int128>(a.den_) * b.den_);
  }
  friend Rational operator-(const Rational &a, const Rational &b) { return a + (-b); }
  friend Rational operator*(const Rational &a, const Rational &b) {
    return fromWide(static_cast<__int128>(a.num_) * b.num_, static_cast<__int128>(a.den_) * b.den_);
  }
  friend Rational operator/(const Rational &a, const Rational &b) {
    if (b.num_ == 0) throw RationalDivisionByZero();
    return fromWide(static_cast<__int128>(a.num_) * b.den_, static_cast<__int128>(a.den_) * b.num_);
  }
  Rational operator-() const {
    if (num_ == INT64_MIN) throw RationalOverflow();
    Rational r;
    r.num_ = -num_;
    r.den_ = den_;
    return r;
  }
  Rational &operator+=(const Rational &o) { return *this = *this + o; }
  Rational &operator-=(const Rational &o) { return *this = *this - o; }
  Rational &operator*=(const Rational &o) { return *this = *this * o; }
  Rational &operator/=(const Rational &o) { return *this = *this / o; }

  friend bool operator==(const Rational &a, const Rational &b) { return a.num_ == b.num_ && a.den_ == b.den_; }
  friend std::strong_ordering operator<=>(const Rational &a, const Rational &b) {
    if (a.den_ == b.den_) return a.num_ <=> b.num_;
    __int128 l = static_cast<__int128>(a.num_) * b.den_, r = static_cast<__int128>(b.num_) * a.den_;
    return l <=> r;
  }

  /// "7", "-3/4": exact, round-trips through parse().
  std::string str() const {
    return den_ == 1 ? std::to_string(num_) : std::to_string(num_) + "/" + std::to_string(den_);
  }
  /// Decimal rendering for display, rounded half away from zero to at most
  /// `digits` fractional digits, trailing zeros dropped ("0.333", "420").
  std::string decimal(int digits = 6) const {
    __int128 scale = 1;
    for (int i = 0; i < digits; ++i) scale *= 10;
    __int128 n = num_, d = den_;
    bool neg = n < 0;
    if (neg) n = -n;
    __int128 scaled = (n * scale * 2 + d) / (2 * d);  // round half up on magnitude
    __int128 ip = scaled / scale, fp = scaled % scale;
    std::string s = neg && scaled != 0 ? "-" : "";
    s += wideToString(ip);
    if (fp != 0) {
      std::string f = wideToString(fp);
      f.insert(0, static_cast<size_t>(digits) - f.size(), '0');
      while (!f.empty() && f.back() == '0') f.pop_back();
      s += "." + f;
    }
    return s;
  }
  /// Whether decimal(digits) is exact.
  bool isDecimalExact(int digits) const {
    int64_t d = den_;
    int twos = 0, fives = 0;
    while (d % 2 == 0) { d /= 2; ++twos; }
    while (d % 5 == 0) { d /= 5; ++fives; }
    return d == 1 && twos <= digits && fives <= digits;
  }
  double toDouble() const { return static_cast<double>(num_) / static_cast<double>(den_); }

  /// Parses "12", "-0.25", "3/4", "1.5e3" is not accepted. Returns nullopt on
  /// malformed text; throws RationalOverflow when too many digits.
  static std::optional<Rational> parse(std::string_view text) {
    if (text.empty()) return std::nullopt;
    bool neg = false;
    size_t i = 0;
    if (text[0] == '-' || text[0] == '+') { neg = text[0] == '-'; i = 1; }
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
      auto n = parse(text.substr(0, slash)), d = parse(text.substr(slash + 1));
      if (!n || !d || !n->isInteger() || !d->isInteger() || d->num_ <= 0) return std::nullopt;
      return *n / *d;
    }
    __int128 n = 0, d = 1;
    bool digits = false, dot = false, fracDigits = false;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c >= '0' && c <= '9') {
        n = n * 10 + (c - '0');
        if (dot) { d *= 10; fracDigits = true; }
        digits = true;
        if (n > INT64_MAX || d > INT64_MAX) throw RationalOverflow();
      } else if (c == '.' && !dot) {
        dot = true;
      } else {
        return std::nullopt;
      }
    }
    if (!digits || (dot && !fracDigits)) return std::nullopt;
    return decimal(neg ? -n : n, d);
  }

private:
  static Rational make(int64_t n, int64_t d) { return fromWide(n, d); }
  /// n / d where d is a power of ten (a parsed decimal): their common
  /// factors can only be 2s and 5s, removed by constant divisions (fast)
  /// instead of a gcd.
  static Rational decimal(__int128 n, __int128 d) {
    if (n > INT64_MAX || n < -INT64_MAX || d > INT64_MAX) return fromWide(n, d);
    auto a = static_cast<int64_t>(n), b = static_cast<int64_t>(d);
    if (a == 0) b = 1;
    while (b > 1 && a % 10 == 0) { a /= 10; b /= 10; }
    while (b > 1 && b % 2 == 0 && a % 2 == 0) { a /= 2; b /= 2; }
    while (b > 1 && b % 5 == 0 && a % 5 == 0) { a /= 5; b /= 5; }
    Rational r;
    r.num_ = a;
    r.den_ = b;
    return r;
  }
  static __int128 gcd128(__int128 a, __int128 b) {
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b != 0) { __int128 t = a % b; a = b; b = t; }
    return a;
  }
  static Rational fromWide(__int128 n, __int128 d) {
    if (d == 0) throw RationalDivisionByZero();
    if (d < 0) { n = -n; d = -d; }
    // Most values fit in 64 bits: reduce them with 64-bit division, which
    // the hardware does (128-bit division is a library call, __modti3).
    if (n <= INT64_MAX && n >= -INT64_MAX && d <= INT64_MAX) {
      auto a = static_cast<int64_t>(n), b = static_cast<int64_t>(d);
      if (b != 1) {
        int64_t g = static_cast<int64_t>(std::gcd(static_cast<uint64_t>(a < 0 ? -a : a), static_cast<uint64_t>(b)));
        if (g > 1) { a /= g; b /= g; }
      }
      Rational r;
      r.num_ = a;
      r.den_ = b;
      return r;
    }
    __int128 g = gcd128(n, d);
    if (g > 1) { n /= g; d /= g; }
    if (n > INT64_MAX || n < -INT64_MAX || d > INT64_MAX) throw RationalOverflow();
    Rational r;
    r.num_ = static_cast<int64_t>(n);
    r.den_ = static_cast<int64_t>(d);
    return r;
  }
  static std::string wideToString(__int128 v) {
    if (v == 0) return "0";
    std::string s;
    bool neg = v < 0;
    if (neg) v = -v;
    while (v > 0) { s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10))); v /= 10; }
    return neg ? "-" + s : s;
  }

  int64_t num_ = 0;
  int64_t den_ = 1;
};

}  // namespace carepath
