// The tree a patch is applied to, in memory: a source that reads files (a directory, a git
// revision, the editor's workspace) under an overlay of the files the patches so far have changed.
// Nothing is ever written to the source.

import { applyHunks, reverseHunks, type AppliedHunk } from './apply';
import { displayPath, type FilePatch } from './patch';

export type ReadResult = { text: string } | { missing: true } | { error: string };

/** Reads a file of the tree by its path relative to the tree's root, with `/` separators. */
export interface TreeSource {
  read(path: string): ReadResult;
}

/** The tree as the patches applied so far left it. */
export class PatchedTree {
  private readonly changed = new Map<string, string | undefined>();

  constructor(private readonly source: TreeSource) {}

  read(path: string): ReadResult {
    if (this.changed.has(path)) {
      const text = this.changed.get(path);
      return text === undefined ? { missing: true } : { text };
    }
    return this.source.read(path);
  }

  write(path: string, text: string): void {
    this.changed.set(path, text);
  }

  remove(path: string): void {
    this.changed.set(path, undefined);
  }
}

/** A file of a patch, applied: its text before and after (undefined where it does not exist). */
export interface AppliedFile {
  file: FilePatch;
  before?: string;
  after?: string;
  hunks: AppliedHunk[];
}

/** A failure names the file (and the hunk) and points at the line of the patch it concerns. */
export type FileApplyOutcome = { ok: true; applied: AppliedFile } | { ok: false; message: string; inputLine: number };

/** The path's problem as a sentence, or undefined when the path may be read. */
export function unsafePath(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return 'is an absolute path; patches name files relative to the tree';
  if (path.split(/[\\/]/).some((part) => part === '..')) return "leaves the tree ('..')";
  if (path.includes('\0')) return 'contains a NUL character';
  return undefined;
}

function readText(tree: PatchedTree, path: string): { text?: string; message?: string } {
  const read = tree.read(path);
  if ('text' in read) return { text: read.text };
  if ('missing' in read) return {};
  return { message: `${path}: cannot be read: ${read.error}` };
}

/**
 * Applies one file's change to the tree (forward, or backward with `reverse`) and records the
 * texts before and after. Binary changes are recorded without content and change nothing.
 */
export function applyFile(tree: PatchedTree, file: FilePatch, reverse = false): FileApplyOutcome {
  const name = displayPath(file);
  const fail = (message: string, inputLine = file.inputLine): FileApplyOutcome => ({ ok: false, message, inputLine });
  for (const path of [file.oldPath, file.newPath]) {
    const unsafe = path === undefined ? undefined : unsafePath(path);
    if (unsafe) return fail(`${path}: the path ${unsafe}`);
  }
  const from = reverse ? file.newPath : file.oldPath;
  const to = reverse ? file.oldPath : file.newPath;
  const creates = reverse ? file.status === 'deleted' : file.status === 'added';
  const deletes = reverse ? file.status === 'added' : file.status === 'deleted';
  if (file.binary) return { ok: true, applied: { file, hunks: [] } };
  let before: string | undefined;
  if (!creates) {
    const read = readText(tree, from!);
    if (read.message) return fail(read.message);
    if (read.text === undefined) return fail(`${from}: the patch changes this file, and the tree has no such file`);
    before = read.text;
  } else if (to !== undefined) {
    const read = readText(tree, to);
    if (read.message) return fail(read.message);
    if (read.text !== undefined) return fail(`${to}: the patch creates this file, and the tree already has it`);
  }
  const hunks = reverse ? reverseHunks(file.hunks) : file.hunks;
  const result = applyHunks(before ?? '', hunks);
  if (!result.ok) return fail(`${name}: ${result.reason}`, result.hunk.inputLine);
  if (deletes) {
    if (result.text.length > 0) return fail(`${name}: the patch deletes this file, but the file has lines the patch does not remove`);
    tree.remove(from!);
    return { ok: true, applied: { file, before, hunks: result.hunks } };
  }
  if (file.status === 'renamed' && from !== undefined && from !== to) tree.remove(from);
  tree.write(to!, result.text);
  return { ok: true, applied: { file, before, after: result.text, hunks: result.hunks } };
}
