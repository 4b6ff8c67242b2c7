// Places: what `mm`, `mm.users`, `d.domain`, `bond.mm.users` and handles designate, and the checks
// that every object on the way may still be accessed (not freed, not recycled since a handle or a
// pointer captured it, not null).

import type { Place, ViolationKind } from '../../syntax/ast';
import { LIFE_FREED, LIFE_LIVE, LIFE_UNALLOCATED, bin, constant, read, type Expr, type ObjectInfo, type Op } from '../ir';
import type { Env, Hop, LoweringContext, MemberKind, MemberSlot, Resolved } from './context';
import type { Lowering } from './parts';

export class Places {
  private readonly ctx: LoweringContext;

  constructor(private readonly lw: Lowering) {
    this.ctx = lw.ctx;
  }

  /** The place in the current actor's scope. */
  resolve(place: Place): Resolved {
    return this.resolveIn(place, this.ctx.current.env, this.ctx.current.handles);
  }

  resolveIn(place: Place, env: Env, handles: Map<string, number>): Resolved {
    const ctx = this.ctx;
    const segments = place.segments;
    if (segments.length === 0 || segments[0].missing) throw ctx.fail('a place is missing', place);
    const first = segments[0].text;
    let resolved: Resolved;
    const binding = env.get(first);
    if (binding && 'value' in binding) {
      throw ctx.fail(`\`${first}\` is a value, not an object`, segments[0]);
    } else if (binding) {
      const bound = this.resolveIn(binding.place, binding.env, handles);
      resolved = { hops: [...bound.hops], member: bound.member, text: bound.text };
    } else if (handles.has(first)) {
      const variable = handles.get(first)!;
      resolved = { hops: [{ object: ctx.variables[variable].target ?? 0, via: variable, viaText: first }], text: first };
    } else if (ctx.objectsByName.has(first)) {
      resolved = { hops: [{ object: ctx.objectsByName.get(first)!, via: -1, viaText: first }], text: first };
    } else {
      throw ctx.fail(`\`${first}\` names no object, parameter or handle`, segments[0]);
    }
    for (let i = 1; i < segments.length; i++) {
      if (resolved.member) resolved = this.follow(resolved, segments[i]);
      const object = ctx.objects[resolved.hops.at(-1)!.object];
      const member = object.members.get(segments[i].text);
      if (!member) throw ctx.fail(`\`${object.info.name}\` has no member \`${segments[i].text}\``, segments[i]);
      resolved = { hops: resolved.hops, member, text: `${resolved.text}.${segments[i].text}` };
    }
    return resolved;
  }

  private follow(resolved: Resolved, at: { start: number; end: number }): Resolved {
    const member = resolved.member!;
    if (member.kind !== 'ptr') throw this.ctx.fail(`\`${resolved.text}\` is not a pointer and cannot be followed`, at);
    const target = this.ctx.variables[member.variable].target ?? 0;
    return { hops: [...resolved.hops, { object: target, via: member.variable, viaText: resolved.text }], text: resolved.text };
  }

  /** The place as an object: a trailing pointer member is followed. */
  asObject(resolved: Resolved, at: { start: number; end: number }): Resolved {
    if (!resolved.member) return resolved;
    return this.follow(resolved, at);
  }

  /** The member a place ends at, of one of `kinds`; the message names `expected` (by default, the kinds). */
  asMember(resolved: Resolved, at: { start: number; end: number }, kinds: MemberKind[], expected = kinds.join(' or ')): MemberSlot {
    const member = resolved.member;
    if (!member || !kinds.includes(member.kind)) {
      throw this.ctx.fail(`\`${resolved.text}\` is not a ${expected}`, at);
    }
    return member;
  }

  /** Checks that each hop's object may be accessed; `count` hops from the start. */
  hopChecks(hops: Hop[], count: number, what: string, freedKind: ViolationKind = 'use-after-free'): Op[] {
    const ops: Op[] = [];
    for (let i = 0; i < count; i++) ops.push(...this.accessChecks(hops[i], what, freedKind));
    return ops;
  }

  private accessChecks(hop: Hop, what: string, freedKind: ViolationKind): Op[] {
    const ops: Op[] = [];
    const slot = this.ctx.objects[hop.object];
    const object = slot.info;
    if (hop.via >= 0) {
      ops.push({ k: 'check', cond: bin('!=', read(hop.via), constant(0)), kind: 'assertion', message: `${what}: null dereference of ${hop.viaText}` });
      ops.push(...this.lw.rcu.escapeCheck(hop.via, hop.viaText, what));
    }
    if (object.isStatic) {
      if (slot.module >= 0) ops.push(this.moduleDataCheck(slot.module, object.name, what, freedKind));
      return ops;
    }
    ops.push({
      k: 'check',
      cond: bin('!=', read(object.lifeVar), constant(LIFE_FREED)),
      kind: freedKind,
      message: `${what}: ${object.name} was freed`,
    });
    if (object.unborn) {
      ops.push({
        k: 'check',
        cond: bin('!=', read(object.lifeVar), constant(LIFE_UNALLOCATED)),
        kind: freedKind,
        message: `${what}: ${object.name} is not allocated`,
      });
    }
    if (hop.via >= 0 && object.recyclable) ops.push(this.staleCheck(object, hop.via, hop.viaText, what));
    return ops;
  }

  /** A handle (`via`, holding generation + 1) to a recyclable object still names the same allocation. */
  staleCheck(object: ObjectInfo, via: number, viaText: string, what: string): Op {
    return {
      k: 'check',
      cond: bin('==', read(object.generationVar), bin('-', read(via), constant(1))),
      kind: 'stale-access',
      message: `${what}: ${object.name} was freed and reallocated since ${viaText} was taken`,
    };
  }

  /** The data of a module dies when the module is unloaded. */
  private moduleDataCheck(module: number, name: string, what: string, freedKind: ViolationKind): Op {
    const info = this.ctx.objects[module].info;
    return { k: 'check', cond: bin('!=', read(info.lifeVar), constant(LIFE_FREED)), kind: freedKind, message: `${what}: ${name} is data of module ${info.name}, which was unloaded` };
  }

  /** The checks of an access to the object `object` named directly (a handler reaching its own object). */
  objectChecks(object: number, what: string): Op[] {
    return this.accessChecks({ object, via: -1, viaText: this.ctx.objects[object].info.name }, what, 'use-after-free');
  }

  /** The encoded pointer value designating the object at the end of `hops` (captures the generation). */
  pointerValue(last: Hop): Expr {
    if (last.via >= 0) return read(last.via);
    const object = this.ctx.objects[last.object].info;
    return object.recyclable ? bin('+', read(object.generationVar), constant(1)) : constant(1);
  }

  /** The encoded pointer value designating the object of a resolved object place, and the checks to reach it. */
  captureValue(resolved: Resolved): { value: Expr; checks: Op[]; target: number } {
    const hops = resolved.hops;
    const last = hops.at(-1)!;
    const checks = this.hopChecks(hops, hops.length - 1, `take ${resolved.text}`);
    return { value: this.pointerValue(last), checks, target: last.object };
  }

  /** Whether the object a resolved object place designates is live (and, through a handle, not recycled). */
  aliveExpr(resolved: Resolved): Expr {
    const last = resolved.hops.at(-1)!;
    const object = this.ctx.objects[last.object].info;
    let alive: Expr = object.isStatic ? constant(1) : bin('==', read(object.lifeVar), constant(LIFE_LIVE));
    if (last.via >= 0) {
      alive = bin('&&', bin('!=', read(last.via), constant(0)), alive);
      if (object.recyclable) alive = bin('&&', alive, bin('==', read(object.generationVar), bin('-', read(last.via), constant(1))));
    }
    return alive;
  }

  /** Whether the object is freed (and, through a handle, whether it was recycled since). */
  freedExpr(resolved: Resolved): Expr {
    const last = resolved.hops.at(-1)!;
    const info = this.ctx.objects[last.object].info;
    if (info.isStatic) return constant(0);
    let freed: Expr = bin('==', read(info.lifeVar), constant(LIFE_FREED));
    if (last.via >= 0 && info.recyclable) {
      freed = bin('||', freed, bin('!=', read(info.generationVar), bin('-', read(last.via), constant(1))));
    }
    return freed;
  }
}
