// Folding ranges: item and statement blocks, C bodies, and multi-line comments.

import { TokenKind } from '../syntax/tokens';
import type { Analysis } from './analysis';
import { walk } from './nodes';
import type { FoldingRangeItem } from './types';

export function foldingRanges(analysis: Analysis): FoldingRangeItem[] {
  const { lines } = analysis;
  const ranges: FoldingRangeItem[] = [];
  const seen = new Set<string>();
  const add = (start: number, end: number, kind?: 'comment') => {
    const startLine = lines.positionAt(start).line;
    const endLine = lines.positionAt(end).line;
    // The closing line stays visible, as editors expect for brace blocks.
    const last = kind === 'comment' ? endLine : endLine - 1;
    if (last <= startLine) return;
    const key = `${startLine}:${last}`;
    if (seen.has(key)) return;
    seen.add(key);
    ranges.push(kind ? { startLine, endLine: last, kind } : { startLine, endLine: last });
  };
  walk(analysis.file, (node) => {
    const body = (node as { body?: { start: number; end: number; kind?: string } }).body;
    if (node.kind === 'Block' || node.kind === 'CBody') add(node.start, node.end);
    else if (body && body.kind === undefined) add(body.start, body.end);
    return undefined;
  });
  let commentRun: { start: number; end: number; line: number } | undefined;
  for (const token of analysis.file.tokens) {
    if (token.kind === TokenKind.BlockComment) add(token.start, token.end, 'comment');
    if (token.kind === TokenKind.LineComment) {
      const line = lines.positionAt(token.start).line;
      if (commentRun && line === commentRun.line + 1) {
        commentRun.end = token.end;
        commentRun.line = line;
      } else {
        if (commentRun) add(commentRun.start, commentRun.end, 'comment');
        commentRun = { start: token.start, end: token.end, line };
      }
    }
  }
  if (commentRun) add(commentRun.start, commentRun.end, 'comment');
  return ranges.sort((a, b) => a.startLine - b.startLine);
}
