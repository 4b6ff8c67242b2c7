// `lifetime check --backend spin`: SPIN's trails read back into the engine's traces, and on every
// gallery model the same verdicts, kinds and shortest trace lengths as the engine's exact search,
// with traces that the independent replayer accepts. Needs the Debian packages spin and gcc: skipped
// without them unless CI is set.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/core/syntax/parser';
import { checkFile } from '../../server/src/core/semantic/checker';
import { checkModel } from '../../server/src/core/engine/index';
import { lowerModel } from '../../server/src/core/engine/lower/index';
import { compileSystem } from '../../server/src/core/engine/compile';
import { checkProgress } from '../../server/src/core/engine/progress';
import { trailMoves } from '../../server/src/core/engine/spinTrail';
import { checkModelWithSpin } from '../../server/src/spin/spinBackend';
import { replayTrace } from './replay';
import { spinUnavailableReason } from './spin-runner';

const unavailable = spinUnavailableReason();
const skip = unavailable && !process.env.CI ? `SPIN cannot run: ${unavailable}` : false;

test('a spin -t -p listing reads as one move per numbered step, monitor steps left out', () => {
  const listing = [
    '  1:\tproc  1 (a1_worker:1) model.pml:40 (state 15)\t[((1))]',
    '  1:\tproc  1 (a1_worker:1) model.pml:40 (state 2)\t[v12_worker_pc = 2]',
    '  2:\tproc  3 (monitor:1) model.pml:90 (state 1)\t[D_STEP90]',
    '  3:\tproc  0 (a0_release:1) model.pml:31 (state 5)\t[((1))]',
    'spin: model.pml:31, Error: assertion violated',
    '  3:\tproc  0 (a0_release:1) model.pml:31 (state 6)\t[assert((err!=1))]',
    '  4:\tproc  1 (a1_worker:1) model.pml:40 (state 15)\t[((1))]',
    'spin: trail ends after 4 steps',
  ].join('\n');
  const steps = [
    { line: 31, actor: 0, transition: 2 },
    { line: 40, actor: 1, transition: 0 },
  ];
  assert.deepEqual(trailMoves(listing, steps), [
    { actor: 1, transition: 0 },
    { actor: 0, transition: 2 },
    { actor: 1, transition: 0 },
  ]);
});

/**
 * The seed gallery; with SPIN_BACKEND_ALL=1 the pattern library too (each proposal costs a few pan
 * compilations, so the whole library takes minutes even on an idle machine).
 */
function galleryFiles(): string[] {
  const dir = path.join(process.cwd(), 'examples');
  const top = fs.readdirSync(dir).filter((name) => name.endsWith('.lifetime')).map((name) => path.join(dir, name));
  const patterns = path.join(dir, 'patterns');
  const more = process.env.SPIN_BACKEND_ALL && fs.existsSync(patterns) ? fs.readdirSync(patterns).filter((name) => name.endsWith('.lifetime')).map((name) => path.join(patterns, name)) : [];
  return [...top, ...more];
}

test('--backend spin gives the engine\'s verdicts, kinds and shortest traces on every seed gallery model (SPIN_BACKEND_ALL=1: every pattern too)', { skip, timeout: 60 * 60_000 }, () => {
  assert.equal(unavailable, undefined, `CI is set but ${unavailable}`);
  const files = galleryFiles();
  assert.ok(files.length >= 5, 'examples/**/*.lifetime');
  let proposals = 0;
  let traces = 0;
  let weakOnly = 0;
  for (const file of files) {
    const parsed = parse(fs.readFileSync(file, 'utf8'));
    const engine = checkModel(parsed.file, checkFile(parsed.file), { exact: true, maxStates: 2_000_000 }).proposals;
    const spin = checkModelWithSpin(parsed.file, { exact: true, proposals: [], optimize: '-O0', timeoutMs: 120_000 });
    assert.deepEqual(spin.proposals.map((p) => p.name), engine.map((p) => p.name), file);
    for (const [index, expected] of engine.entries()) {
      const actual = spin.proposals[index];
      const where = `${path.basename(file)} ${expected.name}`;
      if (expected.verdict === 'incomplete') continue;
      const { system } = lowerModel(parsed.file, expected.name);
      if (actual.verdict === 'incomplete' && /weakly fair cycle/.test(actual.message ?? '')) {
        // SPIN's livelock search is under plain weak fairness: the engine must find that livelock
        // too when locks do not hand off, and it says whether the kernel's hand-off removes it.
        const weak = checkProgress(compileSystem(system), { maxStates: 2_000_000, maxMemoryBytes: 1 << 30, deadline: Infinity, fairLocks: false });
        assert.ok(weak.violation, `${where}: SPIN finds a weakly fair cycle that the engine does not`);
        assert.ok(!(expected.violations ?? []).some((v) => v.kind !== 'livelock'), `${where}: SPIN misses a safety violation`);
        weakOnly++;
        continue;
      }
      assert.equal(actual.verdict, expected.verdict, `${where}: ${actual.message ?? ''}`);
      assert.equal(actual.expectationMet, expected.expectationMet, `${where}: expectation`);
      const lengths = (result: typeof expected) => (result.violations ?? []).map((v) => `${v.kind} ${v.trace.length}`).sort();
      assert.deepEqual(lengths(actual), lengths(expected), `${where}: kinds and shortest trace lengths`);
      for (const violation of actual.violations ?? []) {
        replayTrace(system, { ...actual, kind: violation.kind, trace: violation.trace });
        assert.equal(violation.trace.at(-1)?.violation?.kind, violation.kind, `${where}: the last step carries the violation`);
        traces++;
      }
      proposals++;
    }
  }
  console.log(`# spin backend: ${proposals} proposals of ${files.length} gallery files agree with the engine; ${traces} SPIN traces replayed; ${weakOnly} left to the engine (a weakly fair cycle that lock hand-off may remove)`);
  assert.ok(proposals >= files.length);
});

test('--backend spin with its partial-order reduction reaches the same verdicts and kinds', { skip, timeout: 20 * 60_000 }, () => {
  assert.equal(unavailable, undefined, `CI is set but ${unavailable}`);
  const file = path.join(process.cwd(), 'examples', 'vfio-dma-unmap-vaddr-deadlock.lifetime');
  const parsed = parse(fs.readFileSync(file, 'utf8'));
  const engine = checkModel(parsed.file, checkFile(parsed.file), { exact: true }).proposals;
  const spin = checkModelWithSpin(parsed.file, { exact: false, proposals: [], optimize: '-O0', timeoutMs: 120_000 }).proposals;
  assert.deepEqual(
    spin.map((p) => `${p.name} ${p.verdict} ${(p.violations ?? []).map((v) => v.kind).sort().join(',')}`),
    engine.map((p) => `${p.name} ${p.verdict} ${(p.violations ?? []).map((v) => v.kind).sort().join(',')}`),
  );
});

/**
 * Thread a loops forever while c waits for a flag a only ever clears again: a livelock. When c does
 * see the flag, it ends holding its lock: a safety violation beside the livelock.
 */
const SAFETY_AND_LIVELOCK = `static s { flag f = false; flag g = false }
static t { lock n mutex }
thread a { while !s.f { set s.g; clear s.g } }
thread c { wait until s.g; lock t.n }
`;

test('--backend spin looks for a livelock beside a safety violation too, and lists the engine\'s kinds', { skip, timeout: 10 * 60_000 }, () => {
  assert.equal(unavailable, undefined, `CI is set but ${unavailable}`);
  const parsed = parse(SAFETY_AND_LIVELOCK);
  const [engine] = checkModel(parsed.file, checkFile(parsed.file), { exact: true }).proposals;
  const kindsOf = (result: typeof engine) => (result.violations ?? []).map((v) => v.kind).sort();
  assert.ok(kindsOf(engine).includes('livelock') && kindsOf(engine).some((kind) => kind !== 'livelock'), `the engine finds a livelock and a safety violation: ${kindsOf(engine).join(', ')}`);
  for (const exact of [true, false]) {
    const [spin] = checkModelWithSpin(parsed.file, { exact, proposals: [], optimize: '-O0', timeoutMs: 120_000 }).proposals;
    assert.equal(spin.verdict, 'violation', spin.message);
    assert.deepEqual(kindsOf(spin), kindsOf(engine), `exact ${exact}`);
    const livelock = spin.violations!.find((v) => v.kind === 'livelock')!;
    assert.ok(livelock.cycleStart !== undefined && livelock.cycleStart < livelock.trace.length, 'a lasso trace');
  }
});

// Issue 11's trylock-and-retry model: no safety violation, and a livelock the engine reports.
const TRYLOCK_LIVELOCK = `static s { lock m mutex; flag f = false }
thread b { lock s.m; wait until s.f; unlock s.m }
thread a { while !(trylock s.m) { }; set s.f; unlock s.m }
`;

test('--backend spin reports a livelock without a safety violation as the engine does, never as safe', { skip, timeout: 10 * 60_000 }, () => {
  assert.equal(unavailable, undefined, `CI is set but ${unavailable}`);
  const parsed = parse(TRYLOCK_LIVELOCK);
  const [engine] = checkModel(parsed.file, checkFile(parsed.file), { exact: true }).proposals;
  assert.equal(engine.kind, 'livelock');
  const [spin] = checkModelWithSpin(parsed.file, { exact: true, proposals: [], optimize: '-O0', timeoutMs: 120_000 }).proposals;
  assert.equal(spin.verdict, 'violation', spin.message);
  assert.equal(spin.kind, 'livelock');
  assert.equal(spin.trace?.length, engine.trace?.length);
  assert.equal(spin.violations?.[0].cycleStart, engine.violations?.[0].cycleStart);
});
