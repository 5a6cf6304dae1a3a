// Formatting through `carepath fmt` (compiler/format): one edit replacing
// the whole text, none when it is formatted or does not parse.
#include "format/Formatter.h"
#include "lsp/Server.h"

namespace carepath::lsp {

json formatting(const Server &, const Document &doc, const json &) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  FileId file = sources.addBuffer(doc.path.empty() ? doc.uri : doc.path, doc.text);
  format::FormatResult result = format::formatFile(file, sources, diags);
  if (result.status == format::FormatStatus::Internal)
    throw RequestError(kInternalError, "the formatter would have changed a token (a bug in carepath; please report it)");
  if (result.status != format::FormatStatus::Ok)
    throw RequestError(kRequestFailed, "the file has syntax errors; fix them before formatting");
  json edits = json::array();
  if (result.text != doc.text)
    edits.push_back({{"range", LineIndex(doc.text).range(0, static_cast<uint32_t>(doc.text.size()))},
                     {"newText", result.text}});
  return edits;
}

}  // namespace carepath::lsp
