// What an `expect` line means for a verdict: `safe`, or a list of violation kinds that must all be
// reachable. Plain functions over results, shared by the engine, the CLI and the editor features.

import type { ProposalResult } from './types';

/** The kinds an expectation (`safe`, or kinds joined with `, `) lists; empty for `safe`. */
export function expectedKinds(expected: string): string[] {
  return expected === 'safe' ? [] : expected.split(',').map((kind) => kind.trim()).filter((kind) => kind.length > 0);
}

/** The violation kinds a result reaches: every kind of `violations`, or `kind` alone. */
export function reachedKinds(result: ProposalResult): string[] {
  if (result.violations) return result.violations.map((v) => v.kind);
  return result.kind ? [result.kind] : [];
}

/**
 * Whether a verdict meets an expectation: `safe` is met by a safe verdict only; a list of kinds is
 * met when every listed kind is reachable (a reachable kind the list leaves out is only a warning).
 * Undefined while the verdict is `incomplete` and no violation was found.
 */
export function meetsExpectation(result: ProposalResult, expected: string): boolean | undefined {
  if (result.verdict === 'safe') return expected === 'safe';
  if (result.verdict !== 'violation') return undefined;
  const reached = reachedKinds(result);
  const listed = expectedKinds(expected);
  return listed.length > 0 && listed.every((kind) => reached.includes(kind));
}

/** The reachable kinds that an expectation of kinds does not list (none for `safe` or no expectation). */
export function unlistedKinds(result: ProposalResult): string[] {
  if (result.expected === undefined || result.expected === 'safe') return [];
  const listed = expectedKinds(result.expected);
  return reachedKinds(result).filter((kind) => !listed.includes(kind));
}

/**
 * The reachable kinds that fail the file as violations: all of them when no expectation lists kinds
 * (there is none, or it is `safe`). Under a list of kinds, a kind it leaves out is only a warning
 * (LT3507), and a listed kind that is not reachable fails as an unmet expectation instead.
 */
export function unexpectedKinds(result: ProposalResult): string[] {
  if (result.verdict !== 'violation') return [];
  if (result.expected !== undefined && expectedKinds(result.expected).length > 0) return [];
  return reachedKinds(result);
}
