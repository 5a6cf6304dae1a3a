// libFuzzer target: the whole front end (parse, modules, names, types and
// units, lowering) on one in-memory source. Any input must end in
// diagnostics or a protocol: never a crash, a sanitizer report or a hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "Frontend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace carepath;
  SourceManager sources;
  DiagnosticEngine diags(sources);
  FrontendOptions options;
  options.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";  // `use stdlib.units` works
  FrontendResult result =
      runFrontendOnBuffer("fuzz.care", std::string(reinterpret_cast<const char *>(data), size), sources, diags, options);
  // The engine's contract: no protocol unless the run was clean.
  if (result.protocol && diags.hasErrors()) __builtin_trap();
  // Rendering every diagnostic exercises ranges, line/column and carets.
  for (const Diagnostic *d : diags.sorted()) {
    if (d->range.valid()) (void)sources.lineText(d->range.file, sources.begin(d->range).line);
  }
  return 0;
}
