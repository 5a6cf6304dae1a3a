// A protocol compiled to its decision table for the runtime's tests: the
// front end on the text, then the JSON table with a test verdict. The
// runtime's unit tests all start here, so one place says how a table is
// made for a test.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "../../compiler/driver/CourseStates.h"
#include "Frontend.h"
#include "backends/JsonTable.h"
#include "basic/DiagnosticPrinter.h"
#include "verifier/CourseReach.h"

namespace carepath::unittest {

/// A file of the source tree, by its path from the root.
inline std::string readSource(const std::string &relative) {
  std::ifstream in(std::string(CAREPATH_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct CompiledForTest {
  std::optional<ir::Protocol> protocol;  // unset when the front end refused the text
  std::string table;                     // the JSON table; empty when it could not be written
  std::string diagnostics;               // the front end's or the table compiler's errors, as text
};

/// `status` is the table's verification verdict: the runtime's tests do
/// not depend on it (it does not change evaluation), but a table loads
/// without `allowUnverified` only when it says "verified".
/// With `courseStates`, the table carries every course search `carepath
/// test` runs (verifier::courseReachRead: each course pathway's own and the
/// joint ones), as `test` writes its in-memory table.
inline CompiledForTest compileForTest(const std::string &name, const std::string &text,
                                      const std::string &status = "verified", bool courseStates = false) {
  CompiledForTest c;
  SourceManager sources;
  DiagnosticEngine diags(sources);
  FrontendOptions fo;
  fo.stdlibDir = CAREPATH_SOURCE_DIR "/stdlib";
  FrontendResult fr = runFrontendOnBuffer(name, text, sources, diags, fo);
  auto print = [&] {
    std::ostringstream s;
    TextPrintOptions po;
    po.summary = false;
    printDiagnosticsText(s, diags, po);
    return s.str();
  };
  if (!fr.protocol) {
    c.diagnostics = print();
    return c;
  }
  backends::TableMetadata meta;
  meta.compilerVersion = "test";
  meta.verification.status = status;
  if (courseStates) driver::addCourseStates(meta, verifier::courseReachRead(*fr.protocol));
  if (auto t = backends::emitJsonTable(*fr.protocol, sources, meta, diags)) c.table = *t;
  else c.diagnostics = print();
  c.protocol = std::move(fr.protocol);
  return c;
}

/// compileForTest on a file of the source tree, named by its path.
inline CompiledForTest compileSourceForTest(const std::string &relative, const std::string &status = "verified") {
  return compileForTest(relative, readSource(relative), status);
}

}  // namespace carepath::unittest
