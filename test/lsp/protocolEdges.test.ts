// Protocol edge cases: a frame that announces far more than it sends, a check requested before the
// settings arrive, and a rename whose new name is not a string.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { ensureBuilt, SERVER_PATH, TestClient } from './lspClient';
import { UAF_MODEL } from './models';

const URI = 'file:///edges/uaf.lifetime';

function frame(message: unknown): string {
  const body = JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

test('a Content-Length of 100 MB with a 2-byte body does not wedge the connection', async () => {
  ensureBuilt();
  const child = spawn(process.execPath, [SERVER_PATH, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.stdin.write('Content-Length: 100000000\r\n\r\n{}');
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
    const deadline = Date.now() + 10_000;
    while (!/"id":1,"result"/.test(stdout) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(stdout, /"id":1,"result"/, 'initialize was not answered after the short frame');
    assert.match(stderr, /skipped \d+ bytes of input with a body shorter than its Content-Length/);
  } finally {
    child.kill();
  }
});

test('a check requested before the settings arrive runs under them instead of being cancelled', async () => {
  ensureBuilt();
  const client = new TestClient();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  client.connection.onRequest('workspace/configuration', async (params: { items: unknown[] }) => {
    await gate;
    return params.items.map(() => ({ check: { on: 'manual', maxStates: 100000 } }));
  });
  try {
    await client.initialize({ initializationOptions: { settings: { check: { on: 'manual' } } } });
    await client.open(URI, UAF_MODEL, 1);
    const answer = client.request<string>('lifetime/check', { uri: URI });
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const verdict = await answer;
    assert.doesNotMatch(verdict, /cancelled/);
    assert.match(verdict, /use-after-free/);
  } finally {
    client.kill();
  }
});

test('rename with a new name that is not a string is refused with a clear error', async () => {
  ensureBuilt();
  const client = new TestClient();
  try {
    await client.initialize();
    await client.open(URI, UAF_MODEL, 1);
    await client.waitForDiagnostics(URI, () => true);
    const position = { line: 1, character: 8 };
    for (const newName of [null, 42, { name: 'x' }]) {
      await assert.rejects(client.request('textDocument/rename', { textDocument: { uri: URI }, position, newName }), (error: { message: string; code: number }) => {
        assert.match(error.message, /rename needs newName to be a string, not (null|number|object)/);
        assert.equal(error.code, -32602);
        return true;
      });
    }
    const edit = await client.request<{ changes: Record<string, { newText: string }[]> }>('textDocument/rename', { textDocument: { uri: URI }, position, newName: 'mm2' });
    assert.ok(edit.changes[URI].every((change) => change.newText === 'mm2'));
  } finally {
    client.kill();
  }
});
