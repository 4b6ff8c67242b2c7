// Messages between the parallel search's coordinator and its search threads. Everything is plain
// data or shared memory: each thread compiles the transition system itself (no function crosses
// threads) and works on the shared buffers it is given.

import type { MessagePort } from 'node:worker_threads';
import type { TransitionSystem } from '../ir';
import type { LayerReport } from './layerExpander';
import type { SharedBuffers } from './sharedStates';

/** What a search thread is started with (its `workerData`). */
export interface SearchThreadData {
  system: TransitionSystem;
  maxStates: number;
  buffers: SharedBuffers;
  /** The port the thread answers on; the coordinator reads it without an event loop. */
  replies: MessagePort;
}

export type SearchCommand =
  /** Expand the layer from the cursor up to `layerEnd`, `run` states at a time. */
  | { type: 'expand'; buffers: SharedBuffers; layerEnd: number; depth: number; run: number }
  /** Enter states below `count` into the grown table `target`, `run` at a time. */
  | { type: 'rehash'; buffers: SharedBuffers; target: SharedArrayBuffer; count: number; run: number };

export type SearchReply = { type: 'expanded'; report: LayerReport } | { type: 'rehashed' } | { type: 'failed'; message: string };

export function isSearchCommand(value: unknown): value is SearchCommand {
  if (value === null || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return type === 'expand' || type === 'rehash';
}
