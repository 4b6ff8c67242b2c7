// The end-to-end checks of test/e2e, through the extension API instead of the UI: runs inside the
// extension host of a desktop VS Code started by test/vscode/run.mjs. The model and what it must
// produce arrive in LIFETIME_VSCODE_SPEC (see run.mjs). Waiting for the server is set-up; each
// check asserts once.
const assert = require('node:assert/strict');
const vscode = require('vscode');

const DIAGNOSTICS_TIMEOUT_MS = 60_000;
const RECHECK_TIMEOUT_MS = 30_000;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something truthy or the timeout ends; returns its last value. */
async function waitFor(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let value = probe();
  while (!value && Date.now() < deadline) {
    await sleep(200);
    value = probe();
  }
  return value;
}

function codeOf(diagnostic) {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code);
}

function describe(diagnostics) {
  return diagnostics.map((d) => `${d.range.start.line + 1}: ${codeOf(d)} ${d.message}`).join('\n') || '(none)';
}

function hoverText(hovers) {
  return hovers.flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

async function run() {
  const spec = JSON.parse(process.env.LIFETIME_VSCODE_SPEC || '{}');
  assert.ok(spec.path, 'LIFETIME_VSCODE_SPEC is not set; run this suite through test/vscode/run.mjs');
  const kind = new RegExp(spec.violationKind, 'i');
  const line = spec.violationLine - 1;
  const uri = vscode.Uri.file(spec.path);
  const errors = () => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
  const violation = () => errors().find((d) => codeOf(d) === spec.violationCode && d.range.start.line === line);

  let passed = 0;
  let failed = 0;
  const check = async (name, body) => {
    try {
      await body();
      passed++;
      console.log(`ok - ${name}`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name}\n  # ${String(error && error.message).split('\n').join('\n  # ')}`);
    }
  };

  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document);
  await waitFor(violation, DIAGNOSTICS_TIMEOUT_MS);

  await check(`the violation is an error on its step (line ${spec.violationLine})`, () => {
    const found = violation();
    assert.ok(found, `diagnostics:\n${describe(vscode.languages.getDiagnostics(uri))}`);
    assert.match(found.message, kind);
    // The violation, and LT3502 on the model line: no expectation names it.
    assert.deepEqual(errors().filter((d) => !codeOf(d).startsWith('LT30') && codeOf(d) !== 'LT3502'), [], 'errors other than the violation');
  });

  await check('the hover provider answers on the violating step', async () => {
    const found = violation();
    assert.ok(found, 'there is no violation to hover');
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, found.range.start);
    assert.ok(hoverText(hovers).trim().length > 0, 'no hover text on the violating step');
  });

  await check('Show Trace opens the trace view', async () => {
    await vscode.commands.executeCommand('lifetime.showTrace');
    const webview = await waitFor(() => vscode.window.tabGroups.all.flatMap((group) => group.tabs)
      .find((tab) => tab.input instanceof vscode.TabInputWebview), 10_000);
    assert.ok(webview, 'no webview tab opened');
    await vscode.window.showTextDocument(document);
  });

  const before = document.getText();
  await check('the preferred quick fix removes the violation', async () => {
    const found = violation();
    assert.ok(found, 'there is no violation to fix');
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, found.range, vscode.CodeActionKind.QuickFix.value);
    const preferred = actions.find((action) => action.isPreferred);
    assert.ok(preferred, `no preferred quick fix among: ${actions.map((action) => action.title).join('; ') || '(none)'}`);
    if (preferred.edit) assert.ok(await vscode.workspace.applyEdit(preferred.edit), `"${preferred.title}" did not apply`);
    if (preferred.command) await vscode.commands.executeCommand(preferred.command.command, ...(preferred.command.arguments || []));
    const clean = await waitFor(() => !violation() && document.getText() !== before, RECHECK_TIMEOUT_MS);
    assert.ok(clean, `after "${preferred.title}":\n${describe(vscode.languages.getDiagnostics(uri))}`);
    const remaining = errors().filter((d) => codeOf(d).startsWith('LT30'));
    assert.equal(remaining.length, 0, `violations remain:\n${describe(remaining)}`);
  });

  await check('undo brings the violation back', async () => {
    await vscode.window.showTextDocument(document);
    for (let step = 0; step < 20 && document.getText() !== before; step++) await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), before);
    assert.ok(await waitFor(violation, RECHECK_TIMEOUT_MS), `after undo:\n${describe(vscode.languages.getDiagnostics(uri))}`);
  });

  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} of ${passed + failed} checks failed`);
}

module.exports = { run };
