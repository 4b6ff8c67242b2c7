// Structural properties every parse must have, whatever the input: the tokens reproduce the text,
// every significant token lies inside a top-level item, node ranges nest and are ordered, and
// diagnostics are well formed with at most one syntax diagnostic per position.

import type { Node } from '../../server/src/core/syntax/ast';
import { codeInfo, type Diagnostic } from '../../server/src/core/diagnostics/codes';
import type { ParseResult } from '../../server/src/core/syntax/parser';
import { isTrivia, TokenKind } from '../../server/src/core/syntax/tokens';
import { forEachChild } from '../../server/src/core/syntax/walk';

/** Returns a description of each broken property (empty when the parse is sound); stops after a few. */
export function treeProblems(text: string, result: ParseResult): string[] {
  const problems: string[] = [];
  const add = (problem: string): boolean => {
    problems.push(problem);
    return problems.length >= 5;
  };
  const { file, diagnostics } = result;

  if (file.start !== 0 || file.end !== text.length) add(`root range [${file.start}, ${file.end}) is not the whole text of length ${text.length}`);
  if (file.text !== text) add('file.text differs from the input');

  // Tokens: contiguous from 0, ending with one zero-width EOF at the end of the text.
  const tokens = file.tokens;
  let pos = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.start !== pos && add(`token ${i} starts at ${token.start}, expected ${pos}`)) return problems;
    if (token.end < token.start && add(`token ${i} ends before it starts`)) return problems;
    if (token.kind === TokenKind.EOF && i !== tokens.length - 1 && add(`EOF token at index ${i} is not last`)) return problems;
    if (token.kind !== TokenKind.EOF && token.end === token.start && add(`zero-width token ${i} of kind ${token.kind}`)) return problems;
    pos = token.end;
  }
  const last = tokens[tokens.length - 1];
  if (!last || last.kind !== TokenKind.EOF || last.start !== text.length) add('the token stream does not end with EOF at the end of the text');
  if (pos !== text.length) add(`tokens cover ${pos} of ${text.length} characters`);

  // Every significant token lies inside some top-level item, except `;` separators between items.
  const items = file.items;
  let itemIndex = 0;
  for (const token of tokens) {
    if (token.kind === TokenKind.EOF || isTrivia(token.kind)) continue;
    while (itemIndex < items.length && items[itemIndex].end <= token.start) itemIndex++;
    const item = items[itemIndex];
    const inside = item !== undefined && item.start <= token.start && token.end <= item.end;
    if (!inside && token.kind !== TokenKind.Semicolon) {
      if (add(`token [${token.start}, ${token.end}) ${JSON.stringify(text.slice(token.start, token.end).slice(0, 20))} lies in no item`)) return problems;
    }
  }

  // Node ranges: non-negative width, inside the parent, children in order. Iterative, no recursion.
  const stack: Node[] = [file];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    let previousEnd = node.start;
    let previousKind = '';
    forEachChild(node, (child) => {
      if (child.end < child.start) return add(`${child.kind} [${child.start}, ${child.end}) has negative width`) || undefined;
      if (child.start < node.start || child.end > node.end) {
        return add(`${child.kind} [${child.start}, ${child.end}) is outside its parent ${node.kind} [${node.start}, ${node.end})`) || undefined;
      }
      if (child.start < previousEnd) {
        return add(`${child.kind} [${child.start}, ${child.end}) starts before the previous child ${previousKind} ends at ${previousEnd}`) || undefined;
      }
      previousEnd = child.end;
      previousKind = child.kind;
      stack.push(child);
      return undefined;
    });
    if (problems.length >= 5) return problems;
  }

  // Diagnostics: inside the text, with a known code, sorted, one syntax diagnostic per position.
  let previousStart = -1;
  const syntaxStarts = new Set<number>();
  for (const diagnostic of diagnostics) {
    if (diagnostic.start < 0 || diagnostic.end > text.length || diagnostic.end < diagnostic.start) add(`diagnostic ${diagnostic.code} has range [${diagnostic.start}, ${diagnostic.end})`);
    if (!codeInfo(diagnostic.code)) add(`unknown code ${diagnostic.code}`);
    if (diagnostic.message.length === 0) add(`diagnostic ${diagnostic.code} has no message`);
    if (diagnostic.start < previousStart) add('diagnostics are not sorted by position');
    previousStart = diagnostic.start;
    if (diagnostic.code.startsWith('LT1')) {
      if (syntaxStarts.has(diagnostic.start)) add(`two syntax diagnostics at offset ${diagnostic.start}`);
      syntaxStarts.add(diagnostic.start);
    }
    if (problems.length >= 5) return problems;
  }
  return problems;
}

/** Returns problems with a checker's diagnostics: inside the text, known codes, messages present. */
export function diagnosticProblems(text: string, diagnostics: readonly Diagnostic[]): string[] {
  const problems: string[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.start < 0 || diagnostic.end > text.length || diagnostic.end < diagnostic.start) {
      problems.push(`diagnostic ${diagnostic.code} has range [${diagnostic.start}, ${diagnostic.end}) in a text of length ${text.length}`);
    }
    if (!codeInfo(diagnostic.code)) problems.push(`unknown code ${diagnostic.code}`);
    if (/internal/i.test(diagnostic.message)) problems.push(`internal error reported: ${diagnostic.message}`);
  }
  return problems;
}
