// The check worker: parses and name-checks one `.lifetime` file and plans its proposals (the front
// phase), or runs the engine on one of those proposals, telling the command as each phase starts
// and ends. The command's watchdog terminates this thread when a phase outlives the time budget,
// whatever the phase is doing.

import { parentPort } from 'node:worker_threads';
import { cBodiesFor } from '../core/features/cBodies';
import type { EngineProgress } from '../core/engine/types';
import { checkFile } from '../core/semantic/checker';
import { proposalSchedule } from '../core/engine/schedule';
import { parse } from '../core/syntax/parser';
import { expectationRanges } from '../core/report/verdictDiagnostics';
import { isCheckJob, type CheckJob, type CheckReply } from './checkProtocol';
import { hasCBody } from './cSupport';
import { plannedProposals, runProposal, type PlannedProposal } from './engineReport';
import type { Diagnostic } from '../core/diagnostics/codes';

const PROGRESS_INTERVAL_MS = 100;

function post(reply: CheckReply): void {
  parentPort?.postMessage(reply);
}

/** A file's front phase: its tree, diagnostics and planned proposals. */
interface Front {
  text: string;
  proposals: string;
  parsed: ReturnType<typeof parse>;
  diagnostics: Diagnostic[];
  hasErrors: boolean;
  planned: PlannedProposal[];
}

/**
 * The last file this worker parsed: the proposals of one file come as one job each, and a worker
 * that takes several of them parses, name-checks and plans the file once.
 */
let lastFront: Front | undefined;

function frontOf(job: CheckJob): Front {
  const proposals = JSON.stringify(job.engine?.proposals ?? null);
  if (lastFront && lastFront.text === job.text && lastFront.proposals === proposals) return lastFront;
  const parsed = parse(job.text);
  const semantic = checkFile(parsed.file);
  const diagnostics = [...parsed.diagnostics, ...semantic.diagnostics];
  const hasErrors = diagnostics.some((d) => d.severity === 'error');
  const planned = job.engine && !hasErrors ? plannedProposals(parsed.file, job.engine) : [];
  lastFront = { text: job.text, proposals, parsed, diagnostics, hasErrors, planned };
  return lastFront;
}

async function runJob(job: CheckJob): Promise<void> {
  post({ type: 'begin' });
  const { parsed, diagnostics, hasErrors, planned } = frontOf(job);
  const engine = job.engine;
  if (job.only === null) {
    if (!engine || hasErrors) {
      const engineSkipped = !engine ? 'the engine was turned off (--no-engine)' : 'the file has errors; the engine runs once they are fixed';
      post({ type: 'front', diagnostics, engineSkipped, planned: [], schedule: [], expectations: [] });
    } else {
      const schedule = proposalSchedule(parsed.file, planned.map((proposal) => proposal.name), job.workers ?? 1);
      post({ type: 'front', diagnostics, planned, schedule, expectations: [...expectationRanges(parsed.file)] });
    }
    post({ type: 'end' });
    return;
  }
  const proposal = engine && !hasErrors ? planned.find((candidate) => candidate.name === job.only) : undefined;
  if (!engine || !proposal) throw new Error(`proposal '${job.only}' is not one the front phase planned`);
  // A problem loading the C front end is the command's to report (it loads it too); the models'
  // C bodies are then reported as not checked.
  const support = hasCBody(job.text) ? await cBodiesFor(job.apiFiles) : undefined;
  let lastProgress = 0;
  const onProgress = (progress: EngineProgress) => {
    const now = Date.now();
    if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    post({ type: 'progress', progress });
  };
  post({ type: 'start', name: proposal.name });
  const outcome = runProposal(parsed.file, proposal, { ...engine, onProgress, translateC: support?.translateC });
  post({ type: 'proposal', name: proposal.name, outcome });
  post({ type: 'end' });
}

parentPort?.on('message', (message: unknown) => {
  if (!isCheckJob(message)) return;
  runJob(message).catch((error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});
