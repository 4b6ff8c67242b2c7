// The parser's foundation: the significant tokens scanned on demand and the moves over them,
// diagnostics (at most one per position) and error recovery by skipping, and the leaves of the tree
// (names, literals, places). The grammar's layers build on it: parseExpressions.ts,
// parseKernelStatements.ts, parseStatements.ts, parseDeclarations.ts, then parser.ts.

import { CODES, type CodeInfo, type Diagnostic, makeDiagnostic } from '../diagnostics/codes';
import type { Block, ErrorNode, Identifier, MissingExpression, NumberLiteral, Place, StringLiteral } from './ast';
import { MAX_NUMBER, Scanner, stringValue } from './lexer';
import { ListStack } from './listStack';
import { NameTable } from './nameTable';
import { TokenStore } from './tokenStore';
import { resized } from '../util/typedArrays';
import { describeToken, TokenKind, type Token } from './tokens';
import { MAX_NESTING } from './parserWords';

export abstract class ParserCore {
  protected readonly scanner: Scanner;
  /** Every token scanned so far, trivia included. */
  protected readonly tokens: TokenStore;
  /**
   * The significant (non-trivia) tokens scanned so far, in order, as parallel arrays: kind, range
   * and index in `tokens`. `cur` indexes them; `sigCount` is how many there are.
   */
  protected sigKind: Uint8Array;
  protected sigStart: Int32Array;
  protected sigEnd: Int32Array;
  protected sigIndex: Int32Array;
  /** For Identifier tokens, the hash of the name (see `NameTable`). */
  protected sigNameHash: Int32Array;
  protected sigCount = 0;
  protected cur = 0;
  /** End offset of the last consumed significant token: where zero-width missing nodes go. */
  protected lastEnd = 0;
  protected depth = 0;
  /** The significant-token position whose word is cached in `cachedWord` (-1: none). */
  protected cachedWordAt = -1;
  protected cachedWord = '';
  protected readonly diagnostics: Diagnostic[] = [];
  protected readonly errorPositions = new Set<number>();
  protected readonly names: NameTable;
  protected readonly lists = new ListStack();

  constructor(protected readonly text: string) {
    this.names = new NameTable(text);
    this.scanner = new Scanner(text, (info, message, start, end) => this.error(info, message, start, end));
    // Every token but EOF takes at least one character, so the token store never grows; models
    // take more than two characters per significant token, so those arrays rarely do. Large typed
    // arrays are zero pages until written: room a file does not use costs next to nothing.
    const capacity = text.length + 1;
    this.tokens = new TokenStore(capacity);
    const sigCapacity = (text.length >> 1) + 16;
    this.sigKind = new Uint8Array(sigCapacity);
    this.sigStart = new Int32Array(sigCapacity);
    this.sigEnd = new Int32Array(sigCapacity);
    this.sigIndex = new Int32Array(sigCapacity);
    this.sigNameHash = new Int32Array(sigCapacity);
  }

  /**
   * The position in the significant-token arrays of the token `offset` places ahead of the current
   * one, scanning on demand; past the end of the file, the position of EOF.
   */
  protected at(offset: number): number {
    const index = this.cur + offset;
    while (index >= this.sigCount) {
      const count = this.sigCount;
      if (count > 0 && this.sigKind[count - 1] === TokenKind.EOF) return count - 1;
      this.scanSignificant();
    }
    return index;
  }

  protected scanSignificant(): void {
    const scanner = this.scanner;
    for (;;) {
      const kind = scanner.scanKind();
      const start = scanner.tokenStart;
      const end = scanner.position;
      const index = this.tokens.push(kind, start, end);
      if (kind !== TokenKind.Whitespace && kind !== TokenKind.LineComment && kind !== TokenKind.BlockComment) {
        this.pushSignificant(kind, start, end, index, scanner.tokenNameHash);
        return;
      }
    }
  }

  protected pushSignificant(kind: TokenKind, start: number, end: number, index: number, nameHash: number): void {
    const count = this.sigCount;
    if (count === this.sigKind.length) this.growSignificant();
    this.sigKind[count] = kind;
    this.sigStart[count] = start;
    this.sigEnd[count] = end;
    this.sigIndex[count] = index;
    this.sigNameHash[count] = nameHash;
    this.sigCount = count + 1;
  }

  protected growSignificant(): void {
    const size = this.sigKind.length * 2;
    this.sigKind = resized(this.sigKind, size);
    this.sigStart = resized(this.sigStart, size);
    this.sigEnd = resized(this.sigEnd, size);
    this.sigIndex = resized(this.sigIndex, size);
    this.sigNameHash = resized(this.sigNameHash, size);
  }

  /** The significant token `offset` places ahead of the current one, as the file's token object. */
  protected token(offset = 0): Token {
    // The index first: scanning may replace the arrays.
    const i = this.at(offset);
    return this.tokens.object(this.sigIndex[i]);
  }

  /** The significant tokens in [from, to) as the file's token objects. */
  protected tokensBetween(from: number, to: number): Token[] {
    const tokens: Token[] = [];
    for (let i = from; i < to; i++) tokens.push(this.tokens.object(this.sigIndex[i]));
    return tokens;
  }

  protected kind(offset = 0): TokenKind {
    const i = this.at(offset);
    return this.sigKind[i];
  }

  /** Where the current token starts. */
  protected startHere(): number {
    const i = this.at(0);
    return this.sigStart[i];
  }

  /** Consumes the current token (never EOF) and returns where it started. */
  protected advance(): number {
    const i = this.at(0);
    const start = this.sigStart[i];
    if (this.sigKind[i] !== TokenKind.EOF) {
      this.cur++;
      this.lastEnd = this.sigEnd[i];
    }
    return start;
  }

  /** Consumes the current token (never EOF) and returns it as the file's token object. */
  protected advanceToken(): Token {
    const token = this.token();
    this.advance();
    return token;
  }

  /** The current token's text when it is a word, else ''. The last answer is cached: callers ask repeatedly. */
  protected word(offset = 0): string {
    const i = this.at(offset);
    if (i === this.cachedWordAt) return this.cachedWord;
    const word = this.sigKind[i] === TokenKind.Identifier ? this.names.intern(this.sigStart[i], this.sigEnd[i], this.sigNameHash[i]) : '';
    this.cachedWordAt = i;
    this.cachedWord = word;
    return word;
  }

  protected isWord(word: string, offset = 0): boolean {
    const i = this.at(offset);
    const start = this.sigStart[i];
    return this.sigKind[i] === TokenKind.Identifier && this.sigEnd[i] - start === word.length && this.text.startsWith(word, start);
  }

  protected consume(kind: TokenKind): boolean {
    if (this.kind() !== kind) return false;
    this.advance();
    return true;
  }

  protected consumeWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.advance();
    return true;
  }

  /** Consumes `kind` or reports what was expected instead; returns whether it was there. */
  protected expect(kind: TokenKind, what: string): boolean {
    if (this.consume(kind)) return true;
    this.errorAtCurrent(CODES.unexpectedToken, `Expected ${what}`);
    return false;
  }

  protected expectWord(word: string, context: string): boolean {
    if (this.consumeWord(word)) return true;
    this.errorAtCurrent(CODES.unexpectedToken, `Expected '${word}' ${context}`);
    return false;
  }

  /**
   * Re-scans the `{` that follows the current `c` as one C body token. Only the `{` itself has
   * been scanned beyond `c`, so dropping it from the buffers loses nothing else.
   */
  protected rescanAsCBlock(): Token {
    const brace = this.at(1);
    this.tokens.truncate(this.sigIndex[brace]);
    this.sigCount = this.cur + 1;
    if (this.cachedWordAt >= this.sigCount) this.cachedWordAt = -1;
    this.scanner.resetTo(this.sigStart[brace]);
    const block = this.scanner.scanCBlock();
    const index = this.tokens.push(block.kind, block.start, block.end);
    this.pushSignificant(block.kind, block.start, block.end, index, 0);
    return block;
  }

  protected error(info: CodeInfo, message: string, start: number, end: number): void {
    if (this.errorPositions.has(start)) return;
    this.errorPositions.add(start);
    this.diagnostics.push(makeDiagnostic(info, message, start, end));
  }

  /** Reports at the current token: "`message` but found X." */
  protected errorAtCurrent(info: CodeInfo, message: string): void {
    const token = this.token();
    const found = describeToken(this.text, token);
    this.error(info, `${message} but found ${found}.`, token.start, token.end);
  }

  /** Skips tokens (at least one unless at EOF) until `stop` holds; brackets skipped balance. */
  protected skipUntil(stop: () => boolean): ErrorNode {
    const skipped: Token[] = [];
    const start = this.startHere();
    do {
      const token = this.token();
      if (token.kind === TokenKind.EOF) break;
      skipped.push(this.advanceToken());
    } while (!stop());
    return this.errorNode(start, skipped);
  }

  /**
   * Skips a bracketed group starting at the current opening bracket, up to and including its
   * matching close (or the end of the file), without recursion.
   */
  protected skipGroup(): ErrorNode {
    return this.skipBalanced(true);
  }

  /** Skips to the `}` that closes the enclosing block (not consumed) or the end of the file. */
  protected skipToEnclosingClose(): ErrorNode {
    return this.skipBalanced(false);
  }

  /**
   * Skips tokens while tracking bracket depth. With `oneGroup` it stops after the close that brings
   * the depth back to zero; otherwise it stops before a `}` met at depth zero.
   */
  protected skipBalanced(oneGroup: boolean): ErrorNode {
    const skipped: Token[] = [];
    const start = this.startHere();
    let depth = 0;
    for (;;) {
      const kind = this.kind();
      if (kind === TokenKind.EOF) break;
      if (kind === TokenKind.LBrace || kind === TokenKind.LParen || kind === TokenKind.LBracket) depth++;
      else if (kind === TokenKind.RBrace || kind === TokenKind.RParen || kind === TokenKind.RBracket) {
        if (!oneGroup && depth === 0 && kind === TokenKind.RBrace) break;
        depth--;
      }
      skipped.push(this.advanceToken());
      if (oneGroup && depth <= 0) break;
    }
    return this.errorNode(start, skipped);
  }

  protected errorNode(start: number, skipped: Token[]): ErrorNode {
    return { kind: 'Error', start, end: skipped.length > 0 ? this.lastEnd : start, tokens: skipped };
  }

  protected tooDeep(what: string): void {
    const token = this.token();
    this.error(CODES.tooDeep, `${what} nests deeper than ${MAX_NESTING} levels; the parser skips it.`, token.start, token.end);
  }

  /**
   * Whether the current token begins an item: an item word (`new` only before another word). In a
   * statement block a word followed by `(`, `.` or `=` is a name in a statement instead.
   */
  protected isItemStart(words: Set<string>, inStatements = false): boolean {
    if (this.kind() !== TokenKind.Identifier) return false;
    const word = this.word();
    if (!words.has(word)) return false;
    if (word === 'new') return this.kind(1) === TokenKind.Identifier;
    return !inStatements || !this.isUsedAsName();
  }

  protected missingIdentifier(): Identifier {
    return { kind: 'Identifier', start: this.lastEnd, end: this.lastEnd, text: '', missing: true };
  }

  /** `what` describes the expected name for the diagnostic; `%s` in it stands for `detail`. */
  protected parseIdentifier(what: string, detail = ''): Identifier {
    const i = this.at(0);
    if (this.sigKind[i] === TokenKind.Identifier) {
      const text = this.word();
      this.advance();
      return { kind: 'Identifier', start: this.sigStart[i], end: this.sigEnd[i], text };
    }
    this.errorAtCurrent(CODES.missingName, `Expected ${what.replace('%s', detail)}`);
    return this.missingIdentifier();
  }

  protected parseStringLiteral(): StringLiteral {
    const start = this.advance();
    const end = this.lastEnd;
    return { kind: 'StringLiteral', start, end, value: stringValue(this.text, start, end) };
  }

  protected parseOptionalString(): StringLiteral | undefined {
    return this.kind() === TokenKind.String ? this.parseStringLiteral() : undefined;
  }

  protected numberValue(start: number, tokenEnd: number): number {
    let end = start;
    if (this.text.charCodeAt(end) === 45) end++;
    while (end < tokenEnd) {
      const ch = this.text.charCodeAt(end);
      if (ch < 48 || ch > 57) break;
      end++;
    }
    const value = Number(this.text.slice(start, end));
    if (!Number.isFinite(value)) return 0;
    return Math.max(-MAX_NUMBER, Math.min(MAX_NUMBER, value));
  }

  protected parseNumberLiteral(what: string): NumberLiteral | undefined {
    if (this.kind() !== TokenKind.Number) {
      this.errorAtCurrent(CODES.unexpectedToken, `Expected ${what}`);
      return undefined;
    }
    const start = this.advance();
    const end = this.lastEnd;
    return { kind: 'NumberLiteral', start, end, value: this.numberValue(start, end) };
  }

  /** A required number; a missing one is a zero-width 0 after the error. */
  protected parseRequiredNumber(what: string): NumberLiteral {
    return this.parseNumberLiteral(what) ?? { kind: 'NumberLiteral', start: this.lastEnd, end: this.lastEnd, value: 0 };
  }

  protected parsePlace(what: string, detail = ''): Place {
    const first = this.parseIdentifier(what, detail);
    if (this.kind() !== TokenKind.Dot) return { kind: 'Place', start: first.start, end: first.end, segments: [first] };
    const mark = this.lists.mark();
    this.lists.push(first);
    let last = first;
    while (this.kind() === TokenKind.Dot) {
      this.advance();
      last = this.parseIdentifier("a member name after '.'");
      this.lists.push(last);
    }
    return { kind: 'Place', start: first.start, end: last.end, segments: this.lists.take(mark) };
  }

  /** Consumes the `}` that closes a body, or reports it missing. */
  protected expectClose(context: string): void {
    if (this.consume(TokenKind.RBrace)) return;
    this.errorAtCurrent(CODES.unexpectedToken, `Expected '}' ${context}`);
  }

  protected emptyBlock(): Block {
    return { kind: 'Block', start: this.lastEnd, end: this.lastEnd, statements: [] };
  }

  /** Whether the current word is used as a name: followed by `(`, `.` or `=`. */
  protected isUsedAsName(): boolean {
    const next = this.kind(1);
    return next === TokenKind.LParen || next === TokenKind.Dot || next === TokenKind.Assign;
  }

  /** Sets a node's end to the end of the last consumed token, once its children are parsed. */
  protected finish<T extends { end: number }>(node: T): T {
    node.end = this.lastEnd;
    return node;
  }

  protected missingExpression(): MissingExpression {
    return { kind: 'MissingExpression', start: this.lastEnd, end: this.lastEnd };
  }
}
