// Path-sensitive analysis of one C function: explores the control-flow graph with an abstract state
// per path (what it holds, what it knows of values), merging identical states at each node, and
// reports what a feasible path still holds at a return, releases twice, or uses after release.

import type { ApiEntry, ApiTable } from './apiTable';
import type { CFunction, CfgNode, Expr } from './cir';
import { derivedMentions, exprKey, hasEffects, identifiersIn, keyRoot, pointerMentions, rootName, storeMentions } from './keys';
import { ALL, NEG, POS, Z, cloneState, initialState, isLive, resMatches, stateKey, type Res, type State } from './state';
import type { FindingKind } from './findings';
import { releaseEnding, useAfterReleaseMessage, type PointerUse } from './releasedUse';
import { DEVICE_ACTION, EMBEDS, IN_PLACE_INIT, LOCK_HELPER, QUESTION, RELEASE_LIKE, STORE_LIKE, SUCCESS_FLAG_RESULT, UNLOCK_LIKE } from './callRoles';

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

/** A function named as a value (`(void (*)(void *))clk_disable_unprepare`). */
function calleeName(expr: Expr): string | undefined {
  if (expr.k === 'id') return expr.name;
  if (expr.k === 'cast' || (expr.k === 'unary' && expr.op === '&')) return calleeName(expr.arg);
  return undefined;
}

/** The structure whose member's address an argument passes (`p` for `&p->hp`): the callee can reach `p` from it. */
function memberOwner(expr: Expr, out: string[]): void {
  if (expr.k === 'cast') memberOwner(expr.arg, out);
  else if (expr.k === 'unary' && expr.op === '&' && expr.arg.k === 'field' && expr.arg.arrow && expr.arg.base.k === 'id') out.push(expr.arg.base.name);
}

/** The identifiers an argument passes as a whole pointer: `p` or `(void *)p`. */
function directMentions(expr: Expr, out: string[]): void {
  if (expr.k === 'id') out.push(expr.name);
  else if (expr.k === 'cast') directMentions(expr.arg, out);
}


const ERROR_TESTS: Record<string, { arg: number; mask: number }> = {
  IS_ERR: { arg: 0, mask: NEG },
  IS_ERR_OR_NULL: { arg: 0, mask: Z | NEG },
  IS_ERR_VALUE: { arg: 0, mask: NEG },
  dma_mapping_error: { arg: 1, mask: NEG },
};
const TRANSPARENT_TESTS = new Set(['likely', 'unlikely', 'WARN_ON', 'WARN_ON_ONCE', 'WARN', 'WARN_ONCE', 'unlikely_if', 'BUG_ON']);

const PREDICATE = /^(is_|has_|list_empty|hlist_empty|test_bit|IS_ENABLED|IS_BUILTIN|[a-z0-9_]*_(is|has|enabled|empty|present|supported|valid|capable)(_[a-z0-9]+)?$)/;

/** A condition whose only calls are predicates with no effects (`list_empty(...)`, `is_x(...)`). */
function isPredicate(expr: Expr): boolean {
  switch (expr.k) {
    case 'call':
      return PREDICATE.test(expr.callee) && expr.args.every((a) => !hasEffects(a) || isPredicate(a));
    case 'assign':
      return false;
    case 'unary':
      return expr.op !== '++' && expr.op !== '--' && isPredicate(expr.arg);
    case 'cast':
      return isPredicate(expr.arg);
    case 'bin':
      return isPredicate(expr.left) && isPredicate(expr.right);
    case 'field':
      return isPredicate(expr.base);
    case 'index':
      return isPredicate(expr.base) && isPredicate(expr.index);
    case 'cond':
      return isPredicate(expr.test) && isPredicate(expr.then) && isPredicate(expr.other);
    case 'other':
      return expr.kids.every(isPredicate);
    default:
      return true;
  }
}

function initialMask(entry: ApiEntry): number {
  switch (entry.when) {
    case 'nonnull':
      return Z | POS;
    case 'not-err':
    case 'dma-ok':
      return NEG | POS;
    case 'zero':
      return Z | NEG;
    case 'nonzero':
      return Z | POS;
    default:
      return ALL;
  }
}

function okMask(entry: ApiEntry): number {
  switch (entry.when) {
    case 'nonnull':
    case 'nonzero':
      return NEG | POS;
    case 'not-err':
    case 'not-err-or-null':
    case 'positive':
    case 'dma-ok':
      return POS;
    case 'zero':
      return Z;
    default:
      return ALL;
  }
}

interface Value {
  key?: string;
  mask?: number;
}

type Outcome = [State, boolean];

export class FunctionAnalyzer {
  private readonly findings = new Map<string, RawFinding>();
  /** `family|key` pairs that some call in the function releases. */
  private readonly releasedAnywhere = new Set<string>();
  /** Error returns by path: the return, the last goto taken while holding something (-1 if none), and what is held. */
  private readonly errorReturns: { node: CfgNode & { k: 'return' }; via: number; held: Res[] }[] = [];
  /** Condition texts, and identifiers, by how many branches test them: facts tested once are not kept. */
  private readonly conditionTexts = new Map<string, number>();
  private readonly testedNames = new Map<string, number>();
  private readonly returnedNames = new Set<string>();
  private readonly releaseSites = new Map<number, boolean>();
  private readonly lockFamilies = new Set<string>();
  /** Families whose every acquire raises a count on an object the caller passes (`pm_runtime_get_sync(dev)`). */
  private readonly callerCountFamilies = new Set<string>();
  /** Acquire sites of escaped resources that some path released while they were escaped. */
  private readonly releasedWhileEscaped = new Set<number>();
  /** Leaks of escaped resources, reported only if the function undoes the escape elsewhere. */
  private readonly escapedLeaks: RawFinding[] = [];
  /** For each variable, the variables stored in its fields (`mdev->type = type`), anywhere in the function. */
  private readonly storedInto = new Map<string, Set<string>>();

  constructor(
    private readonly fn: CFunction,
    private readonly table: ApiTable,
    private readonly text: string,
    private readonly acquiresAnnotated: Set<string>,
  ) {
    for (const node of fn.nodes) {
      if (node.k !== 'branch' || node.cond.e <= node.cond.s) continue;
      // Count each operand of && and || too: `if (a == 2 || a == 4)` tests `a == 2` on its own.
      const operands: Expr[] = [node.cond];
      for (let i = 0; i < operands.length; i++) {
        const operand = operands[i];
        if (operand.k === 'bin' && (operand.op === '&&' || operand.op === '||')) operands.push(operand.left, operand.right);
        else if (operand.k === 'unary' && operand.op === '!') operands.push(operand.arg);
        if (operand.e <= operand.s) continue;
        const conditionText = text.slice(operand.s, operand.e).replace(/\s+/g, '');
        this.conditionTexts.set(conditionText, (this.conditionTexts.get(conditionText) ?? 0) + 1);
      }
      for (const name of identifiersIn(node.cond)) this.testedNames.set(name, (this.testedNames.get(name) ?? 0) + 1);
    }
    for (const node of fn.nodes) if (node.k === 'return' && node.expr) for (const name of identifiersIn(node.expr)) this.returnedNames.add(name);
    this.collectMemberAliases();
    this.collectStoredInto();
    for (const entry of table.byName.values()) if (entry.effect === 'acquire' && entry.kind === 'lock') for (const f of entry.families) this.lockFamilies.add(f);
    this.collectCallerCountFamilies();
    for (const call of fn.calls) {
      const entry = table.byName.get(call.callee);
      if (!entry) continue;
      if (entry.effect === 'release') {
        const key = entry.object === 'none' ? `@${entry.families[0]}` : typeof entry.object === 'number' && call.args[entry.object] ? exprKey(call.args[entry.object]) : undefined;
        if (key !== undefined) for (const family of entry.families) this.releasedAnywhere.add(`${family}|${this.canonical(key)}`);
      } else if (entry.effect === 'acquire' && entry.consumes !== undefined && call.args[entry.consumes]) {
        const key = exprKey(call.args[entry.consumes]);
        if (key !== undefined) this.releasedAnywhere.add(`${entry.families[0]}|${key}`);
      }
    }
  }

  run(limits: AnalyzeLimits): FunctionAnalysis {
    const nodes = this.fn.nodes;
    const seen = new Map<number, Set<string>>();
    const work: [number, State][] = [[this.fn.entry, initialState()]];
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
      if (set.size >= limits.widenAfter && (state.masks.size > 0 || state.conds.size > 0)) state = this.widen(state);
      const key = stateKey(state);
      if (set.has(key)) continue;
      set.add(key);
      if (++visits > limits.maxVisits) {
        incomplete = true;
        break;
      }
      for (const [next, nextState] of this.step(id, nodes[id], state)) work.push([next, nextState]);
    }
    for (const finding of this.escapedLeaks) if (finding.res && this.releasedWhileEscaped.has(finding.res.site)) this.report(finding);
    this.reportInconsistentPaths();
    return { findings: [...this.findings.values()], incomplete, visits, releaseSites: this.releaseSites };
  }

  private collectCallerCountFamilies(): void {
    const returnsObject = new Set<string>();
    for (const entry of this.table.byName.values()) {
      if (entry.effect !== 'acquire' || entry.kind !== 'ref') continue;
      for (const family of entry.families) {
        if (typeof entry.object === 'number') this.callerCountFamilies.add(family);
        else returnsObject.add(family);
      }
    }
    for (const family of returnsObject) this.callerCountFamilies.delete(family);
  }

  /** Local pointers assigned once, to the address of a member: `dev = &stdev->dev` makes `dev` mean `stdev->dev`. */
  private readonly memberAliases = new Map<string, string>();

  private collectMemberAliases(): void {
    const assigned = new Map<string, number>();
    const targets = new Map<string, string>();
    const note = (name: string, value: Expr | undefined) => {
      assigned.set(name, (assigned.get(name) ?? 0) + 1);
      if (value && value.k === 'unary' && value.op === '&') {
        const key = exprKey(value.arg);
        if (key !== undefined && key !== name && keyRoot(key) !== name) targets.set(name, key);
      }
    };
    const visit = (expr: Expr): void => {
      if (expr.k === 'assign' && expr.left.k === 'id') note(expr.left.name, expr.op === '=' ? expr.right : undefined);
      if (expr.k === 'assign') visit(expr.right);
      if (expr.k === 'call') expr.args.forEach(visit);
    };
    for (const node of this.fn.nodes) {
      if (node.k === 'decl') {
        if (node.init) note(node.name, node.init);
      } else if (node.k === 'eval') visit(node.expr);
    }
    for (const [name, key] of targets) if (assigned.get(name) === 1 && this.fn.locals.has(name)) this.memberAliases.set(name, key);
  }

  private collectStoredInto(): void {
    const visit = (expr: Expr): void => {
      if (expr.k === 'assign') {
        let value = expr.right;
        while (value.k === 'cast') value = value.arg;
        const container = expr.left.k === 'field' ? rootName(expr.left) : undefined;
        if (container !== undefined && value.k === 'id' && value.name !== container) {
          const set = this.storedInto.get(container) ?? new Set<string>();
          set.add(value.name);
          this.storedInto.set(container, set);
        }
        visit(expr.right);
      } else if (expr.k === 'call') expr.args.forEach(visit);
    };
    for (const node of this.fn.nodes) if (node.k === 'eval') visit(node.expr);
  }

  /** The canonical key of an object: through a member alias (`dev` for `&stdev->dev`) when there is one. */
  private canonical(key: string): string {
    const root = keyRoot(key);
    const target = this.memberAliases.get(root);
    if (target === undefined) return key;
    if (key === root) return target;
    if (key.startsWith(`${root}->`)) return `${target}.${key.slice(root.length + 2)}`;
    return key;
  }

  /** Whether a fact about `key` can matter later: its variable is tested again, or it decides an acquire. */
  private keepMask(state: State, key: string): boolean {
    if (key.startsWith('$')) return true;
    const root = /^[*]?([A-Za-z_][A-Za-z0-9_]*)/.exec(key);
    if (root && ((this.testedNames.get(root[1]) ?? 0) >= 1 || this.returnedNames.has(root[1]))) return true;
    return state.res.some((r) => r.condVar === key);
  }

  private setMask(state: State, key: string, mask: number): void {
    if (this.keepMask(state, key)) state.masks.set(key, mask);
    else state.masks.delete(key);
  }

  /** Keeps what the path holds and forgets what it knew of values, except what decides an acquire. */
  private widen(state: State): State {
    const next = cloneState(state);
    next.conds.clear();
    for (const key of [...next.masks.keys()]) if (!next.res.some((r) => r.condVar === key)) next.masks.delete(key);
    return next;
  }

  // ------------------------------------------------------------------------------------------
  // Transfer functions

  private step(id: number, node: CfgNode, state: State): [number, State][] {
    switch (node.k) {
      case 'nop':
        return [[node.next, state]];
      case 'eval':
        if (!hasEffects(node.expr) && !state.res.some((r) => r.status === 'released')) return [[node.next, state]];
        return [[node.next, this.evaluate(node.expr, cloneState(state)).state]];
      case 'decl': {
        let next = cloneState(state);
        this.forget(next, node.name);
        if (node.init) {
          const result = this.evaluate(node.init, next);
          next = result.state;
          this.bind(next, node.name, result.value);
        }
        if (node.scoped) next.res = next.res.filter((r) => !r.names.includes(node.name));
        return [[node.next, next]];
      }
      case 'branch':
        return this.condition(node.cond, cloneState(state)).map(([s, truth]) => [truth ? node.t : node.f, s]);
      case 'choice': {
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
        if (lastGoto === state.lastGoto) return [[node.next, state]];
        const next = cloneState(state);
        next.lastGoto = lastGoto;
        return [[node.next, next]];
      }
      case 'reassign': {
        const next = cloneState(state);
        for (const name of node.names) this.forget(next, name);
        return [[node.next, next]];
      }
      case 'iter':
        return this.iterate(node, cloneState(state));
      case 'return':
        this.leaveFunction(node, cloneState(state));
        return [];
    }
  }

  private iterate(node: CfgNode & { k: 'iter' }, state: State): [number, State][] {
    const entry = this.table.byName.get(node.call.callee);
    const loopExpr = entry?.loopVar !== undefined ? node.call.args[entry.loopVar] : undefined;
    const loopVar = loopExpr ? exprKey(loopExpr) : undefined;
    if (!entry || loopVar === undefined) return [[node.body, state], [node.exit, state]];
    const kept: Res[] = [];
    for (const res of state.res) {
      if (res.iterator && res.site === node.call.s) {
        if (res.status === 'released' && !res.releasedByConsume && res.releaseSite !== undefined) {
          this.report({
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
    this.forget(state, loopVar);
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
      argTexts: node.call.args.map((a) => this.text.slice(a.s, a.e)),
    });
    return [[node.body, body], [node.exit, exit]];
  }

  /** Forgets what the path knew under `name` because it is assigned a new value. */
  private forget(state: State, name: string): void {
    const prefixArrow = `${name}->`;
    const prefixDot = `${name}.`;
    for (const key of [...state.masks.keys()]) if (key === name || key.startsWith(prefixArrow) || key.startsWith(prefixDot)) state.masks.delete(key);
    if (state.conds.size > 0) {
      const word = new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '\\$&')}([^A-Za-z0-9_]|$)`);
      for (const key of [...state.conds.keys()]) if (!key.startsWith('#') && word.test(key)) state.conds.delete(key);
    }
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
  private bind(state: State, name: string, value: Value): void {
    const key = value.key;
    const mask = value.mask ?? (key !== undefined ? state.masks.get(key) : undefined);
    if (key !== undefined && key.startsWith('$')) state.masks.delete(key);
    if (key === undefined) {
      if (mask !== undefined) this.setMask(state, name, mask);
      return;
    }
    const temp = key.startsWith('$');
    state.res = state.res.map((r) => {
      const named = r.names.includes(key);
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
    if (mask !== undefined) this.setMask(state, name, mask);
    if (this.fn.scopedLocals.has(name)) state.res = state.res.filter((r) => !r.names.includes(name));
  }

  /**
   * Marks live resources known under any of `names` as escaped (handed to a call or stored), or, for
   * `hard` escapes (returned to the caller), removes them from the path. `undo` is the result of the
   * storing call: where it turns out to be an error, the call did not store them.
   */
  private escape(state: State, names: string[], localOnly = false, hard = false, byCall = false, undo?: string): void {
    if (names.length === 0) return;
    const hit = (r: Res) => isLive(r) && r.api.kind !== 'lock' && (!localOnly || r.local) && r.names.some((n) => names.includes(n) || names.includes(keyRoot(n)));
    if (hard) state.res = state.res.filter((r) => !hit(r));
    else {
      state.res = state.res.map((r) => {
        if (!hit(r)) return r;
        const handedOnly = byCall && (r.handedOnly ?? !r.escaped);
        if (r.escaped && r.handedOnly === handedOnly && undo === undefined) return r;
        const escapeUndo = undo !== undefined ? { value: undo, escaped: r.escaped, handedOnly: r.handedOnly } : r.escapeUndo;
        return { ...r, escaped: true, handedOnly, escapeUndo };
      });
    }
  }

  /** `devm_add_action_or_reset(dev, clk_disable_unprepare, clk)`: the release runs when the device goes, so it is done. */
  private releaseByDeviceAction(expr: Expr & { k: 'call' }, state: State): void {
    const callback = expr.args.map(calleeName).find((name) => name !== undefined && this.table.byName.get(name)?.effect === 'release');
    const entry = callback !== undefined ? this.table.byName.get(callback) : undefined;
    const data = expr.args[expr.args.length - 1];
    if (!entry || entry.object !== 0 || !data) return;
    const key = exprKey(data);
    if (key === undefined) return;
    this.releaseKey(state, entry.families[0], entry.families, this.canonical(key), expr, entry, true);
  }

  // ------------------------------------------------------------------------------------------
  // Expressions

  private evaluate(expr: Expr, state: State): { state: State; value: Value } {
    switch (expr.k) {
      case 'num':
        return { state, value: { mask: expr.value === 0 ? Z : expr.value < 0 ? NEG : POS } };
      case 'null':
        return { state, value: { mask: Z } };
      case 'id':
        return { state, value: { key: expr.name } };
      case 'field': {
        const base = this.evaluate(expr.base, state);
        if (expr.arrow) this.checkUse(base.state, expr.base, expr);
        return { state: base.state, value: { key: exprKey(expr) } };
      }
      case 'index': {
        let s = this.evaluate(expr.base, state).state;
        s = this.evaluate(expr.index, s).state;
        this.checkUse(s, expr.base, expr);
        return { state: s, value: { key: exprKey(expr) } };
      }
      case 'cast':
        return this.evaluate(expr.arg, state);
      case 'unary': {
        const member = expr.op === '&' ? this.memberAddress(expr.arg, state) : undefined;
        if (member) return { state: member, value: { key: exprKey(expr) } };
        const inner = this.evaluate(expr.arg, state);
        if (expr.op === '*') {
          this.checkUse(inner.state, expr.arg, expr);
          return { state: inner.state, value: { key: exprKey(expr) } };
        }
        if (expr.op === '&') return { state: inner.state, value: { key: exprKey(expr) } };
        if (expr.op === '-') {
          if (expr.arg.k === 'id' && /^E[A-Z0-9]+$/.test(expr.arg.name)) return { state: inner.state, value: { mask: NEG } };
          if (expr.arg.k === 'num') return { state: inner.state, value: { mask: expr.arg.value === 0 ? Z : NEG } };
          return { state: inner.state, value: {} };
        }
        if (expr.op === '++' || expr.op === '--') {
          const key = exprKey(expr.arg);
          if (key !== undefined) inner.state.masks.delete(key);
        }
        return { state: inner.state, value: {} };
      }
      case 'bin': {
        const left = this.evaluate(expr.left, state);
        const right = this.evaluate(expr.right, left.state);
        return { state: right.state, value: {} };
      }
      case 'cond': {
        let s = this.evaluate(expr.test, state).state;
        const then = this.evaluate(expr.then, s);
        const other = this.evaluate(expr.other, then.state);
        s = other.state;
        const temp = [then.value.key, other.value.key].find((k) => k !== undefined && k.startsWith('$') && !k.startsWith('$u'));
        return { state: s, value: { key: temp ?? other.value.key ?? then.value.key } };
      }
      case 'assign':
        return this.assign(expr, state);
      case 'call':
        return this.call(expr, state);
      case 'other': {
        let s = state;
        for (const kid of expr.kids) s = this.evaluate(kid, s).state;
        return { state: s, value: {} };
      }
    }
  }

  /** `&p->member` or `&p[i]`: computes an address inside `p` without reading it. */
  private memberAddress(expr: Expr, state: State): State | undefined {
    if (expr.k === 'field' && expr.arrow) {
      const base = this.evaluate(expr.base, state).state;
      this.checkUse(base, expr.base, expr, 'address-taken');
      return base;
    }
    if (expr.k === 'index') {
      const s = this.evaluate(expr.index, this.evaluate(expr.base, state).state).state;
      this.checkUse(s, expr.base, expr, 'address-taken');
      return s;
    }
    return undefined;
  }

  private assign(expr: Expr & { k: 'assign' }, state: State): { state: State; value: Value } {
    const right = this.evaluate(expr.right, state);
    let s = right.state;
    const left = expr.left;
    if (left.k !== 'id') {
      if (left.k === 'field' || left.k === 'index') {
        s = this.evaluate(left.k === 'field' ? left.base : left.base, s).state;
        if (left.k === 'field' && left.arrow) this.checkUse(s, left.base, left);
        if (left.k === 'index') this.checkUse(s, left.base, left);
      } else if (left.k === 'unary' && left.op === '*') {
        this.checkUse(s, left.arg, left);
      }
    }
    const key = exprKey(left);
    const value = expr.op === '=' ? right.value : {};
    const local = left.k === 'id' && (this.fn.fragment || this.fn.locals.has(left.name));
    if (local && key !== undefined) {
      const carried = this.referencesPassedOn(expr, s, key);
      this.forget(s, key);
      this.bind(s, key, value);
      if (carried.length > 0) s.res = s.res.map((r) => (carried.includes(r.site) && isLive(r) && !r.names.includes(key) ? { ...r, names: [...r.names, key] } : r));
      if (expr.op === '=' && expr.right.k !== 'id') {
        const derived = derivedMentions(expr.right).filter((n) => n !== key);
        if (derived.length > 0) {
          s.res = s.res.map((r) => (isLive(r) && r.api.kind !== 'lock' && !r.names.includes(key) && r.names.some((n) => derived.includes(n)) ? { ...r, names: [...r.names, key] } : r));
        }
      }
      return { state: s, value: { key } };
    }
    // A store into a field, through a pointer or into a global: whatever it names escapes, except the
    // structure stored into (`r->devices = alloc_scope(&r->count)` keeps `r` where it was).
    const target = key !== undefined ? keyRoot(key) : undefined;
    const mentions = (expr.op === '=' ? storeMentions(expr.right) : []).filter((n) => n !== target);
    if (right.value.key !== undefined && right.value.key !== target) mentions.push(right.value.key);
    this.escape(s, mentions);
    if (key !== undefined && mentions.length > 0) this.noteStoredAs(s, mentions, this.canonical(key));
    if (key !== undefined) {
      s.res = s.res.filter((r) => isLive(r) || !r.names.includes(key));
      const stored = right.value.key;
      if (expr.op === '=' && stored !== undefined) {
        // The field now names the same object: a later test of it tells about the object too.
        s.res = s.res.map((r) => (isLive(r) && r.names.includes(stored) && !r.names.includes(key) ? { ...r, names: [...r.names, key] } : r));
      }
      s.masks.delete(key);
      const mask = value.mask ?? (value.key !== undefined ? s.masks.get(value.key) : undefined);
      if (mask !== undefined) this.setMask(s, key, mask);
    }
    return { state: s, value: { key } };
  }

  /**
   * `node = of_get_next_dma_parent(node)`: an unknown call handed the variable's object and assigned
   * back to it passes the reference on to what it returns (it puts the old one, gets the new one).
   */
  private referencesPassedOn(expr: Expr & { k: 'assign' }, state: State, key: string): number[] {
    const call = expr.right;
    if (expr.op !== '=' || call.k !== 'call' || this.table.byName.has(call.callee) || RELEASE_LIKE.test(call.callee)) return [];
    const handed: string[] = [];
    for (const arg of call.args) directMentions(arg, handed);
    if (!handed.includes(key)) return [];
    // Only the last name of the reference: with another variable still naming it, the call did not take it over.
    const otherLocal = (n: string) => n !== key && this.fn.locals.has(n) && !this.fn.params.includes(n);
    const lastName = (r: Res) => !r.names.some(otherLocal);
    return state.res.filter((r) => isLive(r) && r.api.kind === 'ref' && r.names.includes(key) && lastName(r)).map((r) => r.site);
  }

  /** Remembers the field a live resource was stored in, by a key that outlives the variables in it. */
  private noteStoredAs(state: State, mentions: string[], fieldKey: string): void {
    state.res = state.res.map((r) =>
      isLive(r) && r.api.kind !== 'lock' && !(r.storedAs ?? []).includes(fieldKey) && r.names.some((n) => mentions.includes(n) || mentions.includes(keyRoot(n)))
        ? { ...r, storedAs: [...(r.storedAs ?? []), fieldKey] }
        : r,
    );
  }

  private call(expr: Expr & { k: 'call' }, state: State): { state: State; value: Value } {
    let s = state;
    const argValues: Value[] = [];
    for (const arg of expr.args) {
      const result = this.evaluate(arg, s);
      s = result.state;
      argValues.push(result.value);
    }
    if (DEVICE_ACTION.test(expr.callee)) this.releaseByDeviceAction(expr, s);
    const entry = this.table.byName.get(expr.callee);
    if (!entry) return this.unknownCall(expr, s, argValues);
    this.checkTableCallUses(entry, expr, s);
    switch (entry.effect) {
      case 'acquire':
        return this.acquire(entry, expr, s, argValues);
      case 'release':
        this.release(entry, expr, s, false);
        return { state: s, value: {} };
      default:
        return { state: s, value: {} };
    }
  }

  private unknownCall(expr: Expr & { k: 'call' }, state: State, argValues: Value[]): { state: State; value: Value } {
    const callee = expr.callee;
    if (callee === 'ERR_PTR' || callee === 'PTR_ERR') return { state, value: { mask: NEG } };
    if (callee === 'PTR_ERR_OR_ZERO') return { state, value: { mask: Z | NEG } };
    if (callee in ERROR_TESTS || TRANSPARENT_TESTS.has(callee) || callee === 'sizeof') return { state, value: {} };
    const mentions: string[] = [];
    const temps: string[] = [];
    const inPlace = IN_PLACE_INIT.test(callee);
    const embeds = EMBEDS.test(callee) && !inPlace;
    expr.args.forEach((arg, i) => {
      if (embeds) pointerMentions(arg, mentions);
      else {
        directMentions(arg, mentions);
        if (!inPlace) memberOwner(arg, mentions);
      }
      const key = argValues[i].key;
      if (key !== undefined && key.startsWith('$')) temps.push(key);
      if (arg.k === 'id') this.checkUse(state, arg, arg, 'handed-to-unknown-call');
    });
    // A call may keep a pointer to a local object it is handed; it does not take over a caller's reference.
    if (callee === '' || (STORE_LIKE.test(callee) && !QUESTION.test(callee))) {
      const undo = callee !== '' && !SUCCESS_FLAG_RESULT.test(callee) ? `$u${expr.s}` : undefined;
      this.escape(state, [...mentions, ...temps], true, false, !embeds && callee !== '', undo);
    }
    if (RELEASE_LIKE.test(callee)) {
      // A helper that tears down what it is handed: what the path holds of those objects is dropped.
      const keys = new Set<string>(temps);
      const whole: string[] = [];
      for (const arg of expr.args) {
        const key = exprKey(arg);
        if (key !== undefined) keys.add(key);
        directMentions(arg, whole);
      }
      state.res = state.res.filter((r) => {
        const dropped = isLive(r) && r.api.kind !== 'lock' && r.names.some((n) => keys.has(n) || whole.includes(keyRoot(n)));
        if (dropped && r.escaped) this.releasedWhileEscaped.add(r.site);
        return !dropped;
      });
    }
    this.forgetReleasedFields(state, expr.args);
    const roots = new Set<string>();
    for (const arg of expr.args) for (const name of identifiersIn(arg)) roots.add(name);
    if (UNLOCK_LIKE.test(callee) && roots.size > 0) {
      // A helper that unlocks: whatever lock of the objects it is handed the path held is now dropped.
      state.res = state.res.filter((r) => !(isLive(r) && r.api.kind === 'lock' && r.names.some((n) => roots.has(keyRoot(n)))));
    }
    if (roots.size > 0 && state.res.some((r) => !isLive(r) && this.lockFamilies.has(r.family))) {
      // A helper handed the lock's owner may take the lock again: forget that this path dropped it.
      state.res = state.res.filter((r) => isLive(r) || !this.lockFamilies.has(r.family) || !r.names.some((n) => roots.has(keyRoot(n))));
    }
    else this.escape(state, temps);
    return { state, value: { key: `$u${expr.s}` } };
  }

  /**
   * A call handed `p` (or `&s`) may store new pointers in `p->field`: a release seen earlier through
   * such a field says nothing about what the field holds after the call.
   */
  private forgetReleasedFields(state: State, args: Expr[]): void {
    const prefixes: string[] = [];
    for (const arg of args) {
      const whole: string[] = [];
      directMentions(arg, whole);
      for (const name of whole) prefixes.push(`${name}->`);
      if (arg.k === 'unary' && arg.op === '&') {
        const key = exprKey(arg.arg);
        if (key !== undefined) prefixes.push(`${key}.`, `${key}->`);
      }
    }
    if (prefixes.length === 0 || !state.res.some((r) => !isLive(r))) return;
    const through = (n: string) => prefixes.some((p) => n.startsWith(p));
    state.res = state.res.flatMap((r) => {
      if (isLive(r) || !r.names.some(through)) return [r];
      const names = r.names.filter((n) => !through(n));
      return names.length > 0 ? [{ ...r, names }] : [];
    });
  }

  private acquire(entry: ApiEntry, expr: Expr & { k: 'call' }, state: State, argValues: Value[]): { state: State; value: Value } {
    // What an acquire is handed besides its object (a name, a handler's data) it may keep.
    // A lookup that returns a new reference (`of_get_child_by_name(node, ...)`) keeps none of its arguments.
    const lookup = entry.object === 'return' && entry.kind === 'ref';
    const handed: string[] = [];
    expr.args.forEach((arg, i) => {
      if (!lookup && i !== entry.object && i !== entry.consumes) directMentions(arg, handed);
    });
    this.escape(state, handed, true);
    if (entry.consumes !== undefined && expr.args[entry.consumes]) {
      const fromKey = exprKey(expr.args[entry.consumes]);
      if (fromKey !== undefined) this.releaseKey(state, entry.families[0], [entry.families[0]], fromKey, expr, entry, true);
    }
    const resultKey = `$${expr.s}`;
    let objectKey: string | undefined;
    if (entry.object === 'return') objectKey = resultKey;
    else if (entry.object === 'none') objectKey = `@${entry.families[0]}`;
    else if (expr.args[entry.object]) {
      const argKey = exprKey(expr.args[entry.object]);
      objectKey = argKey !== undefined ? this.canonical(argKey) : argValues[entry.object]?.key;
    }
    if (objectKey === undefined) return { state, value: { key: resultKey } };
    if (entry.kind === 'lock' || this.callerCountFamilies.has(entry.families[0])) {
      const debt = state.res.findIndex((r) => !r.tracked && r.status === 'released' && entry.families.includes(r.family) && r.names.includes(objectKey as string));
      if (debt >= 0) {
        // Re-taking a lock or a count the caller held and this function dropped: balanced.
        state.res = state.res.filter((_, i) => i !== debt);
        return { state, value: { key: resultKey } };
      }
    }
    const names = [objectKey];
    if (entry.returnsObject && objectKey !== resultKey) names.push(resultKey);
    if (entry.via !== undefined && expr.args[entry.via]) {
      const viaKey = exprKey(expr.args[entry.via]);
      if (viaKey !== undefined) names.push(viaKey);
    }
    // A new pass over the same call replaces the previous object unless the path still knows that one by another name.
    let kept = 0;
    state.res = state.res.filter((r) => {
      if (r.site !== expr.s) return true;
      const stillNamed = isLive(r) && !r.escaped && r.names.some((n) => n !== objectKey && /^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
      return stillNamed && kept++ === 0;
    });
    const conditional = entry.when !== 'always';
    state.res.push({
      site: expr.s,
      siteEnd: expr.e,
      api: entry,
      family: entry.families[0],
      names,
      status: conditional ? 'cond' : 'held',
      condVar: conditional ? resultKey : undefined,
      okMask: okMask(entry),
      local: entry.object === 'return',
      iterator: false,
      tracked: true,
      gotoAtAcquire: state.lastGoto,
      argTexts: expr.args.map((a) => this.text.slice(a.s, a.e)),
    });
    if (conditional) state.masks.set(resultKey, initialMask(entry));
    else if (entry.object === 'return') state.masks.set(resultKey, entry.when === 'always' ? ALL : initialMask(entry));
    return { state, value: { key: resultKey } };
  }

  private release(entry: ApiEntry, expr: Expr & { k: 'call' }, state: State, consume: boolean): void {
    let key: string | undefined;
    if (entry.object === 'none') key = `@${entry.families[0]}`;
    else if (typeof entry.object === 'number' && expr.args[entry.object]) key = exprKey(expr.args[entry.object]);
    if (key === undefined) return;
    key = this.canonical(key);
    this.releaseKey(state, entry.families[0], entry.families, key, expr, entry, consume);
    if (entry.freesContainer) {
      const root = keyRoot(key);
      if (key.startsWith(`${root}->`) || key.startsWith(`${root}.`)) {
        state.res = state.res.map((r) =>
          isLive(r) && r.api.kind === 'memory' && r.names.includes(root)
            ? { ...r, status: 'released', releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: true }
            : r,
        );
        this.releaseContents(state, root, key);
      }
    }
  }

  /**
   * The release callback that frees a structure drops what was stored in it: `put_device(&child->dev)`
   * puts the `child->bridge` reference, and the `type` reference of `mdev->type = type`.
   */
  private releaseContents(state: State, root: string, releasedKey: string): void {
    const contents = this.storedInto.get(root);
    const inside = (n: string) => n !== releasedKey && n !== root && (keyRoot(n) === root || (contents !== undefined && contents.has(keyRoot(n))));
    state.res = state.res.filter((r) => !(isLive(r) && r.api.kind !== 'lock' && r.names.some(inside)));
  }

  private releaseKey(state: State, family: string, families: string[], key: string, expr: Expr & { k: 'call' }, entry: ApiEntry, consume: boolean): void {
    const lockFamily = this.lockFamilies.has(family);
    let index = -1;
    for (let i = state.res.length - 1; i >= 0; i--) {
      const r = state.res[i];
      if (!families.includes(r.family) || !resMatches(r, key)) continue;
      if (index < 0 || (isLive(r) && !isLive(state.res[index]))) index = i;
    }
    const mask = state.masks.get(key);
    if (!consume) {
      const effective = index >= 0 && isLive(state.res[index]);
      this.releaseSites.set(expr.s, (this.releaseSites.get(expr.s) ?? false) || effective);
    }
    if (index < 0) {
      const lockDebt = !consume && lockFamily;
      const countDebt = !consume && !entry.frees && this.callerCountFamilies.has(family);
      if ((entry.frees || lockDebt || countDebt) && !consume && mask !== Z && !key.includes('[]')) {
        state.res.push({
          site: expr.s,
          siteEnd: expr.e,
          api: entry,
          family,
          names: [key],
          status: 'released',
          okMask: ALL,
          releaseSite: expr.s,
          releaseEnd: expr.e,
          releaseApi: entry.name,
          local: false,
          iterator: false,
          tracked: false,
          countDebt: countDebt || undefined,
          gotoAtAcquire: state.lastGoto,
          argTexts: [],
        });
      }
      return;
    }
    const res = state.res[index];
    // Dropping a caller's count twice is not tracked: the caller may hold more than one.
    if (res.countDebt) return;
    if (isLive(res) && res.escaped) this.releasedWhileEscaped.add(res.site);
    if (isLive(res)) {
      // A reference taken on an object the caller already refers to (`old = of_node_get(ipar)`): the
      // put drops the new reference, not the caller's, so only the name it was dropped through is released.
      const names = res.api.kind === 'ref' && !res.api.frees && res.api.returnsObject && typeof res.api.object === 'number' ? res.names.filter((n) => n !== res.names[0] || n === key) : res.names;
      state.res[index] = { ...res, names, status: 'released', releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: consume };
      return;
    }
    if (mask === Z) return;
    const lock = this.lockFamilies.has(res.family);
    if (res.status === 'failed') {
      if (lock) {
        this.report({
          kind: 'unbalanced-unlock',
          start: expr.s,
          end: expr.e,
          message: `${entry.name}(${key}) unlocks a lock this path did not get: ${res.api.name}() failed at line {line:${res.site}}`,
          related: [{ start: res.site, end: res.siteEnd, message: `${res.api.name}() did not take the lock on this path` }],
        });
      }
      return;
    }
    const ownReference = res.local || res.iterator || !res.tracked || res.api.kind === 'memory' || lock;
    if (res.status === 'released' && res.releaseSite !== undefined && res.releaseSite !== expr.s && ownReference) {
      const previous = res.releasedByConsume
        ? `${res.releaseApi}() already dropped it at line {line:${res.releaseSite}} (it consumes that argument)`
        : `it was already released at line {line:${res.releaseSite}}`;
      this.report({
        kind: lock ? 'unbalanced-unlock' : 'double-release',
        start: expr.s,
        end: expr.e,
        message: lock
          ? `${entry.name}(${key}) unlocks a lock that is not held: it was already unlocked at line {line:${res.releaseSite}}`
          : consume
            ? `${entry.name}() drops the reference to ${key} (it consumes that argument), but ${previous.replace('it was', 'it was')}`
            : `${entry.name}(${key}) releases ${key} again: ${previous}`,
        related: [{ start: res.releaseSite, end: res.releaseEnd ?? res.releaseSite, message: 'first release' }],
      });
      state.res[index] = { ...res, releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: consume };
    }
  }

  private checkUse(state: State, base: Expr, use: Expr, how: PointerUse = 'dereference'): void {
    let pointer = base;
    while (pointer.k === 'cast') pointer = pointer.arg;
    if (pointer.k !== 'id') return;
    const name = pointer.name;
    for (const res of state.res) {
      const ending = releaseEnding(res, name, state, how, this.lockFamilies);
      if (ending === undefined || res.releaseSite === undefined) continue;
      if (use.s < res.releaseSite && use.e > res.releaseSite) continue;
      const related = [{ start: res.releaseSite, end: res.releaseEnd ?? res.releaseSite, message: ending === 'freed' ? `${name} released here` : 'the reference is dropped here' }];
      if (ending === 'last-reference') related.push({ start: res.site, end: res.siteEnd, message: 'the reference was taken here' });
      this.report({ kind: 'use-after-release', start: use.s, end: use.e, message: useAfterReleaseMessage(name, res, ending, this.releaseText(res)), related });
    }
  }

  /** The release call as written (`put_device(&pdev->dev)`), or `api()` when the text is too long to quote. */
  private releaseText(res: Res): string {
    const start = res.releaseSite ?? -1;
    const end = res.releaseEnd ?? start;
    const written = start >= 0 && end > start ? this.text.slice(start, end).replace(/\s+/g, ' ') : '';
    return written.length > 0 && written.length <= 80 ? written : `${res.releaseApi ?? 'its release'}()`;
  }

  /**
   * A call the API table knows uses the objects it is handed, except the object a release drops and
   * the argument an acquire consumes: handing those again is a double release, reported as such.
   */
  private checkTableCallUses(entry: ApiEntry, expr: Expr & { k: 'call' }, state: State): void {
    if (!state.res.some((r) => r.status === 'released')) return;
    expr.args.forEach((arg, i) => {
      if ((entry.effect === 'release' && i === entry.object) || i === entry.consumes) return;
      this.checkUse(state, arg, arg);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Conditions

  private split(state: State, key: string, trueMask: number): Outcome[] {
    const mask = state.masks.get(key) ?? ALL;
    const outcomes: Outcome[] = [];
    const yes = mask & trueMask;
    const no = mask & ~trueMask & ALL;
    if (yes !== 0) outcomes.push([this.narrow(no !== 0 ? cloneState(state) : state, key, yes), true]);
    if (no !== 0) outcomes.push([this.narrow(yes !== 0 ? cloneState(state) : state, key, no), false]);
    return outcomes;
  }

  private narrow(state: State, key: string, mask: number): State {
    this.setMask(state, key, mask);
    let changed = false;
    const res: Res[] = [];
    for (const original of state.res) {
      let r = original;
      if (r.escapeUndo?.value === key && (mask === Z || (mask & Z) === 0)) {
        // The storing call's result is now known: an error means it stored nothing.
        const failed = (mask & Z) === 0;
        r = failed ? { ...r, escaped: r.escapeUndo.escaped, handedOnly: r.escapeUndo.handedOnly, escapeUndo: undefined } : { ...r, escapeUndo: undefined };
        changed = true;
      }
      if (mask === Z && r.status === 'held' && r.api.kind !== 'lock' && r.names.includes(key)) {
        // Nothing is held on a NULL object: `clk_prepare_enable(NULL)` enables nothing.
        changed = true;
        continue;
      }
      const alias = r.condVar !== undefined && r.names.includes(r.condVar) && r.names.includes(key);
      if (r.status !== 'cond' || (r.condVar !== key && !alias && !(r.api.testMember && r.condVar !== undefined && r.condVar + r.api.testMember === key))) {
        res.push(r);
        continue;
      }
      changed = true;
      if ((mask & r.okMask) === mask) res.push({ ...r, status: 'held', condVar: undefined });
      else if ((mask & r.okMask) === 0) {
        if (r.api.kind === 'lock') res.push({ ...r, status: 'failed', condVar: undefined });
      } else res.push(r);
    }
    if (changed) state.res = res;
    if (key.startsWith('$') && !state.res.some((r) => r.condVar === key || r.escapeUndo?.value === key)) state.masks.delete(key);
    return state;
  }

  private condition(expr: Expr, state: State): Outcome[] {
    switch (expr.k) {
      case 'num':
        return [[state, expr.value !== 0]];
      case 'null':
        return [[state, false]];
      case 'unary':
        if (expr.op === '!') return this.condition(expr.arg, state).map(([s, v]) => [s, !v]);
        break;
      case 'bin': {
        if (expr.op === '&&' || expr.op === '||') {
          const out: Outcome[] = [];
          for (const [s, v] of this.condition(expr.left, state)) {
            if (expr.op === '&&' ? !v : v) out.push([s, v]);
            else out.push(...this.condition(expr.right, s));
          }
          return out;
        }
        const compared = this.comparison(expr, state);
        if (compared) return compared;
        break;
      }
      case 'call': {
        const test = ERROR_TESTS[expr.callee];
        if (test && expr.args[test.arg]) {
          const result = this.evaluate(expr.args[test.arg], state);
          if (result.value.key !== undefined) return this.split(result.state, result.value.key, test.mask);
          return [[result.state, true], [cloneState(result.state), false]];
        }
        if (TRANSPARENT_TESTS.has(expr.callee) && expr.args.length > 0) {
          const inner = this.condition(expr.args[0], state);
          if (expr.args.length === 1) return inner;
          return inner.map(([s, v]) => [this.evaluateRest(expr.args.slice(1), s), v]);
        }
        break;
      }
      default:
        break;
    }
    const result = this.evaluate(expr, state);
    if (result.value.mask !== undefined && result.value.key === undefined) return [[result.state, result.value.mask !== Z]];
    if (result.value.key !== undefined) return this.split(result.state, result.value.key, NEG | POS);
    return this.opaque(expr, result.state);
  }

  private evaluateRest(args: Expr[], state: State): State {
    let s = state;
    for (const arg of args) s = this.evaluate(arg, s).state;
    return s;
  }

  /** A condition the analysis cannot relate to values: both outcomes, remembered by its text if pure. */
  private opaque(expr: Expr, state: State): Outcome[] {
    if ((hasEffects(expr) && !isPredicate(expr)) || expr.e <= expr.s) return [[state, true], [cloneState(state), false]];
    const text = this.text.slice(expr.s, expr.e).replace(/\s+/g, '');
    if ((this.conditionTexts.get(text) ?? 0) < 2) return [[state, true], [cloneState(state), false]];
    const known = state.conds.get(text);
    if (known !== undefined) return [[state, known === 1]];
    const yes = cloneState(state);
    yes.conds.set(text, 1);
    const no = state;
    no.conds.set(text, 0);
    return [[yes, true], [no, false]];
  }

  private comparison(expr: Expr & { k: 'bin' }, state: State): Outcome[] | undefined {
    const constant = (e: Expr): number | undefined => {
      if (e.k === 'num') return e.value;
      if (e.k === 'null') return 0;
      if (e.k === 'unary' && e.op === '-' && e.arg.k === 'id' && /^E[A-Z0-9]+$/.test(e.arg.name)) return -1000;
      if (e.k === 'unary' && e.op === '-' && e.arg.k === 'num') return -e.arg.value;
      if (e.k === 'cast') return constant(e.arg);
      return undefined;
    };
    let subject: Expr;
    let value: number;
    let op = expr.op;
    const right = constant(expr.right);
    const left = constant(expr.left);
    if (right !== undefined) {
      subject = expr.left;
      value = right;
    } else if (left !== undefined) {
      subject = expr.right;
      value = left;
      const flipped: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };
      op = flipped[op] ?? op;
    } else {
      const distinct = this.distinctFromFreshAllocation(expr, state);
      return distinct === undefined ? undefined : [[state, distinct]];
    }
    let trueMask: number | undefined;
    if (value === 0) {
      trueMask = { '==': Z, '!=': NEG | POS, '<': NEG, '>=': Z | POS, '>': POS, '<=': Z | NEG }[op];
    } else if (value === 1) {
      trueMask = { '==': POS, '!=': Z | NEG, '>=': POS, '<': Z | NEG }[op];
    } else if (value < 0) {
      trueMask = { '==': NEG }[op];
    }
    const result = this.evaluate(subject, state);
    if (trueMask === undefined || result.value.key === undefined) {
      if (result.value.mask !== undefined && trueMask !== undefined) return [[result.state, (result.value.mask & trueMask) !== 0]];
      return this.opaque(expr, result.state);
    }
    return this.split(result.state, result.value.key, trueMask);
  }

  /**
   * `name != orig_name` where `name` holds a fresh allocation and `orig_name` is a parameter or
   * global: a new object is distinct from every pointer that existed before it.
   */
  private distinctFromFreshAllocation(expr: Expr & { k: 'bin' }, state: State): boolean | undefined {
    if ((expr.op !== '==' && expr.op !== '!=') || expr.left.k !== 'id' || expr.right.k !== 'id') return undefined;
    const [a, b] = [expr.left.name, expr.right.name];
    const fresh = (name: string) => state.res.some((r) => isLive(r) && r.local && r.api.kind === 'memory' && r.api.object === 'return' && r.names.includes(name));
    const older = (name: string) => !this.fn.locals.has(name) || this.fn.params.includes(name);
    const differ = (fresh(a) && older(b)) || (fresh(b) && older(a));
    if (!differ) return undefined;
    return expr.op === '!=';
  }

  // ------------------------------------------------------------------------------------------
  // Returns

  private leaveFunction(node: CfgNode & { k: 'return' }, state: State): void {
    let s = state;
    let returned: Value = {};
    if (node.expr) {
      const result = this.evaluate(node.expr, s);
      s = result.state;
      returned = result.value;
      const mentions = storeMentions(node.expr);
      if (returned.key !== undefined) mentions.push(returned.key);
      this.escape(s, mentions, false, true);
      if (returned.key !== undefined) s.res = s.res.filter((r) => !(r.status === 'cond' && r.condVar === returned.key));
    }
    const error = this.isErrorReturn(node.expr, returned, s);
    const unreported: Res[] = [];
    const exitNode = s.lastGoto >= 0 ? this.fn.nodes[s.lastGoto] : undefined;
    for (const res of s.res) {
      if (!isLive(res) || !res.tracked) continue;
      const verdict = this.shouldReport(res, error);
      if (verdict !== 'no') {
        const lock = res.api.kind === 'lock';
        const what = lock ? res.argTexts[0] ?? res.family : this.objectName(res);
        const leftVia = exitNode && exitNode.k === 'goto' && res.gotoAtAcquire !== s.lastGoto ? exitNode : undefined;
        const finding: RawFinding = {
          kind: lock ? 'lock-leak' : 'leak',
          start: node.s,
          end: node.e,
          message: lock
            ? `${what} is still locked when this path returns: ${res.api.name}() at line {line:${res.site}} has no ${res.api.release ?? 'unlock'}() on this path`
            : `${what.startsWith('the object returned by') ? what : `${what} from ${res.api.name}()`} at line {line:${res.site}} is still held when this path returns; release it with ${res.api.release ?? 'the matching release'}()`,
          related: [
            { start: res.site, end: res.siteEnd, message: lock ? 'locked here' : 'acquired here' },
            ...(leftVia ? [{ start: leftVia.s, end: leftVia.e, message: 'the path leaves through this goto' }] : []),
            { start: node.s, end: node.e, message: 'returns here' },
          ],
          res,
          exitNode: leftVia ?? node,
          returnNode: node,
        };
        if (verdict === 'yes') this.report(finding);
        else this.escapedLeaks.push(finding);
      } else if (res.api.kind === 'ref' && !res.local && !res.iterator && !this.releasedThroughContainer(res)) {
        unreported.push(res);
      }
    }
    if (error) this.errorReturns.push({ node, via: s.lastGoto, held: unreported });
  }

  /**
   * Whether a resource still held at a return is a finding: an object bound to a local (or a loop
   * variable) always is; a lock is when the function unlocks it elsewhere; a reference on a caller's
   * object is only at an error return, and only when the function drops it elsewhere or the API
   * demands a release even on failure.
   */
  private objectName(res: Res): string {
    const named = res.names.find((n) => !n.startsWith('$') && !n.startsWith('@'));
    if (named !== undefined) return named;
    if (typeof res.api.object === 'number' && res.argTexts[res.api.object] !== undefined) return res.argTexts[res.api.object];
    return `the object returned by ${res.api.name}()`;
  }

  /** Stored in a structure or array that the unwind code releases through (`put_device(data->larb[i].dev)`). */
  private releasedThroughContainer(res: Res): boolean {
    const containers = [...(res.storedAs ?? []), ...res.names.filter((n) => n.includes('[]'))];
    return containers.some((k) => this.releasedAnywhere.has(`${res.family}|${k}`));
  }

  /** A function that ends by taking the lock (`get_hpc_access() { mutex_lock(&sem); }`) returns with it held on purpose. */
  private endsByLocking(res: Res): boolean {
    const rest = this.text.slice(res.siteEnd, this.fn.e);
    return /^\s*;\s*(return\s*;\s*)?\}$/.test(rest);
  }

  /**
   * 'if-undone' is for an escaped resource at an error return: a leak only if some other path of the
   * function releases it while it is escaped, which shows that the function must undo the escape.
   */
  private shouldReport(res: Res, errorReturn: boolean): 'yes' | 'no' | 'if-undone' {
    // A release of `a[i]` may be of another element than this one (unwind loops over arrays).
    const releasedHere = res.names.some((n) => !n.includes('[]') && this.releasedAnywhere.has(`${res.family}|${n}`));
    if (res.api.kind === 'lock') {
      if (res.names.some((n) => this.acquiresAnnotated.has(n))) return 'no';
      if (LOCK_HELPER.test(this.fn.name.replace(/unlock/gi, '')) || this.endsByLocking(res)) return errorReturn && releasedHere ? 'yes' : 'no';
      return 'yes';
    }
    if ((res.local || res.iterator) && !res.escaped) return 'yes';
    if (!errorReturn) return 'no';
    if (res.api.mustRelease) return 'yes';
    if (!res.escaped) return releasedHere ? 'yes' : 'no';
    if (this.releasedThroughContainer(res)) return 'no';
    if (res.local && res.handedOnly && res.api.kind === 'memory') return 'yes';
    return releasedHere ? 'if-undone' : 'no';
  }

  private isErrorReturn(expr: Expr | undefined, value: Value, state: State): boolean {
    if (!expr) return false;
    if (expr.k === 'unary' && expr.op === '-') return true;
    if (expr.k === 'num') return expr.value < 0;
    if (expr.k === 'call' && expr.callee === 'ERR_PTR') return true;
    if (expr.k === 'null') return true;
    if (expr.k === 'cond') {
      // `return err < 0 ? ERR_PTR(err) : ret;` on a path that knows the test.
      const outcomes = this.condition(expr.test, cloneState(state));
      if (outcomes.length !== 1) return false;
      const [decided, truth] = outcomes[0];
      const branch = truth ? expr.then : expr.other;
      return this.isErrorReturn(branch, this.evaluate(branch, decided).value, decided);
    }
    if (value.key !== undefined) {
      const mask = state.masks.get(value.key);
      if (mask === undefined) return false;
      // A pointer is an error when it is NULL or an ERR_PTR; an int when it is known non-zero and may be negative.
      if (this.fn.returnsPointer) return (mask & POS) === 0;
      return (mask & Z) === 0 && (mask & NEG) !== 0;
    }
    return false;
  }

  private reportInconsistentPaths(): void {
    if (this.errorReturns.length < 2) return;
    const seen = new Set<number>();
    for (const holder of this.errorReturns) {
      for (const res of holder.held) {
        if (seen.has(res.site)) continue;
        // Paths that share one return (an unwind ladder ending in `return ret;`) differ by the goto they left through.
        const clean = this.errorReturns.find((other) => (other.node !== holder.node || other.via !== holder.via) && !other.held.some((h) => h.site === res.site));
        if (!clean) continue;
        seen.add(res.site);
        const what = this.objectName(res);
        const cleanPlace = clean.node !== holder.node ? `the error return at line {line:${clean.node.s}}` : 'another path to this return';
        this.report({
          kind: 'inconsistent-paths',
          start: holder.node.s,
          end: holder.node.e,
          message: `this error return keeps the reference to ${what} taken by ${res.api.name}() at line {line:${res.site}}, but ${cleanPlace} leaves the count unchanged`,
          related: [
            { start: res.site, end: res.siteEnd, message: 'reference taken here' },
            { start: clean.node.s, end: clean.node.e, message: 'this error return holds no reference' },
          ],
          res,
          exitNode: holder.node,
          returnNode: holder.node,
        });
      }
    }
  }

  /**
   * Records a finding once per bug: a leak once per acquired object (at its first leaking return in
   * the text, the other returns listed as related), a double release or a use once per site.
   */
  private report(finding: RawFinding): void {
    const leak = (finding.kind === 'leak' || finding.kind === 'lock-leak' || finding.kind === 'inconsistent-paths') && finding.res !== undefined;
    const key = leak ? `${finding.kind}|${finding.res?.site}` : `${finding.kind}|${finding.start}`;
    const known = this.findings.get(key);
    if (!known) {
      this.findings.set(key, finding);
      return;
    }
    if (!leak || known.start === finding.start) return;
    const [first, other] = finding.start < known.start ? [finding, known] : [known, finding];
    const also = { start: other.start, end: other.end, message: 'also returns here with it held' };
    const related = [...first.related.filter((r) => r.message !== also.message), ...known.related.filter((r) => r.message === also.message && r.start !== first.start), ...(other === finding || other === known ? [also] : [])];
    const seen = new Set<number>();
    first.related = related.filter((r) => (r.message !== also.message ? true : !seen.has(r.start) && (seen.add(r.start), true)));
    this.findings.set(key, first);
  }
}

