// Ample sets for the partial-order reduction, from static dependence per program point.
//
// A candidate ample set of a state is the set of all transitions, at their current points, of a set
// `S` of actors. It starts from one thread with an enabled transition and is closed under conflict:
// an actor `b` outside `S` joins when something `b` can still do from its current point (its
// *future*, every point reachable in its control graph) writes what a member's transitions at
// their points read or write, or reads what they write. Program counters, finish checks and the
// conditions of `check` operations are part of those accesses, so a failing check is a transition
// like any other (the violation checks are the visible transitions). A device joins only when it
// touches a variable a member touches. Since an actor outside `S` never touches what the members'
// current transitions touch, however it moves, and a member can leave its point only through one
// of those transitions, the set is persistent (Godefroid's persistent sets; Valmari's stubborn sets).
//
// What this preserves: every step that fails a check is reached with the same kind, and every state
// where no thread can move (deadlocks and leaks) is reached, because the set holds an enabled
// thread transition and that transition stays enabled along any path that avoids the set (or, for
// a set seeded by a DMA completion, no state along such a path is checked: see dmaWaits.ts).
//
// Where a member holds a lock, or a reference count cannot reach zero while the members stand
// still, the outsiders' futures are cut before taking the lock or running the release (see
// heldLocks.ts and zeroCounts.ts): the set stays persistent, since along a path of outsiders those
// steps stay disabled. Where the only conflict left is on a count that stays, along the outsiders'
// paths, within values at which neither side's steps change behaviour, the outsider stays out
// (counterWindows.ts). An outsider all of whose transitions are disabled by guards that only the
// members and itself can change is frozen and stays out too. A set may also be seeded by a DMA
// completion that a thread waits for, without an enabled thread transition (dmaWaits.ts).
//
// The cycle proviso, for breadth-first search (see docs/architecture.md, "Partial-order
// reduction"): a transition *on a cycle* is one whose source and a target point lie in one strongly
// connected component of its actor's control graph (a device's steps, a handler's idle loop, a
// retry loop). It suffices that every terminal strongly connected component of the reduced graph
// holds a fully expanded state (Valmari). A thread step not on a cycle moves its thread to a later
// component for good, so a state whose reduced expansion takes one lies in no terminal component of
// the reduced graph. Otherwise, a reduced expansion is abandoned, and the state expanded in full,
// when one of its steps leads to a state already stored (in the open or the closed set): the state
// stored first in a terminal component is entered from one expanded after it was stored, which was
// therefore expanded in full.

import type { CompiledSystem } from './compile';
import { guardVariables, transitionsOnCycles } from './controlCycles';
import { HeldLocks, type CutFuture } from './heldLocks';
import { ZeroCounts } from './zeroCounts';
import { DmaWaits } from './dmaWaits';
import { CounterWindows } from './counterWindows';

/** Beyond this many bits the conflict table is not built and each question is answered from the access sets. */
const MAX_TABLE_BITS = 1 << 26;

/**
 * Why states were expanded in full, for the diagnostic `npm run bench:por-why`: counts per reason,
 * and per variable the number of times a conflict on it pulled an actor into a set.
 */
export interface AmpleStats {
  reduced: number;
  /** No thread had an enabled transition (only devices can move, or nothing can). */
  noEnabledThread: number;
  /** Every conflict closure reached all the transitions of the state. */
  closureIsAll: number;
  /** The smallest set left no enabled transition out. */
  nothingLeftOut: number;
  /** The cycle proviso rejected every set tried. */
  proviso: number;
  /** A transition of the set failed a check (the full expansion records it). */
  failingStep: number;
  /** The set's thread transitions were all disabled. */
  noThreadSuccessor: number;
  /** Per variable name: how often a conflict on it pulled an actor into a closure. */
  pulledBy: Map<string, number>;
}

export function newAmpleStats(): AmpleStats {
  return { reduced: 0, noEnabledThread: 0, closureIsAll: 0, nothingLeftOut: 0, proviso: 0, failingStep: 0, noThreadSuccessor: 0, pulledBy: new Map() };
}

export class AmpleSets {
  private readonly actorCount: number;
  private readonly pcVars: Int32Array;
  private readonly isThread: Uint8Array;
  /** Per actor: the first entry of its points in the per-point arrays. */
  private readonly pointBase: Int32Array;
  /** Per actor point: the number of transitions leaving it (the weight of putting the actor in a set). */
  private readonly weight: Int32Array;
  /** Per actor point: 1 when a transition leaving it lies on a cycle. */
  private readonly pointOnCycle: Uint8Array;
  /** Per actor, per transition id: 1 when the transition lies on a cycle. */
  readonly onCycle: Uint8Array[];
  /** Whether any transition lies on a cycle: otherwise the model terminates and the proviso is never needed. */
  readonly cyclic: boolean;
  /** Per actor point: the actors it may conflict with at some point, as a slice of `neighbours`. */
  private readonly neighbourStart: Int32Array;
  private readonly neighbours: Int32Array;
  /** Per actor point and actor `b`: the first word of the row of `b`'s points it conflicts with, when tabled. */
  private readonly rowOf: Int32Array | undefined;
  private readonly table: Int32Array | undefined;
  private readonly stamp: Int32Array;
  /** Per actor: 1 when it was a member of a set the cycle proviso rejected in this state. */
  private readonly tried: Uint8Array;
  private epoch = 0;
  private readonly points: Int32Array;
  private readonly work: Int32Array;
  /** The actors of the last set `choose` returned, `members[0 .. memberCount - 1]`. */
  readonly members: Int32Array;
  memberCount = 0;
  /** Whether the last chosen set holds a transition on a cycle (its successors need the proviso). */
  needsProviso = false;
  /** The smallest set with a transition on a cycle seen by `choose`, the choice when no set is without. */
  private readonly cyclicMembers: Int32Array;
  private cyclicCount = 0;
  /** The weight of the last closure and whether it holds a transition on a cycle. */
  private closureWeight = 0;
  private workOnCycle = false;
  private readonly heldLocks: HeldLocks;
  /** The qualifying locks held by members of the closure being built, `held[0 .. heldCount - 1]`. */
  private readonly held: Int32Array;
  private heldCount = 0;
  private state: Int32Array = new Int32Array(0);
  private readonly zeroCounts: ZeroCounts;
  /** Per qualifying counter: the largest drop all actors together can cause from their points. */
  private readonly dropAll: Float64Array;
  /** Per qualifying counter: the largest drop the actors outside the closure being built can cause. */
  private readonly dropOutside: Float64Array;
  /** Per qualifying counter: the largest rise all actors together, and those outside the closure, can cause. */
  private readonly riseAll: Float64Array;
  private readonly riseOutside: Float64Array;
  private readonly counterWindows: CounterWindows;
  /** The conflicts `closure` defers, as pairs of a member and an outsider. */
  private deferredPairs = new Int32Array(64);
  /** Whether some lock or counter can refine a conflict (otherwise the conflict table is final). */
  private readonly refines: boolean;
  private readonly dmaWaits: DmaWaits;
  /** Whether the last chosen set was seeded by a DMA completion (it may hold no enabled thread transition). */
  completionSeeded = false;
  /** Per actor point: 1 when every transition leaving it has a guard (so the actor may be frozen there). */
  private readonly guardedPoint: Uint8Array;
  /** Per actor point, `wordsPerSet` words: the variables the guards of its transitions read. */
  private readonly guardReads: Int32Array;

  constructor(
    private readonly compiled: CompiledSystem,
    readonly stats?: AmpleStats,
  ) {
    const system = compiled.system;
    const actors = system.actors;
    this.actorCount = actors.length;
    this.pcVars = Int32Array.from(actors.map((a) => a.pcVar));
    this.isThread = Uint8Array.from(actors.map((a) => (a.kind === 'thread' ? 1 : 0)));
    this.pointBase = new Int32Array(actors.length);
    let total = 0;
    actors.forEach((a, i) => {
      this.pointBase[i] = total;
      total += a.points.length;
    });
    this.weight = new Int32Array(total);
    this.pointOnCycle = new Uint8Array(total);
    this.onCycle = actors.map(transitionsOnCycles);
    actors.forEach((a, i) => {
      for (const p of a.points) this.weight[this.pointBase[i] + p.index] = p.transitions.length;
      a.transitions.forEach((t, id) => {
        if (this.onCycle[i][id]) this.pointOnCycle[this.pointBase[i] + t.from] = 1;
      });
    });
    this.cyclic = this.pointOnCycle.some((x) => x === 1);

    const neighbourLists: number[][] = [];
    const tableWords = actors.reduce((sum, a) => sum + a.points.length, 0) * actors.reduce((sum, b) => sum + Math.ceil(b.points.length / 32), 0);
    const tabled = tableWords * 32 <= MAX_TABLE_BITS;
    this.table = tabled ? new Int32Array(tableWords) : undefined;
    this.rowOf = tabled ? new Int32Array(total * actors.length) : undefined;
    let row = 0;
    actors.forEach((a, i) => {
      for (let p = 0; p < a.points.length; p++) {
        const list: number[] = [];
        actors.forEach((b, j) => {
          let any = false;
          const rowWords = Math.ceil(b.points.length / 32);
          if (tabled) this.rowOf![(this.pointBase[i] + p) * actors.length + j] = row;
          if (i !== j) {
            for (let q = 0; q < b.points.length; q++) {
              if (!this.conflict(i, p, j, q)) continue;
              any = true;
              if (tabled) this.table![row + (q >>> 5)] |= 1 << (q & 31);
            }
          }
          if (tabled) row += rowWords;
          if (any) list.push(j);
        });
        neighbourLists.push(list);
      }
    });
    this.neighbourStart = new Int32Array(total + 1);
    neighbourLists.forEach((list, k) => (this.neighbourStart[k + 1] = this.neighbourStart[k] + list.length));
    this.neighbours = Int32Array.from(neighbourLists.flat());
    this.stamp = new Int32Array(actors.length);
    this.tried = new Uint8Array(actors.length);
    this.points = new Int32Array(actors.length);
    this.work = new Int32Array(actors.length);
    this.members = new Int32Array(actors.length);
    this.cyclicMembers = new Int32Array(actors.length);
    this.heldLocks = new HeldLocks(compiled);
    this.held = new Int32Array(this.heldLocks.locks.length);
    this.zeroCounts = new ZeroCounts(compiled);
    this.dropAll = new Float64Array(this.zeroCounts.counters.length);
    this.dropOutside = new Float64Array(this.zeroCounts.counters.length);
    this.riseAll = new Float64Array(this.zeroCounts.counters.length);
    this.riseOutside = new Float64Array(this.zeroCounts.counters.length);
    this.counterWindows = new CounterWindows(compiled, this.zeroCounts.counters);
    this.refines = this.held.length > 0 || this.dropAll.length > 0;
    this.dmaWaits = new DmaWaits(compiled, this.pointBase, this.onCycle);
    this.guardedPoint = new Uint8Array(total);
    this.guardReads = new Int32Array(total * compiled.wordsPerSet);
    actors.forEach((a, i) => {
      for (const p of a.points) {
        const at = this.pointBase[i] + p.index;
        this.guardedPoint[at] = p.transitions.length > 0 && p.transitions.every((id) => a.transitions[id].guard !== undefined) ? 1 : 0;
        for (const id of p.transitions) for (const v of guardVariables(a.transitions[id].guard)) this.guardReads[at * compiled.wordsPerSet + (v >>> 5)] |= 1 << (v & 31);
      }
    });
  }

  /** Whether actor `a` at point `p` conflicts with what actor `b` can still do from point `q`. */
  private conflict(a: number, p: number, b: number, q: number): boolean {
    const own = this.compiled.actors[a].access;
    const other = this.compiled.actors[b].access;
    const set = this.compiled.wordsPerSet;
    for (let k = 0; k < set; k++) {
      if ((other.futureWrites[q * set + k] & own.pointAccess[p * set + k]) !== 0 || (other.futureReads[q * set + k] & own.pointWrites[p * set + k]) !== 0) return true;
    }
    return false;
  }

  /** Diagnostics: counts the first variable on which actor `a` at its point conflicts with `b`'s future. */
  private countPull(a: number, b: number): void {
    const own = this.compiled.actors[a].access;
    const other = this.compiled.actors[b].access;
    const set = this.compiled.wordsPerSet;
    const p = this.points[a];
    const q = this.points[b];
    for (let k = 0; k < set; k++) {
      const bits = (other.futureWrites[q * set + k] & own.pointAccess[p * set + k]) | (other.futureReads[q * set + k] & own.pointWrites[p * set + k]);
      if (bits === 0) continue;
      const v = k * 32 + (31 - Math.clz32(bits & -bits));
      const name = this.compiled.system.variables[v].name.replace(/#\d+$/, '');
      this.stats!.pulledBy.set(name, (this.stats!.pulledBy.get(name) ?? 0) + 1);
      return;
    }
  }

  /** Whether actor `a` at its point conflicts with `cut`, a future of `b` from its point `q` (on a variable other than `except`). */
  private conflictsWithCut(a: number, cut: CutFuture, q: number, except = -1): boolean {
    const own = this.compiled.actors[a].access;
    const set = this.compiled.wordsPerSet;
    const p = this.points[a];
    for (let k = 0; k < set; k++) {
      const mask = k === except >>> 5 && except >= 0 ? ~(1 << (except & 31)) : ~0;
      if (((cut.writes[q * set + k] & own.pointAccess[p * set + k]) | (cut.reads[q * set + k] & own.pointWrites[p * set + k])) & mask) return true;
    }
    return false;
  }

  /** Actor `b`'s whole future, as a cut that leaves nothing out. */
  private futureOf(b: number): CutFuture {
    const access = this.compiled.actors[b].access;
    return { reads: access.futureReads, writes: access.futureWrites };
  }

  /**
   * Whether `b` cannot reach a conflict with `a` along a path on which the closure's members do not
   * move: its conflicting steps lie beyond taking a lock a member holds, or in the release of a
   * counter that the actors outside the closure cannot bring to zero.
   */
  private cutOut(a: number, b: number): boolean {
    const q = this.points[b];
    for (let k = 0; k < this.heldCount; k++) {
      const cut = this.heldLocks.cutFor(b, this.held[k]);
      if (cut !== undefined && !this.conflictsWithCut(a, cut, q)) return true;
    }
    const counters = this.zeroCounts.counters;
    for (let k = 0; k < counters.length; k++) {
      if (this.state[counters[k]] <= this.dropOutside[k]) continue;
      const cut = this.zeroCounts.cutAt(k, b, q);
      if (cut !== undefined && !this.conflictsWithCut(a, cut, q)) return true;
      const future = cut ?? this.futureOf(b);
      const count = this.state[counters[k]];
      const dropB = this.zeroCounts.drop(k, b, q);
      const riseB = this.zeroCounts.rise(k, b, q);
      if (!this.conflictsWithCut(a, future, q, counters[k]) && this.counterWindows.independent(k, a, this.points[a], b, q, count, this.dropOutside[k], this.riseOutside[k], dropB, riseB)) return true;
    }
    return false;
  }

  /** Records what new member `m` changes for the refinements: the locks it holds, the drops it no longer causes. */
  private noteMember(m: number): void {
    const locks = this.heldLocks.locks;
    for (let k = 0; k < locks.length; k++) if (this.state[locks[k]] === m + 1) this.held[this.heldCount++] = locks[k];
    for (let k = 0; k < this.dropOutside.length; k++) {
      this.dropOutside[k] -= this.zeroCounts.drop(k, m, this.points[m]);
      this.riseOutside[k] -= this.zeroCounts.rise(k, m, this.points[m]);
    }
  }

  /**
   * Whether actor `b` cannot move along any path on which the closure's members (stamped `epoch`)
   * stand still: every transition at its point is disabled by its guard, and no actor but `b` and the
   * members can still write what those guards read. Such an actor stays out of the set whatever its
   * future touches (Valmari's stubborn sets take, for a disabled transition, only the transitions
   * that can enable it).
   */
  private frozen(b: number, epoch: number): boolean {
    const at = this.pointBase[b] + this.points[b];
    if (this.guardedPoint[at] === 0) return false;
    const ids = this.compiled.actors[b].byPoint[this.points[b]];
    const guards = this.compiled.actors[b].guards;
    for (let k = 0; k < ids.length; k++) if (guards[ids[k]]!(this.state)) return false;
    const set = this.compiled.wordsPerSet;
    for (let c = 0; c < this.actorCount; c++) {
      if (c === b || this.stamp[c] === epoch) continue;
      const writes = this.compiled.actors[c].access.futureWrites;
      const q = this.points[c] * set;
      for (let k = 0; k < set; k++) if ((writes[q + k] & this.guardReads[at * set + k]) !== 0) return false;
    }
    return true;
  }

  private conflictsNow(a: number, b: number): boolean {
    const p = this.points[a];
    const q = this.points[b];
    if (this.table === undefined) return this.conflict(a, p, b, q);
    const row = this.rowOf![(this.pointBase[a] + p) * this.actorCount + b];
    return ((this.table[row + (q >>> 5)] >>> (q & 31)) & 1) !== 0;
  }

  private enabled(s: Int32Array, a: number): boolean {
    const actor = this.compiled.actors[a];
    const ids = actor.byPoint[s[this.pcVars[a]]];
    for (let k = 0; k < ids.length; k++) {
      const guard = actor.guards[ids[k]];
      if (guard === null || guard(s)) return true;
    }
    return false;
  }

  /**
   * Chooses the smallest persistent set of state `s` (by the number of transitions at the members'
   * points) that holds an enabled thread transition and leaves some enabled transition out, into `members`.
   * Returns false when there is none: the state is then expanded in full. With `retry`, after the
   * cycle proviso rejected the last set, no seed is taken from the sets rejected in this state.
   */
  choose(s: Int32Array, retry = false): boolean {
    const count = this.actorCount;
    const tried = this.tried;
    if (!retry) tried.fill(0);
    for (let k = 0; k < this.memberCount && retry; k++) tried[this.members[k]] = 1;
    const points = this.points;
    const weight = this.weight;
    const pointBase = this.pointBase;
    this.state = s;
    let total = 0;
    for (let a = 0; a < count; a++) {
      points[a] = s[this.pcVars[a]];
      total += weight[pointBase[a] + points[a]];
    }
    if (this.dropAll.length > 0) {
      this.dropAll.fill(0);
      this.riseAll.fill(0);
      for (let k = 0; k < this.dropAll.length; k++) {
        for (let a = 0; a < count; a++) {
          this.dropAll[k] += this.zeroCounts.drop(k, a, points[a]);
          this.riseAll[k] += this.zeroCounts.rise(k, a, points[a]);
        }
      }
    }
    this.completionSeeded = false;
    if (this.dmaWaits.any && this.chooseCompletion(s, total)) return true;
    // A set without transitions on cycles never meets the cycle proviso, so it is preferred to a
    // smaller one with such transitions: a set the proviso rejects costs a full expansion.
    let bestAcyclic = total;
    let bestCyclic = total;
    this.memberCount = 0;
    this.cyclicCount = 0;
    let seeds = 0;
    for (let seed = 0; seed < count; seed++) {
      if (this.isThread[seed] === 0 || tried[seed] === 1 || weight[pointBase[seed] + points[seed]] === 0 || !this.enabled(s, seed)) continue;
      seeds++;
      const size = this.closure(seed, this.memberCount > 0 ? bestAcyclic : total);
      if (size < 0) continue;
      const w = this.closureWeight;
      if (!this.workOnCycle) {
        bestAcyclic = w;
        this.members.set(this.work.subarray(0, size));
        this.memberCount = size;
        if (size === 1) break;
      } else if (w < bestCyclic && w < bestAcyclic) {
        bestCyclic = w;
        this.cyclicMembers.set(this.work.subarray(0, size));
        this.cyclicCount = size;
      }
    }
    this.needsProviso = false;
    if (this.memberCount === 0 && this.cyclicCount > 0) {
      this.members.set(this.cyclicMembers.subarray(0, this.cyclicCount));
      this.memberCount = this.cyclicCount;
      this.needsProviso = true;
    }
    if (this.memberCount === 0) {
      if (this.stats && !retry) {
        if (seeds === 0) this.stats.noEnabledThread++;
        else this.stats.closureIsAll++;
      }
      return false;
    }
    if (!this.leavesOutEnabled(s)) {
      if (this.stats && !retry) this.stats.nothingLeftOut++;
      return false;
    }
    return true;
  }

  /**
   * A set seeded by a DMA completion that a thread waits for (dmaWaits.ts), tried before the thread
   * seeds: the transfer then ends before anything else moves. Exempt from the cycle proviso.
   */
  private chooseCompletion(s: Int32Array, total: number): boolean {
    for (let d = 0; d < this.actorCount; d++) {
      if (this.tried[d] === 1 || this.dmaWaits.enabledCompletion(s, d, this.points[d]) < 0) continue;
      const waiter = this.dmaWaits.waiterOf(d, this.points, this.isThread);
      if (waiter < 0) continue;
      const size = this.closure(d, total, waiter);
      if (size < 0) continue;
      this.members.set(this.work.subarray(0, size));
      this.memberCount = size;
      if (!this.leavesOutEnabled(s)) continue;
      this.needsProviso = false;
      this.completionSeeded = true;
      return true;
    }
    this.memberCount = 0;
    return false;
  }

  /** Whether a deferred conflict of outsider `b` still holds with the members stamped `epoch`. */
  private stillConflicts(deferred: number, b: number, epoch: number): boolean {
    for (let j = 0; j < deferred; j++) {
      if (this.deferredPairs[2 * j + 1] === b && !this.cutOut(this.deferredPairs[2 * j], b) && !this.frozen(b, epoch)) return true;
    }
    return false;
  }

  /**
   * The outsider whose deferred conflict still holds, to join the closure next, or -1. When several
   * do, one whose conflict holds even with all the others in the set joins first: the others may
   * then be cut.
   */
  private nextDeferred(deferred: number, epoch: number): number {
    const stamp = this.stamp;
    const candidates: number[] = [];
    for (let j = 0; j < deferred; j++) {
      const b = this.deferredPairs[2 * j + 1];
      if (stamp[b] !== epoch && !candidates.includes(b) && this.stillConflicts(deferred, b, epoch)) candidates.push(b);
    }
    if (candidates.length <= 1) return candidates.length === 1 ? candidates[0] : -1;
    const heldCount = this.heldCount;
    const drops = Float64Array.from(this.dropOutside);
    const rises = Float64Array.from(this.riseOutside);
    for (const b of candidates) {
      for (const other of candidates) {
        if (other === b) continue;
        stamp[other] = epoch;
        this.noteMember(other);
      }
      const essential = this.stillConflicts(deferred, b, epoch);
      for (const other of candidates) if (other !== b) stamp[other] = 0;
      this.heldCount = heldCount;
      this.dropOutside.set(drops);
      this.riseOutside.set(rises);
      if (essential) return b;
    }
    return candidates[0];
  }

  /** Whether an actor outside the chosen set has an enabled transition: otherwise the set saves nothing. */
  private leavesOutEnabled(s: Int32Array): boolean {
    const stamp = this.stamp;
    const epoch = ++this.epoch;
    for (let k = 0; k < this.memberCount; k++) stamp[this.members[k]] = epoch;
    for (let a = 0; a < this.actorCount; a++) if (stamp[a] !== epoch && this.enabled(s, a)) return true;
    return false;
  }

  /**
   * The conflict closure of `seed`, built in `work`; returns its size, with its weight in
   * `closureWeight` and whether a member's point has a transition on a cycle in `workOnCycle`, or -1
   * as soon as the weight reaches `bound`.
   */
  private closure(seed: number, bound: number, partner = -1): number {
    const stamp = this.stamp;
    const epoch = ++this.epoch;
    const points = this.points;
    const work = this.work;
    const pointBase = this.pointBase;
    let size = 0;
    work[size++] = seed;
    stamp[seed] = epoch;
    let w = this.weight[pointBase[seed] + points[seed]];
    if (partner >= 0) {
      work[size++] = partner;
      stamp[partner] = epoch;
      w += this.weight[pointBase[partner] + points[partner]];
    }
    if (w >= bound) return -1;
    let onCycle = false;
    this.heldCount = 0;
    if (this.refines) {
      this.dropOutside.set(this.dropAll);
      this.riseOutside.set(this.riseAll);
      this.noteMember(seed);
      if (partner >= 0) this.noteMember(partner);
    }
    // A conflict that a refinement may still cut is deferred: the refinements only grow more
    // permissive as members join (fewer outsiders hold locks, drop or raise counts, or write
    // guards), so it is asked again once the other conflicts have been followed.
    let deferred = 0;
    for (let k = 0; ; k++) {
      if (k === size) {
        const b = this.nextDeferred(deferred, epoch);
        if (b < 0) break;
        if (this.stats) {
          let j = 0;
          while (this.deferredPairs[2 * j + 1] !== b) j++;
          this.countPull(this.deferredPairs[2 * j], b);
        }
        stamp[b] = epoch;
        this.noteMember(b);
        work[size++] = b;
        w += this.weight[pointBase[b] + points[b]];
        if (w >= bound) return -1;
      }
      const a = work[k];
      const at = pointBase[a] + points[a];
      if (this.pointOnCycle[at] === 1) onCycle = true;
      for (let n = this.neighbourStart[at]; n < this.neighbourStart[at + 1]; n++) {
        const b = this.neighbours[n];
        if (stamp[b] === epoch || !this.conflictsNow(a, b) || (this.refines && this.cutOut(a, b)) || this.frozen(b, epoch)) continue;
        if (this.refines) {
          if (2 * deferred + 2 > this.deferredPairs.length) {
            const grown = new Int32Array(this.deferredPairs.length * 2);
            grown.set(this.deferredPairs);
            this.deferredPairs = grown;
          }
          this.deferredPairs[2 * deferred] = a;
          this.deferredPairs[2 * deferred + 1] = b;
          deferred++;
          continue;
        }
        if (this.stats) this.countPull(a, b);
        stamp[b] = epoch;
        work[size++] = b;
        w += this.weight[pointBase[b] + points[b]];
        if (w >= bound) return -1;
      }
    }
    this.closureWeight = w;
    this.workOnCycle = onCycle;
    return size;
  }
}
