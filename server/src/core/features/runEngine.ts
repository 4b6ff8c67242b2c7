// The whole pipeline on a text: parse, check names, run the engine. Used by the engine worker and
// by quick-fix verification.

import { checkModel } from '../engine/index';
import type { EngineOptions, ModelResult } from '../engine/types';
import { analyzeText, isCheckable, type Analysis } from './analysis';

/** An ill-formed model (syntax or semantic errors) yields no proposal results. */
export function runEngineOnText(text: string, options: EngineOptions): { analysis: Analysis; result: ModelResult } {
  const analysis = analyzeText(text);
  if (!isCheckable(analysis)) return { analysis, result: { proposals: [], diagnostics: [] } };
  const result = checkModel(analysis.file, analysis.semantic, options);
  analysis.engine = result;
  return { analysis, result };
}
