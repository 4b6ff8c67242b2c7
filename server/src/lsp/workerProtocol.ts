// Messages between the language server and its engine worker thread. Everything is plain data.

import type { EngineProgress, ModelResult } from '../core/engine/types';
import type { ApiTableTexts } from '../core/features/cBodies';

export interface EngineJobOptions {
  maxStates: number;
  timeoutMs: number;
  exact: boolean;
  /** `spin`: SPIN searches the Promela export (`lifetime.check.backend`); facts are then not collected. */
  backend?: 'engine' | 'spin';
  collectFacts: boolean;
  proposals?: string[];
  /** Extra kernel API tables for C bodies (`lifetime.c.apiFiles`, as the server read them). */
  apiTables?: ApiTableTexts;
}

export interface CheckRequest {
  type: 'check';
  id: number;
  text: string;
  options: EngineJobOptions;
  /** One Int32 flag; the server stores 1 in it to cancel this job. */
  cancelFlag: SharedArrayBuffer;
}

export type WorkerRequest = CheckRequest;

export type WorkerReply =
  | { type: 'result'; id: number; result: ModelResult; ms: number }
  | { type: 'progress'; id: number; progress: EngineProgress }
  | { type: 'cancelled'; id: number }
  | { type: 'failed'; id: number; message: string };

export function isWorkerRequest(value: unknown): value is WorkerRequest {
  if (value === null || typeof value !== 'object') return false;
  const message = value as Partial<CheckRequest>;
  return (
    message.type === 'check' &&
    typeof message.id === 'number' &&
    typeof message.text === 'string' &&
    message.options !== null &&
    typeof message.options === 'object' &&
    message.cancelFlag instanceof SharedArrayBuffer
  );
}
