// The built language server over stdio, driven by a real JSON-RPC client.

import type { TraceViewData } from '../../server/src/core/features/traceView';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CodeLens, Hover, InlayHint, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { ensureBuilt, hasEngineDiagnostic, TestClient } from './lspClient';
import { slowModel, UAF_MODEL } from './models';

const URI = 'file:///test/uaf.lifetime';
let client: TestClient;

before(async () => {
  ensureBuilt();
  client = new TestClient();
  await client.initialize();
});

after(() => client.kill());

function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const document = TextDocument.create('file:///x', 'lifetime', 0, text);
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not in text`);
  return document.positionAt(offset + delta);
}

test('initialize announces the features', async () => {
  const probe = new TestClient();
  try {
    const result = (await probe.initialize()) as { capabilities: Record<string, unknown>; serverInfo: { name: string } };
    assert.equal(result.serverInfo.name, 'lifetime-language-server');
    assert.deepEqual(result.capabilities.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    for (const feature of ['hoverProvider', 'inlayHintProvider', 'codeLensProvider', 'codeActionProvider', 'renameProvider', 'documentFormattingProvider', 'semanticTokensProvider', 'completionProvider', 'signatureHelpProvider']) {
      assert.ok(result.capabilities[feature], `${feature} missing`);
    }
  } finally {
    await probe.shutdown();
  }
});

test('open: the violation sits on the failing step with the trace as related information', async () => {
  await client.open(URI, UAF_MODEL, 1);
  const published = await client.waitForDiagnostics(URI, (p) => p.version === 1 && hasEngineDiagnostic(p.diagnostics));
  const uaf = published.diagnostics.find((d) => d.code === 'LT3001');
  assert.ok(uaf, JSON.stringify(published.diagnostics));
  assert.deepEqual(uaf.range, { start: positionOf(UAF_MODEL, 'use mm }'), end: positionOf(UAF_MODEL, 'use mm }', 6) });
  assert.equal(uaf.codeDescription?.href.endsWith('docs/diagnostics.md#lt3001'), true);
  assert.deepEqual(
    uaf.relatedInformation?.map((r) => r.message),
    ['step 1, cpu1: put mm.users (mm.users 1→0)', 'step 2, cpu1: ↳ on zero of mm.users: free mm (frees mm)', 'step 3, cpu0: use mm'],
  );
  assert.equal(uaf.relatedInformation?.[0].location.uri, URI);
  assert.deepEqual(uaf.relatedInformation?.[0].location.range.start, positionOf(UAF_MODEL, 'put mm.users }'));
});

test('hover on a step shows what the search saw there', async () => {
  const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(UAF_MODEL, 'put mm.users }', 1) });
  const value = (hover.contents as { value: string }).value;
  assert.match(value, /Executed in \d+ reachable states? by cpu1/);
  assert.match(value, /\| `mm\.users` \| 1 \| 0 \|/);
  assert.match(value, /Can run in between: cpu0/);
});

test('hover on a proposal shows its verdict', async () => {
  const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(UAF_MODEL, 'hold "', 1) });
  assert.match((hover.contents as { value: string }).value, /Verdict: \*\*safe, as expected\*\* \(\d+ states/);
});

test('inlay hints show the observed transitions of get / put', async () => {
  const hints = await client.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: URI }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
  const onPut = hints.find((h) => h.position.line === 3);
  assert.equal(onPut?.label, 'users 1→0');
  assert.ok(hints.some((h) => h.position.line === 6 && String(h.label).includes('users 2→1')), JSON.stringify(hints));
});

test('code lenses carry the verdicts and the trace and re-check commands', async () => {
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: URI } });
  const titles = lenses.map((l) => l.command?.title);
  assert.ok(titles.includes('✓ use-after-free in 3 steps, as expected'), JSON.stringify(titles));
  assert.ok(titles.some((t) => /^✓ safe, as expected · \d+ states$/.test(t ?? '')), JSON.stringify(titles));
  assert.ok(lenses.some((l) => l.command?.command === 'lifetime.showTrace' && JSON.stringify(l.command.arguments) === JSON.stringify([URI, 'baseline'])));
  assert.ok(lenses.some((l) => l.command?.command === 'lifetime.recheck'));
});

test('a verified code action applied and re-checked', async () => {
  const text = UAF_MODEL;
  const range = { start: positionOf(text, 'use mm }'), end: positionOf(text, 'use mm }', 6) };
  const diagnostics = client.diagnostics.get(URI)?.diagnostics.filter((d) => d.code === 'LT3001') ?? [];
  const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: URI }, range, context: { diagnostics } });
  const apply = actions.find((a) => a.title.startsWith('Apply proposal hold to the baseline — verified: baseline safe'));
  assert.ok(apply, JSON.stringify(actions.map((a) => a.title)));
  assert.equal(apply.isPreferred, true);
  assert.equal(apply.diagnostics?.[0]?.code, 'LT3001');
  const edits = (apply.edit as WorkspaceEdit).changes?.[URI] as TextEdit[];
  const document = TextDocument.create(URI, 'lifetime', 1, text);
  const fixed = TextDocument.applyEdits(document, edits);
  await client.change(URI, 2, [{ text: fixed }]);
  const status = await client.waitForCheck(URI, 2);
  assert.equal(status.state, 'safe');
  const published = await client.waitForDiagnostics(URI, (p) => p.version === 2);
  assert.equal(published.diagnostics.filter((d) => d.severity === 1).length, 0, JSON.stringify(published.diagnostics));
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: URI } });
  // The applied proposal became the baseline: its block is gone, so the baseline's lens is the only verdict.
  assert.ok(!fixed.includes('proposal hold'), fixed);
  // The fix's title and the lens after it give the same state count: both come from the same search.
  const count = /baseline safe \(([\d,]+) states/.exec(apply.title)?.[1];
  assert.deepEqual(lenses.filter((l) => /^[✓✗]/.test(l.command?.title ?? '')).map((l) => l.command?.title), [`✓ safe, as expected · ${count} states`]);
  await client.change(URI, 3, [{ text: UAF_MODEL }]);
  await client.waitForDiagnostics(URI, (p) => p.version === 3 && hasEngineDiagnostic(p.diagnostics));
});

test('incremental change: an edit in the middle gives syntax diagnostics for its version', async () => {
  const start = positionOf(UAF_MODEL, 'use mm }');
  await client.change(URI, 4, [{ range: { start, end: start }, text: '{{ ' }]);
  const broken = await client.waitForDiagnostics(URI, (p) => p.version === 4);
  assert.ok(broken.diagnostics.some((d) => String(d.code).startsWith('LT1')), JSON.stringify(broken.diagnostics));
  assert.equal(hasEngineDiagnostic(broken.diagnostics), false);
  await client.change(URI, 5, [{ range: { start, end: { line: start.line, character: start.character + 3 } }, text: '' }]);
  const repaired = await client.waitForDiagnostics(URI, (p) => p.version === 5 && hasEngineDiagnostic(p.diagnostics));
  assert.ok(repaired.diagnostics.some((d) => d.code === 'LT3001'));
});

test('rename changes every occurrence, and is refused on a keyword', async () => {
  const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: URI }, position: positionOf(UAF_MODEL, 'mm {'), newName: 'mm_struct' });
  const edits = edit.changes?.[URI] ?? [];
  const renamed = TextDocument.applyEdits(TextDocument.create(URI, 'lifetime', 1, UAF_MODEL), edits);
  assert.equal(renamed, UAF_MODEL.replace(/\bmm\b/g, 'mm_struct'));
  await assert.rejects(
    client.request('textDocument/rename', { textDocument: { uri: URI }, position: positionOf(UAF_MODEL, 'use mm }', 1), newName: 'x' }),
    /"use" is a keyword/,
  );
  await assert.rejects(
    client.request('textDocument/rename', { textDocument: { uri: URI }, position: positionOf(UAF_MODEL, 'mm {'), newName: 'thread' }),
    /keyword/,
  );
});

test('formatting is idempotent and keeps comments', async () => {
  const uri = 'file:///test/messy.lifetime';
  const messy = 'model   m\n// a comment\nobject a{ref r=1 on zero free a}\nthread t   {\nuse a   // trailing\n      put a.r\n}\n';
  await client.open(uri, messy, 1);
  const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  const formatted = TextDocument.applyEdits(TextDocument.create(uri, 'lifetime', 1, messy), edits);
  assert.equal(formatted, 'model m\n// a comment\nobject a { ref r = 1 on zero free a }\nthread t {\n  use a   // trailing\n  put a.r\n}\n');
  await client.change(uri, 2, [{ text: formatted }]);
  const again = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.deepEqual(again, []);
});

test('a later edit cancels the check in flight; its stale result is never published', async () => {
  const uri = 'file:///test/slow.lifetime';
  await client.open(uri, slowModel(), 1);
  // The check starts once edits have settled (250 ms); let it run a while.
  await new Promise((resolve) => setTimeout(resolve, 700));
  const started = Date.now();
  await client.change(uri, 2, [{ text: UAF_MODEL }]);
  const published = await client.waitForDiagnostics(uri, (p) => p.version === 2 && hasEngineDiagnostic(p.diagnostics));
  // The slow model needs seconds of search; an answer for the new text this soon means it was abandoned.
  assert.ok(Date.now() - started < 3000, `the new result took ${Date.now() - started} ms`);
  assert.ok(published.diagnostics.some((d) => d.code === 'LT3001'));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const statuses = client.notifications.filter((n) => n.method === 'lifetime/status' && (n.params as { uri: string }).uri === uri).map((n) => (n.params as { state: string }).state);
  assert.equal(statuses.includes('incomplete'), false, JSON.stringify(statuses));
  assert.equal(client.diagnostics.get(uri)?.version, 2);
});

test('a malformed message does not take the server down', async () => {
  const probe = new TestClient();
  try {
    await probe.initialize();
    const body = '{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":';
    probe.child.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    await probe.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: 'file:///x.lifetime', languageId: 'lifetime', version: 1, text: 'thread {{{ ]]] "' } });
    assert.equal(await probe.request('textDocument/hover', { textDocument: { uri: 'file:///x.lifetime' } }), null);
    probe.child.stdin!.write('garbage header\r\n\r\n{"x":1}');
    await assert.rejects(probe.request('no/such/method', {}), /Unhandled method/);
    const hover = await probe.request<Hover>('textDocument/hover', { textDocument: { uri: 'file:///x.lifetime' }, position: { line: 0, character: 3 } });
    assert.equal(probe.exitCode, undefined);
    assert.match((hover.contents as { value: string }).value, /^`thread NAME \{ \.\.\. \}` runs concurrently/);
    assert.match(probe.stderr, /skipped 25 bytes of input with a malformed header/);
  } finally {
    probe.kill();
  }
});

test('a bad setting gives a warning naming it and the default, not a crash', async () => {
  const probe = new TestClient(['--stdio'], { check: { on: 'sometimes', maxStates: -5 } });
  try {
    await probe.initialize();
    const deadline = Date.now() + 5000;
    while (probe.shownMessages.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const messages = probe.shownMessages.map((m) => m.message);
    assert.ok(messages.some((m) => m.includes('"lifetime.check.on"') && m.includes('"sometimes"') && m.includes('"change"')), JSON.stringify(messages));
    assert.ok(messages.some((m) => m.includes('"lifetime.check.maxStates"') && m.includes('10000000')), JSON.stringify(messages));
  } finally {
    await probe.shutdown();
  }
});

test('shutdown and exit end the process with code 0', async () => {
  const probe = new TestClient();
  await probe.initialize();
  await probe.shutdown();
  assert.equal(probe.exitCode, 0);
});

test('a model with a C body is checked by the server', async () => {
  const uri = 'file:///test/cbody.lifetime';
  const text = 'model m\nstatic g { lock mutex }\nbind "&g->mutex" = g.mutex\nfn f() c {\n  mutex_lock(&g->mutex);\n}\nthread t { f() }\n';
  await client.open(uri, text, 1);
  const published = await client.waitForDiagnostics(uri, (p) => p.version === 1 && hasEngineDiagnostic(p.diagnostics));
  assert.ok(published.diagnostics.some((d) => d.code === 'LT3008'), JSON.stringify(published.diagnostics));
});

test('the trace and Promela requests the VS Code client uses', async () => {
  const uri = 'file:///test/requests.lifetime';
  await client.open(uri, UAF_MODEL, 1);
  await client.waitForDiagnostics(uri, (p) => p.version === 1 && hasEngineDiagnostic(p.diagnostics));
  const trace = await client.request<TraceViewData>('lifetime/trace', { uri, proposal: 'baseline' });
  assert.equal(trace.label, 'baseline');
  assert.equal(trace.fileName, 'requests.lifetime');
  assert.deepEqual(trace.violations[0].steps.map((s) => `${s.actor}@${s.range.start.line}`), ['cpu1@3', 'cpu1@1', 'cpu0@2']);
  assert.equal(await client.request('lifetime/trace', { uri: 'file:///not/open.lifetime' }), null);
  const promela = await client.request<{ text?: string; error?: string }>('lifetime/promela', { uri });
  assert.match(promela.text ?? '', /active proctype/);
  const notOpen = await client.request<{ text?: string; error?: string }>('lifetime/promela', { uri: 'file:///not/open.lifetime' });
  assert.equal(notOpen.error, 'file:///not/open.lifetime is not open.');
});
