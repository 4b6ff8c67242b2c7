// Benchmark: `lifetime check --jobs 2` against `--jobs 1` on one file of six proposals (a baseline
// and five proposals over a kref lookup family, each an exact search of millions of states). Run
// with `npm run bench:jobs` (or `node out/bench/jobs.js` after `npm run build && npx tsc -p .`).
// Each run is a fresh process that loads the built CLI and reports its own resource usage, worker
// threads included; the two settings alternate, JOBS_REPEATS times each (default 5). Prints the
// medians of wall and CPU time per setting, the load average, and then exactly
// `jobs: --jobs 2 speedup <S>x wall, CPU ratio <R>x, ideal <I>x in file order, <E>x scheduled, <L>x longest first, control <M>x (<P> proposals, <N> states)`,
// where each ideal is what two workers could reach at best, given each proposal's time with
// --jobs 1 (the proposals differ in size, so it is below 2), taking the proposals in the file's
// order (<I>), in the order the CLI schedules them by its static size estimate (<E>, what --jobs 2
// runs), and longest first by their measured times (<L>, what a perfect estimate would give); the
// control is the same ratio for a plain busy loop in one thread against two, run between the
// checks: what the machine's load left for a second thread.
// JOBS_THREADS sets the family's worker threads (default 4; 3 makes each search about 20× smaller).
//
// The machine is shared: wall times move with the load (printed). The speedup is a ratio of
// medians from one run, the two settings interleaved so that both see the same load.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT_CLI, runBuiltCli } from './cliChild';
import { median } from './measure';
import { controlWallMs } from './threadControl';
import { proposalSchedule } from '../server/src/core/engine/schedule';
import { parse } from '../server/src/core/syntax/parser';

interface Figures {
  exitCode: number;
  wallMs: number;
  cpuMs: number;
  verdicts: string;
  names: string[];
  proposals: number;
  states: number;
  /** Each proposal's time in ms, in order. */
  times: number[];
}

/** The best speedup two workers taking jobs of these sizes in `order` (each to the first free worker) can reach. */
function idealSpeedup(times: number[], order: number[] = times.map((_, at) => at)): number {
  const free = [0, 0];
  for (const at of order) {
    const next = free[0] <= free[1] ? 0 : 1;
    free[next] += times[at];
  }
  return times.reduce((sum, time) => sum + time, 0) / Math.max(...free);
}

/** A baseline and five proposals over the kref lookup family with `threads` lookup threads. */
function kernelFamilyProposals(threads: number): string {
  const body =
    'repeat 3 { lock table.lock; if table.entry != null { if tryget table.entry.refs { let h = table.entry; unlock table.lock; use h; start dev; drain(); put h.refs } else { unlock table.lock } } else { unlock table.lock } }';
  const workers = Array.from({ length: threads }, (_, i) => `thread worker${i} { ${body} }`).join('\n');
  return `model kref_four "four proposals over one kref lookup family"
object obj { ref refs = 1 on zero free obj }
static table { lock lock; ptr entry -> obj = obj }
device dev stopped { dma obj }
fn drain() { quiesce dev }
${workers}
thread owner { lock table.lock; clear table.entry; unlock table.lock; put obj.refs }
proposal stop_first "stop the device, then drain it" { fn drain() { stop dev; quiesce dev } }
proposal drain_twice "drain twice" { fn drain() { quiesce dev; quiesce dev } }
proposal drain_then_stop "drain, then stop the device" { fn drain() { quiesce dev; stop dev } }
proposal stop_drain_stop "stop, drain, stop again" { fn drain() { stop dev; quiesce dev; stop dev } }
proposal stop_twice "stop twice, then drain" { fn drain() { stop dev; stop dev; quiesce dev } }
`;
}

function runOnce(file: string, jobs: number): Figures {
  const run = runBuiltCli(['check', '--format', 'json', '--exact', '--jobs', String(jobs), file], 900_000);
  const proposals = run.report.proposals;
  return {
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    verdicts: proposals.map((p) => `${p.name}:${p.verdict}:${p.states}`).join(' '),
    names: proposals.map((p) => p.name),
    proposals: proposals.length,
    states: proposals.reduce((sum, p) => sum + p.states, 0),
    times: proposals.map((p) => p.ms),
  };
}

function main(): void {
  if (!fs.existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build`);
  const repeats = Number(process.env.JOBS_REPEATS ?? 5);
  const threads = Number(process.env.JOBS_THREADS ?? 4);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`JOBS_REPEATS must be a positive whole number, not '${process.env.JOBS_REPEATS}'`);
  if (!Number.isInteger(threads) || threads < 1 || threads > 6) throw new Error(`JOBS_THREADS must be a whole number from 1 to 6, not '${process.env.JOBS_THREADS}'`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-bench-jobs-'));
  const runs: Record<1 | 2, Figures[]> = { 1: [], 2: [] };
  const text = kernelFamilyProposals(threads);
  const loads: number[] = [];
  const control: Record<1 | 2, number[]> = { 1: [], 2: [] };
  try {
    const file = path.join(dir, 'kref-four.lifetime');
    fs.writeFileSync(file, text);
    for (let round = 0; round < repeats; round++) {
      for (const jobs of [1, 2] as const) {
        loads.push(os.loadavg()[0]);
        const figures = runOnce(file, jobs);
        if (runs[1].length > 0 && figures.verdicts !== runs[1][0].verdicts) throw new Error(`--jobs ${jobs} changed the verdicts: ${figures.verdicts} against ${runs[1][0].verdicts}`);
        runs[jobs].push(figures);
        control[jobs].push(controlWallMs(jobs));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const first = runs[1][0];
  console.log(`lifetime check --exact on ${first.proposals} proposals (${first.states.toLocaleString('en-US')} states in all), ${repeats} runs per setting, alternating`);
  console.log(`load average ${median(loads).toFixed(1)} (median at each run's start) on ${os.availableParallelism()} cores`);
  console.log('jobs | wall ms (median) | CPU ms (median, all threads)');
  for (const jobs of [1, 2] as const) {
    const wall = median(runs[jobs].map((r) => r.wallMs));
    const cpu = median(runs[jobs].map((r) => r.cpuMs));
    console.log(`${String(jobs).padEnd(4)} | ${Math.round(wall).toString().padStart(16)} | ${Math.round(cpu).toString().padStart(10)}`);
  }
  const speedup = median(runs[1].map((r) => r.wallMs)) / median(runs[2].map((r) => r.wallMs));
  const cpuRatio = median(runs[2].map((r) => r.cpuMs)) / median(runs[1].map((r) => r.cpuMs));
  const ideal = median(runs[1].map((r) => idealSpeedup(r.times)));
  const schedule = proposalSchedule(parse(text).file, first.names, 2);
  const scheduled = median(runs[1].map((r) => idealSpeedup(r.times, schedule)));
  const longestFirst = median(runs[1].map((r) => idealSpeedup(r.times, r.times.map((_, at) => at).sort((a, b) => r.times[b] - r.times[a]))));
  const machine = median(control[1]) / median(control[2]);
  console.log(`control: a busy loop split over two threads finished ${machine.toFixed(2)}x sooner than in one (what this machine gave a second thread meanwhile)`);
  // Each proposal's own time at --jobs 2 against --jobs 1: what two searches at once cost each other
  // (memory bandwidth, caches) on top of what the machine's load takes (the control).
  const perProposal = first.names.map((name, at) => `${name} ${Math.round(median(runs[1].map((r) => r.times[at])))}/${Math.round(median(runs[2].map((r) => r.times[at])))}`);
  const slowdown = median(runs[2].map((r) => r.times.reduce((x, y) => x + y, 0))) / median(runs[1].map((r) => r.times.reduce((x, y) => x + y, 0)));
  console.log(`proposal ms at --jobs 1/--jobs 2 (medians): ${perProposal.join(', ')}; their sum ${slowdown.toFixed(2)}x at --jobs 2`);
  console.log(`--jobs 2 takes the proposals in this order (largest first by a static estimate): ${schedule.map((at) => first.names[at]).join(', ')}`);
  console.log(`jobs: --jobs 2 speedup ${speedup.toFixed(2)}x wall, CPU ratio ${cpuRatio.toFixed(2)}x, ideal ${ideal.toFixed(2)}x in file order, ${scheduled.toFixed(2)}x scheduled, ${longestFirst.toFixed(2)}x longest first, control ${machine.toFixed(2)}x (${first.proposals} proposals, ${first.states.toLocaleString('en-US')} states)`);
}

main();
