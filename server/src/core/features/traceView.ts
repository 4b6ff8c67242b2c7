// The data the trace view draws: one column per actor, one row per step, and the value of every
// variable that changes along the trace after each step.

import type { ProposalResult } from '../engine/types';
import type { Analysis } from './analysis';
import { proposalLabel, verdictText } from '../report/verdictWording';
import { toRange } from './ranges';
import type { Range } from './types';

export interface TraceViewStep {
  index: number;
  actor: string;
  actorKind: 'thread' | 'device';
  event: string;
  range: Range;
  /** The statement as written. */
  source: string;
  /** Names of the variables this step changed. */
  changed: string[];
  /** Value of each of `TraceViewData.variables` after this step. */
  values: string[];
  /** The step that fails. */
  failing: boolean;
}

export interface TraceViewData {
  proposal: string;
  label: string;
  verdict: string;
  message?: string;
  actors: { name: string; kind: 'thread' | 'device' }[];
  variables: string[];
  /** Value of each variable before the first step. */
  initial: string[];
  steps: TraceViewStep[];
}

/** The proposal to show: the named one, else the first with a violation, else the baseline. */
function pick(analysis: Analysis, proposal: string | undefined): ProposalResult | undefined {
  const results = analysis.engine?.proposals ?? [];
  if (proposal !== undefined) return results.find((r) => r.name === proposal);
  return results.find((r) => r.verdict === 'violation') ?? results[0];
}

export function traceViewData(analysis: Analysis, proposal?: string): TraceViewData | undefined {
  const result = pick(analysis, proposal);
  if (!result) return undefined;
  const trace = result.trace ?? [];
  const actors: TraceViewData['actors'] = [];
  const variables: string[] = [];
  const initial: string[] = [];
  for (const step of trace) {
    if (!actors.some((a) => a.name === step.actor)) actors.push({ name: step.actor, kind: step.actorKind });
    for (const change of step.changes) {
      if (!variables.includes(change.name)) {
        variables.push(change.name);
        initial.push(change.before);
      }
    }
  }
  const values = [...initial];
  const steps: TraceViewStep[] = trace.map((step, index) => {
    for (const change of step.changes) values[variables.indexOf(change.name)] = change.after;
    const failing = index === trace.length - 1 && result.verdict === 'violation';
    return {
      index,
      actor: step.actor,
      actorKind: step.actorKind,
      event: step.event,
      range: toRange(analysis.lines, step.start, step.end),
      source: analysis.text.slice(step.start, step.end).replace(/\s+/g, ' ').trim(),
      changed: step.changes.map((c) => c.name),
      values: [...values],
      failing,
    };
  });
  return {
    proposal: result.name,
    label: proposalLabel(result),
    verdict: verdictText(result),
    ...(result.message ? { message: result.message } : {}),
    actors,
    variables,
    initial,
    steps,
  };
}
