// The states of a parallel search, in memory every search thread shares: packed states in
// breadth-first order in chunks of a SharedArrayBuffer each (the order is the breadth-first queue,
// as in the sequential store), a parent index per state, and an open-addressing hash table of state
// indices that threads insert into at the same time.
//
// Inserting claims a slot, then publishes it: a thread that finds an empty slot turns it into
// `CLAIMED` with `Atomics.compareExchange`, takes the next state index from the shared counter,
// writes the state's words and parent, and only then stores the slot's final entry. A thread that
// meets a claimed slot waits for its entry, since the state being written there may be its own.
// The entry is `(index + 1) | (tag << indexBits)` as in the sequential indexed store: the tag, hash
// bits that do not choose the slot, lets most probes skip comparing a state that cannot match.
//
// Nothing here grows while threads insert: the coordinator pauses the layer when the table or the
// arena is about to fill up (`Control.pauseAt`), grows them, and resumes (see parallelSearch.ts).

import type { HashFunction, StateStore } from '../storeTypes';

/** States an arena chunk (and a parents chunk) holds. */
export const CHUNK_BITS = 20;
export const CHUNK_STATES = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_STATES - 1;

const RECENT_SLOTS = 1 << 13;
const RECENT_MASK = RECENT_SLOTS - 1;

/** A slot being written: its state is not readable yet. */
const CLAIMED = -1;

/** Words of the shared control array (an Int32Array over its own SharedArrayBuffer). */
export const Control = {
  /** The number of state indices handed out (may pass the budget by the states refused). */
  count: 0,
  /** The next state of the layer no thread has taken yet. */
  cursor: 1,
  /** Why threads must stop taking work (`Stop`). */
  stop: 2,
  /** Threads that finished the current command. */
  done: 3,
  /** Threads that have compiled the system and wait for commands. */
  ready: 4,
  /** Threads stop taking work once `count` reaches this (the table or the arena is nearly full). */
  pauseAt: 5,
  length: 6,
} as const;

export const Stop = { none: 0, states: 1, halt: 2, failed: 3 } as const;

export const INSERTED = 1;
export const DUPLICATE = 0;
/** The state budget is spent: the state was not stored. */
export const REFUSED = -1;

/** The buffers behind a `SharedStates`, as they are posted to the search threads. */
export interface SharedBuffers {
  control: SharedArrayBuffer;
  table: SharedArrayBuffer;
  arena: SharedArrayBuffer[];
  parents: SharedArrayBuffer[];
}

export function indexBitsFor(maxStates: number): number {
  return 32 - Math.clz32(maxStates);
}

export class SharedStates {
  readonly control: Int32Array;
  private table: Int32Array;
  private mask: number;
  private readonly arena: Uint32Array[] = [];
  private readonly parents: Int32Array[] = [];
  private readonly tagShift: number;
  private readonly indexMask: number;
  /** This thread's recently stored or found states by hash (`index + 1`, 0 for none). */
  private readonly recent = new Int32Array(RECENT_SLOTS);
  private hashes = new Int32Array(0);
  /** Keeps the reads of `insertBatch`'s first passes from being optimised away. */
  touched = 0;

  constructor(
    readonly words: number,
    private readonly hashAt: HashFunction,
    /** States beyond this many are refused (the state budget). */
    readonly maxStates: number,
    buffers: SharedBuffers,
  ) {
    this.control = new Int32Array(buffers.control);
    this.table = new Int32Array(buffers.table);
    this.mask = this.table.length - 1;
    const indexBits = indexBitsFor(maxStates);
    // Entries stay positive, so that none is `CLAIMED`; without room for a tag, the tag is 0.
    this.tagShift = indexBits >= 31 ? 32 : indexBits;
    this.indexMask = this.tagShift >= 32 ? -1 : (1 << this.tagShift) - 1;
    this.adopt(buffers);
  }

  /** Makes room for batches of up to `count` states in `insertBatch`. */
  reserveBatch(count: number): void {
    if (this.hashes.length < count) this.hashes = new Int32Array(count);
  }

  /** Takes up a new table and new chunks (after the coordinator grew them). */
  adopt(buffers: SharedBuffers): void {
    if (this.table.buffer !== buffers.table) {
      this.table = new Int32Array(buffers.table);
      this.mask = this.table.length - 1;
    }
    for (let k = this.arena.length; k < buffers.arena.length; k++) {
      this.arena.push(new Uint32Array(buffers.arena[k]));
      this.parents.push(new Int32Array(buffers.parents[k]));
    }
  }

  get tableSlots(): number {
    return this.table.length;
  }

  /** States the allocated chunks can hold. */
  get capacity(): number {
    return this.arena.length * CHUNK_STATES;
  }

  get count(): number {
    return Math.min(Atomics.load(this.control, Control.count), this.maxStates);
  }

  private tagOf(hash: number): number {
    return this.tagShift >= 31 ? 0 : Math.imul(hash, 0x9e3779b1) >>> (this.tagShift + 1);
  }

  read(index: number, into: Uint32Array, at = 0): void {
    const words = this.words;
    const chunk = this.arena[index >>> CHUNK_BITS];
    const offset = (index & CHUNK_MASK) * words;
    for (let w = 0; w < words; w++) into[at + w] = chunk[offset + w];
  }

  parentOf(index: number): number {
    return this.parents[index >>> CHUNK_BITS][index & CHUNK_MASK];
  }

  /** Whether stored state `index` equals the state in `batch` at word `at`. */
  private same(index: number, batch: Uint32Array, at: number): boolean {
    const words = this.words;
    const chunk = this.arena[index >>> CHUNK_BITS];
    const offset = (index & CHUNK_MASK) * words;
    for (let w = 0; w < words; w++) if (chunk[offset + w] !== batch[at + w]) return false;
    return true;
  }

  /**
   * Inserts the state packed in `batch` at word `at`, reached from `parent`: `INSERTED`,
   * `DUPLICATE`, or `REFUSED` when the state budget is spent (the state is then not stored).
   */
  insert(batch: Uint32Array, at: number, parent: number): number {
    return this.insertHashed(batch, at, parent, this.hashAt(batch, at));
  }

  /**
   * Inserts `count` states packed one after another in `batch` from word 0, all reached from
   * `parent`, in order; false when the state budget refused one. The table slots and stored states
   * they will be compared with are read first, all together, so that their cache misses overlap
   * (as the sequential indexed store does).
   */
  insertBatch(batch: Uint32Array, count: number, parent: number): boolean {
    const words = this.words;
    const hashes = this.hashes;
    const table = this.table;
    const mask = this.mask;
    const recent = this.recent;
    let touched = 0;
    for (let k = 0; k < count; k++) {
      const hash = this.hashAt(batch, k * words);
      hashes[k] = hash;
      if (recent[hash & RECENT_MASK] === 0) touched ^= table[hash & mask];
    }
    for (let k = 0; k < count; k++) {
      const entry = table[hashes[k] & mask];
      if (entry > 0) {
        const index = (entry & this.indexMask) - 1;
        touched ^= this.arena[index >>> CHUNK_BITS][(index & CHUNK_MASK) * words];
      }
    }
    this.touched = touched;
    let stored = true;
    for (let k = 0; k < count; k++) if (this.insertHashed(batch, k * words, parent, hashes[k]) === REFUSED) stored = false;
    return stored;
  }

  private insertHashed(batch: Uint32Array, at: number, parent: number, hash: number): number {
    // Breadth-first search meets most duplicates soon after storing them: a thread's own cache of
    // recent states skips the table probe for them.
    const recentSlot = hash & RECENT_MASK;
    const recent = this.recent[recentSlot] - 1;
    if (recent >= 0 && this.same(recent, batch, at)) return DUPLICATE;
    const tag = this.tagOf(hash);
    const table = this.table;
    const mask = this.mask;
    const indexMask = this.indexMask;
    let slot = hash & mask;
    for (;;) {
      const entry = Atomics.load(table, slot);
      if (entry === 0) {
        if (Atomics.compareExchange(table, slot, 0, CLAIMED) !== 0) continue;
        const index = Atomics.add(this.control, Control.count, 1);
        if (index >= this.maxStates || index >= this.capacity) {
          // The slot is given back, so that no thread waits for it.
          Atomics.store(table, slot, 0);
          if (index >= this.maxStates) return REFUSED;
          throw new Error(`parallel search: state ${index} is past the arena's ${this.capacity} states`);
        }
        const words = this.words;
        const chunk = this.arena[index >>> CHUNK_BITS];
        const offset = (index & CHUNK_MASK) * words;
        for (let w = 0; w < words; w++) chunk[offset + w] = batch[at + w];
        this.parents[index >>> CHUNK_BITS][index & CHUNK_MASK] = parent;
        Atomics.store(table, slot, (index + 1) | (tag << this.tagShift));
        this.recent[recentSlot] = index + 1;
        return INSERTED;
      }
      if (entry === CLAIMED) continue;
      if (this.tagShift >= 32 || entry >>> this.tagShift === tag) {
        const index = (entry & indexMask) - 1;
        if (this.same(index, batch, at)) {
          this.recent[recentSlot] = index + 1;
          return DUPLICATE;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Whether the state in `batch` at word `at` is stored. */
  contains(batch: Uint32Array, at: number): boolean {
    const hash = this.hashAt(batch, at);
    const tag = this.tagOf(hash);
    const indexMask = this.indexMask;
    let slot = hash & this.mask;
    for (;;) {
      const entry = Atomics.load(this.table, slot);
      if (entry === 0) return false;
      if (entry !== CLAIMED && (entry >>> this.tagShift === tag || this.tagShift >= 32) && this.same((entry & indexMask) - 1, batch, at)) return true;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * Enters the stored states `from .. to - 1` into `target`, a larger empty table (a growth of the
   * table, shared among the threads: every state is entered by exactly one of them).
   */
  rehashInto(target: Int32Array, from: number, to: number): void {
    const words = this.words;
    const mask = target.length - 1;
    for (let index = from; index < to; index++) {
      const chunk = this.arena[index >>> CHUNK_BITS];
      const hash = this.hashAt(chunk, (index & CHUNK_MASK) * words);
      const entry = (index + 1) | (this.tagOf(hash) << this.tagShift);
      let slot = hash & mask;
      while (Atomics.compareExchange(target, slot, 0, entry) !== 0) slot = (slot + 1) & mask;
    }
  }
}

/**
 * The states of a finished parallel search as a `StateStore`, for the trace builder; inserting
 * goes through the shared table, so it works, from one thread, after the search.
 */
export class SharedStateStore implements StateStore {
  readonly candidate: Uint32Array;

  constructor(
    private readonly states: SharedStates,
    private readonly heldBytes: () => number,
  ) {
    this.candidate = new Uint32Array(states.words);
  }

  get words(): number {
    return this.states.words;
  }

  get count(): number {
    return this.states.count;
  }

  get bytes(): number {
    return this.heldBytes();
  }

  get peakBytesPerState(): number {
    return this.count === 0 ? 0 : this.bytes / this.count;
  }

  parentOf(index: number): number {
    return this.states.parentOf(index);
  }

  read(index: number, into: Uint32Array): void {
    this.states.read(index, into);
  }

  readForExpansion(index: number, into: Uint32Array): void {
    this.states.read(index, into);
  }

  insert(parent: number): boolean {
    return this.states.insert(this.candidate, 0, parent) === INSERTED;
  }

  insertGroup(firstParent: number, batch: Uint32Array, counts: Int32Array, members: number): void {
    let at = 0;
    for (let g = 0; g < members; g++) {
      for (let k = 0; k < counts[g]; k++, at += this.words) this.states.insert(batch, at, firstParent + g);
    }
  }

  contains(): boolean {
    return this.states.contains(this.candidate, 0);
  }
}
