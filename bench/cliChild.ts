// Runs the built CLI (`dist/cli/lifetime.js`) in a fresh process that loads the bundle, runs one
// command with `--format json` and reports its own resource usage, worker threads included: the
// figures of one benchmark run, free of this process's own memory and warm-up.

import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const BUILT_CLI = path.join(process.cwd(), 'dist', 'cli', 'lifetime.js');

/** Loads the bundle in the child, runs the command, and prints its figures and first file's report as one JSON line. */
const CHILD = `
const started = performance.now();
const { run } = require(process.argv[1]);
run(process.argv.slice(2)).then((out) => {
  const usage = process.resourceUsage();
  const report = JSON.parse(out.stdout).files[0];
  process.stdout.write(JSON.stringify({ exitCode: out.exitCode, wallMs: performance.now() - started, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS, report }));
});
`;

/** A proposal's fields in the JSON report that the benchmarks read. */
export interface ReportedProposal {
  name: string;
  verdict: string;
  incompleteReason?: string | null;
  states: number;
  ms: number;
}

export interface CliRun {
  exitCode: number;
  wallMs: number;
  /** User and system CPU time of the whole child, in milliseconds. */
  cpuMs: number;
  maxRssKb: number;
  /** The first file's report. */
  report: { proposals: ReportedProposal[]; diagnostics: { code: string }[] };
}

/** Runs `lifetime <args>` (which must include `--format json`) once in a fresh process. */
export function runBuiltCli(args: string[], timeoutMs: number): CliRun {
  const child = spawnSync(process.execPath, ['-e', CHILD, BUILT_CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0 || !child.stdout) throw new Error(`lifetime ${args.join(' ')} failed (status ${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as CliRun;
}
