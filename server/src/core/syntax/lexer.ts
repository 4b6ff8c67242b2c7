// The `.lifetime` scanner.
//
// The scanner produces one token at a time, trivia included, so that the token texts concatenate to
// the input. It never reserves words: every word is an Identifier. C bodies are scanned only when the
// parser asks for one (`scanCBlock`), because whether `{` opens a C body depends on the grammar.

import { CODES, type CodeInfo, type Diagnostic, makeDiagnostic } from '../diagnostics/codes';
import { TokenKind, type Token } from './tokens';

/** The largest number literal the language accepts; models count small things. */
export const MAX_NUMBER = 2147483647;

export type LexicalReporter = (info: CodeInfo, message: string, start: number, end: number) => void;

const enum Ch {
  Tab = 9,
  LineFeed = 10,
  VerticalTab = 11,
  FormFeed = 12,
  CarriageReturn = 13,
  Space = 32,
  Bang = 33,
  DoubleQuote = 34,
  Ampersand = 38,
  SingleQuote = 39,
  LParen = 40,
  RParen = 41,
  Asterisk = 42,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Digit0 = 48,
  Digit9 = 57,
  Colon = 58,
  Semicolon = 59,
  Less = 60,
  Equals = 61,
  Greater = 62,
  UpperA = 65,
  UpperZ = 90,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  Underscore = 95,
  LowerA = 97,
  LowerZ = 122,
  LBrace = 123,
  Bar = 124,
  RBrace = 125,
  NoBreakSpace = 0xa0,
  ByteOrderMark = 0xfeff,
}

function isLetter(ch: number): boolean {
  return (ch >= Ch.LowerA && ch <= Ch.LowerZ) || (ch >= Ch.UpperA && ch <= Ch.UpperZ);
}

function isDigit(ch: number): boolean {
  return ch >= Ch.Digit0 && ch <= Ch.Digit9;
}

function isNameStart(ch: number): boolean {
  return isLetter(ch) || ch === Ch.Underscore;
}

function isNamePart(ch: number): boolean {
  return isLetter(ch) || isDigit(ch) || ch === Ch.Underscore;
}

function isWhitespace(ch: number): boolean {
  return (
    ch === Ch.Space ||
    ch === Ch.LineFeed ||
    ch === Ch.Tab ||
    ch === Ch.CarriageReturn ||
    ch === Ch.VerticalTab ||
    ch === Ch.FormFeed ||
    ch === Ch.NoBreakSpace ||
    ch === Ch.ByteOrderMark
  );
}

function isLineBreak(ch: number): boolean {
  return ch === Ch.LineFeed || ch === Ch.CarriageReturn;
}

/** Whether `ch` can begin some token other than Unknown (used to end a run of unknown characters). */
function startsKnownToken(text: string, pos: number): boolean {
  const ch = text.charCodeAt(pos);
  if (isNameStart(ch) || isDigit(ch) || isWhitespace(ch)) return true;
  switch (ch) {
    case Ch.DoubleQuote:
    case Ch.LBrace:
    case Ch.RBrace:
    case Ch.LParen:
    case Ch.RParen:
    case Ch.LBracket:
    case Ch.RBracket:
    case Ch.Comma:
    case Ch.Semicolon:
    case Ch.Colon:
    case Ch.Dot:
    case Ch.Equals:
    case Ch.Less:
    case Ch.Greater:
    case Ch.Bang:
      return true;
    case Ch.Slash: {
      const next = text.charCodeAt(pos + 1);
      return next === Ch.Slash || next === Ch.Asterisk;
    }
    case Ch.Minus: {
      const next = text.charCodeAt(pos + 1);
      return next === Ch.Greater || isDigit(next);
    }
    case Ch.Ampersand:
      return text.charCodeAt(pos + 1) === Ch.Ampersand;
    case Ch.Bar:
      return text.charCodeAt(pos + 1) === Ch.Bar;
    default:
      return false;
  }
}

/** Resolves the escapes of a string token's text (quotes included or not) into its value. */
export function stringValue(text: string, start: number, end: number): string {
  const from = start + 1;
  let to = end;
  if (to > from && text.charCodeAt(to - 1) === Ch.DoubleQuote && !isEscaped(text, from, to - 1)) to--;
  let firstEscape = from;
  while (firstEscape < to && text.charCodeAt(firstEscape) !== Ch.Backslash) firstEscape++;
  if (firstEscape === to) return text.slice(from, to);
  let value = '';
  let chunk = from;
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) === Ch.Backslash && i + 1 < to) {
      const next = text.charCodeAt(i + 1);
      if (next === Ch.DoubleQuote || next === Ch.Backslash) {
        value += text.slice(chunk, i);
        chunk = i + 1;
        i++;
      }
    }
  }
  return value + text.slice(chunk, to);
}

/** Whether the character at `pos` is preceded by an odd number of backslashes after `from`. */
function isEscaped(text: string, from: number, pos: number): boolean {
  let count = 0;
  for (let i = pos - 1; i >= from && text.charCodeAt(i) === Ch.Backslash; i--) count++;
  return count % 2 === 1;
}

/** A name's hash is FNV-1a over its UTF-16 code units: this seed, then one step per code unit. */
const NAME_HASH_SEED = 0x811c9dc5;

function nameHashStep(hash: number, codeUnit: number): number {
  return Math.imul(hash ^ codeUnit, 0x01000193);
}

export class Scanner {
  private pos = 0;
  /** Where the token last returned by `scanKind` starts; it ends at `position`. */
  tokenStart = 0;
  /** For an Identifier token, the `nameHash` of its text, computed while scanning it. */
  tokenNameHash = 0;

  constructor(
    private readonly text: string,
    private readonly report: LexicalReporter,
  ) {}

  get position(): number {
    return this.pos;
  }

  /** Moves the scanner back (or forward) to `pos`; the parser uses this before `scanCBlock`. */
  resetTo(pos: number): void {
    this.pos = pos;
  }

  /** Scans the next token, trivia included. At the end it returns a zero-width EOF, repeatedly. */
  scan(): Token {
    const kind = this.scanKind();
    return { kind, start: this.tokenStart, end: this.pos };
  }

  /**
   * Scans the next token without allocating: returns its kind and leaves its range in
   * `tokenStart` and `position`. At the end it returns a zero-width EOF, repeatedly.
   */
  scanKind(): TokenKind {
    const text = this.text;
    const start = this.pos;
    if (start >= text.length) {
      this.tokenStart = text.length;
      this.pos = text.length;
      return TokenKind.EOF;
    }
    const ch = text.charCodeAt(start);

    if (isNameStart(ch)) return this.token(TokenKind.Identifier, start, this.scanNameEnd(start));
    if (isWhitespace(ch)) {
      let pos = start + 1;
      while (pos < text.length && isWhitespace(text.charCodeAt(pos))) pos++;
      return this.token(TokenKind.Whitespace, start, pos);
    }
    if (isDigit(ch)) return this.scanNumber(start, start);

    switch (ch) {
      case Ch.LBrace:
        return this.token(TokenKind.LBrace, start, start + 1);
      case Ch.RBrace:
        return this.token(TokenKind.RBrace, start, start + 1);
      case Ch.LParen:
        return this.token(TokenKind.LParen, start, start + 1);
      case Ch.RParen:
        return this.token(TokenKind.RParen, start, start + 1);
      case Ch.LBracket:
        return this.token(TokenKind.LBracket, start, start + 1);
      case Ch.RBracket:
        return this.token(TokenKind.RBracket, start, start + 1);
      case Ch.Comma:
        return this.token(TokenKind.Comma, start, start + 1);
      case Ch.Semicolon:
        return this.token(TokenKind.Semicolon, start, start + 1);
      case Ch.Colon:
        return this.token(TokenKind.Colon, start, start + 1);
      case Ch.Dot:
        if (text.charCodeAt(start + 1) === Ch.Dot) return this.token(TokenKind.DotDot, start, start + 2);
        return this.token(TokenKind.Dot, start, start + 1);
      case Ch.Equals:
        if (text.charCodeAt(start + 1) === Ch.Equals) return this.token(TokenKind.EqEq, start, start + 2);
        return this.token(TokenKind.Assign, start, start + 1);
      case Ch.Bang:
        if (text.charCodeAt(start + 1) === Ch.Equals) return this.token(TokenKind.NotEq, start, start + 2);
        return this.token(TokenKind.Bang, start, start + 1);
      case Ch.Less:
        if (text.charCodeAt(start + 1) === Ch.Equals) return this.token(TokenKind.LessEq, start, start + 2);
        return this.token(TokenKind.Less, start, start + 1);
      case Ch.Greater:
        if (text.charCodeAt(start + 1) === Ch.Equals) return this.token(TokenKind.GreaterEq, start, start + 2);
        return this.token(TokenKind.Greater, start, start + 1);
      case Ch.DoubleQuote:
        return this.scanString(start);
      case Ch.Slash: {
        const next = text.charCodeAt(start + 1);
        if (next === Ch.Slash) return this.scanLineComment(start);
        if (next === Ch.Asterisk) return this.scanBlockComment(start);
        break;
      }
      case Ch.Minus: {
        const next = text.charCodeAt(start + 1);
        if (next === Ch.Greater) return this.token(TokenKind.Arrow, start, start + 2);
        if (isDigit(next)) return this.scanNumber(start, start + 1);
        break;
      }
      case Ch.Ampersand:
        if (text.charCodeAt(start + 1) === Ch.Ampersand) return this.token(TokenKind.AndAnd, start, start + 2);
        break;
      case Ch.Bar:
        if (text.charCodeAt(start + 1) === Ch.Bar) return this.token(TokenKind.OrOr, start, start + 2);
        break;
    }
    return this.scanUnknown(start);
  }

  /**
   * Scans a C body starting at the `{` under the scanner: braces balance, except inside C strings,
   * character literals and comments. An unbalanced body runs to the end of the file (LT1006).
   */
  scanCBlock(): Token {
    const text = this.text;
    const start = this.pos;
    let depth = 0;
    let pos = start;
    const length = text.length;
    while (pos < length) {
      const ch = text.charCodeAt(pos);
      if (ch === Ch.LBrace) {
        depth++;
        pos++;
      } else if (ch === Ch.RBrace) {
        depth--;
        pos++;
        if (depth === 0) return this.cBlock(start, pos);
      } else if (ch === Ch.DoubleQuote || ch === Ch.SingleQuote) {
        pos = this.skipCQuoted(pos, ch);
      } else if (ch === Ch.Slash && text.charCodeAt(pos + 1) === Ch.Slash) {
        pos += 2;
        while (pos < length && !isLineBreak(text.charCodeAt(pos))) pos++;
      } else if (ch === Ch.Slash && text.charCodeAt(pos + 1) === Ch.Asterisk) {
        const close = text.indexOf('*/', pos + 2);
        pos = close === -1 ? length : close + 2;
      } else {
        pos++;
      }
    }
    this.report(
      CODES.unterminatedCBody,
      `This C body has ${depth} unclosed '{'; braces must balance outside C strings and comments.`,
      start,
      start + 1,
    );
    return this.cBlock(start, length);
  }

  private cBlock(start: number, end: number): Token {
    this.tokenStart = start;
    this.pos = end;
    return { kind: TokenKind.CBlock, start, end };
  }

  /** Skips a C string or character literal; it ends at its closing quote or the end of the line. */
  private skipCQuoted(pos: number, quote: number): number {
    const text = this.text;
    pos++;
    while (pos < text.length) {
      const ch = text.charCodeAt(pos);
      if (ch === quote) return pos + 1;
      if (isLineBreak(ch)) return pos;
      pos += ch === Ch.Backslash ? 2 : 1;
    }
    return text.length;
  }

  private token(kind: TokenKind, start: number, end: number): TokenKind {
    this.tokenStart = start;
    this.pos = end;
    return kind;
  }

  /** The end of the name starting at `start`; leaves its hash in `tokenNameHash`. */
  private scanNameEnd(start: number): number {
    const text = this.text;
    let hash = nameHashStep(NAME_HASH_SEED, text.charCodeAt(start));
    let pos = start + 1;
    for (;;) {
      const ch = text.charCodeAt(pos);
      if (isNamePart(ch)) {
        hash = nameHashStep(hash, ch);
        pos++;
      } else if (ch === Ch.Minus && isLetter(text.charCodeAt(pos + 1))) {
        hash = nameHashStep(nameHashStep(hash, ch), text.charCodeAt(pos + 1));
        pos += 2;
      } else {
        this.tokenNameHash = hash;
        return pos;
      }
    }
  }

  private scanNumber(start: number, digitsStart: number): TokenKind {
    const text = this.text;
    let pos = digitsStart;
    while (isDigit(text.charCodeAt(pos))) pos++;
    const digitsEnd = pos;
    while (isNamePart(text.charCodeAt(pos))) pos++;
    if (pos > digitsEnd) {
      this.report(CODES.invalidNumber, `'${text.slice(start, pos)}' is not a number; numbers are decimal digits.`, start, pos);
    } else if (digitsEnd - digitsStart > 10 || Number(text.slice(digitsStart, digitsEnd)) > MAX_NUMBER) {
      this.report(CODES.invalidNumber, `The number ${text.slice(start, digitsEnd)} is too large; the limit is ${MAX_NUMBER}.`, start, pos);
    }
    return this.token(TokenKind.Number, start, pos);
  }

  private scanString(start: number): TokenKind {
    const text = this.text;
    let pos = start + 1;
    while (pos < text.length) {
      const ch = text.charCodeAt(pos);
      if (ch === Ch.DoubleQuote) return this.token(TokenKind.String, start, pos + 1);
      if (isLineBreak(ch)) break;
      if (ch === Ch.Backslash && pos + 1 < text.length && !isLineBreak(text.charCodeAt(pos + 1))) pos += 2;
      else pos++;
    }
    this.report(CODES.unterminatedString, 'This string is not closed: add \'"\' before the end of the line.', start, pos);
    return this.token(TokenKind.String, start, pos);
  }

  private scanLineComment(start: number): TokenKind {
    const text = this.text;
    let pos = start + 2;
    while (pos < text.length && !isLineBreak(text.charCodeAt(pos))) pos++;
    return this.token(TokenKind.LineComment, start, pos);
  }

  private scanBlockComment(start: number): TokenKind {
    const close = this.text.indexOf('*/', start + 2);
    if (close === -1) {
      this.report(CODES.unterminatedComment, "This block comment is not closed: add '*/'.", start, start + 2);
      return this.token(TokenKind.BlockComment, start, this.text.length);
    }
    return this.token(TokenKind.BlockComment, start, close + 2);
  }

  /** A run of characters the language does not use becomes one Unknown token with one diagnostic. */
  private scanUnknown(start: number): TokenKind {
    const text = this.text;
    let pos = start + 1;
    while (pos < text.length && !startsKnownToken(text, pos)) pos++;
    // Never split a surrogate pair.
    if (pos < text.length && (text.charCodeAt(pos) & 0xfc00) === 0xdc00) pos++;
    const first = String.fromCodePoint(text.codePointAt(start) ?? 0);
    // Control characters are named by code point: printed raw, they would act on the terminal.
    const code = first.codePointAt(0) ?? 0;
    const shown = code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : first;
    const more = pos - start > first.length ? ` (and ${pos - start - first.length} more unusable characters)` : '';
    this.report(CODES.unknownCharacter, `The character '${shown}' is not used in .lifetime files${more}.`, start, pos);
    return this.token(TokenKind.Unknown, start, pos);
  }
}

/** Splits a whole text into tokens without C-body context (C bodies appear as ordinary tokens). */
export function tokenize(text: string): { tokens: Token[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const scanner = new Scanner(text, (info, message, start, end) => {
    diagnostics.push(makeDiagnostic(info, message, start, end));
  });
  const tokens: Token[] = [];
  for (;;) {
    const token = scanner.scan();
    tokens.push(token);
    if (token.kind === TokenKind.EOF) return { tokens, diagnostics };
  }
}
