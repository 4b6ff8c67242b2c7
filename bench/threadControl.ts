// The control of the benchmarks that compare one thread with two (bench:jobs, bench:parallel): the
// same fixed work of a busy loop, in one worker thread or split over two, timed in wall ms. On an
// idle machine two threads finish about 2x sooner; on a loaded one the ratio shows how much of a
// second core the machine gave this process, which bounds what a second thread can gain.

import { spawnSync } from 'node:child_process';

const CONTROL = `
const { Worker } = require('node:worker_threads');
const threads = Number(process.argv[1]);
const started = performance.now();
let left = threads;
for (let i = 0; i < threads; i++) {
  new Worker('let x = 0; for (let i = 0; i < ' + 2e9 / threads + '; i++) x += i; require("node:worker_threads").parentPort.postMessage(x);', { eval: true })
    .on('exit', () => { if (--left === 0) process.stdout.write(String(performance.now() - started)); });
}
`;

/** Wall milliseconds of the control's fixed work on `threads` threads, in a child process. */
export function controlWallMs(threads: number): number {
  const child = spawnSync(process.execPath, ['-e', CONTROL, String(threads)], { encoding: 'utf8', timeout: 300_000 });
  if (child.status !== 0 || !child.stdout) throw new Error(`the control run failed (status ${child.status}): ${child.stderr}`);
  return Number(child.stdout);
}
