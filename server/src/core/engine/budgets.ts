// The default budgets of a search, the same for the CLI and the editor, so that a file has one
// verdict wherever it is checked. The editor's settings (`lifetime.check.maxStates`,
// `lifetime.check.timeoutMs`) and the CLI's flags (`--max-states`, `--timeout-ms`, `--max-memory`)
// override them; package.json states the same defaults (a test checks that they agree).

export const DEFAULT_BUDGETS = {
  /** States stored per proposal before the verdict is `incomplete` (about 10 s and 300 MB here). */
  maxStates: 10_000_000,
  /** Milliseconds of search per proposal. */
  timeoutMs: 300_000,
  /**
   * Bytes the process may hold while a search runs: a store stops growing when its own size, or
   * the resident memory of the whole process (every search in it), would pass this.
   */
  maxMemoryBytes: 1024 * 1024 * 1024,
} as const;

/** The process's resident set size in bytes, or 0 where the runtime cannot tell. */
export function residentBytes(): number {
  return typeof process !== 'undefined' && typeof process.memoryUsage?.rss === 'function' ? process.memoryUsage.rss() : 0;
}

/**
 * Whether allocating `extraBytes` more would pass the memory budget `maxBytes`: a store holding
 * `heldBytes` counts its own size, and the process's resident memory counts everything else too
 * (the rest of the heap, other searches in other worker threads).
 */
export function exceedsMemoryBudget(heldBytes: number, extraBytes: number, maxBytes: number): boolean {
  return heldBytes + extraBytes > maxBytes || residentBytes() + extraBytes > maxBytes;
}
