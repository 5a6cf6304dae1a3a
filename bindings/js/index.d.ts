// TypeScript types of the carepath JavaScript binding (index.mjs;
// docs/runtime.md, "JavaScript"). Every exported name here exists at run
// time (bindings/js/tests/types.test.mjs checks it).

/** The runtime library's version, "MAJOR.MINOR.PATCH". */
export declare function runtimeVersion(): string;

/** An exact rational: numerator / denominator (denominator > 0, lowest terms). */
export declare class Rational {
  constructor(numerator: bigint | number, denominator?: bigint | number);
  readonly numerator: bigint;
  readonly denominator: bigint;
  /** "14000/3", "420", or a decimal "292.5", exactly. */
  static parse(text: string): Rational;
  equals(other: Rational): boolean;
  /** A double, for display only: it may round. */
  toNumber(): number;
  /** "14000/3" or "420". */
  toString(): string;
  toJSON(): string;
}

/** What is wrong with one input (the carepath_problem name without its prefix). */
export type Problem =
  | "NONE" | "MALFORMED" | "UNKNOWN_INPUT" | "DUPLICATE" | "MISSING" | "WRONG_TYPE" | "UNKNOWN_MEMBER"
  | "NOT_A_NUMBER" | "UNKNOWN_UNIT" | "WRONG_DIMENSION" | "NOT_INTEGER" | "OUT_OF_RANGE" | "TOO_LARGE";

export interface ErrorDetail {
  readonly problem: Problem;
  /** The input concerned; "" for the document as a whole. */
  readonly input: string;
  /** What the input takes ("0 kg .. 300 kg"); "" when not applicable. */
  readonly expected: string;
  /** What was given ("'comma'", "500 kg"); "" when nothing was. */
  readonly found: string;
  readonly message: string;
}

/** The carepath_status names of the failures (carepath/carepath.h). */
export type StatusCode =
  | "CAREPATH_ERROR_INVALID_ARGUMENT" | "CAREPATH_ERROR_IO" | "CAREPATH_ERROR_MALFORMED_TABLE"
  | "CAREPATH_ERROR_UNSUPPORTED_TABLE" | "CAREPATH_ERROR_TAMPERED_TABLE" | "CAREPATH_ERROR_UNVERIFIED_TABLE"
  | "CAREPATH_ERROR_MALFORMED_PATIENT" | "CAREPATH_ERROR_INVALID_PATIENT" | "CAREPATH_ERROR_ARITHMETIC"
  | "CAREPATH_ERROR_UNDEFINED_AMOUNT" | "CAREPATH_ERROR_OUT_OF_MEMORY" | "CAREPATH_ERROR_INTERNAL";

/** A failure of the runtime; one subclass per status. */
export declare class CarepathError extends Error {
  static readonly code: StatusCode;
  static readonly status: number;
  constructor(message: string, details?: readonly ErrorDetail[]);
  /** The carepath_status name, "CAREPATH_ERROR_INVALID_PATIENT". */
  readonly code: StatusCode;
  /** The carepath_status value, 8. */
  readonly status: number;
  /** One per problem (a table error: one, with input ""). */
  readonly details: readonly ErrorDetail[];
}
export declare class InvalidArgumentError extends CarepathError {}
export declare class TableIOError extends CarepathError {}
export declare class MalformedTableError extends CarepathError {}
export declare class UnsupportedTableError extends CarepathError {}
export declare class TamperedTableError extends CarepathError {}
export declare class UnverifiedTableError extends CarepathError {}
export declare class MalformedPatientError extends CarepathError {}
export declare class InvalidPatientError extends CarepathError {}
export declare class CarepathArithmeticError extends CarepathError {}
export declare class UndefinedAmountError extends CarepathError {}
export declare class CarepathMemoryError extends CarepathError {}
export declare class InternalError extends CarepathError {}

export type InputKind = "bool" | "enum" | "number" | "string";

/** What the table asks. */
export interface Input {
  readonly name: string;
  readonly kind: InputKind;
  /** The patient may leave it out (or give null). */
  readonly optional: boolean;
  /** Number inputs: only whole numbers. */
  readonly integer: boolean;
  /** Number inputs: the author's unit ("kg"; "" when dimensionless) and its dimension ("mass"). */
  readonly unit: string;
  readonly dimension: string;
  /** The units a patient may give it in. */
  readonly units: readonly string[];
  /** The inclusive range, exactly, in `unit`; null when unbounded (or not a number). */
  readonly minimum: Rational | null;
  readonly maximum: Rational | null;
  /** Enum inputs: the members, in declaration order. */
  readonly members: readonly string[];
}

export type ActionKind = "give" | "do" | "order" | "consider" | "monitor" | "unspecified";

export interface Rule {
  readonly name: string;
  readonly actions: readonly { readonly kind: ActionKind; readonly name: string }[];
}

/** A decision table, or a pathway (whose rules are its tiers). */
export interface DecisionTable {
  readonly name: string;
  readonly pathway: boolean;
  /** "unique", "first", "priority", "any", "collect", "rule order", "output order". */
  readonly hitPolicy: string;
  readonly rules: readonly Rule[];
}

/** A fired action of the treatment plan. */
export interface Action {
  /** Where it is written: "table.rule" or "pathway.tier". */
  readonly source: string;
  readonly kind: ActionKind;
  /** The drug given, or the action's name; "" for `unspecified`. */
  readonly name: string;
  /** A give's single dose, exactly, in `unit`; null for a dose range or no amount. */
  readonly amount: Rational | null;
  /** The dose range's ends (both equal to `amount` for a single dose); null without an amount. */
  readonly low: Rational | null;
  readonly high: Rational | null;
  readonly isRange: boolean;
  /** The canonical unit of the amount ("mg", "mg/day"); "" without an amount. */
  readonly unit: string;
  /** The dose for people, "420 mg per day"; "" without an amount. */
  readonly display: string;
  readonly basis: string;
  readonly timing: string;
  readonly note: string;
  readonly citations: readonly string[];
  /** `one of`: the choice's index in its rule and the alternative's in it (offered, not given outright); null otherwise. */
  readonly choice: number | null;
  readonly option: number | null;
  /** A give's route ("iv", "buccal"); "" when the protocol names none. */
  readonly route: string;
  /** A give's treatment plan, when the table carries one; else null. */
  readonly plan: Plan | null;
  /** Its terminology codes (Table.actionCodes): a give's drug's, then its route's; another action's own. */
  readonly codes: readonly Code[];
  /** A give's drug's contraindications that hold or may hold for the patient (docs/runtime.md, "Contraindications"); empty unless the table has some. */
  readonly contraindications: readonly Contraindication[];
}

/** A contraindication of a give's drug that holds ("true") or may hold
 * ("unknown": it needs a missing value) for the patient. */
export interface Contraindication {
  readonly when: string;
  readonly note: string;
  readonly citations: readonly string[];
  readonly truth: "true" | "unknown";
}

/** A drug's `contraindicated when C "note" [cites]`, as the table holds it. */
export interface DrugContraindication {
  readonly drug: string;
  /** The condition as written. */
  readonly when: string;
  readonly note: string;
  readonly citations: readonly string[];
}

/** What a terminology code codes (docs/tables.md, "Codes"). */
export type CodeTarget = "input" | "member" | "drug" | "route" | "action";

/** A terminology code of the protocol: a code in a system, or why none is
 * known (`unspecified`; then system, code and display are ""). */
export interface Code {
  readonly target: CodeTarget;
  /** The input, drug, route or action; a member "input.member". */
  readonly name: string;
  /** The system's URI: "http://snomed.info/sct", "http://loinc.org", ... */
  readonly system: string;
  readonly code: string;
  /** The system's term; "" when none was written. */
  readonly display: string;
  readonly unspecified: string | null;
}

/** A give's treatment plan (docs/tables.md, "plan"): exact amounts in the
 * action's canonical unit for one dose, a day and the whole course (null
 * where the protocol does not say; a dose range's high ends in the *High
 * fields, equal to the low ones otherwise), the most doses and the interval
 * between them in hours; `display` for people. */
export interface Plan {
  readonly perDose: Rational | null;
  readonly perDoseHigh: Rational | null;
  readonly perDay: Rational | null;
  readonly perDayHigh: Rational | null;
  readonly perCourse: Rational | null;
  readonly perCourseHigh: Rational | null;
  readonly doses: Rational | null;
  readonly interval: Rational | null;
  readonly display: string;
}

/** Where the patient is on a course pathway after an evaluation
 * (docs/semantics.md, "The course"): each state input the next evaluation
 * reads (`on_P`, `P_T_state`) with its value ("true", "false", a member;
 * "unknown" or "missing" when a missing value decided it), and the exits taken. */
export interface CourseState {
  readonly pathway: string;
  readonly next: Readonly<Record<string, string>>;
  readonly exits: readonly string[];
}

/** A table output: its value as the result JSON gives it (null for a list,
 * "missing" when no rule decided it) and the fired rules' [rule, value]. */
export interface Output {
  readonly table: string;
  readonly output: string;
  readonly value: string | null;
  readonly values: readonly (readonly [string, string | null])[];
}

/** One evaluation (docs/runtime.md, "Result JSON"). */
export interface Result {
  readonly inPopulation: boolean;
  readonly actions: Action[];
  /** "table.rule" / "pathway.tier", in result order. */
  readonly fired: string[];
  /** Rules not decided: a value they need is missing. */
  readonly undecided: string[];
  /** By "table.output". */
  readonly outputs: Record<string, Output>;
  readonly violations: unknown[];
  /** The explanation (explain: true): one entry per rule; else null. */
  readonly trace: Record<string, unknown>[] | null;
  /** Each input's value as read (explain: true); else null. */
  readonly patient: Record<string, unknown> | null;
  /** The whole result document. */
  readonly json: Record<string, unknown>;
  /** The population assumptions the patient violates (Table.assumptions):
   * the decision is still made, but the protocol was verified for no such patient. */
  readonly assumptionsViolated: string[];
  /** The course pathways whose state no course from a fresh patient produces (docs/runtime.md). */
  readonly courseStatesUnreachable: string[];
  /** The sets of course pathways read together (each pathway names) whose
   * joint state no course produces, though each pathway's own state is reachable. */
  readonly jointCourseStatesUnreachable: string[][];
  /** Course pathways: where the patient is after this evaluation. */
  readonly course: CourseState[];
}

/** A patient value: true/false, a member's name, a number, "14 kg",
 * {value: 14, unit: "kg"}, a string; null for a missing optional input. */
export type PatientValue = boolean | number | string | { value: number | string; unit: string } | null;

export interface EvaluateOptions {
  /** Add the explanation (`trace`, `patient`). */
  explain?: boolean;
}

export interface LoadOptions {
  /** Accept a table that is not verified (refused otherwise). */
  allowUnverified?: boolean;
}

/** A loaded, immutable decision table. */
export declare class Table {
  private constructor();
  readonly name: string;
  readonly version: string;
  /** "sha256:..." */
  readonly digest: string;
  /** "verified", "unverified" or "not-verified". */
  readonly verification: string;
  /** In the table's order. */
  readonly inputs: readonly Input[];
  /** Pathways first, then tables, as in the result. */
  readonly tables: readonly DecisionTable[];
  /** The population assumptions, name -> the condition as written: the
   * protocol was verified only for patients who satisfy them. */
  readonly assumptions: Readonly<Record<string, string>>;
  /** The terminology codes, in the table's order. */
  readonly codes: readonly Code[];
  /** The drugs' contraindications, in the table's order (docs/tables.md, "Contraindications"). */
  readonly contraindications: readonly DrugContraindication[];
  /** The codes (not the unspecified ones) of one input, member ("input.member"), drug, route or action. */
  codings(target: CodeTarget, name: string): Code[];
  /** The codes of an action (indices as in `tables`): a give's drug's, then its route's; another action's own. */
  actionCodes(table: number, rule: number, action: number): Code[];
  /** The input called `name`; throws a RangeError when there is none. */
  input(name: string): Input;
  /** Evaluates one patient (an object, or its JSON text); throws a CarepathError subclass on failure. */
  evaluate(patient: Record<string, PatientValue> | string, options?: EvaluateOptions): Result;
  /** Releases its memory now (else when garbage-collected); unusable afterwards. */
  free(): void;
}

/** Loads a compiled table from its JSON text (or UTF-8 bytes); throws a CarepathError subclass. */
export declare function load(text: string | Uint8Array | ArrayBuffer, options?: LoadOptions): Table;
