// Tokens of the `.lifetime` language.
//
// Words are never reserved by the lexer: every word is an `Identifier` token, and the parser treats
// a word as a keyword only where a keyword can stand (item and statement starts, modifiers). This
// keeps member names such as `lock`, `state` or `count` legal, as they are in kernel structs.

export const enum TokenKind {
  EOF = 0,
  Whitespace,
  LineComment,
  BlockComment,
  Identifier,
  Number,
  String,
  /** A balanced `{ ... }` C body after the contextual keyword `c`; scanned on the parser's request. */
  CBlock,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Semicolon,
  Colon,
  Dot,
  DotDot,
  Arrow,
  Assign,
  EqEq,
  NotEq,
  Less,
  LessEq,
  Greater,
  GreaterEq,
  AndAnd,
  OrOr,
  Bang,
  /** A character the language does not use. */
  Unknown,
}

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
}

export function isTrivia(kind: TokenKind): boolean {
  return kind === TokenKind.Whitespace || kind === TokenKind.LineComment || kind === TokenKind.BlockComment;
}

/** Words with a keyword meaning somewhere in the grammar (for highlighting, completion and rename). */
export const KEYWORDS: readonly string[] = [
  // items
  'model', 'object', 'static', 'fn', 'thread', 'device', 'proposal', 'expect', 'order', 'before', 'bind', 'new', 'remove',
  // members and modifiers
  'ref', 'lock', 'flag', 'state', 'int', 'ptr', 'on', 'zero', 'in', 'recyclable', 'unborn', 'stopped', 'dma',
  'mutex', 'spinlock', 'rwsem',
  // statements
  'get', 'put', 'use', 'free', 'alloc', 'start', 'stop', 'quiesce', 'set', 'clear', 'inc', 'dec', 'wait', 'until',
  'assert', 'if', 'else', 'while', 'repeat', 'choose', 'or', 'maybe', 'atomic', 'let', 'return', 'unlock', 'c',
  // expressions
  'tryget', 'trylock', 'alive', 'freed', 'running', 'idle', 'held', 'true', 'false', 'null', 'call',
];

const keywordSet = new Set(KEYWORDS);

export function isKeyword(word: string): boolean {
  return keywordSet.has(word);
}

export function tokenText(source: string, token: Token): string {
  return source.slice(token.start, token.end);
}

export function describeToken(source: string, token: Token): string {
  switch (token.kind) {
    case TokenKind.EOF:
      return 'end of file';
    case TokenKind.Identifier:
      return `'${tokenText(source, token)}'`;
    case TokenKind.Number:
      return `number ${tokenText(source, token)}`;
    case TokenKind.String:
      return 'string';
    case TokenKind.CBlock:
      return 'C body';
    default: {
      const text = tokenText(source, token);
      return `'${text.length > 20 ? text.slice(0, 20) + '…' : text}'`;
    }
  }
}
