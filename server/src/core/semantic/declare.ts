// The declaration pass: gives every declared name an id, reports duplicates, checks initial values,
// and builds the baseline view and one view per proposal (checking what proposals replace, add and
// remove).

import { CODES } from '../diagnostics/codes';
import type { FnDecl, Identifier, Item, ObjectDecl, ProposalDecl, ProposalItem, SourceFile } from '../syntax/ast';
import type { CheckContext } from './context';
import type { DeclarationKind } from './model';
import type { Entity } from './places';
import {
  emptyView,
  overlayView,
  memberKindOf,
  type DeviceInfo,
  type FnInfo,
  type ItemInfo,
  type MemberInfo,
  type NameMap,
  type ObjectInfo,
  type ThreadInfo,
  type View,
} from './symbols';

export interface Declared {
  baseline: View;
  proposals: View[];
  /** Every item info, baseline and proposals, in source order. */
  items: ItemInfo[];
  /** Proposal name to its declaration id. */
  proposalIds: Map<string, number>;
  /** Items that repeat a name and so are in no view; their bodies are still checked. */
  duplicateItems: ItemInfo[];
}

type Namespace = 'place' | 'fn' | 'thread';

function namespaceOf(info: ItemInfo): Namespace {
  if (info.what === 'object' || info.what === 'device') return 'place';
  return info.what === 'fn' ? 'fn' : 'thread';
}

function whatWord(info: ItemInfo): string {
  if (info.what === 'object') return info.decl.isStatic ? 'static' : 'object';
  return info.what;
}

function present(name: Identifier | undefined): name is Identifier {
  return !!name && !name.missing && name.text.length > 0;
}

export function declareFile(ctx: CheckContext, file: SourceFile): Declared {
  const items: ItemInfo[] = [];
  const baseline = emptyView();
  const seen = noNamesSeen();
  let model: Item | undefined;
  const proposalDecls: ProposalDecl[] = [];
  const duplicateItems: ItemInfo[] = [];

  for (const item of file.items ?? []) {
    switch (item.kind) {
      case 'ModelDecl':
        if (model) {
          ctx.report(CODES.duplicateModel, 'a file declares one model; this is a second', item.start, item.end, [
            { start: model.start, end: model.end, message: 'the first model' },
          ]);
        } else {
          model = item;
          if (present(item.name)) {
            ctx.declare(item.name.text, 'model', item.name, item, undefined, undefined);
          }
        }
        break;
      case 'ObjectDecl':
      case 'FnDecl':
      case 'ThreadDecl':
      case 'DeviceDecl': {
        const info = declareItem(ctx, item, undefined, undefined);
        if (!info) break;
        items.push(info);
        if (isFirstOfName(ctx, info, seen, duplicateItems)) {
          addToView(baseline, info);
          baseline.ownItems.push(info);
        }
        if (item.isNew) {
          ctx.report(CODES.newShadows, `'new' adds an item in a proposal; in the baseline, declare ${whatWord(info)} '${info.name}' without it`, item.start, item.name.end);
        }
        break;
      }
      case 'OrderDecl':
        baseline.orders.push({ decl: item });
        break;
      case 'ModuleDecl': {
        if (!present(item.name)) break;
        const name = item.name.text;
        const first = baseline.modules.get(name);
        const clash = first ?? baseline.objects.get(name) ?? baseline.devices.get(name);
        const id = ctx.declare(name, 'module', item.name, item, undefined, undefined);
        if (clash) {
          ctx.duplicates.add(id);
          const what = clash.what === 'module' ? 'module' : clash.what === 'object' ? (clash.decl.isStatic ? 'static' : 'object') : 'device';
          ctx.report(CODES.duplicateName, what === 'module' ? `module '${name}' is declared twice` : `module '${name}' has the same name as ${what} '${name}'`, item.name.start, item.name.end, [
            { start: clash.decl.name.start, end: clash.decl.name.end, message: 'the first declaration' },
          ]);
          break;
        }
        baseline.modules.set(name, { what: 'module', decl: item, id, name });
        break;
      }
      case 'ProposalDecl':
        proposalDecls.push(item);
        break;
      default:
        break;
    }
  }

  const proposalIds = new Map<string, number>();
  const proposals: View[] = [];
  for (const decl of proposalDecls) {
    if (!present(decl.name)) continue;
    const name = decl.name.text;
    if (name === 'baseline') {
      ctx.report(CODES.duplicateName, "'baseline' names the model without proposals; give the proposal another name", decl.name.start, decl.name.end);
      continue;
    }
    const existing = proposalIds.get(name);
    if (existing !== undefined) {
      const first = ctx.declarations[existing];
      ctx.report(CODES.duplicateName, `proposal '${name}' is declared twice`, decl.name.start, decl.name.end, [
        { start: first.nameStart, end: first.nameEnd, message: 'the first declaration' },
      ]);
      continue;
    }
    const id = ctx.declare(name, 'proposal', decl.name, decl, undefined, undefined);
    proposalIds.set(name, id);
    proposals.push(buildProposalView(ctx, baseline, decl, id, items, duplicateItems));
  }

  for (const info of items) if (info.what === 'object') checkObjectTargets(ctx, info, info.proposal === undefined ? baseline : proposals.find((v) => v.proposal === info.proposal) ?? baseline);
  return { baseline, proposals, items, proposalIds, duplicateItems };
}

function buildProposalView(ctx: CheckContext, baseline: View, decl: ProposalDecl, proposalId: number, items: ItemInfo[], duplicateItems: ItemInfo[]): View {
  const proposal = decl.name.text;
  const view = overlayView(baseline, proposal, decl);
  const seen = noNamesSeen();
  for (const item of decl.items ?? []) {
    if (item.kind === 'Error') continue;
    if (item.kind === 'OrderDecl') {
      view.orders.push({ decl: item, proposal });
      continue;
    }
    if (item.kind === 'RemoveDecl') {
      if (!present(item.name)) continue;
      const map = mapFor(view, item.targetKind);
      const removed = (baseline[mapKey(item.targetKind)] as NameMap<ItemInfo>).get(item.name.text);
      if (!removed || (item.targetKind === 'object' && removed.what !== 'object')) {
        ctx.report(CODES.overrideMissing, `proposal ${proposal} removes ${item.targetKind} '${item.name.text}', which the baseline does not have`, item.name.start, item.name.end);
      } else {
        ctx.reference(item.name, removed.id);
        map.delete(item.name.text);
        view.changed.add(item.name.text);
        view.removed.add(item.name.text);
      }
      continue;
    }
    const info = declareItem(ctx, item, proposal, proposalId);
    if (!info) continue;
    items.push(info);
    if (!isFirstOfName(ctx, info, seen, duplicateItems)) continue;
    const original = baselineItem(baseline, info);
    const isNew = (item as Exclude<ProposalItem, { kind: 'Error' | 'OrderDecl' | 'RemoveDecl' }>).isNew;
    if (isNew && original) {
      ctx.report(
        CODES.newShadows,
        `the baseline already has ${whatWord(original)} '${info.name}'; drop 'new' to replace it`,
        item.start,
        item.end > item.start ? nameOf(item)?.end ?? item.end : item.end,
        [{ start: original.decl.name.start, end: original.decl.name.end, message: 'the baseline declaration' }],
      );
    } else if (!isNew && !original) {
      ctx.report(
        CODES.overrideMissing,
        `proposal ${proposal} replaces ${whatWord(info)} '${info.name}', which the baseline does not have; write 'new ${whatWord(info)}' to add it`,
        info.decl.name.start,
        info.decl.name.end,
      );
    }
    if (original) ctx.reference(info.decl.name, original.id);
    addToView(view, info);
    view.ownItems.push(info);
    view.changed.add(info.name);
  }
  return view;
}

function nameOf(item: ProposalItem): Identifier | undefined {
  return 'name' in item ? (item as { name: Identifier }).name : undefined;
}

function mapKey(kind: 'thread' | 'fn' | 'device' | 'object'): 'threads' | 'fns' | 'devices' | 'objects' {
  return kind === 'thread' ? 'threads' : kind === 'fn' ? 'fns' : kind === 'device' ? 'devices' : 'objects';
}

function mapFor(view: View, kind: 'thread' | 'fn' | 'device' | 'object'): NameMap<ItemInfo> {
  return view[mapKey(kind)] as NameMap<ItemInfo>;
}

function baselineItem(baseline: View, info: ItemInfo): ItemInfo | undefined {
  switch (info.what) {
    case 'object':
      return baseline.objects.get(info.name);
    case 'fn':
      return baseline.fns.get(info.name);
    case 'thread':
      return baseline.threads.get(info.name);
    case 'device':
      return baseline.devices.get(info.name);
  }
}

function addToView(view: View, info: ItemInfo): void {
  switch (info.what) {
    case 'object':
      view.objects.set(info.name, info);
      break;
    case 'fn':
      view.fns.set(info.name, info);
      break;
    case 'thread':
      view.threads.set(info.name, info);
      break;
    case 'device':
      view.devices.set(info.name, info);
      break;
  }
}

/**
 * Records the item under its name in `seen` and returns true, or, when the name is taken in the same
 * name space, reports the duplicate, keeps the item in `duplicateItems` and returns false.
 */
function isFirstOfName(ctx: CheckContext, info: ItemInfo, seen: SeenNames, duplicateItems: ItemInfo[]): boolean {
  const names = seen[namespaceOf(info)];
  const first = names.get(info.name);
  if (first) {
    reportDuplicate(ctx, info, first);
    duplicateItems.push(info);
    return false;
  }
  names.set(info.name, info);
  return true;
}

/** The first item of each name, per name space. */
type SeenNames = Record<Namespace, Map<string, ItemInfo>>;

function noNamesSeen(): SeenNames {
  return { place: new Map(), fn: new Map(), thread: new Map() };
}

function reportDuplicate(ctx: CheckContext, info: ItemInfo, first: ItemInfo): void {
  ctx.duplicates.add(info.id);
  const what = whatWord(info);
  const firstWhat = whatWord(first);
  const message =
    what === firstWhat
      ? `${what} '${info.name}' is declared twice`
      : `${what} '${info.name}' has the same name as ${firstWhat} '${first.name}'`;
  ctx.report(CODES.duplicateName, message, info.decl.name.start, info.decl.name.end, [
    { start: first.decl.name.start, end: first.decl.name.end, message: 'the first declaration' },
  ]);
}

function declareItem(
  ctx: CheckContext,
  item: Exclude<Item | ProposalItem, { kind: 'Error' | 'OrderDecl' | 'RemoveDecl' | 'ModelDecl' | 'ProposalDecl' | 'ExpectDecl' | 'BindDecl' }>,
  proposal: string | undefined,
  container: number | undefined,
): ItemInfo | undefined {
  if (!present(item.name)) return undefined;
  const name = item.name.text;
  switch (item.kind) {
    case 'ObjectDecl':
      return declareObject(ctx, item, proposal, container);
    case 'FnDecl':
      return declareFn(ctx, item, proposal, container);
    case 'ThreadDecl': {
      const id = ctx.declare(name, 'thread', item.name, item, container, proposal);
      if (item.count && item.count.value < 1) {
        ctx.report(CODES.invalidInitial, `thread '${name}[${item.count.value}]' needs a count of at least 1`, item.count.start, item.count.end);
      }
      const info: ThreadInfo = { what: 'thread', decl: item, id, name, proposal };
      return info;
    }
    case 'DeviceDecl': {
      const id = ctx.declare(name, 'device', item.name, item, container, proposal);
      const entity: Entity = { t: 'things', objects: [], devices: [] };
      const info: DeviceInfo = { what: 'device', decl: item, id, name, proposal, entity };
      entity.devices = [info];
      return info;
    }
  }
}

function declareObject(ctx: CheckContext, decl: ObjectDecl, proposal: string | undefined, container: number | undefined): ObjectInfo {
  const kind: DeclarationKind = decl.isStatic ? 'static' : 'object';
  const name = decl.name.text;
  const id = ctx.declare(name, kind, decl.name, decl, container, proposal);
  const entity: Entity = { t: 'things', objects: [], devices: [] };
  const info: ObjectInfo = { what: 'object', decl, id, name, members: new Map(), proposal, entity };
  entity.objects = [info];
  for (const member of decl.members ?? []) {
    if (member.kind === 'Error' || !present(member.name)) continue;
    const memberKind = memberKindOf(member);
    const ptrTarget = member.kind === 'PtrMember' && present(member.target) ? member.target.text : undefined;
    const memberId = ctx.declare(member.name.text, 'member', member.name, member, id, proposal, memberKind, ptrTarget);
    const memberEntity: Entity = { t: 'members', members: [] };
    const memberInfo: MemberInfo = {
      what: 'member',
      decl: member,
      id: memberId,
      name: member.name.text,
      kind: memberKind,
      owner: info,
      entity: memberEntity,
      stateValues: undefined,
      ptrTarget: undefined,
    };
    memberEntity.members = [memberInfo];
    const first = info.members.get(memberInfo.name);
    if (first) {
      ctx.duplicates.add(memberId);
      ctx.report(CODES.duplicateName, `object '${name}' has two members named '${memberInfo.name}'`, member.name.start, member.name.end, [
        { start: first.decl.name.start, end: first.decl.name.end, message: 'the first member' },
      ]);
    } else {
      info.members.set(memberInfo.name, memberInfo);
    }
    checkMemberInitial(ctx, memberInfo, memberId, proposal);
  }
  if (decl.isStatic) {
    for (const modifier of decl.modifiers ?? []) {
      ctx.report(CODES.invalidInitial, `static '${name}' is never freed, so it cannot be ${modifier.name}`, modifier.range.start, modifier.range.end);
    }
  }
  return info;
}

function checkMemberInitial(ctx: CheckContext, info: MemberInfo, memberId: number, proposal: string | undefined): void {
  const member = info.decl;
  switch (member.kind) {
    case 'RefMember':
      if (member.initial && member.initial.value < 0) {
        ctx.report(CODES.invalidInitial, `reference count '${info.name}' cannot start below 0 (it starts at ${member.initial.value})`, member.initial.start, member.initial.end);
      }
      break;
    case 'IntMember': {
      const low = member.rangeLow?.value ?? 0;
      const high = member.rangeHigh?.value ?? 7;
      if (member.rangeLow && member.rangeHigh && low > high) {
        ctx.report(CODES.invalidInitial, `int '${info.name}' has an empty range ${low}..${high}`, member.rangeLow.start, member.rangeHigh.end);
      } else if (member.initial && (member.initial.value < low || member.initial.value > high)) {
        ctx.report(CODES.invalidInitial, `int '${info.name}' starts at ${member.initial.value}, outside its range ${low}..${high}`, member.initial.start, member.initial.end);
      }
      break;
    }
    case 'StateMember': {
      const values = new Map<string, number>();
      for (const value of member.values ?? []) {
        if (!present(value)) continue;
        if (values.has(value.text)) {
          ctx.report(CODES.duplicateName, `state '${info.name}' lists '${value.text}' twice`, value.start, value.end);
          continue;
        }
        values.set(
          value.text,
          ctx.declare(value.text, 'state-value', value, value, memberId, proposal),
        );
      }
      info.stateValues = values;
      if (member.initial && present(member.initial)) {
        const valueId = values.get(member.initial.text);
        if (valueId === undefined) {
          const list = [...values.keys()].join(', ');
          ctx.report(CODES.invalidInitial, `state '${info.name}' has no value '${member.initial.text}' (its values: ${list})`, member.initial.start, member.initial.end);
        } else {
          ctx.reference(member.initial, valueId);
        }
      }
      break;
    }
    case 'PtrMember':
      if (present(member.target)) info.ptrTarget = member.target.text;
      break;
    default:
      break;
  }
}

/** Pointer targets must be objects in the view the object belongs to; initial values must match. */
function checkObjectTargets(ctx: CheckContext, info: ObjectInfo, view: View): void {
  for (const member of info.members.values()) {
    const decl = member.decl;
    if (decl.kind !== 'PtrMember' || !present(decl.target)) continue;
    const target = view.objects.get(decl.target.text);
    if (!target) {
      const other = view.devices.get(decl.target.text) ?? view.fns.get(decl.target.text) ?? view.threads.get(decl.target.text);
      if (other) {
        ctx.reference(decl.target, other.id);
        ctx.report(CODES.wrongKind, `pointer '${member.name}' must point to an object; '${decl.target.text}' is ${other.what === 'fn' ? 'a procedure' : `a ${other.what}`}`, decl.target.start, decl.target.end);
      } else {
        ctx.report(CODES.undefinedName, `pointer '${member.name}' points to '${decl.target.text}', which is not declared`, decl.target.start, decl.target.end);
      }
      continue;
    }
    ctx.reference(decl.target, target.id);
    const initial = decl.initial;
    if (initial && initial.kind === 'Identifier' && present(initial)) {
      const named = view.objects.get(initial.text);
      if (!named) {
        ctx.report(CODES.invalidInitial, `pointer '${member.name}' starts at '${initial.text}', which is not an object`, initial.start, initial.end);
      } else {
        ctx.reference(initial, named.id);
        if (named !== target) {
          ctx.report(CODES.invalidInitial, `pointer '${member.name}' points to '${target.name}' objects and cannot start at '${initial.text}'`, initial.start, initial.end);
        }
      }
    }
  }
}

function declareFn(ctx: CheckContext, decl: FnDecl, proposal: string | undefined, container: number | undefined): FnInfo {
  const name = decl.name.text;
  const id = ctx.declare(name, 'fn', decl.name, decl, container, proposal);
  const info: FnInfo = { what: 'fn', decl, id, name, params: [], proposal };
  const params = decl.params ?? [];
  for (let index = 0; index < params.length; index++) {
    const param = params[index];
    if (!present(param)) continue;
    const paramId = ctx.declare(param.text, 'param', param, param, id, proposal);
    if (info.params.some((p) => p.name === param.text)) {
      ctx.duplicates.add(paramId);
      ctx.report(CODES.duplicateName, `procedure '${name}' has two parameters named '${param.text}'`, param.start, param.end);
      continue;
    }
    info.params.push({ name: param.text, id: paramId, index, fn: info });
  }
  return info;
}
