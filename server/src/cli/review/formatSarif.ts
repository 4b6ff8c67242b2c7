// `lifetime review --format sarif`: one SARIF 2.1.0 result per finding, with SARIF's baseline
// states: `new` for what the patch introduces, `unchanged` for what it leaves, `absent` for what it
// fixes (that result's place is in the file before the patch). Paths are relative to the tree.

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { FindingClass, SeriesReview } from '../../core/review/index';
import { artifactLocation, level, rules, SARIF_SCHEMA, sarifDriver } from '../sarif';
import { isSeries, locateFindings, type LocatedFinding } from './located';

const BASELINE_STATE: Record<FindingClass, 'new' | 'unchanged' | 'absent'> = { introduced: 'new', remaining: 'unchanged', fixed: 'absent' };

function region(located: LocatedFinding, start: number, end: number) {
  const from = located.lines.positionAt(start);
  const to = located.lines.positionAt(Math.max(start, end));
  return { startLine: from.line + 1, startColumn: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

export function toReviewSarif(review: SeriesReview, treeRoot: string) {
  const ruleList = rules();
  const ruleIndex = new Map(ruleList.map((rule, index) => [rule.id, index]));
  const series = isSeries(review);
  const results = locateFindings(review).map((located) => {
    const d = located.finding.diagnostic;
    const location = (start: number, end: number) => ({ artifactLocation: artifactLocation(located.file.path), region: region(located, start, end) });
    const result: Record<string, unknown> = {
      ruleId: d.code,
      ruleIndex: ruleIndex.get(d.code) ?? -1,
      level: level(d.severity),
      message: { text: d.message },
      baselineState: BASELINE_STATE[located.finding.class],
      locations: [{ physicalLocation: location(d.start, d.end) }],
      properties: {
        kind: d.kind,
        function: located.finding.function,
        version: located.finding.version,
        ...(series ? { patch: located.patch.patch.subject, patchNumber: located.patch.patch.number } : {}),
      },
    };
    if (d.related && d.related.length > 0) {
      result.relatedLocations = d.related.map((related, index) => ({ id: index + 1, physicalLocation: location(related.start, related.end), message: { text: related.message } }));
    }
    return result;
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver(ruleList) },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(`${path.resolve(treeRoot)}/`).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatReviewSarif(review: SeriesReview, treeRoot: string): string {
  return `${JSON.stringify(toReviewSarif(review, treeRoot), null, 2)}\n`;
}
