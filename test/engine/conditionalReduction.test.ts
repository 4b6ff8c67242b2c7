// The state-conditional refinements of the partial-order reduction (counterWindows.ts, dmaWaits.ts,
// the frozen outsiders and the own-lock finish checks of ample.ts): on the kref lookup they reduce
// at least as much as SPIN's reduction does on the same scenario written by hand (bench/kref.pml),
// and where a count can reach zero or a transfer outlives its reference they leave every violation
// in place, with its shortest trace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/core/syntax/parser';
import { lowerModel } from '../../server/src/core/engine/lower/index';
import { compileSystem, type CompiledSystem } from '../../server/src/core/engine/compile';
import { search, type SearchOutcome } from '../../server/src/core/engine/explore';
import { buildTrace } from '../../server/src/core/engine/trace';
import { familyModel } from '../../bench/family';

function compiledText(text: string): CompiledSystem {
  const lowered = lowerModel(parse(text).file, 'baseline');
  assert.ok(lowered.complete, `the model lowers: ${lowered.diagnostics.map((d) => d.message).join('; ')}`);
  return compileSystem(lowered.system);
}

function run(compiled: CompiledSystem, reduce: boolean): SearchOutcome {
  return search(compiled, { reduce, maxStates: 2_000_000, maxMemoryBytes: 2 * 1024 ** 3, timeoutMs: 120_000 });
}

/** Kind and trace length of every violation found, sorted by kind. */
function kinds(compiled: CompiledSystem, outcome: SearchOutcome): string[] {
  return outcome.violations
    .map((found) => {
      const trace = buildTrace(compiled, outcome.store, found, outcome.canonicalize);
      return `${trace.kind}:${trace.steps.length}`;
    })
    .sort();
}

/** The kref lookup of bench/family.ts with `edit` applied to its text (which must change it). */
function krefVariant(workers: number, edit: (text: string) => string): string {
  const text = familyModel({ workers, iterations: 1 });
  const edited = edit(text);
  assert.notEqual(edited, text, 'the edit applies to the family model');
  return edited;
}

// SPIN's reduction on bench/kref.pml stores 4.2 times fewer states than its full search at three
// workers, 5.7 times at four (`BENCH_TABLES=kref npm run bench:engine` prints both).
for (const [workers, spinFactor] of [
  [3, 4.2],
  [4, 5.7],
] as const) {
  test(`the kref lookup with ${workers} workers is reduced at least ${spinFactor}-fold, as SPIN reduces it, and stays safe`, () => {
    const compiled = compiledText(familyModel({ workers, iterations: 1 }));
    const exact = run(compiled, false);
    const reduced = run(compiled, true);
    assert.equal(exact.verdict, 'safe');
    assert.equal(reduced.verdict, 'safe');
    assert.equal(reduced.reductionAbandoned, false);
    assert.ok(reduced.states * spinFactor <= exact.states, `reduced ${reduced.states} against exact ${exact.states}`);
  });
}

test('an owner that drops its reference twice lets the count reach zero under a holder: every kind is found with its shortest trace', () => {
  const compiled = compiledText(krefVariant(3, (text) => text.replace('thread owner { put obj.refs }', 'thread owner { put obj.refs; put obj.refs }').replace('expect baseline: safe', 'expect baseline: use-after-free')));
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(exact.verdict, 'violation');
  assert.equal(reduced.verdict, 'violation');
  assert.ok(reduced.reducedExpansions > 0, 'the reduction acted');
  const found = kinds(compiled, exact);
  assert.ok(found.some((k) => k.startsWith('use-after-free:')), found.join(', '));
  assert.deepEqual(kinds(compiled, reduced), found);
});

test('a worker that drops its reference before quiescing its device: the DMA after the free is found with its shortest trace', () => {
  const compiled = compiledText(
    krefVariant(3, (text) => text.replace('        quiesce dev0\n        put obj.refs', '        put obj.refs\n        quiesce dev0').replace('expect baseline: safe', 'expect baseline: dma-after-free')),
  );
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(exact.verdict, 'violation');
  assert.equal(reduced.verdict, 'violation');
  const found = kinds(compiled, exact);
  assert.ok(found.some((k) => k.startsWith('dma-after-free:')), found.join(', '));
  assert.deepEqual(kinds(compiled, reduced), found);
});

test('a get without the table lock races the last put: the count reaches zero and every kind is found with its shortest trace', () => {
  // Worker 0 takes its reference with a plain get, outside the table: when the owner's put comes
  // first, the get revives a count of zero and the release frees the object under the worker.
  const compiled = compiledText(
    krefVariant(2, (text) =>
      text
        .replace(/thread worker0 \{[\s\S]*?\n\}\n/, 'thread worker0 {\n  get obj.refs\n  use obj\n  start dev0\n  quiesce dev0\n  put obj.refs\n}\n')
        .replace('expect baseline: safe', 'expect baseline: use-after-free'),
    ),
  );
  const exact = run(compiled, false);
  const reduced = run(compiled, true);
  assert.equal(exact.verdict, 'violation');
  assert.equal(reduced.verdict, 'violation');
  const found = kinds(compiled, exact);
  assert.ok(found.length > 0);
  assert.deepEqual(kinds(compiled, reduced), found);
});
