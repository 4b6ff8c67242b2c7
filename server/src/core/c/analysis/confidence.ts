// How sure a finding is. A finding of high confidence is reported by default; one of low confidence
// only when asked (`--all-findings`), because on kernel code the analysis was not tuned on such
// findings were mostly false (docs/c-precision.md, "Seventh round": the judged samples by evidence).
//
// The rules read what the path showed, not the file's name or directory:
// - a leak on a path that returns success is usually an object kept on purpose, in a place the
//   analysis cannot see (a field set by a callee, a list, a registration), unless it is a lookup
//   the function made for itself and never handed on (a device-tree node, a buffer head);
// - a leak of an object that was handed to a call or stored before the error return is usually
//   owned by that callee or structure by then, unless other error returns of the same function
//   show that it still owns it (an inconsistent-paths finding);
// - some families are routinely released by someone else: a reference on a caller's device by the
//   device's release callback or its registration, an enabled PCI device by the caller or by
//   `remove()`, an IRQ or an ID by an unwind loop over a counter, a runtime-PM autosuspend count by
//   the completion handler, a clock or regulator enabled on a caller's object by `remove()`, a
//   reference that pins a module, an mm, a pid or a live object by the teardown of what stored it;
// - a leak of an allocation handed to a registration: many registrations drop the structure
//   through its release callback when they fail;
// - a reference on an object the function did not create, held when the path queued a work item:
//   the work may own it and drop it when it runs;
// - a lock still held at a return, where the same function unlocks it on another path, is a
//   finding only when the path returns an error or the function returns nothing: a success value
//   returned with the lock held usually means the function returns locked by contract, or hands
//   the lock to a callee that unlocks. A lock the function never unlocks is not a finding of high
//   confidence: in the judged samples such locks were returned locked by contract, unlocked by a
//   callee, a paired function or a work item, or unlocked under a name the analysis did not match.
//   Nor is interrupt state, as a lock-leak or a second unlock: exit paths return with interrupts
//   off by contract, and enabling them twice is harmless.
//   Nor is a lock taken in a loop over elements and unlocked again in a second loop after it: the
//   two loops pair each element's lock and unlock, which the paths cannot see.
//   Semaphores and SRCU read sides are never of high confidence: kernel code also takes them as
//   signals or hands them to the function that releases them. Nor is a lock the path hands, or its
//   saved IRQ state, to a function outside the file, or whose structure it hands to a function of the
//   file that drops and retakes it: those functions may unlock;
// - a use or second release after a put of a refcounted member (`put_device(&x->dev)`) counts only
//   if the release callback frees the structure, which the file need not show;
// - nothing in a test (KUnit, or a self-test or torture test by its file name) is of high confidence:
//   those tests misuse memory on purpose, or lean on an ordering the test itself arranges.

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
  ['device', "a reference on a caller's device is usually dropped by the device release callback or by the registration it was handed to"],
  ['pci_enable', 'an enabled PCI device is usually disabled by the caller or by remove()'],
  ['irq', 'requested IRQs are usually freed by an unwind loop over a counter'],
  ['idr', 'an ID entry is usually meant to stay until its object is removed'],
  ['ida', 'an ID is usually meant to stay until its object is removed'],
  ['usb_autopm', 'an asynchronous autosuspend reference is usually dropped by the completion handler'],
  ['module', 'a module reference is usually kept with the object that uses the module and dropped by its teardown'],
  ['percpu_ref', 'a live-object reference is usually handed to the object that keeps it, or dropped by its teardown'],
  ['mm_count', "a reference that pins an mm is usually kept with the object that stored it and dropped by that object's teardown"],
  ['pid', "a pid reference is usually kept with the object that stored it and dropped by that object's teardown"],
]);

/**
 * Power-up counts taken on a caller's object (`clk_prepare_enable(priv->clk)` in probe): remove(),
 * runtime suspend or a flag-guarded disable often undoes them where the analysis cannot see, so
 * only an inconsistent error path, not a single leaking one, shows that this function must.
 */
const POWER_UP_FAMILIES = new Set(['clk_enable', 'clk_prepare', 'clk_bulk_enable', 'regulator_enable', 'regulator_bulk_enable']);

/**
 * Lookups whose reference code drops before it returns, unless it stores it: a device-tree or
 * firmware node, a buffer head, a GEM object, a path or a dentry. Clocks, kobjects and the like are
 * often kept on success (sh-cpufreq keeps its `clk_get()` for the policy's lifetime).
 */
const LOOKUP_FAMILIES = new Set(['of_node', 'fwnode', 'buffer_head', 'drm_gem', 'path', 'dentry']);

/** A lookup this function made for itself (`bh = sb_bread(...)`) and never handed on: nothing else can drop it, whatever the path returns. */
function transientReference(evidence: LeakEvidence): boolean {
  return evidence.local && !evidence.escaped && LOOKUP_FAMILIES.has(evidence.family);
}

/**
 * Locks that kernel code also takes as signals or hands on by design: a semaphore upped by an
 * interrupt or a completion handler, an SRCU read side whose index goes to the callee that unlocks.
 */
const SIGNAL_LIKE_LOCKS = new Set(['semaphore', 'srcu']);

/** What the file and the finding's release show besides the leak evidence. */
export interface FindingContext {
  /** The file is a test: KASAN's and SLUB's tests free, use and free again on purpose, to see the detector fire. */
  selfTest?: boolean;
  /** A use or second release after `put_device(&x->dev)`: only a release callback that frees `x` makes it one. */
  releasedThroughMember?: boolean;
  /** For a second unlock: the lock's family. */
  lockFamily?: string;
}

/**
 * Interrupt state is no lock: entry and exit paths return with interrupts off by contract
 * (`do_work_pending()`, exception exits), a function may disable them to restore a saved state, and
 * enabling them twice is harmless.
 */
const INTERRUPT_STATE = new Set(['local_irq', 'local_irq_off']);

export function findingConfidence(kind: FindingKind, evidence: LeakEvidence | undefined, context: FindingContext = {}): ConfidenceVerdict {
  if (context.selfTest) return { confidence: 'low', reason: 'a test may misuse memory or locks on purpose' };
  if (kind === 'unbalanced-unlock' && context.lockFamily !== undefined && INTERRUPT_STATE.has(context.lockFamily)) return { confidence: 'low', reason: 'interrupts enabled twice, or restored to a saved state, is no unbalanced unlock' };
  if (context.releasedThroughMember) return { confidence: 'low', reason: "the first release put a member's reference, and its release callback may not free the structure" };
  if (evidence === undefined) return { confidence: 'high' };
  if (kind === 'lock-leak') {
    if (INTERRUPT_STATE.has(evidence.family)) return { confidence: 'low', reason: 'interrupts left off may be the contract of an entry or exit path, or the restore of a saved state' };
    if (SIGNAL_LIKE_LOCKS.has(evidence.family)) return { confidence: 'low', reason: 'a semaphore or an SRCU read side left held may be a signal, or handed to the function that releases it' };
    if (evidence.unlockedByAnotherLoop) return { confidence: 'low', reason: 'the lock was taken in a loop and is unlocked after it: a second loop over the same elements may drop each one' };
    if (evidence.lockHanded) return { confidence: 'low', reason: 'after taking the lock the path hands it, or its saved IRQ state, to a function that may unlock it' };
    if (!evidence.releasedElsewhere) return { confidence: 'low', reason: 'the function never unlocks this lock itself: it may return locked by contract, or a callee or a paired function may unlock it' };
    if (!evidence.errorReturn && evidence.returnsValue) return { confidence: 'low', reason: 'the path does not return an error: the function may return locked by contract, or a callee may unlock' };
    return { confidence: 'high' };
  }
  if (kind !== 'leak' && kind !== 'inconsistent-paths') return { confidence: 'high' };
  if (!evidence.errorReturn && !transientReference(evidence)) return { confidence: 'low', reason: 'the path returns success: the object may be kept on purpose where the analysis cannot see' };
  // An inconsistent error path is itself the evidence that the function still owns what it stored.
  if (evidence.queuedWork) return { confidence: 'low', reason: 'the path queued a work item after taking the reference: the work may own it and drop it when it runs' };
  if (evidence.containerPut) return { confidence: 'low', reason: "the reference was stored in an object whose reference the path then dropped: that object's release callback may drop this one too" };
  if (kind === 'leak' && evidence.registered) return { confidence: 'low', reason: 'the object was handed to a registration, which may already have freed it through its release callback when it failed' };
  if (kind === 'leak' && evidence.escaped) return { confidence: 'low', reason: 'the object was handed to a call or stored before this error return: its new owner may release it' };
  if (kind === 'leak' && !evidence.local && POWER_UP_FAMILIES.has(evidence.family)) {
    return { confidence: 'low', reason: 'a clock or regulator enabled on a caller\'s object is often disabled by remove() or runtime suspend' };
  }
  const convention = RELEASED_ELSEWHERE_BY_CONVENTION.get(evidence.family);
  // A device this function looked up for itself (`of_find_device_by_node()`) is its own to put.
  const ownLookup = evidence.family === 'device' && evidence.local;
  if (convention !== undefined && !ownLookup) return { confidence: 'low', reason: convention };
  return { confidence: 'high' };
}
