// The engine benchmark, one command: `npm run bench:engine`. Three tables, SPIN measured in the
// same run wherever it is installed.
//
// 1. The kref lookup family (bench/family.ts) at growing sizes: the engine (reduced and `--exact`)
//    against SPIN on the exported model, breadth-first (`-DBFS`, the fair comparison for shortest
//    traces) and depth-first. The export keeps SPIN's partial-order reduction from acting (its
//    program counters and error flag are globals every guard reads), so no SPIN POR column appears
//    there. CPU and wall time are medians of BENCH_REPEATS runs (default 3), from the model text to
//    the verdict (SPIN: spin -a, gcc and pan; its search CPU alone is in brackets). Memory is peak
//    RSS per stored state (the engine runs in a process of its own; pan under /usr/bin/time).
// 2. The same scenario written by hand in idiomatic Promela (bench/kref.pml), so that SPIN's
//    reduction is active: SPIN with and without POR, and the engine exact and reduced, by stored states.
// 3. The reduction table: K independent copies (bench/copies.ts) of a safe proposal of each gallery
//    model, exact against reduced. Exact runs only up to BENCH_EXACT_LIMIT states (default 3 M);
//    beyond, the exact count is n^K, from one copy's exact search (copies are independent and the
//    search explores a safe model whole), marked `=`. SPIN's POR column shows whether its reduction
//    acts on the export: on it, POR and -DNOREDUCE store the same states.
//
// After the table, one model where the reduction gains nothing (every step conflicts): the CPU of
// the reduced search against `--exact`, medians of BENCH_REPEATS runs.
//
// BENCH_SIZES=WxK,... picks the family sizes, BENCH_COPIES=3,4,5 the copies, BENCH_SPIN=off leaves SPIN out.

import { DEFAULT_BUDGETS } from '../server/src/core/engine/budgets';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { familyLabel, familyModel, type FamilySize } from './family';
import { parse } from '../server/src/core/syntax/parser';
import { lowerModel } from '../server/src/core/engine/lower/index';
import { exportPromela } from '../server/src/core/engine/promela';
import { spinUnavailableReason } from '../test/engine/spin-runner';
import { independentCopies } from './copies';
import { hashBitsFor, measureEngine, measureSpin, type Figures } from './measure';

const DEFAULT_SIZES: FamilySize[] = [
  { workers: 3, iterations: 1 },
  { workers: 4, iterations: 1 },
  { workers: 4, iterations: 2 },
  { workers: 5, iterations: 1 },
  { workers: 5, iterations: 2 },
];

/** Per gallery model, the safe proposal whose copies the reduction table measures. */
export const GALLERY: [string, string][] = [
  ['iommu-release-device-ordering', 'list_del_init_locked'],
  ['iommu-sva-release-vs-dma', 'invalidate_all'],
  ['p2pdma-devdax-unbind-refcount', 'normal_refcount'],
  ['pasid-freed-at-mm-exit', 'quiesce_at_exit'],
  ['vfio-dma-unmap-vaddr-deadlock', 'sticky_close'],
];

/** The reduced search's budget in the reduction table: beyond it the row says `incomplete`. */
const REDUCED_LIMIT = 5_000_000;

function parseSizes(spec: string | undefined): FamilySize[] {
  if (!spec) return DEFAULT_SIZES;
  return spec.split(',').map((part) => {
    const match = /^(\d+)x(\d+)(?:\+(\d+))?$/.exec(part.trim());
    if (!match) throw new Error(`BENCH_SIZES: \`${part}\` is not WORKERSxITERATIONS[+EXTRA], e.g. 4x2 or 5x2+2`);
    return { workers: Number(match[1]), iterations: Number(match[2]), extra: Number(match[3] ?? 0) };
  });
}

function positiveIntegers(name: string, spec: string | undefined, fallback: number[]): number[] {
  if (!spec) return fallback;
  return spec.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: \`${part}\` is not a positive integer`);
    return value;
  });
}

function fixed(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
}

function figuresRow(label: string, checker: string, f: Figures, widths: number[]): string {
  const verdict = f.verdict === 'safe' ? '' : ` [${f.verdict}]`;
  const search = f.searchCpuMs !== f.cpuMs ? ` (${fixed(f.searchCpuMs / 1000, 2)})` : '';
  return row([label, `${checker}${verdict}`, String(f.states), `${fixed(f.cpuMs / 1000, 2)}${search}`, fixed(f.wallMs / 1000, 2), f.states > 0 ? fixed(f.rssBytes / f.states, 1) : '-'], widths);
}

function familyTable(repeats: number, spin: boolean): void {
  console.log('\n== kref family: time to verdict (medians), RSS bytes/state ==');
  const widths = [6, 26, 10, 16, 9, 11];
  console.log(row(['size', 'checker', 'states', 'cpu s (search)', 'wall s', 'RSS B/st'], widths));
  for (const size of parseSizes(process.env.BENCH_SIZES)) {
    const text = familyModel(size);
    const label = familyLabel(size);
    // The CLI's default budgets, as a user runs `lifetime check`: every size here fits them, and
    // they choose the inline store. Past 16.7 M states the segmented store runs (bench:scale).
    const job = { text, proposal: 'baseline', copies: 1, maxStates: DEFAULT_BUDGETS.maxStates, maxMemoryBytes: DEFAULT_BUDGETS.maxMemoryBytes };
    const reduced = measureEngine({ ...job, exact: false }, repeats);
    const exact = measureEngine({ ...job, exact: true }, repeats);
    console.log(figuresRow(label, 'engine', reduced, widths));
    console.log(figuresRow(label, 'engine --exact', exact, widths));
    if (!spin) continue;
    const promela = exportPromela(lowerModel(parse(text).file, 'baseline').system);
    const hashBits = hashBitsFor(exact.states);
    const bfs = measureSpin(promela, { bfs: true, partialOrder: true, hashBits }, repeats);
    const dfs = measureSpin(promela, { bfs: false, partialOrder: true, hashBits }, repeats);
    console.log(figuresRow(label, 'SPIN -DBFS (export)', bfs, widths));
    console.log(figuresRow(label, 'SPIN DFS (export)', dfs, widths));
    console.log(`${label.padEnd(widths[0])}  engine / SPIN -DBFS, CPU to verdict: reduced ${fixed(reduced.cpuMs / bfs.cpuMs, 2)}x, exact ${fixed(exact.cpuMs / bfs.cpuMs, 2)}x`);
  }
}

function krefTable(spin: boolean): void {
  console.log('\n== kref by hand (bench/kref.pml) against the engine on the same scenario: stored states ==');
  const widths = [6, 10, 12, 10, 12, 12, 10];
  console.log(row(['size', 'SPIN full', 'SPIN POR', 'SPIN x', 'engine exact', 'engine red.', 'engine x'], widths));
  const pml = fs.readFileSync(path.join(__dirname, '..', '..', 'bench', 'kref.pml'), 'utf8');
  for (const workers of [3, 4, 5]) {
    const text = familyModel({ workers, iterations: 1 });
    const job = { text, proposal: 'baseline', copies: 1, maxStates: Number.MAX_SAFE_INTEGER };
    const exact = measureEngine({ ...job, exact: true }, 1);
    const reduced = measureEngine({ ...job, exact: false }, 1);
    let full: Figures | undefined;
    let por: Figures | undefined;
    if (spin) {
      const defines = [`WORKERS=${workers}`, 'ROUNDS=1'];
      full = measureSpin(pml, { bfs: false, partialOrder: false, defines, hashBits: 26 }, 1);
      por = measureSpin(pml, { bfs: false, partialOrder: true, defines, hashBits: 26 }, 1);
    }
    console.log(
      row(
        [`${workers}x1`, full ? String(full.states) : '-', por ? String(por.states) : '-', full && por ? fixed(full.states / por.states, 2) : '-', String(exact.states), String(reduced.states), fixed(exact.states / reduced.states, 2)],
        widths,
      ),
    );
  }
}

function reductionTable(spin: boolean): void {
  const exactLimit = Number(process.env.BENCH_EXACT_LIMIT ?? 3_000_000);
  console.log(`\n== reduction on K independent copies of each gallery model (one run each; exact counts marked = are n^K) ==`);
  const widths = [44, 3, 12, 10, 9, 9, 9, 26];
  console.log(row(['model / proposal', 'K', 'exact', 'reduced', 'factor', 'exact s', 'red. s', 'SPIN POR (export)'], widths));
  for (const [model, proposal] of GALLERY) {
    const file = path.join(__dirname, '..', '..', 'examples', `${model}.lifetime`);
    const single = measureEngine({ file, proposal, copies: 1, exact: true, maxStates: exactLimit }, 1);
    let spinChecked = false;
    for (const k of positiveIntegers('BENCH_COPIES', process.env.BENCH_COPIES, [3, 4, 5])) {
      const predicted = single.states ** k;
      const exact = predicted <= exactLimit ? measureEngine({ file, proposal, copies: k, exact: true, maxStates: exactLimit * 2 }, 1) : undefined;
      const reduced = measureEngine({ file, proposal, copies: k, exact: false, maxStates: REDUCED_LIMIT }, 1);
      const exactStates = exact ? exact.states : predicted;
      let spinCell = '-';
      if (spin && exact && !spinChecked) {
        spinChecked = true;
        const system = independentCopies(lowerModel(parse(fs.readFileSync(file, 'utf8')).file, proposal).system, k);
        const promela = exportPromela(system);
        const hashBits = hashBitsFor(exactStates);
        const por = measureSpin(promela, { bfs: false, partialOrder: true, hashBits }, 1);
        const full = measureSpin(promela, { bfs: false, partialOrder: false, hashBits }, 1);
        spinCell = por.states === full.states ? `inactive (${por.states})` : `${por.states} (${fixed(full.states / por.states, 2)}x)`;
      }
      // An incomplete reduced search stored at least its budget: the factor is at most the ratio.
      const factor = reduced.verdict === 'incomplete' ? `<${fixed(exactStates / reduced.states, 1)}` : fixed(exactStates / reduced.states, 1);
      console.log(
        row(
          [
            `${model} / ${proposal}`,
            String(k),
            exact ? String(exact.states) : `=${predicted}`,
            `${reduced.states}${reduced.verdict === 'safe' ? '' : ` [${reduced.verdict}]`}`,
            `${factor}x`,
            exact ? fixed(exact.cpuMs / 1000, 2) : '-',
            fixed(reduced.cpuMs / 1000, 2),
            spinCell,
          ],
          widths,
        ),
      );
    }
  }
}

/** `threads` threads that write one shared flag again and again: the reduction gains nothing there. */
function conflictingModel(threads: number, rounds: number): string {
  const lines = ['model flips "every step writes the same flag"', 'static g { flag a = false }'];
  for (let i = 0; i < threads; i++) lines.push(`thread t${i} { repeat ${rounds} { set g.a; clear g.a } }`);
  lines.push('expect baseline: safe', '');
  return lines.join('\n');
}

/** What the reduction costs where it gains nothing: CPU medians, reduced against `--exact`, on one model. */
function noGainRow(repeats: number): void {
  const job = { text: conflictingModel(8, 2), proposal: 'baseline', copies: 1, maxStates: Number.MAX_SAFE_INTEGER };
  const exact = measureEngine({ ...job, exact: true }, repeats);
  const reduced = measureEngine({ ...job, exact: false }, repeats);
  console.log(
    `\nno gain (8 threads writing one flag, ${exact.states} states; reduced ${reduced.states}): CPU medians of ${repeats}, exact ${fixed(exact.cpuMs / 1000, 2)} s, reduced ${fixed(reduced.cpuMs / 1000, 2)} s, reduced / exact ${fixed(reduced.cpuMs / exact.cpuMs, 3)}`,
  );
}

function main(): void {
  const repeats = positiveIntegers('BENCH_REPEATS', process.env.BENCH_REPEATS, [3])[0];
  const unavailable = process.env.BENCH_SPIN === 'off' ? 'BENCH_SPIN=off' : spinUnavailableReason();
  if (unavailable) console.log(`SPIN columns are empty: ${unavailable}`);
  const spin = unavailable === undefined;
  const only = process.env.BENCH_TABLES?.split(',') ?? ['family', 'kref', 'reduction'];
  if (only.includes('family')) familyTable(repeats, spin);
  if (only.includes('kref')) krefTable(spin);
  if (only.includes('reduction')) {
    reductionTable(spin);
    noGainRow(repeats);
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`bench:engine failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
