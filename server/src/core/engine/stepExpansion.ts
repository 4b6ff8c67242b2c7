// The slow path of a state's expansion, shared by the sequential search (explore.ts) and the
// parallel layer expander: every enabled step of every actor runs; a step that fails a check is
// handed to `failed`, a successor to `succeeded`.

import type { CompiledSystem } from './compile';

/** What the expansion needs of a search: its compiled system, each actor's program counter and whether it is a thread, and how to run one transition. */
export interface StepRunner {
  compiled: CompiledSystem;
  pcVars: Int32Array;
  isThread: Uint8Array;
  /** Runs transition `id` of actor `actor` from the current state: -1 when disabled, else the step's result (above 0 when a check failed). */
  run: (actor: number, id: number) => number;
}

/** Expands `state` (the runner's current state) step by step; returns the enabled steps and whether a thread could move. */
export function expandEveryStep(runner: StepRunner, state: Int32Array, failed: (actor: number, id: number, result: number) => void, succeeded: () => void): { transitions: number; threadMoved: boolean } {
  const { compiled, pcVars, isThread } = runner;
  let transitions = 0;
  let threadMoved = false;
  for (let a = 0; a < pcVars.length; a++) {
    const ids = compiled.actors[a].byPoint[state[pcVars[a]]];
    for (let k = 0; k < ids.length; k++) {
      const r = runner.run(a, ids[k]);
      if (r === -1) continue;
      transitions++;
      if (isThread[a]) threadMoved = true;
      if (r > 0) failed(a, ids[k], r);
      else succeeded();
    }
  }
  return { transitions, threadMoved };
}
