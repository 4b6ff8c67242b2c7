// The worker pool and watchdog of `lifetime check`. Each `.lifetime` file is parsed and name-checked
// in a worker thread (its front phase), which plans its proposals; each planned proposal is then a
// job of its own, run by the next free worker of up to `--jobs` workers, so that the proposals of a
// file, and different files, are checked at once. A phase (parsing and name checking, or one
// proposal's lowering, compiling and search) that outlives the time budget has its worker
// terminated, wherever it is: that proposal gets an honest `incomplete` verdict for `time`, and the
// other proposals go on in the other workers and a fresh one, each with its own budget, as
// `--timeout-ms` promises. Reports are assembled in the proposals' planned order, whatever order
// the jobs end in, so the output is the same for every `--jobs`.

import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CODES, makeDiagnostic, type Diagnostic } from '../core/diagnostics/codes';
import { DEFAULT_BUDGETS } from '../core/engine/budgets';
import type { CheckJob, CheckReply } from './checkProtocol';
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

/** `proposal` at the start of a line: roughly how many proposals a file has, before it is parsed. */
const PROPOSAL_LINES = /^[ \t]*proposal\b/gm;

export interface CheckHostOptions {
  /** The worker's script; by default `checkWorker.js` next to this module (the bundle or tsc's output). */
  workerPath?: string;
  /** A heap limit for each worker, in MiB; node's default when absent. A worker that reaches it stops the proposal for `memory`. */
  maxHeapMiB?: number;
  /** How many workers may run at once (`--jobs`); 1 by default. */
  jobs?: number;
}

/** One job waiting for a worker: a file's front phase (`only` null) or one of its proposals. */
interface QueuedJob {
  run: FileRun;
  only: PlannedProposal | null;
  /** The job's place: the file's place among the checks, then the proposal's in the file. */
  order: [number, number];
}

export class CheckHost {
  private readonly idle: Worker[] = [];
  private readonly busy = new Set<Worker>();
  private readonly queue: QueuedJob[] = [];
  private readonly workerPath: string;
  /** How many workers may run at once. */
  readonly jobs: number;
  private files = 0;
  /** How many jobs the files checked so far may run at once, by a count of their lines (at least). */
  private demand = 0;

  constructor(private readonly options: CheckHostOptions = {}) {
    this.workerPath = options.workerPath ?? path.join(__dirname, 'checkWorker.js');
    this.jobs = Math.max(1, options.jobs ?? 1);
  }

  /**
   * Checks one file; rejects only when parsing or name checking failed with an internal error.
   * Files may be checked at once: their jobs share the workers, earlier files first.
   */
  check(file: FileCheck): Promise<FileReport> {
    const index = this.files++;
    this.demand += file.engine ? roughProposalCount(file) : 1;
    this.startWorkersFor(this.demand);
    return new Promise<FileReport>((resolve, reject) => new FileRun(this, index, file, resolve, reject).start());
  }

  /** Queues a job and starts every job a worker is free for. */
  enqueue(job: QueuedJob): void {
    const at = this.queue.findIndex((queued) => compareOrder(job.order, queued.order) < 0);
    this.queue.splice(at < 0 ? this.queue.length : at, 0, job);
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.busy.size < this.jobs)) {
      const next = this.queue.shift()!;
      if (next.run.settled) continue;
      let worker: Worker;
      try {
        worker = this.acquire();
      } catch (error) {
        next.run.fail(`the check worker could not start: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      new WorkerJob(this, worker, next.run, next.only).start();
    }
  }

  /**
   * Starts idle workers, up to `--jobs`, for `wanted` jobs at once: they load while the first
   * worker parses the file, instead of after it, when its proposals are queued.
   */
  private startWorkersFor(wanted: number): void {
    try {
      while (this.idle.length + this.busy.size < Math.min(this.jobs, wanted)) this.idle.push(this.spawn());
    } catch {
      // A worker that cannot start is reported by the job that needs it (`pump`).
    }
  }

  /** An idle worker, or a new one. */
  private acquire(): Worker {
    const worker = this.idle.shift() ?? this.spawn();
    this.busy.add(worker);
    return worker;
  }

  private spawn(): Worker {
    const worker = new Worker(this.workerPath, this.options.maxHeapMiB ? { resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMiB } } : {});
    // The watchdog's timer keeps the process alive while a file is checked; an idle worker must not.
    worker.unref();
    // A job's own listeners report a busy worker's failure; an idle worker that fails just exits.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return worker;
  }

  /** A job is over: its worker takes the next job, or is terminated when it is stuck or broken. */
  release(worker: Worker, broken: boolean): void {
    this.busy.delete(worker);
    if (broken) void worker.terminate();
    else this.idle.push(worker);
    this.pump();
  }

  /** Terminates every worker; a job still running (of a file that failed) ends as its worker exits. */
  async dispose(): Promise<void> {
    this.queue.length = 0;
    const workers = [...this.idle.splice(0), ...this.busy];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** A file's proposals and the baseline, counted from its lines (a proposal named only in a comment counts too). */
function roughProposalCount(file: FileCheck): number {
  const declared = (file.text.match(PROPOSAL_LINES)?.length ?? 0) + 1;
  const selected = file.engine?.proposals.length ?? 0;
  return selected > 0 ? Math.min(selected, declared) : declared;
}

/** The indices of the planned proposals in the order the front phase scheduled them; the file's order unless that is a permutation. */
function scheduleOf(front: Front): number[] {
  const count = front.planned.length;
  const schedule = Array.isArray(front.schedule) ? front.schedule : [];
  const valid = schedule.length === count && new Set(schedule).size === count && schedule.every((at) => Number.isInteger(at) && at >= 0 && at < count);
  return valid ? schedule : front.planned.map((_, at) => at);
}

function compareOrder(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** One file's check: its front phase, then its proposals, each a job of its own. */
class FileRun {
  front: Front | undefined;
  private readonly outcomes = new Map<string, ProposalOutcome>();
  settled = false;
  readonly timeoutMs: number;

  constructor(
    private readonly host: CheckHost,
    private readonly index: number,
    readonly file: FileCheck,
    private readonly resolve: (report: FileReport) => void,
    private readonly reject: (error: Error) => void,
  ) {
    this.timeoutMs = file.engine?.timeoutMs ?? DEFAULT_BUDGETS.timeoutMs;
  }

  start(): void {
    this.host.enqueue({ run: this, only: null, order: [this.index, -1] });
  }

  /** The front phase answered: the proposals it planned are queued, each as a job. */
  onFront(front: Front): void {
    if (this.settled) return;
    this.front = front;
    if (front.engineSkipped || front.planned.length === 0) {
      this.finish();
      return;
    }
    // Workers take the proposals in the front phase's schedule (largest first); the report keeps the file's order.
    for (const [rank, at] of scheduleOf(front).entries()) this.host.enqueue({ run: this, only: front.planned[at], order: [this.index, rank] });
  }

  onOutcome(name: string, outcome: ProposalOutcome): void {
    if (this.settled) return;
    this.outcomes.set(name, outcome);
    if (this.front && this.front.planned.every((proposal) => this.outcomes.has(proposal.name))) this.finish();
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    const front = this.front!;
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
  finishFrontTimedOut(): void {
    if (this.settled) return;
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

  fail(message: string): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(new Error(message));
  }
}

/** One job in one worker under the watchdog: a file's front phase, or one of its proposals. */
class WorkerJob {
  private timer: NodeJS.Timeout | undefined;
  private phaseStarted = 0;
  /** Whether the worker has begun the job (it has loaded). */
  private begun = false;
  private over = false;
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly host: CheckHost,
    private readonly worker: Worker,
    private readonly run: FileRun,
    private readonly only: PlannedProposal | null,
  ) {}

  start(): void {
    const worker = this.worker;
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
    const file = this.run.file;
    const job: CheckJob = { type: 'check', text: file.text, apiFiles: file.apiFiles, only: this.only?.name ?? null, workers: this.host.jobs };
    if (file.engine) job.engine = file.engine;
    this.armWatchdog(WORKER_START_MS);
    worker.postMessage(job);
  }

  private armWatchdog(ms = this.run.timeoutMs + watchdogSlackMs(this.run.timeoutMs)): void {
    if (this.timer) clearTimeout(this.timer);
    this.phaseStarted = performance.now();
    this.timer = setTimeout(() => this.onDeadline(), ms);
  }

  private onReply(reply: CheckReply): void {
    if (this.over || reply === null || typeof reply !== 'object') return;
    switch (reply.type) {
      case 'begin':
        this.begun = true;
        // The front job (parsing and name checking) has no budget of its own to stop at, so it gets no slack.
        this.armWatchdog(this.only === null ? this.run.timeoutMs : undefined);
        break;
      case 'front':
        if (this.only === null) this.run.onFront(reply);
        break;
      case 'start':
        this.armWatchdog();
        break;
      case 'progress':
        this.run.file.onProgress?.(reply.progress);
        break;
      case 'proposal':
        if (this.only?.name === reply.name) this.run.onOutcome(reply.name, reply.outcome);
        break;
      case 'end':
        this.end(false);
        if (this.only === null && !this.run.front) this.run.fail('the check worker ended without an answer');
        break;
      case 'failed':
        this.onWorkerDied(`internal error: ${reply.message}`);
        break;
    }
  }

  private onDeadline(): void {
    if (this.over) return;
    this.end(true);
    if (!this.begun) this.run.fail(`the check worker did not start within ${WORKER_START_MS / 1000} s`);
    else if (this.only === null) {
      // Once the front phase has answered, its proposals are queued and its worker has nothing left to do.
      if (!this.run.front) this.run.finishFrontTimedOut();
    } else this.run.onOutcome(this.only.name, stoppedOutcome(this.only, 'time', performance.now() - this.phaseStarted));
  }

  /** The worker died: out of memory, or an exception the worker did not catch. */
  private onWorkerDied(reason: 'memory' | string): void {
    if (this.over) return;
    this.end(true);
    if (this.only === null) {
      if (!this.run.front) this.run.fail(reason === 'memory' ? 'the check worker ran out of memory while parsing and checking names' : reason);
      return;
    }
    const ms = performance.now() - this.phaseStarted;
    this.run.onOutcome(this.only.name, reason === 'memory' ? stoppedOutcome(this.only, 'memory', ms) : internalErrorOutcome(this.only, reason, ms));
  }

  private end(broken: boolean): void {
    this.over = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const detach of this.detach.splice(0)) detach();
    this.host.release(this.worker, broken);
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
