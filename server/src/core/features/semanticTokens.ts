// Semantic tokens. Words are keywords only where the grammar expects one, so the editor's regular
// expression grammar cannot tell `lock` the statement from `lock` the member; this can.

import { TokenKind } from '../syntax/tokens';
import type { DeclarationKind } from '../semantic/model';
import type { Analysis } from './analysis';
import { walk } from './nodes';

export const SEMANTIC_TOKEN_TYPES = [
  'namespace', 'class', 'struct', 'property', 'enumMember', 'function', 'parameter', 'variable', 'interface', 'keyword', 'number', 'string',
] as const;
export const SEMANTIC_TOKEN_MODIFIERS = ['declaration', 'readonly', 'static'] as const;

type TokenType = (typeof SEMANTIC_TOKEN_TYPES)[number];

const TYPE_OF_KIND: Record<DeclarationKind, TokenType> = {
  model: 'namespace',
  module: 'namespace',
  object: 'class',
  static: 'struct',
  member: 'property',
  fn: 'function',
  param: 'parameter',
  thread: 'variable',
  device: 'interface',
  proposal: 'namespace',
  local: 'variable',
  'state-value': 'enumMember',
};

interface Classified {
  start: number;
  end: number;
  type: TokenType;
  modifiers: number;
}

const DECLARATION = 1;
const STATIC = 4;

/** The classified ranges, before encoding; exported for tests. */
export function classifyTokens(analysis: Analysis): Classified[] {
  const model = analysis.semantic.model;
  const byStart = new Map<number, Classified>();
  for (const declaration of model.declarations) {
    if (declaration.nameEnd <= declaration.nameStart) continue;
    byStart.set(declaration.nameStart, {
      start: declaration.nameStart,
      end: declaration.nameEnd,
      type: TYPE_OF_KIND[declaration.kind],
      modifiers: DECLARATION | (declaration.kind === 'static' ? STATIC : 0),
    });
  }
  for (const reference of model.references) {
    const declaration = model.declarations[reference.declaration];
    if (!declaration || byStart.has(reference.start)) continue;
    byStart.set(reference.start, { start: reference.start, end: reference.end, type: TYPE_OF_KIND[declaration.kind], modifiers: declaration.kind === 'static' ? STATIC : 0 });
  }
  // Names in the tree that resolve to nothing: expectation outcomes, undefined names.
  const names = new Set<number>();
  walk(analysis.file, (node, parent) => {
    if (node.kind === 'CBody') return false;
    if (node.kind === 'Identifier') {
      names.add(node.start);
      if (!byStart.has(node.start) && !node.missing && parent?.kind === 'ExpectDecl' && parent.outcome === node) {
        byStart.set(node.start, { start: node.start, end: node.end, type: 'enumMember', modifiers: 0 });
      }
    }
    return undefined;
  });
  for (const token of analysis.file.tokens) {
    if (byStart.has(token.start)) continue;
    if (token.kind === TokenKind.Identifier && !names.has(token.start)) byStart.set(token.start, { start: token.start, end: token.end, type: 'keyword', modifiers: 0 });
    else if (token.kind === TokenKind.Number) byStart.set(token.start, { start: token.start, end: token.end, type: 'number', modifiers: 0 });
    else if (token.kind === TokenKind.String) byStart.set(token.start, { start: token.start, end: token.end, type: 'string', modifiers: 0 });
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** LSP's relative encoding: five integers per token. */
export function semanticTokens(analysis: Analysis): number[] {
  const data: number[] = [];
  let previousLine = 0;
  let previousChar = 0;
  let previousEnd = -1;
  for (const token of classifyTokens(analysis)) {
    if (token.start < previousEnd) continue;
    const start = analysis.lines.positionAt(token.start);
    const end = analysis.lines.positionAt(token.end);
    if (end.line !== start.line || token.end <= token.start) continue;
    data.push(start.line - previousLine, start.line === previousLine ? start.character - previousChar : start.character, token.end - token.start, SEMANTIC_TOKEN_TYPES.indexOf(token.type), token.modifiers);
    previousLine = start.line;
    previousChar = start.character;
    previousEnd = token.end;
  }
  return data;
}
