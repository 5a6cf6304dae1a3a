#!/usr/bin/env node
// codes-check.mjs CODES.json (--dmn MODEL.dmn | --fhir BUNDLE.json) — the
// terminology codes an export carries, read back by a tool this project did
// not write, against the protocol's codes as the IR holds them (CODES.json:
// [{target, name, system, code, display, unspecified}] in declaration
// order, from `carepath check --emit=ir`; run-codes-check.sh writes it;
// docs/interop.md, "Terminology codes in the exports").
//
//   --dmn: the model read by dmn-moddle (a warning is an error); its
//     <extensionElements> carepath:code entries must be those codes,
//     in order, every attribute equal (an unspecified one its reason).
//   --fhir: the Bundle queried with fhirpath.js; for every coded target the
//     export names, the codings it carries must be those: an input's
//     in the Library's dataRequirement (next to its carepath code), a
//     member's in its parameter's documentation, a drug's in its
//     ActivityDefinitions' productCodeableConcept, a route's in their
//     dosage.route, an action's in the PlanDefinition's actions of that
//     title. A target with no code has no coding there.
//
// Prints what it checked; exit 0 when all agree, 1 on a difference (listed),
// 2 on a tool error.
import { readFileSync } from 'node:fs';

const die = (m) => { process.stderr.write(`codes-check: ${m}\n`); process.exit(2); };
const [codesFile, mode, file] = process.argv.slice(2);
if (!codesFile || !['--dmn', '--fhir'].includes(mode) || !file)
  die('usage: node codes-check.mjs CODES.json (--dmn MODEL.dmn | --fhir BUNDLE.json)');
const codes = JSON.parse(readFileSync(codesFile, 'utf8'));
const problems = [];
const key = (c) => `${c.system}|${c.code}|${c.display || ''}`;

if (mode === '--dmn') {
  const { DmnModdle } = await import('dmn-moddle');
  let root, warnings;
  try {
    ({ rootElement: root, warnings } = await new DmnModdle().fromXML(readFileSync(file, 'utf8'), 'dmn:Definitions'));
  } catch (e) {
    die(`dmn-moddle cannot read ${file}: ${e.message}`);
  }
  if (warnings?.length) die('dmn-moddle warnings:\n  ' + warnings.map(w => w.message).join('\n  '));
  const found = (root.extensionElements?.values || []).filter(v => v.$type === 'carepath:code');
  if (found.length !== codes.length) problems.push(`${found.length} carepath:code entries, the protocol has ${codes.length} codes`);
  codes.forEach((c, k) => {
    const e = found[k];
    if (!e) return;
    const attr = (n) => e.$attrs?.[n] ?? e[n] ?? null;
    const want = { position: String(k + 1), target: c.target, name: c.name, system: c.system, code: c.code,
                   display: c.display || null, unspecified: c.unspecified };
    for (const [n, v] of Object.entries(want))
      if ((attr(n) ?? null) !== (v ?? null)) problems.push(`code ${k + 1} (${c.target} ${c.name}): ${n} is ${JSON.stringify(attr(n))} in the model, ${JSON.stringify(v)} in the protocol`);
  });
  console.log(`codes-check: ${file}: ${found.length} carepath:code entries read by dmn-moddle`);
} else {
  const { default: fhirpath } = await import('fhirpath');
  const bundle = JSON.parse(readFileSync(file, 'utf8'));
  const q = (expr, env = {}) => {
    try {
      return fhirpath.evaluate(bundle, expr, env);
    } catch (e) {
      die(`fhirpath: ${expr}: ${e.message}`);
    }
  };
  // Where each kind of target's codings are, for target NAME (%name).
  const where = {
    input: "entry.resource.where(resourceType = 'Library').dataRequirement.codeFilter.where(code.where(system = 'urn:carepath:input' and code = %name).exists()).code.where(system != 'urn:carepath:input')",
    drug: "entry.resource.where(resourceType = 'ActivityDefinition').productCodeableConcept.where(text = %name).coding",
    route: "entry.resource.where(resourceType = 'ActivityDefinition').dosage.route.where(text = %name).coding",
    action: "entry.resource.where(resourceType = 'PlanDefinition').repeat(action).where(title = %name and prefix.exists() and prefix != 'give').code.coding",
  };
  const named = {
    input: "entry.resource.where(resourceType = 'Library').dataRequirement.codeFilter.code.where(system = 'urn:carepath:input' and code = %name)",
    drug: "entry.resource.where(resourceType = 'ActivityDefinition').productCodeableConcept.where(text = %name)",
    route: "entry.resource.where(resourceType = 'ActivityDefinition').dosage.route.where(text = %name)",
    action: "entry.resource.where(resourceType = 'PlanDefinition').repeat(action).where(title = %name and prefix.exists() and prefix != 'give')",
  };
  const targets = new Map();
  for (const c of codes) {
    const t = `${c.target} ${c.name}`;
    if (!targets.has(t)) targets.set(t, { target: c.target, name: c.name, want: new Set() });
    if (c.code !== null) targets.get(t).want.add(key(c));
  }
  let checked = 0, absent = 0;
  for (const { target, name, want } of targets.values()) {
    let got;
    if (target === 'member') {
      const [input, member] = name.split('.');
      const doc = q("entry.resource.where(resourceType = 'Library').parameter.where(name = %name).documentation", { name: input })[0];
      if (doc === undefined) { absent++; continue; }
      got = new Set([...doc.matchAll(new RegExp(`Member ${member}: (\\S+) (\\S+)(?: '([^']*)')?`, 'g'))].map(m => key({ system: m[1], code: m[2], display: m[3] })));
    } else {
      if (!q(named[target], { name }).length) { absent++; continue; }
      // Every place the target appears carries the same codings.
      got = new Set(q(where[target], { name }).map(key));
      const places = q(named[target], { name }).length;
      for (const k of got) {
        const n = q(where[target], { name }).filter(c => key(c) === k).length;
        if (target !== 'input' && n !== places) problems.push(`${target} ${name}: coding ${k} on ${n} of its ${places} places`);
      }
    }
    checked++;
    const a = [...want].sort(), b = [...got].sort();
    if (JSON.stringify(a) !== JSON.stringify(b))
      problems.push(`${target} ${name}: the export has ${JSON.stringify(b)}, the protocol ${JSON.stringify(a)}`);
  }
  console.log(`codes-check: ${file}: ${checked} coded targets read with fhirpath.js, ${absent} not named by the export`);
}
if (problems.length) {
  console.log(`codes-check: ${problems.length} differences:`);
  for (const p of problems) console.log(`  ${p}`);
  process.exit(1);
}
console.log('codes-check: the export carries the protocol\'s codes');
