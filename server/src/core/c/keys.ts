// Names for C expressions: the normalised text by which a resource is recognised again.
//
// `&group->mutex`, `&(group->mutex)` and `(struct mutex *)&group->mutex` all have the key
// `group->mutex`; an array element has its array's key.

import type { Expr } from './cir';

export function exprKey(expr: Expr): string | undefined {
  switch (expr.k) {
    case 'id':
      return expr.name;
    case 'field': {
      const base = exprKey(expr.base);
      return base === undefined ? undefined : `${base}${expr.arrow ? '->' : '.'}${expr.name}`;
    }
    case 'index': {
      const base = exprKey(expr.base);
      return base === undefined ? undefined : `${base}[]`;
    }
    case 'cast':
      return exprKey(expr.arg);
    case 'unary':
      if (expr.op === '&') return exprKey(expr.arg);
      if (expr.op === '*') {
        const inner = exprKey(expr.arg);
        return inner === undefined ? undefined : `*${inner}`;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The identifier an expression's key starts from (`dev` for `&dev->lock`). */
export function rootName(expr: Expr): string | undefined {
  switch (expr.k) {
    case 'id':
      return expr.name;
    case 'field':
    case 'index':
      return rootName(expr.base);
    case 'cast':
    case 'unary':
      return rootName(expr.arg);
    default:
      return undefined;
  }
}

/**
 * The identifiers whose pointer value an expression passes on: `p`, `(void *)p`, `&p->node`,
 * `cond ? p : q`. A field read such as `p->count` passes on nothing of `p`.
 */
export function pointerMentions(expr: Expr, out: string[] = []): string[] {
  switch (expr.k) {
    case 'id':
      out.push(expr.name);
      break;
    case 'cast':
      pointerMentions(expr.arg, out);
      break;
    case 'unary':
      if (expr.op === '&') {
        const root = rootName(expr.arg);
        if (root !== undefined) out.push(root);
      }
      break;
    case 'cond':
      pointerMentions(expr.then, out);
      pointerMentions(expr.other, out);
      break;
    case 'bin':
      if (expr.op === '+' || expr.op === '-') pointerMentions(expr.left, out);
      break;
    case 'index':
      if (expr.base.k === 'id') out.push(expr.base.name);
      break;
    case 'assign':
      pointerMentions(expr.right, out);
      break;
    case 'call':
      if (/^(container_of|to_|dev_get_drvdata|no_free_ptr)/.test(expr.callee)) for (const arg of expr.args) pointerMentions(arg, out);
      break;
    default:
      break;
  }
  return out;
}

/**
 * The identifiers a stored or returned value may carry a pointer from: every identifier except those
 * only read through (`p->count`) or measured (`sizeof(*p)`).
 */
export function storeMentions(expr: Expr, out: string[] = []): string[] {
  switch (expr.k) {
    case 'id':
      out.push(expr.name);
      break;
    case 'field':
      if (!expr.arrow) storeMentions(expr.base, out);
      break;
    case 'unary':
      if (expr.op === '&') {
        const root = rootName(expr.arg);
        if (root !== undefined) out.push(root);
      } else if (expr.op !== '*') storeMentions(expr.arg, out);
      break;
    case 'index':
      storeMentions(expr.base, out);
      break;
    case 'cast':
      storeMentions(expr.arg, out);
      break;
    case 'bin':
      storeMentions(expr.left, out);
      storeMentions(expr.right, out);
      break;
    case 'assign':
      storeMentions(expr.right, out);
      break;
    case 'cond':
      storeMentions(expr.then, out);
      storeMentions(expr.other, out);
      break;
    case 'call':
      for (const arg of expr.args) storeMentions(arg, out);
      break;
    case 'other':
      for (const kid of expr.kids) storeMentions(kid, out);
      break;
    default:
      break;
  }
  return out;
}

const ADDRESS_CONVERSION = /^[A-Z0-9_]+$|to_phys|virt_to|^__pa$|to_virt|page_address|virt_to_page|page_to_|_to_page|ptr_to|to_ptr|^to_|container_of/;

/**
 * The identifiers whose pointer a value computed from them still carries: through casts, arithmetic,
 * address conversions (`virt_to_phys(p)`) and macros in capitals, but not through other calls.
 */
export function derivedMentions(expr: Expr, out: string[] = []): string[] {
  switch (expr.k) {
    case 'id':
      out.push(expr.name);
      break;
    case 'cast':
      derivedMentions(expr.arg, out);
      break;
    case 'unary':
      if (expr.op === '&') {
        const root = rootName(expr.arg);
        if (root !== undefined) out.push(root);
      } else if (expr.op !== '*' && expr.op !== '!') derivedMentions(expr.arg, out);
      break;
    case 'bin':
      if (['+', '-', '|', '&', '^', '<<', '>>'].includes(expr.op)) {
        derivedMentions(expr.left, out);
        derivedMentions(expr.right, out);
      }
      break;
    case 'call':
      if (ADDRESS_CONVERSION.test(expr.callee)) for (const arg of expr.args) derivedMentions(arg, out);
      break;
    default:
      break;
  }
  return out;
}

/** `expr` without the casts around it: `p` for `(void *)(struct x *)p`. */
export function uncast(expr: Expr): Expr;
export function uncast(expr: Expr | undefined): Expr | undefined;
export function uncast(expr: Expr | undefined): Expr | undefined {
  let e = expr;
  while (e !== undefined && e.k === 'cast') e = e.arg;
  return e;
}

/**
 * The pointer variable an argument dereferences or points into: `p` for `p`, `(void *)p` or
 * `&p->member` (a lock taken through it, a structure a helper is handed the member of).
 */
export function pointerRoot(arg: Expr): string | undefined {
  const e = uncast(arg);
  if (e.k === 'id') return e.name;
  if (e.k === 'unary' && e.op === '&' && e.arg.k === 'field' && e.arg.arrow && e.arg.base.k === 'id') return e.arg.base.name;
  return undefined;
}

/** The identifier a key starts with: `dev` for `dev->lock`, `p` for `*p`. */
export function keyRoot(key: string): string {
  const match = /^[*]*([A-Za-z_$@][A-Za-z0-9_]*)/.exec(key);
  return match ? match[1] : key;
}

/** The expressions directly inside `expr`: a call's arguments, both sides of an operator, and so on. */
export function subexpressions(expr: Expr): Expr[] {
  switch (expr.k) {
    case 'call':
      return expr.args;
    case 'field':
      return [expr.base];
    case 'index':
      return [expr.base, expr.index];
    case 'unary':
    case 'cast':
      return [expr.arg];
    case 'bin':
    case 'assign':
      return [expr.left, expr.right];
    case 'cond':
      return [expr.test, expr.then, expr.other];
    case 'other':
      return expr.kids;
    default:
      return [];
  }
}

/** Every identifier in an expression, for invalidating remembered conditions. */
export function identifiersIn(expr: Expr, out: Set<string> = new Set()): Set<string> {
  if (expr.k === 'id') out.add(expr.name);
  else for (const sub of subexpressions(expr)) identifiersIn(sub, out);
  return out;
}

/** Whether evaluating the expression can change anything (calls, assignments, ++/--). */
export function hasEffects(expr: Expr): boolean {
  switch (expr.k) {
    case 'call':
    case 'assign':
      return true;
    case 'unary':
      return expr.op === '++' || expr.op === '--' || hasEffects(expr.arg);
    case 'cast':
      return hasEffects(expr.arg);
    case 'field':
      return hasEffects(expr.base);
    case 'index':
      return hasEffects(expr.base) || hasEffects(expr.index);
    case 'bin':
      return hasEffects(expr.left) || hasEffects(expr.right);
    case 'cond':
      return hasEffects(expr.test) || hasEffects(expr.then) || hasEffects(expr.other);
    case 'other':
      return expr.kids.some(hasEffects);
    default:
      return false;
  }
}

/**
 * The key under which a pure condition is remembered, so that a test written again agrees with the
 * first: its text without spaces, and for `a == b` and `a != b` (in either order) one key, with
 * `negated` set for `!=`: `!dst_l || dst_l == src_l` and `dst_l && dst_l != src_l` test one fact.
 */
export function conditionKey(text: string, expr: Expr): { key: string; negated: boolean } {
  const raw = (e: Expr) => text.slice(e.s, e.e).replace(/\s+/g, '');
  if (expr.k === 'bin' && (expr.op === '==' || expr.op === '!=') && expr.left.e > expr.left.s && expr.right.e > expr.right.s) {
    const [a, b] = [raw(expr.left), raw(expr.right)].sort();
    return { key: `${a}==${b}`, negated: expr.op === '!=' };
  }
  return { key: raw(expr), negated: false };
}
