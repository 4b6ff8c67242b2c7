// One large document must not block the others: hovers on a small model, one after another, while a
// 5 MB model and a 200,000-line kernel C file are opened and analysed (C checks on, `check.on:
// manual`, so that only the analysis is measured, not the model checker's worker). Each run starts a
// fresh server; the figures are medians over the runs:
//   - hover-max: the longest hover round trip on the small model while the large documents were
//     being analysed (until both had their diagnostics);
//   - large-ready: from opening the large documents until both had their diagnostics;
//   - server CPU: the server process's user + system time over the run (from /proc).
// Run with `BENCH_LARGE=only node out/bench/lsp.js` (BENCH_RUNS sets the number of runs, default 3).
// LIFETIME_SERVER=path/to/server.js measures another build, e.g. an older one for a before/after ratio.

import * as fs from 'node:fs';
import { SERVER_NODE_FLAGS } from '../server/src/lsp/nodeFlags';
import { ensureBuilt, SERVER_PATH, TestClient } from '../test/lsp/lspClient';
import { largeModel, UAF_MODEL } from '../test/lsp/models';

const SMALL_URI = 'file:///bench/small.lifetime';
const LARGE_MODEL_URI = 'file:///bench/huge.lifetime';
const LARGE_C_URI = 'file:///bench/huge.c';
const MODEL_BYTES = 5 * 1024 * 1024;
const C_LINES = 200_000;
const READY_TIMEOUT_MS = 300_000;

/** A kernel-like C file of about `lines` lines: functions that lock, allocate and unwind on errors. */
export function largeCFile(lines: number): string {
  const out: string[] = ['#include <linux/mutex.h>', '#include <linux/slab.h>', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `static int demo_op${i}(struct demo *d, int v)`,
      '{',
      '\tstruct item *it;',
      '',
      '\tmutex_lock(&d->lock);',
      '\tit = kzalloc(sizeof(*it), GFP_KERNEL);',
      '\tif (!it) {',
      '\t\tmutex_unlock(&d->lock);',
      '\t\treturn -ENOMEM;',
      '\t}',
      `\tit->value = v + ${i};`,
      '\tlist_add(&it->node, &d->items);',
      '\tmutex_unlock(&d->lock);',
      '\treturn 0;',
      '}',
      '',
    );
  }
  return out.join('\n') + '\n';
}

/** A model of about `bytes` bytes. */
function modelOfBytes(bytes: number): string {
  const perLine = largeModel(2000).length / 2000;
  return largeModel(Math.ceil(bytes / perLine));
}

function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (ms: number) => (Number.isNaN(ms) ? 'n/a' : ms.toFixed(0));

interface RunFigures {
  hoverMax: number;
  hovers: number;
  largeReady: number;
  cpu: number;
}

async function oneRun(model: string, cFile: string): Promise<RunFigures> {
  const settings = { c: { enable: true }, check: { on: 'manual' } };
  const client = new TestClient(['--stdio'], settings, SERVER_NODE_FLAGS);
  try {
    await client.initialize({ initializationOptions: { settings } });
    await client.open(SMALL_URI, UAF_MODEL, 1);
    await client.waitForDiagnostics(SMALL_URI, (p) => p.version === 1, 60_000);
    const position = { line: 2, character: 19 };
    for (let i = 0; i < 20; i++) await client.request('textDocument/hover', { textDocument: { uri: SMALL_URI }, position });
    const cpuBefore = cpuMs(client.child.pid);
    const opened = performance.now();
    const modelReady = client.waitForDiagnostics(LARGE_MODEL_URI, (p) => p.version === 1, READY_TIMEOUT_MS);
    const cReady = client.waitForDiagnostics(LARGE_C_URI, (p) => p.version === 1, READY_TIMEOUT_MS);
    await client.open(LARGE_MODEL_URI, model, 1);
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: LARGE_C_URI, languageId: 'c', version: 1, text: cFile } });
    let done = false;
    const ready = Promise.all([modelReady, cReady]).then(() => {
      done = true;
      return performance.now() - opened;
    });
    let hoverMax = 0;
    let hovers = 0;
    while (!done) {
      const started = performance.now();
      await client.request('textDocument/hover', { textDocument: { uri: SMALL_URI }, position });
      hoverMax = Math.max(hoverMax, performance.now() - started);
      hovers++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const largeReady = await ready;
    return { hoverMax, hovers, largeReady, cpu: cpuMs(client.child.pid) - cpuBefore };
  } finally {
    client.kill();
  }
}

export async function benchLargeDocuments(): Promise<void> {
  ensureBuilt();
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3) || 3);
  const model = modelOfBytes(MODEL_BYTES);
  const cFile = largeCFile(C_LINES);
  const figures: RunFigures[] = [];
  for (let i = 0; i < runs; i++) figures.push(await oneRun(model, cFile));
  const modelMiB = (Buffer.byteLength(model) / (1024 * 1024)).toFixed(1);
  console.log(`server: ${SERVER_PATH}`);
  console.log(`large documents: a ${modelMiB} MiB model and a ${cFile.split('\n').length - 1}-line C file, opened beside a small model; ${runs} runs`);
  for (const [i, f] of figures.entries()) console.log(`run ${i + 1}: hover-max ${fmt(f.hoverMax)} ms over ${f.hovers} hovers, large-ready ${fmt(f.largeReady)} ms, server CPU ${fmt(f.cpu)} ms`);
  console.log(
    `lsp-large: hover-max median ${fmt(median(figures.map((f) => f.hoverMax)))} ms, large-ready median ${fmt(median(figures.map((f) => f.largeReady)))} ms, server CPU median ${fmt(median(figures.map((f) => f.cpu)))} ms`,
  );
}
