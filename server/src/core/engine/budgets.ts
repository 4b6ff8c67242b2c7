// The default budgets of a search, the same for the CLI and the editor, so that a file has one
// verdict wherever it is checked. The editor's settings (`lifetime.check.maxStates`,
// `lifetime.check.timeoutMs`) and the CLI's flags (`--max-states`, `--timeout-ms`, `--max-memory`)
// override them; package.json states the same defaults (a test checks that they agree).

export const DEFAULT_BUDGETS = {
  /** States stored per proposal before the verdict is `incomplete` (about 10 s and 300 MB here). */
  maxStates: 10_000_000,
  /** Milliseconds of search per proposal. */
  timeoutMs: 300_000,
  /** Bytes of state store per proposal. */
  maxMemoryBytes: 1024 * 1024 * 1024,
} as const;
