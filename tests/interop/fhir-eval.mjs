#!/usr/bin/env node
// fhir-eval.mjs BUNDLE.json ENV.jsonl — evaluates a `carepath compile
// --target fhir` export with the npm `fhirpath` (fhirpath.js), as a CPG
// engine applies a PlanDefinition: for each line of ENV.jsonl (one patient:
// the Library's parameters as FHIRPath environment variables, null for a
// missing value; an input left out is read from the line's `_observations`,
// the Observation coded with one of the codes the Library's dataRequirement
// gives the input) prints one JSON line
//   {"decisions": {ACTION TITLE: {"fired": [CHILD TITLE...],
//                              "actions": [{rule, kind, name, choice, amount, amountHigh,
//                                           contraindications}]}},
//    "stops": N, "assumptionsViolated": [NAME...]}
// A top-level action (pathway or table) applies when all its applicability
// conditions are true; its children (tiers, rules) that apply are "fired";
// their actions that apply (no condition, or `unless` known false) are
// listed, `kind` the prefix, the amount that of the ActivityDefinition
// (static value, or its dynamicValue evaluated for the patient; a dose
// times Timing.repeat.count; a give's contraindications extensions that are
// true or empty, [{when, truth}]). Every stop condition and every dynamicValue
// (limits too) is evaluated as well, so each expression in the export runs;
// a result that is not a single boolean (conditions) or number (values), or
// an evaluation error, exits 2. `assumptionsViolated` (only for a plan with
// population assumptions, the PlanDefinition's extensions
// BASE/StructureDefinition/assumption): the names of those whose `violated`
// expression is true, in order; one that is empty exits 2. docs/interop.md,
// "FHIR".
import { readFileSync } from 'node:fs';
import fhirpath from 'fhirpath';

const [bundleFile, envFile] = process.argv.slice(2);
if (!bundleFile || !envFile) {
  process.stderr.write('usage: node fhir-eval.mjs BUNDLE.json ENV.jsonl\n');
  process.exit(2);
}
const die = (m) => { process.stderr.write(`fhir-eval: ${m}\n`); process.exit(2); };
const bundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
const resources = (bundle.entry || []).map(e => e.resource);
const plan = resources.find(r => r.resourceType === 'PlanDefinition');
const library = resources.find(r => r.resourceType === 'Library');
if (!plan || !library) die('the bundle has no PlanDefinition or Library');
const activities = new Map(resources.filter(r => r.resourceType === 'ActivityDefinition').map(r => [r.url, r]));
const params = (library.parameter || []).map(p => p.name);
// Each input's codes, from the Library's dataRequirement: the one whose
// code filter holds the input's carepath code {urn:carepath:input, NAME}.
const codesOf = new Map();
for (const r of library.dataRequirement || []) {
  const codes = (r.codeFilter || []).flatMap(f => f.code || []);
  const own = codes.find(c => c.system === 'urn:carepath:input');
  if (own) codesOf.set(own.code, codes);
}
// An input a patient gives as an Observation (`_observations`): the value
// of the one Observation coded with any of the input's codes, as a host
// reads the record into %NAME.
function observed(name, observations) {
  const codes = codesOf.get(name) || [];
  const found = observations.filter(o => (o.code?.coding || []).some(c => codes.some(d => d.system === c.system && d.code === c.code)));
  if (found.length > 1) die(`${found.length} Observations for input ${name}`);
  if (!found.length) return null;
  const o = found[0];
  return o.valueQuantity ? o.valueQuantity.value : o.valueBoolean ?? o.valueString ?? null;
}

const compiled = new Map();
function run(expr, env) {
  let f = compiled.get(expr);
  if (!f) {
    try {
      f = fhirpath.compile(expr, null);
    } catch (e) {
      die(`cannot parse ${expr}: ${e.message}`);
    }
    compiled.set(expr, f);
  }
  try {
    return f({}, env);
  } catch (e) {
    die(`evaluating ${expr}: ${e.message}`);
  }
}
// A condition: true, false or empty (unknown); anything else is an error.
function truth(expr, env) {
  const r = run(expr, env);
  if (r.length === 0) return null;
  if (r.length !== 1 || typeof r[0] !== 'boolean') die(`condition ${expr} gave ${JSON.stringify(r)}`);
  return r[0];
}
function numberOf(expr, env) {
  const r = run(expr, env);
  if (r.length === 0) return null;
  if (r.length !== 1 || typeof r[0] !== 'number') die(`value ${expr} gave ${JSON.stringify(r)}`);
  return r[0];
}

let stops = 0;
function applies(action, env) {
  let ok = true;
  for (const c of action.condition || []) {
    if (c.expression?.language !== 'text/fhirpath') die(`action ${action.id}: a condition is not FHIRPath`);
    const t = truth(c.expression.expression, env);
    if (c.kind === 'applicability') ok = ok && t === true;
    else if (t === true) stops++;
  }
  return ok;
}

// The amounts a give's ActivityDefinition states for the patient.
function amounts(url, env) {
  const ad = activities.get(url);
  if (!ad) die(`no ActivityDefinition ${url}`);
  const dyn = new Map();
  for (const d of ad.dynamicValue || []) dyn.set(d.path, numberOf(d.expression.expression, env));
  const dosage = (ad.dosage || [])[0] || {};
  const dr = (dosage.doseAndRate || [])[0];
  if (!dr) return { amount: null };
  const value = (q, path) => {
    const p = `dosageInstruction[0].doseAndRate[0].${path}.value`;
    return dyn.has(p) ? dyn.get(p) : q.value;
  };
  const count = dosage.timing?.repeat?.count ?? 1;
  if (dr.doseQuantity) return { amount: value(dr.doseQuantity, 'doseQuantity') * count };
  if (dr.doseRange)
    return { amount: value(dr.doseRange.low, 'doseRange.low') * count, amountHigh: value(dr.doseRange.high, 'doseRange.high') * count };
  if (dr.rateQuantity) return { amount: value(dr.rateQuantity, 'rateQuantity') };
  if (dr.rateRange) return { amount: value(dr.rateRange.low, 'rateRange.low'), amountHigh: value(dr.rateRange.high, 'rateRange.high') };
  if (dr.rateRatio) return { amount: value(dr.rateRatio.numerator, 'rateRatio.numerator') };
  die(`ActivityDefinition ${url}: no dose element`);
}

// A give's drug's contraindications (the extension
// BASE/StructureDefinition/contraindication): those whose condition is true
// ("true") or empty ("unknown"), in order, as [{when, truth}] (when: the
// condition's description, as written); null when the action has none.
function contraindications(action, env) {
  const exts = (action.extension || []).filter(e => e.url.endsWith('/StructureDefinition/contraindication'));
  if (!exts.length) return null;
  const out = [];
  for (const e of exts) {
    const c = (e.extension || []).find(x => x.url === 'condition')?.valueExpression;
    if (c?.language !== 'text/fhirpath') die(`action ${action.id}: a contraindication without a FHIRPath condition`);
    const t = truth(c.expression, env);
    if (t !== false) out.push({ when: c.description, truth: t === true ? 'true' : 'unknown' });
  }
  return out;
}

function walk(actions, rule, choice, env, out) {
  for (const a of actions || []) {
    if (a.selectionBehavior === 'exactly-one') {  // a `one of`
      walk(a.action, rule, a.id, env, out);
      continue;
    }
    if (!applies(a, env)) continue;
    if (!a.prefix) {  // an alternative of several actions
      walk(a.action, rule, choice, env, out);
      continue;
    }
    const item = { rule, kind: a.prefix, name: a.title, choice };
    if (a.definitionCanonical) Object.assign(item, amounts(a.definitionCanonical, env));
    const held = contraindications(a, env);
    if (held) item.contraindications = held;
    out.push(item);
  }
}

// The plan's population assumptions: [{name, violated (FHIRPath)}], in order.
const assumptions = (plan.extension || []).filter(e => e.url.endsWith('/StructureDefinition/assumption')).map(e => {
  const part = (u) => (e.extension || []).find(x => x.url === u);
  const v = part('violated')?.valueExpression;
  if (!part('name')?.valueString || v?.language !== 'text/fhirpath') die('an assumption extension without a name or a FHIRPath `violated`');
  return { name: part('name').valueString, violated: v.expression };
});

const lines = readFileSync(envFile, 'utf8').split('\n').filter(l => l.trim());
const output = [];
for (const line of lines) {
  const patient = JSON.parse(line);
  const env = {};
  for (const n of params) env[n] = n in patient ? patient[n] : observed(n, patient._observations || []);
  stops = 0;
  const decisions = {};
  for (const d of plan.action || []) {
    const result = { fired: [], actions: [] };
    decisions[d.title] = result;
    const on = applies(d, env);
    for (const child of d.action || []) {
      // Every condition runs (a child of an action that does not apply too).
      if (!applies(child, env) || !on) continue;
      result.fired.push(child.title);
      walk(child.action, child.title, null, env, result.actions);
    }
  }
  const evaluated = { decisions, stops };
  if (assumptions.length) {
    evaluated.assumptionsViolated = [];
    for (const a of assumptions) {
      const t = truth(a.violated, env);
      if (t !== true && t !== false) die(`assumption ${a.name}: 'violated' is empty`);
      if (t) evaluated.assumptionsViolated.push(a.name);
    }
  }
  output.push(JSON.stringify(evaluated));
}
process.stdout.write(output.join('\n') + (output.length ? '\n' : ''));
