// Differential test of the engine against SPIN on random models.
//
// For each generated model, the engine's exact search (`exact: true`, breadth-first, shortest trace)
// and SPIN's breadth-first search of the exported Promela model must agree:
// - both safe, or both a violation at the same depth (the engine's trace length equals pan's depth);
// - when both find a violation, the same kind; when several kinds are reachable at that depth and
//   the two searches stopped at different ones, pan compiled with only the engine's kind
//   (`-DONLY_KIND`) must reach that kind at the same depth.
// SPIN runs first with its partial-order reduction on (the export keeps it usable): it must agree on
// safe versus violation and reach one of the engine's kinds; depths are compared without reduction.
// The engine's reduced search must agree with SPIN on safe versus violation.
// Every further kind the engine reaches is checked with -DONLY_KIND, and the livelock check under
// plain weak fairness is compared with pan's fair acceptance cycles (`pan -a -f`, a never claim).
//
// SPIN_MODELS=N sets the number of models (300 by default); SPIN_SEED=S replays a run. The seed is
// printed at the start. SPIN_THREADS and SPIN_STATEMENTS make the models larger. Needs the Debian packages spin and gcc: skipped without them unless CI is set.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/core/syntax/parser';
import { checkFile } from '../../server/src/core/semantic/checker';
import { checkModel } from '../../server/src/core/engine/index';
import type { ProposalResult } from '../../server/src/core/engine/types';
import { exportPromelaFromFile, promelaKindCode } from '../../server/src/core/engine/promela';
import { generateModel } from './random-models';
import { replayTrace } from './replay';
import { runSpin, runSpinLivelock, spinUnavailableReason, type SpinOptions } from './spin-runner';
import { lowerModel } from '../../server/src/core/engine/lower/index';
import { compileSystem } from '../../server/src/core/engine/compile';
import { checkProgress, threadsCanLoop } from '../../server/src/core/engine/progress';
import type { SourceFile } from '../../server/src/core/syntax/ast';
import { checkModelInPool, ProposalPool } from '../../server/src/workers/proposalPool';

const MODELS = Number(process.env.SPIN_MODELS ?? 300);
/** Models of the `--jobs 2` variant, whose engine searches run on a pool of two workers. */
const JOBS_MODELS = Number(process.env.SPIN_JOBS_MODELS ?? 40);
const SEED = process.env.SPIN_SEED !== undefined ? Number(process.env.SPIN_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const PARALLEL = 2;
/** Larger models for a longer campaign: SPIN_THREADS (default 3) and SPIN_STATEMENTS (default 4). */
const GENERATOR = { maxThreads: Number(process.env.SPIN_THREADS ?? 3), maxStatements: Number(process.env.SPIN_STATEMENTS ?? 4) };
const ENGINE_STATE_LIMIT = 500_000;

/** SPIN's breadth-first search without reduction: its depths are the shortest trace lengths. */
const SPIN_OPTIONS: SpinOptions = { search: 'bfs', partialOrder: false, optimize: '-O0', hashBits: 18, timeoutMs: 60_000 };
/** The same with SPIN's partial-order reduction on, which the export keeps usable: verdicts must not change. */
const SPIN_REDUCED: SpinOptions = { ...SPIN_OPTIONS, partialOrder: true };

interface Outcome {
  seed: number;
  /** `safe`, a violation kind, or `skipped: why`. */
  engine: string;
  spin: string;
  problem?: string;
}

function describe(result: ProposalResult): string {
  if (result.verdict === 'violation') return `${result.kind} in ${result.trace?.length ?? '?'} steps`;
  return result.verdict;
}

/**
 * Dedicated cases where the docs and the engine once disagreed (issue 15) and the kinds a step can
 * commit together; each is compared like a random model.
 */
const DEDICATED_CASES = [
  // A later let of the same name assigns the handle again.
  'object a\nobject b\nthread t { let h = a; use h; let h = b; free a; use h; free b }\nthread u { use a }\n',
  // free of an unborn object is an invalid free (double-free); a use of one a use-after-free.
  'object o unborn\nthread a { free o }\nthread b { alloc o; free o }\n',
  'object o unborn\nthread a { use o }\nthread b { alloc o; free o }\n',
  // lock on a freed object that another thread holds is a use-after-free, not a deadlock.
  'object o { lock m }\nstatic s { flag never = false }\nthread holder { lock o.m; free o; wait until s.never }\nthread other { lock o.m; unlock o.m }\n',
  // wait until on a freed object is a use-after-free while the flag is false.
  'object o { flag f = false }\nthread freer { free o }\nthread waiter { wait until o.f }\n',
  // One step that uses a freed object and breaks an order reports both.
  'object o\nstatic d { flag x }\norder set d.x before use o\nthread a { free o; use o }\nthread b { set d.x }\n',
  // A trylock retry against a holder that waits for it: a livelock (issue 11).
  'static s { lock m mutex; flag f = false }\nthread b { lock s.m; wait until s.f; unlock s.m }\nthread a { while !(trylock s.m) { }; set s.f; unlock s.m }\n',
  // A loop that retakes a lock starves a waiter under plain weak fairness only.
  'static s { lock m; flag stop = false }\nthread worker { while !s.stop { lock s.m; unlock s.m } }\nthread closer { lock s.m; set s.stop; unlock s.m }\n',
  // A busy-wait that another thread ends.
  'static s { flag f = false }\nthread a { while !s.f { } }\nthread b { set s.f }\n',
  // Two kinds on different steps: a use-after-free, and a stale access after reallocation.
  'object pasid recyclable\nstatic bond { ptr p -> pasid = pasid }\nthread user { use bond.p }\nthread exit { free pasid; alloc pasid; free pasid }\n',
  // Handlers in the livelock check: an idle worker counts as finished; a spin on a flag that only a
  // never-queued work item sets is a livelock; a timer that re-arms itself after the threads have
  // finished is not; a worker that spins while a timer toggles its flag is.
  'static s { flag f = false }\nobject dev long-lived { work w { set s.f } }\nthread t { queue_work dev.w; while !s.f { } }\n',
  'static s { flag f = false }\nobject dev long-lived { work w { set s.f } }\nthread t { while !s.f { } }\n',
  'static s { flag f = false; flag g = false }\nobject dev long-lived { timer t { set s.g; mod_timer dev.t; use dev } }\nthread a { mod_timer dev.t; wait until s.g; set s.f }\n',
  'static s { flag f = false }\nobject dev long-lived { work w { while !s.f { }; queue_work dev.w } timer t { set s.f; clear s.f; mod_timer dev.t } }\nthread a { queue_work dev.w; mod_timer dev.t }\n',
];

/**
 * The livelock check under plain weak fairness against SPIN's fair acceptance cycles (`pan -a -f`
 * with a never claim); the engine's default check, where locks hand off, may find a livelock only
 * where the weak one does. Models in which no thread can loop are left out (no cycle has a thread
 * step). Returns the disagreement, if any.
 */
async function compareLivelock(file: SourceFile, promela: string): Promise<string | undefined> {
  const { system } = lowerModel(file, 'baseline');
  if (!threadsCanLoop(system)) return undefined;
  livelockModels++;
  const compiled = compileSystem(system);
  const budget = { maxStates: ENGINE_STATE_LIMIT, maxMemoryBytes: 512 * 1024 * 1024, deadline: performance.now() + 60_000 };
  const weak = checkProgress(compiled, { ...budget, fairLocks: false });
  const kernel = checkProgress(compiled, budget);
  if (weak.incompleteReason || kernel.incompleteReason) return undefined;
  if (kernel.violation && !weak.violation) return 'the livelock check finds a livelock with fair locks but none under plain weak fairness';
  // pan's fair acceptance-cycle search multiplies the graph by the claim and by a copy per process,
  // so large graphs are left to the engine's own checks rather than to a SPIN run of minutes.
  if (weak.states > LIVELOCK_SPIN_STATE_LIMIT) {
    livelockModelsTooLargeForSpin++;
    return undefined;
  }
  const spin = await runSpinLivelock(promela, system);
  if (spin.verdict === 'unknown') return `pan -a -f gave no verdict:\n${spin.output.slice(0, 1500)}`;
  if ((spin.verdict === 'livelock') !== (weak.violation !== undefined)) {
    return `under weak fairness the engine ${weak.violation ? `finds ${weak.violation.message}` : 'finds no livelock'}, SPIN ${spin.verdict === 'livelock' ? 'finds a fair acceptance cycle' : 'finds none'}`;
  }
  if (weak.violation) livelocks++;
  return undefined;
}

const LIVELOCK_SPIN_STATE_LIMIT = 10_000;
let livelockModels = 0;
let livelockModelsTooLargeForSpin = 0;
let livelocks = 0;

async function compare(seed: number, pool?: ProposalPool): Promise<Outcome> {
  return compareText(seed, generateModel(seed, GENERATOR).text, pool);
}

/**
 * The baseline's result, checked in this thread or, with `pool`, by a pool worker (`--jobs 2`),
 * whose result must then equal the one of this thread but for the time taken.
 */
async function checkBaseline(file: SourceFile, checked: unknown, text: string, exact: boolean, pool?: ProposalPool): Promise<ProposalResult> {
  const options = { exact, proposals: ['baseline'], maxStates: ENGINE_STATE_LIMIT };
  const alone = checkModel(file, checked, options).proposals[0];
  if (!pool) return alone;
  const pooled = (await checkModelInPool(pool, file, text, options)).proposals[0];
  assert.deepEqual({ ...pooled, ms: 0 }, { ...alone, ms: 0 }, `a pool worker's ${exact ? 'exact' : 'reduced'} result differs from this thread's:\n${text}`);
  return pooled;
}

async function compareText(seed: number, text: string, pool?: ProposalPool): Promise<Outcome> {
  const parsed = parse(text);
  const checked = checkFile(parsed.file);
  const errors = [...parsed.diagnostics, ...checked.diagnostics].filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    return { seed, engine: 'invalid', spin: '-', problem: `the generator wrote an invalid model: ${errors[0].message}\n${text}` };
  }
  const exact = await checkBaseline(parsed.file, checked, text, true, pool);
  if (!exact || exact.verdict === 'incomplete') return { seed, engine: 'skipped: incomplete', spin: '-' };
  // SPIN's export checks the safety kinds; a livelock is compared on its own (compareLivelock).
  const safetyReports = (exact.violations ?? []).filter((v) => v.kind !== 'livelock');
  const safety: ProposalResult = safetyReports.length > 0
    ? { ...exact, verdict: 'violation', kind: safetyReports[0].kind, trace: safetyReports[0].trace, violations: safetyReports }
    : { ...exact, verdict: 'safe', kind: undefined, trace: undefined, violations: undefined };
  const exported = exportPromelaFromFile(parsed.file, 'baseline');
  if (!exported.text) {
    return { seed, engine: describe(safety), spin: '-', problem: `no export: ${exported.diagnostics.map((d) => d.message).join('; ')}\n${text}` };
  }
  const reducedRun = await runSpin(exported.text, SPIN_REDUCED);
  const reducedPan = reducedRun.pan;
  const reducedSpin = reducedPan.verdict === 'violation' ? `${reducedPan.kind} in ${reducedPan.depth} steps` : reducedPan.verdict;
  const engineKinds = new Set((safety.violations ?? []).map((v) => v.kind));
  const fail = (why: string): Outcome => ({ seed, engine: describe(safety), spin: reducedSpin, problem: `${why}\n--- model (seed ${seed}) ---\n${text}` });
  if (reducedPan.verdict === 'unknown') return fail(`pan (with partial-order reduction) gave no verdict: ${reducedPan.problem}\n${reducedRun.output.slice(0, 2000)}`);
  if (reducedPan.verdict !== safety.verdict) return fail(`engine says ${describe(safety)}, SPIN with partial-order reduction says ${reducedSpin}`);
  if (reducedPan.kind && !engineKinds.has(reducedPan.kind)) return fail(`SPIN with partial-order reduction reaches ${reducedPan.kind}, which the engine does not reach`);
  // Without reduction, SPIN's BFS depth is the shortest trace length: compare it with the engine's.
  const run = safety.verdict === 'violation' ? await runSpin(exported.text, SPIN_OPTIONS) : reducedRun;
  const pan = run.pan;
  const spin = pan.verdict === 'violation' ? `${pan.kind} in ${pan.depth} steps` : pan.verdict;
  const outcome: Outcome = { seed, engine: describe(safety), spin };

  if (pan.verdict === 'unknown') return fail(`pan gave no verdict: ${pan.problem}\n${run.output.slice(0, 2000)}`);
  if (pan.verdict !== safety.verdict) return fail(`engine says ${outcome.engine}, SPIN says ${spin}`);

  // The livelock check does not depend on where the search ran: the --jobs 2 variant leaves it to the main test.
  const livelock = pool ? undefined : await compareLivelock(parsed.file, exported.text);
  if (livelock) return fail(livelock);
  const reduced = await checkBaseline(parsed.file, checked, text, false, pool);
  if (reduced.verdict !== 'incomplete' && reduced.verdict !== exact.verdict) {
    return fail(`the reduced search says ${describe(reduced)}, the exact one ${describe(exact)}`);
  }
  const reducedKinds = (reduced.violations ?? []).map((v) => v.kind).sort().join(', ');
  const exactKinds = (exact.violations ?? []).map((v) => v.kind).sort().join(', ');
  if (reduced.verdict === 'violation' && !reduced.incompleteReason && reducedKinds !== exactKinds) return fail(`the reduced search reaches ${reducedKinds}, the exact one ${exactKinds}`);
  if (safety.verdict !== 'violation') return outcome;

  const length = safety.trace?.length ?? -1;
  // A step that fails asserts inside the step (its trail is pan's depth plus that step), while the
  // monitor asserts a leak or deadlock in the state it shows in (its trail is pan's depth): at one
  // breadth-first level pan may meet a step failure one step longer before a monitor failure. Then
  // SPIN with only the engine's kind checked must reach it at the engine's length (checked below).
  const { system } = lowerModel(parsed.file, 'baseline');
  const monitorKinds = new Set<string>(['deadlock', ...system.leakChecks.map((check) => check.kind)]);
  const monitorFirst = pan.depth === length + 1 && pan.kind !== safety.kind && monitorKinds.has(safety.kind ?? '');
  if (pan.depth !== length && !monitorFirst) return fail(`engine trace has ${length} steps, SPIN's BFS trail ${pan.depth}`);
  // Every other reachable kind: SPIN with only that kind checked reaches it at the length of the
  // engine's own trace for it, unless the trace's last step fails another kind's check first: the
  // engine commits both, while SPIN's err holds only the step's first kind, so SPIN must then reach
  // the second kind on another, longer path, or not at all.
  const reports = safety.violations ?? [];
  for (const report of reports.slice(1)) {
    const alone = await runSpin(exported.text, { ...SPIN_OPTIONS, onlyKind: promelaKindCode(report.kind) });
    // The independent replayer confirms the trace, and tells whether its last step fails another kind's check first.
    const last: { firstKind?: string } = {};
    try {
      replayTrace(system, { ...safety, kind: report.kind, trace: report.trace }, last);
    } catch (error) {
      return fail(`the engine's ${report.kind} trace does not replay: ${error instanceof Error ? error.message : String(error)}`);
    }
    const second = last.firstKind !== undefined && last.firstKind !== report.kind;
    if (second && (alone.pan.verdict === 'safe' || (alone.pan.depth ?? 0) > report.trace.length)) continue;
    if (alone.pan.verdict !== 'violation' || alone.pan.kind !== report.kind || alone.pan.depth !== report.trace.length) {
      const found = alone.pan.verdict === 'violation' ? `${alone.pan.kind} in ${alone.pan.depth} steps` : alone.pan.verdict;
      return fail(`the engine reaches ${report.kind} in ${report.trace.length} steps, SPIN with only that kind checked says ${found}`);
    }
  }
  if (pan.kind === safety.kind) return outcome;
  // Two kinds at the same shortest depth: SPIN must reach the engine's kind there too.
  const only = await runSpin(exported.text, { ...SPIN_OPTIONS, onlyKind: promelaKindCode(safety.kind!) });
  if (only.pan.verdict !== 'violation' || only.pan.kind !== safety.kind || only.pan.depth !== length) {
    const alone = only.pan.verdict === 'violation' ? `${only.pan.kind} in ${only.pan.depth} steps` : only.pan.verdict;
    return fail(`engine says ${outcome.engine}, SPIN says ${spin}, and with only ${safety.kind} checked ${alone}`);
  }
  return outcome;
}

const unavailable = spinUnavailableReason();
const skip = unavailable && !process.env.CI ? `SPIN cannot run: ${unavailable}` : false;

test(`the engine and SPIN agree on ${MODELS} random models`, { skip, timeout: 30 * 60_000 }, async () => {
  assert.equal(unavailable, undefined, `CI is set but ${unavailable}`);
  console.log(`# spin differential: seed ${SEED}, ${MODELS} models; replay with SPIN_SEED=${SEED}`);
  const started = performance.now();
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < MODELS) {
      const seed = (SEED + next++) >>> 0;
      outcomes.push(await compare(seed));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));

  const verdicts = new Map<string, number>();
  for (const outcome of outcomes) {
    const key = outcome.engine.replace(/ in \d+ steps$/, '');
    verdicts.set(key, (verdicts.get(key) ?? 0) + 1);
  }
  const summary = [...verdicts].sort((a, b) => b[1] - a[1]).map(([key, count]) => `${key} ${count}`).join(', ');
  console.log(`# spin differential: ${outcomes.length} models in ${((performance.now() - started) / 1000).toFixed(1)} s: ${summary}`);

  for (const [index, text] of DEDICATED_CASES.entries()) outcomes.push(await compareText(-1 - index, text));

  console.log(`# spin differential: ${livelockModels} models with loops, ${livelockModels - livelockModelsTooLargeForSpin} of them (graphs up to ${LIVELOCK_SPIN_STATE_LIMIT} states) checked for livelocks against pan -a -f, ${livelocks} livelocks`);
  const failures = outcomes.filter((o) => o.problem);
  const compared = outcomes.filter((o) => !o.engine.startsWith('skipped'));
  assert.ok(compared.length >= Math.min(MODELS, 300) * 0.95, `only ${compared.length} of ${MODELS} models were compared`);
  assert.equal(
    failures.length,
    0,
    `${failures.length} of ${outcomes.length} models disagree (SPIN_SEED=${SEED}); the first:\n` +
      failures.slice(0, 3).map((f) => `seed ${f.seed}: ${f.problem}`).join('\n\n'),
  );
});

test(`at --jobs 2 the engine and SPIN agree on ${JOBS_MODELS} random models`, { skip, timeout: 10 * 60_000 }, async () => {
  assert.equal(unavailable, undefined, `CI is set but ${unavailable}`);
  const seed = (SEED + 0x5bd1e995) >>> 0;
  console.log(`# spin differential at --jobs 2: seed ${seed}, ${JOBS_MODELS} models; replay with SPIN_SEED=${SEED}`);
  const pool = new ProposalPool(2);
  const outcomes: Outcome[] = [];
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < JOBS_MODELS) outcomes.push(await compare((seed + next++) >>> 0, pool));
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } finally {
    await pool.close();
  }
  const failures = outcomes.filter((o) => o.problem);
  const compared = outcomes.filter((o) => !o.engine.startsWith('skipped'));
  assert.ok(compared.length >= JOBS_MODELS * 0.9, `only ${compared.length} of ${JOBS_MODELS} models were compared`);
  assert.equal(failures.length, 0, `${failures.length} of ${outcomes.length} models disagree at --jobs 2 (SPIN_SEED=${SEED}); the first:\n${failures.slice(0, 3).map((f) => `seed ${f.seed}: ${f.problem}`).join('\n\n')}`);
});
