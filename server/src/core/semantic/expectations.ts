// Expectations: `expect NAME: OUTCOME` must name `baseline` or a proposal, an outcome that is `safe`
// or a violation kind, and appear once per proposal.

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
    const outcome = item.outcome;
    if (outcome && !outcome.missing && !OUTCOMES.includes(outcome.text)) {
      ctx.report(CODES.unknownOutcome, `'${outcome.text}' is not an outcome; expect 'safe' or one of: ${VIOLATION_KINDS.join(', ')}`, outcome.start, outcome.end);
    }
  }
}
