// One exact search in a process of its own, on one thread or on several: the parallel-search
// benchmark (bench/parallel.ts) runs this file with a JSON job as its argument and reads one JSON
// line of figures back. CPU time is the process's, so it counts every search thread.

import * as fs from 'node:fs';
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

if (require.main === module) {
  try {
    const job = JSON.parse(process.argv[2] ?? '') as ParallelJob;
    process.stdout.write(`${JSON.stringify(runJob(job))}\n`);
  } catch (error) {
    process.stderr.write(`parallel search run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
