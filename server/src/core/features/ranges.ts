// Offset ranges of the core to line/character ranges of the editor.

import type { LineIndex } from '../util/lineIndex';
import type { Range } from './types';

export function toRange(lines: LineIndex, start: number, end: number): Range {
  return { start: lines.positionAt(start), end: lines.positionAt(Math.max(start, end)) };
}

export function containsOffset(range: { start: number; end: number }, offset: number): boolean {
  return offset >= range.start && offset <= range.end;
}

export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export { formatCount } from '../report/verdictWording';
