// Work items and workqueues, with the kernel's semantics:
// - `queue_work w` does nothing while w is pending (or being cancelled, or disabled); a worker runs
//   the handler later, once per queueing; an idle worker is no deadlock;
// - `cancel_work_sync w` removes a pending instance and waits for a running one; while it waits,
//   queueing (the handler's own re-queue included) does nothing; once it returns, a racing
//   `queue_work` arms the item again;
// - `disable_work_sync w` does the same and keeps the item disabled until `enable_work w`;
// - `flush_work w` waits for the queued instance (or else the running one) to finish;
// - `flush_workqueue wq` flushes every work item on wq; `destroy_workqueue wq` waits until none is
//   pending or running and then frees the workqueue, so a later `queue_work` is a use-after-free.
// The worker takes the work item out of its object when it starts, so a queued item whose object is
// freed is a use-after-free when the worker reaches it.

import type { HandlerMember, MechanismStatement, ObjectDecl, Place } from '../../syntax/ast';
import { bin, constant, read, type Expr, type Op } from '../ir';
import { orFailing, type MemberSlot, type ObjectSlot, type Resolved, type Step } from './context';
import type { Handler } from './handlers';
import type { Lowering } from './parts';

export const WORK_IDLE = 0;
export const WORK_PENDING = 1;
const WORKQUEUE_LIVE = 0;
const WORKQUEUE_DESTROYED = 1;

interface WorkItem {
  slot: MemberSlot;
  object: ObjectSlot;
  handler: Handler;
  canceling: number;
  disabled: number;
  /** The workqueue's state variable, or -1 for the system workqueue. */
  workqueue: number;
  workqueueText: string;
}

export class WorkItems {
  private readonly items = new Map<number, WorkItem>();
  private readonly disableBounds: (Expr & { k: 'const' })[] = [];

  constructor(private readonly lw: Lowering) {}

  /** The member variables of `work NAME` and `workqueue NAME`. */
  declareMember(slot: ObjectSlot, name: string, mechanism: 'work' | 'workqueue'): MemberSlot {
    const ctx = this.lw.ctx;
    const full = `${slot.info.name}.${name}`;
    const object = slot.info.index;
    if (mechanism === 'workqueue') {
      return { name, kind: 'workqueue', variable: ctx.addVariable(full, 'state', 2, WORKQUEUE_LIVE, object, -1, { values: ['live', 'destroyed'] }) };
    }
    const variable = ctx.addVariable(full, 'state', 2, WORK_IDLE, object, -1, { values: ['idle', 'pending'] });
    return { name, kind: 'work', variable };
  }

  /** The worker of each work item, once the threads exist. */
  declareWorkers(decl: ObjectDecl, slot: ObjectSlot): void {
    const ctx = this.lw.ctx;
    const values = { pending: WORK_PENDING, idle: WORK_IDLE, runs: 'runs', starts: 'starts' };
    this.lw.handlers.declareMembers(decl, slot, 'work', values, (member, memberSlot) => {
      const full = `${slot.info.name}.${member.name.text}`;
      const canceling = ctx.addVariable(`${full}.canceling`, 'flag', 2, 0, slot.info.index);
      const disabled = ctx.addVariable(`${full}.disabled`, 'int', 1, 0, slot.info.index, -1, { offset: 0 });
      const { workqueue, text } = this.workqueueOf(member);
      return (handler) => this.items.set(memberSlot.variable, { slot: memberSlot, object: slot, handler, canceling, disabled, workqueue, workqueueText: text });
    });
  }

  private workqueueOf(member: HandlerMember): { workqueue: number; text: string } {
    if (!member.workqueue) return { workqueue: -1, text: 'the system workqueue' };
    const places = this.lw.places;
    const resolved = places.resolveIn(member.workqueue, new Map(), new Map());
    const slot = places.asMember(resolved, member.workqueue, ['workqueue']);
    return { workqueue: slot.variable, text: resolved.text };
  }

  private item(target: Place, what: string): { item: WorkItem; resolved: Resolved; checks: Op[] } {
    const places = this.lw.places;
    const resolved = places.resolve(target);
    const slot = places.asMember(resolved, target, ['work']);
    const item = this.items.get(slot.variable);
    if (!item) throw this.lw.ctx.fail(`work item ${resolved.text} has no worker`, target);
    return { item, resolved, checks: places.hopChecks(resolved.hops, resolved.hops.length, what) };
  }

  /** The workqueue's checks: not destroyed. */
  private workqueueChecks(item: WorkItem, what: string): Op[] {
    if (item.workqueue < 0) return [];
    return [{ k: 'check', cond: bin('==', read(item.workqueue), constant(WORKQUEUE_LIVE)), kind: 'use-after-free', message: `${what}: workqueue ${item.workqueueText} was destroyed` }];
  }

  /** The one-step statements; undefined for the ones that wait (see `lower`). */
  step(s: MechanismStatement, what: string): Step | undefined {
    switch (s.op) {
      case 'queue_work': {
        const { item, checks } = this.item(s.target!, what);
        const v = item.slot.variable;
        const free = bin('&&', bin('==', read(v), constant(WORK_IDLE)), bin('&&', bin('==', read(item.canceling), constant(0)), bin('==', read(item.disabled), constant(0))));
        return { ops: [...checks, ...this.workqueueChecks(item, what), { k: 'if', cond: free, then: [{ k: 'assign', v, value: constant(WORK_PENDING) }], else: [] }] };
      }
      case 'cancel_work': {
        const { item, checks } = this.item(s.target!, what);
        return { ops: [...checks, ...this.removeQueued(item)] };
      }
      case 'enable_work': {
        const { item, checks } = this.item(s.target!, what);
        const d = item.disabled;
        return {
          ops: [
            ...checks,
            { k: 'check', cond: bin('>', read(d), constant(0)), kind: 'api-misuse', message: `${what}: ${item.slot.name} is not disabled` },
            { k: 'assign', v: d, value: bin('-', read(d), constant(1)) },
          ],
        };
      }
      case 'destroy_workqueue': {
        const places = this.lw.places;
        const resolved = places.resolve(s.target!);
        const slot = places.asMember(resolved, s.target!, ['workqueue']);
        const on = [...this.items.values()].filter((item) => item.workqueue === slot.variable);
        const drained = on.map((item) => bin('&&', bin('==', read(item.slot.variable), constant(WORK_IDLE)), this.lw.handlers.idleExpr(item.handler)));
        const hopChecks = places.hopChecks(resolved.hops, resolved.hops.length, what);
        return {
          guard: orFailing(drained.reduce((all: Expr, e) => bin('&&', all, e), constant(1)), hopChecks),
          ops: [
            ...hopChecks,
            { k: 'check', cond: bin('==', read(slot.variable), constant(WORKQUEUE_LIVE)), kind: 'double-free', message: `${what}: ${resolved.text} is already destroyed` },
            { k: 'assign', v: slot.variable, value: constant(WORKQUEUE_DESTROYED) },
          ],
        };
      }
      default:
        return undefined;
    }
  }

  /** `work_pending w`. */
  pendingExpr(target: Place, checks: Op[]): Expr {
    const { item, checks: own } = this.item(target, 'work_pending');
    checks.push(...own);
    return bin('==', read(item.slot.variable), constant(WORK_PENDING));
  }

  /** Removes a pending instance; flushes waiting for it now wait for the running one only. */
  private removeQueued(item: WorkItem): Op[] {
    return [...this.lw.handlers.cancelQueued(item.handler), { k: 'assign', v: item.slot.variable, value: constant(WORK_IDLE) }];
  }

  /** The statements that wait: cancel_work_sync, disable_work_sync, flush_work, flush_workqueue. */
  lower(s: MechanismStatement, cur: number, what: string): number | undefined {
    const ctx = this.lw.ctx;
    const handlers = this.lw.handlers;
    switch (s.op) {
      case 'cancel_work_sync':
      case 'disable_work_sync': {
        const { item, checks } = this.item(s.target!, what);
        const next = ctx.newPoint();
        const wait = ctx.newPoint();
        const handler = item.handler;
        const hold: Op[] =
          s.op === 'cancel_work_sync'
            ? [{ k: 'assign', v: item.canceling, value: constant(1) }]
            : [this.disableBound(item, what), { k: 'assign', v: item.disabled, value: bin('+', read(item.disabled), constant(1)) }];
        const free = s.op === 'cancel_work_sync' ? bin('==', read(item.canceling), constant(0)) : constant(1);
        // Not running: one step. Running: hold the item (no queueing) and wait for the handler.
        ctx.addTransition(cur, orFailing(bin('&&', free, handlers.idleExpr(handler)), checks), [...checks, ...this.removeQueued(item), ...(s.op === 'cancel_work_sync' ? [] : hold)], next, s, what);
        ctx.addTransition(cur, bin('&&', free, handlers.runningExpr(handler)), [...checks, ...this.removeQueued(item), ...hold], wait, s, `${what} (waits for the running handler)`);
        const release: Op[] = s.op === 'cancel_work_sync' ? [{ k: 'assign', v: item.canceling, value: constant(0) }] : [];
        const stillThere = this.lw.places.objectChecks(item.object.info.index, what);
        ctx.addTransition(wait, orFailing(handlers.idleExpr(handler), stillThere), [...stillThere, ...release], next, s, `${what}: the handler has finished`);
        return next;
      }
      case 'flush_work': {
        const { item, checks } = this.item(s.target!, what);
        return this.flush(cur, [item], checks, s, what);
      }
      case 'flush_workqueue': {
        const places = this.lw.places;
        const resolved = places.resolve(s.target!);
        const slot = places.asMember(resolved, s.target!, ['workqueue']);
        const on = [...this.items.values()].filter((item) => item.workqueue === slot.variable);
        const checks = [
          ...places.hopChecks(resolved.hops, resolved.hops.length, what),
          { k: 'check', cond: bin('==', read(slot.variable), constant(WORKQUEUE_LIVE)), kind: 'use-after-free', message: `${what}: ${resolved.text} was destroyed` } as Op,
        ];
        return this.flush(cur, on, checks, s, what);
      }
      default:
        return undefined;
    }
  }

  /** One step arms a barrier per item; a second waits until every barrier is down. */
  private flush(cur: number, items: WorkItem[], checks: Op[], at: { start: number; end: number }, what: string): number {
    const ctx = this.lw.ctx;
    const handlers = this.lw.handlers;
    const next = ctx.newPoint();
    const wait = ctx.newPoint();
    const barriers = items.map((item) => handlers.barrier(item.handler));
    const ops: Op[] = [...checks];
    items.forEach((item, i) => ops.push(...handlers.arm(item.handler, barriers[i])));
    const down = barriers.map((v) => bin('==', read(v), constant(0))).reduce((all: Expr, e) => bin('&&', all, e), constant(1));
    ops.push({ k: 'if', cond: down, then: [{ k: 'goto', pc: next }], else: [{ k: 'goto', pc: wait }] });
    ctx.addTransition(cur, undefined, ops, next, at, what);
    ctx.addTransition(wait, down, [], next, at, `${what}: flushed`);
    return next;
  }

  private disableBound(item: WorkItem, what: string): Op {
    const bound: Expr & { k: 'const' } = { k: 'const', value: 0 };
    this.disableBounds.push(bound);
    this.boundOf.set(bound, item.disabled);
    return { k: 'check', cond: bin('<', read(item.disabled), bound), kind: 'assertion', message: `${what}: disabled more often than the model allows` };
  }

  private readonly boundOf = new Map<Expr & { k: 'const' }, number>();

  /** Each disable count's domain: one more than its disable sites. */
  patch(): void {
    const sites = new Map<number, number>();
    for (const bound of this.disableBounds) {
      const v = this.boundOf.get(bound)!;
      sites.set(v, (sites.get(v) ?? 0) + 1);
    }
    for (const bound of this.disableBounds) {
      const v = this.boundOf.get(bound)!;
      bound.value = sites.get(v)!;
      this.lw.ctx.variables[v].domain = sites.get(v)! + 1;
    }
  }
}
