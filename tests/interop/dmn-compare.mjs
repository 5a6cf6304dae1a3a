#!/usr/bin/env node
// dmn-compare.mjs — proves an independent DMN engine reaches carepath's
// decisions on an exported protocol.
//
// Usage: node dmn-compare.mjs --table T.json --dmn M.dmn --carepath BIN
//                             [--n 10000] [--seed 1] [--work DIR] [--show 5]
//                             [--spread K]
//
//   1. generates N random patients over the table's inputs (deterministic
//      seed); about half of the numeric values are boundaries found in
//      the table's comparison nodes (the constant, and 1/2 and 1 unit
//      either side), the rest uniform over the declared range in steps of
//      1/4 (exact both as decimals and as JavaScript doubles); two inputs
//      the table compares with each other are made equal in 1 patient of
//      4; an optional input is missing in 1 patient of 4 (left out or
//      null, alternately, on both sides); a number input the DMN states in
//      another unit than the canonical one (its inputData label "age
//      (years)" names the table's displayUnit, or "seizure_onset (min)"
//      one of its acceptedUnits) is generated in that unit, boundaries
//      converted exactly (BigInt rationals), so both sides get the same
//      value exactly;
//      with --spread K, K times N are generated and carepath evaluates
//      them; N are kept that spread over carepath's outcomes (grouped by
//      what fired and which actions, taken from each group in turn, as
//      tests/sql/sql-compare.py's spread_patients): uniform patients
//      rarely reach a narrow phase (a seizure 5 to 20 minutes old after
//      no initial therapy). Only which patients are compared depends on
//      carepath, not what the engine must say about them;
//   2. writes them twice, same values: WORK/patients.dmn.jsonl (bare numbers
//      in the unit each inputData's label states, the DMN export's
//      convention) and WORK/patients.carepath.jsonl ({"value": v, "unit":
//      canonical unit}; the declared unit when v has no finite decimal form
//      in the canonical one);
//   3. runs dmn-eval.mjs (dmn-moddle + feelin, our hit-policy code) on the
//      DMN and `carepath eval --patients --format=jsonl` on the JSON table;
//   4. compares every decision of every patient: the rules that fired (DMN
//      rule ids are "<decision>.<rule>.<part>"), a hit-policy violation
//      (carepath) against an engine error (DMN), and every fired action:
//      kind, name and dose. carepath's doses are exact rationals; the JS
//      side computes in doubles, so doses are equal when
//      |js - exact| <= 1e-9 * max(1, |exact|). For a table with population
//      assumptions, the DMN's assumptionsViolated decision (its rules that
//      match, their `assumption` outputs) against carepath's
//      assumptionsViolated, names in order; the patients are drawn over
//      the inputs' ranges, so a weight-for-age band is violated by many.
//
// Exit 0: zero mismatches; 1: mismatches (the first --show are printed with
// their patient); 2: a tool failed (exit status and stderr printed).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const opts = { n: 10000, seed: 1, work: '.', show: 5, engine: 'feelin', spread: 0 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, '');
  if (!(k in opts) && !['table', 'dmn', 'carepath'].includes(k)) usage(`unknown option ${argv[i]}`);
  opts[k] = ['n', 'seed', 'show', 'spread'].includes(k) ? Number(argv[i + 1]) : argv[i + 1];
}
if (!opts.table || !opts.dmn || !opts.carepath) usage('--table, --dmn and --carepath are required');
function usage(m) {
  process.stderr.write(`dmn-compare: ${m}\nusage: node dmn-compare.mjs --table T.json --dmn M.dmn --carepath BIN [--n N] [--seed S] [--work DIR] [--show K] [--engine feelin|dmn-eval-js] [--spread K]\n`);
  process.exit(2);
}

// ------------------------------------------------------------ patients

// mulberry32: a small deterministic PRNG (Math.random cannot be seeded).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// "157788", "-1/4" -> number; only values exact as decimals are used.
function rational(s) {
  if (s === null || s === undefined) return null;
  const [n, d] = String(s).split('/').map(Number);
  return d === undefined ? n : n / d;
}
function exactDecimal(s) {
  const [, d] = String(s).split('/');
  if (d === undefined) return true;
  let x = Number(d);
  while (x % 2 === 0) x /= 2;
  while (x % 5 === 0) x /= 5;
  return x === 1;
}

// Exact rationals {n, d} (BigInt, d > 0, reduced) for inputs stated in
// another unit than the canonical one: value_canonical = value * factor.
const gcd = (a, b) => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) [a, b] = [b, a % b]; return a; };
function Q(n, d = 1n) {
  if (d < 0n) { n = -n; d = -d; }
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}
function parseQ(s) {
  const [a, b] = String(s).split('/');
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(a.trim());
  if (!m) throw new Error(`dmn-compare: not a number: ${s}`);
  const frac = m[3] || '', e = BigInt(m[4] || '0') - BigInt(frac.length);
  const n = BigInt((m[2] || '0') + frac) * (m[1] ? -1n : 1n);
  let x = e >= 0n ? Q(n * 10n ** e) : Q(n, 10n ** -e);
  if (b !== undefined) x = qdiv(x, Q(BigInt(b)));
  return x;
}
const qadd = (x, y) => Q(x.n * y.d + y.n * x.d, x.d * y.d);
const qsub = (x, y) => Q(x.n * y.d - y.n * x.d, x.d * y.d);
const qmul = (x, y) => Q(x.n * y.n, x.d * y.d);
const qdiv = (x, y) => Q(x.n * y.d, x.d * y.n);
const qcmp = (x, y) => { const l = x.n * y.d, r = y.n * x.d; return l < r ? -1 : l > r ? 1 : 0; };
// The exact decimal text of x, or null when it has none.
function qdecimal(x) {
  let d = x.d, k2 = 0, k5 = 0;
  while (d % 2n === 0n) { d /= 2n; k2++; }
  while (d % 5n === 0n) { d /= 5n; k5++; }
  if (d !== 1n) return null;
  const k = Math.max(k2, k5), scaled = x.n * 10n ** BigInt(k) / x.d, neg = scaled < 0n;
  let t = (neg ? -scaled : scaled).toString().padStart(k + 1, '0');
  if (k) t = t.slice(0, -k) + '.' + t.slice(-k);
  return (neg ? '-' : '') + t;
}
const qnum = (x) => Number(qdecimal(x));

const table = JSON.parse(readFileSync(opts.table, 'utf8'));
const inputs = table.inputs;

// The unit the DMN states each number input in: its inputData's label,
// "NAME (UNIT)" (docs/interop.md, "Units convention"). The declared unit
// (the table's displayUnit) gives a factor; the canonical unit, none.
const xmlText = (t) => t.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const labels = new Map();
for (const m of readFileSync(opts.dmn, 'utf8').matchAll(/<inputData id="[^"]*" name="([^"]*)" label="([^"]*)"/g))
  labels.set(xmlText(m[1]), xmlText(m[2]));
const factors = new Map();  // input name -> factor (Q) when not canonical
const statedUnit = new Map();  // input name -> the unit carepath gets a value in when not canonical
for (const inp of inputs) {
  if (inp.type !== 'number') continue;
  const label = labels.get(inp.name);
  if (label === undefined) { process.stderr.write(`dmn-compare: the DMN has no labelled inputData for ${inp.name}\n`); process.exit(2); }
  const unit = label.startsWith(`${inp.name} (`) && label.endsWith(')') ? label.slice(inp.name.length + 2, -1) : '';
  const du = inp.displayUnit;
  if (unit === (inp.canonicalUnit === '1' ? '' : inp.canonicalUnit || '')) continue;
  // The declared unit by its name, or another unit of the input's
  // dimension (the table's acceptedUnits) by its UCUM code or name, where
  // neither the declared nor the canonical unit holds every bound.
  const u = du && unit === du.name ? du
    : (inp.acceptedUnits || []).find(a => a.ucum === unit) || (inp.acceptedUnits || []).find(a => a.name === unit);
  if (!u || parseQ(u.offset).n !== 0n) {
    process.stderr.write(`dmn-compare: input ${inp.name}: the DMN states unit "${unit}", not one of its dimension\n`);
    process.exit(2);
  }
  const f = parseQ(u.factor);
  if (qcmp(f, Q(1n)) !== 0) { factors.set(inp.name, f); statedUnit.set(inp.name, u.name); }
}

const boundaries = new Map(inputs.map(i => [i.name, new Set()]));
const boundaryText = new Map(inputs.map(i => [i.name, new Set()]));  // exact, for inputs with a factor
// Table format 3: conditions are nodes; a comparison of an input with a
// number constant names a boundary of that input.
const nodes = table.nodes || [];
for (const n of nodes) {
  if (!['lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(n.op)) continue;
  const [a, b] = n.args.map(i => nodes[i]);
  for (const [x, c] of [[a, b], [b, a]])
    if (x.op === 'input' && c.op === 'const' && c.type === 'number') {
      if (exactDecimal(c.value)) boundaries.get(x.input).add(rational(c.value));
      boundaryText.get(x.input).add(String(c.value));
    }
}

// Pairs of inputs compared with each other (`alt > alt_uln`): equality is
// their boundary.
const pairs = [];
for (const n of nodes) {
  if (!['lt', 'le', 'gt', 'ge', 'eq', 'ne'].includes(n.op)) continue;
  const [a, b] = n.args.map(i => nodes[i]);
  if (a.op === 'input' && b.op === 'input' && a.input !== b.input) pairs.push([a.input, b.input]);
}
const byName = new Map(inputs.map(i => [i.name, i]));
// String inputs are open: besides the literals the table compares them
// with, patients get strings no rule names (where `not("EU", "US")` must
// hold and a closed list of the other literals would not).
const stringValues = new Map(inputs.map(i => [i.name, new Set(['', 'zz unlisted', 'eu'])]));
for (const n of nodes) {
  if (n.op === 'const' && n.type === 'string')
    for (const i of inputs) if (i.type === 'string') stringValues.get(i.name).add(n.value);
}

const random = rng(opts.seed);
const pick = (a) => a[Math.floor(random() * a.length)];
function numberValue(inp) {
  // A number with no declared range (`number`, `integer`): around the
  // boundaries the table compares it with.
  const bs = boundaries.get(inp.name) || [];
  const has = (k) => inp.range && inp.range[k] !== undefined && inp.range[k] !== null;
  const lo = has('lo') ? rational(inp.range.lo) : Math.min(0, ...bs) - 10;
  const hi = has('hi') ? rational(inp.range.hi) : Math.max(0, ...bs) + 10;
  const near = [lo, hi];
  for (const b of boundaries.get(inp.name)) near.push(b, b - 1, b + 1, b - 0.5, b + 0.5);
  const inside = near.filter(v => v >= lo && v <= hi && (!inp.integer || Number.isInteger(v)));
  if (inside.length && random() < 0.5) return pick(inside);
  const steps = inp.integer ? 1 : 4;
  const span = Math.round((hi - lo) * steps);
  return lo + Math.floor(random() * (span + 1)) / steps;
}
// The same for an input stated in the unit with factor F: the value in that
// unit (Q), boundaries and range converted exactly; an integer input stays
// whole in canonical units.
function scaledValue(inp, F) {
  const has = (k) => inp.range && inp.range[k] !== undefined && inp.range[k] !== null;
  const bs = [...boundaryText.get(inp.name)].map(t => qdiv(parseQ(t), F)).filter(b => qdecimal(b) !== null);
  const pickQ = (xs, sign) => xs.reduce((a, b) => (qcmp(a, b) * sign <= 0 ? a : b));
  const lo = has('lo') ? qdiv(parseQ(inp.range.lo), F) : qsub(pickQ([Q(0n), ...bs], 1), Q(10n));
  const hi = has('hi') ? qdiv(parseQ(inp.range.hi), F) : qadd(pickQ([Q(0n), ...bs], -1), Q(10n));
  const whole = (v) => !inp.integer || qmul(v, F).d === 1n;
  const near = [lo, hi];
  for (const b of bs) near.push(b, qsub(b, Q(1n)), qadd(b, Q(1n)), qsub(b, Q(1n, 2n)), qadd(b, Q(1n, 2n)));
  const inside = near.filter(v => qcmp(v, lo) >= 0 && qcmp(v, hi) <= 0 && qdecimal(v) !== null && whole(v));
  if (inside.length && random() < 0.5) return pick(inside);
  const steps = 4n, span = qmul(qsub(hi, lo), Q(steps));
  const v = qadd(lo, Q(BigInt(Math.floor(random() * (Number(span.n / span.d) + 1))), steps));
  return whole(v) || !inside.length ? v : pick(inside);
}
// What carepath gets for the value v (Q) of an input stated with factor F:
// canonical when that is a finite decimal, else in the unit the DMN states.
function carepathQuantity(inp, v, F) {
  const c = qdecimal(qmul(v, F));
  if (c !== null) return inp.canonicalUnit && inp.canonicalUnit !== '1' ? { value: Number(c), unit: inp.canonicalUnit } : Number(c);
  return { value: qnum(v), unit: statedUnit.get(inp.name) };
}
const canonicalQ = (inp, v) => (factors.has(inp.name) ? qmul(v, factors.get(inp.name)) : parseQ(String(v)));
let dmnLines = [], cpLines = [], patients = [];
const generated = opts.spread > 0 ? opts.n * opts.spread : opts.n;
for (let k = 0; k < generated; k++) {
  const dmn = {}, cp = {};
  for (const inp of inputs) {
    if (inp.type === 'bool') dmn[inp.name] = cp[inp.name] = random() < 0.5;
    else if (inp.type === 'enum') dmn[inp.name] = cp[inp.name] = pick(inp.members);
    else if (inp.type === 'string') dmn[inp.name] = cp[inp.name] = pick([...stringValues.get(inp.name)]);
    else if (factors.has(inp.name)) {
      const v = scaledValue(inp, factors.get(inp.name));
      dmn[inp.name] = qnum(v);
      cp[inp.name] = carepathQuantity(inp, v, factors.get(inp.name));
    } else {
      const v = numberValue(inp);
      dmn[inp.name] = v;
      cp[inp.name] = inp.canonicalUnit ? { value: v, unit: inp.canonicalUnit } : v;
    }
  }
  for (const [a, b] of pairs) {
    if (random() >= 0.25) continue;
    let v = dmn[a];
    const inp = byName.get(b);
    if (typeof v === 'number' && (factors.has(a) || factors.has(b))) {
      // The same canonical value, stated in b's unit.
      const c = canonicalQ(byName.get(a), factors.has(a) ? parseQ(String(v)) : v);
      const F = factors.get(b);
      const w = F ? qdiv(c, F) : c;
      const has = (k) => inp.range && inp.range[k] !== undefined && inp.range[k] !== null;
      if (qdecimal(w) === null || (inp.integer && c.d !== 1n)) continue;
      if ((has('lo') && qcmp(c, parseQ(inp.range.lo)) < 0) || (has('hi') && qcmp(c, parseQ(inp.range.hi)) > 0)) continue;
      dmn[b] = qnum(w);
      cp[b] = F ? carepathQuantity(inp, w, F)
        : inp.canonicalUnit ? { value: qnum(c), unit: inp.canonicalUnit } : qnum(c);
      continue;
    }
    if (typeof v === 'number') {
      // A number input may have no range (`number`, `integer` without `in`).
      const lo = inp.range && inp.range.lo !== undefined ? rational(inp.range.lo) : -Infinity;
      const hi = inp.range && inp.range.hi !== undefined ? rational(inp.range.hi) : Infinity;
      if (v < lo || v > hi || (inp.integer && !Number.isInteger(v))) continue;
    } else if (typeof v !== typeof dmn[b]) continue;
    dmn[b] = v;
    cp[b] = inp.canonicalUnit ? { value: v, unit: inp.canonicalUnit } : v;
  }
  for (const inp of inputs) {
    if (!inp.optional || random() >= 0.25) continue;
    if (random() < 0.5) { delete dmn[inp.name]; delete cp[inp.name]; }
    else dmn[inp.name] = cp[inp.name] = null;
  }
  patients.push(dmn);
  dmnLines.push(JSON.stringify(dmn));
  cpLines.push(JSON.stringify(cp));
}
mkdirSync(opts.work, { recursive: true });
if (opts.spread > 0) {
  const pool = join(opts.work, 'pool.carepath.jsonl');
  writeFileSync(pool, cpLines.join('\n') + '\n');
  const groups = new Map();
  run(opts.carepath, ['eval', opts.table, '--patients', pool, '--format=jsonl', '--allow-unverified'], true).forEach((r, k) => {
    if (r.error) { process.stderr.write(`dmn-compare: carepath refused generated patient ${k + 1}: ${r.error}\n`); process.exit(2); }
    const outcome = JSON.stringify([r.inPopulation, r.assumptionsViolated || [], Object.keys(r.decisions).sort().map(name => [name,
      [...r.decisions[name].fired].sort(), r.decisions[name].actions.map(a => `${a.rule} ${a.kind} ${a.name || ''}`).sort()])]);
    if (!groups.has(outcome)) groups.set(outcome, []);
    groups.get(outcome).push(k);
  });
  const chosen = [];
  for (let depth = 0; chosen.length < opts.n; depth++)
    for (const members of groups.values())
      if (depth < members.length && chosen.length < opts.n) chosen.push(members[depth]);
  chosen.sort((a, b) => a - b);
  patients = chosen.map(k => patients[k]);
  dmnLines = chosen.map(k => dmnLines[k]);
  cpLines = chosen.map(k => cpLines[k]);
  console.log(`dmn-compare: ${opts.n} of ${generated} patients, spread over ${groups.size} outcomes`);
}
const dmnPatients = join(opts.work, 'patients.dmn.jsonl'), cpPatients = join(opts.work, 'patients.carepath.jsonl');
writeFileSync(dmnPatients, dmnLines.join('\n') + '\n');
writeFileSync(cpPatients, cpLines.join('\n') + '\n');

// ------------------------------------------------------------ both engines

// okExit1: exit 1 is accepted when every error says a generated patient
// violates a population assumption (random ages and weights are often no
// child's under stdlib.growth's bands), or that an unverified table offers
// one a contraindicated drug: carepath still decides for them, and the
// engines are compared on those decisions (the contraindications too).
function run(cmd, args, okExit1 = false) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const errors = (r.stderr || '').split('\n').filter(l => l.includes('error:'));
  const onlyAssumptions = okExit1 && r.status === 1 && errors.length > 0 &&
    errors.every(l => l.includes('[assumption-violated]') || l.includes('[contraindicated]') ||
                      l.includes('[course-state-unreachable]'));
  if (r.status !== 0 && !onlyAssumptions) {
    process.stderr.write(`dmn-compare: ${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}\n${r.stderr || r.error || ''}\n`);
    process.exit(2);
  }
  return r.stdout.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l));
}
// --engine dmn-eval-js: the DMN 1.1 engine, on dmn11-adapter.mjs's copy
// (decisions it cannot evaluate removed, actions as names only).
const dmn11 = opts.engine === 'dmn-eval-js';
if (!['feelin', 'dmn-eval-js'].includes(opts.engine)) usage(`unknown engine ${opts.engine}`);
let js;
if (dmn11) {
  const model11 = join(opts.work, 'model11.dmn');
  run(process.execPath, [join(here, 'dmn11-adapter.mjs'), opts.dmn, model11]);
  js = run(process.execPath, [join(here, 'dmn-eval-js.cjs'), model11, dmnPatients]);
} else {
  js = run(process.execPath, [join(here, 'dmn-eval.mjs'), opts.dmn, dmnPatients]);
}
const cp = run(opts.carepath, ['eval', opts.table, '--patients', cpPatients, '--format=jsonl', '--allow-unverified'], true);
if (js.length !== opts.n || cp.length !== opts.n) {
  process.stderr.write(`dmn-compare: expected ${opts.n} result lines, got ${js.length} (DMN) and ${cp.length} (carepath)\n`);
  process.exit(2);
}

// ------------------------------------------------------------ compare

const mismatches = [];
let decisions = 0, firings = 0, doses = 0, outputs = 0, contraindicationChecks = 0, contraindicated = 0;
// The population assumptions (the table's, in order) and how often each is
// violated in the comparison.
const assumptionNames = (table.assumptions || []).map(a => a.name);
const violatedCount = new Map(assumptionNames.map(n => [n, 0]));
let violating = 0;
const assumptionsKey = 'decision.assumptionsViolated';
const fireCount = new Map();
const closeEnough = (x, exact) => typeof x === 'number' && Math.abs(x - exact) <= 1e-9 * Math.max(1, Math.abs(exact));

for (let k = 0; k < opts.n; k++) {
  const problems = [];
  const c = cp[k], j = js[k];
  if (c.error) { problems.push(`carepath could not evaluate: ${c.error}`); }
  else {
    const seen = new Set();
    for (const [name, d] of Object.entries(c.decisions)) {
      decisions++;
      const key = `decision.${name}`;
      seen.add(key);
      const r = j[key];
      if (r === undefined && dmn11) { seen.delete(key); decisions--; continue; }  // removed by the adapter
      if (r === undefined) { problems.push(`${name}: no such decision in the DMN`); continue; }
      if (r.error || d.violation) {
        if (!(r.error && d.violation)) problems.push(`${name}: DMN ${r.error ? 'error: ' + r.error : 'no error'}, carepath ${d.violation ? 'hit-policy violation' : 'no violation'}`);
        continue;
      }
      const jsRules = r.matched.map(id => {
        const parts = id.split('.');
        return parts.length === 3 && parts[0] === name ? parts[1] : `?${id}`;
      });
      const info = table.tables.find(t => t.name === name);
      // OUTPUT ORDER lists the rules by output value: compare as sets here,
      // the order below with the values.
      const sorted = (a) => (info && info.hit === 'output order' ? [...a].sort() : a);
      if (JSON.stringify(sorted(jsRules)) !== JSON.stringify(sorted(d.fired))) {
        problems.push(`${name}: fired ${JSON.stringify(d.fired)} (carepath) vs ${JSON.stringify(jsRules)} (DMN rules ${JSON.stringify(r.matched)})`);
        continue;
      }
      for (const rule of d.fired) fireCount.set(`${name}.${rule}`, (fireCount.get(`${name}.${rule}`) || 0) + 1);
      firings += d.fired.length;
      // Typed outputs: carepath's exact values (canonical units) against the
      // DMN's (the output's display unit), the list in result order and the
      // aggregate.
      for (const o of (info && info.outputs) || []) {
        const mine = d.outputs[o.name];
        const factor = o.type === 'number' && o.displayUnit ? rational(o.displayUnit.factor) : 1;
        const label = o.type === 'number' && o.displayUnit && o.dimension !== '1' && o.dimension !== ''
          ? `${o.name} (${o.displayUnit.name})` : o.name;
        const same = (x, y, counted) => {
          if (x === null || y === null || y === undefined) return x === null && (y === null || y === undefined);
          if (o.type === 'number' || counted) return closeEnough(y, rational(x) / (counted ? 1 : factor));
          return x === y;
        };
        outputs++;
        if (info.aggregation) {
          if (!same(mine.value, r.aggregate, info.aggregation === 'count'))
            problems.push(`${name}.${o.name}: ${info.aggregation} ${JSON.stringify(mine.value)} (carepath) vs ${JSON.stringify(r.aggregate)} (DMN)`);
          continue;
        }
        const theirs = r.outputs.map(row => row[label]);
        const rules = r.matched.map(id => id.split('.')[1]);
        if (mine.list.length !== theirs.length ||
            mine.list.some((x, i) => x.rule !== rules[i] || !same(x.value, theirs[i], false)))
          problems.push(`${name}.${o.name}: ${JSON.stringify(mine.list)} (carepath) vs ${JSON.stringify(theirs)} from ${JSON.stringify(rules)} (DMN)`);
      }
      const order = info && info.hit === 'output order' ? r.matched.map(id => id.split('.')[1]) : d.fired;
      order.forEach((rule, m) => {
        const out = r.outputs[m];
        const label = out.tier ?? out.rule;
        if (label !== undefined && label !== rule) problems.push(`${name}.${rule}: DMN output names ${label}`);
        const mine = d.actions.filter(a => a.rule === rule);
        if (dmn11) {  // "kind name; ...": names only, no doses
          const names = mine.map(a => `${a.kind} ${a.name || ''}`.trim()).join('; ');
          if (names !== out.actions) problems.push(`${name}.${rule}: actions ${JSON.stringify(names)} (carepath) vs ${JSON.stringify(out.actions)} (DMN)`);
          return;
        }
        const theirs = out.actions || [];
        if (mine.length !== theirs.length) { problems.push(`${name}.${rule}: ${mine.length} actions (carepath) vs ${theirs.length} (DMN)`); return; }
        mine.forEach((a, i) => {
          const b = theirs[i];
          if (a.kind !== b.kind || (a.name || null) !== (b.name ?? null))
            problems.push(`${name}.${rule} action ${i + 1}: ${a.kind} ${a.name} (carepath) vs ${b.kind} ${b.name} (DMN)`);
          if (a.amount === null) {
            if (b.dose !== undefined && b.dose !== null) problems.push(`${name}.${rule} ${a.name}: no dose (carepath) vs ${b.dose} (DMN)`);
          } else {
            doses++;
            const exact = rational(a.amount);
            if (!closeEnough(b.dose, exact)) problems.push(`${name}.${rule} ${a.name}: dose ${a.amount} = ${exact} (carepath) vs ${b.dose} (DMN)`);
            // A dose range: both sides give its high end, or neither does.
            if ((a.amountHigh === undefined) !== (b.doseHigh === undefined || b.doseHigh === null))
              problems.push(`${name}.${rule} ${a.name}: high end ${a.amountHigh} (carepath) vs ${b.doseHigh} (DMN)`);
            else if (a.amountHigh !== undefined && !closeEnough(b.doseHigh, rational(a.amountHigh)))
              problems.push(`${name}.${rule} ${a.name}: high end ${a.amountHigh} = ${rational(a.amountHigh)} (carepath) vs ${b.doseHigh} (DMN)`);
          }
          // A give of a drug with contraindications: those that hold or may
          // hold, {when, truth}, on both sides (only where carepath lists them).
          if (a.contraindications !== undefined || (b.contraindications !== undefined && b.contraindications !== null)) {
            contraindicationChecks++;
            const theirsC = JSON.stringify((b.contraindications || []).map(c => ({ when: c.when, truth: c.truth })));
            const mineC = JSON.stringify((a.contraindications || []).map(c => ({ when: c.when, truth: c.truth })));
            if (mineC !== theirsC)
              problems.push(`${name}.${rule} ${a.name}: contraindications ${JSON.stringify(a.contraindications)} (carepath) vs ${theirsC} (DMN)`);
            else if ((a.contraindications || []).length) contraindicated++;
          }
        });
      });
    }
    if (table.assumptions) {
      // Each rule id "assumptionsViolated.NAME.PART" names the assumption;
      // a rule's parts are disjoint, so each name at most once.
      seen.add(assumptionsKey);
      const r = j[assumptionsKey], mine = c.assumptionsViolated;
      if (!Array.isArray(mine)) problems.push('carepath gave no assumptionsViolated for a table with assumptions');
      else if (r === undefined) problems.push('assumptionsViolated: no such decision in the DMN');
      else if (r.error) problems.push(`assumptionsViolated: DMN error: ${r.error}`);
      else {
        const theirs = r.matched.map(id => {
          const parts = id.split('.');
          return parts.length === 3 && parts[0] === 'assumptionsViolated' ? parts[1] : `?${id}`;
        });
        const named = r.outputs.map(o => o.assumption);
        if (JSON.stringify(theirs) !== JSON.stringify(mine) || JSON.stringify(named) !== JSON.stringify(mine))
          problems.push(`assumptionsViolated: ${JSON.stringify(mine)} (carepath) vs rules ${JSON.stringify(r.matched)}, outputs ${JSON.stringify(named)} (DMN)`);
        if (mine.length) violating++;
        for (const n of mine) violatedCount.set(n, (violatedCount.get(n) || 0) + 1);
      }
    }
    for (const key of Object.keys(j)) if (!seen.has(key)) problems.push(`${key}: decision not in the carepath table`);
  }
  if (problems.length) mismatches.push({ patient: k + 1, problems });
}

const allRules = [];
for (const p of table.pathways) for (const t of p.tiers) allRules.push(`${p.name}.${t.name}`);
for (const t of table.tables) {
  if (dmn11 && js.length && js[0][`decision.${t.name}`] === undefined) continue;  // removed by the adapter
  for (const r of t.rules) allRules.push(`${t.name}.${r.name}`);
}
const never = allRules.filter(r => !fireCount.get(r));
console.log(`dmn-compare: ${opts.n} patients (seed ${opts.seed}), ${decisions} decisions, ${firings} rule firings, ${doses} doses, ${outputs} outputs compared; ` +
  `${allRules.length - never.length}/${allRules.length} rules fired at least once${never.length ? ' (never: ' + never.join(', ') + ')' : ''}`);
if (contraindicationChecks)
  console.log(`dmn-compare: ${contraindicationChecks} gives' contraindications compared, ${contraindicated} gives with one that holds or may hold`);
if (assumptionNames.length) {
  const never = assumptionNames.filter(n => !violatedCount.get(n));
  console.log(`dmn-compare: violated assumptions compared for ${opts.n} patients, ${violating} violate one; ` +
    `${assumptionNames.length - never.length}/${assumptionNames.length} assumptions violated at least once${never.length ? ' (never: ' + never.join(', ') + ')' : ''}`);
}
if (mismatches.length) {
  console.log(`MISMATCH: ${mismatches.length} of ${opts.n} patients disagree; first ${Math.min(opts.show, mismatches.length)}:`);
  for (const m of mismatches.slice(0, opts.show)) {
    console.log(`  patient ${m.patient} ${JSON.stringify(patients[m.patient - 1])}`);
    for (const p of m.problems.slice(0, 5)) console.log(`    ${p}`);
  }
  process.exit(1);
}
console.log('dmn-compare: zero mismatches');
