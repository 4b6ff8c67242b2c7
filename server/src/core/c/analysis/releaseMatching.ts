// How a release is matched to its acquire when its object is not written the same way: a call
// expression or a value computed again, a member reached through a helper, a file made with private
// data. Used by the call effects (effects.ts) and the findings at returns (report.ts).

import type { ApiEntry } from '../apiTable';
import type { Expr } from '../cir';
import { exprKey, uncast } from '../keys';
import { isLive, resMatches, type Res, type State } from '../state';
import { canonical, type AnalyzerContext } from './context';

const assignmentsByFunction = new WeakMap<AnalyzerContext, Map<string, { at: number; value: Expr }[]>>();

/** The value of the last assignment to a local written before `offset` (in the text, not on the path). */
function lastAssignmentBefore(ctx: AnalyzerContext, name: string, offset: number): Expr | undefined {
  let assignments = assignmentsByFunction.get(ctx);
  if (assignments === undefined) {
    const found = new Map<string, { at: number; value: Expr }[]>();
    const note = (target: string, at: number, value: Expr) => {
      const list = found.get(target) ?? [];
      list.push({ at, value });
      found.set(target, list);
    };
    for (const node of ctx.fn.nodes) {
      if (node.k === 'decl' && node.init) note(node.name, node.init.s, node.init);
      else if (node.k === 'eval' && node.expr.k === 'assign' && node.expr.op === '=' && node.expr.left.k === 'id') note(node.expr.left.name, node.expr.s, node.expr.right);
    }
    assignments = found;
    assignmentsByFunction.set(ctx, found);
  }
  let last: { at: number; value: Expr } | undefined;
  for (const a of assignments.get(name) ?? []) if (a.at < offset && (last === undefined || a.at > last.at)) last = a;
  return last?.value;
}

/** The text (without white space) of the last assignment to a local written before `offset`. */
function assignedTextBefore(ctx: AnalyzerContext, name: string, offset: number): string | undefined {
  const value = lastAssignmentBefore(ctx, name, offset);
  return value !== undefined ? compactText(ctx, value) : undefined;
}

/** A helper that returns a member of what it is handed (`cdev_dev(c)`, `wq_confdev(wq)`), not a lookup or a conversion. */
const NOT_MEMBER_HELPER = /get|find|lookup|alloc|create|open|new|by_|^to_|_to_|container_of|^[A-Z0-9_]+$/;

function memberHelperCall(ctx: AnalyzerContext, expr: Expr): string | undefined {
  const e = uncast(expr);
  if (e.k !== 'call' || e.args.length !== 1 || e.args[0].k !== 'id' || ctx.table.byName.has(e.callee) || NOT_MEMBER_HELPER.test(e.callee)) return undefined;
  return e.args[0].name;
}

/**
 * The key of a member reached through a helper, for acquires and releases whose release callback
 * frees the structure (`device_initialize(dev)` / `put_device(dev)`): `wq->wq_confdev` for `dev` after
 * `dev = wq_confdev(wq)`, `idxd->wqs[]->wq_confdev` after `dev = wq_confdev(idxd->wqs[i])`.
 */
export function memberHelperKey(ctx: AnalyzerContext, arg: Expr, offset: number): string | undefined {
  let e = uncast(arg);
  if (e.k === 'id' && ctx.fn.locals.has(e.name)) {
    const assigned = lastAssignmentBefore(ctx, e.name, offset);
    if (assigned === undefined) return undefined;
    e = uncast(assigned);
  }
  if (e.k !== 'call' || e.args.length !== 1 || ctx.table.byName.has(e.callee) || NOT_MEMBER_HELPER.test(e.callee)) return undefined;
  let ownerExpr = e.args[0];
  // `group = idxd->groups[i]; put_device(group_confdev(group))`: the element the local was last given.
  if (ownerExpr.k === 'id' && ctx.fn.locals.has(ownerExpr.name)) {
    const element = lastAssignmentBefore(ctx, ownerExpr.name, e.s);
    if (element !== undefined && element.k === 'index') ownerExpr = element;
  }
  const owner = exprKey(ownerExpr);
  return owner !== undefined ? `${canonical(ctx, owner)}->${e.callee}` : undefined;
}

/** Whether an entry's release runs a callback that may free the structure its object is part of. */
export function releaseRunsCallback(ctx: AnalyzerContext, entry: ApiEntry): boolean {
  if (entry.effect === 'release') return entry.freesContainer;
  return entry.release !== undefined && ctx.table.byName.get(entry.release)?.freesContainer === true;
}

/**
 * The structure a put's argument is a member of, through a helper that returns the member: the
 * helper called in the argument, or in the last assignment written before the put to the local it names.
 */
export function memberHelperOwner(ctx: AnalyzerContext, arg: Expr, offset: number): string | undefined {
  const e = uncast(arg);
  if (e.k === 'call') return memberHelperCall(ctx, e);
  if (e.k !== 'id' || !ctx.fn.locals.has(e.name)) return undefined;
  const assigned = lastAssignmentBefore(ctx, e.name, offset);
  return assigned !== undefined ? memberHelperCall(ctx, assigned) : undefined;
}

/**
 * A file made with private data (`anon_inode_getfile(name, fops, priv, flags)`, dropped by `fput`,
 * whose release callback frees that data): while the file lives, it keeps what it was made with.
 */
export function keepsPrivateData(ctx: AnalyzerContext, entry: ApiEntry): boolean {
  return entry.object === 'return' && entry.families[0] === 'file' && !/fget|get_file/.test(entry.name) && entry.release !== undefined && ctx.table.byName.get(entry.release)?.freesContainer === true;
}

/** The names a live file made with private data keeps (see `keepsPrivateData`). */
export function keptByLiveFiles(ctx: AnalyzerContext, state: State): Set<string> {
  const kept = new Set<string>();
  for (const r of state.res) {
    if (!isLive(r) || !keepsPrivateData(ctx, r.api)) continue;
    for (const text of r.argTexts) if (/^\s*[A-Za-z_][A-Za-z0-9_]*\s*$/.test(text)) kept.add(text.trim());
  }
  return kept;
}

/**
 * `fput(file)` of a file made by `anon_inode_getfile(name, fops, lh, flags)`: the file's release
 * callback frees the private data it was made with, so a structure the path allocated is freed too.
 */
export function freeMadeWith(ctx: AnalyzerContext, state: State, key: string | undefined, expr: Expr & { k: 'call' }, entry: ApiEntry): void {
  if (key === undefined) return;
  const made = state.res.find((r) => r.releaseSite === expr.s && r.status === 'released' && r.api.object === 'return' && resMatches(r, key));
  if (!made) return;
  const handed = made.argTexts.map((t) => t.trim()).filter((t) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(t) && t !== key);
  if (handed.length === 0) return;
  state.res = state.res.map((r) =>
    isLive(r) && r.api.kind === 'memory' && r.names.some((n) => handed.includes(n)) ? { ...r, status: 'released', releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: true } : r,
  );
}

/** Source text without white space, to compare arguments as written. */
function compactText(ctx: AnalyzerContext, expr: Expr): string {
  return ctx.text.slice(expr.s, expr.e).replace(/\s+/g, '');
}

/**
 * The acquire's argument each argument of its canonical release repeats, read from the table's fix
 * (`free_irq({arg0}, {arg4})` after `request_irq`): release argument index to acquire argument index.
 */
export function releaseArgumentSources(acquire: ApiEntry, releaseName: string): Map<number, number> {
  const sources = new Map<number, number>();
  const fix = acquire.fix;
  if (fix === undefined || !fix.startsWith(`${releaseName}(`) || !fix.endsWith(')')) return sources;
  const inner = fix.slice(releaseName.length + 1, -1);
  inner.split(',').forEach((part, i) => {
    const match = /^\s*\{arg(\d+)\}\s*$/.exec(part);
    if (match) sources.set(i, Number(match[1]));
  });
  return sources;
}

/**
 * A release whose object is not a name the path holds (`free_irq(platform_get_irq(pdev, 0), atdma)`):
 * it releases the live acquire of its family whose object was written the same way, or, failing that,
 * the one whose other arguments (the handler's cookie) it repeats, the latest first as unwinding goes.
 */
export function matchByArguments(ctx: AnalyzerContext, entry: ApiEntry, expr: Expr & { k: 'call' }, state: State): Res | undefined {
  if (typeof entry.object !== 'number' || !expr.args[entry.object]) return undefined;
  const objectText = compactText(ctx, expr.args[entry.object]);
  const candidates = state.res.filter((r) => isLive(r) && r.tracked && entry.families.includes(r.family) && typeof r.api.object === 'number');
  // A variable written the same way may hold another value by now; a call computes it again.
  const objectIsCall = expr.args[entry.object].k === 'call';
  const sameObject = objectIsCall ? candidates.filter((r) => (r.argTexts[r.api.object as number] ?? '').replace(/\s+/g, '') === objectText) : [];
  const byCookie = candidates.filter((r) => {
    const sources = releaseArgumentSources(r.api, entry.name);
    let compared = 0;
    for (const [releaseIndex, acquireIndex] of sources) {
      if (releaseIndex === entry.object) continue;
      const arg = expr.args[releaseIndex];
      const written = r.argTexts[acquireIndex];
      if (!arg || written === undefined || compactText(ctx, arg) !== written.replace(/\s+/g, '')) return false;
      compared++;
    }
    return compared > 0;
  });
  // `irq = wm831x_irq(w, platform_get_irq_byname(pdev, "SYSLO"))` written again before the release.
  const releasedArg = expr.args[entry.object];
  const recomputed = releasedArg.k === 'id' ? assignedTextBefore(ctx, releasedArg.name, expr.s) : undefined;
  const sameComputation = recomputed === undefined ? [] : byCookie.filter((r) => {
    const written = r.argTexts[r.api.object as number];
    return written !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(written.trim()) && assignedTextBefore(ctx, written.trim(), r.site) === recomputed;
  });
  const pick = sameObject.length > 0 ? sameObject : sameComputation.length > 0 ? sameComputation : byCookie;
  if (pick.length === 0) return undefined;
  return pick.reduce((a, b) => (b.site > a.site ? b : a));
}
