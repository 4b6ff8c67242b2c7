// The data the trace view draws: for each violation of one proposal, a lane per actor, a row per
// step with what the step did and changed, the value of every variable the trace changes after each
// step, the threads a deadlock leaves blocked, and the cycle of a lasso trace.

import type { ProposalResult, TraceStep, ViolationReport } from '../engine/types';
import { blockedLabel, stepLabel, traceActors } from '../report/traceDiagram';
import { formatCount, proposalLabel, verdictText } from '../report/verdictWording';
import { validCycleStart, violationsOf } from '../report/violations';
import type { Analysis } from './analysis';
import { toRange } from './ranges';
import type { Range } from './types';

export interface TraceViewStep {
  index: number;
  actor: string;
  actorKind: 'thread' | 'device';
  /** The step as the CLI prints it: `put mm.users (mm.users 1→0)`, `↳ free mm (frees mm)`. */
  event: string;
  /** What the step does, without its effects: `if dom != null → true`, `lock group.mutex`. */
  action: string;
  /** Its effects: `takes group.mutex`, `mm.users 1→0`. */
  effects: string[];
  /** The counter whose on-zero action runs this step; `onZeroStart` marks the first step of each run. */
  onZero?: string;
  onZeroStart?: boolean;
  range: Range;
  /** The statement as written. */
  source: string;
  /** Names of the variables this step changed. */
  changed: string[];
  /** Value of each of `TraceViewViolation.variables` after this step. */
  values: string[];
  /** The step that fails (not set for a deadlock, whose last step is harmless). */
  failing: boolean;
  /** Part of the repeating cycle of a lasso trace. */
  inCycle: boolean;
}

export interface TraceViewBlocked {
  actor: string;
  actorKind: 'thread' | 'device';
  statement: string;
  waitsFor: string;
  /** `blocked at lock s.b: s.b is held by t2`. */
  text: string;
  range: Range;
}

export interface TraceViewViolation {
  kind: string;
  message: string;
  /** A line for the picker: `use-after-free at line 43, 12 steps`. */
  title: string;
  actors: { name: string; kind: 'thread' | 'device' }[];
  /** Every variable the trace changes, in order of first change. */
  variables: string[];
  /** Value of each variable before the first step. */
  initial: string[];
  steps: TraceViewStep[];
  /** The threads a deadlock leaves blocked, each at the statement it waits in. */
  blocked: TraceViewBlocked[];
  /** The index of the first step of the repeating cycle of a lasso trace. */
  cycleStart?: number;
  /** The row to scroll to and mark: the failing step, else the first blocked thread, else the last step. */
  focus: number;
}

export interface TraceViewData {
  /** The file's name, for the view's title. */
  fileName: string;
  proposal: string;
  label: string;
  /** The proposal's verdict in the words of every other surface. */
  verdict: string;
  /** One line under the verdict: the first violation's message, or why the search stopped. */
  message?: string;
  violations: TraceViewViolation[];
  /** The other proposals with a violation, to switch to. */
  others: { name: string; label: string; verdict: string }[];
}

/** The proposal to show: the named one, else the first with a violation, else the baseline. */
function pick(analysis: Analysis, proposal: string | undefined): ProposalResult | undefined {
  const results = analysis.engine?.proposals ?? [];
  if (proposal !== undefined) return results.find((r) => r.name === proposal);
  return results.find((r) => r.verdict === 'violation') ?? results[0];
}

/** The variables a trace changes, their values before it, and the value of each after every step. */
export function traceValues(trace: readonly TraceStep[]): { variables: string[]; initial: string[]; after: string[][] } {
  const variables: string[] = [];
  const initial: string[] = [];
  for (const step of trace) {
    for (const change of step.changes) {
      if (variables.includes(change.name)) continue;
      variables.push(change.name);
      initial.push(change.before);
    }
  }
  const values = [...initial];
  const after = trace.map((step) => {
    for (const change of step.changes) values[variables.indexOf(change.name)] = change.after;
    return [...values];
  });
  return { variables, initial, after };
}

function splitEvent(step: TraceStep): { action: string; effects: string[] } {
  const notes = step.notes ?? [];
  const suffix = ` (${notes.join(', ')})`;
  if (notes.length > 0 && step.event.endsWith(suffix)) return { action: step.event.slice(0, -suffix.length), effects: notes };
  return { action: step.event, effects: [] };
}

function violationView(analysis: Analysis, result: ProposalResult, violation: ViolationReport): TraceViewViolation {
  const trace = violation.trace;
  const { variables, initial, after } = traceValues(trace);
  const cycleStart = validCycleStart(trace, violation.cycleStart);
  const blockedActors = trace.at(-1)?.violation?.blocked ?? [];
  const lastFails = result.verdict === 'violation' && blockedActors.length === 0 && cycleStart === undefined;
  const steps: TraceViewStep[] = trace.map((step, index) => {
    const { action, effects } = splitEvent(step);
    const previous = trace.slice(0, index).reverse().find((s) => s.actor === step.actor);
    const view: TraceViewStep = {
      index,
      actor: step.actor,
      actorKind: step.actorKind,
      event: stepLabel(trace, index, analysis.text),
      action,
      effects,
      range: toRange(analysis.lines, step.start, step.end),
      source: analysis.text.slice(step.start, step.end).replace(/\s+/g, ' ').trim(),
      changed: step.changes.map((c) => c.name),
      values: after[index],
      failing: lastFails && index === trace.length - 1,
      inCycle: cycleStart !== undefined && index >= cycleStart,
    };
    if (step.onZero) {
      view.onZero = step.onZero;
      view.onZeroStart = previous?.onZero !== step.onZero;
    }
    return view;
  });
  const blocked = blockedActors.map((b) => ({
    actor: b.actor,
    actorKind: b.actorKind,
    statement: b.statement,
    waitsFor: b.waitsFor,
    text: blockedLabel(b),
    range: toRange(analysis.lines, b.start, b.end),
  }));
  const line = analysis.lines.positionAt(violation.violationStart).line + 1;
  return {
    kind: violation.kind,
    message: violation.message,
    title: `${violation.kind} at line ${line}, ${formatCount(trace.length)} step${trace.length === 1 ? '' : 's'}${cycleStart !== undefined ? ', then a cycle' : ''}`,
    actors: traceActors(trace),
    variables,
    initial,
    steps,
    blocked,
    ...(cycleStart !== undefined ? { cycleStart } : {}),
    focus: blocked.length > 0 ? trace.length : cycleStart ?? Math.max(0, trace.length - 1),
  };
}

export function traceViewData(analysis: Analysis, proposal?: string, fileName = ''): TraceViewData | undefined {
  const result = pick(analysis, proposal);
  if (!result) return undefined;
  const message = result.verdict === 'violation' ? result.message : result.verdict === 'incomplete' ? (result.skipped ?? result.message) : undefined;
  return {
    fileName,
    proposal: result.name,
    label: proposalLabel(result),
    verdict: verdictText(result),
    ...(message ? { message } : {}),
    violations: violationsOf(result).map((violation) => violationView(analysis, result, violation)),
    others: (analysis.engine?.proposals ?? [])
      .filter((p) => p.name !== result.name && p.verdict === 'violation')
      .map((p) => ({ name: p.name, label: proposalLabel(p), verdict: verdictText(p) })),
  };
}
