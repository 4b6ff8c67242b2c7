// Conditions: splits a path at a branch by what the test says about values it knows.

import type { Expr } from '../cir';
import { conditionKey, exprKey, hasEffects } from '../keys';
import { ALL, NEG, POS, Z, cloneState, isLive, type Res, type State } from '../state';
import { setMask, type AnalyzerContext, type Outcome } from './context';
import { evaluate } from './expressions';

export const ERROR_TESTS: Record<string, { arg: number; mask: number }> = {
  IS_ERR: { arg: 0, mask: NEG },
  IS_ERR_OR_NULL: { arg: 0, mask: Z | NEG },
  IS_ERR_VALUE: { arg: 0, mask: NEG },
  // NULL, or the `ZERO_SIZE_PTR` of a zero-length allocation: nothing to free either way.
  ZERO_OR_NULL_PTR: { arg: 0, mask: Z },
  dma_mapping_error: { arg: 1, mask: NEG },
};
export const TRANSPARENT_TESTS = new Set(['likely', 'unlikely', 'WARN_ON', 'WARN_ON_ONCE', 'WARN', 'WARN_ONCE', 'unlikely_if', 'BUG_ON', 'MEM_FAIL', 'WARN_RATELIMIT', 'WARN_ON_SMP']);

const PREDICATE = /^(is_|has_|list_empty|hlist_empty|test_bit|IS_ENABLED|IS_BUILTIN|[a-z0-9_]*_(is|has|enabled|empty|present|supported|valid|capable)(_[a-z0-9]+)?$)/;

/** An upper-case macro that tests its arguments (`PMSG_IS_AUTO(msg)`, `READ_ONCE(x)`), not one that writes. */
const PURE_MACRO = /^(?!WRITE_ONCE$|BUG|WARN)[A-Z][A-Z0-9_]*$/;

/** Byte-order conversions compute a value from their argument and nothing else (`cpu_to_le32(flags)`). */
const CONVERSION = /^(cpu_to_(le|be)(16|32|64)|(le|be)(16|32|64)_to_cpu)$/;

/** A condition whose only calls are predicates with no effects (`list_empty(...)`, `is_x(...)`). */
function isPredicate(expr: Expr): boolean {
  switch (expr.k) {
    case 'call':
      return (PREDICATE.test(expr.callee) || PURE_MACRO.test(expr.callee) || CONVERSION.test(expr.callee)) && expr.args.every((a) => !hasEffects(a) || isPredicate(a));
    case 'assign':
      return false;
    case 'unary':
      return expr.op !== '++' && expr.op !== '--' && isPredicate(expr.arg);
    case 'cast':
      return isPredicate(expr.arg);
    case 'bin':
      return isPredicate(expr.left) && isPredicate(expr.right);
    case 'field':
      return isPredicate(expr.base);
    case 'index':
      return isPredicate(expr.base) && isPredicate(expr.index);
    case 'cond':
      return isPredicate(expr.test) && isPredicate(expr.then) && isPredicate(expr.other);
    case 'other':
      return expr.kids.every(isPredicate);
    default:
      return true;
  }
}

export function split(ctx: AnalyzerContext, state: State, key: string, trueMask: number): Outcome[] {
  const mask = state.masks.get(key) ?? ALL;
  const outcomes: Outcome[] = [];
  const yes = mask & trueMask;
  const no = mask & ~trueMask & ALL;
  if (yes !== 0) outcomes.push([narrow(ctx, no !== 0 ? cloneState(state) : state, key, yes), true]);
  if (no !== 0) outcomes.push([narrow(ctx, yes !== 0 ? cloneState(state) : state, key, no), false]);
  return outcomes;
}

export function narrow(ctx: AnalyzerContext, state: State, key: string, mask: number): State {
  setMask(ctx, state, key, mask);
  let changed = false;
  const res: Res[] = [];
  for (const original of state.res) {
    let r = original;
    if (r.escapeUndo?.value === key && (mask === Z || (mask & Z) === 0)) {
      // The storing call's result is now known: an error means it stored nothing.
      const failed = (mask & Z) === 0;
      r = failed ? { ...r, escaped: r.escapeUndo.escaped, handedOnly: r.escapeUndo.handedOnly, escapeUndo: undefined } : { ...r, escapeUndo: undefined };
      changed = true;
    }
    if ((mask & POS) === 0 && r.status === 'held' && r.api.kind !== 'lock' && r.names.includes(key)) {
      // Nothing is held on a NULL object or an ERR_PTR: `clk_prepare_enable(NULL)` enables nothing,
      // and `if (!IS_ERR(clk)) clk_put(clk)` skips only a clock `clk_get()` did not return.
      changed = true;
      continue;
    }
    const alias = r.condVar !== undefined && r.names.includes(r.condVar) && r.names.includes(key);
    if (r.status !== 'cond' || (r.condVar !== key && !alias && !(r.api.testMember && r.condVar !== undefined && r.condVar + r.api.testMember === key))) {
      res.push(r);
      continue;
    }
    changed = true;
    if ((mask & r.okMask) === mask) res.push({ ...r, status: 'held', condVar: undefined, decidedBy: r.condVar });
    else if ((mask & r.okMask) === 0) {
      if (r.api.kind === 'lock') res.push({ ...r, status: 'failed', condVar: undefined });
    } else res.push(r);
  }
  if (changed) state.res = res;
  if (key.startsWith('$') && !state.res.some((r) => r.condVar === key || r.escapeUndo?.value === key)) state.masks.delete(key);
  return state;
}

export function condition(ctx: AnalyzerContext, expr: Expr, state: State): Outcome[] {
  switch (expr.k) {
    case 'num':
      return [[state, expr.value !== 0]];
    case 'null':
      return [[state, false]];
    case 'unary':
      if (expr.op === '!') return condition(ctx, expr.arg, state).map(([s, v]) => [s, !v]);
      break;
    case 'bin': {
      if (expr.op === '&&' || expr.op === '||') {
        const out: Outcome[] = [];
        for (const [s, v] of condition(ctx, expr.left, state)) {
          if (expr.op === '&&' ? !v : v) out.push([s, v]);
          else out.push(...condition(ctx, expr.right, s));
        }
        return out;
      }
      const compared = comparison(ctx, expr, state);
      if (compared) return compared;
      break;
    }
    case 'call': {
      // `gpiod_not_found(desc)` is `IS_ERR(desc) && PTR_ERR(desc) == -ENOENT`.
      const test = ERROR_TESTS[expr.callee] ?? (/_not_found$/.test(expr.callee) && expr.args.length === 1 ? ERROR_TESTS.IS_ERR : undefined);
      if (test && expr.args[test.arg]) {
        const result = evaluate(ctx, expr.args[test.arg], state);
        if (result.value.key !== undefined) return split(ctx, result.state, result.value.key, test.mask);
        return [[result.state, true], [cloneState(result.state), false]];
      }
      const known = stateQuery(ctx, expr, state);
      if (known !== undefined) return [[state, known]];
      // `PMSG_IS_AUTO(message)`, `dma_buf_is_dynamic(attach->dmabuf)`: a macro's or a predicate's test,
      // decided the same way wherever the same text is tested again.
      if ((PURE_MACRO.test(expr.callee) || PREDICATE.test(expr.callee)) && !TRANSPARENT_TESTS.has(expr.callee) && isPredicate(expr)) return opaque(ctx, expr, evaluateRest(ctx, expr.args, state));
      if (TRANSPARENT_TESTS.has(expr.callee) && expr.args.length > 0) {
        const inner = condition(ctx, expr.args[0], state);
        if (expr.args.length === 1) return inner;
        return inner.map(([s, v]) => [evaluateRest(ctx, expr.args.slice(1), s), v]);
      }
      break;
    }
    default:
      break;
  }
  const result = evaluate(ctx, expr, state);
  if (result.value.mask !== undefined && result.value.key === undefined) return [[result.state, result.value.mask !== Z]];
  if (result.value.key !== undefined) return split(ctx, result.state, result.value.key, NEG | POS);
  return opaque(ctx, expr, result.state);
}

/**
 * Queries whose answer the path knows from what it holds: `pm_runtime_enabled(dev)` is true where the
 * path enabled runtime PM on `dev` and holds it, false where it disabled it again.
 */
const STATE_QUERIES: Record<string, string> = { pm_runtime_enabled: 'pm_runtime_enable' };

function stateQuery(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State): boolean | undefined {
  const family = STATE_QUERIES[expr.callee];
  const key = family !== undefined && expr.args[0] ? exprKey(expr.args[0]) : undefined;
  if (key === undefined) return undefined;
  const mine = state.res.filter((r) => r.family === family && r.tracked && r.names.includes(key));
  if (mine.some(isLive)) return true;
  if (mine.some((r) => r.status === 'released')) return false;
  return undefined;
}

export function evaluateRest(ctx: AnalyzerContext, args: Expr[], state: State): State {
  let s = state;
  for (const arg of args) s = evaluate(ctx, arg, s).state;
  return s;
}

/** A condition the analysis cannot relate to values: both outcomes, remembered by its text if pure. */
export function opaque(ctx: AnalyzerContext, expr: Expr, state: State): Outcome[] {
  if ((hasEffects(expr) && !isPredicate(expr)) || expr.e <= expr.s) return [[state, true], [cloneState(state), false]];
  const { key: text, negated } = conditionKey(ctx.text, expr);
  if ((ctx.conditionTexts.get(text) ?? 0) < 2) return [[state, true], [cloneState(state), false]];
  const known = state.conds.get(text);
  if (known !== undefined) return [[state, (known === 1) !== negated]];
  const yes = cloneState(state);
  yes.conds.set(text, negated ? 0 : 1);
  const no = state;
  no.conds.set(text, negated ? 1 : 0);
  return [[yes, true], [no, false]];
}

export function comparison(ctx: AnalyzerContext, expr: Expr & { k: 'bin' }, state: State): Outcome[] | undefined {
  const constant = (e: Expr): number | undefined => {
    if (e.k === 'num') return e.value;
    if (e.k === 'null') return 0;
    if (e.k === 'unary' && e.op === '-' && e.arg.k === 'id' && /^E[A-Z0-9]+$/.test(e.arg.name)) return -1000;
    if (e.k === 'unary' && e.op === '-' && e.arg.k === 'num') return -e.arg.value;
    if (e.k === 'cast') return constant(e.arg);
    return undefined;
  };
  let subject: Expr;
  let value: number;
  let op = expr.op;
  const right = constant(expr.right);
  const left = constant(expr.left);
  if (right !== undefined) {
    subject = expr.left;
    value = right;
  } else if (left !== undefined) {
    subject = expr.right;
    value = left;
    const flipped: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
    op = flipped[op] ?? op;
  } else {
    const named = namedConstantTest(expr, state);
    if (named !== undefined) return [[state, named]];
    const distinct = distinctFromFreshAllocation(ctx, expr, state);
    return distinct === undefined ? undefined : [[state, distinct]];
  }
  let trueMask: number | undefined;
  if (value === 0) {
    trueMask = { '==': Z, '!=': NEG | POS, '<': NEG, '>=': Z | POS, '>': POS, '<=': Z | NEG }[op];
  } else if (value === 1) {
    trueMask = { '==': POS, '!=': Z | NEG, '>=': POS, '<': Z | NEG }[op];
  } else if (value < 0) {
    trueMask = { '==': NEG }[op];
  }
  const result = evaluate(ctx, subject, state);
  if (trueMask === undefined || result.value.key === undefined) {
    if (result.value.mask !== undefined && trueMask !== undefined) return [[result.state, (result.value.mask & trueMask) !== 0]];
    return opaque(ctx, expr, result.state);
  }
  return split(ctx, result.state, result.value.key, trueMask);
}

/** An upper-case identifier: an enumerator or a macro constant (`IOAT_OP_XOR`). */
export const NAMED_CONSTANT = /^[A-Z][A-Z0-9_]*$/;

/** The path's fact that local `name` holds the named constant `constant` (see `noteNamedConstant`). */
export function constantFact(name: string, constant: string): string {
  return `=${name}=${constant}`;
}

/** The constant the path knows local `name` holds, from any earlier fact. */
export function knownConstant(name: string, state: State): string | undefined {
  const prefix = constantFact(name, '');
  for (const key of state.conds.keys()) if (key.startsWith(prefix)) return key.slice(prefix.length);
  return undefined;
}

/** The path's fact that local `name` does not hold `constant`: a switch on it took its default. */
export function exclusionFact(name: string, constant: string): string {
  return `!${name}=${constant}`;
}

/**
 * `op = IOAT_OP_XOR; ... if (op == IOAT_OP_XOR)`: a local assigned a named constant on this path
 * compares equal to that constant and unequal to any other.
 */
export function namedConstantTest(expr: Expr & { k: 'bin' }, state: State): boolean | undefined {
  if (expr.op !== '==' && expr.op !== '!=') return undefined;
  const [variable, constant] = expr.left.k === 'id' && expr.right.k === 'id' && NAMED_CONSTANT.test(expr.right.name) ? [expr.left.name, expr.right.name] : expr.right.k === 'id' && expr.left.k === 'id' && NAMED_CONSTANT.test(expr.left.name) ? [expr.right.name, expr.left.name] : [undefined, undefined];
  if (variable === undefined || constant === undefined || NAMED_CONSTANT.test(variable)) return undefined;
  if (state.conds.size === 0) return undefined;
  let equal: boolean | undefined;
  if (state.conds.has(constantFact(variable, constant))) equal = true;
  else if (state.conds.has(exclusionFact(variable, constant))) equal = false;
  else if (knownConstant(variable, state) !== undefined) equal = false;
  if (equal === undefined) return undefined;
  return expr.op === '==' ? equal : !equal;
}

/** Records that local `name`, tested somewhere in the function, now holds a named constant. */
export function noteNamedConstant(ctx: AnalyzerContext, state: State, name: string, value: Expr | undefined): void {
  if (!value || value.k !== 'id' || !NAMED_CONSTANT.test(value.name) || !ctx.testedNames.has(name)) return;
  state.conds.set(constantFact(name, value.name), 1);
}

/**
 * `name != orig_name` where `name` holds a fresh allocation and `orig_name` is a parameter or
 * global: a new object is distinct from every pointer that existed before it.
 */
export function distinctFromFreshAllocation(ctx: AnalyzerContext, expr: Expr & { k: 'bin' }, state: State): boolean | undefined {
  if ((expr.op !== '==' && expr.op !== '!=') || expr.left.k !== 'id' || expr.right.k !== 'id') return undefined;
  const [a, b] = [expr.left.name, expr.right.name];
  const fresh = (name: string) => state.res.some((r) => isLive(r) && r.local && r.api.kind === 'memory' && r.api.object === 'return' && r.names.includes(name));
  const older = (name: string) => !ctx.fn.locals.has(name) || ctx.fn.params.includes(name);
  const differ = (fresh(a) && older(b)) || (fresh(b) && older(a));
  if (!differ) return undefined;
  return expr.op === '!=';
}
