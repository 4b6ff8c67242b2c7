// An independent replayer for engine traces, used only by tests. It interprets the lowered IR
// directly (a tree walk, unlike the engine's generated code) and re-executes each trace step from the
// initial state, checking that the step is enabled, that it changes exactly what the trace says it
// changes, and that the final step (or final state) shows the reported violation.

import type { Expr, Op, TransitionSystem } from '../../server/src/core/engine/ir';
import { formatValue, initialState } from '../../server/src/core/engine/ir';
import type { ProposalResult } from '../../server/src/core/engine/types';

function evaluate(e: Expr, s: number[]): number {
  switch (e.k) {
    case 'const':
      return e.value;
    case 'var':
      return s[e.v];
    case 'not':
      return evaluate(e.e, s) === 0 ? 1 : 0;
    case 'bin': {
      const l = evaluate(e.l, s);
      if (e.op === '&&') return l !== 0 && evaluate(e.r, s) !== 0 ? 1 : 0;
      if (e.op === '||') return l !== 0 || evaluate(e.r, s) !== 0 ? 1 : 0;
      const r = evaluate(e.r, s);
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '==':
          return l === r ? 1 : 0;
        case '!=':
          return l !== r ? 1 : 0;
        case '<':
          return l < r ? 1 : 0;
        case '<=':
          return l <= r ? 1 : 0;
        case '>':
          return l > r ? 1 : 0;
        case '>=':
          return l >= r ? 1 : 0;
      }
    }
  }
  throw new Error('unknown expression');
}

type Outcome = { kind: 'ok' } | { kind: 'disabled' } | { kind: 'violation'; violation: string; message: string };

function execute(ops: Op[], s: number[], pcVar: number): Outcome {
  for (const op of ops) {
    switch (op.k) {
      case 'assign': {
        const value = evaluate(op.value, s);
        s[op.v] = value;
        break;
      }
      case 'check':
        if (evaluate(op.cond, s) === 0) return { kind: 'violation', violation: op.kind, message: op.message };
        break;
      case 'require':
        if (evaluate(op.cond, s) === 0) return { kind: 'disabled' };
        break;
      case 'goto':
        s[pcVar] = op.pc;
        break;
      case 'if': {
        const inner = execute(evaluate(op.cond, s) !== 0 ? op.then : op.else, s, pcVar);
        if (inner.kind !== 'ok') return inner;
        break;
      }
    }
  }
  return { kind: 'ok' };
}

function fire(system: TransitionSystem, actorIndex: number, id: number, state: number[]): { outcome: Outcome; after: number[] } {
  const actor = system.actors[actorIndex];
  const t = actor.transitions[id];
  const after = [...state];
  if (t.guard && evaluate(t.guard, state) === 0) return { outcome: { kind: 'disabled' }, after };
  after[actor.pcVar] = t.next;
  let outcome = execute(t.ops, after, actor.pcVar);
  if (outcome.kind === 'ok' && actor.kind === 'thread' && after[actor.pcVar] === actor.endPc) {
    outcome = execute(actor.finishChecks, after, actor.pcVar);
  }
  for (let v = 0; v < after.length && outcome.kind === 'ok'; v++) {
    if (after[v] < 0 || after[v] >= system.variables[v].domain) throw new Error(`${system.variables[v].name} left its domain`);
  }
  return { outcome, after };
}

function changesOf(system: TransitionSystem, before: number[], after: number[]): string[] {
  const changes: string[] = [];
  for (let v = 0; v < before.length; v++) {
    if (before[v] === after[v] || system.variables[v].kind === 'pc') continue;
    changes.push(`${system.variables[v].name}:${formatValue(system, v, before[v])}->${formatValue(system, v, after[v])}`);
  }
  return changes;
}

function anyThreadEnabled(system: TransitionSystem, state: number[]): boolean {
  return system.actors.some(
    (actor) =>
      actor.kind === 'thread' &&
      actor.points[state[actor.pcVar]].transitions.some((id) => fire(system, actor.index, id, state).outcome.kind !== 'disabled'),
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The kinds of the checks at the head of a step's operations (before it writes anything) that fail in `state`. */
function leadingKinds(system: TransitionSystem, actorIndex: number, id: number, state: number[]): string[] {
  const kinds: string[] = [];
  for (const op of system.actors[actorIndex].transitions[id].ops) {
    if (op.k !== 'check') break;
    if (evaluate(op.cond, state) === 0) kinds.push(op.kind);
  }
  return kinds;
}

/**
 * Replays a violation trace; throws with an explanation when the trace is not a real execution of
 * the system that ends in the reported violation. A step may commit several violations: the
 * reported kind may be any check that fails before the step writes anything. Returns the number
 * of steps replayed; `lastStep.firstKind` receives the kind of the last step's first failing check.
 */
export function replayTrace(system: TransitionSystem, result: ProposalResult, lastStep?: { firstKind?: string }): number {
  const trace = result.trace ?? [];
  let state = initialState(system);
  trace.forEach((step, index) => {
    const actor = system.actors.find((a) => a.name === step.actor);
    if (!actor) throw new Error(`step ${index}: unknown actor ${step.actor}`);
    const isLast = index === trace.length - 1;
    const expected = step.changes.map((c) => `${c.name}:${c.before}->${c.after}`).sort().join(' ');
    for (const id of actor.points[state[actor.pcVar]].transitions) {
      const t = actor.transitions[id];
      if (t.start !== step.start || t.end !== step.end) continue;
      // Branches of one statement (`maybe: yes` / `maybe: no`) share a range; the event tells them apart.
      const branch = new RegExp(`^${escapeRegExp(t.event)}(?: → (true|false))?(?: \\(|$)`).exec(step.event);
      if (!branch) continue;
      const { outcome, after } = fire(system, actor.index, id, state);
      if (outcome.kind === 'disabled') continue;
      // `if C → true` continues at the transition's default successor (the then-branch); `→ false` does not.
      if (branch[1] !== undefined && outcome.kind === 'ok' && (after[actor.pcVar] === t.next) !== (branch[1] === 'true')) continue;
      if (outcome.kind === 'violation') {
        const committed = outcome.violation === result.kind || leadingKinds(system, actor.index, id, state).includes(result.kind ?? '');
        if (isLast && step.changes.length === 0 && committed) {
          if (lastStep) lastStep.firstKind = outcome.violation;
          state = after;
          return;
        }
        continue;
      }
      if (changesOf(system, state, after).sort().join(' ') !== expected) continue;
      state = after;
      return;
    }
    throw new Error(`step ${index} (${step.actor}: ${step.event}) is not enabled or does not match`);
  });
  const last = trace.at(-1);
  if (last && last.changes.length === 0 && last.violation && result.kind !== 'deadlock' && result.kind !== 'leak') return trace.length;
  // A state violation: the final state must show it.
  const finished = system.actors.every((a) => a.kind !== 'thread' || state[a.pcVar] === a.endPc);
  if (result.kind === 'leak') {
    if (!finished || anyThreadEnabled(system, state) || !system.leakChecks.some((check) => evaluate(check.cond, state) === 0)) throw new Error('the final state does not leak');
  } else if (result.kind === 'deadlock') {
    const inflight = system.actors.some((a) => a.device && state[a.device.inflightVar] !== 0);
    if (finished || inflight || anyThreadEnabled(system, state)) throw new Error('the final state is not a deadlock');
  } else {
    throw new Error(`the trace does not end in a ${result.kind} step`);
  }
  return trace.length;
}
