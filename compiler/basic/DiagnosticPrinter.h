// Renders diagnostics: clang-style text for people, JSON and SARIF 2.1.0
// pieces for tools. The driver (compiler/driver/Driver.cpp) picks one per
// run; nothing else prints diagnostics.
#pragma once

#include <nlohmann/json_fwd.hpp>  // the full header costs every includer seconds
#include <ostream>
#include <string>

#include "basic/Diagnostics.h"

namespace carepath {

struct TextPrintOptions {
  bool color = false;
  bool summary = true;  // "N errors, M warnings generated." at the end
  bool errorsOnly = false;  // -q: no warnings (nor their count)
};

/// The summary line ("1 warning and 2 errors generated."); nothing when
/// both are 0.
void printDiagnosticSummary(std::ostream &out, unsigned errors, unsigned warnings);

/// `file:line:col: error: message`, the source line, a caret and tildes
/// under the range, then the notes in the same shape.
void printDiagnosticsText(std::ostream &out, const DiagnosticEngine &diags,
                          const TextPrintOptions &options = {});

/// One object: {"diagnostics": [{"severity", "code", "message", "location":
/// {"file", "line", "column", "endLine", "endColumn"}, "notes": [...],
/// "fixits": [{"location", "replacement"}] (when it has some)}],
/// "errors": N, "warnings": M}.
nlohmann::json diagnosticsToJson(const DiagnosticEngine &diags);
nlohmann::json locationToJson(const SourceManager &sources, const SourceRange &range);

/// The 1-based column of `lc` (a byte column) in UTF-16 code units, as
/// SARIF counts them: a character outside the BMP is two, any other one.
uint32_t utf16Column(const SourceManager &sources, FileId file, LineColumn lc);

/// A SARIF `location` ({"physicalLocation": {"artifactLocation": {"uri"},
/// "region"}}, with `message` when not empty); null for an invalid range.
/// A file name as a URI reference, percent-encoded (RFC 3986): the one
/// encoding of every SARIF location.
std::string uriReference(const std::string &name);

nlohmann::ordered_json sarifLocation(const SourceManager &sources, const SourceRange &range,
                                     const std::string &message = "");
/// What a diagnostic's fix-its do, in a few words, for the one fix they
/// make together: "Fix: write 'minutes'" (the first text written), or
/// "Fix: remove it". The language server's quick fix and SARIF's fix say it.
std::string fixItTitle(const Diagnostic &d);

/// A diagnostic as a SARIF `result` (ruleId = its code, notes with a
/// location as relatedLocations, the others and detail lines in the text,
/// its fix-its as one `fixes` entry: artifactChanges[].replacements[]).
nlohmann::ordered_json diagnosticToSarifResult(const Diagnostic &d, const SourceManager &sources);
/// The same as a `notification` of the tool's execution (descriptor.id =
/// its code): for a run that could not start.
nlohmann::ordered_json diagnosticToSarifNotification(const Diagnostic &d, const SourceManager &sources);

/// `--color`: always, never, or auto (a terminal, and NO_COLOR unset or empty).
enum class ColorMode { Auto, Always, Never };
bool shouldUseColor(ColorMode mode, int fd);

}  // namespace carepath
