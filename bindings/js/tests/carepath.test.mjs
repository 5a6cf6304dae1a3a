// node:test tests of the JavaScript binding (ctest: js_binding). Needs
// CAREPATH_JS (the built package's index.mjs), CAREPATH_CONFORMANCE_TABLES
// (the conformance suite's compiled tables) and CAREPATH (the compiler); the conformance suite itself
// runs in ctest conformance_js, and here once with a wrong expectation.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

const carepath = await import(pathToFileURL(process.env.CAREPATH_JS).href);
const TABLES = process.env.CAREPATH_CONFORMANCE_TABLES;
const CONFORMANCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "conformance");
const { Rational } = carepath;

const TODDLER = { age: "3 years", weight: "14 kg", temp: "39 degC", alt: "120 U_per_L",
  c1: true, c2: true, c3: false, c4: false, stage: "late" };

const text = (name) => fs.readFileSync(path.join(TABLES, `${name}.table.json`), "utf8");
const table = (name, options) => carepath.load(text(name), options);

test("loading: facts and version", () => {
  const t = table("dosing");
  assert.deepEqual([t.name, t.version, t.verification], ["dosing", "1", "verified"]);
  assert.match(t.digest, /^sha256:[0-9a-f]{64}$/);
  assert.match(carepath.runtimeVersion(), /^\d+\.\d+\.\d+$/);
  const pkg = JSON.parse(fs.readFileSync(new URL("package.json", pathToFileURL(process.env.CAREPATH_JS)), "utf8"));
  assert.equal(pkg.version, carepath.runtimeVersion(), "the package's version is the runtime's (one source)");
  // Bytes work as well as text.
  assert.equal(carepath.load(new TextEncoder().encode(text("dosing"))).name, "dosing");
});

test("loading: malformed, tampered, unsupported, unverified", () => {
  assert.throws(() => carepath.load("{not json"), (e) => {
    assert.ok(e instanceof carepath.MalformedTableError && e instanceof carepath.CarepathError && e instanceof Error);
    assert.equal(e.code, "CAREPATH_ERROR_MALFORMED_TABLE");
    assert.equal(e.status, 3);
    assert.equal(e.details.length, 1);
    assert.equal(e.details[0].problem, "NONE");
    assert.equal(e.details[0].input, "");
    assert.match(e.message, /malformed JSON/);
    return true;
  });
  const doc = JSON.parse(text("dosing"));
  doc.protocol.version = "2";
  assert.throws(() => carepath.load(JSON.stringify(doc)), carepath.TamperedTableError);
  doc.format = "something-else";
  assert.throws(() => carepath.load(JSON.stringify(doc)), carepath.CarepathError);
  assert.throws(() => table("errors"), (e) => e instanceof carepath.UnverifiedTableError &&
    e.code === "CAREPATH_ERROR_UNVERIFIED_TABLE");
  assert.equal(table("errors", { allowUnverified: true }).verification, "unverified");
  assert.throws(() => carepath.load(42), TypeError);
});

test("introspection: inputs", () => {
  const t = table("dosing");
  assert.deepEqual(t.inputs.slice(0, 4).map((i) => i.name), ["age", "weight", "temp", "alt"]);
  const w = t.input("weight");
  assert.deepEqual([w.kind, w.unit, w.dimension, w.optional], ["number", "kg", "mass", false]);
  assert.ok(w.minimum instanceof Rational);
  assert.deepEqual([w.minimum.numerator, w.minimum.denominator, w.maximum.numerator], [2n, 1n, 150n]);
  assert.ok(w.units.includes("g"));
  assert.equal(t.input("alt").optional, true);
  assert.deepEqual(t.input("stage").members, ["early", "late"]);
  assert.equal(t.input("c1").kind, "bool");
  assert.equal(t.input("c1").minimum, null);
  const p = table("policies");
  assert.equal(p.input("score").integer, true);
  assert.equal(p.input("note").kind, "string");
  assert.throws(() => t.input("height"), RangeError);
  assert.ok(Object.isFrozen(t.inputs) && Object.isFrozen(w));
});

test("introspection: tables and rules", () => {
  const t = table("policies");
  const policies = Object.fromEntries(t.tables.map((d) => [d.name, d.hitPolicy]));
  assert.equal(policies.prio, "priority");
  assert.equal(policies.ranked, "output order");
  const uniq = t.tables.find((d) => d.name === "uniq");
  assert.deepEqual(uniq.rules.map((r) => r.name), ["low", "mid", "high"]);
  assert.deepEqual(uniq.rules[0].actions, [{ kind: "do", name: "low_care" }]);
});

test("introspection and evaluation: population assumptions", () => {
  const t = table("choices");
  assert.deepEqual({ ...t.assumptions }, { infant_weight: "age >= 1 year or weight <= 15 kg" });
  assert.deepEqual(table("policies").assumptions, {});
  const base = { elapsed: "45 minutes", seizing: true, metabolic: false };
  assert.deepEqual(t.evaluate({ ...base, age: "6 months", weight: "40 kg" }).assumptionsViolated, ["infant_weight"]);
  assert.deepEqual(t.evaluate({ ...base, age: "6 months", weight: "7 kg" }).assumptionsViolated, []);
  assert.deepEqual(t.evaluate({ ...base, age: "6 months", weight: "7 kg" }).courseStatesUnreachable, []);
});

test("introspection and evaluation: contraindications", () => {
  // The table's (docs/tables.md, "Contraindications") and, per offered
  // give, those that hold or may hold, through the C API.
  const t = table("errors", { allowUnverified: true });
  assert.deepEqual(t.contraindications.map((c) => ({ ...c, citations: [...c.citations] })),
    [{ drug: "contra_drug", when: "renal_failure", note: "illustrative: renal failure", citations: ["S1"] }]);
  assert.deepEqual(table("policies").contraindications, []);
  const base = { weight: "20 kg", route: "contra" };
  const of = (p) => t.evaluate(p).actions[0].contraindications.map((c) => ({ ...c, citations: [...c.citations] }));
  assert.deepEqual(of({ ...base, renal_failure: true }),
    [{ when: "renal_failure", note: "illustrative: renal failure", citations: ["S1"], truth: "true" }]);
  assert.deepEqual(of(base).map((c) => c.truth), ["unknown"]);
  assert.deepEqual(of({ ...base, renal_failure: false }), []);
  assert.deepEqual(of({ weight: "20 kg", route: "ranged", renal_failure: true }), []);
});

test("introspection and evaluation: terminology codes", () => {
  const t = table("dosing");
  const weight = { target: "input", name: "weight", system: "http://loinc.org", code: "29463-7", display: "Body weight", unspecified: null };
  assert.deepEqual(t.codings("input", "weight").map((c) => ({ ...c })), [weight]);
  assert.deepEqual(t.codings("drug", "third_drug"), []);  // unspecified: no coding
  const third = t.codes.find((c) => c.target === "drug" && c.name === "third_drug");
  assert.equal(third.unspecified, "an illustrative drug has no RxNorm code");
  assert.equal(third.system, "");
  const gives = Object.fromEntries(t.evaluate(TODDLER).actions.filter((a) => a.kind === "give").map((a) => [a.name, a]));
  assert.deepEqual(gives.third_drug.codes.map((c) => c.code), ["47625008"]);
  assert.deepEqual(gives.range_drug.codes.map((c) => c.display), ["Oral route"]);
  assert.deepEqual(table("policies").codes, []);
});

test("evaluation: the treatment plan, amounts exact", () => {
  const r = table("dosing").evaluate(TODDLER);
  assert.equal(r.inPopulation, true);
  const gives = Object.fromEntries(r.actions.filter((a) => a.kind === "give").map((a) => [a.name, a]));
  const third = gives.third_drug;
  assert.ok(third.amount instanceof Rational);
  assert.deepEqual([third.amount.numerator, third.amount.denominator], [14000n, 3n]);
  assert.equal(String(third.amount), "14000/3");
  assert.deepEqual([third.unit, third.basis, third.source], ["mg", "total", "third.small"]);
  assert.match(third.display, /exactly 14\/3/);
  const range = gives.range_drug;
  assert.equal(range.isRange, true);
  assert.equal(range.amount, null);
  assert.deepEqual([String(range.low), String(range.high)], ["420", "700"]);
  assert.ok(r.fired.includes("counting.enough"));
  assert.deepEqual(r.undecided, []);
  assert.equal(r.trace, null);
  // Amounts serialise exactly.
  assert.match(JSON.stringify(third), /"amount":"14000\/3"/);
});

test("evaluation: each give's plan and the course's next state", () => {
  const gives = Object.fromEntries(table("dosing").evaluate(TODDLER).actions.map((a) => [a.name, a]));
  const third = gives.third_drug.plan;
  assert.ok(third.perCourse instanceof Rational);
  assert.equal(String(third.perCourse), "14000/3");
  assert.equal(third.perDay, null);
  const range = gives.range_drug.plan;
  assert.deepEqual([String(range.perDay), String(range.perDayHigh)], ["420", "700"]);
  assert.equal(range.display, "420 mg .. 700 mg per day");
  assert.equal(String(gives.pulse_drug.plan.perDayHigh), "420");
  assert.equal(gives.child_care.plan, null);
  // A transferred patient on first line: leaves the pathway by its exit.
  const r = table("course").evaluate({
    age: "3 years", fever: true, coma: true, transferred: true, presentation: "2 h", first_dose: null,
    on_care: true, care_first_line_state: "on", care_second_line_state: "not_started",
    care_no_further_line_state: "not_started", care_follow_up_state: "not_started",
  });
  assert.deepEqual(r.course, [{
    pathway: "care",
    next: { on_care: "false", care_first_line_state: "on", care_second_line_state: "not_started",
      care_no_further_line_state: "not_started", care_follow_up_state: "not_started" },
    exits: ["transferred_out"],
  }]);
  assert.deepEqual(table("dosing").evaluate(TODDLER).course, []);
});

test("evaluation: missing values and the explanation", () => {
  const patient = { ...TODDLER, stage: null };
  delete patient.alt;
  const r = table("dosing").evaluate(patient, { explain: true });
  assert.deepEqual(r.undecided, ["liver.raised"]);
  assert.equal(r.patient.alt, "missing");
  const raised = r.trace.find((e) => e.table === "liver" && e.rule === "raised");
  assert.deepEqual(raised.missing, ["alt"]);
  assert.equal(raised.fired, false);
});

test("evaluation: outputs and JSON text", () => {
  const t = table("policies");
  const r = t.evaluate({ fever: true, rash: true, cough: false, score: 4, level: "amber" });
  assert.equal(r.outputs["points.points"].value, "3");
  const ranked = r.outputs["ranked.flag"];
  assert.equal(ranked.value, null);
  assert.deepEqual(ranked.values, [["r", "urgent"], ["f", "routine"]]);
  assert.equal(table("dosing").evaluate(JSON.stringify(TODDLER)).json.protocol.name, "dosing");
});

test("errors: an invalid patient, one detail per problem", () => {
  const patient = { ...TODDLER, weight: "500 kg", c1: 3, colour: "red" };
  assert.throws(() => table("dosing").evaluate(patient), (e) => {
    assert.ok(e instanceof carepath.InvalidPatientError);
    assert.equal(e.code, "CAREPATH_ERROR_INVALID_PATIENT");
    assert.equal(e.name, "InvalidPatientError");
    const byInput = Object.fromEntries(e.details.map((d) => [d.input, d]));
    assert.deepEqual(Object.keys(byInput).sort(), ["c1", "colour", "weight"]);
    assert.deepEqual([byInput.weight.problem, byInput.weight.expected, byInput.weight.found],
      ["OUT_OF_RANGE", "2 kg .. 150 kg", "500 kg"]);
    assert.equal(byInput.c1.problem, "WRONG_TYPE");
    assert.equal(byInput.colour.problem, "UNKNOWN_INPUT");
    assert.match(e.message, /weight/);
    return true;
  });
  assert.throws(() => table("dosing").evaluate("[1, 2]"), carepath.MalformedPatientError);
});

test("errors: evaluation errors", () => {
  const t = table("errors", { allowUnverified: true });
  assert.throws(() => t.evaluate({ weight: "20 kg", route: "needs_alt" }), carepath.UndefinedAmountError);
  assert.throws(() => t.evaluate({ weight: "150 kg", route: "huge" }), carepath.CarepathArithmeticError);
  // The table is still usable after a failed evaluation.
  assert.equal(String(t.evaluate({ weight: "30 kg", route: "ranged" }).actions[0].amount), "300");
});

test("memory: free(), and repeated use", () => {
  const t = table("dosing");
  const r = t.evaluate(TODDLER);
  t.free();
  t.free();
  assert.equal(r.actions[0].name, "child_care", "results are plain objects, usable after free()");
  assert.throws(() => t.evaluate(TODDLER), carepath.InvalidArgumentError);
  // Loading, evaluating, failing and freeing, many times: every C object is
  // freed once (a double free or a use after free aborts the module).
  const policies = text("policies");
  for (let i = 0; i < 20; i++) {
    const u = carepath.load(policies);
    for (let j = 0; j < 20; j++) {
      u.evaluate({ fever: true, rash: false, cough: false, score: j % 9, level: "green" });
      assert.throws(() => u.evaluate({ score: "x" }), carepath.InvalidPatientError);
    }
    u.free();
  }
});

test("Rational: exact parsing and printing", () => {
  assert.equal(String(Rational.parse("292.5")), "585/2");
  assert.ok(Rational.parse("0.5").equals(Rational.parse("1/2")));
  assert.equal(String(new Rational(-6n, -4n)), "3/2");
  assert.equal(String(new Rational(9007199254740993n)), "9007199254740993", "beyond a double's exact integers");
  assert.throws(() => Rational.parse("1e3"), SyntaxError);
  assert.throws(() => new Rational(1n, 0n), RangeError);
});

test("conformance runner: a wrong expectation fails", () => {
  const doc = JSON.parse(fs.readFileSync(path.join(CONFORMANCE, "cases", "dosing.json"), "utf8"));
  doc.cases = doc.cases.slice(0, 1);
  const runner = path.join(CONFORMANCE, "conformance.mjs");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carepath-js-"));
  try {
    const file = path.join(dir, "dosing.json");
    fs.writeFileSync(file, JSON.stringify(doc));
    let p = spawnSync(process.execPath, [runner, TABLES, file], { encoding: "utf8" });
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /^1 passed, 0 failed$/m);
    const third = doc.cases[0].expect.actions.find((a) => a.name === "third_drug");
    third.amount = "14001/3";
    fs.writeFileSync(file, JSON.stringify(doc));
    p = spawnSync(process.execPath, [runner, TABLES, file], { encoding: "utf8" });
    assert.equal(p.status, 1, p.stdout + p.stderr);
    assert.match(p.stdout, /FAIL: dosing.json/);
    assert.match(p.stdout, /^0 passed, 1 failed$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("joint course states no course produces", () => {
  // Two course pathways read together (docs/runtime.md): each state reachable
  // alone, both on never together. Compiled here (CAREPATH: the compiler, set by ctest).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "carepath-joint-"));
  try {
    const out = path.join(dir, "joint.json");
    const src = path.join(CONFORMANCE, "..", "tests", "runtime", "Inputs", "course-joint-states.care");
    const p = spawnSync(process.env.CAREPATH, ["compile", src, "-o", out], { encoding: "utf8" });
    assert.equal(p.status, 0, p.stderr);
    const t = carepath.load(fs.readFileSync(out, "utf8"));
    const fresh = { age: "3 years", fever: false, rash: false, on_care: false, care_first_state: "not_started",
      on_watch: false, watch_look_state: "not_started" };
    const both = { ...fresh, on_care: true, care_first_state: "on", on_watch: true, watch_look_state: "on" };
    assert.deepEqual(t.evaluate(fresh).jointCourseStatesUnreachable, []);
    assert.deepEqual(t.evaluate(both).jointCourseStatesUnreachable, [["care", "watch"]]);
    assert.deepEqual(t.evaluate(both).courseStatesUnreachable, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("course states no course produces", () => {
  // On the pathway with first line not started, which entering starts (docs/runtime.md).
  const t = table("course");
  const fresh = { age: "3 years", fever: true, coma: true, transferred: false, presentation: "2 h", first_dose: null,
    on_care: false, care_first_line_state: "not_started", care_second_line_state: "not_started",
    care_no_further_line_state: "not_started", care_follow_up_state: "not_started" };
  assert.deepEqual(t.evaluate(fresh).courseStatesUnreachable, []);
  assert.deepEqual(t.evaluate({ ...fresh, on_care: true }).courseStatesUnreachable, ["care"]);
  assert.deepEqual(t.evaluate({ ...fresh, on_care: true, care_first_line_state: "on" }).courseStatesUnreachable, []);
});
