// A scripted editor session against `carepath lsp`, through the client side
// of vscode-jsonrpc (StreamMessageReader/Writer over the child's stdio, as
// vscode-languageclient drives a server): every feature of docs/lsp.md.
//   node session.mjs CAREPATH FIXTURE.care
// Exit 0 when every check passes; prints each failure and exits 1.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import rpc from 'vscode-jsonrpc/node';

const [carepath, fixture] = process.argv.slice(2);
if (!carepath || !fixture) {
  console.error('usage: node session.mjs CAREPATH FIXTURE.care');
  process.exit(2);
}
const original = readFileSync(fixture, 'utf8');
const uri = pathToFileURL(resolve(fixture)).href;

let failures = 0;
function check(ok, what, detail) {
  if (ok) {
    console.log(`ok    ${what}`);
  } else {
    failures++;
    console.log(`FAIL  ${what}${detail === undefined ? '' : '\n      ' + JSON.stringify(detail)}`);
  }
}

const child = spawn(carepath, ['lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const exited = new Promise((res) => child.on('exit', (code) => res(code)));
const connection = rpc.createMessageConnection(
  new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));

// publishDiagnostics, by version: each change waits for its own.
const diagnostics = [];
let waiting = null;
connection.onNotification('textDocument/publishDiagnostics', (p) => {
  diagnostics.push(p);
  if (waiting) waiting();
});
async function nextDiagnostics() {
  const seen = diagnostics.length;
  while (diagnostics.length === seen) await new Promise((res) => { waiting = res; });
  return diagnostics[diagnostics.length - 1];
}
connection.listen();
const timer = setTimeout(() => { console.log('FAIL  the session timed out'); process.exit(1); }, 60000);

/** The position of the `nth` (0-based) occurrence of `needle` in `text`, plus `shift` characters.
 * JavaScript strings count UTF-16 units, as LSP does. */
function pos(text, needle, nth = 0, shift = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' #${nth} not in the text`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  const character = at - (before.lastIndexOf('\n') + 1) + shift;
  return { line, character };
}
const td = { uri };
const req = (method, params) => connection.sendRequest(method, params);
async function fails(promise) {
  try {
    await promise;
    return null;
  } catch (e) {
    return e;
  }
}

let text = original;
let version = 1;
async function change(newText) {
  text = newText;
  connection.sendNotification('textDocument/didChange',
    { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
  return nextDiagnostics();
}

try {
  // ---- initialize
  const init = await req('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  const caps = init.capabilities;
  check(caps.hoverProvider && caps.definitionProvider && caps.referencesProvider && caps.documentSymbolProvider &&
        caps.documentFormattingProvider && caps.renameProvider && caps.completionProvider && caps.codeActionProvider,
        'initialize: every capability', caps);
  connection.sendNotification('initialized', {});

  // ---- diagnostics on open: a clean file
  connection.sendNotification('textDocument/didOpen',
    { textDocument: { uri, languageId: 'carepath', version, text } });
  let d = await nextDiagnostics();
  check(d.uri === uri && d.diagnostics.length === 0, 'didOpen: no diagnostics on a clean protocol', d);

  // ---- document symbols
  const symbols = await req('textDocument/documentSymbol', { textDocument: td });
  const names = symbols.map((s) => s.name);
  for (const n of ['lsp_session', 'stdlib.units', 'R1', 'age', 'weight', 'severity', 'sick', 'severe_case', 'treat', 'triage'])
    check(names.includes(n), `documentSymbol: ${n}`, names);
  const treat = symbols.find((s) => s.name === 'treat');
  check(treat && treat.children.map((c) => c.name).join() === 'pulse,watch', 'documentSymbol: the tiers of treat', treat);
  const triage = symbols.find((s) => s.name === 'triage');
  check(triage && triage.children.map((c) => c.name).join() === 'level,high,low', 'documentSymbol: outputs and rules', triage);
  const severity = symbols.find((s) => s.name === 'severity');
  check(severity && severity.children.map((c) => c.name).join() === 'mild,severe', 'documentSymbol: enum members', severity);

  // ---- hover
  let h = await req('textDocument/hover', { textDocument: td, position: pos(text, 'severe_case', 1, 2) });
  check(h && h.contents.value.includes('**define** `severe_case`') && h.contents.value.includes('a condition (bool)'),
    'hover: a define, its type', h);
  h = await req('textDocument/hover', { textDocument: td, position: pos(text, 'weight', 1) });
  check(h && /quantity of mass, in kg/.test(h.contents.value) && h.contents.value.includes('**range**: `2 kg .. 150 kg`') &&
        h.contents.value.includes('body weight'), 'hover: an input, its type, unit and range', h);
  h = await req('textDocument/hover', { textDocument: td, position: pos(text, '[R1]', 0, 2) });
  check(h && h.contents.value.includes('A test source, cited by the severity input.'), 'hover: a citation, its text', h);
  // After a character outside the BMP (two UTF-16 units) on the same line.
  const cite = pos(text, '[R1]', 0, 1);
  h = await req('textDocument/hover', { textDocument: td, position: cite });
  check(h && h.range.start.character === cite.character && h.range.end.character === cite.character + 2,
    'hover: UTF-16 positions after an astral character', h);
  h = await req('textDocument/hover', { textDocument: td, position: pos(text, 'sick', 0) });
  check(h && h.contents.value.includes('**input** `sick`'), 'hover: an input', h);
  h = await req('textDocument/hover', { textDocument: td, position: pos(text, 'methylprednisolone', 1) });
  check(h && h.contents.value.includes('**drug** `methylprednisolone`') && h.contents.value.includes('stdlib.drugs'),
    'hover: a drug from the stdlib', h);
  h = await req('textDocument/hover', { textDocument: td, position: { line: 0, character: 3 } });
  check(h === null, 'hover: nothing in a comment', h);

  // ---- definition, across `use`d modules
  let def = await req('textDocument/definition', { textDocument: td, position: pos(text, 'methylprednisolone', 1) });
  const drugs = readFileSync(new URL(def?.uri ?? 'file:///nonexistent', import.meta.url), 'utf8');
  check(def && def.uri.endsWith('/stdlib/drugs.care') && drugs.split('\n')[def.range.start.line].startsWith('drug methylprednisolone'),
    'definition: a drug in stdlib/drugs.care', def);
  def = await req('textDocument/definition', { textDocument: td, position: pos(text, ' g per', 0, 1) });
  check(def && def.uri.endsWith('/stdlib/units.care'), 'definition: a unit in stdlib/units.care', def);
  def = await req('textDocument/definition', { textDocument: td, position: pos(text, 'pulse when', 1) });
  check(def && def.uri === uri && def.range.start.line === pos(text, 'tier pulse').line, 'definition: the tier `after` names', def);
  def = await req('textDocument/definition', { textDocument: td, position: pos(text, 'severe ->') });
  check(def && def.range.start.line === pos(text, 'mild, severe').line, 'definition: an enum member', def);

  // ---- references
  let refs = await req('textDocument/references',
    { textDocument: td, position: pos(text, 'severity', 1), context: { includeDeclaration: true } });
  check(refs.length === 3 && refs.every((r) => r.uri === uri), 'references: severity, with its declaration', refs);
  refs = await req('textDocument/references',
    { textDocument: td, position: pos(text, 'severity', 1), context: { includeDeclaration: false } });
  check(refs.length === 2, 'references: severity, without its declaration', refs);
  refs = await req('textDocument/references',
    { textDocument: td, position: pos(text, 'methylprednisolone', 1), context: { includeDeclaration: true } });
  check(refs.some((r) => r.uri.endsWith('/stdlib/drugs.care')) && refs.filter((r) => r.uri === uri).length === 2,
    'references: a stdlib drug, its import and its give', refs);

  // ---- completion
  const labels = (c) => (c.items ?? c).map((i) => i.label);
  let c = labels(await req('textDocument/completion', { textDocument: td, position: pos(text, 'methylprednisolone dose') }));
  check(c.includes('methylprednisolone') && !c.includes('when') && !c.includes('age'), 'completion: drugs after give', c);
  c = labels(await req('textDocument/completion', { textDocument: td, position: pos(text, ' g per', 0, 1) }));
  check(c.includes('g') && c.includes('mg') && c.includes('kg'), 'completion: units after a number', c);
  c = labels(await req('textDocument/completion', { textDocument: td, position: pos(text, 'R1]', 0, 1) }));
  // The protocol's own source and those of the modules it uses (a protocol may cite them).
  check(c.includes('R1') && c.includes('BNFC_METHYLPREDNISOLONE') && !c.includes('age'), 'completion: sources in a citation', c);
  c = labels(await req('textDocument/completion', { textDocument: td, position: pos(text, 'severe_case and not') }));
  for (const want of ['age', 'severity', 'severe_case', 'mild', 'treat', 'when', 'unspecified'])
    check(c.includes(want), `completion: ${want} in an expression`, c);

  // ---- diagnostics as the author types: types, names (did you mean), syntax
  d = await change(original.replace('sick and severity == severe', 'sick and weight'));
  let e = d.diagnostics[0];
  check(d.version === version && d.diagnostics.length >= 1 && e.severity === 1 &&
        e.range.start.line === pos(text, 'sick and weight').line, 'didChange: a type error, located', d);
  d = await change(original.replace('sick and severity', 'sick and severty'));
  e = d.diagnostics[0];
  check(e && e.code === 'unknown-name' && e.message.includes("did you mean 'severity'") &&
        e.range.start.character === pos(text, 'severty').character && e.range.end.character === pos(text, 'severty').character + 7,
        'didChange: an unknown name, with a suggestion', d);
  d = await change(original.replace('dose 1 g per day', 'dose 1 lb per day'));
  check(d.diagnostics.length >= 1 && d.diagnostics[0].range.start.line === pos(text, '1 lb').line, 'didChange: an unknown unit', d);
  d = await change(original.replace('sick and severity == severe "sick and severe"', 'sick and (severity == "sick and severe"'));
  check(d.diagnostics.length >= 1 && d.diagnostics[0].severity === 1, 'didChange: a syntax error', d);
  // Completion while the text does not parse: the last text that did.
  await change(original + '\nexample "typing" {\n  given sick\n  expect treat.');
  c = labels(await req('textDocument/completion', { textDocument: td, position: pos(text, 'treat.', 0, 6) }));
  check(c.join() === 'pulse,watch', 'completion: tiers after `treat.`, while the text does not parse', c);
  c = labels(await req('textDocument/completion', { textDocument: td, position: pos(text, 'expect treat.') }));
  check(c.includes('expect') && c.includes('severity'), 'completion: keywords and names while the text does not parse', c);
  // Notes become related information (a duplicate: where the first one is).
  d = await change(original + '\ninput age : bool\n');
  e = d.diagnostics.find((x) => x.code === 'duplicate-definition');
  check(e && e.relatedInformation?.[0]?.location?.range?.start?.line === pos(original, 'input age').line,
    'diagnostics: a note as related information', d);

  // ---- formatting through fmt
  await change(original.replace('input sick : bool', 'input   sick :bool'));
  const edits = await req('textDocument/formatting', { textDocument: td, options: { tabSize: 2, insertSpaces: true } });
  const formatted = execFileSync(carepath, ['fmt', '-'], { input: text }).toString();
  check(edits.length === 1 && edits[0].newText === formatted && edits[0].newText.includes('input sick : bool'),
    'formatting: the text of carepath fmt', edits);
  await change(original);
  const none = await req('textDocument/formatting', { textDocument: td, options: { tabSize: 2, insertSpaces: true } });
  check(Array.isArray(none) && none.length === 0, 'formatting: no edit on a formatted file', none);

  // ---- rename
  const prep = await req('textDocument/prepareRename', { textDocument: td, position: pos(text, 'severity', 2) });
  check(prep && prep.placeholder === 'severity', 'prepareRename: a name declared here', prep);
  const ws = await req('textDocument/rename', { textDocument: td, position: pos(text, 'severity', 2), newName: 'acuity' });
  const renames = ws.changes[uri];
  check(renames.length === 3 && renames.every((x) => x.newText === 'acuity'), 'rename: every reference', ws);
  let err = await fails(req('textDocument/rename', { textDocument: td, position: pos(text, 'methylprednisolone', 1), newName: 'mp' }));
  check(err && err.message.includes('not declared in this file'), 'rename: refused for a stdlib drug', err?.message);
  err = await fails(req('textDocument/rename', { textDocument: td, position: pos(text, 'severity', 1), newName: 'when' }));
  check(err && err.message.includes('keyword'), 'rename: refused to a keyword', err?.message);
  err = await fails(req('textDocument/rename', { textDocument: td, position: pos(text, 'severity', 1), newName: 'age' }));
  check(err && err.message.includes("already a input 'age'") || err?.message.includes("'age'"), 'rename: refused to a clashing name', err?.message);

  // ---- verification on save: the counterexample, the dose envelope, the code action
  connection.sendNotification('textDocument/didSave', { textDocument: td });
  d = await nextDiagnostics();
  e = d.diagnostics.find((x) => x.code === 'dose-formulary');
  check(e && e.range.start.line === pos(text, 'give methylprednisolone').line &&
        e.relatedInformation.some((r) => r.message.includes('counterexample') && r.message.includes('example "')) &&
        Array.isArray(e.data?.example), 'didSave: a refuted property, the counterexample as related information', d);
  h = await req('textDocument/hover', { textDocument: td, position: pos(text, 'give methylprednisolone') });
  check(h && h.contents.value.includes('**dose envelope**') && h.contents.value.includes('1 g'), 'hover: the dose envelope of a give', h);
  const actions = await req('textDocument/codeAction',
    { textDocument: td, range: e.range, context: { diagnostics: [e] } });
  const action = actions.find((a) => a.title.includes('counterexample'));
  const insert = action?.edit?.changes?.[uri]?.[0];
  check(insert && insert.newText.includes('example "') && insert.newText.includes('expect give methylprednisolone'),
    'codeAction: the counterexample as an example block', actions);
  if (insert) {
    d = await change(text + insert.newText);  // the edit is at the end of the text
    check(d.diagnostics.length === 0, 'codeAction: the inserted example checks', d);
    // The pasted counterexample replays the refutation: `carepath test`
    // fails it, over the formulary limit, until the protocol is fixed.
    let status = 0, out = '', err = '';
    try {
      out = execFileSync(carepath, ['test', '-'], { input: text, stdio: 'pipe' }).toString();
    } catch (x) {
      status = x.status;
      out = x.stdout.toString();
      err = x.stderr.toString();
    }
    check(status === 1 && out.includes('FAIL: dose-formulary counterexample') && err.includes('over the formulary limit'),
      'codeAction: `carepath test` runs the pasted example, which replays the refutation', { status, out, err });
  }

  // ---- errors: an unknown method, bad params, an unknown document
  err = await fails(req('carepath/noSuchMethod', {}));
  check(err && err.code === -32601, 'unknown method: MethodNotFound', err);
  err = await fails(req('textDocument/hover', { textDocument: td }));
  check(err && err.code === -32602, 'hover without a position: InvalidParams', err);
  err = await fails(req('textDocument/hover', { textDocument: { uri: 'file:///not/open.care' }, position: { line: 0, character: 0 } }));
  check(err && err.code === -32602, 'a document that is not open: InvalidParams', err);

  // ---- close, shutdown, exit
  connection.sendNotification('textDocument/didClose', { textDocument: td });
  d = await nextDiagnostics();
  check(d.diagnostics.length === 0, 'didClose: diagnostics cleared', d);
  check((await req('shutdown')) === null, 'shutdown', null);
  connection.sendNotification('exit');
  const code = await exited;
  check(code === 0, 'exit after shutdown: status 0', code);
} catch (x) {
  failures++;
  console.log(`FAIL  ${x.stack ?? x}`);
  child.kill();
}
clearTimeout(timer);
connection.dispose();
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
