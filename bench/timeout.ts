// Benchmark: `lifetime check --timeout-ms 2000` on a 2,000-thread and a 10,000-thread model, which
// once ran 40 s and past 150 s at 2.4 GB. The watchdog must end each within a few seconds with
// bounded memory. Run with `npm run bench:timeout` (or `node out/bench/timeout.js` after
// `npm run build && npx tsc -p .`). Each run is a fresh process that loads the built CLI and reports
// its own resource usage, worker threads included. Prints, per model, the medians (and ranges) of
// wall time, CPU time (user + system) and peak RSS over the runs, and the verdict, then exactly
// `timeout: 2,000 threads <W> s wall <C> s CPU <R> MB; 10,000 threads <W> s wall <C> s CPU <R> MB`.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RUNS = 5;
const TIMEOUT_MS = 2000;
const BIN = path.join(process.cwd(), 'dist', 'cli', 'lifetime.js');

/** Loads the bundle in this child, runs the command, and prints its figures as one JSON line. */
const CHILD = `
const started = performance.now();
const { run } = require(process.argv[1]);
run(process.argv.slice(2)).then((out) => {
  const usage = process.resourceUsage();
  const report = JSON.parse(out.stdout).files[0];
  const first = report.proposals[0];
  const verdict = first ? first.verdict + (first.incompleteReason ? ' (' + first.incompleteReason + ')' : '') : report.diagnostics.map((d) => d.code).join(',');
  process.stdout.write(JSON.stringify({ exitCode: out.exitCode, wallMs: performance.now() - started, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS, verdict }));
});
`;

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function range(values: number[], scale: number, digits: number): string {
  return `${(Math.min(...values) / scale).toFixed(digits)}–${(Math.max(...values) / scale).toFixed(digits)}`;
}

function runOnce(file: string): Figures {
  const child = spawnSync(process.execPath, ['-e', CHILD, BIN, 'check', '--format', 'json', '--timeout-ms', String(TIMEOUT_MS), file], { encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0 || !child.stdout) throw new Error(`the run failed (status ${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as Figures;
}

function main(): void {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build`);
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
