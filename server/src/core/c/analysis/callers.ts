// What the callers of a function in the same file release for it. A function that enables a device
// and fails may leave the disable to its caller (`cxl_configure_adapter()` returns an error and
// `cxl_pci_init_adapter()` calls `pci_disable_device()`), and a helper that returns locked on success
// may leave the unlock to its callers (`hisi_sas_controller_prereset()` and the reset that follows).
// Facts are gathered once per file from every call of a function of the file, and keyed by family
// (its lock class for locks), the parameter the object is reached from, and the member path after it.

import type { ApiTable } from '../apiTable';
import type { CFunction, CfgNode, Expr } from '../cir';
import { exprKey, keyRoot, subexpressions, uncast } from '../keys';
import type { Res } from '../state';
import { lockClass } from './locks';
import type { Summaries } from './summaries';

export interface CallerReleases {
  /**
   * Released on the failure side of every call that tests the function's result, as
   * `class|param|suffix`; undefined when no call of the file tests it.
   */
  onFailure?: Set<string>;
  /** Released after every call of the file, on some path from the call. */
  afterCall: Set<string>;
}

/** Nodes a caller walks from a call before it stops looking for a release. */
const WALK_LIMIT = 80;

function callsIn(expr: Expr | undefined, out: (Expr & { k: 'call' })[]): void {
  if (!expr) return;
  if (expr.k === 'call') out.push(expr);
  for (const sub of subexpressions(expr)) callsIn(sub, out);
}

function nodeExpr(node: CfgNode): Expr | undefined {
  if (node.k === 'eval') return node.expr;
  if (node.k === 'decl') return node.init;
  if (node.k === 'branch') return node.cond;
  if (node.k === 'return') return node.expr;
  return undefined;
}

function successors(node: CfgNode): number[] {
  switch (node.k) {
    case 'branch':
      return [node.t, node.f];
    case 'choice':
      return node.targets;
    case 'iter':
      return [node.body, node.exit];
    case 'return':
    case 'stop':
      return [];
    default:
      return [node.next];
  }
}

/** Releases (`class|root|key`) on the paths from `start` to the next returns. */
function releasesFrom(fn: CFunction, start: number, table: ApiTable, summaries: Summaries): { cls: string; key: string }[] {
  const out: { cls: string; key: string }[] = [];
  const seen = new Set<number>();
  const queue = [start];
  while (queue.length > 0 && seen.size < WALK_LIMIT) {
    const id = queue.shift() as number;
    if (id < 0 || seen.has(id)) continue;
    seen.add(id);
    const node = fn.nodes[id];
    if (!node) continue;
    const calls: (Expr & { k: 'call' })[] = [];
    callsIn(nodeExpr(node), calls);
    for (const call of calls) {
      const entry = table.byName.get(call.callee);
      if (entry) {
        if (entry.effect !== 'release' || typeof entry.object !== 'number') continue;
        const key = call.args[entry.object] ? exprKey(call.args[entry.object]) : undefined;
        if (key !== undefined) for (const family of entry.families) out.push({ cls: lockClass(family), key });
        continue;
      }
      for (const release of summaries.get(call.callee)?.releases ?? []) {
        const arg = call.args[release.param];
        const key = arg && !release.container ? exprKey(arg) : undefined;
        if (key !== undefined) out.push({ cls: lockClass(release.entry.families[0]), key: `${key}${release.suffix}` });
      }
    }
    queue.push(...successors(node));
  }
  return out;
}

/** Which side of a test of a call's result is the failure: `if (ret)`, `if (ret < 0)`, `if (!p)`, `if (IS_ERR(p))`. */
function failureSide(cond: Expr, result: (e: Expr) => boolean, pointer: boolean): 't' | 'f' | undefined {
  const e = uncast(cond);
  if (e.k === 'assign' && e.op === '=') return result(e.right) || result(e.left) ? failureSide(e.right, (x) => result(x) || x === e.right, pointer) : undefined;
  if (result(e)) return pointer ? 'f' : 't';
  if (e.k === 'unary' && e.op === '!' && result(e.arg)) return pointer ? 't' : 'f';
  if (e.k === 'call' && /^(IS_ERR|IS_ERR_OR_NULL|unlikely|WARN_ON)$/.test(e.callee) && e.args[0]) return e.callee.startsWith('IS_ERR') && result(e.args[0]) ? 't' : failureSide(e.args[0], result, pointer);
  if (e.k === 'bin' && result(e.left) && e.right.k === 'num' && e.right.value === 0) {
    if (e.op === '<' || e.op === '!=') return 't';
    if (e.op === '>=' || e.op === '==') return 'f';
  }
  return undefined;
}

function isCallOf(e: Expr, call: Expr): boolean {
  const inner = uncast(e);
  return inner === call;
}

/** The keys released on the failure side of a test of the call at `nodeId`, or undefined when the call's result is not tested there. */
function failureReleases(fn: CFunction, nodeId: number, call: Expr & { k: 'call' }, callee: CFunction, table: ApiTable, summaries: Summaries) {
  const node = fn.nodes[nodeId];
  let result: ((e: Expr) => boolean) | undefined;
  let testAt = -1;
  if (node.k === 'branch') {
    result = (e) => isCallOf(e, call);
    testAt = nodeId;
  } else {
    const variable = node.k === 'decl' && node.init && isCallOf(node.init, call) ? node.name : node.k === 'eval' && node.expr.k === 'assign' && node.expr.op === '=' && isCallOf(node.expr.right, call) ? exprKey(node.expr.left) : undefined;
    if (variable === undefined) return undefined;
    result = (e) => exprKey(e) === variable;
    let at = node.k === 'decl' || node.k === 'eval' ? node.next : -1;
    for (let step = 0; step < 4 && at >= 0; step++) {
      const next = fn.nodes[at];
      if (next.k === 'branch') {
        testAt = at;
        break;
      }
      if (next.k !== 'nop' && next.k !== 'eval' && next.k !== 'decl') break;
      at = next.next;
    }
  }
  const test = testAt >= 0 ? fn.nodes[testAt] : undefined;
  if (!test || test.k !== 'branch') return undefined;
  const side = failureSide(test.cond, result, callee.returnsPointer);
  if (side === undefined) return undefined;
  return releasesFrom(fn, side === 't' ? test.t : test.f, table, summaries);
}

/** `class|param|suffix` for each release whose key starts at one of the call's arguments. */
function byParameter(call: Expr & { k: 'call' }, releases: { cls: string; key: string }[]): Set<string> {
  const out = new Set<string>();
  call.args.forEach((arg, param) => {
    const key = exprKey(arg);
    if (key === undefined) return;
    for (const r of releases) {
      if (r.key === key) out.add(`${r.cls}|${param}|`);
      else if (r.key.startsWith(key) && /^(->|\.)/.test(r.key.slice(key.length))) out.add(`${r.cls}|${param}|${r.key.slice(key.length).replace(/^\./, '->')}`);
    }
  });
  return out;
}

function intersect(a: Set<string> | undefined, b: Set<string>): Set<string> {
  return a === undefined ? b : new Set([...a].filter((x) => b.has(x)));
}

/**
 * Caller facts of the functions of one file, computed for a function only when one of its findings
 * asks (most functions never have one), and then kept.
 */
export class CallerFacts {
  private readonly byName: Map<string, CFunction>;
  private readonly known = new Map<string, CallerReleases | undefined>();

  constructor(
    private readonly functions: CFunction[],
    private readonly table: ApiTable,
    private readonly summaries: Summaries,
  ) {
    this.byName = new Map(functions.map((fn) => [fn.name, fn]));
  }

  get(name: string): CallerReleases | undefined {
    if (!this.known.has(name)) this.known.set(name, this.compute(name));
    return this.known.get(name);
  }

  private compute(name: string): CallerReleases | undefined {
    const callee = this.byName.get(name);
    if (!callee) return undefined;
    let onFailure: Set<string> | undefined;
    let afterCall: Set<string> | undefined;
    for (const fn of this.functions) {
      if (fn === callee || !fn.calls.some((c) => c.callee === name)) continue;
      fn.nodes.forEach((node, nodeId) => {
        const calls: (Expr & { k: 'call' })[] = [];
        callsIn(nodeExpr(node), calls);
        for (const call of calls) {
          if (call.callee !== name) continue;
          const failure = failureReleases(fn, nodeId, call, callee, this.table, this.summaries);
          if (failure !== undefined) onFailure = intersect(onFailure, byParameter(call, failure));
          const after = successors(node).flatMap((next) => releasesFrom(fn, next, this.table, this.summaries));
          afterCall = intersect(afterCall, byParameter(call, after));
        }
      });
    }
    return afterCall === undefined ? undefined : { onFailure, afterCall };
  }
}

/** The `class|param|suffix` keys under which a caller would release `res` for `fn`. */
export function callerKeys(fn: CFunction, res: Res): string[] {
  const out: string[] = [];
  for (const name of res.names) {
    const root = keyRoot(name);
    const param = fn.params.indexOf(root);
    if (param < 0) continue;
    for (const family of res.api.families) out.push(`${lockClass(family)}|${param}|${name.slice(root.length).replace(/^\./, '->')}`);
  }
  return out;
}

/** Every caller of the file that tests `fn`'s failure releases `res` then. */
export function releasedByCallersOnFailure(callers: CallerFacts | undefined, fn: CFunction, res: Res): boolean {
  const failure = callers?.get(fn.name)?.onFailure;
  if (failure === undefined || failure.size === 0) return false;
  return callerKeys(fn, res).some((k) => failure.has(k));
}

/** Every call of `fn` in the file is followed by a release of `res`. */
export function releasedByCallersAfterCall(callers: CallerFacts | undefined, fn: CFunction, res: Res): boolean {
  const after = callers?.get(fn.name)?.afterCall;
  if (after === undefined || after.size === 0) return false;
  return callerKeys(fn, res).some((k) => after.has(k));
}
