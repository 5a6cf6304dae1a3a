// Completion: names the file can see (inputs, defines, pathways, tables,
// drugs, units, sources, enum members), a pathway's tiers or a table's
// rules and outputs after `name.`, sources inside `[...]`, drugs after
// `give`, units after a number, and the keywords. While the text does not
// parse (as it usually does not mid-word) the last text that did is used.
#include <cctype>

#include "lsp/Server.h"
#include "parse/Keywords.h"

namespace carepath::lsp {

namespace {
// LSP CompletionItemKind values.
int itemKind(Symbol::Kind k) {
  switch (k) {
  case Symbol::Kind::Input: return 6;       // Variable
  case Symbol::Kind::Define: return 21;     // Constant
  case Symbol::Kind::Drug: return 7;        // Class
  case Symbol::Kind::Pathway: return 22;    // Struct
  case Symbol::Kind::Table: return 22;
  case Symbol::Kind::Tier: return 5;        // Field
  case Symbol::Kind::Rule: return 5;
  case Symbol::Kind::Output: return 10;     // Property
  case Symbol::Kind::Member: return 20;     // EnumMember
  case Symbol::Kind::Source: return 18;     // Reference
  case Symbol::Kind::Unit: return 11;       // Unit
  case Symbol::Kind::Dimension: return 8;   // Interface
  case Symbol::Kind::Substance: return 9;   // Module... a substance is a thing with conversions
  case Symbol::Kind::Example: return 3;
  case Symbol::Kind::Module: return 9;
  }
  return 1;
}

bool wordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
}  // namespace

json completion(const Server &, const Document &doc, const json &params) {
  uint32_t offset = offsetOf(doc, params);
  std::string_view text = doc.text;
  size_t lineStart = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  lineStart = lineStart == std::string_view::npos || offset == 0 ? 0 : lineStart + 1;
  std::string_view line = text.substr(lineStart, offset - lineStart);
  // The word being typed, and what is written before it.
  size_t w = line.size();
  while (w > 0 && wordChar(line[w - 1])) --w;
  std::string_view before = line.substr(0, w);

  const Snapshot *snap = doc.current && doc.current->indexed ? doc.current.get()
                         : doc.lastParsed && doc.lastParsed->indexed ? doc.lastParsed.get()
                                                                     : nullptr;
  json items = json::array();
  auto symbolItem = [&](int id, const char *sort) {
    const Symbol &s = snap->index.symbols[id];
    items.push_back({{"label", s.name}, {"kind", itemKind(s.kind)}, {"detail", s.detail}, {"sortText", sort + s.name}});
  };
  auto visibleOf = [&](std::initializer_list<Symbol::Kind> kinds, const char *sort) {
    if (!snap) return;
    for (int id : snap->index.visible)
      for (Symbol::Kind k : kinds)
        if (snap->index.symbols[id].kind == k) symbolItem(id, sort);
  };

  // `pathway.` / `table.`: its tiers, rules and outputs.
  if (!before.empty() && before.back() == '.') {
    size_t e = before.size() - 1, b = e;
    while (b > 0 && wordChar(before[b - 1])) --b;
    std::string owner(before.substr(b, e - b));
    if (snap) {
      auto it = snap->index.members.find(owner);
      if (it != snap->index.members.end())
        for (int id : it->second) symbolItem(id, "0");
    }
    return {{"isIncomplete", false}, {"items", items}};
  }
  // Inside `[...]`: citations.
  size_t open = before.rfind('['), close = before.rfind(']');
  if (open != std::string_view::npos && (close == std::string_view::npos || close < open)) {
    visibleOf({Symbol::Kind::Source}, "0");
    return {{"isIncomplete", false}, {"items", items}};
  }
  // The previous word.
  size_t e = before.size();
  while (e > 0 && (before[e - 1] == ' ' || before[e - 1] == '\t')) --e;
  size_t b = e;
  while (b > 0 && wordChar(before[b - 1])) --b;
  std::string_view previous = before.substr(b, e - b);
  if (previous == "give" || previous == "drug") {
    visibleOf({Symbol::Kind::Drug}, "0");
    return {{"isIncomplete", false}, {"items", items}};
  }
  bool afterNumber = !previous.empty() && std::isdigit(static_cast<unsigned char>(previous[0])) && e < before.size();
  bool unitOperator = e > 0 && e == before.size() && before[e - 1] == '/';  // `mg/` -> units
  if (afterNumber || unitOperator || previous == "per") {
    visibleOf({Symbol::Kind::Unit}, "0");
    if (unitOperator) return {{"isIncomplete", false}, {"items", items}};
  }
  visibleOf({Symbol::Kind::Input, Symbol::Kind::Define, Symbol::Kind::Member}, "1");
  visibleOf({Symbol::Kind::Pathway, Symbol::Kind::Table, Symbol::Kind::Drug}, "2");
  if (!afterNumber && previous != "per") visibleOf({Symbol::Kind::Unit}, "4");
  visibleOf({Symbol::Kind::Dimension, Symbol::Kind::Substance}, "4");
  for (const std::string &k : parse::keywords())
    items.push_back({{"label", k}, {"kind", 14}, {"sortText", "3" + k}});
  return {{"isIncomplete", false}, {"items", items}};
}

}  // namespace carepath::lsp
