// The engine's entry points: check every proposal of a file exhaustively, or simulate random runs.

import { CODES, makeDiagnostic, type Diagnostic } from '../diagnostics/codes';
import type { SourceFile } from '../syntax/ast';
import { compileSystem, type CompiledSystem } from './compile';
import { searchWithWorkers } from './parallel/parallelSearch';
import { FactsCollector } from './facts';
import { initialState } from './ir';
import { lowerModel, proposalNames } from './lower/index';
import { checkProgress, type ProgressOptions } from './progress';
import { blockedActors, buildTrace, failingStepOf, runStep, traceStepOf, type BuiltTrace } from './trace';
import { renderTraceDiagram } from '../report/traceDiagram';
import type { BlockedActor, CancellationToken, EngineOptions, ModelResult, ProposalResult, TraceStep, ViolationReport } from './types';
import { expectationsOf } from '../semantic/expectations';
import { meetsExpectation } from './expectation';

export { expectedKinds, meetsExpectation, reachedKinds, unexpectedKinds, unlistedKinds } from './expectation';
import { buildVariant } from './variant';

export { renderTraceDiagram, proposalNames, lowerModel };
export type { EngineOptions, ModelResult, ProposalResult, TraceStep, ViolationReport };

const DEFAULT_MAX_MEMORY = 1024 * 1024 * 1024;

/** Sets the proposal's expectation (from `expectationsOf`) on its result, and whether it was met. */
export function withExpectation(result: ProposalResult, expected: string | undefined): ProposalResult {
  if (expected === undefined) return result;
  result.expected = expected;
  const met = meetsExpectation(result, expected);
  if (met !== undefined) result.expectationMet = met;
  return result;
}

function baseResult(file: SourceFile, name: string): ProposalResult {
  const variant = buildVariant(file, name);
  const result: ProposalResult = {
    name,
    start: variant?.start ?? 0,
    end: variant?.end ?? 0,
    verdict: 'incomplete',
    states: 0,
    transitions: 0,
    depth: 0,
    ms: 0,
  };
  if (variant?.title) result.title = variant.title;
  return result;
}

/**
 * Below this many states a proposal is settled by the exact search alone: the partial-order
 * reduction's set-up costs more than it saves there (bench:gallery), and the traces are the shortest.
 */
const EXACT_PROBE_STATES = 20_000;

/** Checks one proposal (or `baseline`) exhaustively. Never throws. */
export function checkProposal(file: SourceFile, name: string, options: EngineOptions, diagnostics: Diagnostic[] = []): ProposalResult {
  const result = baseResult(file, name);
  const started = performance.now();
  try {
    const lowered = lowerModel(file, name, { translateC: options.translateC });
    diagnostics.push(...lowered.diagnostics);
    if (!lowered.complete) {
      result.skipped = lowered.diagnostics.at(-1)?.message ?? 'the proposal could not be lowered';
      return result;
    }
    const compiled = compileSystem(lowered.system);
    const facts = options.collectFacts ? new FactsCollector(compiled) : undefined;
    // Lowering and compiling count against the time budget: it bounds the whole proposal.
    const timeLeft = (options.timeoutMs ?? Number.POSITIVE_INFINITY) - (performance.now() - started);
    const outcome = searchWithWorkers(compiled, {
      reduce: !options.exact,
      exactProbeStates: EXACT_PROBE_STATES,
      workers: options.searchWorkers,
      maxStates: options.maxStates ?? Number.MAX_SAFE_INTEGER,
      maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY,
      timeoutMs: Math.max(0, timeLeft),
      cancel: options.cancel,
      onProgress: options.onProgress,
      observer: facts,
    });
    result.verdict = outcome.verdict;
    result.states = outcome.states;
    result.transitions = outcome.transitions;
    result.depth = outcome.depth;
    if (outcome.incompleteReason) {
      result.incompleteReason = outcome.incompleteReason;
      result.message = incompleteMessage(outcome.incompleteReason, outcome.states, outcome.depth);
    }
    const reports: ViolationReport[] = outcome.violations.map((found) => toReport(buildTrace(compiled, outcome.store, found, outcome.canonicalize), result));
    if (!outcome.incompleteReason) {
      const progress = checkProgress(compiled, progressBudget(options, started));
      if (progress.violation) reports.push(progress.violation);
      if (progress.incompleteReason && !result.incompleteReason) {
        result.incompleteReason = progress.incompleteReason;
        result.message = incompleteMessage(progress.incompleteReason, outcome.states, outcome.depth);
      }
    }
    if (reports.length > 0) setViolations(result, reports);
    else if (result.verdict === 'safe' && result.incompleteReason) result.verdict = 'incomplete';
    if (facts && outcome.verdict !== 'incomplete') result.facts = facts.results();
  } catch (error) {
    failWith(result, name, error, diagnostics);
  } finally {
    result.ms = performance.now() - started;
  }
  return result;
}

/**
 * Marks `result` as having no verdict because of `error`. Never a silent pass: the verdict is
 * unknown, the reason says why, and an error diagnostic (which the CLI turns into exit code 2)
 * names the proposal.
 */
function failWith(result: ProposalResult, name: string, error: unknown, diagnostics: Diagnostic[]): void {
  result.verdict = 'incomplete';
  result.incompleteReason = 'internal-error';
  result.skipped = `internal error: ${error instanceof Error ? error.message : String(error)}`;
  result.message = result.skipped;
  const label = name === 'baseline' ? 'the baseline' : `proposal ${name}`;
  diagnostics.push(makeDiagnostic(CODES.internalError, `${label} has no verdict: ${result.skipped}`, result.start, result.end));
}

/** The result of a proposal whose check failed with `error` outside `checkProposal` (a worker that died). */
export function failedProposal(file: SourceFile, name: string, error: unknown, diagnostics: Diagnostic[]): ProposalResult {
  const result = baseResult(file, name);
  failWith(result, name, error, diagnostics);
  return result;
}

/** A built trace as a report; a violation with no step (a leak in the initial state) sits on the proposal's name. */
function toReport(trace: BuiltTrace, result: ProposalResult): ViolationReport {
  return {
    kind: trace.kind as ViolationReport['kind'],
    message: trace.message,
    violationStart: trace.start ?? result.start,
    violationEnd: trace.end ?? result.end,
    trace: trace.steps,
  };
}

/** Sets a violation verdict: the first report (the shortest) is also the result's own kind and trace. */
export function setViolations(result: ProposalResult, unsorted: ViolationReport[]): void {
  const reports = unsorted.map((report, order) => ({ report, order })).sort((a, b) => a.report.trace.length - b.report.trace.length || a.order - b.order).map((entry) => entry.report);
  const first = reports[0];
  result.verdict = 'violation';
  result.kind = first.kind;
  result.message = first.message;
  result.trace = first.trace;
  result.violationStart = first.violationStart;
  result.violationEnd = first.violationEnd;
  if (first.cycleStart !== undefined) result.cycleStart = first.cycleStart;
  result.violations = reports;
}

/** What is left of the budgets for the progress check, after the safety search began at `started`. */
function progressBudget(options: EngineOptions, started: number): ProgressOptions {
  return {
    maxStates: options.maxStates ?? Number.MAX_SAFE_INTEGER,
    maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY,
    deadline: started + (options.timeoutMs ?? Number.POSITIVE_INFINITY),
    cancel: options.cancel,
  };
}

/**
 * Checks the baseline and every proposal (or those named in `options.proposals`), baseline first.
 * `semantic` (the checker's result) is accepted for future use; the engine reads the syntax tree.
 */
export function checkModel(file: SourceFile, semantic: unknown | undefined, options: EngineOptions): ModelResult {
  void semantic;
  const expected = expectationsOf(file);
  const diagnostics: Diagnostic[] = [];
  const proposals: ProposalResult[] = [];
  for (const name of proposalNames(file)) {
    if (options.proposals && !options.proposals.includes(name)) continue;
    if (options.cancel?.isCancellationRequested) break;
    proposals.push(withExpectation(checkProposal(file, name, options, diagnostics), expected.get(name)));
  }
  return { proposals, diagnostics };
}

// ---------------------------------------------------------------------------------------------
// Random simulation

export interface SimulationOptions {
  runs: number;
  /** The PRNG seed; a fresh one is chosen (and returned) when absent. */
  seed?: number;
  /** Steps per run before it is abandoned. */
  maxSteps?: number;
  /** Stop after this many simulated steps in all. */
  maxTotalSteps?: number;
  /** Stop after this many milliseconds. */
  timeoutMs?: number;
  cancel?: CancellationToken;
  /** Translates `c { ... }` bodies; without it they are not checked. */
  translateC?: EngineOptions['translateC'];
}

/** Why a search stopped early, in one line, for reports and the editor. */
export function incompleteMessage(reason: 'states' | 'memory' | 'time' | 'cancelled', states: number, depth: number): string {
  const covered = `${states.toLocaleString('en-US')} states to depth ${depth}`;
  switch (reason) {
    case 'states':
      return `the search reached its state budget after ${covered}`;
    case 'memory':
      return `the search reached its memory budget after ${covered}`;
    case 'time':
      return `the search ran out of time after ${covered}`;
    case 'cancelled':
      return `the search was cancelled after ${covered}`;
  }
}

export interface SimulationResult {
  proposal: string;
  seed: number;
  runs: number;
  steps: number;
  verdict: 'violation' | 'no-violation-found' | 'not-checked';
  /** Set when a budget or a cancellation ended the runs before all of them were made. */
  stoppedBy?: 'states' | 'time' | 'cancelled';
  kind?: string;
  message?: string;
  trace?: TraceStep[];
  /** The run (0-based) that found the violation. */
  run?: number;
  diagnostics: Diagnostic[];
}

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs random executions with a seeded PRNG; the same seed replays exactly. Never throws. */
export function simulate(file: SourceFile, proposal: string, options: SimulationOptions): SimulationResult {
  const seed = (options.seed ?? Math.floor(Math.random() * 2 ** 31)) >>> 0;
  const result: SimulationResult = { proposal, seed, runs: 0, steps: 0, verdict: 'no-violation-found', diagnostics: [] };
  const lowered = lowerModel(file, proposal, { translateC: options.translateC });
  result.diagnostics = lowered.diagnostics;
  if (!lowered.complete) {
    result.verdict = 'not-checked';
    return result;
  }
  const compiled = compileSystem(lowered.system);
  const random = prng(seed);
  const maxSteps = options.maxSteps ?? 10_000;
  const started = performance.now();
  for (let run = 0; run < options.runs; run++) {
    if (options.cancel?.isCancellationRequested) {
      result.stoppedBy = 'cancelled';
      return result;
    }
    if (options.timeoutMs !== undefined && performance.now() - started > options.timeoutMs) {
      result.stoppedBy = 'time';
      return result;
    }
    if (options.maxTotalSteps !== undefined && result.steps >= options.maxTotalSteps) {
      result.stoppedBy = 'states';
      return result;
    }
    result.runs = run + 1;
    const found = simulateOne(compiled, random, maxSteps, result);
    if (found) {
      result.verdict = 'violation';
      result.kind = found.kind;
      result.message = found.message;
      result.trace = found.trace;
      result.run = run;
      return result;
    }
  }
  return result;
}

function simulateOne(
  compiled: CompiledSystem,
  random: () => number,
  maxSteps: number,
  totals: { steps: number },
): { kind: string; message: string; trace: TraceStep[] } | undefined {
  const system = compiled.system;
  let state: Int32Array = Int32Array.from(initialState(system));
  const trace: TraceStep[] = [];
  for (let step = 0; step < maxSteps; step++) {
    const enabled: { actor: number; id: number; result: number; after: Int32Array }[] = [];
    for (const actor of system.actors) {
      for (const id of actor.points[state[actor.pcVar]]?.transitions ?? []) {
        const { result, after } = runStep(compiled, actor.index, id, state);
        if (result !== -1) enabled.push({ actor: actor.index, id, result, after });
      }
    }
    const threadCanMove = enabled.some((e) => system.actors[e.actor].kind === 'thread');
    const unfinished = system.actors.filter((a) => a.kind === 'thread' && state[a.pcVar] !== a.endPc);
    if (!threadCanMove) {
      const leak = compiled.leak(state);
      if (leak !== 0) return finishWith(trace, compiled.violations[leak - 1].kind, compiled.violations[leak - 1].message);
      const inflight = system.actors.some((a) => a.device && state[a.device.inflightVar] !== 0);
      if (unfinished.length > 0 && !inflight) {
        const message = `deadlock: ${unfinished.map((a) => a.name).join(', ')} blocked and nothing can wake them`;
        return finishWith(trace, 'deadlock', message, blockedActors(compiled, state));
      }
      if (unfinished.length === 0) return undefined;
    }
    if (enabled.length === 0) return undefined;
    const choice = enabled[Math.floor(random() * enabled.length)];
    totals.steps++;
    if (choice.result > 0) {
      const info = compiled.violations[choice.result - 1];
      trace.push(failingStepOf(compiled, choice.actor, choice.id, info));
      return { kind: info.kind, message: info.message, trace };
    }
    trace.push(traceStepOf(compiled, choice.actor, choice.id, state, choice.after));
    state = choice.after;
  }
  return undefined;
}

function finishWith(trace: TraceStep[], kind: string, message: string, blocked: BlockedActor[] = []): { kind: string; message: string; trace: TraceStep[] } {
  const last = trace.at(-1);
  if (last) last.violation = { kind: kind as NonNullable<TraceStep['violation']>['kind'], message, ...(blocked.length > 0 ? { blocked } : {}) };
  return { kind, message, trace };
}
