#include "parse/Keywords.h"

#include "CarepathLexer.h"

namespace carepath::parse {

std::vector<std::string> keywords() {
  antlr4::ANTLRInputStream input("");
  grammar::CarepathLexer lexer(&input);
  const antlr4::dfa::Vocabulary &v = lexer.getVocabulary();
  std::vector<std::string> words;
  for (size_t t = 1; t <= v.getMaxTokenType(); ++t) {
    std::string literal = v.getLiteralName(t);  // "'after'", or "" for IDENT, NUMBER...
    if (literal.size() < 3 || literal.front() != '\'') continue;
    std::string word = literal.substr(1, literal.size() - 2);
    bool letters = true;
    for (char c : word) letters = letters && ((c >= 'a' && c <= 'z') || c == '_');
    if (letters) words.push_back(word);
  }
  return words;
}

}  // namespace carepath::parse
