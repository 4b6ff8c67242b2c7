// One verdict wording on every surface: the CLI's table and file line, the status bar, the code
// lenses, the hovers and the Problems entries all come from core/report/verdictWording.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_BUDGETS } from '../../server/src/core/engine/budgets';
import type { ProposalResult } from '../../server/src/core/engine/types';
import { codeLenses, verdictLensTitle } from '../../server/src/core/features/codeLens';
import { editorDiagnostics } from '../../server/src/core/features/diagnostics';
import { applyOffsetEdits, fixCandidates, judgeFix } from '../../server/src/core/features/quickFixes';
import { runEngineOnText } from '../../server/src/core/features/runEngine';
import { fileVerdict, outcomeText, verdictText } from '../../server/src/core/report/verdictWording';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';

function result(name: string, fields: Partial<ProposalResult>): ProposalResult {
  return { name, start: 0, end: 0, verdict: 'safe', states: 10, transitions: 10, depth: 1, ms: 1, ...fields };
}

const uaf = (steps: number) => Array.from({ length: steps }, () => ({ actor: 't', actorKind: 'thread' as const, start: 0, end: 0, event: 'x', changes: [] }));

test('a file whose expected violations are found reads "as expected", naming them and counting the safe proposals', () => {
  const results = [
    result('baseline', { verdict: 'violation', kind: 'deadlock', trace: uaf(8), expected: 'deadlock', expectationMet: true }),
    result('sticky', { expected: 'safe', expectationMet: true }),
    result('remove_flag', { expected: 'safe', expectationMet: true }),
  ];
  assert.deepEqual(fileVerdict(results), { state: 'safe', text: 'as expected: baseline deadlock, 2 proposals safe' });
  assert.equal(verdictText(results[0]), 'deadlock in 8 steps, as expected');
  assert.equal(verdictText(results[1]), 'safe, as expected');
  assert.deepEqual(fileVerdict([result('baseline', {}), result('p', {})]), { state: 'safe', text: 'baseline and 1 proposal safe' });
});

test('an unexpected violation and an unmet expectation are named; a stopped search gives its budget', () => {
  const violation = result('baseline', { verdict: 'violation', kind: 'use-after-free', trace: uaf(12) });
  assert.deepEqual(fileVerdict([violation, result('fix', { expected: 'safe', expectationMet: true })]), {
    state: 'violation',
    text: '1 unexpected violation: baseline use-after-free',
  });
  assert.equal(verdictText(violation), 'use-after-free in 12 steps, unexpected');
  const unmet = result('fix', { expected: 'use-after-free', expectationMet: false });
  assert.equal(verdictText(unmet), 'safe, expected use-after-free');
  assert.equal(fileVerdict([unmet]).text, '1 expectation not met: fix safe, expected use-after-free');
  const stopped = result('baseline', { verdict: 'incomplete', incompleteReason: 'states', states: 2_000_000, expected: 'safe' });
  assert.equal(outcomeText(stopped), 'stopped at the 2,000,000-state budget');
  assert.equal(verdictText(stopped), 'stopped at the 2,000,000-state budget, expected safe unconfirmed');
  assert.deepEqual(fileVerdict([stopped, result('p', { verdict: 'incomplete', incompleteReason: 'states', states: 2_000_000 })]), {
    state: 'incomplete',
    text: 'stopped at the 2,000,000-state budget: baseline, p',
  });
  assert.equal(verdictLensTitle(result('p', { verdict: 'incomplete', incompleteReason: 'states', states: 2_000_000 })), '? stopped at the 2,000,000-state budget');
  assert.equal(verdictLensTitle(violation), '✗ use-after-free in 12 steps, unexpected');
  assert.equal(verdictLensTitle(unmet), '✗ safe, expected use-after-free · 10 states');
  assert.equal(outcomeText(result('b', { verdict: 'incomplete', incompleteReason: 'time', states: 1234 })), 'stopped at the time budget after 1,234 states');
  assert.equal(outcomeText(result('b', { verdict: 'incomplete', incompleteReason: 'simulation', seed: 7 })), 'no violation found by random runs');
  assert.equal(fileVerdict([]).text, 'nothing checked');
});

const VFIO = fs.readFileSync(path.join(process.cwd(), 'examples/vfio-dma-unmap-vaddr-deadlock.lifetime'), 'utf8');

test('the vfio model: the code lens, the Problems entry and the file line agree that the baseline deadlock is expected', () => {
  const { analysis, result: model } = runEngineOnText(VFIO, { ...DEFAULT_BUDGETS });
  assert.equal(fileVerdict(model.proposals).text, 'as expected: baseline deadlock, close_flag deadlock, 2 proposals safe');
  const lens = codeLenses(analysis, 'file:///v.lifetime')[0].command.title;
  assert.equal(lens, '✓ deadlock in 8 steps, as expected');
  const problem = editorDiagnostics(analysis).find((d) => d.code === 'LT3007');
  assert.ok(problem);
  assert.equal(problem.severity, 3, 'an expected deadlock is a note, not an error or a warning');
  assert.match(problem.message, /^deadlock in the baseline: .* \(as expected\)$/);
  // The deadlock's blocked threads are listed after the steps, each at the statement it waits in.
  assert.ok(problem.relatedInformation?.some((r) => /^release blocked at wait until mdev\.done: mdev\.done is false$/.test(r.message)));
});

test('the unmet expectation points at its expect line', () => {
  const text = VFIO.replace('expect sticky_close: safe', 'expect sticky_close: deadlock');
  const { analysis } = runEngineOnText(text, { ...DEFAULT_BUDGETS });
  const unmet = editorDiagnostics(analysis).filter((d) => d.code === 'LT3501');
  assert.equal(unmet.length, 1);
  const line = text.split('\n')[unmet[0].range.start.line];
  assert.equal(line.slice(unmet[0].range.start.character, unmet[0].range.end.character), 'expect sticky_close: deadlock');
  assert.equal(unmet[0].message, 'proposal sticky_close is expected to be deadlock but is safe');
});

test('a quick fix titles the state count the code lens shows once it is applied', () => {
  const text = fs.readFileSync(path.join(process.cwd(), 'examples/iommu-release-device-ordering.lifetime'), 'utf8').replace(/^expect baseline:.*$/m, '');
  const editor = { ...DEFAULT_BUDGETS, collectFacts: true };
  const { analysis } = runEngineOnText(text, editor);
  const baseline = analysis.engine!.proposals.find((p) => p.name === 'baseline')!;
  const candidate = fixCandidates(analysis, baseline.violationStart!, baseline.violationEnd!).find((c) => c.title.includes('driver_domain_refcount'));
  assert.ok(candidate);
  const edited = applyOffsetEdits(text, candidate.edits);
  // The server verifies without per-step facts, within a smaller budget.
  const verified = runEngineOnText(edited, { maxStates: 300_000, proposals: candidate.checkProposals });
  const fix = judgeFix(analysis, candidate, verified.result, verified.analysis);
  assert.ok(fix);
  const count = /baseline safe \(([\d,]+) states/.exec(fix.title)?.[1];
  const after = runEngineOnText(edited, editor).analysis;
  const lens = codeLenses(after, 'file:///i.lifetime')[0].command.title;
  assert.equal(lens, `✓ safe · ${count} states`);
  assert.ok(after.engine!.proposals[0].facts!.length > 0, 'the editor still has per-step facts for hovers and inlay hints');
});

test('the CLI, the server and the extension manifest have the same default budgets', () => {
  assert.equal(DEFAULT_SETTINGS.maxStates, DEFAULT_BUDGETS.maxStates);
  assert.equal(DEFAULT_SETTINGS.timeoutMs, DEFAULT_BUDGETS.timeoutMs);
  const manifest = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'package.json'), 'utf8'));
  const properties = manifest.contributes.configuration.properties;
  assert.equal(properties['lifetime.check.maxStates'].default, DEFAULT_BUDGETS.maxStates);
  assert.equal(properties['lifetime.check.timeoutMs'].default, DEFAULT_BUDGETS.timeoutMs);
  const help = fs.readFileSync(path.join(process.cwd(), 'server/src/cli/help.ts'), 'utf8');
  assert.match(help, new RegExp(`--max-states N .*default ${DEFAULT_BUDGETS.maxStates}\\b`));
  assert.match(help, new RegExp(`--timeout-ms N .*default ${DEFAULT_BUDGETS.timeoutMs}\\b`));
});
