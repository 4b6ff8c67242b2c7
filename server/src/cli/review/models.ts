// The models of `lifetime review`, checked as `lifetime check` checks them: in worker threads under
// the watchdog (checkHost.ts), so that `--timeout-ms` holds while a proposal is lowered, compiled
// and searched. A proposal the watchdog stops gets an `incomplete` verdict for `time`. The verdicts
// are looked up by the model's text when the review is assembled.

import { availableParallelism } from 'node:os';
import { plannedProposals, stoppedOutcome, type EngineJobOptions } from '../engineReport';
import { CheckHost } from '../checkHost';
import type { ProposalResult } from '../../core/engine/types';
import type { ModelChecker } from '../../core/review/index';

export interface ModelCheckOptions {
  engine: EngineJobOptions;
  apiFiles: string[];
  /** What the models are called in messages. */
  name: string;
}

/**
 * Checks every text, at once in up to one worker per core; the checker then answers from the
 * results. Rejects (with a one-line reason) when a worker failed while parsing a model.
 */
export async function checkModelsInWorkers(texts: readonly string[], options: ModelCheckOptions): Promise<ModelChecker> {
  const verdicts = new Map<string, ProposalResult[] | 'front-timed-out'>();
  if (texts.length > 0) {
    const host = new CheckHost({ jobs: Math.min(texts.length * 4, availableParallelism()) });
    try {
      const checks = texts.map(async (text) => {
        const report = await host.check({ path: options.name, text, engine: options.engine, apiFiles: options.apiFiles });
        // Parsing and name checking outlived the budget in the worker (a loaded machine): no proposal was searched.
        verdicts.set(text, report.engineSkipped ? 'front-timed-out' : report.proposals);
      });
      const settled = await Promise.allSettled(checks);
      const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    } finally {
      await host.dispose();
    }
  }
  const budget = options.engine.timeoutMs;
  return (text, file) => {
    const found = verdicts.get(text);
    if (found === undefined) throw new Error('a model was reviewed that was not checked first');
    if (found !== 'front-timed-out') return found;
    return plannedProposals(file, options.engine).map((planned) => stoppedOutcome(planned, 'time', budget ?? 0).result);
  };
}
