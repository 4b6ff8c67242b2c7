// What the inputs need of the C front end: the parser and the API tables for C files, and the C
// body translator for models whose procedures or threads are written in C. `--api` tables are
// checked whenever they are given, so that a typo in one is an input error even on a run that
// happens to read no C.

import type { CBodyTranslator } from '../core/engine/ir';
import { loadCBodySupport } from '../core/features/cBodies';
import { loadCFrontEnd, type CFrontEnd } from './cfiles';
import type { InputProblem } from './inputs';

/** A `c {` body in a model: `fn f(x) c {` or `thread t c {`. */
const C_BODY = /[)\]\w]\s+c\s*\{/;

export function hasCBody(modelText: string): boolean {
  return C_BODY.test(modelText);
}

export interface CSupport {
  /** Loaded when C files are read or `--api` tables were given. */
  frontEnd?: CFrontEnd;
  /** Input problems (a missing or malformed table, a parser that cannot load): exit code 2. */
  problems: InputProblem[];
  /** Set when models with C bodies cannot be translated; those models are reported as not checked. */
  warning?: string;
  /** The translator of C bodies, when the models have any and the C parser loaded. */
  translateC?: CBodyTranslator;
}

export async function prepareC(options: { apiFiles: readonly string[]; readsCFiles: boolean; modelTexts: readonly string[] }): Promise<CSupport> {
  const support: CSupport = { problems: [] };
  if (options.readsCFiles || options.apiFiles.length > 0) {
    const loaded = await loadCFrontEnd(options.apiFiles);
    if (loaded.problems.length > 0) return { problems: loaded.problems };
    support.frontEnd = loaded.frontEnd;
  }
  if (options.modelTexts.some(hasCBody)) {
    const loaded = await loadCBodySupport([...options.apiFiles]);
    support.translateC = loaded.translateC;
    if (loaded.problem) support.warning = `lifetime: ${loaded.problem}; models with C bodies are not checked\n`;
  }
  return support;
}

export function problemLines(problems: readonly InputProblem[]): string {
  return problems.map((problem) => `lifetime: ${problem.path}: ${problem.reason}\n`).join('');
}
