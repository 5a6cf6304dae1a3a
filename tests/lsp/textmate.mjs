// The editor grammar (editors/vscode/syntaxes/carepath.tmLanguage.json)
// through VS Code's own tokenizer (vscode-textmate + vscode-oniguruma):
//  1. every keyword of the lexer (grammar/Carepath.g4) is highlighted as one,
//     so the two stay in step;
//  2. every protocol and stdlib module tokenizes with the key scopes where
//     an independent scan of the file (the lexer's rules for comments,
//     strings, numbers, citations and words) says they belong.
//   node textmate.mjs TMLANGUAGE.json CARPATH.g4 FILE.care...
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import tm from 'vscode-textmate';
import onig from 'vscode-oniguruma';

const [grammarPath, g4Path, ...files] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
const registry = new tm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new onig.OnigScanner(patterns),
    createOnigString: (s) => new onig.OnigString(s),
  }),
  loadGrammar: async () => tm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath),
});
const grammar = await registry.loadGrammar('source.carepath');

let failures = 0;
const fail = (what) => {
  if (failures++ < 40) console.log(`FAIL  ${what}`);
};

/** Tokenizes a text; returns, per line, the scopes at each character. */
function scopesOf(text) {
  let state = tm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    const at = new Array(line.length);
    for (const t of r.tokens) for (let i = t.startIndex; i < t.endIndex && i < line.length; i++) at[i] = t.scopes;
    return at;
  });
}
const has = (scopes, prefix) => (scopes ?? []).some((s) => s.startsWith(prefix));
const keywordScope = (scopes) =>
  ['keyword.', 'storage.type.', 'constant.language.', 'support.type.'].some((p) => has(scopes, p));

// ---- 1. the lexer's keywords
const keywords = [...readFileSync(g4Path, 'utf8').matchAll(/^[A-Z_]+:\s*'([a-z_]+)';/gm)].map((m) => m[1]);
if (keywords.length < 50) fail(`only ${keywords.length} keywords read from ${g4Path}`);
for (const k of keywords) {
  const [line] = scopesOf(`${k} `);
  if (!keywordScope(line[0])) fail(`keyword '${k}' is not highlighted as a keyword: ${JSON.stringify(line[0])}`);
  // ... and never as a unit after a number.
  const [after] = scopesOf(`1 ${k}`);
  if (has(after[2], 'keyword.other.unit')) fail(`keyword '${k}' after a number is taken for a unit`);
}
console.log(`${keywords.length} lexer keywords checked`);

// ---- 2. every file: an independent scan of its lexemes, and the scope at each
const keywordSet = new Set(keywords);
const counts = { comment: 0, string: 0, number: 0, unit: 0, keyword: 0, citation: 0 };
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const scopes = scopesOf(text);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const at = (offset) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1] <= offset) line++;
    return { line, col: offset - lineStarts[line] };
  };
  const expect = (offset, prefix, what) => {
    const p = at(offset);
    const s = scopes[p.line][p.col];
    const ok = typeof prefix === 'function' ? prefix(s) : has(s, prefix);
    if (!ok) fail(`${file}:${p.line + 1}:${p.col + 1}: ${what} has scopes ${JSON.stringify(s)}`);
  };
  let i = 0;
  let inCitation = false;
  let lastNumberEnd = -1;  // a word right after a number (and blanks) is its unit
  let unitEnd = -1;        // where the last unit word ended
  while (i < text.length) {
    const rest = text.slice(i);
    let m;
    if (rest.startsWith('//')) {
      expect(i, 'comment.line', 'a line comment'); counts.comment++;
      i = text.indexOf('\n', i); if (i < 0) break;
    } else if (rest.startsWith('/*')) {
      expect(i, 'comment.block', 'a block comment'); counts.comment++;
      const end = text.indexOf('*/', i + 2);
      // every line of it
      for (let j = i; j < (end < 0 ? text.length : end); j++) if (text[j] !== '\n') expect(j, 'comment.block', 'inside a block comment');
      i = end < 0 ? text.length : end + 2;
    } else if (rest[0] === '"') {
      m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest);
      const len = m ? m[0].length : 1;
      expect(i, 'string.quoted', 'a string'); expect(i + len - 1, 'string.quoted', 'the end of a string'); counts.string++;
      i += len;
    } else if ((m = /^\d+(?:\.\d+)?/.exec(rest))) {
      if (!inCitation) { expect(i, 'constant.numeric', 'a number'); counts.number++; }
      i += m[0].length;
      lastNumberEnd = i;
    } else if ((m = /^[A-Za-z_][A-Za-z_0-9]*/.exec(rest))) {
      const word = m[0];
      // A unit: after a number (and blanks), or after `/` in a unit (`mg/dL`).
      const afterNumber = (lastNumberEnd >= 0 && /^[ \t]*$/.test(text.slice(lastNumberEnd, i))) ||
                          (unitEnd >= 0 && unitEnd === i - 1 && text[unitEnd] === '/');
      if (inCitation) { expect(i, 'entity.name.tag.citation', `citation '${word}'`); counts.citation++; }
      else if (keywordSet.has(word)) { expect(i, keywordScope, `keyword '${word}'`); counts.keyword++; }
      else if (afterNumber) { expect(i, 'keyword.other.unit', `unit '${word}'`); counts.unit++; }
      else expect(i, (s) => !keywordScope(s), `name '${word}'`);
      i += word.length;
      unitEnd = afterNumber && !keywordSet.has(word) ? i : -1;
    } else {
      if (rest[0] === '[') inCitation = true;
      if (rest[0] === ']') inCitation = false;
      if (rest[0] !== ' ' && rest[0] !== '\t') lastNumberEnd = -1;
      if (rest[0] !== '/') unitEnd = -1;
      i++;
    }
  }
}
for (const [what, n] of Object.entries(counts)) if (n === 0) fail(`no ${what} seen in ${files.length} files`);
console.log(`${files.length} files: ${JSON.stringify(counts)}`);
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
