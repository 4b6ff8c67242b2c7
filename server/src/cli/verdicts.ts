// Turns the engine's verdicts into diagnostics: each violation on its failing step (an error unless
// an expectation names it), an unmet expectation on the proposal, a violation no expectation names,
// and a search that stopped at a budget.

import { CODES, makeDiagnostic, violationCode, type Diagnostic } from '../core/diagnostics/codes';
import { expectedKinds, reachedKinds, reportsOf } from '../core/engine/expectation';

export { reportsOf };
import type { ProposalResult, ViolationReport } from '../core/engine/types';
import { withArticle } from '../core/util/words';

function label(result: ProposalResult): string {
  return result.name === 'baseline' ? 'the baseline' : `proposal ${result.name}`;
}

function outcomeOf(result: ProposalResult): string {
  if (result.verdict === 'violation') return reachedKinds(result).join(', ') || 'a violation';
  return result.verdict;
}

/** Trace steps as related information: `step N, actor: event`, the cycle's first step marked. */
export function traceRelated(report: ViolationReport): { start: number; end: number; message: string }[] {
  return report.trace.map((step, index) => ({
    start: step.start,
    end: step.end,
    message: `step ${index + 1}${index === report.cycleStart ? ' (the cycle starts here and repeats forever)' : ''}, ${step.actor}: ${step.event}`,
  }));
}

export function verdictDiagnostics(result: ProposalResult, violations?: Map<Diagnostic, ProposalResult>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const nameStart = result.start;
  const nameEnd = result.end;
  if (result.verdict === 'violation') {
    const listed = result.expected === undefined ? [] : expectedKinds(result.expected);
    for (const report of reportsOf(result)) {
      const info = violationCode(report.kind) || CODES.assertion;
      const start = report.violationStart ?? nameStart;
      const end = report.violationEnd ?? nameEnd;
      const summary = report.message || info.summary;
      const unlisted = listed.length > 0 && !listed.includes(report.kind);
      const diagnostic = unlisted
        ? makeDiagnostic(CODES.unlistedViolation, `${label(result)} also reaches ${withArticle(report.kind)}, which 'expect ${result.name}' does not list: ${summary}`, start, end, traceRelated(report))
        : makeDiagnostic(info, `${info.kind} in ${label(result)}: ${summary}${listed.includes(report.kind) ? ' (as expected)' : ''}`, start, end, traceRelated(report));
      if (!unlisted && listed.includes(report.kind)) diagnostic.severity = 'info';
      out.push(diagnostic);
      violations?.set(diagnostic, report === result.violations?.[0] || !result.violations ? result : { ...result, ...report, violations: undefined });
    }
    if (result.expected === undefined) {
      const kinds = reachedKinds(result);
      out.push(
        makeDiagnostic(
          CODES.unexpectedViolation,
          `${label(result)} has ${kinds.map(withArticle).join(', ')} and no expectation names ${kinds.length === 1 ? 'it' : 'them'}; add 'expect ${result.name}: ${kinds.join(', ')}' if that is the conclusion`,
          nameStart,
          nameEnd,
        ),
      );
    }
  }
  if (result.expected !== undefined && result.expectationMet === false && result.verdict !== 'incomplete') {
    out.push(makeDiagnostic(CODES.expectationUnmet, `${label(result)} is expected to be ${result.expected} but is ${outcomeOf(result)}`, nameStart, nameEnd));
  }
  // An expectation the search could not confirm is not met: CI must not pass on a partial search.
  if (result.expected !== undefined && result.verdict === 'incomplete') {
    out.push(makeDiagnostic(CODES.expectationUnmet, `${label(result)} is expected to be ${result.expected}, but the search could not confirm it`, nameStart, nameEnd));
  }
  if (result.verdict === 'violation' && result.incompleteReason) {
    out.push(makeDiagnostic(CODES.incomplete, `${label(result)}: the search stopped at its ${result.incompleteReason} budget after ${result.states} states; kinds it did not reach may still be reachable`, nameStart, nameEnd));
  }
  // A proposal the engine could not lower already has its own LT3505 diagnostic from the engine.
  if (result.verdict === 'incomplete' && !(result.skipped && result.seed === undefined)) {
    const why = result.skipped
      ? result.skipped
      : `the search stopped at its ${result.incompleteReason ?? 'budget'} budget after ${result.states} states, before covering every interleaving`;
    out.push(makeDiagnostic(CODES.incomplete, `${label(result)}: ${why}`, nameStart, nameEnd));
  }
  return out;
}
