// Patch parsing: plain diffs, git's extended headers, mail (an mbox series with a cover letter, an
// `.eml`, encoded bodies, multipart), and malformed input, which must give a problem naming the
// file, the hunk and the line, never an exception.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseSeries } from '../../server/src/core/review/index';
import { decodeHeaderValue, splitSubject } from '../../server/src/core/review/mail';

const FIXTURES = path.join(process.cwd(), 'test/fixtures/review');

function lines(...rows: string[]): string {
  return `${rows.join('\n')}\n`;
}

const SIMPLE_DIFF = lines(
  'diff --git a/drivers/x.c b/drivers/x.c',
  'index 1111111..2222222 100644',
  '--- a/drivers/x.c',
  '+++ b/drivers/x.c',
  '@@ -1,3 +1,3 @@ int f(void)',
  ' a',
  '-b',
  '+B',
  ' c',
);

test('a git diff: paths without prefixes, the hunk header, its section and every line with its input line', () => {
  const series = parseSeries(SIMPLE_DIFF, 'x.patch');
  assert.deepEqual(series.problems, []);
  assert.equal(series.patches.length, 1);
  const patch = series.patches[0];
  assert.equal(patch.subject, 'x.patch');
  const file = patch.files[0];
  assert.equal(file.oldPath, 'drivers/x.c');
  assert.equal(file.newPath, 'drivers/x.c');
  assert.equal(file.status, 'modified');
  assert.deepEqual(file.headerLines, ['diff --git a/drivers/x.c b/drivers/x.c', 'index 1111111..2222222 100644', '--- a/drivers/x.c', '+++ b/drivers/x.c']);
  const hunk = file.hunks[0];
  assert.deepEqual([hunk.oldStart, hunk.oldCount, hunk.newStart, hunk.newCount, hunk.section], [1, 3, 1, 3, 'int f(void)']);
  assert.deepEqual(
    hunk.lines.map((l) => [l.kind, l.text, l.inputLine]),
    [
      [' ', 'a', 5],
      ['-', 'b', 6],
      ['+', 'B', 7],
      [' ', 'c', 8],
    ],
  );
});

test('diff -u output: timestamps after a tab are dropped; prefixes are stripped only when the two sides differ in them', () => {
  const stamped = parseSeries(lines('--- linux.orig/drivers/x.c\t2024-01-01 10:00:00.000000000 +0100', '+++ linux/drivers/x.c\t2024-01-02 10:00:00.000000000 +0100', '@@ -1 +1 @@', '-a', '+b'), 'p');
  assert.equal(stamped.patches[0].files[0].newPath, 'drivers/x.c');
  assert.equal(stamped.patches[0].files[0].oldPath, 'drivers/x.c');
  const inTree = parseSeries(lines('--- drivers/x.c', '+++ drivers/x.c', '@@ -1 +1 @@', '-a', '+b'), 'p');
  assert.equal(inTree.patches[0].files[0].newPath, 'drivers/x.c', 'paths written from inside the tree keep their first component');
  const created = parseSeries(lines('--- /dev/null', '+++ b/new.c', '@@ -0,0 +1 @@', '+x'), 'p');
  assert.equal(created.patches[0].files[0].status, 'added');
  assert.equal(created.patches[0].files[0].oldPath, undefined);
});

test("git's new, deleted, renamed, copied, mode-only and binary files", () => {
  const text = lines(
    'diff --git a/new.c b/new.c',
    'new file mode 100644',
    'index 0000000..e69de29',
    'diff --git a/old.c b/old.c',
    'deleted file mode 100644',
    'index 3b18e51..0000000',
    '--- a/old.c',
    '+++ /dev/null',
    '@@ -1 +0,0 @@',
    '-gone',
    'diff --git a/a.c b/b.c',
    'similarity index 90%',
    'rename from a.c',
    'rename to b.c',
    'index 1..2 100644',
    '--- a/a.c',
    '+++ b/b.c',
    '@@ -1 +1 @@',
    '-x',
    '+y',
    'diff --git a/c.c b/d.c',
    'similarity index 100%',
    'copy from c.c',
    'copy to d.c',
    'diff --git a/run.sh b/run.sh',
    'old mode 100644',
    'new mode 100755',
    'diff --git a/logo.png b/logo.png',
    'index 1..2 100644',
    'GIT binary patch',
    'literal 5',
    'McmZQzU|?hb00031000',
    '',
    'literal 0',
    'HcmV?d00001',
    '',
    'diff --git a/blob.bin b/blob.bin',
    'index 1..2 100644',
    'Binary files a/blob.bin and b/blob.bin differ',
    'diff --git "a/dir/with space \\303\\251.c" "b/dir/with space \\303\\251.c"',
    '--- "a/dir/with space \\303\\251.c"',
    '+++ "b/dir/with space \\303\\251.c"',
    '@@ -1 +1 @@',
    '-1',
    '+2',
  );
  const series = parseSeries(text, 'p');
  assert.deepEqual(series.problems, []);
  const files = series.patches[0].files;
  assert.deepEqual(
    files.map((f) => [f.status, f.oldPath, f.newPath, f.binary, f.hunks.length]),
    [
      ['added', undefined, 'new.c', false, 0],
      ['deleted', 'old.c', undefined, false, 1],
      ['renamed', 'a.c', 'b.c', false, 1],
      ['copied', 'c.c', 'd.c', false, 0],
      ['modified', 'run.sh', 'run.sh', false, 0],
      ['modified', 'logo.png', 'logo.png', true, 0],
      ['modified', 'blob.bin', 'blob.bin', true, 0],
      ['modified', 'dir/with space é.c', 'dir/with space é.c', false, 1],
    ],
  );
});

test('\\ No newline at end of file marks the line before it, on its side only', () => {
  const series = parseSeries(lines('--- a/x', '+++ b/x', '@@ -1,2 +1,3 @@', ' a', '-b', '\\ No newline at end of file', '+b', '+c'), 'p');
  assert.deepEqual(series.problems, []);
  const hunk = series.patches[0].files[0].hunks[0];
  assert.deepEqual(
    hunk.lines.map((l) => [l.kind, l.text, l.noNewline === true]),
    [
      [' ', 'a', false],
      ['-', 'b', true],
      ['+', 'b', false],
      ['+', 'c', false],
    ],
  );
});

test('a CRLF on every line is the transport and is dropped; a CR on some lines is content', () => {
  const transported = parseSeries(SIMPLE_DIFF.replace(/\n/g, '\r\n'), 'p');
  assert.deepEqual(transported.problems, []);
  assert.deepEqual(transported.patches[0].files[0].hunks[0].lines.map((l) => l.text), ['a', 'b', 'B', 'c']);
  const content = parseSeries(lines('--- a/x', '+++ b/x', '@@ -1 +1 @@', '-a\r', '+b\r'), 'p');
  assert.deepEqual(content.patches[0].files[0].hunks[0].lines.map((l) => l.text), ['a\r', 'b\r']);
});

test('an empty line inside a hunk is a blank context line whose space a mailer dropped', () => {
  const series = parseSeries(lines('--- a/x', '+++ b/x', '@@ -1,3 +1,3 @@', ' a', '', '-b', '+c'), 'p');
  assert.deepEqual(series.problems, []);
  assert.deepEqual(series.patches[0].files[0].hunks[0].lines.map((l) => [l.kind, l.text]), [[' ', 'a'], [' ', ''], ['-', 'b'], ['+', 'c']]);
});

test('a git format-patch series: the cover letter is set apart, each mail is a patch with its subject, author and date', () => {
  const series = parseSeries(fs.readFileSync(path.join(FIXTURES, 'series.mbox'), 'utf8'), 'series.mbox');
  assert.deepEqual(series.problems, []);
  assert.equal(series.coverLetter?.subject, 'demo: widget: error paths');
  assert.deepEqual(
    series.patches.map((p) => [p.number, p.subject, p.rawSubject, p.from]),
    [
      [1, 'demo: widget: return the parse error directly', '[PATCH 1/2] demo: widget: return the parse error directly', 'A Developer <reviewer@example.org>'],
      [2, 'demo: widget: put the child node on the parse error path', '[PATCH 2/2] demo: widget: put the child node on the parse error path', 'A Developer <reviewer@example.org>'],
    ],
  );
  assert.equal(series.patches[0].date, 'Mon, 5 Jan 2026 10:00:00 +0000');
  assert.ok(series.patches.every((p) => p.files.length === 1 && p.files[0].newPath === 'drivers/demo/widget.c'));
  // The diffstat and the `-- ` signature are not mistaken for diff lines.
  assert.ok(series.patches.every((p) => p.linesExact));
});

const MAIL = (body: string, headers: string[] = []) =>
  lines('From: =?UTF-8?q?Ilpo=20J=C3=A4rvinen?= <ilpo@example.org>', 'Subject: [PATCH v2 3/7] PCI: fix', ' a leak', 'Message-ID: <1@example.org>', ...headers, '', body);

test('an .eml: folded and RFC 2047-encoded headers, the subject without its tags, and its place in a series', () => {
  const series = parseSeries(MAIL(SIMPLE_DIFF), 'fix.eml');
  assert.deepEqual(series.problems, []);
  const patch = series.patches[0];
  assert.equal(patch.subject, 'PCI: fix a leak');
  assert.equal(patch.from, 'Ilpo Järvinen <ilpo@example.org>');
  assert.equal(patch.messageId, '<1@example.org>');
  assert.deepEqual(splitSubject('Re: [PATCH v2 3/7] PCI: fix'), { subject: 'PCI: fix', number: 3, total: 7, reply: true });
  assert.equal(decodeHeaderValue('=?utf-8?B?SsO2cmc=?= =?utf-8?Q?_R=C3=B6del?='), 'Jörg Rödel');
});

test('quoted-printable and base64 bodies are decoded before their diff is read', () => {
  const qp = SIMPLE_DIFF.replace('+B', '+B=3D1').replace('int f(void)', 'int f(vo=\nid)');
  const fromQp = parseSeries(MAIL(qp, ['Content-Transfer-Encoding: quoted-printable']), 'p');
  assert.deepEqual(fromQp.problems, []);
  assert.equal(fromQp.patches[0].files[0].hunks[0].section, 'int f(void)');
  assert.equal(fromQp.patches[0].files[0].hunks[0].lines[2].text, 'B=1');
  assert.equal(fromQp.patches[0].linesExact, false);
  const b64 = Buffer.from(SIMPLE_DIFF).toString('base64').replace(/(.{76})/g, '$1\n');
  const fromBase64 = parseSeries(MAIL(b64, ['Content-Transfer-Encoding: base64']), 'p');
  assert.deepEqual(fromBase64.problems, []);
  assert.equal(fromBase64.patches[0].files[0].hunks[0].lines[2].text, 'B');
});

test('a multipart mail contributes its text and patch parts; other parts are skipped', () => {
  const body = lines(
    'This is a multi-part message.',
    '--XYZ',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The fix is attached.',
    '--XYZ',
    'Content-Type: text/x-patch; name="fix.patch"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(SIMPLE_DIFF).toString('base64'),
    '--XYZ',
    'Content-Type: image/png',
    'Content-Transfer-Encoding: base64',
    '',
    'iVBORw0KGgo=',
    '--XYZ--',
  );
  const series = parseSeries(MAIL(body, ['Content-Type: multipart/mixed; boundary="XYZ"']), 'p');
  assert.deepEqual(series.problems, []);
  assert.equal(series.patches[0].files[0].newPath, 'drivers/x.c');
});

test('in an mbox, replies are skipped and a >From line in a body is unescaped', () => {
  const mbox = lines(
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    'Subject: [PATCH] x: fix',
    '',
    '>From the changelog: this fixes it.',
    '---',
    SIMPLE_DIFF.trimEnd(),
    '',
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    'Subject: Re: [PATCH] x: fix',
    '',
    '> -b',
    'Looks good.',
  );
  const series = parseSeries(mbox, 'p');
  assert.deepEqual(series.problems, []);
  assert.equal(series.patches.length, 1);
  assert.equal(series.patches[0].subject, 'x: fix');
});

test('a hunk cut short names the file, the hunk and the line; so does one with more lines than its header counts', () => {
  const cut = parseSeries(lines('--- a/drivers/x.c', '+++ b/drivers/x.c', '@@ -1,3 +1,3 @@', ' a', '-b', '+B'), 'p');
  assert.equal(cut.problems.length, 1);
  assert.match(cut.problems[0].message, /^drivers\/x\.c: hunk #1 \(@@ -1,3 \+1,3 @@\) is cut short/);
  assert.equal(cut.problems[0].inputLine, 2);
  const long = parseSeries(lines('--- a/drivers/x.c', '+++ b/drivers/x.c', '@@ -1 +1 @@', '-b', '+B', '+C'), 'p');
  assert.equal(long.problems.length, 1);
  assert.match(long.problems[0].message, /drivers\/x\.c: hunk #1 \(@@ -1,1 \+1,1 @@\) has more lines than its header counts: input line 6/);
  const garbage = parseSeries(lines('--- a/drivers/x.c', '+++ b/drivers/x.c', '@@ -1,2 +1,2 @@', ' a', 'garbage', '-b', '+c'), 'p');
  assert.match(garbage.problems[0].message, /hunk #1 .* ends early: after 1 of its 2 old and 1 of its 2 new lines, input line 5 \('garbage'\) is not a hunk line/);
  const header = parseSeries(lines('--- a/drivers/x.c', '+++ b/drivers/x.c', '@@ -1,2 +1,2 @@', ' a', ' b', '@@ -x +y @@', ' c'), 'p');
  assert.match(header.problems[0].message, /drivers\/x\.c: hunk #2 has a malformed header '@@ -x \+y @@'/);
});

test('text without a diff is not a patch; nor is an empty file or a mail without a diff', () => {
  for (const text of ['', 'hello\nworld\n', '@@ -1 +1 @@\n-a\n+b\n', lines('From: a@b', 'Subject: hi', '', 'no diff here')]) {
    const series = parseSeries(text, 'p');
    assert.equal(series.patches.length, 0, JSON.stringify(text));
    assert.equal(series.problems.length, 1, JSON.stringify(text));
    assert.match(series.problems[0].message, /not a patch|nothing to review|before any file header/);
  }
});

test('random bytes and truncations of a real series never throw', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'series.mbox'), 'utf8');
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 300; i++) {
    const cut = text.slice(0, Math.floor(random() * text.length));
    const chars = cut.split('');
    for (let k = 0; k < 5; k++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(Math.floor(random() * 128));
    const series = parseSeries(chars.join(''), 'fuzz');
    for (const problem of series.problems) assert.ok(problem.inputLine >= 0 && problem.message.length > 0);
  }
});
