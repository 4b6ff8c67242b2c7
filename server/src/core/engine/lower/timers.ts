// Timers, with the kernel's semantics:
// - `mod_timer t` (and `add_timer t`) arms or re-arms the timer; its handler runs later in its own
//   context, once per arming; `add_timer` on a pending timer is a misuse (mod_timer re-arms);
// - `del_timer t` disarms it without waiting for a running handler;
// - `del_timer_sync t` (`timer_delete_sync t`) waits until the handler is not running and disarms
//   it: on return the timer is neither pending nor running, but nothing stops another thread (or a
//   work item the handler queued) from arming it again afterwards;
// - `timer_shutdown_sync t` does the same and makes every later arming do nothing.
// The timer base reaches the timer in its object when it expires, so an armed timer whose object is
// freed is a use-after-free when it fires.

import type { MechanismStatement, ObjectDecl, Place } from '../../syntax/ast';
import { bin, constant, read, type Expr, type Op } from '../ir';
import { orFailing, type MemberSlot, type ObjectSlot, type Step } from './context';
import type { Handler } from './handlers';
import type { Lowering } from './parts';

const TIMER_IDLE = 0;
const TIMER_PENDING = 1;
const TIMER_SHUTDOWN = 2;

export class Timers {
  private readonly handlers = new Map<number, Handler>();

  constructor(private readonly lw: Lowering) {}

  declareMember(slot: ObjectSlot, name: string): MemberSlot {
    const variable = this.lw.ctx.addVariable(`${slot.info.name}.${name}`, 'state', 3, TIMER_IDLE, slot.info.index, -1, { values: ['idle', 'pending', 'shut down'] });
    return { name, kind: 'timer', variable };
  }

  /** The handler context of each timer, once the threads exist. */
  declareHandlers(decl: ObjectDecl, slot: ObjectSlot): void {
    const values = { pending: TIMER_PENDING, idle: TIMER_IDLE, runs: 'fires', starts: 'fires' };
    this.lw.handlers.declareMembers(decl, slot, 'timer', values, (_member, memberSlot) => (handler) => this.handlers.set(memberSlot.variable, handler));
  }

  private timer(target: Place, what: string): { v: number; handler: Handler; checks: Op[] } {
    const places = this.lw.places;
    const resolved = places.resolve(target);
    const slot = places.asMember(resolved, target, ['timer']);
    const handler = this.handlers.get(slot.variable);
    if (!handler) throw this.lw.ctx.fail(`timer ${resolved.text} has no handler`, target);
    return { v: slot.variable, handler, checks: places.hopChecks(resolved.hops, resolved.hops.length, what) };
  }

  step(s: MechanismStatement, what: string): Step | undefined {
    switch (s.op) {
      case 'mod_timer':
      case 'add_timer': {
        const { v, checks } = this.timer(s.target!, what);
        const ops: Op[] = [...checks];
        if (s.op === 'add_timer') ops.push({ k: 'check', cond: bin('!=', read(v), constant(TIMER_PENDING)), kind: 'api-misuse', message: `${what}: the timer is already pending (re-arm it with mod_timer)` });
        ops.push({ k: 'if', cond: bin('!=', read(v), constant(TIMER_SHUTDOWN)), then: [{ k: 'assign', v, value: constant(TIMER_PENDING) }], else: [] });
        return { ops };
      }
      case 'del_timer': {
        const { v, checks } = this.timer(s.target!, what);
        return { ops: [...checks, disarm(v)] };
      }
      case 'del_timer_sync':
      case 'timer_delete_sync': {
        const { v, handler, checks } = this.timer(s.target!, what);
        return { guard: orFailing(this.lw.handlers.idleExpr(handler), checks), ops: [...checks, disarm(v)], handedOver: true };
      }
      case 'timer_shutdown_sync': {
        const { v, handler, checks } = this.timer(s.target!, what);
        return { guard: orFailing(this.lw.handlers.idleExpr(handler), checks), ops: [...checks, { k: 'assign', v, value: constant(TIMER_SHUTDOWN) }], handedOver: true };
      }
      default:
        return undefined;
    }
  }

  /** `timer_pending t`. */
  pendingExpr(target: Place, checks: Op[]): Expr {
    const { v, checks: own } = this.timer(target, 'timer_pending');
    checks.push(...own);
    return bin('==', read(v), constant(TIMER_PENDING));
  }
}

function disarm(v: number): Op {
  return { k: 'if', cond: bin('==', read(v), constant(TIMER_PENDING)), then: [{ k: 'assign', v, value: constant(TIMER_IDLE) }], else: [] };
}
