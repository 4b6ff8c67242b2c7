import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOffsetEdits, fixCandidates, verifiedQuickFixes } from '../../server/src/core/features/quickFixes';
import type { TextEdit } from '../../server/src/core/features/types';
import { LineIndex } from '../../server/src/core/util/lineIndex';
import { checked, checkWith, cursor, UAF_MODEL } from './helpers';

function applyTextEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineIndex(text);
  return applyOffsetEdits(text, edits.map((e) => ({ start: lines.offsetAt(e.range.start), end: lines.offsetAt(e.range.end), newText: e.newText })));
}

function fixesAt(marked: string) {
  const { text, offset } = cursor(marked);
  const analysis = checked(text);
  return { text, analysis, actions: verifiedQuickFixes(analysis, offset, offset, checkWith) };
}

function baselineVerdict(text: string) {
  return checked(text).engine?.proposals.find((p) => p.name === 'baseline');
}

test('a leak is fixed by adding the missing put on the leaking path, verified', () => {
  const text = `model leaky
object buf { ref refs = 3 on zero free buf }
thread a { use buf; put buf.refs }
thread b {
  use buf
}
thread owner { put buf.refs }
`;
  // The fix is offered where the leak is reported: the last step of its shortest trace.
  const analysis = checked(text);
  const leak = analysis.engine?.proposals.find((p) => p.name === 'baseline');
  assert.equal(leak?.kind, 'leak');
  const at = leak?.violationStart ?? -1;
  const actions = verifiedQuickFixes(analysis, at, at, checkWith);
  assert.equal(actions.length, 1, JSON.stringify(actions.map((a) => a.title)));
  const [fix] = actions;
  assert.match(fix.title, /^Add `put buf\.refs` at the end of b's path — verified: baseline safe \(\d+ states\), no new errors$/);
  assert.equal(fix.isPreferred, true);
  assert.deepEqual(fix.diagnosticCodes, ['LT3006']);
  const edited = applyTextEdits(text, fix.edits);
  assert.match(edited, /thread b \{\n  use buf\n  put buf\.refs\n\}/);
  assert.equal(baselineVerdict(edited)?.verdict, 'safe');
});

test('a thread finishing with a lock held gets the unlock added', () => {
  const { text, actions } = fixesAt(`model lockleak
static s { lock m; int n = 0 }
thread a {
  lock s.m
  |inc s.n
}
thread b { lock s.m; inc s.n; unlock s.m }
`);
  assert.equal(actions.length, 1);
  assert.match(actions[0].title, /^Add `unlock s\.m` at the end of a's path — verified/);
  assert.equal(baselineVerdict(applyTextEdits(text, actions[0].edits))?.verdict, 'safe');
});

test('a get from zero becomes a tryget with a failure branch', () => {
  const { text, actions } = fixesAt(`model gfz
object pgd
static mm { ref users = 1 on zero free pgd }
thread exit { put mm.users }
thread user {
  |get mm.users
  use pgd
  put mm.users
}
`);
  const tryget = actions.find((a) => a.title.startsWith('Turn `get mm.users` into `tryget`'));
  assert.ok(tryget, JSON.stringify(actions.map((a) => a.title)));
  const edited = applyTextEdits(text, tryget.edits);
  assert.match(edited, /\n  if !tryget mm\.users \{ return \}\n  use pgd\n/);
  assert.equal(baselineVerdict(edited)?.verdict, 'safe');
});

test('a free is moved after the quiesce of the device that can still reach it', () => {
  const { text, actions } = fixesAt(`model dma
object buf
device |dev { dma buf }
thread teardown {
  free buf
  quiesce dev
}
`);
  const move = actions.find((a) => a.title.startsWith('Move `free buf` after `quiesce dev`'));
  assert.ok(move, JSON.stringify(actions.map((a) => a.title)));
  assert.equal(applyTextEdits(text, move.edits), `model dma
object buf
device dev { dma buf }
thread teardown {
  quiesce dev
  free buf
}
`);
});

test('a missing quiesce is inserted before the free', () => {
  const { text, actions } = fixesAt(`model dma
object buf
device |dev { dma buf }
thread teardown {
  free buf
}
`);
  assert.equal(actions.length, 1, JSON.stringify(actions.map((a) => a.title)));
  assert.match(actions[0].title, /^Quiesce `dev` before `free buf` — verified: baseline safe/);
  assert.match(applyTextEdits(text, actions[0].edits), /  quiesce dev\n  free buf\n/);
});

test('the lock that orders the free and the use is taken around the racing statement', () => {
  const { text, actions } = fixesAt(`model lockfix
object entry
static table { lock m; flag live = true }
thread reader {
  if table.live { |use entry }
}
thread remover {
  lock table.m
  clear table.live
  free entry
  unlock table.m
}
`);
  const lock = actions.find((a) => a.title.startsWith('Take `table.m` around `if table.live'));
  assert.ok(lock, JSON.stringify(actions.map((a) => a.title)));
  // Locking only the use itself does not order it after the check: that candidate must be dropped.
  assert.equal(actions.some((a) => a.title.startsWith('Take `table.m` around `use entry`')), false);
  assert.equal(baselineVerdict(applyTextEdits(text, lock.edits))?.verdict, 'safe');
});

test('applying a safe proposal makes it the baseline: its block and expectation go, the baseline expects its outcome', () => {
  const marked = UAF_MODEL.replace('proposal hold', 'proposal |hold');
  const { text, actions } = fixesAt(marked);
  const apply = actions.find((a) => a.title.startsWith('Apply proposal hold to the baseline'));
  assert.ok(apply, JSON.stringify(actions.map((a) => a.title)));
  assert.match(apply.title, /^Apply proposal hold to the baseline — verified: baseline safe \(\d+ states\), no new errors$/);
  assert.equal(apply.isPreferred, true);
  const edited = applyTextEdits(text, apply.edits);
  assert.equal(edited, `model uaf "a user races the last put"
object mm { ref users = 2 on zero free mm }
thread cpu0 { use mm; put mm.users }
thread cpu1 { put mm.users }
expect baseline: safe
`);
  const after = checked(edited);
  assert.deepEqual(after.engine?.proposals.map((p) => [p.name, p.verdict, p.expectationMet]), [['baseline', 'safe', true]]);
});

// Applying `hold` makes `early_put` safe although the file documents it as a use-after-free;
// applying `handshake` keeps every other proposal's verdict as documented.
const TWO_FIXES = `model uaf
static s { flag done = false }
object mm { ref users = 1 on zero free mm }
thread cpu0 { use mm; set s.done }
thread cpu1 { put mm.users }

// cpu0 owns a reference.
proposal hold {
  object mm { ref users = 2 on zero free mm }
  thread cpu0 { use mm; set s.done; put mm.users }
}

// cpu1 waits until cpu0 is done with mm.
proposal handshake {
  thread cpu1 { wait until s.done; put mm.users }
}

// cpu1 drops its reference before it waits.
proposal early_put {
  thread cpu1 { put mm.users; wait until s.done }
}

expect baseline: use-after-free
expect hold: safe
expect handshake: safe
expect early_put: use-after-free
`;

function verdicts(text: string) {
  return checked(text).engine?.proposals.map((p) => [p.name, p.verdict, p.kind, p.expectationMet]);
}

test('a proposal whose application would break another proposal\'s expectation is not offered', () => {
  const marked = TWO_FIXES.replace('thread cpu0 { use mm;', 'thread cpu0 { |use mm;');
  const { text, actions } = fixesAt(marked);
  const { offset } = cursor(marked);
  assert.deepEqual(verdicts(text), [
    ['baseline', 'violation', 'use-after-free', true],
    ['hold', 'safe', undefined, true],
    ['handshake', 'safe', undefined, true],
    ['early_put', 'violation', 'use-after-free', true],
  ]);
  // The candidate exists, and on its own it does make the baseline safe ...
  const hold = fixCandidates(checked(text), offset, offset).find((c) => c.key === 'apply:hold');
  assert.ok(hold);
  const held = verdicts(applyOffsetEdits(text, hold.edits));
  assert.deepEqual(held?.find(([name]) => name === 'baseline'), ['baseline', 'safe', undefined, true]);
  // ... but early_put, documented as a use-after-free, is then safe: an unmet expectation, a new error.
  assert.deepEqual(held?.find(([name]) => name === 'early_put'), ['early_put', 'safe', undefined, false]);
  assert.equal(actions.some((a) => a.title.startsWith('Apply proposal hold')), false, JSON.stringify(actions.map((a) => a.title)));
});

test('a proposal that keeps every other verdict as documented is offered, and the result re-checks clean', () => {
  const { text, actions } = fixesAt(TWO_FIXES.replace('thread cpu0 { use mm;', 'thread cpu0 { |use mm;'));
  const handshake = actions.find((a) => a.title.startsWith('Apply proposal handshake to the baseline'));
  assert.ok(handshake, JSON.stringify(actions.map((a) => a.title)));
  assert.match(handshake.title, /— verified: baseline safe \(\d+ states\), no new errors$/);
  const edited = applyTextEdits(text, handshake.edits);
  // The proposal, its comment and its expectation go; the baseline now expects what it expected.
  assert.equal(edited, `model uaf
static s { flag done = false }
object mm { ref users = 1 on zero free mm }
thread cpu0 { use mm; set s.done }
thread cpu1 { wait until s.done; put mm.users }

// cpu0 owns a reference.
proposal hold {
  object mm { ref users = 2 on zero free mm }
  thread cpu0 { use mm; set s.done; put mm.users }
}

// cpu1 drops its reference before it waits.
proposal early_put {
  thread cpu1 { put mm.users; wait until s.done }
}

expect baseline: safe
expect hold: safe
expect early_put: use-after-free
`);
  assert.deepEqual(verdicts(edited), [
    ['baseline', 'safe', undefined, true],
    ['hold', 'safe', undefined, true],
    ['early_put', 'violation', 'use-after-free', true],
  ]);
});

test('new items go where the applied proposal stood, and removed ones go', () => {
  const { text, actions } = fixesAt(`model swap
object buf { ref refs = 1 on zero free buf }
thread user { |use buf }
thread dropper { put buf.refs }

// The owner drops the reference once the user is done.
proposal owner "a handshake" {
  new static s { flag done = false }
  remove thread dropper
  thread user { use buf; set s.done }
  new thread reaper { wait until s.done; put buf.refs }
}

proposal same "the baseline's object, unchanged" {
  object buf { ref refs = 1 on zero free buf }
}
expect owner: safe
`);
  const apply = actions.find((a) => a.title.startsWith('Apply proposal owner to the baseline'));
  assert.ok(apply, JSON.stringify(actions.map((a) => a.title)));
  const edited = applyTextEdits(text, apply.edits);
  assert.equal(edited, `model swap
object buf { ref refs = 1 on zero free buf }
thread user { use buf; set s.done }

static s { flag done = false }
thread reaper { wait until s.done; put buf.refs }

proposal same "the baseline's object, unchanged" {
  object buf { ref refs = 1 on zero free buf }
}
`);
});

test('removing a baseline thread and adding one, when the applied proposal is the only one', () => {
  const { text, actions } = fixesAt(`model swap
object buf { ref refs = 1 on zero free buf }
thread user { |use buf }
thread dropper { put buf.refs }
proposal owner "the user drops the reference itself" {
  remove thread dropper
  thread user { use buf; put buf.refs }
}
`);
  const apply = actions.find((a) => a.title.startsWith('Apply proposal owner to the baseline'));
  assert.ok(apply, JSON.stringify(actions.map((a) => a.title)));
  assert.equal(applyTextEdits(text, apply.edits), `model swap
object buf { ref refs = 1 on zero free buf }
thread user { use buf; put buf.refs }
`);
});

test('a fix may leave the target\'s own expectation of the removed violation unmet, and nothing else', () => {
  const { text, actions } = fixesAt(`model dma
object buf
device |dev { dma buf }
thread teardown {
  free buf
}
expect baseline: dma-after-free
`);
  assert.equal(checked(text).engine?.proposals[0].kind, 'dma-after-free');
  const quiesce = actions.find((a) => a.title.startsWith('Quiesce `dev` before `free buf`'));
  assert.ok(quiesce, JSON.stringify(actions.map((a) => a.title)));
  const after = checked(applyTextEdits(text, quiesce.edits)).engine?.proposals[0];
  assert.equal(after?.verdict, 'safe');
  assert.equal(after?.expectationMet, false);
});

test('a fix may leave unmet an expectation that lists the removed violation among other kinds', () => {
  const { text, actions } = fixesAt(`model dma
object buf recyclable
device |dev { dma buf }
thread teardown {
  free buf
  alloc buf
  free buf
}
expect baseline: dma-after-free, stale-access
`);
  const before = checked(text).engine?.proposals[0];
  assert.deepEqual(before?.violations?.map((v) => v.kind), ['dma-after-free', 'stale-access']);
  assert.equal(before?.expectationMet, true);
  const quiesce = actions.find((a) => a.title.startsWith('Quiesce `dev` before `free buf`'));
  assert.ok(quiesce, JSON.stringify(actions.map((a) => a.title)));
  const after = checked(applyTextEdits(text, quiesce.edits)).engine?.proposals[0];
  assert.equal(after?.verdict, 'safe');
  assert.equal(after?.expectationMet, false);
});

test('a fix that adds an unexpected violation in another proposal is not offered', () => {
  // Moving the free after the quiesce fixes the baseline, but breaks the order proposal spare_ring requires.
  const { text, offset } = cursor(`model dma
object buf
static spare { int n = 0 }
device |dev { dma buf }
thread teardown {
  free buf
  quiesce dev
}
proposal spare_ring "the device writes to a static ring; buf is freed first by design" {
  device dev { dma spare }
  order free buf before quiesce dev
}
`);
  const analysis = checked(text);
  assert.equal(analysis.engine?.proposals.find((p) => p.name === 'spare_ring')?.verdict, 'safe');
  const move = fixCandidates(analysis, offset, offset).find((c) => c.title.startsWith('Move `free buf` after `quiesce dev`'));
  assert.ok(move);
  const moved = checked(applyOffsetEdits(text, move.edits)).engine?.proposals.map((p) => [p.name, p.verdict, p.kind]);
  assert.deepEqual(moved, [['baseline', 'safe', undefined], ['spare_ring', 'violation', 'ordering']]);
  const titles = verifiedQuickFixes(analysis, offset, offset, checkWith).map((a) => a.title);
  assert.equal(titles.some((t) => t.startsWith('Move `free buf`')), false, JSON.stringify(titles));
  assert.ok(titles.some((t) => t.startsWith('Apply proposal spare_ring to the baseline — verified')), JSON.stringify(titles));
});

test('candidates that do not remove the violation are not offered', () => {
  const { text, offset } = cursor(`model two
object a { ref r = 1 on zero free a }
object b { ref r = 1 on zero free b }
thread t1 { use a; |use b }
thread t2 { put a.r; put b.r }
`);
  const analysis = checked(text);
  const candidates = fixCandidates(analysis, offset, offset);
  const verified = verifiedQuickFixes(analysis, offset, offset, checkWith);
  assert.ok(verified.length <= candidates.length);
  for (const action of verified) assert.equal(baselineVerdict(applyTextEdits(text, action.edits))?.verdict, 'safe');
});

test('no engine result means no quick fix', () => {
  const { text, offset } = cursor('model m\nobject a\nthread t { |free a }\n');
  const analysis = checked(text);
  analysis.engine = undefined;
  assert.deepEqual(fixCandidates(analysis, offset, offset), []);
});
