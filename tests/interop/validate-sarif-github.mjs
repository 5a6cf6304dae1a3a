#!/usr/bin/env node
// validate-sarif-github.mjs — validate a SARIF log with Microsoft's SARIF
// Multitool (`validate --rule-kind "Gh;Sarif"`): the SARIF SDK's own rules
// and the ones GitHub code scanning imposes on uploads ("GHxxxx ... required
// by the GitHub Advanced Security service").
//
// Usage: node validate-sarif-github.mjs DOC.sarif
// The tool is the self-contained Linux binary of the npm package
// @microsoft/sarif-multitool-linux (pinned in package.json). It reports its
// findings as a SARIF log of its own; every result of level error or warning
// is printed and fails the check (notes, e.g. style advice, do not).
// Exit: 0 + "valid (github)"; 1 + the findings; 2 the tool could not run.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
if (args.length !== 1) {
  console.error('usage: node validate-sarif-github.mjs DOC.sarif');
  process.exit(2);
}
const tool = join(dirname(require.resolve('@microsoft/sarif-multitool-linux/package.json')), 'Sarif.Multitool');
const work = mkdtempSync(join(tmpdir(), 'sarif-gh-'));
const out = join(work, 'validation.sarif');
try {
  const run = spawnSync(tool, ['validate', '--rule-kind', 'Gh;Sarif', args[0], '-o', out, '--log', 'ForceOverwrite'], {
    encoding: 'utf8',
    // .NET wants a writable home for its caches; the tool needs no ICU for this.
    env: { ...process.env, DOTNET_CLI_HOME: work, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
  });
  let log;
  try { log = JSON.parse(readFileSync(out, 'utf8')); }
  catch (e) {
    console.error(`validate-sarif-github: the Multitool wrote no log (exit ${run.status}):\n${run.stdout}${run.stderr}`);
    process.exit(2);
  }
  const findings = [];
  for (const r of log.runs ?? []) {
    for (const inv of r.invocations ?? []) {
      if (inv.executionSuccessful === false) findings.push('the Multitool could not analyse the log');
      for (const n of inv.toolExecutionNotifications ?? [])
        if ((n.level ?? 'warning') !== 'note') findings.push(`${n.level ?? 'warning'} ${n.descriptor?.id ?? ''}: ${n.message?.text ?? ''}`);
    }
    for (const res of r.results ?? []) {
      const level = res.level ?? 'warning';
      if (level !== 'error' && level !== 'warning') continue;
      const args = res.message?.arguments ?? [];
      const text = res.message?.text ?? `${res.message?.id ?? ''} ${args.join(' | ')}`;
      findings.push(`${level} ${res.ruleId}: ${text}`);
    }
  }
  if (findings.length) {
    console.log(`${args[0]}: ${findings.length} finding(s) of the SARIF Multitool (GitHub rules):`);
    for (const f of findings) console.log(`  ${f}`);
    process.exit(1);
  }
  console.log('valid (github)');
} finally {
  rmSync(work, { recursive: true, force: true });
}
