// The parallel exact search (issue 14 §3) against the sequential one: on every gallery model and on
// random models, with two and three threads, the verdict, the states, transitions and depth, every
// violation and its trace are the same; budgets, time and cancellation stop it with an honest
// `incomplete`; and `checkModel` with `searchWorkers` gives the results of one thread.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/core/syntax/parser';
import { lowerModel, proposalNames } from '../../server/src/core/engine/lower/index';
import { compileSystem, type CompiledSystem } from '../../server/src/core/engine/compile';
import { search, type SearchOutcome } from '../../server/src/core/engine/explore';
import { buildTrace } from '../../server/src/core/engine/trace';
import { parallelSearch, SEQUENTIAL_PROBE_STATES } from '../../server/src/core/engine/parallel/parallelSearch';
import { checkModel } from '../../server/src/core/engine/index';
import { generateModel } from './random-models';

const root = path.join(__dirname, '..', '..', '..');
const BUDGET = { maxStates: 2_000_000, maxMemoryBytes: 1024 ** 3, timeoutMs: 120_000 };

function galleryFiles(): string[] {
  const files: string[] = [];
  for (const dir of ['examples', 'examples/patterns']) {
    for (const name of fs.readdirSync(path.join(root, dir)).sort()) if (name.endsWith('.lifetime')) files.push(path.join(root, dir, name));
  }
  return files;
}

function compiledProposals(text: string): { name: string; compiled: CompiledSystem }[] {
  const file = parse(text).file;
  const out: { name: string; compiled: CompiledSystem }[] = [];
  for (const name of proposalNames(file)) {
    const lowered = lowerModel(file, name);
    if (lowered.complete) out.push({ name, compiled: compileSystem(lowered.system) });
  }
  return out;
}

/** What a search reports, traces included, as plain data. */
function summary(compiled: CompiledSystem, outcome: SearchOutcome): unknown {
  return {
    verdict: outcome.verdict,
    incompleteReason: outcome.incompleteReason,
    states: outcome.states,
    transitions: outcome.transitions,
    depth: outcome.depth,
    violations: outcome.violations.map((found) => buildTrace(compiled, outcome.store, found, undefined)),
  };
}

function assertSameAsSequential(label: string, compiled: CompiledSystem, workers: number[]): void {
  const sequential = summary(compiled, search(compiled, { reduce: false, ...BUDGET }));
  for (const threads of workers) {
    const parallel = summary(compiled, parallelSearch(compiled, { workers: threads, ...BUDGET }));
    assert.deepEqual(parallel, sequential, `${label} on ${threads} threads`);
  }
}

test('on every gallery model the parallel search reports what the sequential search reports, on 2 or 3 threads', () => {
  let checked = 0;
  let violations = 0;
  for (const file of galleryFiles()) {
    for (const { name, compiled } of compiledProposals(fs.readFileSync(file, 'utf8'))) {
      assertSameAsSequential(`${path.basename(file)} ${name}`, compiled, checked % 2 === 0 ? [2] : [3]);
      if (search(compiled, { reduce: false, ...BUDGET }).verdict === 'violation') violations++;
      checked++;
    }
  }
  assert.ok(checked >= 40, `${checked} proposals checked`);
  assert.ok(violations >= 20, `${violations} of them with violations`);
});

test('on random models the parallel search reports what the sequential search reports', () => {
  let kinds = 0;
  for (let seed = 1; seed <= 40; seed++) {
    for (const { name, compiled } of compiledProposals(generateModel(seed).text)) {
      assertSameAsSequential(`seed ${seed} ${name}`, compiled, seed % 2 === 0 ? [2] : [3]);
      kinds += search(compiled, { reduce: false, ...BUDGET }).violations.length;
    }
  }
  assert.ok(kinds > 20, `${kinds} violations compared`);
});

/** `n` threads that each set their own flag: 2^n states, no violation. */
function independentFlags(n: number): string {
  const flags = Array.from({ length: n }, (_, k) => `flag f${k}`).join('; ');
  const threads = Array.from({ length: n }, (_, k) => `thread t${k} { set s.f${k} }`).join('\n');
  return `static s { ${flags} }\n${threads}\n`;
}

test('a search of a quarter million states, grown several times while the threads insert, matches the sequential one', () => {
  const [{ compiled }] = compiledProposals(independentFlags(18));
  const parallel = parallelSearch(compiled, { workers: 2, ...BUDGET });
  assert.equal(parallel.states, 2 ** 18);
  assertSameAsSequential('18 flags', compiled, [2]);
});

test('the state budget stops the parallel search as it stops the sequential one', () => {
  const [{ compiled }] = compiledProposals(independentFlags(16));
  const budget = { ...BUDGET, maxStates: 5000 };
  const sequential = search(compiled, { reduce: false, ...budget });
  const parallel = parallelSearch(compiled, { workers: 2, ...budget });
  assert.equal(sequential.incompleteReason, 'states');
  assert.equal(parallel.verdict, 'incomplete');
  assert.equal(parallel.incompleteReason, 'states');
  assert.equal(parallel.states, 5000);
});

test('the time budget and cancellation stop the parallel search with an incomplete verdict', () => {
  const [{ compiled }] = compiledProposals(independentFlags(26));
  const started = performance.now();
  const timed = parallelSearch(compiled, { workers: 2, ...BUDGET, maxStates: 2 ** 27, timeoutMs: 300 });
  assert.equal(timed.verdict, 'incomplete');
  assert.equal(timed.incompleteReason, 'time');
  assert.ok(timed.states < 2 ** 26);
  assert.ok(performance.now() - started < 30_000, 'the threads stop soon after the budget');
  let reads = 0;
  const cancel = {
    get isCancellationRequested(): boolean {
      return ++reads > 3;
    },
  };
  const cancelled = parallelSearch(compiled, { workers: 2, ...BUDGET, maxStates: 2 ** 27, cancel });
  assert.equal(cancelled.incompleteReason, 'cancelled');
});

test('checkModel with searchWorkers gives the exact results of one thread, past the sequential probe too', () => {
  const texts = [independentFlags(18), fs.readFileSync(path.join(root, 'examples/vfio-dma-unmap-vaddr-deadlock.lifetime'), 'utf8')];
  assert.ok(2 ** 18 > SEQUENTIAL_PROBE_STATES);
  for (const text of texts) {
    const file = parse(text).file;
    const strip = (model: ReturnType<typeof checkModel>): unknown => model.proposals.map(({ ms, ...rest }) => (void ms, rest));
    const one = checkModel(file, undefined, { exact: true });
    const two = checkModel(file, undefined, { exact: true, searchWorkers: 2 });
    assert.deepEqual(strip(two), strip(one));
  }
});

test('a missing thread script is a clear error, not a hang', () => {
  const [{ compiled }] = compiledProposals(independentFlags(4));
  assert.throws(() => parallelSearch(compiled, { workers: 2, ...BUDGET, workerPath: path.join(root, 'no-such-searchWorker.js') }), /thread script is missing/);
});
