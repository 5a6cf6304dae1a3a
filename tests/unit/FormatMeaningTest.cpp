// `carepath fmt` never changes what a protocol means (docs/fmt.md): the IR
// of a file and of its formatted version print the same, for every
// protocol and module of the repository and for random protocols from the
// differential generator; and formatting is idempotent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "Frontend.h"
#include "ProtocolGenerator.h"
#include "format/Formatter.h"

using namespace carepath;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The formatted text; fails the test when fmt refuses it.
std::string formatted(const std::string &name, const std::string &text) {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  FileId file = sources.addBuffer(name, text);
  format::FormatResult r = format::formatFile(file, sources, diags);
  EXPECT_EQ(r.status, format::FormatStatus::Ok) << name << ": " << (diags.sorted().empty() ? std::string() : diags.sorted().front()->message);
  return r.text;
}

/// The IR of `text` as `carepath check --emit ir` prints it ("" and a
/// failure when it does not check).
std::string irOf(const std::string &name, const std::string &text, const FrontendOptions &options) {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  FrontendResult r = runFrontendOnBuffer(name, text, sources, diags, options);
  EXPECT_FALSE(diags.hasErrors()) << name << " does not check";
  if (!r.protocol) return "";
  std::ostringstream out;
  ir::dump(*r.protocol, out);
  // Without the lines that name the files read (a formatted module is
  // read from another folder).
  std::istringstream in(out.str());
  std::string ir, line;
  while (std::getline(in, line))
    if (line.rfind("  file ", 0) != 0) ir += line + "\n";
  return ir;
}

FrontendOptions withStdlib(const std::string &dir) {
  FrontendOptions o;
  o.stdlibDir = dir;
  return o;
}

const std::string kStdlib = CAREPATH_SOURCE_DIR "/stdlib";

std::vector<fs::path> careFiles(const fs::path &dir) {
  std::vector<fs::path> files;
  for (const auto &e : fs::directory_iterator(dir))
    if (e.path().extension() == ".care") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST(FormatMeaning, EveryProtocolKeepsItsIr) {
  std::vector<fs::path> protocols = careFiles(CAREPATH_SOURCE_DIR "/protocols");
  ASSERT_GE(protocols.size(), 3u);
  for (const fs::path &p : protocols) {
    SCOPED_TRACE(p.string());
    std::string text = slurp(p), f = formatted(p.string(), text);
    std::string before = irOf(p.string(), text, withStdlib(kStdlib));
    EXPECT_FALSE(before.empty());
    EXPECT_EQ(before, irOf(p.string(), f, withStdlib(kStdlib)));
    EXPECT_EQ(f, formatted(p.string(), f)) << "not idempotent";
  }
}

// The standard library's modules mean the same formatted: every protocol
// compiles to the same IR against the formatted copy.
TEST(FormatMeaning, FormattedStdlibKeepsEveryProtocolsIr) {
  fs::path dir = fs::path(::testing::TempDir()) / "carepath-fmt-stdlib";
  fs::create_directories(dir);
  std::vector<fs::path> modules = careFiles(kStdlib);
  ASSERT_GE(modules.size(), 2u);
  for (const fs::path &m : modules) {
    std::string text = slurp(m), f = formatted(m.string(), text);
    EXPECT_EQ(f, formatted(m.string(), f)) << m << ": not idempotent";
    std::ofstream(dir / m.filename(), std::ios::binary) << f;
  }
  for (const fs::path &p : careFiles(CAREPATH_SOURCE_DIR "/protocols")) {
    SCOPED_TRACE(p.string());
    std::string text = slurp(p);
    EXPECT_EQ(irOf(p.string(), text, withStdlib(kStdlib)), irOf(p.string(), text, withStdlib(dir.string())));
  }
}

TEST(FormatMeaning, RandomProtocolsKeepTheirIr) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("generator seed " + std::to_string(seed));
    std::string text = difftest::generateProtocol(seed), f = formatted("random.care", text);
    EXPECT_EQ(irOf("random.care", text, withStdlib(kStdlib)), irOf("random.care", f, withStdlib(kStdlib)));
    EXPECT_EQ(f, formatted("random.care", f)) << "not idempotent";
  }
}
