// The JSON report. Its shape is fixed (docs/cli.md): tools and CI scripts read it. Fields may be
// added; none may be renamed or removed. Lines and columns are 1-based.

import type { Diagnostic } from '../core/diagnostics/codes';
import type { ProposalResult, TraceStep } from '../core/engine/types';
import { lineColumn, type FileReport } from './report';

export interface JsonDiagnostic {
  code: string;
  kind: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Kernel C findings: the function, where the resource was acquired, and the path to the return. */
  function?: string;
  acquiredAt?: { line: number; column: number };
  /** `line 12: if (ret) taken; line 13: goto err_put`: the branches and gotos from the acquire to the return. */
  path?: string;
  /** Kernel C findings: `high`, or `low` with the reason (low ones appear only with --all-findings). */
  confidence?: 'high' | 'low';
  lowConfidenceReason?: string;
}

export interface JsonTraceStep {
  actor: string;
  actorKind: 'thread' | 'device';
  event: string;
  changes: { name: string; before: string; after: string }[];
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  violation?: { kind: string; message: string };
}

export interface JsonProposal {
  name: string;
  verdict: 'safe' | 'violation' | 'incomplete';
  kind: string | null;
  message: string | null;
  line: number;
  column: number;
  trace: JsonTraceStep[];
  states: number;
  transitions: number;
  depth: number;
  ms: number;
  expected: string | null;
  expectationMet: boolean | null;
  incompleteReason: string | null;
  /** For a lasso trace (`livelock`): the index in `trace` where the repeating cycle starts. */
  cycleStart?: number;
  /** Every reachable violation kind, each with its own shortest trace, the first being `kind`'s; absent without a violation. */
  violations?: JsonViolation[];
  seed?: number;
}

export interface JsonViolation {
  kind: string;
  message: string;
  line: number;
  column: number;
  trace: JsonTraceStep[];
  cycleStart?: number;
}

export interface JsonFile {
  path: string;
  diagnostics: JsonDiagnostic[];
  proposals: JsonProposal[];
  /** C findings of low confidence left out (present only when some were; --all-findings shows them). */
  withheldFindings?: number;
}

export interface JsonReport {
  files: JsonFile[];
}

function jsonDiagnostic(report: FileReport, diagnostic: Diagnostic): JsonDiagnostic {
  const start = lineColumn(report, diagnostic.start);
  const end = lineColumn(report, diagnostic.end);
  return {
    code: diagnostic.code,
    kind: diagnostic.kind,
    severity: diagnostic.severity,
    message: diagnostic.message,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    ...cFindingFields(report, diagnostic),
  };
}

type CFindingFields = Pick<JsonDiagnostic, 'function' | 'acquiredAt' | 'path' | 'confidence' | 'lowConfidenceReason'>;

function cFindingFields(report: FileReport, diagnostic: Diagnostic): CFindingFields {
  const details = diagnostic.cFinding;
  if (!details) return {};
  const out: CFindingFields = { function: details.function, confidence: details.confidence };
  if (details.lowConfidenceReason !== undefined) out.lowConfidenceReason = details.lowConfidenceReason;
  if (details.acquiredAt !== undefined) out.acquiredAt = lineColumn(report, details.acquiredAt);
  if (details.acquiredAt !== undefined) out.path = details.path.map((step) => step.message).join('; ');
  return out;
}

function jsonStep(report: FileReport, step: TraceStep): JsonTraceStep {
  const start = lineColumn(report, step.start);
  const end = lineColumn(report, step.end);
  const out: JsonTraceStep = {
    actor: step.actor,
    actorKind: step.actorKind,
    event: step.event,
    changes: step.changes.map((change) => ({ name: change.name, before: change.before, after: change.after })),
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
  };
  if (step.violation) out.violation = { kind: step.violation.kind, message: step.violation.message };
  return out;
}

function jsonProposal(report: FileReport, result: ProposalResult): JsonProposal {
  const at = lineColumn(report, result.violationStart ?? result.start);
  const out: JsonProposal = {
    name: result.name,
    verdict: result.verdict,
    kind: result.kind ?? null,
    message: result.message ?? result.skipped ?? null,
    line: at.line,
    column: at.column,
    trace: (result.trace ?? []).map((step) => jsonStep(report, step)),
    states: result.states,
    transitions: result.transitions,
    depth: result.depth,
    ms: Math.round(result.ms * 10) / 10,
    expected: result.expected ?? null,
    expectationMet: result.expected === undefined ? null : result.expectationMet === true,
    incompleteReason: result.incompleteReason ?? null,
  };
  if (result.cycleStart !== undefined) out.cycleStart = result.cycleStart;
  if (result.violations) {
    out.violations = result.violations.map((violation) => {
      const where = lineColumn(report, violation.violationStart ?? result.start);
      const json: JsonViolation = { kind: violation.kind, message: violation.message, line: where.line, column: where.column, trace: violation.trace.map((step) => jsonStep(report, step)) };
      if (violation.cycleStart !== undefined) json.cycleStart = violation.cycleStart;
      return json;
    });
  }
  if (result.seed !== undefined) out.seed = result.seed;
  return out;
}

export function toJsonReport(reports: readonly FileReport[]): JsonReport {
  return {
    files: reports.map((report) => ({
      path: report.path,
      diagnostics: report.diagnostics.map((diagnostic) => jsonDiagnostic(report, diagnostic)),
      proposals: report.proposals.map((result) => jsonProposal(report, result)),
      ...(report.withheldFindings ? { withheldFindings: report.withheldFindings } : {}),
    })),
  };
}

export function formatJson(reports: readonly FileReport[]): string {
  return `${JSON.stringify(toJsonReport(reports), null, 2)}\n`;
}
