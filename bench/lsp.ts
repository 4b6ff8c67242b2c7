// LSP latency over stdio with a real client (vscode-jsonrpc) against the built server, on a
// 2,000-line model whose check takes seconds, the server started with the VS Code client's node flags:
//   - change-to-diagnostics: an incremental edit until the diagnostics of that version arrive,
//     edits 50 ms apart (a fast typist), while each edit restarts the engine in its worker;
//   - hover-during-check: hover round trips while an engine run is in flight.
// Run with `npm run bench:lsp`; the last line is the summary the targets are checked against.
// BENCH_LARGE=only runs instead the large-document benchmark of lspLarge.ts (hovers on a small model
// while a 5 MB model and a 200k-line C file are analysed); BENCH_LARGE=also runs both.

import { TextDocument } from 'vscode-languageserver-textdocument';
import { SERVER_NODE_FLAGS } from '../server/src/lsp/nodeFlags';
import { ensureBuilt, TestClient } from '../test/lsp/lspClient';
import { largeModel, slowModel } from '../test/lsp/models';
import { benchLargeDocuments } from './lspLarge';

const URI = 'file:///bench/large.lifetime';
const CHANGES = 200;
/** Edits before measuring, so that the server's code is compiled by the JIT as in a long session. */
const WARMUP = 20;
const HOVERS = 300;
const PACE_MS = 50;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (ms: number) => ms.toFixed(1);

async function main(): Promise<void> {
  ensureBuilt();
  const slow = slowModel().split('\n').slice(1).join('\n');
  const text = largeModel(2000 - slow.split('\n').length) + slow;
  const lineCount = text.split('\n').length - 1;
  // The server runs with the node flags the VS Code client starts it with.
  const client = new TestClient(['--stdio'], {}, SERVER_NODE_FLAGS);
  await client.initialize();
  let document = TextDocument.create(URI, 'lifetime', 1, text);
  await client.open(URI, text, 1);
  await client.waitForDiagnostics(URI, (p) => p.version === 1, 60_000);

  // Change to diagnostics.
  const changeLatencies: number[] = [];
  const commentLines: number[] = [];
  for (let line = 0; line < document.lineCount; line++) if (document.getText({ start: { line, character: 0 }, end: { line, character: 2 } }) === '//') commentLines.push(line);
  for (let i = 0; i < WARMUP + CHANGES; i++) {
    const line = commentLines[(i * 7) % commentLines.length];
    const insert = i % 2 === 0;
    const lineLength = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '').length;
    const change = insert
      ? { range: { start: { line, character: lineLength }, end: { line, character: lineLength } }, text: 'x' }
      : { range: { start: { line, character: lineLength - 1 }, end: { line, character: lineLength } }, text: '' };
    const version = document.version + 1;
    document = TextDocument.update(document, [change], version);
    const started = performance.now();
    const arrived = client.waitForDiagnostics(URI, (p) => p.version === version, 30_000);
    await client.change(URI, version, [change]);
    await arrived;
    if (i >= WARMUP) changeLatencies.push(performance.now() - started);
    await sleep(PACE_MS);
  }

  // Hover while a check is in flight.
  const version = document.version + 1;
  const edit = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// hover run\n' };
  document = TextDocument.update(document, [edit], version);
  await client.change(URI, version, [edit]);
  await client.waitForDiagnostics(URI, (p) => p.version === version, 30_000);
  const hoverLatencies: number[] = [];
  let inFlight = 0;
  const targets: { line: number; character: number }[] = [];
  for (let line = 0; line < document.lineCount && targets.length < HOVERS; line += 5) {
    const content = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    const word = content.search(/[a-z]/);
    if (word >= 0) targets.push({ line, character: word + 1 });
  }
  for (const position of targets) {
    const finished = () => client.notifications.some((n) => n.method === 'lifetime/status' && (n.params as { version: number; state: string }).version === version && (n.params as { state: string }).state !== 'checking');
    const started = performance.now();
    await client.request('textDocument/hover', { textDocument: { uri: URI }, position });
    const elapsed = performance.now() - started;
    if (!finished()) {
      inFlight++;
      hoverLatencies.push(elapsed);
    }
  }
  await client.shutdown();

  console.log(`model: ${lineCount} lines; ${CHANGES} edits ${PACE_MS} ms apart after ${WARMUP} warm-up edits; ${targets.length} hovers, ${inFlight} while the check ran`);
  console.log(`change-to-diagnostics: p50 ${fmt(percentile(changeLatencies, 50))} ms, p95 ${fmt(percentile(changeLatencies, 95))} ms, max ${fmt(Math.max(...changeLatencies))} ms`);
  if (hoverLatencies.length === 0) throw new Error('the check finished before any hover; the benchmark model is too small for this machine');
  console.log(`hover-during-check: p50 ${fmt(percentile(hoverLatencies, 50))} ms, p95 ${fmt(percentile(hoverLatencies, 95))} ms, max ${fmt(Math.max(...hoverLatencies))} ms`);
  console.log(`lsp: change-to-diagnostics p95 ${fmt(percentile(changeLatencies, 95))} ms, hover-during-check p95 ${fmt(percentile(hoverLatencies, 95))} ms`);
}

const large = process.env.BENCH_LARGE;
const run = large === 'only' ? benchLargeDocuments : large === 'also' ? () => main().then(benchLargeDocuments) : main;
run().catch((error) => {
  console.error(`bench:lsp failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
