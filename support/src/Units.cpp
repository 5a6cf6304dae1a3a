#include "carepath/Units.h"

#include <cctype>

namespace carepath::units {

namespace {
void add(Dims &d, const std::string &k, int v) {
  if ((d[k] += v) == 0) d.erase(k);
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}
}  // namespace

Dims multiply(const Dims &a, const Dims &b) {
  Dims r = a;
  for (const auto &[k, v] : b) add(r, k, v);
  return r;
}

Dims divide(const Dims &a, const Dims &b) {
  Dims r = a;
  for (const auto &[k, v] : b) add(r, k, -v);
  return r;
}

std::string dimsString(const Dims &d) {
  if (d.empty()) return "1";
  std::string num, den;
  auto term = [](const std::string &name, int e) { return e == 1 ? name : name + "^" + std::to_string(e); };
  for (const auto &[k, v] : d) {
    if (v > 0) num += (num.empty() ? "" : "*") + term(k, v);
    else den += "/" + term(k, -v);
  }
  return (num.empty() ? "1" : num) + den;
}

std::optional<Dims> parseDims(std::string_view text) {
  Dims d;
  if (text.empty() || text == "1") return d;
  // Terms separated by '*' (numerator, before the first '/') or '/'.
  bool denominator = false;
  size_t i = 0;
  bool first = true;
  while (i <= text.size()) {
    size_t end = text.find_first_of("*/", i);
    std::string_view term = text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (term.empty()) return std::nullopt;
    if (!(first && term == "1")) {
      int exp = 1;
      std::string_view name = term;
      if (size_t caret = term.find('^'); caret != std::string_view::npos) {
        name = term.substr(0, caret);
        std::string_view e = term.substr(caret + 1);
        if (e.empty() || e.size() > 3) return std::nullopt;
        exp = 0;
        for (char c : e) {
          if (c < '0' || c > '9') return std::nullopt;
          exp = exp * 10 + (c - '0');
        }
        if (exp == 0) return std::nullopt;
      }
      if (name.empty()) return std::nullopt;
      for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
      add(d, std::string(name), denominator ? -exp : exp);
    }
    first = false;
    if (end == std::string_view::npos) break;
    if (text[end] == '/') denominator = true;
    else if (denominator) return std::nullopt;  // '*' after '/' is not dimsString's form
    i = end + 1;
  }
  return d;
}

std::optional<std::vector<std::string>> splitUnit(std::string_view text) {
  std::vector<std::string> atoms;
  size_t i = 0;
  while (true) {
    size_t end = text.find('/', i);
    std::string_view atom = trimmed(text.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
    if (atom.empty()) return std::nullopt;
    atoms.emplace_back(atom);
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return atoms;
}

Composition compose(const std::vector<std::string> &atoms, const UnitLookup &lookup) {
  Composition c;
  if (atoms.empty()) {
    c.error = Composition::Error::Unknown;
    return c;
  }
  UnitDef result;
  bool allUcum = true;
  for (size_t i = 0; i < atoms.size(); ++i) {
    const UnitDef *u = lookup(atoms[i]);
    if (!u) {
      c.error = Composition::Error::Unknown;
      c.atom = atoms[i];
      return c;
    }
    if (u->affine() && atoms.size() > 1) {
      c.error = Composition::Error::AffineInCompound;
      c.atom = atoms[i];
      return c;
    }
    allUcum = allUcum && !u->ucum.empty();
    if (i == 0) {
      result = *u;
      result.name = atoms[i];  // as written (a UCUM code stays a UCUM code)
      continue;
    }
    result.name += "/" + atoms[i];
    result.dims = divide(result.dims, u->dims);
    result.factor = result.factor / u->factor;
    result.ucum += "/" + u->ucum;
  }
  if (!allUcum) result.ucum.clear();
  c.unit = std::move(result);
  return c;
}

std::optional<Rational> conversionFactor(const Dims &from, const Dims &to, const std::vector<Ratio> &ratios) {
  Dims q = divide(from, to);
  if (q.empty()) return Rational(1);
  if (q.size() != 2) return std::nullopt;
  for (const Ratio &r : ratios) {
    auto per = q.find(r.per), of = q.find(r.of);
    if (per == q.end() || of == q.end() || per->second != -of->second) continue;
    // `from` has per^k where `to` has of^k: each `per` is `factor` of `of`.
    int k = per->second;
    Rational f = 1;
    for (int i = 0; i < (k < 0 ? -k : k); ++i) f *= r.factor;
    return k > 0 ? f : Rational(1) / f;
  }
  return std::nullopt;
}

}  // namespace carepath::units
