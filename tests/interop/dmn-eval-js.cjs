// dmn-eval-js.cjs — evaluate a DMN 1.1 model (dmn11-adapter.mjs's output)
// with @hbtgmbh/dmn-eval-js, printing the same lines as dmn-eval.mjs so
// dmn-compare.mjs reads both: {"decision.X": {"matched": ["X.RULE.1"...],
// "outputs": [{...}...]}}. dmn-eval-js returns outputs only; the rule is
// read from the export's `rule`/`tier` output column (the rule id's part
// number is not known: 1). CommonJS: dmn-eval-js is a CommonJS package.
//
// Usage: node dmn-eval-js.cjs MODEL11.dmn PATIENTS.jsonl
const { decisionTable } = require('@hbtgmbh/dmn-eval-js');
const { readFileSync } = require('node:fs');

const [model, patients] = process.argv.slice(2);
decisionTable.parseDmnXml(readFileSync(model, 'utf8')).then((decisions) => {
  const ids = Object.keys(decisions);
  const out = [];
  for (const line of readFileSync(patients, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const ctx = JSON.parse(line), res = {};
    for (const id of ids) {
      const name = id.replace(/^decision\./, '');
      let data;
      try {
        data = decisionTable.evaluateDecision(id, decisions, ctx);
      } catch (e) {
        res[id] = { error: String(e.message || e) };
        continue;
      }
      // No match: undefined, or (FIRST) an object without the rule column.
      const rows = (data === undefined ? [] : Array.isArray(data) ? data : [data]).filter(r => (r.rule ?? r.tier) !== undefined);
      res[id] = { matched: rows.map(r => `${name}.${r.rule ?? r.tier}.1`), outputs: rows };
    }
    out.push(JSON.stringify(res));
  }
  process.stdout.write(out.join('\n') + '\n');
}).catch((e) => {
  process.stderr.write(`dmn-eval-js: cannot parse ${model}: ${e.message || e}\n`);
  process.exit(2);
});
