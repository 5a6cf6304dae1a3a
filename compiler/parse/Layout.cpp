// scanLayout: the parse tree read for the formatter. Comments are skipped
// by the lexer, so they are recovered from the blanks between tokens: a gap
// holds only white space, `// ...` and `/* ... */`.
#include "parse/Layout.h"

#include <stdexcept>

#include "parse/ASTBuilder.h"
#include "parse/ParseTree.h"

namespace carepath::parse {

namespace {

using P = grammar::CarepathParser;
using antlr4::ParserRuleContext;
using antlr4::tree::TerminalNode;

/// A `{ ... }` that holds items, one per line.
bool isBlock(ParserRuleContext *c) {
  return dynamic_cast<P::ProtocolHeaderContext *>(c) || dynamic_cast<P::DrugDeclContext *>(c) ||
         dynamic_cast<P::PathwayDeclContext *>(c) || dynamic_cast<P::TableDeclContext *>(c) ||
         dynamic_cast<P::BodyContext *>(c) || dynamic_cast<P::VerifyDeclContext *>(c) ||
         dynamic_cast<P::ExampleDeclContext *>(c) || dynamic_cast<P::SubstanceDeclContext *>(c) ||
         dynamic_cast<P::ChoiceItemContext *>(c);
}

bool isItem(ParserRuleContext *c) {
  return dynamic_cast<P::HeaderItemContext *>(c) || dynamic_cast<P::DrugItemContext *>(c) ||
         dynamic_cast<P::TierDeclContext *>(c) || dynamic_cast<P::RuleDeclContext *>(c) ||
         dynamic_cast<P::BodyItemContext *>(c) || dynamic_cast<P::AlternativeContext *>(c) ||
         dynamic_cast<P::ActionContext *>(c) || dynamic_cast<P::PropertyContext *>(c) ||
         dynamic_cast<P::ExampleItemContext *>(c) || dynamic_cast<P::SubstanceRatioContext *>(c);
}

class Marker {
public:
  explicit Marker(std::vector<unsigned> &flags) : flags_(flags) {}

  void file(P::FileContext *f) {
    for (auto *child : f->children) {
      auto *c = dynamic_cast<ParserRuleContext *>(child);
      if (!c) continue;
      mark(c->getStart(), kItemStart);
      if (c->getStop() && c->getStop()->getType() == P::RBRACE) mark(c->getStop(), kTopLevelClose);
      walk(c);
    }
  }

private:
  void mark(antlr4::Token *t, unsigned flag) {
    if (t && t->getTokenIndex() < flags_.size()) flags_[t->getTokenIndex()] |= flag;
  }

  void walk(ParserRuleContext *c) {
    bool block = isBlock(c);
    bool afterPipe = false;  // an alternative after `|` starts where the `|` does
    for (auto *child : c->children) {
      if (auto *term = dynamic_cast<TerminalNode *>(child)) {
        terminal(c, term->getSymbol(), block);
        afterPipe = term->getSymbol()->getType() == P::PIPE;
      } else if (auto *sub = dynamic_cast<ParserRuleContext *>(child)) {
        if (block && isItem(sub) && !afterPipe) mark(sub->getStart(), kItemStart);
        afterPipe = false;
        if (block && dynamic_cast<P::RuleDeclContext *>(sub)) mark(sub->getStart(), kRuleStart);
        walk(sub);
      }
    }
  }

  void terminal(ParserRuleContext *c, antlr4::Token *t, bool block) {
    switch (t->getType()) {
    case P::LBRACE:
      if (block) mark(t, kBlockOpen);
      if (dynamic_cast<P::EnumTypeContext *>(c) || dynamic_cast<P::CountExprContext *>(c)) mark(t, kPaddedBrace);
      break;
    case P::RBRACE:
      if (block) mark(t, kBlockClose);
      if (dynamic_cast<P::EnumTypeContext *>(c) || dynamic_cast<P::CountExprContext *>(c)) mark(t, kPaddedBrace);
      break;
    case P::MINUS:
      if (dynamic_cast<P::NegateContext *>(c) || dynamic_cast<P::UnitOffsetContext *>(c)) mark(t, kUnaryMinus);
      break;
    case P::SLASH:
      if (dynamic_cast<P::UnitExprContext *>(c) || dynamic_cast<P::ScaledUnitDeclContext *>(c) ||
          dynamic_cast<P::UnitOffsetContext *>(c))
        mark(t, kTightSlash);
      break;
    case P::LPAREN:
      if (dynamic_cast<P::MinMaxCallContext *>(c) || dynamic_cast<P::KnownCallContext *>(c) ||
          dynamic_cast<P::AlwaysPropertyContext *>(c))
        mark(t, kCallParen);
      break;
    case P::AND:
    case P::OR:
      if (dynamic_cast<P::AndExprContext *>(c) || dynamic_cast<P::OrExprContext *>(c)) mark(t, kBinaryLogic);
      break;
    case P::PIPE:
      // `| give b ...`: each further alternative starts a line.
      if (block && dynamic_cast<P::ChoiceItemContext *>(c)) mark(t, kItemStart);
      break;
    case P::ARROW:
      if (dynamic_cast<P::RuleDeclContext *>(c)) mark(t, kRuleArrow);
      break;
    default: break;
    }
  }

  std::vector<unsigned> &flags_;
};

/// Appends the comments in text[from, to) (blanks otherwise) to `out`;
/// returns the line breaks after the last comment (or in the whole gap).
unsigned scanGap(std::string_view text, uint32_t from, uint32_t to, std::vector<LayoutElement> &out) {
  unsigned newlines = 0;
  uint32_t i = from;
  while (i < to) {
    char ch = text[i];
    if (ch == '\n') {
      ++newlines;
      ++i;
    } else if (ch == ' ' || ch == '\t' || ch == '\r') {
      ++i;
    } else if (text.compare(i, 2, "//") == 0) {
      uint32_t e = i;
      while (e < to && text[e] != '\n' && text[e] != '\r') ++e;
      LayoutElement c;
      c.kind = LayoutElement::Kind::LineComment;
      c.begin = i;
      c.end = e;
      std::string_view body = text.substr(i, e - i);
      while (!body.empty() && (body.back() == ' ' || body.back() == '\t')) body.remove_suffix(1);
      c.text = std::string(body);
      c.newlinesBefore = newlines;
      out.push_back(std::move(c));
      newlines = 0;
      i = e;
    } else if (text.compare(i, 2, "/*") == 0) {
      size_t e = text.find("*/", i + 2);
      if (e == std::string_view::npos || e + 2 > to) throw std::logic_error("unterminated comment in a parsed file");
      LayoutElement c;
      c.kind = LayoutElement::Kind::BlockComment;
      c.begin = i;
      c.end = uint32_t(e + 2);
      c.text = std::string(text.substr(i, e + 2 - i));
      c.newlinesBefore = newlines;
      out.push_back(std::move(c));
      newlines = 0;
      i = c.end;
    } else {
      throw std::logic_error("unexpected text between tokens at byte " + std::to_string(i));
    }
  }
  return newlines;
}

}  // namespace

std::optional<std::vector<LayoutElement>> scanLayout(FileId file, const SourceManager &sources,
                                                     DiagnosticEngine &diags) {
  std::optional<std::vector<LayoutElement>> result;
  unsigned errorsBefore = diags.errorCount();
  withParseTree(file, sources, diags,
                [&](P::FileContext &tree, antlr4::CommonTokenStream &stream, const TokenRanges &ranges,
                    std::string_view text) {
                  // The AST builder's own errors (inexact numbers...) make a file
                  // that `check` refuses; the formatter refuses it too.
                  buildAst(tree, ranges, diags);
                  if (diags.errorCount() > errorsBefore) return;
                  stream.fill();
                  std::vector<antlr4::Token *> tokens = stream.getTokens();
                  std::vector<unsigned> flags(tokens.size(), 0);
                  Marker(flags).file(&tree);
                  std::vector<LayoutElement> out;
                  uint32_t at = 0;
                  for (antlr4::Token *t : tokens) {
                    if (t->getType() == antlr4::Token::EOF) break;
                    SourceRange r = ranges.of(t);
                    LayoutElement e;
                    e.newlinesBefore = scanGap(text, at, r.begin, out);
                    e.begin = r.begin;
                    e.end = r.end;
                    e.text = std::string(text.substr(r.begin, r.end - r.begin));
                    e.flags = flags[t->getTokenIndex()];
                    out.push_back(std::move(e));
                    at = r.end;
                  }
                  scanGap(text, at, uint32_t(text.size()), out);
                  result = std::move(out);
                });
  return result;
}

}  // namespace carepath::parse
