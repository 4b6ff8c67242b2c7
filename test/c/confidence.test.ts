// The confidence of a finding from what its path showed (server/src/core/c/analysis/confidence.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingConfidence } from '../../server/src/core/c/analysis/confidence';
import type { LeakEvidence } from '../../server/src/core/c/analysis/context';
import { isSelfTestPath } from '../../server/src/core/c/analysis/fileFacts';
import { analyzeCText, loadApiTable, loadCParser } from '../../server/src/core/c/index';

const errorPathLeak: LeakEvidence = { errorReturn: true, releasedElsewhere: true, local: true, escaped: false, returnsValue: true, family: 'kmalloc', objectKind: 'memory', lockHanded: false, registered: false, containerPut: false, queuedWork: false, unlockedByAnotherLoop: false };

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

test('a lock handed to a function that may unlock it, and pinning families, are of low confidence', () => {
  const lock = { family: 'spinlock', objectKind: 'lock', local: false };
  assert.equal(confidence('lock-leak', { ...lock, lockHanded: true }), 'low');
  for (const family of ['module', 'percpu_ref', 'mm_count', 'pid']) {
    assert.equal(confidence('inconsistent-paths', { family, objectKind: 'ref', local: false }), 'low', family);
  }
  assert.equal(confidence('inconsistent-paths', { family: 'of_node', objectKind: 'ref', local: false }), 'high');
});

test('an allocation handed to a registration, or a reference stored in an object the path put, is of low confidence', () => {
  assert.equal(confidence('leak', { registered: true }), 'low');
  assert.equal(confidence('inconsistent-paths', { family: 'of_node', objectKind: 'ref', local: false, containerPut: true }), 'low');
});

test('self-tests are recognised by their file names; other files are not', () => {
  for (const name of ['kernel/locking/test-ww_mutex.c', 'lib/test_bpf.c', 'mm/gup_test.c', 'kernel/locking/locktorture.c', 'drivers/gpu/drm/tests/drm_buddy_test.c', 'C:\\linux\\lib\\test_meminit.c']) {
    assert.equal(isSelfTestPath(name), true, name);
  }
  for (const name of ['drivers/base/core.c', 'drivers/net/ethernet/intel/e1000/e1000_main.c', 'fs/attest.c', 'drivers/gpu/drm/i915/selftest_helpers.h']) {
    assert.equal(isSelfTestPath(name), false, name);
  }
  assert.equal(findingConfidence('leak', errorPathLeak, { selfTest: true }).confidence, 'low');
});

test('a finding in a file named as a self-test is of low confidence', async () => {
  const parser = await loadCParser();
  const { table } = loadApiTable();
  const text = 'int f(int x)\n{\n\tvoid *p = kmalloc(8, GFP_KERNEL);\n\tif (!p)\n\t\treturn -ENOMEM;\n\tif (x)\n\t\treturn -EINVAL;\n\tkfree(p);\n\treturn 0;\n}\n';
  assert.deepEqual(analyzeCText(text, table, { parser, lowConfidence: true, fileName: 'drivers/misc/foo.c' }).findings.map((f) => f.confidence), ['high']);
  assert.deepEqual(analyzeCText(text, table, { parser, lowConfidence: true, fileName: 'lib/test_foo.c' }).findings.map((f) => f.confidence), ['low']);
});

test('interrupt state left off, or enabled twice, is of low confidence; preemption is not', () => {
  assert.equal(confidence('lock-leak', { family: 'local_irq_off', objectKind: 'lock', local: false }), 'low');
  assert.equal(confidence('lock-leak', { family: 'local_irq', objectKind: 'lock', local: false }), 'low');
  assert.equal(confidence('lock-leak', { family: 'preempt', objectKind: 'lock', local: false }), 'high');
  assert.equal(findingConfidence('unbalanced-unlock', undefined, { lockFamily: 'local_irq_off' }).confidence, 'low');
  assert.equal(findingConfidence('unbalanced-unlock', undefined, { lockFamily: 'mutex' }).confidence, 'high');
});
