// The engine host against small stand-in worker scripts: restart after a crash (told once per
// crash), cancellation, and replacement of a worker that ignores cancellation.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineHost } from '../../server/src/lsp/engineHost';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-engine-host-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A worker that answers with the text's length, crashes on "crash" and spins on "spin". */
const workerPath = path.join(dir, 'worker.js');
fs.writeFileSync(
  workerPath,
  `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m.text === 'crash') process.exit(3);
  if (m.text === 'spin') { const end = Date.now() + 60000; while (Date.now() < end) {} }
  if (m.text === 'wait') {
    const flag = new Int32Array(m.cancelFlag);
    const end = Date.now() + 10000;
    while (Date.now() < end) { if (Atomics.load(flag, 0) !== 0) { parentPort.postMessage({ type: 'cancelled', id: m.id }); return; } }
  }
  parentPort.postMessage({ type: 'result', id: m.id, result: { proposals: [], diagnostics: [{ code: 'LT0000', kind: 'x', severity: 'info', message: String(m.text.length), start: 0, end: 0 }] }, ms: 1 });
});
`,
);
const options = { maxStates: 10, timeoutMs: 20_000, exact: false, collectFacts: false };

test('a job is answered with the worker result', async () => {
  const host = new EngineHost(workerPath, () => assert.fail('no crash expected'));
  const outcome = await host.run('hello', options).outcome;
  assert.equal(outcome.status, 'done');
  assert.equal(outcome.status === 'done' && outcome.result.diagnostics[0].message, '5');
  await host.dispose();
});

test('a worker that dies is restarted and the owner told; the next job works', async () => {
  const reasons: string[] = [];
  const host = new EngineHost(workerPath, (reason) => reasons.push(reason));
  const crashed = await host.run('crash', options).outcome;
  assert.equal(crashed.status, 'failed');
  assert.match(crashed.status === 'failed' ? crashed.message : '', /exited with code 3/);
  assert.deepEqual(reasons, ['the engine worker exited with code 3']);
  const next = await host.run('abc', options).outcome;
  assert.equal(next.status, 'done');
  await host.dispose();
});

test('cancel answers at once and the worker sees the shared flag', async () => {
  const host = new EngineHost(workerPath, () => assert.fail('no crash expected'));
  const run = host.run('wait', options);
  setTimeout(() => run.cancel(), 50);
  assert.deepEqual(await run.outcome, { status: 'cancelled' });
  const next = await host.run('after', options).outcome;
  assert.equal(next.status, 'done');
  await host.dispose();
});

test('a worker that ignores cancellation is replaced, and queued jobs still get answers', async () => {
  const host = new EngineHost(workerPath, () => assert.fail('a deliberate replacement is not a crash'));
  const spinning = host.run('spin', options);
  const queued = host.run('queued', options);
  await new Promise((resolve) => setTimeout(resolve, 50));
  spinning.cancel();
  const started = Date.now();
  const outcome = await queued.outcome;
  assert.equal(outcome.status, 'done');
  assert.ok(Date.now() - started < 10_000);
  await host.dispose();
});
