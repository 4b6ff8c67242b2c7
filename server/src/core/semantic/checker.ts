// The semantic checker: binds every name in a parsed file and reports what does not make sense,
// in the baseline and in each proposal's view of it. Never throws on any tree the parser produces.

import { CODES, makeDiagnostic, type Diagnostic } from '../diagnostics/codes';
import type { HandlerMember, Identifier, LetStatement, OrderDecl, SourceFile } from '../syntax/ast';
import { checkBindTarget, checkBlock, checkDmaTarget, checkEvent, requireMember, type BodyEnv } from './bodies';
import { checkModuleName } from './mechanisms';
import { BlockingOracle, CallIndex, checkRecursion, collectFacts, LazyParams, type ItemFacts } from './calls';
import { CheckContext } from './context';
import { declareFile, type Declared } from './declare';
import { checkExpectations } from './expectations';
import { SemanticModel, type SemanticResult } from './model';
import type { DepSink, ParamCandidates } from './places';
import { inView, type FnInfo, type ItemInfo, type View } from './symbols';
import { reportUnused } from './unused';

export type { SemanticResult } from './model';
export { SemanticModel } from './model';
export type { Declaration, DeclarationKind, MemberKind, Reference } from './model';

export function checkFile(file: SourceFile): SemanticResult {
  const ctx = new CheckContext(file?.text ?? '');
  try {
    runChecks(ctx, file);
  } catch (error) {
    // A checker bug must not take down the editor or the CLI; say so where the user can see it.
    const message = error instanceof Error ? error.message : String(error);
    ctx.diagnostics.push(makeDiagnostic(CODES.unexpectedToken, `internal checker error: ${message}`, 0, 0));
  }
  const diagnostics = sortDiagnostics(ctx.diagnostics);
  return { diagnostics, model: new SemanticModel(ctx.declarations, ctx.references) };
}

function runChecks(ctx: CheckContext, file: SourceFile): void {
  if (!file || !Array.isArray(file.items)) return;
  const declared = declareFile(ctx, file);
  // Item infos are declarations, so their ids index the facts of every item, gathered once.
  const factsById: ItemFacts[] = [];
  for (const info of declared.items) factsById[info.id] = collectFacts(info);
  const facts = (info: ItemInfo): ItemFacts => factsById[info.id];
  const shared: Shared = { ctx, facts, localIds: new Map() };
  const index = new CallIndex(declared.items, facts);

  // The baseline: every item, recording which global names each one looked up.
  const baseline = declared.baseline;
  const baselineParams = new LazyParams(ctx, baseline, index);
  const dependents = new Map<string, ItemInfo[]>();
  // Only the names some proposal changes can make a proposal re-check a baseline item.
  const changedByProposals = new Set<string>();
  for (const view of declared.proposals) for (const name of view.changed) changedByProposals.add(name);
  const baselineItems = [...baseline.ownItems, ...declared.duplicateItems.filter((info) => info.proposal === undefined)];
  checkItems(shared, baseline, baselineParams, baselineItems, (info) => new DependencyRecorder(dependents, changedByProposals, info));
  checkOrders(shared, baseline, baselineParams, undefined, undefined);
  for (const item of file.items) {
    if (item.kind !== 'BindDecl') continue;
    const env: BodyEnv = { r: { ctx, view: baseline, params: baselineParams, silent: false, deps: undefined }, fn: undefined, threadName: undefined, owner: -1, blocking: new BlockingOracle(baseline, facts), localIds: shared.localIds, proposal: undefined };
    checkBindTarget(env, item.target);
  }
  checkRecursion(ctx, baseline, facts);

  // Each proposal: its own items, and the baseline items whose meaning it may change. The work is
  // proportional to what the proposal touches, not to the size of the baseline.
  for (const view of declared.proposals) {
    const params = new LazyParams(ctx, view, index);
    const own = [...view.ownItems, ...declared.duplicateItems.filter((info) => info.proposal === view.proposal)];
    checkItems(shared, view, params, own, () => undefined);
    const inherited = affectedBaselineItems(view, baseline, own, dependents, facts);
    const suffix = ` (in proposal ${view.proposal})`;
    ctx.viewSuffix = suffix;
    const orderCalls = calledInOrders(view);
    // A baseline procedure that nothing calls in this proposal is dead code here.
    const live = inherited.filter((info) => inView(view, info) && (info.what !== 'fn' || index.isCalledIn(view, info.name) || orderCalls.has(info.name)));
    checkItems(shared, view, params, live, () => undefined);
    checkOrders(shared, view, params, suffix, view.changed);
    checkRecursion(ctx, view, facts, own.filter((info): info is FnInfo => info.what === 'fn'));
    ctx.viewSuffix = undefined;
  }

  checkExpectations(ctx, file, declared);
  reportUnused(ctx, namesInCBodies(declared));
}

/**
 * Baseline items a proposal may change the meaning of: those that looked up a name it replaces,
 * adds or removes, and procedures whose callers it changes (their parameters may now stand for
 * other objects), followed down the calls they make.
 */
function affectedBaselineItems(
  view: View,
  baseline: View,
  own: ItemInfo[],
  dependents: Map<string, ItemInfo[]>,
  facts: (info: ItemInfo) => ItemFacts,
): ItemInfo[] {
  const affected = new Set<ItemInfo>();
  for (const name of view.changed) for (const info of dependents.get(name) ?? []) affected.add(info);
  const callers: ItemInfo[] = [...own];
  for (const name of view.changed) {
    for (const replaced of [baseline.objects.get(name), baseline.fns.get(name), baseline.threads.get(name), baseline.devices.get(name)]) {
      if (replaced) callers.push(replaced);
    }
  }
  const work: FnInfo[] = [];
  const enqueueCallees = (caller: ItemInfo): void => {
    for (const site of facts(caller).calls) {
      const callee = site.call.callee && !site.call.callee.missing ? view.fns.get(site.call.callee.text) : undefined;
      if (!callee || callee.proposal !== undefined || callee.params.length === 0 || affected.has(callee)) continue;
      affected.add(callee);
      work.push(callee);
    }
  };
  for (const caller of callers) enqueueCallees(caller);
  for (let fn = work.pop(); fn; fn = work.pop()) enqueueCallees(fn);
  for (const info of [...affected]) if (info.proposal !== undefined) affected.delete(info);
  return [...affected];
}

function calledInOrders(view: View): Set<string> {
  const called = new Set<string>();
  for (const order of view.orders) {
    for (const event of [order.decl.first, order.decl.second]) {
      if (event?.verb === 'call' && event.target?.segments?.[0]) called.add(event.target.segments[0].text);
    }
  }
  return called;
}

/** Adds an item to the list of dependents of every global name it looks up that a proposal changes. */
class DependencyRecorder implements DepSink {
  constructor(
    private readonly dependents: Map<string, ItemInfo[]>,
    private readonly changed: ReadonlySet<string>,
    private readonly item: ItemInfo,
  ) {}

  add(name: string): void {
    if (!this.changed.has(name)) return;
    let list = this.dependents.get(name);
    if (!list) this.dependents.set(name, (list = []));
    if (list[list.length - 1] !== this.item) list.push(this.item);
  }
}

interface Shared {
  ctx: CheckContext;
  facts: (info: ItemInfo) => ItemFacts;
  localIds: Map<LetStatement, number>;
}

function checkItems(shared: Shared, view: View, params: ParamCandidates, items: ItemInfo[], deps: (info: ItemInfo) => DepSink | undefined): void {
  const blocking = new BlockingOracle(view, shared.facts);
  for (const info of items) {
    const env: BodyEnv = {
      r: { ctx: shared.ctx, view, params, silent: false, deps: deps(info) },
      fn: undefined,
      threadName: undefined,
      owner: info.id,
      blocking,
      localIds: shared.localIds,
      proposal: info.proposal,
    };
    switch (info.what) {
      case 'object':
        checkModuleClause(env, info.decl.module);
        for (const member of info.decl.members ?? []) {
          if (member.kind === 'RefMember' && member.onZero) checkBlock(env, member.onZero, undefined, undefined);
          else if (member.kind === 'HandlerMember') checkHandler(env, member);
          else if (member.kind === 'PercpuRefMember') {
            if (member.onZero) checkBlock(env, member.onZero, undefined, undefined);
            if (member.onConfirm) checkBlock(env, member.onConfirm, undefined, undefined);
          }
        }
        break;
      case 'fn':
        env.fn = info;
        checkModuleClause(env, info.decl.module);
        if (info.decl.body?.kind === 'Block') checkBlock(env, info.decl.body, undefined, undefined);
        break;
      case 'thread':
        env.threadName = info.name;
        if (info.decl.body?.kind === 'Block') checkBlock(env, info.decl.body, undefined, undefined);
        break;
      case 'device':
        for (const target of info.decl.targets ?? []) checkDmaTarget(env, target.target);
        break;
    }
  }
}

/** `in MODULE` on a procedure, a handler or a static: the module must be declared. */
function checkModuleClause(env: BodyEnv, module: Identifier | undefined): void {
  if (!module || module.missing) return;
  checkModuleName(env, { kind: 'Place', start: module.start, end: module.end, segments: [module] }, 'in');
}

/** A work item's or timer's handler, its workqueue and its module. */
function checkHandler(env: BodyEnv, member: HandlerMember): void {
  if (member.workqueue) requireMember(env, member.workqueue, undefined, ['workqueue'], 'on');
  checkModuleClause(env, member.module);
  checkBlock(env, member.body, undefined, undefined);
}

/**
 * Ordering requirements. In a proposal, inherited ones are checked again only when they name
 * something the proposal changes, and reported with the proposal's suffix.
 */
function checkOrders(shared: Shared, view: View, params: ParamCandidates, suffix: string | undefined, changed: Set<string> | undefined): void {
  const blocking = new BlockingOracle(view, shared.facts);
  for (const order of view.orders) {
    const inherited = order.proposal === undefined && changed !== undefined;
    if (inherited && !mentionsAny(order.decl, changed)) continue;
    shared.ctx.viewSuffix = inherited ? suffix : undefined;
    const env: BodyEnv = { r: { ctx: shared.ctx, view, params, silent: false, deps: undefined }, fn: undefined, threadName: undefined, owner: -1, blocking, localIds: shared.localIds, proposal: order.proposal };
    checkEvent(env, order.decl.first);
    checkEvent(env, order.decl.second);
  }
  shared.ctx.viewSuffix = suffix;
}

function mentionsAny(order: OrderDecl, names: Set<string>): boolean {
  return [order.first, order.second].some((event) => (event?.target?.segments ?? []).some((segment) => names.has(segment.text)));
}

/**
 * Words in C bodies. The C front end maps C names onto the model, so a declaration whose name
 * appears in C is not reported as unused.
 */
function namesInCBodies(declared: Declared): Set<string> {
  const names = new Set<string>();
  for (const info of declared.items) {
    if ((info.what === 'fn' || info.what === 'thread') && info.decl.body?.kind === 'CBody') {
      for (const word of info.decl.body.code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) names.add(word);
    }
  }
  return names;
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.start - b.start || a.end - b.end || a.code.localeCompare(b.code) || a.message.localeCompare(b.message));
}

export type { Declared };
