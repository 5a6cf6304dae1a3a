#!/usr/bin/env node
// elm-eval.mjs INTEROP_DIR LIBRARY.json BUNDLES.ndjson — runs a `carepath
// compile --target elm` library with the npm `cql-execution` over FHIR R4
// patient bundles read by `cql-exec-fhir` (both installed in INTEROP_DIR,
// tests/interop/package.json), as a CQL engine evaluates a library in the
// Patient context: every expression definition, for every patient.
//
// BUNDLES.ndjson: one FHIR Bundle per line, each with one Patient (id
// unique) and its Observations. Prints one JSON line per bundle, in order:
// {DEFINITION: value} for every definition the export annotates (role
// other than "observation"; not the Patient): true, false, a number (as
// JavaScript prints it: the shortest text that reads back as the same
// double), a string, or null. An evaluation error exits 2. docs/interop.md,
// "CQL/ELM".
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [interop, libraryFile, bundleFile] = process.argv.slice(2);
if (!interop || !libraryFile || !bundleFile) {
  process.stderr.write('usage: node elm-eval.mjs INTEROP_DIR LIBRARY.json BUNDLES.ndjson\n');
  process.exit(2);
}
const die = (m) => { process.stderr.write(`elm-eval: ${m}\n`); process.exit(2); };
// The packages are INTEROP_DIR's (CommonJS), not this folder's.
const require = createRequire(path.join(path.resolve(interop), 'package.json'));
const cql = require('cql-execution');
const cqlfhir = require('cql-exec-fhir');

const elm = JSON.parse(readFileSync(libraryFile, 'utf8'));
const shown = [];
for (const d of elm.library?.statements?.def || []) {
  const tag = (d.annotation || []).flatMap(a => a.t || []).find(t => t.name === 'carepath');
  if (!tag) continue;
  if (JSON.parse(tag.value).role === 'observation') continue;
  shown.push(d.name);
}

const lines = readFileSync(bundleFile, 'utf8').split('\n').filter(l => l.trim());

let library, executor;
try {
  library = new cql.Library(elm);
  executor = new cql.Executor(library, new cql.CodeService({}));
} catch (e) {
  die(`cannot load the library: ${e.message || e}`);
}

// cql-exec-fhir builds a new FHIRObject for every resource of the bundle at
// every retrieve (one per input definition), and a new one for every element
// read from it, each time it is read: that and its garbage were 60 % of the
// time. A data source would read a patient's records once: each patient
// keeps the records of each retrieve type (each retrieve gets its own copy
// of the list, so the engine still filters them by code itself), and each
// record keeps the elements read from it. The data are never written, so the
// values the engine sees are the same.
function readOnce(source) {
  const patientType = Object.getPrototypeOf(source.currentPatient());
  const fhirObject = Object.getPrototypeOf(patientType);
  const get = fhirObject.get;
  fhirObject.get = function (field) {
    if (!this.carepathElements) Object.defineProperty(this, 'carepathElements', { value: new Map() });
    if (this.carepathElements.has(field)) return this.carepathElements.get(field);
    const value = get.call(this, field);
    this.carepathElements.set(field, value);
    return value;
  };
  const findRecords = patientType.findRecords;
  patientType.findRecords = function (profile, details) {
    if (!this.carepathRecords) Object.defineProperty(this, 'carepathRecords', { value: new Map() });
    const key = `${profile}|${details?.datatype ?? ''}`;
    let records = this.carepathRecords.get(key);
    if (!records) this.carepathRecords.set(key, (records = findRecords.call(this, profile, details)));
    return records.slice();
  };
}

// Bundles are evaluated a chunk at a time: the engine's results hold every
// Observation it read, so 10,000 patients at once do not fit in Node's heap.
const kChunk = 500;
for (let at = 0, patched = false; at < lines.length; at += kChunk) {
  const bundles = lines.slice(at, at + kChunk).map(l => JSON.parse(l));
  const ids = bundles.map(b => {
    const p = (b.entry || []).find(e => e.resource?.resourceType === 'Patient');
    if (!p) die('a bundle has no Patient');
    return p.resource.id;
  });
  const source = cqlfhir.PatientSource.FHIRv401();
  source.loadBundles(bundles);
  if (!patched) readOnce(source), patched = true;
  let results;
  try {
    results = await executor.exec(source);
  } catch (e) {
    die(`evaluation failed: ${e.message || e}`);
  }
  const out = [];
  for (const id of ids) {
    const r = results.patientResults[id];
    if (!r) die(`no result for patient ${id}`);
    const line = {};
    for (const name of shown) {
      const v = r[name];
      if (v === undefined || v === null) line[name] = null;
      else if (typeof v === 'boolean' || typeof v === 'string') line[name] = v;
      else if (typeof v === 'number') {
        if (!Number.isFinite(v)) die(`${name} is ${v} for patient ${id}`);
        line[name] = v;
      } else die(`${name} is not a boolean, number or string for patient ${id}: ${JSON.stringify(v)}`);
    }
    out.push(JSON.stringify(line) + '\n');
  }
  process.stdout.write(out.join(''));
}
