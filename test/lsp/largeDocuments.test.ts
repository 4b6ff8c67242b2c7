// A large document is analysed off the server's main thread: requests on other documents are
// answered while it is analysed, answers for versions edited since are dropped, and its own
// diagnostics and checks still come.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt, TestClient } from './lspClient';
import { largeModel, UAF_MODEL } from './models';

const SMALL = 'file:///large-test/small.lifetime';
const LARGE = 'file:///large-test/large.lifetime';

/** The UAF model padded with comments past the size above which models are analysed in the worker. */
function paddedModel(extra = ''): string {
  return UAF_MODEL + extra + Array.from({ length: 9000 }, (_, i) => `// padding line ${i} ${'x'.repeat(60)}`).join('\n') + '\n';
}

test('a hover on a small model is answered while a large model is being analysed', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], { check: { on: 'manual' } });
  try {
    await client.initialize();
    await client.open(SMALL, UAF_MODEL, 1);
    await client.waitForDiagnostics(SMALL, (p) => p.version === 1);
    const events: string[] = [];
    const largeDone = client.waitForDiagnostics(LARGE, (p) => p.version === 1, 120_000).then(() => events.push('large diagnostics'));
    await client.open(LARGE, largeModel(60_000), 1);
    // Long enough for the server to be inside the large model's analysis, far shorter than it takes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const hover = await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: SMALL }, position: { line: 1, character: 8 } });
    events.push('hover');
    assert.ok(hover && /mm/.test(hover.contents.value), JSON.stringify(hover));
    await largeDone;
    assert.deepEqual(events, ['hover', 'large diagnostics']);
  } finally {
    client.kill();
  }
});

test('a large model edited before its analysis finished is published only for the new version', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], { check: { on: 'manual' } });
  try {
    await client.initialize();
    const first = largeModel(40_000);
    await client.open(LARGE, first, 1);
    const broken = 'thread broken { use nothing_declared }\n' + first;
    await client.change(LARGE, 2, [{ text: broken }]);
    const published = await client.waitForDiagnostics(LARGE, (p) => p.version === 2, 120_000);
    assert.ok(published.diagnostics.some((d) => /nothing_declared/.test(String(d.message))), JSON.stringify(published.diagnostics.slice(0, 3)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      client.published.filter((p) => p.uri === LARGE).map((p) => p.version),
      [2],
    );
  } finally {
    client.kill();
  }
});

test('a large model still gets its diagnostics and its check; the status says its editor features are off', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], { check: { on: 'manual' } });
  try {
    await client.initialize();
    const text = paddedModel();
    await client.open(LARGE, text, 1);
    await client.waitForDiagnostics(LARGE, (p) => p.version === 1, 60_000);
    const verdict = await client.request<string>('lifetime/check', { uri: LARGE });
    assert.match(verdict, /use-after-free/);
    const published = await client.waitForDiagnostics(LARGE, (p) => p.diagnostics.some((d) => d.code === 'LT3001'), 60_000);
    assert.equal(published.version, 1);
    const statuses = client.notifications.filter((n) => n.method === 'lifetime/status').map((n) => (n.params as { text: string }).text);
    assert.ok(statuses.some((s) => /large model \(.*\): analysed in the background; hovers, completion and other editor features are off above 512 KiB/.test(s)), JSON.stringify(statuses));
    assert.equal(await client.request('textDocument/hover', { textDocument: { uri: LARGE }, position: { line: 2, character: 16 } }), null);
    const trace = await client.request<string>('workspace/executeCommand', { command: 'lifetime.showTrace', arguments: [LARGE] });
    assert.match(trace, /over 512 KiB, so its trace is not drawn in the editor/);
  } finally {
    client.kill();
  }
});
