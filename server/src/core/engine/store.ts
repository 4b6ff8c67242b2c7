// The state store: packed states in a growable Uint32Array arena, an open-addressing hash table of
// state indices, and per-state parent index for trace reconstruction. The arena order is the
// breadth-first queue. The transition that led to a state is not stored: the trace builder finds it
// again by re-running the parent's transitions (see trace.ts).
//
// Memory per stored state is `words * 4` (arena) + 4 (parent) + the table's share. The arena and
// the parent array grow by a quarter at a time, and the table (4 bytes a slot) doubles when it is
// three quarters full, so even right after a growth a two-word state costs at most
// 1.25 * 12 + 4 / 0.375 ≈ 26 bytes.

export class BudgetExceeded extends Error {
  constructor(readonly reason: 'states' | 'memory') {
    super(`state budget exceeded (${reason})`);
  }
}

/**
 * A table slot holds 0 (empty) or `(index + 1) | (tag << INDEX_BITS)`, where the tag is a few
 * hash bits that let most probes skip comparing against a state that cannot match.
 */
const INDEX_BITS = 27;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
const TAG_SHIFT = INDEX_BITS;
/** The most states a store can hold with the slot encoding above. */
export const MAX_STORED_STATES = INDEX_MASK - 1;

/** The recent-state cache grows with the table (an eighth of its slots) up to this many entries. */
const MAX_RECENT = 8192;
/** The most candidates `insertBatch` takes at once. */
export const MAX_BATCH = 256;

export type HashFunction = (words: Uint32Array, offset: number) => number;

/** What the search and the trace builder need from a store of packed states. */
export interface StateStore {
  readonly words: number;
  /** Parent index per state (-1 for the initial state). */
  readonly parents: Int32Array;
  /** A candidate state is packed here before `insert` or `contains`. */
  readonly candidate: Uint32Array;
  readonly count: number;
  readonly bytes: number;
  readonly peakBytesPerState: number;
  /** The array holding state `index` (valid until the next insertion) and its offset there. */
  stateArray(): Uint32Array;
  offsetOf(index: number): number;
  /** Copies the packed words of state `index` into `into`. */
  read(index: number, into: Uint32Array): void;
  /** Looks the candidate up and adds it when new; true when it was new. */
  insert(parent: number): boolean;
  /** Inserts `count` candidates packed one after another in `batch`, in order. */
  insertBatch(parent: number, batch: Uint32Array, count: number): void;
  /** Whether the candidate is already stored (without adding it). */
  contains(): boolean;
}

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

  offsetOf(index: number): number {
    return index * this.words;
  }

  read(index: number, into: Uint32Array): void {
    const offset = index * this.words;
    for (let w = 0; w < this.words; w++) into[w] = this.arena[offset + w];
  }

  insert(parent: number): boolean {
    return this.insertHashed(parent, this.hashAt(this.candidate, 0)) >= 0;
  }

  /**
   * Inserts `count` candidates packed one after another in `batch`, in order, as `insert` would.
   * The table slots and stored states they will be compared with are read first, all together, so
   * that their cache misses overlap instead of following one another.
   */
  insertBatch(parent: number, batch: Uint32Array, count: number): void {
    const words = this.words;
    const hashes = this.batchHashes;
    const table = this.table;
    const mask = this.mask;
    const recent = this.recent;
    const arena = this.arena;
    let touched = 0;
    for (let k = 0; k < count; k++) {
      const hash = this.hashAt(batch, k * words);
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
      for (let w = 0; w < words; w++) candidate[w] = batch[k * words + w];
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

/** Set in the last word of every occupied slot of an `InlineStateStore` table (0 marks an empty slot). */
const OCCUPIED = 0x80000000;

/**
 * A store for states of one or two words whose last word leaves its top bit free: the hash table
 * holds the packed states themselves, so finding a duplicate reads one slot instead of a slot and
 * then the state it points to. `slotOf` gives the slot of each state in breadth-first order (the
 * queue) and is renewed when the table grows.
 *
 * Memory per state: `words * 4` bytes a slot at a load factor between 3/8 and 3/4, plus 8 bytes
 * (slot and parent) that grow by a quarter at a time: for two words at most 8 / 0.375 + 1.25 * 8
 * ≈ 31.3 bytes.
 */
export class InlineStateStore implements StateStore {
  parents: Int32Array;
  private slotOf: Int32Array;
  readonly candidate: Uint32Array;
  private table: Uint32Array;
  /** Slots in the table minus one. */
  private mask: number;
  private readonly last: number;
  private readonly batchHashes = new Int32Array(MAX_BATCH);
  private readonly rehashHashes = new Int32Array(MAX_BATCH);
  /** Keeps the reads that fetch slots ahead of use from being optimised away. */
  touched = 0;
  private capacity: number;
  private readonly maxStates: number;
  count = 0;
  peakBytesPerState = 0;

  constructor(
    readonly words: number,
    private readonly hashAt: HashFunction,
    maxStates: number,
    private readonly maxBytes: number,
  ) {
    if (words < 1 || words > 2) throw new Error('InlineStateStore holds states of one or two words');
    this.maxStates = Math.min(maxStates, MAX_STORED_STATES);
    this.last = words - 1;
    this.capacity = 1024;
    this.parents = new Int32Array(this.capacity);
    this.slotOf = new Int32Array(this.capacity);
    this.candidate = new Uint32Array(words);
    this.table = new Uint32Array(2048 * words);
    this.mask = 2047;
  }

  get bytes(): number {
    return this.table.byteLength + this.slotOf.byteLength + this.parents.byteLength;
  }

  private notePeak(): void {
    if (this.count >= 4096) this.peakBytesPerState = Math.max(this.peakBytesPerState, this.bytes / this.count);
  }

  stateArray(): Uint32Array {
    return this.table;
  }

  offsetOf(index: number): number {
    return this.slotOf[index] * this.words;
  }

  read(index: number, into: Uint32Array): void {
    const offset = this.slotOf[index] * this.words;
    for (let w = 0; w < this.words; w++) into[w] = this.table[offset + w];
    into[this.last] &= ~OCCUPIED;
  }

  insert(parent: number): boolean {
    const candidate = this.candidate;
    candidate[this.last] |= OCCUPIED;
    return this.insertHashed(parent, candidate, 0, this.hashAt(candidate, 0));
  }

  insertBatch(parent: number, batch: Uint32Array, count: number): void {
    const words = this.words;
    const last = this.last;
    const hashes = this.batchHashes;
    const table = this.table;
    const mask = this.mask;
    let touched = 0;
    // Read every slot first so that their cache misses overlap.
    for (let k = 0; k < count; k++) {
      const at = k * words;
      batch[at + last] |= OCCUPIED;
      const hash = this.hashAt(batch, at);
      hashes[k] = hash;
      touched ^= table[(hash & mask) * words];
    }
    this.touched = touched;
    for (let k = 0; k < count; k++) this.insertHashed(parent, batch, k * words, hashes[k]);
  }

  /** The slot holding the state at `source[at]` (occupied bit set), or `-(empty slot + 1)`. */
  private find(source: Uint32Array, at: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    if (this.words === 2) {
      const first = source[at];
      const second = source[at + 1];
      for (;;) {
        const offset = slot << 1;
        const stored = table[offset + 1];
        if (stored === 0) return -(slot + 1);
        if (stored === second && table[offset] === first) return slot;
        slot = (slot + 1) & mask;
      }
    }
    const only = source[at];
    for (;;) {
      const stored = table[slot];
      if (stored === 0) return -(slot + 1);
      if (stored === only) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private insertHashed(parent: number, source: Uint32Array, at: number, hash: number): boolean {
    const found = this.find(source, at, hash);
    if (found >= 0) return false;
    const slot = -found - 1;
    const index = this.count;
    if (index >= this.maxStates) throw new BudgetExceeded('states');
    if (index >= this.capacity) this.grow();
    const words = this.words;
    const offset = slot * words;
    for (let w = 0; w < words; w++) this.table[offset + w] = source[at + w];
    this.slotOf[index] = slot;
    this.parents[index] = parent;
    this.count = index + 1;
    // Keep the load factor at most 3/4.
    if (this.count * 4 >= (this.mask + 1) * 3) this.rehash();
    return true;
  }

  contains(): boolean {
    const candidate = this.candidate;
    candidate[this.last] |= OCCUPIED;
    return this.find(candidate, 0, this.hashAt(candidate, 0)) >= 0;
  }

  private grow(): void {
    const next = Math.ceil((this.capacity * 1.25) / 1024) * 1024;
    if (this.bytes + next * 8 > this.maxBytes) throw new BudgetExceeded('memory');
    const parents = new Int32Array(next);
    parents.set(this.parents);
    this.parents = parents;
    const slotOf = new Int32Array(next);
    slotOf.set(this.slotOf);
    this.slotOf = slotOf;
    this.capacity = next;
    this.notePeak();
  }

  private rehash(): void {
    const slots = (this.mask + 1) * 2;
    const words = this.words;
    if (this.bytes + slots * words * 4 > this.maxBytes) throw new BudgetExceeded('memory');
    const old = this.table;
    const table = new Uint32Array(slots * words);
    const mask = slots - 1;
    const slotOf = this.slotOf;
    const hashes = this.rehashHashes;
    let touched = 0;
    // States move in breadth-first order so that `slotOf` is read and written sequentially; each
    // chunk reads its old and new slots first so that the cache misses overlap.
    for (let first = 0; first < this.count; first += MAX_BATCH) {
      const end = Math.min(this.count, first + MAX_BATCH);
      for (let index = first; index < end; index++) {
        const hash = this.hashAt(old, slotOf[index] * words);
        hashes[index - first] = hash;
        touched ^= table[(hash & mask) * words];
      }
      for (let index = first; index < end; index++) {
        const from = slotOf[index] * words;
        let slot = hashes[index - first] & mask;
        while (table[slot * words + words - 1] !== 0) slot = (slot + 1) & mask;
        const to = slot * words;
        for (let w = 0; w < words; w++) table[to + w] = old[from + w];
        slotOf[index] = slot;
      }
    }
    this.touched = touched;
    this.table = table;
    this.mask = mask;
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
  if (kind === 'auto' && words <= 2 && lastWordTopBitFree) return new InlineStateStore(words, hash, maxStates, maxBytes);
  return new IndexedStateStore(words, hash, maxStates, maxBytes);
}
