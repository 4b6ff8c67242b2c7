// Carries the engine's diagnostics across edits until the next check answers: each range is moved
// by the edit between the checked text and the current one (found as the longest common prefix and
// suffix), and diagnostics that the edit touches are dropped. Squiggles thus stay put while the
// user types instead of vanishing until the engine has re-checked.

import { LineIndex } from '../util/lineIndex';
import type { EditorDiagnostic, Range } from './types';

export interface TextChange {
  /** The changed region: [start, oldEnd) in the old text became [start, newEnd) in the new one. */
  start: number;
  oldEnd: number;
  newEnd: number;
}

export function diffTexts(oldText: string, newText: string): TextChange {
  const limit = Math.min(oldText.length, newText.length);
  let prefix = 0;
  while (prefix < limit && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)) suffix++;
  return { start: prefix, oldEnd: oldText.length - suffix, newEnd: newText.length - suffix };
}

/** The new offset of an old one, or undefined when the edit replaced it. */
function mapOffset(change: TextChange, offset: number): number | undefined {
  if (offset <= change.start) return offset;
  if (offset >= change.oldEnd) return offset + change.newEnd - change.oldEnd;
  return undefined;
}

/** Whether the edit changes text inside [start, end): what the diagnostic pointed at is gone. */
function touches(change: TextChange, start: number, end: number): boolean {
  if (change.oldEnd === change.start) return start < change.start && change.start < end;
  return change.start < end && change.oldEnd > start;
}

function mapRange(change: TextChange, oldLines: LineIndex, newLines: LineIndex, range: Range): Range | undefined {
  const oldStart = oldLines.offsetAt(range.start);
  const oldEnd = oldLines.offsetAt(range.end);
  if (touches(change, oldStart, oldEnd)) return undefined;
  const start = mapOffset(change, oldStart);
  const end = mapOffset(change, oldEnd);
  if (start === undefined || end === undefined) return undefined;
  return { start: newLines.positionAt(start), end: newLines.positionAt(Math.max(start, end)) };
}

export function mapDiagnostics(oldText: string, newText: string, diagnostics: EditorDiagnostic[]): EditorDiagnostic[] {
  if (oldText === newText) return diagnostics;
  const change = diffTexts(oldText, newText);
  const oldLines = new LineIndex(oldText);
  const newLines = new LineIndex(newText);
  const mapped: EditorDiagnostic[] = [];
  for (const diagnostic of diagnostics) {
    const range = mapRange(change, oldLines, newLines, diagnostic.range);
    if (!range) continue;
    const moved: EditorDiagnostic = { ...diagnostic, range };
    if (diagnostic.relatedInformation) {
      moved.relatedInformation = diagnostic.relatedInformation.flatMap((info) => {
        if (info.path) return [info];
        const infoRange = mapRange(change, oldLines, newLines, info.range);
        return infoRange ? [{ ...info, range: infoRange }] : [];
      });
    }
    mapped.push(moved);
  }
  return mapped;
}
