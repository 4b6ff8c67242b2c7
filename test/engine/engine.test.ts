import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../server/src/core/syntax/parser';
import type { SourceFile } from '../../server/src/core/syntax/ast';
import { checkModel, lowerModel, renderTraceDiagram, simulate } from '../../server/src/core/engine/index';
import type { ProposalResult } from '../../server/src/core/engine/types';
import { replayTrace } from './replay';
import { krefFamily } from '../fixtures/engine/kref-family';

const fixtures = path.join(process.cwd(), 'test/fixtures/engine');

function load(name: string): { file: SourceFile; text: string } {
  const text = fs.readFileSync(path.join(fixtures, name), 'utf8');
  return { file: parse(text).file, text };
}

function fromText(text: string): SourceFile {
  return parse(text).file;
}

function byName(results: ProposalResult[], name: string): ProposalResult {
  const result = results.find((r) => r.name === name);
  assert.ok(result, `no result for ${name}`);
  return result;
}

function assertReplays(file: SourceFile, result: ProposalResult): void {
  const { system } = lowerModel(file, result.name);
  assert.equal(replayTrace(system, result), result.trace?.length ?? 0);
}

// Each violation kind: the baseline must show it with this exact (shortest) trace length, and the
// proposal `fixed` must be safe.
const KINDS: [file: string, kind: string, traceLength: number][] = [
  ['use-after-free.lifetime', 'use-after-free', 2],
  ['dma-after-free.lifetime', 'dma-after-free', 4],
  ['double-free.lifetime', 'double-free', 2],
  ['refcount-underflow.lifetime', 'refcount-underflow', 2],
  ['get-from-zero.lifetime', 'get-from-zero', 2],
  ['leak.lifetime', 'leak', 1],
  ['deadlock.lifetime', 'deadlock', 2],
  ['wait-deadlock.lifetime', 'deadlock', 1],
  ['lock-misuse.lifetime', 'lock-misuse', 2],
  ['stale-access.lifetime', 'stale-access', 3],
  ['assertion.lifetime', 'assertion', 2],
  ['assert-statement.lifetime', 'assertion', 3],
  ['ordering.lifetime', 'ordering', 1],
  ['illustration.lifetime', 'use-after-free', 9],
];

for (const [name, kind, length] of KINDS) {
  test(`${name}: exact search finds ${kind} in ${length} steps; the repair is safe`, () => {
    const { file } = load(name);
    const result = checkModel(file, undefined, { exact: true });
    assert.deepEqual(result.diagnostics, []);
    const baseline = byName(result.proposals, 'baseline');
    assert.equal(baseline.verdict, 'violation');
    assert.equal(baseline.kind, kind);
    assert.equal(baseline.trace?.length, length);
    assert.equal(baseline.expectationMet, true);
    assertReplays(file, baseline);
    for (const other of result.proposals.filter((p) => p.name !== 'baseline')) {
      assert.equal(other.verdict, 'safe', `${other.name}: ${other.message}`);
      assert.equal(other.expectationMet, true);
      assert.ok(other.states > 0);
    }
  });

  test(`${name}: reductions give the same verdicts and a replayable trace`, () => {
    const { file } = load(name);
    const exact = checkModel(file, undefined, { exact: true });
    const reduced = checkModel(file, undefined, {});
    assert.deepEqual(
      reduced.proposals.map((p) => [p.name, p.verdict, p.kind]),
      exact.proposals.map((p) => [p.name, p.verdict, p.kind]),
    );
    for (const result of reduced.proposals) {
      if (result.verdict === 'violation') {
        assert.ok((result.trace?.length ?? 0) >= byName(exact.proposals, result.name).trace!.length);
        assertReplays(file, result);
      }
    }
  });
}

test('the language reference illustration: baseline use-after-free, hold_group_mutex safe', () => {
  const { file, text } = load('illustration.lifetime');
  const result = checkModel(file, undefined, {});
  const baseline = byName(result.proposals, 'baseline');
  assert.equal(baseline.verdict, 'violation');
  assert.equal(baseline.kind, 'use-after-free');
  assert.equal(text.slice(baseline.violationStart, baseline.violationEnd), 'use d.domain');
  assert.equal(byName(result.proposals, 'hold_group_mutex').verdict, 'safe');
  const diagram = renderTraceDiagram(baseline.trace!, text);
  const lines = diagram.split('\n');
  assert.match(lines[0], /^cpu0\s+cpu1$/);
  assert.match(diagram, /free domain \(frees domain\)/);
  assert.match(lines.at(-1)!, /\/\/ Boom: .*domain was freed/);
  // The free is in the second column, the failing use in the first.
  const freeLine = lines.find((l) => l.includes('free domain'))!;
  assert.ok(freeLine.indexOf('free domain') > 10);
  assert.ok(lines.at(-2)!.startsWith('use d.domain'));
  assert.ok(JSON.parse(JSON.stringify(result)));
});

test('trace steps carry the actor, range, event and changes', () => {
  const { file, text } = load('refcount-underflow.lifetime');
  const baseline = byName(checkModel(file, undefined, { exact: true }).proposals, 'baseline');
  const [first, second] = baseline.trace!;
  assert.equal(first.actorKind, 'thread');
  assert.equal(text.slice(first.start, first.end), 'put s.r');
  assert.equal(first.event, 'put s.r (s.r 1→0)');
  assert.deepEqual(first.notes, ['s.r 1→0']);
  assert.deepEqual(first.changes, [{ name: 's.r', before: '1', after: '0' }]);
  assert.equal(second.violation?.kind, 'refcount-underflow');
});

test('symmetric threads: symmetry reduction stores fewer states with the same verdict, and its traces replay', () => {
  const file = fromText(krefFamily(3, 1));
  const exact = checkModel(file, undefined, { exact: true }).proposals[0];
  const reduced = checkModel(file, undefined, {}).proposals[0];
  assert.equal(exact.verdict, 'safe', exact.message);
  assert.equal(reduced.verdict, 'safe');
  assert.ok(reduced.states < exact.states, `${reduced.states} < ${exact.states}`);

  const buggy = fromText(krefFamily(3, 1, { bug: true }));
  const exactBug = checkModel(buggy, undefined, { exact: true }).proposals[0];
  const reducedBug = checkModel(buggy, undefined, {}).proposals[0];
  assert.equal(exactBug.kind, 'dma-after-free');
  assert.equal(reducedBug.kind, 'dma-after-free');
  assertReplays(buggy, exactBug);
  assertReplays(buggy, reducedBug);
});

test('symmetric threads: the failing step is credited to the instance that can take it', () => {
  // Under symmetry the stored states are canonical; the last put is taken by whichever instance is
  // still at that point in the real execution, not by the first instance of the group.
  const cases: [string, string][] = [
    ['object o { ref r = 2 on zero free o }\nstatic s { lock m; int n = 0 in 0..7 }\nthread w[3] { lock s.m; inc s.n; unlock s.m; put o.r }\n', 'refcount-underflow'],
    ['object o\nstatic s { lock m }\nthread w[3] { lock s.m; unlock s.m; free o }\n', 'double-free'],
  ];
  for (const [text, kind] of cases) {
    const file = fromText(text);
    for (const exact of [false, true]) {
      const result = checkModel(file, undefined, { exact }).proposals[0];
      assert.equal(result.kind, kind, text);
      assertReplays(file, result);
    }
  }
});

test('a state budget ends the search as incomplete with what it covered', () => {
  const file = fromText(krefFamily(3, 2));
  const result = checkModel(file, undefined, { maxStates: 500 }).proposals[0];
  assert.equal(result.verdict, 'incomplete');
  assert.equal(result.incompleteReason, 'states');
  assert.equal(result.states, 500);
  assert.ok(result.depth > 0);
});

test('a memory budget ends the search as incomplete instead of running out of memory', () => {
  const file = fromText(krefFamily(3, 2));
  const result = checkModel(file, undefined, { maxMemoryBytes: 64 * 1024 }).proposals[0];
  assert.equal(result.verdict, 'incomplete');
  assert.equal(result.incompleteReason, 'memory');
  assert.ok(result.states > 0);
});

test('a time budget ends the search as incomplete', () => {
  const file = fromText(krefFamily(4, 3, { symmetric: false }));
  const result = checkModel(file, undefined, { timeoutMs: 30, exact: true }).proposals[0];
  assert.equal(result.verdict, 'incomplete');
  assert.equal(result.incompleteReason, 'time');
});

test('cancellation stops a long search within 50 ms', () => {
  const file = fromText(krefFamily(4, 3, { symmetric: false }));
  let requestedAt = 0;
  const started = performance.now();
  const token = {
    get isCancellationRequested(): boolean {
      if (requestedAt === 0 && performance.now() - started > 40) requestedAt = performance.now();
      return requestedAt !== 0;
    },
  };
  const result = checkModel(file, undefined, { cancel: token, exact: true }).proposals[0];
  const stoppedAt = performance.now();
  assert.equal(result.verdict, 'incomplete');
  assert.equal(result.incompleteReason, 'cancelled');
  assert.ok(requestedAt > 0);
  assert.ok(stoppedAt - requestedAt < 50, `stopped ${stoppedAt - requestedAt} ms after the request`);
});

test('random simulation: the same seed replays exactly and finds the illustration bug', () => {
  const { file } = load('illustration.lifetime');
  const first = simulate(file, 'baseline', { runs: 200, seed: 1234 });
  const second = simulate(file, 'baseline', { runs: 200, seed: 1234 });
  assert.equal(first.seed, 1234);
  assert.equal(first.verdict, 'violation');
  assert.equal(first.kind, 'use-after-free');
  assert.deepEqual(second, first);
  const safe = simulate(file, 'hold_group_mutex', { runs: 50, seed: 7 });
  assert.equal(safe.verdict, 'no-violation-found');
  assert.equal(safe.runs, 50);
});

test('per-step facts: counts, values before and after, refcount transitions and interleavers', () => {
  const { file, text } = load('double-free.lifetime');
  const fixed = byName(checkModel(file, undefined, { collectFacts: true, proposals: ['fixed'] }).proposals, 'fixed');
  const facts = fixed.facts!;
  const puts = facts.filter((f) => text.slice(f.start, f.end) === 'put x.r');
  assert.equal(puts.length, 2);
  const first = puts[0];
  assert.equal(first.states, 2);
  assert.deepEqual(first.before.find((v) => v.name === 'x.r')?.values, ['1', '2']);
  assert.deepEqual(first.after.find((v) => v.name === 'x.r')?.values, ['0', '1']);
  assert.deepEqual(first.transitions, ['r 1→0', 'r 2→1']);
  assert.deepEqual(first.interleavers, ['b']);
  const free = facts.find((f) => text.slice(f.start, f.end) === 'free x')!;
  assert.equal(free.states, 2);
  assert.deepEqual(free.after.find((v) => v.name === 'x')?.values, ['freed']);
});

test('a C body is reported and its proposal skipped unless a translator is passed', () => {
  const text = `object x
thread a { free x }
proposal cside { fn helper() c { kfree(x); } thread a { helper() } }
`;
  const file = fromText(text);
  const result = checkModel(file, undefined, {});
  assert.equal(byName(result.proposals, 'baseline').verdict, 'safe');
  const skipped = byName(result.proposals, 'cside');
  assert.equal(skipped.verdict, 'incomplete');
  assert.ok(skipped.skipped);
  assert.ok(result.diagnostics.some((d) => d.code === 'LT4103'));

  // A translator returning model statements makes the proposal checkable.
  const translateC = () => ({ statements: parse('thread t { free x; free x }').file.items.flatMap((i) => (i.kind === 'ThreadDecl' && i.body.kind === 'Block' ? i.body.statements : [])), diagnostics: [] });
  const translated = byName(checkModel(file, undefined, { translateC }).proposals, 'cside');
  assert.equal(translated.verdict, 'violation');
  assert.equal(translated.kind, 'double-free');
});

test('bad input never throws: broken text, unknown names, unknown proposals', () => {
  for (const text of ['', 'thread t { use nothing }', 'object x { ref r = 1 on zero { put x.r } }\nthread t { put x.r }', 'thread t { while true { } }', 'thread t {', 'object o\nthread t { atomic { while true { } } }']) {
    const result = checkModel(fromText(text), undefined, {});
    assert.ok(Array.isArray(result.proposals));
  }
  assert.equal(checkModel(fromText('thread t { use nothing }'), undefined, {}).proposals[0].verdict, 'incomplete');
  assert.deepEqual(checkModel(fromText('object x\nthread t { free x }'), undefined, { proposals: ['nope'] }).proposals, []);
  const lowered = lowerModel(fromText('object x'), 'nope');
  assert.equal(lowered.complete, false);
});

test('recycling: a stale pointer field is found, with generations', () => {
  const text = `object page recyclable { flag dirty }
static map { ptr slot -> page = page }
thread reader { use map.slot }
thread recycler { atomic { free page; alloc page } }
`;
  const result = checkModel(fromText(text), undefined, { exact: true }).proposals[0];
  assert.equal(result.kind, 'stale-access');
  assert.equal(result.trace?.length, 2);
  assert.match(result.trace![0].event, /page generation 0→1/);
});

test('an on-zero action runs in the dropping thread as following steps', () => {
  const text = `object mm {
  ref users = 1 on zero { put mm.count }
  ref count = 1 on zero free mm
}
thread exit { put mm.users }
`;
  const result = checkModel(fromText(text), undefined, { exact: true }).proposals[0];
  assert.equal(result.verdict, 'safe');
  // Three steps: put users, put count, free mm.
  assert.equal(result.depth, 3);
});
