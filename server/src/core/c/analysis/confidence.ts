// How sure a finding is. A finding of high confidence is reported by default; one of low confidence
// only when asked (`--all-findings`), because on kernel code the analysis was not tuned on such
// findings were mostly false (docs/c-precision.md, "Seventh round": the judged samples by evidence).
//
// The rules read what the path showed, not the file's name or directory:
// - a leak on a path that returns success is usually an object kept on purpose, in a place the
//   analysis cannot see (a field set by a callee, a list, a registration);
// - a leak of an object that was handed to a call or stored before the error return is usually
//   owned by that callee or structure by then, unless other error returns of the same function
//   show that it still owns it (an inconsistent-paths finding);
// - some families are routinely released by someone else: a device reference by the device's
//   release callback or its registration, an enabled PCI device by the caller or by `remove()`,
//   an IRQ or an ID by an unwind loop over a counter, a runtime-PM autosuspend count by the
//   completion handler;
// - a lock still held at a return, where the same function unlocks it on another path, is a
//   finding only when the path returns an error: a success path that keeps it usually returns
//   locked by contract, or hands it to a callee that unlocks; a lock the function never unlocks is
//   a finding unless it is a semaphore, a preemption or interrupt switch or an RCU read side, which
//   kernel code also takes as a signal or leaves to a paired function.

import type { FindingKind } from '../findings';
import type { LeakEvidence } from './context';

export type Confidence = 'high' | 'low';

export interface ConfidenceVerdict {
  confidence: Confidence;
  /** Why a finding is of low confidence, in one sentence. */
  reason?: string;
}

/** Families whose objects kernel code routinely leaves to another function to release, with why. */
const RELEASED_ELSEWHERE_BY_CONVENTION = new Map<string, string>([
  ['device', 'a device reference is usually dropped by the device release callback or by the registration it was handed to'],
  ['pci_enable', 'an enabled PCI device is usually disabled by the caller or by remove()'],
  ['irq', 'requested IRQs are usually freed by an unwind loop over a counter'],
  ['idr', 'an ID entry is usually meant to stay until its object is removed'],
  ['ida', 'an ID is usually meant to stay until its object is removed'],
  ['usb_autopm', 'an asynchronous autosuspend reference is usually dropped by the completion handler'],
]);

/**
 * Power-up counts taken on a caller's object (`clk_prepare_enable(priv->clk)` in probe): remove(),
 * runtime suspend or a flag-guarded disable often undoes them where the analysis cannot see, so
 * only an inconsistent error path, not a single leaking one, shows that this function must.
 */
const POWER_UP_FAMILIES = new Set(['clk_enable', 'clk_prepare', 'clk_bulk_enable', 'regulator_enable', 'regulator_bulk_enable']);

/**
 * A reference this function looked up for itself (`bh = sb_bread(...)`, `obj = drm_gem_object_lookup(...)`)
 * and never handed on: nothing else can drop it, whatever the path returns. Memory and mappings are
 * not: they are often kept by a callee the analysis does not follow.
 */
function transientReference(evidence: LeakEvidence): boolean {
  return evidence.local && !evidence.escaped && evidence.objectKind === 'ref' && !RELEASED_ELSEWHERE_BY_CONVENTION.has(evidence.family);
}

/** Locks that kernel code also takes as signals or hands to a paired function by design. */
const SIGNAL_LIKE_LOCKS = new Set(['semaphore', 'preempt', 'local_irq', 'local_irq_off', 'softirq', 'migrate', 'rcu', 'rcu_bh', 'rcu_sched', 'srcu']);

export function findingConfidence(kind: FindingKind, evidence: LeakEvidence | undefined): ConfidenceVerdict {
  if (evidence === undefined) return { confidence: 'high' };
  if (kind === 'lock-leak') {
    if (SIGNAL_LIKE_LOCKS.has(evidence.family)) return { confidence: 'low', reason: 'a semaphore, a preemption or interrupt switch or an RCU read side left on may be a signal or a contract with a paired function' };
    if (evidence.releasedElsewhere && !evidence.errorReturn) return { confidence: 'low', reason: 'the path does not return an error: the function may return locked by contract, or a callee may unlock' };
    return { confidence: 'high' };
  }
  if (kind !== 'leak' && kind !== 'inconsistent-paths') return { confidence: 'high' };
  if (!evidence.errorReturn && !transientReference(evidence)) return { confidence: 'low', reason: 'the path returns success: the object may be kept on purpose where the analysis cannot see' };
  // An inconsistent error path is itself the evidence that the function still owns what it stored.
  if (kind === 'leak' && evidence.escaped) return { confidence: 'low', reason: 'the object was handed to a call or stored before this error return: its new owner may release it' };
  if (kind === 'leak' && !evidence.local && POWER_UP_FAMILIES.has(evidence.family)) {
    return { confidence: 'low', reason: 'a clock or regulator enabled on a caller\'s object is often disabled by remove() or runtime suspend' };
  }
  const convention = RELEASED_ELSEWHERE_BY_CONVENTION.get(evidence.family);
  if (convention !== undefined) return { confidence: 'low', reason: convention };
  return { confidence: 'high' };
}
