// Editor diagnostics: syntax and semantic errors, and the engine's verdicts. A violation sits on the
// failing step, with the trace as related information (one entry per step); an expectation that
// fails is flagged on the proposal's name.

import { CODES, codeInfo, violationCode, type Diagnostic, type Severity } from '../diagnostics/codes';
import { expectedKinds } from '../engine/expectation';
import type { ProposalResult } from '../engine/types';
import { withArticle } from '../util/words';
import type { Analysis } from './analysis';
import { formatCount, toRange } from './ranges';
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

/** `baseline` or `proposal NAME`. */
export function proposalLabel(result: ProposalResult): string {
  return result.name === 'baseline' ? 'baseline' : `proposal ${result.name}`;
}

/** One line summary of a verdict: `use-after-free in 7 steps`, `safe`, `incomplete (states)`. */
export function verdictText(result: ProposalResult): string {
  if (result.verdict === 'safe') return 'safe';
  if (result.verdict === 'incomplete') return `incomplete after ${formatCount(result.states)} states (${result.incompleteReason ?? 'budget'})`;
  const steps = result.trace?.length ?? 0;
  const others = (result.violations ?? []).slice(1).map((v) => v.kind);
  return `${result.kind ?? 'violation'} in ${steps} step${steps === 1 ? '' : 's'}${others.length > 0 ? `, also ${others.join(', ')}` : ''}`;
}

/** The violation of one proposal, on its failing step, with the trace as related information. */
export function violationDiagnostic(analysis: Analysis, result: ProposalResult): EditorDiagnostic | undefined {
  if (result.verdict !== 'violation') return undefined;
  const info = (result.kind && violationCode(result.kind)) || CODES.assertion;
  const start = result.violationStart ?? result.start;
  const end = result.violationEnd ?? result.end;
  const expected = result.expected !== undefined && result.kind !== undefined && expectedKinds(result.expected).includes(result.kind);
  const summary = result.message ?? `${result.kind} found`;
  const message = `${info.kind} in ${proposalLabel(result)}: ${summary}` + (expected ? ` (expected: expect ${result.name}: ${result.kind})` : '');
  const diagnostic: EditorDiagnostic = {
    range: toRange(analysis.lines, start, end),
    severity: expected ? 2 : 1,
    code: info.code,
    codeDescription: { href: codeHref(info.code) },
    source: 'lifetime',
    message,
  };
  const steps = result.trace ?? [];
  if (steps.length > 0) {
    diagnostic.relatedInformation = steps.map((step, index) => ({
      range: toRange(analysis.lines, step.start, step.end),
      message: `${index === result.cycleStart ? '(cycle) ' : ''}${step.actor}: ${step.event}`,
    }));
  }
  return diagnostic;
}

/**
 * The reachable kinds after the first, each on its own failing step with its own trace: a warning
 * when the expectation lists it (expected, like the first) or lists other kinds only (LT3507), an
 * error when nothing expects it.
 */
function otherViolationDiagnostics(analysis: Analysis, result: ProposalResult): EditorDiagnostic[] {
  const listed = result.expected === undefined ? [] : expectedKinds(result.expected);
  return (result.violations ?? []).slice(1).map((report) => {
    const unlisted = listed.length > 0 && !listed.includes(report.kind);
    const info = unlisted ? CODES.unlistedViolation : violationCode(report.kind) || CODES.assertion;
    const message = unlisted
      ? `${proposalLabel(result)} also reaches ${withArticle(report.kind)}, which 'expect ${result.name}' does not list: ${report.message}`
      : `${info.kind} in ${proposalLabel(result)}: ${report.message}` + (listed.includes(report.kind) ? ` (expected: expect ${result.name}: ${result.expected})` : '');
    const diagnostic: EditorDiagnostic = {
      range: toRange(analysis.lines, report.violationStart ?? result.start, report.violationEnd ?? result.end),
      severity: unlisted || listed.includes(report.kind) ? 2 : 1,
      code: info.code,
      codeDescription: { href: codeHref(info.code) },
      source: 'lifetime',
      message,
    };
    if (report.trace.length > 0) {
      diagnostic.relatedInformation = report.trace.map((step, index) => ({
        range: toRange(analysis.lines, step.start, step.end),
        message: `${index === report.cycleStart ? '(cycle) ' : ''}${step.actor}: ${step.event}`,
      }));
    }
    return diagnostic;
  });
}

function verdictDiagnostics(analysis: Analysis, result: ProposalResult): EditorDiagnostic[] {
  const out: EditorDiagnostic[] = [];
  const violation = violationDiagnostic(analysis, result);
  if (violation) out.push(violation);
  out.push(...otherViolationDiagnostics(analysis, result));
  const nameRange = toRange(analysis.lines, result.start, result.end);
  if (result.expected !== undefined && result.expectationMet === false && result.verdict !== 'incomplete') {
    out.push({
      range: nameRange,
      severity: 1,
      code: CODES.expectationUnmet.code,
      codeDescription: { href: codeHref(CODES.expectationUnmet.code) },
      source: 'lifetime',
      message: `${proposalLabel(result)} is expected to be ${result.expected} but is ${verdictText(result)}`,
    });
  }
  if (result.verdict === 'incomplete' && result.incompleteReason !== 'cancelled') {
    out.push({
      range: nameRange,
      severity: 2,
      code: CODES.incomplete.code,
      codeDescription: { href: codeHref(CODES.incomplete.code) },
      source: 'lifetime',
      message: `${proposalLabel(result)}: the search stopped at its ${result.incompleteReason ?? 'budget'} budget after ${formatCount(result.states)} states, before covering every interleaving`,
    });
  }
  return out;
}

/** Every diagnostic of the document: syntax, semantic and, when present, the engine's. */
export function editorDiagnostics(analysis: Analysis, extra: Diagnostic[] = []): EditorDiagnostic[] {
  const out: EditorDiagnostic[] = [];
  for (const d of analysis.syntaxDiagnostics) out.push(toEditorDiagnostic(analysis, d));
  for (const d of analysis.semantic.diagnostics) out.push(toEditorDiagnostic(analysis, d));
  for (const d of extra) out.push(toEditorDiagnostic(analysis, d));
  if (analysis.engine) {
    for (const d of analysis.engine.diagnostics) out.push(toEditorDiagnostic(analysis, d));
    for (const result of analysis.engine.proposals) out.push(...verdictDiagnostics(analysis, result));
  }
  return out;
}

/** Whether a diagnostic code belongs to the engine (violations and verdicts). */
export function isEngineCode(code: string): boolean {
  return code.startsWith('LT3') && codeInfo(code) !== undefined;
}
