// Expressions and conditions: values read from the state (with the checks the reads need), and
// conditions lowered with short-circuit semantics into `if` operations, `tryget`/`trylock` included.

import type { Expression, Place, PredicateExpression } from '../../syntax/ast';
import { bin, constant, not, read, type Expr, type Op } from '../ir';
import { LoweringError, type LoweringContext, type Resolved } from './context';
import type { Lowering } from './parts';

export interface Value {
  expr: Expr;
  type: 'bool' | 'int' | 'state' | 'ptr' | 'null' | 'object' | 'name';
  values?: string[];
  name?: string;
  resolved?: Resolved;
}

export class Expressions {
  private readonly ctx: LoweringContext;

  constructor(private readonly lw: Lowering) {
    this.ctx = lw.ctx;
  }

  valueOf(e: Expression, checks: Op[]): Value {
    const ctx = this.ctx;
    switch (e.kind) {
      case 'NumberLiteral':
        return { expr: constant(e.value), type: 'int' };
      case 'BoolLiteral':
        return { expr: constant(e.value ? 1 : 0), type: 'bool' };
      case 'NullLiteral':
        return { expr: constant(0), type: 'null' };
      case 'MissingExpression':
        throw ctx.fail('an expression is missing', e);
      case 'ParenExpression':
        return this.valueOf(e.inner, checks);
      case 'UnaryExpression':
        return { expr: not(this.toBool(this.valueOf(e.operand, checks))), type: 'bool' };
      case 'TryExpression':
      case 'LockedPutExpression':
        throw ctx.fail(`\`${ctx.sourceText(e).split(' ')[0]}\` may only stand in a condition of if, while or assert, or as the value of let`, e);
      case 'CallExpression':
        throw ctx.fail(`a procedure's value can be taken only by let, an assignment or return`, e);
      case 'PredicateExpression':
        return { expr: this.predicate(e.op, e.target, checks), type: 'bool' };
      case 'BinaryExpression':
        return { expr: this.binary(e.op, e.left, e.right, checks), type: 'bool' };
      case 'RcuDereference': {
        const resolved = this.lw.places.resolve(e.target);
        const member = this.lw.places.asMember(resolved, e.target, ['ptr']);
        checks.push(...this.lw.places.hopChecks(resolved.hops, resolved.hops.length, `rcu_dereference ${resolved.text}`));
        return { expr: read(member.variable), type: 'ptr' };
      }
      case 'Place': {
        const first = e.segments[0]?.text ?? '';
        const current = ctx.current;
        if (e.segments.length === 1) {
          const binding = current.env.get(first);
          if (binding && 'value' in binding) return { expr: binding.value, type: binding.type };
          const local = binding ? undefined : this.lw.values.lookup(first);
          if (local) return { expr: local.low !== 0 ? bin('+', read(local.variable), constant(local.low)) : read(local.variable), type: local.type };
        }
        if (e.segments.length === 1 && !current.env.has(first) && !current.handles.has(first) && !ctx.objectsByName.has(first)) {
          return { expr: constant(0), type: 'name', name: first };
        }
        const resolved = this.lw.places.resolve(e);
        const member = resolved.member;
        if (!member) {
          checks.push(...this.lw.places.hopChecks(resolved.hops, resolved.hops.length - 1, `read ${resolved.text}`));
          return { expr: this.lw.places.aliveExpr(resolved), type: 'object', resolved };
        }
        checks.push(...this.lw.places.hopChecks(resolved.hops, resolved.hops.length, `read ${resolved.text}`));
        const variable = ctx.variables[member.variable];
        switch (member.kind) {
          case 'ref':
            return { expr: read(member.variable), type: 'int' };
          case 'int':
            return { expr: variable.offset ? bin('+', read(member.variable), constant(variable.offset)) : read(member.variable), type: 'int' };
          case 'flag':
            return { expr: read(member.variable), type: 'bool' };
          case 'state':
            return { expr: read(member.variable), type: 'state', values: variable.values };
          case 'ptr':
            return { expr: read(member.variable), type: 'ptr' };
          case 'lock':
            return { expr: bin('!=', read(member.variable), constant(0)), type: 'bool' };
          default:
            throw ctx.fail(`\`${resolved.text}\` has no value of its own; test it with a predicate`, e);
        }
      }
    }
    throw ctx.fail('this expression has no model meaning', e);
  }

  private predicate(op: PredicateExpression['op'], target: Place, checks: Op[]): Expr {
    const ctx = this.ctx;
    switch (op) {
      case 'percpu_ref_is_zero':
        return this.lw.percpu.isZeroExpr(target, checks);
      case 'completion_done':
        return this.lw.completions.doneExpr(target, checks);
      case 'work_pending':
        return this.lw.work.pendingExpr(target, checks);
      case 'timer_pending':
        return this.lw.timers.pendingExpr(target, checks);
      default:
        break;
    }
    if (op === 'running' || op === 'idle') {
      const device = ctx.devicesByName.get(target.segments[0]?.text ?? '');
      if (device === undefined) throw ctx.fail(`\`${target.segments[0]?.text}\` is not a device`, target);
      const info = ctx.actors[device].device!;
      return op === 'running' ? read(info.runningVar) : bin('==', read(info.inflightVar), constant(0));
    }
    const resolved = this.lw.places.resolve(target);
    if (op === 'held') {
      const member = this.lw.places.asMember(resolved, target, ['lock']);
      return bin('==', read(member.variable), constant(ctx.current.me));
    }
    const object = this.lw.places.asObject(resolved, target);
    checks.push(...this.lw.places.hopChecks(object.hops, object.hops.length - 1, `${op} ${object.text}`));
    return op === 'alive' ? this.lw.places.aliveExpr(object) : this.lw.places.freedExpr(object);
  }

  private binary(op: string, left: Expression, right: Expression, checks: Op[]): Expr {
    if (op === '&&' || op === '||') {
      return bin(op, this.toBool(this.valueOf(left, checks)), this.toBool(this.valueOf(right, checks)));
    }
    const l = this.valueOf(left, checks);
    const r = this.valueOf(right, checks);
    const [a, b] = [this.coerce(l, r, left), this.coerce(r, l, right)];
    return bin(op as '==', a, b);
  }

  /** The expression of `value` for comparison with `other`: state names become indices, objects pointers. */
  private coerce(value: Value, other: Value, at: Expression): Expr {
    if (value.type === 'name') {
      if (other.type === 'state' && other.values) {
        const index = other.values.indexOf(value.name!);
        if (index >= 0) return constant(index);
      }
      throw this.ctx.fail(`\`${value.name}\` names no object, value or handle`, at);
    }
    if (value.type === 'object' && value.resolved) {
      const last = value.resolved.hops.at(-1)!;
      if (other.type === 'ptr' || other.type === 'null') return this.lw.places.pointerValue(last);
    }
    if (value.type === 'ptr' && other.type === 'object' && other.resolved) {
      const object = this.ctx.objects[other.resolved.hops.at(-1)!.object].info;
      if (!object.recyclable && other.resolved.hops.at(-1)!.via < 0) return bin('!=', value.expr, constant(0));
    }
    return value.expr;
  }

  toBool(value: Value): Expr {
    if (value.type === 'bool' || value.type === 'object') return value.expr;
    if (value.type === 'name') throw new LoweringError(`\`${value.name}\` names nothing`);
    return bin('!=', value.expr, constant(0));
  }

  /** Ops that evaluate a condition with short-circuit semantics and then run `whenTrue` or `whenFalse`. */
  lowerCond(e: Expression, whenTrue: Op[], whenFalse: Op[]): Op[] {
    switch (e.kind) {
      case 'ParenExpression':
        return this.lowerCond(e.inner, whenTrue, whenFalse);
      case 'UnaryExpression':
        return this.lowerCond(e.operand, whenFalse, whenTrue);
      case 'BinaryExpression':
        if (e.op === '&&') return this.lowerCond(e.left, this.lowerCond(e.right, whenTrue, whenFalse), whenFalse);
        if (e.op === '||') return this.lowerCond(e.left, whenTrue, this.lowerCond(e.right, whenTrue, whenFalse));
        break;
      case 'TryExpression': {
        if (e.op === 'try_module_get') return this.lw.modules.tryGet(e.target, whenTrue, whenFalse, `try_module_get ${this.ctx.sourceText(e.target)}`);
        if (e.op === 'tryget_live' || e.op === 'wait_for_completion_timeout') {
          throw this.ctx.fail(`\`${e.op}\` may go either way or wait; it must be the whole condition of if or while, or the value of let`, e);
        }
        const resolved = this.lw.places.resolve(e.target);
        const checks = this.lw.places.hopChecks(resolved.hops, resolved.hops.length, `${e.op} ${resolved.text}`);
        if (e.op === 'tryget') {
          const member = this.lw.places.asMember(resolved, e.target, ['ref', 'percpu_ref']);
          const v = member.variable;
          const bounds = this.lw.bounds;
          bounds.noteGet(v);
          return [
            ...checks,
            ...this.lw.percpu.useChecks(member, `tryget ${resolved.text}`),
            {
              k: 'if',
              cond: bin('!=', read(v), constant(0)),
              then: [bounds.capCheck(v, `tryget ${resolved.text}`), { k: 'assign', v, value: bin('+', read(v), constant(1)) }, ...this.lw.rcu.pin(resolved), ...whenTrue],
              else: whenFalse,
            },
          ];
        }
        const member = this.lw.places.asMember(resolved, e.target, ['lock']);
        const v = member.variable;
        const me = this.ctx.current.me;
        return [
          ...checks,
          { k: 'check', cond: bin('!=', read(v), constant(me)), kind: 'lock-misuse', message: `trylock ${resolved.text}: already held by this thread` },
          { k: 'if', cond: bin('==', read(v), constant(0)), then: [{ k: 'assign', v, value: constant(me) }, ...whenTrue], else: whenFalse },
        ];
      }
      default:
        break;
    }
    const checks: Op[] = [];
    const cond = this.toBool(this.valueOf(e, checks));
    return [...checks, { k: 'if', cond, then: whenTrue, else: whenFalse }];
  }
}
