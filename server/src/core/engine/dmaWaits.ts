// DMA completions a thread waits for: the seeds of the ample sets that end a device's transfer
// before anything else moves (ample.ts).
//
// A set may be seeded by the completion of device `d`'s transfer when a thread `m` waits for it
// (`quiesce`): the set is the conflict closure of `d` and `m`. It need hold no enabled thread
// transition, and it is exempt from the cycle proviso, under these conditions, checked here once
// per model:
// - the completion's guard is exactly `inflight_d != 0` and its last operation, at the top level,
//   is `inflight_d = 0`; only `d` writes `inflight_d`;
// - `m`'s point has exactly one transition, the wait: its guard is exactly `inflight_d == 0` and it
//   lies on no cycle of `m`'s control graph.
//
// Persistence: the completion stays enabled along any path of the actors outside the set (only `d`
// writes what its guard reads), and the closure keeps every outsider independent of the members.
// Deadlocks and leaks: along such a path `inflight_d` stays non-zero (no deadlock is reported
// while a transfer is in flight) and `m` does not finish (no leak is checked before every thread
// has finished), so every state the search checks for them is still reached.
// The cycle proviso: suppose a terminal strongly connected component C of the reduced graph holds
// no fully expanded state. No state of C takes a thread step off every cycle (the thread could not
// come back), so `m` stays at its wait throughout C. If C holds a completion-seeded state, it holds
// its successor, where `inflight_d` is 0, and a path from there back to a state where `inflight_d`
// is not 0: some state of C takes a step of `d` that writes `inflight_d` while `m`'s wait is
// enabled. That step conflicts with the wait (it writes what the wait's guard reads, and a cut
// never removes an actor's transitions at its own point), so `m` is in that state's set, which
// then takes the wait, off every cycle: a contradiction. So the states C holds are all checked by
// the proviso, and the argument of ample.ts applies to them.

import { transitionAccess, type CompiledSystem } from './compile';
import type { Expr } from './ir';

/** `inflight != 0` or `inflight == 0` on an `inflight` variable: that variable, else -1. */
function inflightTest(compiled: CompiledSystem, guard: Expr | undefined, op: '!=' | '=='): number {
  if (guard === undefined || guard.k !== 'bin' || guard.op !== op || guard.l.k !== 'var' || guard.r.k !== 'const' || guard.r.value !== 0) return -1;
  return compiled.system.variables[guard.l.v].kind === 'inflight' ? guard.l.v : -1;
}

export class DmaWaits {
  /** Per actor point (indexed from `pointBase`): the id of the qualifying completion leaving it, or -1. */
  private readonly completionAt: Int32Array;
  /** Per actor: the `inflight` variable of its qualifying completion, or -1. */
  private readonly inflightOf: Int32Array;
  /** Per actor point: the `inflight` variable a qualifying wait there waits on, or -1. */
  private readonly waitsOn: Int32Array;
  /** Whether any completion qualifies. */
  readonly any: boolean;

  constructor(
    private readonly compiled: CompiledSystem,
    private readonly pointBase: Int32Array,
    onCycle: Uint8Array[],
  ) {
    const system = compiled.system;
    const total = system.actors.reduce((sum, a) => sum + a.points.length, 0);
    const writers = new Map<number, Set<number>>();
    for (const actor of system.actors) {
      for (const t of actor.transitions) for (const v of transitionAccess(actor, t).writes) (writers.get(v) ?? writers.set(v, new Set()).get(v)!).add(actor.index);
    }
    this.completionAt = new Int32Array(total).fill(-1);
    this.inflightOf = new Int32Array(system.actors.length).fill(-1);
    this.waitsOn = new Int32Array(total).fill(-1);
    let any = false;
    for (const actor of system.actors) {
      if (actor.kind !== 'device') continue;
      for (const t of actor.transitions) {
        const v = inflightTest(compiled, t.guard, '!=');
        const last = t.ops[t.ops.length - 1];
        if (v < 0 || last === undefined || last.k !== 'assign' || last.v !== v || last.value.k !== 'const' || last.value.value !== 0) continue;
        if ([...(writers.get(v) ?? [])].some((w) => w !== actor.index)) continue;
        this.completionAt[pointBase[actor.index] + t.from] = t.id;
        this.inflightOf[actor.index] = v;
        any = true;
      }
    }
    for (const actor of system.actors) {
      if (actor.kind !== 'thread') continue;
      for (const point of actor.points) {
        if (point.transitions.length !== 1) continue;
        const id = point.transitions[0];
        const v = inflightTest(compiled, actor.transitions[id].guard, '==');
        if (v >= 0 && onCycle[actor.index][id] === 0) this.waitsOn[pointBase[actor.index] + point.index] = v;
      }
    }
    this.any = any;
  }

  /** The id of the qualifying completion enabled for device `d` at point `p` of state `s`, or -1. */
  enabledCompletion(s: Int32Array, d: number, p: number): number {
    const id = this.completionAt[this.pointBase[d] + p];
    return id >= 0 && this.compiled.actors[d].guards[id]!(s) ? id : -1;
  }

  /** A thread that waits for device `d`'s transfer at its point (`points` per actor), or -1. */
  waiterOf(d: number, points: Int32Array, isThread: Uint8Array): number {
    const inflight = this.inflightOf[d];
    for (let a = 0; a < points.length; a++) if (isThread[a] === 1 && this.waitsOn[this.pointBase[a] + points[a]] === inflight) return a;
    return -1;
  }
}
