import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/core/syntax/parser';
import { lowerModel } from '../../server/src/core/engine/lower/index';
import { compileSystem, type CompiledSystem } from '../../server/src/core/engine/compile';
import { search } from '../../server/src/core/engine/explore';
import { InlineStateStore, IndexedStateStore, type StateStore } from '../../server/src/core/engine/store';
import { krefFamily } from '../fixtures/engine/kref-family';

function compiledFrom(text: string): CompiledSystem {
  const lowered = lowerModel(parse(text).file, 'baseline');
  assert.ok(lowered.complete);
  return compileSystem(lowered.system);
}

function runBoth(compiled: CompiledSystem, reduce: boolean): void {
  const options = { reduce, maxStates: 10_000_000, maxMemoryBytes: 2 ** 30, timeoutMs: 60_000 };
  const inline = search(compiled, { ...options, store: 'auto' });
  const indexed = search(compiled, { ...options, store: 'indexed' });
  assert.equal(inline.verdict, indexed.verdict);
  assert.equal(inline.states, indexed.states);
  assert.equal(inline.transitions, indexed.transitions);
  assert.equal(inline.depth, indexed.depth);
  assert.deepEqual(inline.found, indexed.found);
  // Both stores hold the same states in the same breadth-first order with the same parents.
  const a = new Uint32Array(compiled.words);
  const b = new Uint32Array(compiled.words);
  for (let index = 0; index < inline.states; index++) {
    inline.store.read(index, a);
    indexed.store.read(index, b);
    assert.deepEqual(a, b, `state ${index}`);
    assert.equal(inline.store.parentOf(index), indexed.store.parentOf(index));
  }
}

test('the inline and the indexed store give the same search, exact and reduced', () => {
  const compiled = compiledFrom(krefFamily(3, 2));
  assert.ok(compiled.words <= 2 && compiled.lastWordTopBitFree, 'the family must fit the inline store');
  runBoth(compiled, false);
  runBoth(compiled, true);
});

test('the stores agree on models that end in a violation', () => {
  const fixtures = path.join(process.cwd(), 'test/fixtures/engine');
  for (const name of ['use-after-free.lifetime', 'deadlock.lifetime', 'leak.lifetime', 'dma-after-free.lifetime']) {
    const compiled = compiledFrom(fs.readFileSync(path.join(fixtures, name), 'utf8'));
    runBoth(compiled, false);
    runBoth(compiled, true);
  }
});

test('insertGroup stores new states once, in order, with their parents, across table growth', () => {
  const words = 2;
  const stores: StateStore[] = [
    new InlineStateStore(words, 1_000_000, 2 ** 30),
    new IndexedStateStore(words, (array, offset) => Math.imul(array[offset] ^ Math.imul(array[offset + 1], 0x9e3779b1), 0x85ebca6b) ^ array[offset + 1], 1_000_000, 2 ** 30),
  ];
  const members = 5;
  const perMember = 7;
  const batch = new Uint32Array(members * perMember * words);
  const counts = new Int32Array(members).fill(perMember);
  let seed = 1;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    return seed >>> 0;
  };
  for (const store of stores) {
    store.candidate[0] = 0;
    store.candidate[1] = 0;
    store.insert(-1);
  }
  for (let round = 0; round < 4000; round++) {
    // Values from a small range repeat often, within a group and across groups.
    for (let k = 0; k < members * perMember; k++) {
      batch[k * words] = next() % 50_000;
      batch[k * words + 1] = next() % 3;
    }
    for (const store of stores) store.insertGroup(round % 100, batch.slice(), counts, members);
  }
  const [inline, indexed] = stores;
  assert.equal(inline.count, indexed.count);
  assert.ok(inline.count > 20_000, 'the table grew several times');
  const a = new Uint32Array(words);
  const b = new Uint32Array(words);
  for (let index = 0; index < inline.count; index++) {
    inline.read(index, a);
    indexed.read(index, b);
    assert.deepEqual(a, b);
    assert.equal(inline.parentOf(index), indexed.parentOf(index));
    inline.candidate.set(a);
    assert.ok(inline.contains());
  }
  assert.ok(inline.peakBytesPerState <= 32, `peak ${inline.peakBytesPerState} bytes per state`);
});
