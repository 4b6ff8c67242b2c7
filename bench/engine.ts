// The engine benchmark: the kref lookup family (bench/family.ts) at growing sizes, checked by this
// engine and by SPIN (`spin -a`, `gcc -O2`, `./pan`, with and without partial-order reduction) on
// the exported Promela model, in the same run.
//
// Time to verdict counts everything from the `.lifetime` text to the verdict: for the engine
// parsing, lowering, compiling and searching; for SPIN `spin -a`, gcc and pan. Raw search counts
// the search alone. Ratios are engine / SPIN with partial-order reduction (SPIN's default): below 1
// the engine is faster. BENCH_SIZES=WxK,WxK,... picks other sizes; BENCH_SPIN=off measures the
// engine alone.

import { familyLabel, familyModel, type FamilySize } from './family';
import { parse } from '../server/src/core/syntax/parser';
import { lowerModel } from '../server/src/core/engine/lower/index';
import { compileSystem } from '../server/src/core/engine/compile';
import { search } from '../server/src/core/engine/explore';
import { exportPromela } from '../server/src/core/engine/promela';
import { runSpin, spinUnavailableReason, type SpinRun } from '../test/engine/spin-runner';

const DEFAULT_SIZES: FamilySize[] = [
  { workers: 2, iterations: 1 },
  { workers: 3, iterations: 1 },
  { workers: 4, iterations: 1 },
  { workers: 4, iterations: 2 },
  { workers: 5, iterations: 1 },
  { workers: 5, iterations: 2 },
  { workers: 5, iterations: 2, extra: 3 },
];

interface EngineFigures {
  verdict: string;
  states: number;
  searchMs: number;
  totalMs: number;
  bytes: number;
}

interface SpinFigures {
  verdict: string;
  states: number;
  searchMs: number;
  totalMs: number;
  bytes: number;
}

function parseSizes(spec: string | undefined): FamilySize[] {
  if (!spec) return DEFAULT_SIZES;
  const sizes = spec.split(',').map((part) => {
    const match = /^(\d+)x(\d+)(?:\+(\d+))?$/.exec(part.trim());
    if (!match) throw new Error(`BENCH_SIZES: \`${part}\` is not WORKERSxITERATIONS[+EXTRA], e.g. 4x2 or 5x2+2`);
    return { workers: Number(match[1]), iterations: Number(match[2]), extra: Number(match[3] ?? 0) };
  });
  return sizes;
}

function runEngine(text: string): EngineFigures {
  const started = performance.now();
  const parsed = parse(text);
  const lowered = lowerModel(parsed.file, 'baseline');
  if (!lowered.complete) throw new Error(`the family did not lower: ${lowered.diagnostics.map((d) => d.message).join('; ')}`);
  const compiled = compileSystem(lowered.system);
  const searchStarted = performance.now();
  const outcome = search(compiled, {
    reduce: true,
    maxStates: Number.MAX_SAFE_INTEGER,
    maxMemoryBytes: 8 * 1024 ** 3,
    timeoutMs: Number.POSITIVE_INFINITY,
  });
  const ended = performance.now();
  return {
    verdict: outcome.verdict,
    states: outcome.states,
    searchMs: ended - searchStarted,
    totalMs: ended - started,
    bytes: outcome.store.bytes,
  };
}

function hashBitsFor(states: number): number {
  return Math.min(28, Math.max(18, Math.ceil(Math.log2(Math.max(1, states) * 1.5))));
}

async function runPan(promela: string, partialOrder: boolean, expectedStates: number): Promise<SpinFigures> {
  const run: SpinRun = await runSpin(promela, {
    search: 'dfs',
    partialOrder,
    optimize: '-O2',
    hashBits: hashBitsFor(expectedStates),
    memoryLimitMb: 16 * 1024,
    timeoutMs: 10 * 60_000,
  });
  const pan = run.pan;
  const states = pan.states ?? 0;
  return {
    verdict: pan.verdict === 'violation' ? `${pan.kind}` : pan.verdict === 'unknown' ? `unknown (${pan.problem})` : pan.verdict,
    states,
    searchMs: run.panMs,
    totalMs: run.spinMs + run.gccMs + run.panMs,
    bytes: (pan.memoryMegabytes ?? 0) * 1024 * 1024,
  };
}

function fixed(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function perSecond(states: number, ms: number): string {
  return ms > 0 ? fixed((states / ms) * 1000) : '-';
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
}

async function main(): Promise<void> {
  const sizes = parseSizes(process.env.BENCH_SIZES);
  const unavailable = process.env.BENCH_SPIN === 'off' ? 'BENCH_SPIN=off' : spinUnavailableReason();
  if (unavailable) console.log(`SPIN columns are empty: ${unavailable}`);
  const widths = [6, 18, 11, 12, 10, 10, 10];
  console.log(row(['size', 'checker', 'states', 'states/s', 'bytes/st', 'search s', 'verdict s'], widths));

  let last: { engine: EngineFigures; spin?: SpinFigures } | undefined;
  for (const size of sizes) {
    const text = familyModel(size);
    const label = familyLabel(size);
    const engine = runEngine(text);
    const lines: [string, { verdict: string; states: number; searchMs: number; totalMs: number; bytes: number }][] = [['engine', engine]];
    let spinPor: SpinFigures | undefined;
    let spinFull: SpinFigures | undefined;
    if (!unavailable) {
      const lowered = lowerModel(parse(text).file, 'baseline');
      const promela = exportPromela(lowered.system);
      spinPor = await runPan(promela, true, engine.states);
      spinFull = await runPan(promela, false, engine.states);
      lines.push(['spin (POR)', spinPor], ['spin (-DNOREDUCE)', spinFull]);
    }
    for (const [name, f] of lines) {
      const cells = [
        label,
        `${name}${f.verdict === 'safe' ? '' : ` [${f.verdict}]`}`,
        String(f.states),
        perSecond(f.states, f.searchMs),
        f.states > 0 ? fixed(f.bytes / f.states, 1) : '-',
        fixed(f.searchMs / 1000, 3),
        fixed(f.totalMs / 1000, 3),
      ];
      console.log(row(cells, widths));
    }
    if (spinPor && spinFull) {
      const ratios = (spin: SpinFigures): string =>
        `time to verdict ${fixed(engine.totalMs / spin.totalMs, 2)}x, raw search ${fixed(engine.searchMs / spin.searchMs, 2)}x`;
      console.log(`${label.padEnd(widths[0])}  engine/SPIN(POR): ${ratios(spinPor)}; engine/SPIN(-DNOREDUCE): ${ratios(spinFull)}`);
    }
    last = { engine, spin: spinPor };
  }
  if (!last) return;
  const { engine, spin } = last;
  const ratio = spin ? `${fixed(engine.totalMs / spin.totalMs, 2)}x` : 'n/a';
  console.log(
    `engine: ${fixed(perSecond(engine.states, engine.searchMs) === '-' ? 0 : (engine.states / engine.searchMs) * 1000)} states/s, ${fixed(engine.bytes / Math.max(1, engine.states), 1)} bytes/state, time-to-verdict vs SPIN ${ratio}`,
  );
}

main().catch((error: unknown) => {
  console.error(`bench:engine failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
