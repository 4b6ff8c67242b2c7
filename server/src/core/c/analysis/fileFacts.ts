import type { ApiEntry, ApiTable } from '../apiTable';
import type { CFunction, Expr } from '../cir';
import { exprKey } from '../keys';

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

const SEMA_INIT = /\bsema_init\s*\(\s*&?\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*(?:->|\.)\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*,\s*([A-Za-z0-9_]+)\s*\)/g;

/** The last name of a key or an argument's text: `sem` for `&p->dev.sem`. */
export function lastMember(key: string): string {
  const match = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(key);
  return match ? match[1] : key;
}

export function collectFileFacts(text: string): FileFacts {
  const countingSemaphores = new Set<string>();
  if (text.includes('sema_init')) {
    SEMA_INIT.lastIndex = 0;
    for (let match = SEMA_INIT.exec(text); match; match = SEMA_INIT.exec(text)) {
      // Only a semaphore initialised to 1 is a lock; 0 is a completion-like signal, above 1 a count.
      if (match[2] !== '1') countingSemaphores.add(lastMember(match[1]));
    }
  }
  return { countingSemaphores, locksDroppedWithoutTaking: new Map(), pciManaged: /\bpcim_enable_device\s*\(/.test(text) };
}

export function emptyFileFacts(): FileFacts {
  return { countingSemaphores: new Set(), locksDroppedWithoutTaking: new Map(), pciManaged: false };
}

/** Records, for each function, the locks it releases but never acquires (see `locksDroppedWithoutTaking`). */
export function noteLocksDroppedWithoutTaking(facts: FileFacts, functions: CFunction[], table: ApiTable): void {
  const lockFamilies = new Set<string>();
  for (const entry of table.byName.values()) if (entry.effect === 'acquire' && entry.kind === 'lock') for (const f of entry.families) lockFamilies.add(f);
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
