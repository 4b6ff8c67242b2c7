// The exact breadth-first search on several threads, layer by layer.
//
// The coordinator (the calling thread) stores the initial state, then hands each layer to the
// search threads: they take runs of consecutive states of the layer from a shared cursor, expand
// them, and insert the successors into the shared table (sharedStates.ts), so that the next layer is
// the index range the layer's insertions added. Between layers, and when the table or the arena is
// about to fill up in the middle of one, the threads idle while the coordinator grows what is full
// and checks the budgets; the threads re-enter every stored state into a grown table together.
//
// The coordinator blocks in `Atomics.wait`, in slices, so that the search is a plain synchronous
// call like the sequential one, checks the time budget and cancellation between slices, and tells
// the threads to stop at their next run. The threads are terminated when the search ends; a host
// that kills the thread or process running the search takes them with it.
//
// Which states a layer holds does not depend on the threads, nor, therefore, does the verdict, the
// kinds of violation found, or the length of each kind's shortest trace. Which of several equally
// short violations is reported, and along which path, does depend on the order of insertion: so
// when violations are found, the sequential exact search, bounded by the depth of the longest of
// them, runs again and gives the traces, exactly the ones a search on one thread reports (as the
// partial-order reduction recovers its traces in explore.ts).

import fs from 'node:fs';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { CompiledSystem } from '../compile';
import { search, type SearchOptions, type SearchOutcome } from '../explore';
import { initialState } from '../ir';
import { exceedsMemoryBudget } from '../budgets';
import { MAX_STORED_STATES } from '../storeTypes';
import type { FoundViolation } from '../violations';
import type { ThreadViolation } from './layerExpander';
import type { SearchCommand, SearchReply, SearchThreadData } from './protocol';
import { CHUNK_STATES, Control, SharedStateStore, SharedStates, Stop, type SharedBuffers } from './sharedStates';

export interface ParallelSearchOptions extends Omit<SearchOptions, 'reduce' | 'partialOrder' | 'maxDepth' | 'observer' | 'store'> {
  /** Search threads (at least 2 for a point in using this search). */
  workers: number;
  /** The search thread's script; by default `searchWorker.js` next to this module (the bundle or tsc's output). */
  workerPath?: string;
}

/** The table is grown before it is this full. */
const MAX_LOAD = 0.75;
const MIN_TABLE_SLOTS = 1 << 16;
/**
 * The table starts with room for the state budget up to this many slots (64 MiB): growing it means
 * entering every stored state again, which costs the threads more than the pages the table takes.
 */
const MAX_INITIAL_TABLE_SLOTS = 1 << 24;
/** The most states a thread takes from the cursor at once. */
const MAX_RUN = 256;
/** Runs per thread a layer is cut into at least, so that the threads end a layer together. */
const RUNS_PER_THREAD = 32;
/** The longest the coordinator sleeps before it checks the budgets again. */
const WAIT_SLICE_MS = 20;
/** How long threads may take to load and compile, and to answer once told to stop. */
const START_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const PROGRESS_MS = 250;

interface Thread {
  worker: Worker;
  replies: MessagePort;
}

/** A violation per kind: the shortest, the one of the smallest state index among equals. */
class Merged {
  readonly byKind = new Map<string, ThreadViolation>();

  add(kind: string, entry: ThreadViolation): void {
    const known = this.byKind.get(kind);
    if (known === undefined || entry.length < known.length || (entry.length === known.length && entry.found.state < known.found.state)) this.byKind.set(kind, entry);
  }

  sorted(): FoundViolation[] {
    return [...this.byKind.values()].sort((a, b) => a.length - b.length || a.found.state - b.found.state).map((entry) => entry.found);
  }

  get longest(): number {
    return Math.max(0, ...[...this.byKind.values()].map((entry) => entry.length));
  }
}

/** The table's first size: room for the states the budgets allow, within `MAX_INITIAL_TABLE_SLOTS`. */
function initialTableSlots(maxStates: number, maxMemoryBytes: number, words: number): number {
  const bytesPerState = words * 4 + 4 + 4 / MAX_LOAD;
  const states = Math.min(maxStates, maxMemoryBytes / bytesPerState);
  let slots = MIN_TABLE_SLOTS;
  while (slots < MAX_INITIAL_TABLE_SLOTS && slots * MAX_LOAD < states) slots *= 2;
  // The table stays within a quarter of the memory budget.
  while (slots > MIN_TABLE_SLOTS && slots * 4 > maxMemoryBytes / 4) slots /= 2;
  return slots;
}

export function defaultWorkerPath(): string {
  return path.join(__dirname, 'searchWorker.js');
}

/**
 * The exact search on `options.workers` threads: the same verdict, violations and traces as
 * `search(compiled, { reduce: false, ... })`, and, when the search is not cut short by a budget
 * or by finding every kind, the same numbers of states, transitions and depth.
 */
export function parallelSearch(compiled: CompiledSystem, options: ParallelSearchOptions): SearchOutcome {
  const started = performance.now();
  const parallel = new Coordinator(compiled, options, started).run();
  if (parallel.outcome.violations.length === 0) return parallel.outcome;
  return withSequentialTraces(compiled, options, parallel, started);
}

/**
 * Replaces the traces of `parallel` with the sequential exact search's, bounded by the longest
 * violation's length; when that search cannot finish in the budget left, the parallel search's own
 * traces (just as short) stand.
 */
function withSequentialTraces(compiled: CompiledSystem, options: ParallelSearchOptions, parallel: ParallelResult, started: number): SearchOutcome {
  const outcome = parallel.outcome;
  const timeoutMs = options.timeoutMs - (performance.now() - started);
  const sequential = search(compiled, {
    reduce: false,
    maxDepth: parallel.longest,
    maxStates: options.maxStates,
    maxMemoryBytes: options.maxMemoryBytes,
    timeoutMs,
    cancel: options.cancel,
  });
  if (sequential.incompleteReason !== undefined) return outcome;
  if (outcome.incompleteReason === undefined) checkAgreement(compiled, parallel, sequential);
  const ms = performance.now() - started;
  // A search that found every kind stopped where the sequential one stops, which this one reproduced.
  if (parallel.everyKindFound) return { ...sequential, ms, traceStates: sequential.states };
  return { ...outcome, found: sequential.found, violations: sequential.violations, store: sequential.store, ms, traceStates: sequential.states };
}

/** The kinds and shortest lengths of both searches must agree; anything else is a bug, reported as one. */
function checkAgreement(compiled: CompiledSystem, parallel: ParallelResult, sequential: SearchOutcome): void {
  const describe = (violations: FoundViolation[], lengthOf: (found: FoundViolation) => number): string =>
    violations.map((found) => `${kindOf(compiled, found)}:${lengthOf(found)}`).sort().join(' ');
  const expected = describe(sequential.violations, (found) => traceLength(sequential, found));
  const actual = describe(parallel.outcome.violations, (found) => parallel.lengths.get(found) ?? 0);
  if (expected !== actual) throw new Error(`the parallel search found ${actual || 'nothing'} but the sequential search ${expected || 'nothing'}`);
}

function kindOf(compiled: CompiledSystem, found: FoundViolation): string {
  return found.deadlock ? 'deadlock' : compiled.violations[found.violation - 1].kind;
}

/** The steps of a violation's trace: the depth of its state, plus one for a failing step. */
function traceLength(outcome: SearchOutcome, found: FoundViolation): number {
  let depth = 0;
  for (let index = found.state; outcome.store.parentOf(index) >= 0; index = outcome.store.parentOf(index)) depth++;
  return depth + (found.move >= 0 ? 1 : 0);
}

interface ParallelResult {
  outcome: SearchOutcome;
  /** The length of each violation's trace. */
  lengths: Map<FoundViolation, number>;
  longest: number;
  /** The search stopped because every kind the system can report was found. */
  everyKindFound: boolean;
}

class Coordinator {
  private readonly words: number;
  private readonly maxStates: number;
  private readonly buffers: SharedBuffers;
  private readonly states: SharedStates;
  private readonly control: Int32Array;
  private readonly threads: Thread[] = [];
  private readonly merged = new Merged();
  private readonly possibleKinds: Set<string>;
  private transitions = 0;
  private depth = 0;
  private reason: SearchOutcome['incompleteReason'];
  private halted = false;
  private lastProgress: number;
  /** Waited on, never notified: a short sleep. */
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly compiled: CompiledSystem,
    private readonly options: ParallelSearchOptions,
    private readonly started: number,
  ) {
    this.words = compiled.words;
    this.maxStates = Math.max(1, Math.min(options.maxStates, MAX_STORED_STATES));
    this.buffers = {
      control: new SharedArrayBuffer(Control.length * 4),
      table: new SharedArrayBuffer(initialTableSlots(this.maxStates, options.maxMemoryBytes, this.words) * 4),
      arena: [],
      parents: [],
    };
    this.addChunk();
    this.states = new SharedStates(this.words, compiled.hash, this.maxStates, this.buffers);
    this.control = this.states.control;
    this.possibleKinds = new Set(compiled.violations.map((info) => info.kind));
    if (compiled.threadCount > 0) this.possibleKinds.add('deadlock');
    this.lastProgress = started;
  }

  private addChunk(): void {
    this.buffers.arena.push(new SharedArrayBuffer(CHUNK_STATES * this.words * 4));
    this.buffers.parents.push(new SharedArrayBuffer(CHUNK_STATES * 4));
  }

  private get heldBytes(): number {
    return this.buffers.table.byteLength + this.buffers.arena.length * CHUNK_STATES * (this.words * 4 + 4);
  }

  run(): ParallelResult {
    try {
      const packed = new Uint32Array(this.words);
      this.compiled.pack(Int32Array.from(initialState(this.compiled.system)), packed, 0);
      this.states.insert(packed, 0, -1);
      this.startThreads();
      return this.layers();
    } finally {
      for (const thread of this.threads) {
        thread.worker.terminate().catch(() => undefined);
        thread.replies.close();
      }
    }
  }

  private startThreads(): void {
    const workerPath = this.options.workerPath ?? defaultWorkerPath();
    if (!fs.existsSync(workerPath)) throw new Error(`the parallel search's thread script is missing: ${workerPath}`);
    for (let k = 0; k < this.options.workers; k++) {
      const channel = new MessageChannel();
      const data: SearchThreadData = { system: this.compiled.system, maxStates: this.maxStates, buffers: this.buffers, replies: channel.port2 };
      const worker = new Worker(workerPath, { workerData: data, transferList: [channel.port2] });
      worker.unref();
      // Errors reach the coordinator as replies; this keeps an unexpected one from becoming uncaught.
      worker.on('error', () => undefined);
      this.threads.push({ worker, replies: channel.port1 });
    }
    const deadline = performance.now() + START_MS;
    for (;;) {
      const ready = Atomics.load(this.control, Control.ready);
      if (ready >= this.threads.length) return;
      if (Atomics.load(this.control, Control.stop) === Stop.failed) throw new Error(this.failureMessage());
      if (performance.now() > deadline) throw new Error('the search threads did not start');
      Atomics.wait(this.control, Control.ready, ready, WAIT_SLICE_MS);
    }
  }

  private failureMessage(): string {
    for (const thread of this.threads) {
      const reply = receiveMessageOnPort(thread.replies)?.message as SearchReply | undefined;
      if (reply?.type === 'failed') return `a search thread failed: ${reply.message}`;
    }
    return 'a search thread failed';
  }

  private layers(): ParallelResult {
    let layerEnd = 1;
    for (;;) {
      if (!this.expandLayer(layerEnd)) return this.outcome('incomplete');
      if (this.everyKindFound()) return this.outcome('safe');
      const count = this.states.count;
      if (count === layerEnd) return this.outcome('safe');
      Atomics.store(this.control, Control.cursor, layerEnd);
      layerEnd = count;
      this.depth++;
    }
  }

  private everyKindFound(): boolean {
    return this.merged.byKind.size >= this.possibleKinds.size;
  }

  /** Expands the layer ending before `layerEnd`, pausing to grow as needed; false when the search must stop. */
  private expandLayer(layerEnd: number): boolean {
    const threads = this.threads.length;
    const run = Math.max(1, Math.min(MAX_RUN, Math.ceil((layerEnd - Atomics.load(this.control, Control.cursor)) / (threads * RUNS_PER_THREAD))));
    // What the threads may add after `pauseAt` is passed: one run each.
    const slack = threads * run * this.compiled.maxSuccessors + threads;
    for (;;) {
      if (!this.makeRoom(slack)) return false;
      const replies = this.command({ type: 'expand', buffers: this.buffers, layerEnd, depth: this.depth, run });
      for (const reply of replies) {
        if (reply.type !== 'expanded') continue;
        this.transitions += reply.report.transitions;
        for (const entry of reply.report.violations) this.merged.add(kindOf(this.compiled, entry.found), entry);
      }
      const stop = Atomics.load(this.control, Control.stop);
      if (stop === Stop.states) this.reason = 'states';
      if (stop !== Stop.none) return false;
      if (Atomics.load(this.control, Control.cursor) >= layerEnd) return true;
    }
  }

  /**
   * Grows the table and the arena so that `slack` states more than the pause point fit; false
   * (with the reason set) when the memory budget does not allow it.
   */
  private makeRoom(slack: number): boolean {
    const count = Atomics.load(this.control, Control.count);
    let slots = this.states.tableSlots;
    while ((count + 2 * slack) > slots * MAX_LOAD) slots *= 2;
    let chunks = this.buffers.arena.length;
    while (count + 2 * slack > chunks * CHUNK_STATES) chunks++;
    const extra = (slots > this.states.tableSlots ? slots * 4 : 0) + (chunks - this.buffers.arena.length) * CHUNK_STATES * (this.words * 4 + 4);
    if (extra > 0 && exceedsMemoryBudget(this.heldBytes, extra, this.options.maxMemoryBytes)) {
      this.reason = 'memory';
      return false;
    }
    while (this.buffers.arena.length < chunks) this.addChunk();
    if (slots > this.states.tableSlots) this.growTable(slots, count);
    this.states.adopt(this.buffers);
    const pauseAt = Math.floor(Math.min(this.states.tableSlots * MAX_LOAD, this.states.capacity)) - slack;
    Atomics.store(this.control, Control.pauseAt, pauseAt);
    return true;
  }

  private growTable(slots: number, count: number): void {
    const target = new SharedArrayBuffer(slots * 4);
    const cursor = Atomics.load(this.control, Control.cursor);
    Atomics.store(this.control, Control.cursor, 0);
    const run = Math.max(1024, Math.ceil(count / (this.threads.length * RUNS_PER_THREAD)));
    this.command({ type: 'rehash', buffers: this.buffers, target, count, run });
    this.buffers.table = target;
    Atomics.store(this.control, Control.cursor, cursor);
  }

  /** Sends `command` to every thread and waits for all of them to answer. */
  private command(command: SearchCommand): SearchReply[] {
    Atomics.store(this.control, Control.done, 0);
    for (const thread of this.threads) thread.worker.postMessage(command);
    this.waitForThreads();
    const replies: SearchReply[] = [];
    for (const thread of this.threads) {
      const reply = this.replyOf(thread);
      if (reply.type === 'failed') throw new Error(`a search thread failed: ${reply.message}`);
      replies.push(reply);
    }
    return replies;
  }

  /** A thread's reply, posted before it counted itself done. */
  private replyOf(thread: Thread): SearchReply {
    const deadline = performance.now() + STOP_GRACE_MS;
    for (;;) {
      const received = receiveMessageOnPort(thread.replies);
      if (received) return received.message as SearchReply;
      if (performance.now() > deadline) throw new Error('a search thread did not answer');
      Atomics.wait(this.pause, 0, 0, 1);
    }
  }

  private waitForThreads(): void {
    let stoppedAt = 0;
    for (;;) {
      const done = Atomics.load(this.control, Control.done);
      if (done >= this.threads.length) return;
      Atomics.wait(this.control, Control.done, done, WAIT_SLICE_MS);
      const now = performance.now();
      if (!this.halted && this.mustHalt(now)) {
        this.halted = true;
        stoppedAt = now;
        Atomics.store(this.control, Control.stop, Stop.halt);
      }
      if (this.halted && now - stoppedAt > STOP_GRACE_MS) throw new Error('the search threads did not stop');
      if (this.options.onProgress && now - this.lastProgress > PROGRESS_MS) {
        this.lastProgress = now;
        const states = this.states.count;
        this.options.onProgress({ proposal: this.compiled.system.proposal, states, depth: this.depth, statesPerSecond: (states * 1000) / (now - this.started) });
      }
    }
  }

  private mustHalt(now: number): boolean {
    if (this.options.cancel?.isCancellationRequested) this.reason = 'cancelled';
    else if (now - this.started > this.options.timeoutMs) this.reason = 'time';
    return this.reason !== undefined;
  }

  private outcome(stopped: 'safe' | 'incomplete'): ParallelResult {
    const violations = this.merged.sorted();
    const lengths = new Map<FoundViolation, number>();
    for (const entry of this.merged.byKind.values()) lengths.set(entry.found, entry.length);
    const states = this.states;
    const outcome: SearchOutcome = {
      verdict: violations.length > 0 ? 'violation' : stopped,
      incompleteReason: stopped === 'incomplete' ? (this.reason ?? 'time') : undefined,
      found: violations[0],
      violations,
      store: new SharedStateStore(states, () => this.heldBytes),
      states: states.count,
      transitions: this.transitions,
      depth: this.depth,
      ms: performance.now() - this.started,
      reducedExpansions: 0,
      reductionAbandoned: false,
    };
    return { outcome, lengths, longest: this.merged.longest, everyKindFound: stopped === 'safe' && this.everyKindFound() };
  }
}

/**
 * States the sequential search stores before the search goes on on several threads: below this,
 * starting the threads costs more than they save.
 */
export const SEQUENTIAL_PROBE_STATES = 100_000;

/**
 * The search `checkProposal` runs: on `workers` threads when more than one is asked for and the
 * search is exact and unobserved; the sequential search otherwise (partial-order and symmetry
 * reduction, and facts collection, stay on one thread). A search that ends within
 * `SEQUENTIAL_PROBE_STATES` states is the sequential one; a larger one starts over on the threads.
 */
export function searchWithWorkers(compiled: CompiledSystem, options: SearchOptions & { workers?: number; workerPath?: string }): SearchOutcome {
  const { workers, workerPath, ...rest } = options;
  if (workers === undefined || workers <= 1 || rest.reduce || rest.observer || rest.maxDepth !== undefined) return search(compiled, rest);
  const started = performance.now();
  if (rest.maxStates <= SEQUENTIAL_PROBE_STATES) return search(compiled, rest);
  const probe = search(compiled, { ...rest, maxStates: SEQUENTIAL_PROBE_STATES });
  if (probe.incompleteReason !== 'states') return probe;
  const timeoutMs = rest.timeoutMs - (performance.now() - started);
  const outcome = parallelSearch(compiled, { ...rest, timeoutMs, workers, workerPath });
  return { ...outcome, ms: performance.now() - started };
}
