// Breadth-first search over packed states, with partial-order and symmetry reduction.
//
// States are stored in the `StateStore` arena in breadth-first order, which is also the queue. A
// state is expanded by unpacking it into an Int32Array, running every enabled transition on a copy,
// canonicalising the successor (symmetry), packing it into the arena's scratch slot and inserting it.

import type { CancellationToken, EngineProgress } from './types';
import type { CompiledSystem } from './compile';
import { BudgetExceeded, StateStore } from './store';
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
  const started = performance.now();
  const system = compiled.system;
  const words = compiled.words;
  const store = new StateStore(words, compiled.hash, options.maxStates, options.maxMemoryBytes);
  const canonicalize = options.reduce ? makeCanonicalizer(system) : undefined;
  const n = compiled.variableCount;
  const cur = new Int32Array(n);
  const next = new Int32Array(n);
  const initial = Int32Array.from(initialState(system));
  const actors = compiled.actors;
  const actorCount = actors.length;
  const pcVars = Int32Array.from(system.actors.map((a) => a.pcVar));
  const endPcs = Int32Array.from(system.actors.map((a) => a.endPc));
  const isThread = Uint8Array.from(system.actors.map((a) => (a.kind === 'thread' ? 1 : 0)));
  const inflightVars = Int32Array.from(system.actors.filter((a) => a.device).map((a) => a.device!.inflightVar));
  const enabledActors = new Int32Array(actorCount);
  const observer = options.observer;
  const reduce = options.reduce;
  const ampleMoves = new Int32Array(256);
  let transitions = 0;
  let depth = 0;
  let layerEnd = 1;
  let reason: SearchOutcome['incompleteReason'];
  let found: FoundViolation | undefined;

  const outcome = (verdict: SearchOutcome['verdict']): SearchOutcome => ({
    verdict,
    incompleteReason: verdict === 'incomplete' ? reason : undefined,
    found,
    store,
    canonicalize,
    states: store.count,
    transitions,
    depth,
    ms: performance.now() - started,
  });

  /** Deadlock or leak in the state held in `cur`, as a violation number; `anyThreadEnabled` given. */
  const stateViolation = (anyThreadEnabled: boolean): { violation: number; deadlock: boolean } | undefined => {
    const leak = compiled.leak(cur);
    if (leak !== 0) return { violation: leak, deadlock: false };
    if (anyThreadEnabled) return undefined;
    let finished = true;
    for (let a = 0; a < actorCount; a++) {
      if (isThread[a] && cur[pcVars[a]] !== endPcs[a]) {
        finished = false;
        break;
      }
    }
    if (finished) return undefined;
    for (let k = 0; k < inflightVars.length; k++) if (cur[inflightVars[k]] !== 0) return undefined;
    return { violation: 0, deadlock: true };
  };

  const threadEnabled = (a: number): boolean => {
    const ids = actors[a].byPoint[cur[pcVars[a]]];
    const guards = actors[a].guards;
    for (let k = 0; k < ids.length; k++) {
      const guard = guards[ids[k]];
      if (guard === null || guard(cur)) {
        next.set(cur);
        if (actors[a].steps[ids[k]](next) !== -1) return true;
      }
    }
    return false;
  };

  /** After an op violation in layer `depth`, a state violation later in the same layer is shorter. */
  const shorterStateViolation = (from: number): FoundViolation | undefined => {
    for (let j = from; j < layerEnd && j < store.count; j++) {
      compiled.unpack(store.arena, j * words, cur);
      let any = false;
      for (let a = 0; a < actorCount && !any; a++) if (isThread[a] && threadEnabled(a)) any = true;
      const v = stateViolation(any);
      if (v) return { violation: v.violation, state: j, move: -1, deadlock: v.deadlock };
    }
    return undefined;
  };

  /** Runs one transition from `cur` into `next`; returns the step result. */
  const run = (a: number, id: number): number => {
    const guard = actors[a].guards[id];
    if (guard !== null && !guard(cur)) return -1;
    next.set(cur);
    return actors[a].steps[id](next);
  };

  const store_ = (parent: number, move: number): number => {
    if (canonicalize) canonicalize(next);
    compiled.pack(next, store.arena, store.scratchOffset);
    return store.insert(parent, move);
  };

  try {
    cur.set(initial);
    next.set(initial);
    store_(-1, -1);
    let lastCheck = performance.now();
    for (let i = 0; i < store.count; i++) {
      if (i >= layerEnd) {
        depth++;
        layerEnd = store.count;
      }
      if ((i & (CHECK_INTERVAL - 1)) === 0 && i > 0) {
        if (options.cancel?.isCancellationRequested) {
          reason = 'cancelled';
          return outcome('incomplete');
        }
        const now = performance.now();
        if (now - started > options.timeoutMs) {
          reason = 'time';
          return outcome('incomplete');
        }
        if (options.onProgress && now - lastCheck > 250) {
          lastCheck = now;
          options.onProgress({ proposal: system.proposal, states: store.count, depth, statesPerSecond: (store.count * 1000) / (now - started) });
        }
      }
      compiled.unpack(store.arena, i * words, cur);

      // Partial-order reduction: a thread whose every transition here touches only its own variables.
      if (reduce && !observer) {
        let handled = false;
        for (let a = 0; a < actorCount && !handled; a++) {
          if (!isThread[a]) continue;
          const pc = cur[pcVars[a]];
          if (actors[a].localPoint[pc] === 0) continue;
          const ids = actors[a].byPoint[pc];
          let count = 0;
          let allNew = true;
          let violation = 0;
          let violationMove = -1;
          for (let k = 0; k < ids.length && count < ampleMoves.length; k++) {
            const r = run(a, ids[k]);
            if (r === -1) continue;
            if (r > 0) {
              violation = r;
              violationMove = encodeMove(a, ids[k]);
              break;
            }
            if (canonicalize) canonicalize(next);
            compiled.pack(next, store.arena, store.scratchOffset);
            if (store.contains()) {
              allNew = false;
              break;
            }
            ampleMoves[count++] = ids[k];
          }
          if (violation > 0) {
            found = shorterStateViolation(i) ?? { violation, state: i, move: violationMove, deadlock: false };
            transitions++;
            return outcome('violation');
          }
          if (!allNew || count === 0) continue;
          for (let k = 0; k < count; k++) {
            run(a, ampleMoves[k]);
            transitions++;
            store_(i, encodeMove(a, ampleMoves[k]));
          }
          handled = true;
        }
        if (handled) continue;
      }

      let anyThreadEnabled = false;
      let enabledCount = 0;
      if (observer) {
        for (let a = 0; a < actorCount; a++) {
          const ids = actors[a].byPoint[cur[pcVars[a]]];
          for (let k = 0; k < ids.length; k++) {
            if (run(a, ids[k]) !== -1) {
              enabledActors[enabledCount++] = a;
              break;
            }
          }
        }
        observer.state(cur, enabledActors, enabledCount);
      }
      for (let a = 0; a < actorCount; a++) {
        const ids = actors[a].byPoint[cur[pcVars[a]]];
        for (let k = 0; k < ids.length; k++) {
          const id = ids[k];
          const r = run(a, id);
          if (r === -1) continue;
          transitions++;
          if (isThread[a]) anyThreadEnabled = true;
          if (r > 0) {
            found = shorterStateViolation(i) ?? { violation: r, state: i, move: encodeMove(a, id), deadlock: false };
            return outcome('violation');
          }
          if (observer) observer.transition(a, id, cur, next);
          store_(i, encodeMove(a, id));
        }
      }
      const v = stateViolation(anyThreadEnabled);
      if (v) {
        found = { violation: v.violation, state: i, move: -1, deadlock: v.deadlock };
        return outcome('violation');
      }
    }
    return outcome('safe');
  } catch (error) {
    if (error instanceof BudgetExceeded) {
      reason = error.reason;
      return outcome('incomplete');
    }
    if (error instanceof RangeError) {
      reason = 'memory';
      return outcome('incomplete');
    }
    throw error;
  }
}
