// Local values: `let ok = tryget x.r`, `let n = 0 in 0..3`, assignments to them, procedures that
// take values (`f(true, n)`) and return them (`return n`, `let r = f(x)`), and what a callback
// captures when it is queued.
//
// A local is a variable of the actor (a flag for a boolean, an int for a number), one per `let` and
// actor; each inlined call has its own scope, so a procedure sees only its parameters and its own
// locals. A parameter bound to a constant or to the caller's local is read in place (nothing else
// can change it during the call); any other value is copied when the call starts.

import type { CallExpression, Expression, LetStatement, Place, ReturnStatement, Statement } from '../../syntax/ast';
import { bin, constant, read, type Expr, type Op } from '../ir';
import type { ActorBuild, Binding, Env, LocalValue, ValueScope } from './context';
import type { Value } from './expressions';
import type { Lowering } from './parts';

const DEFAULT_LOW = 0;
const DEFAULT_HIGH = 7;

export class Values {
  constructor(private readonly lw: Lowering) {}

  /** The local value `name` in the current scope. */
  lookup(name: string): LocalValue | undefined {
    return this.lw.ctx.current.values.get(name);
  }

  /**
   * Whether a `let` declares a value rather than a handle: its value is not a place designating an
   * object (or a pointer to one), nor `rcu_dereference`.
   */
  isValueLet(s: LetStatement): boolean {
    const value = s.value;
    if (value.kind === 'RcuDereference') return false;
    if (value.kind !== 'Place') return true;
    const ctx = this.lw.ctx;
    const first = value.segments[0]?.text ?? '';
    if (value.segments.length === 1) {
      const binding = ctx.current.env.get(first);
      if (binding && 'value' in binding) return true;
      if (!binding && this.lookup(first)) return true;
    }
    const resolved = ctx.quietly(() => this.lw.places.resolve(value));
    return !resolved || (resolved.member !== undefined && resolved.member.kind !== 'ptr');
  }

  /** The variable of a value `let` in the current actor, made on first use. */
  declare(s: LetStatement, type: 'bool' | 'int'): LocalValue {
    const ctx = this.lw.ctx;
    const build = ctx.current;
    let local = build.lets.get(s);
    if (!local) {
      const low = s.rangeLow?.value ?? DEFAULT_LOW;
      const high = Math.max(low, s.rangeHigh?.value ?? (s.rangeLow ? low : DEFAULT_HIGH));
      local = this.newLocal(build, `${build.actor.name}.${s.name.text}`, type, low, high);
      build.lets.set(s, local);
    }
    build.values.set(s.name.text, local);
    return local;
  }

  private newLocal(build: ActorBuild, name: string, type: 'bool' | 'int', low = DEFAULT_LOW, high = DEFAULT_HIGH): LocalValue {
    const ctx = this.lw.ctx;
    const variable =
      type === 'bool'
        ? ctx.addVariable(name, 'flag', 2, 0, -1, build.actor.index)
        : ctx.addVariable(name, 'int', high - low + 1, Math.min(high, Math.max(low, 0)) - low, -1, build.actor.index, { offset: low });
    build.actor.locals.push(variable);
    return { variable, type, low: type === 'bool' ? 0 : low, high: type === 'bool' ? 1 : high };
  }

  /** The type a `let` takes: a condition-like expression is a boolean, a call or a number an int. */
  typeOf(s: LetStatement): 'bool' | 'int' {
    const value = s.value;
    if (s.rangeLow) return 'int';
    if (value.kind === 'CallExpression') return this.returnType(value);
    return isBooleanExpression(value) ? 'bool' : this.placeType(value);
  }

  private placeType(value: Expression): 'bool' | 'int' {
    if (value.kind !== 'Place') return 'int';
    const ctx = this.lw.ctx;
    const first = value.segments[0]?.text ?? '';
    if (value.segments.length === 1) {
      const binding = ctx.current.env.get(first);
      if (binding && 'value' in binding) return binding.type;
      const local = this.lookup(first);
      if (local) return local.type;
    }
    const member = ctx.quietly(() => this.lw.places.resolve(value))?.member;
    return member?.kind === 'flag' || member?.kind === 'lock' ? 'bool' : 'int';
  }

  /** A procedure returns a boolean when every `return` value it has is one. */
  private returnType(call: CallExpression): 'bool' | 'int' {
    const fn = this.lw.ctx.fns.get(call.call.callee.text);
    if (!fn || fn.body.kind !== 'Block') return 'int';
    const values: Expression[] = [];
    collectReturns(fn.body.statements, values);
    return values.length > 0 && values.every(isBooleanExpression) ? 'bool' : 'int';
  }

  /** The operations storing `value` (of type `value.type`) into `local`, with its range check. */
  store(local: LocalValue, value: Value, what: string): Op[] {
    const expr = value.expr;
    if (local.type === 'bool') {
      const cond = value.type === 'bool' || value.type === 'object' ? expr : bin('!=', expr, constant(0));
      return [{ k: 'assign', v: local.variable, value: cond }];
    }
    const stored = local.low !== 0 ? bin('-', expr, constant(local.low)) : expr;
    return [
      {
        k: 'check',
        cond: bin('&&', bin('>=', stored, constant(0)), bin('<=', stored, constant(local.high - local.low))),
        kind: 'assertion',
        message: `${what}: the value leaves the range ${local.low}..${local.high}`,
      },
      { k: 'assign', v: local.variable, value: stored },
    ];
  }

  /** Constant stores for the two outcomes of a condition. */
  storeOutcome(local: LocalValue, outcome: boolean): Op[] {
    if (local.type === 'bool') return [{ k: 'assign', v: local.variable, value: constant(outcome ? 1 : 0) }];
    return [{ k: 'assign', v: local.variable, value: constant((outcome ? 1 : 0) - local.low) }];
  }

  /**
   * Binds a procedure's parameters for a call from the current actor: places stay places, constants
   * and the caller's locals are read in place, other values are copied by `copies`.
   */
  bindArgs(params: string[], args: Expression[]): { env: Env; copies: Op[] } {
    const env: Env = new Map();
    const copies: Op[] = [];
    params.forEach((param, i) => {
      const arg = args[i];
      if (!arg) return;
      const binding = this.bindingOf(arg, param, copies);
      if (binding) env.set(param, binding);
    });
    return { env, copies };
  }

  private bindingOf(arg: Expression, param: string, copies: Op[]): Binding | undefined {
    const ctx = this.lw.ctx;
    const build = ctx.current;
    if (arg.kind === 'NumberLiteral') return { value: constant(arg.value), type: 'int' };
    if (arg.kind === 'BoolLiteral') return { value: constant(arg.value ? 1 : 0), type: 'bool' };
    if (arg.kind === 'Place') {
      const first = arg.segments[0]?.text ?? '';
      if (arg.segments.length === 1) {
        const bound = build.env.get(first);
        if (bound && 'value' in bound) return bound;
        const local = !bound ? this.lookup(first) : undefined;
        if (local) return { value: read(local.variable), type: local.type };
      }
      if (!this.isValuePlace(arg)) return { place: arg, env: build.env };
    }
    // A value that may change while the call runs: copied into a variable of its own.
    const checks: Op[] = [];
    const value = this.lw.expressions.valueOf(arg, checks);
    if (value.type !== 'bool' && value.type !== 'int') throw ctx.fail(`\`${ctx.sourceText(arg)}\` is neither an object nor a value`, arg);
    const copy = this.copyVariable(build, param, value.type);
    copies.push(...checks, ...this.store(copy, value, `call: ${param}`));
    return { value: read(copy.variable), type: copy.type };
  }

  /** One copy variable per parameter name and actor. */
  private readonly copies = new Map<string, LocalValue>();

  private copyVariable(build: ActorBuild, param: string, type: 'bool' | 'int'): LocalValue {
    const key = `${build.actor.index}:${param}:${type}`;
    let local = this.copies.get(key);
    if (!local) {
      local = this.newLocal(build, `${build.actor.name}.${param}`, type, type === 'int' ? -8 : 0, type === 'int' ? 7 : 1);
      this.copies.set(key, local);
    }
    return local;
  }

  /** A place that reads a member that is not a pointer: a value, not an object. */
  private isValuePlace(place: Place): boolean {
    const member = this.lw.ctx.quietly(() => this.lw.places.resolve(place))?.member;
    return member !== undefined && member.kind !== 'ptr';
  }

  /**
   * What a callback captures when it is queued from the current actor: an object argument as a
   * handle of the callback's actor (the object and its generation at the call), a value as a copy.
   */
  capture(arg: Expression, name: string, callback: ActorBuild): { ops: Op[]; variable: number; kind: 'handle' | 'bool' | 'int' } {
    const ctx = this.lw.ctx;
    const places = this.lw.places;
    if (arg.kind === 'Place' && !this.isValuePlace(arg) && !(arg.segments.length === 1 && (this.lookup(arg.segments[0].text) || isValueBinding(ctx.current.env, arg.segments[0].text)))) {
      const resolved = places.asObject(places.resolve(arg), arg);
      const capture = places.captureValue(resolved);
      const variable = ctx.addVariable(name, 'handle', 2, 0, -1, callback.actor.index, { target: capture.target });
      callback.actor.locals.push(variable);
      return { ops: [...capture.checks, { k: 'assign', v: variable, value: capture.value }], variable, kind: 'handle' };
    }
    const checks: Op[] = [];
    const value = this.lw.expressions.valueOf(arg, checks);
    if (value.type !== 'bool' && value.type !== 'int') throw ctx.fail(`\`${ctx.sourceText(arg)}\` is neither an object nor a value`, arg);
    const local = this.newLocal(callback, name, value.type, value.type === 'int' ? -8 : 0, value.type === 'int' ? 7 : 1);
    return { ops: [...checks, ...this.store(local, value, name)], variable: local.variable, kind: value.type };
  }

  /** A callback's parameters: bound to what it captured. */
  bindCaptured(build: ActorBuild, bindings: { param: string; variable: number; kind: 'handle' | 'bool' | 'int' }[]): void {
    const ctx = this.lw.ctx;
    for (const binding of bindings) {
      if (binding.kind === 'handle') build.handles.set(binding.param, binding.variable);
      else {
        const variable = ctx.variables[binding.variable];
        build.values.set(binding.param, { variable: binding.variable, type: binding.kind, low: variable.offset ?? 0, high: (variable.offset ?? 0) + variable.domain - 1 });
      }
    }
  }

  /** The step of `return VALUE`: stores the value where the call's `let` or assignment wants it. */
  returnStep(s: ReturnStatement, what: string): Op[] {
    const sink = this.lw.ctx.current.sink;
    const value = s.value!;
    return this.evaluateInto(value, sink, what);
  }

  /**
   * Operations evaluating `value` into `local` (or only for its effects and checks, without one).
   * Conditions that act (`tryget`) store true or false.
   */
  evaluateInto(value: Expression, local: LocalValue | undefined, what: string): Op[] {
    const expressions = this.lw.expressions;
    if (isBooleanExpression(value)) {
      return expressions.lowerCond(value, local ? this.storeOutcome(local, true) : [], local ? this.storeOutcome(local, false) : []);
    }
    const checks: Op[] = [];
    const result = expressions.valueOf(value, checks);
    if (!local) return checks;
    if (result.type !== 'bool' && result.type !== 'int' && result.type !== 'object') throw this.lw.ctx.fail(`\`${this.lw.ctx.sourceText(value)}\` is not a value a local can hold`, value);
    return [...checks, ...this.store(local, result, what)];
  }

  /** Value scopes: each inlined body, on-zero action and handler starts with an empty one. */
  enter(build: ActorBuild): ValueScope {
    const saved = build.values;
    build.values = new Map();
    return saved;
  }
}

function isValueBinding(env: Env, name: string): boolean {
  const binding = env.get(name);
  return binding !== undefined && 'value' in binding;
}

/** Expressions whose value is a truth value by their form. */
export function isBooleanExpression(e: Expression): boolean {
  switch (e.kind) {
    case 'BoolLiteral':
    case 'UnaryExpression':
    case 'TryExpression':
    case 'PredicateExpression':
    case 'LockedPutExpression':
      return true;
    case 'BinaryExpression':
      return true;
    case 'ParenExpression':
      return isBooleanExpression(e.inner);
    default:
      return false;
  }
}

function collectReturns(statements: Statement[], into: Expression[]): void {
  for (const s of statements) {
    switch (s.kind) {
      case 'ReturnStatement':
        if (s.value) into.push(s.value);
        break;
      case 'Block':
        collectReturns(s.statements, into);
        break;
      case 'IfStatement':
        collectReturns(s.then.statements, into);
        if (s.else) collectReturns(s.else.kind === 'Block' ? s.else.statements : [s.else], into);
        break;
      case 'WhileStatement':
      case 'RepeatStatement':
      case 'AtomicStatement':
        collectReturns(s.body.statements, into);
        break;
      case 'ChooseStatement':
        for (const branch of s.branches) collectReturns(branch.statements, into);
        break;
      case 'UnloadStatement':
        collectReturns(s.body.statements, into);
        break;
      default:
        break;
    }
  }
}

