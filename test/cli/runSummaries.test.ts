// The C files of one run lend each other their functions' summaries: a helper of foo_util.c that
// frees what it is handed, or drops a global lock, does so at its calls in foo_main.c. A header the
// file includes by a quoted name lends its inline helpers even to a file checked on its own.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureBuilt, lifetime, ROOT } from './bin';

const DIR = 'test/fixtures/cli/run-summaries';

before(() => ensureBuilt());

/** The lines of foo_main.c with a finding, each with its kind. */
function findingLines(stdout: string): string[] {
  const report = JSON.parse(stdout) as { files: { path: string; diagnostics: { kind?: string; line: number }[] }[] };
  return report.files
    .filter((file) => file.path.endsWith('foo_main.c'))
    .flatMap((file) => file.diagnostics.filter((d) => d.kind !== undefined).map((d) => `${d.line} ${d.kind}`));
}

test("a file checked on its own knows its header's inline helpers, not what the helpers of another file release", () => {
  const result = lifetime(['check', '--format', 'json', path.join(DIR, 'foo_main.c')]);
  assert.equal(result.status, 1, result.stderr);
  assert.deepEqual(findingLines(result.stdout), ['14 leak', '25 lock-leak', '40 leak']);
});

test('without its header, the inline helper that frees is unknown', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-run-summaries-'));
  try {
    fs.copyFileSync(path.join(ROOT, DIR, 'foo_main.c'), path.join(scratch, 'foo_main.c'));
    const result = lifetime(['check', '--format', 'json', path.join(scratch, 'foo_main.c')]);
    assert.deepEqual(findingLines(result.stdout), ['14 leak', '25 lock-leak', '40 leak', '54 leak']);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

test("files checked together: another file's helper frees and unlocks at its calls, and a static helper stays its file's own", () => {
  const result = lifetime(['check', '--format', 'json', DIR]);
  assert.equal(result.status, 1, result.stderr);
  // foo_hush() of foo_util.c is static: the one foo_main.c calls is elsewhere, so its leak stays.
  assert.deepEqual(findingLines(result.stdout), ['40 leak']);
});

test('a helper that two files of the run define is nobody\'s: its calls are unknown again', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-run-summaries-'));
  try {
    for (const name of ['foo.h', 'foo_main.c', 'foo_util.c']) fs.copyFileSync(path.join(ROOT, DIR, name), path.join(scratch, name));
    // Another board's foo_end() frees only the buffer: which one foo_main.c links with is not in the text.
    fs.writeFileSync(path.join(scratch, 'foo_board.c'), '#include <linux/slab.h>\n\nvoid foo_end(struct foo *f)\n{\n\tkfree(f->buf);\n}\n');
    const result = lifetime(['check', '--format', 'json', scratch]);
    assert.deepEqual(findingLines(result.stdout), ['14 leak', '40 leak']);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
