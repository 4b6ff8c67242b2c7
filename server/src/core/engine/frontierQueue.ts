// A copy of the states not yet expanded, in breadth-first order, for a store whose states live in
// scattered table slots (see `InlineStateStore`): the search reads the states it expands one after
// another from here instead of from the table. The copy is an optimisation only: it holds at most
// `MAX_BYTES_PER_STATE` bytes per stored state, and a state it could not hold is read from the table.

const CHUNK_BITS = 8;
const CHUNK_STATES = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_STATES - 1;
/** The copy holds at most this many bytes per state in the store (3/16 of a two-word state). */
const MAX_BYTES_PER_STATE = 1.5;

export class FrontierQueue {
  /** Per chunk of `CHUNK_STATES` states, their words, or null when not held (released or never held). */
  private readonly chunks: (Int32Array | null)[] = [];
  /** The chunk states are being appended to, or null when the copy could not hold it. */
  tail: Int32Array | null = null;
  /** Chunks before this one have been released. */
  private firstHeld = 0;
  /** Chunks allocated, in use or spare. */
  private held = 0;
  /** Released chunks, reused before new ones are allocated. */
  private readonly spare: Int32Array[] = [];

  constructor(private readonly words: number) {}

  get byteLength(): number {
    return this.held * CHUNK_STATES * this.words * 4;
  }

  /** Whether `index` starts a chunk, when `openChunk` must be called before appending it. */
  static startsChunk(index: number): boolean {
    return (index & CHUNK_MASK) === 0;
  }

  static offsetIn(index: number, words: number): number {
    return (index & CHUNK_MASK) * words;
  }

  /** Starts the chunk of state `index` when the store (`count` states, `storeBytes` of `maxBytes`) can afford it. */
  openChunk(index: number, count: number, storeBytes: number, maxBytes: number): void {
    const bytes = CHUNK_STATES * this.words * 4;
    const affordable = (this.held + 1) * bytes <= count * MAX_BYTES_PER_STATE && storeBytes + bytes <= maxBytes;
    let chunk = this.spare.pop() ?? null;
    if (chunk === null && affordable) {
      chunk = new Int32Array(CHUNK_STATES * this.words);
      this.held++;
    }
    this.tail = chunk;
    this.chunks[index >>> CHUNK_BITS] = chunk;
  }

  /** The chunk holding state `index`, or null. */
  chunkOf(index: number): Int32Array | null {
    return this.chunks[index >>> CHUNK_BITS] ?? null;
  }

  /** Releases the chunks of the states before `index` (they have been expanded). */
  releaseBefore(index: number): void {
    const last = index >>> CHUNK_BITS;
    for (; this.firstHeld < last; this.firstHeld++) {
      const chunk = this.chunks[this.firstHeld];
      if (chunk !== null && chunk !== undefined) this.spare.push(chunk);
      this.chunks[this.firstHeld] = null;
    }
  }
}
