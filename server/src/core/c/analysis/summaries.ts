// Summaries of the functions of one file, for their callers in the same file and, through
// `runSummaries()`, in the other files of a run: which of its parameters a function releases (frees,
// puts or unlocks). Built bottom-up from the calls each body makes, to a fixed point, so that recursion
// ends; applied at each call of the summarised function.

import type { ApiEntry, ApiTable } from '../apiTable';
import type { CFunction, Expr } from '../cir';
import { exprKey, keyRoot, pointerRoot, uncast } from '../keys';
import { REGISTERS_TIME_SOURCE } from '../callRoles';

/** A parameter (or a member reached from it) that the function releases on some path. */
export interface ParamRelease {
  /**
   * The parameter, or -1 for a lock the function is annotated to release through a local of its own
   * (`__releases(sh->host_lock)` with `sh = sd->host`): a held lock of that member name is dropped.
   */
  param: number;
  /** What follows the parameter in the released key: `''` for the parameter itself, `->lock` for a member. */
  suffix: string;
  entry: ApiEntry;
  /**
   * The function releases the structure around the parameter (`kfree(container_of(vd, ...))`): a
   * caller that hands it `&x->vd` has `x` released.
   */
  container?: boolean;
  /**
   * The release is of a member embedded in the parameter (`put_device(&memory->dev)`) by a put that
   * may run a release callback freeing the structure: a caller's allocation handed in is released.
   */
  embedded?: boolean;
}

export interface FunctionSummary {
  releases: ParamRelease[];
  /** Parameters the function stores in a structure or a global (`d->label = label`): the callee keeps them. */
  stores?: number[];
  /**
   * Parameters whose lock the function drops and takes again (`allocate_file_region_entries()`
   * unlocks `resv->lock` around an allocation): on some paths it may return with the lock dropped.
   */
  relocks?: number[];
  /**
   * Global locks the function drops on some path without taking them (`read_unlock(&tasklist_lock)`
   * in `wait_task_zombie()`): its callers may return with them dropped.
   */
  releasesGlobal?: { key: string; entry: ApiEntry }[];
  /** The function registers a time source (`sched_clock_register()`), directly or through a helper: the clocks it runs on are kept. */
  registersTimeSource?: boolean;
}

export type Summaries = Map<string, FunctionSummary>;

/** Every value each name is assigned in the function: its initialiser and each `=`; undefined for a compound assignment (`+=`). */
function assignedValues(fn: CFunction): Map<string, (Expr | undefined)[]> {
  const values = new Map<string, (Expr | undefined)[]>();
  const note = (name: string, value: Expr | undefined) => values.set(name, [...(values.get(name) ?? []), value]);
  for (const node of fn.nodes) {
    if (node.k === 'decl' && node.init) note(node.name, node.init);
    else if (node.k === 'eval' && node.expr.k === 'assign' && node.expr.left.k === 'id') note(node.expr.left.name, node.expr.op === '=' ? node.expr.right : undefined);
  }
  return values;
}

/**
 * Locals assigned exactly once, from a value `parameterOf` ties to a parameter (by its index), and
 * never a parameter themselves.
 */
function singleAssignmentsFrom(fn: CFunction, parameterOf: (value: Expr) => number | undefined): Map<string, number> {
  const copies = new Map<string, number>();
  for (const [name, values] of assignedValues(fn)) {
    const value = values.length === 1 && !fn.params.includes(name) ? uncast(values[0]) : undefined;
    const param = value ? parameterOf(value) : undefined;
    if (param !== undefined) copies.set(name, param);
  }
  return copies;
}

/** Locals that are only ever a copy of a parameter: `struct priv *priv = data;` in a `void *data` callback. */
function parameterCopies(fn: CFunction): Map<string, number> {
  return singleAssignmentsFrom(fn, (value) => (value.k === 'id' && fn.params.includes(value.name) ? fn.params.indexOf(value.name) : undefined));
}

const CONTAINER_OF = /^(container_of|to_[A-Za-z0-9_]+|[A-Za-z0-9_]+_to_[A-Za-z0-9_]+)$/;

/** Locals initialised once as the structure around a parameter: `sw = to_pxad_sw_desc(vd)`. */
function containerCopies(fn: CFunction): Map<string, number> {
  return singleAssignmentsFrom(fn, (value) => {
    // `to_x(vd)`, or `to_x(&vd->tx)` where the member's structure is itself inside the container.
    const root = value.k === 'call' && CONTAINER_OF.test(value.callee) && value.args[0] ? pointerRoot(value.args[0]) : undefined;
    return root !== undefined && fn.params.includes(root) ? fn.params.indexOf(root) : undefined;
  });
}

/** `&p->member`: the address of a member embedded in a structure. */
function isMemberAddress(arg: Expr): boolean {
  const e = uncast(arg);
  return e.k === 'unary' && e.op === '&' && e.arg.k === 'field';
}

/** The parameter an argument names, and the rest of its key: `(p, '->lock')` for `&p->lock`. */
function paramPath(fn: CFunction, arg: Expr, copies?: Map<string, number>, containers?: Map<string, number>): { param: number; suffix: string; container?: boolean } | undefined {
  const key = exprKey(arg);
  if (key === undefined || key.includes('[]')) return undefined;
  const root = keyRoot(key);
  const around = containers?.get(root);
  if (around !== undefined && key === root) return { param: around, suffix: '', container: true };
  const param = fn.params.indexOf(root) >= 0 ? fn.params.indexOf(root) : copies?.get(root) ?? -1;
  if (param < 0) return undefined;
  return { param, suffix: key.slice(root.length) };
}

/** The key of a lock that is a global of the file (`&tasklist_lock`, `&sbi_list.lock`), not reached from a parameter or a local. */
function globalKey(fn: CFunction, arg: Expr): string | undefined {
  const key = exprKey(arg);
  if (key === undefined || key.includes('[]')) return undefined;
  const root = keyRoot(key);
  return root === key.replace(/^[*&]+/, '') || key.startsWith(`${root}.`) ? (fn.params.includes(root) || fn.locals.has(root) ? undefined : key) : undefined;
}

function acquiresGlobal(fn: CFunction, table: ApiTable, key: string): boolean {
  return fn.calls.some((call) => {
    const entry = table.byName.get(call.callee);
    if (!entry || entry.effect !== 'acquire' || !table.lockFamilies.has(entry.families[0]) || typeof entry.object !== 'number') return false;
    const arg = call.args[entry.object];
    return arg !== undefined && exprKey(arg) === key;
  });
}

function acquiresOwn(fn: CFunction, table: ApiTable, family: string, param: number, suffix: string): boolean {
  return fn.calls.some((call) => {
    const entry = table.byName.get(call.callee);
    if (!entry || entry.effect !== 'acquire' || !entry.families.includes(family) || typeof entry.object !== 'number') return false;
    const arg = call.args[entry.object];
    const at = arg ? paramPath(fn, arg) : undefined;
    return at !== undefined && at.param === param && at.suffix === suffix;
  });
}

/**
 * Summarises every function of a file. A function releases its parameter when a release call of the
 * table (or of another summarised function) is handed that parameter and the function does not also
 * take it (a lock taken and dropped inside is balanced, not released for the caller).
 */
export function summarizeFunctions(functions: CFunction[], table: ApiTable, others: Summaries = new Map()): Summaries {
  const summaries: Summaries = new Map();
  const byName = new Map(functions.map((fn) => [fn.name, fn]));
  for (const fn of functions) summaries.set(fn.name, { releases: [] });
  // What other files of the run export is known at the calls of this file; its own definitions come first.
  const fromOthers = (name: string) => (byName.has(name) ? undefined : others.get(name));
  const copiesOf = new Map(functions.map((fn) => [fn.name, parameterCopies(fn)]));
  const containersOf = new Map(functions.map((fn) => [fn.name, containerCopies(fn)]));
  // Each round lets a release pass up one level of calls; a few rounds reach the fixed point of kernel helpers.
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (const fn of functions) {
      const summary = summaries.get(fn.name) as FunctionSummary;
      const copies = copiesOf.get(fn.name);
      const containers = containersOf.get(fn.name);
      const add = (release: ParamRelease) => {
        if (summary.releases.some((r) => r.param === release.param && r.suffix === release.suffix && r.container === release.container && r.entry.families[0] === release.entry.families[0])) return;
        if (acquiresOwn(fn, table, release.entry.families[0], release.param, release.suffix)) {
          if (release.param >= 0 && table.lockFamilies.has(release.entry.families[0]) && !summary.relocks?.includes(release.param)) {
            summary.relocks = [...(summary.relocks ?? []), release.param];
            changed = true;
          }
          return;
        }
        summary.releases.push(release);
        changed = true;
      };
      const addGlobal = (key: string, entry: ApiEntry) => {
        if (summary.releasesGlobal?.some((r) => r.key === key) || acquiresGlobal(fn, table, key)) return;
        summary.releasesGlobal = [...(summary.releasesGlobal ?? []), { key, entry }];
        changed = true;
      };
      for (const call of fn.calls) {
        const entry = table.byName.get(call.callee);
        if (entry) {
          if (entry.effect !== 'release' || typeof entry.object !== 'number' || !call.args[entry.object]) continue;
          const arg = call.args[entry.object];
          const global = table.lockFamilies.has(entry.families[0]) ? globalKey(fn, arg) : undefined;
          if (global !== undefined) addGlobal(global, entry);
          const at = paramPath(fn, arg, copies, entry.frees ? containers : undefined);
          if (at) add({ ...at, entry, ...(entry.freesContainer && !at.container && at.suffix.startsWith('->') && isMemberAddress(arg) ? { embedded: true } : {}) });
          continue;
        }
        const callee = byName.has(call.callee) ? (call.callee !== fn.name ? summaries.get(call.callee) : undefined) : fromOthers(call.callee);
        if (!callee) continue;
        for (const release of callee.releasesGlobal ?? []) addGlobal(release.key, release.entry);
        for (const release of callee.releases) {
          if (release.container) continue;
          const arg = call.args[release.param];
          const at = arg ? paramPath(fn, arg, copies) : undefined;
          if (at) add({ param: at.param, suffix: at.suffix + release.suffix, entry: release.entry, ...(release.embedded && at.suffix === '' ? { embedded: true } : {}) });
        }
      }
    }
    if (!changed) break;
  }
  const timeSources = new Set(functions.filter((fn) => fn.calls.some((call) => REGISTERS_TIME_SOURCE.test(call.callee))).map((fn) => fn.name));
  for (let round = 0; round < 4; round++) {
    const before = timeSources.size;
    for (const fn of functions) if (!timeSources.has(fn.name) && fn.calls.some((call) => call.callee !== fn.name && timeSources.has(call.callee))) timeSources.add(fn.name);
    if (timeSources.size === before) break;
  }
  for (const name of timeSources) (summaries.get(name) as FunctionSummary).registersTimeSource = true;
  for (const fn of functions) {
    const stores = storedParameters(fn);
    if (stores.length > 0) (summaries.get(fn.name) as FunctionSummary).stores = stores;
  }
  for (const [name, summary] of summaries) if (summary.releases.length === 0 && summary.stores === undefined && summary.relocks === undefined && summary.releasesGlobal === undefined && !summary.registersTimeSource) summaries.delete(name);
  for (const [name, summary] of others) if (!byName.has(name)) summaries.set(name, summary);
  return summaries;
}

/**
 * The summaries a run's files export, as one map for all of them. A name two files define (a driver's
 * `foo_probe` for two boards, an inline of two architectures' headers) is left out: which of them a
 * call reaches is the linker's choice, not the text's.
 */
export function runSummaries(exported: Iterable<Summaries>): Summaries {
  const merged: Summaries = new Map();
  const ambiguous = new Set<string>();
  for (const summaries of exported) {
    for (const [name, summary] of summaries) {
      if (merged.has(name)) ambiguous.add(name);
      else merged.set(name, summary);
    }
  }
  for (const name of ambiguous) merged.delete(name);
  return merged;
}

/** Pointer parameters a function stores in a field of another parameter (`d->label = label`) or of a local structure it hands to a call by address. */
function storedParameters(fn: CFunction): number[] {
  const stored = new Set<number>();
  // Locals that point into a parameter's structure matter only where a parameter is stored through a pointer.
  const storesThroughPointer = fn.nodes.some((node) => node.k === 'eval' && node.expr.k === 'assign' && node.expr.left.k === 'field' && node.expr.left.arrow && uncast(node.expr.right).k === 'id');
  const reached = storesThroughPointer ? reachedFromParameters(fn) : new Set<string>();
  // Also into a local description handed to a call (`exp_info.priv = priv; dma_buf_export(&exp_info)`).
  const handedByAddress = new Set<string>();
  for (const call of fn.calls) for (const arg of call.args) if (arg.k === 'unary' && arg.op === '&' && arg.arg.k === 'id') handedByAddress.add(arg.arg.name);
  for (const node of fn.nodes) {
    if (node.k !== 'eval' || node.expr.k !== 'assign' || node.expr.op !== '=' || node.expr.left.k === 'id') continue;
    const value = uncast(node.expr.right);
    if (value.k !== 'id') continue;
    const param = fn.params.indexOf(value.name);
    // Into a structure the caller hands over (`d->label = label`), not into a local's (`child->parent = dup`
    // in a walk, which only points at it).
    const target = keyRoot(exprKey(node.expr.left) ?? '');
    const intoReached = node.expr.left.k === 'field' && node.expr.left.arrow && reached.has(target);
    if (param >= 0 && target !== value.name && (fn.params.includes(target) || intoReached || (node.expr.left.k === 'field' && !node.expr.left.arrow && handedByAddress.has(target)))) stored.add(param);
  }
  return [...stored].sort((a, b) => a - b);
}

/**
 * Locals that point into what a parameter reaches (`hd = au_hdentry(au_di(dentry), bindex)`): every
 * value they are assigned is computed from parameters or from such locals, so a store through them
 * (`hd->hd_dentry = h_dentry`) lands in the caller's structure.
 */
function reachedFromParameters(fn: CFunction): Set<string> {
  // A compound assignment (`hd += i`) moves within what the local already points into.
  const values = new Map([...assignedValues(fn)].map(([name, assigned]) => [name, assigned.filter((value): value is Expr => value !== undefined)]));
  const reached = new Set<string>(fn.params);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, assigned] of values) {
      if (reached.has(name)) continue;
      if (assigned.every((value) => computedFrom(value, reached))) {
        reached.add(name);
        changed = true;
      }
    }
  }
  for (const param of fn.params) reached.delete(param);
  return reached;
}

/** Whether a pointer value is computed only from `names`: a member, an element, a cast or a call's result over them. */
function computedFrom(value: Expr, names: Set<string>): boolean {
  const e = uncast(value);
  switch (e.k) {
    case 'id':
      return names.has(e.name);
    case 'field':
      return computedFrom(e.base, names);
    case 'index':
      return computedFrom(e.base, names);
    case 'unary':
      return e.op === '&' && computedFrom(e.arg, names);
    case 'call':
      return e.args.length > 0 && computedFrom(e.args[0], names);
    default:
      return false;
  }
}

/** The key a summarised release drops at a call; for a release of the container, `x` for `&x->member`. */
export function summaryReleaseKey(arg: Expr, release: ParamRelease): string | undefined {
  if (!release.container) return releasedKeyAt(arg, release.suffix);
  const inner = uncast(arg);
  if (inner.k !== 'unary' || inner.op !== '&' || inner.arg.k !== 'field') return undefined;
  return exprKey(inner.arg.base);
}

/** The key a summarised release drops at a call: the argument's key with the member path appended. */
export function releasedKeyAt(arg: Expr, suffix: string): string | undefined {
  const key = exprKey(arg);
  if (key === undefined) return undefined;
  if (suffix === '') return key;
  // `helper(&s)` where the helper releases `p->lock`: the caller's key is `s.lock`.
  const addressOf = arg.k === 'unary' && arg.op === '&';
  return addressOf && suffix.startsWith('->') ? `${key}.${suffix.slice(2)}` : `${key}${suffix}`;
}
