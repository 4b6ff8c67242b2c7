// `lifetime check --jobs N`: a file's proposals, and different files, run on N workers at once,
// and the output is the one of `--jobs 1` apart from the times; `--timeout-ms` still stops one
// proposal while the others keep their verdicts. Speed is measured in bench/jobs.ts.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { proposalNames } from '../../server/src/core/engine/index';
import { proposalSchedule } from '../../server/src/core/engine/schedule';
import { parse } from '../../server/src/core/syntax/parser';
import { ensureBuilt, fixture, lifetime, STACK_LINE } from './bin';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-jobs-'));

before(() => ensureBuilt());

function check(args: string[], limitMs = 180_000): { status: number | null; stdout: string; stderr: string } {
  const run = lifetime(['check', ...args], { timeoutMs: limitMs });
  assert.notEqual(run.status, null, `the check did not end within ${limitMs / 1000} s`);
  assert.doesNotMatch(run.stderr, STACK_LINE);
  return run;
}

/** The JSON report with each proposal's time (the one field that may differ between runs) set to 0. */
function withoutTimes(json: string): unknown {
  return JSON.parse(json, (key, value) => (key === 'ms' && typeof value === 'number' ? 0 : value));
}

test('the gallery gives the same JSON and SARIF with --jobs 2 as with --jobs 1', () => {
  const one = check(['--format', 'json', '--jobs', '1', 'examples/']);
  const two = check(['--format', 'json', '--jobs', '2', 'examples/']);
  assert.equal(two.status, one.status);
  const report = withoutTimes(one.stdout) as { files: { proposals: unknown[] }[] };
  assert.ok(report.files.length >= 5 && report.files.some((file) => file.proposals.length >= 4), 'the gallery has files with four or more proposals');
  assert.deepEqual(withoutTimes(two.stdout), report);
  // SARIF has no times: the bytes are the same.
  const sarifOne = check(['--format', 'sarif', '-j', '1', 'examples/']);
  const sarifTwo = check(['--format', 'sarif', '-j', '2', 'examples/']);
  assert.equal(sarifTwo.stdout, sarifOne.stdout);
});

test('proposals of very different sizes, taken largest first by --jobs 2, give the output of --jobs 1 in the file\'s order', () => {
  const model = fixture('mixed-sizes.lifetime');
  // The test is only worth its time if --jobs 2 takes the proposals out of the file's order (as it
  // does unless the machine is so loaded that the estimates outlive their budget: the output must
  // be the same either way).
  const file = parse(fs.readFileSync(model, 'utf8')).file;
  const names = proposalNames(file);
  const schedule = proposalSchedule(file, names, 2, 60_000);
  assert.equal(names[schedule[0]], 'third_lookup', 'the largest proposal goes first');
  assert.notDeepEqual(schedule, names.map((_, at) => at));
  for (const mode of [['--exact'], []]) {
    const one = check(['--format', 'json', ...mode, '--jobs', '1', model]);
    const two = check(['--format', 'json', ...mode, '--jobs', '2', model]);
    assert.equal(two.status, one.status);
    const report = withoutTimes(one.stdout) as { files: { proposals: { name: string; verdict: string; trace?: unknown[] }[] }[] };
    const proposals = report.files[0].proposals;
    assert.deepEqual(proposals.map((p) => p.name), names, 'in the file\'s order');
    assert.deepEqual(proposals.filter((p) => p.verdict === 'violation' && (p.trace?.length ?? 0) > 0).map((p) => p.name), ['no_drain', 'stop_only'], 'with two traces');
    assert.deepEqual(withoutTimes(two.stdout), report, `${mode.join(' ')}`);
  }
  const sarifOne = check(['--format', 'sarif', '--exact', '--jobs', '1', model]);
  const sarifTwo = check(['--format', 'sarif', '--exact', '--jobs', '2', model]);
  assert.equal(sarifTwo.stdout, sarifOne.stdout);
});

test('--simulate with a seed gives the same runs with --jobs 2 as with --jobs 1', () => {
  const args = ['--format', 'json', '--simulate', '20', '--seed', '7', 'examples/iommu-release-device-ordering.lifetime'];
  const one = check([...args, '--jobs', '1']);
  const two = check([...args, '--jobs=2']);
  assert.deepEqual(withoutTimes(two.stdout), withoutTimes(one.stdout));
});

test('under --jobs 2, --timeout-ms stops the slow proposal of each file and the others keep their verdicts, in order', () => {
  const files: string[] = [];
  for (const name of ['first', 'second']) {
    const lines = ['static s { lock m; flag f }', 'thread a { lock s.m; set s.f; unlock s.m }', 'proposal many "thousands more threads" {'];
    for (let i = 0; i < 4_000; i++) lines.push(`  new thread t${i} { lock s.m; set s.f; unlock s.m }`);
    lines.push('}', 'proposal fine "one more thread" {', '  new thread c { lock s.m; unlock s.m }', '}', 'expect fine: safe');
    const file = path.join(dir, `${name}.lifetime`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    files.push(file);
  }
  const started = Date.now();
  const run = check(['--format', 'json', '--jobs', '2', '--timeout-ms', '3000', ...files], 90_000);
  assert.equal(run.status, 0, run.stderr);
  const json = JSON.parse(run.stdout) as { files: { path: string; proposals: { name: string; verdict: string; incompleteReason: string | null }[] }[] };
  assert.deepEqual(
    json.files.map((file) => path.basename(file.path)),
    ['first.lifetime', 'second.lifetime'],
  );
  for (const file of json.files) {
    assert.deepEqual(
      file.proposals.map((p) => `${p.name} ${p.verdict} ${p.incompleteReason}`),
      ['baseline safe null', 'many incomplete time', 'fine safe null'],
    );
  }
  // Two slow proposals of 3 s each (plus the watchdog's slack) on two workers, not minutes.
  assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
});

test('--jobs needs a whole number of workers', () => {
  for (const value of ['0', 'two', '1000']) {
    const run = lifetime(['check', '--jobs', value, 'examples/']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--jobs needs a whole number of workers from 1 to 256/);
  }
});
