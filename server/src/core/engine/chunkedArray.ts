// A growable array of 32-bit integers kept in fixed-size chunks, so that growing it never copies
// what it already holds and never holds more than one partly used chunk.

import { BudgetExceeded } from './storeTypes';

const CHUNK_BITS = 9;
export const CHUNK_LENGTH = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_LENGTH - 1;

export class ChunkedInt32Array {
  private readonly chunks: Int32Array[] = [];
  /** Entries the allocated chunks can hold. */
  capacity = 0;

  get(index: number): number {
    return this.chunks[index >>> CHUNK_BITS][index & CHUNK_MASK];
  }

  set(index: number, value: number): void {
    this.chunks[index >>> CHUNK_BITS][index & CHUNK_MASK] = value;
  }

  get byteLength(): number {
    return this.capacity * 4;
  }

  /** Adds one chunk, unless the store's bytes (`heldBytes`) plus the chunk would exceed `maxBytes`. */
  grow(heldBytes: number, maxBytes: number): void {
    if (heldBytes + CHUNK_LENGTH * 4 > maxBytes) throw new BudgetExceeded('memory');
    this.chunks.push(new Int32Array(CHUNK_LENGTH));
    this.capacity += CHUNK_LENGTH;
  }

  /** The chunks in order, for loops that walk the whole array; each holds `CHUNK_LENGTH` entries. */
  chunkList(): readonly Int32Array[] {
    return this.chunks;
  }
}
