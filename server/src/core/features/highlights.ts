// Document highlights: every occurrence of the name under the cursor in this file, marked as a write
// where a statement changes what the name designates (the declaration, `put mm.users` for `users`,
// `free mm` for `mm`, `lock g.m` for `m`) and as a read elsewhere.

import type { Node, Place } from '../syntax/ast';
import type { Analysis } from './analysis';
import { occurrences } from './navigation';
import { nodePath } from './nodes';
import { toRange } from './ranges';
import type { Range } from './types';

/** LSP DocumentHighlightKind: 2 read, 3 write. */
export interface HighlightItem {
  range: Range;
  kind: 2 | 3;
}

const CHANGING = new Set(['RefStatement', 'LockStatement', 'LifecycleStatement', 'DeviceStatement', 'AssignStatement', 'StepStatement', 'LetStatement']);

/** Whether the name at `start` is the last segment of a changing statement's target (or the name a `let` declares). */
function isWrite(analysis: Analysis, start: number): boolean {
  const path = nodePath(analysis.file, start);
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i] as Node;
    if (!CHANGING.has(node.kind)) continue;
    if (node.kind === 'LetStatement') return node.name.start === start;
    const target = (node as { target?: Place }).target;
    return target !== undefined && target.segments.at(-1)?.start === start;
  }
  return false;
}

export function documentHighlights(analysis: Analysis, offset: number): HighlightItem[] {
  const declaration = analysis.semantic.model.declarationAt(offset);
  if (!declaration) return [];
  return occurrences(analysis, declaration, true).map((span) => {
    const declared = span.start === declaration.nameStart || analysis.semantic.model.declarations.some((d) => d.nameStart === span.start && d.name === declaration.name);
    return { range: toRange(analysis.lines, span.start, span.end), kind: declared || isWrite(analysis, span.start) ? 3 : 2 };
  });
}
