// Calls written in the kernel C of a `c { ... }` body: finding the call under the cursor.

import type { CBody } from '../syntax/ast';
import type { Analysis } from './analysis';
import { walk } from './nodes';

export interface CCallSite {
  name: string;
  start: number;
  end: number;
  body: CBody;
}

/** The C body around an offset, if any. */
export function cBodyAt(analysis: Analysis, offset: number): CBody | undefined {
  let found: CBody | undefined;
  walk(analysis.file, (node) => {
    if (found || node.end < offset || node.start > offset) return false;
    if (node.kind === 'CBody') found = node;
    return undefined;
  });
  return found;
}

/** The identifier under the cursor in a C body when it is followed by `(`: a call. */
export function cCallAt(analysis: Analysis, offset: number): CCallSite | undefined {
  const body = cBodyAt(analysis, offset);
  if (!body) return undefined;
  const text = analysis.text;
  const isWord = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9_]/.test(ch);
  let start = offset;
  while (start > body.codeStart && isWord(text[start - 1])) start--;
  let end = offset;
  while (end < body.codeStart + body.code.length && isWord(text[end])) end++;
  if (start === end || /[0-9]/.test(text[start])) return undefined;
  let after = end;
  while (text[after] === ' ' || text[after] === '\t') after++;
  if (text[after] !== '(') return undefined;
  return { name: text.slice(start, end), start, end, body };
}
