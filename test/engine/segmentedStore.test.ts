import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetExceeded, createStateStore, IndexedStateStore, INLINE_STORE_MAX_STATES, InlineStateStore } from '../../server/src/core/engine/store';

const goodHash = (array: Uint32Array, offset: number): number => {
  let h = Math.imul(array[offset] ^ 0x9e3779b9, 0x85ebca6b) ^ array[offset + 1];
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  return h ^ (h >>> 15);
};
/** Only 4096 distinct hashes: long probe runs and many states sharing a slot tag. */
const poorHash = (array: Uint32Array, offset: number): number => Math.imul((array[offset] ^ array[offset + 1]) & 4095, 0x9e3779b1);

function fill(store: IndexedStateStore, count: number): void {
  for (let k = 0; k < count; k++) {
    store.candidate[0] = k;
    store.candidate[1] = k % 7;
    assert.equal(store.insert(k - 1), true, `state ${k} is new`);
  }
}

for (const [label, hash, maxStates] of [
  ['a good hash and a small budget', goodHash, 400_000],
  ['a poor hash', poorHash, 1_000_000],
  ['the largest budget (one tag bit)', goodHash, 2 ** 31],
] as const) {
  test(`the segmented store keeps every state, index and parent across segment growth: ${label}`, () => {
    const count = label === 'a poor hash' ? 60_000 : 300_000;
    const store = new IndexedStateStore(2, hash, maxStates, 2 ** 30);
    fill(store, count);
    assert.equal(store.count, count);
    const into = new Uint32Array(2);
    for (let k = 0; k < count; k += 97) {
      store.read(k, into);
      assert.deepEqual([...into], [k, k % 7]);
      assert.equal(store.parentOf(k), k - 1);
    }
    // Every state is found again, and a state never stored is not.
    for (let k = 0; k < count; k += 13) {
      store.candidate[0] = k;
      store.candidate[1] = k % 7;
      assert.equal(store.contains(), true);
      assert.equal(store.insert(0), false, `state ${k} is a duplicate`);
    }
    store.candidate[0] = count + 5;
    store.candidate[1] = 99;
    assert.equal(store.contains(), false);
    assert.equal(store.count, count);
    assert.ok(store.longestRehashMs > 0, 'the segments grew');
  });
}

test('insertGroup in the segmented store matches one insert at a time', () => {
  const one = new IndexedStateStore(2, goodHash, 1_000_000, 2 ** 30);
  const grouped = new IndexedStateStore(2, goodHash, 1_000_000, 2 ** 30);
  const batch = new Uint32Array(40 * 2);
  const counts = new Int32Array([10, 10, 10, 10]);
  let seed = 7;
  for (let round = 0; round < 3000; round++) {
    for (let k = 0; k < 40; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) | 0;
      batch[k * 2] = (seed >>> 0) % 40_000;
      batch[k * 2 + 1] = 1;
    }
    grouped.insertGroup(round, batch, counts, 4);
    for (let k = 0; k < 40; k++) {
      one.candidate[0] = batch[k * 2];
      one.candidate[1] = 1;
      one.insert(round + Math.floor(k / 10));
    }
  }
  assert.equal(grouped.count, one.count);
  const a = new Uint32Array(2);
  const b = new Uint32Array(2);
  for (let k = 0; k < one.count; k++) {
    one.read(k, a);
    grouped.read(k, b);
    assert.deepEqual(b, a);
    assert.equal(grouped.parentOf(k), one.parentOf(k));
  }
});

test('the segmented store stops at its state and memory budgets with BudgetExceeded', () => {
  const states = new IndexedStateStore(2, goodHash, 50_000, 2 ** 30);
  assert.throws(() => fill(states, 50_001), (error: unknown) => error instanceof BudgetExceeded && error.reason === 'states');
  assert.equal(states.count, 50_000);
  const memory = new IndexedStateStore(2, goodHash, 10_000_000, 4 * 1024 * 1024);
  assert.throws(() => fill(memory, 10_000_000), (error: unknown) => error instanceof BudgetExceeded && error.reason === 'memory');
  assert.ok(memory.bytes <= 4 * 1024 * 1024);
});

test('budgets above the inline limit get the segmented store, with no cap below 2^31 states', () => {
  assert.ok(createStateStore(2, true, goodHash, INLINE_STORE_MAX_STATES, 2 ** 30) instanceof InlineStateStore);
  assert.ok(createStateStore(2, true, goodHash, INLINE_STORE_MAX_STATES + 1, 2 ** 30) instanceof IndexedStateStore);
  assert.ok(createStateStore(2, true, goodHash, INLINE_STORE_MAX_STATES + 1, 64 * 1024) instanceof InlineStateStore, 'a small memory budget is a small state budget');
  const big = new IndexedStateStore(3, goodHash, 500_000_000, 2 ** 34);
  big.candidate.set([1, 2, 3]);
  assert.equal(big.insert(-1), true);
  assert.equal(big.count, 1);
});
