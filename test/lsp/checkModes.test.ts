// `lifetime.check.on` manual and save, the re-check command, and progress for long checks.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, hasEngineDiagnostic, TestClient } from './lspClient';
import { slowModel, UAF_MODEL } from './models';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('manual: no check until the re-check command, which answers with the verdicts', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], { check: { on: 'manual' } });
  try {
    await client.initialize();
    const uri = 'file:///modes/manual.lifetime';
    await sleep(200);
    await client.open(uri, UAF_MODEL, 1);
    await client.waitForDiagnostics(uri, (p) => p.version === 1);
    await sleep(800);
    assert.equal(hasEngineDiagnostic(client.diagnostics.get(uri)!.diagnostics), false);
    const summary = await client.request<string>('workspace/executeCommand', { command: 'lifetime.recheck', arguments: [uri] });
    assert.equal(summary, 'as expected: baseline use-after-free, 1 proposal safe');
    await client.waitForDiagnostics(uri, (p) => hasEngineDiagnostic(p.diagnostics));
    const bad = await client.request<string>('workspace/executeCommand', { command: 'lifetime.recheck', arguments: [42] });
    assert.equal(bad, 'lifetime.recheck needs a document URI as its first argument.');
  } finally {
    await client.shutdown();
  }
});

test('save: the check runs when the file is saved', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], { check: { on: 'save' } });
  try {
    await client.initialize();
    const uri = 'file:///modes/save.lifetime';
    await sleep(200);
    await client.open(uri, UAF_MODEL, 1);
    await client.waitForDiagnostics(uri, (p) => p.version === 1);
    await sleep(800);
    assert.equal(hasEngineDiagnostic(client.diagnostics.get(uri)!.diagnostics), false);
    await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    await client.waitForDiagnostics(uri, (p) => hasEngineDiagnostic(p.diagnostics));
  } finally {
    await client.shutdown();
  }
});

test('a long check reports work-done progress, begun and ended', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], { check: { maxStates: 600_000 } });
  try {
    await client.initialize();
    const uri = 'file:///modes/slow.lifetime';
    await sleep(200);
    await client.open(uri, slowModel(), 1);
    const status = await client.waitForCheck(uri, 1, 60_000);
    assert.equal(status.state, 'incomplete');
    await sleep(100);
    const created = client.notifications.filter((n) => n.method === 'window/workDoneProgress/create');
    assert.equal(created.length, 1);
    const token = (created[0].params as { token: string | number }).token;
    const kinds = client.notifications
      .filter((n) => n.method === '$/progress' && (n.params as { token: unknown }).token === token)
      .map((n) => (n.params as { value: { kind: string; message?: string } }).value);
    assert.equal(kinds[0].kind, 'begin');
    assert.equal(kinds[kinds.length - 1].kind, 'end');
    assert.ok(kinds.some((k) => k.kind === 'report' && /baseline: [\d,]+ states/.test(k.message ?? '')), JSON.stringify(kinds));
  } finally {
    await client.shutdown();
  }
});
