// `lifetime check --backend spin`: the proposals of a file checked by SPIN instead of the engine.
//
// For each proposal: export the lowered model (promela.ts), `spin -a -o2`, compile pan with gcc and
// run its breadth-first search. A first run with every kind tells safe from violation (with SPIN's
// partial-order reduction on, unless `exact`). On a violation, each kind the model can reach is then
// searched alone (`-DONLY_KIND`, which reads a global flag in every guard and so runs unreduced):
// pan's BFS gives that kind's shortest trail, which `spin -t -p` lists and the engine replays into
// its own trace (spinTrail.ts). The results are the engine's own ProposalResult, so diagnostics,
// hovers, the trace view, and text, JSON and SARIF output read the same for both backends.
//
// Livelocks are a property of cycles: when the threads can loop, a never claim with weak fairness
// (`pan -a -f`) looks for one; since the engine's default (locks hand off) reports a subset of the
// weakly fair livelocks, a fair cycle found there is reported as an incomplete verdict, not as a
// livelock.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CODES, makeDiagnostic, type Diagnostic } from '../core/diagnostics/codes';
import { compileSystem, type CompiledSystem } from '../core/engine/compile';
import { meetsExpectation } from '../core/engine/expectation';
import { setViolations } from '../core/engine/index';
import { lowerModel, proposalNames } from '../core/engine/lower/index';
import type { CBodyTranslator, TransitionSystem } from '../core/engine/ir';
import { checkProgress, threadsCanLoop, type ProgressOptions, type ProgressOutcome } from '../core/engine/progress';
import { blockedName, exportPromelaWithSteps, parsePanOutput, promelaKindCode, type PanVerdict, type WrittenPromela } from '../core/engine/promela';
import { reportFromTrail, trailMoves } from '../core/engine/spinTrail';
import type { ProposalResult, ViolationReport } from '../core/engine/types';
import { buildVariant } from '../core/engine/variant';
import { expectationsOf } from '../core/semantic/expectations';
import type { SourceFile, ViolationKind } from '../core/syntax/ast';

/** pan's memory bound, and the engine's for a livelock check, when `maxMemoryBytes` is not given. */
const DEFAULT_MAX_MEMORY = 1024 * 1024 * 1024;

export interface SpinBackendOptions {
  /** `-DNOREDUCE` on the first run too: every trail is then a shortest one. */
  exact: boolean;
  /** Only these proposals; all when empty. */
  proposals: readonly string[];
  /** pan's memory bound (`-DMEMLIM`); 1 GiB by default. */
  maxMemoryBytes?: number;
  /** Each pan run is stopped after this long. */
  timeoutMs?: number;
  translateC?: CBodyTranslator;
  /** gcc's optimisation flag; `-O2` by default (tests use `-O0`, which compiles faster). */
  optimize?: string;
}

export interface SpinBackendRun {
  proposals: ProposalResult[];
  diagnostics: Diagnostic[];
}

/** Why SPIN cannot run here, naming what is missing; undefined when `spin` and `gcc` are both on PATH. */
export function spinMissing(): string | undefined {
  const missing = ['spin', 'gcc'].filter((tool) => !onPath(tool));
  if (missing.length === 0) return undefined;
  return `--backend spin needs ${missing.join(' and ')} on PATH, and ${missing.length === 1 ? 'it is' : 'they are'} not installed (Debian: apt-get install spin gcc)`;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    if (!dir) return false;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Checks every proposal of a file (baseline first) with SPIN. Never throws. */
export function checkModelWithSpin(file: SourceFile, options: SpinBackendOptions): SpinBackendRun {
  const expected = expectationsOf(file);
  const out: SpinBackendRun = { proposals: [], diagnostics: [] };
  for (const name of proposalNames(file)) {
    if (options.proposals.length > 0 && !options.proposals.includes(name)) continue;
    const result = checkProposalWithSpin(file, name, options, out.diagnostics);
    const expectation = expected.get(name);
    if (expectation !== undefined) {
      result.expected = expectation;
      const met = meetsExpectation(result, expectation);
      if (met !== undefined) result.expectationMet = met;
    }
    out.proposals.push(result);
  }
  return out;
}

class SpinFailure extends Error {
  constructor(
    message: string,
    readonly reason: 'memory' | 'time' | 'internal-error',
  ) {
    super(message);
  }
}

export function checkProposalWithSpin(file: SourceFile, name: string, options: SpinBackendOptions, diagnostics: Diagnostic[]): ProposalResult {
  const variant = buildVariant(file, name);
  const result: ProposalResult = { name, start: variant?.start ?? 0, end: variant?.end ?? 0, verdict: 'incomplete', states: 0, transitions: 0, depth: 0, ms: 0 };
  if (variant?.title) result.title = variant.title;
  const started = performance.now();
  const lowered = lowerModel(file, name, { translateC: options.translateC });
  diagnostics.push(...lowered.diagnostics);
  if (!lowered.complete) {
    result.skipped = lowered.diagnostics.at(-1)?.message ?? 'the proposal could not be lowered';
    return result;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-spin-'));
  try {
    const exported = exportPromelaWithSteps(lowered.system);
    fs.writeFileSync(path.join(dir, 'model.pml'), exported.text);
    const runner = new PanRunner(dir, options);
    const budgets = { maxStates: Number.MAX_SAFE_INTEGER, maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY, deadline: started + (options.timeoutMs ?? Number.POSITIVE_INFINITY) };
    const first = runner.search(options.exact ? 'exact' : 'reduced');
    result.states = first.states ?? 0;
    result.transitions = first.transitions ?? 0;
    const reports: ViolationReport[] = [];
    if (first.verdict === 'violation') {
      const compiled = compileSystem(lowered.system);
      // Unreduced, the first run's trail is already the shortest one to its kind.
      if (options.exact) reports.push(reportFromTrail(compiled, trailMoves(runner.trail(), exported.steps), first.kind!, result));
      for (const kind of reachableKinds(compiled)) {
        if (options.exact && kind === first.kind) continue;
        const alone = runner.search('exact', promelaKindCode(kind));
        if (alone.verdict !== 'violation') continue;
        const listing = runner.trail(promelaKindCode(kind));
        reports.push(reportFromTrail(compiled, trailMoves(listing, exported.steps), kind, result));
      }
      if (!reports.some((report) => report.kind === first.kind)) throw new SpinFailure(`pan reported ${first.kind}, but pan searching for ${first.kind} alone found none`, 'internal-error');
      // The engine lists a livelock beside the safety violations, so it is looked for here too.
      const livelock = livelockAfterPan(runner, exported, lowered.system, compiled, budgets);
      if (livelock.report) reports.push(livelock.report);
      else if (livelock.incompleteReason) result.incompleteReason = livelock.incompleteReason;
      setViolations(result, reports);
    } else {
      result.verdict = 'safe';
      const livelock = livelockAfterPan(runner, exported, lowered.system, compileSystem(lowered.system), budgets);
      if (livelock.report) setViolations(result, [livelock.report]);
      else if (livelock.incompleteReason) {
        result.verdict = 'incomplete';
        result.incompleteReason = livelock.incompleteReason;
        result.message = `SPIN finds no safety violation; whether a thread can be kept from finishing forever was not settled (the ${livelock.incompleteReason} budget of the progress check ran out)`;
        result.skipped = result.message;
      }
    }
    result.depth = result.trace?.length ?? 0;
  } catch (error) {
    const failure = error instanceof SpinFailure ? error : new SpinFailure(error instanceof Error ? error.message : String(error), 'internal-error');
    result.verdict = 'incomplete';
    result.incompleteReason = failure.reason;
    result.message = `SPIN: ${failure.message}`;
    result.skipped = result.message;
    if (failure.reason === 'internal-error') {
      const label = name === 'baseline' ? 'the baseline' : `proposal ${name}`;
      diagnostics.push(makeDiagnostic(CODES.spinFailed, `${label} has no verdict from SPIN: ${failure.message}`, result.start, result.end));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    result.ms = performance.now() - started;
  }
  return result;
}

/**
 * The livelock of a proposal, if any. pan's weakly fair cycles include every livelock of the
 * engine. When pan finds none, there is none. When it finds one, or stops at its memory or depth
 * bound without finishing (on some models its weakly fair search runs millions of steps deep), the
 * engine's progress check decides, as it does for the engine's own verdict: whether the cycle is a
 * livelock when locks hand off, with its lasso trace. An unfinished search is never read as "no cycle".
 */
function livelockAfterPan(runner: PanRunner, exported: WrittenPromela, system: TransitionSystem, compiled: CompiledSystem, budgets: ProgressOptions): { report?: ViolationReport; incompleteReason?: ProgressOutcome['incompleteReason'] } {
  if (!threadsCanLoop(system)) return {};
  let cycle: boolean | 'unfinished';
  try {
    cycle = runner.fairCycle(exported, system);
  } catch (error) {
    if (error instanceof SpinFailure && error.reason !== 'internal-error') return { incompleteReason: error.reason };
    throw error;
  }
  if (cycle === false) return {};
  const progress = checkProgress(compiled, budgets);
  return { report: progress.violation, incompleteReason: progress.violation ? undefined : progress.incompleteReason };
}

/** The kinds the model has a check for, plus deadlock when it has threads, in the codes' order. */
function reachableKinds(compiled: CompiledSystem): ViolationKind[] {
  const kinds = new Set<ViolationKind>(compiled.violations.map((info) => info.kind));
  if (compiled.threadCount > 0) kinds.add('deadlock');
  kinds.delete('livelock');
  return [...kinds].sort((a, b) => promelaKindCode(a) - promelaKindCode(b));
}

/** Compiles and runs pan in one directory that holds `model.pml`; one pan per kind filter. */
class PanRunner {
  constructor(
    private readonly dir: string,
    private readonly options: SpinBackendOptions,
  ) {}

  private run(program: string, args: string[], timeoutMs?: number): { output: string; failed?: string } {
    const done = spawnSync(program, args, { cwd: this.dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs });
    const output = `${done.stdout ?? ''}${done.stderr ?? ''}`;
    if (done.error) return { output, failed: (done.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? 'timeout' : done.error.message };
    if (done.status !== 0 && program !== './pan') return { output, failed: `${path.basename(program)} exited with ${done.status}: ${output.trim().split('\n').slice(-3).join(' ')}` };
    return { output };
  }

  private defines(onlyKind?: number): string[] {
    return onlyKind === undefined ? [] : [`-DONLY_KIND=${onlyKind}`];
  }

  private build(mode: 'exact' | 'reduced', onlyKind: number | undefined, extra: string[]): void {
    const generated = this.run('spin', [...this.defines(onlyKind), '-a', '-o2', 'model.pml']);
    if (generated.failed) throw new SpinFailure(`spin -a failed: ${generated.failed}`, 'internal-error');
    const memory = Math.max(64, Math.floor((this.options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY) / (1024 * 1024)));
    const flags = [this.options.optimize ?? '-O2', ...extra, '-DXUSAFE', `-DMEMLIM=${memory}`, '-w', '-o', 'pan', 'pan.c'];
    if (mode === 'exact') flags.unshift('-DNOREDUCE');
    const compiled = this.run('gcc', flags);
    if (compiled.failed) throw new SpinFailure(`gcc failed: ${compiled.failed}`, 'internal-error');
  }

  /** One breadth-first pan search; throws on a run that gives no verdict. */
  search(mode: 'exact' | 'reduced', onlyKind?: number): PanVerdict {
    this.build(mode, onlyKind, ['-DBFS', '-DNOCLAIM', '-DNOFAIR']);
    const searched = this.run('./pan', [], this.options.timeoutMs);
    if (searched.failed === 'timeout') throw new SpinFailure(`pan ran out of time (${this.options.timeoutMs} ms)`, 'time');
    const verdict = parsePanOutput(searched.output);
    if (/out of memory|MEMLIM/i.test(searched.output) && verdict.verdict !== 'violation') throw new SpinFailure('pan ran out of memory (raise --max-memory)', 'memory');
    if (verdict.verdict === 'unknown') throw new SpinFailure(`pan gave no verdict: ${verdict.problem ?? searched.failed ?? 'no output'}`, 'internal-error');
    return verdict;
  }

  /** `spin -t -p` on the trail the last search wrote. */
  trail(onlyKind?: number): string {
    const listed = this.run('spin', [...this.defines(onlyKind), '-t', '-p', 'model.pml']);
    if (listed.failed) throw new SpinFailure(`spin -t failed: ${listed.failed}`, 'internal-error');
    return listed.output;
  }

  /**
   * Whether pan finds a weakly fair cycle where some thread stays unfinished and a thread moves
   * forever; `unfinished` when pan stopped at its memory or depth bound without finding one.
   */
  fairCycle(exported: WrittenPromela, system: TransitionSystem): boolean | 'unfinished' {
    const livelock = promelaKindCode('livelock');
    fs.writeFileSync(path.join(this.dir, 'model.pml'), exported.text + fairCycleClaim(exported.text, system));
    try {
      this.build('exact', livelock, [fairnessFlag(exported.text)]);
      const searched = this.run('./pan', ['-a', '-f', '-m10000000'], this.options.timeoutMs);
      if (searched.failed === 'timeout') throw new SpinFailure(`pan ran out of time (${this.options.timeoutMs} ms) in the livelock search`, 'time');
      if (/acceptance cycle/.test(searched.output)) return true;
      // A search pan did not finish (its memory bound, or its depth bound) proves no cycle absent.
      if (/reached -DMEMLIM|Search not completed|max search depth too small/.test(searched.output)) return 'unfinished';
      if (/errors: 0/.test(searched.output)) return false;
      throw new SpinFailure(`pan's livelock search gave no verdict: ${searched.output.trim().split('\n').slice(0, 2).join(' ')}`, 'internal-error');
    } finally {
      fs.writeFileSync(path.join(this.dir, 'model.pml'), exported.text);
    }
  }
}

/** pan's weak fairness keeps bits per process in each state: `-DNFAIR` sized for the model's processes and the claim. */
export function fairnessFlag(promela: string): string {
  const processes = (promela.match(/^active proctype /gm) ?? []).length + 1;
  return `-DNFAIR=${Math.max(2, Math.ceil(processes / 2) + 1)}`;
}

/**
 * A never claim `<>[]U_a && []<>P` for some thread `a`: `a` unfinished from some point on, with no
 * violation, while a thread moves infinitely often (`_last` is a thread's process).
 */
export function fairCycleClaim(promela: string, system: TransitionSystem): string {
  const processes = [...promela.matchAll(/^active proctype a(\d+)_/gm)].map((match) => Number(match[1]));
  const threadPids = processes.flatMap((actor, pid) => (system.actors[actor]?.kind === 'thread' ? [pid] : []));
  const unfinished = system.actors.filter((actor) => actor.kind === 'thread').map((actor) => `(LIVE && ${blockedName(actor.index)} != ${actor.endPc})`);
  const moves = `(${threadPids.map((pid) => `_last == ${pid}`).join(' || ') || '0'})`;
  const lines = ['never {', `T0_init: do :: true${unfinished.map((u, i) => ` :: ${u} -> goto T${i + 1}`).join('')} od;`];
  unfinished.forEach((u, i) => {
    lines.push(`T${i + 1}: do :: (${u} && !${moves}) -> goto T${i + 1} :: (${u} && ${moves}) -> goto accept_S${i + 1} od;`);
    lines.push(`accept_S${i + 1}: do :: (${u} && !${moves}) -> goto T${i + 1} :: (${u} && ${moves}) -> goto accept_S${i + 1} od;`);
  });
  lines.push('}', '');
  return lines.join('\n');
}
