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
#include "TestScale.h"

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

namespace {

/// `text` with its blanks (outside strings) randomly turned into line
/// breaks, blank lines, block comments and line comments: the same
/// protocol in an author's untidy layout.
std::string scrambled(const std::string &text, uint64_t seed) {
  difftest::Rng rng(seed);
  std::string out;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' && (i == 0 || text[i - 1] != '\\')) inString = !inString;
    if (!inString && text.compare(i, 2, "//") == 0) {  // the generator's own comments stay whole
      size_t end = text.find('\n', i);
      end = end == std::string::npos ? text.size() : end + 1;  // with its line break
      out += text.substr(i, end - i);
      i = end - 1;
      continue;
    }
    if (inString || (c != ' ' && c != '\n')) {
      out += c;
      continue;
    }
    switch (rng.below(40)) {
    case 0: case 1: case 2: out += "\n"; break;
    case 3: out += "\n\n\n"; break;
    case 4: out += " /* c */ "; break;
    case 5: out += " // c\n"; break;
    case 6: out += "\t  "; break;
    default: out += c;
    }
  }
  return out;
}

/// `ir` without scrambled()'s comments, every run of blanks one space.
std::string withoutLayout(const std::string &ir) {
  std::string s = ir, out;
  for (const std::string &comment : {std::string(" /* c */ "), std::string(" // c\n")})
    for (size_t at; (at = s.find(comment)) != std::string::npos;) s.replace(at, comment.size(), " ");
  for (char c : s) {
    bool blank = c == ' ' || c == '\n' || c == '\t';
    if (!blank) out += c;
    else if (out.empty() || out.back() != ' ') out += ' ';
  }
  return out;
}

}  // namespace

TEST(FormatMeaning, RandomProtocolsKeepTheirIr) {
  unsigned changed = 0;
  for (uint64_t seed = 1; seed <= static_cast<uint64_t>(unittest::cases(100)); ++seed) {
    SCOPED_TRACE("generator seed " + std::to_string(seed));
    std::string text = difftest::generateProtocol(seed), f = formatted("random.care", text);
    std::string ir = irOf("random.care", text, withStdlib(kStdlib));
    EXPECT_EQ(ir, irOf("random.care", f, withStdlib(kStdlib)));
    EXPECT_EQ(f, formatted("random.care", f)) << "not idempotent";
    changed += f != text;
    // The same protocol laid out at random, with comments everywhere. The
    // IR quotes a few texts as written (a limit's `30 mg/kg per day`), so
    // it is compared without the comments and with blanks collapsed.
    std::string untidy = scrambled(text, seed), g = formatted("untidy.care", untidy);
    EXPECT_EQ(withoutLayout(ir), withoutLayout(irOf("untidy.care", untidy, withStdlib(kStdlib))));
    EXPECT_EQ(withoutLayout(ir), withoutLayout(irOf("untidy.care", g, withStdlib(kStdlib))));
    EXPECT_EQ(g, formatted("untidy.care", g)) << "not idempotent:\n" << untidy;
  }
  EXPECT_GT(changed, static_cast<unsigned>(unittest::cases(50))) << "the generator's layout is already canonical: the test compares nothing";
}

// fmt's guard: a layout that loses, changes or breaks a token or a comment
// is refused with a located internal error, and no text is returned.
namespace {

std::string dropsComments(const std::vector<parse::LayoutElement> &els) {
  std::string s;
  for (const auto &e : els)
    if (e.kind == parse::LayoutElement::Kind::Token) s += e.text + "\n";
  return s;
}

std::string changesAName(const std::vector<parse::LayoutElement> &els) {
  std::string s;
  for (const auto &e : els) s += (e.text == "b" ? std::string("c") : e.text) + "\n";
  return s;
}

std::string gluesTokens(const std::vector<parse::LayoutElement> &els) {
  std::string s;
  for (const auto &e : els) s += e.text;  // `protocolp{...`: no longer parses
  return s;
}

std::string guardMessage(const std::string &text, format::LayoutFunction fn, std::string *where = nullptr) {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  FileId file = sources.addBuffer("g.care", text);
  format::FormatResult r = format::formatFile(file, sources, diags, fn);
  EXPECT_EQ(r.status, format::FormatStatus::Internal);
  EXPECT_TRUE(r.text.empty());
  if (diags.sorted().empty()) return "";
  const Diagnostic &d = *diags.sorted().front();
  if (where) *where = std::to_string(sources.begin(d.range).line) + ":" + std::to_string(sources.begin(d.range).column);
  return d.message;
}

}  // namespace

TEST(FormatGuard, RefusesALayoutThatChangesTokensOrComments) {
  const std::string text = "protocol p {\n  title \"t\" // c\n}\n\ndefine a = true\ndefine b = a\n";
  std::string where;
  EXPECT_NE(guardMessage(text, dropsComments, &where).find("fmt changed '// c' into '}'"), std::string::npos);
  EXPECT_EQ(where, "2:13");
  EXPECT_NE(guardMessage(text, changesAName, &where).find("fmt changed 'b' into 'c'"), std::string::npos);
  EXPECT_EQ(where, "6:8");
  EXPECT_NE(guardMessage(text, gluesTokens).find("fmt produced text that does not parse"), std::string::npos);
  // The real layout passes the same guard.
  SourceManager sources;
  DiagnosticEngine diags{sources};
  EXPECT_EQ(format::formatFile(sources.addBuffer("g.care", text), sources, diags).status, format::FormatStatus::Ok);
}
