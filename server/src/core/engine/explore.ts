// Breadth-first search over packed states, with partial-order and symmetry reduction.
//
// States are stored in the `StateStore` arena in breadth-first order, which is also the queue. A
// state is expanded by unpacking it into an Int32Array, running every enabled transition on a copy,
// canonicalising the successor (symmetry), packing it into the arena's scratch slot and inserting it.

import type { CancellationToken, EngineProgress } from './types';
import type { CompiledSystem } from './compile';
import { BudgetExceeded, createStateStore, type StateStore } from './store';
import { AmpleSets, type AmpleStats } from './ample';
import { makeCanonicalizer, type Canonicalizer } from './symmetry';
import { initialState } from './ir';
import { stepViolations, ViolationCollector, type FoundViolation } from './violations';
import { warmExpansion } from './warmUp';
import { actorLayout, expandEveryStep, stateViolation } from './stepExpansion';

export type { FoundViolation };

export interface SearchOptions {
  /** Symmetry and partial-order reduction (see `partialOrder`). */
  reduce: boolean;
  /** With `reduce`: false keeps symmetry reduction alone. Default true. */
  partialOrder?: boolean;
  /** Diagnostics: counts why states were expanded in full (see `AmpleStats`). */
  ampleStats?: AmpleStats;
  /** Expands no state deeper than this (an exact search bounded by a known violation's depth). */
  maxDepth?: number;
  /**
   * With the partial-order reduction on: search without it first, up to this many states. A model
   * that small is settled before the reduction's set-up would pay for itself, and its traces are
   * already the shortest; a larger one is searched again with the reduction.
   */
  exactProbeStates?: number;
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
  /** States expanded through an ample set (0 when the partial-order reduction was off or gave up). */
  reducedExpansions: number;
  /** Whether the partial-order reduction found too little to pay for itself and the search went on exactly. */
  reductionAbandoned: boolean;
  /**
   * After a reduced search found a violation: the states of the exact search, bounded by the
   * reduced search's depth, that recovered the shortest traces (`store` is that search's store).
   */
  traceStates?: number;
}

const CHECK_INTERVAL = 1024;
/** A search that has stored this many states warms its expansion with random walks (warmUp.ts); a smaller one ends before that pays. */
const WARM_UP_AFTER_STATES = 20_000;
/** The most states whose successors are inserted together, and the most successors such a group may hold. */
const MAX_GROUP_STATES = 8;
const MAX_GROUP_SUCCESSORS = 512;
/** The most ample sets tried in one state when the cycle proviso rejects them. */
const MAX_AMPLE_ATTEMPTS = 4;

export function encodeMove(actor: number, transition: number): number {
  return actor * 65536 + transition;
}

export function moveActor(move: number): number {
  return Math.floor(move / 65536);
}

export function moveTransition(move: number): number {
  return move % 65536;
}

/**
 * The breadth-first search. With the partial-order reduction, a violation's trace in the reduced
 * graph may be longer than the shortest one: the traces are then recovered by an exact search
 * bounded by the reduced search's depth, which reaches every kind the reduced search found (each
 * kind's shortest trace is no longer than its reduced one) and stops at that depth.
 */
export function search(compiled: CompiledSystem, options: SearchOptions): SearchOutcome {
  if (options.observer) return observedSearch(compiled, options, options.observer);
  const started = performance.now();
  const probeStates = options.exactProbeStates ?? 0;
  if (options.reduce && options.partialOrder !== false && probeStates > 0 && options.maxDepth === undefined) {
    const probe = fastSearch(compiled, { ...options, partialOrder: false, maxStates: Math.min(probeStates, options.maxStates) });
    if (probe.incompleteReason !== 'states' || probeStates >= options.maxStates) return probe;
    options = { ...options, timeoutMs: options.timeoutMs - (performance.now() - started) };
  }
  const reduced = fastSearch(compiled, options);
  if (reduced.reducedExpansions === 0 || reduced.violations.length === 0) return reduced;
  const timeoutMs = options.timeoutMs - (performance.now() - started);
  const exact = fastSearch(compiled, { ...options, partialOrder: false, maxDepth: longestTrace(reduced), timeoutMs });
  // Without a budget to finish, the reduced search's traces stand: they are real, if not the shortest.
  if (exact.incompleteReason !== undefined && options.maxDepth === undefined) return reduced;
  return {
    ...exact,
    verdict: reduced.verdict,
    incompleteReason: reduced.incompleteReason,
    states: reduced.states,
    transitions: reduced.transitions,
    depth: exact.depth,
    ms: performance.now() - started,
    reducedExpansions: reduced.reducedExpansions,
    reductionAbandoned: reduced.reductionAbandoned,
    traceStates: exact.states,
  };
}

/**
 * The most steps of a violation's trace in `outcome` (the depth of its state, plus one for a failing
 * step). An exact search that expands every state to this depth finds each kind at its shortest,
 * which is never longer than the reduced search's trace of it.
 */
function longestTrace(outcome: SearchOutcome): number {
  let longest = 0;
  for (const found of outcome.violations) {
    let length = found.move >= 0 ? 1 : 0;
    for (let index = outcome.store.parentOf(found.state); index >= 0; index = outcome.store.parentOf(index)) length++;
    longest = Math.max(longest, length);
  }
  return longest;
}

/**
 * Whether the partial-order reduction pays: after a trial of `FIRST_REVIEW` states, and then at
 * every review, the share of states of the last period that an ample set expanded is measured, and
 * below `MIN_REDUCED_SHARE` the reduction stops (the rest of the search is exact). Choosing a set
 * costs a fraction of a full expansion, so a search that rarely finds one stays within a few
 * percent of the exact search.
 */
interface ReductionMonitor {
  active: boolean;
  abandoned: boolean;
  expanded: number;
  reduced: number;
  nextReview: number;
  reviewedExpanded: number;
  reviewedReduced: number;
}

const FIRST_REVIEW = 2048;
const MIN_REDUCED_SHARE = 0.1;

function newReductionMonitor(active: boolean): ReductionMonitor {
  return { active, abandoned: false, expanded: 0, reduced: 0, nextReview: FIRST_REVIEW, reviewedExpanded: 0, reviewedReduced: 0 };
}

function reviewReduction(monitor: ReductionMonitor): void {
  const share = (monitor.reduced - monitor.reviewedReduced) / Math.max(1, monitor.expanded - monitor.reviewedExpanded);
  if (share < MIN_REDUCED_SHARE) {
    monitor.active = false;
    monitor.abandoned = true;
  }
  monitor.reviewedExpanded = monitor.expanded;
  monitor.reviewedReduced = monitor.reduced;
  monitor.nextReview = monitor.expanded * 4;
}

interface SearchContext {
  started: number;
  store: StateStore;
  canonicalize?: Canonicalizer;
  transitions: number;
  depth: number;
  reason?: SearchOutcome['incompleteReason'];
  violations: ViolationCollector;
  reduction?: ReductionMonitor;
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
    reducedExpansions: context.reduction?.reduced ?? 0,
    reductionAbandoned: context.reduction?.abandoned ?? false,
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
  /** A stored state is read here before it is unpacked. */
  readonly packed: Uint32Array;

  constructor(readonly compiled: CompiledSystem) {
    this.packed = new Uint32Array(compiled.words);
    this.cur = new Int32Array(compiled.variableCount);
    this.next = new Int32Array(compiled.variableCount);
    ({ pcVars: this.pcVars, endPcs: this.endPcs, isThread: this.isThread, inflightVars: this.inflightVars } = actorLayout(compiled));
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

  /** Deadlock or leak in the state held in `s` (see `stateViolation()` of stepExpansion.ts). */
  stateViolation(s: Int32Array, anyThreadEnabled: boolean): { violation: number; deadlock: boolean } | undefined {
    return stateViolation(this, s, anyThreadEnabled);
  }

  /** Records the deadlocks and leaks of the stored states `from .. layerEnd - 1` (the rest of a layer). */
  recordStateViolations(context: SearchContext, from: number, layerEnd: number): void {
    const store = context.store;
    for (let j = from; j < layerEnd && j < store.count; j++) {
      store.read(j, this.packed);
      this.compiled.unpack(this.packed, 0, this.cur);
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
    const { compiled, cur, next } = this;
    cur.set(s);
    let count = 0;
    const { transitions, threadMoved } = expandEveryStep(
      this,
      cur,
      (a, id, r) => recordStep(context, compiled, i, cur, a, id, r),
      () => compiled.pack(next, batch, start + count++ * compiled.words),
    );
    context.transitions += transitions;
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

/** The state store, the checker and the context a search starts with, and its canonicalizer when reductions are on. */
function startSearch(compiled: CompiledSystem, options: SearchOptions): { store: StateStore; checker: Checker; context: SearchContext; canonicalize: Canonicalizer | undefined } {
  const store = createStateStore(compiled.words, compiled.lastWordTopBitFree, compiled.hash, options.maxStates, options.maxMemoryBytes, options.store);
  const context: SearchContext = { started: performance.now(), store, transitions: 0, depth: 0, violations: new ViolationCollector(compiled) };
  const canonicalize = options.reduce ? makeCanonicalizer(compiled.system) : undefined;
  context.canonicalize = canonicalize;
  return { store, checker: new Checker(compiled), context, canonicalize };
}

/**
 * The search without an observer: the generated `expandState` writes every successor of a state,
 * packed, into a batch, and the batch of a group of states is then inserted at once.
 *
 * Partial-order reduction (when `reduce`): a state may be expanded through an ample set (ample.ts),
 * a set of actors whose transitions are independent of everything the others can still do, subject
 * to the cycle proviso.
 */
function fastSearch(compiled: CompiledSystem, options: SearchOptions): SearchOutcome {
  const system = compiled.system;
  const words = compiled.words;
  const { store, checker, context, canonicalize } = startSearch(compiled, options);
  const n = compiled.variableCount;
  const s = new Int32Array(n);
  const t = new Int32Array(n);
  const u = new Int32Array(n);
  const current = new Uint32Array(words);
  const candidate = store.candidate;
  const out = new Int32Array(5);
  const actors = compiled.actors;
  const { pcVars } = checker;
  const ample = options.reduce && options.partialOrder !== false ? new AmpleSets(compiled, options.ampleStats) : undefined;
  const reduction = newReductionMonitor(ample !== undefined);
  context.reduction = reduction;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
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

  // The reduced expansion writes the successors of the chosen ample set into the group's batch,
  // like the full one. `emit` receives each successor of a member's transition, in `t` unpacked
  // and in `scratch` packed.
  const scratch = new Uint32Array(words);
  let emitAt = 0;
  let threadSuccessors = 0;
  const emit = (actor: number, transition: number): boolean => {
    if (canonicalize) {
      u.set(t);
      canonicalize(u);
      compiled.pack(u, batch, emitAt);
    } else {
      batch.set(scratch, emitAt);
    }
    if (checkProviso) {
      if (ample!.onCycle[actor][transition] === 0) leavesComponent = true;
      else if (!provisoHit && !leavesComponent) {
        for (let w = 0; w < words; w++) candidate[w] = batch[emitAt + w];
        provisoHit = store.contains();
      }
    }
    if (checker.isThread[actor]) threadSuccessors++;
    emitAt += words;
    return true;
  };
  // The cycle proviso (ample.ts): met by a step that leaves its component, else every step must lead to a new state.
  let checkProviso = false;
  let leavesComponent = false;
  let provisoHit = false;

  /** Runs the transitions of the chosen ample set into the batch. */
  const expandAmple = (): 'done' | 'proviso' | 'failing' | 'full' => {
    checkProviso = ample!.needsProviso;
    leavesComponent = false;
    provisoHit = false;
    if (checkProviso) insertGroup();
    t.set(s);
    emitAt = groupWords;
    threadSuccessors = 0;
    for (let k = 0; k < ample!.memberCount; k++) {
      const a = ample!.members[k];
      const expand = actors[a].expand[s[pcVars[a]]];
      if (expand === null) continue;
      const r = expand(s, t, current, scratch, emit, out);
      if (r < 0) return 'failing';
    }
    if (provisoHit && !leavesComponent) return 'proviso';
    return emitAt === groupWords || (threadSuccessors === 0 && !ample!.completionSeeded) ? 'full' : 'done';
  };

  /**
   * Expands state `i` (unpacked in `s`) through an ample set; returns false when the state must be
   * expanded in full: no ample set leaves anything out, a step fails a check (the full expansion
   * records it), or the cycle proviso rejects every set tried (up to `MAX_AMPLE_ATTEMPTS`).
   */
  const expandReduced = (i: number): boolean => {
    const stats = ample!.stats;
    for (let attempt = 0; ; attempt++) {
      if (attempt === MAX_AMPLE_ATTEMPTS || !ample!.choose(s, attempt > 0)) {
        if (stats && attempt > 0) stats.proviso++;
        return false;
      }
      const r = expandAmple();
      if (r === 'proviso') continue;
      if (r !== 'done') {
        if (stats) stats[r === 'failing' ? 'failingStep' : 'noThreadSuccessor']++;
        return false;
      }
      break;
    }
    if (stats) stats.reduced++;
    const count = (emitAt - groupWords) / words;
    context.transitions += count;
    joinGroup(i, count);
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
    let warmed = false;
    for (let i = 0; ; i++) {
      if (i >= store.count) {
        insertGroup();
        if (i >= store.count) break;
      }
      if (i >= layerEnd) {
        insertGroup();
        if (context.depth === maxDepth) break;
        context.depth++;
        layerEnd = store.count;
        // A search this large is worth optimising its expansion once instead of again and again (warmUp.ts).
        if (!warmed && layerEnd >= WARM_UP_AFTER_STATES) {
          warmed = true;
          warmExpansion(compiled);
        }
      }
      if ((i & (CHECK_INTERVAL - 1)) === 0 && i > 0 && !keepGoing(context, options, system.proposal, progress)) {
        return outcomeOf(context, 'incomplete');
      }
      store.readForExpansion(i, current);
      compiled.unpack(current, 0, s);

      if (reduction.active) {
        if (++reduction.expanded >= reduction.nextReview) reviewReduction(reduction);
        if (reduction.active && expandReduced(i)) {
          reduction.reduced++;
          if (groupSize === groupLimit) insertGroup();
          continue;
        }
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
  const { store, checker, context, canonicalize } = startSearch(compiled, options);
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
      store.read(i, checker.packed);
      compiled.unpack(checker.packed, 0, cur);
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
