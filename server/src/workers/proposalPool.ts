// A pool of worker threads that check proposals, so that the proposals of a file checked in the
// editor use every core (the CLI's check host has a pool of its own, under its watchdog). Each proposal is one job; a worker checks one job at a time, and jobs wait
// in order for the next free worker. A file's proposals are queued largest first by a static
// estimate (core/engine/schedule.ts) when there are more of them than workers, and the results are
// put back in the order of the proposals, so a file's verdicts, traces and diagnostics are exactly
// those of checking it in one thread.

import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../core/diagnostics/codes';
import type { ApiTableTexts } from '../core/features/cBodies';
import { expectationsOf } from '../core/semantic/expectations';
import { failedProposal, proposalNames, withExpectation } from '../core/engine/index';
import { proposalSchedule } from '../core/engine/schedule';
import type { EngineProgress, ModelResult, ProposalResult } from '../core/engine/types';
import type { SourceFile } from '../core/syntax/ast';

/** What a worker needs to check one proposal; plain data. */
export interface ProposalJob {
  /** The model's whole text (the worker parses it again). */
  text: string;
  proposal: string;
  exact?: boolean;
  maxStates?: number;
  timeoutMs?: number;
  maxMemoryBytes?: number;
  collectFacts?: boolean;
  /** Load the C front end (with these extra API tables, as texts) and translate `c { ... }` bodies. */
  cBodies?: { apiTables: ApiTableTexts };
}

export interface ProposalOutcome {
  result: ProposalResult;
  diagnostics: Diagnostic[];
}

export type PoolRequest = { type: 'check'; id: number; job: ProposalJob; cancelFlag?: SharedArrayBuffer };
export type PoolReply =
  | { type: 'done'; id: number; outcome: ProposalOutcome }
  | { type: 'progress'; id: number; progress: EngineProgress }
  | { type: 'failed'; id: number; message: string };

interface QueuedJob {
  request: PoolRequest;
  resolve: (outcome: ProposalOutcome) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: EngineProgress) => void;
}

/** The cores this process may use: the default of `--jobs`. */
export function availableCores(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/** The worker script, built next to the bundle (or the compiled module) that holds this pool. */
function defaultWorkerPath(): string {
  return path.join(__dirname, 'proposalWorker.js');
}

export class ProposalPool {
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, QueuedJob>();
  private readonly queue: QueuedJob[] = [];
  private started = 0;
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly workerPath: string = defaultWorkerPath(),
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a worker pool needs at least one worker, not ${size}`);
  }

  /** Checks one proposal in a worker; rejects when the worker fails or dies. */
  run(job: ProposalJob, options: { onProgress?: (progress: EngineProgress) => void; cancelFlag?: SharedArrayBuffer } = {}): Promise<ProposalOutcome> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error('the worker pool is closed'));
        return;
      }
      this.queue.push({ request: { type: 'check', id: this.nextId++, job, cancelFlag: options.cancelFlag }, resolve, reject, onProgress: options.onProgress });
      this.dispatch();
    });
  }

  /** Stops every worker; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the worker pool was closed'));
    const workers = [...this.idle, ...this.running.keys()];
    for (const job of this.running.values()) job.reject(new Error('the worker pool was closed'));
    this.idle.length = 0;
    this.running.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < this.size ? this.startWorker() : undefined);
      if (worker === undefined) return;
      const job = this.queue.shift()!;
      this.running.set(worker, job);
      // A busy worker keeps the process alive until it answers; an idle one does not.
      worker.ref();
      worker.postMessage(job.request);
    }
  }

  private startWorker(): Worker {
    this.started++;
    const worker = new Worker(this.workerPath);
    worker.unref();
    worker.on('message', (reply: PoolReply) => this.onReply(worker, reply));
    worker.on('error', (error) => this.onWorkerGone(worker, `the worker failed: ${error.message}`));
    worker.on('exit', (code) => this.onWorkerGone(worker, `the worker exited with code ${code}`));
    return worker;
  }

  private onReply(worker: Worker, reply: PoolReply): void {
    const job = this.running.get(worker);
    if (job === undefined || reply.id !== job.request.id) return;
    if (reply.type === 'progress') {
      job.onProgress?.(reply.progress);
      return;
    }
    this.running.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (reply.type === 'done') job.resolve(reply.outcome);
    else job.reject(new Error(reply.message));
    this.dispatch();
  }

  /** A worker that died takes its job with it; a fresh worker takes over the queue. */
  private onWorkerGone(worker: Worker, reason: string): void {
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    const job = this.running.get(worker);
    if (job === undefined && idleAt < 0) return;
    this.running.delete(worker);
    this.started--;
    job?.reject(new Error(reason));
    if (!this.closed) this.dispatch();
  }
}

/** `checkModel` through the pool: every selected proposal of `file` (whose text is `text`) is one job. */
export async function checkModelInPool(
  pool: ProposalPool,
  file: SourceFile,
  text: string,
  options: Omit<ProposalJob, 'text' | 'proposal'> & { proposals?: string[]; onProgress?: (progress: EngineProgress) => void; cancelFlag?: SharedArrayBuffer },
): Promise<ModelResult> {
  const { proposals: selected, onProgress, cancelFlag, ...budgets } = options;
  const expected = expectationsOf(file);
  const names = proposalNames(file).filter((name) => selected === undefined || selected.includes(name));
  const outcomes: Promise<ProposalOutcome>[] = new Array(names.length);
  // Queued in the schedule's order; each outcome keeps its proposal's place.
  for (const at of proposalSchedule(file, names, pool.size)) {
    const name = names[at];
    outcomes[at] = pool.run({ ...budgets, text, proposal: name }, { onProgress, cancelFlag }).catch((error: unknown): ProposalOutcome => {
      const diagnostics: Diagnostic[] = [];
      return { result: failedProposal(file, name, error, diagnostics), diagnostics };
    });
  }
  const settled = await Promise.all(outcomes);
  return {
    proposals: settled.map((outcome, k) => withExpectation(outcome.result, expected.get(names[k]))),
    diagnostics: settled.flatMap((outcome) => outcome.diagnostics),
  };
}
