// `lifetime review` in a git checkout: a revision range (each commit judged on its parent), one
// commit, and the staged changes against HEAD. The repository's own configuration must not make
// the review run anything.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { run } from '../../server/src/cli/main';

const TREE = path.join(process.cwd(), 'test/fixtures/review/tree');
const WIDGET = 'drivers/demo/widget.c';
let repo = '';
let gitMissing: string | undefined;

function git(...args: string[]): string {
  const result = spawnSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: '2026-01-05T10:00:00+0000', GIT_COMMITTER_DATE: '2026-01-05T10:00:00+0000' },
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function edit(transform: (text: string) => string): void {
  const file = path.join(repo, WIDGET);
  fs.writeFileSync(file, transform(fs.readFileSync(file, 'utf8')));
}

const dropPut = (text: string) => text.replace('\tif (ret) {\n\t\tof_node_put(child);\n\t\treturn ret;\n\t}\n', '\tif (ret)\n\t\treturn ret;\n');
const restorePut = (text: string) => text.replace('\tif (ret)\n\t\treturn ret;\n', '\tif (ret) {\n\t\tof_node_put(child);\n\t\treturn ret;\n\t}\n');
const unlockReset = (text: string) => text.replace('\tif (w->count < 0)\n\t\treturn -EIO;\n', '\tif (w->count < 0) {\n\t\tmutex_unlock(&widget_lock);\n\t\treturn -EIO;\n\t}\n');

before(() => {
  if (spawnSync('git', ['--version']).status !== 0) {
    // A Debian tool: missing, the tests skip, except under CI, where they must run.
    if (process.env.CI) throw new Error('git is not installed (apt-get install git)');
    gitMissing = 'git is not installed';
    return;
  }
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-review-git-'));
  fs.cpSync(TREE, repo, { recursive: true });
  git('init', '-q');
  git('config', 'user.name', 'A Developer');
  git('config', 'user.email', 'dev@example.org');
  git('add', '.');
  git('commit', '-qm', 'base');
  edit(dropPut);
  git('commit', '-qam', 'demo: widget: return the parse error directly');
  edit(restorePut);
  git('commit', '-qam', 'demo: widget: put the child node again');
});

after(() => {
  if (repo) fs.rmSync(repo, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function reviewJson(...args: string[]): Promise<{ json: any; exitCode: number; stderr: string }> {
  const output = await run(['review', '--tree', repo, '--format', 'json', ...args]);
  return { json: output.stdout ? JSON.parse(output.stdout) : undefined, exitCode: output.exitCode, stderr: output.stderr };
}

test('a revision range: each commit is a patch of the series, judged on its parent', async (t) => {
  if (gitMissing) return t.skip(gitMissing);
  const { json, exitCode } = await reviewJson('HEAD~2..HEAD');
  assert.equal(exitCode, 1);
  assert.deepEqual(json.introduced.map((f: { patch: string; function: string }) => [f.patch, f.function]), [['demo: widget: return the parse error directly', 'widget_parse']]);
  assert.deepEqual(json.fixed.map((f: { patch: string; function: string }) => [f.patch, f.function]), [['demo: widget: put the child node again', 'widget_parse']]);
  const mail = await run(['review', '--tree', repo, '--format', 'email', 'HEAD~2..HEAD']);
  assert.match(mail.stdout, /^Subject: Re: \[PATCH 1\/2\] demo: widget: return the parse error directly$/m);
});

test('one commit stands for itself', async (t) => {
  if (gitMissing) return t.skip(gitMissing);
  const { json, exitCode } = await reviewJson('HEAD~1');
  assert.equal(exitCode, 1);
  assert.equal(json.introduced.length, 1);
  assert.equal(json.introduced[0].patch, undefined, 'one commit is not a series');
});

test('the staged changes are reviewed against HEAD; nothing staged is no error', async (t) => {
  if (gitMissing) return t.skip(gitMissing);
  const idle = await reviewJson('--staged');
  assert.equal(idle.exitCode, 0);
  assert.deepEqual(idle.json, { introduced: [], fixed: [], remaining: [] });
  assert.match(idle.stderr, /nothing is staged/);
  edit(unlockReset);
  git('add', WIDGET);
  // An unstaged change on top must not count: the index is what is reviewed.
  edit(dropPut);
  const { json, exitCode } = await reviewJson('--staged');
  assert.equal(exitCode, 0);
  assert.deepEqual(json.introduced, []);
  assert.deepEqual(json.fixed.map((f: { function: string; code: string }) => [f.function, f.code]), [['widget_reset', 'LT4002']]);
  git('reset', '-q', '--hard');
});

test("a range that is not one, and a checkout's configuration that would run a command, run nothing", async (t) => {
  if (gitMissing) return t.skip(gitMissing);
  const marker = path.join(repo, 'ran');
  git('config', 'core.fsmonitor', `touch ${marker}`);
  git('config', 'core.pager', `touch ${marker}`);
  try {
    const staged = await run(['review', '--tree', repo, '--staged']);
    assert.equal(staged.exitCode, 0, staged.stderr);
    const bad = await run(['review', '--tree', repo, 'no-such-rev..HEAD']);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /^lifetime: no-such-rev\.\.HEAD: no such patch file, and not a revision range in /);
    assert.equal(fs.existsSync(marker), false, 'the repository configuration ran a command');
  } finally {
    git('config', '--unset', 'core.fsmonitor');
    git('config', '--unset', 'core.pager');
  }
});
