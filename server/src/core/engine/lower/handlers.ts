// Handlers: actors that sit idle at their end point and run a body when triggered, once per
// trigger: the worker of a work item, a timer's handler, an RCU callback, a percpu_ref's
// confirmation. Idle, a handler counts as finished, so an idle worker is no deadlock; with work
// queued it can still move, so the end of the scenario (and its leak checks) waits for it.
//
// Flushes: a waiter that must see the queued or running instance finish (flush_work, rcu_barrier)
// gets a barrier variable per handler: `queued` (wait for the queued instance to start, then to
// finish), `current` (wait for the running instance to finish) or `none`. The handler's start moves
// `queued` to `current`, its return to idle `current` to `none`.

import type { HandlerMember, ObjectDecl, Range } from '../../syntax/ast';
import { bin, constant, read, type Expr, type Op, type Transition } from '../ir';
import type { ActorBuild, MemberSlot, ObjectSlot } from './context';
import type { Lowering } from './parts';

const BARRIER_VALUES = ['none', 'current', 'queued'];
const NONE = 0;
const CURRENT = 1;
const QUEUED = 2;

export interface HandlerSpec {
  /** The actor's name in traces: `dev.work`, `dev.timer`, `call_rcu free_entry (cpu0)`. */
  name: string;
  /** The trigger: the start transition's guard and operations (more may be added by `patch`). */
  guard: Expr;
  ops: Op[];
  range: Range;
  event: string;
  /** When an instance is queued (for flushes). */
  queued: Expr;
  /** The module whose code the handler is, or -1. */
  module: number;
  /** Lowers the body from `entry` in the handler's actor; returns where it ends. */
  body: (entry: number) => number;
}

export interface Handler {
  spec: HandlerSpec;
  build: ActorBuild;
  /** Holds the final number of the idle point. */
  idlePc: Expr & { k: 'const' };
  idle: number;
  start?: Transition;
  /** One barrier variable per waiting actor. */
  barriers: Map<number, number>;
  /** `if` operations of cancels, filled with the barrier updates a removed queued instance needs. */
  cancels: (Op & { k: 'if' })[];
}

export class Handlers {
  readonly all: Handler[] = [];

  constructor(private readonly lw: Lowering) {}

  /**
   * The handler of each work item (or timer) member of an object: it starts when the member's
   * variable is `pending`, setting it to `idle`, and runs the member's body. `each` is called before
   * the handler's actor is declared (to declare the member's own variables first) and returns what
   * keeps the handler.
   */
  declareMembers(
    decl: ObjectDecl,
    slot: ObjectSlot,
    mechanism: HandlerMember['mechanism'],
    values: { pending: number; idle: number; runs: string; starts: string },
    each: (member: HandlerMember, memberSlot: MemberSlot) => (handler: Handler) => void,
  ): void {
    for (const member of decl.members) {
      if (member.kind !== 'HandlerMember' || member.mechanism !== mechanism || member.name.missing) continue;
      const memberSlot = slot.members.get(member.name.text);
      if (!memberSlot || memberSlot.kind !== mechanism) continue;
      const full = `${slot.info.name}.${member.name.text}`;
      const keep = each(member, memberSlot);
      const v = memberSlot.variable;
      const pending = bin('==', read(v), constant(values.pending));
      const handler = this.create({
        name: full,
        guard: pending,
        ops: [...this.lw.places.objectChecks(slot.info.index, `${mechanism} ${full} ${values.runs}`), { k: 'assign', v, value: constant(values.idle) }],
        range: member,
        event: `${mechanism} ${full} ${values.starts}`,
        queued: pending,
        module: this.lw.modules.indexOf(member.module),
        body: (entry) => this.lw.control.lowerHandlerBody(member.body, entry),
      });
      memberSlot.handler = handler.build.actor.index;
      keep(handler);
    }
  }

  create(spec: HandlerSpec): Handler {
    const build = this.lw.ctx.addActor(spec.name, spec.range, {});
    build.idles = true;
    const handler: Handler = { spec, build, idlePc: { k: 'const', value: -1 }, idle: -1, barriers: new Map(), cancels: [] };
    build.lowerCode = () => this.lower(handler);
    this.all.push(handler);
    return handler;
  }

  private lower(handler: Handler): void {
    const ctx = this.lw.ctx;
    const build = handler.build;
    const idle = ctx.newPoint();
    handler.idle = idle;
    build.entry = idle;
    build.end = idle;
    build.returnPoint = idle;
    ctx.pointConsts.push({ build, point: idle, node: handler.idlePc });
    const entry = ctx.newPoint();
    build.codeModule = handler.spec.module;
    const spec = handler.spec;
    handler.start = ctx.addTransition(idle, spec.guard, spec.ops, entry, spec.range, spec.event);
    ctx.join(spec.body(entry), idle);
    build.codeModule = -1;
  }

  /** The handler sits idle: no instance is running. */
  idleExpr(handler: Handler): Expr {
    return bin('==', read(handler.build.actor.pcVar), handler.idlePc);
  }

  runningExpr(handler: Handler): Expr {
    return bin('!=', read(handler.build.actor.pcVar), handler.idlePc);
  }

  /** The current actor's barrier variable for `handler`, made on first use. */
  barrier(handler: Handler): number {
    const ctx = this.lw.ctx;
    const waiter = ctx.current;
    let variable = handler.barriers.get(waiter.actor.index);
    if (variable === undefined) {
      variable = ctx.addVariable(`${waiter.actor.name}.flush(${handler.spec.name})`, 'state', BARRIER_VALUES.length, NONE, -1, waiter.actor.index, { values: BARRIER_VALUES });
      waiter.actor.locals.push(variable);
      waiter.asymmetric = true;
      handler.barriers.set(waiter.actor.index, variable);
    }
    return variable;
  }

  /** Sets the barrier: wait for the queued instance, else for the running one, else for nothing. */
  arm(handler: Handler, variable: number): Op[] {
    return [
      {
        k: 'if',
        cond: handler.spec.queued,
        then: [{ k: 'assign', v: variable, value: constant(QUEUED) }],
        else: [{ k: 'if', cond: this.runningExpr(handler), then: [{ k: 'assign', v: variable, value: constant(CURRENT) }], else: [{ k: 'assign', v: variable, value: constant(NONE) }] }],
      },
    ];
  }

  /** The operations of a cancel that removes the queued instance: waiters for it now wait for the running one only. */
  cancelQueued(handler: Handler): Op[] {
    const op = this.lw.ctx.lateIf(constant(1));
    handler.cancels.push(op);
    return [op];
  }

  /** Adds the barrier updates to every handler's start, return and cancels, once every waiter is known. */
  patch(): void {
    const ctx = this.lw.ctx;
    for (const handler of this.all) {
      if (handler.barriers.size === 0 || !handler.start) continue;
      const variables = [...handler.barriers.values()];
      for (const v of variables) {
        handler.start.ops.push({ k: 'if', cond: bin('==', read(v), constant(QUEUED)), then: [{ k: 'assign', v, value: constant(CURRENT) }], else: [] });
      }
      const onReturn: Op[] = variables.map((v) => ({ k: 'if', cond: bin('==', read(v), constant(CURRENT)), then: [{ k: 'assign', v, value: constant(NONE) }], else: [] }));
      const build = handler.build;
      ctx.current = build;
      const idle = ctx.find(handler.idle);
      build.points.forEach((point, i) => {
        if (build.alias[i] >= 0) return;
        for (const t of point.transitions) {
          if (!reaches(t, (p) => ctx.find(p) === idle)) continue;
          t.ops.push({ k: 'if', cond: bin('==', read(build.actor.pcVar), handler.idlePc), then: onReturn, else: [] });
        }
      });
      for (const cancel of handler.cancels) {
        for (const v of variables) {
          cancel.then.push({
            k: 'if',
            cond: bin('==', read(v), constant(QUEUED)),
            then: [{ k: 'if', cond: this.runningExpr(handler), then: [{ k: 'assign', v, value: constant(CURRENT) }], else: [{ k: 'assign', v, value: constant(NONE) }] }],
            else: [],
          });
        }
      }
    }
  }
}

/** Whether a transition can move its actor to a point `isTarget` accepts (by default or through a `goto`). */
function reaches(t: Transition, isTarget: (point: number) => boolean): boolean {
  const viaGoto = (ops: Op[]): boolean => ops.some((op) => (op.k === 'goto' && isTarget(op.pc)) || (op.k === 'if' && (viaGoto(op.then) || viaGoto(op.else))));
  return isTarget(t.next) || viaGoto(t.ops);
}
