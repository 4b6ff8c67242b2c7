// Hover on a statement that a counterexample runs: its place in the trace (step N of M, the thread),
// the values it changed, and on the failing step (or where a deadlock leaves a thread blocked) what
// the counterexample did there and why it is a violation.

import type { ProposalResult, TraceStep, ViolationReport } from '../engine/types';
import { blockedLabel, stepLabel } from '../report/traceDiagram';
import { isUnexpected, proposalLabel } from '../report/verdictWording';
import { validCycleStart, violationsOf } from '../report/violations';
import type { Analysis } from './analysis';
import { traceValues } from './traceView';
import { codeSpan, escapeMarkdown } from './markdown';

/** One place a counterexample passes at the hovered offset. */
export interface TraceHit {
  result: ProposalResult;
  violation: ViolationReport;
  /** The step's index in the trace, or the trace's length for a thread the deadlock leaves blocked there. */
  index: number;
  start: number;
  end: number;
}

/** Every trace step (and blocked thread) whose statement contains the offset, unexpected violations first. */
export function traceHitsAt(analysis: Analysis, offset: number): TraceHit[] {
  const hits: TraceHit[] = [];
  const results = [...(analysis.engine?.proposals ?? [])].sort((a, b) => Number(isUnexpected(b)) - Number(isUnexpected(a)));
  for (const result of results) {
    for (const violation of violationsOf(result)) {
      violation.trace.forEach((step, index) => {
        if (offset >= step.start && offset <= step.end) hits.push({ result, violation, index, start: step.start, end: step.end });
      });
      for (const blocked of violation.trace.at(-1)?.violation?.blocked ?? []) {
        if (offset >= blocked.start && offset <= blocked.end) hits.push({ result, violation, index: violation.trace.length, start: blocked.start, end: blocked.end });
      }
    }
  }
  return hits;
}

const code = codeSpan;

function whose(hit: TraceHit): string {
  return `${proposalLabel(hit.result)}'s ${hit.violation.kind}`;
}

/** The variables step `index` changed, before and after it. */
function changeRows(step: TraceStep): string[] {
  if (step.changes.length === 0) return [];
  return ['| | before | after |', '|---|---|---|', ...step.changes.map((c) => `| ${code(c.name)} | ${c.before} | ${c.after} |`)];
}

/** Every variable the trace changes, with its value just before step `index` (or after the last step). */
function stateRows(trace: readonly TraceStep[], index: number): string[] {
  const { variables, initial, after } = traceValues(trace);
  if (variables.length === 0) return [];
  const state = index === 0 ? initial : after[index - 1];
  return ['| | value |', '|---|---|', ...variables.map((name, i) => `| ${code(name)} | ${state[i]} |`)];
}

function failingText(analysis: Analysis, hit: TraceHit): string {
  const trace = hit.violation.trace;
  const lines: string[] = [];
  if (hit.index === trace.length) {
    const blocked = (trace.at(-1)?.violation?.blocked ?? []).filter((b) => b.start === hit.start && b.end === hit.end);
    lines.push(`**✗ ${hit.violation.kind}** in ${proposalLabel(hit.result)}, after step ${trace.length} of ${trace.length}`);
    lines.push('');
    for (const b of blocked) lines.push(`${b.actor} is ${blockedLabel(b)}.`);
    const state = stateRows(trace, trace.length);
    if (state.length > 0) lines.push('', 'The state it is stuck in:', '', ...state);
    lines.push('', `Why it is a violation: ${escapeMarkdown(hit.violation.message)}`);
    return lines.join('\n');
  }
  const step = trace[hit.index];
  lines.push(`**✗ ${hit.violation.kind}** in ${proposalLabel(hit.result)}: step ${hit.index + 1} of ${trace.length}, ${step.actor}`);
  const state = stateRows(trace, hit.index);
  lines.push('', `The counterexample runs ${code(stepLabel(trace, hit.index, analysis.text))} here${state.length > 0 ? ', in this state:' : '.'}`);
  if (state.length > 0) lines.push('', ...state);
  lines.push('', `Why it is a violation: ${escapeMarkdown(hit.violation.message)}`);
  return lines.join('\n');
}

function stepText(analysis: Analysis, hit: TraceHit): string {
  const trace = hit.violation.trace;
  const step = trace[hit.index];
  const cycle = validCycleStart(trace, hit.violation.cycleStart);
  const inCycle = cycle !== undefined && hit.index >= cycle ? ', in the cycle that repeats forever' : '';
  const lines = [`**Step ${hit.index + 1} of ${trace.length}** of ${whose(hit)} trace${inCycle}: ${step.actor} runs ${code(stepLabel(trace, hit.index, analysis.text))}`];
  const rows = changeRows(step);
  if (rows.length > 0) lines.push('', ...rows);
  return lines.join('\n');
}

/** The hover section for the trace steps at the offset, or undefined when no counterexample passes there. */
export function traceHoverSection(analysis: Analysis, offset: number): { value: string; start: number; end: number } | undefined {
  const hits = traceHitsAt(analysis, offset);
  if (hits.length === 0) return undefined;
  const isFailing = (hit: TraceHit) => hit.index === hit.violation.trace.length || (hit.index === hit.violation.trace.length - 1 && hit.violation.trace[hit.index].violation !== undefined && !hit.violation.trace[hit.index].violation?.blocked && validCycleStart(hit.violation.trace, hit.violation.cycleStart) === undefined);
  const first = hits.find(isFailing) ?? hits[0];
  const parts = [isFailing(first) ? failingText(analysis, first) : stepText(analysis, first)];
  const others = hits.filter((hit) => hit !== first).slice(0, 4);
  const also = (hit: TraceHit) =>
    hit.index === hit.violation.trace.length ? `Also where ${whose(hit)} leaves a thread blocked.` : `Also step ${hit.index + 1} of ${hit.violation.trace.length} of ${whose(hit)} trace.`;
  if (others.length > 0) parts.push(others.map(also).join('\n\n'));
  const more = hits.length - 1 - others.length;
  if (more > 0) parts.push(`…and ${more} more.`);
  return { value: parts.join('\n\n'), start: first.start, end: first.end };
}
