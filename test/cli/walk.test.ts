// A directory run never checks nothing because of one file (issue 15 section 2, issue 12 item 7):
// a file inside a walked directory that cannot be read (over 8 MiB, a FIFO, not UTF-8) is reported
// as an LT5030 warning of kind `input` and skipped, and the rest is checked. A file named explicitly
// keeps exit code 2, and so does a directory none of whose files can be read.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureBuilt, fixture, lifetime, ROOT, STACK_LINE } from './bin';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-walk-'));
const tree = path.join(scratch, 'drivers');

/** Over the 8 MiB limit, made sparse so that the test writes almost nothing. */
function oversized(file: string): void {
  fs.writeFileSync(file, '');
  fs.truncateSync(file, 8 * 1024 * 1024 + 1);
}

before(() => {
  ensureBuilt();
  fs.mkdirSync(path.join(tree, 'gpu'), { recursive: true });
  oversized(path.join(tree, 'gpu', 'asic_reg.h'));
  fs.copyFileSync(path.join(ROOT, fixture('leak.c')), path.join(tree, 'gpu', 'probe.c'));
  fs.copyFileSync(path.join(ROOT, fixture('clean.lifetime')), path.join(tree, 'model.lifetime'));
  fs.writeFileSync(path.join(tree, 'latin1.c'), Buffer.concat([Buffer.from('/* caf'), Buffer.from([0xe9]), Buffer.from(' */\nint x;\n')]));
  execFileSync('mkfifo', [path.join(tree, 'pipe.h')]);
});

interface JsonFile {
  path: string;
  diagnostics: { code: string; kind: string; severity: string; message: string; line: number; column: number }[];
  proposals: { name: string; verdict: string }[];
}

test('unreadable files inside a walked directory are skipped with LT5030, and the rest is checked', () => {
  const run = lifetime(['check', '--format', 'json', 'drivers'], { cwd: scratch });
  assert.doesNotMatch(run.stderr, STACK_LINE);
  // The leak in probe.c is an error: the exit code is the findings', not an input error's.
  assert.equal(run.status, 1, run.stderr);
  const files: JsonFile[] = JSON.parse(run.stdout).files;
  assert.deepEqual(
    files.map((file) => file.path),
    ['drivers/gpu/asic_reg.h', 'drivers/gpu/probe.c', 'drivers/latin1.c', 'drivers/model.lifetime', 'drivers/pipe.h'],
    'every file, in walk order, skipped or not',
  );
  const skipped = (name: string) => files.find((file) => file.path === name)!.diagnostics;
  for (const [name, reason] of [
    ['drivers/gpu/asic_reg.h', /is 8\.0 MiB, over the 8 MiB limit; skipped/],
    ['drivers/latin1.c', /is not valid UTF-8 \(line 1, byte 7 of the file\); skipped/],
    ['drivers/pipe.h', /cannot be read: it is a FIFO; skipped/],
  ] as const) {
    const diagnostics = skipped(name);
    assert.equal(diagnostics.length, 1, name);
    assert.equal(diagnostics[0].code, 'LT5030');
    assert.equal(diagnostics[0].kind, 'input');
    assert.equal(diagnostics[0].severity, 'warning');
    assert.match(diagnostics[0].message, reason);
  }
  assert.ok(skipped('drivers/gpu/probe.c').some((d) => d.code === 'LT4001'), 'the C file next to the oversized header is checked');
  assert.deepEqual(
    files.find((file) => file.path === 'drivers/model.lifetime')!.proposals.map((p) => `${p.name} ${p.verdict}`),
    ['baseline violation', 'locked safe'],
  );
});

test('the text output names each skipped file and counts it apart', () => {
  const run = lifetime(['check', 'drivers'], { cwd: scratch });
  assert.equal(run.status, 1);
  assert.match(run.stdout, /^drivers\/gpu\/asic_reg\.h:1:1: warning LT5030: drivers\/gpu\/asic_reg\.h: is 8\.0 MiB, over the 8 MiB limit; skipped, and the rest is checked$/m);
  assert.match(run.stdout, /^2 files checked \(3 skipped\): /m);
});

test('SARIF carries the skipped files as results', () => {
  const run = lifetime(['check', '--format', 'sarif', 'drivers'], { cwd: scratch });
  const results = JSON.parse(run.stdout).runs[0].results as { ruleId: string; level: string }[];
  assert.equal(results.filter((result) => result.ruleId === 'LT5030' && result.level === 'warning').length, 3);
});

test('a file named explicitly keeps exit code 2', () => {
  const run = lifetime(['check', 'drivers/gpu/asic_reg.h', 'drivers/model.lifetime'], { cwd: scratch });
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'lifetime: drivers/gpu/asic_reg.h: is 8.0 MiB, over the 8 MiB limit\n');
});

test('a directory none of whose files can be read still exits 2: skipping would check nothing', () => {
  const run = lifetime(['check', 'drivers/gpu'], { cwd: scratch });
  assert.equal(run.status, 1, 'drivers/gpu has probe.c, whose leak is an error');
  const only = path.join(scratch, 'headers');
  fs.mkdirSync(only);
  oversized(path.join(only, 'big.h'));
  const empty = lifetime(['check', 'headers', 'drivers/model.lifetime'], { cwd: scratch });
  assert.equal(empty.status, 2);
  assert.equal(empty.stderr, 'lifetime: headers/big.h: is 8.0 MiB, over the 8 MiB limit\n');
});

test('the gallery and export keep every unreadable model an input error', () => {
  const models = path.join(scratch, 'models');
  fs.mkdirSync(models);
  fs.copyFileSync(path.join(ROOT, fixture('clean.lifetime')), path.join(models, 'clean.lifetime'));
  oversized(path.join(models, 'huge.lifetime'));
  const run = lifetime(['gallery', 'models'], { cwd: scratch });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /models\/huge\.lifetime: is 8\.0 MiB, over the 8 MiB limit/);
});
