// The semantic stage: modules, names, types and units, then lowering to the
// IR. Passes are one per file in this folder; analyze() runs them in order.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ast/AST.h"
#include "basic/Diagnostics.h"
#include "ir/IR.h"

namespace carepath::sema {

struct Analysis;  // SemaContext.h

struct SemaOptions {
  std::vector<std::string> modulePath;  // searched first, in order
  std::string stdlibDir;                // the stdlib root, searched last ("" for none)
  /// Called once at the end of analyze(), errors or not, with everything
  /// the passes recorded (the language server's index, compiler/lsp/). The
  /// modules' trees die with the analysis: copy what is kept.
  std::function<void(const Analysis &)> inspect;
};

/// Checks `file` (a protocol or a module) and lowers it. Modules it uses are
/// found on the module path, parsed into `sources` and checked too.
std::optional<ir::Protocol> analyze(const ast::File &file, SourceManager &sources, DiagnosticEngine &diags,
                                    const SemaOptions &options);

}  // namespace carepath::sema
