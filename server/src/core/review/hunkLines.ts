// Where each line of an applied hunk is in the file before and after the patch, and, the other way
// round, which line of the patch a finding concerns: the added line it sits on, else the added line
// nearest to it in the same hunk, else the hunk's first change.

import type { Hunk, HunkLine } from './patch';
import type { AppliedFile } from './tree';
import type { ReviewFinding } from './types';
import { LineIndex } from '../util/lineIndex';

export interface HunkLineRef {
  hunk: Hunk;
  line: HunkLine;
  /** 0-based line in the text before the patch (context and removed lines). */
  oldLine?: number;
  /** 0-based line in the text after the patch (context and added lines). */
  newLine?: number;
  /** Where the line is, or would be, in the text before and in the text after. */
  oldAt: number;
  newAt: number;
}

export function hunkLineRefs(applied: AppliedFile): HunkLineRef[] {
  const refs: HunkLineRef[] = [];
  for (const placed of applied.hunks) {
    let oldLine = placed.oldStart;
    let newLine = placed.newStart;
    for (const line of placed.hunk.lines) {
      const ref: HunkLineRef = { hunk: placed.hunk, line, oldAt: oldLine, newAt: newLine };
      if (line.kind !== '+') ref.oldLine = oldLine++;
      if (line.kind !== '-') ref.newLine = newLine++;
      refs.push(ref);
    }
  }
  return refs;
}

export interface ChangedRanges {
  /** Offsets of removed lines in the text before. */
  removed: { start: number; end: number }[];
  /** Offsets of added lines in the text after. */
  added: { start: number; end: number }[];
}

export function changedRanges(applied: AppliedFile, refs: readonly HunkLineRef[]): ChangedRanges {
  const before = new LineIndex(applied.before ?? '');
  const after = new LineIndex(applied.after ?? '');
  const removed: { start: number; end: number }[] = [];
  const added: { start: number; end: number }[] = [];
  for (const ref of refs) {
    if (ref.line.kind === '-' && ref.oldLine !== undefined) removed.push({ start: before.lineStart(ref.oldLine), end: before.lineEndOffset(ref.oldLine) + 1 });
    if (ref.line.kind === '+' && ref.newLine !== undefined) added.push({ start: after.lineStart(ref.newLine), end: after.lineEndOffset(ref.newLine) + 1 });
  }
  return { removed, added };
}

/**
 * The patch line a finding concerns. An introduced or remaining finding sits in the text after the
 * patch: the added line at its place, else the context line at its place (unless `addedOnly`, for
 * an editor that marks added lines only), else an added line at one of its related places (where
 * the object was acquired), else the nearest added line. A fixed finding sits in the text before: the
 * removed line at its place, else the added line nearest above its place in the same hunk (the
 * release the fix adds before a return), else the nearest change.
 */
export function patchLineOf(finding: ReviewFinding, applied: AppliedFile, refs: readonly HunkLineRef[], options: { addedOnly?: boolean } = {}): HunkLineRef | undefined {
  if (refs.length === 0) return undefined;
  const after = finding.version === 'after';
  const index = new LineIndex((after ? applied.after : applied.before) ?? '');
  const lineOf = (offset: number): number => index.positionAt(offset).line;
  const at = lineOf(finding.diagnostic.start);
  const sideLine = (ref: HunkLineRef): number | undefined => (after ? ref.newLine : ref.oldLine);
  const changeKind = after ? '+' : '-';
  const exact = refs.find((ref) => ref.line.kind === changeKind && sideLine(ref) === at);
  if (exact) return exact;
  if (after && !options.addedOnly) {
    const shown = refs.find((ref) => ref.line.kind === ' ' && ref.newLine === at);
    if (shown) return shown;
  }
  if (after) {
    for (const related of finding.diagnostic.related ?? []) {
      const relatedLine = lineOf(related.start);
      const hit = refs.find((ref) => ref.line.kind === '+' && ref.newLine === relatedLine);
      if (hit) return hit;
    }
  } else {
    const context = refs.findIndex((ref) => ref.line.kind === ' ' && ref.oldLine === at);
    if (context >= 0) {
      for (let k = context - 1; k >= 0 && refs[k].hunk === refs[context].hunk; k--) if (refs[k].line.kind === '+') return refs[k];
    }
  }
  let best: HunkLineRef | undefined;
  let bestDistance = Infinity;
  for (const ref of refs) {
    if (ref.line.kind === ' ') continue;
    const distance = Math.abs((after ? ref.newAt : ref.oldAt) - at) + (ref.line.kind === '+' ? 0 : 0.5);
    if (distance < bestDistance) {
      best = ref;
      bestDistance = distance;
    }
  }
  return best ?? refs[0];
}
