// What a review finds: per patch, per file, each finding classified as introduced, fixed or
// remaining, with its place in the text before the patch (fixed) or after it (the others).

import type { Diagnostic } from '../diagnostics/codes';
import type { ParsedSeries, Patch } from './patch';
import type { AppliedFile } from './tree';

export type FindingClass = 'introduced' | 'fixed' | 'remaining';

export interface ReviewFinding {
  class: FindingClass;
  /** Code, kind, severity, message and range; offsets are into the file's text of `version`. */
  diagnostic: Diagnostic;
  /** The C function, or for a model the proposal (empty for a model's syntax and name errors). */
  function: string;
  /** `after` for introduced and remaining findings, `before` for fixed ones. */
  version: 'before' | 'after';
}

export interface FileReview {
  /** The file's path in the tree, with `/` separators (its new path; the old one if it was deleted). */
  path: string;
  applied: AppliedFile;
  language: 'c' | 'lifetime';
  /** The functions (or, in a model, the proposals) whose findings were compared. */
  touched: string[];
  findings: ReviewFinding[];
  /** Sentences about this file: a verdict a model patch changed, why verdicts were not compared. */
  notes: string[];
}

export interface PatchReview {
  patch: Patch;
  files: FileReview[];
  /** Sentences about the patch as a whole: hunks applied at an offset or with fuzz, files skipped. */
  notes: string[];
}

export interface SeriesReview {
  series: ParsedSeries;
  patches: PatchReview[];
  /** The tree already held the series; it was reviewed against the tree with the series taken out. */
  alreadyApplied: boolean;
}

/** The text a finding's offsets refer to. */
export function findingText(file: FileReview, finding: ReviewFinding): string {
  return (finding.version === 'before' ? file.applied.before : file.applied.after) ?? '';
}

export function countByClass(findings: readonly ReviewFinding[]): Record<FindingClass, number> {
  const counts: Record<FindingClass, number> = { introduced: 0, fixed: 0, remaining: 0 };
  for (const finding of findings) counts[finding.class]++;
  return counts;
}
