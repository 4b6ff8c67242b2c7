// A project's control macros (`GOTO(label, rc)`, `RETURN(rc)`) come from its headers: those of a
// directory checked as a whole, and those a file includes by a quoted name. Without them, each early
// unlock followed by a `GOTO()` reads as an unlock of a lock no longer held.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureBuilt, lifetime, ROOT } from './bin';

const SERVICE = 'test/fixtures/cli/macros/service.c';

before(() => ensureBuilt());

function unbalancedUnlocks(stdout: string): number {
  const report = JSON.parse(stdout) as { files: { diagnostics: { kind?: string }[] }[] };
  return report.files.flatMap((file) => file.diagnostics).filter((d) => d.kind === 'unbalanced-unlock').length;
}

test('a file checked on its own reads the macros of the headers it includes by a quoted name', () => {
  const result = lifetime(['check', '--format', 'json', SERVICE]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(unbalancedUnlocks(result.stdout), 0);
});

test('a directory checked as a whole lends its headers\' macros to every file', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-macros-'));
  try {
    fs.mkdirSync(path.join(scratch, 'lib', 'include'), { recursive: true });
    fs.mkdirSync(path.join(scratch, 'svc'));
    fs.copyFileSync(path.join(ROOT, 'test/fixtures/cli/macros/include/debug.h'), path.join(scratch, 'lib', 'include', 'debug.h'));
    // Included through -I in the project's build: no quoted path leads to it.
    fs.writeFileSync(path.join(scratch, 'svc', 'service.c'), fs.readFileSync(path.join(ROOT, SERVICE), 'utf8').replace('#include "include/debug.h"', '#include <debug.h>'));
    const alone = lifetime(['check', '--format', 'json', path.join(scratch, 'svc', 'service.c')]);
    assert.equal(unbalancedUnlocks(alone.stdout), 2, 'without the header, each GOTO and RETURN falls through');
    const whole = lifetime(['check', '--format', 'json', scratch]);
    assert.equal(whole.status, 0, whole.stderr);
    assert.equal(unbalancedUnlocks(whole.stdout), 0);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
