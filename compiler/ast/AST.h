// The protocol language's syntax tree: the project's own node types, built
// from the ANTLR parse tree by parse/ASTBuilder. Every node carries the
// source range it came from; nothing after the front end sees ANTLR types.
// Nodes own their children (unique_ptr); passes read them and annotate
// nothing in place: semantic results live in sema/ and the IR.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "basic/SourceManager.h"
#include "carepath/Rational.h"
#include "carepath/Rules.h"
#include "carepath/Truth.h"

namespace carepath::ast {

struct Ident {
  std::string name;
  SourceRange range;
};

/// `a.b.c`
struct QualifiedName {
  std::vector<Ident> parts;
  SourceRange range;
  std::string str() const {
    std::string s;
    for (size_t i = 0; i < parts.size(); ++i) s += (i ? "." : "") + parts[i].name;
    return s;
  }
};

/// `[R1, R2]`
struct Citations {
  std::vector<Ident> ids;
  SourceRange range;
  bool empty() const { return ids.empty(); }
};

/// A unit written after a number: `mg`, `mg/kg`, `mg/kg/day`, `%`.
/// The first atom is the numerator; every further atom divides.
struct UnitExpr {
  std::vector<Ident> atoms;
  SourceRange range;
  std::string str() const {
    std::string s;
    for (size_t i = 0; i < atoms.size(); ++i) s += (i ? "/" : "") + atoms[i].name;
    return s;
  }
};

/// `unspecified "reason"`: what the source text leaves open.
struct Unspecified {
  std::string reason;
  SourceRange range;
};

// ------------------------------------------------------------------ expressions

enum class ExprKind { Number, Bool, String, Name, Unary, Binary, InRange, InSet, Call, If, Count };
enum class UnaryOp { Not, Negate };
enum class BinaryOp { Or, And, Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Mul, Div };
const char *spelling(BinaryOp op);

struct Expr {
  explicit Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Expr() = default;
  const ExprKind kind;
  SourceRange range;
};
using ExprPtr = std::unique_ptr<Expr>;

/// `30`, `1.5 g`, `30 mg/kg`. `value` is the exact number as written.
struct NumberExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Number;
  NumberExpr(SourceRange r) : Expr(Kind, r) {}
  std::string text;  // digits as written, e.g. "1.5"
  Rational value;
  std::optional<UnitExpr> unit;
};

struct BoolExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Bool;
  BoolExpr(SourceRange r, bool v) : Expr(Kind, r), value(v) {}
  bool value;
};

/// `"EU"`: a string literal, compared with `string` inputs.
struct StringExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::String;
  StringExpr(SourceRange r, std::string v) : Expr(Kind, r), value(std::move(v)) {}
  std::string value;  // the text between the quotes, escapes resolved
};

/// A reference: input, define, enum member, or `pathway.tier` / `table.rule`.
struct NameExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Name;
  NameExpr(SourceRange r, QualifiedName n) : Expr(Kind, r), name(std::move(n)) {}
  QualifiedName name;
};

struct UnaryExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Unary;
  UnaryExpr(SourceRange r, UnaryOp o, ExprPtr e) : Expr(Kind, r), op(o), operand(std::move(e)) {}
  UnaryOp op;
  ExprPtr operand;
};

struct BinaryExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Binary;
  BinaryExpr(SourceRange r, BinaryOp o, SourceRange opr, ExprPtr l, ExprPtr rr)
      : Expr(Kind, r), op(o), opRange(opr), lhs(std::move(l)), rhs(std::move(rr)) {}
  BinaryOp op;
  SourceRange opRange;  // where the operator is written
  ExprPtr lhs, rhs;
};

/// `x in lo .. hi` (both ends inclusive), `x in lo ..< hi` (hi excluded),
/// `x not in lo .. hi`.
struct InRangeExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::InRange;
  InRangeExpr(SourceRange r) : Expr(Kind, r) {}
  ExprPtr subject, lo, hi;
  bool negated = false;
  bool halfOpen = false;  // `..<`
};

/// `x in {a, b}`, `x not in {a, b}`.
struct InSetExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::InSet;
  InSetExpr(SourceRange r) : Expr(Kind, r) {}
  ExprPtr subject;
  std::vector<ExprPtr> members;
  bool negated = false;
};

/// `if c then a else b`.
struct IfExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::If;
  IfExpr(SourceRange r) : Expr(Kind, r) {}
  ExprPtr condition, then, otherwise;
};

/// `at least K of {a, b, ...}`, `at most K of {...}`, `exactly K of {...}`.
struct CountExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Count;
  CountExpr(SourceRange r) : Expr(Kind, r) {}
  Counting counting = Counting::AtLeast;
  Rational k;        // as written (sema checks it is a whole number)
  SourceRange kRange;
  std::vector<ExprPtr> items;
};

/// `min(a, b, ...)`, `max(a, b, ...)`, `known(x)`.
struct CallExpr : Expr {
  static constexpr ExprKind Kind = ExprKind::Call;
  CallExpr(SourceRange r, std::string c) : Expr(Kind, r), callee(std::move(c)) {}
  std::string callee;
  std::vector<ExprPtr> args;
};

/// Checked downcasts: `if (auto *n = dyn<NameExpr>(e))`.
template <typename T> T *dyn(Expr *e) { return e && e->kind == T::Kind ? static_cast<T *>(e) : nullptr; }
template <typename T> const T *dyn(const Expr *e) {
  return e && e->kind == T::Kind ? static_cast<const T *>(e) : nullptr;
}

/// `lo .. hi`, or `lo ..< hi` (halfOpen: hi excluded).
struct RangeExpr {
  ExprPtr lo, hi;
  bool halfOpen = false;
  SourceRange range;
  SourceRange opRange;  // where `..` / `..<` is written
};

// ------------------------------------------------------------------ types

struct TypeExpr {
  enum class Kind { Bool, Integer, Number, String, Enum, Quantity } kind = Kind::Bool;
  std::vector<Ident> members;  // Enum
  /// Quantity: a dimension expression `mass`, `mass / volume`: the first
  /// atom, then each further atom with the operator before it ('*' or '/').
  std::vector<Ident> dimAtoms;
  std::vector<char> dimOps;
  std::optional<Ident> substance;  // Quantity: `mass / volume of glucose`
  SourceRange range;
};

// ------------------------------------------------------------------ actions

/// How a dose amount is counted.
struct Basis {
  /// Rate: `rate`, an amount per time (a continuous infusion, a rate limit).
  enum class Kind { None, PerDose, PerTime, PerCourse, Rate } kind = Kind::None;
  Ident timeUnit;  // PerTime: `per day` -> "day"
  bool spelledTotal = false;  // PerCourse written as `total`
  SourceRange range;
};

/// One clause of a give's regimen (docs/language.md, "Regimens").
struct RegimenClause {
  enum class Kind { Every, Divided, Once, Repeat, UpTo } kind = Kind::Every;
  ExprPtr interval;   // Every: `every X`; Repeat: `after X`
  int64_t count = 0;  // Divided, UpTo: N doses; Repeat: N more doses (`once` is 1)
  SourceRange range;
  SourceRange countRange;  // the number, for diagnostics
};

struct Timing {
  enum class Kind { None, At, Within, Over } kind = Kind::None;
  std::optional<RangeExpr> at;  // At
  ExprPtr value;                // Within, Over
  ExprPtr high;                 // `over A .. B`: B; null otherwise
  std::optional<Ident> anchor;  // `within X of EVENT`, `at A .. B after EVENT`
  SourceRange range;
};

// One vocabulary for the AST, the IR and the runtime (carepath/Rules.h).
using carepath::ActionKind;
using carepath::spelling;

struct Action {
  ActionKind kind = ActionKind::Do;
  Ident name;               // drug for Give; action name otherwise; empty for Unspecified
  std::string note;         // the optional description string
  Citations citations;
  SourceRange range;
  // Give:
  ExprPtr dose;                         // null when the dose is unspecified; a range's low end
  ExprPtr doseHigh;                     // `dose A .. B`: B; null for a single dose
  std::optional<Unspecified> doseUnspecified;
  Basis basis;
  ExprPtr cap;                          // `max EXPR`
  Basis capBasis;
  std::optional<RangeExpr> duration;    // `for LO .. HI`
  std::optional<RangeExpr> taper;       // `then taper over LO .. HI` / `taper over LO .. HI`
  SourceRange taperRange;               // the whole taper clause, for diagnostics
  ExprPtr over;                         // `over EXPR`; `over A .. B`: A
  ExprPtr overHigh;                     // `over A .. B`: B; null for one time
  std::optional<Ident> route;           // `route buccal`: one of the drug's routes
  std::vector<RegimenClause> regimen;   // `every 6 h`, `divided into 4 doses`, ... as written
  // Do / Order / Consider / Monitor:
  Timing timing;
  // Unspecified:
  std::optional<Unspecified> unspecified;
  /// `unless C`: the action is withheld from a patient C may hold for. In an
  /// alternative of several actions it is written once, after the last one,
  /// and stored there; it withholds the whole alternative.
  ExprPtr unless;
  /// `one of { ... | ... }`: a tier's or rule's actions stay one flat list;
  /// an action of an alternative has `choice`, the index of its `one of` in
  /// the tier or rule (0, 1, ...), and `option`, its alternative's index in
  /// it. -1 for an action given outright.
  int choice = -1, option = -1;
  SourceRange choiceRange;  // the whole `one of { ... }`
};

// ------------------------------------------------------------------ declarations

enum class DeclKind { Use, Source, Dimension, Unit, Substance, Input, Define, Drug, Pathway, Table, Verify, Example, Assume, Code };

struct Decl {
  Decl(DeclKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Decl() = default;
  const DeclKind kind;
  SourceRange range;
};
using DeclPtr = std::unique_ptr<Decl>;

template <typename T> T *dyn(Decl *d) { return d && d->kind == T::Kind ? static_cast<T *>(d) : nullptr; }
template <typename T> const T *dyn(const Decl *d) {
  return d && d->kind == T::Kind ? static_cast<const T *>(d) : nullptr;
}

/// `use stdlib.units`, `use stdlib.drugs.{a, b}`
struct UseDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Use;
  UseDecl(SourceRange r) : Decl(Kind, r) {}
  QualifiedName module;
  bool hasImportList = false;
  std::vector<Ident> imports;
};

/// `source R1 "text"`
struct SourceDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Source;
  SourceDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  std::string text;
};

/// `dimension mass`, `dimension concentration = mass / volume`
struct DimensionDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Dimension;
  DimensionDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  std::optional<TypeExpr> definition;  // Quantity-kind TypeExpr when derived
};

/// `unit mg : mass` (base unit) or `unit g = 1000 mg` (scaled).
struct UnitDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Unit;
  UnitDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  bool isBase = false;
  Ident dimension;       // base
  Rational factor;       // scaled: factor * ofUnit (`1/1000 g` -> 1/1000)
  SourceRange factorRange;
  UnitExpr ofUnit;       // scaled
  /// scaled: `offset X`, the reading of this unit at the zero of `ofUnit`
  /// (`unit degF = 5/9 degC offset 32`); makes the unit affine.
  std::optional<Rational> offset;
  SourceRange offsetRange;
  std::optional<std::string> ucum;  // `ucum "ug"`
  SourceRange ucumRange;
};

/// One exact equation of a substance: `1 mol = 180.156 g`.
struct SubstanceRatio {
  Rational lhs, rhs;
  UnitExpr lhsUnit, rhsUnit;
  Citations citations;
  SourceRange range;
};

/// `substance glucose "D-glucose" [R] { 1 mol = 180.156 g }`
struct SubstanceDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Substance;
  SubstanceDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  std::string description;
  Citations citations;
  std::vector<SubstanceRatio> ratios;
};

struct InputDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Input;
  InputDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  bool optional = false;            // `: optional TYPE`: may be missing
  TypeExpr type;
  std::optional<RangeExpr> domain;  // `in LO .. HI`
  std::string description;
  std::optional<Unspecified> unspecified;
  Citations citations;
  /// Declared as `event NAME`: an optional duration, the time elapsed since
  /// the event (no `input` keyword in the source).
  bool event = false;
  /// Made by the parser for a course pathway's state (docs/semantics.md,
  /// "The course"); not in the source text.
  bool courseState = false;
};

struct DefineDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Define;
  DefineDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  ExprPtr value;
  std::string description;
  Citations citations;
};

/// `assume NAME: CONDITION "note"? (unspecified "why")? [cites]?`: a
/// population assumption, which patients exist (docs/language.md, "assume").
/// In a module it reads the inputs of the protocol that uses it, by name.
struct AssumeDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Assume;
  AssumeDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  ExprPtr condition;
  std::string note;
  std::optional<Unspecified> unspecified;
  Citations citations;
};

/// `code KIND TARGET = SYSTEM "CODE" "display"? [cites]?` or `= unspecified
/// "why"`: a terminology code (docs/language.md, "Terminology codes").
struct CodeDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Code;
  CodeDecl(SourceRange r) : Decl(Kind, r) {}
  using Target = CodeTarget;
  Target target = Target::Input;
  QualifiedName name;      // `weight`; a member: `consciousness.coma`
  Ident system;            // `loinc`; empty when unspecified
  std::string code;        // as written, without quotes
  SourceRange codeRange;
  std::string display;     // "" when none written
  std::optional<Unspecified> unspecified;
  Citations citations;
};

/// `limit 1 g per day [F1]`: a formulary maximum.
struct Limit {
  ExprPtr amount;
  Basis basis;
  std::optional<Ident> route;  // `limit 10 mg per dose route buccal`: for that route only
  Citations citations;
  SourceRange range;
};

/// `contraindicated when COND "note" [R]`: COND names the inputs of the
/// protocol that gives the drug (sema resolves it in that protocol's scope).
struct Contraindication {
  ExprPtr when;
  std::string note;
  Citations citations;
  SourceRange range;
};

struct DrugDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Drug;
  DrugDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  std::string description;
  Citations citations;
  std::optional<Ident> route;
  std::vector<Ident> routes;  // every `route R` item, in order (`route` is the last)
  std::vector<Limit> limits;
  std::vector<Contraindication> contraindications;
};

struct Tier {
  Ident name;
  std::optional<Ident> after;
  ExprPtr guard;
  ExprPtr failedWhen;  // null when absent
  ExprPtr respondedWhen;  // course tiers: `responded when`; null when absent
  ExprPtr completedWhen;  // course tiers: `completed when`; null when absent
  Citations citations;
  std::vector<Action> actions;
  SourceRange range;
};

/// `exit resolved when C` on a course pathway.
struct Exit {
  Ident name;
  ExprPtr when;
};

struct PathwayDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Pathway;
  PathwayDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  ExprPtr entry;  // `for EXPR`; null when absent
  std::string description;
  Citations citations;
  std::vector<Tier> tiers;
  bool first = false;  // `first`: ordered stages, the first that holds is active
  SourceRange firstRange;
  bool course = false;      // `course`: persistent case state
  std::vector<Exit> exits;  // course pathways
};

using carepath::Aggregation;
using carepath::HitPolicy;

/// `name = value` in a rule: the value of one of the table's outputs.
struct OutputAssign {
  Ident name;
  ExprPtr value;
  SourceRange range;
};

/// `name : type` in a table's `outputs (...)`.
struct OutputDecl {
  Ident name;
  TypeExpr type;
  SourceRange range;
};

struct Rule {
  Ident name;
  std::optional<int64_t> priority;
  SourceRange priorityRange;
  ExprPtr guard;
  Citations citations;
  std::vector<OutputAssign> outputs;
  std::vector<Action> actions;
  SourceRange range;
};

struct TableDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Table;
  TableDecl(SourceRange r) : Decl(Kind, r) {}
  Ident name;
  HitPolicy hit = HitPolicy::Collect;
  Aggregation aggregation = Aggregation::None;  // `collect sum` ...
  SourceRange hitRange;
  bool complete = false;
  std::vector<OutputDecl> outputs;
  std::string description;
  Citations citations;
  std::vector<Rule> rules;
};

/// `give DRUG`, `do ACTION`, ...: what an action property is about.
struct ActionRef {
  ActionKind kind = ActionKind::Give;
  Ident name;
  SourceRange range;
};

struct Property {
  /// Reaches: `every P reaches pathway.tier`; Always/Never: assertions;
  /// NeverAction: `never give D when C`; ReachesAction: `every P reaches give D`;
  /// DoseAtMost: `always dose(D) <= Q basis when C`.
  enum class Kind { Reaches, Always, Never, NeverAction, ReachesAction, DoseAtMost } kind = Kind::Always;
  /// Reaches/ReachesAction: the population P; Always/Never: the assertion;
  /// NeverAction/DoseAtMost: the `when` condition (null when absent).
  ExprPtr expr;
  QualifiedName target;  // Reaches
  ActionRef action;      // NeverAction, ReachesAction; DoseAtMost: the drug
  ExprPtr bound;         // DoseAtMost: Q
  Basis basis;           // DoseAtMost
  std::string message;
  Citations citations;
  SourceRange range;
};

struct VerifyDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Verify;
  VerifyDecl(SourceRange r) : Decl(Kind, r) {}
  std::vector<Property> properties;
};

/// `given weight = 14 kg`, `given fever` / `given not fever`, or `given crp
/// = missing` (an optional input missing, even if `like` gave it).
struct Given {
  Ident input;
  ExprPtr value;  // null for a flag and for missing
  bool flag = true;
  bool missing = false;
  SourceRange range;
};

struct Expectation {
  enum class Kind { Fired, Action, Dose, Outside, Output } kind = Kind::Fired;
  bool negated = false;
  QualifiedName target;  // Fired: `pathway.tier` or `table.rule`; Output: `table.output`
  ExprPtr value;         // Output: the expected value
  ActionKind action = ActionKind::Do;  // Action
  Ident name;            // Action: action or drug name; Dose: drug name
  ExprPtr dose;          // Dose: expected amount (a range's low end)
  ExprPtr doseHigh;      // Dose: `== L .. H`: H; null for a single amount
  Basis basis;           // Dose
  SourceRange range;
};

struct ExampleDecl : Decl {
  static constexpr DeclKind Kind = DeclKind::Example;
  ExampleDecl(SourceRange r) : Decl(Kind, r) {}
  std::string name;
  SourceRange nameRange;
  std::optional<std::string> like;
  SourceRange likeRange;
  std::vector<Given> givens;
  std::vector<Expectation> expectations;
};

// ------------------------------------------------------------------ file

struct Fact {
  Ident name;
  ExprPtr value;  // a literal
  std::string note;
  Citations citations;
  SourceRange range;
};

struct Header {
  enum class Kind { Protocol, Module } kind = Kind::Protocol;
  Ident name;                 // Protocol
  QualifiedName moduleName;   // Module
  std::string version;        // Protocol; empty when absent
  SourceRange versionRange;
  std::string title;
  SourceRange titleRange;
  ExprPtr population;         // null when absent
  Citations populationCitations;
  std::optional<Ident> dosingWeight;
  std::vector<Fact> facts;
  SourceRange range;
};

struct File {
  FileId file = kNoFile;
  std::optional<Header> header;
  std::vector<DeclPtr> decls;
};

/// Writes an indented, deterministic dump of the tree (`carepath check
/// --emit=ast`), one node a line with its line:col range.
void dump(const File &file, const SourceManager &sources, std::ostream &out);

}  // namespace carepath::ast
