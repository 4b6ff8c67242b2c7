// A directory as the tree a patch applies to. Only files inside it are read: a path that climbs out
// (`..`, an absolute path, a symbolic link pointing outside) is an error, not a read.

import fs from 'node:fs';
import path from 'node:path';
import { unsafePath, type ReadResult, type TreeSource } from './tree';

/** The largest file read from a tree, as `lifetime check` reads no larger one. */
export const MAX_TREE_FILE_BYTES = 8 * 1024 * 1024;

function decode(bytes: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return error instanceof Error ? error.message : String(error);
}

export function directorySource(root: string): TreeSource {
  const realRoot = fs.realpathSync(root);
  return {
    read(relative: string): ReadResult {
      const unsafe = unsafePath(relative);
      if (unsafe) return { error: `the path ${unsafe}` };
      const full = path.join(realRoot, ...relative.split('/'));
      let real: string;
      try {
        real = fs.realpathSync(full);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true };
        return { error: errnoReason(error) };
      }
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return { error: 'is a symbolic link to a place outside the tree' };
      try {
        const stat = fs.statSync(real);
        if (!stat.isFile()) return { error: stat.isDirectory() ? 'is a directory' : 'is not a regular file' };
        if (stat.size > MAX_TREE_FILE_BYTES) return { error: `is ${stat.size} bytes, over the ${MAX_TREE_FILE_BYTES / (1024 * 1024)} MiB limit` };
        const text = decode(fs.readFileSync(real));
        return text === undefined ? { error: 'is not valid UTF-8' } : { text };
      } catch (error) {
        return { error: errnoReason(error) };
      }
    },
  };
}
