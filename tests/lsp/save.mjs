// Verification on save does not block the server (docs/lsp.md, "Verification
// on save"): the server runs with CAREPATH_LSP_VERIFY_DELAY_MS, so every
// verification takes at least that long, and the order of what arrives is
// then certain:
//  - a hover sent right after a save is answered before the verification's
//    diagnostics arrive (and has no dose envelope yet);
//  - a change made while the verifier runs drops its result: nothing is
//    published for the old version, and the next save verifies the new one;
//  - `shutdown` is answered during a verification, and `exit` ends the
//    process at once (status 0), without waiting for the verifier.
//   node save.mjs CAREPATH FIXTURE.care
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import rpc from 'vscode-jsonrpc/node';

const [carepath, fixture] = process.argv.slice(2);
if (!carepath || !fixture) {
  console.error('usage: node save.mjs CAREPATH FIXTURE.care');
  process.exit(2);
}
const DELAY = 1500;  // ms: far longer than answering a hover or analysing a change
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

const child = spawn(carepath, ['lsp'], {
  stdio: ['pipe', 'pipe', 'inherit'],
  env: { ...process.env, CAREPATH_LSP_VERIFY_DELAY_MS: String(DELAY) },
});
let exitedAt = 0;
const exited = new Promise((res) => child.on('exit', (code) => { exitedAt = Date.now(); res(code); }));
const connection = rpc.createMessageConnection(
  new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));

// Everything that arrives, in order: publications and answers.
const events = [];
let waiting = null;
function arrived(e) {
  events.push(e);
  if (waiting) waiting();
}
connection.onNotification('textDocument/publishDiagnostics', (p) => arrived({ kind: 'publish', ...p }));
async function until(pred) {
  for (;;) {
    const found = events.find(pred);
    if (found) return found;
    await new Promise((res) => { waiting = res; });
  }
}
const verified = (e) => e.kind === 'publish' && e.diagnostics.some((d) => d.code === 'dose-formulary');
connection.listen();
const timer = setTimeout(() => { console.log('FAIL  the session timed out'); process.exit(1); }, 60000);

function pos(text, needle) {
  const at = text.indexOf(needle);
  const before = text.slice(0, at);
  return { line: before.split('\n').length - 1, character: at - (before.lastIndexOf('\n') + 1) };
}
const td = { uri };
let text = original;
let version = 1;
function change(newText) {
  text = newText;
  connection.sendNotification('textDocument/didChange',
    { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
}
const save = () => connection.sendNotification('textDocument/didSave', { textDocument: td });

try {
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  connection.sendNotification('initialized', {});
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'carepath', version, text } });
  await until((e) => e.kind === 'publish' && e.version === 1);

  // ---- a hover during verification is answered first
  save();
  const at = pos(text, 'give methylprednisolone');
  const hover = connection.sendRequest('textDocument/hover', { textDocument: td, position: at })
    .then((h) => { arrived({ kind: 'hover', h }); return h; });
  const h = await hover;
  const v1 = await until(verified);
  const order = events.map((e) => e.kind);
  check(order.indexOf('hover') >= 0 && order.indexOf('hover') < events.indexOf(v1),
    'didSave: a hover sent after the save is answered before the verification', order);
  check(!h || !h.contents.value.includes('**dose envelope**'), 'hover during verification: no envelope yet', h);
  check(v1.version === 1, 'didSave: the verification publishes for the version saved', v1.version);
  const h2 = await connection.sendRequest('textDocument/hover', { textDocument: td, position: at });
  check(h2 && h2.contents.value.includes('**dose envelope**'), 'hover after verification: the envelope', h2);

  // ---- a change during verification drops its result
  change(text + '\n// an edit\n');
  await until((e) => e.kind === 'publish' && e.version === 2);
  let seen = events.length;
  save();  // verifies version 2 (DELAY ms)
  change(text + '// another edit\n');  // version 3, while version 2 is being verified
  const v3 = await until((e) => e.kind === 'publish' && e.version === 3);
  check(!verified(v3), 'didChange during verification: the analysis alone is published', v3);
  save();  // verifies version 3, after version 2's verification (one at a time)
  const last = await until((e, i) => i >= seen && verified(e) && e.version === 3);
  const between = events.slice(seen, events.indexOf(last));
  check(between.every((e) => e.kind !== 'publish' || e.version === 3),
    'didChange during verification: the stale result is dropped, never published',
    between.map((e) => [e.kind, e.version, e.diagnostics?.length]));

  // ---- shutdown and exit during a verification
  change(text + '// a third edit\n');
  await until((e) => e.kind === 'publish' && e.version === 4);
  seen = events.length;
  save();
  const started = Date.now();
  check((await connection.sendRequest('shutdown')) === null, 'shutdown: answered during a verification', null);
  connection.sendNotification('exit');
  const code = await exited;
  check(code === 0, 'exit during a verification: status 0', code);
  check(exitedAt - started < DELAY * 2 / 3, `exit during a verification: at once, not after the verifier (${exitedAt - started} ms)`,
    exitedAt - started);
  check(events.slice(seen).every((e) => !verified(e)), 'exit during a verification: its result is not published',
    events.slice(seen));
} catch (x) {
  failures++;
  console.log(`FAIL  ${x.stack ?? x}`);
  child.kill();
}
clearTimeout(timer);
connection.dispose();
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
