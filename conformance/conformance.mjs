#!/usr/bin/env node
// The conformance suite's JavaScript runner (README.md), over the JavaScript
// binding (bindings/js): the same checks as conformance.py's `check`.
//
//   node conformance.mjs TABLE_DIR [CASES.json...]     exit 1 on a mismatch
//
// The binding is imported as "carepath", or from the file $CAREPATH_JS
// (the build tree's bindings/js/package/index.mjs).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const carepath = await import(process.env.CAREPATH_JS ? pathToFileURL(process.env.CAREPATH_JS).href : "carepath");

function caseFiles(args) {
  if (args.length) return args;
  const folder = path.join(here, "cases");
  return fs.readdirSync(folder).filter((f) => f.endsWith(".json")).sort().map((f) => path.join(folder, f));
}

function tableText(tableDir, doc) {
  return fs.readFileSync(path.join(tableDir, doc.protocol.replace(/\.care$/, "") + ".table.json"));
}

function patientText(c) {
  return "patientText" in c ? c.patientText : JSON.stringify(c.patient);
}

// What the binding does with the case's patient, in the suite's form.
function observe(table, c) {
  let r;
  try {
    r = table.evaluate(patientText(c));
  } catch (e) {
    if (!(e instanceof carepath.CarepathError)) throw e;
    return { error: e.code, problems: e.details.map((d) => ({ input: d.input, problem: d.problem })) };
  }
  const actions = r.actions.map((a) => {
    const entry = { from: a.source, kind: a.kind, name: a.name };
    if (a.low !== null) {
      if (a.isRange) {
        entry.low = a.low.toString();
        entry.high = a.high.toString();
      } else {
        entry.amount = a.amount.toString();
      }
      entry.unit = a.unit;
    }
    if (a.choice !== null) {
      entry.choice = a.choice;
      entry.option = a.option;
    }
    if (a.codes.length) entry.codes = a.codes.map((c) => `${c.system}|${c.code}`);  // only when it has some
    // Its drug's contraindications that hold or may hold, only when some do.
    if (a.contraindications.length) entry.contraindications = a.contraindications.map((c) => ({ when: c.when, truth: c.truth }));
    return entry;
  });
  const outputs = {};
  for (const key of Object.keys(r.outputs).sort()) {
    const o = r.outputs[key];
    outputs[key] = { value: o.value, from: o.values.map(([rule, v]) => [rule, v]) };
  }
  const out = { inPopulation: r.inPopulation, fired: r.fired, undecided: r.undecided, actions, outputs };
  if (r.assumptionsViolated.length) out.assumptionsViolated = r.assumptionsViolated; // absent when none
  // Course pathways only: where the patient is next.
  if (r.course.length) out.course = r.course.map((c) => ({ pathway: c.pathway, next: { ...c.next }, exits: [...c.exits] }));
  // The course pathways whose state no course produces, only when some are.
  if (r.courseStatesUnreachable.length) out.courseStatesUnreachable = r.courseStatesUnreachable;
  // Likewise the sets of pathways read together whose joint state no course produces.
  if (r.jointCourseStatesUnreachable.length) out.jointCourseStatesUnreachable = r.jointCourseStatesUnreachable;
  return out;
}

const problemKey = (d) => `${d.input ?? ""}\u0000${d.problem ?? ""}`;

// Equal, with amounts compared as exact numbers ("0.5" == "1/2") and
// problems in no particular order; the same rules as conformance.py.
function same(expected, observed) {
  if (Array.isArray(expected) || Array.isArray(observed)) {
    return Array.isArray(expected) && Array.isArray(observed) && expected.length === observed.length &&
      expected.every((e, i) => same(e, observed[i]));
  }
  if (expected && observed && typeof expected === "object" && typeof observed === "object") {
    const keys = Object.keys(expected).sort();
    if (keys.join("\u0000") !== Object.keys(observed).sort().join("\u0000")) return false;
    return keys.every((k) => {
      if (k === "problems") {
        const a = expected[k].map(problemKey).sort();
        const b = observed[k].map(problemKey).sort();
        return a.length === b.length && a.every((x, i) => x === b[i]);
      }
      if (k === "amount" || k === "low" || k === "high") {
        return carepath.Rational.parse(expected[k]).equals(carepath.Rational.parse(observed[k]));
      }
      return same(expected[k], observed[k]);
    });
  }
  return expected === observed;
}

function run(tableDir, files) {
  let failures = 0;
  let total = 0;
  for (const file of files) {
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    const text = tableText(tableDir, doc);
    if (doc.allowUnverified) {
      // Refused without the flag: the runtime's check, not the caller's.
      try {
        carepath.load(text).free();
        console.log(`FAIL: ${file}: an unverified table was loaded without allowUnverified`);
        failures++;
      } catch (e) {
        if (!(e instanceof carepath.UnverifiedTableError)) throw e;
      }
    }
    const table = carepath.load(text, { allowUnverified: Boolean(doc.allowUnverified) });
    try {
      for (const c of doc.cases) {
        total++;
        const got = observe(table, c);
        if (!same(c.expect, got)) {
          failures++;
          console.log(`FAIL: ${path.basename(file)}: ${c.name}\n  expected ${JSON.stringify(c.expect)}` +
            `\n  got      ${JSON.stringify(got)}`);
        }
      }
    } finally {
      table.free();
    }
  }
  console.log(`${total - failures} passed, ${failures} failed`);
  return failures;
}

const args = process.argv.slice(2);
if (args.length < 1) {
  console.error("usage: node conformance.mjs TABLE_DIR [CASES.json...]");
  process.exit(2);
}
process.exit(run(args[0], caseFiles(args.slice(1))) ? 1 : 0);
