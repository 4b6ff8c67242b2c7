// Hover on a statement a counterexample runs: its place in the trace, what it changed, and on the
// failing step (or where a deadlock blocks a thread) what happened there and why it is a violation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { hoverAt } from '../../server/src/core/features/hover';
import { traceHitsAt, traceHoverSection } from '../../server/src/core/features/traceHover';
import { checked, cursor, UAF_MODEL } from './helpers';

function hover(marked: string): string {
  const { text, offset } = cursor(marked);
  return hoverAt(checked(text), offset)?.contents.value ?? '';
}

test('on a trace step: its place in the trace, the thread, the values before and after', () => {
  const value = hover(UAF_MODEL.replace('thread cpu1 { put', 'thread cpu1 { p|ut'));
  assert.equal(
    value.split('\n---\n')[0].trim(),
    "**Step 1 of 3** of baseline's use-after-free trace: cpu1 runs `put mm.users (mm.users 1→0)`\n\n| | before | after |\n|---|---|---|\n| `mm.users` | 1 | 0 |",
  );
  // What the whole search saw there follows.
  assert.match(value, /\n---\n\n\*\*`put mm\.users`\*\* — baseline\n\nExecuted in \d+ reachable states? by cpu1\./);
});

test('on the violating step: what the counterexample did there and why it is a violation', () => {
  const value = hover(UAF_MODEL.replace('thread cpu0 { use mm }', 'thread cpu0 { u|se mm }'));
  const section = value.split('\n---\n')[0].trim();
  assert.equal(
    section,
    [
      '**✗ use-after-free** in baseline: step 3 of 3, cpu0',
      '',
      'The counterexample runs `use mm` here, in this state:',
      '',
      '| | value |',
      '|---|---|',
      '| `mm.users` | 0 |',
      '| `mm` | freed |',
      '',
      'Why it is a violation: use mm: mm was freed',
    ].join('\n'),
  );
});

test('where a deadlock blocks a thread: what keeps it waiting', () => {
  const text = fs.readFileSync(path.join(process.cwd(), 'examples/vfio-dma-unmap-vaddr-deadlock.lifetime'), 'utf8');
  const analysis = checked(text);
  const section = traceHoverSection(analysis, text.indexOf('wait until mdev.done') + 2);
  assert.ok(section);
  assert.match(section.value, /^\*\*✗ deadlock\*\* in baseline, after step 8 of 8\n\nrelease is blocked at wait until mdev\.done: mdev\.done is false\.\n\nThe state it is stuck in:/);
  assert.match(section.value, /Why it is a violation: deadlock: mdev_worker at/);
  assert.match(section.value, /Also where proposal close_flag's deadlock leaves a thread blocked\./);
  assert.equal(text.slice(section.start, section.end), 'wait until mdev.done');
});

test('a statement no counterexample runs has no trace section', () => {
  const { text, offset } = cursor(UAF_MODEL.replace('thread cpu0 { use mm; put', 'thread cpu0 { use mm; p|ut'));
  const analysis = checked(text);
  assert.deepEqual(traceHitsAt(analysis, offset), [], 'the proposal is safe: no trace');
  assert.doesNotMatch(hoverAt(analysis, offset)?.contents.value ?? '', /Step \d+ of/);
});
