// Resolving places (`mm`, `mm.users`, `d.domain`, `bond.mm.users`, `h`) to what they designate in
// one view, recording references and reporting undefined names, unknown members and pointer misuse.

import { CODES } from '../diagnostics/codes';
import type { Expression, Identifier, Place } from '../syntax/ast';
import type { CheckContext } from './context';
import { describeMemberKind, type DeviceInfo, type FnInfo, type MemberInfo, type ObjectInfo, type ParamInfo, type View } from './symbols';

/** What a place designates. Parameters are untyped, so a place may designate several candidates. */
export type Entity =
  | { t: 'things'; objects: ObjectInfo[]; devices: DeviceInfo[] }
  | { t: 'members'; members: MemberInfo[] }
  /** An untyped parameter whose callers tell nothing: it may be any object. */
  | { t: 'any' }
  /** A local value (`let ok = tryget ...`): a boolean or a small int, not a place. */
  | { t: 'value'; ty: 'bool' | 'int' | 'unknown' }
  /** Something already reported (or a missing name); checks on it stay silent. */
  | { t: 'error' };

export const ERROR_ENTITY: Entity = { t: 'error' };

/**
 * A `let` local: a handle, whose place is resolved on demand in whatever view is being checked, or
 * a value (a boolean or a small int).
 */
export interface LocalInfo {
  name: string;
  id: number;
  /** The place a handle designates; undefined for a value. */
  value: Place | undefined;
  valueScope: Scope | undefined;
  /** For a value: its type. */
  ty?: 'bool' | 'int' | 'unknown';
}

/** The place a handle's `let` value designates: a place, or the pointer read by `rcu_dereference`. */
export function handlePlace(value: Expression | undefined): Place | undefined {
  if (!value) return undefined;
  if (value.kind === 'Place') return value;
  if (value.kind === 'RcuDereference') return value.target;
  return undefined;
}

/** Locals in scope, innermost first; a persistent list, so a saved scope is a snapshot. */
export interface Scope {
  local: LocalInfo;
  parent: Scope | undefined;
}

export interface Candidates {
  objects: Set<ObjectInfo>;
  devices: Set<DeviceInfo>;
  /** What a place naming the parameter designates, made on first use (shared, never mutated). */
  entity: Entity | undefined;
}

/** What the callers of each parameter pass, in one view; undefined when no caller says. */
export interface ParamCandidates {
  get(param: ParamInfo): Candidates | undefined;
}

/** Receives the global names a check looked up. */
export interface DepSink {
  add(name: string): unknown;
}

export interface Resolver {
  ctx: CheckContext;
  view: View;
  params: ParamCandidates;
  /** When true, nothing is reported or recorded: used while inferring parameter candidates. */
  silent: boolean;
  /** Global names this resolution looked up; decides what a proposal must re-check. */
  deps: DepSink | undefined;
}

export function lookupLocal(scope: Scope | undefined, name: string): LocalInfo | undefined {
  for (let s = scope; s; s = s.parent) if (s.local.name === name) return s.local;
  return undefined;
}

export function resolvePlace(r: Resolver, place: Place, scope: Scope | undefined, fn: FnInfo | undefined, depth = 0): Entity {
  const segments = place?.segments ?? [];
  if (segments.length === 0 || segments[0].missing) return ERROR_ENTITY;
  let entity = resolveHead(r, segments[0], scope, fn, depth);
  for (let i = 1; i < segments.length; i++) {
    if (entity.t === 'error') return entity;
    const segment = segments[i];
    if (segment.missing) return ERROR_ENTITY;
    entity = follow(r, entity, segments, i);
  }
  return entity;
}

function resolveHead(r: Resolver, name: Identifier, scope: Scope | undefined, fn: FnInfo | undefined, depth: number): Entity {
  const local = lookupLocal(scope, name.text);
  if (local) {
    if (!r.silent && local.id >= 0) r.ctx.reference(name, local.id);
    if (!local.value) return { t: 'value', ty: local.ty ?? 'unknown' };
    if (depth > 32) return ERROR_ENTITY;
    const quiet: Resolver = r.silent ? r : { ctx: r.ctx, view: r.view, params: r.params, silent: true, deps: r.deps };
    return designatedObjects(quiet, resolvePlace(quiet, local.value, local.valueScope, fn, depth + 1));
  }
  let param: ParamInfo | undefined;
  if (fn) {
    for (const candidate of fn.params) {
      if (candidate.name === name.text) {
        param = candidate;
        break;
      }
    }
  }
  if (param) {
    if (!r.silent) r.ctx.reference(name, param.id);
    const candidates = r.params.get(param);
    if (!candidates || (candidates.objects.size === 0 && candidates.devices.size === 0)) return { t: 'any' };
    if (r.deps) for (const object of candidates.objects) r.deps.add(object.name);
    return (candidates.entity ??= { t: 'things', objects: [...candidates.objects], devices: [...candidates.devices] });
  }
  r.deps?.add(name.text);
  const object = r.view.objects.get(name.text);
  if (object) {
    if (!r.silent) r.ctx.reference(name, object.id);
    return object.entity;
  }
  const device = r.view.devices.get(name.text);
  if (device) {
    if (!r.silent) r.ctx.reference(name, device.id);
    return device.entity;
  }
  if (!r.silent) {
    const fnNamed = r.view.fns.get(name.text);
    const thread = r.view.threads.get(name.text);
    if (fnNamed) {
      r.ctx.reference(name, fnNamed.id);
      r.ctx.report(CODES.wrongKind, `'${name.text}' is a procedure, not an object; call it as ${name.text}(...)`, name.start, name.end);
    } else if (thread) {
      r.ctx.reference(name, thread.id);
      r.ctx.report(CODES.wrongKind, `'${name.text}' is a thread, not an object`, name.start, name.end);
    } else {
      const removed = r.view.removed.has(name.text) ? `; proposal ${r.view.proposal} removes it` : '';
      r.ctx.report(CODES.undefinedName, `'${name.text}' is not declared${removed}`, name.start, name.end);
    }
  }
  return ERROR_ENTITY;
}

/** Follows one `.name` segment from what the prefix designates. */
function follow(r: Resolver, from: Entity, segments: Identifier[], index: number): Entity {
  const segment = segments[index];
  const prefix = (): string => {
    let text = segments[0].text;
    for (let i = 1; i < index; i++) text += `.${segments[i].text}`;
    return text;
  };
  if (from.t === 'any') {
    const members: MemberInfo[] = [];
    for (const object of r.view.objects.values()) {
      const member = object.members.get(segment.text);
      if (member) members.push(member);
    }
    if (members.length === 0) {
      if (!r.silent) {
        r.ctx.report(CODES.unknownMember, `no object has a member named '${segment.text}' (through '${prefix()}')`, segment.start, segment.end);
      }
      return ERROR_ENTITY;
    }
    if (!r.silent) for (const member of members) r.ctx.reference(segment, member.id);
    return { t: 'members', members };
  }
  if (from.t === 'members') {
    const targets: ObjectInfo[] = [];
    for (const member of from.members) {
      if (member.kind !== 'ptr') {
        if (!r.silent) {
          r.ctx.report(
            CODES.wrongKind,
            `'${prefix()}' is ${describeMemberKind(member.kind)}, not a pointer; '.${segment.text}' cannot follow it`,
            segment.start,
            segment.end,
          );
        }
        return ERROR_ENTITY;
      }
      const target = member.ptrTarget === undefined ? undefined : r.view.objects.get(member.ptrTarget);
      if (member.ptrTarget !== undefined) r.deps?.add(member.ptrTarget);
      if (!target) return ERROR_ENTITY;
      if (!targets.includes(target)) targets.push(target);
    }
    return follow(r, targets.length === 1 ? targets[0].entity : { t: 'things', objects: targets, devices: [] }, segments, index);
  }
  if (from.t === 'value') {
    if (!r.silent) r.ctx.report(CODES.wrongKind, `'${prefix()}' is a local value, not an object; '.${segment.text}' cannot follow it`, segment.start, segment.end);
    return ERROR_ENTITY;
  }
  if (from.t === 'things') {
    if (from.devices.length > 0 && !r.silent) {
      r.ctx.report(CODES.wrongKind, `'${prefix()}' is a device; devices have no members`, segment.start, segment.end);
      return ERROR_ENTITY;
    }
    if (from.objects.length === 1) {
      const object = from.objects[0];
      const member = object.members.get(segment.text);
      if (member) {
        if (!r.silent) r.ctx.reference(segment, member.id);
        return member.entity;
      }
    }
    const members: MemberInfo[] = [];
    for (const object of from.objects) {
      const member = object.members.get(segment.text);
      if (member) {
        members.push(member);
        if (!r.silent) r.ctx.reference(segment, member.id);
      } else if (!r.silent) {
        const through = index === 1 ? '' : ` (through '${prefix()}')`;
        r.ctx.report(CODES.unknownMember, `object '${object.name}' has no member '${segment.text}'${through}`, segment.start, segment.end);
      }
    }
    if (members.length === 0) return ERROR_ENTITY;
    return { t: 'members', members };
  }
  return ERROR_ENTITY;
}

/**
 * What a place designates where an object is wanted (`use`, `free`, `let`, a call argument): an
 * object or device itself, or the target of a pointer member. Other members yield an error entity;
 * the caller reports it.
 */
export function designatedObjects(r: Resolver, entity: Entity): Entity {
  if (entity.t !== 'members') return entity;
  const objects: ObjectInfo[] = [];
  for (const member of entity.members) {
    if (member.kind !== 'ptr') return ERROR_ENTITY;
    if (member.ptrTarget !== undefined) r.deps?.add(member.ptrTarget);
    const target = member.ptrTarget === undefined ? undefined : r.view.objects.get(member.ptrTarget);
    if (!target) return ERROR_ENTITY;
    if (!objects.includes(target)) objects.push(target);
  }
  return objects.length === 1 ? objects[0].entity : { t: 'things', objects, devices: [] };
}

/** The first member that is not a pointer, if the entity designates members. */
export function nonPointerMember(entity: Entity): MemberInfo | undefined {
  if (entity.t !== 'members') return undefined;
  return entity.members.find((member) => member.kind !== 'ptr');
}
