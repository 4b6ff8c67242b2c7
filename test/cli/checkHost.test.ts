// The check worker's host, without the command around it: a worker that runs out of heap stops its
// proposal for `memory` and the next proposal is still checked; verdicts arrive as the engine gives
// them; the host can be disposed of while idle.

import assert from 'node:assert/strict';
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
