// Git for `lifetime review`: the commits of a revision range as `git format-patch` writes them, the
// staged changes, and the files of a revision. Git runs without a shell, with the repository's
// hooks and file-system monitor turned off, so that a repository's configuration runs nothing.

import { spawnSync } from 'node:child_process';
import type { ReadResult, TreeSource } from '../../core/review/index';
import { decodeUtf8, formatBytes, MAX_FILE_BYTES } from '../inputs';

const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'diff.external=', '-c', 'core.pager=cat'];
/** The largest output read from git: a long series of patches. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export type GitResult = { ok: true; stdout: Buffer } | { ok: false; message: string; missing?: boolean };

export function git(tree: string, args: readonly string[]): GitResult {
  const result = spawnSync('git', [...SAFE_CONFIG, '-C', tree, ...args], {
    maxBuffer: MAX_OUTPUT_BYTES,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' ? 'git is not installed' : result.error.message };
  }
  if (result.status !== 0) {
    const stderr = result.stderr.toString('utf8').trim().split('\n').filter((line) => line.length > 0);
    return { ok: false, message: stderr[stderr.length - 1]?.replace(/^(fatal|error): /, '') ?? `git exited with ${result.status}` };
  }
  return { ok: true, stdout: result.stdout };
}

/** Whether `tree` is inside a git work tree. */
export function isGitCheckout(tree: string): boolean {
  const result = git(tree, ['rev-parse', '--is-inside-work-tree']);
  return result.ok && result.stdout.toString('utf8').trim() === 'true';
}

/** The commit a revision names, or undefined. */
export function resolveCommit(tree: string, revision: string): string | undefined {
  const result = git(tree, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`]);
  return result.ok ? result.stdout.toString('utf8').trim() : undefined;
}

/** Files of a revision, read with `git cat-file`; every path of a missing revision (an empty tree) is missing. */
export function gitTreeSource(tree: string, revision: string | undefined): TreeSource {
  return {
    read(path: string): ReadResult {
      if (revision === undefined) return { missing: true };
      const blob = git(tree, ['cat-file', 'blob', `${revision}:${path}`]);
      if (!blob.ok) return /does not exist|not a valid object name|exists on disk, but not in/i.test(blob.message) ? { missing: true } : { error: blob.message };
      if (blob.stdout.length > MAX_FILE_BYTES) return { error: `is ${formatBytes(blob.stdout.length)}, over the ${formatBytes(MAX_FILE_BYTES)} limit` };
      const text = decodeUtf8(blob.stdout);
      return typeof text === 'string' ? { text } : { error: `is not valid UTF-8 (line ${text.line})` };
    },
  };
}

export interface GitPatches {
  text: string;
  /** The commit the range starts from (the parent of its first commit); undefined for a root commit. */
  base?: string;
}

/**
 * The commits of a range, oldest first, as one mbox. A single revision stands for that one commit
 * (`REV^!`); merges are left out, as `git format-patch` leaves them out.
 */
export function rangePatches(tree: string, range: string): GitPatches | { message: string } {
  const spec = range.includes('..') || range.includes('^') ? range : `${range}^!`;
  const listed = git(tree, ['rev-list', '--reverse', '--no-merges', '--topo-order', '--end-of-options', spec]);
  if (!listed.ok) return { message: `not a revision range in ${tree}: ${listed.message}` };
  const commits = listed.stdout.toString('utf8').split('\n').filter((line) => line.length > 0);
  if (commits.length === 0) return { message: 'the range holds no commits (merges are not reviewed)' };
  const base = resolveCommit(tree, `${commits[0]}^`);
  const patches: string[] = [];
  // One commit at a time: `format-patch` of a range would drop commits reachable from its start.
  for (const commit of commits) {
    const formatted = git(tree, ['format-patch', '--stdout', '-1', '-M', '--no-color', '--src-prefix=a/', '--dst-prefix=b/', '--no-signature', commit]);
    if (!formatted.ok) return { message: `git format-patch failed on ${commit.slice(0, 12)}: ${formatted.message}` };
    patches.push(formatted.stdout.toString('utf8'));
  }
  return { text: patches.join(''), base };
}

/** The staged changes (the index against HEAD) as a diff; HEAD undefined on a branch without commits. */
export function stagedPatch(tree: string): GitPatches | { message: string } {
  const diff = git(tree, ['diff', '--cached', '-M', '--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/']);
  if (!diff.ok) return { message: `git diff --cached failed: ${diff.message}` };
  return { text: diff.stdout.toString('utf8'), base: resolveCommit(tree, 'HEAD') };
}
