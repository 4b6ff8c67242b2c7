// The server's commands through workspace/executeCommand, as any LSP client runs them (Neovim runs a
// code lens this way), and the workspace/symbol and textDocument/documentHighlight requests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DocumentHighlight, InitializeResult, SymbolInformation } from 'vscode-languageserver-protocol';
import { ensureBuilt, hasEngineDiagnostic, TestClient } from './lspClient';
import { slowModel, UAF_MODEL } from './models';

async function withClient(run: (client: TestClient) => Promise<void>, settings: Record<string, unknown> = {}): Promise<void> {
  ensureBuilt();
  const client = new TestClient(['--stdio'], settings);
  try {
    await run(client);
  } finally {
    await client.shutdown();
  }
}

function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const offset = text.indexOf(needle) + delta;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

test('the commands are advertised, except those the client says it runs itself', async () => {
  await withClient(async (client) => {
    const result = (await client.initialize()) as InitializeResult;
    assert.deepEqual(result.capabilities.executeCommandProvider?.commands, ['lifetime.recheck', 'lifetime.showTrace', 'lifetime.stopCheck', 'lifetime.review']);
    assert.equal(result.capabilities.workspaceSymbolProvider, true);
    assert.equal(result.capabilities.documentHighlightProvider, true);
  });
  await withClient(async (client) => {
    const result = (await client.initialize({ initializationOptions: { clientCommands: ['lifetime.showTrace', 'lifetime.stopCheck'] } })) as InitializeResult;
    assert.deepEqual(result.capabilities.executeCommandProvider?.commands, ['lifetime.recheck', 'lifetime.review']);
  });
});

test('Show trace in a client without showDocument: the trace as a message, and as the answer', async () => {
  await withClient(async (client) => {
    await client.initialize();
    const uri = 'file:///commands/uaf.lifetime';
    await client.open(uri, UAF_MODEL, 1);
    await client.waitForDiagnostics(uri, (p) => hasEngineDiagnostic(p.diagnostics));
    const text = await client.request<string>('workspace/executeCommand', { command: 'lifetime.showTrace', arguments: [uri, 'baseline'] });
    assert.match(text, /^uaf\.lifetime: as expected: baseline use-after-free, 1 proposal safe\nbaseline: use-after-free in 3 steps, as expected\n\nbaseline: use-after-free at uaf\.lifetime:3:15, 3 steps\n/);
    assert.match(text, /↳ on zero of mm\.users: free mm \(frees mm\)/);
    assert.match(text, /\/\/ Boom: use mm: mm was freed/);
    assert.ok(client.shownMessages.some((m) => m.type === 3 && m.message === text), JSON.stringify(client.shownMessages));
    const safe = await client.request<string>('workspace/executeCommand', { command: 'lifetime.showTrace', arguments: [uri, 'hold'] });
    assert.match(safe, /proposal hold: safe, as expected\nNo trace: the search found no violation\.\n$/);
  });
});

test('Show trace in a client with showDocument: the trace opens as a document outside the workspace', async () => {
  await withClient(async (client) => {
    await client.initialize({ window: { showDocument: { support: true } } });
    const uri = 'file:///commands/shown.lifetime';
    await client.open(uri, UAF_MODEL, 1);
    // Not checked yet: the command checks first.
    const text = await client.request<string>('workspace/executeCommand', { command: 'lifetime.showTrace', arguments: [uri] });
    assert.equal(client.shownDocuments.length, 1);
    const shown = client.shownDocuments[0];
    assert.equal(shown.takeFocus, true);
    const file = fileURLToPath(shown.uri);
    assert.ok(file.startsWith(os.tmpdir()), file);
    assert.equal(path.basename(file), 'shown.trace.txt');
    assert.equal(fs.readFileSync(file, 'utf8'), text);
    assert.ok(!client.shownMessages.some((m) => m.message === text), 'no message when the document was shown');
  });
});

test('Stop check stops a running check, which then waits for the next edit or a re-check', async () => {
  await withClient(async (client) => {
    await client.initialize();
    const uri = 'file:///commands/slow.lifetime';
    await client.open(uri, slowModel(), 1);
    await client.waitForDiagnostics(uri, (p) => p.version === 1);
    const deadline = Date.now() + 10_000;
    while (!client.notifications.some((n) => n.method === 'lifetime/status' && (n.params as { state: string }).state === 'checking') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const stopped = await client.request<string>('workspace/executeCommand', { command: 'lifetime.stopCheck', arguments: [uri] });
    assert.equal(stopped, 'The check was stopped.');
    const status = await client.waitForCheck(uri, 1);
    assert.deepEqual(status, { uri, version: 1, state: 'idle', text: 'check stopped; Lifetime: Check File runs it again' });
    await new Promise((r) => setTimeout(r, 600));
    const again = await client.request<string>('workspace/executeCommand', { command: 'lifetime.stopCheck', arguments: [uri] });
    assert.equal(again, 'No check is running for this document.');
  });
});

test('workspace/symbol finds the items of the open models and of the models in the folder', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-symbols-'));
  try {
    fs.mkdirSync(path.join(root, 'models', 'node_modules'), { recursive: true });
    fs.writeFileSync(path.join(root, 'models', 'saved.lifetime'), 'model saved\nobject domain { ref refs = 1 }\nthread release_domain { put domain.refs }\n');
    fs.writeFileSync(path.join(root, 'models', 'node_modules', 'hidden.lifetime'), 'model hidden\nobject domain_hidden { }\n');
    await withClient(async (client) => {
      await client.initialize({ rootUri: pathToFileURL(root).href });
      const open = pathToFileURL(path.join(root, 'open.lifetime')).href;
      await client.open(open, UAF_MODEL.replace('object mm', 'object mm_domain'), 1);
      const symbols = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'dom' });
      assert.deepEqual(
        symbols.map((s) => [s.name, path.basename(fileURLToPath(s.location.uri)), s.containerName ?? '']),
        [
          ['domain', 'saved.lifetime', ''],
          ['mm_domain', 'open.lifetime', ''],
          ['release_domain', 'saved.lifetime', ''],
        ],
      );
      const members = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'refs' });
      assert.deepEqual(members.map((s) => [s.name, s.containerName]), [['refs', 'domain']]);
    });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('documentHighlight marks the writes and the reads of a name', async () => {
  await withClient(async (client) => {
    await client.initialize();
    const uri = 'file:///commands/highlight.lifetime';
    await client.open(uri, UAF_MODEL, 1);
    const highlights = await client.request<DocumentHighlight[]>('textDocument/documentHighlight', { textDocument: { uri }, position: positionOf(UAF_MODEL, 'mm {', 1) });
    const lines = UAF_MODEL.split('\n');
    const shown = highlights.map((h) => `${h.kind === 3 ? 'write' : 'read'} ${h.range.start.line}: ${lines[h.range.start.line].slice(h.range.start.character - 5, h.range.end.character)}`);
    assert.deepEqual(shown.slice(0, 4), ['write 1: ject mm', 'write 1: free mm', 'read 2:  use mm', 'read 3:  put mm']);
  });
});
