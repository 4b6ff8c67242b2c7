// What the checker knows about each declared thing, and the views it resolves names in: the
// baseline, and one per proposal (the baseline with the proposal's items replacing, adding and
// removing items of the same kind and name).

import type {
  DeviceDecl,
  FnDecl,
  Member,
  ModuleDecl,
  ObjectDecl,
  OrderDecl,
  ProposalDecl,
  ThreadDecl,
} from '../syntax/ast';
import type { MemberKind } from './model';
import type { Entity } from './places';

export interface ObjectInfo {
  what: 'object';
  decl: ObjectDecl;
  id: number;
  name: string;
  members: Map<string, MemberInfo>;
  proposal?: string;
  /** What a place naming this object designates (shared, never mutated). */
  entity: Entity;
}

export interface MemberInfo {
  what: 'member';
  decl: Exclude<Member, { kind: 'Error' }>;
  id: number;
  name: string;
  kind: MemberKind;
  owner: ObjectInfo;
  /** What a place ending at this member designates (shared, never mutated). */
  entity: Entity;
  /** For `state` members: value name to declaration id. */
  stateValues?: Map<string, number>;
  /** For `ptr` members: the target object's name. */
  ptrTarget?: string;
}

export interface FnInfo {
  what: 'fn';
  decl: FnDecl;
  id: number;
  name: string;
  /** Declaration ids of the parameters, by position (missing names excluded from lookup). */
  params: ParamInfo[];
  proposal?: string;
}

export interface ParamInfo {
  name: string;
  id: number;
  index: number;
  fn: FnInfo;
}

export interface ThreadInfo {
  what: 'thread';
  decl: ThreadDecl;
  id: number;
  name: string;
  proposal?: string;
}

export interface DeviceInfo {
  what: 'device';
  decl: DeviceDecl;
  id: number;
  name: string;
  proposal?: string;
  entity: Entity;
}

export interface ModuleInfo {
  what: 'module';
  decl: ModuleDecl;
  id: number;
  name: string;
}

/** A top-level item a view can hold, with what kind of item it is for override matching. */
export type ItemInfo = ObjectInfo | FnInfo | ThreadInfo | DeviceInfo;

/** Name lookup in a view: a plain map for the baseline, an overlay on it for a proposal. */
export interface NameMap<V> {
  get(name: string): V | undefined;
  has(name: string): boolean;
  set(name: string, value: V): unknown;
  delete(name: string): unknown;
  values(): IterableIterator<V>;
}

/**
 * A proposal's view of one kind of item: its own items over the baseline's, minus what it removes.
 * Building one costs only the proposal's size, however large the baseline.
 */
export class Overlay<V> implements NameMap<V> {
  private readonly own = new Map<string, V>();
  private readonly removed = new Set<string>();

  constructor(private readonly base: ReadonlyMap<string, V>) {}

  get(name: string): V | undefined {
    const own = this.own.get(name);
    if (own !== undefined) return own;
    return this.removed.has(name) ? undefined : this.base.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, value: V): void {
    this.own.set(name, value);
  }

  delete(name: string): void {
    this.own.delete(name);
    this.removed.add(name);
  }

  *values(): IterableIterator<V> {
    for (const [name, value] of this.base) if (!this.own.has(name) && !this.removed.has(name)) yield value;
    yield* this.own.values();
  }
}

export interface View {
  /** The proposal's name, or undefined for the baseline. */
  proposal?: string;
  proposalDecl?: ProposalDecl;
  objects: NameMap<ObjectInfo>;
  fns: NameMap<FnInfo>;
  threads: NameMap<ThreadInfo>;
  devices: NameMap<DeviceInfo>;
  orders: { decl: OrderDecl; proposal?: string }[];
  /** Names the proposal replaces, adds or removes (empty for the baseline). */
  changed: Set<string>;
  /** Names the proposal removes. */
  removed: Set<string>;
  /** The proposal's own items (every item, for the baseline). */
  ownItems: ItemInfo[];
  /** Modules, declared in the baseline only and shared by every view. */
  modules: Map<string, ModuleInfo>;
}

export function emptyView(): View {
  return { objects: new Map(), fns: new Map(), threads: new Map(), devices: new Map(), orders: [], changed: new Set(), removed: new Set(), ownItems: [], modules: new Map() };
}

export function overlayView(base: View, proposal: string, proposalDecl: ProposalDecl): View {
  return {
    proposal,
    proposalDecl,
    objects: new Overlay(base.objects as Map<string, ObjectInfo>),
    fns: new Overlay(base.fns as Map<string, FnInfo>),
    threads: new Overlay(base.threads as Map<string, ThreadInfo>),
    devices: new Overlay(base.devices as Map<string, DeviceInfo>),
    orders: [...base.orders],
    changed: new Set(),
    removed: new Set(),
    ownItems: [],
    modules: base.modules,
  };
}

/** Whether the item is the one its name designates in the view. */
export function inView(view: View, info: ItemInfo): boolean {
  switch (info.what) {
    case 'object':
      return view.objects.get(info.name) === info;
    case 'fn':
      return view.fns.get(info.name) === info;
    case 'thread':
      return view.threads.get(info.name) === info;
    case 'device':
      return view.devices.get(info.name) === info;
  }
}

export function describeMemberKind(kind: MemberKind): string {
  switch (kind) {
    case 'ref':
      return 'a reference count';
    case 'lock':
      return 'a lock';
    case 'flag':
      return 'a flag';
    case 'state':
      return 'a state';
    case 'int':
      return 'an int';
    case 'ptr':
      return 'a pointer';
    case 'work':
      return 'a work item';
    case 'timer':
      return 'a timer';
    case 'percpu_ref':
      return 'a percpu_ref';
    case 'completion':
      return 'a completion';
    case 'srcu':
      return 'an SRCU domain';
    case 'workqueue':
      return 'a workqueue';
  }
}

export function memberKindOf(member: Exclude<Member, { kind: 'Error' }>): MemberKind {
  switch (member.kind) {
    case 'RefMember':
      return 'ref';
    case 'LockMember':
      return 'lock';
    case 'FlagMember':
      return 'flag';
    case 'StateMember':
      return 'state';
    case 'IntMember':
      return 'int';
    case 'PtrMember':
      return 'ptr';
    case 'HandlerMember':
      return member.mechanism;
    case 'PercpuRefMember':
      return 'percpu_ref';
    case 'SyncMember':
      return member.mechanism;
  }
}
