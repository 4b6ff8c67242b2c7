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

/** `n` threads that each write one shared flag again and again: every step conflicts with every other. */
function conflictingModel(threads: number, rounds: number): string {
  const lines = ['model flips "every step writes the same flag"', 'static g { flag a = false }'];
  for (let i = 0; i < threads; i++) lines.push(`thread t${i} { repeat ${rounds} { set g.a; clear g.a } }`);
  lines.push('expect baseline: safe', '');
  return lines.join('\n');
}

function compiledText(text: string, proposal = 'baseline'): CompiledSystem {
  const lowered = lowerModel(parse(text).file, proposal);
  assert.ok(lowered.complete, `the model lowers: ${lowered.diagnostics.map((d) => d.message).join('; ')}`);
  return compileSystem(lowered.system);
}

test('a model where every step conflicts falls back to the exact search by itself', () => {
  const compiled = compiledText(conflictingModel(5, 2));
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.ok(exact.states > 2048, `${exact.states} states: the trial ends before the search does`);
  assert.equal(reduced.verdict, 'safe');
  assert.equal(reduced.reductionAbandoned, true);
  assert.equal(reduced.states, exact.states);
});

test('three copies of a model whose device loops are reduced more than tenfold: a step that leaves its thread\'s loop meets the proviso', () => {
  const compiled = compiledCopies('iommu-sva-release-vs-dma', 'invalidate_all', 3);
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(reduced.verdict, 'safe');
  assert.ok(reduced.states * 10 < exact.states, `reduced ${reduced.states} against exact ${exact.states}`);
});

/** Threads that do private work around a critical section on a shared flag, and a racer that clears it without the lock. */
function lockedModel(threads: number): string {
  const lines = ['model locked "threads touch a shared flag only under its lock"', 'static s { lock m; flag f = false }'];
  for (let i = 0; i < threads; i++) {
    lines.push(`static own${i} { flag a = false; flag b = false }`);
    lines.push(`thread t${i} { set own${i}.a; lock s.m; set s.f; assert s.f; clear s.f; unlock s.m; set own${i}.b }`);
  }
  lines.push('thread racer { clear s.f }', 'expect baseline: assertion', '');
  return lines.join('\n');
}

test('the kref lookup is reduced: steps under the table lock, and a holder\'s use of the object, are independent of the other workers', () => {
  const compiled = compiledText(familyModel({ workers: 4, iterations: 1 }));
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(reduced.verdict, 'safe');
  assert.equal(reduced.reductionAbandoned, false);
  assert.ok(reduced.states * 3 < exact.states * 2, `reduced ${reduced.states} against exact ${exact.states}`);
});

test('a write without the lock stays dependent: the race is found with its shortest trace', () => {
  const compiled = compiledText(lockedModel(3));
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(exact.verdict, 'violation');
  assert.equal(reduced.verdict, 'violation');
  assert.deepEqual(kinds(compiled, reduced), kinds(compiled, exact));
  assert.ok(kinds(compiled, reduced).some((k) => k.startsWith('assertion:')));
});

/** Holders of one reference each use the object between private steps, then drop their reference. */
function holdersModel(holders: number, count: number): string {
  const lines = ['model holders "each thread holds a reference while it uses the object"', `object obj { ref refs = ${count} on zero { free obj } }`];
  for (let i = 0; i < holders; i++) {
    lines.push(`static own${i} { flag a = false }`);
    lines.push(`thread t${i} { use obj; set own${i}.a; use obj; put obj.refs }`);
  }
  lines.push(`expect baseline: ${count >= holders ? 'safe' : 'use-after-free'}`, '');
  return lines.join('\n');
}

test('a holder\'s use is independent of the other holders\' puts while they cannot bring the count to zero', () => {
  const compiled = compiledText(holdersModel(4, 4));
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(exact.verdict, 'safe');
  assert.equal(reduced.verdict, 'safe');
  assert.ok(reduced.states * 2 < exact.states, `reduced ${reduced.states} against exact ${exact.states}`);
});

test('one reference short, the puts stay dependent: every kind is found with its shortest trace', () => {
  const compiled = compiledText(holdersModel(3, 2));
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(exact.verdict, 'violation');
  assert.equal(reduced.verdict, 'violation');
  assert.deepEqual(kinds(compiled, reduced), kinds(compiled, exact));
});
