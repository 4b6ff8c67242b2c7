// Quick engine throughput check on the kref-style family (no SPIN): prints states, states/s and
// bytes/state for a few sizes, exact and with reductions. Run: node out/bench/engine-quick.js
//
// `states/s` is states per second of wall-clock time; `states/cpu-s` divides by the CPU time the
// process used instead, which is steadier on a shared machine. `bytes/state` is the store's size
// at the end; `peak` is the worst figure seen right after the arena or the hash table grew.
// Set BENCH_SIZES=4x3,5x3 to choose sizes and BENCH_SYMMETRIC=1 for `thread worker[N]`.
import { parse } from '../server/src/core/syntax/parser';
import { lowerModel } from '../server/src/core/engine/lower/index';
import { compileSystem } from '../server/src/core/engine/compile';
import { search } from '../server/src/core/engine/explore';
import { krefFamily } from '../test/fixtures/engine/kref-family';

function sizes(): [number, number][] {
  const spec = process.env.BENCH_SIZES;
  if (!spec) {
    return [
      [2, 2],
      [3, 2],
      [3, 3],
      [4, 3],
    ];
  }
  return spec.split(',').map((part) => {
    const match = /^(\d+)x(\d+)$/.exec(part.trim());
    if (!match) throw new Error(`BENCH_SIZES: \`${part}\` is not THREADSxITERATIONS, e.g. 4x3`);
    return [Number(match[1]), Number(match[2])];
  });
}

const symmetric = process.env.BENCH_SYMMETRIC === '1';
console.log('threads x iterations | mode    | verdict | states     | states/s   | states/cpu-s | bytes/state | peak  | ms');
for (const [threads, iterations] of sizes()) {
  const file = parse(krefFamily(threads, iterations, { symmetric })).file;
  const compiled = compileSystem(lowerModel(file, 'baseline').system);
  for (const reduce of [false, true]) {
    const cpuBefore = process.cpuUsage();
    const outcome = search(compiled, { reduce, maxStates: 50_000_000, maxMemoryBytes: 2 ** 31, timeoutMs: 120_000 });
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const perSecond = Math.round((outcome.states * 1000) / outcome.ms);
    const perCpuSecond = Math.round(outcome.states / cpuSeconds);
    const bytes = (outcome.store.bytes / outcome.states).toFixed(1);
    const peak = outcome.store.peakBytesPerState > 0 ? outcome.store.peakBytesPerState.toFixed(1) : '-';
    console.log(
      `${`${threads} x ${iterations}`.padEnd(20)} | ${(reduce ? 'reduced' : 'exact').padEnd(7)} | ${outcome.verdict.padEnd(7)} | ${String(outcome.states).padEnd(10)} | ${String(perSecond).padEnd(10)} | ${String(perCpuSecond).padEnd(12)} | ${bytes.padEnd(11)} | ${peak.padEnd(5)} | ${outcome.ms.toFixed(0)}`,
    );
  }
}
