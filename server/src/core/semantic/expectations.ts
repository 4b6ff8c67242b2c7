// Expectations: `expect NAME: OUTCOME[, KIND]...` must name `baseline` or a proposal, outcomes that
// are `safe` alone or violation kinds, and appear once per proposal.

import { CODES } from '../diagnostics/codes';
import { VIOLATION_KINDS, type ExpectDecl, type SourceFile } from '../syntax/ast';
import type { CheckContext } from './context';
import type { Declared } from './declare';

const OUTCOMES: readonly string[] = ['safe', ...VIOLATION_KINDS];

export function checkExpectations(ctx: CheckContext, file: SourceFile, declared: Declared): void {
  const seen = new Map<string, ExpectDecl>();
  for (const item of file.items ?? []) {
    if (item.kind !== 'ExpectDecl') continue;
    const proposal = item.proposal;
    if (proposal && !proposal.missing) {
      const name = proposal.text;
      const id = declared.proposalIds.get(name);
      if (id !== undefined) ctx.reference(proposal, id);
      else if (name !== 'baseline') {
        const known = [...declared.proposalIds.keys()];
        const hint = known.length > 0 ? ` (proposals: baseline, ${known.join(', ')})` : ' (the file has no proposals; use baseline)';
        ctx.report(CODES.unknownProposal, `expectation names '${name}', which is not a proposal${hint}`, proposal.start, proposal.end);
      }
      const first = seen.get(name);
      if (first) {
        ctx.report(CODES.duplicateExpectation, `'${name}' already has an expectation`, item.start, item.end, [
          { start: first.start, end: first.end, message: 'the first expectation' },
        ]);
      } else {
        seen.set(name, item);
      }
    }
    const outcomes = item.outcomes ?? [item.outcome];
    for (const outcome of outcomes) {
      if (outcome && !outcome.missing && !OUTCOMES.includes(outcome.text)) {
        ctx.report(CODES.unknownOutcome, `'${outcome.text}' is not an outcome; expect 'safe' or one of: ${VIOLATION_KINDS.join(', ')}`, outcome.start, outcome.end);
      }
    }
    const safe = outcomes.find((outcome) => outcome && !outcome.missing && outcome.text === 'safe');
    if (safe && outcomes.length > 1) {
      ctx.report(CODES.safeWithKinds, `'safe' cannot be listed with violation kinds; expect either 'safe' or the kinds that are reachable`, safe.start, safe.end);
    }
  }
}

/** The outcomes an expectation lists, `safe` or violation kinds, as written (missing ones left out). */
export function expectedOutcomes(expect: ExpectDecl): string[] {
  return (expect.outcomes ?? [expect.outcome]).filter((outcome) => outcome && !outcome.missing).map((outcome) => outcome.text);
}

/** The expectation of each proposal as `expect NAME: ...` states it (the first line wins), outcomes joined by `, `. */
export function expectationsOf(file: SourceFile): Map<string, string> {
  const result = new Map<string, string>();
  for (const item of file.items) {
    if (item.kind !== 'ExpectDecl' || item.proposal.missing || item.outcome.missing) continue;
    if (!result.has(item.proposal.text)) result.set(item.proposal.text, expectedOutcomes(item).join(', '));
  }
  return result;
}
