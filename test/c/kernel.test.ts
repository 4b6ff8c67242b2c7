// Real kernel code from Debian's linux-source-6.1: no crash, no abort on ERROR nodes, and a mutation
// test of the error-path checks (recall, and findings and false positives per 5,000 lines of unmutated
// code, where a false positive is a finding not judged a true bug in test/c/judged-findings.json).

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeCText, loadApiTable, loadCParser } from '../../server/src/core/c/index';
import { ensureKernelDirs, listCFiles, KERNEL_TARBALL } from './kernelSource';
import { kernelFunctions, mutantsOf } from './mutation';
import { describeJudged, FindingJudge, loadJudgedFindings } from './judgedFindings';

const DIRS = ['drivers/iommu', 'drivers/vfio', 'drivers/pci', 'drivers/of'];

function kernelOrSkip(t: { skip: (reason: string) => void }): string | undefined {
  const tree = ensureKernelDirs(DIRS);
  if ('root' in tree) return tree.root;
  if (process.env.CI) assert.fail(`the real-code test needs ${KERNEL_TARBALL}: ${tree.missing}`);
  t.skip(tree.missing);
  return undefined;
}

test('real kernel code: every function analysed without a crash or an abort', async (t) => {
  const root = kernelOrSkip(t);
  if (!root) return;
  const parser = await loadCParser();
  const { table } = loadApiTable();
  let functions = 0;
  let analysed = 0;
  let withErrors = 0;
  for (const dir of DIRS) {
    for (const file of listCFiles(root, dir)) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      const result = analyzeCText(text, table, { parser, allFunctions: true });
      functions += result.functions;
      analysed += result.analysed;
      withErrors += result.notes.length;
      for (const f of result.findings) {
        assert.ok(f.start >= 0 && f.end <= text.length && f.start <= f.end, `${file}: finding range out of the file`);
      }
    }
  }
  console.log(`real code: ${functions} functions, ${analysed} analysed, ${withErrors} with parse notes`);
  assert.ok(functions >= 300, `expected a few hundred functions, found ${functions}`);
  // Functions with ERROR nodes are analysed too, not dropped.
  assert.ok(analysed >= functions * 0.95, `only ${analysed} of ${functions} functions were analysed`);
});

test('mutation test: deleting a release on an error path gives a finding', async (t) => {
  const root = kernelOrSkip(t);
  if (!root) return;
  const parser = await loadCParser();
  const { table } = loadApiTable();
  let lines = 0;
  let findings = 0;
  let falsePositives = 0;
  const judge = new FindingJudge(loadJudgedFindings());
  let mutants = 0;
  let detected = 0;
  let detectedByDefault = 0;
  let equivalent = 0;
  const missed: string[] = [];
  for (const dir of DIRS) {
    for (const file of listCFiles(root, dir)) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      lines += text.split('\n').length;
      const unmutated = analyzeCText(text, table, { parser, lowConfidence: true }).findings;
      const shown = unmutated.filter((f) => f.confidence === 'high');
      findings += shown.length;
      falsePositives += shown.filter((f) => !judge.isJudgedTrue(file, f)).length;
      // A judged true bug reported with low confidence is withheld by default, not gone.
      for (const f of unmutated) if (f.confidence === 'low') judge.isJudgedTrue(file, f);
      // Functions with a finding of any confidence are left out: a mutant there could be "found" by it.
      const flagged = new Set(unmutated.map((f) => f.function));
      for (const fn of kernelFunctions(parser, text)) {
        if (flagged.has(fn.name)) continue;
        const sites = analyzeCText(fn.text, table, { parser }).releaseSites;
        for (const mutant of mutantsOf(parser, fn, table)) {
          // A release that every path reaches with nothing to release (kfree of a NULL pointer after a
          // failed allocation) can be deleted without a bug: such mutants are equivalent, not missed.
          if (sites.get(mutant.offset) === false) {
            equivalent++;
            continue;
          }
          mutants++;
          const result = analyzeCText(mutant.text, table, { parser, lowConfidence: true });
          const leaks = result.findings.filter((f) => f.kind === 'leak' || f.kind === 'lock-leak' || f.kind === 'inconsistent-paths');
          if (leaks.some((f) => f.confidence === 'high')) detectedByDefault++;
          if (leaks.length > 0) detected++;
          else missed.push(`${file}: ${fn.name}: deleted ${mutant.release}() at function line ${mutant.line}`);
        }
      }
    }
  }
  const recall = mutants === 0 ? 0 : detected / mutants;
  const defaultRecall = mutants === 0 ? 0 : detectedByDefault / mutants;
  const rate = (findings / lines) * 5000;
  const falseRate = (falsePositives / lines) * 5000;
  const stale = judge.staleEntries().map(describeJudged);
  console.log(`mutation: ${mutants} mutants, ${detected} detected, recall ${(recall * 100).toFixed(1)}% with --all-findings (${equivalent} equivalent mutants left out)`);
  console.log(`mutation: ${detectedByDefault} detected by a finding of high confidence, recall ${(defaultRecall * 100).toFixed(1)}% by default`);
  console.log(`unmutated: ${findings} findings in ${lines} lines = ${rate.toFixed(2)} per 5,000 lines`);
  console.log(`false positives: ${falsePositives} (${findings - falsePositives} judged true bugs) = ${falseRate.toFixed(2)} per 5,000 lines`);
  if (stale.length > 0) console.log(`stale judged findings (match nothing now):\n${stale.join('\n')}`);
  if (process.env.LIFETIME_SHOW_MISSED) console.log(missed.join('\n'));
  const targetsMet = recall >= 0.9 && falseRate < 1;
  console.log(`targets (recall >= 90%, < 1 false positive per 5,000 lines): ${targetsMet ? 'met' : 'NOT met'}`);
  assert.deepEqual(stale, [], 'judged findings that match no finding: update test/c/judged-findings.json');
  assert.ok(mutants >= 100, `only ${mutants} mutants`);
  // By default the findings of low confidence are withheld (analysis/confidence.ts), and most mutants
  // of locks delete a function's only unlock, which real code does by contract far more often than by
  // mistake: the default recall is lower by design, and must not fall further unnoticed.
  assert.ok(defaultRecall >= 0.45, `default recall ${(defaultRecall * 100).toFixed(1)}% fell under 45%`);
  assert.ok(recall >= 0.9, `recall ${(recall * 100).toFixed(1)}% fell under 90%; missed e.g.\n${missed.slice(0, 15).join('\n')}`);
  assert.ok(falseRate < 1, `${falseRate.toFixed(2)} false positives per 5,000 lines of unmutated code rose to 1 or more`);
  assert.ok(rate < 2, `${rate.toFixed(2)} findings per 5,000 lines of unmutated code rose to 2 or more`);
});
