// The check worker's host, without the command around it: a worker that runs out of heap stops its
// proposal for `memory` and the next proposal is still checked; verdicts arrive as the engine gives
// them; the host can be disposed of while idle.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CheckHost } from '../../server/src/cli/checkHost';

const workerPath = path.join(process.cwd(), 'out', 'server', 'src', 'cli', 'checkWorker.js');
const engine = { exact: false, timeoutMs: 60_000, proposals: [] };

test('a small model gets the same verdicts through the worker as the engine gives', async () => {
  const host = new CheckHost({ workerPath });
  try {
    const text = 'object o { ref r = 1 on zero free o }\nthread a { put o.r }\nthread b { use o }\nproposal held "b holds a reference" {\n  thread b { get o.r; use o; put o.r }\n}\nexpect baseline: use-after-free\nexpect held: get-from-zero\n';
    const report = await host.check({ path: 'm.lifetime', text, engine, apiFiles: [] });
    assert.deepEqual(report.proposals.map((p) => `${p.name} ${p.verdict} ${p.kind ?? ''}`), ['baseline violation use-after-free', 'held violation get-from-zero']);
    assert.ok(report.diagnostics.some((d) => d.code === 'LT3001' && d.severity === 'info'), 'the expected violation is an info');
    // SARIF draws each violation diagnostic's own trace: the map's keys must be the report's diagnostics.
    assert.ok(report.violations.size >= 2);
    for (const [diagnostic, proposal] of report.violations) {
      assert.ok(report.diagnostics.includes(diagnostic), `${diagnostic.code} is one of the report's diagnostics`);
      assert.ok(proposal.trace && proposal.trace.length > 0, 'with its trace');
    }
  } finally {
    await host.dispose();
  }
});

test('a worker that runs out of heap stops its proposal for memory, and the next proposal is still checked', async () => {
  const host = new CheckHost({ workerPath, maxHeapMiB: 48 });
  try {
    const lines = ['static s { lock m; flag f }', 'thread a { lock s.m; set s.f; unlock s.m }', 'proposal many "thousands more threads" {'];
    for (let i = 0; i < 6_000; i++) lines.push(`  new thread t${i} { lock s.m; set s.f; unlock s.m }`);
    lines.push('}', 'proposal fine "one more thread" {', '  new thread c { lock s.m; unlock s.m }', '}');
    const report = await host.check({ path: 'm.lifetime', text: `${lines.join('\n')}\n`, engine, apiFiles: [] });
    assert.deepEqual(report.proposals.map((p) => `${p.name} ${p.verdict} ${p.incompleteReason ?? ''}`), ['baseline safe ', 'many incomplete memory', 'fine safe ']);
  } finally {
    await host.dispose();
  }
});

/** A check worker that plans three proposals with the given schedule and logs each job it is given, in order. */
function schedulingWorker(dir: string, schedule: unknown): { workerPath: string; log: string } {
  const log = path.join(dir, 'jobs.log');
  const script = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const planned = ['a', 'b', 'c'].map((name, at) => ({ name, start: at, end: at + 1 }));
parentPort.on('message', (job) => {
  parentPort.postMessage({ type: 'begin' });
  fs.appendFileSync(${JSON.stringify(log)}, (job.only ?? 'front') + ' ' + job.workers + '\\n');
  if (job.only === null) parentPort.postMessage({ type: 'front', diagnostics: [], planned, schedule: ${JSON.stringify(schedule)}, expectations: [] });
  else {
    const at = planned.findIndex((p) => p.name === job.only);
    const result = { name: job.only, start: at, end: at + 1, verdict: 'safe', states: at + 1, transitions: 0, depth: 0, ms: 0 };
    parentPort.postMessage({ type: 'proposal', name: job.only, outcome: { result, diagnostics: [] } });
  }
  parentPort.postMessage({ type: 'end' });
});
`;
  const workerPath = path.join(dir, 'scheduling-worker.js');
  fs.writeFileSync(workerPath, script);
  return { workerPath, log };
}

test('the proposals go to the workers in the front phase\'s schedule, and the report keeps the planned order', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-host-'));
  try {
    for (const [schedule, taken] of [
      [[2, 0, 1], ['c', 'a', 'b']],
      // A schedule that is not a permutation of the planned proposals is ignored.
      [[2, 2, 0], ['a', 'b', 'c']],
      ['all', ['a', 'b', 'c']],
    ] as const) {
      const { workerPath: fake, log } = schedulingWorker(dir, schedule);
      fs.rmSync(log, { force: true });
      // One worker at a time, so that the log's order is the order the host gave the jobs in; the
      // worker is told the --jobs of the command, which the front phase plans for.
      const host = new CheckHost({ workerPath: fake, jobs: 1 });
      try {
        const report = await host.check({ path: 'm.lifetime', text: 'thread a { }\n', engine, apiFiles: [] });
        assert.deepEqual(report.proposals.map((p) => `${p.name} ${p.states}`), ['a 1', 'b 2', 'c 3']);
        assert.deepEqual(fs.readFileSync(log, 'utf8').trim().split('\n'), ['front 1', ...taken.map((name) => `${name} 1`)], JSON.stringify(schedule));
      } finally {
        await host.dispose();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
