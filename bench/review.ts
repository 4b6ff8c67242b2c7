// The review benchmark: a 20-patch series against the linux-source-6.1 tree, reviewed by the built
// `lifetime review` command. The series is the first ten fixes of test/review/kernel-fixes.json,
// each as its revert and the fix again, so that every patch touches a real kernel file and has a
// finding to classify. Run with `npm run bench:review`; the last line is the summary.
//
// Printed: the command's wall time and CPU time (user + system, from /usr/bin/time) over repeated
// runs (median, min, max), the same review in process once the JIT is warm, and, for scale, the
// CPU time of `lifetime check` on the whole of drivers/iommu, which holds nine of the ten files:
// the review reads and parses only the files the patches touch. No other tool reviews a series for
// lifetime bugs, so there is no peer to run beside it. The target is under 10 s for the series.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../server/src/cli/main';
import { parseSeries } from '../server/src/core/review/index';
import { ensureKernelDirs } from '../test/c/kernelSource';
import { ensureKernelFiles, fixSeries, loadKernelFixes } from '../test/review/kernelFixes';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 10_000;
const BIN = path.join(process.cwd(), 'dist/cli/lifetime.js');

interface Timed {
  wallMs: number;
  cpuMs?: number;
  status: number | null;
  stdout: string;
}

/** Runs the bin under /usr/bin/time (when it is there) for its CPU time. */
function timedRun(args: string[]): Timed {
  const hasTime = fs.existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const result = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'lifetime-cpu %U %S', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = /lifetime-cpu ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
  return { wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined, status: result.status, stdout: result.stdout };
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  if (!fs.existsSync(BIN)) throw new Error('dist/cli/lifetime.js is missing: run `npm run build` first');
  const fixes = loadKernelFixes().slice(0, 10);
  const files = ensureKernelFiles(fixes.map((fix) => fix.file));
  const iommu = ensureKernelDirs(['drivers/iommu']);
  if ('missing' in files || 'missing' in iommu) throw new Error(`bench:review needs the kernel source: ${'missing' in files ? files.missing : (iommu as { missing: string }).missing}`);
  const root = files.root;
  const mbox = fixes
    .map((fix) => {
      const series = fixSeries(fix, fs.readFileSync(path.join(root, fix.file), 'utf8'));
      if (typeof series === 'string') throw new Error(series);
      return series.mbox;
    })
    .join('');
  const patches = parseSeries(mbox, 'bench').patches;
  const touched = new Set(patches.flatMap((p) => p.files.map((f) => f.newPath ?? f.oldPath ?? '')));
  const touchedLines = [...touched].reduce((n, file) => n + fs.readFileSync(path.join(root, file), 'utf8').split('\n').length, 0);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-bench-review-'));
  const seriesFile = path.join(scratch, 'series.mbox');
  fs.writeFileSync(seriesFile, mbox);
  const args = ['review', '--tree', root, '--format', 'json', seriesFile];
  try {
    console.log(`series: ${patches.length} patches touching ${touched.size} files (${touchedLines} lines), against ${root}`);
    const cli: Timed[] = [];
    const check: Timed[] = [];
    // Interleaved, so that both see the same load on this shared machine.
    for (let i = 0; i < RUNS; i++) {
      cli.push(timedRun(args));
      check.push(timedRun(['check', '--format', 'json', path.join(iommu.root, 'drivers/iommu')]));
    }
    const last = cli[cli.length - 1];
    if (last.status !== 1) throw new Error(`lifetime review exited ${last.status}, not 1 (the reverts introduce bugs)`);
    const json = JSON.parse(last.stdout) as { introduced: unknown[]; fixed: unknown[]; remaining: unknown[] };
    console.log(`findings: ${json.introduced.length} introduced, ${json.fixed.length} fixed, ${json.remaining.length} remaining`);
    const wall = stats(cli.map((r) => r.wallMs));
    console.log(`lifetime review (the command, ${RUNS} runs): wall median ${ms(wall.median)} (min ${ms(wall.min)}, max ${ms(wall.max)})`);
    const cpuValues = cli.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs]));
    const cpu = cpuValues.length > 0 ? stats(cpuValues) : undefined;
    if (cpu) console.log(`lifetime review CPU (user + system): median ${ms(cpu.median)} (min ${ms(cpu.min)}, max ${ms(cpu.max)})`);

    const inProcess: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = process.cpuUsage();
      const output = await run(args);
      const used = process.cpuUsage(started);
      if (output.exitCode !== 1) throw new Error(`in process: exit ${output.exitCode}: ${output.stderr}`);
      inProcess.push((used.user + used.system) / 1000);
    }
    const warm = stats(inProcess.slice(1));
    console.log(`in process: first run CPU ${ms(inProcess[0])}, then median ${ms(warm.median)} (the JIT warm, the C parser loaded)`);

    const checkCpu = stats(check.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs])).concat(check.every((r) => r.cpuMs === undefined) ? check.map((r) => r.wallMs) : []));
    const ratio = cpu ? cpu.median / checkCpu.median : wall.median / stats(check.map((r) => r.wallMs)).median;
    console.log(`lifetime check drivers/iommu (the whole directory, for scale): CPU median ${ms(checkCpu.median)}; the review of ${patches.length} patches takes ${ratio.toFixed(2)}x that`);
    const met = (cpu?.median ?? wall.median) < TARGET_MS && wall.median < TARGET_MS;
    console.log(
      `review: ${patches.length} patches, CPU median ${cpu ? ms(cpu.median) : 'n/a'}, wall median ${ms(wall.median)}, target ${ms(TARGET_MS)}: ${met ? 'met' : 'NOT met'}`,
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
