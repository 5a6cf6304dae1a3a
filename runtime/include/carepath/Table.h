// The runtime: loads a compiled decision table ("carepath-table", see
// docs/tables.md) and evaluates patients against it. Depends on nothing in
// compiler/. docs/runtime.md documents the API with an example.
//
//   auto table = carepath::runtime::Table::load("anec.table.json");
//   std::vector<carepath::runtime::PatientError> errors;
//   auto patient = table.readPatient(jsonText, errors);   // names bad inputs
//   carepath::runtime::Result r = table.evaluate(*patient);
//
// Arithmetic is exact (carepath::Rational); amounts are rounded only when
// rendered for display (Result JSON "display" fields, formatQuantity).
#pragma once

#include "carepath/CxxApi.h"  // C++20, __int128: a clear error without them

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "carepath/Patient.h"
#include "carepath/Rational.h"
#include "carepath/Rules.h"
#include "carepath/Truth.h"

namespace carepath::runtime {

/// A table that cannot be loaded. The message names the file and the field
/// ("tables[2].rules[0].condition") or position (line, column).
struct LoadError : std::runtime_error {
  /// What went wrong, for callers that act on it (the C API's status codes).
  enum class Kind : uint8_t {
    Malformed,    // not JSON, or not a valid carepath table
    Io,           // the file cannot be opened or read
    TooLarge,     // over LoadOptions::maxBytes
    Unsupported,  // another format, or a format version this runtime does not read
    Tampered,     // the digest does not match the content
    Unverified,   // refused: not verified, and LoadOptions::allowUnverified is off
    // With LoadOptions::trust (carepath/Signing.h):
    Unsigned,      // refused: the table has no signature
    Untrusted,     // refused: signed by a key the trust store does not hold
    BadSignature,  // refused: the signature is corrupt, or does not match the content
  };
  explicit LoadError(const std::string &m, Kind k = Kind::Malformed) : std::runtime_error(m), kind(k) {}
  Kind kind;
};

/// Patient values that do not fit the table's inputs (wrong kind, outside
/// the declared range, not an integer), or an expression that cannot be
/// computed exactly (overflow, division by zero).
struct EvaluationError : std::runtime_error {
  enum class Kind : uint8_t {
    InvalidPatient,  // the values do not fit the inputs (readPatient reports these first)
    Arithmetic,      // exact arithmetic overflow or division by zero
    Undefined,       // an amount needs a missing value, or a dose range is empty
  };
  explicit EvaluationError(const std::string &m, Kind k = Kind::InvalidPatient) : std::runtime_error(m), kind(k) {}
  Kind kind;
};

class TrustStore;  // carepath/Signing.h

struct LoadOptions {
  /// Accept tables whose verification status is not "verified"
  /// ("unverified": written with --force; "not-verified": --no-verify).
  bool allowUnverified = false;
  /// Largest table accepted, in bytes (the ANEC table is about 60 KiB).
  size_t maxBytes = 16u << 20;
  /// When set, only a table signed by one of these keys is accepted
  /// (docs/runtime.md, "Trusted tables"); read during the load only.
  const TrustStore *trust = nullptr;
};

// ------------------------------------------------------------------ the loaded model (read-only)

/// One node of the table's expression DAG (docs/tables.md, "Nodes"): every
/// condition and every amount is a node; a node's arguments are earlier
/// nodes, and a subexpression shared by several rules is one node,
/// evaluated once per patient.
struct NodeInfo {
  enum class Op : uint8_t {
    Const, Input, Define,
    Not, And, Or, In,
    Eq, Ne, Lt, Le, Gt, Ge,
    Add, Sub, Mul, Div, Neg, Min, Max,
    Known, IsTrue, If, Count,
  };
  Op op = Op::Const;
  InputSpec::Kind kind = InputSpec::Kind::Bool;  // the kind of value it computes
  std::vector<uint32_t> args;                    // earlier nodes
  PatientValue constant;                         // Const
  uint32_t input = 0;         // Input: index into Table::inputs(); enum-valued nodes: the enum whose members
                              // (Table::enumMembers(): the inputs', then those of table outputs)
  uint64_t members = 0;       // In: bit per allowed member
  Counting counting = Counting::AtLeast;  // Count: at least / at most / exactly
  uint32_t k = 0;                         // Count: K
  std::string name;           // Define: the define's name
  std::string text;           // Eq..Ge, In, Known, Count: as the author wrote it ("alt > alt_uln")
  std::optional<UnitSpec> unit;  // number-valued Define: the unit its value is shown in
  /// Eq..Ge, In, Known, Count, Define: the inputs and number-valued defines it
  /// reads directly (through arithmetic), as node indices, for explanations.
  std::vector<uint32_t> reads;
};

/// The table format's spelling of an operator ("lt", "at-least", ...).
const char *spelling(NodeInfo::Op op);

struct ActionInfo {
  ActionKind kind = ActionKind::Do;
  std::string name;  // drug for give; action name for do/...; "" for unspecified
  std::string note, reason;  // reason: `unspecified` text (action or dose)
  std::vector<std::string> citations;
  /// Everything that makes two actions the same apart from the computed
  /// amount (written by the compiler: hit policy `any` compares it).
  std::string identity;
  // give
  int amount = -1;                   // node of the amount given (the dose, capped); -1 when unspecified
  int amountHigh = -1;               // a dose range: node of its high end (capped), `amount` its low end; -1 otherwise
  std::string canonicalUnit;         // "mg"
  std::optional<UnitSpec> unit;      // display unit of the dose
  std::string basis;                 // "per day", "total", "per dose", ""
  std::string extra;                 // "for 3 days .. 5 days", "over 5 days", "within 24 h" (display)
  /// `unless C`: node of C; offered only when C is false (not unknown); -1 when absent.
  int unless = -1;
  /// `one of`: the choice's index in its rule and the alternative's in it; -1 for an action given outright.
  int choice = -1, option = -1;
  std::string regimen;               // "every 6 h up to 4 doses", as written; "" when none
  std::string route;                 // give: "im", "buccal" (the give's, else its drug's); "" when none
  /// do/order/consider/monitor with a time (docs/tables.md, `timing`): its
  /// kind ("within", "at", "over"), bounds in hours, and the event input it
  /// counts from ("" when none); `extra` is its text.
  struct Timing {
    std::string kind;
    std::optional<Rational> lo, hi;
    std::string anchor;
  };
  std::optional<Timing> timing;
  /// The treatment plan (docs/tables.md, "plan"): the factors turning the
  /// amount given into one dose, a day and the whole course, the most doses
  /// and the time between them; each unset when the protocol does not say.
  struct Plan {
    std::optional<Rational> perDose, perDay, perCourse, doses, interval;
    /// A continuous infusion (basis "rate"): the unit of the amounts per
    /// day and per course (the dose's `unit` is a rate); unset otherwise.
    std::optional<UnitSpec> unit;
    /// An intermittent infusion (`over X`): the factors (per canonical
    /// duration) turning the amount into its rate, least and greatest, and
    /// the rate's canonical unit ("mg/h"); unset otherwise.
    struct Rate {
      Rational lo, hi;
      std::string canonicalUnit;
    };
    std::optional<Rate> rate;
  };
  std::optional<Plan> plan;
};

struct RuleInfo {
  std::string name;
  std::optional<int64_t> priority;
  std::string when;  // the guard as written, for explanations
  uint32_t condition = 0;  // node: the rule matches when it is true (a tier: entry and guard)
  std::vector<uint32_t> outputs;  // nodes: the rule's value of each of its table's outputs
  std::vector<ActionInfo> actions;
  std::vector<std::string> citations;
};

/// One of a table's typed outputs.
struct OutputInfo {
  std::string name;
  InputSpec::Kind kind = InputSpec::Kind::Bool;
  std::optional<UnitSpec> unit;  // number outputs: the unit values are shown in (the author's)
  /// The table's single value of it (the aggregate under `collect sum` ...);
  /// nullopt when the table decides a list (carepath::hasSingleOutput).
  std::optional<uint32_t> value;
};

/// A table or a pathway (whose rules are its tiers).
/// A course pathway's next state (docs/semantics.md, "The course"): nodes
/// of the table, evaluated with the rest.
struct CourseInfo {
  std::string onInput;   // `on_P`
  uint32_t onNext = 0;   // on the pathway after this evaluation (bool node)
  std::vector<std::pair<std::string, uint32_t>> exits;     // exit name, its condition (bool node)
  std::vector<std::pair<std::string, uint32_t>> tierNext;  // `P_T_state`, its next value (enum node)
  /// The course states reachable from a fresh patient (docs/tables.md,
  /// "course.reachable"): each `on_P` (0 or 1), then each tier's state, a
  /// member index of its `P_T_state` input; ascending. nullopt when they are
  /// not known (the verifier's search stopped at a bound, --no-verify, or a
  /// table written before the field): nothing is flagged; `reachableWhy`
  /// says why ("" for such an older table).
  std::optional<std::vector<std::vector<uint32_t>>> reachable;
  std::string reachableWhy;
};

/// Several course pathways' course states reachable together from a fresh
/// patient (docs/tables.md, "jointCourses"): the verifier's joint search,
/// for a set of pathways some property or rule reads together. A state is
/// each pathway's CourseInfo::reachable state, concatenated in `pathways`
/// order; ascending. nullopt when they are not known (the search stopped):
/// nothing is flagged; `reachableWhy` says why.
struct JointCourseInfo {
  std::vector<uint32_t> pathways;  // indices into Table::tables(), ascending, two or more
  std::optional<std::vector<std::vector<uint32_t>>> reachable;
  std::string reachableWhy;
};

struct TableInfo {
  std::string name, description;
  std::string entryWhen;               // a pathway's entry as written ("" when none)
  HitPolicy hit = HitPolicy::Collect;  // a pathway's tiers: unique
  Aggregation aggregation = Aggregation::None;
  std::vector<OutputInfo> outputs;
  std::vector<uint32_t> order;         // the order rules are consulted (carepath/Rules.h), from the table
  bool pathway = false;
  std::optional<CourseInfo> course;    // course pathways only
  std::vector<RuleInfo> rules;
  std::vector<std::string> citations;
};

// ------------------------------------------------------------------ results

/// The value of one node for one patient (Result::values).
struct NodeValue {
  Rational number;               // number-valued nodes, canonical units
  int32_t member = -1;           // enum-valued nodes
  std::string text;              // string-valued nodes
  Truth truth = Truth::False;    // bool-valued nodes (Unknown exactly when missing)
  bool missing = false;          // needs a missing input (carepath/Truth.h)
  /// The exact arithmetic failed (RationalOverflow / division by zero).
  /// Only an error the result needs is raised (EvaluationError): a dose of
  /// a rule that does not fire is never computed for the patient.
  enum class Error : uint8_t { None, Overflow, DivisionByZero } error = Error::None;
};

/// A drug's contraindication (`contraindicated when C`, docs/tables.md
/// "Contraindications"): checked for every offered give of the drug.
struct ContraindicationInfo {
  std::string drug;
  std::string when;        // the condition as written
  uint32_t condition = 0;  // its node
  std::string note;
  std::vector<std::string> citations;
};

/// A contraindication that holds (True) or may hold (Unknown: it needs a
/// missing value) for an offered give (docs/runtime.md,
/// "Contraindications"). The verifier proves none does for a verified
/// protocol's patients; a host evaluating other patients relies on this.
struct ContraindicationHit {
  uint32_t action = 0;            // index into Result::actions
  uint32_t contraindication = 0;  // index into Table::contraindications()
  Truth truth = Truth::True;
};

struct FiredAction {
  uint32_t table = 0;   // index into Table::tables() (pathways first)
  uint32_t rule = 0;
  uint32_t action = 0;
  // give with a dose: min(dose, cap), canonical units; a dose range gives
  // [amount, amountHigh], a single dose has amountHigh == amount.
  std::optional<Rational> amount, amountHigh;
};

/// One part of a guard, for the explanation: a comparison, an input, a
/// define, `known`, a count; its value is Result::values[node].
struct ConditionCheck {
  uint32_t node = 0;
  uint32_t depth = 0;  // 0: a part of the guard; 1: a part of a define or count at depth 0; ...
  Truth truth = Truth::False;  // bool-valued nodes
};

struct RuleTrace {
  uint32_t table = 0, rule = 0;
  Truth guard = Truth::False;     // the rule's condition
  bool matched = false, fired = false;
  std::vector<ConditionCheck> checks;  // the guard's parts, in the order written
  std::vector<uint32_t> missing;       // undecided: the missing inputs that made it so
};

struct Result {
  bool inPopulation = true;
  bool populationUnknown = false;             // outside because the population needs a missing value
  std::vector<std::vector<uint8_t>> matched;  // [table][rule]: condition is true
  std::vector<std::vector<uint8_t>> undecided;  // [table][rule]: condition is unknown (a missing value)
  std::vector<std::vector<uint8_t>> fired;    // [table][rule]: fired under the hit policy
  std::vector<FiredAction> actions;           // tables in order, then rules in written order
  /// The offered gives' contraindications that hold or may hold, in the
  /// order of `actions`, then of the drug's contraindications.
  std::vector<ContraindicationHit> contraindicated;
  /// [table]: the fired rules in result order (carepath::resultOrder): whose
  /// outputs (RuleInfo::outputs, read in `values`) make the list a `rule
  /// order`, `output order` or plain `collect` table decides.
  std::vector<std::vector<uint32_t>> results;
  std::vector<Violation> violations;          // hit-policy violations (Table::describe words them)
  /// [node]: the evaluation buffer (Table::nodes()). For a patient outside
  /// the population only the nodes up to the population's are computed.
  /// When a table has an index (many rules, docs/runtime.md) and no
  /// explanation is asked, only the nodes the result reads are: the
  /// conditions of residual rules, the fired rules' amounts and outputs,
  /// the tables' single values; the others keep stale values.
  std::vector<NodeValue> values;
  std::vector<ConditionCheck> population;     // explain only
  std::vector<uint32_t> populationMissing;    // explain only: missing inputs the population needs
  std::vector<RuleTrace> trace;               // explain only
  /// The population assumptions (Table::assumptions()) the patient violates
  /// (its condition is known false), by index: the protocol was verified
  /// for no such patient. Evaluation goes on; the caller flags it.
  std::vector<uint32_t> violatedAssumptions;
  /// The course pathways (indices into Table::tables()) whose state the
  /// record gives (`on_P`, each `P_T_state`) is not one the table lists as
  /// reachable from a fresh patient (CourseInfo::reachable): no course
  /// produces it, so the verifier's proofs that read the course state (its
  /// dose envelopes and limits among them) say nothing about this record. Inside the population only; a missing state input, or a
  /// pathway whose states are not known, is never flagged. Evaluation goes
  /// on; the caller flags it, as for an assumption.
  std::vector<uint32_t> unreachableCourses;
  /// The same for the pathways read together (indices into
  /// Table::jointCourses()): each pathway's own state is reachable (none of
  /// them is in unreachableCourses) but no course produces them together,
  /// so the proofs over their joint states say nothing about this record.
  std::vector<uint32_t> unreachableJointCourses;
  /// The evaluator's own bookkeeping, not a result: [table] the rules whose
  /// matched/undecided/fired flags an indexed evaluation set, and whether
  /// that list is complete. The next evaluation clears only those flags, so
  /// a large table's cost does not grow with its rules (docs/runtime.md,
  /// "Large tables"). A caller that edits the flags must clear `flagsListed`.
  std::vector<std::vector<uint32_t>> flagged;
  std::vector<uint8_t> flagsListed;
};

/// A population assumption of the protocol (`assume NAME: C`,
/// docs/tables.md "Assumptions").
struct AssumptionInfo {
  std::string name;
  std::string when;  // the condition as written
  uint32_t node = 0; // true unless the patient violates it
  std::vector<std::string> citations;
};

/// A terminology code of the protocol (`code KIND NAME = SYSTEM "CODE"`,
/// docs/tables.md "Codes"): a code in a code system, or why none is known.
/// Metadata: no decision reads it.
struct CodeInfo {
  using Target = CodeTarget;
  Target target = Target::Input;
  std::string name;     // the input, drug, route or action; a member: "input.member"
  std::string system;   // the canonical URI ("http://loinc.org"); "" when unspecified
  std::string code;     // "29463-7"; "" when unspecified
  std::string display;  // the system's term, "" when none was written
  std::optional<std::string> unspecified;  // why no code is known
  std::vector<std::string> citations;
};

struct EvaluateOptions {
  bool explain = false;
  /// Evaluate every rule's condition, even in a table with an index (the
  /// reference the index is tested against). An explanation always does.
  bool scan = false;
};

class Table {
public:
  /// Loads a table file; throws LoadError.
  static Table load(const std::string &path, const LoadOptions &options = {});
  /// Loads a table from text; `name` is used in messages. Both load a
  /// compact table too (recognised by its magic number).
  static Table loadText(std::string_view text, const LoadOptions &options = {}, const std::string &name = "<table>");

  /// The compact table format (docs/runtime.md, "Compact tables"): this
  /// table in a binary form that loads without parsing JSON, protected by
  /// the SHA-256 of its content (a corrupt file is refused: LoadError
  /// Tampered). It keeps the JSON table's digest() and verification
  /// status; it carries no signature, so a load with a trust store refuses
  /// it (Unsigned).
  std::string compact() const;
  /// Loads a compact table; throws LoadError as load() does.
  static Table loadCompact(std::string_view bytes, const LoadOptions &options = {}, const std::string &name = "<table>");
  /// Whether `bytes` start with the compact format's magic number.
  static bool isCompact(std::string_view bytes);

  const std::string &protocolName() const;
  const std::string &protocolVersion() const;
  const std::string &title() const;
  const std::string &digest() const;
  const std::string &verificationStatus() const;  // verified | unverified | not-verified
  /// The key id whose signature was checked on load ("ed25519:..."); ""
  /// when the table was loaded without a trust store.
  const std::string &signer() const;
  const std::vector<InputSpec> &inputs() const;
  /// Pathways first (in order), then tables (in order).
  const std::vector<TableInfo> &tables() const;
  /// The members of each enum: the inputs' (empty for other inputs), then
  /// the enums of table outputs (NodeInfo::input of an enum-valued node).
  const std::vector<std::vector<std::string>> &enumMembers() const;
  /// The expression DAG, in topological order (arguments before users).
  const std::vector<NodeInfo> &nodes() const;
  /// The population's node; nullopt: every patient.
  std::optional<uint32_t> population() const;
  /// The protocol's population assumptions; empty for most tables.
  const std::vector<AssumptionInfo> &assumptions() const;
  /// The sets of course pathways whose joint reachable states the table
  /// carries (docs/tables.md, "jointCourses"); empty for most tables.
  const std::vector<JointCourseInfo> &jointCourses() const;
  /// The contraindications of the drugs the protocol gives, in the table's
  /// order (drugs, then each drug's); empty for most tables.
  const std::vector<ContraindicationInfo> &contraindications() const;
  /// The protocol's terminology codes (docs/tables.md, "Codes"), in the
  /// table's order; empty for a table without any.
  const std::vector<CodeInfo> &codes() const;
  /// The codes (not the `unspecified` ones) of one input, enum member
  /// ("input.member"), drug, route or action, as indices into codes().
  std::vector<uint32_t> codings(CodeInfo::Target target, std::string_view name) const;
  /// The codes of an action (a fired one: Result::actions names it): a
  /// give's drug's, then its route's; another action's own. Indices into
  /// codes().
  std::vector<uint32_t> actionCodings(const ActionInfo &a) const;
  /// Whether table `table` (index into tables()) has a large-table index:
  /// its matching rules are found without evaluating every rule
  /// (docs/runtime.md, "Large tables").
  bool indexed(uint32_t table) const;

  /// Reads a patient JSON document (see Patient.h) against this table's
  /// inputs: missing, unknown, out-of-range and wrong-unit values are
  /// reported by name.
  std::optional<std::vector<PatientValue>> readPatient(std::string_view json, std::vector<PatientError> &errors) const;
  /// The same into `values`, reused from call to call: a batch reads
  /// millions of patients without allocating for each. False when the
  /// patient is invalid (`errors` says why, as above).
  bool readPatient(std::string_view json, std::vector<PatientValue> &values, std::vector<PatientError> &errors) const;

  /// Evaluates one patient (values in input order, as readPatient returns
  /// them). Throws EvaluationError.
  Result evaluate(const std::vector<PatientValue> &patient, const EvaluateOptions &options = {}) const;
  /// The same into a caller-owned result whose buffers are reused: no
  /// allocation per call once warmed up (unless a violation or explanation).
  void evaluate(const std::vector<PatientValue> &patient, Result &out, const EvaluateOptions &options = {}) const;

  /// The result as a JSON document (the C API's and `carepath eval
  /// --format=json`'s output; docs/runtime.md).
  std::string resultJson(const std::vector<PatientValue> &patient, const Result &r, bool explain) const;
  /// A violation in words: "table 'x' (hit unique): rules 'a' and 'b' all
  /// match; every match fires".
  std::string describe(const Violation &v) const;
  /// A value as written for people: "14 kg", "coma", "true", "missing".
  std::string displayValue(uint32_t input, const PatientValue &v) const;
  /// A node's value for people: "true", "unknown", "2.7", "14 kg", "missing".
  std::string displayNode(uint32_t node, const Result &r) const;
  /// A value of output `output` of table `table` (a rule's, or the table's
  /// single value at `node`) for people, numbers in the output's unit:
  /// "30 minutes", "high", "missing"; a `collect count` is a plain count.
  std::string displayOutput(uint32_t table, size_t output, uint32_t node, const Result &r) const;
  /// How a node is named in explanations: its text, the define's or the
  /// input's name.
  std::string nodeLabel(uint32_t node) const;
  /// An amount in the action's display unit, rounded for display only.
  std::string displayAmount(const ActionInfo &a, const Rational &canonical) const;
  /// A fired give's amount for display: "420 mg", or "420 mg .. 700 mg" for
  /// a range, with the basis ("... per day"); "" when it has no amount.
  std::string displayDose(const ActionInfo &a, const FiredAction &f) const;
  /// The treatment plan of a fired give as text ("1.5 g per dose, 6 g per
  /// day, 12 g per course, at most 8 doses, one every 6 h"); "" when its
  /// table carries no plan or the plan says nothing.
  std::string displayPlan(const ActionInfo &a, const FiredAction &f) const;
  /// The same plan as exact amounts in canonical units: the amount given
  /// turned into one dose, a day and the whole course (low and high ends,
  /// equal unless the dose is a range), the most doses and the interval
  /// (canonical duration); each unset where the protocol does not say.
  /// Nullopt when the table carries no plan for it or it has no amount.
  /// An intermittent infusion's rate (canonical, per hour): `rate` the
  /// least (the low end over the longest time), `rateHigh` the greatest.
  struct PlanAmounts {
    std::optional<Rational> perDose, perDoseHigh, perDay, perDayHigh, perCourse, perCourseHigh, doses, interval;
    std::optional<Rational> rate, rateHigh;
  };
  std::optional<PlanAmounts> planAmounts(const ActionInfo &a, const FiredAction &f) const;
  /// The rate an intermittent infusion (`over 20 minutes`) runs at for this
  /// patient, per kilogram of the protocol's dosing weight when the patient
  /// has one, then as is: "1 mg/kg/minute, 14 mg/minute" (each "A .. B" for
  /// a range), in the dose's amount unit per the unit the time is shown in.
  /// "" for any other give, or one with no amount.
  std::string displayRate(const ActionInfo &a, const FiredAction &f, const std::vector<PatientValue> &patient) const;
  /// A course pathway's state after `r` (docs/semantics.md, "The course"):
  /// each state input the next evaluation reads (`on_P`, then `P_T_state`
  /// per tier) with its value as displayNode words it ("true", "false", a
  /// member; "unknown" or "missing" when a missing value decided it), and
  /// the exits taken. Empty for a table that is not a course pathway.
  struct CourseState {
    std::vector<std::pair<std::string, std::string>> next;
    std::vector<std::string> exits;
  };
  CourseState courseState(uint32_t table, const Result &r) const;

  struct Model;

private:
  explicit Table(std::shared_ptr<const Model> m) : m_(std::move(m)) {}
  std::shared_ptr<const Model> m_;
};

}  // namespace carepath::runtime
