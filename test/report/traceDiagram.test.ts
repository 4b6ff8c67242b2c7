// The trace as the CLI and the gallery print it: which way each branch went, the steps of an
// on-zero action, full member paths, atomic blocks summarised, the lanes a deadlock blocks, and the
// cycle of a lasso trace.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkModel } from '../../server/src/core/engine/index';
import { atomicEvent } from '../../server/src/core/engine/eventText';
import type { ProposalResult, TraceStep } from '../../server/src/core/engine/types';
import { renderTraceDiagram, stepLabel, wrapCell } from '../../server/src/core/report/traceDiagram';
import { violationsOf } from '../../server/src/core/report/violations';
import { parse } from '../../server/src/core/syntax/parser';

function baselineOf(text: string): ProposalResult {
  const result = checkModel(parse(text).file, undefined, { exact: true }).proposals.find((p) => p.name === 'baseline');
  assert.ok(result);
  return result;
}

const ON_ZERO = `model on_zero
object mm { ref users = 2 on zero { clear box.p; free mm } }
static box { ptr p -> mm = mm }
thread a { put mm.users }
thread b { put mm.users; if box.p != null { use mm } }
`;

test('the steps of an on-zero action are marked, the first with its counter; members are named in full', () => {
  const baseline = baselineOf(ON_ZERO.replace('if box.p != null { use mm }', 'use mm'));
  assert.equal(baseline.kind, 'use-after-free');
  const trace = baseline.trace!;
  const labels = trace.map((_, i) => stepLabel(trace, i, ON_ZERO));
  assert.ok(labels.includes('put mm.users (mm.users 2→1)'), labels.join('\n'));
  assert.ok(labels.includes('↳ on zero of mm.users: clear box.p (box.p = null)'), labels.join('\n'));
  assert.ok(labels.includes('↳ free mm (frees mm)'), labels.join('\n'));
  assert.deepEqual(trace.filter((s) => s.onZero).map((s) => s.onZero), ['mm.users', 'mm.users']);
});

test('an if shows the branch it took, a while whether it loops', () => {
  const baseline = baselineOf(`model branch
object o { ref r = 1 on zero free o }
static s { flag f }
thread t { if s.f { put o.r } else { put o.r; put o.r }; use o }
`);
  assert.deepEqual(
    baseline.trace!.map((s) => s.event),
    ['if s.f → false', 'put o.r (o.r 1→0)', 'free o (frees o)', 'put o.r'],
  );
  const loop = baselineOf(`model loop
static s { int n = 0 in 0..2; flag done }
thread t { while s.n < 2 { inc s.n }; assert s.n == 0 }
`);
  assert.deepEqual(
    loop.trace!.map((s) => s.event),
    ['while s.n < 2 → true', 'inc s.n (s.n 0→1)', 'while s.n < 2 → true', 'inc s.n (s.n 1→2)', 'while s.n < 2 → false', 'assert s.n == 0'],
  );
});

test('an atomic block is summarised, not printed verbatim', () => {
  assert.equal(atomicEvent(['free page', 'alloc page', 'set dax.returned']), 'atomic { free page; alloc page; set dax.returned }');
  const long = atomicEvent(['lock group.mutex', 'if group.devices == 0 { free domain; clear dev_a.domain }', 'dec group.devices', 'unlock group.mutex']);
  assert.ok(long.length <= 60, long);
  assert.equal(long, 'atomic { lock group.mutex; … 3 more }');
  assert.equal(atomicEvent([]), 'atomic { }');
  const baseline = baselineOf(`model atomic_summary
object o { ref r = 1 }
thread t { atomic { put o.r; free o; assert alive o "o is gone"; assert alive o "o is still gone" } }
`);
  assert.match(baseline.trace!.at(-1)!.event, /^atomic \{ put o\.r; free o; … 2 more \}$/);
});

test('a deadlock ends each blocked lane at the statement it waits in, saying what keeps it waiting', () => {
  const text = `model abba
static s { lock a; lock b }
thread t1 { lock s.a; lock s.b; unlock s.b; unlock s.a }
thread t2 { lock s.b; lock s.a; unlock s.a; unlock s.b }
`;
  const baseline = baselineOf(text);
  assert.equal(baseline.kind, 'deadlock');
  const blocked = baseline.trace!.at(-1)!.violation!.blocked!;
  assert.deepEqual(
    blocked.map((b) => [b.actor, b.statement, b.waitsFor, text.slice(b.start, b.end)]),
    [
      ['t1', 'lock s.b', 's.b is held by t2', 'lock s.b'],
      ['t2', 'lock s.a', 's.a is held by t1', 'lock s.a'],
    ],
  );
  const diagram = renderTraceDiagram(baseline.trace!, text).split('\n');
  const t1Blocked = diagram.findIndex((line) => line.startsWith('blocked at lock s.b: s.b is held by t2'));
  const t2Blocked = diagram.findIndex((line) => /^\s{10,}blocked at lock s\.a: s\.a is held by t1$/.test(line));
  assert.ok(t1Blocked > 1 && t2Blocked > t1Blocked, diagram.join('\n'));
  assert.match(diagram.at(-1)!, /^\/\/ Boom: deadlock/);
});

test('a thread that never moved still gets its lane when a deadlock blocks it', () => {
  const text = `model never_moved
static s { flag go }
thread waiter { wait until s.go }
thread other { assert true }
`;
  const baseline = baselineOf(text);
  assert.equal(baseline.kind, 'deadlock');
  const diagram = renderTraceDiagram(baseline.trace!, text);
  assert.match(diagram.split('\n')[0], /\bwaiter\b/);
  assert.match(diagram, /blocked at wait until s\.go: s\.go is false/);
});

function step(actor: string, event: string, start: number): TraceStep {
  return { actor, actorKind: 'thread', start, end: start + 1, event, changes: [] };
}

test('a lasso trace shows the prefix, then the cycle that repeats', () => {
  const trace = [step('a', 'set s.f', 0), step('b', 'while !s.g → true', 10), step('b', 'wait until s.f', 20)];
  trace[2].violation = { kind: 'assertion', message: 'b makes no progress' };
  const diagram = renderTraceDiagram(trace, '', 1).split('\n');
  assert.deepEqual(diagram, [
    '  a         b',
    '  -------   -----------------',
    '  set s.f',
    '┌ from here the steps repeat forever:',
    '│           while !s.g → true',
    '│           wait until s.f',
    '└ and back to "while !s.g → true"',
    '  // Boom: b makes no progress',
  ]);
  assert.doesNotMatch(renderTraceDiagram(trace, '', 7), /repeat/, 'a cycle start outside the trace is ignored');
});

test('the violations of a result: every one when the engine lists them, else the first from its own fields', () => {
  const trace = [step('a', 'use o', 0)];
  const result: ProposalResult = { name: 'baseline', start: 0, end: 0, verdict: 'violation', kind: 'use-after-free', message: 'm', violationStart: 0, violationEnd: 1, trace, states: 3, transitions: 3, depth: 1, ms: 1 };
  assert.deepEqual(violationsOf(result).map((v) => [v.kind, v.trace.length]), [['use-after-free', 1]]);
  const lasso = [step('a', 'x', 0), step('a', 'y', 2)];
  result.violations = [
    { kind: 'use-after-free', message: 'm', violationStart: 0, violationEnd: 1, trace },
    { kind: 'deadlock', message: 'n', violationStart: 2, violationEnd: 3, trace: lasso, cycleStart: 1 },
  ];
  assert.deepEqual(violationsOf(result).map((v) => [v.kind, v.cycleStart]), [['use-after-free', undefined], ['deadlock', 1]]);
  assert.deepEqual(violationsOf({ ...result, verdict: 'safe' }), []);
});

test('long cells wrap at spaces with an indented continuation', () => {
  assert.deepEqual(wrapCell('short'), ['short']);
  assert.deepEqual(wrapCell('aaaa bbbb cccc dddd', 10), ['aaaa bbbb', '  cccc', '  dddd']);
  assert.deepEqual(wrapCell('averyveryverylongword x', 10), ['averyveryverylongword', '  x']);
});
