#include "ir/Terminology.h"

#include <algorithm>

namespace carepath::ir::terminology {

namespace {

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

std::string checkLoinc(const std::string &code) {
  size_t dash = code.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 2 != code.size() || !allDigits(code.substr(0, dash)) ||
      !digit(code.back()))
    return "a LOINC code is digits, a hyphen and one check digit ('29463-7')";
  if (dash > 7) return "a LOINC code has at most 7 digits before its check digit";
  int expected = loincCheckDigit(std::string_view(code).substr(0, dash));
  if (code.back() - '0' != expected)
    return "its check digit should be " + std::to_string(expected) + ", not " + code.back() +
           " (LOINC's mod-10 check)";
  return "";
}

std::string checkSnomed(const std::string &code) {
  if (!allDigits(code)) return "an SCTID is digits only ('404684003')";
  if (code[0] == '0') return "an SCTID does not start with 0";
  if (code.size() < 6 || code.size() > 18)
    return "an SCTID has 6 to 18 digits, not " + std::to_string(code.size());
  // The two digits before the check digit: 0 concept, 1 description, 2
  // relationship; then 0 short (international) or 1 long (namespace) format.
  std::string partition = code.substr(code.size() - 3, 2);
  if (partition != "00" && partition != "10")
    return "its partition identifier (the two digits before the last) is " + partition +
           ", which is not a concept's (00 or 10)";
  int expected = verhoeffCheckDigit(std::string_view(code).substr(0, code.size() - 1));
  if (code.back() - '0' != expected)
    return "its check digit should be " + std::to_string(expected) + ", not " + code.back() +
           " (SNOMED CT's Verhoeff check)";
  return "";
}

std::string checkRxnorm(const std::string &code) {
  if (!allDigits(code)) return "an RxNorm concept id (RXCUI) is digits only ('6902')";
  if (code[0] == '0') return "an RxNorm concept id (RXCUI) does not start with 0";
  if (code.size() > 10) return "an RxNorm concept id (RXCUI) has at most 10 digits";
  return "";
}

std::string checkAtc(const std::string &code) {
  // Levels: L, L04, L04A, L04AC, L04AC07 (WHOCC, "Structure and principles").
  static const std::string groups = "ABCDGHJLMNPRSV";
  bool ok = !code.empty() && groups.find(code[0]) != std::string::npos;
  size_t n = code.size();
  ok = ok && (n == 1 || n == 3 || n == 4 || n == 5 || n == 7);
  if (ok && n >= 3) ok = digit(code[1]) && digit(code[2]);
  if (ok && n >= 4) ok = upper(code[3]);
  if (ok && n >= 5) ok = upper(code[4]);
  if (ok && n == 7) ok = digit(code[5]) && digit(code[6]);
  if (!ok)
    return "an ATC code is an anatomical main group letter (A, B, C, D, G, H, J, L, M, N, P, R, S or V), then two "
           "digits, a letter, a letter and two digits, or a leading part of that ('L04AC07', 'L04')";
  return "";
}

}  // namespace

const std::vector<System> &systems() {
  static const std::vector<System> list = {
      {"snomed", "http://snomed.info/sct", "SNOMED CT"},
      {"loinc", "http://loinc.org", "LOINC"},
      {"rxnorm", "http://www.nlm.nih.gov/research/umls/rxnorm", "RxNorm"},
      {"atc", "http://www.whocc.no/atc", "ATC"},
  };
  return list;
}

const System *findSystem(std::string_view keyword) {
  for (const System &s : systems())
    if (keyword == s.keyword) return &s;
  return nullptr;
}

const System *findSystemByUri(std::string_view uri) {
  for (const System &s : systems())
    if (uri == s.uri) return &s;
  return nullptr;
}

std::string checkCode(const System &system, const std::string &code) {
  std::string_view k = system.keyword;
  if (k == "loinc") return checkLoinc(code);
  if (k == "snomed") return checkSnomed(code);
  if (k == "rxnorm") return checkRxnorm(code);
  return checkAtc(code);
}

int loincCheckDigit(std::string_view digits) {
  // Luhn: from the right, every other digit (the 1st, 3rd, ...) doubled,
  // the digits of the results summed with the others; what makes the sum
  // a multiple of 10.
  int sum = 0;
  bool doubled = true;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, doubled = !doubled) {
    int d = *it - '0';
    if (doubled) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return (10 - sum % 10) % 10;
}

int verhoeffCheckDigit(std::string_view digits) {
  static const int d[10][10] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6},
      {3, 4, 0, 1, 2, 8, 9, 5, 6, 7}, {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
      {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3}, {8, 7, 6, 5, 9, 3, 2, 1, 0, 4},
      {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
  static const int inverse[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};
  // F(0) is the identity, F(1) the permutation below, F(i) = F(i-1) after F(1).
  static const int f1[10] = {1, 5, 7, 6, 2, 8, 3, 0, 9, 4};
  int c = 0;
  size_t pos = 1;  // the check digit will be position 0, from the right
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++pos) {
    int x = *it - '0';
    for (size_t k = 0; k < pos % 8; ++k) x = f1[x];
    c = d[c][x];
  }
  return inverse[c];
}

}  // namespace carepath::ir::terminology
