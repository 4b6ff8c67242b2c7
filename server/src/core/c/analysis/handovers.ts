// What a call hands over to someone else, so that a path that returns without releasing it is no
// leak, or no sure one: a registration that may free the structure through its release callback, a
// put whose callback drops what the object holds, a time source that keeps its clocks running, a
// page table that keeps the page installed in it.

import type { ApiEntry } from '../apiTable';
import type { Expr } from '../cir';
import { exprKey, identifiersIn, keyRoot, uncast } from '../keys';
import { isLive, type State } from '../state';
import { CORE_REGISTRATION, INSTALLS_IN_PAGE_TABLE, REGISTERS, REGISTERS_TIME_SOURCE } from '../callRoles';
import type { AnalyzerContext } from './context';
import { escape } from './expressions';

/** What a call the table does not know hands over, by its name. */
export function noteHandovers(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State): void {
  const callee = expr.callee;
  if (INSTALLS_IN_PAGE_TABLE.test(callee)) escape(ctx, state, expr.args.flatMap((arg) => [...identifiersIn(arg)]));
  if (REGISTERS_TIME_SOURCE.test(callee)) keepClocksForTimeSource(state);
  if (REGISTERS.test(callee) && !CORE_REGISTRATION.test(callee)) noteHandedToRegistration(ctx, expr, state);
}

/** What a put that may run a release callback (`put_device()`, `kobject_put()`) hands to that callback. */
export function notePutHandovers(state: State, object: Expr, expr: Expr & { k: 'call' }, entry: ApiEntry): void {
  noteContainerPut(state, object, entry);
  putOfOwnAllocation(state, object, expr, entry);
}

/** Marks the allocations a registration is handed, directly, by a member's address or through a member alias. */
function noteHandedToRegistration(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State): void {
  const roots = new Set<string>();
  for (const arg of expr.args) {
    const key = exprKey(arg);
    if (key === undefined) continue;
    const root = keyRoot(key);
    roots.add(root);
    const alias = ctx.memberAliases.get(root);
    if (alias !== undefined) roots.add(keyRoot(alias));
  }
  state.res = state.res.map((r) => (isLive(r) && r.api.kind === 'memory' && !r.handedToRegistration && r.names.some((n) => roots.has(n)) ? { ...r, handedToRegistration: true } : r));
}

/**
 * The clocks a registered time source runs on must stay prepared and enabled from now on. The
 * reference to the clock itself (`of_clk_get()`) is another matter: a path that leaves without it
 * still leaks it.
 */
export function keepClocksForTimeSource(state: State): void {
  state.res = state.res.filter((r) => !(isLive(r) && r.family.startsWith('clk_')));
}

/**
 * `dev = kzalloc(sizeof(*dev), ...); ...; put_device(dev)`: the put of an object this function
 * allocated drops its only reference, and the release callback frees the allocation.
 */
function putOfOwnAllocation(state: State, arg: Expr, expr: Expr & { k: 'call' }, entry: ApiEntry): void {
  const e = uncast(arg);
  if (e.k !== 'id') return;
  const name = e.name;
  state.res = state.res.map((r) =>
    isLive(r) && r.api.kind === 'memory' && r.api.object === 'return' && r.names.includes(name) ? { ...r, status: 'released', releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: true } : r,
  );
}

/**
 * Marks what the path holds in fields of the object a put may free (`put` of `pdev` holds
 * `pdev->dev.of_node`): objects of other families, since a put of one kobject of a structure says
 * nothing of its other kobjects.
 */
function noteContainerPut(state: State, arg: Expr, entry: ApiEntry): void {
  const e = uncast(arg);
  // `put_device(&x->dev)` puts the structure `x`; `put_device(dev)` the object `dev` points to.
  const container = exprKey(e.k === 'unary' && e.op === '&' && e.arg.k === 'field' ? e.arg.base : e);
  if (container === undefined) return;
  const inside = (n: string) => n.startsWith(`${container}->`) || n.startsWith(`${container}.`);
  state.res = state.res.map((r) => (isLive(r) && r.api.kind !== 'lock' && !r.containerPut && !entry.families.includes(r.family) && r.names.some(inside) ? { ...r, containerPut: true } : r));
}
