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
  const { text, actions } = fixesAt(`model leaky
object buf { ref refs = 3 on zero free buf }
thread a { use buf; put buf.refs }
thread b {
  use buf
}
thread owner { |put buf.refs }
`);
  assert.equal(actions.length, 1, JSON.stringify(actions.map((a) => a.title)));
  const [fix] = actions;
  assert.match(fix.title, /^Add `put buf\.refs` at the end of b's path — verified: baseline safe \(\d+ states\)$/);
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

test('a safe proposal can be applied to the baseline, verified on the baseline', () => {
  const marked = UAF_MODEL.replace('proposal hold', 'proposal |hold');
  const { text, actions } = fixesAt(marked);
  const apply = actions.find((a) => a.title.startsWith('Apply proposal hold to the baseline'));
  assert.ok(apply, JSON.stringify(actions.map((a) => a.title)));
  const edited = applyTextEdits(text, apply.edits);
  assert.match(edited, /^object mm \{ ref users = 2 on zero free mm \}$/m);
  assert.match(edited, /^thread cpu0 \{ use mm; put mm\.users \}$/m);
  assert.match(edited, /^expect baseline: safe$/m);
  assert.equal(baselineVerdict(edited)?.verdict, 'safe');
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
