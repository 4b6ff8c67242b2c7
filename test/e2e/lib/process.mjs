// Child-process helpers for the end-to-end harness: run a command to completion with its output in
// a log file, and retry setup steps that talk to the network.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/**
 * Runs `command args` in `cwd` with `env`, appending its output to `logFile`.
 * Resolves when it exits with status 0; rejects with the tail of the log otherwise.
 */
export function run(command, args, { cwd, env, logFile }) {
  return new Promise((resolve, reject) => {
    fs.appendFileSync(logFile, `\n$ (cd ${cwd} && ${command} ${args.join(' ')})\n`);
    const out = fs.openSync(logFile, 'a');
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', out, out] });
    child.on('error', (error) => {
      fs.closeSync(out);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      fs.closeSync(out);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}\n${tail(logFile, 25)}`));
    });
  });
}

/** The last `lines` lines of a text file, indented, for error messages. */
export function tail(file, lines) {
  if (!fs.existsSync(file)) return '';
  const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).map((line) => `    | ${line}`).join('\n');
}

/** Runs `step` up to `attempts` times, logging each failure; setup steps only, never assertions. */
export async function retry(what, attempts, step, log) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (error) {
      if (attempt >= attempts) throw error;
      log(`${what} failed (attempt ${attempt} of ${attempts}), retrying: ${firstLine(error)}`);
      await sleep(2000 * attempt);
    }
  }
}

export function firstLine(error) {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
