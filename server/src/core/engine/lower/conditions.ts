// Branching on conditions, and the statements that store into local values. Most conditions are
// one step of `if` operations (expressions.ts). The ones that take a step of their own are lowered
// here: `wait_for_completion_timeout` and `tryget_live` (alternatives, one transition each from the
// condition's point) and `put X.r locking L` (three steps, see coupled.ts).

import type { AssignStatement, CallStatement, Expression, LetStatement } from '../../syntax/ast';
import type { Op } from '../ir';
import type { Alternative, LocalValue, LoweringContext, Sink } from './context';
import type { Lowering } from './parts';

type CallLowering = (call: CallStatement, cur: number, sink: Sink) => number;

export class Conditions {
  private readonly ctx: LoweringContext;

  constructor(private readonly lw: Lowering) {
    this.ctx = lw.ctx;
  }

  /** The condition without its parentheses and negations, and whether it is negated. */
  private operand(e: Expression): { operand: Expression; negated: boolean } {
    let negated = false;
    for (;;) {
      if (e.kind === 'ParenExpression') e = e.inner;
      else if (e.kind === 'UnaryExpression') {
        negated = !negated;
        e = e.operand;
      } else return { operand: e, negated };
    }
  }

  /** The alternatives of a condition that goes either way in a step of its own, if it is one. */
  private alternatives(e: Expression, what: string): Alternative[] | undefined {
    if (e.kind !== 'TryExpression') return undefined;
    if (e.op === 'wait_for_completion_timeout') return this.lw.completions.timeoutAlternatives(e.target, what);
    if (e.op === 'tryget_live') return this.lw.percpu.tryLiveAlternatives(e.target, what);
    return undefined;
  }

  /** Evaluates a condition from `cur` and continues at `thenEntry` or `elseEntry`. */
  branch(condition: Expression, cur: number, thenEntry: number, elseEntry: number, range: { start: number; end: number }, event: string): void {
    const ctx = this.ctx;
    const { operand, negated } = this.operand(condition);
    const [whenTrue, whenFalse] = negated ? [elseEntry, thenEntry] : [thenEntry, elseEntry];
    if (operand.kind === 'LockedPutExpression') {
      this.lw.coupled.lowerCondition(operand, cur, whenTrue, whenFalse, range, event);
      return;
    }
    const alternatives = this.alternatives(operand, event);
    if (alternatives) {
      // As for any condition, the default successor is the then-branch: the trace tells the way a
      // step went (`→ true`) by it, also under a negation.
      for (const alternative of alternatives) {
        const ops = alternative.ops([{ k: 'goto', pc: whenTrue }], [{ k: 'goto', pc: whenFalse }]);
        ctx.addTransition(cur, alternative.guard, ops, thenEntry, range, event);
      }
      return;
    }
    const ops = this.lw.expressions.lowerCond(condition, [{ k: 'goto', pc: thenEntry }], [{ k: 'goto', pc: elseEntry }]);
    ctx.addTransition(cur, undefined, ops, thenEntry, range, event);
  }

  /** Inside `atomic`, only conditions of one step. */
  requireSimple(condition: Expression): void {
    const { operand } = this.operand(condition);
    if (operand.kind === 'LockedPutExpression' || this.isAlternating(operand)) {
      throw this.ctx.fail(`\`${this.ctx.sourceText(operand).split(' ')[0]}\` takes a step of its own, so it cannot stand inside atomic`, operand);
    }
  }

  private isAlternating(e: Expression): boolean {
    return e.kind === 'TryExpression' && (e.op === 'wait_for_completion_timeout' || e.op === 'tryget_live');
  }

  /** `let ok = VALUE`: a local value. */
  letValue(s: LetStatement, cur: number, lowerCall: CallLowering): number {
    const local = this.lw.values.declare(s, this.lw.values.typeOf(s));
    return this.store(local, s.value, cur, s, lowerCall);
  }

  /** Whether an assignment stores into a local value. */
  assignsLocal(s: AssignStatement): boolean {
    return s.target.segments.length === 1 && this.lw.values.lookup(s.target.segments[0].text) !== undefined && !this.ctx.current.env.has(s.target.segments[0].text);
  }

  /** `ok = VALUE` on a local value. */
  assignValue(s: AssignStatement, cur: number, lowerCall: CallLowering): number {
    const local = this.lw.values.lookup(s.target.segments[0].text)!;
    return this.store(local, s.value, cur, s, lowerCall);
  }

  private store(local: LocalValue, value: Expression, cur: number, range: { start: number; end: number }, lowerCall: CallLowering): number {
    const ctx = this.ctx;
    const values = this.lw.values;
    const what = ctx.sourceText(range);
    if (value.kind === 'CallExpression') return lowerCall(value.call, cur, local);
    const { operand, negated } = this.operand(value);
    const alternatives = this.alternatives(operand, what);
    if (alternatives) {
      const next = ctx.newPoint();
      const [whenTrue, whenFalse] = negated ? [false, true] : [true, false];
      for (const alternative of alternatives) {
        ctx.addTransition(cur, alternative.guard, alternative.ops(values.storeOutcome(local, whenTrue), values.storeOutcome(local, whenFalse)), next, range, what);
      }
      return next;
    }
    if (operand.kind === 'LockedPutExpression') {
      const next = ctx.newPoint();
      const yes = ctx.newPoint();
      const no = ctx.newPoint();
      this.branch(value, cur, yes, no, range, what);
      ctx.addTransition(yes, undefined, values.storeOutcome(local, true), next, range, `${what}: true`);
      ctx.addTransition(no, undefined, values.storeOutcome(local, false), next, range, `${what}: false`);
      return next;
    }
    return this.lw.control.place({ ops: values.evaluateInto(value, local, what) }, cur, range, what);
  }

  /** The operations of `let ok = VALUE` inside `atomic` (one step). */
  letValueOps(s: LetStatement): Op[] {
    if (s.value.kind === 'CallExpression') throw this.ctx.fail(`a call's value cannot be taken inside atomic`, s.value);
    this.requireSimple(s.value);
    const local = this.lw.values.declare(s, this.lw.values.typeOf(s));
    return this.lw.values.evaluateInto(s.value, local, this.ctx.sourceText(s));
  }

  /** The operations of `ok = VALUE` inside `atomic`. */
  assignValueOps(s: AssignStatement): Op[] {
    if (s.value.kind === 'CallExpression') throw this.ctx.fail(`a call's value cannot be taken inside atomic`, s.value);
    this.requireSimple(s.value);
    const local = this.lw.values.lookup(s.target.segments[0].text)!;
    return this.lw.values.evaluateInto(s.value, local, this.ctx.sourceText(s));
  }
}
