// The confidence of a finding from what its path showed (server/src/core/c/analysis/confidence.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingConfidence } from '../../server/src/core/c/analysis/confidence';
import type { LeakEvidence } from '../../server/src/core/c/analysis/context';

const errorPathLeak: LeakEvidence = { errorReturn: true, releasedElsewhere: true, local: true, escaped: false, returnsValue: true, family: 'kmalloc', objectKind: 'memory' };

function confidence(kind: Parameters<typeof findingConfidence>[0], change: Partial<LeakEvidence>): string {
  return findingConfidence(kind, { ...errorPathLeak, ...change }).confidence;
}

test('a leak at an error return of an object the function still holds is of high confidence', () => {
  assert.equal(confidence('leak', {}), 'high');
  assert.equal(findingConfidence('use-after-release', undefined).confidence, 'high');
});

test('a leak on a path that returns success is of low confidence, unless it is a lookup never handed on', () => {
  const verdict = findingConfidence('leak', { ...errorPathLeak, errorReturn: false });
  assert.equal(verdict.confidence, 'low');
  assert.match(verdict.reason ?? '', /returns success/);
  assert.equal(confidence('leak', { errorReturn: false, family: 'of_node', objectKind: 'ref' }), 'high');
  assert.equal(confidence('leak', { errorReturn: false, family: 'of_node', objectKind: 'ref', escaped: true }), 'low');
  assert.equal(confidence('leak', { errorReturn: false, family: 'clk', objectKind: 'ref' }), 'low');
});

test('an object handed on before the error return is of low confidence as a leak, not as an inconsistent path', () => {
  assert.equal(confidence('leak', { escaped: true }), 'low');
  assert.equal(confidence('inconsistent-paths', { escaped: true }), 'high');
});

test('families released elsewhere by convention are of low confidence, a device looked up here is not', () => {
  assert.equal(confidence('leak', { family: 'irq', objectKind: 'ref', local: false }), 'low');
  assert.equal(confidence('leak', { family: 'device', objectKind: 'ref', local: false }), 'low');
  assert.equal(confidence('leak', { family: 'device', objectKind: 'ref', local: true }), 'high');
  assert.equal(confidence('leak', { family: 'clk_enable', objectKind: 'ref', local: false }), 'low');
  assert.equal(confidence('inconsistent-paths', { family: 'clk_enable', objectKind: 'ref', local: false }), 'high');
});

test('a lock-leak is of high confidence at an error return, or in a void function, of a lock the function unlocks elsewhere', () => {
  const lock = { family: 'mutex', objectKind: 'lock', local: false };
  assert.equal(confidence('lock-leak', lock), 'high');
  assert.equal(confidence('lock-leak', { ...lock, errorReturn: false, returnsValue: false }), 'high');
  assert.equal(confidence('lock-leak', { ...lock, errorReturn: false }), 'low');
  assert.equal(confidence('lock-leak', { ...lock, releasedElsewhere: false }), 'low');
  assert.equal(confidence('lock-leak', { ...lock, family: 'semaphore' }), 'low');
});
