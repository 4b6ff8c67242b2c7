// Runs the engine on one checked `.lifetime` file, one proposal at a time: an exhaustive search per
// proposal, or, with `--simulate N`, N seeded random runs per proposal. The check worker runs the
// proposals and the command assembles their verdicts and diagnostics, so that a proposal the
// watchdog stops keeps the verdicts of the others.

import type { Diagnostic } from '../core/diagnostics/codes';
import { checkProposal, meetsExpectation, proposalNames, simulate } from '../core/engine/index';
import type { CBodyTranslator } from '../core/engine/ir';
import { expectationsOf } from '../core/semantic/expectations';
import type { EngineProgress, ProposalResult, ViolationReport } from '../core/engine/types';
import type { SourceFile } from '../core/syntax/ast';
import { DEFAULT_BUDGETS } from '../core/engine/budgets';
import { verdictDiagnostics } from '../core/report/verdictDiagnostics';
import { buildVariant } from '../core/engine/variant';
import { checkProposalWithSpin } from '../spin/spinBackend';

/** The engine's options as plain data, as they cross to the check worker. */
export interface EngineJobOptions {
  exact: boolean;
  maxStates?: number;
  timeoutMs?: number;
  maxMemoryBytes?: number;
  simulate?: number;
  /** With `simulate`: the seed of the whole command, so that `--seed` replays every proposal. */
  seed?: number;
  /** Only these proposals; all when empty. */
  proposals: string[];
  /** `spin`: SPIN searches the Promela export instead of the engine (`--backend spin`). */
  backend?: 'engine' | 'spin';
  /** Threads of each exact search (`--search-workers`); 1 when absent. */
  searchWorkers?: number;
}

export interface EngineRunOptions extends EngineJobOptions {
  onProgress?: (progress: EngineProgress) => void;
  /** Translates `c { ... }` bodies; without it they are not checked. */
  translateC?: CBodyTranslator;
}

/** A proposal the run will check: where it is named, its title and what the file expects of it. */
export interface PlannedProposal {
  name: string;
  start: number;
  end: number;
  title?: string;
  expected?: string;
}

/** One proposal's verdict and the diagnostics the engine gave while lowering it. */
export interface ProposalOutcome {
  result: ProposalResult;
  diagnostics: Diagnostic[];
}

export interface EngineRun {
  proposals: ProposalResult[];
  diagnostics: Diagnostic[];
  /** The proposal whose violation each violation diagnostic reports. */
  violations: Map<Diagnostic, ProposalResult>;
}

/** The proposals the run checks, baseline first, in the file's order. */
export function plannedProposals(file: SourceFile, options: EngineJobOptions): PlannedProposal[] {
  const expected = expectationsOf(file);
  const planned: PlannedProposal[] = [];
  for (const name of proposalNames(file)) {
    if (options.proposals.length > 0 && !options.proposals.includes(name)) continue;
    const variant = buildVariant(file, name);
    const entry: PlannedProposal = { name, start: variant?.start ?? 0, end: variant?.end ?? 0 };
    if (variant?.title) entry.title = variant.title;
    const expectation = expected.get(name);
    if (expectation !== undefined) entry.expected = expectation;
    planned.push(entry);
  }
  return planned;
}

/** Checks one planned proposal: a search, or the random runs of `--simulate`. */
export function runProposal(file: SourceFile, planned: PlannedProposal, options: EngineRunOptions): ProposalOutcome {
  const diagnostics: Diagnostic[] = [];
  const result =
    options.simulate !== undefined
      ? simulateProposal(file, planned, options, options.simulate, diagnostics)
      : options.backend === 'spin'
        ? checkProposalWithSpin(file, planned.name, { exact: options.exact, proposals: [planned.name], maxMemoryBytes: options.maxMemoryBytes, timeoutMs: options.timeoutMs, translateC: options.translateC }, diagnostics)
        : checkProposal(
          file,
          planned.name,
          {
            exact: options.exact,
            maxStates: options.maxStates ?? DEFAULT_BUDGETS.maxStates,
            timeoutMs: options.timeoutMs ?? DEFAULT_BUDGETS.timeoutMs,
            maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_BUDGETS.maxMemoryBytes,
            onProgress: options.onProgress,
            translateC: options.translateC,
            searchWorkers: options.searchWorkers,
          },
          diagnostics,
        );
  return { result: withExpectation(result, planned.expected), diagnostics };
}

/**
 * The verdict a proposal gets when the watchdog stopped it: `incomplete`, for `time` (or `memory`
 * when its worker ran out of heap), with nothing searched that could be reported.
 */
export function stoppedOutcome(planned: PlannedProposal, reason: 'time' | 'memory', ms: number): ProposalOutcome {
  const result: ProposalResult = { name: planned.name, start: planned.start, end: planned.end, verdict: 'incomplete', states: 0, transitions: 0, depth: 0, ms, incompleteReason: reason };
  if (planned.title) result.title = planned.title;
  result.message =
    reason === 'time'
      ? `the check ran out of time after ${Math.round(ms)} ms, before the search covered every interleaving (lowering and compiling count against the budget)`
      : 'the check ran out of memory (the worker reached its heap limit) before the search covered every interleaving';
  return { result: withExpectation(result, planned.expected), diagnostics: [] };
}

/** The verdicts of a file, in order, with their diagnostics. */
export function engineRunOf(sourceText: string, expectations: ReadonlyMap<string, { start: number; end: number }>, outcomes: readonly ProposalOutcome[]): EngineRun {
  const run: EngineRun = { proposals: outcomes.map((outcome) => outcome.result), diagnostics: outcomes.flatMap((outcome) => outcome.diagnostics), violations: new Map() };
  // SARIF draws the trace of the very violation each diagnostic reports.
  const onViolation = (diagnostic: Diagnostic, result: ProposalResult, violation: ViolationReport) =>
    run.violations.set(diagnostic, { ...result, ...violation, violations: undefined });
  for (const result of run.proposals) run.diagnostics.push(...verdictDiagnostics(result, { sourceText, expectations: new Map(expectations), onViolation }));
  return run;
}

function withExpectation(result: ProposalResult, expected: string | undefined): ProposalResult {
  if (expected === undefined) return result;
  result.expected = expected;
  const met = meetsExpectation(result, expected);
  if (met !== undefined) result.expectationMet = met;
  return result;
}

function simulateProposal(file: SourceFile, planned: PlannedProposal, options: EngineRunOptions, runs: number, diagnostics: Diagnostic[]): ProposalResult {
  const started = performance.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const simulation = simulate(file, planned.name, { runs, seed, timeoutMs: options.timeoutMs, maxTotalSteps: options.maxStates, translateC: options.translateC });
  diagnostics.push(...simulation.diagnostics);
  const result: ProposalResult = {
    name: planned.name,
    start: planned.start,
    end: planned.end,
    verdict: simulation.verdict === 'violation' ? 'violation' : 'incomplete',
    states: simulation.steps,
    transitions: simulation.steps,
    depth: simulation.trace?.length ?? 0,
    ms: performance.now() - started,
    seed: simulation.seed,
  };
  if (simulation.verdict === 'violation') {
    result.kind = simulation.kind as ProposalResult['kind'];
    result.message = simulation.message;
    result.trace = simulation.trace;
    const last = simulation.trace?.at(-1);
    if (last) {
      result.violationStart = last.start;
      result.violationEnd = last.end;
    }
  } else if (simulation.verdict === 'not-checked') {
    result.skipped = simulation.diagnostics.at(-1)?.message ?? 'the proposal could not be lowered';
  } else {
    const budget = simulation.stoppedBy === 'time' ? ' before the time budget ran out' : simulation.stoppedBy === 'states' ? ' before the step budget ran out' : '';
    result.skipped = `${simulation.runs} random runs (seed ${simulation.seed})${budget} found no violation; a simulation cannot prove the proposal safe`;
    result.message = result.skipped;
    result.incompleteReason = simulation.stoppedBy ?? 'simulation';
  }
  return result;
}
