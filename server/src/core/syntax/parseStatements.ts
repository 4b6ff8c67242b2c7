// Blocks and statements: the statement keywords, assignments, calls, `if`/`else if` chains,
// `choose`, `return` with its same-line value, and the recovery that skips to the next statement.
// The kernel mechanisms' statements are in parseKernelStatements.ts.

import { CODES } from '../diagnostics/codes';
import type { AssertStatement, Block, ChooseStatement, ErrorNode, Expression, IfStatement, LetStatement, RefStatement, ReturnStatement, Statement } from './ast';
import { TokenKind } from './tokens';
import { ITEM_WORDS, EXPRESSION_KEYWORDS, STATEMENT_WORDS, MAX_NESTING, exactSize } from './parserWords';
import { KernelStatementParser } from './parseKernelStatements';

export abstract class StatementParser extends KernelStatementParser {
  /** Block = '{' Statement* '}', at the current `{`. Too deep a block is skipped whole. */
  protected parseBlock(): Block {
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

  /**
   * Parses one statement and its optional `;`. When the current token cannot start a statement it
   * reports LT1010 and returns the skipped tokens as an ErrorNode.
   */
  protected parseStatement(): Statement {
    const statement = this.parseStatementProper();
    this.consume(TokenKind.Semicolon);
    return statement;
  }

  protected parseStatementProper(): Statement {
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
        default: {
          const kernel = this.parseKernelStatement(word, start);
          if (kernel) return kernel;
        }
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

  /**
   * `return` or `return VALUE`. The value must start on the same line as `return`, so that a
   * statement on the next line (dead code after a `return`) keeps its meaning.
   */
  protected parseReturn(): ReturnStatement {
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

  /**
   * Where skipping inside a block stops: something that clearly starts a statement (a statement
   * keyword, a name used in an assignment or a call, a block), a `}`, or an item.
   */
  protected isStatementBoundary(): boolean {
    const kind = this.kind();
    if (kind === TokenKind.LBrace || kind === TokenKind.RBrace) return true;
    if (kind !== TokenKind.Identifier) return false;
    return STATEMENT_WORDS.has(this.word()) || this.isUsedAsName() || this.isItemStart(ITEM_WORDS, true);
  }

  protected parseRequiredBlock(what: string): Block {
    if (this.kind() === TokenKind.LBrace) return this.parseBlock();
    this.errorAtCurrent(CODES.unexpectedToken, `Expected '{' to start ${what}`);
    return this.emptyBlock();
  }

  protected parseIf(): IfStatement {
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

  protected parseChoose(): ChooseStatement {
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
}
