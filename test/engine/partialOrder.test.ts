// The partial-order reduction (engine/ample.ts): it reduces independent copies, keeps verdicts and
// every reachable kind, returns the shortest traces, and gives up by itself where it gains nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/core/syntax/parser';
import { lowerModel } from '../../server/src/core/engine/lower/index';
import { compileSystem, type CompiledSystem } from '../../server/src/core/engine/compile';
import { search, type SearchOutcome } from '../../server/src/core/engine/explore';
import { buildTrace } from '../../server/src/core/engine/trace';
import { independentCopies } from '../../bench/copies';
import { familyModel } from '../../bench/family';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');

function compiledCopies(model: string, proposal: string, copies: number): CompiledSystem {
  const lowered = lowerModel(parse(fs.readFileSync(path.join(EXAMPLES, `${model}.lifetime`), 'utf8')).file, proposal);
  assert.ok(lowered.complete, `${model} / ${proposal} lowers`);
  return compileSystem(independentCopies(lowered.system, copies));
}

function run(compiled: CompiledSystem, reduce: boolean): SearchOutcome {
  return search(compiled, { reduce, maxStates: 5_000_000, maxMemoryBytes: 2 * 1024 ** 3, timeoutMs: 120_000 });
}

/** Kind and trace length of every violation found, sorted by kind. */
function kinds(compiled: CompiledSystem, outcome: SearchOutcome): string[] {
  return outcome.violations.map((found) => {
    const trace = buildTrace(compiled, outcome.store, found, outcome.canonicalize);
    return `${trace.kind}:${trace.steps.length}`;
  }).sort();
}

test('three independent copies of a terminating safe model are reduced more than tenfold', () => {
  const compiled = compiledCopies('pasid-freed-at-mm-exit', 'quiesce_at_exit', 3);
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(exact.verdict, 'safe');
  assert.equal(reduced.verdict, 'safe');
  assert.ok(reduced.states * 10 < exact.states, `reduced ${reduced.states} against exact ${exact.states}`);
  assert.equal(reduced.reductionAbandoned, false);
});

test('with loops and the cycle proviso, copies of a safe model are reduced and stay safe', () => {
  const compiled = compiledCopies('vfio-dma-unmap-vaddr-deadlock', 'sticky_close', 2);
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(exact.verdict, 'safe');
  assert.equal(reduced.verdict, 'safe');
  assert.ok(reduced.states < exact.states, `reduced ${reduced.states} against exact ${exact.states}`);
});

for (const [model, proposal] of [
  ['pasid-freed-at-mm-exit', 'baseline'],
  ['vfio-dma-unmap-vaddr-deadlock', 'baseline'],
  ['iommu-release-device-ordering', 'baseline'],
  ['p2pdma-devdax-unbind-refcount', 'refcount_without_flush_sync'],
]) {
  test(`a reduced search of two copies of ${model} / ${proposal} finds every kind with its shortest trace`, () => {
    const compiled = compiledCopies(model, proposal, 2);
    const exact = run(compiled, false);
    const reduced = run(compiled, true);
    assert.equal(reduced.verdict, 'violation');
    assert.ok(reduced.reducedExpansions > 0, 'the reduction acted');
    assert.ok(reduced.traceStates !== undefined, 'the traces were recovered by the bounded exact search');
    assert.deepEqual(kinds(compiled, reduced), kinds(compiled, exact));
  });
}

test('a model where every step conflicts falls back to the exact search by itself', () => {
  const lowered = lowerModel(parse(familyModel({ workers: 4, iterations: 1 })).file, 'baseline');
  const compiled = compileSystem(lowered.system);
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(reduced.verdict, 'safe');
  assert.equal(reduced.reductionAbandoned, true);
  assert.equal(reduced.states, exact.states);
});
