// Runs an exported Promela model through SPIN: `spin -a`, `gcc`, `./pan`, in a temporary directory.
// Shared by the SPIN differential test and the engine benchmark.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePanOutput, type PanVerdict } from '../../server/src/core/engine/promela';
import { fairCycleClaim, fairnessFlag } from '../../server/src/spin/spinBackend';
import type { TransitionSystem } from '../../server/src/core/engine/ir';
import { VIOLATION_KINDS } from '../../server/src/core/syntax/ast';

/** The absolute path of a program on PATH, or undefined. */
export function findProgram(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** Why SPIN cannot run here (`spin` or `gcc` missing), or undefined when both are installed. */
export function spinUnavailableReason(): string | undefined {
  const missing = ['spin', 'gcc'].filter((tool) => !findProgram(tool));
  return missing.length > 0 ? `${missing.join(' and ')} not installed (Debian packages spin, gcc)` : undefined;
}

export interface SpinOptions {
  /** Breadth-first search (`-DBFS`, shortest traces) or depth-first (`-DSAFETY`). */
  search: 'bfs' | 'dfs';
  /** Partial-order reduction; off compiles with `-DNOREDUCE`. */
  partialOrder: boolean;
  /** gcc optimisation level, e.g. `-O0` (fast to compile) or `-O2`. */
  optimize: string;
  /** Keep only this violation kind's assertion (`-DONLY_KIND=code`, see promela.ts). */
  onlyKind?: number;
  /** log2 of pan's hash table slots (`-w`); 24 is pan's default. */
  hashBits?: number;
  /** pan's memory limit in megabytes (`-DMEMLIM`). */
  memoryLimitMb?: number;
  /** Kill pan after this many milliseconds. */
  timeoutMs?: number;
}

export interface SpinRun {
  pan: PanVerdict;
  /** Wall-clock milliseconds of `spin -a`, of gcc and of pan. */
  spinMs: number;
  gccMs: number;
  panMs: number;
  /** pan's whole output, for messages when something disagrees. */
  output: string;
}

interface Completed {
  stdout: string;
  stderr: string;
  failed?: string;
}

function run(file: string, args: string[], cwd: string, timeoutMs?: number): Promise<Completed> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) => {
      const failed = error ? `${path.basename(file)} ${args.join(' ')}: ${error.message}` : undefined;
      resolve({ stdout: String(stdout), stderr: String(stderr), failed });
    });
  });
}

/** Compiles and runs one Promela model. The temporary directory is removed afterwards. */
export async function runSpin(promela: string, options: SpinOptions): Promise<SpinRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-spin-'));
  try {
    fs.writeFileSync(path.join(dir, 'model.pml'), promela);
    // `-o2` keeps SPIN from hiding globals that are written but never read (its dead-variable
    // elimination): the engine stores them, so only then are the two state graphs the same size.
    const spinArgs = options.onlyKind === undefined ? ['-a', '-o2', 'model.pml'] : [`-DONLY_KIND=${options.onlyKind}`, '-a', '-o2', 'model.pml'];
    let started = performance.now();
    const generated = await run('spin', spinArgs, dir);
    const spinMs = performance.now() - started;
    if (generated.failed) return failure(`spin -a failed: ${generated.stdout}${generated.stderr}`, spinMs, 0, 0);

    // The exported models have no never claim, no channels and no fairness: leave that code out.
    const gccArgs = [options.optimize, options.search === 'bfs' ? '-DBFS' : '-DSAFETY', '-DNOCLAIM', '-DXUSAFE', '-DNOFAIR'];
    if (!options.partialOrder) gccArgs.push('-DNOREDUCE');
    if (options.memoryLimitMb) gccArgs.push(`-DMEMLIM=${options.memoryLimitMb}`);
    gccArgs.push('-w', '-o', 'pan', 'pan.c');
    started = performance.now();
    const compiled = await run('gcc', gccArgs, dir);
    const gccMs = performance.now() - started;
    if (compiled.failed) return failure(`gcc failed: ${compiled.stderr}`, spinMs, gccMs, 0);

    const panArgs = [`-w${options.hashBits ?? 24}`];
    if (options.search === 'dfs') panArgs.push('-m100000');
    started = performance.now();
    const searched = await run(path.join(dir, 'pan'), panArgs, dir, options.timeoutMs);
    const panMs = performance.now() - started;
    const output = searched.stdout + searched.stderr;
    const pan = parsePanOutput(output);
    if (pan.verdict === 'unknown' && searched.failed) pan.problem = `${pan.problem ?? ''} (${searched.failed})`;
    return { pan, spinMs, gccMs, panMs, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function failure(problem: string, spinMs: number, gccMs: number, panMs: number): SpinRun {
  return { pan: { verdict: 'unknown', problem }, spinMs, gccMs, panMs, output: problem };
}

/** The livelock check's never claim, shared with `lifetime check --backend spin` (see spinBackend.ts). */
export const livelockClaim = fairCycleClaim;

/** Whether pan finds a weakly fair acceptance cycle of `livelockClaim` (`spin -a`, `pan -a -f`). */
export async function runSpinLivelock(promela: string, system: TransitionSystem, timeoutMs = 60_000): Promise<{ verdict: 'livelock' | 'none' | 'unknown'; output: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-spin-'));
  try {
    // Only the livelock kind's (empty) assertion is kept, so that no safety assertion ends the search.
    fs.writeFileSync(path.join(dir, 'model.pml'), promela + livelockClaim(promela, system));
    const generated = await run('spin', [`-DONLY_KIND=${VIOLATION_KINDS.indexOf('livelock') + 1}`, '-a', '-o2', 'model.pml'], dir);
    if (generated.failed) return { verdict: 'unknown', output: `spin -a failed: ${generated.stdout}${generated.stderr}` };
    const compiled = await run('gcc', ['-O0', '-DNOREDUCE', '-DXUSAFE', fairnessFlag(promela), '-w', '-o', 'pan', 'pan.c'], dir);
    if (compiled.failed) return { verdict: 'unknown', output: `gcc failed: ${compiled.stderr}` };
    const searched = await run(path.join(dir, 'pan'), ['-a', '-f', '-m1000000', '-w20'], dir, timeoutMs);
    const output = searched.stdout + searched.stderr;
    if (/acceptance cycle/.test(output)) return { verdict: 'livelock', output };
    if (/errors: 0/.test(output)) return { verdict: 'none', output };
    return { verdict: 'unknown', output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
