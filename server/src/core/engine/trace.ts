// Turns a found violation into a trace: a real execution from the initial state, replayed through
// the compiled steps. With symmetry reduction the stored states are canonical, so each step is
// replayed on the real state with whichever interchangeable instance reproduces the stored successor.

import type { CompiledSystem } from './compile';
import { moveActor, moveTransition } from './explore';
import { stepViolations, type FoundViolation } from './violations';
import { formatValue, initialState } from './ir';
import type { Canonicalizer } from './symmetry';
import type { StateStore } from './store';
import type { StateChange, TraceStep } from './types';

const CYCLE_MARK = '~~~~';

export interface BuiltTrace {
  steps: TraceStep[];
  kind: string;
  message: string;
  start?: number;
  end?: number;
}

function siblings(compiled: CompiledSystem, actor: number, symmetric: boolean): number[] {
  const group = compiled.system.actors[actor].symmetryGroup;
  if (!symmetric || group < 0) return [actor];
  return compiled.system.symmetryGroups[group].actors;
}

/** The changes between two states, pc variables left out. */
export function stateChanges(compiled: CompiledSystem, before: Int32Array, after: Int32Array): StateChange[] {
  const system = compiled.system;
  const changes: StateChange[] = [];
  for (let v = 0; v < before.length; v++) {
    if (before[v] === after[v] || system.variables[v].kind === 'pc') continue;
    changes.push({ name: system.variables[v].name, before: formatValue(system, v, before[v]), after: formatValue(system, v, after[v]) });
  }
  return changes;
}

/** `put mm.users` with its effects: `put mm.users (users 1→0, frees mm)`. */
export function describeStep(compiled: CompiledSystem, event: string, before: Int32Array, after: Int32Array): string {
  const system = compiled.system;
  const notes: string[] = [];
  for (let v = 0; v < before.length; v++) {
    if (before[v] === after[v]) continue;
    const variable = system.variables[v];
    const shortName = variable.name.includes('.') ? variable.name.slice(variable.name.lastIndexOf('.') + 1) : variable.name;
    switch (variable.kind) {
      case 'pc':
      case 'order':
        break;
      case 'life':
        notes.push(`${after[v] === 2 ? 'frees' : 'allocates'} ${variable.name}`);
        break;
      case 'generation':
        notes.push(`${system.objects[variable.object]?.name ?? variable.name} generation ${before[v]}→${after[v]}`);
        break;
      case 'ref':
      case 'int':
      case 'flag':
      case 'state':
        notes.push(`${shortName} ${formatValue(system, v, before[v])}→${formatValue(system, v, after[v])}`);
        break;
      case 'lockOwner':
        notes.push(after[v] === 0 ? `releases ${variable.name}` : `takes ${variable.name}`);
        break;
      case 'inflight':
        notes.push(after[v] === 0 ? 'completes' : `in flight to ${formatValue(system, v, after[v])}`);
        break;
      case 'running':
        notes.push(after[v] ? 'running' : 'stopped');
        break;
      default:
        notes.push(`${shortName} = ${formatValue(system, v, after[v])}`);
    }
  }
  return notes.length > 0 ? `${event} (${notes.join(', ')})` : event;
}

/** Compares a real state, put into canonical form, with a stored one; the buffers are reused across calls. */
class StoredStateMatcher {
  private readonly copy: Int32Array;
  private readonly packed: Uint32Array;
  private readonly stored: Uint32Array;

  constructor(
    private readonly compiled: CompiledSystem,
    private readonly store: StateStore,
    private readonly canonicalize: Canonicalizer | undefined,
  ) {
    this.copy = new Int32Array(compiled.variableCount);
    this.packed = new Uint32Array(compiled.words);
    this.stored = new Uint32Array(compiled.words);
  }

  same(candidate: Int32Array, index: number): boolean {
    this.copy.set(candidate);
    if (this.canonicalize) this.canonicalize(this.copy);
    this.compiled.pack(this.copy, this.packed, 0);
    this.store.read(index, this.stored);
    for (let w = 0; w < this.compiled.words; w++) if (this.packed[w] !== this.stored[w]) return false;
    return true;
  }
}

export function stepOf(compiled: CompiledSystem, actor: number, id: number, before: Int32Array, after: Int32Array): TraceStep {
  const systemActor = compiled.system.actors[actor];
  const transition = systemActor.transitions[id];
  return {
    actor: systemActor.name,
    actorKind: systemActor.kind,
    start: transition.start,
    end: transition.end,
    event: describeStep(compiled, transition.event, before, after),
    changes: stateChanges(compiled, before, after),
  };
}

/** Runs transition `id` of `actor` on a copy of `state`; the step result and the successor. */
export function runStep(compiled: CompiledSystem, actor: number, id: number, state: Int32Array): { result: number; after: Int32Array } {
  const after = Int32Array.from(state);
  const guard = compiled.actors[actor].guards[id];
  if (guard !== null && !guard(state)) return { result: -1, after };
  return { result: compiled.actors[actor].steps[id](after), after };
}

/**
 * The first transition (in actor order, then transition order, as the search runs them) that takes
 * the real state `real` to the stored state `index`, whose form may be canonical.
 */
function findMove(compiled: CompiledSystem, real: Int32Array, matcher: StoredStateMatcher, index: number): { actor: number; id: number; after: Int32Array } | undefined {
  const system = compiled.system;
  for (const actor of system.actors) {
    for (const id of actor.points[real[actor.pcVar]]?.transitions ?? []) {
      const { result, after } = runStep(compiled, actor.index, id, real);
      if (result === 0 && matcher.same(after, index)) return { actor: actor.index, id, after };
    }
  }
  return undefined;
}

export function buildTrace(
  compiled: CompiledSystem,
  store: StateStore,
  found: FoundViolation,
  canonicalize: Canonicalizer | undefined,
): BuiltTrace {
  const path: number[] = [];
  for (let index = found.state; index >= 0; index = store.parentOf(index)) path.push(index);
  path.reverse();
  const symmetric = canonicalize !== undefined;
  const matcher = new StoredStateMatcher(compiled, store, canonicalize);
  let real: Int32Array = Int32Array.from(initialState(compiled.system));
  const steps: TraceStep[] = [];
  for (let k = 1; k < path.length; k++) {
    const move = findMove(compiled, real, matcher, path[k]);
    if (!move) throw new Error(`trace step ${k} cannot be replayed`);
    steps.push(stepOf(compiled, move.actor, move.id, real, move.after));
    real = move.after;
  }
  if (found.move >= 0) {
    const id = moveTransition(found.move);
    const foundKind = compiled.violations[found.violation - 1].kind;
    for (const actor of siblings(compiled, moveActor(found.move), symmetric)) {
      // A sibling can take the failing transition only from the point that holds it.
      const systemActor = compiled.system.actors[actor];
      if (!(systemActor.points[real[systemActor.pcVar]]?.transitions ?? []).includes(id)) continue;
      const { result, after } = runStep(compiled, actor, id, real);
      if (result <= 0) continue;
      // The step may commit several violations; under symmetry the real instance may be another
      // than the stored one, and a message that names the instance (`w[0] finishes holding s.m`) is
      // then another violation number of the same kind: the real step's own one is reported.
      const committed = stepViolations(compiled, actor, id, real, result);
      const violation = committed.includes(found.violation) ? found.violation : symmetric ? committed.find((v) => compiled.violations[v - 1].kind === foundKind) : undefined;
      if (violation === undefined) continue;
      const step = stepOf(compiled, actor, id, real, after);
      const info = compiled.violations[violation - 1];
      step.event = compiled.system.actors[actor].transitions[id].event;
      step.changes = [];
      step.violation = { kind: info.kind, message: info.message };
      steps.push(step);
      return { steps, kind: info.kind, message: info.message, start: step.start, end: step.end };
    }
    throw new Error('the failing step cannot be replayed');
  }
  const kind = found.deadlock ? 'deadlock' : compiled.violations[found.violation - 1].kind;
  const message = found.deadlock ? deadlockMessage(compiled, real) : compiled.violations[found.violation - 1].message;
  const last = steps.at(-1);
  if (last) last.violation = { kind, message };
  const blocked = found.deadlock ? blockedStatement(compiled, real) : undefined;
  return { steps, kind, message, start: blocked?.start ?? last?.start, end: blocked?.end ?? last?.end };
}

function blockedActors(compiled: CompiledSystem, state: Int32Array): number[] {
  const system = compiled.system;
  return system.actors
    .filter((a) => a.kind === 'thread' && state[a.pcVar] !== a.endPc)
    .map((a) => a.index);
}

function blockedStatement(compiled: CompiledSystem, state: Int32Array): { start: number; end: number } | undefined {
  const actor = blockedActors(compiled, state)[0];
  if (actor === undefined) return undefined;
  const systemActor = compiled.system.actors[actor];
  const id = systemActor.points[state[systemActor.pcVar]].transitions[0];
  return id === undefined ? undefined : systemActor.transitions[id];
}

function deadlockMessage(compiled: CompiledSystem, state: Int32Array): string {
  const system = compiled.system;
  const parts = blockedActors(compiled, state).map((a) => {
    const actor = system.actors[a];
    const id = actor.points[state[actor.pcVar]].transitions[0];
    return id === undefined ? actor.name : `${actor.name} at \`${actor.transitions[id].event}\``;
  });
  return `deadlock: ${parts.join(', ')} blocked and nothing can wake them`;
}

/**
 * A text diagram of a trace with one column per thread and device, in order of first appearance,
 * like the CPU0/CPU1 interleavings in review mail. The last row carries the violation. For a lasso
 * trace (`cycleStart`), a marked line separates the prefix from the cycle that repeats forever.
 */
export function renderTraceDiagram(trace: TraceStep[], sourceText: string, cycleStart?: number): string {
  const columns: string[] = [];
  for (const step of trace) if (!columns.includes(step.actor)) columns.push(step.actor);
  if (columns.length === 0) return '';
  const cell = (step: TraceStep): string => step.event || sourceText.slice(step.start, step.end).replace(/\s+/g, ' ').trim();
  const widths = columns.map((name) => Math.max(name.length, ...trace.filter((s) => s.actor === name).map((s) => cell(s).length)));
  const gap = '   ';
  const row = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(gap).trimEnd();
  const lines = [row(columns), row(widths.map((w) => '-'.repeat(w)))];
  trace.forEach((step, index) => {
    if (index === cycleStart) lines.push(`${CYCLE_MARK} the steps below repeat forever ${CYCLE_MARK}`);
    const cells = columns.map((name) => (name === step.actor ? cell(step) : ''));
    lines.push(row(cells));
  });
  if (cycleStart !== undefined && cycleStart < trace.length) lines.push(`${CYCLE_MARK} back to the start of the cycle ${CYCLE_MARK}`);
  const last = trace.at(-1);
  if (last?.violation) {
    const index = columns.indexOf(last.actor);
    const indent = widths.slice(0, index).reduce((sum, w) => sum + w + gap.length, 0);
    lines.push(`${' '.repeat(indent)}// Boom: ${last.violation.message}`);
  }
  return lines.join('\n');
}
