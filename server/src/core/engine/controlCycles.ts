// Facts about the actors' control graphs that the partial-order reduction (ample.ts) reads: which
// transitions lie on cycles, and which variables a guard reads.

import type { Actor, Expr, Op } from './ir';

function collectGotos(ops: Op[], into: Set<number>): void {
  for (const op of ops) {
    if (op.k === 'goto') into.add(op.pc);
    else if (op.k === 'if') {
      collectGotos(op.then, into);
      collectGotos(op.else, into);
    }
  }
}

/** The variables `e` reads, into `into`. */
export function guardVariables(e: Expr | undefined, into: number[] = []): number[] {
  if (e === undefined || e.k === 'const') return into;
  if (e.k === 'var') into.push(e.v);
  else if (e.k === 'not') guardVariables(e.e, into);
  else {
    guardVariables(e.l, into);
    guardVariables(e.r, into);
  }
  return into;
}

/** Per transition id of `actor`: 1 when its source and one of its targets share a strongly connected component. */
export function transitionsOnCycles(actor: Actor): Uint8Array {
  const points = actor.points.length;
  const successors: number[][] = actor.points.map(() => []);
  const targets = actor.transitions.map((t) => {
    const set = new Set<number>([t.next]);
    collectGotos(t.ops, set);
    return [...set].filter((p) => p >= 0 && p < points);
  });
  actor.transitions.forEach((t, id) => successors[t.from].push(...targets[id]));
  // Tarjan's algorithm, iterative.
  const index = new Int32Array(points).fill(-1);
  const low = new Int32Array(points);
  const component = new Int32Array(points).fill(-1);
  const onStack = new Uint8Array(points);
  const stack: number[] = [];
  let counter = 0;
  let components = 0;
  for (let root = 0; root < points; root++) {
    if (index[root] >= 0) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [v, k] = frame;
      if (k < successors[v].length) {
        frame[1]++;
        const w = successors[v][k];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length > 0) low[work[work.length - 1][0]] = Math.min(low[work[work.length - 1][0]], low[v]);
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component[w] = components;
        } while (w !== v);
        components++;
      }
    }
  }
  return Uint8Array.from(actor.transitions, (t, id) => (targets[id].some((p) => component[p] === component[t.from]) ? 1 : 0));
}
