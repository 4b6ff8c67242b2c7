// 10,000 random edits to one document: inserts, deletes, garbage and undos, as fast as the client
// can send them. The server must stay up, answer a final hover correctly, and keep its memory flat.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Hover } from 'vscode-languageserver-protocol';
import { ensureBuilt, hasEngineDiagnostic, TestClient } from './lspClient';
import { UAF_MODEL } from './models';

const URI = 'file:///stress/uaf.lifetime';
const EDITS = 10_000;
const SNIPPETS = ['get ', 'put mm.users', '{', '}', '}}}', '"', '/*', '*/', '//', '\n', 'thread t { ', 'object ', 'proposal p {', '(', ')', '.', '..', '->', 'é€😀', '\u0000', '-', '999999999999', 'expect x: y', 'c {', ' '];

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Change {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

let client: TestClient;
before(async () => {
  ensureBuilt();
  client = new TestClient(['--stdio'], {}, ['--expose-gc']);
  await client.initialize();
});
after(() => client.kill());

test('ten thousand random edits: the server stays up, answers correctly and its memory stays flat', { timeout: 180_000 }, async () => {
  const random = prng(20240917);
  let document = TextDocument.create(URI, 'lifetime', 1, UAF_MODEL);
  await client.open(URI, UAF_MODEL, 1);
  await client.waitForDiagnostics(URI, (p) => p.version === 1 && hasEngineDiagnostic(p.diagnostics));
  const undo: Change[] = [];
  let version = 1;
  const memory: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const text = document.getText();
    let change: Change;
    const roll = random();
    if (roll < 0.25 && undo.length > 0) {
      change = undo.pop()!;
    } else {
      const start = Math.floor(random() * (text.length + 1));
      const deleting = roll < 0.55 || text.length > 4000;
      const end = deleting ? Math.min(text.length, start + Math.floor(random() * 12)) : start;
      const inserted = deleting && random() < 0.5 ? '' : SNIPPETS[Math.floor(random() * SNIPPETS.length)];
      change = { range: { start: document.positionAt(start), end: document.positionAt(end) }, text: inserted };
      const removed = text.slice(start, end);
      const afterInsert = document.positionAt(start);
      // The inverse edit, recorded against the document after this change.
      const next = TextDocument.update(TextDocument.create(URI, 'lifetime', 0, text), [change], 0);
      undo.push({ range: { start: afterInsert, end: next.positionAt(start + inserted.length) }, text: removed });
      if (undo.length > 50) undo.shift();
    }
    version++;
    document = TextDocument.update(document, [change], version);
    void client.change(URI, version, [change]);
    if (i % 1000 === 999) {
      // A round trip paces the client and checks that the server is alive and answering.
      await client.request('textDocument/hover', { textDocument: { uri: URI }, position: { line: 0, character: 1 } });
      const usage = await client.request<{ heapUsed: number }>('lifetime/memory', {});
      memory.push(usage.heapUsed);
    }
  }
  assert.equal(client.exitCode, undefined, `the server exited: ${client.stderr}`);
  version++;
  await client.change(URI, version, [{ text: UAF_MODEL }]);
  await client.waitForDiagnostics(URI, (p) => p.version === version && hasEngineDiagnostic(p.diagnostics), 30_000);
  const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: URI }, position: { line: 3, character: 15 } });
  // The step's place in the counterexample, then what the whole search saw there: the engine ran.
  assert.match((hover.contents as { value: string }).value, /^\*\*Step 1 of 3\*\* of baseline's use-after-free trace: cpu1 runs `put mm\.users/);
  assert.match((hover.contents as { value: string }).value, /\n---\n\n\*\*`put mm\.users`\*\* — baseline\n/);
  if (process.env.LIFETIME_STRESS_VERBOSE) console.log(`heap after each 1,000 edits: ${memory.join(", ")}`);
  const first = memory[1];
  const last = memory[memory.length - 1];
  assert.ok(last < first * 1.5 + 8 * 1024 * 1024, `heap grew from ${first} to ${last} bytes: ${memory.join(', ')}`);
});
