// Quick engine throughput check on the kref-style family (no SPIN): prints states, states/s and
// bytes/state for a few sizes, exact and with reductions. Run: node out/bench/engine-quick.js
import { parse } from '../server/src/core/syntax/parser';
import { lowerModel } from '../server/src/core/engine/lower';
import { compileSystem } from '../server/src/core/engine/compile';
import { search } from '../server/src/core/engine/explore';
import { krefFamily } from '../test/fixtures/engine/kref-family';

const sizes: [number, number][] = [
  [2, 2],
  [3, 2],
  [3, 3],
  [4, 3],
];

console.log('threads x iterations | mode    | verdict | states     | states/s   | bytes/state | ms');
for (const [threads, iterations] of sizes) {
  const file = parse(krefFamily(threads, iterations, { symmetric: false })).file;
  const compiled = compileSystem(lowerModel(file, 'baseline').system);
  for (const reduce of [false, true]) {
    const outcome = search(compiled, { reduce, maxStates: 50_000_000, maxMemoryBytes: 2 ** 31, timeoutMs: 120_000 });
    const perSecond = Math.round((outcome.states * 1000) / outcome.ms);
    const bytes = (outcome.store.bytes / outcome.states).toFixed(1);
    console.log(
      `${`${threads} x ${iterations}`.padEnd(20)} | ${(reduce ? 'reduced' : 'exact').padEnd(7)} | ${outcome.verdict.padEnd(7)} | ${String(outcome.states).padEnd(10)} | ${String(perSecond).padEnd(10)} | ${bytes.padEnd(11)} | ${outcome.ms.toFixed(0)}`,
    );
  }
}
