// The front-end pipeline: read, parse, resolve and check, lower. Each stage
// runs only when the previous one produced no errors.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ast/AST.h"
#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath {

namespace sema {
struct Analysis;
}

struct FrontendOptions {
  /// Extra module search folders (`--stdlib DIR`, `-I DIR`), searched before
  /// the built-in locations.
  std::vector<std::string> modulePath;
  /// The standard library's root folder (`use stdlib.x` -> DIR/x.care),
  /// searched after modulePath; "" for none. The front end never guesses
  /// it: the driver finds it next to its binary (docs/cli.md).
  std::string stdlibDir;
  enum class Stage { Parse, Sema } stopAfter = Stage::Sema;
  /// Passed to sema (sema::SemaOptions::inspect): the language server's index.
  std::function<void(const sema::Analysis &)> inspect;
};

struct FrontendResult {
  FileId file = kNoFile;
  std::unique_ptr<ast::File> ast;
  std::optional<ir::Protocol> protocol;  // set when every stage succeeded
  bool parsed = false;                    // the file was read and parsed without errors
};

/// Runs the front end on `path` ("-" for standard input). Problems are
/// reported to `diags`; the result's protocol is empty when any error was.
FrontendResult runFrontend(const std::string &path, SourceManager &sources, DiagnosticEngine &diags,
                           const FrontendOptions &options);

/// The same on text already in memory, shown as `name` in diagnostics (the
/// fuzz targets and tests use it; no file is read except `use`d modules).
/// Texts above SourceManager::kMaxFileSize are refused like such files.
FrontendResult runFrontendOnBuffer(const std::string &name, std::string text, SourceManager &sources,
                                   DiagnosticEngine &diags, const FrontendOptions &options);

}  // namespace carepath
