// `carepath lsp` on hostile input, byte by byte (no client library: these
// are messages no client would send): every malformed message gets a
// JSON-RPC error and the server goes on; documents that are not protocols
// get diagnostics; the end of input ends the server (status 1, no
// shutdown) instead of a hang.
//   node malformed.mjs CAREPATH
import { spawn } from 'node:child_process';

const [carepath] = process.argv.slice(2);
let failures = 0;
function check(ok, what, detail) {
  console.log(ok ? `ok    ${what}` : `FAIL  ${what}\n      ${JSON.stringify(detail)}`);
  if (!ok) failures++;
}

const child = spawn(carepath, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
let buffer = Buffer.alloc(0);
const messages = [];
let notify = null;
child.stdout.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) break;
    const m = /Content-Length: (\d+)/.exec(buffer.slice(0, end).toString());
    const length = Number(m[1]);
    if (buffer.length < end + 4 + length) break;
    messages.push(JSON.parse(buffer.slice(end + 4, end + 4 + length).toString()));
    buffer = buffer.slice(end + 4 + length);
  }
  if (notify) notify();
});
async function next() {
  while (messages.length === 0) await new Promise((res) => { notify = res; });
  return messages.shift();
}
const frame = (body) => Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`), Buffer.from(body)]);
const send = (obj) => child.stdin.write(frame(JSON.stringify(obj)));
const timer = setTimeout(() => { console.log('FAIL  timed out (a hang)'); child.kill(); process.exit(1); }, 30000);

let r;
// Before initialize: ServerNotInitialized.
send({ jsonrpc: '2.0', id: 1, method: 'textDocument/hover', params: {} });
r = await next();
check(r.id === 1 && r.error?.code === -32002, 'a request before initialize', r);
// Not JSON.
child.stdin.write(frame('{"jsonrpc": "2.0", "id": 2, "method": '));
r = await next();
check(r.id === null && r.error?.code === -32700, 'a body that is not JSON: ParseError', r);
// A header without Content-Length.
child.stdin.write('Content-Type: application/json\r\n\r\n');
r = await next();
check(r.error?.code === -32700, 'a header without Content-Length: ParseError', r);
child.stdin.write('Content-Length: twelve\r\n\r\n');
r = await next();
check(r.error?.code === -32700, 'a Content-Length that is not a number: ParseError', r);
// JSON, but not a request.
child.stdin.write(frame('[1, 2, 3]'));
r = await next();
check(r.error?.code === -32600, 'an array: InvalidRequest', r);
send({ jsonrpc: '2.0', id: 3, method: 42 });
r = await next();
check(r.id === 3 && r.error?.code === -32600, 'a method that is not a string: InvalidRequest', r);

send({ jsonrpc: '2.0', id: 4, method: 'initialize', params: { capabilities: {} } });
r = await next();
check(r.id === 4 && r.result?.capabilities, 'initialize after all that', r);
send({ jsonrpc: '2.0', id: 5, method: 'workspace/noSuchThing', params: {} });
r = await next();
check(r.id === 5 && r.error?.code === -32601, 'an unknown method: MethodNotFound', r);
send({ jsonrpc: '2.0', method: '$/noSuchNotification', params: {} });  // ignored: no answer
send({ jsonrpc: '2.0', id: 6, method: 'textDocument/didOpen', params: { textDocument: { uri: 7 } } });
r = await next();
check(r.id === 6 && r.error?.code === -32602, 'didOpen with a wrong uri type: InvalidParams', r);

// Documents no protocol is: diagnostics, never a crash.
const docs = {
  'deep.care': 'protocol p version "1" { title "t" population ' + '('.repeat(5000) + 'true' + ')'.repeat(5000) + ' }\n',
  'binary.care': 'protocol \u0000\u0001\uFFFD p {\n\u0007',
  'empty.care': '',
  'chain.care': 'protocol p version "1" { title "t" }\ninput a : bool\ndefine d = ' + Array(3000).fill('a').join(' or ') + '\n',
  'unterminated.care': 'protocol p version "1" { title "t /* ',
};
let id = 10;
for (const [name, text] of Object.entries(docs)) {
  const uri = `file:///tmp/lsp-malformed/${name}`;
  send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'carepath', version: 1, text } } });
  r = await next();
  check(r.method === 'textDocument/publishDiagnostics' && r.params.uri === uri && Array.isArray(r.params.diagnostics) &&
        (name === 'empty.care' || r.params.diagnostics.length > 0 || name === 'chain.care'),
        `${name}: diagnostics`, r.params?.diagnostics?.slice(0, 2));
  // Every feature on it, including positions past the end.
  for (const method of ['textDocument/hover', 'textDocument/definition', 'textDocument/completion',
                        'textDocument/documentSymbol', 'textDocument/formatting']) {
    send({ jsonrpc: '2.0', id: ++id, method, params: { textDocument: { uri }, position: { line: 9999, character: 9999 },
                                                        options: { tabSize: 2, insertSpaces: true } } });
    r = await next();
    check(r.id === id && (r.result !== undefined || (r.error && r.error.code !== -32603)), `${name}: ${method} answered`, r);
  }
}
// Invalid UTF-8 inside the JSON body itself.
child.stdin.write(Buffer.concat([Buffer.from('Content-Length: 4\r\n\r\n'), Buffer.from([0x22, 0xff, 0xfe, 0x22])]));
r = await next();
check(r.error?.code === -32700, 'invalid UTF-8 in a message: ParseError', r);

// The client goes away without shutdown: the server ends, status 1.
child.stdin.end('Content-Length: 100\r\n\r\n{"jsonrpc"');
const status = await exited;
check(status.code === 1, 'end of input inside a message: exit 1, no hang', status);
clearTimeout(timer);
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
