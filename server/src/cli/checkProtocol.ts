// Messages between `lifetime check` and its check worker thread. Everything is plain data: the
// structured clone keeps a diagnostic and the proposal its violation belongs to as they are.

import type { Diagnostic } from '../core/diagnostics/codes';
import type { EngineProgress } from '../core/engine/types';
import type { EngineJobOptions, PlannedProposal, ProposalOutcome } from './engineReport';

export interface CheckJob {
  type: 'check';
  text: string;
  /** The engine's options; absent with `--no-engine` (parse and check names only). */
  engine?: EngineJobOptions;
  /** Extra kernel API tables, for models with C bodies. */
  apiFiles: string[];
  /** Proposals whose outcome the command already has (a worker before this one ran them). */
  done: string[];
}

export type CheckReply =
  /** The worker has loaded and begins the job: the budget of parsing and name checking starts. */
  | { type: 'begin' }
  /** Parsing and name checking are over: their diagnostics, and what the engine will check. */
  | {
      type: 'front';
      diagnostics: Diagnostic[];
      engineSkipped?: string;
      planned: PlannedProposal[];
      expectations: [string, { start: number; end: number }][];
    }
  | { type: 'start'; name: string }
  | { type: 'progress'; progress: EngineProgress }
  | { type: 'proposal'; name: string; outcome: ProposalOutcome }
  | { type: 'end' }
  | { type: 'failed'; message: string };

export function isCheckJob(value: unknown): value is CheckJob {
  if (value === null || typeof value !== 'object') return false;
  const job = value as Partial<CheckJob>;
  return job.type === 'check' && typeof job.text === 'string' && Array.isArray(job.apiFiles) && Array.isArray(job.done);
}
