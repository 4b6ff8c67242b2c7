// Compiler-style text output: `path:line:col: severity CODE: message`, the source line and a caret
// under the range; then, per model, a verdict table and the trace diagram of each violation.

import { indent, violationTraceBlocks } from '../core/report/traceText';
import { fileVerdict, formatCount, verdictText } from '../core/report/verdictWording';
import type { ProposalResult } from '../core/engine/types';
import type { Diagnostic } from '../core/diagnostics/codes';
import { lineColumn, type FileReport } from './report';

/** Source lines longer than this are shown as a window around the diagnostic. */
const EXCERPT_WIDTH = 120;
/** Text output lists at most this many diagnostics per file; JSON and SARIF list them all. */
export const MAX_TEXT_DIAGNOSTICS = 200;

/**
 * The part of a source line shown under a diagnostic, from `from` (0-based) on: the whole line when
 * it is short, else a window around the column marked with `…` at the cut ends. Control characters
 * other than tabs are shown as `?` so that nothing reaches the terminal that would act on it.
 */
function excerpt(source: string, column: number, width: number): { text: string; from: number; lead: string } {
  let from = 0;
  let to = source.length;
  if (source.length > EXCERPT_WIDTH) {
    const room = Math.max(0, EXCERPT_WIDTH - Math.min(width, EXCERPT_WIDTH / 2));
    from = Math.max(0, Math.min(column - 1 - Math.floor(room / 2), source.length - EXCERPT_WIDTH));
    to = Math.min(source.length, from + EXCERPT_WIDTH);
  }
  // eslint-disable-next-line no-control-regex
  const shown = source.slice(from, to).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  const lead = from > 0 ? '…' : '';
  return { text: `${lead}${shown}${to < source.length ? '…' : ''}`, from, lead };
}

export function formatDiagnosticText(report: FileReport, diagnostic: Diagnostic): string {
  const { line, column } = lineColumn(report, diagnostic.start);
  const head = `${report.path}:${line}:${column}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}`;
  const source = report.lines.lineText(line - 1);
  const path = diagnostic.cFinding && diagnostic.cFinding.path.length > 0 ? diagnostic.cFinding.path.map((step) => step.message).join('; ') : undefined;
  if (source.trim().length === 0) return path ? `${head}\n  path: ${path}` : head;
  const lineEnd = report.lines.lineEndOffset(line - 1);
  const fullWidth = Math.max(1, Math.min(diagnostic.end, lineEnd) - diagnostic.start);
  const shown = excerpt(source, column, fullWidth);
  const width = Math.min(fullWidth, EXCERPT_WIDTH - (column - 1 - shown.from));
  // Keep tabs in the padding so that the caret lines up under the same column as the source.
  const padding = shown.lead.replace(/./g, ' ') + source.slice(shown.from, column - 1).replace(/[^\t]/g, ' ');
  const gutter = String(line).padStart(5);
  const blank = ' '.repeat(gutter.length);
  const pathLines = path ? `\n${blank} = path: ${path}` : '';
  return `${head}\n${gutter} | ${shown.text}\n${blank} | ${padding}^${'~'.repeat(Math.max(0, width - 1))}${pathLines}`;
}

export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The proposal × verdict × states × time table of one model. */
export function verdictTable(proposals: readonly ProposalResult[]): string[] {
  const rows = [['proposal', 'verdict', 'states', 'time']];
  for (const result of proposals) rows.push([result.name, verdictText(result), formatCount(result.states), formatMs(result.ms)]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column >= 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('   ')
      .trimEnd(),
  );
}

export function formatReportText(report: FileReport): string {
  const parts: string[] = report.diagnostics.slice(0, MAX_TEXT_DIAGNOSTICS).map((diagnostic) => formatDiagnosticText(report, diagnostic));
  const hidden = report.diagnostics.length - MAX_TEXT_DIAGNOSTICS;
  if (hidden > 0) parts.push(`${report.path}: ${hidden} more diagnostic${hidden === 1 ? '' : 's'} not shown; --format json lists them all`);
  if (report.engineSkipped && report.diagnostics.some((d) => d.severity === 'error')) {
    parts.push(`${report.path}: no verdicts: ${report.engineSkipped}`);
  }
  if (report.proposals.length > 0) {
    parts.push(`${report.path}: ${fileVerdict(report.proposals).text}\n${indent(verdictTable(report.proposals).join('\n'), '  ')}`);
    for (const result of report.proposals) parts.push(...violationTraceBlocks(result, report.text, report.lines, report.path));
  }
  return parts.join('\n');
}

export function summaryLine(reports: readonly FileReport[]): string {
  let errors = 0;
  let warnings = 0;
  let proposals = 0;
  let safe = 0;
  let violations = 0;
  let incomplete = 0;
  let unmet = 0;
  let withheld = 0;
  for (const report of reports) {
    withheld += report.withheldFindings ?? 0;
    for (const diagnostic of report.diagnostics) {
      if (diagnostic.severity === 'error') errors++;
      else if (diagnostic.severity === 'warning') warnings++;
      if (diagnostic.code === 'LT3501' || diagnostic.code === 'LT3502') unmet++;
    }
    for (const result of report.proposals) {
      proposals++;
      if (result.verdict === 'safe') safe++;
      else if (result.verdict === 'violation') violations++;
      else incomplete++;
    }
  }
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const skipped = reports.filter((report) => report.skipped).length;
  const checked = `${plural(reports.length - skipped, 'file')} checked${skipped > 0 ? ` (${skipped} skipped)` : ''}`;
  let line = `${checked}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  if (withheld > 0) line += ` (${plural(withheld, 'C finding')} of low confidence not shown: --all-findings)`;
  if (proposals > 0) {
    line += `; ${plural(proposals, 'verdict')}: ${safe} safe, ${plural(violations, 'violation')}, ${incomplete} incomplete`;
    line += unmet > 0 ? `, ${unmet} not as expected` : ', all as expected';
  }
  return line;
}

export function formatText(reports: readonly FileReport[]): string {
  const blocks = reports.map(formatReportText).filter((block) => block.length > 0);
  blocks.push(summaryLine(reports));
  return `${blocks.join('\n\n')}\n`;
}
