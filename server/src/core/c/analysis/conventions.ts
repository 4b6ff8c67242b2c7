// Kernel conventions: which held resources at a return are findings, and what an error return is.

import type { Expr } from '../cir';
import { LOCK_HELPER } from '../callRoles';
import { keyRoot } from '../keys';
import { arrayTail, lastMember } from './fileFacts';
import { NEG, POS, Z, cloneState, type Res, type State } from '../state';
import type { AnalyzerContext, Value } from './context';
import { condition } from './conditions';
import { evaluate } from './expressions';

export function collectCallerCountFamilies(ctx: AnalyzerContext): void {
  const returnsObject = new Set<string>();
  for (const entry of ctx.table.byName.values()) {
    if (entry.effect !== 'acquire' || entry.kind !== 'ref') continue;
    for (const family of entry.families) {
      if (typeof entry.object === 'number') ctx.callerCountFamilies.add(family);
      else returnsObject.add(family);
    }
  }
  for (const family of returnsObject) ctx.callerCountFamilies.delete(family);
}

/** Stored in a structure or array that the unwind code releases through (`put_device(data->larb[i].dev)`). */
export function releasedThroughContainer(ctx: AnalyzerContext, res: Res): boolean {
  const containers = [...(res.storedAs ?? []), ...res.names.filter((n) => n.includes('[]'))];
  // `xdev->chan[id] = chan` holds `chan->irq` as `xdev->chan[]->irq`; `list_add(&ref->node, &l)` holds `ref` on `list:l`.
  // Only what was stored there is left to the file's teardown: an acquire made on an element itself
  // (`clk_prepare_enable(e->muxclk[i])`) still needs its own error path to undo it.
  const stored: string[] = [];
  for (const container of res.storedAs ?? []) {
    if (!container.includes('[]') && !container.startsWith('list:')) continue;
    stored.push(container);
    for (const name of res.names) {
      const root = keyRoot(name);
      if (name !== root && !root.startsWith('$')) stored.push(`${container}${name.slice(root.length)}`);
    }
  }
  if (stored.some((k) => ctx.releasedAnywhere.has(`${res.family}|${k}`))) return true;
  if (stored.some((k) => k.includes('[]') && ctx.file.arrayReleases.has(`${res.family}|${arrayTail(k)}`))) return true;
  return containers.some((k) => ctx.releasedAnywhere.has(`${res.family}|${k}`));
}

/** A function that ends by taking the lock (`get_hpc_access() { mutex_lock(&sem); }`) returns with it held on purpose. */
export function endsByLocking(ctx: AnalyzerContext, res: Res): boolean {
  const rest = ctx.text.slice(res.siteEnd, ctx.fn.e);
  return /^\s*;\s*(return\s*;\s*)?\}$/.test(rest);
}

/** Names of the two halves of a pair of functions between which a lock stays held. */
const FIRST_HALF = /(^|_)(start|begin|pre|enter|get|acquire|prepare|open)$/;
const SECOND_HALF = /(^|_)(stop|end|post|exit|put|release|finish|done|close)$/;

/**
 * Whether a resource still held at a return is a finding: an object bound to a local (or a loop
 * variable) always is; a lock is when the function unlocks it elsewhere; a reference on a caller's
 * object is only at an error return, and only when the function drops it elsewhere or the API
 * demands a release even on failure.
 *
 * 'if-undone' is for an escaped resource at an error return: a leak only if some other path of the
 * function releases it while it is escaped, which shows that the function must undo the escape.
 */
export function shouldReport(ctx: AnalyzerContext, res: Res, errorReturn: boolean, returnedKey?: string): 'yes' | 'no' | 'if-undone' {
  // A release of `a[i]` may be of another element than this one (unwind loops over arrays).
  const releasedHere = res.names.some((n) => !n.includes('[]') && ctx.releasedAnywhere.has(`${res.family}|${n}`));
  if (res.api.kind === 'lock') {
    if (res.names.some((n) => ctx.acquiresAnnotated.has(n))) return 'no';
    // `down_write(&sb->s_umount); ... return sb;`: the caller gets the object with its lock held.
    if (!errorReturn && returnedKey !== undefined && res.names.some((n) => n !== returnedKey && keyRoot(n) === returnedKey)) return 'no';
    if (LOCK_HELPER.test(ctx.fn.name.replace(/unlock/gi, '')) || endsByLocking(ctx, res)) return errorReturn && releasedHere ? 'yes' : 'no';
    // The function never drops this lock and another function of the file, named as the other half
    // of a pair (`..._start` and `..._stop`), drops it without taking it: this one returns locked by design.
    if (!releasedHere && FIRST_HALF.test(ctx.fn.name) && res.names.some((n) => [...(ctx.file.locksDroppedWithoutTaking.get(n.startsWith('@') ? n : lastMember(n)) ?? [])].some((f) => f !== ctx.fn.name && SECOND_HALF.test(f)))) return 'no';
    return 'yes';
  }
  if ((res.local || res.iterator) && !res.escaped) return 'yes';
  if (!errorReturn) return 'no';
  if (res.api.mustRelease) return 'yes';
  if (!res.escaped) return releasedHere ? 'yes' : 'no';
  if (releasedThroughContainer(ctx, res)) return 'no';
  if (res.local && res.handedOnly && res.api.kind === 'memory') return 'yes';
  return releasedHere ? 'if-undone' : 'no';
}

export function isErrorReturn(ctx: AnalyzerContext, expr: Expr | undefined, value: Value, state: State): boolean {
  if (!expr) return false;
  if (expr.k === 'unary' && expr.op === '-') return true;
  if (expr.k === 'num') return expr.value < 0;
  if (expr.k === 'call' && expr.callee === 'ERR_PTR') return true;
  if (expr.k === 'null') return true;
  if (expr.k === 'cond') {
    // `return err < 0 ? ERR_PTR(err) : ret;` on a path that knows the test.
    const outcomes = condition(ctx, expr.test, cloneState(state));
    if (outcomes.length !== 1) return false;
    const [decided, truth] = outcomes[0];
    const branch = truth ? expr.then : expr.other;
    return isErrorReturn(ctx, branch, evaluate(ctx, branch, decided).value, decided);
  }
  if (value.key !== undefined) {
    const mask = state.masks.get(value.key);
    if (mask === undefined) return false;
    // A pointer is an error when it is NULL or an ERR_PTR; an int when it is known non-zero and may be negative.
    if (ctx.fn.returnsPointer) return (mask & POS) === 0;
    return (mask & Z) === 0 && (mask & NEG) !== 0;
  }
  return false;
}
