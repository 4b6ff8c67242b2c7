// Code lenses on the model line (the baseline) and on each proposal: the verdict, a command that
// shows its trace and one that re-checks it.

import type { ProposalResult } from '../engine/types';
import { formatCount, isUnexpected, verdictText } from '../report/verdictWording';
import type { Analysis } from './analysis';
import { toRange } from './ranges';
import type { CodeLensItem, Range } from './types';

/** The verdict in the words of every other surface, marked ✓ (nothing to review), ✗ (unexpected) or ? (stopped early). */
export function verdictLensTitle(result: ProposalResult): string {
  const mark = result.verdict === 'incomplete' ? '?' : isUnexpected(result) ? '✗' : '✓';
  const states = result.verdict === 'safe' ? ` · ${formatCount(result.states)} states` : '';
  return `${mark} ${verdictText(result)}${states}`;
}

/** Where each lens goes: the model item for the baseline (or the file start), each proposal's name. */
function lensAnchors(analysis: Analysis): { name: string; range: Range }[] {
  const anchors: { name: string; range: Range }[] = [];
  const model = analysis.file.items.find((item) => item.kind === 'ModelDecl');
  anchors.push({ name: 'baseline', range: model ? toRange(analysis.lines, model.start, model.end) : toRange(analysis.lines, 0, 0) });
  for (const item of analysis.file.items) {
    if (item.kind === 'ProposalDecl' && !item.name.missing) anchors.push({ name: item.name.text, range: toRange(analysis.lines, item.start, item.name.end) });
  }
  return anchors;
}

export function codeLenses(analysis: Analysis, uri: string): CodeLensItem[] {
  const lenses: CodeLensItem[] = [];
  for (const anchor of lensAnchors(analysis)) {
    const result = analysis.engine?.proposals.find((p) => p.name === anchor.name);
    if (result) {
      lenses.push({ range: anchor.range, command: { title: verdictLensTitle(result), command: 'lifetime.showTrace', arguments: [uri, anchor.name] } });
      if (result.verdict === 'violation') {
        lenses.push({ range: anchor.range, command: { title: 'Show trace', command: 'lifetime.showTrace', arguments: [uri, anchor.name] } });
      }
    } else if (analysis.engine) {
      continue;
    }
    lenses.push({ range: anchor.range, command: { title: result ? 'Re-check' : 'Check', command: 'lifetime.recheck', arguments: [uri, anchor.name] } });
  }
  return lenses;
}
