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
      ...(result.cycleStart !== undefined ? { cycleStart: result.cycleStart } : {}),
    },
  ];
}

/** A valid cycle start for a trace: an index inside it, or undefined. */
export function validCycleStart(trace: readonly TraceStep[], cycleStart: number | undefined): number | undefined {
  return cycleStart !== undefined && Number.isInteger(cycleStart) && cycleStart >= 0 && cycleStart < trace.length ? cycleStart : undefined;
}
