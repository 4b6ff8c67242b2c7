import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InlineStateStore, hashPair } from '../../server/src/core/engine/inlineStore';
import { ChunkedInt32Array } from '../../server/src/core/engine/chunkedArray';
import { FrontierQueue } from '../../server/src/core/engine/frontierQueue';
import { BudgetExceeded } from '../../server/src/core/engine/storeTypes';

const OCCUPIED = 0x80000000;

/** Inserts `[first, second]` with `parent`; returns whether it was new. */
function insert(store: InlineStateStore, first: number, second: number, parent: number): boolean {
  store.candidate[0] = first;
  store.candidate[1] = second;
  return store.insert(parent);
}

test('states whose home slots collide survive table growth (moves too far to note in a byte)', () => {
  const store = new InlineStateStore(2, 1_000_000, 2 ** 30);
  // Three hundred states with the same home slot in the first table make a cluster longer than 63.
  const states: [number, number][] = [];
  for (let first = 0; states.length < 300; first++) {
    if ((hashPair(first, 1 | OCCUPIED) & 2047) === 5) states.push([first, 1]);
  }
  for (let k = 0; k < 20_000; k++) states.push([k, 2]);
  states.forEach(([first, second], index) => assert.ok(insert(store, first, second, index - 1)));
  assert.equal(store.count, states.length);
  const into = new Uint32Array(2);
  states.forEach(([first, second], index) => {
    store.read(index, into);
    assert.deepEqual([...into], [first, second], `state ${index}`);
    assert.equal(store.parentOf(index), index - 1);
    assert.equal(insert(store, first, second, 0), false);
  });
  assert.ok(store.peakBytesPerState <= 32, `peak ${store.peakBytesPerState} bytes per state`);
});

test('states read for expansion stay readable after the frontier copy releases them', () => {
  const store = new InlineStateStore(2, 1_000_000, 2 ** 30);
  const into = new Uint32Array(2);
  insert(store, 0, 0, -1);
  // Each expanded state adds two successors, so the queue ahead of the expansion grows.
  for (let index = 0; index < 30_000; index++) {
    store.readForExpansion(index, into);
    assert.deepEqual([...into], [index, index % 3], `expanded state ${index}`);
    insert(store, store.count, store.count % 3, index);
    insert(store, store.count, store.count % 3, index);
  }
  for (let index = 0; index < store.count; index++) {
    store.read(index, into);
    assert.deepEqual([...into], [index, index % 3]);
  }
});

test('the inline store reports a memory budget as BudgetExceeded', () => {
  const store = new InlineStateStore(2, 1_000_000, 256 * 1024);
  assert.throws(() => {
    for (let k = 0; k < 1_000_000; k++) insert(store, k, 0, -1);
  }, BudgetExceeded);
  assert.ok(store.bytes <= 256 * 1024);
});

test('a chunked array grows without losing entries and respects the budget', () => {
  const array = new ChunkedInt32Array();
  for (let k = 0; k < 5000; k++) {
    if (k >= array.capacity) array.grow(array.byteLength, 2 ** 20);
    array.set(k, k * 7);
  }
  for (let k = 0; k < 5000; k++) assert.equal(array.get(k), k * 7);
  assert.throws(() => array.grow(2 ** 20, 2 ** 20), BudgetExceeded);
});

test('the frontier queue holds no chunk it cannot afford and reuses released ones', () => {
  const queue = new FrontierQueue(2);
  queue.openChunk(0, 0, 0, 2 ** 30);
  assert.equal(queue.tail, null, 'an empty store affords no copy');
  queue.openChunk(256, 100_000, 0, 2 ** 30);
  assert.notEqual(queue.tail, null);
  const bytes = queue.byteLength;
  queue.releaseBefore(512);
  assert.equal(queue.chunkOf(256), null);
  queue.openChunk(512, 100_000, 0, 2 ** 30);
  assert.equal(queue.byteLength, bytes, 'the released chunk was reused');
});

test('one-word states keep their slots and parents across table growth', () => {
  const store = new InlineStateStore(1, 1_000_000, 2 ** 30);
  const count = 50_000;
  for (let k = 0; k < count; k++) {
    store.candidate[0] = k * 7;
    assert.ok(store.insert(k - 1));
  }
  const into = new Uint32Array(1);
  for (let k = 0; k < count; k++) {
    store.read(k, into);
    assert.equal(into[0], k * 7, `state ${k}`);
    assert.equal(store.parentOf(k), k - 1);
    store.candidate[0] = k * 7;
    assert.equal(store.insert(0), false);
  }
  assert.equal(store.count, count);
});
