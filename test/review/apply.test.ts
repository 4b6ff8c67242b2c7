// Applying hunks in memory: at the header's line, at an offset, with fuzz, and failing with the
// first line that differs; new, deleted and renamed files; line breaks kept as the file has them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyHunks, reverseHunks } from '../../server/src/core/review/apply';
import { parseSeries, PatchedTree } from '../../server/src/core/review/index';
import { applyFile, type TreeSource } from '../../server/src/core/review/tree';
import type { Hunk } from '../../server/src/core/review/patch';

function hunksOf(diff: string): Hunk[] {
  const series = parseSeries(diff, 'p');
  assert.deepEqual(series.problems, []);
  return series.patches[0].files[0].hunks;
}

const BASE = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'].join('\n') + '\n';
const CHANGE_FIVE = '--- a/f\n+++ b/f\n@@ -4,3 +4,3 @@\n four\n-five\n+FIVE\n six\n';

test('a hunk applies at the line its header names', () => {
  const result = applyHunks(BASE, hunksOf(CHANGE_FIVE));
  assert.ok(result.ok);
  assert.equal(result.text, BASE.replace('five', 'FIVE'));
  assert.deepEqual([result.hunks[0].oldStart, result.hunks[0].newStart, result.hunks[0].offset, result.hunks[0].fuzz], [3, 3, 0, 0]);
});

test('a hunk whose lines moved applies at the nearest place (an offset), and later hunks keep the offset', () => {
  const moved = `zero\nhalf\n${BASE}`;
  const two = '--- a/f\n+++ b/f\n@@ -4,3 +4,3 @@\n four\n-five\n+FIVE\n six\n@@ -8,3 +8,3 @@\n eight\n-nine\n+NINE\n ten\n';
  const result = applyHunks(moved, hunksOf(two));
  assert.ok(result.ok);
  assert.equal(result.text, moved.replace('five', 'FIVE').replace('nine', 'NINE'));
  assert.deepEqual(result.hunks.map((h) => h.offset), [2, 2]);
});

test('with a context line changed at an end, the hunk applies with fuzz and says how much', () => {
  const changed = BASE.replace('six', 'SIX');
  const result = applyHunks(changed, hunksOf(CHANGE_FIVE));
  assert.ok(result.ok);
  assert.equal(result.text, changed.replace('five', 'FIVE'));
  assert.equal(result.hunks[0].fuzz, 1);
  assert.equal(result.hunks[0].ignoredContext, 2);
  const strict = applyHunks(changed, hunksOf(CHANGE_FIVE), 0);
  assert.equal(strict.ok, false);
});

test('a hunk that matches nowhere fails with the closest place and the line that differs', () => {
  const result = applyHunks(BASE.replace('five', 'cinq'), hunksOf(CHANGE_FIVE));
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.hunk.number, 1);
  assert.match(result.reason, /^hunk #1 \(@@ -4,3 \+4,3 @@\), at line 3 of the patch, does not apply: .*the closest place is line 5, where the patch expects 'five' and the file has 'cinq'/);
});

test('hunks apply in order and never overlap: a later hunk cannot match above an earlier one', () => {
  const twice = 'a\nb\na\nb\n';
  const result = applyHunks(twice, hunksOf('--- a/f\n+++ b/f\n@@ -3,2 +3,2 @@\n a\n-b\n+B\n@@ -1,2 +1,2 @@\n a\n-b\n+C\n'));
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.hunk.number, 2);
});

test("line breaks: a CRLF file keeps CRLF on added lines; `\\ No newline at end of file` on either side", () => {
  const crlf = BASE.replace(/\n/g, '\r\n');
  const result = applyHunks(crlf, hunksOf(CHANGE_FIVE));
  assert.ok(result.ok);
  assert.equal(result.text, crlf.replace('five', 'FIVE'));
  const addNewline = applyHunks('a\nb', hunksOf('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n'));
  assert.ok(addNewline.ok);
  assert.equal(addNewline.text, 'a\nb\n');
  const dropNewline = applyHunks('a\nb\n', hunksOf('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n'));
  assert.ok(dropNewline.ok);
  assert.equal(dropNewline.text, 'a\nb');
});

test('reversed hunks undo the patch', () => {
  const hunks = hunksOf(CHANGE_FIVE);
  const forward = applyHunks(BASE, hunks);
  assert.ok(forward.ok);
  const back = applyHunks(forward.text, reverseHunks(hunks));
  assert.ok(back.ok);
  assert.equal(back.text, BASE);
});

function memorySource(files: Record<string, string>): TreeSource {
  return { read: (path) => (path in files ? { text: files[path] } : { missing: true }) };
}

test('new, deleted and renamed files change the in-memory tree only; unsafe paths are refused', () => {
  const tree = new PatchedTree(memorySource({ 'old.c': 'gone\n', 'a.c': 'x\n', 'keep.c': 'k\n' }));
  const diff = [
    'diff --git a/new.c b/new.c',
    'new file mode 100644',
    '--- /dev/null',
    '+++ b/new.c',
    '@@ -0,0 +1,2 @@',
    '+int x;',
    '+int y;',
    'diff --git a/old.c b/old.c',
    'deleted file mode 100644',
    '--- a/old.c',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-gone',
    'diff --git a/a.c b/b.c',
    'rename from a.c',
    'rename to b.c',
    '--- a/a.c',
    '+++ b/b.c',
    '@@ -1 +1 @@',
    '-x',
    '+y',
    '',
  ].join('\n');
  const files = parseSeries(diff, 'p').patches[0].files;
  for (const file of files) assert.ok(applyFile(tree, file).ok);
  assert.deepEqual(tree.read('new.c'), { text: 'int x;\nint y;\n' });
  assert.deepEqual(tree.read('old.c'), { missing: true });
  assert.deepEqual(tree.read('a.c'), { missing: true });
  assert.deepEqual(tree.read('b.c'), { text: 'y\n' });
  assert.deepEqual(tree.read('keep.c'), { text: 'k\n' });
  const again = applyFile(tree, files[0]);
  assert.equal(again.ok, false);
  if (!again.ok) assert.match(again.message, /new\.c: the patch creates this file, and the tree already has it/);
  const escape = parseSeries('--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n', 'p').patches[0].files[0];
  const refused = applyFile(tree, escape);
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.match(refused.message, /leaves the tree/);
  const missing = applyFile(tree, parseSeries('--- a/nope.c\n+++ b/nope.c\n@@ -1 +1 @@\n-a\n+b\n', 'p').patches[0].files[0]);
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.match(missing.message, /nope\.c: the patch changes this file, and the tree has no such file/);
});
