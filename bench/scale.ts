// Benchmark: the engine's store at scale, one command: `npm run bench:scale`.
//
// One large exact search per size, each in a fresh process so that its peak resident memory is its
// own. Prints states, states per second of wall and of CPU time, the peak RSS in bytes per state
// (issue 14's target: at most 32 at 50 M states), and the longest pause: the longest gap between two
// progress reports, which the search makes every 250 ms, so a table growth that stopped the search
// shows here (target: none over one second), in wall time and in the CPU time the process used
// meanwhile (which a loaded machine inflates less), beside the store's own longest rehash.
//
// SCALE_SIZES chooses the kref-family sizes (THREADSxITERATIONS, default 4x3,5x3: about 8 M and
// 60 M states); SCALE_MAX_STATES the state budget (default 60 M, above the inline store's limit, so
// the segmented store runs); SCALE_MAX_MEMORY_MIB the memory budget (default 20480);
// SCALE_TIMEOUT_MS the time budget (default 600 s). The machine is shared: wall figures move with
// the load, printed on the first line.

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parse } from '../server/src/core/syntax/parser';
import { lowerModel } from '../server/src/core/engine/lower/index';
import { compileSystem } from '../server/src/core/engine/compile';
import { search } from '../server/src/core/engine/explore';
import { krefFamily } from '../test/fixtures/engine/kref-family';

interface ScaleFigures {
  size: string;
  verdict: string;
  reason?: string;
  states: number;
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
  longestPauseMs: number;
  /** The most CPU time the process used between two progress reports (a pause measured in CPU time). */
  longestPauseCpuMs: number;
  longestRehashMs?: number;
}

function cpuMsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** The search of one size, in this (child) process; prints its figures as one JSON line. */
function scaleChild(size: string, maxStates: number, maxMemoryBytes: number, timeoutMs: number): void {
  const [threads, iterations] = size.split('x').map(Number);
  const compiled = compileSystem(lowerModel(parse(krefFamily(threads, iterations, { symmetric: false })).file, 'baseline').system);
  let last = performance.now();
  let longestPauseMs = 0;
  let longestPauseCpuMs = 0;
  const cpu = process.cpuUsage();
  let lastCpu = process.cpuUsage();
  const outcome = search(compiled, {
    reduce: false,
    maxStates,
    maxMemoryBytes,
    timeoutMs,
    onProgress: () => {
      const now = performance.now();
      longestPauseMs = Math.max(longestPauseMs, now - last);
      last = now;
      longestPauseCpuMs = Math.max(longestPauseCpuMs, cpuMsSince(lastCpu));
      lastCpu = process.cpuUsage();
    },
  });
  longestPauseMs = Math.max(longestPauseMs, performance.now() - last);
  const figures: ScaleFigures = {
    size,
    verdict: outcome.verdict,
    reason: outcome.incompleteReason,
    states: outcome.states,
    wallMs: outcome.ms,
    cpuMs: cpuMsSince(cpu),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    longestPauseMs,
    longestPauseCpuMs,
    longestRehashMs: (outcome.store as { longestRehashMs?: number }).longestRehashMs,
  };
  console.log(JSON.stringify(figures));
}

function main(): void {
  const [flag, size, maxStates, maxMemory, timeout] = process.argv.slice(2);
  if (flag === '--child') {
    scaleChild(size, Number(maxStates), Number(maxMemory), Number(timeout));
    return;
  }
  const sizes = (process.env.SCALE_SIZES ?? '4x3,5x3').split(',').map((s) => s.trim());
  const budget = Number(process.env.SCALE_MAX_STATES ?? 60_000_000);
  const memory = Number(process.env.SCALE_MAX_MEMORY_MIB ?? 20 * 1024) * 1024 * 1024;
  const timeoutMs = Number(process.env.SCALE_TIMEOUT_MS ?? 600_000);
  console.log(`scale: budget ${budget.toLocaleString('en-US')} states, ${memory / 2 ** 20} MiB, ${timeoutMs} ms; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
  console.log('size | verdict              | states        | states/s  | states/cpu-s | RSS bytes/state | longest pause ms (wall, CPU) | longest rehash ms');
  for (const size of sizes) {
    if (!/^\d+x\d+$/.test(size)) throw new Error(`SCALE_SIZES: '${size}' is not THREADSxITERATIONS, e.g. 5x3`);
    const child = spawnSync(process.execPath, [__filename, '--child', size, String(budget), String(memory), String(timeoutMs)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !line.startsWith('{')) {
      console.log(`${size} | the search process failed (status ${child.status}, signal ${child.signal}): ${child.stderr.trim().split('\n').at(-1) ?? ''}`);
      process.exitCode = 1;
      continue;
    }
    const f = JSON.parse(line) as ScaleFigures;
    const verdict = f.reason ? `${f.verdict} (${f.reason})` : f.verdict;
    console.log(
      `${f.size.padEnd(4)} | ${verdict.padEnd(20)} | ${f.states.toLocaleString('en-US').padStart(13)} | ${Math.round((f.states * 1000) / f.wallMs).toLocaleString('en-US').padStart(9)} | ${Math.round((f.states * 1000) / f.cpuMs).toLocaleString('en-US').padStart(12)} | ${(f.peakRssBytes / f.states).toFixed(1).padStart(15)} | ${`${Math.round(f.longestPauseMs)}, ${Math.round(f.longestPauseCpuMs)}`.padStart(27)} | ${f.longestRehashMs === undefined ? '- (inline store)' : Math.round(f.longestRehashMs).toString()}`,
    );
  }
}

try {
  main();
} catch (error) {
  console.error(`bench/scale: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
