// One engine search in a process of its own, so that its peak RSS is its own: the engine benchmark
// runs this file with a JSON job as its argument and reads one JSON line of figures back.
//
// A job names a model (the kref family at a size, or a gallery file's proposal in K independent
// copies) and whether the search is exact. The figures: verdict, states, CPU and wall milliseconds
// from the text to the verdict, and the process's peak RSS in bytes.

import * as fs from 'node:fs';
import { parse } from '../server/src/core/syntax/parser';
import { lowerModel } from '../server/src/core/engine/lower/index';
import { compileSystem } from '../server/src/core/engine/compile';
import { search } from '../server/src/core/engine/explore';
import { independentCopies } from './copies';

export interface EngineJob {
  /** A `.lifetime` file, or the text itself in `text`. */
  file?: string;
  text?: string;
  proposal: string;
  copies: number;
  exact: boolean;
  maxStates: number;
  /** The memory budget; 16 GiB unless given. */
  maxMemoryBytes?: number;
}

export interface EngineRunFigures {
  verdict: string;
  states: number;
  traceStates: number;
  cpuMs: number;
  wallMs: number;
  rssBytes: number;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function runJob(job: EngineJob): EngineRunFigures {
  const wallStarted = performance.now();
  const cpuStarted = cpuMs();
  const text = job.text ?? fs.readFileSync(job.file!, 'utf8');
  const lowered = lowerModel(parse(text).file, job.proposal);
  if (!lowered.complete) throw new Error(`${job.file ?? 'the model'} (${job.proposal}) did not lower: ${lowered.diagnostics.map((d) => d.message).join('; ')}`);
  const compiled = compileSystem(job.copies > 1 ? independentCopies(lowered.system, job.copies) : lowered.system);
  const outcome = search(compiled, { reduce: !job.exact, maxStates: job.maxStates, maxMemoryBytes: job.maxMemoryBytes ?? 16 * 1024 ** 3, timeoutMs: 30 * 60_000 });
  return {
    verdict: outcome.verdict === 'violation' ? `${outcome.verdict}` : outcome.verdict,
    states: outcome.states,
    traceStates: outcome.traceStates ?? 0,
    cpuMs: cpuMs() - cpuStarted,
    wallMs: performance.now() - wallStarted,
    rssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

if (require.main === module) {
  try {
    const job = JSON.parse(process.argv[2] ?? '') as EngineJob;
    process.stdout.write(`${JSON.stringify(runJob(job))}\n`);
  } catch (error) {
    process.stderr.write(`engine run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
