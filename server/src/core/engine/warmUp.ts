// Warms a model's generated state expansion with random walks before a long search relies on it.
//
// Each actor of a model is one generated function with a `switch` over its program points (see
// compile.ts). V8 optimises such a function as soon as it is hot, with type feedback only for the
// points the breadth-first search has reached so far; each time the search reaches a point it had
// not reached before, the optimised code has no feedback there, is thrown away (deoptimised) and is
// compiled again on one of V8's background threads. On the kref family that is about ten
// recompilations per thread, some 0.5 s of background CPU in a 3 s search (bench:jobs): free while
// the other core is idle, but taken from the second worker's search under `lifetime check --jobs 2`.
// A few hundred random walks from the initial state run most points and branches in a few tens of
// milliseconds, so the code is optimised once, with feedback nearly everywhere. The walks only call
// the generated functions on scratch buffers of their own: the search's states, order and results
// do not depend on them.

import type { CompiledSystem } from './compile';
import { initialState } from './ir';

/** Walks this many at most. */
const WARM_UP_WALKS = 256;
/** Expansions of all the walks together at most (about 40 ms before the code is optimised). */
const WARM_UP_STEPS = 20_000;
/** Steps of one walk at most (a model whose threads loop forever never ends a walk). */
const WARM_UP_WALK_STEPS = 2_000;

/** Runs random walks through `compiled.expandState`, seeded with a constant so that every run does the same. */
export function warmExpansion(compiled: CompiledSystem): void {
  const words = compiled.words;
  const initial = Int32Array.from(initialState(compiled.system));
  const s = new Int32Array(compiled.variableCount);
  const current = new Uint32Array(words);
  const batch = new Uint32Array(Math.max(1, compiled.maxSuccessors) * words);
  const out = new Int32Array(5);
  let seed = 0x2545f491;
  let steps = 0;
  for (let walk = 0; walk < WARM_UP_WALKS && steps < WARM_UP_STEPS; walk++) {
    s.set(initial);
    compiled.pack(s, current, 0);
    for (let step = 0; step < WARM_UP_WALK_STEPS && steps < WARM_UP_STEPS; step++) {
      steps++;
      const count = compiled.expandState(s, current, batch, 0, out);
      // The end of the walk: no successor, or a step that fails a check.
      if (count <= 0) break;
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const next = ((seed >>> 0) % count) * words;
      for (let w = 0; w < words; w++) current[w] = batch[next + w];
      compiled.unpack(current, 0, s);
    }
  }
}
