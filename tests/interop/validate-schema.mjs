#!/usr/bin/env node
// validate-schema.mjs — validate a JSON document against a JSON Schema with ajv.
//
// Usage: node validate-schema.mjs SCHEMA.json DOC.json
// The draft is taken from the schema's "$schema": 2020-12, 2019-09, draft-07,
// draft-06 or draft-04 (a schema without "$schema" is refused). Formats
// (date-time, uri, email, ...) are checked via ajv-formats; all errors are
// reported; unknown keywords are ignored (strict: false).
// Exit: 0 and prints "valid"; 1 and prints one line per error when invalid;
//       2 when a file is unreadable / not JSON or the schema does not compile.

import { readFileSync } from 'node:fs';
import { ajvFor, formatErrors } from './schema-util.mjs';

const args = process.argv.slice(2);
if (args.length !== 2) {
  console.error('usage: node validate-schema.mjs SCHEMA.json DOC.json');
  process.exit(2);
}
const readJson = (p) => {
  try { return JSON.parse(readFileSync(p, 'utf8')); }
  catch (e) { console.error(`validate-schema: ${p}: ${e.message}`); process.exit(2); }
};
const schema = readJson(args[0]);
const doc = readJson(args[1]);
let validate;
try {
  validate = ajvFor(schema).ajv.compile(schema);
} catch (e) {
  console.error(`validate-schema: ${args[0]}: schema error: ${e.message}`);
  process.exit(2);
}
if (validate(doc)) {
  console.log('valid');
  process.exit(0);
}
console.log(`invalid: ${args[1]} against ${args[0]}`);
console.log(formatErrors(validate.errors));
process.exit(1);
