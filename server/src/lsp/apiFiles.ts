// Reads the kernel API tables named by `lifetime.c.apiFiles`. The setting comes from the workspace,
// so a cloned repository chooses the paths: each is read only if, after every symbolic link is
// resolved, it lies inside a workspace folder, is a regular file (checked on the open descriptor,
// which is opened without blocking so that a FIFO cannot stall the server) and is at most the CLI's
// size limit. Everything is asynchronous. A problem names the path and what is wrong with it, never
// the file's contents.

import { constants as fsConstants, promises as fsp } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { MAX_INPUT_FILE_BYTES } from '../core/util/fileLimits';
import type { ApiTableTexts } from '../core/features/cBodies';

export interface ApiFilesRead {
  tables: ApiTableTexts;
  /** One sentence per refused or unreadable file, naming it. */
  problems: string[];
}

function reasonOf(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'ELOOP':
      return 'has too many levels of symbolic links';
    case 'ENOTDIR':
      return 'has a part of its path that is not a directory';
    case 'EISDIR':
      return 'is a directory';
    default:
      return `cannot be read (${(error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error'})`;
  }
}

function inside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

async function realFolders(folders: readonly string[]): Promise<string[]> {
  const real: string[] = [];
  for (const folder of folders) {
    try {
      real.push(await fsp.realpath(folder));
    } catch {
      // A folder that does not exist holds no file.
    }
  }
  return real;
}

/** Reads one file under the rules above: its text, or why it was refused. */
export async function readConfinedFile(file: string, folders: readonly string[], maxBytes = MAX_INPUT_FILE_BYTES): Promise<{ text: string } | { problem: string }> {
  const shown = JSON.stringify(file);
  if (folders.length === 0) return { problem: `${shown} was not read: there is no workspace folder to read it from.` };
  const resolved = path.isAbsolute(file) ? file : path.resolve(folders[0], file);
  let real: string;
  try {
    real = await fsp.realpath(resolved);
  } catch (error) {
    return { problem: `${shown} ${reasonOf(error)}.` };
  }
  const roots = await realFolders(folders);
  if (!roots.some((root) => inside(root, real))) return { problem: `${shown} was not read: it resolves to ${real}, outside the workspace folder.` };
  let handle: fsp.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. O_NOFOLLOW: the path
    // is already resolved, so a link swapped in since is refused rather than followed.
    handle = await fsp.open(real, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOFOLLOW);
  } catch (error) {
    return { problem: `${shown} ${reasonOf(error)}.` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { problem: `${shown} was not read: it is not a regular file (${kindOf(stat)}).` };
    if (stat.size > maxBytes) return { problem: `${shown} was not read: it is ${formatMiB(stat.size)}, over the ${formatMiB(maxBytes)} limit.` };
    // The file may grow between the stat and the read: never read past the limit.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return { problem: `${shown} was not read: it grew over the ${formatMiB(maxBytes)} limit while being read.` };
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length)) };
    } catch {
      return { problem: `${shown} was not read: it is not UTF-8 text.` };
    }
  } catch (error) {
    return { problem: `${shown} ${reasonOf(error)}.` };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

/** Reads every file; the key identifies the texts read, so that workers rebuild their tables only when they change. */
export async function readApiFiles(files: readonly string[], folders: readonly string[]): Promise<ApiFilesRead> {
  const problems: string[] = [];
  const texts: { path: string; text: string }[] = [];
  const hash = createHash('sha256');
  for (const file of files) {
    const read = await readConfinedFile(file, folders);
    if ('problem' in read) {
      problems.push(`Lifetime: kernel API file ${read.problem}`);
      continue;
    }
    texts.push({ path: file, text: read.text });
    hash.update(file).update('\0').update(read.text).update('\0');
  }
  return { tables: { key: texts.length === 0 ? '' : hash.digest('hex'), files: texts }, problems };
}

/** No extra tables. */
export const NO_API_TABLES: ApiTableTexts = { key: '', files: [] };
