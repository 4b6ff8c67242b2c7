// The shape of a parsed patch: a series of patches (one per mail, or one for a plain diff), each
// with the files it changes and their hunks. Line numbers into the input are kept everywhere, so
// that every problem and every editor diagnostic can point at the patch text itself.

export type HunkLineKind = ' ' | '-' | '+';

export interface HunkLine {
  kind: HunkLineKind;
  /** The line without its line break. */
  text: string;
  /** `\ No newline at end of file` follows this line: on its side, the file ends without a line break. */
  noNewline?: boolean;
  /** 0-based line of the input this line was read from. */
  inputLine: number;
}

export interface Hunk {
  /** 1-based, within its file. */
  number: number;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** The text after the second `@@`: usually the enclosing function's header. */
  section: string;
  /** The `@@ ... @@` line as written. */
  header: string;
  lines: HunkLine[];
  /** 0-based line of the input where the `@@` header is. */
  inputLine: number;
}

export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

export interface FilePatch {
  /** The path before the patch (without the `a/` prefix); undefined for a new file. */
  oldPath?: string;
  /** The path after the patch (without the `b/` prefix); undefined for a deleted file. */
  newPath?: string;
  status: FileStatus;
  /** A binary change (`Binary files ... differ` or `GIT binary patch`): its content is not reviewed. */
  binary: boolean;
  hunks: Hunk[];
  /** 0-based line of the input where this file's header starts. */
  inputLine: number;
  /** The header lines as written (`diff --git ...`, `--- a/...`, `+++ b/...`), for quoting. */
  headerLines: string[];
}

export interface Patch {
  /** 1-based position in the series. */
  number: number;
  /** The subject without the `[PATCH ...]` tags (as `git am` takes it); for a plain diff, a name for it. */
  subject: string;
  /** The Subject header as written, tags included; undefined for a plain diff. */
  rawSubject?: string;
  from?: string;
  date?: string;
  messageId?: string;
  files: FilePatch[];
  /** 0-based line of the input where this patch (its mail, or the diff) starts. */
  inputLine: number;
  /**
   * Whether input lines map one to one onto the body as parsed. A body sent as base64 or
   * quoted-printable is decoded first, and its hunk lines then point at the start of the body.
   */
  linesExact: boolean;
}

export interface PatchProblem {
  /** What is wrong, naming the file and the hunk where there is one. */
  message: string;
  /** 0-based line of the input. */
  inputLine: number;
}

export interface ParsedSeries {
  patches: Patch[];
  /** A `[PATCH 0/N]` mail without a diff: the series' title. */
  coverLetter?: { subject: string; inputLine: number };
  problems: PatchProblem[];
}

/** The path a file is known by: the new path, or the old one for a deleted file. */
export function displayPath(file: FilePatch): string {
  return file.newPath ?? file.oldPath ?? '(unnamed)';
}

/** `hunk #2 (@@ -10,6 +10,7 @@)`, for messages. */
export function describeHunk(hunk: Hunk): string {
  return `hunk #${hunk.number} (@@ -${hunk.oldStart},${hunk.oldCount} +${hunk.newStart},${hunk.newCount} @@)`;
}

/** `patch 2/3 "subject"` in a series, `the patch` alone. */
export function describePatch(patch: Patch, total: number): string {
  return total > 1 ? `patch ${patch.number}/${total} "${patch.subject}"` : `the patch "${patch.subject}"`;
}
