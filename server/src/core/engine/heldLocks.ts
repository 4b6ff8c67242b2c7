// Lock-aware dependence for the ample sets: what an actor can still do while a lock it would have
// to take is held by a member of the set.
//
// A persistent set must be independent of everything the actors outside it can do as long as its
// members do not move. When a member holds a lock, an outsider's acquisition of that lock stays
// disabled along every such path (the holder does not move, so it does not release it), and so does
// everything the outsider could only reach through that acquisition. The outsider's future is then
// the part of its control graph reachable without taking the lock: two threads that touch the same
// data only under one lock are independent while either of them holds it.
//
// The cut is taken only where it is sound by construction:
// - an acquisition is a transition whose guard is exactly `lock == 0 || lock == me` (the lowering's
//   `lock` and the locking step of a lock-coupled put; a guard that is also enabled by a failing
//   check is not cut, since the failing step reads what the check reads);
// - the lock qualifies (lockOwners.ts): only its holder releases it.

import type { CompiledSystem } from './compile';
import { futureAccess, type FutureAccess } from './compile';
import type { Actor, Expr } from './ir';
import { qualifyingLocks } from './lockOwners';

/** Per actor point, `wordsPerSet` words: what the actor can read and write from there without taking the lock. */
export type CutFuture = FutureAccess;

function isVarEquals(e: Expr, v: number, value: number): boolean {
  return e.k === 'bin' && e.op === '==' && e.l.k === 'var' && e.l.v === v && e.r.k === 'const' && e.r.value === value;
}

/** The lock variable `guard` acquires (`lock == 0 || lock == me`), or -1. */
function acquiredLock(guard: Expr | undefined, me: number): number {
  if (guard === undefined || guard.k !== 'bin' || guard.op !== '||') return -1;
  const free = guard.l;
  if (free.k !== 'bin' || free.l.k !== 'var') return -1;
  const v = free.l.v;
  return isVarEquals(free, v, 0) && isVarEquals(guard.r, v, me) ? v : -1;
}

/** The accesses of `actor`'s future from each point, without the transitions marked in `cut`. */
export function cutFuture(actor: Actor, cut: Uint8Array, wordsPerSet: number, quietLocks: ReadonlySet<number>): CutFuture {
  return futureAccess(actor, wordsPerSet, cut, quietLocks);
}

export class HeldLocks {
  /** The qualifying lock variables. */
  readonly locks: Int32Array;
  /** Per actor, per qualifying lock it acquires somewhere: its future without that acquisition. */
  private readonly cuts: Map<number, CutFuture>[];

  constructor(compiled: CompiledSystem) {
    const system = compiled.system;
    const qualifying = qualifyingLocks(system);
    this.locks = Int32Array.from(qualifying);
    this.cuts = system.actors.map((actor) => {
      const byLock = new Map<number, Uint8Array>();
      for (const t of actor.transitions) {
        const lock = acquiredLock(t.guard, actor.index + 1);
        if (lock < 0 || !qualifying.has(lock)) continue;
        if (!byLock.has(lock)) byLock.set(lock, new Uint8Array(actor.transitions.length));
        byLock.get(lock)![t.id] = 1;
      }
      return new Map([...byLock].map(([lock, cut]) => [lock, cutFuture(actor, cut, compiled.wordsPerSet, qualifying)]));
    });
  }

  /** Actor `b`'s future without acquiring `lock`, or undefined when `b` never acquires it (its future is unchanged). */
  cutFor(b: number, lock: number): CutFuture | undefined {
    return this.cuts[b].get(lock);
  }
}
