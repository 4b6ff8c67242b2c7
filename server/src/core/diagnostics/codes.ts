// The one table of diagnostic codes. Codes and kinds are stable: tools read them from the CLI's JSON
// and SARIF, and docs/diagnostics.md explains each one. Add new codes; never renumber or rename.
//
// Ranges: LT1xxx syntax, LT2xxx names and meaning, LT3xxx violations found by the engine,
// LT35xx verdicts and expectations, LT4xxx kernel C findings, LT41xx C front-end notes, LT42xx patch
// review.

export type Severity = 'error' | 'warning' | 'info';

export interface CodeInfo {
  code: string;
  /** A short stable name, e.g. `syntax`, `undefined-name`, `use-after-free`. */
  kind: string;
  severity: Severity;
  /** One line: what the diagnostic means. */
  summary: string;
}

function entry(code: string, kind: string, severity: Severity, summary: string): CodeInfo {
  return { code, kind, severity, summary };
}

export const CODES = {
  // Syntax: the parser recovers and keeps going; at most one of these per position.
  unexpectedToken: entry('LT1001', 'syntax', 'error', 'A token stands where the grammar expects something else.'),
  missingName: entry('LT1002', 'syntax', 'error', 'A name is required here.'),
  unterminatedString: entry('LT1003', 'syntax', 'error', 'A string is not closed before the end of the line.'),
  unterminatedComment: entry('LT1004', 'syntax', 'error', 'A block comment is not closed before the end of the file.'),
  unknownCharacter: entry('LT1005', 'syntax', 'error', 'A character that the language does not use.'),
  unterminatedCBody: entry('LT1006', 'syntax', 'error', 'A C body has unbalanced braces.'),
  missingExpression: entry('LT1007', 'syntax', 'error', 'An expression is required here.'),
  invalidNumber: entry('LT1008', 'syntax', 'error', 'A number is malformed or too large.'),
  expectedItem: entry('LT1009', 'syntax', 'error', 'Only items (model, object, static, fn, thread, device, order, bind, proposal, expect) may stand at the top level.'),
  expectedStatement: entry('LT1010', 'syntax', 'error', 'A statement is required here.'),
  expectedMember: entry('LT1011', 'syntax', 'error', 'Only members (ref, lock, flag, state, int, ptr) may stand in an object body.'),
  tooDeep: entry('LT1012', 'syntax', 'error', 'Nesting is deeper than the parser follows.'),

  // Names and meaning.
  undefinedName: entry('LT2001', 'undefined-name', 'error', 'A name that nothing declares.'),
  duplicateName: entry('LT2002', 'duplicate-name', 'error', 'Two declarations of the same kind share a name in one scope.'),
  wrongArity: entry('LT2003', 'wrong-arity', 'error', 'A call passes a different number of arguments than the procedure takes.'),
  wrongKind: entry('LT2004', 'wrong-kind', 'error', 'A name used as something it is not, e.g. a reference count locked like a mutex.'),
  unknownMember: entry('LT2005', 'unknown-member', 'error', 'An object has no member of that name.'),
  overrideMissing: entry('LT2006', 'override-missing', 'error', 'A proposal replaces or removes something the baseline does not have.'),
  unknownProposal: entry('LT2007', 'unknown-proposal', 'error', 'An expectation names a proposal that does not exist.'),
  unknownOutcome: entry('LT2008', 'unknown-outcome', 'error', 'An expectation names neither `safe` nor a violation kind.'),
  unused: entry('LT2009', 'unused', 'warning', 'A declaration that nothing uses.'),
  duplicateModel: entry('LT2010', 'duplicate-model', 'error', 'A file declares more than one model.'),
  recursion: entry('LT2011', 'recursion', 'error', 'A procedure calls itself, directly or not; calls are inlined.'),
  staticFreed: entry('LT2012', 'static-freed', 'error', 'A static object is freed or allocated; static objects live forever.'),
  invalidInitial: entry('LT2013', 'invalid-initial', 'error', 'An initial value does not fit its member (out of range, unknown state, wrong target).'),
  duplicateExpectation: entry('LT2014', 'duplicate-expectation', 'error', 'Two expectations for the same proposal.'),
  newShadows: entry('LT2015', 'new-shadows', 'error', '`new` adds an item whose name the baseline already has; drop `new` to replace it.'),
  blockingInAtomic: entry('LT2016', 'blocking-in-atomic', 'error', 'An atomic block contains a statement that can block (lock, wait, quiesce) or a call that does.'),
  invalidValue: entry('LT2017', 'invalid-value', 'error', 'A value of the wrong type for the member it is compared with or assigned to.'),
  returnOutsideFn: entry('LT2018', 'return-outside', 'warning', '`return` in a thread body finishes the thread; statements after it never run.'),
  safeWithKinds: entry('LT2020', 'safe-with-kinds', 'error', 'An expectation lists `safe` together with violation kinds.'),
  unboundCName: entry('LT2019', 'unbound-c-name', 'warning', 'A C expression in a C body maps to no model object; add a `bind`.'),
  returnValueOutsideFn: entry('LT2100', 'return-value-outside', 'error', '`return VALUE` in a thread or handler body, which has no caller to take the value.'),
  steppingCondition: entry('LT2101', 'stepping-condition', 'error', 'A condition that takes a step of its own (`wait_for_completion_timeout`, `tryget_live`, `put ... locking`) is combined with others; it must be the whole condition.'),
  callValue: entry('LT2102', 'call-value', 'error', 'A procedure\'s value is used inside an expression; only `let`, an assignment or `return` can take it.'),

  // Violations found by the engine; each has a shortest trace.
  useAfterFree: entry('LT3001', 'use-after-free', 'error', 'A thread accesses an object after it was freed.'),
  dmaAfterFree: entry('LT3002', 'dma-after-free', 'error', 'A device completes a DMA to an object after it was freed.'),
  doubleFree: entry('LT3003', 'double-free', 'error', 'An object is freed twice.'),
  refcountUnderflow: entry('LT3004', 'refcount-underflow', 'error', 'A put finds the reference count already at zero.'),
  getFromZero: entry('LT3005', 'get-from-zero', 'error', 'A get resurrects a reference count at zero; use tryget.'),
  leak: entry('LT3006', 'leak', 'error', 'Every thread has finished and a non-static object is still allocated.'),
  deadlock: entry('LT3007', 'deadlock', 'error', 'Threads are blocked and nothing can wake them (a lock cycle or an unsatisfiable wait).'),
  lockMisuse: entry('LT3008', 'lock-misuse', 'error', 'A lock is released without being held, taken twice, or held when a thread finishes.'),
  staleAccess: entry('LT3009', 'stale-access', 'error', 'An access through a handle whose object was freed and reallocated since the handle was taken.'),
  assertion: entry('LT3010', 'assertion', 'error', 'An assertion fails, an int leaves its range, or a null pointer is followed.'),
  ordering: entry('LT3011', 'ordering', 'error', 'An ordering requirement is broken: the second event happened before the first.'),
  livelock: entry('LT3012', 'livelock', 'error', 'Under weak fairness, an unfinished thread can be kept from progressing forever: a reachable cycle in which it never completes a step.'),
  apiMisuse: entry('LT3101', 'api-misuse', 'error', 'A kernel mechanism is used against its contract: a second percpu_ref kill, rcu_read_unlock outside a read-side section, complete_all twice, call_rcu on a queued callback, ...'),
  rcuEscape: entry('LT3102', 'rcu-escape', 'error', 'An object found under rcu_read_lock is used after its read-side section ended, without a reference taken inside it.'),

  // Verdicts and expectations.
  expectationUnmet: entry('LT3501', 'expectation-unmet', 'error', 'The verdict differs from the file\'s expectation for this proposal.'),
  unexpectedViolation: entry('LT3502', 'unexpected-violation', 'error', 'A proposal has a violation and no expectation names it.'),
  incomplete: entry('LT3503', 'incomplete', 'warning', 'The search stopped at a budget (states, memory or time) before it covered every interleaving.'),
  verdictSafe: entry('LT3504', 'verdict', 'info', 'The verdict of a proposal.'),
  unlistedViolation: entry('LT3507', 'unlisted-violation', 'warning', 'A violation kind is reachable that the proposal\'s expectation does not list.'),
  internalError: entry('LT3506', 'internal-error', 'error', 'The engine failed on a proposal, so it has no verdict; this is a bug in Lifetime Review (the CLI exits with 2).'),
  spinFailed: entry('LT3590', 'spin-failed', 'error', 'With `--backend spin`, SPIN could not check a proposal (spin, gcc or pan failed), so it has no verdict; the CLI exits with 2.'),
  notLowered: entry('LT3505', 'not-checked', 'warning', 'The engine cannot check a proposal: part of it has no model meaning (a loop inside `atomic`, a cyclic on-zero action, an untranslated C body).'),

  // Kernel C findings.
  cLeak: entry('LT4001', 'leak', 'error', 'A reference acquired in a function is still held on some return path.'),
  cLockLeak: entry('LT4002', 'lock-leak', 'error', 'A lock taken in a function is still held on some return path.'),
  cDoubleRelease: entry('LT4003', 'double-release', 'error', 'A reference or lock is released twice on one path.'),
  cUseAfterRelease: entry('LT4004', 'use-after-release', 'error', 'An object is used after the path released its last reference to it.'),
  cUnbalancedUnlock: entry('LT4005', 'unbalanced-unlock', 'error', 'A lock is unlocked on a path where it is not held.'),
  cInconsistentPaths: entry('LT4006', 'inconsistent-paths', 'warning', 'Two error returns leave different reference counts behind.'),
  cParseError: entry('LT4101', 'c-syntax', 'info', 'Part of the C the grammar could not parse; analysis continues around it.'),
  cApiFile: entry('LT4102', 'api-file', 'error', 'A kernel API table file is malformed.'),
  cUntranslatable: entry('LT4103', 'c-untranslatable', 'warning', 'A C construct in a model body that has no model meaning and is skipped.'),

  // Patch review (`lifetime review` and patch files in the editor).
  patchSyntax: entry('LT4201', 'patch-syntax', 'error', 'A patch is malformed: a hunk cut short or longer than its header counts, or a malformed hunk header.'),
  patchApply: entry('LT4202', 'patch-apply', 'error', 'A patch does not apply to the tree: a hunk whose lines are not in the file, or a file it changes that is missing or unreadable.'),

  // The command line's inputs and budgets (LT5030-LT5049).
  skippedInput: entry('LT5030', 'input', 'warning', 'A file inside a directory being checked cannot be read (over the size limit, unreadable, not a regular file, not UTF-8): it is skipped and the rest is checked.'),
  frontTimedOut: entry('LT5031', 'timeout', 'warning', 'Parsing and checking the names of a file did not finish within the time budget (--timeout-ms), so nothing in it was checked; an error when the file states an expectation.'),
} as const;

export type CodeName = keyof typeof CODES;

const byCode = new Map<string, CodeInfo>(Object.values(CODES).map((info) => [info.code, info]));

export function codeInfo(code: string): CodeInfo | undefined {
  return byCode.get(code);
}

export function allCodes(): CodeInfo[] {
  return [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
}

export function violationCode(kind: string): CodeInfo | undefined {
  for (const info of byCode.values()) {
    if ((info.code.startsWith('LT30') || info.code.startsWith('LT31')) && info.kind === kind) return info;
  }
  return undefined;
}

/** One step of a trace or any other place a diagnostic points at besides its own range. */
export interface RelatedInformation {
  start: number;
  end: number;
  message: string;
  /** A file other than the diagnostic's own, when the place is elsewhere. */
  path?: string;
}

/** A diagnostic in the core: offsets into its document; the edges convert to lines and columns. */
export interface Diagnostic {
  code: string;
  kind: string;
  severity: Severity;
  message: string;
  start: number;
  end: number;
  related?: RelatedInformation[];
  /**
   * For a kernel C finding: its function, where the resource was acquired, the path to the return,
   * and its confidence (a low one says why; such findings are shown only when asked for).
   */
  cFinding?: { function: string; acquiredAt?: number; path: RelatedInformation[]; confidence: 'high' | 'low'; lowConfidenceReason?: string };
}

export function makeDiagnostic(
  info: CodeInfo,
  message: string,
  start: number,
  end: number,
  related?: RelatedInformation[],
): Diagnostic {
  const diagnostic: Diagnostic = { code: info.code, kind: info.kind, severity: info.severity, message, start, end };
  if (related && related.length > 0) diagnostic.related = related;
  return diagnostic;
}
