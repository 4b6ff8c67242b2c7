// Path exploration: walks the control-flow graph of one function with an abstract state per path,
// merging identical states at each node, and moves each state across a node.

import type { CfgNode, SwitchLabels } from '../cir';
import { exprKey, hasEffects, keyRoot } from '../keys';
import { ALL, POS, Z, cloneState, initialState, isLive, stateKey, type Res, type State } from '../state';
import { setMask, type AnalyzeLimits, type AnalyzerContext, type FunctionAnalysis, type Value } from './context';
import { NAMED_CONSTANT, condition, constantFact, exclusionFact, knownConstant, noteNamedConstant } from './conditions';
import { evaluate } from './expressions';
import { leaveFunction, report, reportInconsistentPaths } from './report';
import { dropLocksHeldByContract } from './locks';

export function explorePaths(ctx: AnalyzerContext, limits: AnalyzeLimits): FunctionAnalysis {
  const nodes = ctx.fn.nodes;
  const seen = new Map<number, Set<string>>();
  const work: [number, State][] = [[ctx.fn.entry, initialState()]];
  let visits = 0;
  let incomplete = false;
  while (work.length > 0) {
    const item = work.pop();
    if (!item) break;
    const [id] = item;
    let state = item[1];
    if (id < 0 || id >= nodes.length) continue;
    let set = seen.get(id);
    if (!set) {
      set = new Set();
      seen.set(id, set);
    }
    if (set.size >= limits.widenAfter && state.masks.size > 0) state = widen(ctx, state);
    const key = stateKey(state);
    if (set.has(key)) continue;
    set.add(key);
    if (++visits > limits.maxVisits) {
      incomplete = true;
      break;
    }
    for (const [next, nextState] of step(ctx, id, nodes[id], state)) work.push([next, nextState]);
  }
  for (const finding of ctx.escapedLeaks) if (finding.res && ctx.releasedWhileEscaped.has(finding.res.site)) report(ctx, finding);
  if (!incomplete) dropLocksHeldByContract(ctx);
  reportInconsistentPaths(ctx);
  return { findings: [...ctx.findings.values()], incomplete, visits, releaseSites: ctx.releaseSites };
}

/** Keeps what the path holds and forgets what it knew of values, except what decides an acquire. */
export function widen(ctx: AnalyzerContext, state: State): State {
  const next = cloneState(state);
  // Conditions tested again (`if (rtc->data->has_pclk)` before the enable and in the unwind) and named
  // constants held by locals (`if (op == IOAT_OP_XOR)`) stay known: they select the unwind.
  // The value that decided a conditional acquire is kept: the unwind tests it again (`if (!clk_ret) clk_disable_unprepare(clk)`).
  // Flags, and values the function tests more than once (`if (rtc->data->has_pclk)`), stay known too.
  const correlated = (key: string) => ctx.flags.has(key) || (ctx.conditionTexts.get(key) ?? 0) >= 2;
  // A lock held through a pointer (`spin_lock(&qhp->lock)`) keeps the pointer known non-null: the
  // unlock that tests it (`if (qhp && ...) spin_unlock(&qhp->lock)`) must still be taken.
  const lockRoots = new Set(next.res.filter((r) => isLive(r) && r.api.kind === 'lock').flatMap((r) => r.names.map(keyRoot)));
  for (const key of [...next.masks.keys()]) if (!correlated(key) && !lockRoots.has(key) && !next.res.some((r) => r.condVar === key || (isLive(r) && r.decidedBy === key))) next.masks.delete(key);
  return next;
}

export function step(ctx: AnalyzerContext, id: number, node: CfgNode, state: State): [number, State][] {
  switch (node.k) {
    case 'nop':
      return [[node.next, state]];
    case 'stop':
      // `die("Oops", regs, sr)`, `LBUG()`: the path ends here, so the labels it would fall into are not reached from it.
      return [];
    case 'eval':
      if (!hasEffects(node.expr) && !state.res.some((r) => r.status === 'released')) return [[node.next, state]];
      return [[node.next, evaluate(ctx, node.expr, cloneState(state)).state]];
    case 'decl': {
      let next = cloneState(state);
      forget(ctx, next, node.name);
      if (node.init) {
        const result = evaluate(ctx, node.init, next);
        next = result.state;
        bind(ctx, next, node.name, result.value);
        noteNamedConstant(ctx, next, node.name, node.init);
      }
      if (node.scoped) next.res = next.res.filter((r) => !r.names.includes(node.name));
      return [[node.next, next]];
    }
    case 'branch': {
      const outcomes = condition(ctx, node.cond, cloneState(state));
      const written = node.cond.e > node.cond.s ? ctx.text.slice(node.cond.s, node.cond.e).replace(/\s+/g, ' ') : '';
      const shown = written.length > 60 ? `${written.slice(0, 57)}...` : written;
      if (shown !== '') for (const [s, truth] of outcomes) s.trail = { s: node.cond.s, e: node.cond.e, text: `if (${shown}) ${truth ? 'taken' : 'not taken'}`, prev: s.trail };
      return outcomes.map(([s, truth]) => [truth ? node.t : node.f, s]);
    }
    case 'choice': {
      if (node.switchOn) return switchTargets(node.targets, node.switchOn, state);
      if (node.key === '') return node.targets.map((t) => [t, state]);
      const decided = state.conds.get(node.key);
      if (decided !== undefined && decided < node.targets.length) return [[node.targets[decided], state]];
      return node.targets.map((t, i) => {
        const next = cloneState(state);
        next.conds.set(node.key, i);
        return [t, next];
      });
    }
    case 'goto': {
      const lastGoto = state.res.some(isLive) ? id : -1;
      const next = cloneState(state);
      next.lastGoto = lastGoto;
      next.trail = { s: node.s, e: node.e, text: `goto ${node.label}`, prev: state.trail };
      return [[node.next, next]];
    }
    case 'reassign': {
      // An unknown iterator macro assigns its cursor arguments, not the container it walks: a name
      // through which the path holds a lock (`bond_for_each_slave(bond, ...)` under `bond->lock`) is the container.
      const next = cloneState(state);
      const lockedThrough = (name: string) => next.res.some((r) => isLive(r) && r.api.kind === 'lock' && r.names.some((n) => n !== name && keyRoot(n) === name));
      // Nor is an object the path allocated or took before the loop (`for_each_sgtable_dma_sg(sgt, sg, i)` after `sgt = kzalloc(...)`).
      const heldBefore = (name: string) => next.res.some((r) => isLive(r) && r.tracked && r.site < node.at && r.names.includes(name));
      for (const name of node.names) if (!lockedThrough(name) && !heldBefore(name)) forget(ctx, next, name);
      return [[node.next, next]];
    }
    case 'iter':
      return iterate(ctx, node, cloneState(state));
    case 'return':
      leaveFunction(ctx, node, cloneState(state));
      return [];
  }
}

export function iterate(ctx: AnalyzerContext, node: CfgNode & { k: 'iter' }, state: State): [number, State][] {
  const entry = ctx.table.byName.get(node.call.callee);
  const loopExpr = entry?.loopVar !== undefined ? node.call.args[entry.loopVar] : undefined;
  const loopVar = loopExpr ? exprKey(loopExpr) : undefined;
  if (!entry || loopVar === undefined) return [[node.body, state], [node.exit, state]];
  const kept: Res[] = [];
  for (const res of state.res) {
    if (res.iterator && res.site === node.call.s) {
      if (res.status === 'released' && !res.releasedByConsume && res.releaseSite !== undefined) {
        report(ctx, {
          kind: 'double-release',
          start: res.releaseSite,
          end: res.releaseEnd ?? res.releaseSite,
          message: `${res.releaseApi ?? 'the release'}(${loopVar}) inside ${entry.name}() drops a reference the iterator drops again on the next iteration`,
          related: [{ start: node.call.s, end: node.call.e, message: `${entry.name}() puts ${loopVar} when it advances` }],
        });
      }
      continue;
    }
    kept.push(res);
  }
  state.res = kept;
  forget(ctx, state, loopVar);
  const exit = cloneState(state);
  exit.masks.set(loopVar, Z);
  const body = state;
  body.masks.set(loopVar, POS);
  body.res.push({
    site: node.call.s,
    siteEnd: node.call.e,
    api: entry,
    family: entry.families[0],
    names: [loopVar],
    status: 'held',
    okMask: ALL,
    local: true,
    iterator: true,
    tracked: true,
    gotoAtAcquire: state.lastGoto,
    trailAtAcquire: state.trail,
    argTexts: node.call.args.map((a) => ctx.text.slice(a.s, a.e)),
  });
  return [[node.body, body], [node.exit, exit]];
}

/**
 * `switch (mode)` where the path has already chosen a case of `mode` (an earlier switch on it, or
 * `mode = HWLOCK_RAW`): only the matching case runs, or the default when no case matches; after a
 * default, the cases it excluded are not taken. Each target taken records what it showed of `mode`.
 */
function switchTargets(targets: number[], labels: SwitchLabels, state: State): [number, State][] {
  const cases = labels.labels.filter((l) => l !== 'default');
  // A named constant the path assigned is unequal to every other named label, not to a number.
  const named = cases.every((l) => NAMED_CONSTANT.test(l));
  const known = cases.find((l) => state.conds.has(constantFact(labels.subject, l))) ?? (named ? knownConstant(labels.subject, state) : undefined);
  const out: [number, State][] = [];
  targets.forEach((target, i) => {
    const label = labels.labels[i];
    if (label === 'default') {
      if (known !== undefined && cases.includes(known)) return;
      const next = cloneState(state);
      for (const c of cases) next.conds.set(exclusionFact(labels.subject, c), 1);
      out.push([target, next]);
      return;
    }
    if (known !== undefined ? known !== label : state.conds.has(exclusionFact(labels.subject, label))) return;
    const next = cloneState(state);
    next.conds.set(constantFact(labels.subject, label), 1);
    out.push([target, next]);
  });
  return out;
}

/** Forgets the conditions and constants the path knew of `name` (`i++`, `mode = x`). */
export function forgetFacts(state: State, name: string): void {
  if (state.conds.size === 0) return;
  const word = new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '\\$&')}([^A-Za-z0-9_]|$)`);
  for (const key of [...state.conds.keys()]) if (!key.startsWith('#') && word.test(key)) state.conds.delete(key);
}

/** Forgets what the path knew under `name` because it is assigned a new value. */
export function forget(ctx: AnalyzerContext, state: State, name: string): void {
  const prefixArrow = `${name}->`;
  const prefixDot = `${name}.`;
  for (const key of [...state.masks.keys()]) if (key === name || key.startsWith(prefixArrow) || key.startsWith(prefixDot)) state.masks.delete(key);
  forgetFacts(state, name);
  let changed = false;
  const res: Res[] = [];
  const through = (n: string) => n === name || n.startsWith(prefixArrow) || n.startsWith(prefixDot);
  for (const r of state.res) {
    if (!r.names.some(through) && r.condVar !== name && r.escapeUndo?.value !== name) {
      res.push(r);
      continue;
    }
    changed = true;
    if (r.escapeUndo?.value === name && !r.names.some(through) && r.condVar !== name) {
      res.push({ ...r, escapeUndo: undefined });
      continue;
    }
    // `p->field` names another object once `p` points elsewhere.
    const names = r.names.filter((n) => !through(n));
    if (!isLive(r) && names.length === 0) continue;
    // A lock known by no name any more (`chan = fdev->chan[i]` in the unwind loop that unlocks it)
    // cannot be matched with its unlock: the path stops judging it rather than report it.
    if (names.length === 0 && r.api.kind === 'lock') continue;
    const updated: Res = { ...r, names };
    if (r.escapeUndo?.value === name) updated.escapeUndo = undefined;
    if (r.condVar === name) {
      // The value that decided the acquire is gone; the path may hold it.
      updated.condVar = undefined;
      if (r.status === 'cond') updated.status = 'held';
    }
    res.push(updated);
  }
  if (changed) state.res = res;
}

/** Binds a local variable to a value: it aliases what the value names. */
export function bind(ctx: AnalyzerContext, state: State, name: string, value: Value): void {
  const key = value.key;
  const mask = value.mask ?? (key !== undefined ? state.masks.get(key) : undefined);
  if (key !== undefined && key.startsWith('$')) state.masks.delete(key);
  if (key === undefined) {
    if (mask !== undefined) setMask(ctx, state, name, mask);
    return;
  }
  const temp = key.startsWith('$');
  // `cmd = cmds[x]` reads some element: not the one a release of `cmds[]` dropped before.
  const someElement = key.includes('[]');
  state.res = state.res.map((r) => {
    const named = r.names.includes(key) && !(someElement && !isLive(r));
    const decides = r.condVar === key;
    const undoes = temp && r.escapeUndo?.value === key;
    if (!named && !decides && !undoes) return r;
    const updated: Res = { ...r };
    if (named) updated.names = temp ? r.names.map((n) => (n === key ? name : n)) : [...r.names, name];
    if (named && temp) updated.local = true;
    if (decides && temp) updated.condVar = name;
    if (undoes && r.escapeUndo) updated.escapeUndo = { ...r.escapeUndo, value: name };
    return updated;
  });
  if (mask !== undefined) setMask(ctx, state, name, mask);
  if (ctx.fn.scopedLocals.has(name)) state.res = state.res.filter((r) => !r.names.includes(name));
}
