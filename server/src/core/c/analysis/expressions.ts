// Expressions: their values (keys and value classes), stores that pass an object on, and uses of
// what a path already released.

import type { Expr } from '../cir';
import { derivedMentions, exprKey, keyRoot, storeMentions, uncast } from '../keys';
import { NEG, POS, Z, isLive, resMatches, type Res, type State } from '../state';
import { RELEASE_LIKE } from '../callRoles';
import { releaseEnding, useAfterReleaseMessage, type PointerUse } from '../releasedUse';
import { canonical, releasedThroughMember, setMask, type AnalyzerContext, type Value } from './context';
import { bind, forget, forgetFacts } from './paths';
import { call, directMentions } from './effects';
import { report } from './report';
import { ERROR_TESTS, noteNamedConstant } from './conditions';

const UNEVALUATED_OPERAND = /^(typeof|__typeof__|__typeof|sizeof|__alignof__|_Alignof|alignof|offsetof)$/;

export function evaluate(ctx: AnalyzerContext, expr: Expr, state: State): { state: State; value: Value } {
  switch (expr.k) {
    case 'num':
      return { state, value: { mask: expr.value === 0 ? Z : expr.value < 0 ? NEG : POS } };
    case 'null':
      return { state, value: { mask: Z } };
    case 'id':
      return { state, value: { key: expr.name } };
    case 'field': {
      const base = evaluate(ctx, expr.base, state);
      if (expr.arrow) checkUse(ctx, base.state, expr.base, expr);
      return { state: base.state, value: { key: exprKey(expr) } };
    }
    case 'index': {
      let s = evaluate(ctx, expr.base, state).state;
      s = evaluate(ctx, expr.index, s).state;
      checkUse(ctx, s, expr.base, expr);
      return { state: s, value: { key: exprKey(expr) } };
    }
    case 'cast':
      return evaluate(ctx, expr.arg, state);
    case 'unary': {
      const member = expr.op === '&' ? memberAddress(ctx, expr.arg, state) : undefined;
      // An address is never NULL: `rw_lock = &ni->run_lock; ... if (rw_lock) up_read(rw_lock)`.
      if (member) return { state: member, value: { key: exprKey(expr), mask: POS } };
      const inner = evaluate(ctx, expr.arg, state);
      if (expr.op === '*') {
        checkUse(ctx, inner.state, expr.arg, expr);
        return { state: inner.state, value: { key: exprKey(expr) } };
      }
      if (expr.op === '&') return { state: inner.state, value: { key: exprKey(expr), mask: POS } };
      if (expr.op === '-') {
        if (expr.arg.k === 'id' && /^E[A-Z0-9]+$/.test(expr.arg.name)) return { state: inner.state, value: { mask: NEG } };
        if (expr.arg.k === 'num') return { state: inner.state, value: { mask: expr.arg.value === 0 ? Z : NEG } };
        return { state: inner.state, value: {} };
      }
      if (expr.op === '++' || expr.op === '--') {
        const key = exprKey(expr.arg);
        if (key !== undefined) {
          inner.state.masks.delete(key);
          forgetFacts(inner.state, key);
        }
      }
      return { state: inner.state, value: {} };
    }
    case 'bin': {
      const left = evaluate(ctx, expr.left, state);
      const right = evaluate(ctx, expr.right, left.state);
      // `kmap_atomic(pg) + p_off`: an address inside a mapping or an allocation still names it.
      const inside = (expr.op === '+' || expr.op === '-') && left.value.key !== undefined && namesAddressable(right.state, left.value.key);
      return { state: right.state, value: inside ? { key: left.value.key } : {} };
    }
    case 'cond': {
      let s = evaluate(ctx, expr.test, state).state;
      const then = evaluate(ctx, expr.then, s);
      const other = evaluate(ctx, expr.other, then.state);
      s = other.state;
      const isTemp = (k: string | undefined): k is string => k !== undefined && k.startsWith('$') && !k.startsWith('$u');
      if (isTemp(then.value.key) && isTemp(other.value.key) && then.value.key !== other.value.key) {
        // `flag ? kzalloc(n, GFP_ATOMIC) : kzalloc(n, GFP_KERNEL)`: one arm runs; the other arm's object stands for both.
        const thenKey = then.value.key;
        s = { ...s, res: s.res.filter((r) => !(r.names.includes(thenKey) && r.site >= expr.then.s && r.site < expr.then.e)) };
        return { state: s, value: { key: other.value.key } };
      }
      const temp = [then.value.key, other.value.key].find(isTemp);
      return { state: s, value: { key: temp ?? other.value.key ?? then.value.key } };
    }
    case 'assign':
      return assign(ctx, expr, state);
    case 'call':
      // `typeof(*p)`, `sizeof(*p)`: the operand names a type and is never evaluated.
      if (UNEVALUATED_OPERAND.test(expr.callee)) return { state, value: {} };
      return call(ctx, expr, state);
    case 'other': {
      let s = state;
      for (const kid of expr.kids) s = evaluate(ctx, kid, s).state;
      return { state: s, value: {} };
    }
  }
}

/** Whether `key` names a held mapping or allocation, whose addresses inside still identify it. */
function namesAddressable(state: State, key: string): boolean {
  return state.res.some((r) => isLive(r) && (r.api.kind === 'mapping' || r.api.kind === 'memory') && r.names.includes(key));
}

/** `&p->member` or `&p[i]`: computes an address inside `p` without reading it. */
export function memberAddress(ctx: AnalyzerContext, expr: Expr, state: State): State | undefined {
  if (expr.k === 'field' && expr.arrow) {
    const base = evaluate(ctx, expr.base, state).state;
    checkUse(ctx, base, expr.base, expr, 'address-taken');
    return base;
  }
  if (expr.k === 'index') {
    const s = evaluate(ctx, expr.index, evaluate(ctx, expr.base, state).state).state;
    checkUse(ctx, s, expr.base, expr, 'address-taken');
    return s;
  }
  return undefined;
}

/**
 * `rc = dma_mapping_error(dev, addr)`: an acquire that `addr` decides is now decided by `rc`, and
 * succeeded exactly when `rc` is zero.
 */
function keepErrorTest(state: State, key: string, right: Expr): void {
  if (right.k !== 'call' || !Object.hasOwn(ERROR_TESTS, right.callee)) return;
  const tested = right.args[ERROR_TESTS[right.callee].arg];
  const testedKey = tested ? exprKey(tested) : undefined;
  if (testedKey === undefined) return;
  state.res = state.res.map((r) => (r.status === 'cond' && r.condVar === testedKey ? { ...r, condVar: key, okMask: Z } : r));
}

export function assign(ctx: AnalyzerContext, expr: Expr & { k: 'assign' }, state: State): { state: State; value: Value } {
  const right = evaluate(ctx, expr.right, state);
  let s = right.state;
  const left = expr.left;
  // `from += offset` moves a pointer within what it points into (`kunmap_local(from)` takes any address in the page).
  if ((expr.op === '+=' || expr.op === '-=') && left.k === 'id' && namesAddressable(s, left.name)) {
    s.masks.delete(left.name);
    return { state: s, value: { key: left.name } };
  }
  if (left.k !== 'id') {
    if (left.k === 'field' || left.k === 'index') {
      s = evaluate(ctx, left.k === 'field' ? left.base : left.base, s).state;
      if (left.k === 'field' && left.arrow) checkUse(ctx, s, left.base, left);
      if (left.k === 'index') checkUse(ctx, s, left.base, left);
    } else if (left.k === 'unary' && left.op === '*') {
      checkUse(ctx, s, left.arg, left);
    }
  }
  const key = exprKey(left);
  const value = expr.op === '=' ? right.value : {};
  const local = left.k === 'id' && (ctx.fn.fragment || ctx.fn.locals.has(left.name));
  // A parameter assigned anew (`mode = HWLOCK_RAW`) no longer holds the case a switch chose.
  if (!local && left.k === 'id') forgetFacts(s, left.name);
  if (local && key !== undefined) {
    const carried = referencesPassedOn(ctx, expr, s, key);
    // `new = (void *)(KM_TYPE | (unsigned long)new)`: a pointer tagged or moved in place still names its object.
    const inPlace = expr.op === '=' && (expr.right.k === 'cast' || expr.right.k === 'bin') && derivedMentions(expr.right).includes(key) ? s.res.filter((r) => isLive(r) && r.api.kind !== 'lock' && r.names.includes(key)).map((r) => r.site) : [];
    carried.push(...inPlace);
    forget(ctx, s, key);
    bind(ctx, s, key, value);
    if (expr.op === '=') noteNamedConstant(ctx, s, key, expr.right);
    if (expr.op === '=') keepErrorTest(s, key, expr.right);
    if (carried.length > 0) s.res = s.res.map((r) => (carried.includes(r.site) && isLive(r) && !r.names.includes(key) ? { ...r, names: [...r.names, key] } : r));
    // `psy = dev_get_drvdata(dev)`: the driver data is reached from the device and points back to it
    // (`psy->dev`), so returning it or putting `psy->dev` deals with the device's reference.
    const drvdataOf = expr.op === '=' ? drvdataSource(expr.right) : undefined;
    if (drvdataOf !== undefined) {
      const back = `${key}->dev`;
      s.res = s.res.map((r) => (isLive(r) && r.api.kind === 'ref' && r.names.includes(drvdataOf) && !r.names.includes(back) ? { ...r, names: [...r.names, back] } : r));
    }
    // `fwnode = args.fwnode` where `args` is an out-parameter whose `.fwnode` holds the reference.
    const copied = expr.op === '=' ? right.value.key : undefined;
    if (copied !== undefined && !copied.startsWith('$')) {
      s.res = s.res.map((r) => (isLive(r) && !r.names.includes(copied) && !r.names.includes(key) && resMatches(r, copied) ? { ...r, names: [...r.names, key] } : r));
    }
    if (expr.op === '=' && expr.right.k !== 'id') {
      const derived = derivedMentions(expr.right).filter((n) => n !== key);
      if (derived.length > 0) {
        s.res = s.res.map((r) => (isLive(r) && r.api.kind !== 'lock' && !r.names.includes(key) && r.names.some((n) => derived.includes(n)) ? { ...r, names: [...r.names, key] } : r));
      }
    }
    return { state: s, value: { key } };
  }
  // A store into a field, through a pointer or into a global: whatever it names escapes, except the
  // structure stored into (`r->devices = alloc_scope(&r->count)` keeps `r` where it was).
  const target = key !== undefined ? keyRoot(key) : undefined;
  const mentions = (expr.op === '=' ? storeMentions(expr.right) : []).filter((n) => n !== target);
  if (right.value.key !== undefined && right.value.key !== target) mentions.push(right.value.key);
  // `pmc->tomb = dpsf->sf_next`: the field no longer holds what was stored in it before.
  if (key !== undefined && expr.op === '=') forgetFieldStore(s, canonical(ctx, key), mentions);
  escape(ctx, s, mentions);
  if (key !== undefined && mentions.length > 0) noteStoredAs(ctx, s, mentions, canonical(ctx, key));
  if (key !== undefined) {
    s.res = s.res.filter((r) => isLive(r) || !r.names.includes(key));
    const stored = right.value.key;
    if (expr.op === '=' && stored !== undefined) {
      // The field now names the same object: a later test of it tells about the object too.
      s.res = s.res.map((r) => (isLive(r) && r.names.includes(stored) && !r.names.includes(key) ? { ...r, names: [...r.names, key] } : r));
    }
    s.masks.delete(key);
    const mask = value.mask ?? (value.key !== undefined ? s.masks.get(value.key) : undefined);
    if (mask !== undefined) setMask(ctx, s, key, mask);
  }
  return { state: s, value: { key } };
}

/**
 * Drops `field` from the names of what the path holds, except of the objects now stored there: after
 * `pmc->tomb = dpsf->sf_next`, `pmc->tomb` no longer reaches `dpsf`. A name is kept where it is the
 * object's only one.
 */
function forgetFieldStore(state: State, field: string, storedNow: string[]): void {
  if (!state.res.some((r) => r.storedAs?.includes(field) || r.names.includes(field))) return;
  state.res = state.res.map((r) => {
    if (r.names.some((n) => n !== field && (storedNow.includes(n) || storedNow.includes(keyRoot(n))))) return r;
    const names = r.names.includes(field) && r.names.length > 1 ? r.names.filter((n) => n !== field) : r.names;
    const storedAs = r.storedAs?.includes(field) ? r.storedAs.filter((k) => k !== field) : r.storedAs;
    return names === r.names && storedAs === r.storedAs ? r : { ...r, names, storedAs };
  });
}

/**
 * `node = of_get_next_dma_parent(node)`: an unknown call handed the variable's object and assigned
 * back to it passes the reference on to what it returns (it puts the old one, gets the new one).
 */
export function referencesPassedOn(ctx: AnalyzerContext, expr: Expr & { k: 'assign' }, state: State, key: string): number[] {
  const call = expr.right;
  if (expr.op !== '=' || call.k !== 'call' || ctx.table.byName.has(call.callee) || RELEASE_LIKE.test(call.callee)) return [];
  const handed: string[] = [];
  for (const arg of call.args) directMentions(arg, handed);
  if (!handed.includes(key)) return [];
  // Only the last name of the reference: with another variable still naming it, the call did not take it over.
  const otherLocal = (n: string) => n !== key && ctx.fn.locals.has(n) && !ctx.fn.params.includes(n);
  const lastName = (r: Res) => !r.names.some(otherLocal);
  return state.res.filter((r) => isLive(r) && r.api.kind === 'ref' && r.names.includes(key) && lastName(r)).map((r) => r.site);
}

/** The device whose driver data a value reads: `dev` for `dev_get_drvdata(dev)` or `platform_get_drvdata(pdev)`. */
function drvdataSource(value: Expr): string | undefined {
  const e = uncast(value);
  if (e.k !== 'call' || !/^(dev|platform|pci|i2c|spi)_get_drvdata$/.test(e.callee) || e.args.length !== 1) return undefined;
  return exprKey(e.args[0]);
}

/** Remembers the field a live resource was stored in, by a key that outlives the variables in it. */
export function noteStoredAs(ctx: AnalyzerContext, state: State, mentions: string[], fieldKey: string): void {
  state.res = state.res.map((r) => {
    if (!isLive(r) || r.api.kind === 'lock' || (r.storedAs ?? []).includes(fieldKey) || !r.names.some((n) => mentions.includes(n) || mentions.includes(keyRoot(n)))) return r;
    // `idxd->wqs[i] = wq` stores `wq->wq_confdev` as `idxd->wqs[]->wq_confdev`, a name that outlives `wq`.
    const through = r.names.filter((n) => n !== keyRoot(n) && mentions.includes(keyRoot(n))).map((n) => `${fieldKey}${n.slice(keyRoot(n).length)}`);
    return { ...r, storedAs: [...(r.storedAs ?? []), fieldKey, ...through] };
  });
}

/**
 * Marks live resources known under any of `names` as escaped (handed to a call or stored), or, for
 * `hard` escapes (returned to the caller), removes them from the path. `undo` is the result of the
 * storing call: where it turns out to be an error, the call did not store them.
 */
export function escape(ctx: AnalyzerContext, state: State, names: string[], localOnly = false, hard = false, byCall = false, undo?: string): void {
  if (names.length === 0) return;
  const hit = (r: Res) => isLive(r) && r.api.kind !== 'lock' && (!localOnly || r.local) && r.names.some((n) => names.includes(n) || names.includes(keyRoot(n)));
  if (hard) state.res = state.res.filter((r) => !hit(r));
  else {
    state.res = state.res.map((r) => {
      if (!hit(r)) return r;
      const handedOnly = byCall && (r.handedOnly ?? !r.escaped);
      // Escaped again by something else: no single release gives it back any more.
      if (r.escaped && r.handedOnly === handedOnly && undo === undefined) return r.escapedBy !== undefined ? { ...r, escapedBy: undefined } : r;
      const escapeUndo = undo !== undefined ? { value: undo, escaped: r.escaped, handedOnly: r.handedOnly } : r.escapeUndo;
      return { ...r, escaped: true, handedOnly, escapeUndo, escapedBy: undefined };
    });
  }
}

export function checkUse(ctx: AnalyzerContext, state: State, base: Expr, use: Expr, how: PointerUse = 'dereference'): void {
  const pointer = uncast(base);
  if (pointer.k !== 'id') return;
  const name = pointer.name;
  for (const res of state.res) {
    if (res.useReported) continue;
    const ending = releaseEnding(res, name, state, how, ctx.lockFamilies);
    if (ending === undefined || res.releaseSite === undefined) continue;
    if (use.s < res.releaseSite && use.e > res.releaseSite) continue;
    const related = [{ start: res.releaseSite, end: res.releaseEnd ?? res.releaseSite, message: ending === 'freed' ? `${name} released here` : 'the reference is dropped here' }];
    if (ending === 'last-reference') related.push({ start: res.site, end: res.siteEnd, message: 'the reference was taken here' });
    report(ctx, { kind: 'use-after-release', start: use.s, end: use.e, message: useAfterReleaseMessage(name, res, ending, releaseText(ctx, res)), related, releasedThroughMember: releasedThroughMember(ctx, res) });
    // The first use after the release is the bug; the uses after it on this path repeat it.
    state.res = state.res.map((r) => (r === res ? { ...r, useReported: true } : r));
  }
}

/** The release call as written (`put_device(&pdev->dev)`), or `api()` when the text is too long to quote. */
export function releaseText(ctx: AnalyzerContext, res: Res): string {
  const start = res.releaseSite ?? -1;
  const end = res.releaseEnd ?? start;
  const written = start >= 0 && end > start ? ctx.text.slice(start, end).replace(/\s+/g, ' ') : '';
  return written.length > 0 && written.length <= 80 ? written : `${res.releaseApi ?? 'its release'}()`;
}
