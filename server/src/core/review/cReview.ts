// One C file of a patch: the whole file is analysed before and after the patch (so that the
// analysis sees the same file-level context as `lifetime check`), and the findings of the
// functions the patch touches are classified. A function is touched when a removed line lies in it
// before the patch or an added line lies in it after.

import { findingsToDiagnostics, type CFinding } from '../c/index';
import { classify, type Keyed } from './classify';
import { cFunctionSpans, functionsTouching, type FunctionSpan } from './cFunctions';
import { changedRanges, hunkLineRefs } from './hunkLines';
import { findingIdentity } from './identity';
import type { AppliedFile } from './tree';
import type { FileReview, ReviewFinding } from './types';

/** The C front end as the review uses it: every finding of a file's text. */
export type CAnalyzer = (text: string) => CFinding[];

function inSpans(offset: number, spans: readonly FunctionSpan[]): boolean {
  return spans.some((span) => offset >= span.start && offset < span.end);
}

function keyed(findings: CFinding[], text: string): Keyed<CFinding>[] {
  return findings.map((finding) => {
    const id = findingIdentity(finding, text);
    return { item: finding, exact: JSON.stringify([id.function, id.kind, id.resource, id.acquiredBy]), loose: JSON.stringify([id.function, id.kind, id.acquiredBy]) };
  });
}

function toReviewFinding(finding: CFinding, cls: ReviewFinding['class']): ReviewFinding {
  return { class: cls, diagnostic: findingsToDiagnostics([finding])[0], function: finding.function, version: cls === 'fixed' ? 'before' : 'after' };
}

export function reviewCFile(path: string, applied: AppliedFile, analyze: CAnalyzer): FileReview {
  const before = applied.before ?? '';
  const after = applied.after ?? '';
  const ranges = changedRanges(applied, hunkLineRefs(applied));
  const touchedBefore = functionsTouching(cFunctionSpans(before), ranges.removed);
  const touchedAfter = functionsTouching(cFunctionSpans(after), ranges.added);
  const names = new Set([...touchedBefore, ...touchedAfter].map((span) => span.name));
  const relevant = (findings: CFinding[], spans: FunctionSpan[]) => findings.filter((f) => names.has(f.function) || inSpans(f.start, spans));
  const findingsBefore = touchedBefore.length + touchedAfter.length > 0 && before ? relevant(analyze(before), touchedBefore) : [];
  const findingsAfter = touchedBefore.length + touchedAfter.length > 0 && after ? relevant(analyze(after), touchedAfter) : [];
  const classified = classify(keyed(findingsBefore, before), keyed(findingsAfter, after));
  const findings: ReviewFinding[] = [
    ...classified.introduced.map((f) => toReviewFinding(f, 'introduced')),
    ...classified.fixed.map((f) => toReviewFinding(f, 'fixed')),
    ...classified.remaining.map((pair) => toReviewFinding(pair.after, 'remaining')),
  ];
  return { path, applied, language: 'c', touched: [...names].sort(), findings, notes: [] };
}
