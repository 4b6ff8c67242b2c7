// The whole pipeline on a text: parse, check names, run the engine. Used by the engine worker and
// by quick-fix verification.
//
// Verdicts always come from the same search as the CLI's (with its reductions), so that a file has
// the same verdicts and state counts in the CLI, the code lenses and the quick-fix titles. Per-step
// facts for hovers and inlay hints need every transition observed, which the reductions skip, so
// `collectFacts` runs a second, observing search after the first; it never changes a verdict, and
// a proposal whose second search stops at the budget simply has no facts.

import { checkModel } from '../engine/index';
import type { EngineOptions, ModelResult } from '../engine/types';
import { analyzeText, isCheckable, type Analysis } from './analysis';

/** An ill-formed model (syntax or semantic errors) yields no proposal results. */
export function runEngineOnText(text: string, options: EngineOptions): { analysis: Analysis; result: ModelResult } {
  const analysis = analyzeText(text);
  if (!isCheckable(analysis)) return { analysis, result: { proposals: [], diagnostics: [] } };
  const started = performance.now();
  const result = checkModel(analysis.file, analysis.semantic, { ...options, collectFacts: false });
  const facts = factsSearch(result, options, performance.now() - started);
  if (facts) addFacts(result, checkModel(analysis.file, analysis.semantic, facts));
  analysis.engine = result;
  return { analysis, result };
}

/**
 * `runEngineOnText` with the searches made by `check` (for example on a pool of worker threads),
 * which must give what `checkModel` gives for the same options.
 */
export async function runEngineOnTextWith(
  text: string,
  options: EngineOptions,
  check: (analysis: Analysis, options: EngineOptions) => Promise<ModelResult>,
): Promise<{ analysis: Analysis; result: ModelResult }> {
  const analysis = analyzeText(text);
  if (!isCheckable(analysis)) return { analysis, result: { proposals: [], diagnostics: [] } };
  const started = performance.now();
  const result = await check(analysis, { ...options, collectFacts: false });
  const facts = factsSearch(result, options, performance.now() - started);
  if (facts) addFacts(result, await check(analysis, facts));
  analysis.engine = result;
  return { analysis, result };
}

/** The options of the observing search that collects facts, or undefined when none is due. */
function factsSearch(result: ModelResult, options: EngineOptions, elapsedMs: number): EngineOptions | undefined {
  if (!options.collectFacts) return undefined;
  const proposals = result.proposals.filter((p) => p.verdict !== 'incomplete').map((p) => p.name);
  const timeoutMs = options.timeoutMs === undefined ? undefined : options.timeoutMs - elapsedMs;
  if (proposals.length === 0 || (timeoutMs !== undefined && timeoutMs <= 0) || options.cancel?.isCancellationRequested) return undefined;
  return { ...options, proposals, timeoutMs, collectFacts: true, onProgress: undefined };
}

function addFacts(result: ModelResult, observed: ModelResult): void {
  for (const facts of observed.proposals) {
    const target = result.proposals.find((p) => p.name === facts.name);
    if (target && facts.facts) target.facts = facts.facts;
  }
}
