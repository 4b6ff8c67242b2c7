// Runs the engine on one checked `.lifetime` file: an exhaustive search per proposal, or, with
// `--simulate N`, N seeded random runs per proposal. Returns the verdicts and their diagnostics.

import type { Diagnostic } from '../core/diagnostics/codes';
import { checkModel, meetsExpectation, proposalNames, simulate } from '../core/engine/index';
import type { CBodyTranslator } from '../core/engine/ir';
import { expectationsOf } from '../core/semantic/expectations';
import type { EngineProgress, ProposalResult, ViolationReport } from '../core/engine/types';
import type { SourceFile } from '../core/syntax/ast';
import { DEFAULT_BUDGETS } from '../core/engine/budgets';
import { modelVerdictDiagnostics } from '../core/report/verdictDiagnostics';
import { checkModelWithSpin } from '../spin/spinBackend';

export interface EngineRunOptions {
  exact: boolean;
  maxStates?: number;
  timeoutMs?: number;
  maxMemoryBytes?: number;
  simulate?: number;
  seed?: number;
  /** Only these proposals; all when empty. */
  proposals: string[];
  onProgress?: (progress: EngineProgress) => void;
  /** Translates `c { ... }` bodies; without it they are not checked. */
  translateC?: CBodyTranslator;
  /** `spin`: SPIN searches the Promela export instead of the engine (`--backend spin`). */
  backend?: 'engine' | 'spin';
}

export interface EngineRun {
  proposals: ProposalResult[];
  diagnostics: Diagnostic[];
  /** The proposal whose violation each violation diagnostic reports. */
  violations: Map<Diagnostic, ProposalResult>;
}

export function runEngine(file: SourceFile, options: EngineRunOptions): EngineRun {
  const run = options.simulate !== undefined ? runSimulation(file, options, options.simulate) : options.backend === 'spin' ? runSpinSearch(file, options) : runSearch(file, options);
  // SARIF draws the trace of the very violation each diagnostic reports.
  const remember = (diagnostic: Diagnostic, result: ProposalResult, violation: ViolationReport) =>
    run.violations.set(diagnostic, { ...result, ...violation, violations: undefined });
  run.diagnostics.push(...modelVerdictDiagnostics(file, file.text, run.proposals, remember));
  return run;
}

function runSearch(file: SourceFile, options: EngineRunOptions): EngineRun {
  const model = checkModel(file, undefined, {
    exact: options.exact,
    maxStates: options.maxStates ?? DEFAULT_BUDGETS.maxStates,
    timeoutMs: options.timeoutMs ?? DEFAULT_BUDGETS.timeoutMs,
    maxMemoryBytes: options.maxMemoryBytes ?? DEFAULT_BUDGETS.maxMemoryBytes,
    proposals: options.proposals.length > 0 ? options.proposals : undefined,
    onProgress: options.onProgress,
    translateC: options.translateC,
  });
  return { proposals: model.proposals, diagnostics: [...model.diagnostics], violations: new Map() };
}

function runSpinSearch(file: SourceFile, options: EngineRunOptions): EngineRun {
  const run = checkModelWithSpin(file, {
    exact: options.exact,
    proposals: options.proposals,
    maxMemoryBytes: options.maxMemoryBytes,
    timeoutMs: options.timeoutMs,
    translateC: options.translateC,
  });
  return { proposals: run.proposals, diagnostics: run.diagnostics, violations: new Map() };
}

/** Where a proposal's name is written; the baseline points at the model's name or the file start. */
function nameRange(file: SourceFile, name: string): { start: number; end: number } {
  for (const item of file.items) {
    if (name === 'baseline' && item.kind === 'ModelDecl' && !item.name.missing) return { start: item.name.start, end: item.name.end };
    if (item.kind === 'ProposalDecl' && item.name.text === name) return { start: item.name.start, end: item.name.end };
  }
  return { start: 0, end: 0 };
}

function runSimulation(file: SourceFile, options: EngineRunOptions, runs: number): EngineRun {
  const expected = expectationsOf(file);
  const out: EngineRun = { proposals: [], diagnostics: [], violations: new Map() };
  // One seed for the whole command, so that `--seed` replays every proposal exactly.
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  for (const name of proposalNames(file)) {
    if (options.proposals.length > 0 && !options.proposals.includes(name)) continue;
    const started = performance.now();
    const simulation = simulate(file, name, { runs, seed, timeoutMs: options.timeoutMs, maxTotalSteps: options.maxStates, translateC: options.translateC });
    out.diagnostics.push(...simulation.diagnostics);
    const range = nameRange(file, name);
    const result: ProposalResult = {
      name,
      start: range.start,
      end: range.end,
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
