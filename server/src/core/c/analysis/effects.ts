// Call effects: what a call the API table knows (or a helper named like one) does to what a path holds.

import type { ApiEntry } from '../apiTable';
import type { Expr } from '../cir';
import { exprKey, identifiersIn, keyRoot, pointerMentions, pointerRoot, storeMentions, uncast } from '../keys';
import { ALL, NEG, POS, Z, isLive, resMatches, type Res, type State } from '../state';
import { DEVICE_ACTION, EMBEDS, LOGS, NAMES_A_MEMBER, TEARS_DOWN, HANDS_TO_CALLBACK, INSTALLS_FILE_WITH, IN_PLACE_INIT, QUESTION, QUEUES_WORK, RELEASE_LIKE, STORE_LIKE, SUCCESS_FLAG_RESULT, TRY_LOCK, UNLOCK_LIKE } from '../callRoles';
import { canonical, canonicalLock, releasedThroughMember, setMask, tableReleaseKey, type AnalyzerContext, type Value } from './context';
import { PCI_MANAGED_ACQUIRES, lastMember } from './fileFacts';
import { summaryReleaseKey, type FunctionSummary, type ParamRelease } from './summaries';
import { ERROR_TESTS, TRANSPARENT_TESTS } from './conditions';
import { checkUse, escape, evaluate, noteStoredAs } from './expressions';
import { report } from './report';
import { dropLocksHandedOver, lockObjectKey, noteLocksHandedToCallee, releasesLockOf, releasesLockOrFamily } from './locks';
import { keepClocksForTimeSource, noteHandovers, notePutHandovers } from './handovers';
import { freeMadeWith, matchByArguments, memberHelperKey, memberHelperOwner, releaseRunsCallback } from './releaseMatching';

/** The member called through a function pointer (`wake_forget_and_unlock` in `fiq->ops->wake_forget_and_unlock(fiq)`); the CIR puts the called expression first among the arguments. */
function memberCallee(expr: Expr & { k: 'call' }): string {
  const called = expr.args[0];
  return expr.callee === '' && called !== undefined && called.k === 'field' ? called.name : '';
}

const LIST_ADD = /^(list_add|list_add_tail|list_add_rcu|list_add_tail_rcu|hlist_add_head|hlist_add_head_rcu|list_move|list_move_tail)$/;

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

/** The local object a member argument is embedded in: `info` for `&info->work` or `&info->dwork.work`. */
function containerOf(expr: Expr): string | undefined {
  const e = uncast(expr);
  if (e.k !== 'unary' || e.op !== '&' || e.arg.k !== 'field') return undefined;
  let field: Expr = e.arg;
  while (field.k === 'field' && !field.arrow && field.base.k === 'field') field = field.base;
  return field.k === 'field' && field.arrow && field.base.k === 'id' ? field.base.name : undefined;
}

/** `schedule_work(&info->work)`: a local object whose work item or timer is queued now belongs to its callback. */
function handToCallback(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State): void {
  const owners = expr.args.map(containerOf).filter((name): name is string => name !== undefined);
  escape(ctx, state, owners, true, true);
}

/** The identifiers an argument passes as a whole pointer: `p` or `(void *)p`. */
export function directMentions(expr: Expr, out: string[]): void {
  if (expr.k === 'id') out.push(expr.name);
  else if (expr.k === 'cast') directMentions(expr.arg, out);
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

export function call(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State): { state: State; value: Value } {
  let s = state;
  const argValues: Value[] = [];
  for (const arg of expr.args) {
    const result = evaluate(ctx, arg, s);
    s = result.state;
    argValues.push(result.value);
  }
  if (DEVICE_ACTION.test(expr.callee)) releaseByDeviceAction(ctx, expr, s);
  const handsToCallback = HANDS_TO_CALLBACK.test(expr.callee);
  if (handsToCallback) handToCallback(ctx, expr, s);
  if (handsToCallback || QUEUES_WORK.test(expr.callee)) {
    s.res = s.res.map((r) => (isLive(r) && r.api.kind === 'ref' && !r.local && !r.queuedWork ? { ...r, queuedWork: true } : r));
  }
  const filePrivate = Object.hasOwn(INSTALLS_FILE_WITH, expr.callee) ? expr.args[INSTALLS_FILE_WITH[expr.callee]] : undefined;
  if (filePrivate) escape(ctx, s, pointerMentions(filePrivate), true, true);
  const entry = ctx.table.byName.get(expr.callee);
  if (!entry) {
    const summary = ctx.summaries.get(expr.callee);
    const result = unknownCall(ctx, expr, s, argValues);
    if (summary && expr.callee !== ctx.fn.name) applySummary(ctx, summary, expr, result.state);
    return result;
  }
  checkTableCallUses(ctx, entry, expr, s);
  switch (entry.effect) {
    case 'acquire':
      return acquire(ctx, entry, expr, s, argValues);
    case 'release':
      release(ctx, entry, expr, s, false);
      // `d_add(dentry, inode)`: the dentry is the dcache's from now on.
      if (entry.keeps !== undefined && expr.args[entry.keeps]) escape(ctx, s, storeMentions(expr.args[entry.keeps]));
      return { state: s, value: {} };
    default:
      return { state: s, value: {} };
  }
}

/** A call of a function of the same file whose summary says it may release some of its parameters. */
function applySummary(ctx: AnalyzerContext, summary: FunctionSummary, expr: Expr & { k: 'call' }, state: State): void {
  if (summary.registersTimeSource) keepClocksForTimeSource(state);
  // `desc_set_label(desc, label)` where the helper does `d->label = label`: the label is kept.
  for (const param of summary.stores ?? []) {
    const arg = expr.args[param];
    if (!arg) continue;
    // `label ? : "?"` stores `label` itself when it is set.
    escape(ctx, state, arg.k === 'cond' ? [...storeMentions(arg), ...storeMentions(arg.test)] : storeMentions(arg));
  }
  for (const release of summary.releasesGlobal ?? []) {
    // The helper may drop the global lock on some of its paths: the path no longer judges it.
    const key = canonicalLock(ctx, release.key);
    state.res = state.res.filter((r) => !(isLive(r) && r.api.kind === 'lock' && releasesLockOrFamily(ctx, release.entry.families, r.family) && resMatches(r, key)));
  }
  for (const release of summary.releases) {
    if (release.param < 0) {
      dropLocksOfMember(ctx, release, state);
      continue;
    }
    const arg = expr.args[release.param];
    const key = arg ? summaryReleaseKey(arg, release) : undefined;
    if (key === undefined) continue;
    const family = release.entry.families[0];
    const canonicalKey = ctx.lockFamilies.has(family) ? canonicalLock(ctx, key) : canonical(ctx, key);
    if (isCountingSemaphore(ctx, release.entry, canonicalKey)) continue;
    // The helper may release only on some of its paths (on error, or at the last put): what the path
    // holds is dropped, but nothing is marked released, so later uses and releases are not judged.
    // `__add_memory_block(mem)` puts `&memory->dev` when it fails: the release callback frees `mem`.
    const container = release.embedded && arg ? exprKey(arg) : undefined;
    state.res = state.res.filter((r) => {
      const dropped = isLive(r) && ((releasesLockOrFamily(ctx, release.entry.families, r.family) && resMatches(r, canonicalKey)) || (container !== undefined && r.api.kind === 'memory' && r.names.includes(container)));
      if (dropped && r.escaped) ctx.releasedWhileEscaped.add(r.site);
      return !dropped;
    });
  }
}

function insideAddressKey(arg: Expr | undefined): string | undefined {
  const e = uncast(arg);
  return e !== undefined && e.k === 'bin' && (e.op === '+' || e.op === '-') ? exprKey(e.left) : undefined;
}

/** A callee annotated to release `local->member`: the held lock of that member name is no longer this path's. */
function dropLocksOfMember(ctx: AnalyzerContext, release: ParamRelease, state: State): void {
  const member = lastMember(release.suffix);
  state.res = state.res.filter((r) => !(isLive(r) && r.api.kind === 'lock' && releasesLockOrFamily(ctx, release.entry.families, r.family) && r.names.some((n) => lastMember(n) === member)));
}

export function unknownCall(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State, argValues: Value[]): { state: State; value: Value } {
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
    const memberName = i === expr.args.length - 1 && NAMES_A_MEMBER.test(callee);
    if (arg.k === 'id' && !memberName && !LOGS.test(callee)) checkUse(ctx, state, arg, arg, 'handed-to-unknown-call');
  });
  // A call may keep a pointer to a local object it is handed; it does not take over a caller's reference.
  if (callee === '' || (STORE_LIKE.test(callee) && !QUESTION.test(callee))) {
    const undo = callee !== '' && !SUCCESS_FLAG_RESULT.test(callee) ? `$u${expr.s}` : undefined;
    escape(ctx, state, [...mentions, ...temps], true, false, !embeds && callee !== '', undo);
    // `list_add_tail(&ref->node, &chan_list)`: remembered, so that a walk of `chan_list` that frees its entries releases it.
    const head = LIST_ADD.test(callee) && expr.args[1] ? exprKey(expr.args[1]) : undefined;
    if (head !== undefined) noteStoredAs(ctx, state, pointerMentions(expr.args[0]), `list:${canonical(ctx, head)}`);
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
    // Also what the path stored in those objects, when the helper's name says it puts or frees them
    // (`child->parent = parent` with a reference on `parent`, then `sas_put_device(child)`).
    const through = (n: string) => keys.has(n) || whole.includes(keyRoot(n));
    const tearsDown = TEARS_DOWN.test(callee);
    state.res = state.res.filter((r) => {
      const dropped = isLive(r) && r.api.kind !== 'lock' && (r.names.some(through) || (tearsDown && (r.storedAs ?? []).some(through)));
      if (dropped && r.escaped) ctx.releasedWhileEscaped.add(r.site);
      return !dropped;
    });
  }
  if (inPlace && /_init$/.test(callee)) linkedByInit(ctx, expr, state);
  forgetReleasedFields(ctx, state, expr.args);
  const roots = new Set<string>();
  // Also through a member alias: `fiq = &fc->iq` hands `fc`'s lock `fc->iq.lock` along with `fiq`.
  for (const arg of expr.args) for (const name of identifiersIn(arg)) roots.add(name).add(keyRoot(canonicalLock(ctx, name)));
  dropLocksHandedOver(ctx, expr, state);
  noteHandovers(ctx, expr, state);
  // A function outside the file handed the lock itself may unlock it; a function of this file is
  // summarised instead, unless it drops and retakes what it is handed, the lock or its structure.
  if (callee !== '') {
    const relocks = ctx.summaries.get(callee)?.relocks !== undefined;
    if (relocks || !ctx.file.definedFunctions.has(callee)) noteLocksHandedToCallee(ctx, expr, state, relocks);
  }
  if (UNLOCK_LIKE.test(callee || memberCallee(expr)) && roots.size > 0) {
    // A helper that unlocks: whatever lock of the objects it is handed the path held is now dropped.
    state.res = state.res.filter((r) => !(isLive(r) && r.api.kind === 'lock' && r.names.some((n) => roots.has(keyRoot(n)))));
  }
  if (roots.size > 0 && state.res.some((r) => !isLive(r) && ctx.lockFamilies.has(r.family))) {
    // A helper handed the lock's owner may take the lock again: forget that this path dropped a lock it
    // took, and remember that a caller's lock it dropped may be back (a later lock repays the debt, a
    // later unlock is no double unlock).
    const owned = (r: Res) => !isLive(r) && ctx.lockFamilies.has(r.family) && r.names.some((n) => roots.has(keyRoot(n)));
    state.res = state.res.filter((r) => !owned(r) || !r.tracked).map((r) => (owned(r) && !r.mayBeRetaken ? { ...r, mayBeRetaken: true } : r));
  }
  else escape(ctx, state, temps);
  // A try-lock returns 1 when it took the lock and 0 when it did not, never an error code.
  if (TRY_LOCK.test(callee)) state.masks.set(`$u${expr.s}`, Z | POS);
  return { state, value: { key: `$u${expr.s}` } };
}

/**
 * `vchan_init(&c->vc, dmadev)`: an initialiser of a member that is also handed another object of the
 * function (a local or a parameter) links the member into it, so the structure around the member is kept.
 */
function linkedByInit(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State): void {
  const owners: string[] = [];
  if (expr.args[0]) memberOwner(expr.args[0], owners);
  if (owners.length === 0) return;
  const other = expr.args.slice(1).some((arg) => arg.k === 'id' && arg.name !== owners[0] && (ctx.fn.locals.has(arg.name) || ctx.fn.params.includes(arg.name)));
  if (other) escape(ctx, state, owners);
}

/**
 * A call handed `p` (or `&s`) may store new pointers in `p->field`: a release seen earlier through
 * such a field says nothing about what the field holds after the call.
 */
export function forgetReleasedFields(ctx: AnalyzerContext, state: State, args: Expr[]): void {
  const prefixes: string[] = [];
  // A callee handed `&p` may store a new object in `p` (`nfc_hci_send_cmd(..., &skb)` on success):
  // what the path released under that name is no longer what `p` holds.
  const reassigned: string[] = [];
  for (const arg of args) {
    const whole: string[] = [];
    directMentions(arg, whole);
    for (const name of whole) prefixes.push(`${name}->`);
    if (arg.k === 'unary' && arg.op === '&') {
      const key = exprKey(arg.arg);
      if (key !== undefined) prefixes.push(`${key}.`, `${key}->`);
      if (arg.arg.k === 'id' && ctx.fn.locals.has(arg.arg.name)) reassigned.push(arg.arg.name);
    }
  }
  if (prefixes.length === 0 || !state.res.some((r) => !isLive(r))) return;
  const through = (n: string) => reassigned.includes(n) || prefixes.some((p) => n.startsWith(p));
  state.res = state.res.flatMap((r) => {
    // A lock embedded in the object stays the same lock whatever the call stores in its fields.
    if (isLive(r) || !r.names.some(through) || ctx.lockFamilies.has(r.family)) return [r];
    const names = r.names.filter((n) => !through(n));
    return names.length > 0 ? [{ ...r, names }] : [];
  });
}

export function acquire(ctx: AnalyzerContext, entry: ApiEntry, expr: Expr & { k: 'call' }, state: State, argValues: Value[]): { state: State; value: Value } {
  // What an acquire is handed besides its object (a name, a handler's data) it may keep.
  // A lookup that returns a new reference (`of_get_child_by_name(node, ...)`) keeps none of its arguments.
  const lookup = entry.object === 'return' && entry.kind === 'ref';
  const handed: string[] = [];
  expr.args.forEach((arg, i) => {
    if (!lookup && i !== entry.object && i !== entry.consumes) directMentions(arg, handed);
  });
  const before = new Set(state.res.filter((r) => r.escaped).map((r) => r.site));
  escape(ctx, state, handed, true);
  // Handed only to this acquire: its release gives the object back (`free_irq(irq, data)`).
  if (entry.release !== undefined && handed.length > 0) state.res = state.res.map((r) => (r.escaped && !before.has(r.site) && isLive(r) ? { ...r, escapedBy: expr.s } : r));
  if (entry.consumes !== undefined && expr.args[entry.consumes]) {
    // `fwnode_get_next_parent(fwnode_graph_get_remote_endpoint(fwnode))` consumes the inner call's result.
    const fromKey = exprKey(expr.args[entry.consumes]) ?? argValues[entry.consumes]?.key;
    if (fromKey !== undefined) releaseKey(ctx, state, entry.families[0], [entry.families[0]], fromKey, expr, entry, true);
  }
  const resultKey = `$${expr.s}`;
  let objectKey: string | undefined;
  if (entry.object === 'return') objectKey = resultKey;
  else if (entry.object === 'none') objectKey = `@${entry.families[0]}`;
  else if (expr.args[entry.object]) {
    const argKey = entry.kind === 'lock' ? lockObjectKey(expr.args[entry.object]) : exprKey(expr.args[entry.object]);
    objectKey = argKey !== undefined ? (entry.kind === 'lock' ? canonicalLock(ctx, argKey) : canonical(ctx, argKey)) : argValues[entry.object]?.key;
    if (entry.kind === 'ref' && releaseRunsCallback(ctx, entry)) objectKey = memberHelperKey(ctx, expr.args[entry.object], expr.s) ?? objectKey;
  }
  if (objectKey === undefined || isCountingSemaphore(ctx, entry, objectKey)) return { state, value: { key: resultKey } };
  if (ctx.file.pciManaged && PCI_MANAGED_ACQUIRES.has(entry.name)) return { state, value: { key: resultKey } };
  if (entry.kind === 'lock' || ctx.callerCountFamilies.has(entry.families[0])) {
    const debt = state.res.findIndex((r) => !r.tracked && r.status === 'released' && releasesLockOrFamily(ctx, entry.families, r.family) && r.names.includes(objectKey as string));
    if (debt >= 0) {
      // Re-taking a lock or a count the caller held and this function dropped: balanced.
      state.res = state.res.filter((_, i) => i !== debt);
      return { state, value: { key: resultKey } };
    }
  }
  const names = [objectKey];
  // A field that already holds the object reaches it too (`data->regulator = regulator; regulator_enable(regulator)`).
  for (const store of ctx.fieldStores.get(objectKey) ?? []) if (store.at < expr.s) names.push(store.field);
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
    trailAtAcquire: state.trail,
    argTexts: expr.args.map((a) => ctx.text.slice(a.s, a.e)),
  });
  if (conditional) state.masks.set(resultKey, initialMask(entry));
  else if (entry.object === 'return') state.masks.set(resultKey, entry.when === 'always' ? ALL : initialMask(entry));
  // `mutex_lock(aux_mutex)` and `spin_lock(&pag->pagb_lock)` dereference the pointer: a later
  // `if (aux_mutex) mutex_unlock(aux_mutex)` or `if (pag) put_pag(pag)` unlocks.
  const lockArg = entry.kind === 'lock' && typeof entry.object === 'number' ? expr.args[entry.object] : undefined;
  const lockPointer = lockArg !== undefined ? pointerRoot(lockArg) : undefined;
  if (lockPointer !== undefined) setMask(ctx, state, lockPointer, POS);
  return { state, value: { key: resultKey } };
}

export function release(ctx: AnalyzerContext, entry: ApiEntry, expr: Expr & { k: 'call' }, state: State, consume: boolean): void {
  let key = tableReleaseKey(ctx, entry, expr.args);
  // `kunmap_atomic(buf - p_off)`: an address inside the mapping releases it.
  if (key === undefined && typeof entry.object === 'number' && !ctx.lockFamilies.has(entry.families[0])) key = insideAddressKey(expr.args[entry.object]);
  if (key !== undefined) key = ctx.lockFamilies.has(entry.families[0]) ? canonicalLock(ctx, key) : canonical(ctx, key);
  if (!consume && !ctx.lockFamilies.has(entry.families[0]) && (key === undefined || !state.res.some((r) => isLive(r) && entry.families.includes(r.family) && resMatches(r, key as string)))) {
    // `free_irq(pci_irq_vector(pdev, 0), plx)` after `request_irq(pci_irq_vector(pdev, 0), ..., plx)`,
    // or after `request_irq(irq, ..., plx)` with the number computed again: matched by the arguments.
    const matched = matchByArguments(ctx, entry, expr, state);
    if (matched !== undefined) {
      // The variables that named it may have changed since (`irq = ...` again): name it by its site.
      key = `%${matched.site}`;
      const tag = key;
      state.res = state.res.map((r) => (r === matched ? { ...r, names: [...r.names, tag] } : r));
    }
  }
  if (entry.freesContainer && typeof entry.object === 'number' && expr.args[entry.object]) {
    const through = memberHelperKey(ctx, expr.args[entry.object], expr.s);
    if (through !== undefined) key = through;
  }
  if (key === undefined) return;
  if (isCountingSemaphore(ctx, entry, key)) return;
  const freesContainer = entry.freesContainer && typeof entry.object === 'number' && releaseFreesContainer(ctx, state, expr.args[entry.object], key);
  const around = entry.freesContainer && typeof entry.object === 'number' && expr.args[entry.object] ? memberHelperOwner(ctx, expr.args[entry.object], expr.s) : undefined;
  releaseKey(ctx, state, entry.families[0], entry.families, key, expr, entry, consume);
  if (entry.freesContainer) {
    freeMadeWith(ctx, state, key, expr, entry);
    const object = typeof entry.object === 'number' ? expr.args[entry.object] : undefined;
    if (object !== undefined) notePutHandovers(state, object, expr, entry);
  }
  if (around !== undefined) {
    // `put_device(cdev_dev(c))`, or `dev = cdev_dev(c); ... put_device(dev)`: the release callback frees `c`.
    state.res = state.res.map((r) =>
      isLive(r) && r.api.kind === 'memory' && r.names.includes(around) ? { ...r, status: 'released', releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: true } : r,
    );
  }
  if (freesContainer) {
    const root = keyRoot(key);
    if (key.startsWith(`${root}->`) || key.startsWith(`${root}.`)) {
      state.res = state.res.map((r) =>
        isLive(r) && r.api.kind === 'memory' && r.names.includes(root)
          ? { ...r, status: 'released', releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: true }
          : r,
      );
      releaseContents(ctx, state, root, key);
    }
  }
}

/**
 * Whether a put that may run a release callback frees the structure its argument is reached from.
 * An embedded member (`put_device(&x->dev)`, `kobject_put(&x->kobj)`) is part of `x`, so its release
 * frees `x`, also through a local that holds the member's address. A pointer member (`fput(ts->rd)`) is a separate object: its release frees `ts` only when
 * the path made that object out of `ts` (`ts->filp = anon_inode_getfile(name, fops, ts, flags)`),
 * not when it was looked up (`ts->rd = fget(fd)`) or came from elsewhere.
 */
function releaseFreesContainer(ctx: AnalyzerContext, state: State, arg: Expr | undefined, key: string): boolean {
  const e = uncast(arg);
  if (e === undefined) return false;
  // `&x->dev`, or a local that holds it (`dev = &x->dev; put_device(dev)`).
  if ((e.k === 'unary' && e.op === '&') || (e.k === 'id' && ctx.memberAliases.has(e.name))) return true;
  const root = keyRoot(key);
  const handedRoot = (text: string) => new RegExp(`(^|[^A-Za-z0-9_>.])${root}([^A-Za-z0-9_]|$)`).test(text) && !text.includes(key);
  return state.res.some((r) => isLive(r) && resMatches(r, key) && r.argTexts.some(handedRoot));
}

/**
 * The release callback that frees a structure drops what was stored in it: `put_device(&child->dev)`
 * puts the `child->bridge` reference, and the `type` reference of `mdev->type = type`.
 */
/** `down(&p->sem)` where the file initialises `sem` above 1 (or to 0): a count or a signal, not a lock. */
function isCountingSemaphore(ctx: AnalyzerContext, entry: ApiEntry, key: string): boolean {
  return entry.families.includes('semaphore') && ctx.file.countingSemaphores.size > 0 && ctx.file.countingSemaphores.has(lastMember(key));
}

export function releaseContents(ctx: AnalyzerContext, state: State, root: string, releasedKey: string): void {
  const contents = ctx.storedInto.get(root);
  const inside = (n: string) => n !== releasedKey && n !== root && (keyRoot(n) === root || (contents !== undefined && contents.has(keyRoot(n))));
  state.res = state.res.filter((r) => !(isLive(r) && r.api.kind !== 'lock' && r.names.some(inside)));
}

export function releaseKey(ctx: AnalyzerContext, state: State, family: string, families: string[], key: string, expr: Expr & { k: 'call' }, entry: ApiEntry, consume: boolean): void {
  const lockFamily = ctx.lockFamilies.has(family);
  let index = -1;
  for (let i = state.res.length - 1; i >= 0; i--) {
    const r = state.res[i];
    if (!(lockFamily ? releasesLockOf(families, r.family) : families.includes(r.family)) || !resMatches(r, key)) continue;
    if (index < 0 || (isLive(r) && !isLive(state.res[index]))) index = i;
  }
  const mask = state.masks.get(key);
  if (!consume) {
    const effective = index >= 0 && isLive(state.res[index]);
    ctx.releaseSites.set(expr.s, (ctx.releaseSites.get(expr.s) ?? false) || effective);
  }
  if (index < 0) {
    const lockDebt = !consume && lockFamily;
    const countDebt = !consume && !entry.frees && ctx.callerCountFamilies.has(family);
    // A caller's lock dropped through an array element (`up_read(&rdma_nl_types[type].sem)`) is
    // still a debt: the same element is locked again, unlike a free of one element of many.
    if ((lockDebt || ((entry.frees || countDebt) && !key.includes('[]'))) && !consume && mask !== Z) {
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
  if (res.mayBeRetaken) {
    // A helper may have taken the caller's lock again since this path dropped it.
    state.res[index] = { ...res, mayBeRetaken: undefined, releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name };
    return;
  }
  if (isLive(res) && res.escaped) ctx.releasedWhileEscaped.add(res.site);
  if (isLive(res)) {
    // A reference taken on an object the caller already refers to (`old = of_node_get(ipar)`): the
    // put drops the new reference, not the caller's, so only the name it was dropped through is released.
    const names = res.api.kind === 'ref' && !res.api.frees && res.api.returnsObject && typeof res.api.object === 'number' ? res.names.filter((n) => n !== res.names[0] || n === key) : res.names;
    state.res[index] = { ...res, names, status: 'released', releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: consume };
    if (!consume) state.res = state.res.map((r) => (r.escapedBy === res.site && isLive(r) ? { ...r, escaped: false, handedOnly: undefined, escapedBy: undefined } : r));
    return;
  }
  if (mask === Z) return;
  const lock = ctx.lockFamilies.has(res.family);
  if (res.status === 'failed') {
    if (lock) {
      report(ctx, {
        kind: 'unbalanced-unlock',
        start: expr.s,
        end: expr.e,
        message: `${entry.name}(${key}) unlocks a lock this path did not get: ${res.api.name}() failed at line {line:${res.site}}`,
        related: [{ start: res.site, end: res.siteEnd, message: `${res.api.name}() did not take the lock on this path` }],
        lockFamily: res.family,
      });
    }
    return;
  }
  const ownReference = res.local || res.iterator || !res.tracked || res.api.kind === 'memory' || lock;
  // A release through an array element (`kfree(c->buf)` with `c = arr[i]`) may be of another element.
  const anotherElement = key.includes('[]');
  if (res.status === 'released' && res.releaseSite !== undefined && res.releaseSite !== expr.s && ownReference && !anotherElement) {
    const previous = res.releasedByConsume
      ? `${res.releaseApi}() already dropped it at line {line:${res.releaseSite}} (it consumes that argument)`
      : `it was already released at line {line:${res.releaseSite}}`;
    report(ctx, {
      kind: lock ? 'unbalanced-unlock' : 'double-release',
      start: expr.s,
      end: expr.e,
      message: lock
        ? `${entry.name}(${key}) unlocks a lock that is not held: it was already unlocked at line {line:${res.releaseSite}}`
        : consume
          ? `${entry.name}() drops the reference to ${key} (it consumes that argument), but ${previous.replace('it was', 'it was')}`
          : `${entry.name}(${key}) releases ${key} again: ${previous}`,
      related: [{ start: res.releaseSite, end: res.releaseEnd ?? res.releaseSite, message: 'first release' }],
      releasedThroughMember: releasedThroughMember(ctx, res),
      ...(lock ? { lockFamily: res.family } : {}),
    });
    state.res[index] = { ...res, releaseSite: expr.s, releaseEnd: expr.e, releaseApi: entry.name, releasedByConsume: consume };
  }
}

/** `devm_add_action_or_reset(dev, clk_disable_unprepare, clk)`: the release runs when the device goes, so it is done. */
export function releaseByDeviceAction(ctx: AnalyzerContext, expr: Expr & { k: 'call' }, state: State): void {
  const callback = expr.args.map(calleeName).find((name) => name !== undefined && ctx.table.byName.get(name)?.effect === 'release');
  const entry = callback !== undefined ? ctx.table.byName.get(callback) : undefined;
  const data = expr.args[expr.args.length - 1];
  if (!entry && data) {
    // A callback of this file that releases what it is handed (`devm_add_action_or_reset(dev, my_disable, priv)`).
    const wrapper = expr.args.map(calleeName).map((name) => (name !== undefined ? ctx.summaries.get(name) : undefined)).find((summary) => summary !== undefined);
    if (wrapper) applySummary(ctx, { releases: wrapper.releases.filter((r) => r.param === 0).map((r) => ({ ...r, param: expr.args.length - 1 })) }, expr, state);
    return;
  }
  if (!entry || entry.object !== 0 || !data) return;
  const key = exprKey(data);
  if (key === undefined) return;
  releaseKey(ctx, state, entry.families[0], entry.families, canonical(ctx, key), expr, entry, true);
}

/**
 * A call the API table knows uses the objects it is handed, except the object a release drops and
 * the argument an acquire consumes: handing those again is a double release, reported as such.
 */
export function checkTableCallUses(ctx: AnalyzerContext, entry: ApiEntry, expr: Expr & { k: 'call' }, state: State): void {
  if (!state.res.some((r) => r.status === 'released')) return;
  expr.args.forEach((arg, i) => {
    if ((entry.effect === 'release' && i === entry.object) || i === entry.consumes) return;
    checkUse(ctx, state, arg, arg);
  });
}
