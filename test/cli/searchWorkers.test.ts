// `lifetime check --exact --search-workers N`: one search on N threads gives the JSON report of one
// thread apart from the times, past the sequential probe, with a violation and without; a bad
// count is a usage error. Speed is measured in bench/parallel.ts.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureBuilt, lifetime, STACK_LINE } from './bin';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-search-workers-'));

before(() => ensureBuilt());

function check(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = lifetime(['check', ...args], { timeoutMs: 180_000 });
  assert.notEqual(run.status, null, 'the check did not end within 180 s');
  assert.doesNotMatch(run.stderr, STACK_LINE);
  return run;
}

function withoutTimes(json: string): unknown {
  return JSON.parse(json, (key, value) => (key === 'ms' && typeof value === 'number' ? 0 : value));
}

test('--search-workers 2 gives the JSON report of --search-workers 1 on searches of a few hundred thousand states', () => {
  // The rbd id model of the gallery beside 13 threads that each set a flag of their own: the
  // baseline has an assertion violation, the proposal is safe, and both pass 100,000 states.
  const rbd = fs.readFileSync(path.join(process.cwd(), 'examples/patterns/id-freed-before-release.lifetime'), 'utf8');
  const flags = Array.from({ length: 13 }, (_, k) => `flag f${k}`).join('; ');
  const threads = Array.from({ length: 13 }, (_, k) => `thread t${k} { set noise.f${k} }`).join('\n');
  const file = path.join(dir, 'rbd-with-noise.lifetime');
  fs.writeFileSync(file, `${rbd}\nstatic noise { ${flags} }\n${threads}\n`);
  const one = check(['--format', 'json', '--exact', file]);
  const two = check(['--format', 'json', '--exact', '--search-workers', '2', file]);
  assert.equal(two.status, one.status);
  const report = withoutTimes(one.stdout) as { files: { proposals: { verdict: string; states: number }[] }[] };
  const proposals = report.files[0].proposals;
  assert.deepEqual(proposals.map((p) => p.verdict), ['violation', 'safe']);
  assert.ok(proposals.every((p) => p.states > 100_000), `states: ${proposals.map((p) => p.states).join(', ')}`);
  assert.deepEqual(withoutTimes(two.stdout), report);
});

test('--search-workers needs a whole number of threads', () => {
  for (const value of ['0', 'two', '65']) {
    const run = check(['--search-workers', value, 'examples/']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--search-workers needs a whole number of threads from 1 to 64/);
  }
});
