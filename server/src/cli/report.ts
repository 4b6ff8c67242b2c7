// What the CLI found in one file, before it is printed as text, JSON or SARIF.

import type { Diagnostic } from '../core/diagnostics/codes';
import type { ProposalResult } from '../core/engine/types';
import { LineIndex } from '../core/util/lineIndex';

export interface FileReport {
  path: string;
  text: string;
  lines: LineIndex;
  /** Every diagnostic, sorted by position: syntax, semantic, C findings, violations and verdicts. */
  diagnostics: Diagnostic[];
  /** The engine's verdicts, one per proposal (`baseline` first); empty when the engine did not run. */
  proposals: ProposalResult[];
  /** Why the engine did not run on this file, when it did not. */
  engineSkipped?: string;
  /** Set when the file, found in a walked directory, could not be read and was skipped (LT5030). */
  skipped?: boolean;
  /** C findings of low confidence left out (shown with --all-findings). */
  withheldFindings?: number;
  /** The proposal whose violation each violation diagnostic reports (for SARIF code flows). */
  violations: Map<Diagnostic, ProposalResult>;
}

export function newReport(path: string, text: string): FileReport {
  return { path, text, lines: new LineIndex(text), diagnostics: [], proposals: [], violations: new Map() };
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.start - b.start || a.end - b.end || a.code.localeCompare(b.code));
}

/** 1-based line and column of an offset. */
export function lineColumn(report: FileReport, offset: number): { line: number; column: number } {
  const position = report.lines.positionAt(offset);
  return { line: position.line + 1, column: position.character + 1 };
}

/** Whether a file fails the check: an error diagnostic (which includes every unmet expectation). */
export function fails(report: FileReport): boolean {
  return report.diagnostics.some((d) => d.severity === 'error');
}

/** One stderr line per proposal the engine failed on: `lifetime: <path>: <proposal>: internal error: ...`. */
export function internalErrorLines(reports: readonly FileReport[]): string[] {
  return reports.flatMap((report) =>
    report.proposals.filter((result) => result.incompleteReason === 'internal-error').map((result) => `lifetime: ${report.path}: ${result.name}: ${result.skipped ?? 'internal error'}\n`),
  );
}

/** `lifetime check`'s exit code: 2 when the engine failed on a proposal (never a silent pass), 1 on an error diagnostic, else 0. */
export function exitCodeOf(reports: readonly FileReport[]): number {
  if (internalErrorLines(reports).length > 0) return 2;
  return reports.some(fails) ? 1 : 0;
}
