// Document formatting from the token stream: each line re-indented by brace depth, single spaces
// between tokens by fixed rules, at most one blank line in a row, comments and C bodies kept as
// written. Line breaks stay where the author put them, with one addition: the closing brace of a
// block that spans lines goes on a line of its own. Formatting twice changes nothing.

import { CODES } from '../diagnostics/codes';
import { isKeyword, TokenKind, type Token } from '../syntax/tokens';
import type { Analysis } from './analysis';
import { toRange } from './ranges';
import type { TextEdit } from './types';

export interface FormatOptions {
  tabSize: number;
  insertSpaces: boolean;
}

/** Syntax errors after which token boundaries are not trustworthy enough to respace. */
const UNSAFE_CODES = new Set([CODES.unterminatedString.code, CODES.unterminatedComment.code, CODES.unterminatedCBody.code]);

const OPENERS = new Set([TokenKind.LBrace, TokenKind.LParen, TokenKind.LBracket]);
const CLOSERS = new Set([TokenKind.RBrace, TokenKind.RParen, TokenKind.RBracket]);
/** Keywords after which `(` is an expression's parenthesis, not a call's. */
const SPACE_BEFORE_PAREN = new Set(['if', 'while', 'until', 'assert', 'return', 'or', 'maybe', 'choose', 'atomic', 'else']);

function spaceBetween(text: string, left: Token, right: Token): string {
  const l = left.kind;
  const r = right.kind;
  const leftText = text.slice(left.start, left.end);
  if (r === TokenKind.Comma || r === TokenKind.Semicolon || r === TokenKind.Colon) return '';
  if (r === TokenKind.Dot || l === TokenKind.Dot || r === TokenKind.DotDot || l === TokenKind.DotDot) return '';
  if (l === TokenKind.LParen || l === TokenKind.LBracket || r === TokenKind.RParen || r === TokenKind.RBracket) return '';
  if (l === TokenKind.Bang) return '';
  if (r === TokenKind.LParen) return l === TokenKind.Identifier && !SPACE_BEFORE_PAREN.has(leftText) ? '' : ' ';
  if (r === TokenKind.LBracket) return l === TokenKind.Identifier && !isKeyword(leftText) ? '' : ' ';
  if (l === TokenKind.LBrace && r === TokenKind.RBrace) return '';
  return ' ';
}

function countNewlines(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) count++;
    else if (ch === 13 && text.charCodeAt(i + 1) !== 10) count++;
  }
  return count;
}

/** The formatted text; the input unchanged when it cannot be formatted safely. */
export function formatText(analysis: Analysis, options: FormatOptions): string {
  const { text } = analysis;
  if (analysis.syntaxDiagnostics.some((d) => UNSAFE_CODES.has(d.code))) return text;
  const unit = options.insertSpaces ? ' '.repeat(Math.max(1, Math.min(options.tabSize || 2, 8))) : '\t';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines: string[] = [];
  let current = '';
  let depth = 0;
  let previous: Token | undefined;
  let pendingNewlines = 0;
  let gapBefore = '';
  /** Per open brace: whether a line break has been seen inside it. */
  const openBraces: boolean[] = [];
  const finishLine = () => {
    lines.push(current.replace(/[ \t]+$/, ''));
    current = '';
  };
  for (const token of analysis.file.tokens) {
    if (token.kind === TokenKind.EOF) break;
    if (token.kind === TokenKind.Whitespace) {
      pendingNewlines += countNewlines(text, token.start, token.end);
      gapBefore = text.slice(token.start, token.end);
      continue;
    }
    const tokenText = text.slice(token.start, token.end);
    if (pendingNewlines > 0) openBraces.fill(true);
    const closesBlockOfLines = token.kind === TokenKind.RBrace && openBraces.pop() === true;
    if (closesBlockOfLines && previous !== undefined && pendingNewlines === 0) pendingNewlines = 1;
    if (previous === undefined || pendingNewlines > 0) {
      if (previous !== undefined) {
        finishLine();
        if (pendingNewlines > 1) lines.push('');
      }
      const lineDepth = CLOSERS.has(token.kind) ? depth - 1 : depth;
      current = unit.repeat(Math.max(0, lineDepth)) + tokenText;
    } else if (token.kind === TokenKind.LineComment || token.kind === TokenKind.BlockComment) {
      // A trailing comment keeps its distance, so aligned comments stay aligned.
      current += gapBefore.length > 0 ? gapBefore.replace(/[\r\n]/g, '') : ' ';
      current += tokenText;
    } else {
      current += spaceBetween(text, previous, token) + tokenText;
    }
    if (token.kind === TokenKind.LBrace) openBraces.push(false);
    if (OPENERS.has(token.kind)) depth++;
    else if (CLOSERS.has(token.kind)) depth = Math.max(0, depth - 1);
    pendingNewlines = 0;
    gapBefore = '';
    previous = token;
  }
  if (previous !== undefined) finishLine();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : lines.join(eol) + eol;
}

export function formatDocument(analysis: Analysis, options: FormatOptions): TextEdit[] {
  const formatted = formatText(analysis, options);
  if (formatted === analysis.text) return [];
  return [{ range: toRange(analysis.lines, 0, analysis.text.length), newText: formatted }];
}
