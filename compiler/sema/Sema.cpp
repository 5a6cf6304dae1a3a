// The sema pipeline, written out in one place: modules, names, units,
// types, lowering. Early passes collect every error they can and go on;
// the type checker runs on what names and units left (an unresolved name
// is untyped, never an error of its own); lowering needs a clean tree, so
// the pipeline stops before it at any error.
#include "sema/Sema.h"

#include "carepath/Suggest.h"

#include <algorithm>

#include "sema/SemaContext.h"

namespace carepath::sema {

std::optional<ir::Protocol> analyze(const ast::File &file, SourceManager &sources, DiagnosticEngine &diags,
                                    const SemaOptions &options) {
  Analysis a(sources, diags, options);
  a.files.push_back(LoadedFile{&file, file.file == kNoFile ? "" : sources.name(file.file), "", {}, false});

  struct Inspect {  // runs on every way out
    Analysis &a;
    ~Inspect() {
      if (a.options.inspect) a.options.inspect(a);
    }
  } inspect{a};
  loadModules(a);
  if (diags.hasErrors()) return std::nullopt;
  resolveNames(a);
  buildUnits(a);  // independent of names: runs with them, so both report
  // Types are checked even after a name or unit error: a name that did not
  // resolve (or a define in a cycle) has no type, and the checker reports
  // nothing about an operand without one, so the other errors of the file
  // appear in the same run without cascades from the first.
  checkTypes(a);
  if (diags.hasErrors()) return std::nullopt;
  return lower(a);
}

// ------------------------------------------------------------------ helpers

std::string didYouMean(const std::string &name, const std::vector<std::string> &candidates) {
  // Close enough to be a typo: at most a third of the name's length.
  std::string pick = closestMatch(name, candidates, std::max<size_t>(1, name.size() / 3) + 1);
  return pick.empty() ? "" : "; did you mean '" + pick + "'?";
}

namespace {
/// Adds `use` to an unknown name's error: the first few as located notes,
/// the rest counted in one last note.
void addUse(Analysis &a, Analysis::UnknownReported &r, SourceRange use, const char *what) {
  if (use == r.diag->range || std::find(r.uses.begin(), r.uses.end(), use) != r.uses.end()) return;
  r.uses.push_back(use);
  constexpr size_t kShown = 3;
  if (r.uses.size() <= kShown) {
    a.diags.note(*r.diag, DiagId::note_here, use, what);
    return;
  }
  std::string more = fmt::format("and {} more use{} of it", r.uses.size() - kShown, r.uses.size() - kShown == 1 ? "" : "s");
  if (r.uses.size() == kShown + 1) r.diag->notes.push_back({SourceRange{}, more});
  else r.diag->notes.back().message = more;
}
}  // namespace

void reportUnknownName(Analysis &a, SourceRange where, const std::string &kind, const std::string &name,
                       const std::string &suggestion) {
  if (auto it = a.unknownNames.find(std::make_tuple(where.file, std::string("*"), name)); it != a.unknownNames.end()) {
    addUse(a, it->second, where, "used here");
    return;
  }
  // The suggested name, for the fix-it that renames every use at once.
  std::string pick;
  if (size_t at = suggestion.find("did you mean '"); at != std::string::npos) {
    at += std::string_view("did you mean '").size();
    pick = suggestion.substr(at, suggestion.find('\'', at) - at);
  }
  auto key = std::make_tuple(where.file, kind, name);
  if (auto it = a.unknownNames.find(key); it != a.unknownNames.end()) {
    addUse(a, it->second, where, "also used here");
    if (!pick.empty() && std::none_of(it->second.diag->fixits.begin(), it->second.diag->fixits.end(),
                                      [&](const FixIt &f) { return f.range == where; }))
      it->second.diag->fixits.push_back({where, pick});
    return;
  }
  Diagnostic &d = kind == "source" ? a.diags.report(DiagId::err_unknown_source, where, name, suggestion)
                                   : a.diags.report(DiagId::err_unknown_name, where, kind, name, suggestion);
  if (!pick.empty()) d.fixits.push_back({where, pick});
  a.unknownNames[key] = {&d, {}};
}

void noteFailedImport(Analysis &a, FileId file, const std::string &name, Diagnostic &d) {
  a.unknownNames.try_emplace(std::make_tuple(file, std::string("*"), name), Analysis::UnknownReported{&d, {}});
}

std::string joinNames(const std::vector<std::string> &names, const char *sep) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? sep : "") + names[i];
  return s;
}

std::string describe(const ir::Type &t, const Analysis &a) {
  switch (t.kind) {
  case ir::Type::Kind::Bool: return "a condition (bool)";
  case ir::Type::Kind::Enum:
    if (t.enumType < 0 || t.enumType >= static_cast<int>(a.enums.size())) return "an enum value";
    return "the enum of '" + a.enums[t.enumType].name + "'";
  case ir::Type::Kind::Number:
    if (t.dim.dimensionless()) return t.integer ? "an integer" : "a plain number";
    return "a quantity of " + t.dim.str();
  case ir::Type::Kind::String: return "a string";
  }
  return "?";
}

}  // namespace carepath::sema
