// The order in which a pool's workers take a file's proposals (core/engine/schedule.ts): largest
// first by the state-space bound of each proposal's lowering, ties in the file's order, and the
// file's order whenever ordering cannot help or the estimates would cost too much.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { proposalNames } from '../../server/src/core/engine/index';
import { lowerModel } from '../../server/src/core/engine/lower/index';
import { ESTIMATE_MAX_TEXT, largestFirst, proposalSchedule, proposalSizeEstimates, stateSpaceBits } from '../../server/src/core/engine/schedule';
import { parse } from '../../server/src/core/syntax/parser';

const MIXED = fs.readFileSync('test/fixtures/cli/mixed-sizes.lifetime', 'utf8');

test('the state-space bound is the sum of the base-2 logarithms of the variables\' domains', () => {
  const system = lowerModel(parse(MIXED).file, 'baseline').system;
  const expected = system.variables.reduce((bits, variable) => bits + Math.log2(variable.domain), 0);
  assert.ok(system.variables.length > 5);
  assert.equal(stateSpaceBits(system), expected);
});

test('a proposal with one more thread is estimated larger than the others, and one that cannot be lowered at 0', () => {
  const file = parse(`${MIXED}\nproposal broken "names a thread that is not there" { fn drain() { quiesce nowhere } }\n`).file;
  const names = proposalNames(file);
  const sizes = proposalSizeEstimates(file, names, 60_000)!;
  const size = (name: string) => sizes[names.indexOf(name)];
  for (const name of names.filter((n) => n !== 'third_lookup')) assert.ok(size('third_lookup') > size(name), `third_lookup over ${name}`);
  assert.ok(size('stop_then_drain') > size('baseline'), 'a longer drain has more program points');
  assert.equal(size('broken'), 0);
  // A model with C bodies is lowered without them for the estimate, but it is still searched.
  const withC = parse(fs.readFileSync('test/fixtures/cli/c-body-model.lifetime', 'utf8')).file;
  assert.ok(proposalSizeEstimates(withC, ['baseline'], 60_000)![0] > 5);
});

test('largest first keeps equal sizes in their order', () => {
  assert.deepEqual(largestFirst([1, 5, 3, 5, 0, 3]), [1, 3, 2, 5, 0, 4]);
  assert.deepEqual(largestFirst([]), []);
});

test('the schedule takes the largest proposal first, and is the file\'s order where ordering cannot help', () => {
  const file = parse(MIXED).file;
  const names = proposalNames(file);
  const fileOrder = names.map((_, at) => at);
  // A budget no loaded machine can exhaust, so that the estimates decide the order.
  const schedule = proposalSchedule(file, names, 2, 60_000);
  assert.equal(names[schedule[0]], 'third_lookup');
  assert.deepEqual([...schedule].sort((a, b) => a - b), fileOrder, 'every proposal once');
  // One worker, or a worker for every proposal: the order changes nothing.
  assert.deepEqual(proposalSchedule(file, names, 1), fileOrder);
  assert.deepEqual(proposalSchedule(file, names, names.length), fileOrder);
  // Estimates that run out of their time budget leave the file's order.
  assert.deepEqual(proposalSchedule(file, names, 2, -1), fileOrder);
  // So does a file too long to be worth lowering twice.
  const long = parse(`${MIXED}\n// ${'x'.repeat(ESTIMATE_MAX_TEXT)}\n`).file;
  assert.deepEqual(proposalSchedule(long, proposalNames(long), 2, 60_000), fileOrder);
});
