// The diagnostics reference: one Markdown entry per diagnostic code
// (docs/diagnostics/CODE.md, format in docs/diagnostics.md), compiled into
// the binary. `carepath explain` prints them and the SARIF rules take their
// descriptions and help from them, so the three never disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "basic/Diagnostics.h"

namespace carepath::driver {

struct Explanation {
  std::string code;
  std::string text;         // the whole entry, Markdown
  std::string summary;      // the heading after "`CODE`: ", one line
  std::string description;  // the paragraphs before "## Example", as plain text
};

/// The entry for `code`, or nullptr.
const Explanation *findExplanation(std::string_view code);

/// Every code the catalogue (compiler/basic/diags) can report, once, sorted:
/// the codes of errors and warnings (notes carry no code of their own in
/// any output).
std::vector<std::string> reportableCodes();

/// Severity of the first catalogue entry with `code` (a code names entries
/// of one severity, except that -W makes warnings errors).
Severity severityOfCode(std::string_view code);

/// Where the published reference has the entry: CAREPATH_DOCS_URL
/// (compiler/driver/CMakeLists.txt) + "diagnostics/CODE.md".
std::string helpUri(std::string_view code);

}  // namespace carepath::driver
