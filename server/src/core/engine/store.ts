// The indexed state store, and the choice between it and the inline store (inlineStore.ts): packed
// states in a growable Uint32Array arena, an open-addressing hash table of state indices, and
// per-state parent index for trace reconstruction. The arena order is the
// breadth-first queue. The transition that led to a state is not stored: the trace builder finds it
// again by re-running the parent's transitions (see trace.ts).
//
// Memory per stored state is `words * 4` (arena) + 4 (parent) + the table's share. The arena and
// the parent array grow by a quarter at a time, and the table (4 bytes a slot) doubles when it is
// three quarters full, so even right after a growth a two-word state costs at most
// 1.25 * 12 + 4 / 0.375 ≈ 26 bytes.

import { BudgetExceeded, MAX_STORED_STATES, type HashFunction, type StateStore } from './storeTypes';
import { InlineStateStore } from './inlineStore';

export { BudgetExceeded, MAX_STORED_STATES, type HashFunction, type StateStore } from './storeTypes';
export { InlineStateStore } from './inlineStore';

/**
 * A table slot holds 0 (empty) or `(index + 1) | (tag << INDEX_BITS)`, where the tag is a few
 * hash bits that let most probes skip comparing against a state that cannot match.
 */
const INDEX_BITS = 27;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
const TAG_SHIFT = INDEX_BITS;

/** The recent-state cache grows with the table (an eighth of its slots) up to this many entries. */
const MAX_RECENT = 8192;
/** The most candidates the indexed store looks up together. */
export const MAX_BATCH = 256;

/**
 * A store for states of any size: the arena holds the states in breadth-first order and the table
 * holds indices into it.
 */
export class IndexedStateStore implements StateStore {
  arena: Uint32Array;
  parents: Int32Array;
  /** A candidate state is packed here before `insert` or `contains`. */
  readonly candidate: Uint32Array;
  private table: Int32Array;
  private mask: number;
  /** Recently stored or found states by hash (`index + 1`, 0 for none). */
  private recent = new Int32Array(256);
  private recentMask = 255;
  private readonly batchHashes = new Int32Array(MAX_BATCH);
  /** Separate from `batchHashes`: a rehash can happen in the middle of a batch. */
  private readonly rehashHashes = new Int32Array(MAX_BATCH);
  /** Keeps the reads in `insertBatch` from being optimised away. */
  touched = 0;
  private capacity: number;
  private readonly maxStates: number;
  count = 0;

  constructor(
    readonly words: number,
    private readonly hashAt: HashFunction,
    maxStates: number,
    private readonly maxBytes: number,
  ) {
    this.maxStates = Math.min(maxStates, MAX_STORED_STATES);
    this.capacity = 1024;
    this.arena = new Uint32Array(this.capacity * words);
    this.parents = new Int32Array(this.capacity);
    this.candidate = new Uint32Array(words);
    this.table = new Int32Array(2048);
    this.mask = 2047;
  }

  /**
   * The highest `bytes / count` seen right after a growth of the arena or the table, once the store
   * holds at least 4096 states (below that the fixed initial allocation dominates).
   */
  peakBytesPerState = 0;

  private notePeak(): void {
    if (this.count >= 4096) this.peakBytesPerState = Math.max(this.peakBytesPerState, this.bytes / this.count);
  }

  /** Bytes held by the store now. */
  get bytes(): number {
    return this.arena.byteLength + this.parents.byteLength + this.table.byteLength + this.recent.byteLength;
  }

  /** The stored state at `index` equals the candidate. */
  private matches(index: number): boolean {
    const words = this.words;
    const arena = this.arena;
    const candidate = this.candidate;
    const offset = index * words;
    for (let w = 0; w < words; w++) if (arena[offset + w] !== candidate[w]) return false;
    return true;
  }

  stateArray(): Uint32Array {
    return this.arena;
  }

  parentOf(index: number): number {
    return this.parents[index];
  }

  offsetOf(index: number): number {
    return index * this.words;
  }

  read(index: number, into: Uint32Array): void {
    const offset = index * this.words;
    for (let w = 0; w < this.words; w++) into[w] = this.arena[offset + w];
  }

  readForExpansion(index: number, into: Uint32Array): void {
    this.read(index, into);
  }

  insert(parent: number): boolean {
    return this.insertHashed(parent, this.hashAt(this.candidate, 0)) >= 0;
  }

  insertGroup(firstParent: number, batch: Uint32Array, counts: Int32Array, members: number): void {
    let at = 0;
    for (let g = 0; g < members; g++) {
      for (let done = 0; done < counts[g]; done += MAX_BATCH) {
        const count = Math.min(MAX_BATCH, counts[g] - done);
        this.insertBatch(firstParent + g, batch, at, count);
        at += count * this.words;
      }
    }
  }

  /**
   * Inserts `count` candidates packed one after another in `batch` from word `start`, in order, as `insert` would.
   * The table slots and stored states they will be compared with are read first, all together, so
   * that their cache misses overlap instead of following one another.
   */
  private insertBatch(parent: number, batch: Uint32Array, start: number, count: number): void {
    const words = this.words;
    const hashes = this.batchHashes;
    const table = this.table;
    const mask = this.mask;
    const recent = this.recent;
    const arena = this.arena;
    let touched = 0;
    for (let k = 0; k < count; k++) {
      const hash = this.hashAt(batch, start + k * words);
      hashes[k] = hash;
      if (recent[hash & this.recentMask] === 0) touched ^= table[hash & mask];
    }
    for (let k = 0; k < count; k++) {
      const hash = hashes[k];
      const entry = table[hash & mask];
      if (entry !== 0 && entry >>> TAG_SHIFT === hash >>> 27) touched ^= arena[((entry & INDEX_MASK) - 1) * words];
    }
    this.touched = touched;
    const candidate = this.candidate;
    for (let k = 0; k < count; k++) {
      for (let w = 0; w < words; w++) candidate[w] = batch[start + k * words + w];
      this.insertHashed(parent, hashes[k]);
    }
  }

  private insertHashed(parent: number, hash: number): number {
    // Breadth-first search meets most duplicates soon after storing them (two interleavings of the
    // same steps end in the same state), so a small cache of recent states skips the table probe.
    const recentSlot = hash & this.recentMask;
    const recent = this.recent[recentSlot] - 1;
    if (recent >= 0 && this.matches(recent)) return -(recent + 1);
    const tag = hash >>> 27;
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === 0) break;
      if (entry >>> TAG_SHIFT === tag) {
        const existing = (entry & INDEX_MASK) - 1;
        if (this.matches(existing)) {
          this.recent[recentSlot] = existing + 1;
          return -(existing + 1);
        }
      }
      slot = (slot + 1) & mask;
    }
    const index = this.count;
    if (index >= this.maxStates) throw new BudgetExceeded('states');
    if (index >= this.capacity) this.growArena();
    const words = this.words;
    const offset = index * words;
    const arena = this.arena;
    const candidate = this.candidate;
    for (let w = 0; w < words; w++) arena[offset + w] = candidate[w];
    this.parents[index] = parent;
    table[slot] = (index + 1) | (tag << TAG_SHIFT);
    this.recent[recentSlot] = index + 1;
    this.count = index + 1;
    // Keep the load factor at most 3/4.
    if (this.count * 4 >= table.length * 3) this.rehash();
    return index;
  }

  /** Whether the candidate is already stored (without adding it). */
  contains(): boolean {
    const hash = this.hashAt(this.candidate, 0);
    const tag = hash >>> 27;
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === 0) return false;
      if (entry >>> TAG_SHIFT === tag && this.matches((entry & INDEX_MASK) - 1)) return true;
      slot = (slot + 1) & mask;
    }
  }

  private growArena(): void {
    const next = Math.ceil((this.capacity * 1.25) / 1024) * 1024;
    const bytes = next * (this.words * 4 + 4);
    // The old arrays are still held while the new ones are filled.
    if (this.bytes + bytes > this.maxBytes) throw new BudgetExceeded('memory');
    const arena = new Uint32Array(next * this.words);
    arena.set(this.arena);
    this.arena = arena;
    const parents = new Int32Array(next);
    parents.set(this.parents);
    this.parents = parents;
    this.capacity = next;
    this.notePeak();
  }

  private rehash(): void {
    const size = this.table.length * 2;
    if (this.bytes + size * 4 > this.maxBytes) throw new BudgetExceeded('memory');
    const table = new Int32Array(size);
    const mask = size - 1;
    const words = this.words;
    const arena = this.arena;
    const hashes = this.rehashHashes;
    let touched = 0;
    // States in index order read the arena sequentially; each chunk reads its slots first so that
    // the cache misses overlap.
    for (let first = 0; first < this.count; first += MAX_BATCH) {
      const last = Math.min(this.count, first + MAX_BATCH);
      for (let index = first; index < last; index++) {
        const hash = this.hashAt(arena, index * words);
        hashes[index - first] = hash;
        touched ^= table[hash & mask];
      }
      for (let index = first; index < last; index++) {
        const hash = hashes[index - first];
        let slot = hash & mask;
        while (table[slot] !== 0) slot = (slot + 1) & mask;
        table[slot] = (index + 1) | ((hash >>> 27) << TAG_SHIFT);
      }
    }
    this.touched = touched;
    this.table = table;
    this.mask = mask;
    if (this.recent.length < MAX_RECENT) {
      this.recent = new Int32Array(Math.min(MAX_RECENT, size / 8));
      this.recentMask = this.recent.length - 1;
    }
    this.notePeak();
  }
}

/**
 * The store for states of `words` words: `InlineStateStore` when the state fits in two words and
 * the top bit of its last word is never used (`lastWordTopBitFree`), else `IndexedStateStore`.
 */
export function createStateStore(
  words: number,
  lastWordTopBitFree: boolean,
  hash: HashFunction,
  maxStates: number,
  maxBytes: number,
  kind: 'auto' | 'indexed' = 'auto',
): StateStore {
  if (kind === 'auto' && words <= 2 && lastWordTopBitFree) return new InlineStateStore(words, maxStates, maxBytes);
  return new IndexedStateStore(words, hash, maxStates, maxBytes);
}
