// Steps on objects and their members: reference counts and their on-zero actions, ints, flags,
// pointers, `use`, `free`, `alloc`, assignments and `let` handles.

import type { Expression, Place } from '../../syntax/ast';
import { LIFE_FREED, LIFE_LIVE, LIFE_UNALLOCATED, bin, constant, read, type Expr, type Op } from '../ir';
import type { LoweringContext, MemberSlot, Resolved, Step } from './context';
import type { Lowering } from './parts';

export class Memory {
  private readonly ctx: LoweringContext;

  constructor(private readonly lw: Lowering) {
    this.ctx = lw.ctx;
  }

  /** `get X.r` / `put X.r` (or, on an int, add and subtract one). */
  ref(target: Place, op: 'get' | 'put', what: string): Step {
    const resolved = this.lw.places.resolve(target);
    const member = this.lw.places.asMember(resolved, target, ['ref', 'int', 'percpu_ref'], 'ref or int');
    if (member.kind === 'int') return this.intStep(resolved, member, op === 'get' ? 1 : -1, what);
    return this.lw.orders.around(this.refStep(resolved, member, op, what), `${op}:v${member.variable}`, what);
  }

  /** `set`, `clear`, `inc`, `dec`. */
  step(target: Place, op: 'set' | 'clear' | 'inc' | 'dec', what: string): Step {
    const resolved = this.lw.places.resolve(target);
    if (op === 'inc' || op === 'dec') {
      const member = this.lw.places.asMember(resolved, target, ['int', 'ref']);
      if (member.kind === 'ref') return this.refStep(resolved, member, op === 'inc' ? 'get' : 'put', what);
      return this.intStep(resolved, member, op === 'inc' ? 1 : -1, what);
    }
    const member = this.lw.places.asMember(resolved, target, op === 'set' ? ['flag'] : ['flag', 'ptr']);
    const ops = [
      ...this.lw.places.hopChecks(resolved.hops, resolved.hops.length, what),
      { k: 'assign', v: member.variable, value: constant(op === 'set' ? 1 : 0) } as Op,
    ];
    return this.lw.orders.around({ ops }, `${op}:v${member.variable}`, what);
  }

  use(target: Place, what: string): Step {
    const resolved = this.lw.places.asObject(this.lw.places.resolve(target), target);
    const ops = this.lw.places.hopChecks(resolved.hops, resolved.hops.length, what);
    return this.lw.orders.around({ ops }, `use:o${resolved.hops.at(-1)!.object}`, what);
  }

  /**
   * `let h = PLACE`: a thread-local handle that remembers the object and its generation; `let h =
   * rcu_dereference X.p` also remembers that it is valid only in the current read-side section.
   */
  let(name: string, value: Place, dereference: boolean, what: string): Step {
    const resolved = this.lw.places.asObject(this.lw.places.resolve(value), value);
    const capture = this.lw.places.captureValue(resolved);
    const variable = this.handleVariable(name, capture.target);
    const tag = dereference ? this.lw.rcu.dereference(variable, what) : this.lw.rcu.untag(variable);
    return { ops: [...capture.checks, ...(dereference ? tag : []), { k: 'assign', v: variable, value: capture.value }, ...(dereference ? [] : tag)] };
  }

  private handleVariable(name: string, target: number): number {
    const ctx = this.ctx;
    const build = ctx.current;
    const existing = build.handles.get(name);
    if (existing !== undefined && ctx.variables[existing].target === target) return existing;
    const suffix = existing === undefined ? '' : `#${build.actor.locals.length}`;
    const variable = ctx.addVariable(`${build.actor.name}.${name}${suffix}`, 'handle', 2, 0, -1, build.actor.index, { target });
    build.actor.locals.push(variable);
    build.handles.set(name, variable);
    return variable;
  }

  refStep(resolved: Resolved, member: MemberSlot, op: 'get' | 'put', what: string): Step {
    const v = member.variable;
    const checks = [...this.lw.places.hopChecks(resolved.hops, resolved.hops.length, what), ...this.lw.percpu.useChecks(member, what)];
    if (op === 'get') {
      this.lw.bounds.noteGet(v);
      return {
        ops: [
          ...checks,
          { k: 'check', cond: bin('!=', read(v), constant(0)), kind: 'get-from-zero', message: `${what}: the count is already 0` },
          this.lw.bounds.capCheck(v, what),
          { k: 'assign', v, value: bin('+', read(v), constant(1)) },
          ...this.lw.rcu.pin(resolved),
        ],
      };
    }
    return {
      ops: [
        ...checks,
        { k: 'check', cond: bin('!=', read(v), constant(0)), kind: 'refcount-underflow', message: `${what}: the count is already 0` },
        { k: 'assign', v, value: bin('-', read(v), constant(1)) },
      ],
      zero: member.onZero ? { variable: v, body: member.onZero } : undefined,
    };
  }

  private intStep(resolved: Resolved, member: MemberSlot, delta: number, what: string): Step {
    const v = member.variable;
    const limit = delta > 0 ? bin('<', read(v), constant(this.ctx.variables[v].domain - 1)) : bin('>', read(v), constant(0));
    return {
      ops: [
        ...this.lw.places.hopChecks(resolved.hops, resolved.hops.length, what),
        { k: 'check', cond: limit, kind: 'assertion', message: `${what}: ${resolved.text} leaves its range ${member.low}..${member.high}` },
        { k: 'assign', v, value: bin(delta > 0 ? '+' : '-', read(v), constant(1)) },
      ],
    };
  }

  free(target: Place, what: string): Step {
    const resolved = this.lw.places.asObject(this.lw.places.resolve(target), target);
    const hops = resolved.hops;
    const last = hops.at(-1)!;
    const object = this.ctx.objects[last.object].info;
    const ops = this.lw.places.hopChecks(hops, hops.length - 1, what);
    if (object.isStatic) throw this.ctx.fail(`${object.name} is static and cannot be freed`, target);
    if (last.via >= 0) {
      ops.push({ k: 'check', cond: bin('!=', read(last.via), constant(0)), kind: 'assertion', message: `${what}: null dereference of ${last.viaText}` });
      ops.push(...this.lw.rcu.escapeCheck(last.via, last.viaText, what));
    }
    ops.push({ k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_FREED)), kind: 'double-free', message: `${what}: ${object.name} is already freed` });
    if (object.unborn) {
      // KASAN's "double-free or invalid-free": freeing what was never allocated is an invalid free.
      ops.push({ k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_UNALLOCATED)), kind: 'double-free', message: `${what}: ${object.name} was never allocated` });
    }
    if (last.via >= 0 && object.recyclable) ops.push(this.lw.places.staleCheck(object, last.via, last.viaText, what));
    ops.push({ k: 'assign', v: object.lifeVar, value: constant(LIFE_FREED) });
    return this.lw.orders.around({ ops }, `free:o${object.index}`, what);
  }

  alloc(target: Place, what: string): Step {
    const ctx = this.ctx;
    const resolved = this.lw.places.asObject(this.lw.places.resolve(target), target);
    const object = ctx.objects[resolved.hops.at(-1)!.object];
    const info = object.info;
    if (info.isStatic) throw ctx.fail(`${info.name} is static and cannot be allocated`, target);
    const ops = this.lw.places.hopChecks(resolved.hops, resolved.hops.length - 1, what);
    ops.push({ k: 'check', cond: bin('!=', read(info.lifeVar), constant(LIFE_LIVE)), kind: 'assertion', message: `${what}: ${info.name} is already allocated` });
    if (info.recyclable) {
      const bound = this.lw.bounds.generationBound(info.index);
      const g = info.generationVar;
      ops.push({
        k: 'if',
        cond: bin('==', read(info.lifeVar), constant(LIFE_FREED)),
        then: [
          { k: 'check', cond: bin('<', bin('+', read(g), constant(1)), bound), kind: 'assertion', message: `${what}: generation count exceeds model bound` },
          { k: 'assign', v: g, value: bin('+', read(g), constant(1)) },
        ],
        else: [],
      });
    } else {
      ops.push({ k: 'check', cond: bin('==', read(info.lifeVar), constant(LIFE_UNALLOCATED)), kind: 'assertion', message: `${what}: ${info.name} is not recyclable and cannot be allocated again` });
    }
    this.lw.bounds.noteAlloc(info.index);
    ops.push({ k: 'assign', v: info.lifeVar, value: constant(LIFE_LIVE) });
    for (const member of object.members.values()) {
      ops.push({ k: 'assign', v: member.variable, value: constant(ctx.variables[member.variable].initial) });
    }
    return this.lw.orders.around({ ops }, `alloc:o${info.index}`, what);
  }

  assign(target: Place, value: Expression, what: string): Step {
    const ctx = this.ctx;
    const resolved = this.lw.places.resolve(target);
    const member = this.lw.places.asMember(resolved, target, ['flag', 'state', 'int', 'ptr', 'ref']);
    const v = member.variable;
    const variable = ctx.variables[v];
    const ops = this.lw.places.hopChecks(resolved.hops, resolved.hops.length, what);
    const checks: Op[] = [];
    switch (member.kind) {
      case 'flag':
        ops.push(...checks, { k: 'assign', v, value: this.lw.expressions.toBool(this.lw.expressions.valueOf(value, checks)) });
        break;
      case 'state': {
        const name = value.kind === 'Place' && value.segments.length === 1 ? value.segments[0].text : '';
        const index = variable.values?.indexOf(name) ?? -1;
        if (index < 0) throw ctx.fail(`\`${ctx.sourceText(value)}\` is not a value of ${resolved.text}`, value);
        ops.push({ k: 'assign', v, value: constant(index) });
        break;
      }
      case 'int':
      case 'ref': {
        const computed = this.lw.expressions.valueOf(value, checks).expr;
        const low = member.kind === 'int' ? member.low ?? 0 : 0;
        const stored = low !== 0 ? bin('-', computed, constant(low)) : computed;
        const message = member.kind === 'int' ? `${what}: ${resolved.text} leaves its range ${member.low}..${member.high}` : `${what}: count exceeds model bound`;
        const upper: Expr = member.kind === 'int' ? constant(variable.domain) : this.lw.bounds.capLimit(v);
        ops.push(...checks, {
          k: 'check',
          cond: bin('&&', bin('>=', stored, constant(0)), bin('<', stored, upper)),
          kind: 'assertion',
          message,
        });
        ops.push({ k: 'assign', v, value: stored });
        break;
      }
      case 'ptr': {
        if (value.kind === 'NullLiteral') {
          ops.push({ k: 'assign', v, value: constant(0) });
          break;
        }
        if (value.kind !== 'Place') throw ctx.fail(`a pointer takes an object, a pointer or null`, value);
        const source = this.lw.places.asObject(this.lw.places.resolve(value), value);
        const capture = this.lw.places.captureValue(source);
        if (capture.target !== variable.target) throw ctx.fail(`${resolved.text} cannot point to ${source.text}`, value);
        ops.push(...capture.checks, { k: 'assign', v, value: capture.value });
        break;
      }
      default:
        break;
    }
    return { ops };
  }
}
