// The `.lifetime` parser: handwritten recursive descent over the scanner's tokens.
//
// It never throws. A construct it cannot complete still yields a node (zero-width `missing` names,
// `MissingExpression`s), tokens it cannot place are kept in `ErrorNode`s, and it reports at most one
// diagnostic per source position, so one mistake gives one message. Nesting deeper than
// `MAX_NESTING` is skipped with LT1012 rather than followed, so no input can exhaust the stack.

import { CODES, type CodeInfo, type Diagnostic, makeDiagnostic } from '../diagnostics/codes';
import type {
  AssertStatement,
  BindDecl,
  Block,
  Body,
  BoolLiteral,
  CallStatement,
  CBody,
  ChooseStatement,
  DeviceDecl,
  DmaTarget,
  ErrorNode,
  EventPattern,
  EventVerb,
  ExpectDecl,
  Expression,
  FlagMember,
  FnDecl,
  Identifier,
  IfStatement,
  IntMember,
  Item,
  LockKind,
  LockMember,
  Member,
  MissingExpression,
  ModelDecl,
  NullLiteral,
  NumberLiteral,
  ObjectDecl,
  ObjectModifier,
  OrderDecl,
  Place,
  ProposalDecl,
  ProposalItem,
  PtrMember,
  Range,
  RefMember,
  RefStatement,
  LetStatement,
  TryExpression,
  PredicateExpression,
  RemoveDecl,
  SourceFile,
  StateMember,
  Statement,
  StringLiteral,
  ThreadDecl,
  BinaryOp,
  CallbackStatement,
  CallExpression,
  HandlerMember,
  MechanismStatement,
  ModuleDecl,
  PercpuRefMember,
  ReturnStatement,
  SyncMember,
  UnloadStatement,
} from './ast';
import { MECHANISM_OPS, type MechanismOp } from './ast';
import { MAX_NUMBER, Scanner, stringValue } from './lexer';
import { ListStack } from './listStack';
import { NameTable } from './nameTable';
import { TokenStore } from './tokenStore';
import { resized } from '../util/typedArrays';
import { describeToken, TokenKind, type Token } from './tokens';

export interface ParseResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

/** How deep blocks, parentheses and `!` chains may nest before the parser stops following them. */
export const MAX_NESTING = 100;

export function parse(text: string): ParseResult {
  return new Parser(text).parseFile();
}

const ITEM_WORDS = new Set(['model', 'module', 'object', 'static', 'fn', 'thread', 'device', 'order', 'bind', 'proposal', 'expect', 'new']);
const PROPOSAL_ITEM_WORDS = new Set(['object', 'static', 'fn', 'thread', 'device', 'order', 'new', 'remove']);
const MEMBER_WORDS = new Set(['ref', 'lock', 'flag', 'state', 'int', 'ptr', 'work', 'timer', 'percpu_ref', 'completion', 'srcu', 'workqueue']);
const MEMBER_LIST = 'ref, lock, flag, state, int, ptr, work, timer, percpu_ref, completion, srcu or workqueue';
const EVENT_VERBS = new Set<string>(['free', 'alloc', 'stop', 'quiesce', 'start', 'set', 'clear', 'call', 'get', 'put', 'lock', 'unlock', 'use']);
/**
 * Statement keywords followed by an expression. Kernel authors write `if (x)` and `assert (x)`, so
 * for these words a following `(` opens the expression instead of making the statement a call.
 */
const EXPRESSION_KEYWORDS = new Set(['if', 'while', 'assert']);
const STATEMENT_WORDS = new Set([
  'get', 'put', 'use', 'free', 'alloc', 'lock', 'unlock', 'start', 'stop', 'quiesce', 'set', 'clear', 'inc', 'dec',
  'wait', 'assert', 'if', 'while', 'repeat', 'choose', 'maybe', 'atomic', 'let', 'return',
  'call_rcu', 'call_srcu', 'unload', 'rcu_assign_pointer', ...Object.keys(MECHANISM_OPS),
]);
/** What each kind of mechanism operand is called in messages. */
const OPERAND_WORDS: Record<string, string> = {
  work: 'a work item',
  workqueue: 'a workqueue',
  timer: 'a timer',
  srcu: 'an SRCU domain',
  completion: 'a completion',
  percpu_ref: 'a percpu_ref',
  object: 'an object',
  module: 'a module',
};
/** Conditions that act on a place (see `TryExpression`). */
const TRY_WORDS = new Set(['tryget', 'trylock', 'tryget_live', 'try_module_get', 'wait_for_completion_timeout']);
/** Read-only tests of a place (see `PredicateExpression`). */
const PREDICATE_WORDS = new Set(['alive', 'freed', 'running', 'idle', 'held', 'percpu_ref_is_zero', 'completion_done', 'work_pending', 'timer_pending']);
const EVENT_VERB_LIST = 'free, alloc, start, stop, quiesce, set, clear, get, put, lock, unlock, use or call';

class Parser {
  private readonly scanner: Scanner;
  /** Every token scanned so far, trivia included. */
  private readonly tokens: TokenStore;
  /**
   * The significant (non-trivia) tokens scanned so far, in order, as parallel arrays: kind, range
   * and index in `tokens`. `cur` indexes them; `sigCount` is how many there are.
   */
  private sigKind: Uint8Array;
  private sigStart: Int32Array;
  private sigEnd: Int32Array;
  private sigIndex: Int32Array;
  /** For Identifier tokens, the hash of the name (see `NameTable`). */
  private sigNameHash: Int32Array;
  private sigCount = 0;
  private cur = 0;
  /** End offset of the last consumed significant token: where zero-width missing nodes go. */
  private lastEnd = 0;
  private depth = 0;
  /** The significant-token position whose word is cached in `cachedWord` (-1: none). */
  private cachedWordAt = -1;
  private cachedWord = '';
  private readonly diagnostics: Diagnostic[] = [];
  private readonly errorPositions = new Set<number>();
  private readonly names: NameTable;
  private readonly lists = new ListStack();

  constructor(private readonly text: string) {
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

  parseFile(): ParseResult {
    const items: Item[] = [];
    for (;;) {
      const kind = this.kind();
      if (kind === TokenKind.EOF) break;
      if (kind === TokenKind.Semicolon) {
        this.advance();
        continue;
      }
      if (this.isItemStart(ITEM_WORDS)) {
        items.push(this.parseItem(false) as Item);
        continue;
      }
      const token = this.token();
      const found = describeToken(this.text, token);
      this.error(CODES.expectedItem, `Expected an item (model, object, static, fn, thread, device, order, bind, proposal or expect) but found ${found}.`, token.start, token.end);
      items.push(this.skipUntil(() => this.isItemStart(ITEM_WORDS)));
    }
    // The EOF token is already in `tokens`: it ends the scan.
    this.diagnostics.sort((a, b) => a.start - b.start);
    return { file: sourceFile(this.text, items, this.tokens), diagnostics: this.diagnostics };
  }

  // -------------------------------------------------------------------------------------------
  // Tokens

  /**
   * The position in the significant-token arrays of the token `offset` places ahead of the current
   * one, scanning on demand; past the end of the file, the position of EOF.
   */
  private at(offset: number): number {
    const index = this.cur + offset;
    while (index >= this.sigCount) {
      const count = this.sigCount;
      if (count > 0 && this.sigKind[count - 1] === TokenKind.EOF) return count - 1;
      this.scanSignificant();
    }
    return index;
  }

  private scanSignificant(): void {
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

  private pushSignificant(kind: TokenKind, start: number, end: number, index: number, nameHash: number): void {
    const count = this.sigCount;
    if (count === this.sigKind.length) this.growSignificant();
    this.sigKind[count] = kind;
    this.sigStart[count] = start;
    this.sigEnd[count] = end;
    this.sigIndex[count] = index;
    this.sigNameHash[count] = nameHash;
    this.sigCount = count + 1;
  }

  private growSignificant(): void {
    const size = this.sigKind.length * 2;
    this.sigKind = resized(this.sigKind, size);
    this.sigStart = resized(this.sigStart, size);
    this.sigEnd = resized(this.sigEnd, size);
    this.sigIndex = resized(this.sigIndex, size);
    this.sigNameHash = resized(this.sigNameHash, size);
  }

  /** The significant token `offset` places ahead of the current one, as the file's token object. */
  private token(offset = 0): Token {
    // The index first: scanning may replace the arrays.
    const i = this.at(offset);
    return this.tokens.object(this.sigIndex[i]);
  }

  /** The significant tokens in [from, to) as the file's token objects. */
  private tokensBetween(from: number, to: number): Token[] {
    const tokens: Token[] = [];
    for (let i = from; i < to; i++) tokens.push(this.tokens.object(this.sigIndex[i]));
    return tokens;
  }

  private kind(offset = 0): TokenKind {
    const i = this.at(offset);
    return this.sigKind[i];
  }

  /** Where the current token starts. */
  private startHere(): number {
    const i = this.at(0);
    return this.sigStart[i];
  }

  /** Consumes the current token (never EOF) and returns where it started. */
  private advance(): number {
    const i = this.at(0);
    const start = this.sigStart[i];
    if (this.sigKind[i] !== TokenKind.EOF) {
      this.cur++;
      this.lastEnd = this.sigEnd[i];
    }
    return start;
  }

  /** Consumes the current token (never EOF) and returns it as the file's token object. */
  private advanceToken(): Token {
    const token = this.token();
    this.advance();
    return token;
  }

  /** The current token's text when it is a word, else ''. The last answer is cached: callers ask repeatedly. */
  private word(offset = 0): string {
    const i = this.at(offset);
    if (i === this.cachedWordAt) return this.cachedWord;
    const word = this.sigKind[i] === TokenKind.Identifier ? this.names.intern(this.sigStart[i], this.sigEnd[i], this.sigNameHash[i]) : '';
    this.cachedWordAt = i;
    this.cachedWord = word;
    return word;
  }

  private isWord(word: string, offset = 0): boolean {
    const i = this.at(offset);
    const start = this.sigStart[i];
    return this.sigKind[i] === TokenKind.Identifier && this.sigEnd[i] - start === word.length && this.text.startsWith(word, start);
  }

  private consume(kind: TokenKind): boolean {
    if (this.kind() !== kind) return false;
    this.advance();
    return true;
  }

  private consumeWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.advance();
    return true;
  }

  /** Consumes `kind` or reports what was expected instead; returns whether it was there. */
  private expect(kind: TokenKind, what: string): boolean {
    if (this.consume(kind)) return true;
    this.errorAtCurrent(CODES.unexpectedToken, `Expected ${what}`);
    return false;
  }

  private expectWord(word: string, context: string): boolean {
    if (this.consumeWord(word)) return true;
    this.errorAtCurrent(CODES.unexpectedToken, `Expected '${word}' ${context}`);
    return false;
  }

  /**
   * Re-scans the `{` that follows the current `c` as one C body token. Only the `{` itself has
   * been scanned beyond `c`, so dropping it from the buffers loses nothing else.
   */
  private rescanAsCBlock(): Token {
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

  // -------------------------------------------------------------------------------------------
  // Diagnostics and recovery

  private error(info: CodeInfo, message: string, start: number, end: number): void {
    if (this.errorPositions.has(start)) return;
    this.errorPositions.add(start);
    this.diagnostics.push(makeDiagnostic(info, message, start, end));
  }

  /** Reports at the current token: "`message` but found X." */
  private errorAtCurrent(info: CodeInfo, message: string): void {
    const token = this.token();
    const found = describeToken(this.text, token);
    this.error(info, `${message} but found ${found}.`, token.start, token.end);
  }

  /** Skips tokens (at least one unless at EOF) until `stop` holds; brackets skipped balance. */
  private skipUntil(stop: () => boolean): ErrorNode {
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
  private skipGroup(): ErrorNode {
    return this.skipBalanced(true);
  }

  /** Skips to the `}` that closes the enclosing block (not consumed) or the end of the file. */
  private skipToEnclosingClose(): ErrorNode {
    return this.skipBalanced(false);
  }

  /**
   * Skips tokens while tracking bracket depth. With `oneGroup` it stops after the close that brings
   * the depth back to zero; otherwise it stops before a `}` met at depth zero.
   */
  private skipBalanced(oneGroup: boolean): ErrorNode {
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

  private errorNode(start: number, skipped: Token[]): ErrorNode {
    return { kind: 'Error', start, end: skipped.length > 0 ? this.lastEnd : start, tokens: skipped };
  }

  private tooDeep(what: string): void {
    const token = this.token();
    this.error(CODES.tooDeep, `${what} nests deeper than ${MAX_NESTING} levels; the parser skips it.`, token.start, token.end);
  }

  /**
   * Whether the current token begins an item: an item word (`new` only before another word). In a
   * statement block a word followed by `(`, `.` or `=` is a name in a statement instead.
   */
  private isItemStart(words: Set<string>, inStatements = false): boolean {
    if (this.kind() !== TokenKind.Identifier) return false;
    const word = this.word();
    if (!words.has(word)) return false;
    if (word === 'new') return this.kind(1) === TokenKind.Identifier;
    return !inStatements || !this.isUsedAsName();
  }

  // -------------------------------------------------------------------------------------------
  // Names, literals and places

  private missingIdentifier(): Identifier {
    return { kind: 'Identifier', start: this.lastEnd, end: this.lastEnd, text: '', missing: true };
  }

  /** `what` describes the expected name for the diagnostic; `%s` in it stands for `detail`. */
  private parseIdentifier(what: string, detail = ''): Identifier {
    const i = this.at(0);
    if (this.sigKind[i] === TokenKind.Identifier) {
      const text = this.word();
      this.advance();
      return { kind: 'Identifier', start: this.sigStart[i], end: this.sigEnd[i], text };
    }
    this.errorAtCurrent(CODES.missingName, `Expected ${what.replace('%s', detail)}`);
    return this.missingIdentifier();
  }

  private parseStringLiteral(): StringLiteral {
    const start = this.advance();
    const end = this.lastEnd;
    return { kind: 'StringLiteral', start, end, value: stringValue(this.text, start, end) };
  }

  private parseOptionalString(): StringLiteral | undefined {
    return this.kind() === TokenKind.String ? this.parseStringLiteral() : undefined;
  }

  private numberValue(start: number, tokenEnd: number): number {
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

  private parseNumberLiteral(what: string): NumberLiteral | undefined {
    if (this.kind() !== TokenKind.Number) {
      this.errorAtCurrent(CODES.unexpectedToken, `Expected ${what}`);
      return undefined;
    }
    const start = this.advance();
    const end = this.lastEnd;
    return { kind: 'NumberLiteral', start, end, value: this.numberValue(start, end) };
  }

  /** A required number; a missing one is a zero-width 0 after the error. */
  private parseRequiredNumber(what: string): NumberLiteral {
    return this.parseNumberLiteral(what) ?? { kind: 'NumberLiteral', start: this.lastEnd, end: this.lastEnd, value: 0 };
  }

  private parsePlace(what: string, detail = ''): Place {
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

  // -------------------------------------------------------------------------------------------
  // Items

  /** Parses the item at the current token (an item start); inside proposals, `remove` too. */
  private parseItem(inProposal: boolean): Item | ProposalItem {
    const start = this.startHere();
    let isNew = false;
    if (this.isWord('new') && this.kind(1) === TokenKind.Identifier) {
      this.advance();
      isNew = true;
    }
    const word = this.word();
    switch (word) {
      case 'model':
        if (!isNew) return this.parseModel(start);
        break;
      case 'module':
        if (!isNew && !inProposal) return this.parseModule(start);
        break;
      case 'object':
      case 'static':
        return this.parseObject(start, isNew);
      case 'fn':
        return this.parseFn(start, isNew);
      case 'thread':
        return this.parseThread(start, isNew);
      case 'device':
        return this.parseDevice(start, isNew);
      case 'order':
        return this.parseOrder(start, isNew);
      case 'bind':
        if (!isNew) return this.parseBind(start);
        break;
      case 'proposal':
        if (!isNew) return this.parseProposal(start);
        break;
      case 'expect':
        if (!isNew) return this.parseExpect(start);
        break;
      case 'remove':
        if (!isNew && inProposal) return this.parseRemove(start);
        break;
    }
    this.errorAtCurrent(CODES.unexpectedToken, "Expected object, static, fn, thread, device or order after 'new'");
    const skipped = this.skipUntil(() => this.isItemStart(inProposal ? PROPOSAL_ITEM_WORDS : ITEM_WORDS) || this.kind() === TokenKind.RBrace);
    return { kind: 'Error', start, end: skipped.end, tokens: skipped.tokens };
  }

  private parseModel(start: number): ModelDecl {
    this.advance();
    const name = this.parseIdentifier("the model's name after 'model'");
    const title = this.parseOptionalString();
    const node: ModelDecl = { kind: 'ModelDecl', start, end: this.lastEnd, name };
    if (title) node.title = title;
    return node;
  }

  private parseModule(start: number): ModuleDecl {
    this.advance();
    const name = this.parseIdentifier("the module's name after 'module'");
    return { kind: 'ModuleDecl', start, end: this.lastEnd, name };
  }

  /** `in MODULE` after a procedure's parameters, a handler's name or a static's name. */
  private parseModuleClause(): Identifier | undefined {
    if (!this.isWord('in') || this.kind(1) !== TokenKind.Identifier) return undefined;
    this.advance();
    return this.parseIdentifier("a module name after 'in'");
  }

  private parseObject(start: number, isNew: boolean): ObjectDecl {
    const isStatic = this.word() === 'static';
    this.advance();
    const name = this.parseIdentifier(isStatic ? "a name after 'static'" : "a name after 'object'");
    const modifiers: { name: ObjectModifier; range: Range }[] = [];
    if (!isStatic) {
      while (this.isWord('recyclable') || this.isWord('unborn') || this.isWord('long-lived')) {
        const name = this.word() as ObjectModifier;
        const start = this.advance();
        modifiers.push({ name, range: { start, end: this.lastEnd } });
      }
    }
    const module = isStatic ? this.parseModuleClause() : undefined;
    const members: Member[] = [];
    const node: ObjectDecl = { kind: 'ObjectDecl', start, end: 0, isStatic, isNew, name, modifiers: exactSize(modifiers), members };
    if (module) node.module = module;
    if (this.kind() === TokenKind.LBrace) {
      const bodyStart = this.advance();
      this.parseMembers(members);
      node.members = exactSize(members);
      this.expectClose(`to close the body of '${name.text}'`);
      node.body = { start: bodyStart, end: this.lastEnd };
    }
    node.end = this.lastEnd;
    return node;
  }

  /** Consumes the `}` that closes a body, or reports it missing. */
  private expectClose(context: string): void {
    if (this.consume(TokenKind.RBrace)) return;
    this.errorAtCurrent(CODES.unexpectedToken, `Expected '}' ${context}`);
  }

  private parseMembers(members: Member[]): void {
    for (;;) {
      const kind = this.kind();
      if (kind === TokenKind.RBrace || kind === TokenKind.EOF) return;
      if (kind === TokenKind.Semicolon) {
        this.advance();
        continue;
      }
      if (this.kind() === TokenKind.Identifier && MEMBER_WORDS.has(this.word())) {
        members.push(this.parseMember());
        this.consume(TokenKind.Semicolon);
        continue;
      }
      if (this.isItemStart(ITEM_WORDS)) return;
      this.errorAtCurrent(CODES.expectedMember, `Expected a member (${MEMBER_LIST})`);
      members.push(
        this.skipUntil(() => {
          const k = this.kind();
          return (
            k === TokenKind.RBrace ||
            (k === TokenKind.Identifier && MEMBER_WORDS.has(this.word())) ||
            this.isItemStart(ITEM_WORDS)
          );
        }),
      );
    }
  }

  private parseMember(): Member {
    const start = this.startHere();
    const word = this.word();
    this.advance();
    const name = this.parseIdentifier("a name after '%s'", word);
    switch (word) {
      case 'ref':
        return this.parseRefMember(start, name);
      case 'work':
      case 'timer':
        return this.parseHandlerMember(start, word, name);
      case 'percpu_ref':
        return this.parsePercpuRefMember(start, name);
      case 'completion':
      case 'srcu':
      case 'workqueue': {
        const node: SyncMember = { kind: 'SyncMember', start, end: this.lastEnd, mechanism: word, name };
        return node;
      }
      case 'lock': {
        let lockKind: LockKind = 'mutex';
        if (this.isWord('mutex') || this.isWord('spinlock') || this.isWord('rwsem')) {
          lockKind = this.word() as LockKind;
          this.advance();
        }
        const node: LockMember = { kind: 'LockMember', start, end: this.lastEnd, name, lockKind };
        return node;
      }
      case 'flag': {
        const node: FlagMember = { kind: 'FlagMember', start, end: 0, name };
        if (this.consume(TokenKind.Assign)) {
          if (this.isWord('true') || this.isWord('false')) {
            const value = this.isWord('true');
            const start = this.advance();
            node.initial = { kind: 'BoolLiteral', start, end: this.lastEnd, value };
          } else {
            this.errorAtCurrent(CODES.unexpectedToken, "Expected 'true' or 'false'");
          }
        }
        node.end = this.lastEnd;
        return node;
      }
      case 'state':
        return this.parseStateMember(start, name);
      case 'int': {
        const node: IntMember = { kind: 'IntMember', start, end: 0, name };
        if (this.consume(TokenKind.Assign)) {
          const initial = this.parseNumberLiteral("an initial number after '='");
          if (initial) node.initial = initial;
        }
        if (this.consumeWord('in')) {
          const low = this.parseNumberLiteral("the lowest value after 'in'");
          if (low) {
            node.rangeLow = low;
            if (this.expect(TokenKind.DotDot, "'..' between the bounds of the range")) {
              const high = this.parseNumberLiteral("the highest value after '..'");
              if (high) node.rangeHigh = high;
            }
          }
        }
        node.end = this.lastEnd;
        return node;
      }
      default: {
        const node: PtrMember = { kind: 'PtrMember', start, end: 0, name, target: this.missingIdentifier() };
        if (this.expect(TokenKind.Arrow, "'->' and the object the pointer points to")) {
          node.target = this.parseIdentifier("the object the pointer points to after '->'");
        }
        if (this.consume(TokenKind.Assign)) {
          if (this.isWord('null')) {
            const start = this.advance();
            const nullNode: NullLiteral = { kind: 'NullLiteral', start, end: this.lastEnd };
            node.initial = nullNode;
          } else {
            node.initial = this.parseIdentifier("an object or 'null' after '='");
          }
        }
        node.end = this.lastEnd;
        return node;
      }
    }
  }

  private parseRefMember(start: number, name: Identifier): RefMember {
    const node: RefMember = { kind: 'RefMember', start, end: 0, name };
    if (this.consume(TokenKind.Assign)) {
      const initial = this.parseNumberLiteral("the initial count after '='");
      if (initial) node.initial = initial;
    }
    if (this.isOnClause()) {
      this.advance();
      this.expectWord('zero', "after 'on'");
      node.onZero = this.parseAction('zero');
    }
    node.end = this.lastEnd;
    return node;
  }

  /** `on` starting an `on zero` (or `on confirm`) clause, not a name used in a statement. */
  private isOnClause(): boolean {
    return this.isWord('on') && this.kind(1) !== TokenKind.LParen && this.kind(1) !== TokenKind.Dot && this.kind(1) !== TokenKind.Assign;
  }

  /** The block or single statement after `on zero` / `on confirm`. */
  private parseAction(what: string): Block {
    if (this.kind() === TokenKind.LBrace) return this.parseBlock();
    if (this.kind() === TokenKind.Identifier) {
      const statement = this.parseStatement();
      return { kind: 'Block', start: statement.start, end: statement.end, statements: [statement] };
    }
    this.errorAtCurrent(CODES.expectedStatement, `Expected a block or a statement after 'on ${what}'`);
    return this.emptyBlock();
  }

  /** `percpu_ref NAME [on zero ACTION] [on confirm ACTION]`, in either order. */
  private parsePercpuRefMember(start: number, name: Identifier): PercpuRefMember {
    const node: PercpuRefMember = { kind: 'PercpuRefMember', start, end: 0, name };
    while (this.isOnClause() && (this.isWord('zero', 1) || this.isWord('confirm', 1))) {
      this.advance();
      const which = this.word();
      this.advance();
      if (which === 'zero') node.onZero = this.parseAction('zero');
      else node.onConfirm = this.parseAction('confirm');
    }
    node.end = this.lastEnd;
    return node;
  }

  /** `work NAME [on WQ] [in MODULE] { handler }`, `timer NAME [in MODULE] { handler }`. */
  private parseHandlerMember(start: number, mechanism: 'work' | 'timer', name: Identifier): HandlerMember {
    const node: HandlerMember = { kind: 'HandlerMember', start, end: 0, mechanism, name, body: this.emptyBlock() };
    if (mechanism === 'work' && this.isWord('on') && this.kind(1) === TokenKind.Identifier) {
      this.advance();
      node.workqueue = this.parsePlace("the workqueue after 'on'");
    }
    const module = this.parseModuleClause();
    if (module) node.module = module;
    node.body = this.parseRequiredBlock(`the handler of ${mechanism} '${name.text}'`);
    node.end = this.lastEnd;
    return node;
  }

  private parseStateMember(start: number, name: Identifier): StateMember {
    const values: Identifier[] = [];
    const node: StateMember = { kind: 'StateMember', start, end: 0, name, values };
    if (this.expect(TokenKind.LBrace, `'{' and the values of state '${name.text}'`)) {
      values.push(this.parseIdentifier('a state value'));
      while (this.consume(TokenKind.Comma)) {
        if (this.kind() === TokenKind.RBrace) break;
        values.push(this.parseIdentifier("a state value after ','"));
      }
      node.values = exactSize(values);
      if (!this.consume(TokenKind.RBrace)) {
        this.errorAtCurrent(CODES.unexpectedToken, "Expected ',' or '}' in the list of state values");
        // The skipped tokens stay inside the member's range; the member has no place for an ErrorNode.
        this.skipUntil(() => this.kind() === TokenKind.RBrace || this.isItemStart(ITEM_WORDS) || (this.kind() === TokenKind.Identifier && MEMBER_WORDS.has(this.word())));
        this.consume(TokenKind.RBrace);
      }
    }
    if (this.consume(TokenKind.Assign)) node.initial = this.parseIdentifier("a state value after '='");
    node.end = this.lastEnd;
    return node;
  }

  private parseParams(): Identifier[] {
    const params: Identifier[] = [];
    if (!this.expect(TokenKind.LParen, "'(' and the parameters")) return params;
    if (this.consume(TokenKind.RParen)) return params;
    params.push(this.parseIdentifier('a parameter name'));
    while (this.consume(TokenKind.Comma)) params.push(this.parseIdentifier("a parameter name after ','"));
    this.expect(TokenKind.RParen, "',' or ')' after the parameters");
    return exactSize(params);
  }

  private parseFn(start: number, isNew: boolean): FnDecl {
    this.advance();
    const name = this.parseIdentifier("the procedure's name after 'fn'");
    const params = this.parseParams();
    const module = this.parseModuleClause();
    const body = this.parseBody(`'${name.text}'`);
    const node: FnDecl = { kind: 'FnDecl', start, end: this.lastEnd, isNew, name, params, body };
    if (module) node.module = module;
    return node;
  }

  private parseThread(start: number, isNew: boolean): ThreadDecl {
    this.advance();
    const name = this.parseIdentifier("the thread's name after 'thread'");
    const node: ThreadDecl = { kind: 'ThreadDecl', start, end: 0, isNew, name, body: this.emptyBlock() };
    if (this.consume(TokenKind.LBracket)) {
      const count = this.parseNumberLiteral("the number of threads after '['");
      if (count) node.count = count;
      this.expect(TokenKind.RBracket, "']' after the number of threads");
    }
    node.body = this.parseBody(`thread '${name.text}'`);
    node.end = this.lastEnd;
    return node;
  }

  private emptyBlock(): Block {
    return { kind: 'Block', start: this.lastEnd, end: this.lastEnd, statements: [] };
  }

  /** Body = Block | 'c' CBlock. */
  private parseBody(owner: string): Body {
    if (this.kind() === TokenKind.LBrace) return this.parseBlock();
    if (this.isWord('c')) {
      const start = this.startHere();
      if (this.kind(1) === TokenKind.LBrace) {
        const block = this.rescanAsCBlock();
        this.advance();
        this.advance();
        const codeStart = block.start + 1;
        const closed = block.end - block.start >= 2 && this.text.charCodeAt(block.end - 1) === 125;
        const codeEnd = closed ? block.end - 1 : block.end;
        const node: CBody = { kind: 'CBody', start, end: block.end, code: this.text.slice(codeStart, codeEnd), codeStart };
        return node;
      }
      this.advance();
      this.errorAtCurrent(CODES.unexpectedToken, "Expected '{' to start the C body after 'c'");
      const node: CBody = { kind: 'CBody', start, end: this.lastEnd, code: '', codeStart: this.lastEnd };
      return node;
    }
    this.errorAtCurrent(CODES.unexpectedToken, `Expected '{' or 'c {' to start the body of ${owner}`);
    return this.emptyBlock();
  }

  private parseDevice(start: number, isNew: boolean): DeviceDecl {
    this.advance();
    const name = this.parseIdentifier("the device's name after 'device'");
    const targets: DmaTarget[] = [];
    const node: DeviceDecl = { kind: 'DeviceDecl', start, end: 0, isNew, name, initiallyStopped: false, targets };
    if (this.consumeWord('stopped')) node.initiallyStopped = true;
    if (this.kind() === TokenKind.LBrace) {
      const bodyStart = this.advance();
      for (;;) {
        const kind = this.kind();
        if (kind === TokenKind.RBrace || kind === TokenKind.EOF) break;
        if (kind === TokenKind.Semicolon) {
          this.advance();
          continue;
        }
        if (this.isWord('dma')) {
          const dmaStart = this.advance();
          const target = this.parsePlace("the DMA target after 'dma'");
          targets.push({ kind: 'DmaTarget', start: dmaStart, end: this.lastEnd, target });
          continue;
        }
        if (this.isItemStart(ITEM_WORDS)) break;
        this.errorAtCurrent(CODES.unexpectedToken, "Expected 'dma' and a target, or '}'");
        this.skipUntil(() => this.kind() === TokenKind.RBrace || this.isWord('dma') || this.isItemStart(ITEM_WORDS));
      }
      this.expectClose(`to close the body of device '${name.text}'`);
      node.targets = exactSize(targets);
      node.body = { start: bodyStart, end: this.lastEnd };
    }
    node.end = this.lastEnd;
    return node;
  }

  private parseEvent(): EventPattern | undefined {
    const start = this.startHere();
    const verb = this.word();
    if (!EVENT_VERBS.has(verb)) {
      this.errorAtCurrent(CODES.unexpectedToken, `Expected an event (${EVENT_VERB_LIST} and a place)`);
      return undefined;
    }
    this.advance();
    const target = this.parsePlace("a place after '%s'", verb);
    return { kind: 'EventPattern', start, end: this.lastEnd, verb: verb as EventVerb, target };
  }

  private parseOrder(start: number, isNew: boolean): OrderDecl | ErrorNode {
    const startIndex = this.cur;
    this.advance();
    const first = this.parseEvent();
    let second: EventPattern | undefined;
    if (first && this.expectWord('before', 'between the two events of an order')) second = this.parseEvent();
    if (!first || !second) {
      return { kind: 'Error', start, end: this.lastEnd, tokens: this.tokensBetween(startIndex, this.cur) };
    }
    const node: OrderDecl = { kind: 'OrderDecl', start, end: 0, isNew, first, second };
    const message = this.parseOptionalString();
    if (message) node.message = message;
    node.end = this.lastEnd;
    return node;
  }

  private parseBind(start: number): BindDecl {
    this.advance();
    let cExpr: StringLiteral;
    if (this.kind() === TokenKind.String) {
      cExpr = this.parseStringLiteral();
    } else {
      this.errorAtCurrent(CODES.unexpectedToken, "Expected a C expression in quotes after 'bind'");
      cExpr = { kind: 'StringLiteral', start: this.lastEnd, end: this.lastEnd, value: '' };
    }
    let target: Place;
    if (this.expect(TokenKind.Assign, "'=' and the model place the C expression stands for")) {
      target = this.parsePlace("a place after '='");
    } else {
      const missing = this.missingIdentifier();
      target = { kind: 'Place', start: missing.start, end: missing.end, segments: [missing] };
    }
    return { kind: 'BindDecl', start, end: this.lastEnd, cExpr, target };
  }

  private parseProposal(start: number): ProposalDecl {
    this.advance();
    const name = this.parseIdentifier("the proposal's name after 'proposal'");
    const items: ProposalItem[] = [];
    const node: ProposalDecl = { kind: 'ProposalDecl', start, end: 0, name, items };
    const title = this.parseOptionalString();
    if (title) node.title = title;
    if (this.kind() !== TokenKind.LBrace) {
      this.errorAtCurrent(CODES.unexpectedToken, `Expected '{' and the items of proposal '${name.text}'`);
      node.end = this.lastEnd;
      return node;
    }
    const bodyStart = this.advance();
    for (;;) {
      const kind = this.kind();
      if (kind === TokenKind.RBrace || kind === TokenKind.EOF) break;
      if (kind === TokenKind.Semicolon) {
        this.advance();
        continue;
      }
      if (this.isItemStart(PROPOSAL_ITEM_WORDS)) {
        items.push(this.parseItem(true) as ProposalItem);
        continue;
      }
      if (this.isItemStart(ITEM_WORDS)) break;
      this.errorAtCurrent(CODES.expectedItem, 'Expected a proposal item (object, static, fn, thread, device, order, new or remove)');
      items.push(this.skipUntil(() => this.kind() === TokenKind.RBrace || this.isItemStart(PROPOSAL_ITEM_WORDS) || this.isItemStart(ITEM_WORDS)));
    }
    this.expectClose(`to close proposal '${name.text}'`);
    node.items = exactSize(items);
    node.body = { start: bodyStart, end: this.lastEnd };
    node.end = this.lastEnd;
    return node;
  }

  private parseRemove(start: number): RemoveDecl | ErrorNode {
    const startIndex = this.cur;
    this.advance();
    const kindWord = this.word();
    if (kindWord !== 'thread' && kindWord !== 'fn' && kindWord !== 'device' && kindWord !== 'object') {
      this.errorAtCurrent(CODES.unexpectedToken, "Expected thread, fn, device or object after 'remove'");
      return { kind: 'Error', start, end: this.lastEnd, tokens: this.tokensBetween(startIndex, this.cur) };
    }
    this.advance();
    const name = this.parseIdentifier("the name of the %s to remove", kindWord);
    return { kind: 'RemoveDecl', start, end: this.lastEnd, targetKind: kindWord, name };
  }

  private parseExpect(start: number): ExpectDecl {
    this.advance();
    const proposal = this.parseIdentifier("'baseline' or a proposal name after 'expect'");
    let outcome: Identifier;
    const outcomes: Identifier[] = [];
    if (this.expect(TokenKind.Colon, `':' and the expected outcome`)) {
      outcome = this.parseIdentifier("'safe' or a violation kind after ':'");
      outcomes.push(outcome);
      while (this.consume(TokenKind.Comma)) outcomes.push(this.parseIdentifier("a violation kind after ','"));
    } else {
      outcome = this.missingIdentifier();
      outcomes.push(outcome);
    }
    return { kind: 'ExpectDecl', start, end: this.lastEnd, proposal, outcome, outcomes };
  }

  // -------------------------------------------------------------------------------------------
  // Blocks and statements

  /** Block = '{' Statement* '}', at the current `{`. Too deep a block is skipped whole. */
  private parseBlock(): Block {
    const start = this.startHere();
    if (this.depth >= MAX_NESTING) {
      this.tooDeep('This block');
      const skipped = this.skipGroup();
      return { kind: 'Block', start, end: this.lastEnd, statements: [skipped] };
    }
    this.depth++;
    this.advance();
    const mark = this.lists.mark();
    for (;;) {
      const kind = this.kind();
      if (kind === TokenKind.RBrace || kind === TokenKind.EOF) break;
      if (kind === TokenKind.Semicolon) {
        this.advance();
        continue;
      }
      // No item word is also a statement keyword, so an item start here means a `}` is missing.
      if (this.isItemStart(ITEM_WORDS, true)) break;
      this.lists.push(this.parseStatement());
    }
    const list = this.lists.take<Statement>(mark);
    this.expectClose('to close the block');
    this.depth--;
    return { kind: 'Block', start, end: this.lastEnd, statements: list };
  }

  /** Whether the current word is used as a name: followed by `(`, `.` or `=`. */
  private isUsedAsName(): boolean {
    const next = this.kind(1);
    return next === TokenKind.LParen || next === TokenKind.Dot || next === TokenKind.Assign;
  }

  /**
   * Parses one statement and its optional `;`. When the current token cannot start a statement it
   * reports LT1010 and returns the skipped tokens as an ErrorNode.
   */
  private parseStatement(): Statement {
    const statement = this.parseStatementProper();
    this.consume(TokenKind.Semicolon);
    return statement;
  }

  private parseStatementProper(): Statement {
    const here = this.at(0);
    const start = this.sigStart[here];
    const tokenKind = this.sigKind[here];
    if (tokenKind === TokenKind.LBrace) return this.parseBlock();
    if (tokenKind !== TokenKind.Identifier) {
      this.errorAtCurrent(CODES.expectedStatement, 'Expected a statement');
      return this.skipUntil(() => this.isStatementBoundary());
    }
    const word = this.word();
    if (!this.isUsedAsName() || (this.kind(1) === TokenKind.LParen && EXPRESSION_KEYWORDS.has(word))) {
      switch (word) {
        case 'get':
        case 'put': {
          this.advance();
          const node: RefStatement = { kind: 'RefStatement', start, end: 0, op: word, target: this.parsePlace("a reference count after '%s'", word) };
          if (word === 'put' && this.isWord('locking') && this.kind(1) === TokenKind.Identifier) {
            this.advance();
            node.locking = this.parsePlace("a lock after 'locking'");
          }
          return this.finish(node);
        }
        case 'lock':
        case 'unlock':
          this.advance();
          return this.finish({ kind: 'LockStatement', start, end: 0, op: word, target: this.parsePlace("a lock after '%s'", word) });
        case 'use':
          this.advance();
          return this.finish({ kind: 'UseStatement', start, end: 0, target: this.parsePlace("a place after 'use'") });
        case 'free':
        case 'alloc':
          this.advance();
          return this.finish({ kind: 'LifecycleStatement', start, end: 0, op: word, target: this.parsePlace("an object after '%s'", word) });
        case 'start':
        case 'stop':
        case 'quiesce':
          this.advance();
          return this.finish({ kind: 'DeviceStatement', start, end: 0, op: word, target: this.parsePlace("a device after '%s'", word) });
        case 'set':
        case 'clear':
        case 'inc':
        case 'dec':
          this.advance();
          return this.finish({ kind: 'StepStatement', start, end: 0, op: word, target: this.parsePlace("a member after '%s'", word) });
        case 'wait': {
          this.advance();
          this.expectWord('until', "after 'wait'");
          return this.finish({ kind: 'WaitStatement', start, end: 0, condition: this.parseExpression() });
        }
        case 'assert': {
          this.advance();
          const node: AssertStatement = { kind: 'AssertStatement', start, end: 0, condition: this.parseExpression() };
          const message = this.parseOptionalString();
          if (message) node.message = message;
          node.end = this.lastEnd;
          return node;
        }
        case 'if':
          return this.parseIf();
        case 'while': {
          this.advance();
          const condition = this.parseExpression();
          return this.finish({ kind: 'WhileStatement', start, end: 0, condition, body: this.parseRequiredBlock("the body of 'while'") });
        }
        case 'repeat': {
          this.advance();
          const count = this.parseRequiredNumber("the number of repetitions after 'repeat'");
          return this.finish({ kind: 'RepeatStatement', start, end: 0, count, body: this.parseRequiredBlock("the body of 'repeat'") });
        }
        case 'choose':
          return this.parseChoose();
        case 'maybe': {
          this.advance();
          const node: ChooseStatement = { kind: 'ChooseStatement', start, end: 0, isMaybe: true, branches: [this.parseRequiredBlock("the body of 'maybe'")] };
          node.end = this.lastEnd;
          return node;
        }
        case 'atomic':
          this.advance();
          return this.finish({ kind: 'AtomicStatement', start, end: 0, body: this.parseRequiredBlock("the body of 'atomic'") });
        case 'let': {
          this.advance();
          const name = this.parseIdentifier("a name after 'let'");
          let value: Expression;
          if (this.expect(TokenKind.Assign, "'=' and the value")) {
            value = this.parseValue();
          } else {
            value = this.missingExpression();
          }
          const node: LetStatement = { kind: 'LetStatement', start, end: 0, name, value };
          if (this.isWord('in') && this.kind(1) === TokenKind.Number) {
            this.advance();
            const low = this.parseNumberLiteral("the lowest value after 'in'");
            if (low && this.expect(TokenKind.DotDot, "'..' between the bounds of the range")) {
              node.rangeLow = low;
              const high = this.parseNumberLiteral("the highest value after '..'");
              if (high) node.rangeHigh = high;
            }
          }
          return this.finish(node);
        }
        case 'return':
          return this.parseReturn();
        case 'call_rcu':
        case 'call_srcu': {
          this.advance();
          const domain = word === 'call_srcu' ? this.parsePlace("the SRCU domain after 'call_srcu'") : undefined;
          const node: CallbackStatement = { kind: 'CallbackStatement', start, end: 0, op: word, call: this.parseCallbackCall(word) };
          if (domain) node.domain = domain;
          return this.finish(node);
        }
        case 'unload': {
          this.advance();
          const module = this.parsePlace("the module after 'unload'");
          const node: UnloadStatement = { kind: 'UnloadStatement', start, end: 0, module, body: this.parseRequiredBlock("the exit code of 'unload'") };
          return this.finish(node);
        }
        case 'rcu_assign_pointer': {
          this.advance();
          const startIndex = this.cur;
          const target = this.parsePlace("a pointer after 'rcu_assign_pointer'");
          if (!this.consume(TokenKind.Assign)) {
            this.errorAtCurrent(CODES.unexpectedToken, `Expected '=' and the value to publish in '${this.text.slice(target.start, target.end)}'`);
            return { kind: 'Error', start, end: this.lastEnd, tokens: this.tokensBetween(startIndex - 1, this.cur) };
          }
          return this.finish({ kind: 'AssignStatement', start, end: 0, target, value: this.parseExpression(), publish: true });
        }
        default:
          if (Object.prototype.hasOwnProperty.call(MECHANISM_OPS, word)) return this.parseMechanism(start, word as MechanismOp);
      }
    }
    if (this.kind(1) === TokenKind.LParen) return this.parseCall();
    if (this.kind(1) === TokenKind.Dot || this.kind(1) === TokenKind.Assign) {
      const startIndex = this.cur;
      const target = this.parsePlace('a place');
      if (!this.consume(TokenKind.Assign)) {
        this.errorAtCurrent(CODES.unexpectedToken, `Expected '=' and a value to assign to '${this.text.slice(target.start, target.end)}'`);
        return { kind: 'Error', start, end: this.lastEnd, tokens: this.tokensBetween(startIndex, this.cur) };
      }
      return this.finish({ kind: 'AssignStatement', start, end: 0, target, value: this.parseValue() });
    }
    this.error(CODES.expectedStatement, `'${word}' does not start a statement; expected a statement keyword, an assignment 'x.f = value' or a call '${word}(...)'.`, start, this.sigEnd[here]);
    return this.skipUntil(() => this.isStatementBoundary());
  }

  /** `queue_work d.work`, `synchronize_rcu`, ...: a mechanism keyword and its operand, if it takes one. */
  private parseMechanism(start: number, op: MechanismOp): MechanismStatement {
    this.advance();
    const node: MechanismStatement = { kind: 'MechanismStatement', start, end: 0, op };
    const operand = MECHANISM_OPS[op];
    if (operand !== 'none') node.target = this.parsePlace(`${OPERAND_WORDS[operand]} after '%s'`, op);
    return this.finish(node);
  }

  /** The call a callback statement queues: `f(args)`. */
  private parseCallbackCall(op: string): CallStatement {
    if (this.kind() === TokenKind.Identifier && this.kind(1) === TokenKind.LParen) return this.parseCall();
    this.errorAtCurrent(CODES.unexpectedToken, `Expected the callback to queue, 'f(args)', after '${op}'`);
    const missing = this.missingIdentifier();
    return { kind: 'CallStatement', start: missing.start, end: missing.end, callee: missing, args: [], argsRange: { start: missing.start, end: missing.end } };
  }

  /** The value of `let`, an assignment or `return`: an expression, or a call of a procedure. */
  private parseValue(): Expression {
    if (this.kind() === TokenKind.Identifier && this.kind(1) === TokenKind.LParen) {
      const call = this.parseCall();
      const node: CallExpression = { kind: 'CallExpression', start: call.start, end: call.end, call };
      return node;
    }
    return this.parseExpression();
  }

  /**
   * `return` or `return VALUE`. The value must start on the same line as `return`, so that a
   * statement on the next line (dead code after a `return`) keeps its meaning.
   */
  private parseReturn(): ReturnStatement {
    const start = this.advance();
    const node: ReturnStatement = { kind: 'ReturnStatement', start, end: this.lastEnd };
    const next = this.at(0);
    const kind = this.sigKind[next];
    const sameLine = !/[\n\r]/.test(this.text.slice(this.lastEnd, this.sigStart[next]));
    const startsValue =
      kind === TokenKind.Number ||
      kind === TokenKind.LParen ||
      kind === TokenKind.Bang ||
      (kind === TokenKind.Identifier && (!STATEMENT_WORDS.has(this.word()) || this.isUsedAsName()));
    if (sameLine && startsValue) {
      node.value = this.parseValue();
      node.end = this.lastEnd;
    }
    return node;
  }

  /** Sets a node's end to the end of the last consumed token, once its children are parsed. */
  private finish<T extends { end: number }>(node: T): T {
    node.end = this.lastEnd;
    return node;
  }

  /**
   * Where skipping inside a block stops: something that clearly starts a statement (a statement
   * keyword, a name used in an assignment or a call, a block), a `}`, or an item.
   */
  private isStatementBoundary(): boolean {
    const kind = this.kind();
    if (kind === TokenKind.LBrace || kind === TokenKind.RBrace) return true;
    if (kind !== TokenKind.Identifier) return false;
    return STATEMENT_WORDS.has(this.word()) || this.isUsedAsName() || this.isItemStart(ITEM_WORDS, true);
  }

  private parseRequiredBlock(what: string): Block {
    if (this.kind() === TokenKind.LBrace) return this.parseBlock();
    this.errorAtCurrent(CODES.unexpectedToken, `Expected '{' to start ${what}`);
    return this.emptyBlock();
  }

  private parseIf(): IfStatement {
    const start = this.startHere();
    this.advance();
    const condition = this.parseExpression();
    const then = this.parseRequiredBlock("the body of 'if'");
    const node: IfStatement = { kind: 'IfStatement', start, end: 0, condition, then };
    if (this.isWord('else') && !this.isUsedAsName()) {
      this.advance();
      // `else if (cond)` is an `if` whose condition is in parentheses, as at the start of a statement.
      if (this.isWord('if') && (!this.isUsedAsName() || this.kind(1) === TokenKind.LParen)) {
        if (this.depth >= MAX_NESTING) {
          this.tooDeep("This 'else if' chain");
          const skipped = this.skipToEnclosingClose();
          node.else = { kind: 'Block', start: skipped.start, end: skipped.end, statements: [skipped] };
        } else {
          this.depth++;
          node.else = this.parseIf();
          this.depth--;
        }
      } else {
        node.else = this.parseRequiredBlock("the body of 'else'");
      }
    }
    node.end = this.lastEnd;
    return node;
  }

  private parseChoose(): ChooseStatement {
    const start = this.startHere();
    this.advance();
    const branches = [this.parseRequiredBlock("the first branch of 'choose'")];
    if (!this.isWord('or')) {
      this.errorAtCurrent(CODES.unexpectedToken, "Expected 'or' and another branch after the first branch of 'choose'");
    }
    while (this.isWord('or') && !this.isUsedAsName()) {
      this.advance();
      branches.push(this.parseRequiredBlock("a branch after 'or'"));
    }
    return { kind: 'ChooseStatement', start, end: this.lastEnd, isMaybe: false, branches: exactSize(branches) };
  }

  private parseCall(): CallStatement {
    const callee = this.parseIdentifier('a procedure name');
    const argsStart = this.advance();
    const mark = this.lists.mark();
    if (!this.consume(TokenKind.RParen)) {
      this.lists.push(this.parseExpression());
      while (this.consume(TokenKind.Comma)) this.lists.push(this.parseExpression());
      this.expect(TokenKind.RParen, "',' or ')' after the arguments");
    }
    const args = this.lists.take<Expression>(mark);
    return { kind: 'CallStatement', start: callee.start, end: this.lastEnd, callee, args, argsRange: { start: argsStart, end: this.lastEnd } };
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private missingExpression(): MissingExpression {
    return { kind: 'MissingExpression', start: this.lastEnd, end: this.lastEnd };
  }

  /** Expr = Or; Or = And ('||' And)*. */
  private parseExpression(): Expression {
    let left = this.parseAnd();
    while (this.kind() === TokenKind.OrOr) {
      this.advance();
      const right = this.parseAnd();
      left = { kind: 'BinaryExpression', start: left.start, end: this.lastEnd, op: '||', left, right };
    }
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseComparison();
    while (this.kind() === TokenKind.AndAnd) {
      this.advance();
      const right = this.parseComparison();
      left = { kind: 'BinaryExpression', start: left.start, end: this.lastEnd, op: '&&', left, right };
    }
    return left;
  }

  private parseComparison(): Expression {
    const left = this.parseUnary();
    const op = comparisonOperator(this.kind());
    if (op === undefined) return left;
    this.advance();
    const right = this.parseUnary();
    return { kind: 'BinaryExpression', start: left.start, end: this.lastEnd, op, left, right };
  }

  /** Unary = '!' Unary | Primary; a run of `!` is read in a loop and bounded by the nesting limit. */
  private parseUnary(): Expression {
    const bangs: number[] = [];
    while (this.kind() === TokenKind.Bang) bangs.push(this.advance());
    if (bangs.length === 0) return this.parsePrimary();
    const room = Math.max(0, MAX_NESTING - this.depth);
    if (bangs.length > room) {
      const excess = bangs[room];
      const excessEnd = excess + 1;
      this.error(CODES.tooDeep, `This chain of '!' nests deeper than ${MAX_NESTING} levels; the parser ignores the extra ones.`, excess, excessEnd);
    }
    this.depth += Math.min(bangs.length, room);
    let operand = this.parsePrimary();
    this.depth -= Math.min(bangs.length, room);
    const kept = Math.min(bangs.length, Math.max(1, room));
    for (let i = kept - 1; i >= 0; i--) {
      // The outermost node covers every `!` of the run, including any ignored beyond the limit.
      const start = i === 0 ? bangs[0] : bangs[bangs.length - kept + i];
      operand = { kind: 'UnaryExpression', start, end: this.lastEnd, op: '!', operand };
    }
    return operand;
  }

  private parsePrimary(): Expression {
    const here = this.at(0);
    const start = this.sigStart[here];
    const end = this.sigEnd[here];
    switch (this.sigKind[here]) {
      case TokenKind.Number:
        this.advance();
        return { kind: 'NumberLiteral', start, end, value: this.numberValue(start, end) };
      case TokenKind.LParen:
        return this.parseParen();
      case TokenKind.Identifier: {
        const word = this.word();
        const next = this.kind(1);
        if (next !== TokenKind.Dot) {
          if (word === 'true' || word === 'false') {
            this.advance();
            const node: BoolLiteral = { kind: 'BoolLiteral', start, end, value: word === 'true' };
            return node;
          }
          if (word === 'null') {
            this.advance();
            return { kind: 'NullLiteral', start, end };
          }
        }
        if (next === TokenKind.Identifier) {
          if (TRY_WORDS.has(word)) {
            this.advance();
            const op = word as TryExpression['op'];
            return this.finish({ kind: 'TryExpression', start, end: 0, op, target: this.parsePlace("a place after '%s'", word) });
          }
          if (PREDICATE_WORDS.has(word)) {
            this.advance();
            const op = word as PredicateExpression['op'];
            return this.finish({ kind: 'PredicateExpression', start, end: 0, op, target: this.parsePlace("a place after '%s'", word) });
          }
          if (word === 'rcu_dereference') {
            this.advance();
            return this.finish({ kind: 'RcuDereference', start, end: 0, target: this.parsePlace("a pointer after 'rcu_dereference'") });
          }
          if (word === 'put') {
            this.advance();
            const target = this.parsePlace("a reference count after 'put'");
            let lock: Place;
            if (this.expectWord('locking', "and the lock after 'put X.r' in a condition")) {
              lock = this.parsePlace("a lock after 'locking'");
            } else {
              const missing = this.missingIdentifier();
              lock = { kind: 'Place', start: missing.start, end: missing.end, segments: [missing] };
            }
            return this.finish({ kind: 'LockedPutExpression', start, end: 0, target, lock });
          }
        }
        if (next === TokenKind.LParen) {
          // A call inside an expression: parsed whole, so the checker can say that only let, an
          // assignment or return take a procedure's value.
          const call = this.parseCall();
          const node: CallExpression = { kind: 'CallExpression', start: call.start, end: call.end, call };
          return node;
        }
        return this.parsePlace('a place');
      }
      default:
        this.errorAtCurrent(CODES.missingExpression, 'Expected an expression');
        return this.missingExpression();
    }
  }

  private parseParen(): Expression {
    const start = this.startHere();
    if (this.depth >= MAX_NESTING) {
      this.tooDeep('This parenthesis');
      this.skipGroup();
      return { kind: 'ParenExpression', start, end: this.lastEnd, inner: { kind: 'MissingExpression', start: start + 1, end: start + 1 } };
    }
    this.depth++;
    this.advance();
    const inner = this.parseExpression();
    this.expect(TokenKind.RParen, "')' to close the parenthesis");
    this.depth--;
    return { kind: 'ParenExpression', start, end: this.lastEnd, inner };
  }
}

function comparisonOperator(kind: TokenKind): BinaryOp | undefined {
  switch (kind) {
    case TokenKind.EqEq:
      return '==';
    case TokenKind.NotEq:
      return '!=';
    case TokenKind.Less:
      return '<';
    case TokenKind.LessEq:
      return '<=';
    case TokenKind.Greater:
      return '>';
    case TokenKind.GreaterEq:
      return '>=';
    default:
      return undefined;
  }
}

/**
 * The list at its exact length. A list that grew by `push` keeps spare capacity for sixteen more
 * elements; a large file's tree holds tens of thousands of short lists, so the spare room would
 * cost more memory (and garbage-collector copying) than the nodes in them. The most frequent lists
 * (statements, place segments, arguments) are built on `lists` instead, which also saves the copy.
 */
function exactSize<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

/**
 * The root node. Its `tokens` become objects only when first read: the parser and the checker
 * never need them, and a large file's token objects would cost more than the parse itself.
 */
function sourceFile(text: string, items: Item[], store: TokenStore): SourceFile {
  let tokens: Token[] | undefined;
  return {
    kind: 'SourceFile',
    start: 0,
    end: text.length,
    text,
    items,
    tokenCount: store.count,
    get tokens(): Token[] {
      if (tokens === undefined) tokens = store.toArray();
      return tokens;
    },
    set tokens(value: Token[]) {
      tokens = value;
    },
  };
}
