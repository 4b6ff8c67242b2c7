// Reads a SPIN trail back into the engine's own trace: `spin -t -p` prints every executed statement
// with its line in the exported model; the export knows which transition each line holds (see
// promelaWriter.ts), and the engine's compiled steps replay the moves from the initial state, so a
// trace found by SPIN reads exactly like one the engine found (the same events, changes, notes,
// violation message and blocked threads).

import type { ViolationKind } from '../syntax/ast';
import type { CompiledSystem } from './compile';
import { initialState } from './ir';
import type { PromelaStepLine } from './promelaWriter';
import { blockedActors, deadlockMessage, failingStepOf, runStep, traceStepOf } from './trace';
import type { ViolationReport } from './types';
import { stepViolations } from './violations';

export interface TrailMove {
  actor: number;
  transition: number;
}

/**
 * The model steps of a `spin -t -p` listing, in order. Each numbered step is one `d_step`; steps of
 * the monitor (whose lines hold no transition) are left out.
 */
export function trailMoves(listing: string, steps: readonly PromelaStepLine[]): TrailMove[] {
  const byLine = new Map(steps.map((step) => [step.line, step]));
  const moves: TrailMove[] = [];
  let lastStep = -1;
  for (const match of listing.matchAll(/^\s*(\d+):\s+proc\s+\d+ \([^)]*\) \S+?:(\d+) \(state \d+\)/gm)) {
    const number = Number(match[1]);
    if (number === lastStep) continue;
    lastStep = number;
    const step = byLine.get(Number(match[2]));
    if (step) moves.push({ actor: step.actor, transition: step.transition });
  }
  return moves;
}

/**
 * Replays SPIN's moves in the engine and describes the violation of `kind` they lead to, as the
 * engine would: the last move fails a check of that kind, or the state after the moves is a
 * deadlock or a leak. Throws when the moves do not replay to such a violation (a bug in the export
 * or in reading the trail), so that a trace is never made up.
 */
export function reportFromTrail(compiled: CompiledSystem, moves: readonly TrailMove[], kind: ViolationKind, fallback: { start: number; end: number }): ViolationReport {
  let state: Int32Array = Int32Array.from(initialState(compiled.system));
  const trace: ViolationReport['trace'] = [];
  for (const [index, move] of moves.entries()) {
    const actor = compiled.system.actors[move.actor];
    if (!(actor?.points[state[actor.pcVar]]?.transitions ?? []).includes(move.transition)) {
      throw new Error(`SPIN's step ${index + 1} (${actor?.name ?? `actor ${move.actor}`}) is not enabled in the engine`);
    }
    const { result, after } = runStep(compiled, move.actor, move.transition, state);
    if (result < 0) throw new Error(`SPIN's step ${index + 1} (${actor.name}) is disabled in the engine`);
    if (result > 0) {
      if (index !== moves.length - 1) throw new Error(`SPIN's step ${index + 1} (${actor.name}) fails a check before the trail ends`);
      const committed = stepViolations(compiled, move.actor, move.transition, state, result).map((n) => compiled.violations[n - 1]);
      const info = committed.find((v) => v.kind === kind);
      if (!info) throw new Error(`SPIN's last step fails ${committed.map((v) => v.kind).join(', ')}, not ${kind}`);
      const step = failingStepOf(compiled, move.actor, move.transition, info);
      trace.push(step);
      return { kind, message: info.message, violationStart: step.start, violationEnd: step.end, trace };
    }
    trace.push(traceStepOf(compiled, move.actor, move.transition, state, after));
    state = after;
  }
  const last = trace.at(-1);
  if (kind === 'deadlock') {
    const message = deadlockMessage(compiled, state);
    const blocked = blockedActors(compiled, state);
    if (last) last.violation = blocked.length > 0 ? { kind, message, blocked } : { kind, message };
    return { kind, message, violationStart: blocked[0]?.start ?? last?.start ?? fallback.start, violationEnd: blocked[0]?.end ?? last?.end ?? fallback.end, trace };
  }
  const leak = compiled.leak(state);
  const info = leak > 0 ? compiled.violations[leak - 1] : undefined;
  if (!info || info.kind !== kind) throw new Error(`SPIN's trail ends in a state that is not a ${kind} in the engine`);
  if (last) last.violation = { kind, message: info.message };
  return { kind, message: info.message, violationStart: last?.start ?? fallback.start, violationEnd: last?.end ?? fallback.end, trace };
}
