// What the search and the trace builder need from a state store, shared by both stores.

export class BudgetExceeded extends Error {
  constructor(readonly reason: 'states' | 'memory') {
    super(`state budget exceeded (${reason})`);
  }
}

/** The most states a store can hold (parents and indices are 32-bit signed integers). */
export const MAX_STORED_STATES = 2 ** 31 - 2;

export type HashFunction = (words: Uint32Array, offset: number) => number;

/** What the search and the trace builder need from a store of packed states. */
export interface StateStore {
  readonly words: number;
  /** A candidate state is packed here before `insert` or `contains`. */
  readonly candidate: Uint32Array;
  readonly count: number;
  readonly bytes: number;
  readonly peakBytesPerState: number;
  /** The index of the state that state `index` was first reached from (-1 for the initial state). */
  parentOf(index: number): number;
  /** Copies the packed words of state `index` into `into`. */
  read(index: number, into: Uint32Array): void;
  /**
   * `read` for the search's walk through the breadth-first queue: `index` is the state it expands
   * next, and the states before it will be read again only by `read`.
   */
  readForExpansion(index: number, into: Uint32Array): void;
  /** Looks the candidate up and adds it when new; true when it was new. */
  insert(parent: number): boolean;
  /**
   * Inserts, in order, the successors of `members` consecutive states from `firstParent` on:
   * `counts[g]` states of parent `firstParent + g`, all packed one after another in `batch`.
   */
  insertGroup(firstParent: number, batch: Uint32Array, counts: Int32Array, members: number): void;
  /** Whether the candidate is already stored (without adding it). */
  contains(): boolean;
}
