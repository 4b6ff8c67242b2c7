// `lifetime review` as text: for each patch, its subject, then what it introduces, fixes and
// leaves, each finding as `lifetime check` prints it (place, code, message, the source line and a
// caret), then the notes; the last line sums the series up.

import type { FindingClass, SeriesReview } from '../../core/review/index';
import { formatDiagnosticText } from '../formatText';
import { newReport } from '../report';
import { laterFixes, locateFindings, patchTitle, type LocatedFinding } from './located';

const HEADINGS: Record<FindingClass, string> = {
  introduced: 'introduced',
  fixed: 'fixed (places are in the file before the patch)',
  remaining: 'remaining (there before the patch, still there after it)',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function findingBlock(located: LocatedFinding, fixedLater: LocatedFinding | undefined, total: number): string {
  const report = newReport(located.file.path, located.text);
  const fn = located.finding.function;
  const where = fn ? `  in ${located.file.language === 'c' ? `${fn}()` : fn === 'baseline' ? 'the baseline' : `proposal ${fn}`}` : '';
  const later = fixedLater ? `\n  fixed later in the series, by [${fixedLater.patch.patch.number}/${total}] ${fixedLater.patch.patch.subject}` : '';
  return `${formatDiagnosticText(report, located.finding.diagnostic)}\n${where}${later}`.replace(/\n$/, '');
}

export function formatReviewText(review: SeriesReview): string {
  const located = locateFindings(review);
  const fixes = laterFixes(located);
  const total = review.patches.length;
  const blocks: string[] = [];
  if (review.series.coverLetter) blocks.push(`series: ${review.series.coverLetter.subject}`);
  if (review.alreadyApplied) blocks.push('the tree already holds this series; it was reviewed against the tree without it');
  const sums: Record<FindingClass, number> = { introduced: 0, fixed: 0, remaining: 0 };
  for (const patch of review.patches) {
    const lines = [patchTitle(review, patch)];
    const mine = located.filter((l) => l.patch === patch);
    for (const cls of ['introduced', 'fixed', 'remaining'] as FindingClass[]) {
      const group = mine.filter((l) => l.finding.class === cls);
      sums[cls] += group.length;
      if (group.length === 0) continue;
      lines.push(`${HEADINGS[cls]}:`);
      for (const finding of group) lines.push(findingBlock(finding, fixes.get(finding), total));
    }
    const notes = [...patch.notes, ...patch.files.flatMap((file) => file.notes.map((note) => `${file.path}: ${note}`))];
    if (notes.length > 0) lines.push(`notes:\n${notes.map((note) => `  ${note}`).join('\n')}`);
    const count = (cls: FindingClass) => mine.filter((l) => l.finding.class === cls).length;
    const reviewed = patch.files.length === 0 ? ' (no C file or model in it)' : '';
    lines.push(`${count('introduced')} introduced, ${count('fixed')} fixed, ${count('remaining')} remaining${reviewed}`);
    blocks.push(lines.join('\n'));
  }
  blocks.push(`${plural(total, 'patch').replace('patchs', 'patches')} reviewed: ${sums.introduced} introduced, ${sums.fixed} fixed, ${sums.remaining} remaining`);
  return `${blocks.join('\n\n')}\n`;
}
