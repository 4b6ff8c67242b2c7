// Runs document analyses in the analysis worker thread (see analysisWorker.ts). A job is cancelled
// when its document changes: the worker skips it if it has not started, and its answer is dropped if
// it has. A worker that dies is replaced at the next job; the jobs it held fail with the reason.

import { Worker } from 'node:worker_threads';
import type { AnalysisAnswer, AnalysisJob, AnalysisReply } from './analysisProtocol';

export type AnalysisOutcome = { status: 'done'; answer: AnalysisAnswer; ms: number } | { status: 'cancelled' } | { status: 'failed'; message: string };

export interface AnalysisRun {
  readonly outcome: Promise<AnalysisOutcome>;
  cancel(): void;
}

interface PendingAnalysis {
  flag: Int32Array;
  resolve: (outcome: AnalysisOutcome) => void;
}

export class AnalysisHost {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, PendingAnalysis>();
  private nextId = 1;
  private disposed = false;

  constructor(private readonly workerPath: string) {}

  run(job: AnalysisJob): AnalysisRun {
    const id = this.nextId++;
    const buffer = new SharedArrayBuffer(4);
    const flag = new Int32Array(buffer);
    let resolve!: (outcome: AnalysisOutcome) => void;
    const outcome = new Promise<AnalysisOutcome>((r) => (resolve = r));
    const cancel = (): void => {
      Atomics.store(flag, 0, 1);
      this.finish(id, { status: 'cancelled' });
    };
    if (this.disposed) {
      resolve({ status: 'cancelled' });
      return { outcome, cancel };
    }
    this.pending.set(id, { flag, resolve });
    try {
      this.ensureWorker().postMessage({ id, job, cancelFlag: buffer });
    } catch (error) {
      this.finish(id, { status: 'failed', message: `Could not start the analysis worker: ${error instanceof Error ? error.message : String(error)}` });
    }
    return { outcome, cancel };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const id of [...this.pending.keys()]) this.finish(id, { status: 'cancelled' });
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private finish(id: number, outcome: AnalysisOutcome): void {
    const job = this.pending.get(id);
    if (!job) return;
    this.pending.delete(id);
    job.resolve(outcome);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath);
    worker.unref();
    worker.on('message', (reply: AnalysisReply) => {
      if (reply === null || typeof reply !== 'object') return;
      if (reply.status === 'done') this.finish(reply.id, { status: 'done', answer: reply.answer, ms: reply.ms });
      else if (reply.status === 'failed') this.finish(reply.id, { status: 'failed', message: reply.message });
      else this.finish(reply.id, { status: 'cancelled' });
    });
    const died = (reason: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const id of [...this.pending.keys()]) this.finish(id, { status: 'failed', message: `The analysis stopped: ${reason}.` });
    };
    worker.on('error', (error) => died(`the analysis worker failed: ${error.message}`));
    worker.on('exit', (code) => died(`the analysis worker exited with code ${code}`));
    this.worker = worker;
    return worker;
  }
}
