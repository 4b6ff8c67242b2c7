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

const RECENT_MASK = 262143;

export type HashFunction = (words: Uint32Array, offset: number) => number;

export class StateStore {
  arena: Uint32Array;
  parents: Int32Array;
  /** A candidate state is packed here before `insert` or `contains`. */
  readonly candidate: Uint32Array;
  private table: Int32Array;
  private mask: number;
  /** Recently stored or found states by hash (`index + 1`, 0 for none). */
  private readonly recent = new Int32Array(RECENT_MASK + 1);
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

  /**
   * Looks the candidate up; adds it when new. Returns the index of the new state, or
   * `-(index + 1)` of the existing one.
   */
  insert(parent: number): number {
    const hash = this.hashAt(this.candidate, 0);
    // Breadth-first search meets most duplicates soon after storing them (two interleavings of the
    // same steps end in the same state), so a small cache of recent states skips the table probe.
    const recentSlot = hash & RECENT_MASK;
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
  }

  private rehash(): void {
    const size = this.table.length * 2;
    if (this.bytes + size * 4 > this.maxBytes) throw new BudgetExceeded('memory');
    const table = new Int32Array(size);
    const mask = size - 1;
    const words = this.words;
    const arena = this.arena;
    // States in index order read the arena sequentially.
    for (let index = 0; index < this.count; index++) {
      const hash = this.hashAt(arena, index * words);
      let slot = hash & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = (index + 1) | ((hash >>> 27) << TAG_SHIFT);
    }
    this.table = table;
    this.mask = mask;
  }
}
