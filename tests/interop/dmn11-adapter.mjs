// dmn11-adapter.mjs — the documented adapter from carepath's DMN 1.3 export
// to the DMN 1.1 subset @hbtgmbh/dmn-eval-js reads (docs/interop.md,
// "DMN 1.1 engines"). carepath writes DMN 1.3 only; this rewrites a copy:
//
//   * the namespace becomes DMN 1.1's (dmn-eval-js's dmn-moddle 4 knows no other);
//   * <annotation>/<annotationEntry> (DMN 1.2+) are removed: citations and notes;
//   * the `label` of <inputData> (DMN 1.2+, the input's unit) is removed;
//   * the `actions` output entries, FEEL lists of contexts (which dmn-eval-js's
//     FEEL cannot parse), become strings "kind name; kind name" — the doses
//     are lost, so only what fired and the typed outputs are compared;
//   * decisions whose hit policy dmn-eval-js does not evaluate (ANY,
//     PRIORITY, OUTPUT ORDER, COLLECT with an aggregation) are removed and
//     listed on stderr.
//
// Usage: node dmn11-adapter.mjs IN13.dmn OUT11.dmn
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node dmn11-adapter.mjs IN13.dmn OUT11.dmn\n');
  process.exit(1);
}
let xml = readFileSync(input, 'utf8');
const DMN13 = 'https://www.omg.org/spec/DMN/20191111/MODEL/', DMN11 = 'http://www.omg.org/spec/DMN/20151101/dmn.xsd';
if (!xml.includes(DMN13)) {
  process.stderr.write(`dmn11-adapter: ${input} is not a DMN 1.3 model\n`);
  process.exit(2);
}
xml = xml.split(DMN13).join(DMN11);
// DMN 1.1's inputData has no `label` (where 1.3's states the input's unit).
xml = xml.replace(/(<inputData [^>]*?) label="[^"]*"/g, '$1');
xml = xml.replace(/\s*<annotation name="[^"]*"\/>/g, '').replace(/\s*<annotationEntry>[\s\S]*?<\/annotationEntry>/g, '');
// An actions entry: [{kind: "do", name: "x", ...}, ...] -> "do x; ...".
xml = xml.replace(/<text>\[(\{kind: [\s\S]*?)?\]<\/text>/g, (m, body) => {
  const acts = [...(body || '').matchAll(/\{kind: "([^"]*)"(?:, name: "([^"]*)")?/g)].map(a => `${a[1]} ${a[2] || ''}`.trim());
  return `<text>"${acts.join('; ')}"</text>`;
});
const removed = [];
xml = xml.replace(/\s*<decision id="([^"]*)"[\s\S]*?<\/decision>/g, (m, id) => {
  const dt = /<decisionTable[^>]*hitPolicy="([^"]*)"([^>]*)>/.exec(m);
  if (dt && (['ANY', 'PRIORITY', 'OUTPUT ORDER'].includes(dt[1]) || /aggregation=/.test(dt[2]))) {
    removed.push(`${id} (${dt[1]}${/aggregation="([^"]*)"/.exec(dt[2])?.[1] ? ' ' + /aggregation="([^"]*)"/.exec(dt[2])[1] : ''})`);
    return '';
  }
  return m;
});
writeFileSync(output, xml);
if (removed.length) process.stderr.write(`dmn11-adapter: not evaluated by dmn-eval-js, removed: ${removed.join(', ')}\n`);
