#include "parse/SyntaxErrors.h"

#include "carepath/Suggest.h"

#include <algorithm>
#include <optional>

#include "CarepathParser.h"

namespace carepath::parse {

using P = grammar::CarepathParser;
using antlr4::Token;

namespace {

bool isKeyword(size_t type) { return type >= P::AFTER && type <= P::WITHIN; }

/// The tokens the grammar rule `ident` accepts: IDENT and the contextual
/// keywords. Read from the grammar itself, so the rule is the one list.
const std::vector<size_t> &nameTokenList() {
  static const std::vector<size_t> tokens = [] {
    std::vector<std::unique_ptr<Token>> none;
    none.push_back(std::make_unique<antlr4::CommonToken>(Token::EOF, "<EOF>"));
    antlr4::ListTokenSource source(std::move(none));
    antlr4::CommonTokenStream stream(&source);
    P parser(&stream);
    const antlr4::atn::ATN &atn = parser.getATN();
    std::vector<size_t> out;
    for (ssize_t t : atn.nextTokens(atn.ruleToStartState[P::RuleIdent]).toList()) out.push_back(static_cast<size_t>(t));
    return out;
  }();
  return tokens;
}

/// Groups of tokens that are named together ("an expression") when all of
/// their key members are expected at once.
struct Category {
  const char *phrase;
  std::vector<size_t> keys;     // all must be in the expected set
  std::vector<size_t> members;  // removed from the set when the category applies
};

std::vector<size_t> withNames(std::vector<size_t> tokens) {
  tokens.insert(tokens.end(), nameTokenList().begin(), nameTokenList().end());
  return tokens;
}

const std::vector<Category> &categories() {
  static const std::vector<Category> kCategories = {
      {"an expression",
       {P::INT, P::LPAREN, P::MINUS},
       withNames({P::INT, P::DECIMAL, P::STRING, P::LPAREN, P::MINUS, P::NOT, P::TRUE, P::FALSE, P::KNOWN, P::IF, P::AT,
                  P::EXACTLY})},
      {"a value",
       {P::INT, P::MINUS},
       withNames({P::INT, P::DECIMAL, P::STRING, P::LPAREN, P::MINUS, P::TRUE, P::FALSE, P::KNOWN, P::IF, P::AT, P::EXACTLY})},
      // Wherever a name may stand, the contextual keywords may too: one phrase.
      {"a name", nameTokenList(), nameTokenList()},
      {"an operator",
       {P::EQ, P::LT, P::PLUS},
       {P::EQ, P::NE, P::LT, P::LE, P::GT, P::GE, P::PLUS, P::MINUS, P::STAR, P::SLASH, P::AND, P::OR, P::IN, P::NOT}},
      {"a declaration ('use', 'source', 'input', 'define', 'drug', 'pathway', 'table', 'verify', 'example', ...)",
       {P::INPUT, P::DEFINE, P::PATHWAY},
       {P::USE, P::SOURCE, P::DIMENSION, P::UNIT, P::SUBSTANCE, P::INPUT, P::EVENT, P::DEFINE, P::DRUG, P::PATHWAY, P::TABLE,
        P::VERIFY, P::EXAMPLE, P::ASSUME, P::CODE}},
      {"an action ('give', 'do', 'order', 'consider', 'monitor' or 'unspecified')",
       {P::GIVE, P::DO, P::ORDER, P::UNSPECIFIED},
       {P::GIVE, P::DO, P::ORDER, P::CONSIDER, P::MONITOR, P::UNSPECIFIED}},
      // Where an action is named rather than written (`expect`, properties).
      {"an action ('give', 'do', 'order', 'consider' or 'monitor')",
       {P::GIVE, P::DO, P::ORDER},
       {P::GIVE, P::DO, P::ORDER, P::CONSIDER, P::MONITOR}},
      {"a header item ('title', 'population', 'dosing' or 'fact')",
       {P::TITLE, P::POPULATION},
       {P::TITLE, P::POPULATION, P::DOSING, P::FACT}},
      {"a hit policy ('unique', 'first', 'priority', 'any' or 'collect')",
       {P::UNIQUE, P::FIRST, P::ANY},
       {P::UNIQUE, P::FIRST, P::PRIORITY, P::ANY, P::COLLECT}},
      {"a dose basis ('per dose', 'per day', 'per course' or 'total')", {P::PER, P::TOTAL}, {P::PER, P::TOTAL}},
  };
  return kCategories;
}

std::string tokenText(const Token *t) {
  std::string text = t->getText();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

/// The offending token as the user wrote it: "'when'", "the name 'tierr'".
std::string describeToken(const Token *t) {
  size_t type = t->getType();
  if (type == Token::EOF) return "the end of the file";
  if (type == P::IDENT) return "the name '" + tokenText(t) + "'";
  if (type == P::INT || type == P::DECIMAL) return "the number '" + tokenText(t) + "'";
  if (type == P::STRING || type == P::UNTERMINATED_STRING) return "the text " + tokenText(t);
  if (isNameToken(type)) return "the word '" + tokenText(t) + "'";
  if (isKeyword(type)) return "the reserved word '" + tokenText(t) + "'";
  return "'" + tokenText(t) + "'";
}

std::string quoteName(antlr4::ParserRuleContext *node) {
  return node ? "'" + node->getText() + "'" : std::string();
}

/// The block the parser is inside, for "'}' to close the pathway 'x' body";
/// `open` receives its opening token.
std::string enclosingBlock(antlr4::ParserRuleContext *ctx, size_t closer, Token *&open) {
  size_t opener = closer == P::RBRACE ? P::LBRACE : closer == P::RPAREN ? P::LPAREN : P::LBRACK;
  for (; ctx; ctx = dynamic_cast<antlr4::ParserRuleContext *>(ctx->parent)) {
    antlr4::tree::TerminalNode *openNode = ctx->getToken(opener, 0);
    if (!openNode) continue;
    open = openNode->getSymbol();
    auto named = [](const std::string &what, antlr4::ParserRuleContext *name, const std::string &part) {
      return "the " + what + (name ? " " + quoteName(name) : std::string()) + " " + part;
    };
    if (auto *c = dynamic_cast<P::ProtocolHeaderContext *>(ctx)) return "the protocol" + (c->name ? " '" + c->name->getText() + "'" : std::string()) + " header";
    if (auto *c = dynamic_cast<P::DrugDeclContext *>(ctx)) return named("drug", c->ident(), "body");
    if (auto *c = dynamic_cast<P::PathwayDeclContext *>(ctx)) return named("pathway", c->ident(), "body");
    if (auto *c = dynamic_cast<P::TableDeclContext *>(ctx)) return named("table", c->ident(), "body");
    if (dynamic_cast<P::VerifyDeclContext *>(ctx)) return "the 'verify' block";
    if (auto *c = dynamic_cast<P::ExampleDeclContext *>(ctx)) return "the example" + (c->name ? " " + c->name->getText() : std::string());
    if (dynamic_cast<P::BodyContext *>(ctx)) {
      auto *parent = ctx->parent;
      if (auto *rb = dynamic_cast<P::RuleBodyContext *>(parent)) parent = rb->parent;
      if (auto *tier = dynamic_cast<P::TierDeclContext *>(parent)) return named("tier", tier->ident(0), "actions");
      if (auto *rule = dynamic_cast<P::RuleDeclContext *>(parent)) return named("rule", rule->ident(), "actions");
      return "the actions";
    }
    if (dynamic_cast<P::EnumTypeContext *>(ctx)) return "the enum members";
    if (dynamic_cast<P::SetContext *>(ctx)) return "the set";
    if (dynamic_cast<P::UseDeclContext *>(ctx)) return "the import list";
    if (auto *c = dynamic_cast<P::MinMaxCallContext *>(ctx)) return "the call to '" + (c->fn ? c->fn->getText() : "min") + "'";
    if (dynamic_cast<P::ParenPrimaryContext *>(ctx)) return "the parenthesis";
    if (dynamic_cast<P::CitationsContext *>(ctx)) return "the citation list";
    return "the block";
  }
  open = nullptr;
  return {};
}


std::string joinAlternatives(const std::vector<std::string> &parts) {
  std::string out;
  constexpr size_t kMaxShown = 7;
  size_t shown = std::min(parts.size(), kMaxShown);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out += (i + 1 == shown && shown == parts.size()) ? " or " : ", ";
    out += parts[i];
  }
  if (shown < parts.size()) out += ", ...";
  return out;
}

bool isActionKeyword(size_t t) {
  return t == P::GIVE || t == P::DO || t == P::ORDER || t == P::CONSIDER || t == P::MONITOR || t == P::UNSPECIFIED ||
         t == P::ONE;
}

bool isDeclarationKeyword(size_t t) {
  return t == P::USE || t == P::SOURCE || t == P::DIMENSION || t == P::UNIT || t == P::SUBSTANCE || t == P::INPUT ||
         t == P::EVENT || t == P::DEFINE || t == P::DRUG || t == P::PATHWAY || t == P::TABLE || t == P::VERIFY ||
         t == P::EXAMPLE;
}

/// A message for a construct written where its block cannot hold it (a tier
/// in a table, a rule in a pathway, a bare action, a declaration before the
/// block's '}'): it names what was written and where it belongs, instead of
/// only asking for the block's '}'. `block` is enclosingBlock's phrase.
std::string misplacedInBlock(const std::string &block, size_t type, const std::string &word) {
  bool table = block.rfind("the table", 0) == 0, pathway = block.rfind("the pathway", 0) == 0;
  if (!table && !pathway) return {};
  std::string holds = table ? "a table holds rules ('rule NAME when CONDITION -> ACTIONS')"
                            : "a pathway holds tiers ('tier NAME when CONDITION { ACTIONS }')";
  if (table && type == P::TIER) return "a tier cannot be in " + block + ": " + holds + "; tiers belong in a pathway";
  if (pathway && type == P::RULE) return "a rule cannot be in " + block + ": " + holds + "; rules belong in a table";
  if (isActionKeyword(type))
    return "'" + word + "' cannot stand alone in " + block + ": " + holds + (table ? "; an action follows a rule's '->' (several actions in braces: '-> { ... }')"
                                                   : "; write the action inside a tier's braces");
  if (type == P::WHEN || type == P::IF) return "'" + word + "' cannot start an entry of " + block + ": " + holds;
  if (isDeclarationKeyword(type))
    return "'" + word + "' cannot be in " + block + ": " + holds + "; write the declaration outside it, or close it with '}' first";
  return {};
}

}  // namespace

bool isNameToken(size_t type) {
  const std::vector<size_t> &names = nameTokenList();
  return type != P::IDENT && std::find(names.begin(), names.end(), type) != names.end();
}

std::string describeTokenType(const antlr4::dfa::Vocabulary &vocabulary, size_t type) {
  switch (type) {
  case Token::EOF: return "the end of the file";
  case P::IDENT: return "a name";
  case P::INT: return "a number";
  case P::DECIMAL: return "a number";
  case P::STRING: return "text in quotes";
  default: break;
  }
  std::string literal = vocabulary.getLiteralName(type);  // "'when'"
  return literal.empty() ? "something else" : literal;
}

void SyntaxErrorStrategy::report(antlr4::Parser *parser, Token *offending, const antlr4::misc::IntervalSet &expectedSet) {
  bool overLimit = diags_.tooManyErrors();
  const antlr4::dfa::Vocabulary &vocabulary = parser->getVocabulary();
  auto *stream = parser->getTokenStream();
  Token *previous = stream->index() > 0 ? stream->get(stream->index() - 1) : nullptr;
  if (previous && previous->getTokenIndex() >= offending->getTokenIndex()) {
    previous = offending->getTokenIndex() > 0 ? stream->get(offending->getTokenIndex() - 1) : nullptr;
  }

  // Summarise the expected set: categories first, then single tokens with the
  // closing brackets last (they carry "to close ...").
  std::vector<size_t> expected;
  for (ssize_t t : expectedSet.toList())
    if (t >= 0 || t == static_cast<ssize_t>(Token::EOF)) expected.push_back(static_cast<size_t>(t));
  // A category applies when the whole expected set has its keys, even if an
  // earlier category took some of them ('order' is a name and an action),
  // but not when it took all of them ('title' and 'population' are names
  // too: "a name" says it).
  const std::vector<size_t> all = expected;
  auto has = [&](size_t t) { return std::find(all.begin(), all.end(), t) != all.end(); };
  auto left = [&](size_t t) { return std::find(expected.begin(), expected.end(), t) != expected.end(); };
  std::vector<std::string> parts;
  bool declarationExpected = false, keywordExpected = false, sawName = false;
  for (const Category &c : categories()) {
    if (!std::all_of(c.keys.begin(), c.keys.end(), has) || std::none_of(c.keys.begin(), c.keys.end(), left)) continue;
    if (c.keys.front() == P::INPUT) declarationExpected = true;
    bool names = std::find(c.members.begin(), c.members.end(), P::IDENT) != c.members.end();
    if (names) sawName = true;
    else if (isKeyword(c.keys.front())) keywordExpected = true;
    parts.push_back(c.phrase);
    std::erase_if(expected, [&](size_t t) { return std::find(c.members.begin(), c.members.end(), t) != c.members.end(); });
  }
  std::vector<std::string> closers;
  Token *open = nullptr;
  std::string openBlock;
  std::vector<size_t> keywords;
  bool sawNumber = false;
  for (size_t t : expected) {
    if (t == P::RBRACE || t == P::RPAREN || t == P::RBRACK) {
      Token *blockOpen = nullptr;
      std::string block = enclosingBlock(parser->getContext(), t, blockOpen);
      std::string literal = describeTokenType(vocabulary, t);
      closers.push_back(block.empty() ? literal : literal + " to close " + block);
      if (t == P::RBRACE || !open) open = blockOpen, openBlock = block;
      continue;
    }
    if (t == P::INT || t == P::DECIMAL) {
      if (sawNumber) continue;
      sawNumber = true;
    }
    if (t == P::IDENT) sawName = true;
    if (isKeyword(t)) keywords.push_back(t);
    parts.push_back(describeTokenType(vocabulary, t));
  }
  parts.insert(parts.end(), closers.begin(), closers.end());

  // An echo of a lexical error between the previous token and this one.
  uint32_t gapBegin = previous ? ranges_.of(previous).end : 0, gapEnd = ranges_.of(offending).begin;
  auto echo = std::lower_bound(lexicalErrors_.begin(), lexicalErrors_.end(), gapBegin);
  if (echo != lexicalErrors_.end() && *echo <= gapEnd) return;

  // Recovery often trips again on the rest of the same line: one error a line.
  SourceRange here = ranges_.of(offending);
  if (lastLine_ != 0 && diags_.sources().lineColumn(here.file, here.begin).line == lastLine_) return;

  std::string message;
  bool atEnd = offending->getType() == Token::EOF;
  size_t type = offending->getType();
  size_t prevType = previous ? previous->getType() : Token::EOF;
  Token *next = nullptr;
  if (auto *buffered = dynamic_cast<antlr4::BufferedTokenStream *>(stream); buffered && !atEnd) {
    buffered->fill();
    if (offending->getTokenIndex() + 1 < buffered->size()) next = buffered->get(offending->getTokenIndex() + 1);
  }
  // Mistakes with a known fix, each located at the token the author wrote.
  std::string special;
  SourceRange specialWhere = ranges_.of(offending);
  std::optional<std::string> specialFix;  // replaces specialWhere
  Token *blockOpen = nullptr;
  std::string block = has(P::RBRACE) ? enclosingBlock(parser->getContext(), P::RBRACE, blockOpen) : std::string();
  auto *ifExpr = dynamic_cast<P::IfExprContext *>(parser->getContext());
  auto callName = [&](Token *name) {
    // `count(` and other calls that do not exist: a name is never followed by '('.
    std::string n = name->getText();
    if (n == "count")
      return std::string("there is no 'count(...)': count the true conditions with 'at least K of { C1, C2, ... }' (or 'at most K of', 'exactly K of')");
    return "there is no function '" + n + "': the calls are 'min(...)', 'max(...)' and 'known(...)'";
  };
  if (type == P::MIN && (prevType == P::INT || prevType == P::DECIMAL)) {
    special = "'min' is reserved for 'min(...)' and cannot be a unit; write 'minutes' (or 'minute')";
    specialFix = "minutes";
  } else if (type == P::LPAREN && !has(P::LPAREN) && previous &&
             (prevType == P::IDENT || prevType == P::COUNT || prevType == P::SUM)) {
    special = callName(previous);
    specialWhere = ranges_.of(previous);
  } else if ((type == P::IDENT || type == P::COUNT || type == P::SUM) && next && next->getType() == P::LPAREN &&
             !sawName) {
    special = callName(offending);
  } else if (type == P::IF && has(P::WHEN) && !has(P::IF)) {
    special = "write 'when' instead of 'if': a condition here is 'when CONDITION'";
    specialFix = "when";
  } else if (type == P::IF && has(P::GIVE)) {
    special = "'if' cannot choose actions: it is an expression ('if C then A else B' gives a value); actions apply "
              "when their tier's or rule's 'when' holds, so give the condition its own tier or table rule "
              "('rule NAME when C -> ACTIONS'), or withhold an action with 'ACTION unless C'";
  } else if (ifExpr && has(P::ELSE) && !has(P::THEN)) {
    special = "'if' needs 'else': 'if C then A else B' always gives a value";
    if (previous && (atEnd || diags_.sources().lineColumn(here.file, here.begin).line >
                                  diags_.sources().lineColumn(here.file, ranges_.of(previous).begin).line))
      specialWhere = ranges_.after(previous);
  } else if (!block.empty() && !atEnd) {
    special = misplacedInBlock(block, type, offending->getText());
  }
  if (!special.empty()) {
    Diagnostic &d = diags_.report(DiagId::err_syntax, specialWhere, special);
    if (specialFix) d.fixits.push_back({specialWhere, *specialFix});
    lastLine_ = diags_.sources().lineColumn(here.file, here.begin).line;
    if (ifExpr && special.rfind("'if' needs", 0) == 0)
      diags_.note(d, DiagId::note_here, ranges_.of(ifExpr->getStart()), "the 'if' starts here");
    if (overLimit) throw antlr4::ParseCancellationException("too many errors");
    return;
  }
  if (type == P::IDENT && !sawName && (!keywords.empty() || keywordExpected)) {
    message = "unknown keyword or name '" + tokenText(offending) + "'";
    std::string suggestion;
    for (size_t k : keywords) {
      std::string word = vocabulary.getLiteralName(k);
      word = word.substr(1, word.size() - 2);
      if (offending->getText().size() >= 3 && editDistance(offending->getText(), word) <= 2) suggestion = word;
    }
    if (!parts.empty()) message += "; expected " + joinAlternatives(parts);
    if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
  } else if (parts.empty()) {
    message = atEnd ? "unexpected end of the file" : "unexpected " + describeToken(offending);
  } else {
    message = "expected " + joinAlternatives(parts);
    // "after 'when'": the keyword or operator that asked for what is missing.
    size_t prev = previous ? previous->getType() : Token::EOF;
    if (closers.empty() && !declarationExpected && previous && prev != P::IDENT && prev != P::INT && prev != P::DECIMAL &&
        prev != P::STRING && prev != P::RBRACE && prev != P::RPAREN && prev != P::RBRACK)
      message += " after '" + previous->getText() + "'";
    if (!atEnd) message += ", but found " + describeToken(offending);
  }

  // Something missing at the end of a line (or of the file) belongs right
  // after the last token, where the user would type it.
  auto lineOf = [&](const SourceRange &r) { return diags_.sources().lineColumn(r.file, r.begin).line; };
  bool missingAtLineEnd = previous && !declarationExpected && message.rfind("unknown", 0) != 0 && (atEnd || lineOf(ranges_.of(offending)) > lineOf(ranges_.of(previous)));
  SourceRange where = missingAtLineEnd && !parts.empty() ? ranges_.after(previous) : ranges_.of(offending);
  Diagnostic &d = diags_.report(DiagId::err_syntax, where, message);
  lastLine_ = diags_.sources().lineColumn(here.file, here.begin).line;
  if (atEnd && open && !closers.empty())
    diags_.note(d, DiagId::note_here, ranges_.of(open), openBlock + " starts here");
  if (overLimit) throw antlr4::ParseCancellationException("too many errors");
}

void SyntaxErrorStrategy::sync(antlr4::Parser *parser) {
  if (inErrorRecoveryMode(parser)) return DefaultErrorStrategy::sync(parser);
  antlr4::ParserRuleContext *ctx = parser->getContext();
  bool table = dynamic_cast<P::TableDeclContext *>(ctx) != nullptr;
  bool pathway = dynamic_cast<P::PathwayDeclContext *>(ctx) != nullptr;
  auto *input = parser->getTokenStream();
  size_t la = input->LA(1);
  size_t item = table ? P::RULE : P::TIER;
  if (!(table || pathway) || la == item || la == P::RBRACE || la == Token::EOF || isDeclarationKeyword(la))
    return DefaultErrorStrategy::sync(parser);
  antlr4::misc::IntervalSet expected = parser->getExpectedTokens();
  if (!expected.contains(static_cast<ssize_t>(item)) || !expected.contains(static_cast<ssize_t>(P::RBRACE))) return DefaultErrorStrategy::sync(parser);
  reportUnwantedToken(parser);
  // The default would stop at the first '}', the construct's own, and close
  // the body there: its real '}' would then be a second error.
  for (int depth = 0;;) {
    size_t t = input->LA(1);
    if (t == Token::EOF || (depth == 0 && (t == item || t == P::RBRACE || isDeclarationKeyword(t)))) break;
    if (t == P::LBRACE) ++depth;
    if (t == P::RBRACE) --depth;
    parser->consume();
  }
}

void SyntaxErrorStrategy::recover(antlr4::Parser *parser, std::exception_ptr e) {
  antlr4::ParserRuleContext *ctx = parser->getContext();
  bool tier = dynamic_cast<P::TierDeclContext *>(ctx) != nullptr;
  bool block = dynamic_cast<P::BodyContext *>(ctx) != nullptr;
  auto *input = parser->getTokenStream();
  if (!(tier || block) || !ctx->start || input->LA(1) == Token::EOF) return DefaultErrorStrategy::recover(parser, e);
  // The braces the construct has opened so far.
  int depth = 0;
  for (size_t i = ctx->start->getTokenIndex(); i < input->index(); ++i) {
    size_t t = input->get(i)->getType();
    if (t == P::LBRACE) ++depth;
    if (t == P::RBRACE) --depth;
  }
  size_t item = P::TIER;
  size_t before = input->index();
  for (bool opened = depth > 0;;) {
    size_t t = input->LA(1);
    // Not yet inside its braces: a next tier, a closing '}' or a
    // declaration means the construct has no block to skip.
    if (t == Token::EOF || (depth == 0 && !opened && (t == item || t == P::RBRACE || isDeclarationKeyword(t)))) break;
    // Inside a block that was never closed: the next tier or declaration
    // starts there rather than being swallowed.
    if (depth == 1 && opened && (t == item || t == P::RULE || isDeclarationKeyword(t)) &&
        input->LT(1)->getCharPositionInLine() <= ctx->start->getCharPositionInLine())
      break;
    parser->consume();
    if (t == P::LBRACE) ++depth, opened = true;
    if (t == P::RBRACE && --depth == 0) break;
  }
  if (input->index() == before) DefaultErrorStrategy::recover(parser, e);
}

void SyntaxErrorStrategy::reportNoViableAlternative(antlr4::Parser *parser, const antlr4::NoViableAltException &e) {
  Token *offending = e.getOffendingToken();
  // When prediction failed further ahead than the decision, the expected set
  // of the decision point says nothing about the offending token.
  if (e.getStartToken() && e.getStartToken()->getTokenIndex() != offending->getTokenIndex()) {
    report(parser, offending, antlr4::misc::IntervalSet());
    return;
  }
  report(parser, offending, e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportInputMismatch(antlr4::Parser *parser, const antlr4::InputMismatchException &e) {
  report(parser, e.getOffendingToken(), e.getExpectedTokens());
}

void SyntaxErrorStrategy::reportFailedPredicate(antlr4::Parser *parser, const antlr4::FailedPredicateException &e) {
  report(parser, e.getOffendingToken(), antlr4::misc::IntervalSet());
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser *parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  report(parser, parser->getCurrentToken(), getExpectedTokens(parser));
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser *parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  report(parser, parser->getCurrentToken(), getExpectedTokens(parser));
}

}  // namespace carepath::parse
