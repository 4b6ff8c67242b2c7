// Breadth-first search over packed states, with partial-order and symmetry reduction.
//
// States are stored in the `StateStore` arena in breadth-first order, which is also the queue. A
// state is expanded by unpacking it into an Int32Array, running every enabled transition on a copy,
// canonicalising the successor (symmetry), packing it into the arena's scratch slot and inserting it.

import type { CancellationToken, EngineProgress } from './types';
import type { CompiledSystem } from './compile';
import { BudgetExceeded, MAX_BATCH, createStateStore, type StateStore } from './store';
import { makeCanonicalizer, type Canonicalizer } from './symmetry';
import { initialState } from './ir';

export interface SearchOptions {
  reduce: boolean;
  maxStates: number;
  maxMemoryBytes: number;
  timeoutMs: number;
  cancel?: CancellationToken;
  onProgress?: (progress: EngineProgress) => void;
  /** Called for every executed (non-violating) transition, when facts are collected. */
  observer?: SearchObserver;
  /** `indexed` forces the store that keeps state indices in its table (for tests); default `auto`. */
  store?: 'auto' | 'indexed';
}

export interface SearchObserver {
  /** A state is about to be expanded; `enabledActors` lists the actors with an enabled transition. */
  state(s: Int32Array, enabledActors: Int32Array, enabledCount: number): void;
  transition(actor: number, transition: number, before: Int32Array, after: Int32Array): void;
}

export interface FoundViolation {
  /** 1-based violation number in `CompiledSystem.violations`. */
  violation: number;
  /** The state in which the violation shows (a state violation) or from which the failing step starts. */
  state: number;
  /** The failing step (`actor * 65536 + transition`), or -1 for deadlock and leak (state violations). */
  move: number;
  deadlock: boolean;
}

export interface SearchOutcome {
  verdict: 'safe' | 'violation' | 'incomplete';
  incompleteReason?: 'states' | 'memory' | 'time' | 'cancelled';
  found?: FoundViolation;
  store: StateStore;
  canonicalize?: Canonicalizer;
  states: number;
  transitions: number;
  depth: number;
  ms: number;
}

const CHECK_INTERVAL = 1024;
/** How many states ahead of the one being expanded the search reads. */
const PREFETCH_DISTANCE = 8;

export function encodeMove(actor: number, transition: number): number {
  return actor * 65536 + transition;
}

export function moveActor(move: number): number {
  return Math.floor(move / 65536);
}

export function moveTransition(move: number): number {
  return move % 65536;
}

export function search(compiled: CompiledSystem, options: SearchOptions): SearchOutcome {
  return options.observer ? observedSearch(compiled, options, options.observer) : fastSearch(compiled, options);
}

interface SearchContext {
  started: number;
  store: StateStore;
  canonicalize?: Canonicalizer;
  transitions: number;
  depth: number;
  reason?: SearchOutcome['incompleteReason'];
  found?: FoundViolation;
  /** Keeps reads made only to start cache misses early from being optimised away. */
  touched?: number;
}

function outcomeOf(context: SearchContext, verdict: SearchOutcome['verdict']): SearchOutcome {
  return {
    verdict,
    incompleteReason: verdict === 'incomplete' ? context.reason : undefined,
    found: context.found,
    store: context.store,
    canonicalize: context.canonicalize,
    states: context.store.count,
    transitions: context.transitions,
    depth: context.depth,
    ms: performance.now() - context.started,
  };
}

/** Helpers over the compiled closures shared by both searches (all slow paths). */
class Checker {
  readonly cur: Int32Array;
  readonly next: Int32Array;
  readonly pcVars: Int32Array;
  readonly endPcs: Int32Array;
  readonly isThread: Uint8Array;
  readonly inflightVars: Int32Array;

  constructor(readonly compiled: CompiledSystem) {
    const system = compiled.system;
    this.cur = new Int32Array(compiled.variableCount);
    this.next = new Int32Array(compiled.variableCount);
    this.pcVars = Int32Array.from(system.actors.map((a) => a.pcVar));
    this.endPcs = Int32Array.from(system.actors.map((a) => a.endPc));
    this.isThread = Uint8Array.from(system.actors.map((a) => (a.kind === 'thread' ? 1 : 0)));
    this.inflightVars = Int32Array.from(system.actors.filter((a) => a.device).map((a) => a.device!.inflightVar));
  }

  /** Runs one transition from `cur` into `next`; returns the step result. */
  run(a: number, id: number): number {
    const actor = this.compiled.actors[a];
    const guard = actor.guards[id];
    if (guard !== null && !guard(this.cur)) return -1;
    this.next.set(this.cur);
    return actor.steps[id](this.next);
  }

  threadEnabled(a: number): boolean {
    const ids = this.compiled.actors[a].byPoint[this.cur[this.pcVars[a]]];
    for (let k = 0; k < ids.length; k++) if (this.run(a, ids[k]) !== -1) return true;
    return false;
  }

  /** Deadlock or leak in the state held in `s`, as a violation number; `anyThreadEnabled` given. */
  stateViolation(s: Int32Array, anyThreadEnabled: boolean): { violation: number; deadlock: boolean } | undefined {
    const leak = this.compiled.leak(s);
    if (leak !== 0) return { violation: leak, deadlock: false };
    if (anyThreadEnabled) return undefined;
    const actorCount = this.pcVars.length;
    let finished = true;
    for (let a = 0; a < actorCount; a++) {
      if (this.isThread[a] && s[this.pcVars[a]] !== this.endPcs[a]) {
        finished = false;
        break;
      }
    }
    if (finished) return undefined;
    for (let k = 0; k < this.inflightVars.length; k++) if (s[this.inflightVars[k]] !== 0) return undefined;
    return { violation: 0, deadlock: true };
  }

  /** After an op violation in a layer, a state violation later in the same layer is shorter. */
  shorterStateViolation(store: StateStore, from: number, layerEnd: number): FoundViolation | undefined {
    for (let j = from; j < layerEnd && j < store.count; j++) {
      this.compiled.unpack(store.stateArray(), store.offsetOf(j), this.cur);
      let any = false;
      for (let a = 0; a < this.pcVars.length && !any; a++) if (this.isThread[a] && this.threadEnabled(a)) any = true;
      const v = this.stateViolation(this.cur, any);
      if (v) return { violation: v.violation, state: j, move: -1, deadlock: v.deadlock };
    }
    return undefined;
  }
}

/** Checks cancellation, time and progress; returns false when the search must stop. */
function keepGoing(context: SearchContext, options: SearchOptions, proposal: string, progress: { last: number }): boolean {
  if (options.cancel?.isCancellationRequested) {
    context.reason = 'cancelled';
    return false;
  }
  const now = performance.now();
  if (now - context.started > options.timeoutMs) {
    context.reason = 'time';
    return false;
  }
  if (options.onProgress && now - progress.last > 250) {
    progress.last = now;
    const states = context.store.count;
    options.onProgress({ proposal, states, depth: context.depth, statesPerSecond: (states * 1000) / (now - context.started) });
  }
  return true;
}

function budgetOutcome(context: SearchContext, error: unknown): SearchOutcome {
  if (error instanceof BudgetExceeded) {
    context.reason = error.reason;
    return outcomeOf(context, 'incomplete');
  }
  if (error instanceof RangeError) {
    context.reason = 'memory';
    return outcomeOf(context, 'incomplete');
  }
  throw error;
}

/**
 * The search without an observer: each actor's transitions run through its generated expansion
 * function on a scratch copy of the state, and successors are packed incrementally.
 *
 * Partial-order reduction (when `reduce`): a thread may be expanded alone (an ample set) when every
 * transition at its point is independent of everything the other actors can still do from their
 * current points: nothing it reads or writes is written by another actor's reachable transitions,
 * and nothing it writes is read by them (program counters and finish checks included). It is used
 * only when all its successors are new states (the breadth-first cycle proviso).
 */
function fastSearch(compiled: CompiledSystem, options: SearchOptions): SearchOutcome {
  const system = compiled.system;
  const words = compiled.words;
  const store = createStateStore(words, compiled.lastWordTopBitFree, compiled.hash, options.maxStates, options.maxMemoryBytes, options.store);
  const context: SearchContext = { started: performance.now(), store, transitions: 0, depth: 0 };
  const canonicalize = options.reduce ? makeCanonicalizer(system) : undefined;
  context.canonicalize = canonicalize;
  const checker = new Checker(compiled);
  const n = compiled.variableCount;
  const s = new Int32Array(n);
  const t = new Int32Array(n);
  const u = new Int32Array(n);
  const current = new Uint32Array(words);
  const candidate = store.candidate;
  const out = new Int32Array(3);
  const actors = compiled.actors;
  const actorCount = actors.length;
  const { pcVars, isThread } = checker;
  const reduce = options.reduce;
  const wordsPerSet = compiled.wordsPerSet;
  const progress = { last: context.started };
  let layerEnd = 1;
  let parent = -1;
  let prefetched = 0;

  // Successors of one state are collected and inserted together (see `StateStore.insertBatch`).
  const batch = new Uint32Array(MAX_BATCH * words);
  let batchCount = 0;
  const flush = (): void => {
    store.insertBatch(parent, batch, batchCount);
    batchCount = 0;
  };
  const insertPlain = (): boolean => {
    if (batchCount === MAX_BATCH) flush();
    const base = batchCount * words;
    for (let w = 0; w < words; w++) batch[base + w] = candidate[w];
    batchCount++;
    return true;
  };
  const insertCanonical = (): boolean => {
    if (batchCount === MAX_BATCH) flush();
    u.set(t);
    canonicalize!(u);
    compiled.pack(u, batch, batchCount * words);
    batchCount++;
    return true;
  };
  const insert = canonicalize ? insertCanonical : insertPlain;

  // Ample-set probing: successors are buffered, and the probe stops at the first one already stored.
  const MAX_AMPLE = 64;
  const pending = new Uint32Array(MAX_AMPLE * words);
  let pendingCount = 0;
  const probe = (): boolean => {
    if (canonicalize) {
      u.set(t);
      canonicalize(u);
      compiled.pack(u, candidate, 0);
    }
    if (pendingCount >= MAX_AMPLE || store.contains()) return false;
    pending.set(candidate, pendingCount * words);
    pendingCount++;
    return true;
  };

  /** Whether thread `a` at its current point is independent of what every other actor can still do. */
  // Devices are left out: a point in conflict with a device is marked `alwaysDependent`.
  const threads = Int32Array.from(system.actors.filter((actor) => actor.kind === 'thread').map((actor) => actor.index));
  const independent = (a: number): boolean => {
    const own = actors[a].access;
    const p = s[pcVars[a]] * wordsPerSet;
    for (let j = 0; j < threads.length; j++) {
      const b = threads[j];
      if (b === a) continue;
      const other = actors[b].access;
      const q = s[pcVars[b]] * wordsPerSet;
      for (let k = 0; k < wordsPerSet; k++) {
        if ((other.futureWrites[q + k] & own.pointAccess[p + k]) !== 0 || (other.futureReads[q + k] & own.pointWrites[p + k]) !== 0) return false;
      }
    }
    return true;
  };

  const violationAt = (i: number, a: number): SearchOutcome => {
    flush();
    context.transitions += out[2];
    context.found = checker.shorterStateViolation(store, i, layerEnd) ?? {
      violation: out[0],
      state: i,
      move: encodeMove(a, out[1]),
      deadlock: false,
    };
    return outcomeOf(context, 'violation');
  };

  try {
    const initial = Int32Array.from(initialState(system));
    u.set(initial);
    if (canonicalize) canonicalize(u);
    compiled.pack(u, candidate, 0);
    store.insert(-1);
    for (let i = 0; i < store.count; i++) {
      if (i >= layerEnd) {
        context.depth++;
        layerEnd = store.count;
      }
      if ((i & (CHECK_INTERVAL - 1)) === 0 && i > 0 && !keepGoing(context, options, system.proposal, progress)) {
        return outcomeOf(context, 'incomplete');
      }
      const states = store.stateArray();
      // Reading a state a little ahead starts its cache miss early (the inline store keeps states in hash order).
      if (i + PREFETCH_DISTANCE < store.count) prefetched ^= states[store.offsetOf(i + PREFETCH_DISTANCE)];
      compiled.unpackBoth(states, store.offsetOf(i), s, t, current);
      parent = i;

      if (reduce) {
        let handled = false;
        for (let a = 0; a < actorCount && !handled; a++) {
          const pc = s[pcVars[a]];
          if (actors[a].access.alwaysDependent[pc] !== 0 || !independent(a)) continue;
          const expand = actors[a].expand[pc]!;
          pendingCount = 0;
          const r = expand(s, t, current, candidate, probe, out);
          if (r === -1) return violationAt(i, a);
          if (r <= 0) continue;
          for (let k = 0; k < pendingCount; k++) {
            for (let w = 0; w < words; w++) candidate[w] = pending[k * words + w];
            store.insert(i);
          }
          context.transitions += r;
          handled = true;
        }
        if (handled) continue;
      }

      let anyThreadEnabled = false;
      for (let a = 0; a < actorCount; a++) {
        const expand = actors[a].expand[s[pcVars[a]]];
        if (expand === null) continue;
        const r = expand(s, t, current, candidate, insert, out);
        if (r === -1) return violationAt(i, a);
        if (r > 0) {
          context.transitions += r;
          if (isThread[a]) anyThreadEnabled = true;
        }
      }
      flush();
      const v = checker.stateViolation(s, anyThreadEnabled);
      if (v) {
        context.found = { violation: v.violation, state: i, move: -1, deadlock: v.deadlock };
        return outcomeOf(context, 'violation');
      }
    }
    context.touched = prefetched;
    return outcomeOf(context, 'safe');
  } catch (error) {
    return budgetOutcome(context, error);
  }
}

/** The search with an observer (facts collection): every transition through the compiled closures, no reduction of transitions. */
function observedSearch(compiled: CompiledSystem, options: SearchOptions, observer: SearchObserver): SearchOutcome {
  const system = compiled.system;
  const words = compiled.words;
  const store = createStateStore(words, compiled.lastWordTopBitFree, compiled.hash, options.maxStates, options.maxMemoryBytes, options.store);
  const context: SearchContext = { started: performance.now(), store, transitions: 0, depth: 0 };
  const canonicalize = options.reduce ? makeCanonicalizer(system) : undefined;
  context.canonicalize = canonicalize;
  const checker = new Checker(compiled);
  const { cur, next, pcVars, isThread } = checker;
  const actors = compiled.actors;
  const actorCount = actors.length;
  const enabledActors = new Int32Array(actorCount);
  const progress = { last: context.started };
  let layerEnd = 1;

  const storeNext = (parent: number): boolean => {
    if (canonicalize) canonicalize(next);
    compiled.pack(next, store.candidate, 0);
    return store.insert(parent);
  };

  try {
    next.set(initialState(system));
    storeNext(-1);
    for (let i = 0; i < store.count; i++) {
      if (i >= layerEnd) {
        context.depth++;
        layerEnd = store.count;
      }
      if ((i & (CHECK_INTERVAL - 1)) === 0 && i > 0 && !keepGoing(context, options, system.proposal, progress)) {
        return outcomeOf(context, 'incomplete');
      }
      compiled.unpack(store.stateArray(), store.offsetOf(i), cur);
      let anyThreadEnabled = false;
      let enabledCount = 0;
      for (let a = 0; a < actorCount; a++) {
        const ids = actors[a].byPoint[cur[pcVars[a]]];
        for (let k = 0; k < ids.length; k++) {
          if (checker.run(a, ids[k]) !== -1) {
            enabledActors[enabledCount++] = a;
            break;
          }
        }
      }
      observer.state(cur, enabledActors, enabledCount);
      for (let a = 0; a < actorCount; a++) {
        const ids = actors[a].byPoint[cur[pcVars[a]]];
        for (let k = 0; k < ids.length; k++) {
          const id = ids[k];
          const r = checker.run(a, id);
          if (r === -1) continue;
          context.transitions++;
          if (isThread[a]) anyThreadEnabled = true;
          if (r > 0) {
            context.found = checker.shorterStateViolation(store, i, layerEnd) ?? { violation: r, state: i, move: encodeMove(a, id), deadlock: false };
            return outcomeOf(context, 'violation');
          }
          observer.transition(a, id, cur, next);
          storeNext(i);
        }
      }
      // `cur` may have been overwritten by shorterStateViolation only on the violation path above.
      const v = checker.stateViolation(cur, anyThreadEnabled);
      if (v) {
        context.found = { violation: v.violation, state: i, move: -1, deadlock: v.deadlock };
        return outcomeOf(context, 'violation');
      }
    }
    return outcomeOf(context, 'safe');
  } catch (error) {
    return budgetOutcome(context, error);
  }
}
