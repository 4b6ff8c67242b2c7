// Lock-coupled drops: kref_put_mutex, kref_put_lock, refcount_dec_and_lock,
// refcount_dec_and_mutex_lock, atomic_dec_and_lock. The count drops without the lock while it
// stays above zero; the last reference is dropped holding the lock, so that a lookup under the same
// lock cannot find the object between its last put and its release (rule 3 of kref.rst).
//
// `put X.r locking L` (kref_put_mutex): one step while the count is above one; else the lock is
// taken (blocking), the count dropped, and at zero the on-zero action runs holding L, which is
// released afterwards if the action has not released it itself.
// `if put X.r locking L { ... }` (refcount_dec_and_lock): the same, except that at zero the branch
// runs with L held and must release it; the on-zero action does not run.

import type { LockedPutExpression, Place, RefStatement } from '../../syntax/ast';
import { bin, constant, read, type Op } from '../ir';
import { orFailing, type MemberSlot, type Resolved } from './context';
import type { Lowering } from './parts';

export class CoupledPuts {
  constructor(private readonly lw: Lowering) {}

  private operands(target: Place, lock: Place, what: string): { resolved: Resolved; member: MemberSlot; lockVar: number; lockChecks: Op[]; checks: Op[] } {
    const places = this.lw.places;
    const resolved = places.resolve(target);
    const member = places.asMember(resolved, target, ['ref']);
    const lockResolved = places.resolve(lock);
    const lockMember = places.asMember(lockResolved, lock, ['lock']);
    return {
      resolved,
      member,
      lockVar: lockMember.variable,
      lockChecks: places.hopChecks(lockResolved.hops, lockResolved.hops.length, what),
      checks: places.hopChecks(resolved.hops, resolved.hops.length, what),
    };
  }

  /**
   * The three steps shared by both forms, from `cur`: the lockless drop (to `above`), the lock,
   * and the locked drop, which continues at `zero` holding the lock or releases it and goes to
   * `above`. Returns nothing; the caller places `zero` and `above`.
   */
  private steps(target: Place, lock: Place, cur: number, zero: number, above: number, range: { start: number; end: number }, what: string): void {
    const ctx = this.lw.ctx;
    const { member, lockVar, lockChecks, checks } = this.operands(target, lock, what);
    const v = member.variable;
    const me = ctx.current.me;
    const underflow: Op = { k: 'check', cond: bin('!=', read(v), constant(0)), kind: 'refcount-underflow', message: `${what}: the count is already 0` };
    const locking = ctx.newPoint();
    const locked = ctx.newPoint();
    ctx.addTransition(
      cur,
      undefined,
      [...checks, underflow, { k: 'if', cond: bin('>', read(v), constant(1)), then: [{ k: 'assign', v, value: bin('-', read(v), constant(1)) }, { k: 'goto', pc: above }], else: [{ k: 'goto', pc: locking }] }],
      locking,
      range,
      what,
    );
    ctx.addTransition(
      locking,
      orFailing(bin('||', bin('==', read(lockVar), constant(0)), bin('==', read(lockVar), constant(me))), lockChecks),
      [...lockChecks, { k: 'check', cond: bin('!=', read(lockVar), constant(me)), kind: 'lock-misuse', message: `${what}: the lock is already held by this thread` }, { k: 'assign', v: lockVar, value: constant(me) }],
      locked,
      range,
      `${what}: takes the lock for the last reference`,
    );
    ctx.addTransition(
      locked,
      undefined,
      [
        ...checks,
        underflow,
        { k: 'assign', v, value: bin('-', read(v), constant(1)) },
        { k: 'if', cond: bin('==', read(v), constant(0)), then: [{ k: 'goto', pc: zero }], else: [{ k: 'assign', v: lockVar, value: constant(0) }, { k: 'goto', pc: above }] },
      ],
      zero,
      range,
      `${what}: drops the count under the lock`,
    );
  }

  /** `put X.r locking L` as a statement. */
  lowerStatement(s: RefStatement, cur: number, what: string): number {
    const ctx = this.lw.ctx;
    const next = ctx.newPoint();
    const zero = ctx.newPoint();
    this.steps(s.target, s.locking!, cur, zero, next, s, what);
    const { member, lockVar, lockChecks } = this.operands(s.target, s.locking!, what);
    const me = ctx.current.me;
    const released = ctx.newPoint();
    const afterAction = member.onZero ? this.lw.control.lowerOnZeroAction({ variable: member.variable, body: member.onZero }, zero) : zero;
    ctx.join(afterAction, released);
    ctx.addTransition(
      released,
      undefined,
      [{ k: 'if', cond: bin('==', read(lockVar), constant(me)), then: [...lockChecks, { k: 'assign', v: lockVar, value: constant(0) }], else: [] }],
      next,
      s,
      `${what}: releases the lock after the release`,
    );
    return next;
  }

  /** `put X.r locking L` as the whole condition of `if` or `while`: `then` runs holding L. */
  lowerCondition(e: LockedPutExpression, cur: number, thenEntry: number, elseEntry: number, range: { start: number; end: number }, what: string): void {
    this.steps(e.target, e.lock, cur, thenEntry, elseEntry, range, what);
  }
}

