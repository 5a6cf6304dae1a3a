// JavaScript binding of the carepath runtime: load a compiled decision table,
// inspect its inputs and rules, and evaluate patients, with exact amounts as
// BigInt fractions. The runtime itself is the C++ one compiled to
// WebAssembly (carepath-wasm.mjs, built by bindings/js/CMakeLists.txt, the
// .wasm embedded); this file is a thin layer over its C API
// (carepath/carepath.h), like the Python binding, so both behave the same
// and pass the same conformance suite. Runs in Node >= 18 and in browsers,
// with nothing else (docs/runtime.md, "JavaScript").
//
//   import { load } from "carepath";
//   const table = load(tableJsonText);
//   const result = table.evaluate({ age: "3 years", weight: "14 kg" });
//   for (const a of result.actions) console.log(a.name, String(a.amount), a.unit);
import createCarepathModule from "./carepath-wasm.mjs";

// Instantiated once, when the module is imported (top-level await): load()
// and evaluate() are then synchronous.
const M = await createCarepathModule();

const ALLOW_UNVERIFIED = 1;
const EXPLAIN = 1;
const TRUTH_TRUE = 1; // carepath_truth: CAREPATH_TRUTH_TRUE
const encoder = new TextEncoder();

function str(ptr) {
  return ptr ? M.UTF8ToString(ptr) : "";
}

// Copies bytes into a new NUL-terminated buffer of the module's memory;
// the caller frees it.
function cBytes(bytes) {
  const p = M._malloc(bytes.length + 1);
  if (!p) throw new CarepathMemoryError("out of memory");
  M.HEAPU8.set(bytes, p);
  M.HEAPU8[p + bytes.length] = 0;
  return p;
}

// Out-parameters: one scratch block of 4 int64 slots (32 bytes), reused by
// every call (JavaScript is single-threaded and no call here re-enters).
const scratch = M._malloc(32);

function u32(slot) {
  return M.HEAPU32[(scratch >> 2) + slot];
}

function i64(slot) {
  // Read as two 32-bit halves (little-endian): exact, never a double.
  const lo = BigInt(M.HEAPU32[(scratch >> 2) + 2 * slot]);
  const hi = BigInt(M.HEAPU32[(scratch >> 2) + 2 * slot + 1]);
  return BigInt.asIntN(64, (hi << 32n) | lo);
}

function clearScratch() {
  M.HEAPU32.fill(0, scratch >> 2, (scratch >> 2) + 8);
}

/** The runtime library's version, "MAJOR.MINOR.PATCH". */
export function runtimeVersion() {
  return str(M._carepath_runtime_version());
}

// ------------------------------------------------------------------ numbers

function gcd(a, b) {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b) [a, b] = [b, a % b];
  return a;
}

/** An exact rational, numerator / denominator as BigInt (denominator > 0,
 * in lowest terms). `toString()` gives "14000/3" or "420". */
// A give's treatment plan from the result JSON's `plan` (docs/tables.md):
// exact amounts (a range's high ends equal the low ones for a single dose).
function planOf(p) {
  const exact = (x) => (x === null || x === undefined ? null : Rational.parse(x));
  const part = (k) => [exact(p[k]), k + "High" in p ? exact(p[k + "High"]) : exact(p[k])];
  const [perDose, perDoseHigh] = part("perDose");
  const [perDay, perDayHigh] = part("perDay");
  const [perCourse, perCourseHigh] = part("perCourse");
  return Object.freeze({
    perDose, perDoseHigh, perDay, perDayHigh, perCourse, perCourseHigh,
    doses: exact(p.doses), interval: exact(p.interval), display: p.display ?? "",
  });
}

export class Rational {
  constructor(numerator, denominator = 1n) {
    let n = BigInt(numerator);
    let d = BigInt(denominator);
    if (d === 0n) throw new RangeError("Rational: zero denominator");
    if (d < 0n) [n, d] = [-n, -d];
    const g = gcd(n, d) || 1n;
    this.numerator = n / g;
    this.denominator = d / g;
    Object.freeze(this);
  }

  /** Parses "14000/3", "420", "-2" or a decimal "292.5", exactly. */
  static parse(text) {
    const s = String(text).trim();
    let m = /^(-?\d+)\/(\d+)$/.exec(s);
    if (m) return new Rational(BigInt(m[1]), BigInt(m[2]));
    m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
    if (!m) throw new SyntaxError(`not an exact number: '${s}'`);
    const frac = m[3] ?? "";
    const n = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
    return new Rational(n, 10n ** BigInt(frac.length));
  }

  equals(other) {
    return this.numerator === other.numerator && this.denominator === other.denominator;
  }

  /** A double: for display or charts only, it may round. */
  toNumber() {
    return Number(this.numerator) / Number(this.denominator);
  }

  toString() {
    return this.denominator === 1n ? `${this.numerator}` : `${this.numerator}/${this.denominator}`;
  }

  toJSON() {
    return this.toString();
  }
}

// ------------------------------------------------------------------ errors

/** The carepath_problem names, by value (carepath/carepath.h), without the
 * CAREPATH_PROBLEM_ prefix. */
const PROBLEMS = ["NONE", "MALFORMED", "UNKNOWN_INPUT", "DUPLICATE", "MISSING", "WRONG_TYPE", "UNKNOWN_MEMBER",
  "NOT_A_NUMBER", "UNKNOWN_UNIT", "WRONG_DIMENSION", "NOT_INTEGER", "OUT_OF_RANGE", "TOO_LARGE"];

/** A failure of the runtime: `code` is the carepath_status name
 * ("CAREPATH_ERROR_INVALID_PATIENT"), `status` its value, `details` one
 * {problem, input, expected, found, message} per problem. */
export class CarepathError extends Error {
  static code = "CAREPATH_ERROR_INTERNAL";
  static status = 12;

  constructor(message, details = []) {
    super(message);
    this.name = new.target.name;
    this.code = new.target.code;
    this.status = new.target.status;
    this.details = Object.freeze([...details]);
  }
}

function errorClass(name, status, code) {
  // A named subclass per status, so that `catch (e) { if (e instanceof
  // InvalidPatientError) ... }` works, like the Python binding's.
  const cls = { [name]: class extends CarepathError {} }[name];
  cls.status = status;
  cls.code = code;
  return cls;
}

export const InvalidArgumentError = errorClass("InvalidArgumentError", 1, "CAREPATH_ERROR_INVALID_ARGUMENT");
export const TableIOError = errorClass("TableIOError", 2, "CAREPATH_ERROR_IO");
export const MalformedTableError = errorClass("MalformedTableError", 3, "CAREPATH_ERROR_MALFORMED_TABLE");
export const UnsupportedTableError = errorClass("UnsupportedTableError", 4, "CAREPATH_ERROR_UNSUPPORTED_TABLE");
export const TamperedTableError = errorClass("TamperedTableError", 5, "CAREPATH_ERROR_TAMPERED_TABLE");
export const UnverifiedTableError = errorClass("UnverifiedTableError", 6, "CAREPATH_ERROR_UNVERIFIED_TABLE");
export const MalformedPatientError = errorClass("MalformedPatientError", 7, "CAREPATH_ERROR_MALFORMED_PATIENT");
export const InvalidPatientError = errorClass("InvalidPatientError", 8, "CAREPATH_ERROR_INVALID_PATIENT");
export const CarepathArithmeticError = errorClass("CarepathArithmeticError", 9, "CAREPATH_ERROR_ARITHMETIC");
export const UndefinedAmountError = errorClass("UndefinedAmountError", 10, "CAREPATH_ERROR_UNDEFINED_AMOUNT");
export const CarepathMemoryError = errorClass("CarepathMemoryError", 11, "CAREPATH_ERROR_OUT_OF_MEMORY");
export const InternalError = errorClass("InternalError", 12, "CAREPATH_ERROR_INTERNAL");

const ERRORS = [null, InvalidArgumentError, TableIOError, MalformedTableError, UnsupportedTableError,
  TamperedTableError, UnverifiedTableError, MalformedPatientError, InvalidPatientError, CarepathArithmeticError,
  UndefinedAmountError, CarepathMemoryError, InternalError];

// Throws the error for `status`, freeing the C error object `error`.
function raise(status, error) {
  let message = str(M._carepath_status_name(status)) || `carepath status ${status}`;
  const details = [];
  if (error) {
    try {
      message = str(M._carepath_error_message(error));
      const n = M._carepath_error_detail_count(error);
      for (let i = 0; i < n; i++) {
        const p = M._carepath_error_detail_problem(error, i);
        details.push(Object.freeze({
          problem: PROBLEMS[p] ?? String(p),
          input: str(M._carepath_error_detail_input(error, i)),
          expected: str(M._carepath_error_detail_expected(error, i)),
          found: str(M._carepath_error_detail_found(error, i)),
          message: str(M._carepath_error_detail_message(error, i)),
        }));
      }
    } finally {
      M._carepath_error_free(error);
    }
  }
  throw new (ERRORS[status] ?? InternalError)(message, details);
}

// ------------------------------------------------------------------ tables

const KINDS = ["bool", "enum", "number", "string"];

function bound(fn, h, i) {
  clearScratch();
  if (!fn(h, i, scratch, scratch + 8)) return null;
  return new Rational(i64(0), i64(1));
}

function whereOf(entry) {
  return "pathway" in entry ? `${entry.pathway}.${entry.tier}` : `${entry.table}.${entry.rule}`;
}

// Frees a table's C objects when the Table is garbage-collected without
// free() having been called.
const finalizer = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry(({ table, result }) => {
    M._carepath_result_free(result);
    M._carepath_table_free(table);
  })
  : null;

const constructing = Symbol("carepath.Table");

/** A loaded, immutable decision table. Its memory lives in the WebAssembly
 * module until free() (or until it is garbage-collected). */
export class Table {
  #handle;
  #result;

  constructor(token, handle) {
    if (token !== constructing) throw new TypeError("carepath: use load() to make a Table");
    const result = M._carepath_result_new();
    if (!result) {
      M._carepath_table_free(handle);
      throw new CarepathMemoryError("out of memory");
    }
    this.#handle = handle;
    this.#result = result;
    finalizer?.register(this, { table: handle, result }, this);
    const h = handle;
    this.name = str(M._carepath_table_protocol_name(h));
    this.version = str(M._carepath_table_protocol_version(h));
    this.digest = str(M._carepath_table_digest(h));
    this.verification = str(M._carepath_table_verification(h));
    const inputs = [];
    for (let i = 0, n = M._carepath_table_input_count(h); i < n; i++) {
      const kind = KINDS[M._carepath_table_input_kind(h, i)] ?? "?";
      const number = kind === "number";
      const units = [];
      for (let u = 0, k = M._carepath_table_input_unit_count(h, i); u < k; u++) {
        units.push(str(M._carepath_table_input_unit_name(h, i, u)));
      }
      const members = [];
      for (let m = 0, k = M._carepath_table_input_member_count(h, i); m < k; m++) {
        members.push(str(M._carepath_table_input_member(h, i, m)));
      }
      inputs.push(Object.freeze({
        name: str(M._carepath_table_input_name(h, i)),
        kind,
        optional: M._carepath_table_input_optional(h, i) === 1,
        integer: M._carepath_table_input_integer(h, i) === 1,
        unit: number ? str(M._carepath_table_input_unit(h, i)) : "",
        dimension: number ? str(M._carepath_table_input_dimension(h, i)) : "",
        units: Object.freeze(units),
        minimum: number ? bound(M._carepath_table_input_min, h, i) : null,
        maximum: number ? bound(M._carepath_table_input_max, h, i) : null,
        members: Object.freeze(members),
      }));
    }
    this.inputs = Object.freeze(inputs);
    const tables = [];
    for (let t = 0, n = M._carepath_table_table_count(h); t < n; t++) {
      const rules = [];
      for (let r = 0, k = M._carepath_table_rule_count(h, t); r < k; r++) {
        const actions = [];
        for (let a = 0, j = M._carepath_table_action_count(h, t, r); a < j; a++) {
          actions.push(Object.freeze({
            kind: str(M._carepath_table_action_kind(h, t, r, a)),
            name: str(M._carepath_table_action_name(h, t, r, a)),
          }));
        }
        rules.push(Object.freeze({ name: str(M._carepath_table_rule_name(h, t, r)), actions: Object.freeze(actions) }));
      }
      tables.push(Object.freeze({
        name: str(M._carepath_table_table_name(h, t)),
        pathway: M._carepath_table_table_is_pathway(h, t) === 1,
        hitPolicy: str(M._carepath_table_table_hit_policy(h, t)),
        rules: Object.freeze(rules),
      }));
    }
    this.tables = Object.freeze(tables);
    // The population assumptions, name -> the condition as written: the
    // protocol was verified only for patients who satisfy them.
    const assumptions = {};
    for (let i = 0, n = M._carepath_table_assumption_count(h); i < n; i++)
      assumptions[str(M._carepath_table_assumption_name(h, i))] = str(M._carepath_table_assumption_condition(h, i));
    this.assumptions = Object.freeze(assumptions);
    // The terminology codes, in the table's order (docs/tables.md, "Codes"):
    // {target, name, system, code, display, unspecified}; an unspecified one
    // has its reason and "" for system, code and display, a code null.
    const codes = [];
    for (let i = 0, n = M._carepath_table_code_count(h); i < n; i++) {
      const why = M._carepath_table_code_unspecified(h, i);
      codes.push(Object.freeze({
        target: str(M._carepath_table_code_target(h, i)),
        name: str(M._carepath_table_code_name(h, i)),
        system: str(M._carepath_table_code_system(h, i)),
        code: str(M._carepath_table_code_code(h, i)),
        display: str(M._carepath_table_code_display(h, i)),
        unspecified: why ? str(why) : null,
      }));
    }
    this.codes = Object.freeze(codes);
    // The drugs' contraindications, in the table's order (docs/tables.md,
    // "Contraindications"): {drug, when, note, citations}.
    const contraindications = [];
    for (let i = 0, n = M._carepath_table_contraindication_count(h); i < n; i++) {
      contraindications.push(Object.freeze({
        drug: str(M._carepath_table_contraindication_drug(h, i)),
        when: str(M._carepath_table_contraindication_condition(h, i)),
        note: str(M._carepath_table_contraindication_note(h, i)),
        citations: Object.freeze(Array.from({ length: M._carepath_table_contraindication_citation_count(h, i) },
          (_, k) => str(M._carepath_table_contraindication_citation(h, i, k)))),
      }));
    }
    this.contraindications = Object.freeze(contraindications);
  }

  /** The codes (not the unspecified ones) of one input, member
   * ("input.member"), drug, route or action. */
  codings(target, name) {
    return this.codes.filter((c) => c.target === target && c.name === name && c.unspecified === null);
  }

  /** The codes of an action (indices as in `tables`): a give's drug's, then
   * its route's; another action's own. */
  actionCodes(table, rule, action) {
    const h = this.#live();
    const n = M._carepath_table_action_code_count(h, table, rule, action);
    return Array.from({ length: n }, (_, k) => this.codes[M._carepath_table_action_code(h, table, rule, action, k)]);
  }

  /** The input called `name`; throws a RangeError when there is none. */
  input(name) {
    const found = this.inputs.find((i) => i.name === name);
    if (!found) throw new RangeError(`carepath: table ${this.name} has no input '${name}'`);
    return found;
  }

  #live() {
    if (!this.#handle) throw new InvalidArgumentError("carepath: the table was freed");
    return this.#handle;
  }

  /** Evaluates one patient: an object (or its JSON text) of input name to
   * value (true/false, a member's name, a number, "14 kg", {value: 14,
   * unit: "kg"}, a string; null or left out for a missing optional input).
   * Throws a CarepathError subclass on failure. */
  evaluate(patient, { explain = false } = {}) {
    const h = this.#live();
    const text = typeof patient === "string" ? patient : JSON.stringify(patient);
    if (typeof text !== "string") throw new TypeError("carepath: the patient must be an object or JSON text");
    const p = cBytes(encoder.encode(text));
    const r = this.#result;
    clearScratch();
    let status;
    try {
      status = M._carepath_table_evaluate_into(h, p, explain ? EXPLAIN : 0, r, scratch);
    } finally {
      M._free(p);
    }
    if (status !== 0) raise(status, u32(0));
    return this.#read(h, r);
  }

  #read(h, r) {
    const doc = JSON.parse(str(M._carepath_result_json(r)));
    const described = doc.actions ?? [];
    const actions = [];
    for (let i = 0, n = M._carepath_result_action_count(r); i < n; i++) {
      clearScratch();
      M._carepath_result_action(r, i, scratch, scratch + 4, scratch + 8);
      const [t, rule, a] = [u32(0), u32(1), u32(2)];
      clearScratch();
      let low = null;
      let high = null;
      if (M._carepath_result_action_amount(r, i, scratch, scratch + 8, scratch + 16, scratch + 24)) {
        low = new Rational(i64(0), i64(1));
        high = new Rational(i64(2), i64(3));
      }
      const d = described[i] ?? {};
      const single = low !== null && low.equals(high);
      actions.push(Object.freeze({
        source: `${str(M._carepath_table_table_name(h, t))}.${str(M._carepath_table_rule_name(h, t, rule))}`,
        kind: str(M._carepath_table_action_kind(h, t, rule, a)),
        name: str(M._carepath_table_action_name(h, t, rule, a)),
        amount: single ? low : null,
        low,
        high,
        isRange: low !== null && !single,
        unit: d.canonicalUnit ?? "",
        display: str(M._carepath_result_action_dose(r, i)),
        basis: d.basis ?? "",
        timing: d.timing ?? "",
        note: d.note ?? "",
        citations: Object.freeze([...(d.citations ?? [])]),
        // `one of`: the alternative's choice in its rule and its index in it; null when given outright.
        choice: d.choice ?? null,
        option: d.option ?? null,
        // A give's route ("iv", "buccal"); "" when the protocol names none.
        route: d.route ?? "",
        plan: d.plan ? planOf(d.plan) : null,
        // Its terminology codes (Table.actionCodes).
        codes: Object.freeze(this.codes.length ? this.actionCodes(t, rule, a) : []),
        // A give's drug's contraindications that hold ("true") or may hold
        // ("unknown": a missing value); empty unless the table has some.
        contraindications: Object.freeze(this.#contraindicationsOf(r, i)),
      }));
    }
    const outputs = {};
    for (const o of doc.outputs ?? []) {
      outputs[`${o.table}.${o.output}`] = Object.freeze({
        table: o.table,
        output: o.output,
        value: o.value ?? null,
        values: Object.freeze((o.from ?? []).map((f) => Object.freeze([f.rule, f.value ?? null]))),
      });
    }
    return {
      inPopulation: M._carepath_result_in_population(r) === 1,
      actions,
      fired: (doc.fired ?? []).map(whereOf),
      undecided: (doc.undecided ?? []).map(whereOf),
      outputs,
      violations: doc.violations ?? [],
      trace: doc.trace ?? null,
      patient: doc.patient ?? null,
      json: doc,
      // The assumptions the patient violates: still decided, but verified for no such patient.
      assumptionsViolated: Array.from({ length: M._carepath_result_violated_assumption_count(r) }, (_, k) =>
        str(M._carepath_table_assumption_name(h, M._carepath_result_violated_assumption(r, k)))),
      // The course pathways whose state no course produces: the course proofs say nothing about this record.
      courseStatesUnreachable: Array.from({ length: M._carepath_result_unreachable_course_count(r) }, (_, k) =>
        str(M._carepath_table_table_name(h, M._carepath_result_unreachable_course(r, k)))),
      // The sets of course pathways read together whose joint state no course produces.
      jointCourseStatesUnreachable: Array.from({ length: M._carepath_result_unreachable_joint_course_count(r) }, (_, k) => {
        const j = M._carepath_result_unreachable_joint_course(r, k);
        return Array.from({ length: M._carepath_table_joint_course_pathway_count(h, j) }, (_, i) =>
          str(M._carepath_table_table_name(h, M._carepath_table_joint_course_pathway(h, j, i))));
      }),
      // Course pathways: where the patient is after this evaluation.
      course: (doc.course ?? []).map((c) =>
        Object.freeze({ pathway: c.pathway, next: Object.freeze({ ...c.next }), exits: Object.freeze([...c.exits]) })),
    };
  }

  // Fired action i's drug's contraindications that hold ("true") or may
  // hold ("unknown": a missing value), from the C API, with the table's
  // words for each.
  #contraindicationsOf(r, i) {
    const out = [];
    for (let k = 0, n = M._carepath_result_action_contraindication_count(r, i); k < n; k++) {
      clearScratch();
      const c = this.contraindications[M._carepath_result_action_contraindication(r, i, k, scratch)];
      out.push(Object.freeze({ when: c.when, note: c.note, citations: c.citations,
                               truth: u32(0) === TRUTH_TRUE ? "true" : "unknown" }));
    }
    return out;
  }

  /** Releases the table's memory now; the Table is unusable afterwards.
   * Calling it again does nothing. */
  free() {
    if (!this.#handle) return;
    finalizer?.unregister(this);
    M._carepath_result_free(this.#result);
    M._carepath_table_free(this.#handle);
    this.#handle = 0;
    this.#result = 0;
  }

  toString() {
    return `[carepath.Table ${this.name} ${this.version} (${this.verification})]`;
  }
}

// `using table = load(...)` where explicit resource management exists.
if (typeof Symbol.dispose === "symbol") Table.prototype[Symbol.dispose] = Table.prototype.free;

/** Loads a compiled table (`carepath compile`) from its JSON text (a
 * string, or its UTF-8 bytes). Refuses a table that is not verified unless
 * `allowUnverified`; throws a CarepathError subclass. */
export function load(text, { allowUnverified = false } = {}) {
  let bytes;
  if (typeof text === "string") bytes = encoder.encode(text);
  else if (text instanceof Uint8Array) bytes = text;
  else if (text instanceof ArrayBuffer) bytes = new Uint8Array(text);
  else throw new TypeError("carepath: load() takes the table's JSON text (a string or bytes)");
  const p = cBytes(bytes);
  clearScratch();
  let status;
  try {
    status = M._carepath_table_open_string(p, bytes.length, allowUnverified ? ALLOW_UNVERIFIED : 0, scratch, scratch + 4);
  } finally {
    M._free(p);
  }
  if (status !== 0) raise(status, u32(1));
  return new Table(constructing, u32(0));
}
