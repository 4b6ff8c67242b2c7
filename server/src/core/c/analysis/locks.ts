// Locks across the returns of one function: which variants release which lock, and whether a lock
// still held at a return is a bug or the function's contract.

import type { ApiEntry, ApiTable } from '../apiTable';
import type { CFunction, Expr } from '../cir';
import type { Annotation } from '../preprocess';
import type { Summaries } from './summaries';
import { exprKey, uncast } from '../keys';
import { isLive, type Res, type State } from '../state';
import { canonicalLock, type AnalyzerContext } from './context';
import { lastMember } from './fileFacts';
import { releasedByCallersAfterCall } from './callers';

/**
 * The spinlock and rwlock variants differ only in what they do to interrupts or bottom halves:
 * `spin_lock(&l)` ... `spin_unlock_irqrestore(&l, flags)` drops the lock (the interrupt state is
 * another matter), so a release of one variant releases a lock taken with another.
 */
const VARIANT = /^(raw_spin|spin|rwlock_read|rwlock_write|local_lock)(_irq|_irqsave|_bh)?$/;

export function lockClass(family: string): string {
  const match = VARIANT.exec(family);
  return match ? match[1] : family;
}

/** Whether a release of one of `families` drops a lock taken in `family`. */
export function releasesLockOf(families: readonly string[], family: string): boolean {
  if (families.includes(family)) return true;
  const held = lockClass(family);
  return families.some((f) => lockClass(f) === held);
}

/**
 * Notes, at a return, which locks the path has dropped and which it still holds. A lock is unlocked
 * at a return when the path took and dropped it and holds it under no other acquire.
 */
export function noteLocksAtReturn(ctx: AnalyzerContext, state: State, errorReturn: boolean): void {
  const held = new Set<string>();
  for (const res of state.res) {
    if (!isLive(res) || res.api.kind !== 'lock') continue;
    for (const name of res.names) held.add(name);
    if (errorReturn) ctx.locks.heldAtError.add(res.site);
  }
  for (const res of state.res) {
    if (res.status !== 'released' || !res.tracked || res.api.kind !== 'lock') continue;
    for (const name of res.names) {
      if (held.has(name)) continue;
      ctx.locks.unlockedAtReturn.add(name);
      if (!errorReturn) ctx.locks.unlockedAtSuccess.add(name);
    }
  }
}

/**
 * Removes the lock-leaks of locks a function holds at its returns by contract:
 * - held on every path that took it, where the other half of a pair of functions of the file drops
 *   it without taking it (`ceph_start_io_read` and `ceph_end_io_read`, `wdm_pre_reset` and
 *   `wdm_post_reset`);
 * - held at success returns only, and dropped at every error return that dropped it, in a function
 *   whose name says it takes something (`get_ready_ep()`, `..._lock()`, `..._begin()`): a helper
 *   that returns locked on success.
 * A lock held at an error return and dropped at another return stays a finding.
 */
/** Names of functions that may return with a lock held on success: one of their words says they take something. */
const RETURNS_LOCKED_NAME = /(^|_)(get|start|begin|enter|prepare|acquire|grab|hold|claim|lock|trylock|prologue|pre|ready)(_|$)|lock$/;

export function dropLocksHeldByContract(ctx: AnalyzerContext): void {
  const documented = documentedReturnLocked(ctx.text, ctx.fn.s);
  for (const [key, finding] of ctx.findings) {
    if (finding.kind !== 'lock-leak' || !finding.res) continue;
    const res = finding.res;
    const byDocument = documented !== undefined && (documented.names.length === 0 || res.names.some((n) => documented.names.includes(lastMember(n))));
    if (byDocument && !documented.onSuccessOnly) {
      ctx.findings.delete(key);
      continue;
    }
    const droppers = res.names.flatMap((n) => [...(ctx.file.locksDroppedWithoutTaking.get(n.startsWith('@') ? n : lastMember(n)) ?? [])]);
    // `rq->interrupt_cb = esas2r_nvram_callback` ... `up(&a->nvram_semaphore)` in the callback: a
    // semaphore handed to the completion of an asynchronous request, not a lock held by mistake.
    if (res.api.families.includes('semaphore') && droppers.some((f) => f !== ctx.fn.name && isCallbackValue(ctx.text, f))) {
      ctx.findings.delete(key);
      continue;
    }
    const unlocked = res.names.some((n) => ctx.locks.unlockedAtReturn.has(n));
    if (unlocked) {
      const lockedOnSuccess = (byDocument || RETURNS_LOCKED_NAME.test(ctx.fn.name) || releasedByCallersAfterCall(ctx.file.callerReleases, ctx.fn, res)) && !ctx.locks.heldAtError.has(res.site) && !res.names.some((n) => ctx.locks.unlockedAtSuccess.has(n));
      if (lockedOnSuccess) ctx.findings.delete(key);
      continue;
    }
    if (droppers.some((f) => pairedNames(ctx.fn.name, f))) ctx.findings.delete(key);
  }
}

/**
 * What the comment just above a function says it returns locked: "Returns with ubi->fm_eba_sem held
 * in read mode!", "Return with the hb lock held on success", "... locked on return". `names` are the
 * members the sentence names (none for "the lock"); `onSuccessOnly` when it says so.
 */
export function documentedReturnLocked(text: string, functionStart: number): { names: string[]; onSuccessOnly: boolean } | undefined {
  let end = functionStart;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  if (!text.startsWith('*/', end - 2)) return undefined;
  const open = text.lastIndexOf('/*', end - 2);
  if (open < 0 || end - open > 4000) return undefined;
  const comment = text.slice(open + 2, end - 2).replace(/^\s*\*/gm, ' ').replace(/\s+/g, ' ');
  const sentence = RETURNS_LOCKED_COMMENT.exec(comment);
  if (!sentence) return undefined;
  const names = [...sentence[0].matchAll(/[A-Za-z_][A-Za-z0-9_]*(?:(?:->|\.)[A-Za-z_][A-Za-z0-9_]*)*/g)].map((m) => m[0]).filter((w) => w.includes('_') || w.includes('->') || w.includes('.')).map(lastMember);
  const after = comment.slice(sentence.index + sentence[0].length, sentence.index + sentence[0].length + 24);
  return { names, onSuccessOnly: /^\s*(on|upon|if|when) succe/i.test(after) || /succe/i.test(sentence[0]) };
}

/** "returns with X held", "return while holding X", "X locked on return". */
const RETURNS_LOCKED_COMMENT = /\breturn(?:s|ed)?\s+(?:with|while)\s+[^.;:!]{0,60}?\b(?:held|locked)\b|\b(?:held|locked)\s+on\s+(?:return|exit)\b/i;

/**
 * A lock taken in a loop (`list_for_each_entry(e, ...) spin_lock(&e->dev->dev_lock)`) that the
 * function unlocks again after that loop, by member name: each element's lock is usually dropped by
 * a second loop over the same elements, which the paths cannot pair. An unlock inside the same loop
 * (an early return that skips it is the classic bug) is not such evidence.
 */
export function unlockedByAnotherLoop(ctx: AnalyzerContext, res: Res): boolean {
  const inside = ctx.fn.loops.filter((loop) => loop.s <= res.site && res.site < loop.e);
  if (inside.length === 0) return false;
  const loop = inside.reduce((a, b) => (b.e - b.s < a.e - a.s ? b : a));
  const members = new Set(res.names.map(lastMember));
  return ctx.fn.calls.some((call) => {
    // In a second loop: an unlock after the loop that is no loop's (`if (done) spin_unlock(...)`) drops only the last element's lock.
    if (call.s < loop.e || !ctx.fn.loops.some((other) => other.s <= call.s && call.s < other.e && !(other.s <= res.site && res.site < other.e))) return false;
    const entry = ctx.table.byName.get(call.callee);
    if (!entry || entry.effect !== 'release' || typeof entry.object !== 'number' || !releasesLockOf(entry.families, res.family)) return false;
    const arg = call.args[entry.object];
    const key = arg ? lockObjectKey(arg) : undefined;
    return key !== undefined && members.has(lastMember(key));
  });
}

/** The function's name is used as a value in the file (`cb = fn`, `.complete = fn`, `submit(rq, fn)`), not only called. */
export function isCallbackValue(text: string, name: string): boolean {
  const escaped = name.replace(/[^A-Za-z0-9_]/g, '');
  return new RegExp(`[=,(]\\s*&?\\s*${escaped}\\s*[;,)}]`).test(text);
}

/**
 * Two functions named as the halves of one pair: the same words but one (`ceph_start_io_read` and
 * `ceph_end_io_read`, `wdm_pre_reset` and `wdm_post_reset`, `parport_prologue` and `parport_epilogue`).
 */
export function pairedNames(a: string, b: string): boolean {
  const x = a.split('_');
  const y = b.split('_');
  if (a === b || x.length !== y.length || x.length < 2) return false;
  let differ = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differ++;
  return differ === 1;
}

/** `releasesLockOf` for lock families, the exact family for everything else. */
export function releasesLockOrFamily(ctx: AnalyzerContext, families: readonly string[], family: string): boolean {
  return ctx.lockFamilies.has(family) ? releasesLockOf(families, family) : families.includes(family);
}

/**
 * The key of a lock's object: its access path, or, for a lock reached through a call of plain
 * arguments (`inode_lock(d_inode(dentry))`, `spin_lock(sb_bgl_lock(sbi, group))`), the call as
 * written, so that the unlock through the same call drops it.
 */
export function lockObjectKey(arg: Expr): string | undefined {
  const key = exprKey(arg);
  if (key !== undefined) return key;
  const e = uncast(arg);
  if (e.k !== 'call' || e.callee === '' || e.args.length === 0) return undefined;
  const keys: string[] = [];
  for (const a of e.args) {
    // `get_ccwdev_lock(to_ccwdev(dev))`: accessor calls nest.
    const k = a.k === 'num' ? String(a.value) : lockObjectKey(a);
    if (k === undefined) return undefined;
    keys.push(k);
  }
  return `${e.callee}(${keys.join(', ')})`;
}

/**
 * `static void close_pdeo(struct proc_dir_entry *pde, ...) __releases(&pde->pde_unload_lock)`: a
 * function of the file annotated to release a lock reached from a parameter releases it for its
 * callers, whichever lock API its body uses (or the helpers it calls).
 */
export function addReleaseAnnotations(summaries: Summaries, functions: CFunction[], annotations: Annotation[], table: ApiTable): void {
  const unlock = table.byName.get('spin_unlock');
  if (!unlock) return;
  const families = new Set<string>();
  for (const entry of table.byName.values()) if (entry.effect === 'acquire' && entry.kind === 'lock') for (const f of entry.families) families.add(f);
  const entry: ApiEntry = { ...unlock, name: '__releases', families: [unlock.families[0], ...[...families].filter((f) => f !== unlock.families[0])] };
  for (const fn of functions) {
    for (const a of annotations) {
      if (a.name !== '__releases' || a.start < fn.s || a.start >= fn.bodyStart) continue;
      const match = /^&?\s*([A-Za-z_][A-Za-z0-9_]*)((?:\s*(?:->|\.)\s*[A-Za-z_][A-Za-z0-9_]*)+)$/.exec(a.argument.trim());
      if (!match) continue;
      const param = fn.params.indexOf(match[1]);
      const summary = summaries.get(fn.name) ?? { releases: [] };
      const suffix = match[2].replace(/\s+/g, '');
      if (!summary.releases.some((r) => r.param === param && r.suffix === suffix)) summary.releases.push({ param, suffix, entry });
      summaries.set(fn.name, summary);
    }
  }
}

/** Calls that are handed a lock only to check it. */
const LOCK_QUESTION = /assert|lockdep|held|is_locked|owned|might_|_init$|^init_|print|trace/i;

/**
 * `xlog_wait(&cil->xc_push_wait, &cil->xc_push_lock)`, `cond_wait_..._irqrestore(..., &lock, flags)`:
 * an unknown function handed a held lock itself (not its owner) waits with it or hands it on, and may
 * drop it; the path stops judging that lock.
 */
export function dropLocksHandedOver(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State): void {
  if (LOCK_QUESTION.test(expr.callee) || !state.res.some((r) => isLive(r) && r.api.kind === 'lock')) return;
  const handed: string[] = [];
  for (const arg of expr.args) {
    if (arg.k !== 'unary' || arg.op !== '&') continue;
    const key = exprKey(arg.arg);
    if (key !== undefined) handed.push(canonicalLock(ctx, key));
  }
  if (handed.length === 0) return;
  state.res = state.res.filter((r) => !(isLive(r) && r.api.kind === 'lock' && r.names.some((n) => handed.includes(n))));
}

/**
 * Marks the held locks a call is handed: the lock itself (`ptl`, a folio) or the IRQ state it saved
 * (`flags`), and with `owners` also the structure it belongs to (`resv` for `resv->lock`, handed to
 * a function of the file that drops and retakes it). The callee may unlock it, as
 * `migration_entry_wait_on_locked(..., ptl)` and the `read_folio` fillers do, so a path that returns
 * with it held is not sure evidence of a leak. A structure handed to a function outside the file
 * is not enough: most such calls only use the object under its lock.
 */
export function noteLocksHandedToCallee(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State, owners: boolean): void {
  if (LOCK_QUESTION.test(expr.callee) || !state.res.some((r) => isLive(r) && r.api.kind === 'lock' && !r.handedToCallee)) return;
  const handed: string[] = [];
  for (const arg of expr.args) {
    const e = uncast(arg);
    const key = exprKey(e);
    if (key !== undefined && !key.includes('[]')) handed.push(canonicalLock(ctx, key));
  }
  if (handed.length === 0) return;
  const reaches = (name: string) => handed.some((key) => name === key || (owners && (name.startsWith(`${key}->`) || name.startsWith(`${key}.`))));
  state.res = state.res.map((r) => (isLive(r) && r.api.kind === 'lock' && !r.handedToCallee && (r.names.some(reaches) || r.argTexts.some((t) => handed.includes(t.trim()))) ? { ...r, handedToCallee: true } : r));
}
