// Turns a found violation into a trace: a real execution from the initial state, replayed through
// the compiled steps. With symmetry reduction the stored states are canonical, so each step is
// replayed on the real state with whichever interchangeable instance reproduces the stored successor.

import type { CompiledSystem } from './compile';
import { moveActor, moveTransition } from './explore';
import { stepViolations, type FoundViolation } from './violations';
import { formatValue, initialState, type Actor, type Expr, type Op, type Transition } from './ir';
import type { Canonicalizer } from './symmetry';
import type { StateStore } from './store';
import type { ViolationKind } from '../syntax/ast';
import type { BlockedActor, StateChange, TraceStep } from './types';

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

/** The effects of a step in words: `takes group.mutex`, `mm.users 1→0`, `frees mm`. */
export function stepNotes(compiled: CompiledSystem, before: Int32Array, after: Int32Array): string[] {
  const system = compiled.system;
  const notes: string[] = [];
  for (let v = 0; v < before.length; v++) {
    if (before[v] === after[v]) continue;
    const variable = system.variables[v];
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
        notes.push(`${variable.name} ${formatValue(system, v, before[v])}→${formatValue(system, v, after[v])}`);
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
      case 'handle':
        // A handle belongs to the thread whose column the step is drawn in: its own name says enough.
        notes.push(`${variable.name.slice(variable.name.lastIndexOf('.') + 1)} = ${formatValue(system, v, after[v])}`);
        break;
      default:
        notes.push(`${variable.name} = ${formatValue(system, v, after[v])}`);
    }
  }
  return notes;
}

/**
 * Which way a branching step went, for `if` and `while`: `true` when the actor continues at the
 * transition's default successor (the then-branch or the loop body), `false` when a `goto` took it
 * elsewhere. A condition that takes a step of its own (`wait_for_completion_timeout`) has one
 * transition per way it can go, from the same point and statement: their targets together are the
 * branch's. Undefined for steps that do not branch, or whose branches meet at once.
 */
function branchTaken(actor: Actor, transition: Transition, after: Int32Array): 'true' | 'false' | undefined {
  if (!/^(if|while) /.test(transition.event)) return undefined;
  const targets = new Set<number>();
  const collect = (ops: Op[]): void => {
    for (const op of ops) {
      if (op.k === 'goto') targets.add(op.pc);
      else if (op.k === 'if') {
        collect(op.then);
        collect(op.else);
      }
    }
  };
  for (const id of actor.points[transition.from].transitions) {
    const sibling = actor.transitions[id];
    if (sibling.start === transition.start && sibling.end === transition.end && sibling.event === transition.event) collect(sibling.ops);
  }
  if (targets.size < 2) return undefined;
  return after[actor.pcVar] === transition.next ? 'true' : 'false';
}

/**
 * One step of a trace: transition `id` of `actor` taken from `before` to `after`, described with its
 * effects (`put mm.users (mm.users 1→0)`), the branch it took (`if dom != null → true`) and the
 * on-zero action it belongs to.
 */
export function traceStepOf(compiled: CompiledSystem, actor: number, id: number, before: Int32Array, after: Int32Array): TraceStep {
  const systemActor = compiled.system.actors[actor];
  const transition = systemActor.transitions[id];
  const branch = branchTaken(systemActor, transition, after);
  const head = branch ? `${transition.event} → ${branch}` : transition.event;
  const notes = stepNotes(compiled, before, after);
  const step: TraceStep = {
    actor: systemActor.name,
    actorKind: systemActor.kind,
    start: transition.start,
    end: transition.end,
    event: notes.length > 0 ? `${head} (${notes.join(', ')})` : head,
    changes: stateChanges(compiled, before, after),
  };
  if (notes.length > 0) step.notes = notes;
  if (transition.onZero) step.onZero = transition.onZero;
  return step;
}

/** The step that fails: the statement as written, no effects (nothing after a failing check runs). */
export function failingStepOf(compiled: CompiledSystem, actor: number, id: number, violation: { kind: ViolationKind; message: string }): TraceStep {
  const systemActor = compiled.system.actors[actor];
  const transition = systemActor.transitions[id];
  const step: TraceStep = {
    actor: systemActor.name,
    actorKind: systemActor.kind,
    start: transition.start,
    end: transition.end,
    event: transition.event,
    changes: [],
    violation: { kind: violation.kind, message: violation.message },
  };
  if (transition.onZero) step.onZero = transition.onZero;
  return step;
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
    steps.push(traceStepOf(compiled, move.actor, move.id, real, move.after));
    real = move.after;
  }
  if (found.move >= 0) {
    const id = moveTransition(found.move);
    const foundKind = compiled.violations[found.violation - 1].kind;
    for (const actor of siblings(compiled, moveActor(found.move), symmetric)) {
      // A sibling can take the failing transition only from the point that holds it.
      const systemActor = compiled.system.actors[actor];
      if (!(systemActor.points[real[systemActor.pcVar]]?.transitions ?? []).includes(id)) continue;
      const { result } = runStep(compiled, actor, id, real);
      if (result <= 0) continue;
      // The step may commit several violations; under symmetry the real instance may be another
      // than the stored one, and a message that names the instance (`w[0] finishes holding s.m`) is
      // then another violation number of the same kind: the real step's own one is reported.
      const committed = stepViolations(compiled, actor, id, real, result);
      const violation = committed.includes(found.violation) ? found.violation : symmetric ? committed.find((v) => compiled.violations[v - 1].kind === foundKind) : undefined;
      if (violation === undefined) continue;
      const info = compiled.violations[violation - 1];
      const step = failingStepOf(compiled, actor, id, info);
      steps.push(step);
      return { steps, kind: info.kind, message: info.message, start: step.start, end: step.end };
    }
    throw new Error('the failing step cannot be replayed');
  }
  const kind = found.deadlock ? 'deadlock' : compiled.violations[found.violation - 1].kind;
  const message = found.deadlock ? deadlockMessage(compiled, real) : compiled.violations[found.violation - 1].message;
  const last = steps.at(-1);
  const blocked = found.deadlock ? blockedActors(compiled, real) : [];
  if (last) last.violation = blocked.length > 0 ? { kind, message, blocked } : { kind, message };
  return { steps, kind, message, start: blocked[0]?.start ?? last?.start, end: blocked[0]?.end ?? last?.end };
}

function unfinishedThreads(compiled: CompiledSystem, state: Int32Array): number[] {
  const system = compiled.system;
  return system.actors
    .filter((a) => a.kind === 'thread' && state[a.pcVar] !== a.endPc)
    .map((a) => a.index);
}

/** The variables an expression reads. */
function readsOf(expr: Expr | undefined, into: Set<number>): Set<number> {
  if (!expr) return into;
  if (expr.k === 'var') into.add(expr.v);
  else if (expr.k === 'not') readsOf(expr.e, into);
  else if (expr.k === 'bin') {
    readsOf(expr.l, into);
    readsOf(expr.r, into);
  }
  return into;
}

/**
 * What keeps a thread at its point: the variables its transitions' guards read, with their values,
 * e.g. `iommu.lock is held by release` or `mdev.done is false`.
 */
function waitsFor(compiled: CompiledSystem, transitions: Transition[], state: Int32Array): string {
  const system = compiled.system;
  const variables = new Set<number>();
  for (const transition of transitions) {
    readsOf(transition.guard, variables);
    for (const op of transition.ops) if (op.k === 'require') readsOf(op.cond, variables);
  }
  const parts = [...variables]
    .filter((v) => system.variables[v].kind !== 'pc')
    .map((v) => `${system.variables[v].name} is ${formatValue(system, v, state[v])}`);
  return parts.length > 0 ? parts.join(', ') : 'no step it can take';
}

/** The threads a deadlock leaves unfinished, each at the statement it cannot get past. */
export function blockedActors(compiled: CompiledSystem, state: Int32Array): BlockedActor[] {
  const system = compiled.system;
  const out: BlockedActor[] = [];
  for (const index of unfinishedThreads(compiled, state)) {
    const actor = system.actors[index];
    const transitions = (actor.points[state[actor.pcVar]]?.transitions ?? []).map((id) => actor.transitions[id]);
    const first = transitions[0];
    if (!first) continue;
    out.push({ actor: actor.name, actorKind: actor.kind, start: first.start, end: first.end, statement: first.event, waitsFor: waitsFor(compiled, transitions, state) });
  }
  return out;
}

export function deadlockMessage(compiled: CompiledSystem, state: Int32Array): string {
  const system = compiled.system;
  const parts = unfinishedThreads(compiled, state).map((a) => {
    const actor = system.actors[a];
    const id = actor.points[state[actor.pcVar]].transitions[0];
    return id === undefined ? actor.name : `${actor.name} at \`${actor.transitions[id].event}\``;
  });
  return `deadlock: ${parts.join(', ')} blocked and nothing can wake them`;
}
