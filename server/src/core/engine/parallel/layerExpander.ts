// One search thread's share of a layer: it takes runs of consecutive states of the current layer
// from the shared cursor, expands each state with the compiled system's generated `expandState`,
// and inserts the successors into the shared table. Failing steps, deadlocks and leaks are recorded
// exactly as the sequential search records them (explore.ts): a failing step of a state at depth
// `d` makes a trace of `d + 1` steps, a deadlock or leak in it one of `d` steps.

import type { CompiledSystem } from '../compile';
import { encodeMove } from '../explore';
import { stepViolations, type FoundViolation } from '../violations';
import { actorLayout, expandEveryStep, stateViolation, type StepRunner } from '../stepExpansion';
import { Control, Stop, type SharedStates } from './sharedStates';

/** A violation a thread found, with the length of its trace. */
export interface ThreadViolation {
  found: FoundViolation;
  length: number;
}

/** What a thread reports when it has no more of the layer to take. */
export interface LayerReport {
  transitions: number;
  violations: ThreadViolation[];
}

export class LayerExpander {
  private readonly words: number;
  private readonly s: Int32Array;
  private readonly next: Int32Array;
  private readonly current: Uint32Array;
  private readonly batch: Uint32Array;
  private readonly out = new Int32Array(5);
  private readonly pcVars: Int32Array;
  private readonly isThread: Uint8Array;
  /** This expander as the slow path's step runner. */
  private readonly runner: StepRunner;
  /** Per violation key (its kind): the shortest found, the first among equals in state order. */
  private found = new Map<string, ThreadViolation>();
  private transitions = 0;

  constructor(
    private readonly compiled: CompiledSystem,
    private readonly states: SharedStates,
  ) {
    this.words = compiled.words;
    this.s = new Int32Array(compiled.variableCount);
    this.next = new Int32Array(compiled.variableCount);
    this.current = new Uint32Array(compiled.words);
    this.batch = new Uint32Array(compiled.maxSuccessors * compiled.words);
    this.runner = { ...actorLayout(compiled), run: (a, id) => this.run(a, id) };
    ({ pcVars: this.pcVars, isThread: this.isThread } = this.runner);
    states.reserveBatch(compiled.maxSuccessors);
  }

  /**
   * Expands states of the layer ending before `layerEnd`, at depth `depth`, `run` at a time, until
   * the layer is taken, a stop is asked for, or the table or arena asks for a pause.
   */
  expandLayer(layerEnd: number, depth: number, run: number): LayerReport {
    const control = this.states.control;
    this.transitions = 0;
    this.found = new Map();
    for (;;) {
      if (Atomics.load(control, Control.stop) !== Stop.none) break;
      if (Atomics.load(control, Control.count) >= Atomics.load(control, Control.pauseAt)) break;
      const first = Atomics.add(control, Control.cursor, run);
      if (first >= layerEnd) break;
      const last = Math.min(layerEnd, first + run);
      for (let i = first; i < last; i++) {
        if (!this.expandOne(i, depth)) {
          Atomics.store(control, Control.stop, Stop.states);
          break;
        }
      }
    }
    return { transitions: this.transitions, violations: [...this.found.values()] };
  }

  /** Expands state `i`; false when a successor was refused for the state budget. */
  private expandOne(i: number, depth: number): boolean {
    const { compiled, states, s, current, batch, out } = this;
    states.read(i, current);
    compiled.unpack(current, 0, s);
    let count = compiled.expandState(s, current, batch, 0, out);
    let threadMoved = out[4] !== 0;
    if (count < 0) ({ count, threadMoved } = this.expandRecording(i, depth));
    else this.transitions += count;
    const stored = states.insertBatch(batch, count, i);
    const violation = stateViolation(this.runner, this.s, threadMoved);
    if (violation) this.record({ violation: violation.violation, state: i, move: -1, deadlock: violation.deadlock }, depth);
    return stored;
  }

  private record(found: FoundViolation, length: number): void {
    const kind = found.deadlock ? 'deadlock' : this.compiled.violations[found.violation - 1].kind;
    const known = this.found.get(kind);
    if (known === undefined || length < known.length || (length === known.length && found.state < known.found.state)) this.found.set(kind, { found, length });
  }

  /** Runs transition `id` of actor `a` from `s` into `next`: -1 when disabled, else the step result. */
  private run(a: number, id: number): number {
    const actor = this.compiled.actors[a];
    const guard = actor.guards[id];
    if (guard !== null && !guard(this.s)) return -1;
    this.next.set(this.s);
    return actor.steps[id](this.next);
  }

  /**
   * The slow path of a state one of whose steps fails a check: every failing step is recorded and
   * the successors of the others are packed into the batch.
   */
  private expandRecording(i: number, depth: number): { count: number; threadMoved: boolean } {
    const { compiled, s, next } = this;
    let count = 0;
    const { transitions, threadMoved } = expandEveryStep(
      this.runner,
      s,
      (a, id, r) => {
        for (const violation of stepViolations(compiled, a, id, s, r)) this.record({ violation, state: i, move: encodeMove(a, id), deadlock: false }, depth + 1);
      },
      () => compiled.pack(next, this.batch, count++ * this.words),
    );
    this.transitions += transitions;
    return { count, threadMoved };
  }

}

/** Enters the states the cursor hands out, `run` at a time, below `count`, into the grown table `target`. */
export function rehashShare(states: SharedStates, target: Int32Array, count: number, run: number): void {
  const control = states.control;
  for (;;) {
    const first = Atomics.add(control, Control.cursor, run);
    if (first >= count) return;
    states.rehashInto(target, first, Math.min(count, first + run));
  }
}
