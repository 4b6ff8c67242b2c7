// The state store: packed states in a growable Uint32Array arena, an open-addressing hash table of
// state indices, and per-state parent index and move for trace reconstruction. The arena order is
// the breadth-first queue.

export class BudgetExceeded extends Error {
  constructor(readonly reason: 'states' | 'memory') {
    super(`state budget exceeded (${reason})`);
  }
}

const EMPTY = -1;

export class StateStore {
  arena: Uint32Array;
  parents: Int32Array;
  moves: Int32Array;
  private table: Int32Array;
  private mask: number;
  count = 0;

  constructor(
    readonly words: number,
    private readonly hashAt: (arena: Uint32Array, offset: number) => number,
    private readonly maxStates: number,
    private readonly maxBytes: number,
  ) {
    const capacity = 1024;
    this.arena = new Uint32Array((capacity + 1) * words);
    this.parents = new Int32Array(capacity);
    this.moves = new Int32Array(capacity);
    this.table = new Int32Array(2048).fill(EMPTY);
    this.mask = 2047;
  }

  /** Bytes held by the store now. */
  get bytes(): number {
    return this.arena.byteLength + this.parents.byteLength + this.moves.byteLength + this.table.byteLength;
  }

  /** The arena offset of the scratch slot where a candidate state is packed before `insert`. */
  get scratchOffset(): number {
    return this.count * this.words;
  }

  /**
   * Looks the candidate in the scratch slot up; adds it when new. Returns the index of the new state,
   * or `-(index + 1)` of the existing one.
   */
  insert(parent: number, move: number): number {
    const words = this.words;
    const arena = this.arena;
    const offset = this.count * words;
    const hash = this.hashAt(arena, offset);
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    for (;;) {
      const existing = table[slot];
      if (existing === EMPTY) break;
      const other = existing * words;
      let same = true;
      for (let w = 0; w < words; w++) {
        if (arena[other + w] !== arena[offset + w]) {
          same = false;
          break;
        }
      }
      if (same) return -(existing + 1);
      slot = (slot + 1) & mask;
    }
    const index = this.count;
    if (index >= this.maxStates) throw new BudgetExceeded('states');
    table[slot] = index;
    this.parents[index] = parent;
    this.moves[index] = move;
    this.count = index + 1;
    this.ensureCapacity();
    return index;
  }

  /** Whether the candidate in the scratch slot is already stored (without adding it). */
  contains(): boolean {
    const words = this.words;
    const arena = this.arena;
    const offset = this.count * words;
    let slot = this.hashAt(arena, offset) & this.mask;
    for (;;) {
      const existing = this.table[slot];
      if (existing === EMPTY) return false;
      const other = existing * words;
      let same = true;
      for (let w = 0; w < words; w++) {
        if (arena[other + w] !== arena[offset + w]) {
          same = false;
          break;
        }
      }
      if (same) return true;
      slot = (slot + 1) & this.mask;
    }
  }

  private ensureCapacity(): void {
    const capacity = this.parents.length;
    if (this.count >= capacity) {
      const next = capacity * 2;
      const extra = (next - capacity) * (this.words * 4 + 8);
      if (this.bytes + extra > this.maxBytes) throw new BudgetExceeded('memory');
      const arena = new Uint32Array((next + 1) * this.words);
      arena.set(this.arena);
      this.arena = arena;
      const parents = new Int32Array(next);
      parents.set(this.parents);
      this.parents = parents;
      const moves = new Int32Array(next);
      moves.set(this.moves);
      this.moves = moves;
    }
    // Keep the load factor at most 3/4.
    if (this.count * 4 >= this.table.length * 3) this.rehash();
  }

  private rehash(): void {
    const size = this.table.length * 2;
    if (this.bytes + size * 4 > this.maxBytes) throw new BudgetExceeded('memory');
    const table = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    const words = this.words;
    for (let index = 0; index < this.count; index++) {
      let slot = this.hashAt(this.arena, index * words) & mask;
      while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
      table[slot] = index;
    }
    this.table = table;
    this.mask = mask;
  }
}
