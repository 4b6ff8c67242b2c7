// Locks: `lock` blocks while another actor holds the lock; `unlock` of a lock the actor does not
// hold, a relock, and finishing with a lock held are lock misuse. (`trylock` is a condition, see
// expressions.ts; `held` a predicate.)

import type { Place } from '../../syntax/ast';
import { bin, constant, read, type Op } from '../ir';
import { orFailing, type ActorBuild, type Step } from './context';
import type { Lowering } from './parts';

export class Locks {
  constructor(private readonly lw: Lowering) {}

  step(target: Place, op: 'lock' | 'unlock', what: string): Step {
    const places = this.lw.places;
    const orders = this.lw.orders;
    const resolved = places.resolve(target);
    const member = places.asMember(resolved, target, ['lock']);
    const v = member.variable;
    const me = this.lw.ctx.current.me;
    const checks = places.hopChecks(resolved.hops, resolved.hops.length, what);
    if (op === 'lock') {
      return orders.around(
        {
          guard: orFailing(bin('||', bin('==', read(v), constant(0)), bin('==', read(v), constant(me))), checks),
          ops: [
            ...checks,
            { k: 'check', cond: bin('!=', read(v), constant(me)), kind: 'lock-misuse', message: `${what}: already held by this thread` },
            { k: 'assign', v, value: constant(me) },
          ],
        },
        `lock:v${v}`,
        what,
      );
    }
    return orders.around(
      {
        ops: [
          ...checks,
          { k: 'check', cond: bin('==', read(v), constant(me)), kind: 'lock-misuse', message: `${what}: not held by this thread` },
          { k: 'assign', v, value: constant(0) },
        ],
      },
      `unlock:v${v}`,
      what,
    );
  }

  /** The checks a thread's end runs: no lock of any object may still be held. */
  finishChecks(build: ActorBuild): Op[] {
    const checks: Op[] = [];
    for (const slot of this.lw.ctx.objects) {
      for (const member of slot.members.values()) {
        if (member.kind !== 'lock') continue;
        checks.push({
          k: 'check',
          cond: bin('!=', read(member.variable), constant(build.me)),
          kind: 'lock-misuse',
          message: `${build.actor.name} finishes holding ${slot.info.name}.${member.name}`,
        });
      }
    }
    return checks;
  }
}
