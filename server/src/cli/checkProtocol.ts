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
  /**
   * What this job does: `null` parses and checks names, then reports the planned proposals (the
   * front phase); a proposal's name parses the file again and checks only that proposal, so that
   * the command can give each proposal its own worker and its own watchdog.
   */
  only: string | null;
  /**
   * How many workers take the file's proposals (`--jobs`): with more proposals than workers, the
   * front phase orders them largest first by a static estimate (core/engine/schedule.ts).
   */
  workers?: number;
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
      /** The order in which workers should take the planned proposals, as indices of `planned`. */
      schedule: number[];
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
  return job.type === 'check' && typeof job.text === 'string' && Array.isArray(job.apiFiles) && (job.only === null || typeof job.only === 'string');
}
