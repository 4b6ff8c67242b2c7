// The words for verdicts, one source for every surface: the CLI's table and summary, the editor's
// status bar, code lenses, hovers, Problems entries and quick-fix titles. A file whose expected
// baseline deadlock is found reads "as expected: baseline deadlock, 2 proposals safe" everywhere.

import { reachedKinds, unlistedKinds } from '../engine/expectation';
import type { ProposalResult } from '../engine/types';

/** A count with thousands separators, independent of the machine's locale: `1,204`. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** `baseline` or `proposal NAME`. */
export function proposalLabel(result: Pick<ProposalResult, 'name'>): string {
  return result.name === 'baseline' ? 'baseline' : `proposal ${result.name}`;
}

/** Why a search stopped early, e.g. `stopped at the 2,000,000-state budget`. */
export function stoppedText(result: ProposalResult): string {
  switch (result.incompleteReason) {
    case 'states':
      return `stopped at the ${formatCount(result.states)}-state budget`;
    case 'memory':
      return `stopped at the memory budget after ${plural(result.states, 'state')}`;
    case 'time':
      return `stopped at the time budget after ${plural(result.states, 'state')}`;
    case 'cancelled':
      return `stopped (cancelled) after ${plural(result.states, 'state')}`;
    case 'internal-error':
      return `stopped by an internal error after ${plural(result.states, 'state')}`;
    default:
      return `stopped after ${plural(result.states, 'state')}`;
  }
}

/**
 * What the search found, without the expectation: `safe`, `deadlock in 8 steps`, `use-after-free in
 * 5 steps, also stale-access` (every further reachable kind), `stopped at the ...`.
 */
export function outcomeText(result: ProposalResult): string {
  if (result.verdict === 'safe') return 'safe';
  if (result.verdict === 'violation') {
    const steps = result.trace?.length ?? 0;
    const others = reachedKinds(result).slice(1);
    return `${result.kind ?? 'violation'} in ${plural(steps, 'step')}${others.length > 0 ? `, also ${others.join(', ')}` : ''}`;
  }
  if (result.seed !== undefined) return 'no violation found by random runs';
  if (result.incompleteReason === 'internal-error') return 'no verdict (internal error)';
  if (result.skipped) return 'not checked';
  return stoppedText(result);
}

/** How a verdict compares with the file's expectation for it. */
export type ExpectationStatus = 'met' | 'unexpected' | 'unmet' | 'unconfirmed' | 'none';

export function expectationStatus(result: ProposalResult): ExpectationStatus {
  if (result.verdict === 'incomplete') return result.expected !== undefined ? 'unconfirmed' : 'none';
  if (result.expected === undefined) return result.verdict === 'violation' ? 'unexpected' : 'none';
  if (result.expectationMet === true) return 'met';
  return result.verdict === 'violation' ? 'unexpected' : 'unmet';
}

/** One proposal's verdict with its expectation: `deadlock in 8 steps, as expected`, `safe, expected use-after-free`. */
export function verdictText(result: ProposalResult): string {
  const outcome = outcomeText(result);
  switch (expectationStatus(result)) {
    case 'met': {
      // Every listed kind is reachable; a further kind the line leaves out is named (LT3507 warns of it).
      const unlisted = unlistedKinds(result);
      return unlisted.length > 0 ? `${outcome}, as expected (${unlisted.join(', ')} not listed)` : `${outcome}, as expected`;
    }
    case 'unexpected':
      return result.expected !== undefined ? `${outcome}, expected ${result.expected}` : `${outcome}, unexpected`;
    case 'unmet':
      return `${outcome}, expected ${result.expected}`;
    case 'unconfirmed':
      return `${outcome}, expected ${result.expected} unconfirmed`;
    case 'none':
      return outcome;
  }
}

/** Whether a verdict needs the reviewer: a violation no expectation names, or an expectation not met. */
export function isUnexpected(result: ProposalResult): boolean {
  const status = expectationStatus(result);
  return status === 'unexpected' || status === 'unmet';
}

export type FileVerdictState = 'safe' | 'violation' | 'incomplete';

export interface FileVerdict {
  /** `violation` when something is unexpected, else `incomplete` when a search stopped early, else `safe`. */
  state: FileVerdictState;
  text: string;
}

/** `baseline and 2 proposals safe`, `3 proposals safe`, `baseline safe`. */
function safeText(results: ProposalResult[]): string {
  const baseline = results.some((r) => r.name === 'baseline');
  const proposals = results.length - (baseline ? 1 : 0);
  if (baseline && proposals === 0) return 'baseline safe';
  if (baseline) return `baseline and ${plural(proposals, 'proposal')} safe`;
  return `${plural(proposals, 'proposal')} safe`;
}

/** `baseline use-after-free`, `close_flag deadlock`, `baseline use-after-free and stale-access`. */
function namedOutcome(result: ProposalResult): string {
  if (result.verdict !== 'violation') return `${result.name} ${result.verdict}`;
  const kinds = reachedKinds(result);
  const unlisted = unlistedKinds(result);
  return `${result.name} ${kinds.length > 0 ? kinds.join(' and ') : 'violation'}${unlisted.length > 0 ? ` (${unlisted.join(', ')} not listed)` : ''}`;
}

/**
 * A whole file's verdicts in one line: `as expected: baseline deadlock, close_flag deadlock, 2
 * proposals safe`, `1 unexpected violation: baseline use-after-free`, `stopped at the
 * 2,000,000-state budget: baseline`.
 */
export function fileVerdict(results: readonly ProposalResult[]): FileVerdict {
  if (results.length === 0) return { state: 'safe', text: 'nothing checked' };
  const parts: string[] = [];
  const unexpected = results.filter((r) => r.verdict === 'violation' && expectationStatus(r) === 'unexpected');
  const unmet = results.filter((r) => expectationStatus(r) === 'unmet');
  if (unexpected.length > 0) parts.push(`${plural(unexpected.length, 'unexpected violation')}: ${unexpected.map(namedOutcome).join(', ')}`);
  if (unmet.length > 0) {
    const what = unmet.map((r) => `${r.name} ${outcomeText(r)}, expected ${r.expected}`).join('; ');
    parts.push(`${plural(unmet.length, 'expectation')} not met: ${what}`);
  }
  const stopped = new Map<string, string[]>();
  for (const result of results.filter((r) => r.verdict === 'incomplete')) {
    const why = outcomeText(result);
    stopped.set(why, [...(stopped.get(why) ?? []), result.name]);
  }
  for (const [why, names] of stopped) parts.push(`${why}: ${names.join(', ')}`);
  if (parts.length > 0) return { state: unexpected.length + unmet.length > 0 ? 'violation' : 'incomplete', text: parts.join('; ') };
  const violations = results.filter((r) => r.verdict === 'violation');
  const safe = results.filter((r) => r.verdict === 'safe');
  const listed = [...violations.map(namedOutcome), ...(safe.length > 0 ? [safeText(safe)] : [])].join(', ');
  const anyExpectation = results.some((r) => r.expected !== undefined);
  return { state: 'safe', text: anyExpectation ? `as expected: ${listed}` : listed };
}
