import type { ApiEntry, ApiTable } from '../apiTable';
import type { CFunction, Expr } from '../cir';
import { exprKey } from '../keys';
import type { CallerFacts } from './callers';
import { summaryReleaseKey, type Summaries } from './summaries';
import { collectResumeCallbacks, type PowerCallbacks } from './standingEnables';

// Facts about a whole translation unit that the analysis of each of its functions needs: gathered once
// per file, before any function is analysed.

/** What the analysis of one function may learn from the rest of its file. */
export interface FileFacts {
  /**
   * Members and variables initialised as counting semaphores (`sema_init(&p->sem, 4)`): `down()` on
   * them takes one of several slots, not a lock, and need not be paired on every path.
   */
  countingSemaphores: Set<string>;
  /**
   * Locks (by last member name, or `@family` for an objectless one) that some function of the file
   * drops without taking, by function: the other half of a pair that returns locked
   * (`spi_mem_access_start`/`_end`, seq_file `start`/`stop`, `_pre`/`_post`).
   */
  locksDroppedWithoutTaking: Map<string, Set<string>>;
  /**
   * The file enables its PCI device with `pcim_enable_device()`: the device is then managed, and the
   * regions it requests and the IRQ vectors it allocates are released when the driver detaches.
   */
  pciManaged: boolean;
  /**
   * Releases through an array element anywhere in the file, as `family|member[]rest` (`irq|chan[]->irq`
   * for `xilinx_dma_chan_remove(xdev->chan[i])`, which frees `chan->irq`): what a function stores in
   * such an array is released by the file's teardown.
   */
  arrayReleases: Set<string>;
  /** What the file's callers of each function release for it (see `callers.ts`). */
  callerReleases?: CallerFacts;
  /** Resume callbacks and the standing enables each function releases (see `isStandingEnable`). */
  power: PowerCallbacks;
  /**
   * The file is a test: a KUnit test (`#include <kunit/test.h>`), or named as a self-test or torture
   * test (`test-ww_mutex.c`, `gup_test.c`, `locktorture.c`). Such tests misuse memory and locks on
   * purpose, or lean on orderings the test itself arranges.
   */
  selfTest: boolean;
  /** Names of the functions the file defines: a call of any other function may do what the file cannot show. */
  definedFunctions: Set<string>;
}

/** Acquires that a managed PCI device (`pcim_enable_device`) releases by itself on detach. */
export const PCI_MANAGED_ACQUIRES: ReadonlySet<string> = new Set([
  'pci_request_region',
  'pci_request_regions',
  'pci_request_regions_exclusive',
  'pci_request_selected_regions',
  'pci_request_selected_regions_exclusive',
  'pci_alloc_irq_vectors',
  'pci_alloc_irq_vectors_affinity',
  'pci_enable_msi',
  'pci_enable_msix_range',
  'pci_enable_msix_exact',
]);

const SEMA_INIT = /\bsema_init\s*\(\s*&?\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*(?:->|\.)\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*,\s*([^;()]*(?:\([^;()]*\)[^;()]*)*?)\s*\)\s*;/g;

/** The last name of a key or an argument's text: `sem` for `&p->dev.sem`. */
export function lastMember(key: string): string {
  const match = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(key);
  return match ? match[1] : key;
}

/** A self-test's file name: `test_bpf.c`, `test-ww_mutex.c`, `gup_test.c`, `locktorture.c`, or a file under `tests/`. */
const SELF_TEST_PATH = /(^|[\\/])(tests?[\\/][^\\/]*|test[_-][^\\/]*|[^\\/]*[_-]tests?|[^\\/]*torture|[^\\/]*selftests?[^\\/]*)\.c$/;

export function isSelfTestPath(fileName: string): boolean {
  return SELF_TEST_PATH.test(fileName);
}

export function collectFileFacts(text: string, fileName?: string): FileFacts {
  const countingSemaphores = new Set<string>();
  if (text.includes('sema_init')) {
    SEMA_INIT.lastIndex = 0;
    for (let match = SEMA_INIT.exec(text); match; match = SEMA_INIT.exec(text)) {
      // Only a semaphore initialised to 1 is a lock; 0 is a completion-like signal, above 1 (or a
      // count read from elsewhere: `sema_init(&adp->kioc_semaphore, lld_adp->max_kioc)`) a count.
      if (match[2].trim() !== '1') countingSemaphores.add(lastMember(match[1]));
    }
  }
  return { countingSemaphores, locksDroppedWithoutTaking: new Map(), pciManaged: /\bpcim_enable_device\s*\(/.test(text), arrayReleases: new Set(), power: { resumeCallbacks: collectResumeCallbacks(text), standingReleases: new Map() }, selfTest: /#\s*include\s*<kunit\/test\.h>/.test(text) || (fileName !== undefined && isSelfTestPath(fileName)), definedFunctions: new Set() };
}

export function emptyFileFacts(): FileFacts {
  return { countingSemaphores: new Set(), locksDroppedWithoutTaking: new Map(), pciManaged: false, arrayReleases: new Set(), power: { resumeCallbacks: new Set(), standingReleases: new Map() }, selfTest: false, definedFunctions: new Set() };
}

/** The part of a key from its last array member on: `chan[]->irq` for `xdev->chan[]->irq`. */
export function arrayTail(key: string): string | undefined {
  const match = /([A-Za-z_][A-Za-z0-9_]*\[\][^[]*)$/.exec(key);
  return match ? match[1] : undefined;
}

/**
 * Records every release through an array element in the file (see `arrayReleases`): in the analysed
 * functions, and, by the text, at calls of summarised helpers in functions that were not analysed
 * because they call nothing of the table themselves (`xdev_remove()` calling `xchan_remove(xdev->chan[i])`).
 */
export function noteArrayReleases(facts: FileFacts, functions: CFunction[], table: ApiTable, summaries: Summaries, text: string): void {
  const note = (family: string, key: string | undefined) => {
    const tail = key !== undefined && key.includes('[]') ? arrayTail(key) : undefined;
    if (tail !== undefined) facts.arrayReleases.add(`${family}|${tail}`);
  };
  for (const fn of functions) {
    for (const call of fn.calls) {
      const entry = table.byName.get(call.callee);
      if (entry) {
        if (entry.effect === 'release' && typeof entry.object === 'number' && call.args[entry.object]) for (const family of entry.families) note(family, exprKey(call.args[entry.object]));
        continue;
      }
      for (const release of summaries.get(call.callee)?.releases ?? []) {
        const arg = call.args[release.param];
        if (arg) note(release.entry.families[0], summaryReleaseKey(arg, release));
      }
    }
  }
  if (summaries.size === 0) return;
  // One pass over the text: calls of summarised helpers with an array element among their arguments.
  const calls = /\b([A-Za-z_][A-Za-z0-9_]*)\s*\(([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*)\)\s*;/g;
  for (let match = calls.exec(text); match; match = calls.exec(text)) {
    if (!match[2].includes('[')) continue;
    const summary = summaries.get(match[1]);
    if (summary === undefined) continue;
    const args = match[2].split(',');
    for (const release of summary.releases) {
      const written = args[release.param];
      if (written === undefined || release.container) continue;
      const compact = written.replace(/\s+/g, '').replace(/\[[^\]]*\]/g, '[]');
      const address = compact.startsWith('&');
      const base = compact.replace(/^&/, '').replace(/^\((.*)\)$/, '$1');
      if (!/^[A-Za-z_][A-Za-z0-9_]*((->|\.)[A-Za-z_][A-Za-z0-9_]*|\[\])*$/.test(base)) continue;
      const suffix = address && release.suffix.startsWith('->') ? `.${release.suffix.slice(2)}` : release.suffix;
      note(release.entry.families[0], `${base}${suffix}`);
    }
  }
}

/** Records, for each function, the locks it releases but never acquires (see `locksDroppedWithoutTaking`). */
export function noteLocksDroppedWithoutTaking(facts: FileFacts, functions: CFunction[], table: ApiTable): void {
  const lockFamilies = table.lockFamilies;
  const lockKey = (entry: ApiEntry, args: Expr[]): string | undefined => {
    if (entry.object === 'none') return `@${entry.families[0]}`;
    const arg = typeof entry.object === 'number' ? args[entry.object] : undefined;
    const key = arg ? exprKey(arg) : undefined;
    return key === undefined ? undefined : lastMember(key);
  };
  for (const fn of functions) {
    const taken = new Set<string>();
    const dropped = new Set<string>();
    for (const call of fn.calls) {
      const entry = table.byName.get(call.callee);
      if (!entry || !lockFamilies.has(entry.families[0])) continue;
      const key = lockKey(entry, call.args);
      if (key === undefined) continue;
      if (entry.effect === 'acquire') taken.add(key);
      else if (entry.effect === 'release') dropped.add(key);
    }
    for (const key of dropped) {
      if (taken.has(key)) continue;
      const names = facts.locksDroppedWithoutTaking.get(key) ?? new Set<string>();
      names.add(fn.name);
      facts.locksDroppedWithoutTaking.set(key, names);
    }
  }
}
