// The quick fix "apply proposal P to the baseline": P's items replace the baseline's, its new items
// are added and its removed ones dropped; P's own block and its `expect P:` line go, since P is now
// the baseline; `expect baseline:` takes P's expected outcome. The judge then re-checks every
// proposal left, which now differ from the new baseline.

import { expectedOutcomes } from '../semantic/expectations';
import type { ExpectDecl, Item, ProposalDecl } from '../syntax/ast';
import { violationCode } from '../diagnostics/codes';
import type { Analysis } from './analysis';
import { indentationAt } from './nodes';
import type { FixCandidate, OffsetEdit } from './quickFixes';

export function lineBreak(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset after the line break that ends the line holding `offset`, or the end of the text. */
function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

function isBlankLine(text: string, lineStart: number): boolean {
  return text.slice(lineStart, nextLineStart(text, lineStart)).trim() === '';
}

/**
 * The range that removing an item takes out: its whole lines when it stands alone on them (with the
 * comment lines directly above it when `withComments`, and one blank line so that no double blank
 * line is left), or else the item and the separators after it.
 */
function removalRange(text: string, start: number, end: number, withComments: boolean): { start: number; end: number } {
  const lineStart = lineStartOf(text, start);
  const lineEnd = nextLineStart(text, end);
  const rest = text.slice(end, lineEnd);
  if (text.slice(lineStart, start).trim() !== '' || !/^[ \t;]*(\/\/.*)?\r?\n?$/.test(rest)) {
    let stop = end;
    while (text[stop] === ' ' || text[stop] === ';') stop++;
    return { start, end: stop };
  }
  let first = lineStart;
  while (withComments && first > 0) {
    const previous = lineStartOf(text, first - 1);
    if (!text.slice(previous, first).trim().startsWith('//')) break;
    first = previous;
  }
  let last = lineEnd;
  const blankBefore = first === 0 || isBlankLine(text, lineStartOf(text, first - 1));
  if (blankBefore && last < text.length && isBlankLine(text, last)) last = nextLineStart(text, last);
  return { start: first, end: last };
}

export function itemName(item: Item): string | undefined {
  switch (item.kind) {
    case 'ObjectDecl':
    case 'FnDecl':
    case 'ThreadDecl':
    case 'DeviceDecl':
      return item.name.text;
    default:
      return undefined;
  }
}

/** Objects and statics share one name space; the other item kinds have their own. */
function itemClass(kind: string): string {
  return kind === 'ObjectDecl' ? 'object' : kind;
}

const DECL_KIND: Record<'thread' | 'fn' | 'device' | 'object', string> = {
  thread: 'ThreadDecl',
  fn: 'FnDecl',
  device: 'DeviceDecl',
  object: 'ObjectDecl',
};

/** Re-indents a proposal item's text to the top level: its first line's indentation is removed. */
function dedent(analysis: Analysis, start: number, end: number): string {
  const indent = indentationAt(analysis.text, start);
  const lines = analysis.text.slice(start, end).split(/\r?\n/);
  return lines.map((line, i) => (i > 0 && line.startsWith(indent) ? line.slice(indent.length) : line)).join(lineBreak(analysis.text));
}

function expectations(analysis: Analysis): ExpectDecl[] {
  return analysis.file.items.filter((item): item is ExpectDecl => item.kind === 'ExpectDecl');
}

/** The candidate that makes `proposal` the baseline, or undefined when its items do not map onto the baseline's. */
export function applyProposalCandidate(analysis: Analysis, proposal: ProposalDecl, baselineKind: string): FixCandidate | undefined {
  const text = analysis.text;
  const eol = lineBreak(text);
  const items = analysis.file.items;
  const edits: OffsetEdit[] = [];
  let added = '';
  for (const item of proposal.items) {
    if (item.kind === 'Error') return undefined;
    if (item.kind === 'RemoveDecl') {
      const victim = items.find((b) => itemName(b) === item.name.text && itemClass(b.kind) === itemClass(DECL_KIND[item.targetKind]));
      if (!victim) return undefined;
      edits.push({ ...removalRange(text, victim.start, victim.end, false), newText: '' });
      continue;
    }
    let itemText = dedent(analysis, item.start, item.end);
    const isNew = 'isNew' in item && item.isNew;
    if (isNew) itemText = itemText.replace(/^new\s+/, '');
    if (isNew || item.kind === 'OrderDecl') {
      added += itemText + eol;
      continue;
    }
    const name = itemName(item);
    const victim = items.find((b) => itemName(b) === name && itemClass(b.kind) === itemClass(item.kind));
    if (!victim) return undefined;
    edits.push({ start: victim.start, end: victim.end, newText: itemText });
  }

  // New items go where the first proposal starts (with its comments); if that is P, in P's place.
  const firstProposal = items.find((item) => item.kind === 'ProposalDecl');
  const ownRemoval = { ...removalRange(text, proposal.start, proposal.end, true), newText: '' };
  if (added && firstProposal === proposal) {
    ownRemoval.newText = added + (items.some((item) => item.kind === 'ProposalDecl' && item !== proposal) ? eol : '');
  } else if (added) {
    const at = firstProposal ? removalRange(text, firstProposal.start, firstProposal.end, true).start : text.length;
    const prefix = !firstProposal && text.length > 0 && !text.endsWith('\n') ? eol : '';
    edits.push({ start: at, end: at, newText: prefix + added + (firstProposal ? eol : '') });
  }
  edits.push(ownRemoval);

  const ownExpectation = expectations(analysis).find((e) => e.proposal.text === proposal.name.text);
  const outcome = ownExpectation && !ownExpectation.outcome.missing ? expectedOutcomes(ownExpectation).join(', ') : 'safe';
  for (const expectation of expectations(analysis)) {
    if (expectation.proposal.text === proposal.name.text) {
      edits.push({ ...removalRange(text, expectation.start, expectation.end, false), newText: '' });
    } else if (expectation.proposal.text === 'baseline' && expectedOutcomes(expectation).join(', ') !== outcome) {
      // The whole list of outcomes is replaced: `expect baseline: a, b` becomes the proposal's own.
      const outcomes = expectation.outcomes ?? [expectation.outcome];
      edits.push({ start: outcomes[0].start, end: outcomes[outcomes.length - 1].end, newText: outcome });
    }
  }
  return {
    key: `apply:${proposal.name.text}`,
    title: `Apply proposal ${proposal.name.text} to the baseline`,
    target: 'baseline',
    violationKind: baselineKind,
    code: violationCode(baselineKind)?.code ?? '',
    edits,
  };
}
