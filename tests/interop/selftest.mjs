#!/usr/bin/env node
// selftest.mjs — checks dmn-eval.mjs against the hand-computed expectations.
//
// Usage: node selftest.mjs [MODEL.dmn PATIENTS.jsonl EXPECTED.jsonl]
//   default: fixtures/sample.dmn, fixtures/sample-patients.jsonl,
//            fixtures/sample-expected.jsonl next to this script.
// Cases: every patient line, evaluated with and without result memoisation
// (each compared, as parsed JSON, with the same EXPECTED line), plus a few
// deliberately broken copies of the model that dmn-eval must reject with
// exit status 2 (only when run on the default fixture).
// Prints one line per failure and a closing "N passed, M failed" line;
// exit 0 when nothing failed, 1 otherwise.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const evalScript = join(here, 'dmn-eval.mjs');
const args = process.argv.slice(2);
const usingDefault = args.length === 0;
if (!usingDefault && args.length !== 3) {
  console.error('usage: node selftest.mjs [MODEL.dmn PATIENTS.jsonl EXPECTED.jsonl]');
  process.exit(1);
}
const [model, patients, expectedPath] = usingDefault
  ? ['sample.dmn', 'sample-patients.jsonl', 'sample-expected.jsonl'].map(f => join(here, 'fixtures', f))
  : args;

let passed = 0, failed = 0;
const fail = (msg) => { failed++; console.log(`FAIL ${msg}`); };

const lines = (s) => s.split('\n').filter(l => l.trim() !== '');
const expected = lines(readFileSync(expectedPath, 'utf8')).map(l => JSON.parse(l));

for (const flags of [[], ['--no-memo']]) {
  const tag = flags.length ? 'no-memo' : 'memo';
  const r = spawnSync(process.execPath, [evalScript, ...flags, model, patients], { encoding: 'utf8' });
  if (r.status !== 0) {
    fail(`[${tag}] dmn-eval exited ${r.status}: ${r.stderr.trim()}`);
    continue;
  }
  const got = lines(r.stdout).map(l => JSON.parse(l));
  if (got.length !== expected.length) fail(`[${tag}] ${got.length} result lines, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (i < got.length && isDeepStrictEqual(got[i], expected[i])) { passed++; continue; }
    if (i >= got.length) { fail(`[${tag}] patient ${i + 1}: no output`); continue; }
    for (const k of new Set([...Object.keys(expected[i]), ...Object.keys(got[i])])) {
      if (!isDeepStrictEqual(got[i][k], expected[i][k])) {
        fail(`[${tag}] patient ${i + 1} decision ${k}: got ${JSON.stringify(got[i][k])}, expected ${JSON.stringify(expected[i][k])}`);
      }
    }
  }
}

if (usingDefault) {
  // malformed copies of the fixture must be refused with exit status 2
  const xml = readFileSync(model, 'utf8');
  const broken = {
    'DMN 1.1 namespace': xml.replace('https://www.omg.org/spec/DMN/20191111/MODEL/', 'http://www.omg.org/spec/DMN/20151101/dmn.xsd'),
    'raw < in XML': xml.replace('&lt; 12', '< 12'),
    'empty <text/>': xml.replace('<text>&gt;= 30</text>', '<text/>'),
    'FEEL syntax error': xml.replace('<text>[12..30)</text>', '<text>[12..30</text>'),
    'unknown hit policy': xml.replace('hitPolicy="FIRST"', 'hitPolicy="FRIST"'),
    'missing input entry': xml.replace(/<inputEntry id="t1_i2">[\s\S]*?<\/inputEntry>/, ''),
    'truncated file': xml.slice(0, xml.length / 2)
  };
  const dir = mkdtempSync(join(tmpdir(), 'carepath-selftest-'));
  try {
    for (const [name, text] of Object.entries(broken)) {
      if (text === xml) { fail(`malformed case "${name}": fixture did not change`); continue; }
      const f = join(dir, 'broken.dmn');
      writeFileSync(f, text);
      const r = spawnSync(process.execPath, [evalScript, f, patients], { encoding: 'utf8' });
      if (r.status === 2) passed++;
      else fail(`malformed case "${name}": exit ${r.status}, expected 2`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
