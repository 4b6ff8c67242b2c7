// What the sequential search (explore.ts) and the parallel layer expander share of a state: the
// actors' layout, the slow path of its expansion (every enabled step of every actor runs; a step
// that fails a check is handed to `failed`, a successor to `succeeded`), and its deadlock or leak.

import type { CompiledSystem } from './compile';

/** Where each actor keeps its program counter, where it ends, whether it is a thread, and the in-flight counters of the devices. */
export interface ActorLayout {
  compiled: CompiledSystem;
  pcVars: Int32Array;
  endPcs: Int32Array;
  isThread: Uint8Array;
  inflightVars: Int32Array;
}

export function actorLayout(compiled: CompiledSystem): ActorLayout {
  const actors = compiled.system.actors;
  return {
    compiled,
    pcVars: Int32Array.from(actors.map((a) => a.pcVar)),
    endPcs: Int32Array.from(actors.map((a) => a.endPc)),
    isThread: Uint8Array.from(actors.map((a) => (a.kind === 'thread' ? 1 : 0))),
    inflightVars: Int32Array.from(actors.filter((a) => a.device).map((a) => a.device!.inflightVar)),
  };
}

/** A search as the expansion needs it: its layout, and how to run one transition. */
export interface StepRunner extends ActorLayout {
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

/**
 * Deadlock or leak in state `s`, as a violation number; `anyThreadEnabled` given. Both are properties
 * of states where no thread can move: a handler with work queued can still run, so the end of the
 * scenario waits for it.
 */
export function stateViolation(layout: ActorLayout, s: Int32Array, anyThreadEnabled: boolean): { violation: number; deadlock: boolean } | undefined {
  if (anyThreadEnabled) return undefined;
  const leak = layout.compiled.leak(s);
  if (leak !== 0) return { violation: leak, deadlock: false };
  const { pcVars, isThread, endPcs, inflightVars } = layout;
  let finished = true;
  for (let a = 0; a < pcVars.length; a++) {
    if (isThread[a] && s[pcVars[a]] !== endPcs[a]) {
      finished = false;
      break;
    }
  }
  if (finished) return undefined;
  for (let k = 0; k < inflightVars.length; k++) if (s[inflightVars[k]] !== 0) return undefined;
  return { violation: 0, deadlock: true };
}
