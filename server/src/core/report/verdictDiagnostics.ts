// The engine's verdicts as diagnostics, the same for the CLI and the editor: every reachable violation
// kind on its own failing step with its own trace as related information (a note when the `expect`
// line lists the kind, LT3507 when the line lists other kinds only, an error when nothing expects
// it), a violation no expectation names on the proposal, an unmet or unconfirmed expectation on its
// `expect` line, and a search that stopped at a budget on the proposal.

import { CODES, makeDiagnostic, violationCode, type Diagnostic, type RelatedInformation } from '../diagnostics/codes';
import type { ProposalResult, ViolationReport } from '../engine/types';
import type { SourceFile } from '../syntax/ast';
import { expectedKinds, reachedKinds, unexpectedKinds } from '../engine/expectation';
import { listInWords, withArticle } from '../util/words';
import { blockedLabel, stepLabel } from './traceDiagram';
import { outcomeText, stoppedText } from './verdictWording';
import { validCycleStart, violationsOf } from './violations';

/** `the baseline` or `proposal NAME`, inside a sentence. */
function label(result: ProposalResult): string {
  return result.name === 'baseline' ? 'the baseline' : `proposal ${result.name}`;
}

/** Where each proposal's expectation is written (the first one of each name). */
export function expectationRanges(file: SourceFile): Map<string, { start: number; end: number }> {
  const ranges = new Map<string, { start: number; end: number }>();
  for (const item of file.items) {
    if (item.kind !== 'ExpectDecl' || item.proposal.missing) continue;
    if (!ranges.has(item.proposal.text)) ranges.set(item.proposal.text, { start: item.start, end: item.end });
  }
  return ranges;
}

/**
 * Each step of a violation's trace, then each thread its deadlock leaves blocked, as related places;
 * the first step of a lasso's cycle says that the cycle starts there.
 */
export function traceRelated(violation: Pick<ViolationReport, 'trace' | 'cycleStart'>, sourceText: string): RelatedInformation[] {
  const trace = violation.trace;
  const cycle = validCycleStart(trace, violation.cycleStart);
  const related = trace.map((step, index) => {
    const mark = index === cycle ? ' (the cycle starts here and repeats forever)' : '';
    return { start: step.start, end: step.end, message: `step ${index + 1}${mark}, ${step.actor}: ${stepLabel(trace, index, sourceText)}` };
  });
  for (const blocked of trace.at(-1)?.violation?.blocked ?? []) {
    related.push({ start: blocked.start, end: blocked.end, message: `${blocked.actor} ${blockedLabel(blocked)}` });
  }
  return related;
}

export interface VerdictDiagnosticsOptions {
  /** The text the engine checked, for the words of trace steps. */
  sourceText: string;
  /** Where the expectations are written; an unmet one is reported there. */
  expectations: Map<string, { start: number; end: number }>;
  /** Told, for each violation diagnostic, which proposal and which violation it reports. */
  onViolation?: (diagnostic: Diagnostic, result: ProposalResult, violation: ViolationReport) => void;
}

export function verdictDiagnostics(result: ProposalResult, options: VerdictDiagnosticsOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { start: nameStart, end: nameEnd } = result;
  const expectation = options.expectations.get(result.name) ?? { start: nameStart, end: nameEnd };
  const listed = result.expected === undefined ? [] : expectedKinds(result.expected);
  const unexpected = unexpectedKinds(result);
  for (const violation of violationsOf(result)) {
    const info = violationCode(violation.kind) || CODES.assertion;
    const summary = violation.message || info.summary;
    const related = traceRelated(violation, options.sourceText);
    const expected = listed.includes(violation.kind);
    // The expectation lists other kinds only: a warning, so that a file written before the engine
    // reported every kind keeps its verdict, but the kind is not hidden.
    const unlisted = !expected && !unexpected.includes(violation.kind);
    const diagnostic = unlisted
      ? makeDiagnostic(
          CODES.unlistedViolation,
          `${label(result)} also reaches ${withArticle(violation.kind)}, which 'expect ${result.name}' does not list: ${summary}`,
          violation.violationStart,
          violation.violationEnd,
          related,
        )
      : makeDiagnostic(info, `${info.kind} in ${label(result)}: ${summary}${expected ? ' (as expected)' : ''}`, violation.violationStart, violation.violationEnd, related);
    if (expected) diagnostic.severity = 'info';
    out.push(diagnostic);
    options.onViolation?.(diagnostic, result, violation);
  }
  if (result.verdict === 'violation' && result.expected === undefined) {
    const kinds = reachedKinds(result);
    const named = kinds.length > 0 ? kinds : ['violation'];
    out.push(
      makeDiagnostic(
        CODES.unexpectedViolation,
        `${label(result)} has ${listInWords(named.map(withArticle))}${named.length === 1 ? ' and no expectation names it' : ', and no expectation names them'}; add 'expect ${result.name}: ${named.join(', ')}' if that is the conclusion`,
        nameStart,
        nameEnd,
      ),
    );
  }
  if (result.expected !== undefined && result.expectationMet === false && result.verdict !== 'incomplete') {
    out.push(makeDiagnostic(CODES.expectationUnmet, `${label(result)} is expected to be ${result.expected} but is ${outcomeText(result)}`, expectation.start, expectation.end));
  }
  // An expectation the search could not confirm is not met: CI must not pass on a partial search.
  if (result.expected !== undefined && result.verdict === 'incomplete' && result.incompleteReason !== 'cancelled') {
    out.push(
      makeDiagnostic(CODES.expectationUnmet, `${label(result)} is expected to be ${result.expected}, but the search could not confirm it (${outcomeText(result)})`, expectation.start, expectation.end),
    );
  }
  // A search that found violations and then stopped may have missed other kinds.
  if (result.verdict === 'violation' && result.incompleteReason && result.incompleteReason !== 'cancelled') {
    out.push(makeDiagnostic(CODES.incomplete, `${label(result)}: the search ${stoppedText(result)}; kinds it did not reach may still be reachable`, nameStart, nameEnd));
  }
  // A proposal the engine could not lower or failed on already has its own diagnostic (LT3505, LT3506) from the engine.
  if (result.verdict === 'incomplete' && result.incompleteReason !== 'cancelled' && !(result.skipped && result.seed === undefined)) {
    const why = result.skipped ? result.skipped : `the search ${stoppedText(result)}, before covering every interleaving`;
    out.push(makeDiagnostic(CODES.incomplete, `${label(result)}: ${why}`, nameStart, nameEnd));
  }
  return out;
}

/** The verdict diagnostics of every proposal of a checked file. */
export function modelVerdictDiagnostics(file: SourceFile, sourceText: string, results: readonly ProposalResult[], onViolation?: VerdictDiagnosticsOptions['onViolation']): Diagnostic[] {
  const options: VerdictDiagnosticsOptions = { sourceText, expectations: expectationRanges(file), onViolation };
  return results.flatMap((result) => verdictDiagnostics(result, options));
}
