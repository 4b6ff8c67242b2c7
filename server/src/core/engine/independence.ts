// Which threads the partial-order reduction may expand alone. Thread `a` at point `p` is
// independent of thread `b` at point `q` when nothing the transitions at `p` read or write is
// written by `b`'s transitions reachable from `q`, and nothing they write is read there. The search
// asks this for every thread of every state it expands, so the answers for all pairs of points are
// computed once, as one bit per `(a, p, b, q)`.

import type { CompiledActor } from './compile';
import type { TransitionSystem } from './ir';

/** Beyond this many bits the table is not built and each question is answered from the access sets. */
const MAX_TABLE_BITS = 1 << 26;

export class ThreadIndependence {
  private readonly threads: Int32Array;
  private readonly pcVars: Int32Array;
  /** Per thread position `i * threadCount + j`: the first word of the rows of thread `i` against thread `j`. */
  private readonly pairBase: Int32Array;
  /** Per thread position: words per row (one bit per point of that thread). */
  private readonly rowWords: Int32Array;
  /** Bit `q` of row `p` of pair `(i, j)` is set when thread `i` at `p` conflicts with thread `j` at `q`. */
  private readonly conflicts: Int32Array | undefined;
  /** Per thread position: the first entry of its points in `alone`. */
  private readonly pointBase: Int32Array;
  /** Per thread point: 1 when the thread may be expanded alone there (not `alwaysDependent`). */
  private readonly alone: Uint8Array;
  /** Per thread position: the thread it conflicted with last time (-1 before the first time). */
  private readonly lastConflict: Int32Array;
  /** Per thread position: its program counter variable. */
  private readonly threadPcVars: Int32Array;
  /**
   * Per thread point (as in `alone`) and thread position `j`: the first word in `conflicts` of
   * that point's row against `j`, so that a question costs one look-up and one bit test.
   */
  private readonly rowOf: Int32Array;
  /** The program counters of the threads in the state being asked about, by thread position. */
  private readonly points: Int32Array;

  constructor(
    system: TransitionSystem,
    private readonly actors: CompiledActor[],
    private readonly wordsPerSet: number,
  ) {
    const threadActors = system.actors.filter((actor) => actor.kind === 'thread');
    this.threads = Int32Array.from(threadActors.map((actor) => actor.index));
    this.pcVars = Int32Array.from(system.actors.map((actor) => actor.pcVar));
    const count = threadActors.length;
    this.rowWords = Int32Array.from(threadActors.map((actor) => Math.ceil(actor.points.length / 32)));
    this.pairBase = new Int32Array(count * count);
    let words = 0;
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < count; j++) {
        this.pairBase[i * count + j] = words;
        if (i !== j) words += threadActors[i].points.length * this.rowWords[j];
      }
    }
    this.pointBase = new Int32Array(count);
    let points = 0;
    threadActors.forEach((actor, i) => {
      this.pointBase[i] = points;
      points += actor.points.length;
    });
    this.alone = new Uint8Array(points);
    threadActors.forEach((actor, i) => {
      const dependent = actors[actor.index].access.alwaysDependent;
      for (let p = 0; p < actor.points.length; p++) this.alone[this.pointBase[i] + p] = dependent[p] === 0 ? 1 : 0;
    });
    this.lastConflict = new Int32Array(count).fill(-1);
    this.conflicts = words * 32 <= MAX_TABLE_BITS ? this.buildTable(threadActors.map((actor) => actor.points.length), words) : undefined;
    this.threadPcVars = Int32Array.from(threadActors.map((actor) => actor.pcVar));
    this.points = new Int32Array(count);
    this.rowOf = new Int32Array(this.conflicts === undefined ? 0 : points * count);
    if (this.conflicts !== undefined) {
      threadActors.forEach((actor, i) => {
        for (let p = 0; p < actor.points.length; p++) {
          for (let j = 0; j < count; j++) this.rowOf[(this.pointBase[i] + p) * count + j] = this.pairBase[i * count + j] + p * this.rowWords[j];
        }
      });
    }
  }

  private buildTable(points: number[], words: number): Int32Array {
    const table = new Int32Array(words);
    const count = this.threads.length;
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < count; j++) {
        if (i === j) continue;
        const base = this.pairBase[i * count + j];
        for (let p = 0; p < points[i]; p++) {
          const row = base + p * this.rowWords[j];
          for (let q = 0; q < points[j]; q++) {
            if (this.conflict(this.threads[i], p, this.threads[j], q)) table[row + (q >>> 5)] |= 1 << (q & 31);
          }
        }
      }
    }
    return table;
  }

  /** Whether actor `a` at point `p` conflicts with what actor `b` can still do from point `q`. */
  private conflict(a: number, p: number, b: number, q: number): boolean {
    const own = this.actors[a].access;
    const other = this.actors[b].access;
    const set = this.wordsPerSet;
    for (let k = 0; k < set; k++) {
      if ((other.futureWrites[q * set + k] & own.pointAccess[p * set + k]) !== 0 || (other.futureReads[q * set + k] & own.pointWrites[p * set + k]) !== 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first thread, at position `from` or later in the thread list, that state `s` lets the
   * search expand alone (see `ActorAccess.alwaysDependent`), or -1 when there is none. Most
   * threads conflict with some other thread at once, and usually with the same one as last time,
   * so that one is asked first.
   */
  nextIndependent(s: Int32Array, from: number): number {
    const conflicts = this.conflicts;
    if (conflicts === undefined) return this.nextIndependentUntabled(s, from);
    const count = this.threadPcVars.length;
    const points = this.points;
    const alone = this.alone;
    const pointBase = this.pointBase;
    const lastConflict = this.lastConflict;
    const rowOf = this.rowOf;
    for (let j = 0; j < count; j++) points[j] = s[this.threadPcVars[j]];
    for (let i = from; i < count; i++) {
      const point = pointBase[i] + points[i];
      if (alone[point] === 0) continue;
      const rows = point * count;
      const last = lastConflict[i];
      if (last >= 0) {
        const q = points[last];
        if (((conflicts[rowOf[rows + last] + (q >>> 5)] >>> (q & 31)) & 1) !== 0) continue;
      }
      let independent = true;
      for (let j = 0; j < count; j++) {
        if (j === i || j === last) continue;
        const q = points[j];
        if (((conflicts[rowOf[rows + j] + (q >>> 5)] >>> (q & 31)) & 1) === 0) continue;
        lastConflict[i] = j;
        independent = false;
        break;
      }
      if (independent) return i;
    }
    return -1;
  }

  /** `nextIndependent` when the table was too large to build: each question is answered from the access sets. */
  private nextIndependentUntabled(s: Int32Array, from: number): number {
    const threads = this.threads;
    const count = threads.length;
    for (let i = from; i < count; i++) {
      const p = s[this.pcVars[threads[i]]];
      if (this.alone[this.pointBase[i] + p] === 0) continue;
      const last = this.lastConflict[i];
      if (last >= 0 && this.conflictsAt(s, i, p, last)) continue;
      let independent = true;
      for (let j = 0; j < count; j++) {
        if (j === i || j === last || !this.conflictsAt(s, i, p, j)) continue;
        this.lastConflict[i] = j;
        independent = false;
        break;
      }
      if (independent) return i;
    }
    return -1;
  }

  /** Whether thread position `i` at point `p` conflicts with thread position `j` at its point in `s`, from the access sets. */
  private conflictsAt(s: Int32Array, i: number, p: number, j: number): boolean {
    return this.conflict(this.threads[i], p, this.threads[j], s[this.pcVars[this.threads[j]]]);
  }
  /** The actor number of the thread at position `i`. */
  actorOf(i: number): number {
    return this.threads[i];
  }

  get threadCount(): number {
    return this.threads.length;
  }
}
