// The engine's worker thread. It takes one check at a time; the server cancels a check by storing
// 1 in the job's shared flag, which the engine reads through its cancellation token. On a machine
// with more than one core, the proposals of a check run in parallel on a pool of worker threads of
// its own (see proposalPool.ts), with the same results as one after another.

import { parentPort } from 'node:worker_threads';
import { cBodiesFor, type ApiTableTexts, type CBodySupport } from '../core/features/cBodies';
import { runEngineOnTextWith } from '../core/features/runEngine';
import { availableCores, checkModelInPool, ProposalPool } from '../workers/proposalPool';
import { checkModel } from '../core/engine/index';
import { checkModelWithSpin } from '../spin/spinBackend';
import type { CBodyTranslator } from '../core/engine/ir';
import type { EngineProgress } from '../core/engine/types';
import { isWorkerRequest, type CheckRequest, type WorkerReply } from './workerProtocol';

const PROGRESS_INTERVAL_MS = 200;

function post(reply: WorkerReply): void {
  parentPort?.postMessage(reply);
}

/** The pool, started with the first check; none on one core, where proposals run in this thread. */
let pool: ProposalPool | undefined;

function poolForChecks(): ProposalPool | undefined {
  const cores = availableCores();
  if (cores > 1 && pool === undefined) pool = new ProposalPool(cores);
  return pool;
}

async function runCheck(request: CheckRequest, translateC: CBodyTranslator | undefined): Promise<void> {
  const flag = new Int32Array(request.cancelFlag);
  const cancel = {
    get isCancellationRequested(): boolean {
      return Atomics.load(flag, 0) !== 0;
    },
  };
  if (cancel.isCancellationRequested) {
    post({ type: 'cancelled', id: request.id });
    return;
  }
  let lastProgress = 0;
  const started = Date.now();
  try {
    const workers = poolForChecks();
    const { result } = await runEngineOnTextWith(request.text, {
      maxStates: request.options.maxStates,
      timeoutMs: request.options.timeoutMs,
      exact: request.options.exact,
      // Step facts come from the engine's own search, which the SPIN backend replaces.
      collectFacts: request.options.collectFacts && request.options.backend !== 'spin',
      proposals: request.options.proposals,
      translateC,
      cancel,
      onProgress: (progress: EngineProgress) => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        post({ type: 'progress', id: request.id, progress });
      },
    }, async (analysis, options) => {
      if (request.options.backend === 'spin') {
        return checkModelWithSpin(analysis.file, {
          exact: options.exact ?? false,
          proposals: options.proposals ?? [],
          maxMemoryBytes: options.maxMemoryBytes,
          timeoutMs: options.timeoutMs,
          translateC,
        });
      }
      if (workers === undefined) return checkModel(analysis.file, analysis.semantic, options);
      return checkModelInPool(workers, analysis.file, request.text, {
        exact: options.exact,
        maxStates: options.maxStates,
        timeoutMs: options.timeoutMs,
        maxMemoryBytes: options.maxMemoryBytes,
        collectFacts: options.collectFacts,
        proposals: options.proposals,
        onProgress: options.onProgress,
        cancelFlag: request.cancelFlag,
        cBodies: translateC ? { apiTables: request.options.apiTables ?? { key: '', files: [] } } : undefined,
      });
    });
    if (cancel.isCancellationRequested) post({ type: 'cancelled', id: request.id });
    else post({ type: 'result', id: request.id, result, ms: Date.now() - started });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    post({ type: 'failed', id: request.id, message: `The engine failed: ${message}` });
  }
}

// Checks wait until the C front end is loaded with the job's API tables (or has failed to load),
// so that models with C bodies are translated rather than reported as not checked. A problem is
// logged once per set of tables.
let reported: Promise<CBodySupport> | undefined;

function cBodiesReady(tables: ApiTableTexts): Promise<CBodySupport> {
  // The worker never reads a file the workspace names: the server passes the tables' texts.
  const ready = cBodiesFor(tables);
  if (ready !== reported) {
    reported = ready;
    void ready.then(({ problem }) => {
      if (problem) process.stderr.write(`lifetime engine worker: ${problem}\n`);
    });
  }
  return ready;
}

/** The check under way: the next one starts when it has answered. */
let previous: Promise<void> = Promise.resolve();

parentPort?.on('message', (message: unknown) => {
  if (!isWorkerRequest(message)) return;
  previous = previous.then(() => cBodiesReady(message.options.apiTables ?? { key: '', files: [] })).then(({ translateC }) => runCheck(message, translateC));
});
