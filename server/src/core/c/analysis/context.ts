// The shared state of the analysis of one function, built once before the paths are explored.

import type { ApiEntry, ApiTable } from '../apiTable';
import type { CFunction, CfgNode, Expr } from '../cir';
import type { FindingKind } from '../findings';
import { conditionKey, exprKey, identifiersIn, keyRoot, rootName, uncast } from '../keys';
import type { Res, State } from '../state';
import { collectCallerCountFamilies } from './conventions';
import { emptyFileFacts, type FileFacts } from './fileFacts';
import { summaryReleaseKey, type Summaries } from './summaries';
import { memberHelperKey } from './releaseMatching';
import { lockObjectKey } from './locks';

export interface RawFinding {
  kind: FindingKind;
  start: number;
  end: number;
  /** Message parts; line numbers are filled in by the caller. */
  message: string;
  related: { start: number; end: number; message: string }[];
  res?: Res;
  /** For leaks: the node the path left through (a goto or the return) and the return. */
  exitNode?: CfgNode;
  returnNode?: CfgNode;
  /** For leaks: the branches and gotos the path took from the acquire to the return, in order. */
  path?: { start: number; end: number; message: string }[];
  /** For leaks: whether the path returns an error, and whether the function releases the object on another path. */
  evidence?: LeakEvidence;
  /**
   * For a use or a second release: the first release was a put of a refcounted member
   * (`put_device(&x->dev)`), taken to free the structure through a release callback that may not.
   */
  releasedThroughMember?: boolean;
  /** For a second unlock: the lock's family. */
  lockFamily?: string;
}

/** Whether `res` was released by a put of a member whose release callback is taken to free the container. */
export function releasedThroughMember(ctx: AnalyzerContext, res: Res): boolean {
  const first = res.releaseApi !== undefined ? ctx.table.byName.get(res.releaseApi) : undefined;
  return first !== undefined && first.freesContainer === true && !first.families.includes(res.family);
}

export interface LeakEvidence {
  errorReturn: boolean;
  releasedElsewhere: boolean;
  local: boolean;
  escaped: boolean;
  /** The return gives a value (`return ret;`), rather than ending a void function. */
  returnsValue: boolean;
  family: string;
  /** The table's kind of the acquired object: a reference, memory, a mapping, a pin or a lock. */
  objectKind: string;
  /** A lock handed, after it was taken, to a function outside the file (see `noteLocksHandedToCallee`). */
  lockHanded: boolean;
  /** An allocation handed to a registration that may drop it through a release callback (see `Res.handedToRegistration`). */
  registered: boolean;
  /** Stored in an object whose reference the path then dropped (see `Res.containerPut`). */
  containerPut: boolean;
  /** A lock taken inside a loop that the function drops again outside that loop (see `unlockedByAnotherLoop`). */
  unlockedByAnotherLoop: boolean;
  /** See `Res.queuedWork`. */
  queuedWork: boolean;
}

export interface FunctionAnalysis {
  findings: RawFinding[];
  /** True when the path budget ran out before every path was explored. */
  incomplete: boolean;
  visits: number;
  /** Offsets of release calls, with whether some path reached them holding what they release. */
  releaseSites: Map<number, boolean>;
}

export interface AnalyzeLimits {
  /** Node visits per function before giving up on the remaining paths. */
  maxVisits: number;
  /** States per node after which value facts are dropped so that more paths merge. */
  widenAfter: number;
}

/** What an expression evaluates to: the key it names, and what is known of its value class. */
export interface Value {
  key?: string;
  mask?: number;
}

/** A path after a condition, and the truth of the condition on it. */
export type Outcome = [State, boolean];

/** Everything the analysis of one function shares between its paths. */
export interface AnalyzerContext {
  readonly fn: CFunction;
  readonly table: ApiTable;
  readonly text: string;
  /** Locks the function is annotated to take or to be entered with (`__acquires`, `__must_hold`). */
  readonly acquiresAnnotated: Set<string>;
  readonly file: FileFacts;
  /** What the other functions of the file release of what they are handed. */
  readonly summaries: Summaries;
  /** Findings by identity (see `report`). */
  readonly findings: Map<string, RawFinding>;
  /** `family|key` pairs that some call in the function releases. */
  readonly releasedAnywhere: Set<string>;
  /** Error returns by path: the return, the last goto taken while holding something (-1 if none), and what is held. */
  readonly errorReturns: { node: CfgNode & { k: 'return' }; via: number; held: Res[] }[];
  /** Condition texts, and identifiers, by how many branches test them: facts tested once are not kept. */
  readonly conditionTexts: Map<string, number>;
  readonly testedNames: Map<string, number>;
  readonly returnedNames: Set<string>;
  readonly releaseSites: Map<number, boolean>;
  /** The table's lock families (`ApiTable.lockFamilies`). */
  readonly lockFamilies: ReadonlySet<string>;
  /** Families whose every acquire raises a count on an object the caller passes (`pm_runtime_get_sync(dev)`). */
  readonly callerCountFamilies: Set<string>;
  /** Acquire sites of escaped resources that some path released while they were escaped. */
  readonly releasedWhileEscaped: Set<number>;
  /** Leaks of escaped resources, reported only if the function undoes the escape elsewhere. */
  readonly escapedLeaks: RawFinding[];
  /** For each variable, the variables stored in its fields (`mdev->type = type`), anywhere in the function. */
  readonly storedInto: Map<string, Set<string>>;
  /** Local pointers assigned once, to the address of a member: `dev = &stdev->dev` makes `dev` mean `stdev->dev`. */
  readonly memberAliases: Map<string, string>;
  /** Local pointers assigned once, to a field: `macsec = priv->macsec` makes `macsec->lock` mean `priv->macsec->lock`. */
  readonly fieldCopies: Map<string, string>;
  /**
   * Fields assigned once in the function, from a variable assigned at most once: `data->regulator =
   * regulator` at `at`. An object acquired through that variable after the store is also reached
   * through the field, so `regulator_disable(data->regulator)` releases it.
   */
  readonly fieldStores: Map<string, { field: string; at: number }[]>;
  /** Locals assigned only constants and tested by a branch (`locked = true; ... if (locked)`): their values outlive widening. */
  readonly flags: Set<string>;
  /** What the returns of the function hold of its locks (see `locks.ts`). */
  readonly locks: {
    /** Lock keys that some path took, dropped and did not hold again at its return. */
    readonly unlockedAtReturn: Set<string>;
    /** The same, at returns that are not error returns. */
    readonly unlockedAtSuccess: Set<string>;
    /** Acquire sites of locks held at an error return. */
    readonly heldAtError: Set<number>;
  };

  /**
   * Locals only ever assigned an element of one array, or its address: `chan = fdev->chan[i]` makes
   * `chan->irq` mean `fdev->chan[]->irq`, so that an unwind loop over the array releases what the
   * loop that filled it acquired.
   */
  readonly elementAliases: Map<string, { array: string; address: boolean }>;
  /** List walks (`list_for_each_entry(cursor, &head, member)`): the cursor and `list:head`. */
  readonly listWalks: { cursor: string; list: string }[];
}

const HELD_ASSERTION = /^(lockdep_assert_held(_write|_read|_once|_exclusive)?|assert_spin_locked|lockdep_assert_rwsem_held)$/;

/** Builds the context of one function: what its branches test, what it returns, stores and releases. */
export function createContext(fn: CFunction, table: ApiTable, text: string, acquiresAnnotated: Set<string>, file: FileFacts = emptyFileFacts(), summaries: Summaries = new Map()): AnalyzerContext {
  const ctx: AnalyzerContext = {
    fn,
    table,
    text,
    acquiresAnnotated: new Set(acquiresAnnotated),
    file,
    summaries,
    findings: new Map(),
    releasedAnywhere: new Set(),
    errorReturns: [],
    conditionTexts: new Map(),
    testedNames: new Map(),
    returnedNames: new Set(),
    releaseSites: new Map(),
    lockFamilies: table.lockFamilies,
    callerCountFamilies: new Set(),
    releasedWhileEscaped: new Set(),
    escapedLeaks: [],
    storedInto: new Map(),
    memberAliases: new Map(),
    fieldCopies: new Map(),
    fieldStores: new Map(),
    flags: new Set(),
    locks: { unlockedAtReturn: new Set(), unlockedAtSuccess: new Set(), heldAtError: new Set() },
    elementAliases: new Map(),
    listWalks: [],
  };
  for (const node of fn.nodes) {
    if (node.k !== 'branch' || node.cond.e <= node.cond.s) continue;
    // Count each operand of && and || too: `if (a == 2 || a == 4)` tests `a == 2` on its own.
    const operands: Expr[] = [node.cond];
    for (let i = 0; i < operands.length; i++) {
      const operand = operands[i];
      if (operand.k === 'bin' && (operand.op === '&&' || operand.op === '||')) operands.push(operand.left, operand.right);
      else if (operand.k === 'unary' && operand.op === '!') operands.push(operand.arg);
      if (operand.e <= operand.s) continue;
      const conditionText = conditionKey(text, operand).key;
      ctx.conditionTexts.set(conditionText, (ctx.conditionTexts.get(conditionText) ?? 0) + 1);
    }
    for (const name of identifiersIn(node.cond)) ctx.testedNames.set(name, (ctx.testedNames.get(name) ?? 0) + 1);
  }
  for (const node of fn.nodes) if (node.k === 'return' && node.expr) for (const name of identifiersIn(node.expr)) ctx.returnedNames.add(name);
  collectMemberAliases(ctx);
  collectFlags(ctx);
  collectStoredInto(ctx);
  collectCallerCountFamilies(ctx);
  noteListWalks(ctx);
  for (const call of fn.calls) {
    // `lockdep_assert_held(&p->lock)`: the function is entered with the lock held, as with `__must_hold`.
    if (HELD_ASSERTION.test(call.callee) && call.args[0]) {
      const key = exprKey(call.args[0]);
      if (key !== undefined) ctx.acquiresAnnotated.add(canonicalLock(ctx, key));
    }
    const entry = table.byName.get(call.callee);
    const summary = entry ? undefined : summaries.get(call.callee);
    if (summary) {
      for (const release of summary.releases) {
        const key = call.args[release.param] ? summaryReleaseKey(call.args[release.param], release) : undefined;
        const family = release.entry.families[0];
        if (key !== undefined) ctx.releasedAnywhere.add(`${family}|${ctx.lockFamilies.has(family) ? canonicalLock(ctx, key) : canonical(ctx, key)}`);
      }
    }
    if (!entry) continue;
    if (entry.effect === 'release') {
      const key = tableReleaseKey(ctx, entry, call.args);
      if (key !== undefined) for (const family of entry.families) ctx.releasedAnywhere.add(`${family}|${ctx.lockFamilies.has(family) ? canonicalLock(ctx, key) : canonical(ctx, key)}`);
      const through = entry.freesContainer && typeof entry.object === 'number' && call.args[entry.object] ? memberHelperKey(ctx, call.args[entry.object], call.s) : undefined;
      if (through !== undefined) for (const family of entry.families) ctx.releasedAnywhere.add(`${family}|${through}`);
    } else if (entry.effect === 'acquire' && entry.consumes !== undefined && call.args[entry.consumes]) {
      const key = exprKey(call.args[entry.consumes]);
      if (key !== undefined) ctx.releasedAnywhere.add(`${entry.families[0]}|${key}`);
    }
  }
  noteListReleases(ctx);
  return ctx;
}

const LIST_WALK = /^(list|hlist)_for_each_entry(_safe|_reverse|_safe_reverse|_continue|_safe_continue|_from)?$/;

/**
 * `list_for_each_entry_safe(ref, tmp, &chan_list, node) { ... kfree(ref); }`: the function releases
 * what is on `chan_list`, so an object it put there (`list_add_tail(&ref->node, &chan_list)`) is released.
 */
function noteListWalks(ctx: AnalyzerContext): void {
  for (const call of ctx.fn.calls) {
    if (!LIST_WALK.test(call.callee) || call.args.length < 3 || call.args[0].k !== 'id') continue;
    const head = exprKey(call.args[call.args.length - 2]);
    if (head === undefined) continue;
    const cursor = call.args[0].name;
    ctx.listWalks.push({ cursor, list: `list:${head}` });
  }
}

/**
 * What a release of the table drops, before canonical names: `@family` for an objectless one, a lock
 * through its accessor calls (`get_ccwdev_lock(CARD_RDEV(card))`) with the table's alias
 * (`deactivate_locked_super(s)` drops `s->s_umount`), anything else by its key.
 */
export function tableReleaseKey(ctx: AnalyzerContext, entry: ApiEntry, args: readonly Expr[]): string | undefined {
  if (entry.object === 'none') return `@${entry.families[0]}`;
  const arg = typeof entry.object === 'number' ? args[entry.object] : undefined;
  if (arg === undefined) return undefined;
  if (!ctx.lockFamilies.has(entry.families[0])) return exprKey(arg);
  const key = lockObjectKey(arg);
  return key !== undefined && entry.alias !== undefined ? key + entry.alias : key;
}

/** Adds `family|list:L` for each walk of `L` whose cursor some call of the function releases. */
export function noteListReleases(ctx: AnalyzerContext): void {
  if (ctx.listWalks.length === 0) return;
  for (const released of [...ctx.releasedAnywhere]) {
    const bar = released.indexOf('|');
    const key = released.slice(bar + 1);
    for (const walk of ctx.listWalks) if (walk.cursor === key) ctx.releasedAnywhere.add(`${released.slice(0, bar)}|${walk.list}`);
  }
}

/** The array an element expression is taken from: `fdev->chan[]` for `fdev->chan[i]` or `&fdev->chan[i]`. */
function elementOf(value: Expr | undefined): { array: string; address: boolean } | undefined {
  const e = uncast(value);
  if (!e) return undefined;
  const address = e.k === 'unary' && e.op === '&';
  const inner = address && e.k === 'unary' ? e.arg : e;
  if (inner.k !== 'index') return undefined;
  const key = exprKey(inner);
  return key !== undefined && key.endsWith('[]') ? { array: key, address } : undefined;
}

export function collectMemberAliases(ctx: AnalyzerContext): void {
  const assigned = new Map<string, number>();
  const targets = new Map<string, string>();
  const copies = new Map<string, string>();
  const elements = new Map<string, { array: string; address: boolean } | null>();
  const note = (name: string, value: Expr | undefined) => {
    assigned.set(name, (assigned.get(name) ?? 0) + 1);
    const element = elementOf(value);
    const known = elements.get(name);
    if (!element || known === null || (known !== undefined && (known.array !== element.array || known.address !== element.address))) elements.set(name, null);
    else elements.set(name, element);
    if (value && value.k === 'unary' && value.op === '&') {
      const key = exprKey(value.arg);
      if (key !== undefined && key !== name && keyRoot(key) !== name) targets.set(name, key);
    }
    const copied = uncast(value);
    if (copied && copied.k === 'field') {
      const key = exprKey(copied);
      if (key !== undefined && keyRoot(key) !== name && !key.includes('[]')) copies.set(name, key);
    }
  };
  const fieldAssigned = new Map<string, number>();
  const fieldSources = new Map<string, { source: string; at: number }>();
  const visit = (expr: Expr): void => {
    if (expr.k === 'assign' && expr.left.k === 'id') note(expr.left.name, expr.op === '=' ? expr.right : undefined);
    if (expr.k === 'assign' && expr.left.k === 'field') {
      const field = exprKey(expr.left);
      if (field !== undefined) {
        fieldAssigned.set(field, (fieldAssigned.get(field) ?? 0) + 1);
        if (expr.op === '=' && expr.right.k === 'id') fieldSources.set(field, { source: expr.right.name, at: expr.s });
        // `fdp1->dev = &pdev->dev`: an object acquired through `&pdev->dev` is reached through `fdp1->dev` too.
        const member = expr.op === '=' && expr.right.k === 'unary' && expr.right.op === '&' && expr.right.arg.k === 'field' && expr.right.arg.arrow ? exprKey(expr.right.arg) : undefined;
        if (member !== undefined && !member.includes('[]')) fieldSources.set(field, { source: member, at: expr.s });
      }
    }
    if (expr.k === 'assign') visit(expr.right);
    if (expr.k === 'call') expr.args.forEach(visit);
  };
  for (const node of ctx.fn.nodes) {
    if (node.k === 'decl') {
      if (node.init) note(node.name, node.init);
    } else if (node.k === 'eval') visit(node.expr);
  }
  for (const [field, { source, at }] of fieldSources) {
    if (fieldAssigned.get(field) !== 1 || (assigned.get(source) ?? 0) > 1 || keyRoot(field) === source) continue;
    const stores = ctx.fieldStores.get(source) ?? [];
    stores.push({ field, at });
    ctx.fieldStores.set(source, stores);
  }
  for (const [name, key] of targets) if (assigned.get(name) === 1 && ctx.fn.locals.has(name)) ctx.memberAliases.set(name, key);
  for (const [name, element] of elements) {
    if (element && ctx.fn.locals.has(name) && !ctx.fn.params.includes(name) && keyRoot(element.array) !== name && !ctx.memberAliases.has(name)) ctx.elementAliases.set(name, element);
  }
  // `gpii = gchan->gpii` names `gchan->gpii` only while `gchan` keeps its value: a root assigned again
  // (`gchan = &gpii->gchan[i]` in a loop) would make the lock lose its name.
  const stable = (root: string) => (assigned.get(root) ?? 0) <= (ctx.fn.params.includes(root) ? 0 : 1);
  for (const [name, key] of copies) if (assigned.get(name) === 1 && ctx.fn.locals.has(name) && !ctx.fn.params.includes(name) && stable(keyRoot(key))) ctx.fieldCopies.set(name, key);
}

/** See `AnalyzerContext.flags`. */
export function collectFlags(ctx: AnalyzerContext): void {
  const constant = (e: Expr | undefined): boolean => e !== undefined && (e.k === 'num' || e.k === 'null' || (e.k === 'unary' && e.op === '-' && constant(e.arg)));
  const candidates = new Set<string>();
  const spoiled = new Set<string>();
  const visit = (expr: Expr): void => {
    if (expr.k === 'assign' && expr.left.k === 'id') (expr.op === '=' && constant(expr.right) ? candidates : spoiled).add(expr.left.name);
    else if (expr.k === 'unary' && (expr.op === '++' || expr.op === '--' || expr.op === '&') && expr.arg.k === 'id') spoiled.add(expr.arg.name);
    if (expr.k === 'assign') visit(expr.right);
    else if (expr.k === 'call') expr.args.forEach(visit);
    else if (expr.k === 'unary' || expr.k === 'cast') visit(expr.arg);
  };
  for (const node of ctx.fn.nodes) {
    if (node.k === 'decl') {
      if (node.init && !constant(node.init)) spoiled.add(node.name);
      if (node.init) visit(node.init);
    } else if (node.k === 'eval') visit(node.expr);
  }
  for (const name of candidates) if (!spoiled.has(name) && ctx.fn.locals.has(name) && ctx.testedNames.has(name)) ctx.flags.add(name);
}

export function collectStoredInto(ctx: AnalyzerContext): void {
  const visit = (expr: Expr): void => {
    if (expr.k === 'assign') {
      const value = uncast(expr.right);
      const container = expr.left.k === 'field' ? rootName(expr.left) : undefined;
      if (container !== undefined && value.k === 'id' && value.name !== container) {
        const set = ctx.storedInto.get(container) ?? new Set<string>();
        set.add(value.name);
        ctx.storedInto.set(container, set);
      }
      visit(expr.right);
    } else if (expr.k === 'call') expr.args.forEach(visit);
  };
  for (const node of ctx.fn.nodes) if (node.k === 'eval') visit(node.expr);
}

/** The canonical key of an object: through a member alias (`dev` for `&stdev->dev`) when there is one. */
export function canonical(ctx: AnalyzerContext, key: string): string {
  const root = keyRoot(key);
  const target = ctx.memberAliases.get(root);
  if (target === undefined) {
    const element = ctx.elementAliases.get(root);
    if (element === undefined) return key;
    if (key === root) return element.array;
    if (key.startsWith(`${root}->`)) return element.address ? `${element.array}.${key.slice(root.length + 2)}` : `${element.array}${key.slice(root.length)}`;
    return key;
  }
  if (key === root) return target;
  if (key.startsWith(`${root}->`)) return `${target}.${key.slice(root.length + 2)}`;
  return key;
}

/** The canonical key of a lock: also through local copies of the field that points to its owner. */
export function canonicalLock(ctx: AnalyzerContext, key: string): string {
  const through = canonical(ctx, key);
  const root = keyRoot(through);
  const target = ctx.fieldCopies.get(root);
  if (target === undefined) return through;
  return through === root ? target : `${target}${through.slice(root.length)}`;
}

/** Whether a fact about `key` can matter later: its variable is tested again, or it decides an acquire. */
export function keepMask(ctx: AnalyzerContext, state: State, key: string): boolean {
  if (key.startsWith('$')) return true;
  const root = /^[*]?([A-Za-z_][A-Za-z0-9_]*)/.exec(key);
  if (root && ((ctx.testedNames.get(root[1]) ?? 0) >= 1 || ctx.returnedNames.has(root[1]))) return true;
  return state.res.some((r) => r.condVar === key);
}

export function setMask(ctx: AnalyzerContext, state: State, key: string, mask: number): void {
  if (keepMask(ctx, state, key)) state.masks.set(key, mask);
  else state.masks.delete(key);
}
