// One document's analysis: the parse, the semantic model, and (when a check has finished for this
// very text) the engine's results. Every editor feature takes an `Analysis` and an offset.

import { parse } from '../syntax/parser';
import { checkFile } from '../semantic/checker';
import type { Diagnostic } from '../diagnostics/codes';
import type { ModelResult } from '../engine/types';
import type { SourceFile } from '../syntax/ast';
import { LineIndex } from '../util/lineIndex';

import type { SemanticResult } from '../semantic/model';

export type { SemanticModel, SemanticResult } from '../semantic/model';

export interface Analysis {
  text: string;
  lines: LineIndex;
  file: SourceFile;
  syntaxDiagnostics: Diagnostic[];
  semantic: SemanticResult;
  /** The engine's results for exactly this text, when a check has finished. */
  engine?: ModelResult;
}

export function analyzeText(text: string): Analysis {
  const parsed = parse(text);
  const semantic = checkFile(parsed.file);
  return { text, lines: new LineIndex(text), file: parsed.file, syntaxDiagnostics: parsed.diagnostics, semantic };
}

/** Whether the model is well-formed enough for the engine: no syntax or semantic errors. */
export function isCheckable(analysis: Analysis): boolean {
  return (
    !analysis.syntaxDiagnostics.some((d) => d.severity === 'error') &&
    !analysis.semantic.diagnostics.some((d) => d.severity === 'error')
  );
}
