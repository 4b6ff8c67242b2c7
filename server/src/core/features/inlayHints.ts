// Inlay hints after get / put / free / lock steps: the transitions the search observed there,
// e.g. `users 2→1 | 1→0`. A statement inside a proposal shows what that proposal's search saw; a
// baseline statement shows the baseline's, or every proposal's when the baseline never runs it.

import type { StepFacts } from '../engine/types';
import type { Analysis } from './analysis';
import type { InlayHintItem } from './types';
import { walk } from './nodes';

const HINTED = new Set(['RefStatement', 'LifecycleStatement', 'LockStatement']);

/** `users 1→0`, `users 2→1` → `users 2→1 | 1→0`: one name, its transitions from the highest. */
export function joinTransitions(transitions: string[]): string {
  const byName = new Map<string, { text: string; from: number }[]>();
  for (const transition of transitions) {
    const match = /^(.*\S)\s+(\S+→\S+)$/.exec(transition);
    const name = match ? match[1] : '';
    const step = match ? match[2] : transition;
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    if (!list.some((t) => t.text === step)) list.push({ text: step, from: Number.parseFloat(step) });
  }
  const parts: string[] = [];
  for (const [name, steps] of byName) {
    steps.sort((a, b) => (Number.isNaN(a.from) || Number.isNaN(b.from) ? 0 : b.from - a.from));
    parts.push(`${name ? name + ' ' : ''}${steps.map((s) => s.text).join(' | ')}`);
  }
  return parts.join('; ');
}

export function inlayHintsIn(analysis: Analysis, start: number, end: number): InlayHintItem[] {
  const engine = analysis.engine;
  if (!engine) return [];
  const factsByProposal = new Map<string, Map<string, StepFacts>>();
  for (const result of engine.proposals) {
    const byRange = new Map<string, StepFacts>();
    for (const facts of result.facts ?? []) if (facts.transitions.length > 0) byRange.set(`${facts.start}:${facts.end}`, facts);
    factsByProposal.set(result.name, byRange);
  }
  const hints: InlayHintItem[] = [];
  let owner = 'baseline';
  walk(analysis.file, (node) => {
    if (node.end < start || node.start > end) return false;
    if (node.kind === 'ProposalDecl') {
      owner = node.name.text;
      walk(node, (inner) => {
        if (inner === node) return undefined;
        return visit(inner);
      });
      owner = 'baseline';
      return false;
    }
    return visit(node);
  });
  function visit(node: { kind: string; start: number; end: number }): boolean | undefined {
    if (node.end < start || node.start > end) return false;
    if (!HINTED.has(node.kind)) return undefined;
    const key = `${node.start}:${node.end}`;
    let sources = [...factsByProposal.entries()].filter(([name, byRange]) => name === owner && byRange.has(key));
    if (sources.length === 0 && owner === 'baseline') sources = [...factsByProposal.entries()].filter(([, byRange]) => byRange.has(key));
    if (sources.length === 0) return undefined;
    const transitions = sources.flatMap(([, byRange]) => byRange.get(key)!.transitions);
    hints.push({
      position: analysis.lines.positionAt(node.end),
      label: joinTransitions(transitions),
      paddingLeft: true,
      tooltip: `Observed in ${sources.map(([name]) => name).join(', ')}`,
    });
    return undefined;
  }
  return hints;
}
