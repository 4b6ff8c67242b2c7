// Applies a file's hunks to its text in memory, as `patch` does: each hunk at the line its header
// names, else at the nearest place where its lines match (an offset), else with up to two lines
// of leading and trailing context left out (fuzz). Hunks apply in order and never overlap. Lines
// match exactly or differ only by a carriage return; added lines take the file's own line breaks.
// A hunk that matches nowhere fails with the first line that differs where it came closest.

import type { Hunk, HunkLine } from './patch';
import { describeHunk } from './patch';

export const MAX_FUZZ = 2;

export interface TextLines {
  lines: string[];
  /** The line break after each line: `\n`, `\r\n`, or `` for a last line without one. */
  eols: string[];
}

export function splitTextLines(text: string): TextLines {
  const lines: string[] = [];
  const eols: string[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    if (newline < 0) {
      lines.push(text.slice(start));
      eols.push('');
      break;
    }
    const cr = newline > start && text.charCodeAt(newline - 1) === 13;
    lines.push(text.slice(start, cr ? newline - 1 : newline));
    eols.push(cr ? '\r\n' : '\n');
    start = newline + 1;
  }
  return { lines, eols };
}

export function joinTextLines(text: TextLines): string {
  let out = '';
  for (let i = 0; i < text.lines.length; i++) out += text.lines[i] + text.eols[i];
  return out;
}

export interface AppliedHunk {
  hunk: Hunk;
  /** 0-based line of the hunk's first line in the text before, and in the text after. */
  oldStart: number;
  newStart: number;
  /** Lines between where the header put the hunk and where it applied. */
  offset: number;
  fuzz: number;
  /** Context lines at the hunk's ends left out to make it apply (at most `fuzz` at each end). */
  ignoredContext: number;
}

export type ApplyResult =
  | { ok: true; text: string; hunks: AppliedHunk[] }
  | { ok: false; hunk: Hunk; reason: string };

function sameLine(patchLine: string, fileLine: string): boolean {
  if (patchLine === fileLine) return true;
  const a = patchLine.endsWith('\r') ? patchLine.slice(0, -1) : patchLine;
  const b = fileLine.endsWith('\r') ? fileLine.slice(0, -1) : fileLine;
  return a === b;
}

function dominantEol(text: TextLines): string {
  let crlf = 0;
  for (const eol of text.eols) if (eol === '\r\n') crlf++;
  return crlf * 2 > text.eols.length ? '\r\n' : '\n';
}

function leadingContext(lines: readonly HunkLine[]): number {
  let n = 0;
  while (n < lines.length && lines[n].kind === ' ') n++;
  return n;
}

function trailingContext(lines: readonly HunkLine[]): number {
  let n = 0;
  while (n < lines.length && lines[lines.length - 1 - n].kind === ' ') n++;
  return n;
}

function matchesAt(before: TextLines, at: number, old: readonly HunkLine[]): boolean {
  if (at < 0 || at + old.length > before.lines.length) return false;
  for (let k = 0; k < old.length; k++) if (!sameLine(old[k].text, before.lines[at + k])) return false;
  return true;
}

/** The first position at or after `from` nearest to `expected` where `old` matches, or -1. */
function findNearest(before: TextLines, old: readonly HunkLine[], expected: number, from: number): number {
  const last = before.lines.length - old.length;
  if (last < from) return -1;
  const center = Math.max(from, Math.min(expected, last));
  for (let distance = 0; center - distance >= from || center + distance <= last; distance++) {
    if (matchesAt(before, center - distance, old)) return center - distance;
    if (distance > 0 && matchesAt(before, center + distance, old)) return center + distance;
  }
  return -1;
}

function quote(line: string): string {
  const shown = line.length > 70 ? `${line.slice(0, 70)}…` : line;
  return `'${shown.replace(/\t/g, '\\t').replace(/\r/g, '\\r')}'`;
}

/** Why the hunk matches nowhere: the first differing line where the most lines in a row matched. */
function mismatch(before: TextLines, old: readonly HunkLine[], expected: number, from: number): string {
  if (old.length > before.lines.length - from) {
    return `the hunk needs ${old.length} lines of the file from line ${from + 1}, and the file has ${before.lines.length}`;
  }
  let bestAt = Math.max(from, Math.min(expected, before.lines.length - 1));
  let bestLength = -1;
  for (let at = from; at + old.length <= before.lines.length; at++) {
    let k = 0;
    while (k < old.length && sameLine(old[k].text, before.lines[at + k])) k++;
    if (k > bestLength || (k === bestLength && Math.abs(at - expected) < Math.abs(bestAt - expected))) {
      bestLength = k;
      bestAt = at;
    }
  }
  const line = bestAt + Math.max(0, bestLength);
  return `its lines are not in the file; the closest place is line ${line + 1}, where the patch expects ${quote(old[Math.max(0, bestLength)].text)} and the file has ${quote(before.lines[line] ?? '')}`;
}

/** Applies hunks in order to `text`; `text` undefined stands for a file that does not exist yet. */
export function applyHunks(text: string, hunks: readonly Hunk[], maxFuzz = MAX_FUZZ): ApplyResult {
  const before = splitTextLines(text);
  const eol = before.lines.length > 0 ? dominantEol(before) : '\n';
  const out: TextLines = { lines: [], eols: [] };
  const applied: AppliedHunk[] = [];
  let pos = 0;
  let lastOffset = 0;
  for (const hunk of hunks) {
    const headerAt = hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
    let placed: { at: number; front: number; back: number; fuzz: number } | undefined;
    const lead = leadingContext(hunk.lines);
    const trail = trailingContext(hunk.lines);
    for (let fuzz = 0; fuzz <= maxFuzz && !placed; fuzz++) {
      const front = Math.min(fuzz, lead);
      const back = Math.min(fuzz, trail);
      if (fuzz > 0 && front === 0 && back === 0) break;
      const body = hunk.lines.slice(front, hunk.lines.length - back);
      const old = body.filter((line) => line.kind !== '+');
      if (old.length === 0) {
        // A pure insertion without context can only go where the header says.
        const at = headerAt + lastOffset;
        if (at >= pos && at <= before.lines.length) placed = { at, front, back, fuzz };
        continue;
      }
      const at = findNearest(before, old, headerAt + lastOffset + front, pos);
      if (at >= 0) placed = { at, front, back, fuzz };
    }
    if (!placed) {
      const old = hunk.lines.filter((line) => line.kind !== '+');
      return { ok: false, hunk, reason: `${describeHunk(hunk)}, at line ${hunk.inputLine + 1} of the patch, does not apply: ${mismatch(before, old, headerAt + lastOffset, pos)}` };
    }
    for (; pos < placed.at; pos++) {
      out.lines.push(before.lines[pos]);
      out.eols.push(before.eols[pos]);
    }
    const firstOld = placed.at - placed.front;
    applied.push({ hunk, oldStart: firstOld, newStart: out.lines.length - placed.front, offset: firstOld - headerAt, fuzz: placed.fuzz, ignoredContext: placed.front + placed.back });
    lastOffset = firstOld - headerAt;
    for (const line of hunk.lines.slice(placed.front, hunk.lines.length - placed.back)) {
      if (line.kind === ' ') {
        out.lines.push(before.lines[pos]);
        out.eols.push(line.noNewline ? '' : before.eols[pos]);
        pos++;
      } else if (line.kind === '-') {
        pos++;
      } else {
        const carriage = line.text.endsWith('\r');
        out.lines.push(carriage ? line.text.slice(0, -1) : line.text);
        out.eols.push(line.noNewline ? '' : carriage ? '\r\n' : eol);
      }
    }
  }
  for (; pos < before.lines.length; pos++) {
    out.lines.push(before.lines[pos]);
    out.eols.push(before.eols[pos]);
  }
  // Only the last line may go without a line break.
  for (let i = 0; i < out.eols.length - 1; i++) if (out.eols[i] === '') out.eols[i] = eol;
  return { ok: true, text: joinTextLines(out), hunks: applied };
}

/** The hunks that undo these: added and removed lines swapped. */
export function reverseHunks(hunks: readonly Hunk[]): Hunk[] {
  return hunks.map((hunk) => ({
    ...hunk,
    oldStart: hunk.newStart,
    oldCount: hunk.newCount,
    newStart: hunk.oldStart,
    newCount: hunk.oldCount,
    lines: hunk.lines.map((line) => ({ ...line, kind: line.kind === '+' ? '-' : line.kind === '-' ? '+' : ' ' })),
  }));
}
