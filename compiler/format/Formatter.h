// `carepath fmt`: the canonical layout of a .care file (docs/fmt.md).
// Only white space changes: every token and comment of the input appears
// once in the output, in order, and formatFile checks that before it
// returns the text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basic/Diagnostics.h"
#include "parse/Layout.h"

namespace carepath::format {

enum class FormatStatus {
  Ok,
  Rejected,  // the file does not parse (errors reported)
  Internal,  // the layout would change a token: a bug (reported, located)
};

struct FormatResult {
  FormatStatus status = FormatStatus::Rejected;
  std::string text;  // the formatted file when Ok
};

/// The layout itself: the elements of a parsed file to text.
std::string layout(const std::vector<parse::LayoutElement> &elements);

using LayoutFunction = std::string (*)(const std::vector<parse::LayoutElement> &);

/// Formats `file` (already in `sources`) with `layoutFn` (tests pass a
/// broken one to see the guard refuse it).
FormatResult formatFile(FileId file, SourceManager &sources, DiagnosticEngine &diags,
                        LayoutFunction layoutFn = layout);

/// A unified diff (3 lines of context) from `before` to `after`, both
/// labelled `name`; "" when they are equal.
std::string unifiedDiff(std::string_view name, std::string_view before, std::string_view after);

}  // namespace carepath::format
