// Hover, go to definition, find references and rename: all from the index
// of the document's current text (nothing when it does not parse).
#include <algorithm>
#include <cctype>

#include "lsp/Server.h"
#include "parse/Keywords.h"

namespace carepath::lsp {

namespace {

/// The snapshot navigation uses: the current one, when sema ran on it.
const Snapshot *indexed(const Document &doc) {
  return doc.current && doc.current->indexed ? doc.current.get() : nullptr;
}

const Occurrence *occurrenceAt(const Document &doc, const Snapshot &snap, const json &params) {
  int i = snap.index.occurrenceAt(snap.main, offsetOf(doc, params));
  return i < 0 ? nullptr : &snap.index.occurrences[i];
}

/// A declaration the user may rename: declared in this document, named by
/// an identifier (an example is named by a string, a module by its file).
const Symbol *renamable(const Snapshot &snap, const Occurrence &o) {
  const Symbol &s = snap.index.symbols[o.symbol];
  if (s.kind == Symbol::Kind::Module || s.kind == Symbol::Kind::Example) return nullptr;
  return s.file == snap.main ? &s : nullptr;
}

/// Names that may not be the same: sema's namespaces (SemaContext.h, Scope).
std::string nameSpace(const Symbol &s) {
  switch (s.kind) {
  case Symbol::Kind::Input: case Symbol::Kind::Define: case Symbol::Kind::Pathway: case Symbol::Kind::Table:
    return "value";
  case Symbol::Kind::Tier: return "tier " + s.container;
  case Symbol::Kind::Rule: case Symbol::Kind::Output: return "table " + s.container;
  case Symbol::Kind::Member: return "member " + s.container;
  default: return spelling(s.kind);
  }
}

}  // namespace

json hover(const Server &server, const Document &doc, const json &params) {
  const Snapshot *snap = indexed(doc);
  if (!snap) return nullptr;
  uint32_t offset = offsetOf(doc, params);
  std::string text;
  json range;
  LineIndex lines(doc.text);
  if (const Occurrence *o = occurrenceAt(doc, *snap, params)) {
    text = snap->index.symbols[o->symbol].hover;
    range = lines.range(o->begin, o->end);
  }
  // A give's dose envelope, from the last verification of this very text.
  if (std::shared_ptr<const Verified> v = server.verified(doc))
    for (const EnvelopeNote &e : v->envelopes)
      if (offset >= e.begin && offset <= e.end) {
        text += (text.empty() ? "" : "\n\n---\n\n") + e.text;
        if (range.is_null()) range = lines.range(e.begin, e.end);
      }
  if (text.empty()) return nullptr;
  return {{"contents", {{"kind", "markdown"}, {"value", text}}}, {"range", range}};
}

json definition(const Server &server, const Document &doc, const json &params) {
  const Snapshot *snap = indexed(doc);
  if (!snap) return nullptr;
  const Occurrence *o = occurrenceAt(doc, *snap, params);
  if (!o) return nullptr;
  const Symbol &s = snap->index.symbols[o->symbol];
  if (s.file == kNoFile) return nullptr;
  return server.location(doc, *snap, s.file, s.begin, s.end);
}

json references(const Server &server, const Document &doc, const json &params) {
  const Snapshot *snap = indexed(doc);
  json out = json::array();
  if (!snap) return out;
  const Occurrence *at = occurrenceAt(doc, *snap, params);
  if (!at) return out;
  bool withDeclaration = params.contains("context") && params["context"].value("includeDeclaration", true);
  std::vector<const Occurrence *> found;
  for (const Occurrence &o : snap->index.occurrences)
    if (o.symbol == at->symbol && (withDeclaration || !o.declaration)) found.push_back(&o);
  // Deterministic: this document first, then other files, each by position.
  std::stable_sort(found.begin(), found.end(), [&](const Occurrence *a, const Occurrence *b) {
    bool am = a->file == snap->main, bm = b->file == snap->main;
    if (am != bm) return am;
    if (a->file != b->file) return a->file < b->file;
    return a->begin < b->begin;
  });
  for (const Occurrence *o : found) out.push_back(server.location(doc, *snap, o->file, o->begin, o->end));
  return out;
}

json prepareRename(const Server &, const Document &doc, const json &params) {
  const Snapshot *snap = indexed(doc);
  if (!snap) throw RequestError(kRequestFailed, "the file has errors; fix them before renaming");
  const Occurrence *o = occurrenceAt(doc, *snap, params);
  if (!o) return nullptr;
  const Symbol *s = renamable(*snap, *o);
  if (!s) {
    const Symbol &other = snap->index.symbols[o->symbol];
    throw RequestError(kRequestFailed, "'" + other.name + "' is not declared in this file (" +
                                           snap->sources.name(other.file) + "); rename it there");
  }
  return {{"range", LineIndex(doc.text).range(o->begin, o->end)}, {"placeholder", s->name}};
}

json rename(const Server &, const Document &doc, const json &params) {
  const Snapshot *snap = indexed(doc);
  if (!snap) throw RequestError(kRequestFailed, "the file has errors; fix them before renaming");
  std::string newName = params.at("newName").get<std::string>();
  bool identifier = !newName.empty() && !std::isdigit(static_cast<unsigned char>(newName[0]));
  for (char c : newName) identifier = identifier && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!identifier) throw RequestError(kRequestFailed, "'" + newName + "' is not a name (letters, digits and _)");
  std::vector<std::string> words = parse::keywords();
  if (std::find(words.begin(), words.end(), newName) != words.end())
    throw RequestError(kRequestFailed, "'" + newName + "' is a keyword of the language");
  const Occurrence *at = occurrenceAt(doc, *snap, params);
  if (!at) throw RequestError(kRequestFailed, "there is no name to rename here");
  const Symbol *s = renamable(*snap, *at);
  if (!s) throw RequestError(kRequestFailed, "'" + snap->index.symbols[at->symbol].name + "' is not declared in this file");
  // A clash with another name the file can see would change what a reference means.
  for (size_t v = 0; v < snap->index.symbols.size(); ++v) {
    const Symbol &other = snap->index.symbols[v];
    if (static_cast<int>(v) == at->symbol || other.name != newName || nameSpace(other) != nameSpace(*s)) continue;
    bool scoped = !other.container.empty();  // a tier, rule, output or member: same container
    bool visible = std::find(snap->index.visible.begin(), snap->index.visible.end(), static_cast<int>(v)) !=
                   snap->index.visible.end();
    if (scoped || visible)
      throw RequestError(kRequestFailed, "there is already a " + std::string(spelling(other.kind)) + " '" + newName + "'");
  }
  LineIndex lines(doc.text);
  json edits = json::array();
  for (const Occurrence &o : snap->index.occurrences)
    if (o.symbol == at->symbol && o.file == snap->main)
      edits.push_back({{"range", lines.range(o.begin, o.end)}, {"newText", newName}});
  return {{"changes", {{doc.uri, edits}}}};
}

}  // namespace carepath::lsp
