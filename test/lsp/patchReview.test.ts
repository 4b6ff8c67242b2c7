// Patch files through the language server, as any LSP client sees them: a `.patch` opened in a
// workspace that holds the tree gets the findings it introduces on its `+` lines, with the patched
// file as related information; a patch that does not apply or is malformed gets one error where
// the problem is; `workspace/executeCommand lifetime.review` reviews a patch document or the git
// staged changes and answers with the report.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { ensureBuilt, TestClient } from './lspClient';

const FIXTURES = path.join(process.cwd(), 'test/fixtures/review');
const TREE = path.join(FIXTURES, 'tree');
let scratch = '';

before(() => {
  ensureBuilt();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-lsp-review-'));
});
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function start(root: string): Promise<TestClient> {
  const client = new TestClient(['--stdio'], {});
  await client.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).toString(),
    workspaceFolders: [{ uri: pathToFileURL(root).toString(), name: 'tree' }],
    capabilities: { workspace: { configuration: true }, textDocument: { publishDiagnostics: { relatedInformation: true } } },
  });
  await client.connection.sendNotification('initialized', {});
  return client;
}

function openPatch(client: TestClient, uri: string, text: string, languageId = 'diff'): Promise<void> {
  return client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
}

function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line === needle);
  assert.ok(index >= 0, `no line '${needle}'`);
  return index;
}

test('a patch that introduces a leak: the finding on its + line, the patched file as related information', async () => {
  const client = await start(TREE);
  try {
    const text = fs.readFileSync(path.join(FIXTURES, 'introduce.patch'), 'utf8');
    const uri = pathToFileURL(path.join(scratch, 'introduce.patch')).toString();
    await openPatch(client, uri, text);
    const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics));
    const [leak] = published.diagnostics;
    assert.equal(leak.code, 'LT4001');
    assert.equal(leak.severity, 1);
    assert.equal(leak.range.start.line, lineOf(text, '+\tif (ret)'));
    assert.equal(leak.range.start.character, 1, 'the range starts after the +');
    assert.match(String(leak.message), /^introduced in widget_parse\(\), drivers\/demo\/widget\.c: child from of_get_child_by_name\(\)/);
    const related = leak.relatedInformation ?? [];
    assert.equal(related[0].location.uri, pathToFileURL(path.join(TREE, 'drivers/demo/widget.c')).toString());
    assert.equal(related[0].location.range.start.line, 28);
    assert.equal(related[0].message, 'drivers/demo/widget.c:29:3 (after the patch)');
    assert.ok(related.some((r) => r.message === 'acquired here (after the patch)'));
  } finally {
    await client.shutdown();
  }
});

test('an .eml whose patch fixes a lock leak: an information on the line that fixes it; edits re-review', async () => {
  const client = await start(TREE);
  try {
    const text = fs.readFileSync(path.join(FIXTURES, 'fix.patch'), 'utf8');
    const uri = pathToFileURL(path.join(scratch, 'fix.eml')).toString();
    await openPatch(client, uri, text, 'plaintext');
    const fixed = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.equal(fixed.diagnostics[0].severity, 3);
    assert.equal(fixed.diagnostics[0].range.start.line, lineOf(text, '+\t\tmutex_unlock(&widget_lock);'));
    assert.match(String(fixed.diagnostics[0].message), /^fixed in widget_reset\(\)/);
    // Replace the document with a patch that does not apply: one LT4202 on its hunk header.
    const broken = text.replace('-\tif (w->count < 0)', '-\tif (w->count <= 0)');
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: broken }] });
    const failed = await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'LT4202'));
    assert.equal(failed.diagnostics.length, 1);
    assert.equal(failed.diagnostics[0].range.start.line, broken.split('\n').findIndex((line) => line.startsWith('@@ ')));
    assert.match(String(failed.diagnostics[0].message), /drivers\/demo\/widget\.c: hunk #1 .* does not apply/);
  } finally {
    await client.shutdown();
  }
});

test('a malformed patch: one LT4201 on the hunk that is cut short', async () => {
  const client = await start(TREE);
  try {
    const text = fs.readFileSync(path.join(FIXTURES, 'introduce.patch'), 'utf8').replace('@@ -25,10 +25,8 @@', '@@ -25,12 +25,8 @@');
    const uri = pathToFileURL(path.join(scratch, 'cut.diff')).toString();
    await openPatch(client, uri, text);
    const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(published.diagnostics.map((d) => [d.code, d.range.start.line]), [['LT4201', lineOf(text, text.split('\n').find((l) => l.startsWith('@@ -25,12'))!)]]);
  } finally {
    await client.shutdown();
  }
});

test('workspace/executeCommand lifetime.review answers with the report of a patch document', async () => {
  const workspace = path.join(scratch, 'workspace');
  fs.cpSync(TREE, workspace, { recursive: true });
  fs.copyFileSync(path.join(FIXTURES, 'series.mbox'), path.join(workspace, 'series.mbox'));
  const client = await start(workspace);
  try {
    const uri = pathToFileURL(path.join(workspace, 'series.mbox')).toString();
    const result = await client.request<{ ok: boolean; text: string; introduced: number; fixed: number; review: { introduced: { patch: string }[] } }>('workspace/executeCommand', {
      command: 'lifetime.review',
      arguments: [uri],
    });
    assert.equal(result.ok, true, result.text);
    assert.equal(result.introduced, 1);
    assert.equal(result.fixed, 1);
    assert.equal(result.review.introduced[0].patch, 'demo: widget: return the parse error directly');
    assert.match(result.text, /^series: demo: widget: error paths/);
    const outside = await client.request<{ ok: boolean; text: string }>('workspace/executeCommand', { command: 'lifetime.review', arguments: [pathToFileURL('/etc/passwd').toString()] });
    assert.equal(outside.ok, false);
    assert.match(outside.text, /outside the workspace folder/);
  } finally {
    await client.shutdown();
  }
});

test('lifetime.review without a patch reviews the git staged changes of the workspace', async (t) => {
  if (spawnSync('git', ['--version']).status !== 0) {
    if (process.env.CI) assert.fail('git is not installed (apt-get install git)');
    return t.skip('git is not installed');
  }
  const repo = path.join(scratch, 'repo');
  fs.cpSync(TREE, repo, { recursive: true });
  const git = (...args: string[]) => assert.equal(spawnSync('git', ['-C', repo, ...args]).status, 0, `git ${args.join(' ')}`);
  git('init', '-q');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.org', 'add', '.');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.org', 'commit', '-qm', 'base');
  const widget = path.join(repo, 'drivers/demo/widget.c');
  fs.writeFileSync(widget, fs.readFileSync(widget, 'utf8').replace('\tif (ret) {\n\t\tof_node_put(child);\n\t\treturn ret;\n\t}\n', '\tif (ret)\n\t\treturn ret;\n'));
  git('add', 'drivers/demo/widget.c');
  const client = await start(repo);
  try {
    const result = await client.request<{ ok: boolean; text: string; introduced: number }>('workspace/executeCommand', { command: 'lifetime.review', arguments: [] });
    assert.equal(result.ok, true, result.text);
    assert.equal(result.introduced, 1);
    assert.match(result.text, /^staged changes\nintroduced:\ndrivers\/demo\/widget\.c:29:3: error LT4001/);
  } finally {
    await client.shutdown();
  }
});
