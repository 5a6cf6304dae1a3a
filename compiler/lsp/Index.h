// What the language server knows about a checked file: every declaration
// it can see (its own and those of the modules it uses, the stdlib too) and
// every place one is named, in any of those files. Built from sema's
// analysis (sema::SemaOptions::inspect), by the scopes sema built: the
// server never resolves a name differently from the compiler.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "basic/SourceManager.h"

namespace carepath::sema {
struct Analysis;
}

namespace carepath::lsp {

struct Symbol {
  enum class Kind {
    Input, Define, Drug, Pathway, Tier, Table, Rule, Output, Member, Source, Unit, Dimension, Substance, Example,
    Module
  };
  Kind kind = Kind::Input;
  std::string name;
  FileId file = kNoFile;
  uint32_t begin = 0, end = 0;  // the name as declared
  std::string container;        // a tier's pathway, a rule's table, a member's input
  std::string detail;           // one line: "input: a quantity of mass in kg"
  std::string hover;            // Markdown
};
const char *spelling(Symbol::Kind k);

/// One place a symbol is named (its declaration too).
struct Occurrence {
  FileId file = kNoFile;
  uint32_t begin = 0, end = 0;
  int symbol = -1;
  bool declaration = false;
};

struct Index {
  std::vector<Symbol> symbols;
  std::vector<Occurrence> occurrences;
  /// Symbols the checked file can name (its scope), for completion.
  std::vector<int> visible;
  /// Tiers, rules and outputs by pathway / table name (`p.` completion).
  std::map<std::string, std::vector<int>> members;
  /// Files other than the checked one: the path on disk (for URIs).
  std::map<FileId, std::string> paths;

  /// The occurrence at `offset` in `file` (the innermost; an offset just
  /// after a name counts), or -1.
  int occurrenceAt(FileId file, uint32_t offset) const;
};

/// Builds the index of the analysis's checked file (files[0]).
Index buildIndex(const sema::Analysis &a);

}  // namespace carepath::lsp
