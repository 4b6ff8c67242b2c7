// The indexed state store, and the choice between it and the inline store (inlineStore.ts): packed
// states in breadth-first order in fixed-size chunks (the order is the breadth-first queue), a
// per-state parent index for trace reconstruction, and a hash table of state indices split into
// segments. The transition that led to a state is not stored: the trace builder finds it again by
// re-running the parent's transitions (see trace.ts).
//
// Nothing ever grows all at once. The arena and the parents grow a chunk at a time and are never
// copied; the table is split by the top bits of the hash into segments, and a segment doubles on
// its own when it is three quarters full, so the longest pause is one segment's rehash. The number
// of segments is chosen from the budget (about 2^18 states a segment at the budget), so that pause
// stays short at any size.
//
// Memory per stored state is `words * 4` (arena) + 4 (parent) + 4 / load (table, load between 3/8
// and 3/4): for two words at most 12 + 10.7 ≈ 23 bytes, plus one partly filled chunk.

import { BudgetExceeded, MAX_STORED_STATES, type HashFunction, type StateStore } from './storeTypes';
import { InlineStateStore } from './inlineStore';
import { exceedsMemoryBudget } from './budgets';

export { BudgetExceeded, MAX_STORED_STATES, type HashFunction, type StateStore } from './storeTypes';
export { InlineStateStore } from './inlineStore';

/** States a chunk of the arena (and of the parents) holds. */
const CHUNK_BITS = 12;
const CHUNK_STATES = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_STATES - 1;
/**
 * About this many states a segment at the budget. With 2^20, a 500 M-state search paused 1.2 s of CPU
 * in one segment's rehash (bench:scale); a quarter of the states takes about a quarter of the time.
 */
const SEGMENT_STATES_AT_BUDGET = 1 << 18;
const MAX_SEGMENT_BITS = 12;
const INITIAL_SEGMENT_SLOTS = 64;
/** The recent-state cache grows with the store (a sixteenth of its states) up to this many entries. */
const MAX_RECENT = 8192;
/** The most candidates the indexed store looks up together. */
export const MAX_BATCH = 256;
/**
 * Budgets up to this many states use the inline store when the states fit it: its table doubles
 * all at once, which at this size takes well under a second.
 */
export const INLINE_STORE_MAX_STATES = 1 << 24;
/** Bytes a state costs at least in the indexed store besides its words, for sizing from a memory budget. */
const MIN_OVERHEAD_BYTES = 4 + 4 / 0.75;

/**
 * A store for states of any size. A table slot holds 0 (empty) or `(index + 1) | (tag << indexBits)`:
 * `indexBits` is as many bits as the budget's largest index needs, and the tag, the rest of the
 * slot, is hash bits that let most probes skip comparing against a state that cannot match. The tag
 * does not depend on the table's size, so a rehash moves slots without changing them.
 */
export class IndexedStateStore implements StateStore {
  private readonly arena: Uint32Array[] = [];
  private readonly parents: Int32Array[] = [];
  /** A candidate state is packed here before `insert` or `contains`. */
  readonly candidate: Uint32Array;
  private readonly segments: Int32Array[] = [];
  private readonly segmentMasks: Int32Array;
  private readonly segmentCounts: Int32Array;
  /** The hash's top `32 - segmentShift` bits choose the segment. */
  private readonly segmentShift: number;
  private readonly indexBits: number;
  private readonly indexMask: number;
  /** Recently stored or found states by hash (`index + 1`, 0 for none). */
  private recent = new Int32Array(256);
  private recentMask = 255;
  private readonly batchHashes = new Int32Array(MAX_BATCH);
  /** Keeps the reads in `insertBatch` from being optimised away. */
  touched = 0;
  private tableBytes = 0;
  private readonly maxStates: number;
  count = 0;
  /** The longest a segment's rehash took, in milliseconds. */
  longestRehashMs = 0;
  /**
   * The highest `bytes / count` seen right after a growth of the arena or the table, once the store
   * holds at least 4096 states (below that the fixed initial allocation dominates).
   */
  peakBytesPerState = 0;

  constructor(
    readonly words: number,
    private readonly hashAt: HashFunction,
    maxStates: number,
    private readonly maxBytes: number,
  ) {
    this.maxStates = Math.max(1, Math.min(maxStates, MAX_STORED_STATES));
    this.candidate = new Uint32Array(words);
    this.indexBits = 32 - Math.clz32(this.maxStates);
    this.indexMask = 2 ** this.indexBits - 1;
    const statesAtBudget = Math.min(this.maxStates, maxBytes / (words * 4 + MIN_OVERHEAD_BYTES));
    const segmentBits = Math.max(1, Math.min(MAX_SEGMENT_BITS, Math.ceil(Math.log2(Math.max(1, statesAtBudget / SEGMENT_STATES_AT_BUDGET)))));
    const segmentCount = 1 << segmentBits;
    this.segmentShift = 32 - segmentBits;
    this.segmentMasks = new Int32Array(segmentCount).fill(INITIAL_SEGMENT_SLOTS - 1);
    this.segmentCounts = new Int32Array(segmentCount);
    // The first segments share one buffer (one allocation, not one per segment: a small search
    // would spend more on them than on its states); a segment that grows gets its own.
    const initial = new Int32Array(segmentCount * INITIAL_SEGMENT_SLOTS);
    for (let k = 0; k < segmentCount; k++) this.segments.push(initial.subarray(k * INITIAL_SEGMENT_SLOTS, (k + 1) * INITIAL_SEGMENT_SLOTS));
    this.tableBytes = segmentCount * INITIAL_SEGMENT_SLOTS * 4;
  }

  /** Bytes held by the store now. */
  get bytes(): number {
    return this.arena.length * CHUNK_STATES * (this.words * 4 + 4) + this.tableBytes + this.recent.byteLength;
  }

  /** The slot tag of a state of hash `hash`: hash bits unrelated to those that choose its slot. */
  private tagOf(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> this.indexBits;
  }

  private notePeak(): void {
    if (this.count >= 4096) this.peakBytesPerState = Math.max(this.peakBytesPerState, this.bytes / this.count);
  }

  /** The stored state at `index` equals the candidate. */
  private matches(index: number): boolean {
    const words = this.words;
    const chunk = this.arena[index >>> CHUNK_BITS];
    const candidate = this.candidate;
    const offset = (index & CHUNK_MASK) * words;
    for (let w = 0; w < words; w++) if (chunk[offset + w] !== candidate[w]) return false;
    return true;
  }

  parentOf(index: number): number {
    return this.parents[index >>> CHUNK_BITS][index & CHUNK_MASK];
  }

  read(index: number, into: Uint32Array): void {
    const words = this.words;
    const chunk = this.arena[index >>> CHUNK_BITS];
    const offset = (index & CHUNK_MASK) * words;
    for (let w = 0; w < words; w++) into[w] = chunk[offset + w];
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
   * The table slots they will be compared with are read first, all together, so that their cache
   * misses overlap instead of following one another.
   */
  private insertBatch(parent: number, batch: Uint32Array, start: number, count: number): void {
    const words = this.words;
    const hashes = this.batchHashes;
    const segments = this.segments;
    const masks = this.segmentMasks;
    const shift = this.segmentShift;
    const recent = this.recent;
    let touched = 0;
    for (let k = 0; k < count; k++) {
      const hash = this.hashAt(batch, start + k * words);
      hashes[k] = hash;
      const segment = hash >>> shift;
      if (recent[hash & this.recentMask] === 0) touched ^= segments[segment][hash & masks[segment]];
    }
    // Then the stored states those slots point to, when their tags match.
    const indexBits = this.indexBits;
    const indexMask = this.indexMask;
    const arena = this.arena;
    for (let k = 0; k < count; k++) {
      const hash = hashes[k];
      const segment = hash >>> shift;
      const entry = segments[segment][hash & masks[segment]];
      if (entry !== 0 && entry >>> indexBits === this.tagOf(hash)) {
        const index = (entry & indexMask) - 1;
        touched ^= arena[index >>> CHUNK_BITS][(index & CHUNK_MASK) * words];
      }
    }
    this.touched = touched;
    const candidate = this.candidate;
    for (let k = 0; k < count; k++) {
      for (let w = 0; w < words; w++) candidate[w] = batch[start + k * words + w];
      this.insertHashed(parent, hashes[k]);
    }
  }

  /** Stores the candidate when new; returns its index, or `-(index + 1)` of the stored copy. */
  private insertHashed(parent: number, hash: number): number {
    // Breadth-first search meets most duplicates soon after storing them (two interleavings of the
    // same steps end in the same state), so a small cache of recent states skips the table probe.
    const recentSlot = hash & this.recentMask;
    const recent = this.recent[recentSlot] - 1;
    if (recent >= 0 && this.matches(recent)) return -(recent + 1);
    const tag = this.tagOf(hash);
    const indexBits = this.indexBits;
    const indexMask = this.indexMask;
    const segment = hash >>> this.segmentShift;
    const table = this.segments[segment];
    const mask = this.segmentMasks[segment];
    let slot = hash & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === 0) break;
      if (entry >>> indexBits === tag) {
        const existing = (entry & indexMask) - 1;
        if (this.matches(existing)) {
          this.recent[recentSlot] = existing + 1;
          return -(existing + 1);
        }
      }
      slot = (slot + 1) & mask;
    }
    const index = this.count;
    if (index >= this.maxStates) throw new BudgetExceeded('states');
    if ((index & CHUNK_MASK) === 0 && index >>> CHUNK_BITS >= this.arena.length) this.growArena();
    const words = this.words;
    const chunk = this.arena[index >>> CHUNK_BITS];
    const offset = (index & CHUNK_MASK) * words;
    const candidate = this.candidate;
    for (let w = 0; w < words; w++) chunk[offset + w] = candidate[w];
    this.parents[index >>> CHUNK_BITS][index & CHUNK_MASK] = parent;
    table[slot] = (index + 1) | (tag << indexBits);
    this.recent[recentSlot] = index + 1;
    this.count = index + 1;
    // Keep each segment's load factor at most 3/4.
    if (++this.segmentCounts[segment] * 4 >= (mask + 1) * 3) this.growSegment(segment);
    return index;
  }

  /** Whether the candidate is already stored (without adding it). */
  contains(): boolean {
    const hash = this.hashAt(this.candidate, 0);
    const tag = this.tagOf(hash);
    const segment = hash >>> this.segmentShift;
    const table = this.segments[segment];
    const mask = this.segmentMasks[segment];
    let slot = hash & mask;
    for (;;) {
      const entry = table[slot];
      if (entry === 0) return false;
      if (entry >>> this.indexBits === tag && this.matches((entry & this.indexMask) - 1)) return true;
      slot = (slot + 1) & mask;
    }
  }

  private growArena(): void {
    const bytes = CHUNK_STATES * (this.words * 4 + 4);
    // The first chunk counts only against the store's own size, as in the inline store.
    const exceeds = this.arena.length === 0 ? this.bytes + bytes > this.maxBytes : exceedsMemoryBudget(this.bytes, bytes, this.maxBytes);
    if (exceeds) throw new BudgetExceeded('memory');
    this.arena.push(new Uint32Array(CHUNK_STATES * this.words));
    this.parents.push(new Int32Array(CHUNK_STATES));
    if (this.recent.length < MAX_RECENT && this.count >= this.recent.length * 16) {
      this.recent = new Int32Array(Math.min(MAX_RECENT, this.recent.length * 4));
      this.recentMask = this.recent.length - 1;
    }
    this.notePeak();
  }

  /** Doubles one segment of the table. The others, and the states, stay where they are. */
  private growSegment(segment: number): void {
    const started = performance.now();
    const old = this.segments[segment];
    const size = old.length * 2;
    // The old segment is still held while the new one is filled.
    if (exceedsMemoryBudget(this.bytes, size * 4, this.maxBytes)) throw new BudgetExceeded('memory');
    const table = new Int32Array(size);
    const mask = size - 1;
    const words = this.words;
    const indexMask = this.indexMask;
    const arena = this.arena;
    for (let from = 0; from < old.length; from++) {
      const entry = old[from];
      if (entry === 0) continue;
      const index = (entry & indexMask) - 1;
      let slot = this.hashAt(arena[index >>> CHUNK_BITS], (index & CHUNK_MASK) * words) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = entry;
    }
    this.segments[segment] = table;
    this.segmentMasks[segment] = mask;
    this.tableBytes += size * 2;
    this.notePeak();
    this.longestRehashMs = Math.max(this.longestRehashMs, performance.now() - started);
  }
}

/**
 * The store for states of `words` words: `InlineStateStore` when the state fits in two words, the
 * top bit of its last word is never used (`lastWordTopBitFree`) and the budgets allow at most
 * `INLINE_STORE_MAX_STATES` states, else `IndexedStateStore`.
 */
export function createStateStore(
  words: number,
  lastWordTopBitFree: boolean,
  hash: HashFunction,
  maxStates: number,
  maxBytes: number,
  kind: 'auto' | 'indexed' = 'auto',
): StateStore {
  // The budget in states is the smaller of the two budgets (a state takes at least 12 bytes).
  const statesAtBudget = Math.min(maxStates, maxBytes / 12);
  if (kind === 'auto' && words <= 2 && lastWordTopBitFree && statesAtBudget <= INLINE_STORE_MAX_STATES) return new InlineStateStore(words, maxStates, maxBytes);
  return new IndexedStateStore(words, hash, maxStates, maxBytes);
}
