// `--timeout-ms` holds in every phase (issue 15, section 2): parsing and name checking, lowering,
// compiling and searching. Models with thousands of threads, which once took 40 s (2,000 threads)
// and ran for minutes at gigabytes (10,000), end with an honest `incomplete` verdict for `time`.
// The time limits below only catch a hang; speed is measured in bench/timeout.ts.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureBuilt, lifetime, STACK_LINE } from './bin';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-timeout-'));

/** A model with `threads` threads that each take one lock; compiling it grows with the square of the threads. */
function manyThreads(threads: number, expect: boolean): string {
  const lines = ['static table { lock m; flag f }'];
  for (let i = 0; i < threads; i++) lines.push(`thread t${i} { lock table.m; set table.f; unlock table.m }`);
  if (expect) lines.push('expect baseline: safe');
  return `${lines.join('\n')}\n`;
}

/** Runs the CLI; a run that outlives `limitMs` is killed and fails the test. */
function check(args: string[], limitMs = 90_000): { status: number | null; json: any; stderr: string } {
  const run = lifetime(['check', '--format', 'json', ...args], { timeoutMs: limitMs });
  assert.notEqual(run.status, null, `the check did not end within ${limitMs / 1000} s`);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  return { status: run.status, json: run.stdout ? JSON.parse(run.stdout) : undefined, stderr: run.stderr };
}

before(() => ensureBuilt());

interface JsonFile {
  diagnostics: { code: string; severity: string; message: string }[];
  proposals: { name: string; verdict: string; incompleteReason: string | null }[];
}

/**
 * Whether the check of a file stopped for time: in the engine (an incomplete verdict for `time`), or,
 * on a loaded machine, already while parsing and checking names (LT5031). Both are honest.
 */
function stoppedForTime(file: JsonFile): string | undefined {
  const [baseline] = file.proposals;
  if (baseline) return baseline.verdict === 'incomplete' && baseline.incompleteReason === 'time' && file.diagnostics.some((d) => d.code === 'LT3503') ? 'engine' : undefined;
  return file.diagnostics.some((d) => d.code === 'LT5031') ? 'front' : undefined;
}

for (const threads of [2_000, 10_000]) {
  test(`a ${threads.toLocaleString('en-US')}-thread model stops at --timeout-ms 2000 with an incomplete verdict for time`, () => {
    const file = path.join(dir, `threads-${threads}.lifetime`);
    fs.writeFileSync(file, manyThreads(threads, false));
    const run = check(['--timeout-ms', '2000', file]);
    assert.equal(run.status, 0, `an incomplete check without an expectation is a warning: ${run.stderr}`);
    assert.ok(stoppedForTime(run.json.files[0]), JSON.stringify(run.json.files[0]));
  });
}

test('an expectation a timed-out check cannot confirm fails with exit code 1', () => {
  const file = path.join(dir, 'expects.lifetime');
  fs.writeFileSync(file, manyThreads(10_000, true));
  const run = check(['--timeout-ms', '2000', file]);
  assert.equal(run.status, 1);
  const checked: JsonFile = run.json.files[0];
  const where = stoppedForTime(checked);
  assert.ok(where, JSON.stringify(checked));
  const failing = checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);
  assert.deepEqual(failing, [where === 'engine' ? 'LT3501' : 'LT5031']);
});

test('a proposal stopped by the watchdog keeps the verdicts of the others, before and after it', () => {
  const lines = ['static s { lock m; flag f }', 'thread a { lock s.m; set s.f; unlock s.m }', 'thread b { lock s.m; clear s.f; unlock s.m }', 'proposal many "thousands more threads" {'];
  for (let i = 0; i < 4_000; i++) lines.push(`  new thread t${i} { lock s.m; set s.f; unlock s.m }`);
  lines.push('}', 'proposal fine "one more thread" {', '  new thread c { lock s.m; unlock s.m }', '}', 'expect fine: safe');
  const file = path.join(dir, 'proposals.lifetime');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  // Parsing takes well under the budget even on a loaded machine; compiling 4,000 threads does not.
  const run = check(['--timeout-ms', '3000', file]);
  assert.equal(run.status, 0, run.stderr);
  const verdicts = (run.json.files[0] as JsonFile).proposals.map((p) => `${p.name} ${p.verdict} ${p.incompleteReason}`);
  assert.deepEqual(verdicts, ['baseline safe null', 'many incomplete time', 'fine safe null']);
});

test('parsing and name checking that outlive the budget leave the file unchecked, with LT5031', () => {
  // About 5 MB: parsing alone takes far longer than 100 ms.
  const text = manyThreads(80_000, false);
  const file = path.join(dir, 'huge.lifetime');
  fs.writeFileSync(file, text);
  const run = check(['--timeout-ms', '100', file]);
  assert.equal(run.status, 0, 'without an expectation, the file is a warning');
  assert.deepEqual(run.json.files[0].proposals, []);
  const [diagnostic] = run.json.files[0].diagnostics;
  assert.equal(diagnostic.code, 'LT5031');
  assert.equal(diagnostic.severity, 'warning');
  assert.match(diagnostic.message, /did not finish within the 100 ms time budget/);

  fs.writeFileSync(file, `${text}expect baseline: safe\n`);
  const expecting = check(['--timeout-ms', '100', file]);
  assert.equal(expecting.status, 1, 'an expectation that was never checked fails the run');
  assert.equal(expecting.json.files[0].diagnostics[0].severity, 'error');
});
