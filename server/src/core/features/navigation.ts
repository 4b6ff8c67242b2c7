// Go to definition, find references and rename, over the semantic model's declarations and
// references. Renaming refuses keywords and names that are not names.

import { isKeyword } from '../syntax/tokens';
import type { Declaration } from '../semantic/model';
import type { Analysis } from './analysis';
import { toRange } from './ranges';
import type { Range, Refusal, RenameResult } from './types';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z][A-Za-z0-9_]*)*$/;

export function definitionAt(analysis: Analysis, offset: number): Range[] {
  const declaration = analysis.semantic.model.declarationAt(offset);
  if (!declaration) return [];
  return [toRange(analysis.lines, declaration.nameStart, declaration.nameEnd)];
}

/**
 * Declarations that are one symbol to the user: a proposal's replacement of an item shares the
 * baseline item's name and is renamed with it, so that overrides keep matching.
 */
function sameSymbol(analysis: Analysis, declaration: Declaration): Declaration[] {
  const declarations = analysis.semantic.model.declarations;
  const itemClass = (kind: string) => (kind === 'static' ? 'object' : kind);
  if (['object', 'static', 'fn', 'thread', 'device'].includes(declaration.kind)) {
    return declarations.filter((d) => d.name === declaration.name && itemClass(d.kind) === itemClass(declaration.kind));
  }
  if (declaration.kind === 'member' && declaration.container !== undefined) {
    const owner = declarations[declaration.container];
    return declarations.filter((d) => {
      if (d.kind !== 'member' || d.name !== declaration.name || d.container === undefined) return false;
      const otherOwner = declarations[d.container];
      return otherOwner.name === owner.name;
    });
  }
  return [declaration];
}

export function occurrences(analysis: Analysis, declaration: Declaration, includeDeclaration: boolean): { start: number; end: number }[] {
  const model = analysis.semantic.model;
  const spans: { start: number; end: number }[] = [];
  for (const d of sameSymbol(analysis, declaration)) {
    if (includeDeclaration && d.nameEnd > d.nameStart) spans.push({ start: d.nameStart, end: d.nameEnd });
    for (const reference of model.referencesTo(d.id)) spans.push({ start: reference.start, end: reference.end });
  }
  if (declaration.kind === 'proposal' || declaration.kind === 'model') {
    // Expectations name proposals; the checker may or may not record them as references.
    for (const item of analysis.file.items) {
      if (item.kind === 'ExpectDecl' && item.proposal.text === declaration.name && declaration.kind === 'proposal') spans.push({ start: item.proposal.start, end: item.proposal.end });
    }
  }
  const unique = new Map<string, { start: number; end: number }>();
  for (const span of spans) unique.set(`${span.start}:${span.end}`, span);
  return [...unique.values()].sort((a, b) => a.start - b.start);
}

export function referencesAt(analysis: Analysis, offset: number, includeDeclaration: boolean): Range[] {
  const declaration = analysis.semantic.model.declarationAt(offset);
  if (!declaration) return [];
  return occurrences(analysis, declaration, includeDeclaration).map((span) => toRange(analysis.lines, span.start, span.end));
}

/** The word around an offset (names may contain `-` followed by a letter). */
export function wordAt(text: string, offset: number): { word: string; start: number; end: number } | undefined {
  const isWord = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9_-]/.test(ch);
  let start = offset;
  while (start > 0 && isWord(text[start - 1])) start--;
  let end = offset;
  while (end < text.length && isWord(text[end])) end++;
  if (start === end) return undefined;
  return { word: text.slice(start, end), start, end };
}

function nothingToRename(analysis: Analysis, offset: number): Refusal {
  const word = wordAt(analysis.text, offset);
  if (word && isKeyword(word.word)) return { error: `"${word.word}" is a keyword of the language and cannot be renamed; only declared names can.` };
  return { error: 'Nothing to rename here: put the cursor on a declared name.' };
}

/** The range of the name that a rename at `offset` would change, or why there is none. */
export function prepareRenameAt(analysis: Analysis, offset: number): { range: Range; placeholder: string } | Refusal {
  const model = analysis.semantic.model;
  const declaration = model.declarationAt(offset);
  if (!declaration) return nothingToRename(analysis, offset);
  if (declaration.kind === 'model') return { error: 'The model name is not referenced anywhere; edit it in place.' };
  const reference = model.referenceAt(offset);
  const start = reference ? reference.start : declaration.nameStart;
  const end = reference ? reference.end : declaration.nameEnd;
  return { range: toRange(analysis.lines, start, end), placeholder: analysis.text.slice(start, end) };
}

export function renameAt(analysis: Analysis, offset: number, newName: string): RenameResult | Refusal {
  const declaration = analysis.semantic.model.declarationAt(offset);
  if (!declaration) return nothingToRename(analysis, offset);
  if (declaration.kind === 'model') return { error: 'The model name is not referenced anywhere; edit it in place.' };
  if (!NAME.test(newName)) return { error: `"${newName}" is not a valid name: use a letter or _ then letters, digits, _ (a - must be followed by a letter).` };
  if (isKeyword(newName)) return { error: `"${newName}" is a keyword of the language; choose another name.` };
  if (newName === 'baseline') return { error: '"baseline" names the model without proposals; choose another name.' };
  const edits = occurrences(analysis, declaration, true).map((span) => ({ range: toRange(analysis.lines, span.start, span.end), newText: newName }));
  return { edits };
}
