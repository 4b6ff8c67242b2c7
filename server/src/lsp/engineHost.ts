// Runs engine checks in a worker thread. A job can be cancelled at any time: the worker sees the
// shared flag at the engine's next token check; if it does not answer within a grace period, the
// worker is terminated and a fresh one started. A worker that dies on its own is restarted too,
// and the owner is told (it tells the user once).

import { Worker } from 'node:worker_threads';
import type { EngineProgress, ModelResult } from '../core/engine/types';
import type { EngineJobOptions, WorkerReply } from './workerProtocol';

export type EngineOutcome =
  | { status: 'done'; result: ModelResult; ms: number }
  | { status: 'cancelled' }
  | { status: 'failed'; message: string };

export interface EngineRun {
  readonly id: number;
  readonly outcome: Promise<EngineOutcome>;
  cancel(): void;
}

interface PendingJob {
  id: number;
  flag: Int32Array;
  resolve: (outcome: EngineOutcome) => void;
  onProgress?: (progress: EngineProgress) => void;
  watchdog?: NodeJS.Timeout;
  message: { type: 'check'; id: number; text: string; options: EngineJobOptions; cancelFlag: SharedArrayBuffer };
}

/** How long a cancelled job may keep the worker busy before the worker is replaced. */
const CANCEL_GRACE_MS = 1500;
/** Slack over the engine's own time budget before the worker is considered stuck. */
const TIMEOUT_SLACK_MS = 5000;

export class EngineHost {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, PendingJob>();
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly workerPath: string,
    private readonly onWorkerDied: (reason: string) => void,
  ) {}

  run(text: string, options: EngineJobOptions, onProgress?: (progress: EngineProgress) => void): EngineRun {
    const id = this.nextId++;
    const buffer = new SharedArrayBuffer(4);
    const flag = new Int32Array(buffer);
    let resolve!: (outcome: EngineOutcome) => void;
    const outcome = new Promise<EngineOutcome>((r) => (resolve = r));
    if (this.disposed) {
      resolve({ status: 'cancelled' });
      return { id, outcome, cancel: () => undefined };
    }
    const message = { type: 'check' as const, id, text, options, cancelFlag: buffer };
    const job: PendingJob = { id, flag, resolve, onProgress, message };
    this.pending.set(id, job);
    job.watchdog = setTimeout(() => this.replaceStuckWorker(id), options.timeoutMs + TIMEOUT_SLACK_MS);
    try {
      this.ensureWorker().postMessage(message);
    } catch (error) {
      this.finish(id, { status: 'failed', message: `Could not start the engine: ${String(error)}` });
    }
    return { id, outcome, cancel: () => this.cancel(id) };
  }

  /** Cancels every job in flight or queued. */
  cancelAll(): void {
    for (const id of [...this.pending.keys()]) this.cancel(id);
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const id of [...this.pending.keys()]) this.finish(id, { status: 'cancelled' });
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private cancel(id: number): void {
    const job = this.pending.get(id);
    if (!job) return;
    Atomics.store(job.flag, 0, 1);
    // The caller must not wait for a worker that ignores the flag; answer now and reap later.
    this.finish(id, { status: 'cancelled' });
    const worker = this.worker;
    setTimeout(() => {
      if (this.worker === worker && worker && this.cancelledStillRunning.has(id)) this.restartWorker();
    }, CANCEL_GRACE_MS).unref();
    this.cancelledStillRunning.add(id);
  }

  /** Jobs answered as cancelled whose worker has not acknowledged yet. */
  private readonly cancelledStillRunning = new Set<number>();

  private finish(id: number, outcome: EngineOutcome): void {
    const job = this.pending.get(id);
    if (!job) return;
    this.pending.delete(id);
    if (job.watchdog) clearTimeout(job.watchdog);
    job.resolve(outcome);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (error) => this.onWorkerExit(worker, `the engine worker failed: ${error.message}`));
    worker.on('exit', (code) => this.onWorkerExit(worker, `the engine worker exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onReply(reply: WorkerReply): void {
    if (reply === null || typeof reply !== 'object') return;
    if (reply.type !== 'progress') this.cancelledStillRunning.delete(reply.id);
    const job = this.pending.get(reply.id);
    if (!job) return;
    switch (reply.type) {
      case 'progress':
        job.onProgress?.(reply.progress);
        break;
      case 'result':
        this.finish(reply.id, { status: 'done', result: reply.result, ms: reply.ms });
        break;
      case 'cancelled':
        this.finish(reply.id, { status: 'cancelled' });
        break;
      case 'failed':
        this.finish(reply.id, { status: 'failed', message: reply.message });
        break;
    }
  }

  private onWorkerExit(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.cancelledStillRunning.clear();
    if (this.disposed) return;
    for (const id of [...this.pending.keys()]) this.finish(id, { status: 'failed', message: `The check stopped: ${reason}.` });
    this.onWorkerDied(reason);
  }

  private replaceStuckWorker(id: number): void {
    if (!this.pending.has(id)) return;
    this.finish(id, { status: 'failed', message: 'The engine did not answer within its time budget; it was restarted.' });
    this.restartWorker();
  }

  /** Replaces a worker deliberately: jobs queued behind the stuck one are sent to the new worker. */
  private restartWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.cancelledStillRunning.clear();
    if (worker) void worker.terminate();
    if (this.pending.size === 0) return;
    const fresh = this.ensureWorker();
    for (const job of this.pending.values()) fresh.postMessage(job.message);
  }
}
