// The diagnostic engine and the text/JSON printers: caret and tilde
// placement, sorting by location, the error limit.
#include "basic/DiagnosticPrinter.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

using namespace carepath;

namespace {
std::string text(const DiagnosticEngine &diags) {
  std::ostringstream out;
  printDiagnosticsText(out, diags);
  return out.str();
}
}  // namespace

TEST(DiagnosticsPrinter, PrintsLocationCaretAndTildes) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "protocol p {\n  tierr x\n}\n");
  DiagnosticEngine diags(sm);
  diags.report(DiagId::err_syntax, SourceRange{f, 15, 20}, "unknown keyword or name 'tierr'");
  EXPECT_EQ(text(diags),
            "p.care:2:3: error: unknown keyword or name 'tierr' [syntax]\n"
            "  tierr x\n"
            "  ^~~~~\n"
            "1 error generated.\n");
}

TEST(DiagnosticsPrinter, EmptyRangeGetsACaretOnly) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "define x =\n");
  DiagnosticEngine diags(sm);
  diags.report(DiagId::err_syntax, SourceRange{f, 10, 10}, "expected an expression after '='");
  EXPECT_EQ(text(diags),
            "p.care:1:11: error: expected an expression after '=' [syntax]\n"
            "define x =\n"
            "          ^\n"
            "1 error generated.\n");
}

TEST(DiagnosticsPrinter, MultiLineRangeIsClippedToTheFirstLine) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "ab cd\nef\n");
  DiagnosticEngine diags(sm);
  diags.report(DiagId::err_syntax, SourceRange{f, 3, 8}, "m");
  EXPECT_NE(text(diags).find("ab cd\n   ^~\n"), std::string::npos);
}

TEST(DiagnosticsPrinter, TabsKeepTheCaretAligned) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "\tx @\n");
  DiagnosticEngine diags(sm);
  diags.report(DiagId::err_bad_character, SourceRange{f, 3, 4}, "@");
  EXPECT_NE(text(diags).find("\tx @\n\t  ^\n"), std::string::npos);
}

TEST(DiagnosticsPrinter, NonAsciiCountsOneColumnPerCharacter) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "\"caf\xC3\xA9\" @\n");
  DiagnosticEngine diags(sm);
  diags.report(DiagId::err_bad_character, SourceRange{f, 8, 9}, "@");
  // Reported at byte column 9, drawn under the 8th character.
  EXPECT_NE(text(diags).find("p.care:1:9:"), std::string::npos);
  EXPECT_NE(text(diags).find("\"caf\xC3\xA9\" @\n       ^\n"), std::string::npos);
}

TEST(DiagnosticsPrinter, LongLinesShowAWindowAroundTheCaret) {
  SourceManager sm;
  std::string line(1000, '(');
  line[700] = '@';
  FileId f = sm.addBuffer("p.care", line + "\n");
  DiagnosticEngine diags(sm);
  diags.report(DiagId::err_bad_character, SourceRange{f, 700, 701}, "@");
  std::string out = text(diags);
  size_t snippet = out.find('\n') + 1;
  std::string shown = out.substr(snippet, out.find('\n', snippet) - snippet);
  size_t markerStart = snippet + shown.size() + 1;
  std::string marker = out.substr(markerStart, out.find('\n', markerStart) - markerStart);
  EXPECT_LT(shown.size(), 200u);
  EXPECT_EQ(shown.substr(0, 3), "...");
  ASSERT_EQ(marker.back(), '^');
  EXPECT_EQ(shown[marker.size() - 1], '@');
}

TEST(DiagnosticsPrinter, ControlBytesAndInvalidUtf8AreNotPrinted) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "a\x1b[31m\xFF b\n");
  DiagnosticEngine diags(sm);
  diags.report(DiagId::err_syntax, SourceRange{f, 0, 1}, "m");
  std::string out = text(diags);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\xFF'), std::string::npos);
}

TEST(DiagnosticsPrinter, SortsByLocationWithNotesAttached) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "one\ntwo\nthree\n");
  DiagnosticEngine diags(sm);
  diags.report(DiagId::err_syntax, SourceRange{f, 8, 13}, "third");
  Diagnostic &first = diags.report(DiagId::err_syntax, SourceRange{f, 0, 3}, "first");
  diags.note(first, DiagId::note_here, SourceRange{f, 8, 9}, "related");
  diags.report(DiagId::err_syntax, SourceRange{f, 4, 7}, "second");
  diags.report(DiagId::err_cannot_read_file, SourceRange{}, "unlocated");
  std::string out = text(diags);
  size_t u = out.find("carepath: error: unlocated"), a = out.find("p.care:1:1: error: first"),
         n = out.find("p.care:3:1: note: related"), b = out.find("p.care:2:1: error: second"),
         c = out.find("p.care:3:1: error: third");
  ASSERT_NE(u, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(u, a);
  EXPECT_LT(a, n);
  EXPECT_LT(n, b);
  EXPECT_LT(b, c);
  EXPECT_NE(out.find("4 errors generated."), std::string::npos);
}

TEST(DiagnosticsPrinter, StopsAtTheErrorLimit) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "x\n");
  DiagnosticEngine diags(sm);
  diags.setErrorLimit(3);
  for (int i = 0; i < 10; ++i) diags.report(DiagId::err_syntax, SourceRange{f, 0, 1}, "e" + std::to_string(i));
  EXPECT_TRUE(diags.tooManyErrors());
  EXPECT_EQ(diags.errorCount(), 3u);
  std::string out = text(diags);
  EXPECT_EQ(out.find("e3"), std::string::npos);
  EXPECT_NE(out.find("too many errors emitted (3), stopping now [too-many-errors]\n3 errors generated.\n"), std::string::npos);
  EXPECT_EQ(diagnosticsToJson(diags)["diagnostics"].size(), 4u);  // three and the marker
}

TEST(DiagnosticsPrinter, JsonCarriesCodeMessageAndRange) {
  SourceManager sm;
  FileId f = sm.addBuffer("p.care", "ab\ncd @\n");
  DiagnosticEngine diags(sm);
  Diagnostic &d = diags.report(DiagId::err_bad_character, SourceRange{f, 6, 7}, "@");
  diags.note(d, DiagId::note_here, SourceRange{f, 0, 2}, "see");
  nlohmann::json j = diagnosticsToJson(diags);
  ASSERT_EQ(j["diagnostics"].size(), 1u);
  const nlohmann::json &e = j["diagnostics"][0];
  EXPECT_EQ(e["code"], "bad-character");
  EXPECT_EQ(e["severity"], "error");
  EXPECT_EQ(e["message"], "unexpected character '@'");
  EXPECT_EQ(e["location"]["line"], 2);
  EXPECT_EQ(e["location"]["column"], 4);
  EXPECT_EQ(e["location"]["endColumn"], 5);
  EXPECT_EQ(e["notes"][0]["message"], "see");
  EXPECT_EQ(j["errors"], 1);
}
