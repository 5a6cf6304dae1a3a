// `check --verify-diagnostics`: parsing expected-* directives out of the
// comments of a file and matching them against the produced diagnostics.
#include "basic/VerifyDiagnostics.h"

#include <gtest/gtest.h>

using namespace carepath;

namespace {

/// A file under test, the diagnostics "produced" on it, and the verifier's
/// findings rendered one a line as `line:column: message` (notes indented).
struct Fixture {
  SourceManager sm;
  FileId file;
  DiagnosticEngine produced{sm};
  DiagnosticEngine report{sm};

  explicit Fixture(std::string text) : file(sm.addBuffer("t.care", std::move(text))) { report.setErrorLimit(0); }

  /// The range of the first occurrence of `what` on the file.
  SourceRange at(FileId f, std::string_view what) const {
    size_t p = sm.text(f).find(what);
    EXPECT_NE(p, std::string_view::npos) << what;
    return {f, static_cast<uint32_t>(p), static_cast<uint32_t>(p + what.size())};
  }
  SourceRange at(std::string_view what) const { return at(file, what); }

  Diagnostic &error(SourceRange r, const std::string &message) { return produced.report(DiagId::err_syntax, r, message); }

  bool verify() { return verifyDiagnostics(produced, file, report); }

  std::string findings() const {
    std::string out;
    auto where = [&](const SourceRange &r) {
      if (!r.valid()) return std::string("-");
      LineColumn lc = sm.begin(r);
      return (r.file == file ? "" : sm.name(r.file) + ":") + std::to_string(lc.line) + ":" + std::to_string(lc.column);
    };
    for (const Diagnostic *d : report.sorted()) {
      out += where(d->range) + ": " + d->message + "\n";
      for (const DiagNote &n : d->notes) out += "  " + where(n.range) + ": " + n.message + "\n";
    }
    return out;
  }
};

TEST(VerifyDiagnostics, SameLineAndRelativeLinesMatch) {
  Fixture f(
      "define a = x // expected-error {{unknown name 'x'}}\n"
      "// expected-error@+1 {{unknown name 'y'}}\n"
      "define b = y\n"
      "define c = z\n"
      "// expected-error@-1 {{unknown name 'z'}}\n");
  f.error(f.at("x //"), "unknown name 'x'");
  f.error(f.at("y\n"), "unknown name 'y'");
  f.error(f.at("z\n"), "unknown name 'z'");
  EXPECT_TRUE(f.verify()) << f.findings();
  EXPECT_EQ(f.findings(), "");
}

TEST(VerifyDiagnostics, TextIsASubstringOfTheMessage) {
  Fixture f("define a = agee // expected-error {{'agee'; did you mean}}\n");
  f.error(f.at("agee"), "unknown name 'agee'; did you mean 'age'?");
  EXPECT_TRUE(f.verify()) << f.findings();
}

TEST(VerifyDiagnostics, MissingDiagnosticIsReportedAtTheDirective) {
  Fixture f(
      "protocol p { population true }\n"
      "  // expected-error@+1 {{unknown name 'x'}}\n"
      "define a = x\n");
  EXPECT_FALSE(f.verify());
  EXPECT_EQ(f.findings(), "2:6: expected error not produced at line 3: unknown name 'x'\n");
}

TEST(VerifyDiagnostics, UnexpectedDiagnosticIsReportedWhereItWasProduced) {
  Fixture f("// expected-no-diagnostics\ndefine a = x\n");
  f.error(f.at("x\n"), "unknown name 'x'");
  EXPECT_FALSE(f.verify());
  EXPECT_EQ(f.findings(), "2:12: unexpected error: unknown name 'x'\n");
}

TEST(VerifyDiagnostics, WrongLinePointsAtTheDiagnosticProduced) {
  Fixture f(
      "// expected-error@+2 {{unknown name 'x'}}\n"
      "define a = x\n"
      "define b = 1\n");
  f.error(f.at("x\n"), "unknown name 'x'");
  EXPECT_FALSE(f.verify());
  EXPECT_EQ(f.findings(),
            "1:4: expected error not produced at line 3: unknown name 'x'\n"
            "  2:12: an error with this text was produced here\n"
            "2:12: unexpected error: unknown name 'x'\n");
}

TEST(VerifyDiagnostics, SeverityMustMatch) {
  Fixture f("define a = x // expected-warning {{always true}}\n");
  f.error(f.at("x"), "condition is always true");
  EXPECT_FALSE(f.verify());
  EXPECT_EQ(f.findings(),
            "1:12: unexpected error: condition is always true\n"
            "1:17: expected warning not produced at line 1: always true\n");
}

TEST(VerifyDiagnostics, ColumnIsCheckedWhenGiven) {
  Fixture f(
      "// expected-error@+1:12 {{bad}}\n"
      "define a = x + y\n");
  f.error(f.at("y\n"), "bad");
  EXPECT_FALSE(f.verify());
  EXPECT_EQ(f.findings(),
            "1:4: expected error not produced at line 2, column 12: bad\n"
            "  2:16: an error with this text was produced here\n"
            "2:16: unexpected error: bad\n");

  Fixture g(
      "// expected-error@+1:16 {{bad}}\n"
      "define a = x + y\n");
  g.error(g.at("y\n"), "bad");
  EXPECT_TRUE(g.verify()) << g.findings();

  Fixture h("define a = x + y // expected-error@+0:12 {{bad}}\n");
  h.error(h.at("x"), "bad");
  EXPECT_TRUE(h.verify()) << h.findings();
}

TEST(VerifyDiagnostics, CountExpectsThatManyDiagnostics) {
  Fixture f("define a = x + x // expected-error 2 {{unknown name 'x'}}\n");
  f.error(f.at("x +"), "unknown name 'x'");
  EXPECT_FALSE(f.verify());
  EXPECT_EQ(f.findings(), "1:21: expected error not produced at line 1 (1 of 2): unknown name 'x'\n");

  Fixture g("define a = x + x // expected-error 2 {{unknown name 'x'}}\n");
  g.error(g.at("x +"), "unknown name 'x'");
  g.error(g.at("x //"), "unknown name 'x'");
  EXPECT_TRUE(g.verify()) << g.findings();
}

TEST(VerifyDiagnostics, CountRanges) {
  // N+ takes every matching diagnostic (an environment-dependent list of
  // places looked at, say), but never one a precise directive needs.
  Fixture f(
      "// expected-note@* 1+ {{unitz.care}}\n"
      "// expected-note@* {{looked for Inputs/unitz.care}}\n"
      "// expected-error@* {{cannot find module 'stdlib.unitz'}}\n");
  Diagnostic &d = f.produced.report(DiagId::err_module_not_found, SourceRange{}, "stdlib.unitz");
  for (const char *place : {"Inputs/unitz.care", "/usr/stdlib/unitz.care", "/opt/stdlib/unitz.care"})
    f.produced.note(d, DiagId::note_looked_for, SourceRange{}, place);
  EXPECT_TRUE(f.verify()) << f.findings();

  Fixture g("define a = x + x + x // expected-error 0-2 {{x}}\n");
  g.error(g.at("x +"), "x");
  EXPECT_TRUE(g.verify()) << g.findings();
  Fixture h("define a = x + x + x // expected-error 0-2 {{x}}\n");
  for (int i = 0; i < 3; ++i) h.error(h.at("x +"), "x");
  EXPECT_FALSE(h.verify());
  EXPECT_EQ(h.findings(), "1:12: unexpected error: x\n");
  Fixture k("define a = 1 // expected-error 2+ {{x}}\n");
  EXPECT_FALSE(k.verify());
  EXPECT_EQ(k.findings(), "1:17: expected error not produced at line 1 (2 of at least 2): x\n");
}

TEST(VerifyDiagnostics, EachDiagnosticSatisfiesOneDirective) {
  // Two identical directives need two diagnostics.
  Fixture f(
      "define a = x // expected-error {{unknown}}\n"
      "             // expected-error@-1 {{unknown}}\n");
  f.error(f.at("x"), "unknown name 'x'");
  EXPECT_FALSE(f.verify());
  EXPECT_EQ(f.findings(), "2:17: expected error not produced at line 1: unknown\n");
}

TEST(VerifyDiagnostics, LooseTextDoesNotStealThePreciseOnesDiagnostic) {
  // The loose directive comes first and matches both diagnostics; the
  // matching still gives the precise one the diagnostic only it accepts.
  Fixture f("define a = x + y // expected-error {{unknown name}} expected-error {{unknown name 'x'}}\n");
  f.error(f.at("x"), "unknown name 'x'");
  f.error(f.at("y"), "unknown name 'y'");
  EXPECT_TRUE(f.verify()) << f.findings();
}

TEST(VerifyDiagnostics, NotesAreMatchedLikeDiagnostics) {
  Fixture f(
      "// expected-error@+2 {{cannot come after 'two'}}\n"
      "// expected-note@+2 {{'two' is declared here}}\n"
      "tier one after two\n"
      "tier two\n");
  Diagnostic &d = f.error(f.at("two\n"), "tier 'one' cannot come after 'two'");
  f.produced.note(d, DiagId::note_here, f.at("tier two"), "'two' is declared here");
  EXPECT_TRUE(f.verify()) << f.findings();

  Fixture g("tier one after two // expected-error {{cannot come after}}\n");
  Diagnostic &e = g.error(g.at("two"), "tier 'one' cannot come after 'two'");
  g.produced.note(e, DiagId::note_here, g.at("one"), "'two' is declared here");
  EXPECT_FALSE(g.verify());
  EXPECT_EQ(g.findings(), "1:6: unexpected note: 'two' is declared here\n");
}

TEST(VerifyDiagnostics, OtherFilesAreNamedByASuffixOfTheirPath) {
  Fixture f(
      "use stdlib.drugs.{x} // expected-error {{no drug 'x'}}\n"
      "// expected-note@stdlib/drugs.care:2 {{drugs are declared here}}\n"
      "// expected-note@drugs.care:* {{any line}}\n"
      "// expected-note@drugs.care:3:6 {{column six}}\n");
  FileId drugs = f.sm.addBuffer("/src/stdlib/drugs.care", "module stdlib.drugs\ndrug a\ndrug b\n");
  Diagnostic &d = f.error(f.at("x}"), "no drug 'x'");
  f.produced.note(d, DiagId::note_here, f.at(drugs, "drug a"), "drugs are declared here");
  f.produced.note(d, DiagId::note_here, f.at(drugs, "drug b"), "any line");
  f.produced.note(d, DiagId::note_here, f.at(drugs, "b\n"), "column six");
  EXPECT_TRUE(f.verify()) << f.findings();

  // A diagnostic in another file that no directive names is unexpected,
  // located there; a suffix must end at a '/' ('rugs.care' is no match).
  Fixture g(
      "use stdlib.drugs.{x} // expected-error {{no drug 'x'}}\n"
      "// expected-note@rugs.care:* {{drugs are declared here}}\n");
  FileId drugs2 = g.sm.addBuffer("/src/stdlib/drugs.care", "module stdlib.drugs\ndrug a\n");
  Diagnostic &e = g.error(g.at("x}"), "no drug 'x'");
  g.produced.note(e, DiagId::note_here, g.at(drugs2, "drug a"), "drugs are declared here");
  EXPECT_FALSE(g.verify());
  EXPECT_EQ(g.findings(),
            "2:4: expected note not produced in 'rugs.care': drugs are declared here\n"
            "  /src/stdlib/drugs.care:2:1: a note with this text was produced here\n"
            "/src/stdlib/drugs.care:2:1: unexpected note: drugs are declared here\n");
}

TEST(VerifyDiagnostics, StarMatchesUnlocatedDiagnostics) {
  Fixture f("// expected-error@* {{too many errors}}\n");
  f.produced.report(DiagId::err_too_many_errors, SourceRange{}, 3);
  EXPECT_TRUE(f.verify()) << f.findings();

  Fixture g("// expected-error@+1 {{too many errors}}\ndefine a = 1\n");
  g.produced.report(DiagId::err_too_many_errors, SourceRange{}, 3);
  EXPECT_FALSE(g.verify());
  EXPECT_EQ(g.findings(),
            "-: unexpected error: too many errors emitted (3), stopping now\n"
            "1:4: expected error not produced at line 2: too many errors\n"
            "  -: an error with this text was produced without a location\n");
}

TEST(VerifyDiagnostics, AFileWithoutDirectivesFails) {
  Fixture f("define a = 1\n");
  EXPECT_FALSE(f.verify());
  EXPECT_EQ(f.findings(),
            "1:1: no expected-error, expected-warning or expected-note directive in this file; write "
            "'expected-no-diagnostics' if it should produce none\n");

  Fixture g("// expected-no-diagnostics\ndefine a = 1\n");
  EXPECT_TRUE(g.verify()) << g.findings();

  Fixture h("// expected-no-diagnostics\ndefine a = x // expected-error {{x}}\n");
  h.error(h.at("x //"), "x");
  EXPECT_FALSE(h.verify());
  EXPECT_EQ(h.findings(), "1:4: 'expected-no-diagnostics' cannot be combined with expected-* directives\n");
}

TEST(VerifyDiagnostics, MalformedDirectivesAreErrors) {
  auto findings = [](std::string text) {
    Fixture f(std::move(text));
    EXPECT_FALSE(f.verify());
    return f.findings();
  };
  EXPECT_EQ(findings("// expected-eror {{x}}\n"),
            "1:4: unknown directive 'expected-eror'; expected 'expected-error', 'expected-warning', "
            "'expected-note' or 'expected-no-diagnostics'\n");
  EXPECT_EQ(findings("// expected-error unknown name\n"),
            "1:4: expected '{{' and the text of the error after 'expected-error'\n");
  EXPECT_EQ(findings("// expected-error {{unknown name\n}}\n"), "1:4: missing '}}' to close the expected text\n");
  EXPECT_EQ(findings("// expected-error {{ }}\n"), "1:4: the expected text is empty; write a part of the message\n");
  EXPECT_EQ(findings("// expected-error 0 {{x}}\n"),
            "1:4: bad count '0'; expected N, N+ (at least N) or N-M, with M at least 1 and N\n");
  EXPECT_EQ(findings("// expected-error 3-2 {{x}}\n"),
            "1:4: bad count '3-2'; expected N, N+ (at least N) or N-M, with M at least 1 and N\n");
  EXPECT_EQ(findings("// expected-error 2x {{x}}\n"),
            "1:4: bad count '2x'; expected N, N+ (at least N) or N-M, with M at least 1 and N\n");
  EXPECT_EQ(findings("// expected-error@+2 {{x}}\n"), "1:4: '@+2' points past the end of the file\n");
  EXPECT_EQ(findings("// expected-error@-1 {{x}}\n"), "1:4: '@-1' points before the start of the file\n");
  EXPECT_EQ(findings("// expected-error@+1:0 {{x}}\n\n"),
            "1:4: bad location '@+1:0'; expected '@+N', '@-N', '@#MARKER' (each maybe with ':COLUMN'), '@*' or "
            "'@FILE:LINE'\n");
  EXPECT_EQ(findings("// expected-error@#nowhere {{x}}\n"),
            "1:4: no marker '#nowhere' in this file; write '// #nowhere' on the line meant\n");
  EXPECT_EQ(findings("input a : bool // #a\ninput b : bool // #a\n"), "2:19: marker '#a' is already on line 1\n");
  EXPECT_EQ(findings("// expected-error@3 {{x}}\n"),
            "1:4: bad location '@3'; lines of this file are relative ('@+N', '@-N'), other files are named "
            "('@FILE:LINE', '@FILE:*')\n");
  EXPECT_EQ(findings("// expected-error@a.care:x {{x}}\n"),
            "1:4: bad line 'x' in '@a.care:x'; expected a line number or '*'\n");
  EXPECT_EQ(findings("// expected-error@a.care:2:x {{x}}\n"),
            "1:4: bad column 'x' in '@a.care:2:x'; expected a column number\n");
}

TEST(VerifyDiagnostics, MarkersNameALineFromAfar) {
  // A note on a declaration far from the error: the marker moves with it.
  Fixture f(
      "input fever : bool // #fever-decl\n"
      "define a = 1\n"
      "input fever : bool // expected-error {{duplicate definition of input 'fever'}}\n"
      "// expected-note@#fever-decl {{first defined here}}\n"
      "// expected-note@#fever-decl:7 {{column seven}}\n");
  Diagnostic &d = f.error(f.at(f.file, "fever : bool // expected"), "duplicate definition of input 'fever'");
  f.produced.note(d, DiagId::note_here, f.at("fever"), "first defined here");
  f.produced.note(d, DiagId::note_here, f.at("fever"), "column seven");
  EXPECT_TRUE(f.verify()) << f.findings();
  // An issue number or a '#' inside the expected text is not a marker.
  Fixture g("define a = x // see #12; expected-error {{x #y}}\n");
  g.error(g.at("x"), "x #y");
  EXPECT_TRUE(g.verify()) << g.findings();
}

TEST(VerifyDiagnostics, OnlyCommentsHoldDirectives) {
  // In a text literal the words are data; a longer word is not a directive;
  // a block comment may hold one.
  Fixture f(
      "input a : bool \"expected-error {{x}}\" // unexpected-error {{y}}\n"
      "/* expected-error@+1 {{z}} */\n"
      "define b = z\n");
  f.error(f.at("z\n"), "z");
  EXPECT_TRUE(f.verify()) << f.findings();
}

TEST(VerifyDiagnostics, UnreadableFileReportsTheProducedError) {
  SourceManager sm;
  DiagnosticEngine produced(sm), report(sm);
  FileId placeholder = sm.addBuffer("missing.care", "");
  produced.report(DiagId::err_cannot_read_file, SourceRange{placeholder, 0, 0}, "cannot open 'missing.care'");
  EXPECT_FALSE(verifyDiagnostics(produced, kNoFile, report));
  ASSERT_EQ(report.sorted().size(), 1u);
  EXPECT_EQ(report.sorted()[0]->message, "unexpected error: cannot open 'missing.care'");
}

}  // namespace
