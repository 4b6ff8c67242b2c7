// Breadth-first search over packed states, with partial-order and symmetry reduction.
//
// States are stored in the `StateStore` arena in breadth-first order, which is also the queue. A
// state is expanded by unpacking it into an Int32Array, running every enabled transition on a copy,
// canonicalising the successor (symmetry), packing it into the arena's scratch slot and inserting it.

import type { CancellationToken, EngineProgress } from './types';
import type { CompiledSystem } from './compile';
import { BudgetExceeded, createStateStore, type StateStore } from './store';
import { ThreadIndependence } from './independence';
import { makeCanonicalizer, type Canonicalizer } from './symmetry';
import { initialState } from './ir';
import { stepViolations, ViolationCollector, type FoundViolation } from './violations';

export type { FoundViolation };

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

export interface SearchOutcome {
  verdict: 'safe' | 'violation' | 'incomplete';
  /** For `incomplete`, or for a `violation` found before a budget stopped the search (`violations` may then miss kinds). */
  incompleteReason?: 'states' | 'memory' | 'time' | 'cancelled';
  /** The shortest violation: `violations[0]`. */
  found?: FoundViolation;
  /** One violation per reachable kind, shortest first. */
  violations: FoundViolation[];
  store: StateStore;
  canonicalize?: Canonicalizer;
  states: number;
  transitions: number;
  depth: number;
  ms: number;
}

const CHECK_INTERVAL = 1024;
/** The most states whose successors are inserted together, and the most successors such a group may hold. */
const MAX_GROUP_STATES = 8;
const MAX_GROUP_SUCCESSORS = 512;

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
  violations: ViolationCollector;
}

/**
 * Records the violations of the failing step `move` (of `actor`, transition `id`) taken from state
 * `i` at `depth`, whose unpacked form `s` is: every check it fails before it writes anything.
 */
function recordStep(context: SearchContext, compiled: CompiledSystem, i: number, s: Int32Array, actor: number, id: number, first: number): void {
  for (const violation of stepViolations(compiled, actor, id, s, first)) {
    context.violations.record({ violation, state: i, move: encodeMove(actor, id), deadlock: false }, context.depth + 1);
  }
}

/**
 * Whether the search may stop: every kind the system can report has been found. The rest of the
 * layer is scanned first, since a deadlock or leak there has a shorter trace than a failing step.
 */
function everyKindFound(context: SearchContext, checker: Checker, i: number, layerEnd: number): boolean {
  if (!context.violations.complete) return false;
  if (context.violations.hasLengthAtLeast(context.depth + 1)) checker.recordStateViolations(context, i + 1, layerEnd);
  return true;
}

function outcomeOf(context: SearchContext, stopped: 'safe' | 'incomplete'): SearchOutcome {
  const violations = context.violations.results();
  const verdict = violations.length > 0 ? 'violation' : stopped;
  return {
    verdict,
    incompleteReason: stopped === 'incomplete' ? context.reason : undefined,
    found: violations[0],
    violations,
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

  /**
   * Deadlock or leak in the state held in `s`, as a violation number; `anyThreadEnabled` given. Both
   * are properties of states where no thread can move: a handler with work queued can still run, so
   * the end of the scenario waits for it.
   */
  stateViolation(s: Int32Array, anyThreadEnabled: boolean): { violation: number; deadlock: boolean } | undefined {
    if (anyThreadEnabled) return undefined;
    const leak = this.compiled.leak(s);
    if (leak !== 0) return { violation: leak, deadlock: false };
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

  /** Records the deadlocks and leaks of the stored states `from .. layerEnd - 1` (the rest of a layer). */
  recordStateViolations(context: SearchContext, from: number, layerEnd: number): void {
    const store = context.store;
    for (let j = from; j < layerEnd && j < store.count; j++) {
      this.compiled.unpack(store.stateArray(), store.offsetOf(j), this.cur);
      let any = false;
      for (let a = 0; a < this.pcVars.length && !any; a++) if (this.isThread[a] && this.threadEnabled(a)) any = true;
      const v = this.stateViolation(this.cur, any);
      if (v) context.violations.record({ violation: v.violation, state: j, move: -1, deadlock: v.deadlock }, context.depth);
    }
  }

  /**
   * Expands the state unpacked in `s` through the compiled closures, the slow path taken when one of
   * its steps fails a check: each successor is packed into `batch` from word `start` on, and each
   * failing step is recorded. Returns the number of successors and whether a thread could move.
   */
  expandRecording(context: SearchContext, i: number, s: Int32Array, batch: Uint32Array, start: number): { count: number; threadMoved: boolean } {
    const { compiled, cur, next, pcVars } = this;
    cur.set(s);
    let count = 0;
    let threadMoved = false;
    for (let a = 0; a < pcVars.length; a++) {
      const ids = compiled.actors[a].byPoint[cur[pcVars[a]]];
      for (let k = 0; k < ids.length; k++) {
        const r = this.run(a, ids[k]);
        if (r === -1) continue;
        context.transitions++;
        if (this.isThread[a]) threadMoved = true;
        if (r > 0) recordStep(context, compiled, i, cur, a, ids[k], r);
        else compiled.pack(next, batch, start + count++ * compiled.words);
      }
    }
    return { count, threadMoved };
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
 * The search without an observer: the generated `expandState` writes every successor of a state,
 * packed, into a batch, and the batch of a group of states is then inserted at once.
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
  const checker = new Checker(compiled);
  const context: SearchContext = { started: performance.now(), store, transitions: 0, depth: 0, violations: new ViolationCollector(compiled) };
  const canonicalize = options.reduce ? makeCanonicalizer(system) : undefined;
  context.canonicalize = canonicalize;
  const n = compiled.variableCount;
  const s = new Int32Array(n);
  const t = new Int32Array(n);
  const u = new Int32Array(n);
  const current = new Uint32Array(words);
  const candidate = store.candidate;
  const out = new Int32Array(5);
  const actors = compiled.actors;
  const { pcVars } = checker;
  const independence = options.reduce ? new ThreadIndependence(system, actors, compiled.wordsPerSet) : undefined;
  const progress = { last: context.started };
  const expandState = compiled.expandState;
  let layerEnd = 1;

  // The successors of a group of consecutive states are inserted together (see
  // `StateStore.insertGroup`). The group is inserted before the search reads anything the insertion
  // could change: before the next layer starts, before it reaches a state still in the group,
  // before an ample-set probe looks states up, and when a violation ends the search.
  const groupLimit = Math.max(1, Math.min(MAX_GROUP_STATES, Math.floor(MAX_GROUP_SUCCESSORS / compiled.maxSuccessors)));
  const batch = new Uint32Array(groupLimit * compiled.maxSuccessors * words);
  const groupCounts = new Int32Array(groupLimit);
  let groupFirst = 0;
  let groupSize = 0;
  let groupWords = 0;
  const insertGroup = (): void => {
    if (groupSize === 0) return;
    store.insertGroup(groupFirst, batch, groupCounts, groupSize);
    groupSize = 0;
    groupWords = 0;
  };
  /** Adds state `i`, whose `count` successors are in `batch` from `groupWords` on, to the group. */
  const joinGroup = (i: number, count: number): void => {
    if (groupSize === 0) groupFirst = i;
    groupCounts[groupSize++] = count;
    groupWords += count * words;
  };

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

  /**
   * Expands independent thread `a` alone when all its successors are new; returns false when they
   * are not, and `full` when one of its steps fails a check (the state is then expanded in full).
   */
  const expandAmple = (i: number, a: number): boolean | 'full' => {
    const pc = s[pcVars[a]];
    pendingCount = 0;
    const r = actors[a].expand[pc]!(s, t, current, candidate, probe, out);
    if (r === -1) return 'full';
    if (r <= 0) return false;
    for (let k = 0; k < pendingCount; k++) {
      for (let w = 0; w < words; w++) candidate[w] = pending[k * words + w];
      store.insert(i);
    }
    context.transitions += r;
    return true;
  };

  /** Puts `count` successors in `batch` from word `start` on into canonical form (symmetry reduction). */
  const canonicalizeBatch = (start: number, count: number): void => {
    for (let k = 0; k < count; k++) {
      compiled.unpack(batch, start + k * words, u);
      canonicalize!(u);
      compiled.pack(u, batch, start + k * words);
    }
  };

  try {
    const initial = Int32Array.from(initialState(system));
    u.set(initial);
    if (canonicalize) canonicalize(u);
    compiled.pack(u, candidate, 0);
    store.insert(-1);
    for (let i = 0; ; i++) {
      if (i >= store.count) {
        insertGroup();
        if (i >= store.count) break;
      }
      if (i >= layerEnd) {
        insertGroup();
        context.depth++;
        layerEnd = store.count;
      }
      if ((i & (CHECK_INTERVAL - 1)) === 0 && i > 0 && !keepGoing(context, options, system.proposal, progress)) {
        return outcomeOf(context, 'incomplete');
      }
      store.readForExpansion(i, current);
      compiled.unpack(current, 0, s);

      if (independence !== undefined) {
        let handled: boolean | 'full' = false;
        let j = independence.nextIndependent(s, 0);
        if (j >= 0) {
          insertGroup();
          t.set(s);
        }
        for (; j >= 0 && handled === false; j = independence.nextIndependent(s, j + 1)) handled = expandAmple(i, independence.actorOf(j));
        if (handled === true) continue;
      }

      let count = expandState(s, current, batch, groupWords, out);
      let threadMoved = out[4] !== 0;
      if (count < 0) {
        // A step fails a check: the state is expanded again on the slow path, which records every
        // failing step and keeps the successors of the others.
        ({ count, threadMoved } = checker.expandRecording(context, i, s, batch, groupWords));
      } else {
        context.transitions += count;
      }
      if (canonicalize) canonicalizeBatch(groupWords, count);
      joinGroup(i, count);
      const v = checker.stateViolation(s, threadMoved);
      if (v) context.violations.record({ violation: v.violation, state: i, move: -1, deadlock: v.deadlock }, context.depth);
      if (context.violations.any && everyKindFound(context, checker, i, layerEnd)) {
        insertGroup();
        return outcomeOf(context, 'safe');
      }
      if (groupSize === groupLimit) insertGroup();
    }
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
  const checker = new Checker(compiled);
  const context: SearchContext = { started: performance.now(), store, transitions: 0, depth: 0, violations: new ViolationCollector(compiled) };
  const canonicalize = options.reduce ? makeCanonicalizer(system) : undefined;
  context.canonicalize = canonicalize;
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
            recordStep(context, compiled, i, cur, a, id, r);
            continue;
          }
          observer.transition(a, id, cur, next);
          storeNext(i);
        }
      }
      const v = checker.stateViolation(cur, anyThreadEnabled);
      if (v) context.violations.record({ violation: v.violation, state: i, move: -1, deadlock: v.deadlock }, context.depth);
      if (context.violations.any && everyKindFound(context, checker, i, layerEnd)) return outcomeOf(context, 'safe');
    }
    return outcomeOf(context, 'safe');
  } catch (error) {
    return budgetOutcome(context, error);
  }
}
