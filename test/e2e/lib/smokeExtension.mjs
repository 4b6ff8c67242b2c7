// A throwaway extension for `run.mjs --smoke`: it proves the harness (code-server install, start,
// .vsix install, Chromium drive, screenshots) independently of the product. It flags the first
// `use` statement of every .lifetime file as the product does the e2e model's use-after-free: an
// error for the baseline (and one on the model line, which no expectation names it in) and a note
// for the proposal whose expectation names it.
import fs from 'node:fs';
import path from 'node:path';
import { run } from './process.mjs';

const MANIFEST = {
  name: 'lifetime-e2e-smoke',
  displayName: 'Lifetime e2e harness smoke test',
  publisher: 'lifetime-e2e',
  version: '0.0.1',
  license: 'MIT',
  engines: { vscode: '^1.80.0' },
  main: './extension.js',
  activationEvents: ['onLanguage:lifetime'],
  contributes: { languages: [{ id: 'lifetime', extensions: ['.lifetime'] }] },
};

const EXTENSION = `const vscode = require('vscode');
function activate(context) {
  const collection = vscode.languages.createDiagnosticCollection('lifetime-e2e-smoke');
  context.subscriptions.push(collection);
  const check = (document) => {
    if (document.languageId !== 'lifetime') return;
    const diagnostics = [];
    for (let line = 0; line < document.lineCount; line++) {
      if (!/^\\s*model\\s/.test(document.lineAt(line).text)) continue;
      const missing = new vscode.Diagnostic(document.lineAt(line).range,
        "the baseline has a use-after-free and no expectation names it; add 'expect baseline: use-after-free' if that is the conclusion", vscode.DiagnosticSeverity.Error);
      missing.source = 'lifetime';
      missing.code = 'LT3502';
      diagnostics.push(missing);
      break;
    }
    for (let line = 0; line < document.lineCount; line++) {
      const text = document.lineAt(line).text;
      const match = /(^\\s*|[{;]\\s*)(use\\s+[A-Za-z_][\\w.]*)/.exec(text.split('//')[0]);
      if (!match) continue;
      const start = match.index + match[1].length;
      const range = new vscode.Range(line, start, line, start + match[2].length);
      // The product's messages (server/src/core/report/verdictDiagnostics.ts), without the trace.
      const baseline = new vscode.Diagnostic(range, 'use-after-free in the baseline: use dom: domain was freed', vscode.DiagnosticSeverity.Error);
      const proposal = new vscode.Diagnostic(range,
        'use-after-free in proposal list_del_init_unlocked: use dom: domain was freed (as expected)',
        vscode.DiagnosticSeverity.Information);
      for (const diagnostic of [baseline, proposal]) {
        diagnostic.source = 'lifetime';
        diagnostic.code = 'LT3001';
        diagnostics.push(diagnostic);
      }
      break;
    }
    collection.set(document.uri, diagnostics);
  };
  vscode.workspace.textDocuments.forEach(check);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((event) => check(event.document)));
}
module.exports = { activate, deactivate() {} };
`;

/** Writes the smoke extension under `dir` and packages it with the repository's vsce; returns the .vsix path. */
export async function buildSmokeExtension(repoRoot, dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(MANIFEST, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'extension.js'), EXTENSION);
  fs.writeFileSync(path.join(dir, 'README.md'), '# Lifetime e2e harness smoke test\n');
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
  const vsix = path.join(dir, '..', 'lifetime-e2e-smoke.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  await run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix],
    { cwd: dir, env: process.env, logFile: path.join(dir, '..', 'smoke-package.log') });
  return vsix;
}
