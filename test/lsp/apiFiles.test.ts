// Kernel API files named by the workspace's settings are read only inside the workspace folder, only
// if they are regular files of at most the CLI's size limit, without blocking, and a refusal names
// the path but never shows the file's contents.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readApiFiles, readConfinedFile } from '../../server/src/lsp/apiFiles';
import { MAX_INPUT_FILE_BYTES } from '../../server/src/core/util/fileLimits';
import { MAX_FILE_BYTES } from '../../server/src/cli/inputs';
import { addApiText, emptyApiTable } from '../../server/src/core/c/index';

const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-apifiles-'));
const workspace = path.join(outer, 'a', 'b', 'workspace');
fs.mkdirSync(workspace, { recursive: true });
after(() => fs.rmSync(outer, { recursive: true, force: true }));

const GOOD = JSON.stringify({ apis: [{ name: 'my_get', effect: 'acquire', family: 'mine', kind: 'ref', object: 'return', when: 'nonnull', release: 'my_put' }] });
fs.writeFileSync(path.join(workspace, 'good.json'), GOOD);
fs.writeFileSync(path.join(outer, 'secret.json'), 'root:x:0:0:root:/root:/bin/bash\n');

function problemOf(read: { text: string } | { problem: string }): string {
  assert.ok('problem' in read, `expected a refusal, got ${JSON.stringify(read).slice(0, 200)}`);
  return read.problem;
}

test('the language server and the CLI share one size limit of 8 MiB', () => {
  assert.equal(MAX_INPUT_FILE_BYTES, 8 * 1024 * 1024);
  assert.equal(MAX_FILE_BYTES, MAX_INPUT_FILE_BYTES);
});

test('a regular file inside the workspace is read, by a relative or an absolute path', async () => {
  assert.deepEqual(await readConfinedFile('good.json', [workspace]), { text: GOOD });
  assert.deepEqual(await readConfinedFile(path.join(workspace, 'good.json'), [workspace]), { text: GOOD });
});

test('/dev/zero is refused without being read', async () => {
  const problem = problemOf(await readConfinedFile('/dev/zero', [workspace]));
  assert.match(problem, /"\/dev\/zero" was not read: .*outside the workspace folder/);
});

test('a path that climbs out of the workspace is refused, and the file is not shown', async () => {
  const problem = problemOf(await readConfinedFile('../../../secret.json', [workspace]));
  assert.match(problem, /outside the workspace folder/);
  assert.doesNotMatch(problem, /root:x/);
  const passwd = problemOf(await readConfinedFile('../../../../../../../../../../etc/passwd', [workspace]));
  assert.match(passwd, /outside the workspace folder/);
  assert.doesNotMatch(passwd, /root:/);
});

test('a symbolic link inside the workspace that points outside is refused', async () => {
  fs.symlinkSync(path.join(outer, 'secret.json'), path.join(workspace, 'link.json'));
  fs.symlinkSync('/dev/zero', path.join(workspace, 'zero.json'));
  assert.match(problemOf(await readConfinedFile('link.json', [workspace])), /resolves to .*secret\.json, outside the workspace folder/);
  assert.match(problemOf(await readConfinedFile('zero.json', [workspace])), /outside the workspace folder/);
});

test('a FIFO inside the workspace is refused at once instead of blocking', async () => {
  const fifo = path.join(workspace, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  const started = Date.now();
  const problem = problemOf(await readConfinedFile('fifo.json', [workspace]));
  assert.match(problem, /"fifo\.json" was not read: it is not a regular file \(a FIFO\)/);
  assert.ok(Date.now() - started < 2000);
});

test('a file over the size limit is refused without being read', async () => {
  const big = path.join(workspace, 'big.json');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, MAX_INPUT_FILE_BYTES + 1);
  assert.match(problemOf(await readConfinedFile('big.json', [workspace])), /"big\.json" was not read: it is 8\.0 MiB, over the 8 MiB limit/);
});

test('without a workspace folder nothing is read, and a missing file is named', async () => {
  assert.match(problemOf(await readConfinedFile(path.join(workspace, 'good.json'), [])), /there is no workspace folder/);
  assert.match(problemOf(await readConfinedFile('absent.json', [workspace])), /"absent\.json" does not exist/);
});

test('readApiFiles keeps the good files and names each refused one', async () => {
  const read = await readApiFiles(['good.json', '/dev/zero', 'absent.json'], [workspace]);
  assert.deepEqual(read.tables.files, [{ path: 'good.json', text: GOOD }]);
  assert.notEqual(read.tables.key, '');
  assert.equal(read.problems.length, 2);
  for (const problem of read.problems) assert.match(problem, /^Lifetime: kernel API file "/);
});

test('a file that is not JSON is reported by line, without quoting it', () => {
  const problems = addApiText(emptyApiTable(), 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1\n', 'passwd.json');
  assert.equal(problems.length, 1);
  assert.equal(problems[0].message, 'not valid JSON (unexpected character)');
  assert.equal(problems[0].line, 1);
  assert.doesNotMatch(JSON.stringify(problems[0]), /root|daemon/);
});
