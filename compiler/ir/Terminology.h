// Terminology code systems a protocol's `code` declarations may name
// (docs/language.md, "Terminology codes"), and the well-formedness check of
// a code in each: its shape and, where the system defines one, its check
// digit, which is how a typo or an invented code is caught. Nothing here
// says a code exists or means what its display says: that is what the
// citation of a `code` declaration is for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace carepath::ir::terminology {

struct System {
  const char *keyword;  // as written in a `code` declaration: "loinc"
  const char *uri;      // the canonical URI FHIR and the tables use
  const char *title;    // "LOINC"
};

/// The systems a `code` may name, in the order docs/language.md lists them.
const std::vector<System> &systems();
/// The system with that keyword, or null.
const System *findSystem(std::string_view keyword);
/// The system with that canonical URI, or null.
const System *findSystemByUri(std::string_view uri);

/// "" when `code` is well formed in the system, else why not, in words
/// that finish "'CODE' is not a valid TITLE code: ..." ("its check digit
/// should be 7, not 8 (LOINC's mod-10 check)").
std::string checkCode(const System &system, const std::string &code);

/// The LOINC mod-10 check digit of the digits before the hyphen (LOINC
/// Users' Guide, "Calculating Mod 10 Check Digits"): 5 for "12345".
int loincCheckDigit(std::string_view digits);
/// The Verhoeff (dihedral D5) check digit of an SCTID without its last
/// digit (SNOMED CT Release File Specification 6.4, "Check-digit").
int verhoeffCheckDigit(std::string_view digits);

}  // namespace carepath::ir::terminology
