#!/usr/bin/env node
// dmn-eval.mjs — evaluate a DMN 1.3 model with an engine none of carepath's
// code is part of (dmn-moddle + feelin, hit policies per DMN 1.3 §8.2.11).
//
// Usage:  node dmn-eval.mjs [--no-memo] MODEL.dmn PATIENTS.jsonl
//
// Contract
//   MODEL.dmn       DMN 1.3 XML (namespace https://www.omg.org/spec/DMN/20191111/MODEL/).
//                   Every <decision> whose decisionLogic is a <decisionTable> is evaluated.
//                   Input expressions are FEEL expressions over the input-data names
//                   (usually just a name); input entries are FEEL unary tests; output
//                   entries are FEEL expressions evaluated in the same input context
//                   (e.g. `min(30 * weight, 1000)` or `"urgent"`).
//                   Decisions that require other decisions (informationRequirement/
//                   requiredDecision) see those decisions' results under their variable
//                   name (single-hit, one output: the value; several outputs: a context;
//                   multi-hit: a list; a literal-expression decision: its value, null
//                   when feelin cannot evaluate it). Only decision tables are printed.
//   PATIENTS.jsonl  one JSON object per line: input-data name -> value (numbers as JSON
//                   numbers, booleans, enum members as strings). Blank lines are skipped.
//   stdout          one JSON line per patient, keys = decision id (name if no id), in
//                   document order:
//                     {"<decision>": {"matched": ["<rule id>", ...],
//                                     "outputs": [{"<output name>": value, ...}, ...]}, ...}
//                   `matched` lists the rule ids the hit policy selects, in rule order
//                   (UNIQUE/FIRST/ANY/PRIORITY: at most one; RULE ORDER/COLLECT: all in
//                   rule order; OUTPUT ORDER: all, by decreasing output priority, ties in
//                   rule order). `outputs[k]` belongs to `matched[k]`. No match: both [].
//                   A UNIQUE table with >1 match, an ANY table whose matches disagree, or
//                   a FEEL evaluation that throws gives {"error": "<message>"} for that
//                   decision instead. Numbers are JavaScript doubles (0.1+0.2 prints
//                   0.30000000000000004); NaN/Infinity/undefined print as null.
//   exit status     0 all patients evaluated (even if some decisions report "error");
//                   1 usage error or unreadable file;
//                   2 malformed or unsupported model (not DMN 1.3, XML error, dmn-moddle
//                     warning, FEEL syntax error, empty <text/>, entry-count mismatch,
//                     COLLECT aggregation, PRIORITY/OUTPUT ORDER without outputValues),
//                     or a PATIENTS line that is not a JSON object; message on stderr.
//   --no-memo       call feelin for every test/expression instead of caching results
//                   per (FEEL text, values of the variables it references); output is
//                   identical, only slower.

import { readFileSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadModel, evaluateAll, ModelError } from './dmn-engine.mjs';

const args = process.argv.slice(2);
let memo = true;
if (args[0] === '--no-memo') { memo = false; args.shift(); }
if (args.length !== 2) {
  process.stderr.write('usage: node dmn-eval.mjs [--no-memo] MODEL.dmn PATIENTS.jsonl\n');
  process.exit(1);
}
const [modelPath, patientsPath] = args;

let xml;
try {
  xml = readFileSync(modelPath, 'utf8');
} catch (e) {
  process.stderr.write(`dmn-eval: cannot read ${modelPath}: ${e.message}\n`);
  process.exit(1);
}

let model;
try {
  model = await loadModel(xml);
} catch (e) {
  if (e instanceof ModelError) {
    process.stderr.write(`dmn-eval: malformed model ${modelPath}: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}

let input;
try {
  input = createReadStream(patientsPath, 'utf8');
  await new Promise((res, rej) => { input.once('open', res); input.once('error', rej); });
} catch (e) {
  process.stderr.write(`dmn-eval: cannot read ${patientsPath}: ${e.message}\n`);
  process.exit(1);
}

const rl = createInterface({ input, crlfDelay: Infinity });
let lineNo = 0;
let buf = [];
const flush = () => { if (buf.length) { process.stdout.write(buf.join('')); buf = []; } };
for await (const line of rl) {
  lineNo++;
  if (line.trim() === '') continue;
  let patient;
  try {
    patient = JSON.parse(line);
  } catch (e) {
    flush();
    process.stderr.write(`dmn-eval: ${patientsPath}:${lineNo}: not JSON: ${e.message}\n`);
    process.exit(2);
  }
  if (patient === null || typeof patient !== 'object' || Array.isArray(patient)) {
    flush();
    process.stderr.write(`dmn-eval: ${patientsPath}:${lineNo}: not a JSON object\n`);
    process.exit(2);
  }
  buf.push(JSON.stringify(evaluateAll(model, patient, { memo })) + '\n');
  if (buf.length >= 256) flush();
}
flush();
