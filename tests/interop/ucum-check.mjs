// ucum-check.mjs TABLE.json
//
// Checks the units of a compiled carepath table against UCUM's reference
// implementation (@lhncbc/ucum-lhc), which none of us wrote:
//   - every unit of the `units` catalogue has a UCUM code, and it is valid;
//   - converting 0 and 1 of that code to the UCUM code of the canonical unit
//     of its dimension gives carepath's `offset` and `factor + offset` (two
//     points: affine units such as Cel and [degF] are checked too);
//   - every input's `canonicalUnit` is a valid UCUM code, and each of its
//     `acceptedUnits` and its `displayUnit` converts to it by carepath's
//     factor (compound codes such as mg/dL; an input of a substance
//     converts mmol/L through the substance's molar mass, as ucum-lhc's
//     molecularWeight option does).
// Exact rationals are compared with the floating-point conversion at a
// relative tolerance of 1e-12 (absolute 1e-9 near zero).
// Prints one line per failure and a summary; exit 0 all agree, 1 failures,
// 2 the table cannot be read.
import { readFileSync } from 'node:fs';
import ucum from '@lhncbc/ucum-lhc';

const utils = ucum.UcumLhcUtils.getInstance();

function rational(text) {
  const [n, d] = String(text).split('/');
  return Number(n) / (d === undefined ? 1 : Number(d));
}

function close(a, b) {
  return Math.abs(a - b) <= Math.max(1e-9, 1e-12 * Math.max(Math.abs(a), Math.abs(b)));
}

let table;
try {
  table = JSON.parse(readFileSync(process.argv[2], 'utf8'));
} catch (e) {
  console.error(`ucum-check: cannot read the table: ${e.message}`);
  process.exit(2);
}

const failures = [];
let checked = 0;
const fail = (msg) => failures.push(msg);

function valid(code, what) {
  const r = utils.validateUnitString(code, false);
  if (r.status !== 'valid') {
    fail(`${what}: '${code}' is not a valid UCUM code (${r.status}: ${(r.msg || []).join('; ')})`);
    return false;
  }
  return true;
}

/// ucum-lhc's value of `value` FROM in TO, or null with a failure recorded.
function convert(from, value, to, what, options = {}) {
  const r = utils.convertUnitTo(from, value, to, options);
  if (r.status !== 'succeeded') {
    fail(`${what}: UCUM cannot convert ${from} to ${to} (${r.status}: ${(r.msg || []).join('; ')})`);
    return null;
  }
  return r.toVal;
}

// ------------------------------------------------------------------ the unit catalogue

const units = table.units || [];
const canonicalOf = new Map();  // dimension -> UCUM code of its canonical unit
for (const u of units)
  if (rational(u.factor) === 1 && rational(u.offset) === 0 && u.ucum && !canonicalOf.has(u.dimension))
    canonicalOf.set(u.dimension, u.ucum);
canonicalOf.set('', '1');  // dimensionless (%)
canonicalOf.set('1', '1');

for (const u of units) {
  const what = `unit '${u.name}'`;
  if (!u.ucum) { fail(`${what} has no UCUM code`); continue; }
  if (!valid(u.ucum, what)) continue;
  const base = canonicalOf.get(u.dimension);
  if (!base) { fail(`${what}: no canonical unit with a UCUM code for dimension ${u.dimension}`); continue; }
  const factor = rational(u.factor), offset = rational(u.offset);
  for (const x of [0, 1]) {
    const got = convert(u.ucum, x, base, what);
    if (got === null) break;
    checked++;
    const want = x * factor + offset;
    if (!close(got, want))
      fail(`${what}: ${x} ${u.ucum} is ${got} ${base} in UCUM, carepath says ${want} (factor ${u.factor}, offset ${u.offset})`);
  }
}

// ------------------------------------------------------------------ inputs

for (const input of table.inputs || []) {
  if (input.type !== 'number' || !input.canonicalUnit) continue;
  const what = `input '${input.name}'`;
  const canonical = input.canonicalUnit;
  if (!valid(canonical, `${what} canonicalUnit`)) continue;
  // A mass <-> amount ratio is a molar mass: mg per mmol is g per mol.
  const options = {};
  for (const r of input.substance?.ratios || [])
    if ((r.of === 'mass' && r.per === 'amount') || (r.of === 'amount' && r.per === 'mass'))
      options.molecularWeight = r.of === 'mass' ? rational(r.factor) : 1 / rational(r.factor);
  const shown = [...(input.acceptedUnits || [])];
  if (input.displayUnit) shown.push(input.displayUnit);
  for (const u of shown) {
    if (!u.ucum) continue;
    const uw = `${what} unit '${u.name}'`;
    if (!valid(u.ucum, uw)) continue;
    for (const x of [0, 1]) {
      const got = convert(u.ucum, x, canonical, uw, options);
      if (got === null) break;
      checked++;
      const want = x * rational(u.factor) + rational(u.offset);
      if (!close(got, want))
        fail(`${uw}: ${x} ${u.ucum} is ${got} ${canonical} in UCUM, carepath says ${want}`);
    }
  }
}

for (const f of failures) console.log(`MISMATCH ${f}`);
console.log(`ucum-check: ${checked} conversions checked, ${failures.length} failures`);
process.exit(failures.length ? 1 : 0);
