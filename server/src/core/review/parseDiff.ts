// Unified diffs, as `git diff`, `git format-patch` and `diff -u` write them: file headers (with git's
// extended headers: new, deleted, renamed, copied and binary files), then hunks whose line counts
// the header gives. Parsing never throws; a hunk that is cut short or has more lines than its
// header counts is a problem naming the file and the hunk. Text outside file headers and hunks
// (a commit message, a diffstat, a signature) is skipped.

import type { FilePatch, FileStatus, Hunk, HunkLine, PatchProblem } from './patch';
import { describeHunk } from './patch';

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;
/** A line of a `GIT binary patch` block: a length character and base85 data, or a block header. */
const BINARY_DATA = /^([A-Za-z][0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]*|(literal|delta) \d+)$/;
const EXTENDED_HEADERS = ['old mode ', 'new mode ', 'deleted file mode ', 'new file mode ', 'copy from ', 'copy to ', 'rename from ', 'rename to ', 'similarity index ', 'dissimilarity index ', 'index '];

export interface DiffLines {
  lines: readonly string[];
  /** The 0-based input line of `lines[i]`. */
  inputLine(i: number): number;
}

export interface ParsedDiff {
  files: FilePatch[];
  problems: PatchProblem[];
}

/** A path as git quotes it (`"a/t\303\251st"`), unquoted; other paths pass unchanged. */
function unquote(path: string): string {
  if (!path.startsWith('"') || !path.endsWith('"') || path.length < 2) return path;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const body = path.slice(1, -1);
  const escapes: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = String.fromCodePoint(body.codePointAt(i) ?? 0);
    if (ch !== '\\') {
      for (const byte of encoder.encode(ch)) bytes.push(byte);
      i += ch.length - 1;
      continue;
    }
    const next = body[i + 1];
    if (next !== undefined && /[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      bytes.push(parseInt(octal, 8) & 0xff);
      i += octal.length;
    } else if (next !== undefined && escapes[next] !== undefined) {
      bytes.push(escapes[next]);
      i++;
    } else {
      bytes.push(92);
    }
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
}

/** The path of a `---`/`+++` line: without a trailing timestamp (after a tab) or trailing spaces. */
function headerPath(rest: string): string | undefined {
  let path = rest.startsWith('"') ? rest.slice(0, rest.indexOf('"', 1) + 1 || rest.length) : rest.split('\t')[0];
  path = unquote(path.trimEnd());
  return path === '/dev/null' ? undefined : path;
}

/** The two paths of `diff --git a/X b/Y`, taking the common case of equal paths when names have spaces. */
function gitLinePaths(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const end = rest.indexOf('"', 1);
    const first = rest.slice(0, end + 1);
    const second = rest.slice(end + 1).trim();
    return [unquote(first), unquote(second)];
  }
  // `a/P b/P`: the two halves are equal after their one-letter prefixes.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ' && rest.slice(2, half) === rest.slice(half + 3)) return [rest.slice(0, half), rest.slice(half + 1)];
  const split = rest.indexOf(' b/');
  if (split > 0) return [rest.slice(0, split), rest.slice(split + 1)];
  const space = rest.indexOf(' ');
  return space > 0 ? [rest.slice(0, space), rest.slice(space + 1)] : undefined;
}

function firstComponent(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function stripComponent(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

/**
 * Whether to drop the first component of both paths (`patch -p1`). Git writes one-letter prefixes
 * (`a/`, `b/`, or `c/`, `i/`, `w/`, `o/` with mnemonic prefixes), unless told not to. A plain `diff -u`
 * run beside two trees writes `linux.orig/...` and `linux/...`: the first components differ. Paths
 * with the same first component on both sides (`drivers/...`) were written from inside the tree.
 */
function stripsPrefix(oldPath: string | undefined, newPath: string | undefined, git: boolean): boolean {
  const present = [oldPath, newPath].filter((p): p is string => p !== undefined);
  if (present.length === 0) return false;
  if (present.every((p) => /^[a-z0-9]\//.test(p))) return true;
  if (git) return false;
  if (oldPath === undefined || newPath === undefined) return false;
  const a = firstComponent(oldPath);
  const b = firstComponent(newPath);
  return a !== '' && b !== '' && a !== b;
}

class DiffParser {
  private i = 0;
  readonly files: FilePatch[] = [];
  readonly problems: PatchProblem[] = [];

  constructor(private readonly input: DiffLines) {}

  private get lines(): readonly string[] {
    return this.input.lines;
  }

  private problem(message: string, index: number): void {
    this.problems.push({ message, inputLine: this.input.inputLine(Math.min(index, Math.max(0, this.lines.length - 1))) });
  }

  parse(): ParsedDiff {
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.startsWith('diff --git ')) this.gitFile();
      else if (this.isTraditionalHeader(this.i)) this.traditionalFile();
      else if (HUNK_HEADER.test(line) && this.files.length === 0) {
        this.problem(`a hunk (${line.slice(0, 40)}) comes before any file header ('--- a/FILE' and '+++ b/FILE')`, this.i);
        this.i++;
      } else this.i++;
    }
    return { files: this.files, problems: this.problems };
  }

  private isTraditionalHeader(i: number): boolean {
    return this.lines[i].startsWith('--- ') && (this.lines[i + 1] ?? '').startsWith('+++ ') && HUNK_HEADER.test(this.lines[i + 2] ?? '');
  }

  private gitFile(): void {
    const start = this.i;
    const headerLines = [this.lines[this.i]];
    const paths = gitLinePaths(this.lines[this.i].slice('diff --git '.length));
    let oldPath = paths?.[0];
    let newPath = paths?.[1];
    let status: FileStatus = 'modified';
    let binary = false;
    let renameFrom: string | undefined;
    let renameTo: string | undefined;
    this.i++;
    for (; this.i < this.lines.length; this.i++) {
      const line = this.lines[this.i];
      const extended = EXTENDED_HEADERS.find((prefix) => line.startsWith(prefix));
      if (extended) {
        headerLines.push(line);
        const value = unquote(line.slice(extended.length));
        if (extended === 'deleted file mode ') status = 'deleted';
        else if (extended === 'new file mode ') status = 'added';
        else if (extended === 'rename from ' || extended === 'copy from ') renameFrom = value;
        else if (extended === 'rename to ' || extended === 'copy to ') {
          renameTo = value;
          status = extended === 'rename to ' ? 'renamed' : 'copied';
        }
        continue;
      }
      if (line.startsWith('Binary files ')) {
        headerLines.push(line);
        binary = true;
        continue;
      }
      if (line === 'GIT binary patch') {
        headerLines.push(line);
        binary = true;
        this.i++;
        while (this.i < this.lines.length && (this.lines[this.i] === '' || BINARY_DATA.test(this.lines[this.i]))) this.i++;
        this.i--;
        continue;
      }
      if (line.startsWith('--- ') && (this.lines[this.i + 1] ?? '').startsWith('+++ ')) {
        headerLines.push(line, this.lines[this.i + 1]);
        oldPath = headerPath(line.slice(4));
        newPath = headerPath(this.lines[this.i + 1].slice(4));
        if (oldPath === undefined) status = 'added';
        if (newPath === undefined) status = 'deleted';
        this.i += 2;
      }
      break;
    }
    if (status === 'added') oldPath = undefined;
    if (status === 'deleted') newPath = undefined;
    const strip = stripsPrefix(oldPath, newPath, true);
    const file: FilePatch = {
      oldPath: renameFrom ?? (strip ? stripComponent(oldPath) : oldPath),
      newPath: renameTo ?? (strip ? stripComponent(newPath) : newPath),
      status,
      binary,
      hunks: [],
      inputLine: this.input.inputLine(start),
      headerLines,
    };
    if (file.status === 'added') file.oldPath = undefined;
    if (file.status === 'deleted') file.newPath = undefined;
    if (file.oldPath === undefined && file.newPath === undefined) {
      this.problem(`the file header '${this.lines[start].slice(0, 80)}' names no file`, start);
      return;
    }
    this.hunks(file);
    this.files.push(file);
  }

  private traditionalFile(): void {
    const start = this.i;
    const rawOld = headerPath(this.lines[this.i].slice(4));
    const rawNew = headerPath(this.lines[this.i + 1].slice(4));
    const strip = stripsPrefix(rawOld, rawNew, false);
    const file: FilePatch = {
      oldPath: strip ? stripComponent(rawOld) : rawOld,
      newPath: strip ? stripComponent(rawNew) : rawNew,
      status: rawOld === undefined ? 'added' : rawNew === undefined ? 'deleted' : 'modified',
      binary: false,
      hunks: [],
      inputLine: this.input.inputLine(start),
      headerLines: [this.lines[this.i], this.lines[this.i + 1]],
    };
    this.i += 2;
    if (file.oldPath === undefined && file.newPath === undefined) {
      this.problem('a file header names /dev/null on both sides', start);
      return;
    }
    this.hunks(file);
    this.files.push(file);
  }

  private hunks(file: FilePatch): void {
    const name = file.newPath ?? file.oldPath ?? '(unnamed)';
    while (this.i < this.lines.length && this.lines[this.i].startsWith('@@')) {
      const headerIndex = this.i;
      const match = HUNK_HEADER.exec(this.lines[this.i]);
      if (!match) {
        this.problem(`${name}: hunk #${file.hunks.length + 1} has a malformed header '${this.lines[this.i].slice(0, 80)}' (expected '@@ -A,B +C,D @@')`, this.i);
        this.i++;
        return;
      }
      const hunk: Hunk = {
        number: file.hunks.length + 1,
        oldStart: Number(match[1]),
        oldCount: match[2] === undefined ? 1 : Number(match[2]),
        newStart: Number(match[3]),
        newCount: match[4] === undefined ? 1 : Number(match[4]),
        section: match[5] ?? '',
        header: this.lines[this.i],
        lines: [],
        inputLine: this.input.inputLine(this.i),
      };
      this.i++;
      if (!this.hunkBody(hunk, name, headerIndex)) {
        file.hunks.push(hunk);
        this.skipToNextFile();
        return;
      }
      file.hunks.push(hunk);
    }
  }

  /** Reads the hunk's lines as its header counts them; false when the hunk is malformed. */
  private hunkBody(hunk: Hunk, name: string, headerIndex: number): boolean {
    let oldSeen = 0;
    let newSeen = 0;
    while (oldSeen < hunk.oldCount || newSeen < hunk.newCount) {
      const raw = this.lines[this.i];
      if (raw === undefined) {
        this.problem(`${name}: ${describeHunk(hunk)} is cut short: the input ends after ${oldSeen} of its ${hunk.oldCount} old and ${newSeen} of its ${hunk.newCount} new lines`, headerIndex);
        return false;
      }
      const kind = raw === '' ? ' ' : raw[0];
      if (kind === '\\') {
        this.noNewline(hunk);
        this.i++;
        continue;
      }
      if (kind !== ' ' && kind !== '-' && kind !== '+') {
        this.problem(
          `${name}: ${describeHunk(hunk)} ends early: after ${oldSeen} of its ${hunk.oldCount} old and ${newSeen} of its ${hunk.newCount} new lines, input line ${this.input.inputLine(this.i) + 1} ('${raw.slice(0, 60)}') is not a hunk line`,
          this.i,
        );
        return false;
      }
      const oldSide = kind !== '+';
      const newSide = kind !== '-';
      if ((oldSide && oldSeen >= hunk.oldCount) || (newSide && newSeen >= hunk.newCount)) {
        this.problem(`${name}: ${describeHunk(hunk)} has more ${oldSide && oldSeen >= hunk.oldCount ? 'old' : 'new'} lines than its header counts (input line ${this.input.inputLine(this.i) + 1})`, this.i);
        return false;
      }
      if (oldSide) oldSeen++;
      if (newSide) newSeen++;
      const line: HunkLine = { kind, text: raw.slice(1), inputLine: this.input.inputLine(this.i) };
      hunk.lines.push(line);
      this.i++;
    }
    if ((this.lines[this.i] ?? '').startsWith('\\')) {
      this.noNewline(hunk);
      this.i++;
    }
    // A `+` or `-` line right after a complete hunk means the header counted too few lines.
    const next = this.lines[this.i];
    if (next !== undefined && (next.startsWith('+') || (next.startsWith('-') && next !== '-- ' && next !== '--' && !this.isTraditionalHeader(this.i)))) {
      this.problem(`${name}: ${describeHunk(hunk)} has more lines than its header counts: input line ${this.input.inputLine(this.i) + 1} ('${next.slice(0, 60)}') follows its last line`, this.i);
      return false;
    }
    return true;
  }

  private noNewline(hunk: Hunk): void {
    const last = hunk.lines[hunk.lines.length - 1];
    if (last) last.noNewline = true;
  }

  private skipToNextFile(): void {
    while (this.i < this.lines.length && !this.lines[this.i].startsWith('diff --git ') && !this.isTraditionalHeader(this.i)) this.i++;
  }
}

/** Parses the file changes of one diff. */
export function parseDiff(input: DiffLines): ParsedDiff {
  return new DiffParser(input).parse();
}

/** Whether the text holds at least one file header followed by a hunk or a git extended header. */
export function looksLikeDiff(lines: readonly string[]): boolean {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('diff --git ')) return true;
    if (lines[i].startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && HUNK_HEADER.test(lines[i + 2] ?? '')) return true;
  }
  return false;
}
