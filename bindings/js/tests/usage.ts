// Type-checked, never run (ctest js_types_tsc: tsc --project tsconfig.json):
// how a TypeScript program uses the binding, against index.d.ts. Each
// `@ts-expect-error` line must be an error, so the types are not `any`.
import {
  CarepathError, InvalidPatientError, load, Rational, runtimeVersion,
  Table, type Action, type Code, type DrugContraindication, type Input, type Result,
} from "carepath";

declare const tableText: string;

const table: Table = load(tableText, { allowUnverified: false });
const version: string = runtimeVersion();
const weight: Input = table.input("weight");
const low: Rational | null = weight.minimum;
const kind: "bool" | "enum" | "number" | "string" = weight.kind;

let result: Result;
try {
  result = table.evaluate({ age: "3 years", weight: { value: 14, unit: "kg" }, fever: true, alt: null },
                          { explain: true });
} catch (e) {
  if (e instanceof InvalidPatientError) {
    const names: string[] = e.details.map((d) => `${d.input}: ${d.problem} (${d.expected}, ${d.found})`);
    const code: string = e.code;
    console.log(names, code, e.status);
  }
  throw e;
}
for (const a of result.actions) {
  const action: Action = a;
  if (action.amount !== null) {
    const n: bigint = action.amount.numerator;
    const d: bigint = action.amount.denominator;
    console.log(n, d, action.amount.toString(), action.unit, action.display);
  } else if (action.isRange && action.low && action.high) {
    console.log(`${action.low} .. ${action.high}`);
  }
}
for (const a of result.actions) {
  const codes: readonly Code[] = a.codes;
  for (const c of codes) console.log(c.target, c.system, c.code, c.display, c.unspecified ?? "");
}
const loinc: Code[] = table.codings("input", "weight");
const routeCodes: Code[] = table.actionCodes(0, 0, 0);
console.log(loinc, routeCodes, table.codes.length);
const contra: readonly DrugContraindication[] = table.contraindications;
for (const c of result.actions[0].contraindications) {
  const truth: "true" | "unknown" = c.truth;
  console.log(contra.length, c.when, truth);
}
// @ts-expect-error: a target is one of five words
table.codings("unit", "kg");
const fired: string[] = result.fired;
const value: string | null | undefined = result.outputs["band.level"]?.value;
const exact: Rational = Rational.parse("292.5");
const err: CarepathError = new InvalidPatientError("x");
table.free();
console.log(version, low, kind, fired, value, exact.equals(new Rational(585n, 2n)), err.details, table.tables[0].hitPolicy);

// A give's plan and a course pathway's next state are typed too.
const perDay: Rational | null = result.actions[0].plan?.perDay ?? null;
const nextState: Readonly<Record<string, string>> | undefined = result.course[0]?.next;
console.log(perDay, nextState);
// @ts-expect-error: a plan's amounts are Rationals, never lossy numbers
const wrongPerDay: number | null | undefined = result.actions[0].plan?.perDay;
console.log(wrongPerDay);

// @ts-expect-error: an amount is a Rational, never a lossy number
const wrongAmount: number = result.actions[0].amount;
// @ts-expect-error: a patient value is not an array
table.evaluate({ weight: [14] });
// @ts-expect-error: load takes text or bytes, not a path object
load(new URL("file:///anec.table.json"));
// @ts-expect-error: a Table is made by load()
new Table();
// @ts-expect-error: not a kind of input
const badKind: Input["kind"] = "date";
// @ts-expect-error: the table's inputs are read-only
table.inputs.push(weight);
console.log(wrongAmount, badKind);
