// Renders diagnostics: clang-style text for people, JSON for tools.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "basic/Diagnostics.h"

namespace carepath {

struct TextPrintOptions {
  bool color = false;
  bool summary = true;  // "N errors, M warnings generated." at the end
};

/// `file:line:col: error: message`, the source line, a caret and tildes
/// under the range, then the notes in the same shape.
void printDiagnosticsText(std::ostream &out, const DiagnosticEngine &diags,
                          const TextPrintOptions &options = {});

/// One object: {"diagnostics": [{"severity", "code", "message", "location":
/// {"file", "line", "column", "endLine", "endColumn"}, "notes": [...]}],
/// "errors": N, "warnings": M}.
nlohmann::json diagnosticsToJson(const DiagnosticEngine &diags);
nlohmann::json locationToJson(const SourceManager &sources, const SourceRange &range);

/// Whether to colour output on this stream: a terminal and NO_COLOR unset.
bool shouldUseColor(int fd);

}  // namespace carepath
