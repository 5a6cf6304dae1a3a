// The parser and AST builder: exact numbers, unescaped strings, ranges
// from the first token to the end of the last, byte offsets with UTF-8.
#include <gtest/gtest.h>

#include <sstream>

#include "basic/DiagnosticPrinter.h"
#include "parse/ParseFile.h"

using namespace carepath;

namespace {
struct Parsed {
  SourceManager sm;
  DiagnosticEngine diags{sm};
  FileId file = kNoFile;
  std::unique_ptr<ast::File> ast;
  std::string slice(const SourceRange &r) const { return std::string(sm.slice(r)); }
  std::string errors() const {
    std::ostringstream out;
    printDiagnosticsText(out, diags);
    return out.str();
  }
};

std::unique_ptr<Parsed> parseText(const std::string &text) {
  auto p = std::make_unique<Parsed>();
  p->file = p->sm.addBuffer("t.care", text);
  p->ast = parse::parseFile(p->file, p->sm, p->diags);
  return p;
}
}  // namespace

TEST(Parse, NumbersAreExactAndKeepTheirText) {
  auto p = parseText("module m\ndefine x = 14.35 kg\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  auto *def = ast::dyn<ast::DefineDecl>(p->ast->decls.at(0).get());
  ASSERT_NE(def, nullptr);
  auto *n = ast::dyn<ast::NumberExpr>(def->value.get());
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->value, Rational(287, 20));
  EXPECT_EQ(n->text, "14.35");
  ASSERT_TRUE(n->unit.has_value());
  EXPECT_EQ(n->unit->str(), "kg");
  EXPECT_EQ(p->slice(n->range), "14.35 kg");
}

TEST(Parse, UnitsAfterANumberAreGreedy) {
  auto p = parseText("module m\ndefine x = 30 mg/kg * weight\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  auto *def = ast::dyn<ast::DefineDecl>(p->ast->decls.at(0).get());
  auto *mul = ast::dyn<ast::BinaryExpr>(def->value.get());
  ASSERT_NE(mul, nullptr);
  EXPECT_EQ(mul->op, ast::BinaryOp::Mul);
  EXPECT_EQ(p->slice(mul->opRange), "*");
  auto *lhs = ast::dyn<ast::NumberExpr>(mul->lhs.get());
  ASSERT_NE(lhs, nullptr);
  EXPECT_EQ(lhs->unit->str(), "mg/kg");
  EXPECT_EQ(p->slice(mul->range), "30 mg/kg * weight");
}

TEST(Parse, OperatorsAssociateLeftWithUsualPrecedence) {
  auto p = parseText("module m\ndefine x = a - b - c * d or e and not f\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  auto *orE = ast::dyn<ast::BinaryExpr>(ast::dyn<ast::DefineDecl>(p->ast->decls[0].get())->value.get());
  ASSERT_NE(orE, nullptr);
  EXPECT_EQ(orE->op, ast::BinaryOp::Or);
  auto *sub = ast::dyn<ast::BinaryExpr>(orE->lhs.get());
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(p->slice(sub->lhs->range), "a - b");
  EXPECT_EQ(p->slice(sub->rhs->range), "c * d");
  auto *andE = ast::dyn<ast::BinaryExpr>(orE->rhs.get());
  ASSERT_NE(andE, nullptr);
  EXPECT_EQ(andE->op, ast::BinaryOp::And);
  EXPECT_NE(ast::dyn<ast::UnaryExpr>(andE->rhs.get()), nullptr);
}

TEST(Parse, StringsAreUnescaped) {
  auto p = parseText("module m\nsource S \"a \\\"quoted\\\" \\\\ word\\n\"\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  auto *s = ast::dyn<ast::SourceDecl>(p->ast->decls.at(0).get());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->text, "a \"quoted\" \\ word\n");
}

TEST(Parse, RangesAreByteOffsetsEvenAfterNonAsciiText) {
  auto p = parseText("module m\nsource S \"caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x92\x8A\"\ndefine amount = 3 mg\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  auto *def = ast::dyn<ast::DefineDecl>(p->ast->decls.at(1).get());
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(p->slice(def->name.range), "amount");
  EXPECT_EQ(p->slice(def->range), "define amount = 3 mg");
  EXPECT_EQ(p->sm.lineColumn(p->file, def->value->range.begin).column, 17u);
}

TEST(Parse, ByteOrderMarkIsIgnored) {
  auto p = parseText("\xEF\xBB\xBFmodule m\ninput a : bool\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  ASSERT_EQ(p->ast->decls.size(), 1u);
  EXPECT_EQ(p->slice(p->ast->decls[0]->range), "input a : bool");
}

TEST(Parse, HeaderFieldsAndDosingWeight) {
  auto p = parseText("protocol p version \"2\" {\n  title \"T\"\n  population age < 18 years [R1]\n"
                 "  dosing weight = w\n  fact f = 27 % \"n\" [R2]\n}\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  ASSERT_TRUE(p->ast->header.has_value());
  const ast::Header &h = *p->ast->header;
  EXPECT_EQ(h.kind, ast::Header::Kind::Protocol);
  EXPECT_EQ(h.name.name, "p");
  EXPECT_EQ(h.version, "2");
  EXPECT_EQ(h.title, "T");
  ASSERT_TRUE(h.dosingWeight.has_value());
  EXPECT_EQ(h.dosingWeight->name, "w");
  EXPECT_EQ(h.populationCitations.ids.at(0).name, "R1");
  ASSERT_EQ(h.facts.size(), 1u);
  EXPECT_EQ(h.facts[0].note, "n");
  EXPECT_EQ(p->slice(h.range).substr(0, 10), "protocol p");
}

TEST(Parse, GiveActionParts) {
  auto p = parseText("module m\npathway pw {\n  tier t when true {\n"
                 "    give d dose 10 mg/kg per dose max 1 g per day for 3 days .. 5 days over 30 minutes\n  }\n}\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  auto *pw = ast::dyn<ast::PathwayDecl>(p->ast->decls.at(0).get());
  ASSERT_NE(pw, nullptr);
  const ast::Action &a = pw->tiers.at(0).actions.at(0);
  EXPECT_EQ(a.kind, ast::ActionKind::Give);
  EXPECT_EQ(a.basis.kind, ast::Basis::Kind::PerDose);
  EXPECT_EQ(a.capBasis.kind, ast::Basis::Kind::PerTime);
  EXPECT_EQ(a.capBasis.timeUnit.name, "day");
  EXPECT_EQ(p->slice(a.cap->range), "1 g");
  ASSERT_TRUE(a.duration.has_value());
  EXPECT_EQ(p->slice(a.duration->range), "3 days .. 5 days");
  EXPECT_EQ(p->slice(a.over->range), "30 minutes");
}

TEST(Parse, SyntaxErrorsNeverNameTokenTypes) {
  const char *inputs[] = {"protocol", "protocol p {", "module m define", "module m input a :", "module m define x = (",
                          "module m pathway p { tier", "module m table t hit", "module m example \"e\" { expect",
                          "}}}}", "module m define x = 1 +* 2", "module m verify { every }"};
  for (const char *input : inputs) {
    auto p = parseText(input);
    EXPECT_TRUE(p->diags.hasErrors()) << input;
    std::string out = p->errors();
    for (const char *bad : {"IDENT", "T__", "INT", "DECIMAL", "STRING", "<EOF>", "extraneous", "mismatched"})
      EXPECT_EQ(out.find(bad), std::string::npos) << input << "\n" << out;
  }
}

// Issue 12: the clinical words a protocol uses as names are names wherever
// a name is declared or referenced; their keyword meaning stays where the
// grammar expects the keyword (the full list: docs/language.md).
TEST(Parse, ContextualKeywordsAreNames) {
  const char *words[] = {"min",   "max",     "route",    "first",  "dose",   "total",   "dosing",     "course",
                         "order", "limit",   "priority", "any",    "unique", "collect", "complete",   "title",
                         "version", "source", "fact",    "after",  "failed", "per",     "over",       "at",
                         "within", "outside", "population", "divided", "doses", "into", "once", "repeat", "times",
                         "to", "up", "taper"};
  for (const char *w : words) {
    std::string n = w;
    // Declared as an input, a define, a drug, a pathway and its tier, a
    // table and its rule, an action, an enum member; referenced in a guard,
    // a rule reference, a `given` and an `expect`.
    std::string text = "protocol p version \"1\" {\n  title \"t\"\n}\ninput " + n + " : bool\ninput e : enum { " + n +
                       ", other }\ndefine d_" + n + " = " + n + " and e == " + n + "\ndrug " + n + " {\n}\npathway " + n +
                       " {\n  tier " + n + " when " + n + " { do " + n + " }\n}\ntable t_" + n + " hit first {\n  rule " +
                       n + " when " + n + " and " + n + "." + n + " -> give " + n + " dose 1 mg per day\n}\nexample \"x\" {\n  given " +
                       n + ", e = " + n + "\n  expect t_" + n + "." + n + "\n  expect do " + n + "\n}\n";
    auto p = parseText(text);
    ASSERT_FALSE(p->diags.hasErrors()) << w << "\n" << text << p->errors();
    auto *in = ast::dyn<ast::InputDecl>(p->ast->decls.at(0).get());
    ASSERT_NE(in, nullptr) << w;
    EXPECT_EQ(in->name.name, n);
    EXPECT_EQ(p->slice(in->name.range), n);
  }
  // `min(` is still the call, `min` alone the name.
  auto p = parseText("module m\ndefine x = min(min, 3)\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  auto *call = ast::dyn<ast::CallExpr>(ast::dyn<ast::DefineDecl>(p->ast->decls.at(0).get())->value.get());
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->callee, "min");
  EXPECT_NE(ast::dyn<ast::NameExpr>(call->args.at(0).get()), nullptr);
}

TEST(Parse, HalfOpenRangesAreMarked) {
  auto p = parseText("module m\ndefine x = age in 1 year ..< 5 years\ndefine y = age in 1 year .. 5 years\n");
  ASSERT_FALSE(p->diags.hasErrors()) << p->errors();
  auto *x = ast::dyn<ast::InRangeExpr>(ast::dyn<ast::DefineDecl>(p->ast->decls.at(0).get())->value.get());
  auto *y = ast::dyn<ast::InRangeExpr>(ast::dyn<ast::DefineDecl>(p->ast->decls.at(1).get())->value.get());
  ASSERT_NE(x, nullptr);
  ASSERT_NE(y, nullptr);
  EXPECT_TRUE(x->halfOpen);
  EXPECT_FALSE(y->halfOpen);
  EXPECT_EQ(p->slice(x->hi->range), "5 years");
}
