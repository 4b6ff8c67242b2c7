// Call structure of each item, gathered once: its call sites (to infer what untyped parameters
// stand for, and to find recursion) and whether it can block (for `atomic`). Then, per view:
// parameter candidates, recursion, and which procedures block.

import { CODES } from '../diagnostics/codes';
import type { Block, Body, CallStatement, Expression, Statement } from '../syntax/ast';
import { BLOCKING_MECHANISMS, conditionOperand } from './mechanisms';
import type { CheckContext } from './context';
import { designatedObjects, handlePlace, resolvePlace, type Candidates, type DepSink, type ParamCandidates, type Resolver, type Scope } from './places';
import { inView, type FnInfo, type ItemInfo, type ParamInfo, type View } from './symbols';

export interface CallSite {
  call: CallStatement;
  scope: Scope | undefined;
  fn: FnInfo | undefined;
}

export interface ItemFacts {
  calls: CallSite[];
  /** The first statement that can block by itself (lock, wait, quiesce), if any. */
  blocker?: { start: number; end: number; what: string };
}

export function collectFacts(info: ItemInfo): ItemFacts {
  const facts: ItemFacts = { calls: [] };
  const fn = info.what === 'fn' ? info : undefined;
  if (info.what === 'fn' || info.what === 'thread') visitBody(info.decl.body, undefined, fn, facts);
  if (info.what === 'object') {
    for (const member of info.decl.members ?? []) {
      if (member.kind === 'RefMember' && member.onZero) visitBody(member.onZero, undefined, undefined, facts);
      else if (member.kind === 'HandlerMember') visitBody(member.body, undefined, undefined, facts);
      else if (member.kind === 'PercpuRefMember') {
        if (member.onZero) visitBody(member.onZero, undefined, undefined, facts);
        if (member.onConfirm) visitBody(member.onConfirm, undefined, undefined, facts);
      }
    }
  }
  return facts;
}

/** The call whose value a `let`, an assignment or a `return` takes, if any. */
function valueCall(value: Expression | undefined): CallStatement | undefined {
  return value?.kind === 'CallExpression' ? value.call : undefined;
}

function block(facts: ItemFacts, statement: Statement, what: string): void {
  facts.blocker ??= { start: statement.start, end: statement.end, what };
}

function visitBody(body: Body | undefined, scope: Scope | undefined, fn: FnInfo | undefined, facts: ItemFacts): void {
  if (body && body.kind === 'Block') visitBlock(body, scope, fn, facts);
}

function visitBlock(block: Block | undefined, scope: Scope | undefined, fn: FnInfo | undefined, facts: ItemFacts): void {
  for (const statement of block?.statements ?? []) scope = visitStatement(statement, scope, fn, facts);
}

function visitStatement(statement: Statement, scope: Scope | undefined, fn: FnInfo | undefined, facts: ItemFacts): Scope | undefined {
  switch (statement.kind) {
    case 'CallStatement':
      facts.calls.push({ call: statement, scope, fn });
      break;
    case 'LockStatement':
      if (statement.op === 'lock') facts.blocker ??= { start: statement.start, end: statement.end, what: 'lock' };
      break;
    case 'WaitStatement':
      facts.blocker ??= { start: statement.start, end: statement.end, what: 'wait' };
      break;
    case 'DeviceStatement':
      if (statement.op === 'quiesce') block(facts, statement, 'quiesce');
      break;
    case 'RefStatement':
      if (statement.locking) block(facts, statement, 'put ... locking');
      break;
    case 'MechanismStatement':
      if (BLOCKING_MECHANISMS.has(statement.op)) block(facts, statement, statement.op);
      break;
    case 'CallbackStatement':
      if (statement.call && !statement.call.callee.missing) facts.calls.push({ call: statement.call, scope, fn });
      break;
    case 'UnloadStatement':
      block(facts, statement, 'unload');
      visitBlock(statement.body, scope, fn, facts);
      break;
    case 'AssignStatement':
    case 'ReturnStatement': {
      const call = valueCall(statement.value);
      if (call) facts.calls.push({ call, scope, fn });
      break;
    }
    case 'LetStatement': {
      const call = valueCall(statement.value);
      if (call) facts.calls.push({ call, scope, fn });
      if (isBlockingCondition(statement.value)) block(facts, statement, 'wait_for_completion_timeout');
      if (statement.name && !statement.name.missing) {
        const place = handlePlace(statement.value);
        return { local: { name: statement.name.text, id: -1, value: place, valueScope: scope, ty: place ? undefined : 'unknown' }, parent: scope };
      }
      break;
    }
    case 'IfStatement': {
      if (isBlockingCondition(statement.condition)) block(facts, statement, 'wait_for_completion_timeout');
      visitBlock(statement.then, scope, fn, facts);
      let otherwise = statement.else;
      while (otherwise) {
        if (otherwise.kind === 'Block') {
          visitBlock(otherwise, scope, fn, facts);
          break;
        }
        visitBlock(otherwise.then, scope, fn, facts);
        otherwise = otherwise.else;
      }
      break;
    }
    case 'WhileStatement':
      if (isBlockingCondition(statement.condition)) block(facts, statement, 'wait_for_completion_timeout');
      visitBlock(statement.body, scope, fn, facts);
      break;
    case 'RepeatStatement':
    case 'AtomicStatement':
      visitBlock(statement.body, scope, fn, facts);
      break;
    case 'ChooseStatement':
      for (const branch of statement.branches ?? []) visitBlock(branch, scope, fn, facts);
      break;
    case 'Block':
      visitBlock(statement, scope, fn, facts);
      break;
    default:
      break;
  }
  return scope;
}

/** A condition that can block: `wait_for_completion_timeout` (or `put ... locking`) as the whole condition. */
function isBlockingCondition(condition: Expression | undefined): boolean {
  if (!condition) return false;
  const operand = conditionOperand(condition);
  return operand.kind === 'LockedPutExpression' || (operand.kind === 'TryExpression' && operand.op === 'wait_for_completion_timeout');
}

/** Every item a view holds, in a stable order. */
export function itemsOf(view: View): ItemInfo[] {
  return [...view.objects.values(), ...view.fns.values(), ...view.threads.values(), ...view.devices.values()];
}

/** Every call site of the file, baseline and proposals, by the name it calls. */
export class CallIndex {
  private readonly byCallee = new Map<string, { site: CallSite; owner: ItemInfo }[]>();

  constructor(items: Iterable<ItemInfo>, facts: (info: ItemInfo) => ItemFacts) {
    for (const owner of items) {
      for (const site of facts(owner).calls) {
        const callee = site.call.callee;
        if (!callee || callee.missing) continue;
        let list = this.byCallee.get(callee.text);
        if (!list) this.byCallee.set(callee.text, (list = []));
        list.push({ site, owner });
      }
    }
  }

  /** The call sites of `name` whose enclosing item belongs to the view. */
  callsIn(view: View, name: string): CallSite[] {
    return (this.byCallee.get(name) ?? []).filter((entry) => inView(view, entry.owner)).map((entry) => entry.site);
  }

  isCalledIn(view: View, name: string): boolean {
    return (this.byCallee.get(name) ?? []).some((entry) => inView(view, entry.owner));
  }
}

/**
 * What each parameter stands for in one view, from the arguments its callers pass: computed on
 * demand, so a proposal pays only for the procedures it re-checks. Arguments that are parameters
 * themselves are followed through their own callers; a cycle of calls contributes nothing more.
 */
export class LazyParams implements ParamCandidates {
  private readonly memo = new Map<ParamInfo, Candidates | null>();
  private readonly active = new Set<ParamInfo>();

  constructor(
    private readonly ctx: CheckContext,
    private readonly view: View,
    private readonly index: CallIndex,
  ) {}

  get(param: ParamInfo): Candidates | undefined {
    const known = this.memo.get(param);
    if (known !== undefined) return known ?? undefined;
    if (this.active.has(param) || this.view.fns.get(param.fn.name) !== param.fn) return undefined;
    this.active.add(param);
    const resolver: Resolver = { ctx: this.ctx, view: this.view, params: this, silent: true, deps: undefined };
    let found: Candidates | null = null;
    for (const site of this.index.callsIn(this.view, param.fn.name)) {
      const arg = site.call.args?.[param.index];
      if (!arg || arg.kind !== 'Place') continue;
      const entity = designatedObjects(resolver, resolvePlace(resolver, arg, site.scope, site.fn));
      if (entity.t !== 'things') continue;
      found ??= { objects: new Set(), devices: new Set(), entity: undefined };
      for (const object of entity.objects) found.objects.add(object);
      for (const device of entity.devices) found.devices.add(device);
    }
    this.active.delete(param);
    this.memo.set(param, found);
    return found ?? undefined;
  }
}

/** Reports each call that closes a cycle of procedures. */
export function checkRecursion(ctx: CheckContext, view: View, facts: (info: ItemInfo) => ItemFacts, from?: Iterable<FnInfo>): void {
  const state = new Map<FnInfo, 'active' | 'done'>();
  const path: FnInfo[] = [];
  const visit = (fn: FnInfo): void => {
    state.set(fn, 'active');
    path.push(fn);
    for (const site of facts(fn).calls) {
      const callee = site.call.callee && !site.call.callee.missing ? view.fns.get(site.call.callee.text) : undefined;
      if (!callee) continue;
      const seen = state.get(callee);
      if (seen === 'active') {
        const cycle = path.slice(path.indexOf(callee)).map((f) => f.name);
        const how = cycle.length === 1 ? 'directly' : `through ${[...cycle, callee.name].join(' → ')}`;
        ctx.report(CODES.recursion, `procedure '${callee.name}' calls itself ${how}; calls are inlined, so recursion cannot be modelled`, site.call.start, site.call.end);
      } else if (seen === undefined) {
        visit(callee);
      }
    }
    path.pop();
    state.set(fn, 'done');
  };
  for (const fn of from ?? view.fns.values()) if (!state.has(fn)) visit(fn);
}

/** Finds, per view, whether a procedure can block, and where (through its callees too). */
export class BlockingOracle {
  private readonly memo = new Map<FnInfo, { start: number; end: number; what: string; via: string[] } | null>();

  constructor(
    private readonly view: View,
    private readonly facts: (info: ItemInfo) => ItemFacts,
  ) {}

  blocker(fn: FnInfo, deps?: DepSink): { start: number; end: number; what: string; via: string[] } | undefined {
    return this.find(fn, new Set(), deps) ?? undefined;
  }

  private find(fn: FnInfo, active: Set<FnInfo>, deps: DepSink | undefined): { start: number; end: number; what: string; via: string[] } | null {
    deps?.add(fn.name);
    const known = this.memo.get(fn);
    if (known !== undefined && !deps) return known;
    if (active.has(fn)) return null;
    active.add(fn);
    const own = this.facts(fn);
    let result: { start: number; end: number; what: string; via: string[] } | null = own.blocker ? { ...own.blocker, via: [fn.name] } : null;
    for (const site of own.calls) {
      const callee = site.call.callee && !site.call.callee.missing ? this.view.fns.get(site.call.callee.text) : undefined;
      if (!callee) continue;
      const inner = this.find(callee, active, deps);
      if (inner && !result) result = { ...inner, via: [fn.name, ...inner.via] };
    }
    active.delete(fn);
    this.memo.set(fn, result);
    return result;
  }
}
