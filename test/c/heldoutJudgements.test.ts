// The judged held-out samples are well formed, and docs/c-precision.md states the precision they give.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { loadJudgedRounds, roundPrecision } from './heldoutJudgements';

test('every judged round is a full sample of findings with a verdict and a reason', () => {
  const rounds = loadJudgedRounds();
  assert.ok(rounds.length >= 2);
  for (const round of rounds) {
    // A sample of at least 60, or every finding of a smaller run.
    if (round.census) assert.equal(round.judgements.length, round.findingsInRun, `${round.name}: a census judges every finding`);
    else assert.ok(round.judgements.length >= 60, `${round.name}: ${round.judgements.length} judged`);
    const extra = [...(round.lockLeaks ?? []).map((j) => ({ j, dirs: round.lockLeakDirs ?? round.dirs })), ...(round.rest ?? []).map((j) => ({ j, dirs: round.dirs }))];
    // Judged beyond the sample, the rest makes every finding of the run.
    if (round.rest) assert.equal(round.judgements.length + round.rest.length, round.findingsInRun, `${round.name}: the sample and the rest are not the whole run`);
    for (const { j, dirs } of [...round.judgements.map((j) => ({ j, dirs: round.dirs })), ...extra]) {
      assert.match(j.finding, /^[\w./+-]+\.c:\d+$/, `${round.name}: ${j.finding}`);
      assert.ok(['TP', 'FP', 'unclear'].includes(j.verdict), `${round.name}: ${j.finding} ${j.verdict}`);
      assert.ok(j.reason.length >= 8, `${round.name}: ${j.finding} has no reason`);
      assert.ok(dirs.some((dir) => j.finding.startsWith(`${dir}/`)), `${j.finding} is outside ${dirs.join(' ')}`);
    }
  }
});

test('docs/c-precision.md quotes each round\'s precision as the judgements give it', () => {
  const doc = fs.readFileSync('docs/c-precision.md', 'utf8');
  for (const round of loadJudgedRounds()) {
    const p = roundPrecision(round);
    assert.ok(doc.includes(`Precision ${p.truePositives}/${p.judged} = ${Math.round((100 * p.truePositives) / p.judged)}%`), `${round.name}: ${p.truePositives}/${p.judged}`);
  }
});
