// Editor diagnostics: syntax and semantic errors, and the engine's verdicts in the very words of the
// CLI (core/report/verdictDiagnostics.ts): a violation sits on the failing step with the trace as
// related information (one entry per step), an unmet expectation on its `expect` line.

import { CODES, codeInfo, type Diagnostic, type Severity } from '../diagnostics/codes';
import { modelVerdictDiagnostics } from '../report/verdictDiagnostics';
import type { Analysis } from './analysis';
import { toRange } from './ranges';
import type { EditorDiagnostic, SeverityNumber } from './types';

/** Where docs/diagnostics.md is published; each code has an anchor such as `#lt3001`. */
export const DIAGNOSTICS_DOC_URL = 'https://github.com/lifetime-review/lifetime-review/blob/main/docs/diagnostics.md';

export function codeHref(code: string): string {
  return `${DIAGNOSTICS_DOC_URL}#${code.toLowerCase()}`;
}

const SEVERITY: Record<Severity, SeverityNumber> = { error: 1, warning: 2, info: 3 };

export function toEditorDiagnostic(analysis: Pick<Analysis, 'lines'>, diagnostic: Diagnostic): EditorDiagnostic {
  const result: EditorDiagnostic = {
    range: toRange(analysis.lines, diagnostic.start, diagnostic.end),
    severity: SEVERITY[diagnostic.severity] ?? 1,
    code: diagnostic.code,
    codeDescription: { href: codeHref(diagnostic.code) },
    source: 'lifetime',
    message: diagnostic.message,
  };
  if (diagnostic.related && diagnostic.related.length > 0) {
    result.relatedInformation = diagnostic.related.map((info) => ({
      range: info.path ? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } : toRange(analysis.lines, info.start, info.end),
      message: info.message,
      ...(info.path ? { path: info.path } : {}),
    }));
  }
  if (diagnostic.code === CODES.unused.code) result.tags = [1];
  return result;
}

/** Every diagnostic of the document: syntax, semantic and, when present, the engine's. */
export function editorDiagnostics(analysis: Analysis, extra: Diagnostic[] = []): EditorDiagnostic[] {
  const out: EditorDiagnostic[] = [];
  for (const d of analysis.syntaxDiagnostics) out.push(toEditorDiagnostic(analysis, d));
  for (const d of analysis.semantic.diagnostics) out.push(toEditorDiagnostic(analysis, d));
  for (const d of extra) out.push(toEditorDiagnostic(analysis, d));
  if (analysis.engine) {
    for (const d of analysis.engine.diagnostics) out.push(toEditorDiagnostic(analysis, d));
    for (const d of modelVerdictDiagnostics(analysis.file, analysis.text, analysis.engine.proposals)) out.push(toEditorDiagnostic(analysis, d));
  }
  return out;
}

/** Whether a diagnostic code belongs to the engine (violations and verdicts). */
export function isEngineCode(code: string): boolean {
  return code.startsWith('LT3') && codeInfo(code) !== undefined;
}
