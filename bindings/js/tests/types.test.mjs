// index.d.ts against the module (ctest: js_binding): every name it declares
// exists at run time with the declared form, and every export is declared;
// the members it declares on Table and Rational exist on real objects.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

const carepath = await import(pathToFileURL(process.env.CAREPATH_JS).href);
const dts = fs.readFileSync(path.join(path.dirname(process.env.CAREPATH_JS), "index.d.ts"), "utf8");
const TABLES = process.env.CAREPATH_CONFORMANCE_TABLES;

// `export declare function NAME` / `export declare class NAME [extends BASE]`.
const declared = [...dts.matchAll(/^export declare (function|class) (\w+)(?: extends (\w+))?/gm)]
  .map(([, form, name, base]) => ({ form, name, base }));

// The members a declared class body lists: `name(`, `name:`, `static name`.
function members(cls) {
  const body = new RegExp(`^export declare class ${cls}\\b[^{]*\\{([\\s\\S]*?)^\\}`, "m").exec(dts)[1];
  const names = { instance: new Set(), statics: new Set() };
  for (const [, isStatic, name] of body.matchAll(/^\s*(static )?(?:readonly )?(\w+)\??[(:]/gm)) {
    if (name !== "constructor") (isStatic ? names.statics : names.instance).add(name);
  }
  return names;
}

test("every declared function and class exists, and nothing undeclared is exported", () => {
  assert.ok(declared.length > 10);
  for (const { form, name, base } of declared) {
    assert.equal(typeof carepath[name], "function", `${name} is declared as a ${form}`);
    if (base) assert.ok(carepath[name].prototype instanceof (carepath[base] ?? globalThis[base]), `${name} extends ${base}`);
  }
  assert.deepEqual(Object.keys(carepath).sort(), declared.map((d) => d.name).sort());
});

test("the members declared on Table, Rational and the errors exist", () => {
  const table = carepath.load(fs.readFileSync(path.join(TABLES, "dosing.table.json")));
  const t = members("Table");
  assert.ok(t.instance.size >= 8);
  for (const name of t.instance) assert.ok(name in table, `Table.${name}`);
  const r = members("Rational");
  const half = new carepath.Rational(1n, 2n);
  for (const name of r.instance) assert.ok(name in half, `Rational.${name}`);
  for (const name of r.statics) assert.equal(typeof carepath.Rational[name], "function", `Rational.${name}`);
  const e = members("CarepathError");
  const err = new carepath.InvalidPatientError("x", []);
  for (const name of e.instance) assert.ok(name in err, `CarepathError.${name}`);
  for (const name of e.statics) assert.ok(name in carepath.InvalidPatientError, `CarepathError.${name}`);
  table.free();
});

test("the declared unions list the values the module gives", () => {
  const union = (name) => new Set([...new RegExp(`export type ${name} =([^;]*);`).exec(dts)[1].matchAll(/"([^"]+)"/g)]
    .map((m) => m[1]));
  const codes = union("StatusCode");
  for (const d of declared.filter((x) => x.base === "CarepathError")) {
    assert.ok(codes.has(carepath[d.name].code), `${d.name}.code ${carepath[d.name].code} is a StatusCode`);
  }
  assert.equal(codes.size, declared.filter((x) => x.base === "CarepathError").length);
  const kinds = union("InputKind");
  for (const name of ["dosing", "policies"]) {
    const table = carepath.load(fs.readFileSync(path.join(TABLES, `${name}.table.json`)));
    for (const i of table.inputs) assert.ok(kinds.has(i.kind), `${name}.${i.name}: ${i.kind}`);
    table.free();
  }
});
