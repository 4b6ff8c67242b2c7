// Diagnostics, hover, inlay hints, code lenses and the trace view, from real engine results.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeLenses } from '../../server/src/core/features/codeLens';
import { editorDiagnostics } from '../../server/src/core/features/diagnostics';
import { hoverAt } from '../../server/src/core/features/hover';
import { inlayHintsIn, joinTransitions } from '../../server/src/core/features/inlayHints';
import { checked, cursor, parsed, UAF_MODEL } from './helpers';

function hoverText(marked: string, engine = true): string | undefined {
  const { text, offset } = cursor(marked);
  const analysis = engine ? checked(text) : parsed(text);
  return hoverAt(analysis, offset)?.contents.value;
}

test('the violation is reported on the failing step with one related entry per trace step', () => {
  const analysis = checked(UAF_MODEL);
  const diagnostics = editorDiagnostics(analysis);
  const uaf = diagnostics.find((d) => d.code === 'LT3001');
  assert.ok(uaf);
  assert.deepEqual(uaf.range, { start: { line: 2, character: 14 }, end: { line: 2, character: 20 } });
  assert.equal(uaf.severity, 3, 'expected by `expect baseline: use-after-free`, so a note, as in the CLI');
  assert.equal(uaf.message, 'use-after-free in the baseline: use mm: mm was freed (as expected)');
  assert.equal(uaf.codeDescription?.href, 'https://github.com/lifetime-review/lifetime-review/blob/main/docs/diagnostics.md#lt3001');
  assert.deepEqual(uaf.relatedInformation?.map((r) => r.message), ['step 1, cpu1: put mm.users (mm.users 1→0)', 'step 2, cpu1: ↳ on zero of mm.users: free mm (frees mm)', 'step 3, cpu0: use mm']);
  assert.deepEqual(uaf.relatedInformation?.[0].range.start, { line: 3, character: 14 });
});

test('an unexpected violation is an error, and a failed expectation is flagged on its expect line', () => {
  const text = UAF_MODEL.replace('expect baseline: use-after-free', 'expect baseline: safe').replace('expect hold: safe', 'expect hold: leak');
  const diagnostics = editorDiagnostics(checked(text));
  const uaf = diagnostics.find((d) => d.code === 'LT3001');
  assert.equal(uaf?.severity, 1);
  const unmet = diagnostics.filter((d) => d.code === 'LT3501');
  assert.deepEqual(
    unmet.map((d) => d.message),
    ['the baseline is expected to be safe but is use-after-free in 3 steps', 'proposal hold is expected to be leak but is safe'],
  );
  const lines = text.split('\n');
  assert.deepEqual(unmet.map((d) => lines[d.range.start.line].slice(d.range.start.character, d.range.end.character)), ['expect baseline: safe', 'expect hold: leak']);
});

test('syntax and semantic diagnostics come through without an engine run', () => {
  const diagnostics = editorDiagnostics(parsed('model m\nthread t { put nothing.users }\nobject {'));
  assert.ok(diagnostics.some((d) => d.code.startsWith('LT1')));
  assert.ok(diagnostics.some((d) => d.code === 'LT2001'));
  assert.ok(diagnostics.every((d) => d.source === 'lifetime' && d.codeDescription?.href.includes('#lt')));
});

test('hover on a step: values before and after, reachable states, interleavers', () => {
  // The step's place in the counterexample comes first (test/features/traceHover.test.ts), then what the whole search saw.
  const value = hoverText(UAF_MODEL.replace('thread cpu1 { put', 'thread cpu1 { p|ut'))?.split('\n---\n\n')[1];
  assert.ok(value);
  assert.match(value, /^\*\*`put mm\.users`\*\* — baseline/);
  assert.match(value, /Executed in \d+ reachable states? by cpu1\./);
  assert.match(value, /\| `mm\.users` \| 1 \| 0 \|/);
  assert.match(value, /Transitions: users 1→0/);
  assert.match(value, /Can run in between: cpu0\./);
});

test('hover on a declaration: kind, counters and lifecycle', () => {
  const value = hoverText(UAF_MODEL.replace('object mm', 'object m|m'), false);
  assert.ok(value);
  assert.match(value, /^\*\*object `mm`\*\*/);
  assert.match(value, /Lifecycle: live from the start; freed by `free`\./);
  assert.match(value, /Counters: 1/);
  assert.match(value, /- ref `users` = 1; at zero: `free mm`/);
});

test('hover on a proposal: its verdict', () => {
  const value = hoverText(UAF_MODEL.replace('proposal hold', 'proposal ho|ld'));
  assert.match(value ?? '', /^\*\*proposal `hold`\*\* — cpu0 owns a reference\n\nVerdict: \*\*safe, as expected\*\* \(\d+ states, \d+ transitions, depth \d+\)$/);
});

test('hover on an expectation: the verdict against it', () => {
  const value = hoverText(UAF_MODEL.replace('expect baseline: use-after-free', 'expect baseline: use-after-fr|ee'));
  assert.match(value ?? '', /expect `baseline`: `use-after-free`/);
  assert.match(value ?? '', /Verdict: \*\*use-after-free in 3 steps, as expected\*\*/);
});

test('hover on a kernel API call inside a C body: its effect', () => {
  const model = 'model m\nstatic g { lock mutex }\nbind "&g->mutex" = g.mutex\nfn f() c {\n  mutex_l|ock(&g->mutex);\n  mutex_unlock(&g->mutex);\n}\nthread t { f() }\n';
  const value = hoverText(model, false);
  assert.match(value ?? '', /^\*\*`mutex_lock\(\)`\*\* — kernel API\n\nTakes the lock/);
});

test('inlay hints on get / put / free / lock show observed transitions', () => {
  const analysis = checked(UAF_MODEL);
  const hints = inlayHintsIn(analysis, 0, UAF_MODEL.length);
  const byLine = new Map(hints.map((h) => [h.position.line, h.label]));
  assert.equal(byLine.get(3), 'users 1→0');
  assert.equal(byLine.get(6), 'users 2→1 | 1→0');
  assert.deepEqual(hints.find((h) => h.position.line === 3)?.position, { line: 3, character: 26 });
  assert.deepEqual(inlayHintsIn(parsed(UAF_MODEL), 0, UAF_MODEL.length), [], 'no hints before a check');
});

test('transitions are grouped by counter, highest first', () => {
  assert.equal(joinTransitions(['refs 1→0', 'refs 2→1', 'refs 3→2']), 'refs 3→2 | 2→1 | 1→0');
  assert.equal(joinTransitions(['a 1→0', 'b 2→1']), 'a 1→0; b 2→1');
});

test('code lenses: a verdict with show-trace and re-check on the baseline and each proposal', () => {
  const lenses = codeLenses(checked(UAF_MODEL), 'file:///m.lifetime');
  const titles = lenses.map((l) => `${l.range.start.line}:${l.command.title}`);
  assert.equal(titles[0], '0:✓ use-after-free in 3 steps, as expected');
  assert.equal(titles[1], '0:Show trace');
  assert.equal(titles[2], '0:Re-check');
  assert.match(titles[3], /^4:✓ safe, as expected · \d+ states$/);
  assert.equal(titles[4], '4:Re-check');
  assert.deepEqual(lenses[1].command, { title: 'Show trace', command: 'lifetime.showTrace', arguments: ['file:///m.lifetime', 'baseline'] });
  assert.deepEqual(lenses[2].command.command, 'lifetime.recheck');
  const unchecked = codeLenses(parsed(UAF_MODEL), 'file:///m.lifetime').map((l) => l.command.title);
  assert.deepEqual(unchecked, ['Check', 'Check']);
});

test('hover on a keyword explains it; a member named like a keyword is a member', () => {
  const model = 'model m\nobject buf { lock lock }\ndevice dev { dma buf }\nthread t { quie|sce dev; lock buf.lock; unlock buf.lock; free buf }\n';
  assert.equal(hoverText(model, false), '`quiesce D` stops new DMA and waits until nothing is in flight.');
  const member = hoverText(model.replace('quie|sce', 'quiesce').replace('object buf { lock lock }', 'object buf { lock lo|ck }'), false);
  assert.match(member ?? '', /^\*\*lock `buf\.lock`\*\*/);
  const withFacts = hoverText(UAF_MODEL.replace('thread cpu1 { put', 'thread cpu1 { p|ut'));
  assert.match(withFacts ?? '', /\n\n---\n\n`put X\.r` decrements;/);
});

test('every reachable kind has its own diagnostic: listed ones are notes, an unlisted one is LT3507, a lasso marks its cycle', () => {
  const model = 'object pasid recyclable\nstatic bond { ptr p -> pasid = pasid }\nthread user { use bond.p }\nthread exit { free pasid; alloc pasid; free pasid }\n';
  const listed = editorDiagnostics(checked(`${model}expect baseline: use-after-free, stale-access\n`));
  assert.deepEqual(listed.filter((d) => d.code === 'LT3001' || d.code === 'LT3009').map((d) => [d.code, d.severity]).sort(), [['LT3001', 3], ['LT3009', 3]]);
  const partial = editorDiagnostics(checked(`${model}expect baseline: use-after-free\n`));
  const unlisted = partial.find((d) => d.code === 'LT3507');
  assert.ok(unlisted, partial.map((d) => d.code).join(' '));
  assert.equal(unlisted.severity, 2);
  assert.ok((unlisted.relatedInformation ?? []).length >= 3, 'the stale access carries its own trace');
  assert.ok(!partial.some((d) => d.severity === 1), 'no error: the listed kind is reachable');

  const livelock = 'static s { lock m mutex; flag f = false }\nthread b { lock s.m; wait until s.f; unlock s.m }\nthread a { while !(trylock s.m) { }; set s.f; unlock s.m }\nexpect baseline: livelock\n';
  const diagnostic = editorDiagnostics(checked(livelock)).find((d) => d.code === 'LT3012');
  assert.ok(diagnostic);
  assert.ok(diagnostic.relatedInformation?.some((r) => /^step \d+ \(the cycle starts here and repeats forever\), a: /.test(r.message)), JSON.stringify(diagnostic.relatedInformation));
});

test('hover on a mechanism keyword, a modifier and a local value: what they mean', () => {
  const model = 'object dev long-lived { work reset { use dev } }\nthread t { let ok = false; queue_work dev.reset; ok = true }\n';
  assert.match(hoverText(model.replace('queue_work', 'queue_w|ork'), false) ?? '', /queue_work w` queues the work item unless it is already pending/);
  assert.match(hoverText(model.replace('long-lived', 'long-li|ved'), false) ?? '', /outlives the scenario/);
  assert.match(hoverText(model.replace('work reset', 'wo|rk reset'), false) ?? '', /an idle worker is no deadlock/);
  assert.match(hoverText(model.replace('let ok', 'let o|k'), false) ?? '', /local boolean `ok`/);
});
