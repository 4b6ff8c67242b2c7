// The watchdog of `lifetime check`: each `.lifetime` file is checked in a worker thread, and a phase
// (parsing and name checking, or one proposal's lowering, compiling and search) that outlives the
// time budget has its worker terminated, wherever it is. The proposal it was checking gets an honest
// `incomplete` verdict for `time`; the proposals after it are checked by a fresh worker, each with
// its own budget, as `--timeout-ms` promises.

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CODES, makeDiagnostic, type Diagnostic } from '../core/diagnostics/codes';
import { DEFAULT_BUDGETS } from '../core/engine/budgets';
import { CheckReply, type CheckJob } from './checkProtocol';
import type { EngineProgress } from '../core/engine/types';
import { engineRunOf, stoppedOutcome, type EngineJobOptions, type PlannedProposal, type ProposalOutcome } from './engineReport';
import { newReport, sortDiagnostics, type FileReport } from './report';

export interface FileCheck {
  path: string;
  text: string;
  /** Absent with `--no-engine`. */
  engine?: EngineJobOptions;
  apiFiles: string[];
  onProgress?: (progress: EngineProgress) => void;
}

type Front = Extract<CheckReply, { type: 'front' }>;

/**
 * How long past the budget a phase may run before its worker is terminated: the engine stops a
 * search at the budget itself and keeps what it found, so the watchdog leaves it room to answer.
 */
export function watchdogSlackMs(timeoutMs: number): number {
  return Math.min(2000, Math.max(1000, Math.round(timeoutMs / 10)));
}

/** How long a new worker may take to load before the job starts; loading is not the file's time. */
const WORKER_START_MS = 60_000;

/** `expect` at the start of a line: the file states an expectation (read without parsing). */
const EXPECT_LINE = /^[ \t]*expect\b/m;

export interface CheckHostOptions {
  /** The worker's script; by default `checkWorker.js` next to this module (the bundle or tsc's output). */
  workerPath?: string;
  /** A heap limit for the worker, in MiB; node's default when absent. A worker that reaches it stops the proposal for `memory`. */
  maxHeapMiB?: number;
}

export class CheckHost {
  private worker: Worker | undefined;
  private readonly workerPath: string;

  constructor(private readonly options: CheckHostOptions = {}) {
    this.workerPath = options.workerPath ?? path.join(__dirname, 'checkWorker.js');
  }

  /** Checks one file; rejects only when parsing or name checking failed with an internal error. */
  check(file: FileCheck): Promise<FileReport> {
    return new Promise<FileReport>((resolve, reject) => new FileRun(this, file, resolve, reject).start());
  }

  /** The idle worker, or a new one. */
  acquire(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath, this.options.maxHeapMiB ? { resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMiB } } : {});
    // The watchdog's timer keeps the process alive while a file is checked; an idle worker must not.
    worker.unref();
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  /** Terminates a worker that is stuck or broken; the next file gets a fresh one. */
  discard(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}

/** One file's run through one or more workers. */
class FileRun {
  private front: Front | undefined;
  private readonly outcomes = new Map<string, ProposalOutcome>();
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private phaseStarted = 0;
  /** Whether the current worker has begun the job (it has loaded). */
  private begun = false;
  private settled = false;
  private readonly timeoutMs: number;
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly host: CheckHost,
    private readonly file: FileCheck,
    private readonly resolve: (report: FileReport) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.timeoutMs = file.engine?.timeoutMs ?? DEFAULT_BUDGETS.timeoutMs;
  }

  start(): void {
    let worker: Worker;
    try {
      worker = this.host.acquire();
    } catch (error) {
      this.fail(`the check worker could not start: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.worker = worker;
    this.begun = false;
    const onMessage = (reply: CheckReply) => this.onReply(reply);
    const onError = (error: Error & { code?: string }) => this.onWorkerDied(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : `the check worker failed: ${error.message}`);
    const onExit = (code: number) => this.onWorkerDied(`the check worker exited with code ${code}`);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    this.detach.push(() => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    });
    const job: CheckJob = { type: 'check', text: this.file.text, apiFiles: this.file.apiFiles, done: [...this.outcomes.keys()] };
    if (this.file.engine) job.engine = this.file.engine;
    this.armWatchdog(WORKER_START_MS);
    worker.postMessage(job);
  }

  private armWatchdog(ms = this.timeoutMs + watchdogSlackMs(this.timeoutMs)): void {
    if (this.timer) clearTimeout(this.timer);
    this.phaseStarted = performance.now();
    this.timer = setTimeout(() => this.onDeadline(), ms);
  }

  private onReply(reply: CheckReply): void {
    if (this.settled || reply === null || typeof reply !== 'object') return;
    switch (reply.type) {
      case 'begin':
        this.begun = true;
        // Parsing and name checking have no budget of their own to stop at, so they get no slack.
        this.armWatchdog(this.timeoutMs);
        break;
      case 'front':
        // A later worker parses the file again; the first answer stands.
        this.front ??= reply;
        this.armWatchdog();
        break;
      case 'start':
        this.armWatchdog();
        break;
      case 'progress':
        this.file.onProgress?.(reply.progress);
        break;
      case 'proposal':
        this.outcomes.set(reply.name, reply.outcome);
        this.armWatchdog();
        break;
      case 'end':
        this.releaseWorker(false);
        this.finish();
        break;
      case 'failed':
        this.onWorkerDied(`internal error: ${reply.message}`);
        break;
    }
  }

  /** The proposal being checked now: the first planned one without an outcome. */
  private current(): PlannedProposal | undefined {
    return this.front?.planned.find((proposal) => !this.outcomes.has(proposal.name));
  }

  private onDeadline(): void {
    if (this.settled) return;
    if (!this.begun) {
      this.fail(`the check worker did not start within ${WORKER_START_MS / 1000} s`);
      return;
    }
    this.releaseWorker(true);
    const current = this.current();
    if (!this.front || !current) {
      this.finishFrontTimedOut();
      return;
    }
    this.outcomes.set(current.name, stoppedOutcome(current, 'time', performance.now() - this.phaseStarted));
    this.continueOrFinish();
  }

  /** The worker died: out of memory, or an exception the worker did not catch. */
  private onWorkerDied(reason: 'memory' | string): void {
    if (this.settled) return;
    this.releaseWorker(true);
    const current = this.current();
    if (!this.front || !current) {
      this.fail(reason === 'memory' ? 'the check worker ran out of memory while parsing and checking names' : reason);
      return;
    }
    const ms = performance.now() - this.phaseStarted;
    this.outcomes.set(current.name, reason === 'memory' ? stoppedOutcome(current, 'memory', ms) : internalErrorOutcome(current, reason, ms));
    this.continueOrFinish();
  }

  private continueOrFinish(): void {
    if (this.current()) this.start();
    else this.finish();
  }

  private releaseWorker(broken: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const detach of this.detach.splice(0)) detach();
    const worker = this.worker;
    this.worker = undefined;
    if (worker && broken) this.host.discard(worker);
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    const front = this.front;
    if (!front) {
      this.reject(new Error('the check worker ended without an answer'));
      return;
    }
    const report = newReport(this.file.path, this.file.text);
    report.diagnostics.push(...front.diagnostics);
    if (front.engineSkipped) report.engineSkipped = front.engineSkipped;
    else {
      const outcomes = front.planned.flatMap((proposal) => this.outcomes.get(proposal.name) ?? []);
      const run = engineRunOf(this.file.text, new Map(front.expectations), outcomes);
      report.proposals = run.proposals;
      report.diagnostics.push(...run.diagnostics);
      report.violations = run.violations;
    }
    sortDiagnostics(report.diagnostics);
    this.resolve(report);
  }

  /** Parsing and name checking outlived the budget: nothing in the file was checked. */
  private finishFrontTimedOut(): void {
    this.settled = true;
    const report = newReport(this.file.path, this.file.text);
    const expects = EXPECT_LINE.test(this.file.text);
    const diagnostic: Diagnostic = makeDiagnostic(
      CODES.frontTimedOut,
      `parsing and checking names did not finish within the ${this.timeoutMs} ms time budget (--timeout-ms); nothing in this file was checked${expects ? ', so its expectations are not confirmed' : ''}`,
      0,
      0,
    );
    // The rule of an incomplete search: it fails the check only when the file states an expectation.
    if (expects) diagnostic.severity = 'error';
    report.diagnostics.push(diagnostic);
    report.engineSkipped = 'parsing and checking names ran out of time';
    this.resolve(report);
  }

  private fail(message: string): void {
    if (this.settled) return;
    this.settled = true;
    this.releaseWorker(true);
    this.reject(new Error(message));
  }
}

/** A proposal whose worker failed: no verdict, an LT3506 error, and exit code 2, as in the engine. */
function internalErrorOutcome(planned: PlannedProposal, reason: string, ms: number): ProposalOutcome {
  const skipped = reason.startsWith('internal error: ') ? reason : `internal error: ${reason}`;
  const label = planned.name === 'baseline' ? 'the baseline' : `proposal ${planned.name}`;
  return {
    result: { name: planned.name, start: planned.start, end: planned.end, verdict: 'incomplete', states: 0, transitions: 0, depth: 0, ms, incompleteReason: 'internal-error', skipped, message: skipped },
    diagnostics: [makeDiagnostic(CODES.internalError, `${label} has no verdict: ${skipped}`, planned.start, planned.end)],
  };
}
