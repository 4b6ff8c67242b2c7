// Test helpers for the editor features: `|` marks the cursor in a model's text.

import type { Analysis } from '../../server/src/core/features/analysis';
import { analyzeText } from '../../server/src/core/features/analysis';
import { runEngineOnText } from '../../server/src/core/features/runEngine';

export interface Cursor {
  text: string;
  offset: number;
}

/** Removes the one `|` from a text and returns the text and the cursor's offset. */
export function cursor(marked: string): Cursor {
  const offset = marked.indexOf('|');
  if (offset < 0 || marked.indexOf('|', offset + 1) >= 0) throw new Error('a cursor test text needs exactly one | marker');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

/** Parse, semantic check and a complete engine run with per-step facts. */
export function checked(text: string): Analysis {
  return runEngineOnText(text, { collectFacts: true, maxStates: 200_000, timeoutMs: 20_000 }).analysis;
}

/** Parse and semantic check only. */
export function parsed(text: string): Analysis {
  return analyzeText(text);
}

export function checkWith(text: string, proposals: string[] | undefined) {
  return runEngineOnText(text, { maxStates: 200_000, timeoutMs: 20_000, proposals });
}

export { UAF_MODEL } from '../lsp/models';
