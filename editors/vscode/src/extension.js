// The carepath extension: starts `carepath lsp` for .care files and
// restarts it when the carepath settings change. Plain CommonJS, no build
// step (docs/lsp.md, "The VS Code extension").
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function makeClient() {
  const config = vscode.workspace.getConfiguration('carepath');
  const args = ['lsp'];
  for (const dir of config.get('modulePath', [])) args.push('-I', dir);
  const server = {
    command: config.get('path', 'carepath'),
    args,
    options: { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath },
  };
  return new LanguageClient('carepath', 'carepath', server, {
    documentSelector: [{ scheme: 'file', language: 'carepath' }],
    initializationOptions: {
      verifyOnSave: config.get('verifyOnSave', true),
      verifyTimeoutMs: config.get('verifyTimeoutMs', 10000),
    },
  });
}

async function activate(context) {
  client = makeClient();
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('carepath')) return;
      if (client) await client.stop();
      client = makeClient();
      await client.start();
    }),
  );
  await client.start();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
