// The review page of `carepath doc` (docs/cli.md, "doc"): what a clinical
// reviewer reads instead of the .care source. The content is built once as
// a small document model (sections of paragraphs, tables and code blocks)
// and written either as one self-contained HTML page or as Markdown, so
// the two formats cannot say different things.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ast/AST.h"
#include "ir/IR.h"
#include "verifier/Verifier.h"

namespace carepath::driver::doc {

/// "table.rule" / "pathway.tier" (or "define NAME") reads "pathway.tier" /
/// "table.rule" in its condition, directly or through defines: what the
/// flowchart draws as an arrow from the target to the reader.
struct Reference {
  std::string reader, target;
  friend bool operator==(const Reference &, const Reference &) = default;
  friend auto operator<=>(const Reference &, const Reference &) = default;
};

/// Tier and rule references in the conditions of the protocol file's
/// pathways and tables, followed through its defines. The IR inlines them
/// (a reference is its firing condition), so they are read off the AST.
std::vector<Reference> references(const ast::File &file, const ir::Protocol &p);

struct PageInput {
  const ir::Protocol *protocol = nullptr;
  const SourceManager *sources = nullptr;
  FileId file = kNoFile;             // the protocol's own file
  std::string fileName;              // as the user gave it
  std::string carepathVersion;
  const verifier::Report *report = nullptr;  // null with --no-verify
  std::vector<Reference> references;
};

/// The flowchart as Graphviz dot: population, pathways (entry, tiers in
/// order with their conditions, `after` and `failed when` edges, actions)
/// and tables (their rules), with arrows where a condition reads another
/// tier or rule. Deterministic.
std::string flowchartDot(const PageInput &in);

/// dot's SVG made embeddable and deterministic: no XML prolog, DOCTYPE or
/// comments (dot writes its version and the input's name there).
std::string cleanSvg(const std::string &svg);

/// The whole page. `svg` is the flowchart as drawn by dot (cleanSvg).
std::string renderHtml(const PageInput &in, const std::string &svg);
/// The same content as Markdown; the flowchart as a ```dot block.
std::string renderMarkdown(const PageInput &in, const std::string &dot);

}  // namespace carepath::driver::doc
