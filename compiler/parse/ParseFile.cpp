// parseFile: checks the bytes, lexes, guards the nesting depth, then parses
// in two stages (fast SLL with bail-out; on failure LL with recovery and
// messages) and hands the tree to the AST builder (withParseTree: the same
// pipeline for the formatter, parse/Layout.cpp).
#include "parse/ParseFile.h"

#include "CarepathLexer.h"
#include "CarepathParser.h"
#include "parse/ASTBuilder.h"
#include "parse/ParseTree.h"
#include "parse/SyntaxErrors.h"
#include "parse/TokenRanges.h"
#include "carepath/Utf8.h"

#include <optional>

namespace carepath::parse {

using L = grammar::CarepathLexer;
using antlr4::Token;

namespace {

/// Protocol files are UTF-8 text: refuse NUL bytes and invalid UTF-8 at the
/// first offending byte, before the lexer sees them.
bool checkEncoding(FileId file, std::string_view text, DiagnosticEngine &diags) {
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\0') {
      diags.report(DiagId::err_nul_byte, SourceRange{file, uint32_t(i), uint32_t(i + 1)});
      return false;
    }
    size_t n = decodeUtf8(text, i).length;
    if (n == 0) {
      diags.report(DiagId::err_invalid_utf8, SourceRange{file, uint32_t(i), uint32_t(i + 1)},
                   static_cast<unsigned>(static_cast<unsigned char>(text[i])));
      return false;
    }
    i += n;
  }
  return true;
}

/// How a bad character is shown in a message: itself when printable.
std::string showCharacter(const std::string &utf8) {
  unsigned char c = utf8.empty() ? 0 : static_cast<unsigned char>(utf8[0]);
  if (c < 0x20 || c == 0x7f) return fmt::format("\\x{:02X}", c);
  return utf8;
}

/// What an author who typed a character of another notation meant: the end
/// of the message ("write '>=' instead"; empty when we cannot tell) and the
/// text that replaces the character, when it is certain.
struct CharacterHint {
  std::string hint;
  std::optional<std::string> fix;
};

/// `rest` is the text right after the character (`µg` means `mcg`).
CharacterHint characterHint(const std::string &c, std::string_view rest) {
  static const std::pair<const char *, const char *> kOperators[] = {
      {"\u2265", ">="}, {"\u2264", "<="}, {"\u2260", "!="}, {"\u00D7", "*"}, {"\u00F7", "/"},
      {"\u2192", "->"}, {"\u201C", "\""}, {"\u201D", "\""}, {"\u2018", "\""}, {"\u2019", "\""}};
  for (auto [from, to] : kOperators)
    if (c == from) return {std::string("write '") + to + "' instead", to};
  if (c == "\u2013" || c == "\u2014") return {"write '-' for a minus, '..' for a range ('1 .. 5 days')", {}};
  if (c == "#") return {"comments start with '//'", "//"};
  if (c == "\u00B5" || c == "\u03BC") {  // the micro sign and the Greek mu
    if (rest.starts_with("mol")) return {"write 'umol' for micromoles", "u"};
    if (rest.starts_with("g")) return {"write 'mcg' for micrograms", "mc"};
    return {"write 'mcg' for micrograms, 'umol' for micromoles", {}};
  }
  return {};
}

/// Lexes the whole file. Lexical errors are reported here in their own
/// words, and the bad tokens are left out (an unterminated string becomes a
/// string) so the parser reports only real syntax errors.
std::vector<std::unique_ptr<Token>> lex(L &lexer, std::string_view text, const TokenRanges &ranges,
                                        DiagnosticEngine &diags, std::vector<uint32_t> &errorOffsets) {
  std::vector<std::unique_ptr<Token>> tokens;
  SourceRange badRun{};  // adjacent bad characters are one error
  Diagnostic *badDiag = nullptr;
  std::unique_ptr<Token> pending;  // read ahead past a '#' comment
  for (;;) {
    std::unique_ptr<Token> token = pending ? std::move(pending) : lexer.nextToken();
    size_t type = token->getType();
    if (type == L::ERROR_CHAR) {
      SourceRange r = ranges.of(token.get());
      if (badDiag && badRun.end == r.begin) {
        badRun.end = r.end;
        badDiag->range = badRun;
        badDiag->fixits.clear();  // a fix-it was for one character
        continue;
      }
      if (diags.tooManyErrors()) {  // let the engine note the limit, then stop
        diags.report(DiagId::err_bad_character, r, showCharacter(token->getText()));
        break;
      }
      badRun = r;
      errorOffsets.push_back(r.begin);
      CharacterHint hint = characterHint(token->getText(), text.substr(r.end));
      badDiag = hint.hint.empty()
                    ? &diags.report(DiagId::err_bad_character, r, showCharacter(token->getText()))
                    : &diags.report(DiagId::err_bad_character_hint, r, showCharacter(token->getText()), hint.hint);
      if (hint.fix) badDiag->fixits.push_back({r, *hint.fix});
      if (token->getText() == "#") {
        // A '#' comment: the rest of its line is the author's prose, not
        // syntax to report again (one root cause, one error).
        size_t line = token->getLine();
        std::unique_ptr<Token> next;
        while ((next = lexer.nextToken())->getType() != Token::EOF && next->getLine() == line) {}
        badDiag = nullptr;
        pending = std::move(next);
      }
      continue;
    }
    badDiag = nullptr;
    if (type == L::UNTERMINATED_COMMENT) {
      SourceRange r = ranges.of(token.get());
      diags.report(DiagId::err_unterminated_comment, SourceRange{r.file, r.begin, r.begin + 2});
      errorOffsets.push_back(r.begin);
      continue;
    }
    if (type == L::UNTERMINATED_STRING) {
      SourceRange r = ranges.of(token.get());
      diags.report(DiagId::err_unterminated_string, SourceRange{r.file, r.begin, r.begin + 1});
      static_cast<antlr4::CommonToken *>(token.get())->setType(L::STRING);
    }
    bool eof = type == Token::EOF;
    tokens.push_back(std::move(token));
    if (eof) break;
  }
  if (tokens.empty() || tokens.back()->getType() != Token::EOF) {
    // Stopped early at the error limit: end the stream where we stopped.
    auto eof = std::make_unique<antlr4::CommonToken>(Token::EOF, "<EOF>");
    tokens.push_back(std::move(eof));
  }
  return tokens;
}

/// ANTLR's recursive descent uses a stack frame per nesting level; a
/// hostile file of 200,000 '(' would overflow it. Every open bracket and
/// every prefix operator ('not', unary '-') in a row counts one level.
bool checkNesting(const std::vector<std::unique_ptr<Token>> &tokens, const TokenRanges &ranges,
                  DiagnosticEngine &diags) {
  std::vector<size_t> base{0};  // depth at each open bracket
  size_t run = 0;               // prefix operators since the last operand
  size_t previous = Token::INVALID_TYPE;
  for (const auto &token : tokens) {
    size_t type = token->getType();
    bool operandBefore = previous == L::IDENT || previous == L::INT || previous == L::DECIMAL ||
                         previous == L::RPAREN || previous == L::TRUE || previous == L::FALSE ||
                         previous == L::PERCENT || previous == L::RBRACE || previous == L::RBRACK;
    if (type == L::LPAREN || type == L::LBRACE || type == L::LBRACK) {
      base.push_back(base.back() + run + 1);
      run = 0;
    } else if (type == L::RPAREN || type == L::RBRACE || type == L::RBRACK) {
      if (base.size() > 1) base.pop_back();
      run = 0;
    } else if (type == L::NOT || (type == L::MINUS && !operandBefore)) {
      ++run;
    } else {
      run = 0;
    }
    if (base.back() + run > kMaxNestingDepth) {
      diags.report(DiagId::err_nesting_too_deep, ranges.of(token.get()), kMaxNestingDepth);
      return false;
    }
    previous = type;
  }
  return true;
}

}  // namespace

bool withParseTree(FileId file, const SourceManager &sources, DiagnosticEngine &diags, const TreeUser &use) {
  std::string_view text = sources.text(file);
  unsigned errorsBefore = diags.errorCount();
  if (!checkEncoding(file, text, diags)) return false;

  // A byte-order mark is not part of the text; blanking it keeps offsets.
  std::string input(text);
  if (input.compare(0, 3, "\xEF\xBB\xBF") == 0) input.replace(0, 3, "   ");
  TokenRanges ranges(file, input);
  antlr4::ANTLRInputStream chars(input);
  L lexer(&chars);
  lexer.removeErrorListeners();
  std::vector<uint32_t> lexicalErrors;
  std::vector<std::unique_ptr<Token>> tokens = lex(lexer, input, ranges, diags, lexicalErrors);
  if (diags.tooManyErrors()) return false;
  if (tokens.size() == 1 && diags.errorCount() == errorsBefore) {
    diags.report(DiagId::err_empty_file, SourceRange{file, 0, 0});
    return false;
  }
  if (!checkNesting(tokens, ranges, diags)) return false;

  antlr4::ListTokenSource source(std::move(tokens));
  antlr4::CommonTokenStream stream(&source);
  grammar::CarepathParser parser(&stream);
  parser.removeErrorListeners();

  // Fast path: SLL prediction, bail at the first error. Most files are valid.
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  grammar::CarepathParser::FileContext *tree = nullptr;
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException &) {
    // Slow path: full LL with recovery, reporting every error (up to the limit).
    parser.reset();
    auto strategy = std::make_shared<SyntaxErrorStrategy>(diags, ranges);
    strategy->setLexicalErrors(std::move(lexicalErrors));
    parser.setErrorHandler(strategy);
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    try {
      tree = parser.file();
    } catch (const antlr4::ParseCancellationException &) {
      tree = nullptr;  // the error limit was reached
    }
  }
  if (!tree || diags.errorCount() > errorsBefore) return false;
  use(*tree, stream, ranges, input);
  return true;
}

std::unique_ptr<ast::File> parseFile(FileId file, const SourceManager &sources, DiagnosticEngine &diags) {
  auto result = std::make_unique<ast::File>();
  result->file = file;
  withParseTree(file, sources, diags,
                [&](grammar::CarepathParser::FileContext &tree, antlr4::CommonTokenStream &, const TokenRanges &ranges,
                    std::string_view) { result = buildAst(tree, ranges, diags); });
  return result;
}

}  // namespace carepath::parse
