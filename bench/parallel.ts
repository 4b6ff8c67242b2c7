// The parallel exact search against the sequential one on one search of about 10 M states (issue
// 14 §3: at least 1.5x faster in wall time on two cores). The model is four independent copies of
// a gallery proposal (bench/copies.ts); each run is a child process of its own (bench/parallelRun.ts),
// the sequential and the parallel runs alternate, and the figures are medians of the repeats.
// The machine may be shared: the load average is printed with the figures, before and after.
//
//   npm run bench:parallel [-- --repeats N --workers N --copies K --file F --proposal P]

import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from './measure';
import { controlWallMs } from './threadControl';
import type { ParallelJob, ParallelRunFigures } from './parallelRun';

interface Settings {
  repeats: number;
  workers: number;
  copies: number;
  file: string;
  proposal: string;
}

function settingsFrom(argv: string[]): Settings {
  const settings: Settings = {
    repeats: 3,
    workers: 2,
    copies: 4,
    file: path.join(__dirname, '..', '..', 'examples', 'patterns', 'kref-put-mutex-session-list.lifetime'),
    proposal: 'get_unless_zero',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${argv[i]} needs a value`);
    switch (argv[i]) {
      case '--repeats':
        settings.repeats = Number(value);
        break;
      case '--workers':
        settings.workers = Number(value);
        break;
      case '--copies':
        settings.copies = Number(value);
        break;
      case '--file':
        settings.file = path.resolve(value);
        break;
      case '--proposal':
        settings.proposal = value;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return settings;
}

function runOnce(job: ParallelJob): ParallelRunFigures {
  const script = path.join(__dirname, 'parallelRun.js');
  const out = execFileSync(process.execPath, ['--max-old-space-size=16384', script, JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim()) as ParallelRunFigures;
}

function load(): string {
  return os.loadavg().map((value) => value.toFixed(2)).join(' ');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function main(): void {
  const settings = settingsFrom(process.argv.slice(2));
  const base = { file: settings.file, proposal: settings.proposal, copies: settings.copies, maxStates: 500_000_000 };
  const runs: Record<'sequential' | 'parallel', ParallelRunFigures[]> = { sequential: [], parallel: [] };
  const control: Record<1 | 2, number[]> = { 1: [], 2: [] };
  console.log(`model: ${path.basename(settings.file)} ${settings.proposal} x${settings.copies}, exact; ${settings.repeats} runs each, alternating; ${os.availableParallelism()} cores`);
  console.log(`load average before: ${load()}`);
  for (let r = 0; r < settings.repeats; r++) {
    for (const kind of ['sequential', 'parallel'] as const) {
      const figures = runOnce({ ...base, workers: kind === 'sequential' ? 1 : settings.workers });
      runs[kind].push(figures);
      const threads = figures.mainThreadCpuMs === undefined ? '' : `  (main thread ${seconds(figures.mainThreadCpuMs)} s, busiest others ${(figures.otherThreadsCpuMs ?? []).slice(0, 3).map(seconds).join(' / ')} s)`;
      console.log(`  run ${r + 1} ${kind.padEnd(10)} wall ${seconds(figures.wallMs)} s  cpu ${seconds(figures.cpuMs)} s${threads}  load ${load()}`);
    }
    for (const threads of [1, 2] as const) control[threads].push(controlWallMs(threads));
  }
  const [first, other] = [runs.sequential[0], runs.parallel[0]];
  const same = [...runs.sequential, ...runs.parallel].every((f) => f.verdict === first.verdict && f.kinds === first.kinds && f.states === first.states && f.transitions === first.transitions && f.depth === first.depth);
  if (!same) throw new Error(`the runs disagree: ${JSON.stringify(first)} vs ${JSON.stringify(other)}`);
  const wall = { sequential: median(runs.sequential.map((f) => f.wallMs)), parallel: median(runs.parallel.map((f) => f.wallMs)) };
  const cpu = { sequential: median(runs.sequential.map((f) => f.cpuMs)), parallel: median(runs.parallel.map((f) => f.cpuMs)) };
  const rss = { sequential: median(runs.sequential.map((f) => f.rssBytes)), parallel: median(runs.parallel.map((f) => f.rssBytes)) };
  console.log(`verdict ${first.verdict}${first.kinds ? ` (${first.kinds})` : ''}, ${first.states.toLocaleString('en-US')} states, ${first.transitions.toLocaleString('en-US')} transitions, depth ${first.depth}: the same in every run`);
  console.log('search        wall (median)  cpu (median)  rss (median)');
  console.log(`sequential    ${seconds(wall.sequential).padStart(9)} s  ${seconds(cpu.sequential).padStart(10)} s  ${(rss.sequential / 2 ** 20).toFixed(0).padStart(8)} MiB`);
  console.log(`${settings.workers} workers     ${seconds(wall.parallel).padStart(9)} s  ${seconds(cpu.parallel).padStart(10)} s  ${(rss.parallel / 2 ** 20).toFixed(0).padStart(8)} MiB`);
  console.log(`wall speed-up (sequential / parallel): ${(wall.sequential / wall.parallel).toFixed(2)}x; cpu ratio (parallel / sequential): ${(cpu.parallel / cpu.sequential).toFixed(2)}x`);
  // On a shared machine the scheduler shares the cores among sessions, not threads, so the wall
  // ratio above depends on the load. The critical path in CPU time does not: the main thread
  // (lowering, compiling, the sequential probe) plus the busiest other thread, which for the
  // parallel search is a search thread. It is what the wall time would be on two idle cores.
  if (runs.sequential.every((f) => f.mainThreadCpuMs !== undefined) && runs.parallel.every((f) => f.mainThreadCpuMs !== undefined)) {
    const path = (f: ParallelRunFigures, parallel: boolean): number => f.mainThreadCpuMs! + (parallel ? (f.otherThreadsCpuMs?.[0] ?? 0) : 0);
    const critical = { sequential: median(runs.sequential.map((f) => path(f, false))), parallel: median(runs.parallel.map((f) => path(f, true))) };
    console.log(`cpu on the critical path (main thread, plus the busiest search thread): sequential ${seconds(critical.sequential)} s, ${settings.workers} workers ${seconds(critical.parallel)} s: ${(critical.sequential / critical.parallel).toFixed(2)}x (an estimate of the wall speed-up on idle cores)`);
  }
  const machine = median(control[1]) / median(control[2]);
  console.log(`control: a busy loop split over two threads finished ${machine.toFixed(2)}x sooner than in one (what this machine gave a second thread meanwhile)`);
  console.log(`load average after: ${load()}`);
}

main();
