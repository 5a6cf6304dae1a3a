// dmn-engine.mjs — an independent DMN 1.3 decision-table evaluator for the
// carepath interop tests, built only from third-party parts:
//
//   * dmn-moddle (bpmn.io) reads the DMN 1.3 XML;
//   * feelin (bpmn.io) parses and evaluates every FEEL unary test and expression;
//   * the hit-policy logic below is ours (neither package has any), written
//     from DMN 1.3 §8.2.11: UNIQUE, ANY, PRIORITY, FIRST, OUTPUT ORDER,
//     RULE ORDER, COLLECT, and COLLECT's aggregations SUM, MIN, MAX, COUNT
//     (one output column; null values ignored; no match: null, COUNT 0).
//
// Used by dmn-eval.mjs (the CLI), bench-dmn.mjs and selftest.mjs. Modules are
// imported by bare name, so this file must sit next to the node_modules that
// `npm ci` created (the CMake build copies it to <build>/interop/).
//
// Decisions whose logic is a literal expression (carepath exports each
// define a FEEL guard reads that way) are evaluated by feelin in
// dependency order and seen by the decisions that require them under
// their variable name; only decision tables are reported.
//
// Exports:
//   loadModel(xmlString) -> Promise<Model>    throws ModelError when malformed
//   evaluateAll(model, patient, {memo}) -> { [decisionKey]: DecisionResult }
//   ModelError
//
// DecisionResult is { matched: [ruleId...], outputs: [{name: value...}...] }
// (with `aggregate`: the value under COLLECT SUM|MIN|MAX|COUNT)
// or { error: "message" } (UNIQUE/ANY violation, FEEL evaluation failure).
//
// Caching. feelin's public API is string based: unaryTest(text, ctx) and
// evaluate(text, ctx) parse the text on every call (parse ≈ 45–55 % of a
// call) and then build a closure tree; the compiled closure tree is not
// exported, so a parse cannot be reused through the public API. What we do
// instead, per FEEL text, once at load time: parse it with feelin's exported
// parser (parseUnaryTests / parseExpression) to (a) reject syntax errors and
// (b) collect the variable names it references. With memo enabled (default),
// results are cached per text keyed on the JSON of exactly those variables'
// values (plus the input value `?` for unary tests), which is exact for
// FEEL's pure functions; texts that call now()/today() are never cached.
// Every distinct (text, relevant values) pair is still evaluated by feelin.

import { DmnModdle } from 'dmn-moddle';
import { unaryTest, evaluate, parseUnaryTests, parseExpression } from 'feelin';

export const DMN13_NS = 'https://www.omg.org/spec/DMN/20191111/MODEL/';

export class ModelError extends Error {}

const HIT_POLICIES = new Set([
  'UNIQUE', 'FIRST', 'PRIORITY', 'ANY', 'COLLECT', 'RULE ORDER', 'OUTPUT ORDER'
]);
const IMPURE_FUNCTIONS = new Set(['now', 'today']);

// ---------------------------------------------------------------- FEEL texts

function syntaxCheck(tree, text, where) {
  let vars = [];
  let bad = null;
  tree.iterate({
    enter(n) {
      if (n.type.isError && !bad) bad = n.from;
      if (n.name === 'VariableName') vars.push(text.slice(n.from, n.to));
    }
  });
  if (bad !== null) {
    throw new ModelError(`${where}: FEEL syntax error at offset ${bad} in ${JSON.stringify(text)}`);
  }
  vars = [...new Set(vars)].filter(v => v !== '?');
  return vars;
}

class FeelText {
  // kind: 'unary' | 'expr'
  constructor(kind, text, where, parseCtx) {
    if (text === undefined || text === null || text.trim() === '') {
      // feelin throws "Incomplete <UnaryTests>" on an empty <text/>; some
      // engines read it as "-". We treat it as a malformed model.
      throw new ModelError(`${where}: empty FEEL text (write "-" for "any")`);
    }
    this.kind = kind;
    this.text = text;
    this.where = where;
    const tree = kind === 'unary' ? parseUnaryTests(text, parseCtx) : parseExpression(text, parseCtx);
    this.vars = syntaxCheck(tree, text, where);
    this.cacheable = !this.vars.some(v => IMPURE_FUNCTIONS.has(v));
    this.cache = new Map();
    // also let feelin itself try it once: it throws SyntaxError on what the
    // tree walk above may have missed
    try {
      this.run({ ...parseCtx, '?': null });
    } catch (e) {
      throw new ModelError(`${where}: feelin rejects ${JSON.stringify(text)}: ${e.message}`);
    }
  }

  run(ctx) {
    return this.kind === 'unary' ? unaryTest(this.text, ctx).value : evaluate(this.text, ctx).value;
  }

  // ctx is the evaluation context; for unary tests ctx['?'] is the input value.
  eval(ctx, memo) {
    if (!memo || !this.cacheable) return this.run(ctx);
    const keyVals = this.vars.map(v => ctx[v]);
    if (this.kind === 'unary') keyVals.push(ctx['?']);
    const key = JSON.stringify(keyVals);
    let hit = this.cache.get(key);
    if (hit === undefined) {
      hit = { v: this.run(ctx) };
      this.cache.set(key, hit);
    }
    return hit.v;
  }
}

// --------------------------------------------------------------- model load

function textOf(el) {
  return el && typeof el.text === 'string' ? el.text : undefined;
}

export async function loadModel(xml) {
  if (!xml.includes(DMN13_NS)) {
    throw new ModelError(`not a DMN 1.3 model: namespace ${DMN13_NS} not found`);
  }
  const moddle = new DmnModdle();
  let root, warnings;
  try {
    ({ rootElement: root, warnings } = await moddle.fromXML(xml, 'dmn:Definitions'));
  } catch (e) {
    throw new ModelError(`XML/DMN parse error: ${e.message}`);
  }
  if (!root || root.$type !== 'dmn:Definitions') {
    throw new ModelError('root element is not a DMN 1.3 <definitions>');
  }
  if (warnings && warnings.length) {
    // unknown elements/attributes, unresolved references...: in a test
    // oracle these are bugs in the exporter, so refuse the model
    throw new ModelError('dmn-moddle warnings:\n  ' + warnings.map(w => w.message).join('\n  '));
  }

  const inputDataNames = (root.drgElement || [])
    .filter(e => e.$type === 'dmn:InputData').map(e => e.name);
  const allDecisions = (root.drgElement || []).filter(e => e.$type === 'dmn:Decision');
  const byId = new Map(allDecisions.map(d => [d.id, d]));

  // parse context: every name FEEL texts may refer to (needed by feelin to
  // recognise names containing spaces)
  const parseCtx = {};
  for (const n of inputDataNames) parseCtx[n] = null;
  for (const d of allDecisions) parseCtx[d.variable?.name || d.name] = null;

  const tables = [];
  const literals = [];  // decisions whose logic is one FEEL literal expression
  for (const d of allDecisions) {
    const dt = d.decisionLogic;
    if (dt && dt.$type === 'dmn:DecisionTable') tables.push(compileTable(d, dt, parseCtx));
    else if (dt && dt.$type === 'dmn:LiteralExpression') {
      const key = d.id || d.name;
      literals.push({ key, id: d.id, varName: d.variable?.name || d.name, literal: true,
        expr: new FeelText('expr', textOf(dt), `decision ${key} literal expression`, parseCtx) });
    }
  }
  if (tables.length === 0) throw new ModelError('model has no decision with a decisionTable');

  // required decisions (chained tables, literal expressions): evaluate in
  // dependency order
  const evaluable = [...tables, ...literals];
  const decisionById = new Map(evaluable.map(t => [t.id, t]));
  for (const t of evaluable) {
    const d = byId.get(t.id);
    t.requires = [];
    for (const r of d.informationRequirement || []) {
      const href = r.requiredDecision?.href;
      if (!href) continue;
      const dep = decisionById.get(href.replace(/^#/, ''));
      if (!dep) throw new ModelError(`decision ${t.key}: required decision ${href} is neither a decision table nor a literal expression`);
      t.requires.push(dep);
    }
  }
  const order = [];
  const state = new Map();
  const visit = (t) => {
    if (state.get(t) === 'done') return;
    if (state.get(t) === 'visiting') throw new ModelError(`cycle in decision requirements at ${t.key}`);
    state.set(t, 'visiting');
    t.requires.forEach(visit);
    state.set(t, 'done');
    order.push(t);
  };
  evaluable.forEach(visit);

  return { tables, order, inputDataNames };
}

function compileTable(d, dt, parseCtx) {
  const key = d.id || d.name;
  const where0 = `decision ${key}`;
  const hitPolicy = dt.hitPolicy || 'UNIQUE';
  if (!HIT_POLICIES.has(hitPolicy)) throw new ModelError(`${where0}: unknown hit policy ${hitPolicy}`);
  const aggregation = dt.aggregation || null;
  if (aggregation && (hitPolicy !== 'COLLECT' || !['SUM', 'MIN', 'MAX', 'COUNT'].includes(aggregation))) {
    throw new ModelError(`${where0}: aggregation ${aggregation} with hit policy ${hitPolicy}`);
  }
  if (aggregation && (dt.output || []).length !== 1) {
    throw new ModelError(`${where0}: aggregation ${aggregation} needs exactly one output clause`);
  }
  const inputs = (dt.input || []).map((inp, i) => {
    const where = `${where0} input ${inp.id || i}`;
    return { id: inp.id, expr: new FeelText('expr', textOf(inp.inputExpression), where, parseCtx) };
  });
  const outputsDecl = dt.output || [];
  if (outputsDecl.length === 0) throw new ModelError(`${where0}: no output clause`);
  const outputs = outputsDecl.map((o, i) => {
    const name = o.name || (outputsDecl.length === 1 ? (d.variable?.name || d.name) : undefined);
    if (!name) throw new ModelError(`${where0}: output clause ${i} has no name`);
    let priorities = null;
    const ov = textOf(o.outputValues);
    if (ov !== undefined && ov.trim() !== '') {
      // outputValues is a list of literal unary tests, e.g. "high","low":
      // evaluating it as a FEEL list gives the priority order
      const list = new FeelText('expr', `[${ov}]`, `${where0} outputValues of ${name}`, parseCtx).eval({}, false);
      if (!Array.isArray(list)) throw new ModelError(`${where0}: outputValues of ${name} is not a list of literals`);
      priorities = list;
    }
    return { name, priorities };
  });
  if ((hitPolicy === 'PRIORITY' || hitPolicy === 'OUTPUT ORDER') && outputs.every(o => !o.priorities)) {
    throw new ModelError(`${where0}: hit policy ${hitPolicy} needs outputValues on the output clauses`);
  }
  const ruleIds = new Set();
  const rules = (dt.rule || []).map((r, ri) => {
    const id = r.id || `rule${ri + 1}`;
    if (ruleIds.has(id)) throw new ModelError(`${where0}: duplicate rule id ${id}`);
    ruleIds.add(id);
    const ie = r.inputEntry || [];
    const oe = r.outputEntry || [];
    if (ie.length !== inputs.length) {
      throw new ModelError(`${where0} rule ${id}: ${ie.length} input entries for ${inputs.length} inputs`);
    }
    if (oe.length !== outputs.length) {
      throw new ModelError(`${where0} rule ${id}: ${oe.length} output entries for ${outputs.length} outputs`);
    }
    const unaryCtx = { ...parseCtx, '?': null };
    return {
      id,
      tests: ie.map((e, i) => new FeelText('unary', textOf(e), `${where0} rule ${id} input entry ${i + 1}`, unaryCtx)),
      outs: oe.map((e, i) => new FeelText('expr', textOf(e), `${where0} rule ${id} output entry ${i + 1}`, parseCtx))
    };
  });
  return { key, id: d.id, varName: d.variable?.name || d.name, hitPolicy, aggregation, inputs, outputs, rules };
}

// --------------------------------------------------------------- evaluation

function normalise(v) {
  if (v === undefined) return null;
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

function feelEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function priorityIndex(outputs, values) {
  // lexicographic over output clauses: index of each value in its
  // clause's outputValues list (lower = higher priority; absent = lowest)
  return outputs.map((o, i) => {
    if (!o.priorities) return 0;
    const k = o.priorities.findIndex(p => feelEqual(p, values[i]));
    return k < 0 ? o.priorities.length : k;
  });
}

function cmpPriority(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function evaluateTable(t, ctx, memo) {
  const inputValues = t.inputs.map(inp => normalise(inp.expr.eval(ctx, memo)));
  // one context per input column: the patient data plus '?' = input value
  const unaryCtx = inputValues.map(v => ({ ...ctx, '?': v }));
  const matched = [];
  for (const r of t.rules) {
    let ok = true;
    for (let i = 0; i < r.tests.length; i++) {
      if (r.tests[i].eval(unaryCtx[i], memo) !== true) { ok = false; break; }
    }
    if (ok) matched.push(r);
  }
  const outRow = (r) => r.outs.map(o => normalise(o.eval(ctx, memo)));
  const asObj = (vals) => {
    const o = {};
    t.outputs.forEach((c, i) => { o[c.name] = vals[i]; });
    return o;
  };
  let chosen; // array of [rule, values]
  switch (t.hitPolicy) {
    case 'UNIQUE':
      if (matched.length > 1) {
        return { error: `UNIQUE hit policy violated: rules ${matched.map(r => r.id).join(', ')} matched` };
      }
      chosen = matched.map(r => [r, outRow(r)]);
      break;
    case 'FIRST':
      chosen = matched.slice(0, 1).map(r => [r, outRow(r)]);
      break;
    case 'ANY': {
      const rows = matched.map(r => [r, outRow(r)]);
      for (const [r, v] of rows) {
        if (!feelEqual(v, rows[0][1])) {
          return { error: `ANY hit policy violated: rules ${rows[0][0].id} and ${r.id} give different outputs` };
        }
      }
      chosen = rows.slice(0, 1);
      break;
    }
    case 'PRIORITY':
    case 'OUTPUT ORDER': {
      const rows = matched.map((r, k) => ({ r, v: outRow(r), p: null, k }));
      rows.forEach(x => { x.p = priorityIndex(t.outputs, x.v); });
      rows.sort((a, b) => cmpPriority(a.p, b.p) || a.k - b.k); // stable: ties keep rule order
      chosen = (t.hitPolicy === 'PRIORITY' ? rows.slice(0, 1) : rows).map(x => [x.r, x.v]);
      break;
    }
    case 'RULE ORDER':
    case 'COLLECT':
      chosen = matched.map(r => [r, outRow(r)]);
      break;
  }
  const result = { matched: chosen.map(([r]) => r.id), outputs: chosen.map(([, v]) => asObj(v)) };
  if (t.aggregation) {
    const values = chosen.map(([, v]) => v[0]).filter(v => v !== null);
    if (t.aggregation === 'COUNT') result.aggregate = values.length;
    else if (values.length === 0) result.aggregate = null;
    else if (values.some(v => typeof v !== 'number')) return { error: `${t.aggregation} of values that are not numbers` };
    else if (t.aggregation === 'SUM') result.aggregate = values.reduce((a, b) => a + b, 0);
    else result.aggregate = (t.aggregation === 'MIN' ? Math.min : Math.max)(...values);
  }
  return result;
}

// value of a decision as seen by a decision that requires it (DMN 1.3 §8.3)
function decisionValue(t, res) {
  if (res.error) return null;
  if (t.aggregation) return res.aggregate;
  const single = t.hitPolicy === 'UNIQUE' || t.hitPolicy === 'FIRST' ||
    t.hitPolicy === 'ANY' || t.hitPolicy === 'PRIORITY';
  const rows = t.outputs.length === 1 ? res.outputs.map(o => o[t.outputs[0].name]) : res.outputs;
  return single ? (rows.length ? rows[0] : null) : rows;
}

export function evaluateAll(model, patient, { memo = true } = {}) {
  const ctx = { ...patient };
  const results = new Map();
  for (const t of model.order) {
    if (t.literal) {
      // a literal expression's value (null when feelin cannot evaluate it)
      let v = null;
      try { v = normalise(t.expr.eval(ctx, memo)); } catch (e) { v = null; }
      ctx[t.varName] = v;
      continue;
    }
    let res;
    try {
      res = evaluateTable(t, ctx, memo);
    } catch (e) {
      res = { error: `evaluation failed: ${e.message}` };
    }
    results.set(t, res);
    if (t.varName !== undefined) ctx[t.varName] = decisionValue(t, res);
  }
  const out = {};
  for (const t of model.tables) out[t.key] = results.get(t); // document order
  return out;
}
