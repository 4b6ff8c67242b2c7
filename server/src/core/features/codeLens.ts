// Code lenses on the model line (the baseline) and on each proposal: the verdict, a command that
// shows its trace and one that re-checks it.

import type { ProposalResult } from '../engine/types';
import type { Analysis } from './analysis';
import { formatCount, toRange } from './ranges';
import type { CodeLensItem, Range } from './types';

export function verdictLensTitle(result: ProposalResult): string {
  switch (result.verdict) {
    case 'safe':
      return `✓ safe · ${formatCount(result.states)} states`;
    case 'violation': {
      const steps = result.trace?.length ?? 0;
      return `✗ ${result.kind ?? 'violation'} in ${steps} step${steps === 1 ? '' : 's'}`;
    }
    case 'incomplete':
      return `? incomplete · ${formatCount(result.states)} states (${result.incompleteReason ?? 'budget'})`;
  }
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
