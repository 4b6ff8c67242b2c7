// Kernel C files (with `lifetime.c.enable`): the C front end's findings as editor diagnostics, and
// its suggested releases as quick fixes.

import { findingsToDiagnostics, type ApiTable, type CFinding, type ControlMacros, type CParser, type Summaries } from '../c/index';
import { analyzeCFileAlone } from '../c/run';
import { LineIndex } from '../util/lineIndex';
import { toEditorDiagnostic } from './diagnostics';
import { overlaps, toRange } from './ranges';
import type { CodeActionItem, EditorDiagnostic } from './types';

export interface CFileAnalysis {
  text: string;
  lines: LineIndex;
  findings: CFinding[];
  diagnostics: EditorDiagnostic[];
}

/** `allFindings`: also the findings of low confidence, as infos that say why. */
export function analyzeCDocument(text: string, table: ApiTable, parser: CParser, options: { allFindings?: boolean; fileName?: string; controlMacros?: ControlMacros; headerSummaries?: () => Summaries } = {}): CFileAnalysis {
  const lines = new LineIndex(text);
  const file = { fileName: options.fileName ?? 'document.c', read: () => text, controlMacros: options.controlMacros, headerSummaries: options.headerSummaries };
  const result = analyzeCFileAlone(file, table, { parser, lowConfidence: options.allFindings });
  const diagnostics = [...findingsToDiagnostics(result.findings), ...result.notes].map((d) => toEditorDiagnostic({ lines }, d));
  return { text, lines, findings: result.findings, diagnostics };
}

/** The front end's own fixes (e.g. the missing put on an error path) for findings in [start, end]. */
export function cQuickFixes(analysis: CFileAnalysis, start: number, end: number): CodeActionItem[] {
  const actions: CodeActionItem[] = [];
  for (const finding of analysis.findings) {
    if (!finding.fix || !overlaps(finding, { start, end })) continue;
    actions.push({
      title: finding.fix.title,
      kind: 'quickfix',
      isPreferred: true,
      diagnosticCodes: [finding.code],
      edits: [{ range: toRange(analysis.lines, finding.fix.start, finding.fix.end), newText: finding.fix.newText }],
    });
  }
  return actions;
}
