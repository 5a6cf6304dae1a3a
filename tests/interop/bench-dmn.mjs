#!/usr/bin/env node
// bench-dmn.mjs — throughput of the independent engine (dmn-moddle + feelin +
// our hit-policy code), for comparison with carepath's C++ runtime.
//
// Usage: node bench-dmn.mjs [--mode memo|no-memo|both] [--min-seconds S] MODEL.dmn PATIENTS.jsonl
// Loads the model, reads all patients into memory, then for each mode
// (default: both) evaluates every decision table for every patient, repeating
// whole passes until at least S seconds (default 2) have elapsed. A
// "decision" is one decision table evaluated for one patient.
//   no-memo: every unary test / expression goes through feelin's string API
//            (parse + build + evaluate each call): the engine's raw speed.
//   memo:    results cached per (FEEL text, values of referenced variables),
//            caches start empty (model reloaded) at the start of the mode;
//            later passes mostly hit the cache, so the first pass is also shown.
// Output: one human line and one JSON line per mode on stdout
//   {"mode":"memo","decisions":N,"seconds":S,"decisions_per_second":R,"patients":P,"tables":T}
// Exit 2 on a malformed model, 1 on usage errors.

import { readFileSync } from 'node:fs';
import { loadModel, evaluateAll, ModelError } from './dmn-engine.mjs';

const args = process.argv.slice(2);
let modes = ['no-memo', 'memo'];
let minSeconds = 2;
while (args[0] && args[0].startsWith('--')) {
  const flag = args.shift();
  const val = args.shift();
  if (flag === '--mode' && ['memo', 'no-memo'].includes(val)) modes = [val];
  else if (flag === '--mode' && val === 'both') modes = ['no-memo', 'memo'];
  else if (flag === '--min-seconds' && Number(val) > 0) minSeconds = Number(val);
  else { console.error(`bad option ${flag} ${val}`); process.exit(1); }
}
if (args.length !== 2) {
  console.error('usage: node bench-dmn.mjs [--mode memo|no-memo|both] [--min-seconds S] MODEL.dmn PATIENTS.jsonl');
  process.exit(1);
}
const xml = readFileSync(args[0], 'utf8');
const patients = readFileSync(args[1], 'utf8').split('\n').filter(l => l.trim()).map(l => JSON.parse(l));
if (patients.length === 0) { console.error('no patients'); process.exit(1); }

for (const mode of modes) {
  let model;
  try { model = await loadModel(xml); } catch (e) {
    if (e instanceof ModelError) { console.error(`malformed model: ${e.message}`); process.exit(2); }
    throw e;
  }
  const memo = mode === 'memo';
  let sink = 0;
  let decisions = 0;
  const t0 = process.hrtime.bigint();
  let secs = 0;
  let firstPass = 0;
  do {
    for (const p of patients) {
      const r = evaluateAll(model, p, { memo });
      sink += Object.keys(r).length;
    }
    decisions += patients.length * model.tables.length;
    secs = Number(process.hrtime.bigint() - t0) / 1e9;
    if (!firstPass) firstPass = secs;
  } while (secs < minSeconds);
  const rate = decisions / secs;
  console.log(`${mode}: ${decisions} decisions (${patients.length} patients x ${model.tables.length} tables) in ${secs.toFixed(2)} s = ${Math.round(rate)} decisions/s (first pass ${Math.round(patients.length * model.tables.length / firstPass)}/s)`);
  console.log(JSON.stringify({ mode, decisions, seconds: +secs.toFixed(3), decisions_per_second: Math.round(rate), first_pass_decisions_per_second: Math.round(patients.length * model.tables.length / firstPass), patients: patients.length, tables: model.tables.length, sink }));
}
