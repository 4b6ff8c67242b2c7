// What the checker knows about each declared thing, and the views it resolves names in: the
// baseline, and one per proposal (the baseline with the proposal's items replacing, adding and
// removing items of the same kind and name).

import type {
  DeviceDecl,
  FnDecl,
  Member,
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

/** A top-level item a view can hold, with what kind of item it is for override matching. */
export type ItemInfo = ObjectInfo | FnInfo | ThreadInfo | DeviceInfo;

export interface View {
  /** The proposal's name, or undefined for the baseline. */
  proposal?: string;
  proposalDecl?: ProposalDecl;
  objects: Map<string, ObjectInfo>;
  fns: Map<string, FnInfo>;
  threads: Map<string, ThreadInfo>;
  devices: Map<string, DeviceInfo>;
  orders: { decl: OrderDecl; proposal?: string }[];
  /** Names the proposal replaces, adds or removes (empty for the baseline). */
  changed: Set<string>;
  /** Names the proposal removes. */
  removed: Set<string>;
}

export function emptyView(): View {
  return { objects: new Map(), fns: new Map(), threads: new Map(), devices: new Map(), orders: [], changed: new Set(), removed: new Set() };
}

export function cloneView(base: View, proposal: string, proposalDecl: ProposalDecl): View {
  return {
    proposal,
    proposalDecl,
    objects: new Map(base.objects),
    fns: new Map(base.fns),
    threads: new Map(base.threads),
    devices: new Map(base.devices),
    orders: [...base.orders],
    changed: new Set(),
    removed: new Set(),
  };
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
  }
}
