// Finding and reading the files to check. Every problem becomes a one-line reason naming the path:
// a missing file, a dangling link, a FIFO or device, a file over the size limit, bytes that are not
// UTF-8. A problem with a file named explicitly stops the run; one inside a walked directory can
// instead be skipped, so that one file never leaves a whole tree unchecked. Nothing here throws.

import fs from 'node:fs';
import path from 'node:path';
import { MAX_INPUT_FILE_BYTES as MAX_FILE_BYTES } from '../core/util/fileLimits';

/** The largest file the CLI reads: the same limit as the language server's. */
export { MAX_FILE_BYTES };

export type InputLanguage = 'lifetime' | 'c';

export interface InputFile {
  /** The path as the user will recognise it: relative to the working directory when inside it. */
  path: string;
  language: InputLanguage;
  text: string;
}

export interface InputProblem {
  path: string;
  reason: string;
}

/** A file of a walked directory that cannot be read, and where it falls among the files read. */
export interface SkippedInput extends InputProblem {
  /** The number of files read before it, in walk order. */
  index: number;
}

export interface Inputs {
  files: InputFile[];
  /** Problems that stop the run (exit code 2). */
  problems: InputProblem[];
  /** With `skipInWalks`: files of walked directories that could not be read, in walk order. */
  skipped: SkippedInput[];
}

export interface InputOptions {
  /** Whether C files (.c, .h) are checked too. */
  cFiles: boolean;
  /**
   * Whether a file of a walked directory that cannot be read (too large, unreadable, not a regular
   * file, not UTF-8) is skipped rather than a problem. A directory none of whose files can be read is
   * still a problem.
   */
  skipInWalks?: boolean;
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'out', 'dist']);

export function languageOf(file: string): InputLanguage | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.lifetime')) return 'lifetime';
  if (lower.endsWith('.c') || lower.endsWith('.h')) return 'c';
  return undefined;
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  const shown = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  return shown.split(path.sep).join('/');
}

/** Expands files and directories (recursively, in sorted order) into the files to check. */
export function collectInputs(paths: readonly string[], options: InputOptions): Inputs {
  const inputs: Inputs = { files: [], problems: [], skipped: [] };
  const seen = new Set<string>();
  for (const given of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(given);
    } catch (error) {
      let reason = describeError(error);
      try {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ELOOP') reason = 'is a symbolic link that loops back on itself';
        else if (fs.lstatSync(given).isSymbolicLink()) reason = 'is a symbolic link to a file that does not exist';
      } catch {
        // The path itself is missing; the first reason stands.
      }
      inputs.problems.push({ path: given, reason });
      continue;
    }
    if (stat.isDirectory()) {
      const filesBefore = inputs.files.length;
      const skippedBefore = inputs.skipped.length;
      const report = (problem: InputProblem) => {
        if (options.skipInWalks) inputs.skipped.push({ ...problem, index: inputs.files.length });
        else inputs.problems.push(problem);
      };
      const problemsBefore = inputs.problems.length;
      walkDirectory(given, options, inputs, seen, 0, report);
      if (inputs.files.length === filesBefore && inputs.skipped.length > skippedBefore) {
        // Nothing in the directory could be read: skipping would check nothing.
        inputs.problems.push(...inputs.skipped.splice(skippedBefore).map(({ path: file, reason }) => ({ path: file, reason })));
      } else if (inputs.files.length === filesBefore && inputs.problems.length === problemsBefore) {
        const what = options.cFiles ? '.lifetime, .c or .h files' : '.lifetime files';
        inputs.problems.push({ path: given, reason: `the directory holds no ${what}` });
      }
      continue;
    }
    const language = languageOf(given);
    if (!language) {
      inputs.problems.push({ path: given, reason: 'is not a .lifetime, .c or .h file' });
      continue;
    }
    readInput(given, language, stat, inputs, seen, (problem) => inputs.problems.push(problem));
  }
  return inputs;
}

type ReportProblem = (problem: InputProblem) => void;

function walkDirectory(dir: string, options: InputOptions, inputs: Inputs, seen: Set<string>, depth: number, report: ReportProblem): void {
  if (depth > 64) {
    report({ path: displayPath(dir), reason: 'directories nest too deeply (a symbolic link loop?)' });
    return;
  }
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    report({ path: displayPath(dir), reason: `cannot list the directory: ${describeError(error)}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(entry.name)) walkDirectory(full, options, inputs, seen, depth + 1, report);
      continue;
    }
    const language = languageOf(entry.name);
    if (!language || (language === 'c' && !options.cFiles)) continue;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch (error) {
      report({ path: displayPath(full), reason: describeError(error) });
      continue;
    }
    readInput(full, language, stat, inputs, seen, report);
  }
}

function readInput(file: string, language: InputLanguage, stat: fs.Stats, inputs: Inputs, seen: Set<string>, report: ReportProblem): void {
  const shown = displayPath(file);
  const key = path.resolve(file);
  if (seen.has(key)) return;
  seen.add(key);
  if (!stat.isFile()) {
    const what = stat.isFIFO() ? 'a FIFO' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a regular file';
    report({ path: shown, reason: `cannot be read: it is ${what}` });
    return;
  }
  if (stat.size > MAX_FILE_BYTES) {
    report({ path: shown, reason: `is ${formatBytes(stat.size)}, over the ${formatBytes(MAX_FILE_BYTES)} limit` });
    return;
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    report({ path: shown, reason: `cannot be read: ${describeError(error)}` });
    return;
  }
  if (bytes.length > MAX_FILE_BYTES) {
    report({ path: shown, reason: `is ${formatBytes(bytes.length)}, over the ${formatBytes(MAX_FILE_BYTES)} limit` });
    return;
  }
  const text = decodeUtf8(bytes);
  if (typeof text !== 'string') {
    report({ path: shown, reason: `is not valid UTF-8 (line ${text.line}, byte ${text.offset + 1} of the file)` });
    return;
  }
  inputs.files.push({ path: shown, language, text });
}

/** The text without a byte-order mark, or where the first invalid byte sits. */
export function decodeUtf8(bytes: Uint8Array): string | { offset: number; line: number } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    const offset = firstInvalidByte(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 10) line++;
    return { offset, line };
  }
}

function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
