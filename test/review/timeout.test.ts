// `lifetime review --timeout-ms` holds while a model the patch touches is lowered, compiled and
// searched (issue 15, section 2): the models are checked under `check`'s watchdog, so a patch adding
// a model with thousands of threads ends with an honest `incomplete` verdict for `time`. Without the
// watchdog such a model ran for minutes. The time limit below only catches a hang.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, lifetime, STACK_LINE } from '../cli/bin';

let dir = '';
before(() => {
  ensureBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-review-timeout-'));
  fs.mkdirSync(path.join(dir, 'tree'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A patch that adds `models/many.lifetime`: `threads` threads that each take one lock, and what the file expects. */
function addingManyThreads(threads: number, expectation: string): string {
  const lines = ['static table { lock m; flag f }'];
  for (let i = 0; i < threads; i++) lines.push(`thread t${i} { lock table.m; set table.f; unlock table.m }`);
  lines.push(expectation);
  return [
    'diff --git a/models/many.lifetime b/models/many.lifetime',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/models/many.lifetime',
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((line) => `+${line}`),
    '',
  ].join('\n');
}

function review(patch: string, format: string): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(dir, `${format}.patch`);
  fs.writeFileSync(file, patch);
  const limitMs = 60_000;
  const run = lifetime(['review', '--tree', path.join(dir, 'tree'), '--timeout-ms', '2000', '--format', format, file], { timeoutMs: limitMs });
  assert.notEqual(run.status, null, `the review did not end within ${limitMs / 1000} s`);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  return run;
}

test('a patch adding a 10,000-thread model stops at --timeout-ms 2000: the expectation it cannot confirm is introduced', () => {
  const run = review(addingManyThreads(10_000, 'expect baseline: safe'), 'json');
  assert.equal(run.status, 1, run.stderr);
  const json = JSON.parse(run.stdout);
  assert.deepEqual(
    json.introduced.map((f: { code: string; path: string; function: string; message: string }) => [f.code, f.path, f.function]),
    [['LT3501', 'models/many.lifetime', 'baseline']],
  );
  assert.match(json.introduced[0].message, /expected to be safe, but the search could not confirm it \(stopped at the time budget/);
  assert.match(run.stderr, /lifetime: note: models\/many\.lifetime: baseline is new: stopped at the time budget/);
});

test('without an expectation the incomplete verdict is a note, and the review passes', () => {
  const run = review(addingManyThreads(2_000, ''), 'text');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /models\/many\.lifetime: baseline is new: stopped at the time budget/);
  assert.match(run.stdout, /0 introduced, 0 fixed, 0 remaining/);
});
