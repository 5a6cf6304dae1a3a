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
