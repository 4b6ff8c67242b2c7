// Inlay hints after lock, unlock, free, alloc, get, put, stop and quiesce: what the search saw the
// statement do, from the values it recorded there (core/engine/facts.ts):
//
//   put mm.users      users 2→1 | 1→0
//   lock group.mutex  taken by cpu0 | cpu1
//   unlock group.m    released by cpu0 | cpu1
//   free domain       live→freed
//   alloc page        freed→live, generation 0→1
//   stop accel        running→stopped | already stopped
//   quiesce accel     running→stopped
//
// A statement inside a proposal shows what that proposal's search saw; a baseline statement shows
// the baseline's, or every proposal's when the baseline never runs it.

import type { StepFacts, ValueSummary } from '../engine/types';
import type { Node } from '../syntax/ast';
import type { Analysis } from './analysis';
import type { InlayHintItem } from './types';
import { walk } from './nodes';

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

const LIFE_VALUES = new Set(['live', 'freed', 'unallocated']);

function listed(summary: ValueSummary | undefined): string[] {
  return summary ? summary.values : [];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The summaries of one kind of variable among a step's facts, before and after, matched by name. */
function pairs(facts: StepFacts, match: (summary: ValueSummary) => boolean): { before: string[]; after: string[] } {
  const before = facts.before.filter(match).flatMap(listed);
  const after = facts.after.filter(match).flatMap(listed);
  return { before: unique(before), after: unique(after) };
}

/** The label of one statement from what the search saw there, or undefined when it saw nothing to say. */
export function statementHint(statement: { kind: string; op?: string; target?: { segments: { text: string }[] } }, facts: StepFacts): string | undefined {
  const member = statement.target?.segments.at(-1)?.text ?? '';
  switch (statement.kind) {
    case 'RefStatement':
      return facts.transitions.length > 0 ? joinTransitions(facts.transitions) : undefined;
    case 'LockStatement': {
      const { before, after } = pairs(facts, (s) => s.name.endsWith(`.${member}`) && s.values.every((v) => v === 'free' || v.startsWith('held by ')));
      const holders = (statement.op === 'lock' ? after : before).filter((v) => v.startsWith('held by ')).map((v) => v.slice('held by '.length));
      return holders.length > 0 ? `${statement.op === 'lock' ? 'taken' : 'released'} by ${holders.join(' | ')}` : undefined;
    }
    case 'LifecycleStatement': {
      const life = pairs(facts, (s) => s.values.length > 0 && s.values.every((v) => LIFE_VALUES.has(v)));
      if (life.before.length === 0) return undefined;
      const parts = [`${life.before.join(' | ')}→${life.after.join(' | ')}`];
      const generation = facts.before.find((s) => s.name.endsWith('#gen'));
      const generationAfter = facts.after.find((s) => s.name.endsWith('#gen'));
      if (statement.op === 'alloc' && generation && generationAfter && listed(generation).join() !== listed(generationAfter).join()) {
        parts.push(`generation ${listed(generation).join(' | ')}→${listed(generationAfter).join(' | ')}`);
      }
      return parts.join(', ');
    }
    case 'DeviceStatement': {
      // A change first, then the case where the statement finds the device as it wants it.
      const running = pairs(facts, (s) => s.name.endsWith('.running'));
      const starts = statement.op === 'start';
      const words = [...running.before].sort((a, b) => (a === (starts ? 'false' : 'true') ? -1 : b === (starts ? 'false' : 'true') ? 1 : 0));
      const labels = words.map((v) => (v === 'true' ? (starts ? 'already running' : 'running→stopped') : starts ? 'stopped→running' : 'already stopped'));
      return labels.length > 0 ? labels.join(' | ') : undefined;
    }
    default:
      return undefined;
  }
}

const HINTED = new Set(['RefStatement', 'LifecycleStatement', 'LockStatement', 'DeviceStatement']);

export function inlayHintsIn(analysis: Analysis, start: number, end: number): InlayHintItem[] {
  const engine = analysis.engine;
  if (!engine) return [];
  const factsByProposal = new Map<string, Map<string, StepFacts>>();
  for (const result of engine.proposals) {
    const byRange = new Map<string, StepFacts>();
    for (const facts of result.facts ?? []) byRange.set(`${facts.start}:${facts.end}`, facts);
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
  function visit(node: Node): boolean | undefined {
    if (node.end < start || node.start > end) return false;
    if (!HINTED.has(node.kind)) return undefined;
    const key = `${node.start}:${node.end}`;
    let sources = [...factsByProposal.entries()].filter(([name, byRange]) => name === owner && byRange.has(key));
    if (sources.length === 0 && owner === 'baseline') sources = [...factsByProposal.entries()].filter(([, byRange]) => byRange.has(key));
    if (sources.length === 0) return undefined;
    const labels = unique(sources.map(([, byRange]) => statementHint(node as Parameters<typeof statementHint>[0], byRange.get(key)!)).filter((l): l is string => l !== undefined));
    if (labels.length === 0) return undefined;
    const label = node.kind === 'RefStatement' ? joinTransitions(sources.flatMap(([, byRange]) => byRange.get(key)!.transitions)) : labels.join('; ');
    hints.push({
      position: analysis.lines.positionAt(node.end),
      label,
      paddingLeft: true,
      tooltip: `Observed in ${sources.map(([name]) => name).join(', ')}`,
    });
    return undefined;
  }
  return hints;
}
