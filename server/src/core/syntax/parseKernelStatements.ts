// The statements of the kernel's mechanisms (docs/language.md, "The kernel's mechanisms"): RCU and
// SRCU callbacks, module unloads, pointer publication, and the keywords of work items, timers,
// SRCU, completions, percpu_ref and modules with their operands.

import { CODES } from '../diagnostics/codes';
import type { AssignStatement, Block, CallStatement, CallbackStatement, MechanismStatement, Statement, UnloadStatement } from './ast';
import { MECHANISM_OPS, type MechanismOp } from './ast';
import { TokenKind } from './tokens';
import { OPERAND_WORDS } from './parserWords';
import { ExpressionParser } from './parseExpressions';

export abstract class KernelStatementParser extends ExpressionParser {
  /**
   * The kernel-mechanism statements at the current word: `call_rcu f(args)`, `call_srcu S f(args)`,
   * `unload M { exit }`, `rcu_assign_pointer X.p = V`, and the mechanism keywords with their
   * operand (`queue_work w`, `synchronize_rcu`, ...). Undefined, with nothing consumed, when the
   * word is none of them.
   */
  protected parseKernelStatement(word: string, start: number): Statement | undefined {
    switch (word) {
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
        const node: AssignStatement = { kind: 'AssignStatement', start, end: 0, target, value: this.parseExpression(), publish: true };
        return this.finish(node);
      }
      default:
        if (Object.prototype.hasOwnProperty.call(MECHANISM_OPS, word)) return this.parseMechanism(start, word as MechanismOp);
        return undefined;
    }
  }

  /** `queue_work d.work`, `synchronize_rcu`, ...: a mechanism keyword and its operand, if it takes one. */
  protected parseMechanism(start: number, op: MechanismOp): MechanismStatement {
    this.advance();
    const node: MechanismStatement = { kind: 'MechanismStatement', start, end: 0, op };
    const operand = MECHANISM_OPS[op];
    if (operand !== 'none') node.target = this.parsePlace(`${OPERAND_WORDS[operand]} after '%s'`, op);
    return this.finish(node);
  }

  /** The call a callback statement queues: `f(args)`. */
  protected parseCallbackCall(op: string): CallStatement {
    if (this.kind() === TokenKind.Identifier && this.kind(1) === TokenKind.LParen) return this.parseCall();
    this.errorAtCurrent(CODES.unexpectedToken, `Expected the callback to queue, 'f(args)', after '${op}'`);
    const missing = this.missingIdentifier();
    return { kind: 'CallStatement', start: missing.start, end: missing.end, callee: missing, args: [], argsRange: { start: missing.start, end: missing.end } };
  }

  protected abstract parseRequiredBlock(what: string): Block;
}
