// The real-code test: real kernel fixes (test/review/kernel-fixes.json) against linux-source-6.1,
// extracted at test time. For each, a two-patch series is written: the revert, which brings the bug
// back and must be reported as introducing it in the function the fix touched, and the fix again,
// which must be reported as fixing it. Each patch must report nothing else as introduced or fixed.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { run } from '../../server/src/cli/main';
import { analyzeCText, loadApiTable, loadCParser } from '../../server/src/core/c/index';
import { directorySource, parseSeries, reviewSeries, type PatchReview } from '../../server/src/core/review/index';
import { ensureKernelFiles, fixSeries, loadKernelFixes } from './kernelFixes';

function found(patch: PatchReview, cls: 'introduced' | 'fixed'): string[] {
  return patch.files.flatMap((file) => file.findings.filter((f) => f.class === cls).map((f) => `${f.function}: ${f.diagnostic.kind}`));
}

test('each real fix: the revert is reported as introducing the bug, the fix as fixing it', async (t) => {
  const fixes = loadKernelFixes();
  assert.ok(fixes.length >= 10, 'the list holds at least ten fixes');
  const tree = ensureKernelFiles(fixes.map((fix) => fix.file));
  if ('missing' in tree) {
    if (process.env.CI) assert.fail(tree.missing);
    return t.skip(tree.missing);
  }
  const parser = await loadCParser();
  const table = loadApiTable([]).table;
  const env = { analyzeC: (text: string) => analyzeCText(text, table, { parser, lowConfidence: true }).findings };
  for (const fix of fixes) {
    const text = fs.readFileSync(path.join(tree.root, fix.file), 'utf8');
    const series = fixSeries(fix, text);
    assert.equal(typeof series, 'object', `${fix.commit.slice(0, 12)} ${fix.subject}: ${String(series)}`);
    if (typeof series === 'string') continue;
    const outcome = reviewSeries(parseSeries(series.mbox, fix.subject), directorySource(tree.root), env);
    assert.ok(outcome.ok, `${fix.subject}: ${outcome.ok ? '' : outcome.problems.map((p) => p.message).join('; ')}`);
    if (!outcome.ok) continue;
    const [revert, again] = outcome.review.patches;
    const expected = [`${fix.function}: ${fix.kind}`];
    assert.deepEqual(found(revert, 'introduced'), expected, `the revert of ${fix.commit.slice(0, 12)} ("${fix.subject}") must introduce the bug`);
    assert.deepEqual(found(revert, 'fixed'), [], `the revert of ${fix.commit.slice(0, 12)} fixes nothing`);
    assert.deepEqual(found(again, 'fixed'), expected, `${fix.commit.slice(0, 12)} ("${fix.subject}") must be reported as fixing the bug`);
    assert.deepEqual(found(again, 'introduced'), [], `${fix.commit.slice(0, 12)} introduces nothing`);
  }
});

test('the command on two real fixes as one mbox: exit 1, the reverts introduced and the fixes fixed, by subject', async (t) => {
  const fixes = loadKernelFixes().slice(0, 2);
  const tree = ensureKernelFiles(fixes.map((fix) => fix.file));
  if ('missing' in tree) {
    if (process.env.CI) assert.fail(tree.missing);
    return t.skip(tree.missing);
  }
  const mbox = fixes
    .map((fix) => fixSeries(fix, fs.readFileSync(path.join(tree.root, fix.file), 'utf8')))
    .map((series) => (typeof series === 'string' ? assert.fail(series) : series.mbox))
    .join('');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-kernel-review-'));
  try {
    const file = path.join(scratch, 'series.mbox');
    fs.writeFileSync(file, mbox);
    assert.equal(parseSeries(mbox, 'series.mbox').patches.length, 4);
    const output = await run(['review', '--tree', tree.root, '--format', 'json', file]);
    assert.equal(output.exitCode, 1, output.stderr);
    const json = JSON.parse(output.stdout);
    assert.deepEqual(
      json.introduced.map((f: { patch: string; function: string }) => [f.patch, f.function]),
      fixes.map((fix) => [`Revert "${fix.subject}"`, fix.function]),
    );
    assert.deepEqual(
      json.fixed.map((f: { patch: string; function: string }) => [f.patch, f.function]),
      fixes.map((fix) => [fix.subject, fix.function]),
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
