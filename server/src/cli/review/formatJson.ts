// `lifetime review --format json`: exactly `{ "introduced": [F], "fixed": [F], "remaining": [F] }`.
// Each F has the fields of `lifetime check`'s diagnostics, plus `path` and `function`, and, when
// the input is a series, `patch` (the subject). Lines and columns are 1-based; a fixed finding's
// place is in the file before the patch, the others' after it.

import type { FindingClass, SeriesReview } from '../../core/review/index';
import type { JsonDiagnostic } from '../formatJson';
import { isSeries, locateFindings, type LocatedFinding } from './located';

export interface JsonReviewFinding extends JsonDiagnostic {
  path: string;
  function: string;
  patch?: string;
}

export type JsonReview = Record<FindingClass, JsonReviewFinding[]>;

function jsonFinding(located: LocatedFinding, series: boolean): JsonReviewFinding {
  const d = located.finding.diagnostic;
  const out: JsonReviewFinding = {
    code: d.code,
    kind: d.kind,
    severity: d.severity,
    message: d.message,
    line: located.line,
    column: located.column,
    endLine: located.endLine,
    endColumn: located.endColumn,
    path: located.file.path,
    function: located.finding.function,
  };
  if (series) out.patch = located.patch.patch.subject;
  return out;
}

export function toJsonReview(review: SeriesReview): JsonReview {
  const series = isSeries(review);
  const out: JsonReview = { introduced: [], fixed: [], remaining: [] };
  for (const located of locateFindings(review)) out[located.finding.class].push(jsonFinding(located, series));
  return out;
}

export function formatReviewJson(review: SeriesReview): string {
  return `${JSON.stringify(toJsonReview(review), null, 2)}\n`;
}
