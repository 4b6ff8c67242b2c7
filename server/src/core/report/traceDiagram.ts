// A trace as text, with one column per thread and device in order of first appearance, like the
// CPU0/CPU1 interleavings of review mail. The CLI prints it and the gallery page shows it.
//
// - Steps of an on-zero release action are marked `↳`, the first of each run with its counter.
// - A deadlock ends each blocked thread's column at the statement it waits in, with what it waits for.
// - A lasso trace (a progress violation) shows the prefix, then the cycle between `┌` and `└`.
// - The last line carries the violation (`// Boom: ...`).

import type { BlockedActor, TraceStep } from '../engine/types';
import { validCycleStart } from './violations';

export interface DiagramRow {
  /** Index of the trace step, or -1 for a row that is no step (a blocked thread). */
  step: number;
  actor: string;
  text: string;
}

/** The event of a step as a trace shows it: the statement with its effects, marked when an on-zero action runs it. */
export function stepLabel(trace: readonly TraceStep[], index: number, sourceText: string): string {
  const step = trace[index];
  const event = step.event || sourceText.slice(step.start, step.end).replace(/\s+/g, ' ').trim();
  if (!step.onZero) return event;
  const previous = trace.slice(0, index).reverse().find((s) => s.actor === step.actor);
  const continues = previous !== undefined && previous.onZero === step.onZero;
  return continues ? `↳ ${event}` : `↳ on zero of ${step.onZero}: ${event}`;
}

/** A blocked thread's last cell: where it waits and what keeps it waiting. */
export function blockedLabel(blocked: BlockedActor): string {
  return `blocked at ${blocked.statement}: ${blocked.waitsFor}`;
}

/** A cell wider than this wraps at spaces; its continuation lines are indented by two. */
const CELL_WIDTH = 52;

/** Greedy word wrap of one cell; a word longer than the width stays whole. */
export function wrapCell(text: string, width = CELL_WIDTH): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const limit = lines.length === 0 ? width : width - 2;
    if (current.length > 0 && current.length + 1 + word.length > limit) {
      lines.push(lines.length === 0 ? current : `  ${current}`);
      current = word;
    } else {
      current = current.length > 0 ? `${current} ${word}` : word;
    }
  }
  if (current.length > 0) lines.push(lines.length === 0 ? current : `  ${current}`);
  return lines;
}

/** The actors of a trace in order of first appearance, the threads a deadlock blocks included. */
export function traceActors(trace: readonly TraceStep[]): { name: string; kind: 'thread' | 'device' }[] {
  const actors: { name: string; kind: 'thread' | 'device' }[] = [];
  const add = (name: string, kind: 'thread' | 'device'): void => {
    if (!actors.some((a) => a.name === name)) actors.push({ name, kind });
  };
  for (const step of trace) add(step.actor, step.actorKind);
  for (const blocked of trace.at(-1)?.violation?.blocked ?? []) add(blocked.actor, blocked.actorKind);
  return actors;
}

export function renderTraceDiagram(trace: TraceStep[], sourceText: string, cycleStart?: number): string {
  const columns = traceActors(trace).map((a) => a.name);
  if (columns.length === 0) return '';
  const rows: DiagramRow[] = trace.map((step, index) => ({ step: index, actor: step.actor, text: stepLabel(trace, index, sourceText) }));
  const last = trace.at(-1);
  for (const blocked of last?.violation?.blocked ?? []) rows.push({ step: -1, actor: blocked.actor, text: blockedLabel(blocked) });
  const cells = rows.map((row) => wrapCell(row.text));
  const widths = columns.map((name) => Math.max(name.length, ...rows.flatMap((r, i) => (r.actor === name ? cells[i].map((l) => l.length) : []))));
  const cycle = validCycleStart(trace, cycleStart);
  const gutter = cycle === undefined ? '' : '  ';
  const gap = '   ';
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(gap).trimEnd();
  const lines = [gutter + line(columns), gutter + line(widths.map((w) => '-'.repeat(w)))];
  rows.forEach((row, r) => {
    if (cycle !== undefined && row.step === cycle) lines.push(`┌ from here the steps repeat forever:`);
    const mark = cycle === undefined ? '' : row.step >= cycle ? '│ ' : '  ';
    for (const text of cells[r]) lines.push(mark + line(columns.map((name) => (name === row.actor ? text : ''))));
  });
  if (cycle !== undefined) lines.push(`└ and back to "${stepLabel(trace, cycle, sourceText)}"`);
  if (last?.violation) {
    const blocked = (last.violation.blocked ?? []).length > 0;
    const index = blocked || cycle !== undefined ? 0 : columns.indexOf(last.actor);
    const indent = widths.slice(0, index).reduce((sum, w) => sum + w + gap.length, 0);
    lines.push(`${gutter}${' '.repeat(indent)}// Boom: ${last.violation.message}`);
  }
  return lines.join('\n');
}
