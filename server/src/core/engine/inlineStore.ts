// The inline state store: for states of one or two words, the hash table holds the states
// themselves (see `InlineStateStore`).

import { BudgetExceeded, MAX_STORED_STATES, type StateStore } from './storeTypes';

/** Set in the last word of every occupied slot of an `InlineStateStore` table (0 marks an empty slot). */
const OCCUPIED = 0x80000000 | 0;

/** The inline store's cache of recently seen states grows with the table (a sixty-fourth of its slots) up to this many entries. */
const MAX_INLINE_RECENT = 1 << 14;

/** The hash of a state of one or two words (`second` is the last word, `first` 0 for one word). */
function hashPair(first: number, second: number): number {
  let h = Math.imul(first ^ 0x9e3779b9, 0x85ebca6b) ^ second;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

/**
 * A store for states of one or two words whose last word leaves its top bit free: the hash table
 * holds the packed states themselves, so finding a duplicate reads one slot instead of a slot and
 * then the state it points to. `slotOf` gives the slot of each state in breadth-first order (the
 * queue) and is renewed when the table grows.
 *
 * Breadth-first search meets most duplicates soon after it first sees them (two interleavings of
 * the same steps from one state end in the same state), so a small direct-mapped cache of recently
 * seen states, which stays in the processor cache, answers many lookups without touching the table.
 *
 * Memory per state: `words * 4` bytes a slot at a load factor between 3/8 and 3/4, plus 8 bytes
 * (slot and parent) that grow by a quarter at a time: for two words at most 8 / 0.375 + 1.25 * 8
 * ≈ 31.3 bytes, plus the recent-state cache (an eighth of a byte per slot, at most 128 KiB): below 32 bytes.
 */
export class InlineStateStore implements StateStore {
  parents: Int32Array;
  private slotOf: Int32Array;
  readonly candidate: Uint32Array;
  /** The slots, as Int32 so that every word the search compares is a small integer to the compiler. */
  private table: Int32Array;
  /** The same memory as `table`, for unpacking. */
  private tableWords: Uint32Array;
  /** Slots in the table minus one. */
  private mask: number;
  private readonly pair: boolean;
  /** Recently stored or found states, two words an entry (the first 0 for one-word states). */
  private recent = new Int32Array(512);
  private recentMask = 255;
  private batchHashes = new Int32Array(256);
  /** Per candidate of a group: 1 when the recent-state cache already knows it. */
  private batchKnown = new Uint8Array(256);
  /** Keeps the reads that fetch slots ahead of use from being optimised away. */
  touched = 0;
  private capacity: number;
  private readonly maxStates: number;
  count = 0;
  peakBytesPerState = 0;

  constructor(
    readonly words: number,
    maxStates: number,
    private readonly maxBytes: number,
  ) {
    if (words < 1 || words > 2) throw new Error('InlineStateStore holds states of one or two words');
    this.pair = words === 2;
    this.maxStates = Math.min(maxStates, MAX_STORED_STATES);
    this.capacity = 1024;
    this.parents = new Int32Array(this.capacity);
    this.slotOf = new Int32Array(this.capacity);
    this.candidate = new Uint32Array(words);
    this.table = new Int32Array(2048 * words);
    this.tableWords = new Uint32Array(this.table.buffer);
    this.mask = 2047;
  }

  get bytes(): number {
    return this.table.byteLength + this.slotOf.byteLength + this.parents.byteLength + this.recent.byteLength;
  }

  private notePeak(): void {
    if (this.count >= 4096) this.peakBytesPerState = Math.max(this.peakBytesPerState, this.bytes / this.count);
  }

  stateArray(): Uint32Array {
    return this.tableWords;
  }

  offsetOf(index: number): number {
    return this.slotOf[index] * this.words;
  }

  read(index: number, into: Uint32Array): void {
    const offset = this.slotOf[index] * this.words;
    for (let w = 0; w < this.words; w++) into[w] = this.table[offset + w];
    into[this.words - 1] &= ~OCCUPIED;
  }

  insert(parent: number): boolean {
    const candidate = this.candidate;
    const first = this.pair ? candidate[0] | 0 : 0;
    const second = candidate[this.words - 1] | OCCUPIED;
    return this.insertHashed(parent, first, second, hashPair(first, second));
  }

  insertGroup(firstParent: number, batch: Uint32Array, counts: Int32Array, members: number): void {
    let total = 0;
    for (let g = 0; g < members; g++) total += counts[g];
    if (total > this.batchHashes.length) {
      this.batchHashes = new Int32Array(total);
      this.batchKnown = new Uint8Array(total);
    }
    const hashes = this.batchHashes;
    const table = this.table;
    const mask = this.mask;
    const recent = this.recent;
    const recentMask = this.recentMask;
    const pair = this.pair;
    const words = this.words;
    const slotOf = this.slotOf;
    let touched = 0;
    // The states expanded next are the group's members' successors in the breadth-first queue;
    // reading them now, with the slots below, lets their cache misses overlap with those.
    const aheadEnd = Math.min(this.count, firstParent + 2 * members);
    for (let ahead = firstParent + members; ahead < aheadEnd; ahead++) touched ^= table[slotOf[ahead] * words];
    // A state found in the recent-state cache is a duplicate that needs no slot. The slots of the
    // others are read in a loop of their own, short enough per state that many of their cache
    // misses are under way at once.
    const known = this.batchKnown;
    for (let k = 0; k < total; k++) {
      const first = pair ? batch[k * 2] | 0 : 0;
      const second = batch[k * words + words - 1] | OCCUPIED;
      const hash = hashPair(first, second);
      hashes[k] = hash;
      const cached = (hash & recentMask) * 2;
      known[k] = recent[cached + 1] === second && recent[cached] === first ? 1 : 0;
    }
    for (let k = 0; k < total; k++) if (known[k] === 0) touched ^= table[(hashes[k] & mask) * words];
    this.touched = touched;
    let k = 0;
    for (let g = 0; g < members; g++) {
      const parent = firstParent + g;
      for (const end = k + counts[g]; k < end; k++) {
        if (known[k] !== 0) continue;
        const first = pair ? batch[k * 2] | 0 : 0;
        const second = batch[k * words + words - 1] | OCCUPIED;
        this.insertHashed(parent, first, second, hashes[k]);
      }
    }
  }

  /** The slot holding the state (`second` with its occupied bit set), or `-(empty slot + 1)`. */
  private find(first: number, second: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    if (this.pair) {
      for (;;) {
        const offset = slot << 1;
        const stored = table[offset + 1];
        if (stored === 0) return -(slot + 1);
        if (stored === second && table[offset] === first) return slot;
        slot = (slot + 1) & mask;
      }
    }
    for (;;) {
      const stored = table[slot];
      if (stored === 0) return -(slot + 1);
      if (stored === second) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private insertHashed(parent: number, first: number, second: number, hash: number): boolean {
    const found = this.find(first, second, hash);
    const cached = (hash & this.recentMask) * 2;
    if (found >= 0) {
      this.recent[cached] = first;
      this.recent[cached + 1] = second;
      return false;
    }
    const slot = -found - 1;
    const index = this.count;
    if (index >= this.maxStates) throw new BudgetExceeded('states');
    if (index >= this.capacity) this.grow();
    this.recent[cached] = first;
    this.recent[cached + 1] = second;
    if (this.pair) {
      this.table[slot * 2] = first;
      this.table[slot * 2 + 1] = second;
    } else {
      this.table[slot] = second;
    }
    this.slotOf[index] = slot;
    this.parents[index] = parent;
    this.count = index + 1;
    // Keep the load factor at most 3/4.
    if (this.count * 4 >= (this.mask + 1) * 3) this.rehash();
    return true;
  }

  contains(): boolean {
    const candidate = this.candidate;
    const first = this.pair ? candidate[0] | 0 : 0;
    const second = candidate[this.words - 1] | OCCUPIED;
    return this.find(first, second, hashPair(first, second)) >= 0;
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

  /**
   * Doubles the table. The old table is read in slot order, which puts its states into the new
   * table in nearly ascending slot order too (a state's new home slot is its old one or that plus
   * the old size), so both are read and written almost sequentially. Where each old slot went is
   * noted, and `slotOf` is then renewed through those notes in one pass whose reads are independent
   * of one another.
   */
  private rehash(): void {
    const oldSlots = this.mask + 1;
    const slots = oldSlots * 2;
    const words = this.words;
    if (this.bytes + slots * words * 4 + oldSlots * 4 > this.maxBytes) throw new BudgetExceeded('memory');
    const old = this.table;
    const table = new Int32Array(slots * words);
    const movedTo = new Int32Array(oldSlots);
    const mask = slots - 1;
    if (this.pair) {
      for (let from = 0; from < oldSlots; from++) {
        const second = old[from * 2 + 1];
        if (second === 0) continue;
        const first = old[from * 2];
        let slot = hashPair(first, second) & mask;
        while (table[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
        table[slot * 2] = first;
        table[slot * 2 + 1] = second;
        movedTo[from] = slot;
      }
    } else {
      for (let from = 0; from < oldSlots; from++) {
        const only = old[from];
        if (only === 0) continue;
        let slot = hashPair(0, only) & mask;
        while (table[slot] !== 0) slot = (slot + 1) & mask;
        table[slot] = only;
        movedTo[from] = slot;
      }
    }
    const slotOf = this.slotOf;
    for (let index = 0; index < this.count; index++) slotOf[index] = movedTo[slotOf[index]];
    this.table = table;
    this.tableWords = new Uint32Array(table.buffer);
    this.mask = mask;
    if (this.recentMask + 1 < MAX_INLINE_RECENT) {
      const entries = Math.min(MAX_INLINE_RECENT, slots / 64);
      this.recent = new Int32Array(entries * 2);
      this.recentMask = entries - 1;
    }
    this.notePeak();
  }
}
