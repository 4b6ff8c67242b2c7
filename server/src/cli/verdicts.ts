// Turns the engine's verdicts into diagnostics: each violation on its failing step (an error unless
// an expectation names it), an unmet expectation on the proposal, a violation no expectation names,
// and a search that stopped at a budget.

import { CODES, makeDiagnostic, violationCode, type Diagnostic } from '../core/diagnostics/codes';
import type { ProposalResult } from '../core/engine/types';

function label(result: ProposalResult): string {
  return result.name === 'baseline' ? 'the baseline' : `proposal ${result.name}`;
}

function outcomeOf(result: ProposalResult): string {
  if (result.verdict === 'violation') return result.kind ?? 'a violation';
  return result.verdict;
}

export function verdictDiagnostics(result: ProposalResult, violations?: Map<Diagnostic, ProposalResult>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const nameStart = result.start;
  const nameEnd = result.end;
  if (result.verdict === 'violation') {
    const info = (result.kind && violationCode(result.kind)) || CODES.assertion;
    const expected = result.expected !== undefined && result.expectationMet === true;
    const start = result.violationStart ?? nameStart;
    const end = result.violationEnd ?? nameEnd;
    const related = (result.trace ?? []).map((step, index) => ({ start: step.start, end: step.end, message: `step ${index + 1}, ${step.actor}: ${step.event}` }));
    const summary = result.message ?? info.summary;
    const diagnostic = makeDiagnostic(info, `${info.kind} in ${label(result)}: ${summary}${expected ? ' (as expected)' : ''}`, start, end, related);
    if (expected) diagnostic.severity = 'info';
    out.push(diagnostic);
    violations?.set(diagnostic, result);
    if (result.expected === undefined) {
      out.push(
        makeDiagnostic(
          CODES.unexpectedViolation,
          `${label(result)} has a ${info.kind} and no expectation names it; add 'expect ${result.name}: ${info.kind}' if that is the conclusion`,
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
  // A proposal the engine could not lower already has its own LT3505 diagnostic from the engine.
  if (result.verdict === 'incomplete' && !(result.skipped && result.seed === undefined)) {
    const why = result.skipped
      ? result.skipped
      : `the search stopped at its ${result.incompleteReason ?? 'budget'} budget after ${result.states} states, before covering every interleaving`;
    out.push(makeDiagnostic(CODES.incomplete, `${label(result)}: ${why}`, nameStart, nameEnd));
  }
  return out;
}
