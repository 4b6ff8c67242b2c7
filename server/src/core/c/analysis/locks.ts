// Locks across the returns of one function: which variants release which lock, and whether a lock
// still held at a return is a bug or the function's contract.

import { isLive, type State } from '../state';
import type { AnalyzerContext } from './context';
import { lastMember } from './fileFacts';

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
  return held !== family && families.some((f) => lockClass(f) === held);
}

/**
 * Notes, at a return, which locks the path has dropped and still holds. A lock is unlocked at a
 * return when the path took and dropped it and holds it under no other acquire.
 */
export function noteLocksAtReturn(ctx: AnalyzerContext, state: State): void {
  const held = new Set<string>();
  for (const res of state.res) if (isLive(res) && res.api.kind === 'lock') for (const name of res.names) held.add(name);
  for (const res of state.res) {
    if (res.status !== 'released' || !res.tracked || res.api.kind !== 'lock') continue;
    for (const name of res.names) if (!held.has(name)) ctx.unlockedAtReturn.add(name);
  }
}

/**
 * A function that returns with a lock held on every path that took it, where another function of the
 * file drops that lock without taking it (`ceph_start_io_read` and `ceph_end_io_read`,
 * `wdm_pre_reset` and `wdm_post_reset`), returns locked by contract: its lock-leaks are removed. A
 * lock held at one return and dropped at another stays a finding.
 */
export function dropLocksHeldByContract(ctx: AnalyzerContext): void {
  for (const [key, finding] of ctx.findings) {
    if (finding.kind !== 'lock-leak' || !finding.res) continue;
    const res = finding.res;
    if (res.names.some((n) => ctx.unlockedAtReturn.has(n))) continue;
    const droppedElsewhere = res.names.some((n) => [...(ctx.file.locksDroppedWithoutTaking.get(n.startsWith('@') ? n : lastMember(n)) ?? [])].some((f) => f !== ctx.fn.name));
    if (droppedElsewhere) ctx.findings.delete(key);
  }
}

/** `releasesLockOf` for lock families, the exact family for everything else. */
export function releasesLockOrFamily(ctx: AnalyzerContext, families: readonly string[], family: string): boolean {
  return ctx.lockFamilies.has(family) ? releasesLockOf(families, family) : families.includes(family);
}
