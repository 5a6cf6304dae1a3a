#include "Frontend.h"

#include "parse/ParseFile.h"
#include "sema/Sema.h"

namespace carepath {

FrontendResult runFrontend(const std::string &path, SourceManager &sources, DiagnosticEngine &diags,
                           const FrontendOptions &options) {
  std::string error;
  std::optional<std::string> text = readSourceFile(path, error);
  std::string shownName = path == "-" ? "<stdin>" : path;
  if (!text) {
    // Located at the file itself (line 1, column 1, no text to show), so
    // the message has the `file:line:col: error:` shape of every other.
    FileId placeholder = sources.addBuffer(shownName, "");
    diags.report(DiagId::err_cannot_read_file, SourceRange{placeholder, 0, 0}, error);
    return {};
  }
  return runFrontendOnBuffer(shownName, std::move(*text), sources, diags, options);
}

FrontendResult runFrontendOnBuffer(const std::string &name, std::string text, SourceManager &sources,
                                   DiagnosticEngine &diags, const FrontendOptions &options) {
  FrontendResult result;
  if (text.size() > SourceManager::kMaxFileSize) {
    FileId placeholder = sources.addBuffer(name, "");
    diags.report(DiagId::err_cannot_read_file, SourceRange{placeholder, 0, 0},
                 "input is too large (more than " + std::to_string(SourceManager::kMaxFileSize) + " bytes)");
    return result;
  }
  result.file = sources.addBuffer(name, std::move(text));

  // Stage 1: syntax.
  result.ast = parse::parseFile(result.file, sources, diags);
  if (diags.hasErrors()) return result;
  result.parsed = true;
  if (options.stopAfter == FrontendOptions::Stage::Parse) return result;

  // Stage 2: modules, names, types and units; lowering to the IR.
  sema::SemaOptions semaOptions;
  semaOptions.modulePath = options.modulePath;
  semaOptions.stdlibDir = options.stdlibDir;
  semaOptions.inspect = options.inspect;
  result.protocol = sema::analyze(*result.ast, sources, diags, semaOptions);
  if (diags.hasErrors()) result.protocol.reset();
  return result;
}

}  // namespace carepath
