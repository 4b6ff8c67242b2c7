// The violations of one proposal as a list, whichever way the engine reported them: every reachable
// violation (`violations`) when it collected them all, else the first one from the result's own fields.

import type { ProposalResult, TraceStep, ViolationReport } from '../engine/types';

export function violationsOf(result: ProposalResult): ViolationReport[] {
  if (result.verdict !== 'violation') return [];
  if (result.violations && result.violations.length > 0) return result.violations;
  const trace = result.trace ?? [];
  const last = trace.at(-1);
  return [
    {
      kind: result.kind ?? 'assertion',
      message: result.message ?? '',
      violationStart: result.violationStart ?? last?.start ?? result.start,
      violationEnd: result.violationEnd ?? last?.end ?? result.end,
      trace,
    },
  ];
}

/** The repeating cycle of the result's own trace, when it is a lasso: the index of its first step. */
export function cycleStartOf(result: ProposalResult): number | undefined {
  if (result.cycleStart !== undefined && result.trace) return validCycleStart(result.trace, result.cycleStart);
  const first = result.violations?.[0];
  return first && sameTrace(first.trace, result.trace) ? validCycleStart(first.trace, first.cycleStart) : undefined;
}

function sameTrace(a: TraceStep[], b: TraceStep[] | undefined): boolean {
  if (a === b) return true;
  if (!b || a.length !== b.length) return false;
  return a.every((step, i) => step.start === b[i].start && step.actor === b[i].actor && step.event === b[i].event);
}

/** A valid cycle start for a trace: an index inside it, or undefined. */
export function validCycleStart(trace: readonly TraceStep[], cycleStart: number | undefined): number | undefined {
  return cycleStart !== undefined && Number.isInteger(cycleStart) && cycleStart >= 0 && cycleStart < trace.length ? cycleStart : undefined;
}
