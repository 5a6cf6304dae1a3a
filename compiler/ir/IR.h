// The protocol IR: what a protocol means, independent of its syntax. Sema
// lowers the AST to it; the verifier, the backends, the example runner and
// the reference evaluator read only this.
//
// Conventions:
//  - Every quantity is an exact Rational in the canonical (base) unit of its
//    dimension as declared in the units module (mass in mg, volume in mL,
//    duration in h, amount in mmol with the stdlib). `Unit::factor` converts.
//  - Enum values are member indices into Protocol::enums[type].members.
//  - String values are the text itself: a `string` input's values are an
//    open set (docs/semantics.md, "Strings"), never a closed enum.
//  - Names (citations, tiers, inputs) are resolved to indices; source ranges
//    are kept for diagnostics.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "basic/SourceManager.h"
#include "carepath/Rational.h"
#include "carepath/Rules.h"
#include "carepath/Truth.h"
#include "carepath/Units.h"

namespace carepath::ir {

// ------------------------------------------------------------------ units and types

/// Exponents over the base dimensions ("mass" -> 1, "duration" -> -1).
/// Empty means dimensionless.
struct Dimension {
  std::map<std::string, int> exponents;

  bool dimensionless() const { return exponents.empty(); }
  friend bool operator==(const Dimension &, const Dimension &) = default;
  Dimension operator*(const Dimension &o) const;
  Dimension operator/(const Dimension &o) const;
  /// "mass", "mass/duration", "mass/mass" never (cancels), "1" if none.
  std::string str() const;
};

struct Unit {
  std::string name;   // as written: "mg", "mg/kg", "%"
  Dimension dim;
  Rational factor;    // value_in_canonical = value_in_this_unit * factor + offset
  Rational offset = 0;   // nonzero only for affine units (degC); carepath/Units.h
  std::string ucum{};    // UCUM code ("ug", "mg/kg"); "" when it has none

  bool affine() const { return !offset.isZero(); }
};

struct EnumType {
  std::string name;                  // the input it belongs to
  std::vector<std::string> members;  // declaration order
};

struct Type {
  enum class Kind { Bool, Enum, Number, String } kind = Kind::Bool;
  int enumType = -1;       // Enum: index into Protocol::enums
  /// Number: dimensionless for plain numbers, both `number` inputs and
  /// quantities whose dimension cancels out (mg/mg): one notion.
  Dimension dim;
  bool integer = false;    // Number: declared `integer` (an integer is a number)
  friend bool operator==(const Type &, const Type &) = default;
  static Type boolean() { return {}; }
  static Type number(Dimension d = {}) { Type t; t.kind = Kind::Number; t.dim = std::move(d); return t; }
  static Type enumeration(int e) { Type t; t.kind = Kind::Enum; t.enumType = e; return t; }
  static Type string() { Type t; t.kind = Kind::String; return t; }
};

/// A runtime value of an input or expression. `missing`: an optional input
/// that was not given, or an expression that needs one (three-valued logic,
/// carepath/Truth.h); the other fields are then meaningless.
struct Value {
  Type::Kind kind = Type::Kind::Bool;
  bool boolean = false;
  int member = -1;   // Enum
  Rational number;   // Number, canonical units
  std::string text;  // String
  bool missing = false;
  static Value ofBool(bool b) { Value v; v.boolean = b; return v; }
  static Value ofEnum(int m) { Value v; v.kind = Type::Kind::Enum; v.member = m; return v; }
  static Value ofNumber(Rational n) { Value v; v.kind = Type::Kind::Number; v.number = n; return v; }
  static Value ofString(std::string s) { Value v; v.kind = Type::Kind::String; v.text = std::move(s); return v; }
  static Value ofMissing(Type::Kind k) { Value v; v.kind = k; v.missing = true; return v; }
  static Value ofTruth(Truth t) { return t == Truth::Unknown ? ofMissing(Type::Kind::Bool) : ofBool(t == Truth::True); }
  /// A Bool value as a truth value (missing is unknown).
  Truth truth() const { return missing ? Truth::Unknown : carepath::truth(boolean); }
  friend bool operator==(const Value &a, const Value &b) {
    if (a.kind != b.kind || a.missing != b.missing) return false;
    if (a.missing) return true;
    return a.boolean == b.boolean && a.member == b.member && a.number == b.number && a.text == b.text;
  }
};

// ------------------------------------------------------------------ expressions

enum class Op {
  Const,   // `constant`
  Input,   // `index` into Protocol::inputs
  Define,  // `index` into Protocol::defines (kept named for explanations)
  Not, And, Or,              // And/Or are n-ary (args.size() >= 2)
  Eq, Ne, Lt, Le, Gt, Ge,    // binary; operands of equal type (numbers canonical)
  Add, Sub, Mul, Div, Neg,   // arithmetic on numbers (Div by zero: see evaluator)
  Min, Max,                  // n-ary
  // Missing values (carepath/Truth.h): an operand that is missing makes
  // every operator above missing (unknown), except that And/Or follow
  // Kleene's tables. The operators below are how a protocol talks about it.
  Known,   // known(x): x is not missing; never missing itself
  IsTrue,  // the operand is true (false when false or unknown); never missing.
           // Rule guards are read through it: a rule fires only when true.
  If,      // if c then a else b: a when c is true, else b (c false or unknown)
  Count,   // `counting` `index` of {args}: at least / at most / exactly K true
};
const char *spelling(Op op);

struct Expr;
using ExprRef = std::shared_ptr<const Expr>;

struct Expr {
  Op op = Op::Const;
  Type type;
  Value constant;  // Const
  int index = -1;  // Input, Define; Count: K
  Counting counting = Counting::AtLeast;  // Count
  std::vector<ExprRef> args;
  SourceRange range;
  /// Const numbers: the unit the author wrote, for display only (the value
  /// is canonical). Unset for numbers built by tools.
  std::optional<Unit> unit;
  /// Whether the value can be missing: it reads an optional input (or a
  /// define that does) other than through `known` or IsTrue. Set by the
  /// builders below; formulas over guards that cannot be missing stay
  /// two-valued and print as written.
  bool mayBeMissing = false;
  /// A name the compiler gives a condition it derives from what the author
  /// wrote, so explanations use the author's name, not its expansion: the
  /// pathway `P` (on it, Protocol::pathwayActive), the tier `P.T`
  /// (Protocol::tierGuard), the rule `T.R` (it fires), and `P_T_state == s`
  /// (Protocol::tierStateIs: the record read as the author means it). Empty
  /// for everything the author wrote. Meaning is unchanged: evaluators and
  /// the verifier ignore it; toString prints it, the table compiler writes
  /// it as a named `define` node (docs/tables.md, "Nodes").
  std::string label{};
};

/// Constructors that fill in the type; used by lowering and by tests that
/// build IR by hand.
namespace build {
ExprRef boolean(bool b, SourceRange r = {});
ExprRef number(Rational n, Dimension d = {}, SourceRange r = {});
ExprRef member(int enumType, int member, SourceRange r = {});
ExprRef string(std::string text, SourceRange r = {});
ExprRef input(int index, Type t, SourceRange r = {}, bool optional = false);
ExprRef define(int index, Type t, SourceRange r = {}, bool mayBeMissing = false);
ExprRef unary(Op op, ExprRef a, SourceRange r = {});
ExprRef binary(Op op, ExprRef a, ExprRef b, SourceRange r = {});
ExprRef nary(Op op, std::vector<ExprRef> args, SourceRange r = {});
ExprRef known(ExprRef a, SourceRange r = {});
/// `a` is true (two-valued); `a` itself when it cannot be missing.
ExprRef isTrue(ExprRef a, SourceRange r = {});
ExprRef ifThenElse(ExprRef c, ExprRef a, ExprRef b, SourceRange r = {});
ExprRef count(Counting c, int k, std::vector<ExprRef> args, SourceRange r = {});
/// No value: what a table output is when no rule gives it.
ExprRef missing(Type t, SourceRange r = {});
/// `e` under a compiler-made name (Expr::label); the same value.
ExprRef labelled(ExprRef e, std::string label);
}  // namespace build

// ------------------------------------------------------------------ declarations

using Citations = std::vector<std::string>;  // source ids, each declared in Protocol::sources

struct Source {
  std::string id;
  std::string text;
  SourceRange range;
};

struct Input {
  std::string name;
  Type type;
  std::optional<Rational> lo, hi;  // inclusive domain, canonical units (Number only)
  Unit displayUnit;                // the unit the author wrote the range in
  std::string description;
  std::optional<std::string> unspecified;
  Citations citations;
  SourceRange range;
  bool optional = false;           // `optional`: may be missing (Value::missing)
  std::string substance{};                  // `... of glucose`; "" when none
  std::vector<units::Ratio> conversions{};  // the substance's ratios (a value in mmol/L for mg/L)
  /// `event E`: the time elapsed since E (optional; missing = not happened).
  bool event = false;
  /// A course pathway's state (`on_P`, `P_T_state`): made by the parser.
  bool courseState = false;
};

struct Define {
  std::string name;
  ExprRef value;
  std::string description;
  Citations citations;
  SourceRange range;
};

/// How a dose amount is counted. Rate: `rate`, an amount per time at every
/// instant (a continuous infusion's dose, a limit on infusion rates); the
/// amount's dimension then has duration^-1.
struct Basis {
  enum class Kind { None, PerDose, PerTime, PerCourse, Rate } kind = Kind::None;
  Rational span;         // PerTime: the time unit in canonical duration (day = 24 h)
  std::string timeUnit;  // PerTime: "day"
  friend bool operator==(const Basis &, const Basis &) = default;
  std::string str() const;  // "", "per dose", "per day", "total", "rate"
};

/// How a give is spread over doses, as written (docs/language.md,
/// "Regimens"); sema refuses clauses that repeat or contradict, so each is
/// set at most once. What it implies is ir::schedule.
struct Regimen {
  std::optional<Rational> every;       // `every X`, `repeat ... after X`: time between doses, canonical duration
  std::optional<int64_t> dividedInto;  // `divided into N doses`: the amount on the give's basis is N doses
  std::optional<int64_t> maxDoses;     // `once` 1, `repeat N times after X` N + 1, `up to N doses` N
  std::string text;                    // the clauses as written, normalised: "every 6 h up to 4 doses"
  bool empty() const { return !every && !dividedInto && !maxDoses; }
  friend bool operator==(const Regimen &, const Regimen &) = default;
};

/// A formulary maximum.
struct Limit {
  Rational amount;   // canonical units of `dim`
  Dimension dim;     // e.g. mass, or mass/mass for a per-kg limit
  bool perWeight = false;  // dim is amount / mass: checked against dose / dosing weight
  Basis basis;
  std::string route;    // `route buccal`: for gives by that route only; "" for every route
  std::string display;  // as written: "30 mg/kg per day"
  Citations citations;
  SourceRange range;
};

/// `contraindicated when C`: the drug must not be offered to a patient C
/// may hold for (the verifier's `contraindication` property). C reads the
/// protocol's inputs by name (docs/language.md, "drug").
struct Contraindication {
  ExprRef when;
  std::string note;
  Citations citations;
  SourceRange range;
};

struct Drug {
  std::string name;
  std::string description;
  std::string route;
  std::vector<Limit> limits;
  Citations citations;
  SourceRange range;
  /// Only for a drug the protocol gives (sema resolves them there).
  std::vector<Contraindication> contraindications{};
  std::vector<std::string> routes{};  // every declared route, in order (`route` is the last)
};

// One vocabulary for the AST, the IR and the runtime (carepath/Rules.h).
using carepath::ActionKind;
using carepath::spelling;

struct Action {
  ActionKind kind = ActionKind::Do;
  std::string name;    // drug name for Give
  std::string note;
  Citations citations;
  SourceRange range;
  // Give
  int drug = -1;                              // index into Protocol::drugs
  ExprRef dose;                               // null when unspecified; a range's low end
  ExprRef doseHigh;                           // `dose A .. B`: B; null for a single dose
  std::optional<std::string> doseUnspecified;
  Basis basis;
  ExprRef cap;                                // `max`: the given dose is min(dose, cap)
  Unit doseUnit;                              // display unit for doses (the one written)
  std::optional<Rational> durationLo, durationHi;  // `for LO .. HI`, canonical duration
  /// `then taper over LO .. HI` (`taper over` alone: no time at the full
  /// amount before it): after the `for` span the amount falls, never
  /// rising, to none; the shape is not stated (docs/semantics.md, "Tapers").
  std::optional<Rational> taperLo, taperHi;
  std::optional<Rational> over;               // `over X`, canonical duration; `over X .. Y`: X
  std::optional<Rational> overHigh;           // `over X .. Y`: Y (> X); unset for one time
  Regimen regimen;                            // `every 6 h`, `divided into 4 doses`, ...
  std::string route;                          // `route buccal`; "" when the give names none
  // Do / Order / Consider / Monitor
  enum class Timing { None, At, Within, Over } timing = Timing::None;
  std::optional<Rational> timingLo, timingHi;  // At: both; Within/Over: timingHi (`over A .. B`: both)
  Unit timingUnit;
  /// `within X of E` / `at A .. B after E`: the event's input; -1 when the
  /// time is not relative to a named event.
  int timingAnchor = -1;
  // Unspecified
  std::optional<std::string> unspecified;
  /// `unless C`: withheld from a patient C may hold for (true or unknown);
  /// null when absent. An alternative's `unless` is on each of its actions.
  ExprRef unless;
  /// `one of { ... | ... }`: the index of the choice in its tier or rule and
  /// of the alternative in it; -1 for an action given outright. The actions
  /// of a tier or rule stay one flat list (docs/design.md, "Alternatives").
  int choice = -1, option = -1;
  SourceRange choiceRange;
};

/// Whether the action is offered to a patient for whom `where` (its tier or
/// rule) holds: `where` and, with `unless C`, C known false. The one
/// definition the evaluator, the verifier and the table compiler read.
ExprRef offered(const Action &a, const ExprRef &where);

struct Tier {
  std::string name;
  ExprRef guard;       // the tier's own guard (without the pathway entry)
  ExprRef failedWhen;  // null when absent
  ExprRef respondedWhen;  // course tiers; null when absent
  ExprRef completedWhen;  // course tiers; null when absent
  int stateInput = -1;    // course tiers: the `P_T_state` input
  int after = -1;      // index of the tier it follows, in the same pathway
  std::vector<Action> actions;
  Citations citations;
  SourceRange range;
};

/// `exit resolved when C` on a course pathway.
struct Exit {
  std::string name;
  ExprRef when;
};

/// The members of a course tier's state (`P_T_state`), in this order.
enum class TierState { NotStarted, On, Responded, Failed, Completed };
const char *spelling(TierState s);  // "not_started", "on", ...

struct Pathway {
  std::string name;
  ExprRef entry;  // null means true
  std::string description;
  std::vector<Tier> tiers;
  Citations citations;
  SourceRange range;
  /// `first`: ordered stages; a tier applies when its guard holds and no
  /// earlier tier's does (Protocol::tierGuard).
  bool first = false;
  /// `course`: once entered the patient stays on the pathway until an exit
  /// holds (docs/semantics.md, "The course"). onInput: the `on_P` input.
  bool course = false;
  std::vector<Exit> exits;
  int onInput = -1;
};

using carepath::Aggregation;
using carepath::HitPolicy;

/// One of a table's typed outputs (`outputs (rate : integer, ...)`).
struct Output {
  std::string name;
  Type type;
  Unit displayUnit;  // Number outputs: the unit the author declares in (display and DMN export)
  SourceRange range;
};

struct Rule {
  std::string name;
  std::optional<int64_t> priority;
  ExprRef guard;
  std::vector<ExprRef> outputs;  // one per Table::outputs entry, in that order
  std::vector<Action> actions;
  Citations citations;
  SourceRange range;
};

struct Table {
  std::string name;
  HitPolicy hit = HitPolicy::Collect;
  Aggregation aggregation = Aggregation::None;  // `collect sum` ...
  bool complete = false;
  std::vector<Output> outputs;
  std::string description;
  std::vector<Rule> rules;
  Citations citations;
  SourceRange range;
};

// ------------------------------------------------------------------ rule semantics
// The meaning of hit policies is defined once in carepath/Rules.h; these
// apply it to IR tables. Everything that asks "in which order" or "does this
// rule fire" goes through here.

/// A pathway's tiers are a `unique` table over their effective guards:
/// every tier that applies fires, and two at once is a violation (the
/// verifier proves they never do: tier-exclusive).
inline constexpr HitPolicy kPathwayHitPolicy = HitPolicy::Unique;

/// The order the table consults its rules (carepath::ruleOrder).
std::vector<uint32_t> ruleOrder(const Table &t);

/// The Boolean domain of IR formulas, for carepath::fire: conjunctions are
/// flattened and constants folded so formulas stay readable.
struct FormulaLogic {
  ExprRef truth() const;
  ExprRef conj(const ExprRef &a, const ExprRef &b) const;
  ExprRef negate(const ExprRef &a) const;
};

/// For each rule of a table, the condition under which it fires
/// (carepath::fire over the rules' guards).
std::vector<ExprRef> rulesFire(const Table &t);

/// The value of a table's output (`table.output` in an expression), given
/// when each rule fires and each rule's value of it, as one expression:
///  - one value per patient (`unique`, `first`, `priority`, `any`): the
///    value of the first fired rule in rule order; missing when none fires;
///  - `collect sum|min|max`: the sum, least or greatest value over the fired
///    rules; missing when none fires or a fired rule's value is missing;
///  - `collect count`: how many rules fire (an integer, never missing).
/// Only for carepath::hasSingleOutput policies. Sema (for `table.output`),
/// the evaluator, the verifier and the table compiler all build it here.
ExprRef outputValue(HitPolicy hit, Aggregation agg, std::span<const uint32_t> order, const std::vector<ExprRef> &fired,
                    const std::vector<ExprRef> &values, const Output &output, SourceRange range = {});
/// The same, for an IR table.
ExprRef outputValue(const Table &t, int output);

/// What a `give` gives, as a range [low, high]: each end is min(end, cap),
/// or the end itself when there is no cap. A single dose is one expression
/// (low == high, the same pointer); both are null when the dose is
/// unspecified. The evaluator, the verifier, the table compiler and the DMN
/// export all use this one definition.
struct GivenAmount {
  ExprRef low, high;
  explicit operator bool() const { return high != nullptr; }
  bool isRange() const { return low != high; }
};
GivenAmount givenAmount(const Action &a);

/// The route a give is given by: its own `route R`, else its drug's (the
/// last it declares); "" when neither names one. The compiled table's
/// `route` and the ELM action codings read it (FHIR names the drug's route
/// only when the drug has one route, on purpose: docs/interop.md).
std::string givenRoute(const Action &a, const std::vector<Drug> &drugs);

/// How long a give's course lasts at most, first dose to last: its `for`
/// span's high end, plus its taper's (docs/semantics.md, "Tapers"); unset
/// when the protocol does not say.
std::optional<Rational> courseLengthHi(const Action &a);
/// The same at least: the `for` span's low end plus the taper's; unset
/// when the protocol does not say.
std::optional<Rational> courseLengthLo(const Action &a);

/// What a give's regimen implies, derived once here from its basis,
/// regimen and course length (courseLengthHi) (docs/semantics.md,
/// "Regimens"); each field unset when the protocol does not say it. A
/// tapered give's doses are counted to the taper's end, each at most the
/// full dose.
struct Schedule {
  std::optional<Rational> perDose;   // the fraction of the written amount that is one dose
  std::optional<Rational> interval;  // time between doses, canonical duration
  std::optional<Rational> doses;     // the most doses in the whole course (a whole number)
};
Schedule schedule(const Action &a);
/// The most doses any window [t, t + span) holds: ceil(span / interval),
/// at most the course's doses; nullopt when the schedule does not say.
std::optional<Rational> dosesWithin(const Schedule &s, const Rational &span);

/// An intermittent infusion (a give with `over X`, docs/language.md,
/// "Infusion rates"): the amount as written runs over X, so its rate is the
/// amount times 1 / X (per canonical hour); over X .. Y, between 1 / Y and
/// 1 / X. `fastest` (1 / X) is the factor rate limits are checked at: the
/// prescriber may run it over X. `slowest` the least (equal for one time). nullopt
/// for a give with no `over` (a bolus: no rate) and for a continuous
/// infusion (its dose is the rate). basisFactor's rate limits, the compiled
/// table's plan and the verifier's rate envelope all read it.
struct InfusionRate {
  Rational fastest, slowest;
};
std::optional<InfusionRate> infusionRate(const Action &a);

/// Whether a drug's limit binds a give: a limit for one route binds the
/// gives by that route and the gives that name none (they may be given by
/// any of the drug's routes); a limit with no route binds every give.
bool limitApplies(const Action &a, const Limit &l);

/// The factor turning an amount given on the action's basis (per dose, per
/// day, in total) into the limit's basis; nullopt, with the reason in
/// `whyNot`, when the protocol does not say enough to derive it
/// (docs/verifier.md, "Dose bases"). The verifier's formulary obligations
/// and the differential test's judgement of them both use this one rule.
std::optional<Rational> basisFactor(const Action &a, const Limit &l, std::string *whyNot = nullptr);
/// For a tapered give (Action::taperHi), basisFactor is an upper bound:
/// every dose and day of the taper counted at the full amount, which a
/// taper never exceeds. This is the lower bound over every course the
/// protocol allows (the longest `for` span at the full amount, the taper's
/// part counted as none, which its unstated shape can come close to; doses
/// with no interval, `up to N doses` alone, only the first). Equal
/// to basisFactor for a give without a taper, and for a taper's per-dose,
/// per-time and rate limits where the full amount alone decides; nullopt
/// when the protocol does not say (nothing is then known to exceed).
std::optional<Rational> basisFactorLow(const Action &a, const Limit &l);
/// The dimension of basisFactor's factor: duration when a continuous
/// infusion's rate becomes an amount in a window, 1/duration when an amount
/// becomes a rate (infused over `over X`), dimensionless otherwise.
Dimension basisFactorDim(const Action &a, const Limit &l);

/// Everything that makes two actions the same apart from their computed
/// amount (kind, name, basis, durations, timing, unspecified reasons);
/// notes and citations aside. The table format carries it as `identity`,
/// so the runtime compares exactly what the evaluator compares (hit `any`).
std::string actionIdentity(const Action &a);

/// `pathway.tier` or `table.rule`, resolved.
struct Target {
  enum class Kind { Tier, Rule } kind = Kind::Tier;
  int container = -1;  // pathway or table index
  int index = -1;      // tier or rule index
};

struct Property {
  /// Reaches: `every P reaches pathway.tier`; Always/Never: assertions.
  /// The action properties quantify over every tier and rule that does the
  /// action (docs/verifier.md, "Action properties"): NeverAction `never give
  /// D when C`, ReachesAction `every P reaches give D`, DoseAtMost `always
  /// dose(D) <= Q basis when C`.
  enum class Kind { Reaches, Always, Never, NeverAction, ReachesAction, DoseAtMost } kind = Kind::Always;
  /// Reaches/ReachesAction: P; Always/Never: the assertion;
  /// NeverAction/DoseAtMost: the `when` condition (null: every patient).
  ExprRef expr;
  Target target;  // Reaches
  ActionKind action = ActionKind::Give;  // the action properties
  std::string actionName;                // drug for Give, else the action's name
  /// DoseAtMost: Q with its basis, as a limit (ir::basisFactor converts
  /// each give's amount to it, exactly as for a formulary limit).
  std::optional<Limit> bound;
  std::string message;
  Citations citations;
  SourceRange range;
};

struct Expectation {
  enum class Kind { Fired, Action, Dose, Outside, Output } kind = Kind::Fired;
  bool negated = false;
  /// Output: `table.output == value`, as the two expressions compared; the
  /// table is target.container, the output index target.index.
  ExprRef actual, expected;
  Target target;             // Fired
  ActionKind action = ActionKind::Do;  // Action
  std::string name;          // Action / Dose: action or drug name
  Rational dose;             // Dose: canonical units (a range's low end)
  std::optional<Rational> doseHigh;  // Dose: `== L .. H`: H; unset for one amount
  Unit doseUnit;             // Dose: as written, for messages
  Basis basis;               // Dose
  SourceRange range;
};

struct Example {
  std::string name;
  std::vector<Value> patient;  // one value per input (after `like`), in input order
  std::vector<Expectation> expectations;
  SourceRange range;
};

struct Fact {
  std::string name;
  std::string display;  // "27 %"
  Value value;
  std::string note;
  Citations citations;
  SourceRange range;
};

/// Every `unspecified` in the protocol, for the verifier's report.
struct UnspecifiedMark {
  std::string reason;
  std::string where;  // "input high_risk", "immunotherapy.second_line", "give tocilizumab dose"
  SourceRange range;
};

/// `assume NAME: C`: a population assumption (docs/language.md, "assume"):
/// only patients C may hold for exist. C reads inputs only. A patient
/// violates it when C is known false (assumptionHolds); the verifier asks
/// every question under all of them, the evaluators flag a patient who
/// violates one.
struct Assumption {
  std::string name;
  ExprRef condition;
  std::string note;
  std::optional<std::string> unspecified;  // `unspecified "why"`: no source
  Citations citations;
  std::string module;  // "" for the protocol's own, else the module it comes from
  SourceRange range;
};

/// Whether a patient is possible under the assumption: its condition is
/// true or unknown (a missing value cannot show the patient impossible).
/// The one reading for the verifier, the evaluator and the table compiler.
ExprRef assumptionHolds(const Assumption &a);
/// Whether a patient violates it: not assumptionHolds (the condition is
/// known false); never missing. What the exports report (docs/interop.md).
ExprRef assumptionViolated(const Assumption &a);

/// One code in one code system (docs/language.md, "Terminology codes").
struct Coding {
  std::string system;   // canonical URI: "http://snomed.info/sct", "http://loinc.org",
                        // "http://www.nlm.nih.gov/research/umls/rxnorm", "http://www.whocc.no/atc"
  std::string code;     // "29463-7"
  std::string display;  // "" when none written
  friend bool operator==(const Coding &, const Coding &) = default;
};

/// `code KIND NAME = SYSTEM "CODE" "display" [cites]` or `= unspecified
/// "why"`: a terminology code of an input, an enum member, a drug, a route
/// or an action. It changes no decision (docs/semantics.md); the tables,
/// the runtime and the exports carry it.
struct CodeBinding {
  using Target = CodeTarget;
  Target target = Target::Input;
  std::string name;                        // input / drug / route / action name; Member: "input.member"
  std::optional<Coding> coding;            // nullopt when unspecified
  std::optional<std::string> unspecified;  // the reason
  Citations citations;
  std::string module;  // "" for the protocol's own, else the module it comes from
  SourceRange range;
};

struct SourceFile {
  std::string path;      // as given / as found on the module path
  std::string module;    // "" for the protocol itself, else "stdlib.units"
  FileId file = kNoFile;
};

struct Protocol {
  std::string name;
  std::string version;
  std::string title;
  ExprRef population;    // null means every patient
  int dosingWeight = -1; // input index of `dosing weight = NAME`
  std::vector<EnumType> enums;
  std::vector<Input> inputs;
  std::vector<Define> defines;
  std::vector<Drug> drugs;
  std::vector<Pathway> pathways;
  std::vector<Table> tables;
  std::vector<Property> properties;
  std::vector<Example> examples;
  std::vector<Source> sources;
  std::vector<Fact> facts;
  std::vector<Assumption> assumptions;  // the protocol's own, then its modules'
  std::vector<CodeBinding> codes;       // declaration order: its modules' (for its drugs and routes), then its own
  std::vector<UnspecifiedMark> unspecified;
  std::map<std::string, Unit> units;  // every named unit in scope
  std::vector<SourceFile> files;      // the protocol first, then modules used

  int findInput(const std::string &n) const;
  /// The codings bound to one target (declaration order; none for an
  /// `unspecified` binding or no binding).
  std::vector<Coding> codingsOf(CodeBinding::Target t, const std::string &name) const;
  int findDrug(const std::string &n) const;
  const Source *findSource(const std::string &id) const;
  /// The effective guard of a tier: pathway entry and the tier's guard;
  /// in a `first` pathway also no earlier tier's guard (so its effective
  /// guards are disjoint, and it stays a `unique` table of them).
  ExprRef tierGuard(int pathway, int tier) const;
  /// When a tier was tried and failed: the pathway entry and its `failed
  /// when` (false when it has none). `after` and `reaches` are read with it.
  ExprRef tierFailed(int pathway, int tier) const;
  /// Course pathways: the patient is on the pathway now (on it by the
  /// record, or entering) and no exit holds. Non-course: the entry.
  ExprRef pathwayActive(int pathway) const;
  /// Course pathways: some exit holds now (false when none is declared).
  ExprRef pathwayExits(int pathway) const;
  /// Course tiers: the tier's state, as the record is read, is `s`. The
  /// record's `P_T_state` named in an expression means tierState.
  ExprRef tierStateIs(int pathway, int tier, TierState s) const;
  ExprRef tierState(int pathway, int tier) const;
  /// Course tiers: the tier is on or enters, on an active pathway, and one
  /// of its ends (responded/failed/completed when) holds now: it moves on.
  ExprRef tierEnds(int pathway, int tier) const;
  /// Course tiers: the state after this evaluation, an expression over the
  /// tier's state enum (responded/failed/completed when their condition
  /// holds while active or on, on when it applies, else unchanged).
  ExprRef tierNextState(int pathway, int tier) const;
};

/// Human-readable rendering of an expression in the protocol's terms
/// ("weight * 30 mg/kg", "consciousness != alert"), for explanations.
std::string toString(const Protocol &p, const Expr &e);

/// `text` as a string literal of the protocol language (`"EU"`), with `"`,
/// `\`, newline and tab escaped as the lexer reads them back: what
/// explanations and counterexamples print, so it can be pasted.
std::string stringLiteral(const std::string &text);

/// Writes a deterministic textual dump of the IR (`carepath check --emit=ir`).
void dump(const Protocol &p, std::ostream &out);

}  // namespace carepath::ir
