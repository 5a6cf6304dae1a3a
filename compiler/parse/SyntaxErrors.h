// Turns ANTLR's recognition errors into messages a guideline author reads:
// what was expected, in the language's words ("an expression", "a name",
// "'}' to close the pathway 'x' body"), never token names like IDENT or T__12.
#pragma once

#include <antlr4-runtime.h>

#include <string>

#include "basic/Diagnostics.h"
#include "parse/TokenRanges.h"

namespace carepath::parse {

/// Whether the token is a contextual keyword: a keyword where the grammar
/// expects it, a name everywhere a name may stand (grammar rule `ident`).
bool isNameToken(size_t type);

/// How a user writes a token of this type: "'when'", "a name", "a number".
std::string describeTokenType(const antlr4::dfa::Vocabulary &vocabulary, size_t type);

/// Recovers like ANTLR's default strategy (single-token insertion and
/// deletion, resynchronisation) but reports through the DiagnosticEngine.
/// Stops the parse (ParseCancellationException) once the error limit is hit.
class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  SyntaxErrorStrategy(DiagnosticEngine &diags, const TokenRanges &ranges) : diags_(diags), ranges_(ranges) {}

  /// Where the lexer already reported (and dropped) a bad character: a
  /// syntax error right after one is its echo and is not reported again.
  void setLexicalErrors(std::vector<uint32_t> offsets) { lexicalErrors_ = std::move(offsets); }

  /// In a table or pathway body, a construct the body cannot hold (a tier in
  /// a table, a bare action, ...) is reported once and skipped whole, its
  /// braces balanced, so the body's own '}' still closes the body.
  void sync(antlr4::Parser *parser) override;

  /// An error in a tier's header or in an action block skips the rest of
  /// that tier or block, braces balanced, through its own '}': the default
  /// would stop at that '}' and let it close the enclosing pathway or table,
  /// so the next tier would be a second, false error.
  void recover(antlr4::Parser *parser, std::exception_ptr e) override;

protected:
  void reportNoViableAlternative(antlr4::Parser *parser, const antlr4::NoViableAltException &e) override;
  void reportInputMismatch(antlr4::Parser *parser, const antlr4::InputMismatchException &e) override;
  void reportFailedPredicate(antlr4::Parser *parser, const antlr4::FailedPredicateException &e) override;
  void reportUnwantedToken(antlr4::Parser *parser) override;
  void reportMissingToken(antlr4::Parser *parser) override;

private:
  /// Reports "unexpected X; expected Y" at `offending`.
  void report(antlr4::Parser *parser, antlr4::Token *offending, const antlr4::misc::IntervalSet &expected);

  DiagnosticEngine &diags_;
  const TokenRanges &ranges_;
  std::vector<uint32_t> lexicalErrors_;  // sorted byte offsets
  uint32_t lastLine_ = 0;                 // line of the last syntax error reported
};

}  // namespace carepath::parse
