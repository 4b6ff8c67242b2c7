// Benchmark: `lifetime check --timeout-ms 2000` on a 2,000-thread and a 10,000-thread model, which
// once ran 40 s and past 150 s at 2.4 GB. The watchdog must end each within a few seconds with
// bounded memory. Run with `npm run bench:timeout` (or `node out/bench/timeout.js` after
// `npm run build && npx tsc -p .`). Each run is a fresh process that loads the built CLI and reports
// its own resource usage, worker threads included. Prints, per model, the medians (and ranges) of
// wall time, CPU time (user + system) and peak RSS over the runs, and the verdict, then exactly
// `timeout: 2,000 threads <W> s wall <C> s CPU <R> MB; 10,000 threads <W> s wall <C> s CPU <R> MB`.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILT_CLI, runBuiltCli } from './cliChild';
import { median } from './measure';

const RUNS = 5;
const TIMEOUT_MS = 2000;

function manyThreads(threads: number): string {
  const lines = ['static table { lock m; flag f }'];
  for (let i = 0; i < threads; i++) lines.push(`thread t${i} { lock table.m; set table.f; unlock table.m }`);
  return `${lines.join('\n')}\n`;
}

interface Figures {
  exitCode: number;
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  verdict: string;
}

function range(values: number[], scale: number, digits: number): string {
  return `${(Math.min(...values) / scale).toFixed(digits)}–${(Math.max(...values) / scale).toFixed(digits)}`;
}

function runOnce(file: string): Figures {
  const run = runBuiltCli(['check', '--format', 'json', '--timeout-ms', String(TIMEOUT_MS), file], 300_000);
  const first = run.report.proposals[0];
  const verdict = first ? first.verdict + (first.incompleteReason ? ` (${first.incompleteReason})` : '') : run.report.diagnostics.map((d) => d.code).join(',');
  return { exitCode: run.exitCode, wallMs: run.wallMs, cpuMs: run.cpuMs, maxRssKb: run.maxRssKb, verdict };
}

function main(): void {
  if (!fs.existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-bench-timeout-'));
  const summary: string[] = [];
  try {
    console.log(`lifetime check --timeout-ms ${TIMEOUT_MS}: ${RUNS} runs per model, medians (range)`);
    for (const threads of [2_000, 10_000]) {
      const file = path.join(dir, `threads-${threads}.lifetime`);
      fs.writeFileSync(file, manyThreads(threads));
      const runs: Figures[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(runOnce(file));
      const wall = runs.map((r) => r.wallMs);
      const cpu = runs.map((r) => r.cpuMs);
      const rss = runs.map((r) => r.maxRssKb);
      const verdicts = [...new Set(runs.map((r) => `${r.verdict}, exit ${r.exitCode}`))].join('; ');
      const label = `${threads.toLocaleString('en-US')} threads`;
      console.log(
        `  ${label.padEnd(15)} wall ${(median(wall) / 1000).toFixed(2)} s (${range(wall, 1000, 2)})   CPU ${(median(cpu) / 1000).toFixed(2)} s (${range(cpu, 1000, 2)})   peak RSS ${(median(rss) / 1024).toFixed(0)} MB (${range(rss, 1024, 0)})   ${verdicts}`,
      );
      summary.push(`${label} ${(median(wall) / 1000).toFixed(2)} s wall ${(median(cpu) / 1000).toFixed(2)} s CPU ${(median(rss) / 1024).toFixed(0)} MB`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`timeout: ${summary.join('; ')}`);
}

main();
