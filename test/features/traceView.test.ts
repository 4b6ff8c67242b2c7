// The trace view's data, from real engine results and from constructed ones (several violations,
// a lasso trace): lanes, what each step did and changed, the blocked threads of a deadlock, the
// repeating cycle, and the row to scroll to.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelResult, ProposalResult, TraceStep } from '../../server/src/core/engine/types';
import { traceViewData } from '../../server/src/core/features/traceView';
import { checked, parsed, UAF_MODEL } from './helpers';

test('one lane per actor, what each step did and changed, the on-zero steps marked, the failing step last', () => {
  const data = traceViewData(checked(UAF_MODEL), undefined, 'uaf.lifetime');
  assert.ok(data);
  assert.equal(data.fileName, 'uaf.lifetime');
  assert.equal(data.proposal, 'baseline');
  assert.equal(data.verdict, 'use-after-free in 3 steps, as expected');
  assert.equal(data.message, 'use mm: mm was freed');
  const [violation] = data.violations;
  assert.equal(violation.title, 'use-after-free at line 3, 3 steps');
  assert.deepEqual(violation.actors, [{ name: 'cpu1', kind: 'thread' }, { name: 'cpu0', kind: 'thread' }]);
  assert.deepEqual(violation.variables, ['mm.users', 'mm']);
  assert.deepEqual(violation.initial, ['1', 'live']);
  assert.deepEqual(
    violation.steps.map((s) => [s.action, s.effects, s.onZero, s.onZeroStart, s.failing]),
    [
      ['put mm.users', ['mm.users 1→0'], undefined, undefined, false],
      ['free mm', ['frees mm'], 'mm.users', true, false],
      ['use mm', [], undefined, undefined, true],
    ],
  );
  assert.deepEqual(violation.steps.map((s) => s.values), [['0', 'live'], ['0', 'freed'], ['0', 'freed']]);
  assert.equal(violation.steps[1].event, '↳ on zero of mm.users: free mm (frees mm)');
  assert.equal(violation.steps[2].source, 'use mm');
  assert.equal(violation.focus, 2, 'the view scrolls to the failing step');
  assert.deepEqual(data.others, []);
  assert.deepEqual(traceViewData(checked(UAF_MODEL), 'hold')?.violations, []);
  assert.equal(traceViewData(parsed(UAF_MODEL)), undefined);
});

test('a deadlock: the last step is harmless, and each blocked thread ends at the statement it waits in', () => {
  const data = traceViewData(
    checked(`model abba
static s { lock a; lock b }
thread t1 { lock s.a; lock s.b; unlock s.b; unlock s.a }
thread t2 { lock s.b; lock s.a; unlock s.a; unlock s.b }
`),
  );
  const violation = data!.violations[0];
  assert.equal(violation.kind, 'deadlock');
  assert.ok(violation.steps.every((s) => !s.failing), 'no step of a deadlock trace is the failing one');
  assert.deepEqual(
    violation.blocked.map((b) => [b.actor, b.statement, b.waitsFor, b.range.start.line]),
    [
      ['t1', 'lock s.b', 's.b is held by t2', 2],
      ['t2', 'lock s.a', 's.a is held by t1', 3],
    ],
  );
  assert.equal(violation.focus, violation.steps.length, 'the view scrolls to the blocked threads');
});

function step(actor: string, event: string, start: number): TraceStep {
  return { actor, actorKind: 'thread', start, end: start + 3, event, changes: [] };
}

test('several violations, one of them a lasso: each has its trace; the cycle is marked', () => {
  const text = 'model m\nthread a { }\nthread b { }\n';
  const analysis = parsed(text);
  const first = [step('a', 'use o', 8), step('b', 'free o', 20)];
  const lasso = [step('a', 'set s.f', 8), step('b', 'while !s.g → true', 20), step('b', 'wait until s.f', 22)];
  const result: ProposalResult = {
    name: 'baseline', start: 0, end: 7, verdict: 'violation', kind: 'use-after-free', message: 'o was freed',
    violationStart: 20, violationEnd: 23, trace: first, states: 9, transitions: 9, depth: 3, ms: 1,
    violations: [
      { kind: 'use-after-free', message: 'o was freed', violationStart: 20, violationEnd: 23, trace: first },
      { kind: 'assertion', message: 'b never gets past its loop', violationStart: 22, violationEnd: 25, trace: lasso, cycleStart: 1 },
    ],
  };
  const other: ProposalResult = { ...result, name: 'fix', violations: undefined };
  analysis.engine = { proposals: [result, other], diagnostics: [] } satisfies ModelResult;
  const data = traceViewData(analysis)!;
  assert.equal(data.verdict, 'use-after-free in 2 steps, also assertion, unexpected');
  assert.deepEqual(data.violations.map((v) => v.title), ['use-after-free at line 2, 2 steps', 'assertion at line 3, 3 steps, then a cycle']);
  const cycle = data.violations[1];
  assert.equal(cycle.cycleStart, 1);
  assert.deepEqual(cycle.steps.map((s) => s.inCycle), [false, true, true]);
  assert.ok(cycle.steps.every((s) => !s.failing), 'a lasso has no failing step: the cycle itself is the violation');
  assert.equal(cycle.focus, 1, 'the view scrolls to the start of the cycle');
  assert.deepEqual(data.others, [{ name: 'fix', label: 'proposal fix', verdict: 'use-after-free in 2 steps, unexpected' }]);
  assert.equal(traceViewData(analysis, 'fix')?.violations.length, 1);
});
