// The order in which proposals of one file go to a pool of workers. Taken in the file's order, a
// large proposal that comes last keeps one worker busy long after the others are done; taken
// largest first (LPT scheduling), the workers end closer together. A proposal's size is not known
// before its search, so the order follows a cheap static estimate: the base-2 logarithm of the
// product of every variable's domain in the proposal's lowered transition system, a bound on its
// state space that grows with each actor's program points and local values (bench:jobs). The
// order only decides which proposal starts first: the results are always reported in the file's order.

import { CODES } from '../diagnostics/codes';
import type { SourceFile } from '../syntax/ast';
import type { TransitionSystem } from './ir';
import { lowerModel } from './lower/index';

/** The base-2 logarithm of the product of every variable's domain: a bound on the state space. */
export function stateSpaceBits(system: TransitionSystem): number {
  let bits = 0;
  for (const variable of system.variables) bits += Math.log2(Math.max(1, variable.domain));
  return bits;
}

/** How long the estimates of one file may take before its proposals keep the file's order. */
export const ESTIMATE_BUDGET_MS = 250;

/**
 * Files longer than this keep their order unestimated: a generated file of thousands of threads
 * would spend longer (and more memory) lowering its proposals for the estimate than the order saves.
 */
export const ESTIMATE_MAX_TEXT = 64 * 1024;

/**
 * The estimated size of each proposal of `file` named in `names`, as `stateSpaceBits` of its
 * lowering. C bodies are left out (translating them needs the C front end), so they add nothing;
 * a proposal that cannot be lowered for another reason is estimated at 0, as its check ends at once. Undefined
 * when the lowerings took more than `budgetMs` together (a proposal of thousands of threads): each
 * proposal's own check lowers it again, so the estimates must stay cheap beside the checks.
 */
export function proposalSizeEstimates(file: SourceFile, names: readonly string[], budgetMs = ESTIMATE_BUDGET_MS): number[] | undefined {
  const started = performance.now();
  const sizes: number[] = [];
  for (const name of names) {
    if (performance.now() - started > budgetMs) return undefined;
    const lowered = lowerModel(file, name);
    const searched = lowered.complete || lowered.diagnostics.some((d) => d.code === CODES.cUntranslatable.code);
    sizes.push(searched ? stateSpaceBits(lowered.system) : 0);
  }
  return sizes;
}

/**
 * The indices of `sizes`, largest first; equal sizes keep their order, so that the order is the
 * same on every run. `sizes` are estimates; the caller reports results in its own order.
 */
export function largestFirst(sizes: readonly number[]): number[] {
  return sizes.map((_, index) => index).sort((a, b) => sizes[b] - sizes[a] || a - b);
}

/**
 * The order in which `workers` workers should take the proposals `names` of `file`, as indices of
 * `names`: largest first by `proposalSizeEstimates`, or the file's order when every proposal gets
 * a worker at once (the order then changes nothing), the file is longer than `ESTIMATE_MAX_TEXT`,
 * or the estimates ran out of their budget.
 */
export function proposalSchedule(file: SourceFile, names: readonly string[], workers: number, budgetMs = ESTIMATE_BUDGET_MS): number[] {
  const fileOrder = names.map((_, index) => index);
  if (names.length <= workers || workers <= 1 || file.text.length > ESTIMATE_MAX_TEXT) return fileOrder;
  const sizes = proposalSizeEstimates(file, names, budgetMs);
  return sizes ? largestFirst(sizes) : fileOrder;
}
