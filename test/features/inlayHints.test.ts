// Inlay hints at every statement docs/editors.md promises them for (lock, unlock, free, alloc, get,
// put, stop, quiesce, start), each from the values the search saw there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { inlayHintsIn, statementHint } from '../../server/src/core/features/inlayHints';
import { checked } from './helpers';

const MODEL = `model hints
object buf recyclable { ref refs = 1 }
static g { lock m }
device dev { dma buf }
thread a {
  lock g.m
  get buf.refs
  unlock g.m
  put buf.refs
  put buf.refs
  free buf
  alloc buf
  free buf
}
thread b {
  lock g.m
  unlock g.m
  stop dev
  quiesce dev
  start dev
}
`;

/** Each hint with the statement it follows, in order. */
function hints(text: string): string[] {
  const analysis = checked(text);
  const lines = text.split('\n');
  return inlayHintsIn(analysis, 0, text.length).map((hint) => {
    const line = lines[hint.position.line].slice(0, hint.position.character);
    return `${line.slice(Math.max(line.lastIndexOf('{'), line.lastIndexOf(';')) + 1).trim()} => ${hint.label}`;
  });
}

test('every kind of statement gets a hint from what the search saw it do', () => {
  assert.deepEqual(hints(MODEL), [
    'lock g.m => taken by a',
    'get buf.refs => refs 1→2',
    'unlock g.m => released by a',
    'put buf.refs => refs 2→1',
    'put buf.refs => refs 1→0',
    'free buf => live→freed',
    'alloc buf => freed→live, generation 0→1',
    'free buf => live→freed',
    'lock g.m => taken by b',
    'unlock g.m => released by b',
    'stop dev => running→stopped',
    'quiesce dev => already stopped',
    'start dev => stopped→running',
  ]);
});

test('the iommu gallery model shows hints at its locks, puts and frees', () => {
  const text = fs.readFileSync(path.join(process.cwd(), 'examples/iommu-release-device-ordering.lifetime'), 'utf8');
  const labels = hints(text);
  assert.ok(labels.includes('lock group.mutex => taken by cpu0 | cpu1'), labels.join('\n'));
  assert.ok(labels.includes('unlock group.mutex => released by cpu0 | cpu1'), labels.join('\n'));
  assert.ok(labels.includes('free domain => live→freed'), labels.join('\n'));
  assert.ok(labels.includes('put dom.refs => refs 3→2 | 2→1 | 1→0'), labels.join('\n'));
});

test('a statement the search saw nothing of gets no hint; a stop that finds the device in either state says both', () => {
  const facts = { start: 0, end: 0, actors: [], states: 0, before: [], after: [], transitions: [], interleavers: [] };
  assert.equal(statementHint({ kind: 'LockStatement', op: 'lock', target: { segments: [{ text: 'm' }] } }, facts), undefined);
  assert.equal(statementHint({ kind: 'UseStatement' }, facts), undefined);
  assert.equal(
    statementHint({ kind: 'DeviceStatement', op: 'stop', target: { segments: [{ text: 'dev' }] } }, { ...facts, before: [{ name: 'dev.running', values: ['false', 'true'] }] }),
    'running→stopped | already stopped',
  );
});
