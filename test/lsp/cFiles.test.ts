// Kernel C files through the server, with `lifetime.c.enable`: findings as diagnostics, the front
// end's fix as a code action; nothing at all when the setting is off.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { ensureBuilt, TestClient } from './lspClient';

const C_SOURCE = `static int demo_set(struct demo *d, int v)
{
	mutex_lock(&d->lock);
	if (v < 0)
		return -EINVAL;
	d->value = v;
	mutex_unlock(&d->lock);
	return 0;
}
`;

async function openC(client: TestClient, uri: string): Promise<void> {
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: C_SOURCE } });
}

test('a lock leaked on an error path is reported in a C file, with the fix', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], { c: { enable: true } });
  try {
    await client.initialize();
    const uri = 'file:///drivers/demo.c';
    await openC(client, uri);
    const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    const leak = published.diagnostics.find((d) => d.code === 'LT4002');
    assert.ok(leak, JSON.stringify(published.diagnostics));
    assert.equal(leak.range.start.line, 4);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: leak.range, context: { diagnostics: [leak] } });
    assert.ok(actions.length >= 1, JSON.stringify(actions));
    assert.match(JSON.stringify(actions[0].edit), /mutex_unlock\(&d->lock\)/);
  } finally {
    await client.shutdown();
  }
});

test('C files are left alone when lifetime.c.enable is off', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], {});
  try {
    await client.initialize();
    const uri = 'file:///drivers/off.c';
    await openC(client, uri);
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 3 } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(client.diagnostics.get(uri), undefined);
  } finally {
    await client.shutdown();
  }
});

const KEPT_ON_SUCCESS = `static int keep_buffer(struct foo *foo)
{
	void *buf = kmalloc(64, GFP_KERNEL);

	if (!buf)
		return -ENOMEM;
	if (fill(foo, buf) < 0) {
		kfree(buf);
		return -EIO;
	}
	return 0;
}

static int set_value(struct foo *foo, int v)
{
	mutex_lock(&foo->lock);
	if (foo->dead)
		return -ENODEV;
	foo->value = v;
	mutex_unlock(&foo->lock);
	return 0;
}
`;

test('a C finding of low confidence is shown, as information with the reason, only with lifetime.c.allFindings', async () => {
  ensureBuilt();
  for (const allFindings of [false, true]) {
    const client = new TestClient(['--stdio'], { c: { enable: true, allFindings } });
    try {
      await client.initialize();
      const uri = `file:///drivers/keep-${allFindings}.c`;
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: KEPT_ON_SUCCESS } });
      const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
      // The lock leaked at an error return is of high confidence either way.
      assert.ok(published.diagnostics.some((d) => d.code === 'LT4002' && d.range.start.line === 17), JSON.stringify(published.diagnostics));
      const kept = published.diagnostics.filter((d) => d.code === 'LT4001');
      if (!allFindings) assert.deepEqual(kept, []);
      else {
        assert.equal(kept.length, 1, JSON.stringify(published.diagnostics));
        assert.equal(kept[0].severity, 3);
        assert.match(String(kept[0].message), /low confidence: the path returns success/);
      }
    } finally {
      await client.shutdown();
    }
  }
});

test('a C document reads the control macros of the headers it includes by a quoted name, inside the workspace only', async () => {
  ensureBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-lsp-macros-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-lsp-outside-'));
  const client = new TestClient(['--stdio'], { c: { enable: true } });
  try {
    fs.mkdirSync(path.join(root, 'include'));
    fs.copyFileSync('test/fixtures/cli/macros/include/debug.h', path.join(root, 'include', 'debug.h'));
    fs.copyFileSync('test/fixtures/cli/macros/include/debug.h', path.join(outside, 'debug.h'));
    const source = fs.readFileSync('test/fixtures/cli/macros/service.c', 'utf8');
    await client.initialize({ rootUri: pathToFileURL(root).href });
    const inside = pathToFileURL(path.join(root, 'service.c')).href;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: inside, languageId: 'c', version: 1, text: source } });
    const clean = await client.waitForDiagnostics(inside, () => true);
    assert.deepEqual(clean.diagnostics.filter((d) => d.code === 'LT4005'), []);
    // The same include, resolved outside the workspace folder, is not read: each GOTO and RETURN falls through.
    const escaping = pathToFileURL(path.join(root, 'escaping.c')).href;
    const relative = path.relative(root, path.join(outside, 'debug.h'));
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: escaping, languageId: 'c', version: 1, text: source.replace('include/debug.h', relative) } });
    const unread = await client.waitForDiagnostics(escaping, (p) => p.diagnostics.some((d) => d.code === 'LT4005'));
    assert.equal(unread.diagnostics.filter((d) => d.code === 'LT4005').length, 2);
  } finally {
    await client.shutdown();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test("a C document knows the inline helpers of the headers it includes by a quoted name, as the CLI does", async () => {
  ensureBuilt();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-lsp-headers-'));
  const client = new TestClient(['--stdio'], { c: { enable: true } });
  try {
    const source = fs.readFileSync('test/fixtures/cli/run-summaries/foo_main.c', 'utf8');
    await client.initialize({ rootUri: pathToFileURL(root).href });
    const leakLines = async (name: string) => {
      const uri = pathToFileURL(path.join(root, name)).href;
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: source } });
      const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
      return published.diagnostics.filter((d) => d.code === 'LT4001').map((d) => d.range.start.line + 1);
    };
    // No foo.h yet: foo_wipe() of line 53 is unknown, and its caller leaks.
    assert.deepEqual(await leakLines('before.c'), [14, 40, 54]);
    fs.copyFileSync('test/fixtures/cli/run-summaries/foo.h', path.join(root, 'foo.h'));
    assert.deepEqual(await leakLines('foo_main.c'), [14, 40]);
  } finally {
    await client.shutdown();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
