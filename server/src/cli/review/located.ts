// The review's findings with their 1-based places, in the order every format prints them: by patch,
// then by file, then by place.

import { findingText, type FileReview, type PatchReview, type ReviewFinding, type SeriesReview } from '../../core/review/index';
import { LineIndex } from '../../core/util/lineIndex';

export interface LocatedFinding {
  patch: PatchReview;
  file: FileReview;
  finding: ReviewFinding;
  /** The file's text the finding points into (before the patch for a fixed finding). */
  text: string;
  lines: LineIndex;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function locateFindings(review: SeriesReview): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  for (const patch of review.patches) {
    for (const file of patch.files) {
      const indexes = new Map<string, LineIndex>();
      const located = file.findings.map((finding) => {
        const text = findingText(file, finding);
        let lines = indexes.get(finding.version);
        if (!lines) indexes.set(finding.version, (lines = new LineIndex(text)));
        const start = lines.positionAt(finding.diagnostic.start);
        const end = lines.positionAt(Math.max(finding.diagnostic.start, finding.diagnostic.end));
        return { patch, file, finding, text, lines, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
      });
      located.sort((a, b) => a.line - b.line || a.column - b.column || a.finding.diagnostic.code.localeCompare(b.finding.diagnostic.code));
      out.push(...located);
    }
  }
  return out;
}

export function isSeries(review: SeriesReview): boolean {
  return review.patches.length > 1;
}

/** `[2/3] subject` in a series, the subject alone otherwise. */
export function patchTitle(review: SeriesReview, patch: PatchReview): string {
  return isSeries(review) ? `[${patch.patch.number}/${review.patches.length}] ${patch.patch.subject}` : patch.patch.subject;
}

/** A finding's identity across the patches of a series: where and what, without line numbers. */
export function seriesKey(located: LocatedFinding): string {
  const d = located.finding.diagnostic;
  return [located.file.path, located.finding.function, d.code, d.message.replace(/\bline \d+/g, 'line _')].join('|');
}

/** For each introduced finding, the later patch of the series that fixes it. */
export function laterFixes(located: readonly LocatedFinding[]): Map<LocatedFinding, LocatedFinding> {
  const out = new Map<LocatedFinding, LocatedFinding>();
  for (const introduced of located) {
    if (introduced.finding.class !== 'introduced') continue;
    const key = seriesKey(introduced);
    const fix = located.find((other) => other.finding.class === 'fixed' && other.patch.patch.number > introduced.patch.patch.number && seriesKey(other) === key);
    if (fix) out.set(introduced, fix);
  }
  return out;
}
