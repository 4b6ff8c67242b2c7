// Ordering requirements (`order quiesce dev before free pasid`): one bit per requirement, set by
// the first event; the second event checks it.

import type { EventPattern } from '../../syntax/ast';
import { bin, constant, read, type Op, type OrderInfo } from '../ir';
import type { LoweringContext, Step } from './context';
import type { Lowering } from './parts';

interface ResolvedOrder {
  info: OrderInfo;
  first: string;
  second: string;
  message: string;
}

export class Orders {
  private readonly orders: ResolvedOrder[] = [];

  private readonly ctx: LoweringContext;

  constructor(private readonly lw: Lowering) {
    this.ctx = lw.ctx;
  }

  declare(): void {
    const ctx = this.ctx;
    ctx.variant.orders.forEach((decl, index) => {
      const variable = ctx.addVariable(`order#${index}`, 'order', 2, 0);
      const text = ctx.sourceText(decl);
      const info: OrderInfo = { index, variable, text, start: decl.start, end: decl.end };
      const first = this.eventKey(decl.first);
      const second = this.eventKey(decl.second);
      if (first === undefined || second === undefined) return;
      const message = decl.message?.value ?? `${ctx.sourceText(decl.second)} happened before ${ctx.sourceText(decl.first)}`;
      this.orders.push({ info, first, second, message });
    });
  }

  infos(): OrderInfo[] {
    return this.orders.map((order) => order.info);
  }

  /** A key that identifies an event, `free:o3`, `put:v7`, `stop:d2`, `call:f:name`. */
  private eventKey(pattern: EventPattern): string | undefined {
    const verb = pattern.verb;
    if (verb === 'call') return `call:f:${pattern.target.segments[0]?.text ?? ''}`;
    if (verb === 'stop' || verb === 'quiesce' || verb === 'start') {
      const device = this.ctx.devicesByName.get(pattern.target.segments[0]?.text ?? '');
      return device === undefined ? undefined : `${verb}:d${device}`;
    }
    try {
      const resolved = this.lw.places.resolveIn(pattern.target, new Map(), new Map());
      if (verb === 'free' || verb === 'alloc' || verb === 'use') return `${verb}:o${this.lw.places.asObject(resolved, pattern.target).hops.at(-1)!.object}`;
      if (!resolved.member) return undefined;
      return `${verb}:v${resolved.member.variable}`;
    } catch {
      return undefined;
    }
  }

  /** The checks of the orders whose second event `key` is (`pre`), and the bits it sets (`post`). */
  ops(key: string, what: string): { pre: Op[]; post: Op[] } {
    const pre: Op[] = [];
    const post: Op[] = [];
    for (const order of this.orders) {
      if (order.second === key) {
        pre.push({ k: 'check', cond: bin('!=', read(order.info.variable), constant(0)), kind: 'ordering', message: `${what}: ${order.message}` });
      }
      if (order.first === key) post.push({ k: 'assign', v: order.info.variable, value: constant(1) });
    }
    return { pre, post };
  }

  /** The step with the order checks before it and the order bits it sets after it. */
  around(step: Step, key: string | undefined, what: string): Step {
    if (key === undefined) return step;
    const { pre, post } = this.ops(key, what);
    if (pre.length === 0 && post.length === 0) return step;
    return { ...step, ops: [...pre, ...step.ops, ...post] };
  }
}
