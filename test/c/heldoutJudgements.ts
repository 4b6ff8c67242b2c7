// The judged held-out samples of docs/c-precision.md (test/c/heldout-judgements.json): each round's
// findings, drawn with a stated seed on directories not tuned on before the draw, judged by reading
// the 6.1 source. bench:c prints the precision of each round from here.

import * as fs from 'fs';
import * as path from 'path';

export type Verdict = 'TP' | 'FP' | 'unclear';

export interface Judgement {
  /** `path:line` in linux-source-6.1, or in the round's `source` trees. */
  finding: string;
  kind: string;
  verdict: Verdict;
  reason: string;
}

export interface JudgedRound {
  name: string;
  seed: number;
  /** Where the code came from when it is not linux-source-6.1: repositories, commits and directories. */
  source?: string;
  /** Every finding of the run was judged, and no sample drawn: a run of fewer than 60 findings. */
  census?: boolean;
  dirs: string[];
  lines: number;
  findingsInRun: number;
  judgements: Judgement[];
  /** Lock-leaks judged beside the uniform sample: every one found in `lockLeakDirs`, also never tuned on. */
  lockLeaks?: Judgement[];
  lockLeakDirs?: string[];
  /** The run's findings outside the sample, judged too: with the sample, every finding of the run. */
  rest?: Judgement[];
}

export interface RoundPrecision {
  round: JudgedRound;
  truePositives: number;
  judged: number;
  lockLeakTrue: number;
  lockLeakJudged: number;
  /** Every finding of the run, when the findings outside the sample were judged too. */
  census?: { truePositives: number; judged: number };
}

export const HELDOUT_FILE = path.join(process.cwd(), 'test/c/heldout-judgements.json');

export function loadJudgedRounds(file = HELDOUT_FILE): JudgedRound[] {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { rounds: JudgedRound[] };
  return data.rounds;
}

/** Precision of a round's uniform sample; lock-leak precision over the sample's lock-leaks and the extra lock-leak judgements. */
export function roundPrecision(round: JudgedRound): RoundPrecision {
  const lockLeaks = [...round.judgements, ...(round.lockLeaks ?? []), ...(round.rest ?? [])].filter((j) => j.kind === 'lock-leak');
  const distinct = new Map(lockLeaks.map((j) => [`${j.finding} ${j.reason}`, j]));
  const truePositives = round.judgements.filter((j) => j.verdict === 'TP').length;
  const precision: RoundPrecision = {
    round,
    truePositives,
    judged: round.judgements.length,
    lockLeakTrue: [...distinct.values()].filter((j) => j.verdict === 'TP').length,
    lockLeakJudged: distinct.size,
  };
  if (round.rest) precision.census = { truePositives: truePositives + round.rest.filter((j) => j.verdict === 'TP').length, judged: round.judgements.length + round.rest.length };
  return precision;
}

export function formatRoundPrecision(p: RoundPrecision): string {
  const percent = (a: number, b: number) => (b === 0 ? 'none judged' : `${a}/${b} = ${Math.round((100 * a) / b)}%`);
  const lockDirs = p.round.lockLeakDirs ? ` (with every lock-leak of ${p.round.lockLeakDirs.join(' ')})` : '';
  const where = `${p.round.source !== undefined ? 'out-of-tree ' : ''}${p.round.dirs.join(' ')}`;
  const census = p.census ? `, every finding of the run ${percent(p.census.truePositives, p.census.judged)}` : '';
  if (p.round.census) return `held-out ${p.round.name} (${where}; ${p.round.findingsInRun} findings in ${p.round.lines} lines, every one judged): precision ${percent(p.truePositives, p.judged)}, lock-leaks ${percent(p.lockLeakTrue, p.lockLeakJudged)}`;
  return `held-out ${p.round.name} (seed ${p.round.seed}; ${where}; ${p.round.findingsInRun} findings in ${p.round.lines} lines): precision ${percent(p.truePositives, p.judged)}${census}, lock-leaks ${percent(p.lockLeakTrue, p.lockLeakJudged)}${lockDirs}`;
}
