// Repeated measurements for the engine benchmark: the engine in a child process per run
// (bench/engineRun.ts), pan under `/usr/bin/time` for its CPU time and peak RSS. Each figure is the
// median of the runs.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePanOutput } from '../server/src/core/engine/promela';
import type { EngineJob, EngineRunFigures } from './engineRun';

export interface Figures {
  verdict: string;
  states: number;
  /** Median CPU and wall milliseconds from the model text to the verdict (SPIN: spin -a, gcc and pan). */
  cpuMs: number;
  wallMs: number;
  /** Median CPU milliseconds of the search alone (pan for SPIN; the whole run for the engine). */
  searchCpuMs: number;
  rssBytes: number;
  traceStates?: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function measureEngine(job: EngineJob, repeats: number): Figures {
  const runs: EngineRunFigures[] = [];
  const script = path.join(__dirname, 'engineRun.js');
  for (let r = 0; r < repeats; r++) {
    const out = execFileSync(process.execPath, ['--max-old-space-size=16384', script, JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    runs.push(JSON.parse(out.trim()) as EngineRunFigures);
  }
  return {
    verdict: runs[0].verdict,
    states: runs[0].states,
    traceStates: runs[0].traceStates,
    cpuMs: median(runs.map((f) => f.cpuMs)),
    wallMs: median(runs.map((f) => f.wallMs)),
    searchCpuMs: median(runs.map((f) => f.cpuMs)),
    rssBytes: median(runs.map((f) => f.rssBytes)),
  };
}

export interface PanOptions {
  bfs: boolean;
  partialOrder: boolean;
  /** Extra `-D` definitions for `spin -a` (the hand-written model's sizes). */
  defines?: string[];
  hashBits: number;
}

interface Timed {
  output: string;
  cpuMs: number;
  wallMs: number;
  rssBytes: number;
}

/** Runs `file args` under /usr/bin/time; CPU is user + system time of the child. */
function timed(file: string, args: string[], cwd: string): Timed {
  const timeFile = path.join(cwd, 'time.out');
  const started = performance.now();
  let output: string;
  try {
    output = execFileSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %M', file, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
    if (!fs.existsSync(timeFile)) throw new Error(`${path.basename(file)} failed: ${failed.message}`);
  }
  const wallMs = performance.now() - started;
  const [user, system, rssKb] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { output, cpuMs: (user + system) * 1000, wallMs, rssBytes: rssKb * 1024 };
}

/** `spin -a`, gcc -O2 and pan, `repeats` times; the verdict and states of the first run. */
export function measureSpin(promela: string, options: PanOptions, repeats: number): Figures {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-bench-spin-'));
  try {
    fs.writeFileSync(path.join(dir, 'model.pml'), promela);
    const runs: { total: Timed; pan: Timed; verdict: string; states: number }[] = [];
    for (let r = 0; r < repeats; r++) {
      const spin = timed('spin', [...(options.defines ?? []).map((d) => `-D${d}`), '-a', '-o2', 'model.pml'], dir);
      const gccArgs = ['-O2', options.bfs ? '-DBFS' : '-DSAFETY', '-DNOCLAIM', '-DXUSAFE', '-DNOFAIR', '-DMEMLIM=16384'];
      if (!options.partialOrder) gccArgs.push('-DNOREDUCE');
      const gcc = timed('gcc', [...gccArgs, '-w', '-o', 'pan', 'pan.c'], dir);
      const panArgs = [`-w${options.hashBits}`];
      if (!options.bfs) panArgs.push('-m1000000');
      const pan = timed(path.join(dir, 'pan'), panArgs, dir);
      const verdict = parsePanOutput(pan.output);
      runs.push({
        total: { output: '', cpuMs: spin.cpuMs + gcc.cpuMs + pan.cpuMs, wallMs: spin.wallMs + gcc.wallMs + pan.wallMs, rssBytes: pan.rssBytes },
        pan,
        verdict: verdict.verdict === 'violation' ? 'violation' : verdict.verdict === 'unknown' ? `unknown (${verdict.problem ?? ''})` : verdict.verdict,
        states: verdict.states ?? 0,
      });
    }
    return {
      verdict: runs[0].verdict,
      states: runs[0].states,
      cpuMs: median(runs.map((r) => r.total.cpuMs)),
      wallMs: median(runs.map((r) => r.total.wallMs)),
      searchCpuMs: median(runs.map((r) => r.pan.cpuMs)),
      rssBytes: median(runs.map((r) => r.pan.rssBytes)),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function hashBitsFor(states: number): number {
  return Math.min(29, Math.max(18, Math.ceil(Math.log2(Math.max(1, states) * 1.5))));
}
