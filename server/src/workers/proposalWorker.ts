// A worker of the proposal pool (proposalPool.ts): checks one proposal at a time and answers with
// its result and diagnostics. A job's shared flag, when given, cancels it (1 = cancel).

import { parentPort } from 'node:worker_threads';
import type { Diagnostic } from '../core/diagnostics/codes';
import { checkProposal } from '../core/engine/index';
import { cBodiesFor } from '../core/features/cBodies';
import { parse } from '../core/syntax/parser';
import type { PoolReply, PoolRequest } from './proposalPool';

function post(reply: PoolReply): void {
  parentPort?.postMessage(reply);
}

async function check(request: PoolRequest): Promise<void> {
  const { job } = request;
  const flag = request.cancelFlag ? new Int32Array(request.cancelFlag) : undefined;
  const cancel = flag ? { get isCancellationRequested(): boolean { return Atomics.load(flag, 0) !== 0; } } : undefined;
  try {
    const translateC = job.cBodies ? (await cBodiesFor(job.cBodies.apiTables)).translateC : undefined;
    const diagnostics: Diagnostic[] = [];
    const result = checkProposal(parse(job.text).file, job.proposal, {
      exact: job.exact,
      maxStates: job.maxStates,
      timeoutMs: job.timeoutMs,
      maxMemoryBytes: job.maxMemoryBytes,
      collectFacts: job.collectFacts,
      translateC,
      cancel,
      onProgress: (progress) => post({ type: 'progress', id: request.id, progress }),
    }, diagnostics);
    post({ type: 'done', id: request.id, outcome: { result, diagnostics } });
  } catch (error) {
    post({ type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
}

parentPort?.on('message', (message: PoolRequest) => {
  if (message?.type === 'check') void check(message);
});
