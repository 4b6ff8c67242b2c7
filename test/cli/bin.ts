// Runs the built `lifetime` bin (dist/cli/lifetime.js), building it first when it is missing or
// older than any source file. Every run's stderr is checked for stack traces by the callers.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = process.cwd();
export const BIN = path.join(ROOT, 'dist/cli/lifetime.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the bundles when dist/cli/lifetime.js is missing or stale. */
export function ensureBuilt(): void {
  const built = fs.existsSync(BIN) ? fs.statSync(BIN).mtimeMs : 0;
  if (built >= newestSource(path.join(ROOT, 'server/src'))) return;
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface BinResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function lifetime(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): BinResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    timeout: options.timeoutMs,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A stack trace line as node prints them: `    at fn (file:1:2)`. */
export const STACK_LINE = /^\s+at\s.+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

export function fixture(name: string): string {
  return `test/fixtures/cli/${name}`;
}
