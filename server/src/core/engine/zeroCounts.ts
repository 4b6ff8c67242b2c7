// Counter-aware dependence for the ample sets: what an actor can still do while a reference count
// cannot reach zero.
//
// The steps of an on-zero release action (marked `onZero` by the lowering) run only after a put
// brought the count to zero. Along a path on which the members of a set do not move, the count drops
// at most by what the other actors can still drop it: per actor, the largest drop along a path of
// its control graph from its point (puts count -1, gets +1; unbounded when a put lies on a cycle).
// When the count exceeds the sum of those drops over the actors outside the set, no release of it
// runs along such a path, and an outsider's future is the part of its control graph reachable
// without the release: a thread that uses an object while it holds a reference is independent of
// the other holders' puts and of the release that frees the object. This is the conditional
// independence of Katz and Peled (*Defining conditional independence using collapses*, TCS 101,
// 1992) applied to kref's rule that a holder's reference keeps the object alive.
//
// A counter qualifies only when every write to it is `+ 1` or `- 1` (an allocation, which resets
// it, disqualifies it), so the bound holds by construction.

import type { CompiledSystem } from './compile';
import { cutFuture, type CutFuture } from './heldLocks';
import type { Actor, Op, TransitionSystem } from './ir';
import { qualifyingLocks } from './lockOwners';

/** A drop no bound can exceed: a put on a cycle. */
export const UNBOUNDED_DROP = 1 << 24;

interface Effect {
  target: number;
  /** The count's change along this way through the transition. */
  delta: number;
  /** The largest drop reached within the transition. */
  peak: number;
}

/** Beyond this many ways through one transition, its counter's drops are taken as unbounded. */
const MAX_WAYS = 1024;

/** The ways through a transition's operations: their targets and their effect on counter `v`; undefined when too many. */
function effects(ops: Op[], v: number, next: number, sign: 1 | -1): Effect[] | undefined {
  const out: Effect[] = [];
  const walk = (rest: Op[], k: number, target: number, delta: number, peak: number, after: Op[][]): void => {
    if (out.length > MAX_WAYS) return;
    if (k === rest.length) {
      if (after.length === 0) out.push({ target, delta, peak });
      else walk(after[0], 0, target, delta, peak, after.slice(1));
      return;
    }
    const op = rest[k];
    if (op.k === 'goto') walk(rest, k + 1, op.pc, delta, peak, after);
    else if (op.k === 'assign' && op.v === v) {
      const d = (op.value.k === 'bin' && op.value.op === '+' ? 1 : -1) * sign;
      walk(rest, k + 1, target, delta + d, Math.max(peak, -(delta + d)), after);
    } else if (op.k === 'if') {
      walk(op.then, 0, target, delta, peak, [rest.slice(k + 1), ...after]);
      walk(op.else, 0, target, delta, peak, [rest.slice(k + 1), ...after]);
    } else walk(rest, k + 1, target, delta, peak, after);
  };
  walk(ops, 0, next, 0, 0, []);
  return out.length > MAX_WAYS ? undefined : out;
}

function isStep(value: Op & { k: 'assign' }): boolean {
  const e = value.value;
  return e.k === 'bin' && (e.op === '+' || e.op === '-') && e.l.k === 'var' && e.l.v === value.v && e.r.k === 'const' && e.r.value === 1;
}

function forEachAssign(ops: Op[], visit: (op: Op & { k: 'assign' }) => void): void {
  for (const op of ops) {
    if (op.k === 'assign') visit(op);
    else if (op.k === 'if') {
      forEachAssign(op.then, visit);
      forEachAssign(op.else, visit);
    }
  }
}

/** The counters whose every write is a step of one and which have an on-zero release. */
function qualifyingCounters(system: TransitionSystem): number[] {
  const counters = new Set(system.variables.filter((v) => v.kind === 'ref').map((v) => v.index));
  const released = new Set<string>();
  for (const actor of system.actors) {
    for (const t of actor.transitions) {
      if (t.onZero !== undefined) released.add(t.onZero);
      forEachAssign(t.ops, (op) => {
        if (counters.has(op.v) && !isStep(op)) counters.delete(op.v);
      });
    }
  }
  return [...counters].filter((v) => released.has(system.variables[v].name));
}

/**
 * Per point of `actor`: the largest drop of counter `v` along a path from it, by value iteration
 * (`drop(q) = max over steps from q of max(peak, drop(target) - delta)`). A drop still growing after
 * as many rounds as there are points grows along a cycle: the actor's drops are then unbounded.
 */
function largestDrops(actor: Actor, v: number, sign: 1 | -1 = 1): Int32Array {
  const points = actor.points.length;
  const ways = actor.transitions.map((t) => effects(t.ops, v, t.next, sign));
  const drops = new Int32Array(points);
  if (ways.some((w) => w === undefined)) return drops.fill(UNBOUNDED_DROP);
  const edges = actor.transitions.flatMap((t, id) => ways[id]!.map((e) => ({ from: t.from, ...e })));
  for (let round = 0; round <= points; round++) {
    let changed = false;
    for (const e of edges) {
      const through = e.target >= 0 && e.target < points ? drops[e.target] - e.delta : 0;
      const d = Math.max(e.peak, through);
      if (d > drops[e.from]) {
        drops[e.from] = d;
        changed = true;
      }
    }
    if (!changed) return drops;
  }
  return drops.fill(UNBOUNDED_DROP);
}

export class ZeroCounts {
  /** The qualifying counter variables. */
  readonly counters: Int32Array;
  /** Per counter, per actor: the largest drop from each point. */
  private readonly drops: Int32Array[][];
  /** Per counter, per actor: the largest rise from each point (the largest drop with gets and puts swapped). */
  private readonly rises: Int32Array[][];
  /** Per counter, per actor: its future without the counter's release, or undefined when it has none. */
  private readonly cuts: (CutFuture | undefined)[][];
  /** Per counter, per actor, per point: 1 when a step of the counter's release leaves the point. */
  private readonly inside: Uint8Array[][];

  constructor(compiled: CompiledSystem) {
    const system = compiled.system;
    this.counters = Int32Array.from(qualifyingCounters(system));
    const quietLocks = qualifyingLocks(system);
    this.drops = [...this.counters].map((v) => system.actors.map((actor) => largestDrops(actor, v)));
    this.rises = [...this.counters].map((v) => system.actors.map((actor) => largestDrops(actor, v, -1)));
    this.inside = [...this.counters].map((v) =>
      system.actors.map((actor) => {
        const inside = new Uint8Array(actor.points.length);
        for (const t of actor.transitions) if (t.onZero === system.variables[v].name) inside[t.from] = 1;
        return inside;
      }),
    );
    this.cuts = [...this.counters].map((v) =>
      system.actors.map((actor) => {
        const name = system.variables[v].name;
        if (!actor.transitions.some((t) => t.onZero === name)) return undefined;
        return cutFuture(actor, Uint8Array.from(actor.transitions, (t) => (t.onZero === name ? 1 : 0)), compiled.wordsPerSet, quietLocks);
      }),
    );
  }

  /** The largest drop of counter number `k` that actor `b` can cause from point `q`. */
  drop(k: number, b: number, q: number): number {
    return this.drops[k][b][q];
  }

  /** The largest rise of counter number `k` that actor `b` can cause from point `q`. */
  rise(k: number, b: number, q: number): number {
    return this.rises[k][b][q];
  }

  /**
   * Actor `b`'s future from point `q` without the release of counter number `k`; undefined when it
   * has no such release, or when `q` lies inside it (the count has already been zero).
   */
  cutAt(k: number, b: number, q: number): CutFuture | undefined {
    return this.inside[k][b][q] === 1 ? undefined : this.cuts[k][b];
  }
}
