// State shared by the sema passes. Each pass (one per file in this folder)
// reads what the earlier ones recorded here and adds its own results; the
// AST itself is never annotated in place.
//
//   ModuleLoader   `use` -> loaded module files, cycles        (files, useTarget)
//   NameResolver   scopes, declarations, references            (scopes, model, names)
//   UnitAlgebra    dimensions and units from unit declarations (units)
//   TypeChecker    types, dimensions, ranges, doses            (types, inputs)
//   Lowering       AST -> ir::Protocol
#pragma once

#include <tuple>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast/AST.h"
#include "basic/Diagnostics.h"
#include "ir/IR.h"
#include "sema/Sema.h"
#include "sema/UnitAlgebra.h"

namespace carepath::sema {

/// What a file can see, one map per namespace. Inputs, defines, pathways
/// and tables share one namespace because all are named in expressions.
struct Scope {
  std::map<std::string, const ast::Decl *> values;
  std::map<std::string, const ast::DrugDecl *> drugs;
  std::map<std::string, const ast::SourceDecl *> sources;
  std::map<std::string, const ast::UnitDecl *> units;
  std::map<std::string, const ast::SubstanceDecl *> substances;
  std::map<std::string, const ast::DimensionDecl *> dimensions;
  std::map<std::string, const ast::AssumeDecl *> assumptions;  // never named in expressions
};

/// A file taking part in the analysis: the checked file (index 0) and every
/// module it uses, directly or not, in the order first reached.
struct LoadedFile {
  const ast::File *ast = nullptr;
  std::string path;
  std::string module;  // "" for the checked file unless it is a module itself
  Scope scope;         // filled by NameResolver
  bool scopeDone = false;
};

/// A reference written in an expression, resolved.
struct NameRef {
  /// Pathway: a course pathway named alone, the patient is on it now
  /// (ir::Protocol::pathwayActive); container is its index.
  enum class Kind { Input, Define, Member, Tier, Rule, Output, Pathway } kind = Kind::Input;
  int index = -1;      // input / define / tier / rule / output index
  int container = -1;  // pathway / table index for Tier / Rule / Output
};

/// The semantic facts about one AST expression (TypeChecker).
struct ExprInfo {
  ir::Type type;
  std::optional<ir::Unit> unit;   // number literals: the unit written
  Rational canonical;             // number literals: value in canonical units
  int member = -1;                // enum member names: index in type.enumType
};

/// A checked input: its IR type and domain.
struct InputInfo {
  ir::Type type;
  std::optional<Rational> lo, hi;
  ir::Unit displayUnit;
  std::string substance;  // `... of glucose`: its conversions apply to this input
  /// Its type did not resolve (an unknown dimension, reported there): its
  /// uses have no type, so they report nothing more (one root cause, once).
  bool broken = false;
};

struct Analysis {
  Analysis(SourceManager &s, DiagnosticEngine &d, const SemaOptions &o) : sources(s), diags(d), options(o) {}
  SourceManager &sources;
  DiagnosticEngine &diags;
  const SemaOptions &options;

  // ModuleLoader
  std::vector<std::unique_ptr<ast::File>> ownedModules;
  std::vector<LoadedFile> files;
  std::map<std::string, int> moduleIndex;                 // module name -> files index
  std::map<const ast::UseDecl *, int> useTarget;          // resolved `use`

  // NameResolver: the checked file's declarations in IR order (IR indices).
  std::vector<const ast::InputDecl *> inputs;
  std::vector<const ast::DefineDecl *> defines;
  std::vector<const ast::DrugDecl *> drugs;
  std::vector<const ast::PathwayDecl *> pathways;
  std::vector<const ast::TableDecl *> tables;
  std::vector<const ast::SourceDecl *> allSources;        // checked file first, then modules
  std::unordered_map<const ast::NameExpr *, NameRef> names;
  /// Enum member name -> inputs whose enum has it (for contextual lookup).
  std::map<std::string, std::vector<int>> memberInputs;
  /// Rules of each table in the order the hit policy tries them.
  std::vector<std::vector<int>> ruleOrder;
  /// For each example: the example its `like` names (-1 when none).
  std::vector<const ast::ExampleDecl *> examples;
  std::vector<int> exampleBase;
  std::vector<std::vector<int>> afterIndex;  // [pathway][tier] -> earlier tier or -1
  /// `expect table.output == v`: the (table, output) it names.
  std::map<const ast::Expectation *, std::pair<int, int>> expectOutputs;
  /// The contraindications resolved in the checked file's scope: those of
  /// the drugs it gives, whose names are all its inputs (or enum members).
  std::set<const ast::Contraindication *> contraindications;
  /// The population assumptions of the checked protocol, its own and those
  /// its `use`s import, in that order; each reads only its inputs (or enum
  /// members), resolved in its scope.
  std::vector<const ast::AssumeDecl *> assumptions;
  /// The terminology codes of the checked protocol: those of the modules it
  /// uses whose drug or route it has, then its own, in declaration order.
  std::vector<const ast::CodeDecl *> codes;

  // UnitAlgebra
  UnitTable units;
  std::map<const ast::UnitDecl *, std::string> unitKey;  // decl -> name in `units`

  // TypeChecker
  std::unordered_map<const ast::Expr *, ExprInfo> types;
  std::vector<InputInfo> inputInfo;
  std::vector<ir::EnumType> enums;
  std::vector<ir::Type> defineTypes;
  /// [table][output]: the declared type (Bool when the type is in error),
  /// its display unit, and whether it is usable in an expression.
  std::vector<std::vector<ir::Output>> outputs;

  /// Unknown names already reported, by (file, kind, spelling): a later use
  /// is a note on that error, not another error ("name" and "drug" uses of
  /// a failed import are notes on the import's error, kind "*").
  struct UnknownReported {
    Diagnostic *diag;
    std::vector<SourceRange> uses;
  };
  std::map<std::tuple<FileId, std::string, std::string>, UnknownReported> unknownNames;

  const Scope &rootScope() const { return files[0].scope; }
  bool isModuleFile() const {
    return files[0].ast->header && files[0].ast->header->kind == ast::Header::Kind::Module;
  }
};

// ------------------------------------------------------------------ passes, in order
void loadModules(Analysis &a);
void resolveNames(Analysis &a);
void buildUnits(Analysis &a);
/// didYouMean for a unit name: the unit whose UCUM code it is ('ug' ->
/// 'mcg'), or a typo that keeps the first letter (a different prefix is a
/// different magnitude: 'dL' is never offered for 'L').
std::string unitDidYouMean(const Analysis &a, const std::string &name, const std::vector<std::string> &candidates);
/// "'degC' is an affine unit and cannot be part of ..." at the atom.
void reportAffineInCompound(Analysis &a, const std::string &atom, const ast::UnitExpr &written);
void checkTypes(Analysis &a);
ir::Protocol lower(Analysis &a);

// ------------------------------------------------------------------ helpers shared by passes
/// "; did you mean 'x'?" for the closest candidate by edit distance, or "".
std::string didYouMean(const std::string &name, const std::vector<std::string> &candidates);
template <typename Map> std::vector<std::string> keysOf(const Map &m) {
  std::vector<std::string> k;
  for (auto &[name, v] : m) k.push_back(name);
  return k;
}
/// Reports `unknown KIND 'NAME'SUGGESTION` at its first use in a file (for
/// KIND "source", the citation of an undeclared source); a later use of the
/// same unknown name adds a note to that error instead.
void reportUnknownName(Analysis &a, SourceRange where, const std::string &kind, const std::string &name,
                       const std::string &suggestion);
/// Marks NAME, whose import failed at the error `d`, as reported in FILE.
void noteFailedImport(Analysis &a, FileId file, const std::string &name, Diagnostic &d);
/// "mass", "mass/duration", "a number" for dimensionless.
std::string describe(const ir::Type &t, const Analysis &a);
std::string joinNames(const std::vector<std::string> &names, const char *sep = ", ");

}  // namespace carepath::sema
