#!/usr/bin/env node
// validate-sarif.mjs — validate a SARIF log against the SARIF 2.1.0 JSON schema.
//
// Usage: node validate-sarif.mjs DOC.sarif
// The schema file comes from the npm package @microsoft/jest-sarif
// (lib/schemas/sarif-2.1.0-rtm.5.json: the schemastore.org "2.1.0-rtm.5"
// schema, JSON Schema draft-04, i.e. the final SARIF 2.1.0 schema as
// published by Microsoft's SARIF SDK); it is validated with ajv-draft-04 +
// ajv-formats (unicodeRegExp off, see below). The schema itself pins "version" to "2.1.0".
// Exit: 0 + "valid"; 1 + errors; 2 unreadable / not JSON.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ajvFor, formatErrors } from './schema-util.mjs';

const require = createRequire(import.meta.url);
const SCHEMA_MODULE = '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json';

const args = process.argv.slice(2);
if (args.length !== 1) {
  console.error('usage: node validate-sarif.mjs DOC.sarif');
  process.exit(2);
}
let doc;
try { doc = JSON.parse(readFileSync(args[0], 'utf8')); }
catch (e) { console.error(`validate-sarif: ${args[0]}: ${e.message}`); process.exit(2); }

const schema = require(SCHEMA_MODULE);
// The rtm.5 schema's "language" pattern `^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`
// has a stray "]" that is a syntax error under the RegExp "u" flag ajv uses
// by default, so compile without it (the pattern is then read as written).
const validate = ajvFor(schema, { unicodeRegExp: false }).ajv.compile(schema);
if (validate(doc)) {
  console.log('valid');
  process.exit(0);
}
console.log(`invalid SARIF 2.1.0: ${args[0]}`);
console.log(formatErrors(validate.errors));
process.exit(1);
