// What the conformance runners share (conformance/README.md, "Format of
// cases/NAME.json"): the names of patient problems, exact amounts, and the
// normal form in which an expectation and an observation are compared.
// The C API runner and the C++ API runner observe through their own API
// and compare the same way.
#pragma once

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace conformance {

using nlohmann::json;

/// carepath_problem's names without CAREPATH_PROBLEM_, by value (the C++
/// PatientError::Kind is in the same order, from MALFORMED).
inline const char *const kProblems[] = {"NONE", "MALFORMED", "UNKNOWN_INPUT", "DUPLICATE", "MISSING",
                                        "WRONG_TYPE", "UNKNOWN_MEMBER", "NOT_A_NUMBER", "UNKNOWN_UNIT",
                                        "WRONG_DIMENSION", "NOT_INTEGER", "OUT_OF_RANGE", "TOO_LARGE"};

inline std::string fraction(int64_t num, int64_t den) {
  int64_t g = std::gcd(num, den);
  if (g != 0) num /= g, den /= g;
  if (den < 0) num = -num, den = -den;
  return den == 1 ? std::to_string(num) : std::to_string(num) + "/" + std::to_string(den);
}

/// "14000/3", "420", "292.5" -> the reduced "num/den" (the suite's amounts
/// are exact: a decimal is its own exact value).
inline std::string exact(const std::string &text) {
  size_t slash = text.find('/');
  if (slash != std::string::npos) return fraction(std::stoll(text.substr(0, slash)), std::stoll(text.substr(slash + 1)));
  size_t dot = text.find('.');
  if (dot == std::string::npos) return fraction(std::stoll(text), 1);
  std::string digits = text.substr(0, dot) + text.substr(dot + 1);
  int64_t den = 1;
  for (size_t i = dot + 1; i < text.size(); ++i) den *= 10;
  return fraction(std::stoll(digits), den);
}

/// An expectation or an observation in the compared form: amounts reduced,
/// problems sorted (one detail per problem, in no promised order).
inline json normalize(json j) {
  if (j.contains("problems")) {
    std::vector<json> p = j["problems"].get<std::vector<json>>();
    std::sort(p.begin(), p.end(), [](const json &a, const json &b) {
      return std::make_pair(a.value("input", ""), a.value("problem", "")) <
             std::make_pair(b.value("input", ""), b.value("problem", ""));
    });
    j["problems"] = p;
  }
  if (j.contains("actions"))
    for (json &a : j["actions"])
      for (const char *k : {"amount", "low", "high"})
        if (a.contains(k)) a[k] = exact(a[k].get<std::string>());
  return j;
}

}  // namespace conformance
