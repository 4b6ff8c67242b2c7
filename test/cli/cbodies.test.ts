// Models whose procedures are written in kernel C: the built CLI loads the C front end, translates
// the body through the kernel API table and runs the engine on the result.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ensureBuilt, lifetime } from './bin';

before(() => ensureBuilt());

test('a C procedure body runs as model steps and its race is found', () => {
  const result = lifetime(['check', '--format', 'json', 'test/fixtures/cli/c-body-model.lifetime']);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  const baseline = report.files[0].proposals[0];
  assert.equal(baseline.name, 'baseline');
  assert.equal(baseline.verdict, 'violation');
  assert.equal(baseline.kind, 'use-after-free');
  assert.equal(baseline.expectationMet, true);
  const events = baseline.trace.map((step: { actor: string; event: string }) => `${step.actor}: ${step.event}`);
  assert.ok(events.some((e: string) => e.startsWith('cpu0: mutex_lock(&group->mutex);')), events.join('\n'));
  assert.ok(events.some((e: string) => e.startsWith('cpu0: mutex_unlock(&group->mutex);')), events.join('\n'));
  assert.ok(events.some((e: string) => e.startsWith('cpu0: group->devices--;')), events.join('\n'));
  const skipped = report.files[0].diagnostics.find((d: { code: string }) => d.code === 'LT4103');
  assert.equal(skipped, undefined, 'the decrement of the int member is a model step, not a skipped statement');
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});
