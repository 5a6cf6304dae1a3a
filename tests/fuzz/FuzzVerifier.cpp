// libFuzzer target: the verifier on small protocols. Inputs that pass the
// front end are verified with tight solver limits, and every counterexample
// is re-checked on the IR reference evaluator (checkModels): a model the
// evaluator does not confirm is a carepath bug, reported as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "Frontend.h"
#include "verifier/Verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace carepath;
  if (size > 4096) return 0;  // small protocols only: each run must stay fast
  SourceManager sources;
  DiagnosticEngine diags(sources);
  FrontendResult result = runFrontendOnBuffer("fuzz.care", std::string(reinterpret_cast<const char *>(data), size),
                                              sources, diags, FrontendOptions{});
  if (!result.protocol) return 0;
  verifier::Options options;
  options.timeoutMs = 200;    // wall-clock backstop per property
  options.rlimit = 2'000'000; // deterministic limit per property
  options.checkModels = true;
  verifier::Report report = verifier::verify(*result.protocol, options);
  if (!report.internalErrors.empty()) {
    for (const std::string &e : report.internalErrors) std::fprintf(stderr, "internal error: %s\n", e.c_str());
    __builtin_trap();
  }
  (void)report.verdict();
  return 0;
}
