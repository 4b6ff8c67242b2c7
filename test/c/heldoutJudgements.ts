// The judged held-out samples of docs/c-precision.md (test/c/heldout-judgements.json): each round's
// findings, drawn with a stated seed on directories not tuned on before the draw, judged by reading
// the 6.1 source. bench:c prints the precision of each round from here.

import * as fs from 'fs';
import * as path from 'path';

export type Verdict = 'TP' | 'FP' | 'unclear';

export interface Judgement {
  /** `path:line` in linux-source-6.1. */
  finding: string;
  kind: string;
  verdict: Verdict;
  reason: string;
}

export interface JudgedRound {
  name: string;
  seed: number;
  dirs: string[];
  lines: number;
  findingsInRun: number;
  judgements: Judgement[];
  /** Lock-leaks judged beside the uniform sample: every one found in `lockLeakDirs`, also never tuned on. */
  lockLeaks?: Judgement[];
  lockLeakDirs?: string[];
}

export interface RoundPrecision {
  round: JudgedRound;
  truePositives: number;
  judged: number;
  lockLeakTrue: number;
  lockLeakJudged: number;
}

export const HELDOUT_FILE = path.join(process.cwd(), 'test/c/heldout-judgements.json');

export function loadJudgedRounds(file = HELDOUT_FILE): JudgedRound[] {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { rounds: JudgedRound[] };
  return data.rounds;
}

/** Precision of a round's uniform sample; lock-leak precision over the sample's lock-leaks and the extra lock-leak judgements. */
export function roundPrecision(round: JudgedRound): RoundPrecision {
  const lockLeaks = [...round.judgements, ...(round.lockLeaks ?? [])].filter((j) => j.kind === 'lock-leak');
  const distinct = new Map(lockLeaks.map((j) => [`${j.finding} ${j.reason}`, j]));
  return {
    round,
    truePositives: round.judgements.filter((j) => j.verdict === 'TP').length,
    judged: round.judgements.length,
    lockLeakTrue: [...distinct.values()].filter((j) => j.verdict === 'TP').length,
    lockLeakJudged: distinct.size,
  };
}

export function formatRoundPrecision(p: RoundPrecision): string {
  const percent = (a: number, b: number) => (b === 0 ? 'none judged' : `${a}/${b} = ${Math.round((100 * a) / b)}%`);
  const lockDirs = p.round.lockLeakDirs ? ` (with every lock-leak of ${p.round.lockLeakDirs.join(' ')})` : '';
  return `held-out ${p.round.name} (seed ${p.round.seed}; ${p.round.dirs.join(' ')}; ${p.round.findingsInRun} findings in ${p.round.lines} lines): precision ${percent(p.truePositives, p.judged)}, lock-leaks ${percent(p.lockLeakTrue, p.lockLeakJudged)}${lockDirs}`;
}
