// One exact search in a process of its own, on one thread or on several: the parallel-search
// benchmark (bench/parallel.ts) runs this file with a JSON job as its argument and reads one JSON
// line of figures back. CPU time is the process's, so it counts every search thread. On Linux a
// sampler thread also reads each thread's own CPU time from /proc every 50 ms, so that the figures
// show how the work was shared: the main thread's, and the busiest other threads'.

import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { parse } from '../server/src/core/syntax/parser';
import { lowerModel } from '../server/src/core/engine/lower/index';
import { compileSystem } from '../server/src/core/engine/compile';
import { searchWithWorkers } from '../server/src/core/engine/parallel/parallelSearch';
import { independentCopies } from './copies';

export interface ParallelJob {
  file: string;
  proposal: string;
  copies: number;
  /** Search threads; 1 is the sequential search. */
  workers: number;
  maxStates: number;
}

export interface ParallelRunFigures {
  verdict: string;
  kinds: string;
  states: number;
  transitions: number;
  depth: number;
  cpuMs: number;
  wallMs: number;
  rssBytes: number;
  /** CPU milliseconds of the main thread, and of the busiest other threads (most first); absent without /proc. */
  mainThreadCpuMs?: number;
  otherThreadsCpuMs?: number[];
}

/** Reads `/proc/self/task/<tid>/stat` of every thread but its own, keeping each thread's last CPU ticks. */
const SAMPLER = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const own = fs.readlinkSync('/proc/thread-self').split('/').pop();
const ticks = new Map();
function sample() {
  for (const tid of fs.readdirSync('/proc/self/task')) {
    if (tid === own) continue;
    try {
      const stat = fs.readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(tid, Number(fields[11]) + Number(fields[12]));
    } catch {}
  }
}
const timer = setInterval(sample, 50);
parentPort.on('message', () => {
  clearInterval(timer);
  sample();
  parentPort.postMessage([...ticks]);
});
parentPort.postMessage('ready');
`;

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ThreadSampler {
  finish(): Promise<{ main: number; others: number[] }>;
}

async function startSampler(): Promise<ThreadSampler | undefined> {
  if (!fs.existsSync('/proc/thread-self')) return undefined;
  const worker = new Worker(SAMPLER, { eval: true });
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  return {
    finish: () =>
      new Promise((resolve) => {
        worker.once('message', (entries: [string, number][]) => {
          void worker.terminate();
          const toMs = (ticks: number): number => (ticks * 1000) / TICKS_PER_SECOND;
          const main = entries.find(([tid]) => Number(tid) === process.pid)?.[1] ?? 0;
          const others = entries.filter(([tid]) => Number(tid) !== process.pid).map(([, ticks]) => toMs(ticks)).sort((a, b) => b - a);
          resolve({ main: toMs(main), others: others.slice(0, 4) });
        });
        worker.postMessage('finish');
      }),
  };
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function runJob(job: ParallelJob): ParallelRunFigures {
  const wallStarted = performance.now();
  const cpuStarted = cpuMs();
  const lowered = lowerModel(parse(fs.readFileSync(job.file, 'utf8')).file, job.proposal);
  if (!lowered.complete) throw new Error(`${job.file} (${job.proposal}) did not lower: ${lowered.diagnostics.map((d) => d.message).join('; ')}`);
  const compiled = compileSystem(independentCopies(lowered.system, job.copies));
  const outcome = searchWithWorkers(compiled, { reduce: false, workers: job.workers, maxStates: job.maxStates, maxMemoryBytes: 16 * 1024 ** 3, timeoutMs: 30 * 60_000 });
  const kinds = outcome.violations.map((found) => (found.deadlock ? 'deadlock' : compiled.violations[found.violation - 1].kind)).join(',');
  return {
    verdict: outcome.verdict,
    kinds,
    states: outcome.states,
    transitions: outcome.transitions,
    depth: outcome.depth,
    cpuMs: cpuMs() - cpuStarted,
    wallMs: performance.now() - wallStarted,
    rssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

async function main(): Promise<void> {
  try {
    const job = JSON.parse(process.argv[2] ?? '') as ParallelJob;
    const sampler = await startSampler();
    const figures = runJob(job);
    if (sampler) {
      const threads = await sampler.finish();
      figures.mainThreadCpuMs = threads.main;
      figures.otherThreadsCpuMs = threads.others;
    }
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } catch (error) {
    process.stderr.write(`parallel search run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
