// The inline state store: for states of one or two words, the hash table holds the states
// themselves (see `InlineStateStore`).

import { BudgetExceeded, MAX_STORED_STATES, type StateStore } from './storeTypes';
import { CHUNK_LENGTH, ChunkedInt32Array } from './chunkedArray';
import { FrontierQueue } from './frontierQueue';
import { exceedsMemoryBudget } from './budgets';

/**
 * The inline store checks the process's resident memory once every this many chunks it adds (not
 * before the first: a search always stores its first states, so that a budget below what the
 * process already holds still ends with the states it covered).
 */
const CHUNKS_PER_RESIDENT_CHECK = 64;

/** Set in the last word of every occupied slot of an `InlineStateStore` table (0 marks an empty slot). */
const OCCUPIED = 0x80000000 | 0;

/** The inline store's cache of recently seen states grows with the table (a sixty-fourth of its slots) up to this many entries. */
const MAX_INLINE_RECENT = 1 << 14;

/** In `rehash`, marks an old slot whose new slot is too far from it to note in one byte. */
const FAR_MOVE = -128;

/** The candidates of a group that the recent-state cache does not know, as `insertGroup` lists them. */
class GroupLookups {
  /** Each one's place in the group's batch. */
  readonly candidates: Int32Array;
  /** The state each one is a successor of. */
  readonly parents: Int32Array;
  readonly hashes: Int32Array;
  /** The offset in the table of each one's home slot, with room for three more (zero) at the end. */
  readonly offsets: Int32Array;

  constructor(readonly capacity: number) {
    this.candidates = new Int32Array(capacity);
    this.parents = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.offsets = new Int32Array(capacity + 3);
  }
}

/** The hash of a state of one or two words (`second` is the last word, `first` 0 for one word). */
export function hashPair(first: number, second: number): number {
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
 * Breadth-first search meets most duplicates soon after it first stores them (two interleavings of
 * the same steps from one state end in the same state), so a small direct-mapped cache of recently
 * stored states, which stays in the processor cache, answers many lookups without touching the table.
 *
 * States live in table slots in no useful order, so the states not yet expanded are also copied in
 * breadth-first order into a `FrontierQueue`, from which the search reads them in sequence.
 *
 * Memory per state: `words * 4` bytes a slot at a load factor between 3/8 and 3/4, plus 8 bytes
 * (slot and parent) held in chunks that grow without copying: for two words at most 8 / 0.375 + 8
 * ≈ 29.3 bytes, plus the frontier copy (at most 1.5 bytes per state), a partly used chunk and the
 * recent-state cache (an eighth of a byte per slot, at most 128 KiB): below 32 bytes.
 */
export class InlineStateStore implements StateStore {
  private readonly parents = new ChunkedInt32Array();
  private readonly slotOf = new ChunkedInt32Array();
  private readonly frontier: FrontierQueue;
  readonly candidate: Uint32Array;
  /** The slots, as Int32 so that every word the search compares is a small integer to the compiler. */
  private table: Int32Array;
  /** Slots in the table minus one. */
  private mask: number;
  private readonly pair: boolean;
  /** Recently stored states, two words an entry (the first 0 for one-word states). */
  private recent = new Int32Array(512);
  private recentMask = 255;
  private lookups = new GroupLookups(256);
  /** Keeps the reads that fetch slots ahead of use from being optimised away. */
  touched = 0;
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
    this.candidate = new Uint32Array(words);
    this.table = new Int32Array(2048 * words);
    this.mask = 2047;
    this.frontier = new FrontierQueue(words);
  }

  get bytes(): number {
    return this.table.byteLength + this.slotOf.byteLength + this.parents.byteLength + this.recent.byteLength + this.frontier.byteLength;
  }

  parentOf(index: number): number {
    return this.parents.get(index);
  }

  private notePeak(): void {
    if (this.count >= 4096) this.peakBytesPerState = Math.max(this.peakBytesPerState, this.bytes / this.count);
  }

  readForExpansion(index: number, into: Uint32Array): void {
    // The search expands every state in turn, so chunks need releasing only when a new one starts.
    if (FrontierQueue.startsChunk(index)) this.frontier.releaseBefore(index);
    this.read(index, into);
  }

  read(index: number, into: Uint32Array): void {
    const words = this.words;
    const copy = this.frontier.chunkOf(index);
    if (copy !== null) {
      const offset = FrontierQueue.offsetIn(index, words);
      for (let w = 0; w < words; w++) into[w] = copy[offset + w];
      return;
    }
    const offset = this.slotOf.get(index) * words;
    for (let w = 0; w < words; w++) into[w] = this.table[offset + w];
    into[words - 1] &= ~OCCUPIED;
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
    if (total > this.lookups.capacity) this.lookups = new GroupLookups(total);
    const { candidates, parents, hashes, offsets } = this.lookups;
    const table = this.table;
    const mask = this.mask;
    const recent = this.recent;
    const recentMask = this.recentMask;
    const pair = this.pair;
    const words = this.words;
    // A state found in the recent-state cache is a duplicate that needs no slot. The others are
    // listed, without a branch, as they are hashed; their home slots are then read in a loop of
    // their own. The fewer instructions that loop takes per read, the more of the reads' cache
    // misses are under way at once, as a read that has not arrived holds back every instruction
    // after it.
    let listed = 0;
    let k = 0;
    for (let g = 0; g < members; g++) {
      const parent = firstParent + g;
      for (const end = k + counts[g]; k < end; k++) {
        const first = pair ? batch[k * 2] | 0 : 0;
        const second = batch[k * words + words - 1] | OCCUPIED;
        const hash = hashPair(first, second);
        const cached = (hash & recentMask) * 2;
        candidates[listed] = k;
        parents[listed] = parent;
        hashes[listed] = hash;
        offsets[listed] = (hash & mask) * words;
        listed += recent[cached + 1] === second && recent[cached] === first ? 0 : 1;
      }
    }
    // Four reads a turn: V8 checks each array once a turn rather than once a read.
    for (let j = listed; (j & 3) !== 0; j++) offsets[j] = 0;
    let touched = 0;
    for (let j = 0; j < listed; j += 4) touched ^= table[offsets[j]] ^ table[offsets[j + 1]] ^ table[offsets[j + 2]] ^ table[offsets[j + 3]];
    this.touched = touched;
    // The probe is written out here rather than called, as this loop runs for every listed
    // candidate and only about one in three is new; the table and mask change only when a new state grows it.
    let slots = this.table;
    let slotMask = mask;
    for (let j = 0; j < listed; j++) {
      const candidate = candidates[j];
      const first = pair ? batch[candidate * 2] | 0 : 0;
      const second = batch[candidate * words + words - 1] | OCCUPIED;
      const found = pair ? findPair(slots, slotMask, first, second, hashes[j]) : findSingle(slots, slotMask, second, hashes[j]);
      if (found >= 0) continue;
      this.store(parents[j], first, second, hashes[j], -found - 1);
      slots = this.table;
      slotMask = this.mask;
    }
  }

  /** The slot holding the state (`second` with its occupied bit set), or `-(empty slot + 1)`. */
  private find(first: number, second: number, hash: number): number {
    return this.pair ? findPair(this.table, this.mask, first, second, hash) : findSingle(this.table, this.mask, second, hash);
  }

  private insertHashed(parent: number, first: number, second: number, hash: number): boolean {
    const found = this.find(first, second, hash);
    if (found >= 0) return false;
    this.store(parent, first, second, hash, -found - 1);
    return true;
  }

  /** Stores a new state in the empty `slot` its probe ended at. */
  private store(parent: number, first: number, second: number, hash: number, slot: number): void {
    const index = this.count;
    if (index >= this.maxStates) throw new BudgetExceeded('states');
    if (index >= this.slotOf.capacity) this.grow();
    // Only new states enter the recent-state cache: a duplicate found in the table would mostly
    // push out a state stored shortly before, which is more likely to be met again (on the largest
    // benchmark model this answers 17.8 instead of 16.3 million of the 42.5 million lookups).
    const cached = (hash & this.recentMask) * 2;
    this.recent[cached] = first;
    this.recent[cached + 1] = second;
    if (this.pair) {
      this.table[slot * 2] = first;
      this.table[slot * 2 + 1] = second;
    } else {
      this.table[slot] = second;
    }
    if (FrontierQueue.startsChunk(index)) this.frontier.openChunk(index, index, this.bytes, this.maxBytes);
    const copy = this.frontier.tail;
    if (copy !== null) {
      const offset = FrontierQueue.offsetIn(index, this.words);
      if (this.pair) copy[offset] = first;
      copy[offset + this.words - 1] = second & ~OCCUPIED;
    }
    this.slotOf.set(index, slot);
    this.parents.set(index, parent);
    this.count = index + 1;
    // Keep the load factor at most 3/4.
    if (this.count * 4 >= (this.mask + 1) * 3) this.rehash();
  }

  contains(): boolean {
    const candidate = this.candidate;
    const first = this.pair ? candidate[0] | 0 : 0;
    const second = candidate[this.words - 1] | OCCUPIED;
    return this.find(first, second, hashPair(first, second)) >= 0;
  }

  private grow(): void {
    const chunkBytes = CHUNK_LENGTH * 8;
    const chunks = this.slotOf.capacity / CHUNK_LENGTH;
    if (chunks > 0 && chunks % CHUNKS_PER_RESIDENT_CHECK === 0 && exceedsMemoryBudget(this.bytes, chunkBytes, this.maxBytes)) throw new BudgetExceeded('memory');
    this.slotOf.grow(this.bytes, this.maxBytes);
    this.parents.grow(this.bytes, this.maxBytes);
    this.notePeak();
  }

  /**
   * Doubles the table. The old table is read in slot order, which puts its states into the new
   * table in nearly ascending slot order too (a state's new home slot is its old one or that plus
   * the old size), so both are read and written almost sequentially. How far each old slot's state
   * moved is noted in a byte (`movedBy`, small enough to stay in the processor cache), and `slotOf`
   * is then renewed through those notes in one pass whose reads are independent of one another.
   */
  private rehash(): void {
    const oldSlots = this.mask + 1;
    const slots = oldSlots * 2;
    const words = this.words;
    if (exceedsMemoryBudget(this.bytes, slots * words * 4 + oldSlots, this.maxBytes)) throw new BudgetExceeded('memory');
    const old = this.table;
    const table = new Int32Array(slots * words);
    touchForWriting(table);
    const movedBy = new Int8Array(oldSlots);
    const farMoves = this.pair ? movePairs(old, table, movedBy) : moveSingles(old, table, movedBy);
    const mask = slots - 1;
    const chunks = this.slotOf.chunkList();
    for (let start = 0; start < this.count; start += CHUNK_LENGTH) renewSlots(chunks[start / CHUNK_LENGTH], Math.min(CHUNK_LENGTH, this.count - start), movedBy, oldSlots);
    if (farMoves > 0) {
      for (let start = 0; start < this.count; start += CHUNK_LENGTH) {
        const chunk = chunks[start / CHUNK_LENGTH];
        const end = Math.min(CHUNK_LENGTH, this.count - start);
        for (let k = 0; k < end; k++) if (chunk[k] < 0) chunk[k] = this.farSlot(old, table, ~chunk[k], mask);
      }
    }
    this.table = table;
    this.mask = mask;
    if (this.recentMask + 1 < MAX_INLINE_RECENT) {
      const entries = Math.min(MAX_INLINE_RECENT, slots / 64);
      this.recent = new Int32Array(entries * 2);
      this.recentMask = entries - 1;
    }
    this.notePeak();
  }

  /** The slot of `table` (with `mask`) that holds the state in slot `from` of `old`. */
  private farSlot(old: Int32Array, table: Int32Array, from: number, mask: number): number {
    const words = this.words;
    const second = old[from * words + words - 1];
    const first = this.pair ? old[from * 2] : 0;
    let slot = hashPair(first, second) & mask;
    while (table[slot * words + words - 1] !== second || (this.pair && table[slot * 2] !== first)) slot = (slot + 1) & mask;
    return slot;
  }
}

/** In a table of two-word slots, the slot holding `[first, second]`, or `-(empty slot + 1)`. */
function findPair(table: Int32Array, mask: number, first: number, second: number, hash: number): number {
  let slot = hash & mask;
  for (;;) {
    const offset = slot << 1;
    const stored = table[offset + 1];
    if (stored === 0) return -(slot + 1);
    if (stored === second && table[offset] === first) return slot;
    slot = (slot + 1) & mask;
  }
}

/** `findPair` for a table of one-word slots. */
function findSingle(table: Int32Array, mask: number, second: number, hash: number): number {
  let slot = hash & mask;
  for (;;) {
    const stored = table[slot];
    if (stored === 0) return -(slot + 1);
    if (stored === second) return slot;
    slot = (slot + 1) & mask;
  }
}

/** Bytes in a page of memory, as far as the first write to one matters (see `touchForWriting`). */
const PAGE_BYTES = 4096;

/**
 * Writes to every page of a new, untouched array, so that the kernel gives it its own memory at
 * once: a page first read (as a probe of an empty slot does) would map the shared zero page and
 * fault a second time on the write that follows.
 */
function touchForWriting(array: Int32Array): void {
  const step = PAGE_BYTES / 4;
  for (let i = 0; i < array.length; i += step) array[i] = 0;
}

/**
 * Moves the two-word states of `old` into the empty `table` of twice its slots, in slot order,
 * and notes in `movedBy` (one byte per old slot) how far each moved (see `moveCode`). Returns how
 * many moved too far to note.
 */
function movePairs(old: Int32Array, table: Int32Array, movedBy: Int8Array): number {
  const oldSlots = old.length >>> 1;
  const mask = oldSlots * 2 - 1;
  const oldBits = 31 - Math.clz32(oldSlots);
  let farMoves = 0;
  for (let from = 0; from < oldSlots; from++) {
    const second = old[from * 2 + 1];
    if (second === 0) continue;
    const first = old[from * 2];
    let slot = hashPair(first, second) & mask;
    while (table[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
    table[slot * 2] = first;
    table[slot * 2 + 1] = second;
    const code = moveCode(from, slot, oldSlots, oldBits);
    movedBy[from] = code;
    if (code === FAR_MOVE) farMoves++;
  }
  return farMoves;
}

/** `movePairs` for one-word states. */
function moveSingles(old: Int32Array, table: Int32Array, movedBy: Int8Array): number {
  const oldSlots = old.length;
  const mask = oldSlots * 2 - 1;
  const oldBits = 31 - Math.clz32(oldSlots);
  let farMoves = 0;
  for (let from = 0; from < oldSlots; from++) {
    const second = old[from];
    if (second === 0) continue;
    let slot = hashPair(0, second) & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = second;
    const code = moveCode(from, slot, oldSlots, oldBits);
    movedBy[from] = code;
    if (code === FAR_MOVE) farMoves++;
  }
  return farMoves;
}

/**
 * Renews the first `end` old slots in `chunk` of `slotOf` through `movedBy` (see `moveCode`), four
 * at a time so that the four reads of `movedBy`, which miss the cache, are under way together. A
 * state that moved too far to note is left as `~from`, for `rehash` to find.
 */
function renewSlots(chunk: Int32Array, end: number, movedBy: Int8Array, oldSlots: number): void {
  let k = 0;
  for (; k + 4 <= end; k += 4) {
    const from0 = chunk[k];
    const from1 = chunk[k + 1];
    const from2 = chunk[k + 2];
    const from3 = chunk[k + 3];
    const code0 = movedBy[from0];
    const code1 = movedBy[from1];
    const code2 = movedBy[from2];
    const code3 = movedBy[from3];
    chunk[k] = renewedSlot(from0, code0, oldSlots);
    chunk[k + 1] = renewedSlot(from1, code1, oldSlots);
    chunk[k + 2] = renewedSlot(from2, code2, oldSlots);
    chunk[k + 3] = renewedSlot(from3, code3, oldSlots);
  }
  for (; k < end; k++) chunk[k] = renewedSlot(chunk[k], movedBy[chunk[k]], oldSlots);
}

/** The new slot of the state in old slot `from`, which moved as `code` says (see `moveCode`), or `~from` for a far move. */
function renewedSlot(from: number, code: number, oldSlots: number): number {
  return code === FAR_MOVE ? ~from : ((from + (code >> 1)) & (oldSlots - 1)) + (code & 1) * oldSlots;
}

/**
 * How a state moved from slot `from` of a table of `oldSlots` (`2 ** oldBits`) slots to slot `to`
 * of the doubled table, in one byte: the distance (at most 63 either way, modulo the old size)
 * times two, plus one when it moved to the upper half; `FAR_MOVE` when it moved further. Which
 * half is a bit of `to`, not a comparison, as it follows the hash and would mispredict half the time.
 */
function moveCode(from: number, to: number, oldSlots: number, oldBits: number): number {
  const upper = to >>> oldBits;
  const half = oldSlots >>> 1;
  const distance = (((to & (oldSlots - 1)) - from + half) & (oldSlots - 1)) - half;
  return distance >= -63 && distance <= 63 ? distance * 2 + upper : FAR_MOVE;
}
