// The CLI's verdict diagnostics and exit code for engine failures and several reachable kinds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkModel } from '../../server/src/core/engine/index';
import type { ProposalResult } from '../../server/src/core/engine/types';
import { parse } from '../../server/src/core/syntax/parser';
import { exitCodeOf, internalErrorLines, newReport } from '../../server/src/cli/report';
import { modelVerdictDiagnostics } from '../../server/src/core/report/verdictDiagnostics';
import { formatText } from '../../server/src/cli/formatText';

function result(partial: Partial<ProposalResult>): ProposalResult {
  return { name: 'baseline', start: 0, end: 0, verdict: 'safe', states: 1, transitions: 0, depth: 0, ms: 0, ...partial };
}

test('an internal error of the engine exits with 2 and names the file and proposal on stderr (issue 15)', () => {
  const failed = newReport('m.lifetime', 'thread t { }');
  failed.proposals.push(result({ verdict: 'incomplete', incompleteReason: 'internal-error', skipped: 'internal error: the failing step cannot be replayed' }));
  const clean = newReport('ok.lifetime', 'thread t { }');
  clean.proposals.push(result({}));
  assert.equal(exitCodeOf([clean]), 0);
  assert.equal(exitCodeOf([clean, failed]), 2);
  assert.deepEqual(internalErrorLines([clean, failed]), ['lifetime: m.lifetime: baseline: internal error: the failing step cannot be replayed\n']);
});

test('violation messages take the right article, and every reachable kind gets its own diagnostic', () => {
  const text = 'static s { int n = 0 in 0..1 }\nthread t { assert s.n == 1 }\n';
  const file = parse(text).file;
  const messages = modelVerdictDiagnostics(file, text, checkModel(file, undefined, { exact: true }).proposals).map((d) => d.message);
  assert.ok(messages.some((m) => m.includes('has an assertion and no expectation names it')), messages.join('\n'));
  assert.ok(!messages.some((m) => m.includes('has a assertion')));

  const several = 'object buf recyclable\ndevice dev { dma buf }\nthread teardown { free buf; alloc buf }\n';
  const severalFile = parse(several).file;
  const unnamed = modelVerdictDiagnostics(severalFile, several, checkModel(severalFile, undefined, { exact: true }).proposals).find((d) => d.code === 'LT3502');
  assert.equal(
    unnamed?.message,
    "the baseline has a leak, a dma-after-free and a stale-access, and no expectation names them; add 'expect baseline: leak, dma-after-free, stale-access' if that is the conclusion",
  );

  const model = 'object pasid recyclable\nstatic bond { ptr p -> pasid = pasid }\nthread user { use bond.p }\nthread exit { free pasid; alloc pasid; free pasid }\n';
  const listedText = `${model}expect baseline: use-after-free\n`;
  const listedFile = parse(listedText).file;
  const diagnostics = modelVerdictDiagnostics(listedFile, listedText, checkModel(listedFile, undefined, { exact: true }).proposals);
  const unlisted = diagnostics.find((d) => d.code === 'LT3507');
  assert.ok(unlisted, diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  assert.equal(unlisted.severity, 'warning');
  assert.match(unlisted.message, /also reaches a stale-access, which 'expect baseline' does not list/);
  assert.ok((unlisted.related ?? []).length > 0, 'the warning carries its trace');
  assert.ok(!diagnostics.some((d) => d.severity === 'error'), 'an unlisted kind is not an error');
});

test('the text output draws a lasso trace with its cycle marked', () => {
  const text = 'static s { lock m mutex; flag f = false }\nthread b { lock s.m; wait until s.f; unlock s.m }\nthread a { while !(trylock s.m) { }; set s.f; unlock s.m }\nexpect baseline: livelock\n';
  const report = newReport('live.lifetime', text);
  report.proposals.push(...checkModel(parse(text).file, undefined, {}).proposals);
  const out = formatText([report]);
  assert.match(out, /baseline: livelock at live\.lifetime:2:22, \d+ steps, a cycle of \d+ after \d+/);
  assert.match(out, /┌ from here the steps repeat forever:\n.*│.*while !\(trylock s\.m\)/);
});
