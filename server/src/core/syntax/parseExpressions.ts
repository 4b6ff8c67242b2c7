// Expressions: `||`, `&&`, comparisons, `!` runs bounded by the nesting limit, and the primaries
// (literals, places, the conditions that act on a place, calls). Calls and the values of `let`,
// assignments and `return` are parsed here too, since an expression can hold a call.

import { CODES } from '../diagnostics/codes';
import type { BinaryOp, BoolLiteral, CallExpression, CallStatement, Expression, MissingExpression, NullLiteral, NumberLiteral, Place, PredicateExpression, TryExpression } from './ast';
import { TokenKind } from './tokens';
import { TRY_WORDS, PREDICATE_WORDS, MAX_NESTING } from './parserWords';
import { ParserCore } from './parserCore';

export abstract class ExpressionParser extends ParserCore {
  /** The value of `let`, an assignment or `return`: an expression, or a call of a procedure. */
  protected parseValue(): Expression {
    if (this.kind() === TokenKind.Identifier && this.kind(1) === TokenKind.LParen) {
      const call = this.parseCall();
      const node: CallExpression = { kind: 'CallExpression', start: call.start, end: call.end, call };
      return node;
    }
    return this.parseExpression();
  }

  protected parseCall(): CallStatement {
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

  /** Expr = Or; Or = And ('||' And)*. */
  protected parseExpression(): Expression {
    let left = this.parseAnd();
    while (this.kind() === TokenKind.OrOr) {
      this.advance();
      const right = this.parseAnd();
      left = { kind: 'BinaryExpression', start: left.start, end: this.lastEnd, op: '||', left, right };
    }
    return left;
  }

  protected parseAnd(): Expression {
    let left = this.parseComparison();
    while (this.kind() === TokenKind.AndAnd) {
      this.advance();
      const right = this.parseComparison();
      left = { kind: 'BinaryExpression', start: left.start, end: this.lastEnd, op: '&&', left, right };
    }
    return left;
  }

  protected parseComparison(): Expression {
    const left = this.parseUnary();
    const op = comparisonOperator(this.kind());
    if (op === undefined) return left;
    this.advance();
    const right = this.parseUnary();
    return { kind: 'BinaryExpression', start: left.start, end: this.lastEnd, op, left, right };
  }

  /** Unary = '!' Unary | Primary; a run of `!` is read in a loop and bounded by the nesting limit. */
  protected parseUnary(): Expression {
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

  protected parsePrimary(): Expression {
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

  protected parseParen(): Expression {
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
