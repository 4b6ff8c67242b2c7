// Lowers one variant of a checked `.lifetime` file into the transition system of `ir.ts`.
//
// Control flow is built forwards: every statement starts at a fresh program point and returns the
// fresh point where control continues. Branches that meet again are joined by aliasing the fresh
// exit point of each branch to the join point; aliases are resolved and points renumbered at the end.

import { atomicEvent } from './eventText';
import { CODES, makeDiagnostic, type Diagnostic } from '../diagnostics/codes';
import type {
  Block,
  CBody,
  DeviceDecl,
  EventPattern,
  Expression,
  FnDecl,
  ObjectDecl,
  Place,
  SourceFile,
  Statement,
  ThreadDecl,
  ViolationKind,
} from '../syntax/ast';
import {
  LIFE_FREED,
  LIFE_LIVE,
  LIFE_UNALLOCATED,
  bin,
  constant,
  not,
  read,
  type Actor,
  type DmaTargetInfo,
  type Expr,
  type ObjectInfo,
  type Op,
  type OrderInfo,
  type Transition,
  type TransitionSystem,
  type Variable,
  type VariableKind,
} from './ir';
import { buildVariant, proposalNames, type Variant } from './variant';

export { proposalNames };

export interface CBodyTranslation {
  statements: Statement[];
  diagnostics: Diagnostic[];
}

/** Translates a C body into model statements; returns undefined when it cannot. */
export type CBodyTranslator = (body: CBody, file: SourceFile) => CBodyTranslation | undefined;

let cBodyTranslator: CBodyTranslator | undefined;

/** Plugs in the C front end's translator (or removes it with `undefined`). */
export function setCBodyTranslator(translator: CBodyTranslator | undefined): void {
  cBodyTranslator = translator;
}

export interface LowerResult {
  system: TransitionSystem;
  diagnostics: Diagnostic[];
  /** False when part of the variant could not be lowered; its verdict must then be skipped. */
  complete: boolean;
}

const MAX_ALTERNATIVES = 256;
const MAX_POINTS = 1 << 20;

type MemberKind = 'ref' | 'lock' | 'flag' | 'state' | 'int' | 'ptr';

interface MemberSlot {
  name: string;
  kind: MemberKind;
  variable: number;
  onZero?: Block;
  /** For ints: the range. */
  low?: number;
  high?: number;
}

interface ObjectSlot {
  info: ObjectInfo;
  members: Map<string, MemberSlot>;
}

interface Hop {
  object: number;
  /** The pointer or handle variable followed to reach the object, or -1 when named directly. */
  via: number;
  viaText: string;
}

interface Resolved {
  hops: Hop[];
  member?: MemberSlot;
  text: string;
}

interface Binding {
  place: Place;
  env: Env;
}

type Env = Map<string, Binding>;

interface PointBuild {
  transitions: Transition[];
}

interface ActorBuild {
  actor: Actor;
  me: number;
  points: PointBuild[];
  alias: number[];
  handles: Map<string, number>;
  env: Env;
  returnPoint: number;
  fnStack: string[];
  onZeroStack: number[];
  entry: number;
  end: number;
}

interface Step {
  guard?: Expr;
  ops: Op[];
  zero?: { variable: number; body: Block };
}

interface ResolvedOrder {
  info: OrderInfo;
  first: string;
  second: string;
  message: string;
}

class LoweringError extends Error {}

class Lowerer {
  private readonly variables: Variable[] = [];
  private readonly objects: ObjectSlot[] = [];
  private readonly objectsByName = new Map<string, number>();
  private readonly devicesByName = new Map<string, number>();
  private readonly fns = new Map<string, FnDecl>();
  private readonly actors: Actor[] = [];
  private readonly builds: ActorBuild[] = [];
  private readonly orders: ResolvedOrder[] = [];
  private readonly getSites = new Map<number, number>();
  private readonly allocSites = new Map<number, number>();
  private readonly capConsts = new Map<number, Expr & { k: 'const' }>();
  private readonly generationConsts = new Map<number, Expr & { k: 'const' }>();
  private readonly symmetryGroups: { name: string; actors: number[] }[] = [];
  readonly diagnostics: Diagnostic[] = [];
  complete = true;
  private current!: ActorBuild;

  constructor(
    private readonly file: SourceFile,
    private readonly variant: Variant,
  ) {}

  lower(): TransitionSystem {
    for (const fn of this.variant.fns) this.fns.set(fn.name.text, fn);
    this.declareObjects(this.variant.objects);
    this.declareActors();
    this.declareOrders();
    for (const build of this.builds) this.lowerActor(build);
    this.patchDomains();
    return this.finish();
  }

  // -------------------------------------------------------------------------------------------
  // Declarations

  private addVariable(
    name: string,
    kind: VariableKind,
    domain: number,
    initial: number,
    object = -1,
    actor = -1,
    extra: Partial<Variable> = {},
  ): number {
    const index = this.variables.length;
    this.variables.push({ index, name, kind, domain, initial, object, actor, ...extra });
    return index;
  }

  private declareObjects(decls: ObjectDecl[]): void {
    for (const decl of decls) {
      const index = this.objects.length;
      const name = decl.name.text;
      const recyclable = decl.modifiers.some((m) => m.name === 'recyclable') && !decl.isStatic;
      const unborn = decl.modifiers.some((m) => m.name === 'unborn') && !decl.isStatic;
      const lifeVar = this.addVariable(name, 'life', 3, unborn ? LIFE_UNALLOCATED : LIFE_LIVE, index);
      const generationVar = recyclable ? this.addVariable(`${name}#gen`, 'generation', 1, 0, index) : -1;
      const info: ObjectInfo = { index, name, isStatic: decl.isStatic, recyclable, unborn, lifeVar, generationVar, members: [] };
      this.objects.push({ info, members: new Map() });
      this.objectsByName.set(name, index);
    }
    decls.forEach((decl, index) => this.declareMembers(decl, this.objects[index]));
  }

  private declareMembers(decl: ObjectDecl, slot: ObjectSlot): void {
    const objectName = slot.info.name;
    const index = slot.info.index;
    for (const member of decl.members) {
      if (member.kind === 'Error' || member.name.missing) continue;
      const name = member.name.text;
      const full = `${objectName}.${name}`;
      let memberSlot: MemberSlot;
      switch (member.kind) {
        case 'RefMember': {
          const initial = Math.max(0, member.initial?.value ?? 1);
          const variable = this.addVariable(full, 'ref', initial + 1, initial, index);
          memberSlot = { name, kind: 'ref', variable, onZero: member.onZero };
          break;
        }
        case 'LockMember':
          memberSlot = { name, kind: 'lock', variable: this.addVariable(full, 'lockOwner', 1, 0, index) };
          break;
        case 'FlagMember':
          memberSlot = { name, kind: 'flag', variable: this.addVariable(full, 'flag', 2, member.initial?.value ? 1 : 0, index) };
          break;
        case 'StateMember': {
          const values = member.values.map((v) => v.text);
          if (values.length === 0) values.push('none');
          const initial = member.initial ? Math.max(0, values.indexOf(member.initial.text)) : 0;
          memberSlot = {
            name,
            kind: 'state',
            variable: this.addVariable(full, 'state', values.length, initial, index, -1, { values }),
          };
          break;
        }
        case 'IntMember': {
          const low = member.rangeLow?.value ?? 0;
          const high = Math.max(low, member.rangeHigh?.value ?? 7);
          const initial = Math.min(high, Math.max(low, member.initial?.value ?? Math.max(low, Math.min(0, high))));
          const variable = this.addVariable(full, 'int', high - low + 1, initial - low, index, -1, { offset: low });
          memberSlot = { name, kind: 'int', variable, low, high };
          break;
        }
        case 'PtrMember': {
          const target = this.objectsByName.get(member.target.text);
          if (target === undefined) {
            this.unsupported(`pointer ${full} points to \`${member.target.text}\`, which is not an object`, member);
            continue;
          }
          const initial = member.initial && member.initial.kind === 'Identifier' ? 1 : 0;
          memberSlot = { name, kind: 'ptr', variable: this.addVariable(full, 'ptr', 2, initial, index, -1, { target }) };
          break;
        }
      }
      slot.members.set(name, memberSlot);
      slot.info.members.push({ name, variable: memberSlot.variable });
    }
  }

  private declareActors(): void {
    const newBuild = (actor: Actor): ActorBuild => ({
      actor,
      me: actor.index + 1,
      points: [],
      alias: [],
      handles: new Map(),
      env: new Map(),
      returnPoint: -1,
      fnStack: [],
      onZeroStack: [],
      entry: 0,
      end: 0,
    });
    for (const thread of this.variant.threads) {
      const count = thread.count ? Math.max(1, Math.min(64, thread.count.value)) : 1;
      const group = thread.count ? this.symmetryGroups.length : -1;
      if (thread.count) this.symmetryGroups.push({ name: thread.name.text, actors: [] });
      for (let instance = 0; instance < count; instance++) {
        const index = this.actors.length;
        const name = thread.count ? `${thread.name.text}[${instance}]` : thread.name.text;
        const pcVar = this.addVariable(`${name}.pc`, 'pc', 1, 0, -1, index);
        const actor: Actor = {
          index,
          name,
          kind: 'thread',
          pcVar,
          points: [],
          transitions: [],
          endPc: 0,
          finishChecks: [],
          locals: [],
          symmetryGroup: group,
          instance,
          start: thread.start,
          end: thread.end,
        };
        if (group >= 0) this.symmetryGroups[group].actors.push(index);
        this.actors.push(actor);
        this.builds.push(newBuild(actor));
      }
    }
    for (const device of this.variant.devices) {
      const index = this.actors.length;
      const name = device.name.text;
      const pcVar = this.addVariable(`${name}.pc`, 'pc', 1, 0, -1, index);
      const runningVar = this.addVariable(`${name}.running`, 'running', 2, device.initiallyStopped ? 0 : 1, -1, index);
      const inflightVar = this.addVariable(`${name}.inflight`, 'inflight', 1, 0, -1, index);
      const actor: Actor = {
        index,
        name,
        kind: 'device',
        pcVar,
        points: [],
        transitions: [],
        endPc: -1,
        finishChecks: [],
        locals: [],
        symmetryGroup: -1,
        instance: 0,
        device: { runningVar, inflightVar, targets: [] },
        start: device.start,
        end: device.end,
      };
      this.actors.push(actor);
      this.devicesByName.set(name, index);
      this.builds.push(newBuild(actor));
    }
  }

  private declareOrders(): void {
    this.variant.orders.forEach((decl, index) => {
      const variable = this.addVariable(`order#${index}`, 'order', 2, 0);
      const text = this.sourceText(decl);
      const info: OrderInfo = { index, variable, text, start: decl.start, end: decl.end };
      const first = this.eventKey(decl.first);
      const second = this.eventKey(decl.second);
      if (first === undefined || second === undefined) return;
      const message =
        decl.message?.value ??
        `${this.sourceText(decl.second)} happened before ${this.sourceText(decl.first)}`;
      this.orders.push({ info, first, second, message });
    });
  }

  /** A key that identifies an event, `free:o3`, `put:v7`, `stop:d2`, `call:f:name`. */
  private eventKey(pattern: EventPattern): string | undefined {
    const verb = pattern.verb;
    if (verb === 'call') return `call:f:${pattern.target.segments[0]?.text ?? ''}`;
    if (verb === 'stop' || verb === 'quiesce' || verb === 'start') {
      const device = this.devicesByName.get(pattern.target.segments[0]?.text ?? '');
      return device === undefined ? undefined : `${verb}:d${device}`;
    }
    try {
      const resolved = this.resolveIn(pattern.target, new Map(), new Map());
      if (verb === 'free' || verb === 'alloc' || verb === 'use') return `${verb}:o${this.asObject(resolved, pattern.target).hops.at(-1)!.object}`;
      if (!resolved.member) return undefined;
      return `${verb}:v${resolved.member.variable}`;
    } catch {
      return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Places

  private resolve(place: Place): Resolved {
    return this.resolveIn(place, this.current.env, this.current.handles);
  }

  private resolveIn(place: Place, env: Env, handles: Map<string, number>): Resolved {
    const segments = place.segments;
    if (segments.length === 0 || segments[0].missing) throw this.fail('a place is missing', place);
    const first = segments[0].text;
    let resolved: Resolved;
    const binding = env.get(first);
    if (binding) {
      const bound = this.resolveIn(binding.place, binding.env, handles);
      resolved = { hops: [...bound.hops], member: bound.member, text: bound.text };
    } else if (handles.has(first)) {
      const variable = handles.get(first)!;
      resolved = { hops: [{ object: this.variables[variable].target ?? 0, via: variable, viaText: first }], text: first };
    } else if (this.objectsByName.has(first)) {
      resolved = { hops: [{ object: this.objectsByName.get(first)!, via: -1, viaText: first }], text: first };
    } else {
      throw this.fail(`\`${first}\` names no object, parameter or handle`, segments[0]);
    }
    for (let i = 1; i < segments.length; i++) {
      if (resolved.member) resolved = this.follow(resolved, segments[i]);
      const object = this.objects[resolved.hops.at(-1)!.object];
      const member = object.members.get(segments[i].text);
      if (!member) throw this.fail(`\`${object.info.name}\` has no member \`${segments[i].text}\``, segments[i]);
      resolved = { hops: resolved.hops, member, text: `${resolved.text}.${segments[i].text}` };
    }
    return resolved;
  }

  private follow(resolved: Resolved, at: { start: number; end: number }): Resolved {
    const member = resolved.member!;
    if (member.kind !== 'ptr') throw this.fail(`\`${resolved.text}\` is not a pointer and cannot be followed`, at);
    const target = this.variables[member.variable].target ?? 0;
    return { hops: [...resolved.hops, { object: target, via: member.variable, viaText: resolved.text }], text: resolved.text };
  }

  /** The place as an object: a trailing pointer member is followed. */
  private asObject(resolved: Resolved, at: { start: number; end: number }): Resolved {
    if (!resolved.member) return resolved;
    return this.follow(resolved, at);
  }

  private asMember(resolved: Resolved, at: { start: number; end: number }, kinds: MemberKind[]): MemberSlot {
    const member = resolved.member;
    if (!member || !kinds.includes(member.kind)) {
      throw this.fail(`\`${resolved.text}\` is not a ${kinds.join(' or ')}`, at);
    }
    return member;
  }

  /** Checks that each hop's object may be accessed; `count` hops from the start. */
  private hopChecks(hops: Hop[], count: number, what: string, freedKind: ViolationKind = 'use-after-free'): Op[] {
    const ops: Op[] = [];
    for (let i = 0; i < count; i++) ops.push(...this.accessChecks(hops[i], what, freedKind));
    return ops;
  }

  private accessChecks(hop: Hop, what: string, freedKind: ViolationKind): Op[] {
    const ops: Op[] = [];
    const object = this.objects[hop.object].info;
    if (hop.via >= 0) {
      ops.push({ k: 'check', cond: bin('!=', read(hop.via), constant(0)), kind: 'assertion', message: `${what}: null dereference of ${hop.viaText}` });
    }
    if (object.isStatic) return ops;
    ops.push({
      k: 'check',
      cond: bin('!=', read(object.lifeVar), constant(LIFE_FREED)),
      kind: freedKind,
      message: `${what}: ${object.name} was freed`,
    });
    if (object.unborn) {
      ops.push({
        k: 'check',
        cond: bin('!=', read(object.lifeVar), constant(LIFE_UNALLOCATED)),
        kind: freedKind,
        message: `${what}: ${object.name} is not allocated`,
      });
    }
    if (hop.via >= 0 && object.recyclable) {
      ops.push({
        k: 'check',
        cond: bin('==', read(object.generationVar), bin('-', read(hop.via), constant(1))),
        kind: 'stale-access',
        message: `${what}: ${object.name} was freed and reallocated since ${hop.viaText} was taken`,
      });
    }
    return ops;
  }

  /** The encoded pointer value designating the object of a resolved object place (captures the generation). */
  private captureValue(resolved: Resolved): { value: Expr; checks: Op[]; target: number } {
    const hops = resolved.hops;
    const last = hops.at(-1)!;
    const checks = this.hopChecks(hops, hops.length - 1, `take ${resolved.text}`);
    if (last.via >= 0) return { value: read(last.via), checks, target: last.object };
    const object = this.objects[last.object].info;
    const value = object.recyclable ? bin('+', read(object.generationVar), constant(1)) : constant(1);
    return { value, checks, target: last.object };
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private valueOf(e: Expression, checks: Op[]): Value {
    switch (e.kind) {
      case 'NumberLiteral':
        return { expr: constant(e.value), type: 'int' };
      case 'BoolLiteral':
        return { expr: constant(e.value ? 1 : 0), type: 'bool' };
      case 'NullLiteral':
        return { expr: constant(0), type: 'null' };
      case 'MissingExpression':
        throw this.fail('an expression is missing', e);
      case 'ParenExpression':
        return this.valueOf(e.inner, checks);
      case 'UnaryExpression':
        return { expr: not(this.toBool(this.valueOf(e.operand, checks))), type: 'bool' };
      case 'TryExpression':
        throw this.fail(`\`${e.op}\` may only stand in a condition of if, while or assert`, e);
      case 'PredicateExpression':
        return { expr: this.predicate(e.op, e.target, checks), type: 'bool' };
      case 'BinaryExpression':
        return { expr: this.binary(e.op, e.left, e.right, checks), type: 'bool' };
      case 'Place': {
        const first = e.segments[0]?.text ?? '';
        if (e.segments.length === 1 && !this.current.env.has(first) && !this.current.handles.has(first) && !this.objectsByName.has(first)) {
          return { expr: constant(0), type: 'name', name: first };
        }
        const resolved = this.resolve(e);
        const member = resolved.member;
        if (!member) {
          checks.push(...this.hopChecks(resolved.hops, resolved.hops.length - 1, `read ${resolved.text}`));
          return { expr: this.aliveExpr(resolved), type: 'object', resolved };
        }
        checks.push(...this.hopChecks(resolved.hops, resolved.hops.length, `read ${resolved.text}`));
        const variable = this.variables[member.variable];
        switch (member.kind) {
          case 'ref':
            return { expr: read(member.variable), type: 'int' };
          case 'int':
            return { expr: variable.offset ? bin('+', read(member.variable), constant(variable.offset)) : read(member.variable), type: 'int' };
          case 'flag':
            return { expr: read(member.variable), type: 'bool' };
          case 'state':
            return { expr: read(member.variable), type: 'state', values: variable.values };
          case 'ptr':
            return { expr: read(member.variable), type: 'ptr' };
          case 'lock':
            return { expr: bin('!=', read(member.variable), constant(0)), type: 'bool' };
        }
      }
    }
    throw this.fail('this expression has no model meaning', e);
  }

  private aliveExpr(resolved: Resolved): Expr {
    const last = resolved.hops.at(-1)!;
    const object = this.objects[last.object].info;
    let alive: Expr = object.isStatic ? constant(1) : bin('==', read(object.lifeVar), constant(LIFE_LIVE));
    if (last.via >= 0) {
      alive = bin('&&', bin('!=', read(last.via), constant(0)), alive);
      if (object.recyclable) alive = bin('&&', alive, bin('==', read(object.generationVar), bin('-', read(last.via), constant(1))));
    }
    return alive;
  }

  private predicate(op: 'alive' | 'freed' | 'running' | 'idle' | 'held', target: Place, checks: Op[]): Expr {
    if (op === 'running' || op === 'idle') {
      const device = this.devicesByName.get(target.segments[0]?.text ?? '');
      if (device === undefined) throw this.fail(`\`${target.segments[0]?.text}\` is not a device`, target);
      const info = this.actors[device].device!;
      return op === 'running' ? read(info.runningVar) : bin('==', read(info.inflightVar), constant(0));
    }
    const resolved = this.resolve(target);
    if (op === 'held') {
      const member = this.asMember(resolved, target, ['lock']);
      return bin('==', read(member.variable), constant(this.current.me));
    }
    const object = this.asObject(resolved, target);
    checks.push(...this.hopChecks(object.hops, object.hops.length - 1, `${op} ${object.text}`));
    if (op === 'alive') return this.aliveExpr(object);
    const last = object.hops.at(-1)!;
    const info = this.objects[last.object].info;
    if (info.isStatic) return constant(0);
    let freed: Expr = bin('==', read(info.lifeVar), constant(LIFE_FREED));
    if (last.via >= 0 && info.recyclable) {
      freed = bin('||', freed, bin('!=', read(info.generationVar), bin('-', read(last.via), constant(1))));
    }
    return freed;
  }

  private binary(op: string, left: Expression, right: Expression, checks: Op[]): Expr {
    if (op === '&&' || op === '||') {
      return bin(op, this.toBool(this.valueOf(left, checks)), this.toBool(this.valueOf(right, checks)));
    }
    const l = this.valueOf(left, checks);
    const r = this.valueOf(right, checks);
    const [a, b] = [this.coerce(l, r, left), this.coerce(r, l, right)];
    return bin(op as '==', a, b);
  }

  /** The expression of `value` for comparison with `other`: state names become indices, objects pointers. */
  private coerce(value: Value, other: Value, at: Expression): Expr {
    if (value.type === 'name') {
      if (other.type === 'state' && other.values) {
        const index = other.values.indexOf(value.name!);
        if (index >= 0) return constant(index);
      }
      throw this.fail(`\`${value.name}\` names no object, value or handle`, at);
    }
    if (value.type === 'object' && value.resolved) {
      const last = value.resolved.hops.at(-1)!;
      if (other.type === 'ptr' || other.type === 'null') {
        if (last.via >= 0) return read(last.via);
        const object = this.objects[last.object].info;
        return object.recyclable ? bin('+', read(object.generationVar), constant(1)) : constant(1);
      }
    }
    if (value.type === 'ptr' && other.type === 'object' && other.resolved) {
      const object = this.objects[other.resolved.hops.at(-1)!.object].info;
      if (!object.recyclable && other.resolved.hops.at(-1)!.via < 0) return bin('!=', value.expr, constant(0));
    }
    return value.expr;
  }

  private toBool(value: Value): Expr {
    if (value.type === 'bool' || value.type === 'object') return value.expr;
    if (value.type === 'name') throw new LoweringError(`\`${value.name}\` names nothing`);
    return bin('!=', value.expr, constant(0));
  }

  /** Ops that evaluate a condition with short-circuit semantics and then run `whenTrue` or `whenFalse`. */
  private lowerCond(e: Expression, whenTrue: Op[], whenFalse: Op[]): Op[] {
    switch (e.kind) {
      case 'ParenExpression':
        return this.lowerCond(e.inner, whenTrue, whenFalse);
      case 'UnaryExpression':
        return this.lowerCond(e.operand, whenFalse, whenTrue);
      case 'BinaryExpression':
        if (e.op === '&&') return this.lowerCond(e.left, this.lowerCond(e.right, whenTrue, whenFalse), whenFalse);
        if (e.op === '||') return this.lowerCond(e.left, whenTrue, this.lowerCond(e.right, whenTrue, whenFalse));
        break;
      case 'TryExpression': {
        const resolved = this.resolve(e.target);
        const checks = this.hopChecks(resolved.hops, resolved.hops.length, `${e.op} ${resolved.text}`);
        if (e.op === 'tryget') {
          const member = this.asMember(resolved, e.target, ['ref']);
          const v = member.variable;
          this.getSites.set(v, (this.getSites.get(v) ?? 0) + 1);
          return [
            ...checks,
            {
              k: 'if',
              cond: bin('!=', read(v), constant(0)),
              then: [this.capCheck(v, `tryget ${resolved.text}`), { k: 'assign', v, value: bin('+', read(v), constant(1)) }, ...whenTrue],
              else: whenFalse,
            },
          ];
        }
        const member = this.asMember(resolved, e.target, ['lock']);
        const v = member.variable;
        return [
          ...checks,
          { k: 'check', cond: bin('!=', read(v), constant(this.current.me)), kind: 'lock-misuse', message: `trylock ${resolved.text}: already held by this thread` },
          { k: 'if', cond: bin('==', read(v), constant(0)), then: [{ k: 'assign', v, value: constant(this.current.me) }, ...whenTrue], else: whenFalse },
        ];
      }
      default:
        break;
    }
    const checks: Op[] = [];
    const cond = this.toBool(this.valueOf(e, checks));
    return [...checks, { k: 'if', cond, then: whenTrue, else: whenFalse }];
  }

  private capCheck(v: number, what: string): Op {
    let cap = this.capConsts.get(v);
    if (!cap) {
      cap = { k: 'const', value: 0 };
      this.capConsts.set(v, cap);
    }
    return { k: 'check', cond: bin('<', read(v), cap), kind: 'assertion', message: `${what}: count exceeds model bound` };
  }

  // -------------------------------------------------------------------------------------------
  // Simple statements

  private orderOps(key: string, what: string): { pre: Op[]; post: Op[] } {
    const pre: Op[] = [];
    const post: Op[] = [];
    for (const order of this.orders) {
      if (order.second === key) {
        pre.push({ k: 'check', cond: bin('!=', read(order.info.variable), constant(0)), kind: 'ordering', message: `${what}: ${order.message}` });
      }
      if (order.first === key) post.push({ k: 'assign', v: order.info.variable, value: constant(1) });
    }
    return { pre, post };
  }

  private withOrders(step: Step, key: string | undefined, what: string): Step {
    if (key === undefined) return step;
    const { pre, post } = this.orderOps(key, what);
    if (pre.length === 0 && post.length === 0) return step;
    return { ...step, ops: [...pre, ...step.ops, ...post] };
  }

  private simple(s: Statement): Step | undefined {
    const what = this.sourceText(s);
    switch (s.kind) {
      case 'RefStatement': {
        const resolved = this.resolve(s.target);
        const member = this.asMember(resolved, s.target, ['ref', 'int']);
        if (member.kind === 'int') return this.intStep(resolved, member, s.op === 'get' ? 1 : -1, what);
        return this.withOrders(this.refStep(resolved, member, s.op, what), `${s.op}:v${member.variable}`, what);
      }
      case 'StepStatement': {
        const resolved = this.resolve(s.target);
        if (s.op === 'inc' || s.op === 'dec') {
          const member = this.asMember(resolved, s.target, ['int', 'ref']);
          if (member.kind === 'ref') return this.refStep(resolved, member, s.op === 'inc' ? 'get' : 'put', what);
          return this.intStep(resolved, member, s.op === 'inc' ? 1 : -1, what);
        }
        const member = this.asMember(resolved, s.target, s.op === 'set' ? ['flag'] : ['flag', 'ptr']);
        const ops = [
          ...this.hopChecks(resolved.hops, resolved.hops.length, what),
          { k: 'assign', v: member.variable, value: constant(s.op === 'set' ? 1 : 0) } as Op,
        ];
        return this.withOrders({ ops }, `${s.op}:v${member.variable}`, what);
      }
      case 'UseStatement': {
        const resolved = this.asObject(this.resolve(s.target), s.target);
        const ops = this.hopChecks(resolved.hops, resolved.hops.length, what);
        return this.withOrders({ ops }, `use:o${resolved.hops.at(-1)!.object}`, what);
      }
      case 'LifecycleStatement':
        return s.op === 'free' ? this.freeStep(s.target, what) : this.allocStep(s.target, what);
      case 'LockStatement': {
        const resolved = this.resolve(s.target);
        const member = this.asMember(resolved, s.target, ['lock']);
        const v = member.variable;
        const me = this.current.me;
        const checks = this.hopChecks(resolved.hops, resolved.hops.length, what);
        if (s.op === 'lock') {
          return this.withOrders(
            {
              guard: orFailing(bin('||', bin('==', read(v), constant(0)), bin('==', read(v), constant(me))), checks),
              ops: [
                ...checks,
                { k: 'check', cond: bin('!=', read(v), constant(me)), kind: 'lock-misuse', message: `${what}: already held by this thread` },
                { k: 'assign', v, value: constant(me) },
              ],
            },
            `lock:v${v}`,
            what,
          );
        }
        return this.withOrders(
          {
            ops: [
              ...checks,
              { k: 'check', cond: bin('==', read(v), constant(me)), kind: 'lock-misuse', message: `${what}: not held by this thread` },
              { k: 'assign', v, value: constant(0) },
            ],
          },
          `unlock:v${v}`,
          what,
        );
      }
      case 'DeviceStatement': {
        const deviceIndex = this.devicesByName.get(s.target.segments[0]?.text ?? '');
        if (deviceIndex === undefined) throw this.fail(`\`${this.sourceText(s.target)}\` is not a device`, s.target);
        const device = this.actors[deviceIndex].device!;
        const key = `${s.op}:d${deviceIndex}`;
        if (s.op === 'start') return this.withOrders({ ops: [{ k: 'assign', v: device.runningVar, value: constant(1) }] }, key, what);
        if (s.op === 'stop') return this.withOrders({ ops: [{ k: 'assign', v: device.runningVar, value: constant(0) }] }, key, what);
        return this.withOrders(
          { guard: bin('==', read(device.inflightVar), constant(0)), ops: [{ k: 'assign', v: device.runningVar, value: constant(0) }] },
          key,
          what,
        );
      }
      case 'AssignStatement':
        return this.assignStep(s.target, s.value, what);
      case 'WaitStatement': {
        const checks: Op[] = [];
        const guard = orFailing(this.toBool(this.valueOf(s.condition, checks)), checks);
        return { guard, ops: checks };
      }
      case 'AssertStatement': {
        const message = s.message?.value ?? `${what} failed`;
        return { ops: this.lowerCond(s.condition, [], [{ k: 'check', cond: constant(0), kind: 'assertion', message }]) };
      }
      case 'LetStatement': {
        const resolved = this.asObject(this.resolve(s.value), s.value);
        const capture = this.captureValue(resolved);
        const variable = this.handleVariable(s.name.text, capture.target);
        return { ops: [...capture.checks, { k: 'assign', v: variable, value: capture.value }] };
      }
      default:
        return undefined;
    }
  }

  private handleVariable(name: string, target: number): number {
    const build = this.current;
    const existing = build.handles.get(name);
    if (existing !== undefined && this.variables[existing].target === target) return existing;
    const suffix = existing === undefined ? '' : `#${build.actor.locals.length}`;
    const variable = this.addVariable(`${build.actor.name}.${name}${suffix}`, 'handle', 2, 0, -1, build.actor.index, { target });
    build.actor.locals.push(variable);
    build.handles.set(name, variable);
    return variable;
  }

  private refStep(resolved: Resolved, member: MemberSlot, op: 'get' | 'put', what: string): Step {
    const v = member.variable;
    const checks = this.hopChecks(resolved.hops, resolved.hops.length, what);
    if (op === 'get') {
      this.getSites.set(v, (this.getSites.get(v) ?? 0) + 1);
      return {
        ops: [
          ...checks,
          { k: 'check', cond: bin('!=', read(v), constant(0)), kind: 'get-from-zero', message: `${what}: the count is already 0` },
          this.capCheck(v, what),
          { k: 'assign', v, value: bin('+', read(v), constant(1)) },
        ],
      };
    }
    return {
      ops: [
        ...checks,
        { k: 'check', cond: bin('!=', read(v), constant(0)), kind: 'refcount-underflow', message: `${what}: the count is already 0` },
        { k: 'assign', v, value: bin('-', read(v), constant(1)) },
      ],
      zero: member.onZero ? { variable: v, body: member.onZero } : undefined,
    };
  }

  private intStep(resolved: Resolved, member: MemberSlot, delta: number, what: string): Step {
    const v = member.variable;
    const limit = delta > 0 ? bin('<', read(v), constant(this.variables[v].domain - 1)) : bin('>', read(v), constant(0));
    return {
      ops: [
        ...this.hopChecks(resolved.hops, resolved.hops.length, what),
        { k: 'check', cond: limit, kind: 'assertion', message: `${what}: ${resolved.text} leaves its range ${member.low}..${member.high}` },
        { k: 'assign', v, value: bin(delta > 0 ? '+' : '-', read(v), constant(1)) },
      ],
    };
  }

  private freeStep(target: Place, what: string): Step {
    const resolved = this.asObject(this.resolve(target), target);
    const hops = resolved.hops;
    const last = hops.at(-1)!;
    const object = this.objects[last.object].info;
    const ops = this.hopChecks(hops, hops.length - 1, what);
    if (object.isStatic) throw this.fail(`${object.name} is static and cannot be freed`, target);
    if (last.via >= 0) {
      ops.push({ k: 'check', cond: bin('!=', read(last.via), constant(0)), kind: 'assertion', message: `${what}: null dereference of ${last.viaText}` });
    }
    ops.push({ k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_FREED)), kind: 'double-free', message: `${what}: ${object.name} is already freed` });
    if (object.unborn) {
      // KASAN's "double-free or invalid-free": freeing what was never allocated is an invalid free.
      ops.push({ k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_UNALLOCATED)), kind: 'double-free', message: `${what}: ${object.name} was never allocated` });
    }
    if (last.via >= 0 && object.recyclable) {
      ops.push({
        k: 'check',
        cond: bin('==', read(object.generationVar), bin('-', read(last.via), constant(1))),
        kind: 'stale-access',
        message: `${what}: ${object.name} was freed and reallocated since ${last.viaText} was taken`,
      });
    }
    ops.push({ k: 'assign', v: object.lifeVar, value: constant(LIFE_FREED) });
    return this.withOrders({ ops }, `free:o${object.index}`, what);
  }

  private allocStep(target: Place, what: string): Step {
    const resolved = this.asObject(this.resolve(target), target);
    const object = this.objects[resolved.hops.at(-1)!.object];
    const info = object.info;
    if (info.isStatic) throw this.fail(`${info.name} is static and cannot be allocated`, target);
    const ops = this.hopChecks(resolved.hops, resolved.hops.length - 1, what);
    ops.push({ k: 'check', cond: bin('!=', read(info.lifeVar), constant(LIFE_LIVE)), kind: 'assertion', message: `${what}: ${info.name} is already allocated` });
    if (info.recyclable) {
      let bound = this.generationConsts.get(info.index);
      if (!bound) {
        bound = { k: 'const', value: 0 };
        this.generationConsts.set(info.index, bound);
      }
      const g = info.generationVar;
      ops.push({
        k: 'if',
        cond: bin('==', read(info.lifeVar), constant(LIFE_FREED)),
        then: [
          { k: 'check', cond: bin('<', bin('+', read(g), constant(1)), bound), kind: 'assertion', message: `${what}: generation count exceeds model bound` },
          { k: 'assign', v: g, value: bin('+', read(g), constant(1)) },
        ],
        else: [],
      });
    } else {
      ops.push({ k: 'check', cond: bin('==', read(info.lifeVar), constant(LIFE_UNALLOCATED)), kind: 'assertion', message: `${what}: ${info.name} is not recyclable and cannot be allocated again` });
    }
    this.allocSites.set(info.index, (this.allocSites.get(info.index) ?? 0) + 1);
    ops.push({ k: 'assign', v: info.lifeVar, value: constant(LIFE_LIVE) });
    for (const member of object.members.values()) {
      ops.push({ k: 'assign', v: member.variable, value: constant(this.variables[member.variable].initial) });
    }
    return this.withOrders({ ops }, `alloc:o${info.index}`, what);
  }

  private assignStep(target: Place, value: Expression, what: string): Step {
    const resolved = this.resolve(target);
    const member = this.asMember(resolved, target, ['flag', 'state', 'int', 'ptr', 'ref']);
    const v = member.variable;
    const variable = this.variables[v];
    const ops = this.hopChecks(resolved.hops, resolved.hops.length, what);
    const checks: Op[] = [];
    switch (member.kind) {
      case 'flag':
        ops.push(...checks, { k: 'assign', v, value: this.toBool(this.valueOf(value, checks)) });
        break;
      case 'state': {
        const name = value.kind === 'Place' && value.segments.length === 1 ? value.segments[0].text : '';
        const index = variable.values?.indexOf(name) ?? -1;
        if (index < 0) throw this.fail(`\`${this.sourceText(value)}\` is not a value of ${resolved.text}`, value);
        ops.push({ k: 'assign', v, value: constant(index) });
        break;
      }
      case 'int':
      case 'ref': {
        const computed = this.valueOf(value, checks).expr;
        const low = member.kind === 'int' ? member.low ?? 0 : 0;
        const stored = low !== 0 ? bin('-', computed, constant(low)) : computed;
        const message = member.kind === 'int' ? `${what}: ${resolved.text} leaves its range ${member.low}..${member.high}` : `${what}: count exceeds model bound`;
        const upper: Expr = member.kind === 'int' ? constant(variable.domain) : this.capConst(v);
        ops.push(...checks, {
          k: 'check',
          cond: bin('&&', bin('>=', stored, constant(0)), bin('<', stored, upper)),
          kind: 'assertion',
          message,
        });
        ops.push({ k: 'assign', v, value: stored });
        break;
      }
      case 'ptr': {
        if (value.kind === 'NullLiteral') {
          ops.push({ k: 'assign', v, value: constant(0) });
          break;
        }
        if (value.kind !== 'Place') throw this.fail(`a pointer takes an object, a pointer or null`, value);
        const source = this.asObject(this.resolve(value), value);
        const capture = this.captureValue(source);
        if (capture.target !== variable.target) throw this.fail(`${resolved.text} cannot point to ${source.text}`, value);
        ops.push(...capture.checks, { k: 'assign', v, value: capture.value });
        break;
      }
      default:
        break;
    }
    return { ops };
  }

  private capConst(v: number): Expr {
    let cap = this.capConsts.get(v);
    if (!cap) {
      cap = { k: 'const', value: 0 };
      this.capConsts.set(v, cap);
    }
    // The assignable range of a count is 0..cap inclusive; the check is `< cap + 1`, expressed with
    // the shared constant so that patching it later also updates this check.
    return bin('+', cap, constant(1));
  }

  // -------------------------------------------------------------------------------------------
  // Control flow

  private newPoint(): number {
    const build = this.current;
    if (build.points.length >= MAX_POINTS) throw new LoweringError('the model has too many program points');
    build.points.push({ transitions: [] });
    build.alias.push(-1);
    return build.points.length - 1;
  }

  private find(point: number): number {
    const alias = this.current.alias;
    while (alias[point] >= 0) point = alias[point];
    return point;
  }

  private join(from: number, to: number): void {
    const a = this.find(from);
    const b = this.find(to);
    if (a !== b) this.current.alias[a] = b;
  }

  private addTransition(from: number, guard: Expr | undefined, ops: Op[], next: number, range: { start: number; end: number }, event: string): void {
    const point = this.find(from);
    const transition: Transition = { id: -1, from: point, ops, next, start: range.start, end: range.end, event, reads: [], writes: [] };
    if (guard) transition.guard = guard;
    const onZero = this.current.onZeroStack.at(-1);
    if (onZero !== undefined) transition.onZero = this.variables[onZero].name;
    this.current.points[point].transitions.push(transition);
  }

  private lowerActor(build: ActorBuild): void {
    this.current = build;
    const actor = build.actor;
    if (actor.kind === 'device') {
      this.lowerDevice(build);
      return;
    }
    build.entry = this.newPoint();
    build.end = this.newPoint();
    build.returnPoint = build.end;
    const decl = this.variant.threads.find((t) => t.name.text === actor.name.replace(/\[\d+\]$/, '')) as ThreadDecl;
    const exit = this.lowerBody(decl.body, build.entry);
    this.join(exit, build.end);
    for (const slot of this.objects) {
      for (const member of slot.members.values()) {
        if (member.kind !== 'lock') continue;
        actor.finishChecks.push({
          k: 'check',
          cond: bin('!=', read(member.variable), constant(build.me)),
          kind: 'lock-misuse',
          message: `${actor.name} finishes holding ${slot.info.name}.${member.name}`,
        });
      }
    }
  }

  private lowerBody(body: Block | CBody, cur: number): number {
    if (body.kind === 'Block') return this.lowerSeq(body.statements, cur);
    const statements = this.translateC(body);
    return statements ? this.lowerSeq(statements, cur) : cur;
  }

  private translateC(body: CBody): Statement[] | undefined {
    const translation = cBodyTranslator?.(body, this.file);
    if (translation) {
      this.diagnostics.push(...translation.diagnostics);
      return translation.statements;
    }
    this.complete = false;
    this.diagnostics.push(
      makeDiagnostic(
        CODES.cUntranslatable,
        `C bodies need the C front end to be checked; proposal \`${this.variant.name}\` is not checked`,
        body.start,
        body.end,
      ),
    );
    return undefined;
  }

  private lowerSeq(statements: Statement[], cur: number): number {
    for (const statement of statements) cur = this.lowerStatement(statement, cur);
    return cur;
  }

  private lowerStatement(s: Statement, cur: number): number {
    try {
      return this.lowerStatementUnsafe(s, cur);
    } catch (error) {
      if (!(error instanceof LoweringError)) throw error;
      return cur;
    }
  }

  private lowerStatementUnsafe(s: Statement, cur: number): number {
    switch (s.kind) {
      case 'Error':
        return cur;
      case 'Block':
        return this.lowerSeq(s.statements, cur);
      case 'IfStatement': {
        const thenEntry = this.newPoint();
        const elseEntry = this.newPoint();
        const joined = this.newPoint();
        const ops = this.lowerCond(s.condition, [{ k: 'goto', pc: thenEntry }], [{ k: 'goto', pc: elseEntry }]);
        this.addTransition(cur, undefined, ops, thenEntry, { start: s.start, end: s.condition.end }, `if ${this.sourceText(s.condition)}`);
        this.join(this.lowerSeq(s.then.statements, thenEntry), joined);
        const elseExit = !s.else ? elseEntry : s.else.kind === 'Block' ? this.lowerSeq(s.else.statements, elseEntry) : this.lowerStatement(s.else, elseEntry);
        this.join(elseExit, joined);
        return joined;
      }
      case 'WhileStatement': {
        const bodyEntry = this.newPoint();
        const exit = this.newPoint();
        const ops = this.lowerCond(s.condition, [{ k: 'goto', pc: bodyEntry }], [{ k: 'goto', pc: exit }]);
        this.addTransition(cur, undefined, ops, bodyEntry, { start: s.start, end: s.condition.end }, `while ${this.sourceText(s.condition)}`);
        this.join(this.lowerSeq(s.body.statements, bodyEntry), cur);
        return exit;
      }
      case 'RepeatStatement': {
        const count = Math.max(0, Math.min(1000, s.count.value));
        for (let i = 0; i < count; i++) cur = this.lowerSeq(s.body.statements, cur);
        return cur;
      }
      case 'ChooseStatement': {
        const exit = this.newPoint();
        s.branches.forEach((branch, i) => {
          const entry = this.newPoint();
          const label = s.isMaybe ? 'maybe: yes' : `choose branch ${i + 1}`;
          this.addTransition(cur, undefined, [], entry, { start: s.start, end: branch.start }, label);
          this.join(this.lowerSeq(branch.statements, entry), exit);
        });
        if (s.isMaybe) this.addTransition(cur, undefined, [], exit, { start: s.start, end: s.branches[0]?.start ?? s.end }, 'maybe: no');
        return exit;
      }
      case 'AtomicStatement': {
        const exit = this.newPoint();
        const alternatives = this.genOps(s.body.statements);
        for (const ops of alternatives) {
          this.addTransition(cur, undefined, ops, exit, s, atomicEvent(s.body.statements.map((statement) => this.sourceText(statement))));
        }
        return exit;
      }
      case 'CallStatement':
        return this.lowerCall(s, cur);
      case 'ReturnStatement':
        this.join(cur, this.current.returnPoint);
        return this.newPoint();
      default: {
        const step = this.simple(s);
        if (!step) return cur;
        const next = this.newPoint();
        const ops = [...step.ops];
        if (step.zero) {
          const zeroEntry = this.newPoint();
          ops.push({ k: 'if', cond: bin('==', read(step.zero.variable), constant(0)), then: [{ k: 'goto', pc: zeroEntry }], else: [] });
          this.join(this.lowerOnZero(step.zero, zeroEntry), next);
        }
        this.addTransition(cur, step.guard, ops, next, s, this.sourceText(s));
        return next;
      }
    }
  }

  private lowerOnZero(zero: { variable: number; body: Block }, entry: number): number {
    const build = this.current;
    if (build.onZeroStack.includes(zero.variable)) {
      this.unsupported(`the on-zero action of ${this.variables[zero.variable].name} runs itself again`, zero.body);
      return entry;
    }
    const saved = { env: build.env, returnPoint: build.returnPoint };
    const exit = this.newPoint();
    build.env = new Map();
    build.returnPoint = exit;
    build.onZeroStack.push(zero.variable);
    try {
      this.join(this.lowerSeq(zero.body.statements, entry), exit);
    } finally {
      build.onZeroStack.pop();
      build.env = saved.env;
      build.returnPoint = saved.returnPoint;
    }
    return exit;
  }

  private bindCall(s: Statement & { kind: 'CallStatement' }): { fn: FnDecl; env: Env } {
    const fn = this.fns.get(s.callee.text);
    if (!fn) throw this.fail(`\`${s.callee.text}\` is not a procedure`, s.callee);
    if (this.current.fnStack.includes(fn.name.text)) throw this.fail(`\`${fn.name.text}\` calls itself; calls are inlined`, s.callee);
    const env: Env = new Map();
    fn.params.forEach((param, i) => {
      const arg = s.args[i];
      if (arg) env.set(param.text, { place: arg, env: this.current.env });
    });
    return { fn, env };
  }

  private lowerCall(s: Statement & { kind: 'CallStatement' }, cur: number): number {
    const { fn, env } = this.bindCall(s);
    const build = this.current;
    const what = `call ${fn.name.text}`;
    const { pre, post } = this.orderOps(`call:f:${fn.name.text}`, what);
    if (pre.length > 0 || post.length > 0) {
      const next = this.newPoint();
      this.addTransition(cur, undefined, [...pre, ...post], next, s, this.sourceText(s));
      cur = next;
    }
    const saved = { env: build.env, returnPoint: build.returnPoint };
    const returnPoint = this.newPoint();
    build.env = env;
    build.returnPoint = returnPoint;
    build.fnStack.push(fn.name.text);
    try {
      this.join(this.lowerBody(fn.body, cur), returnPoint);
    } finally {
      build.fnStack.pop();
      build.env = saved.env;
      build.returnPoint = saved.returnPoint;
    }
    return returnPoint;
  }

  /** The alternatives of a straight-line block for `atomic`: one op list per nondeterministic outcome. */
  private genOps(statements: Statement[]): Op[][] {
    let alternatives: Op[][] = [[]];
    for (const statement of statements) {
      const next = this.genStatementOps(statement);
      const combined: Op[][] = [];
      for (const prefix of alternatives) for (const suffix of next) combined.push([...prefix, ...suffix]);
      if (combined.length > MAX_ALTERNATIVES) {
        this.unsupported('an atomic block has too many nondeterministic outcomes', statement);
        return alternatives;
      }
      alternatives = combined;
    }
    return alternatives;
  }

  private genStatementOps(s: Statement): Op[][] {
    try {
      switch (s.kind) {
        case 'Error':
          return [[]];
        case 'Block':
          return this.genOps(s.statements);
        case 'AtomicStatement':
          return this.genOps(s.body.statements);
        case 'RepeatStatement': {
          const body: Statement[] = [];
          for (let i = 0; i < Math.max(0, Math.min(1000, s.count.value)); i++) body.push(...s.body.statements);
          return this.genOps(body);
        }
        case 'ChooseStatement': {
          const result: Op[][] = [];
          for (const branch of s.branches) result.push(...this.genOps(branch.statements));
          if (s.isMaybe) result.push([]);
          return result;
        }
        case 'IfStatement': {
          const thenAlternatives = this.genOps(s.then.statements);
          const elseAlternatives = !s.else ? [[]] : s.else.kind === 'Block' ? this.genOps(s.else.statements) : this.genStatementOps(s.else);
          const result: Op[][] = [];
          for (const t of thenAlternatives) for (const e of elseAlternatives) result.push(this.lowerCond(s.condition, t, e));
          return result;
        }
        case 'CallStatement': {
          const { fn, env } = this.bindCall(s);
          const build = this.current;
          const savedEnv = build.env;
          build.env = env;
          build.fnStack.push(fn.name.text);
          try {
            const statements = fn.body.kind === 'Block' ? fn.body.statements : this.translateC(fn.body) ?? [];
            const { pre, post } = this.orderOps(`call:f:${fn.name.text}`, `call ${fn.name.text}`);
            return this.genOps(statements).map((ops) => [...pre, ...post, ...ops]);
          } finally {
            build.fnStack.pop();
            build.env = savedEnv;
          }
        }
        case 'WhileStatement':
        case 'ReturnStatement':
          this.unsupported(`\`${s.kind === 'WhileStatement' ? 'while' : 'return'}\` inside an atomic block cannot be checked`, s);
          return [[]];
        default: {
          const step = this.simple(s);
          if (!step) return [[]];
          const ops: Op[] = step.guard ? [{ k: 'require', cond: step.guard }, ...step.ops] : [...step.ops];
          if (!step.zero) return [ops];
          const build = this.current;
          if (build.onZeroStack.includes(step.zero.variable)) {
            this.unsupported(`the on-zero action of ${this.variables[step.zero.variable].name} runs itself again`, s);
            return [ops];
          }
          const savedEnv = build.env;
          build.env = new Map();
          build.onZeroStack.push(step.zero.variable);
          try {
            const zeroVar = step.zero.variable;
            return this.genOps(step.zero.body.statements).map((z) => [
              ...ops,
              { k: 'if', cond: bin('==', read(zeroVar), constant(0)), then: z, else: [] } as Op,
            ]);
          } finally {
            build.onZeroStack.pop();
            build.env = savedEnv;
          }
        }
      }
    } catch (error) {
      if (!(error instanceof LoweringError)) throw error;
      return [[]];
    }
  }

  private lowerDevice(build: ActorBuild): void {
    const actor = build.actor;
    const device = actor.device!;
    const decl = this.variant.devices.find((d) => d.name.text === actor.name) as DeviceDecl;
    const point = this.newPoint();
    build.entry = point;
    build.end = -1;
    let base = 0;
    for (const target of decl.targets) {
      let resolved: Resolved;
      try {
        resolved = this.asObject(this.resolve(target.target), target.target);
      } catch (error) {
        if (!(error instanceof LoweringError)) throw error;
        continue;
      }
      const text = this.sourceText(target.target);
      const last = resolved.hops.at(-1)!;
      const object = this.objects[last.object].info;
      const info: DmaTargetInfo = { text, object: last.object, base, generations: 1 };
      device.targets.push(info);
      const what = `dma issue ${text}`;
      const checks = this.hopChecks(resolved.hops, resolved.hops.length - 1, what, 'dma-after-free');
      const capture: Expr = last.via >= 0 ? read(last.via) : object.recyclable ? bin('+', read(object.generationVar), constant(1)) : constant(1);
      const assign: Op = { k: 'assign', v: device.inflightVar, value: bin('+', capture, constant(base)) };
      const ops: Op[] =
        last.via >= 0 ? [...checks, { k: 'if', cond: bin('!=', read(last.via), constant(0)), then: [assign], else: [] }] : [...checks, assign];
      const guard = bin('&&', bin('!=', read(device.runningVar), constant(0)), bin('==', read(device.inflightVar), constant(0)));
      this.addTransition(point, guard, ops, point, target, what);
      base += 1; // Patched to the real generation count in patchDomains.
    }
    if (device.targets.length === 0) return;
    this.addTransition(point, bin('!=', read(device.inflightVar), constant(0)), [], point, decl.name, 'dma complete');
  }

  // -------------------------------------------------------------------------------------------
  // Finishing

  private generations(object: number): number {
    const info = this.objects[object].info;
    return info.recyclable ? 1 + (this.allocSites.get(object) ?? 0) : 1;
  }

  private patchDomains(): void {
    for (const slot of this.objects) {
      const info = slot.info;
      const g = this.generations(info.index);
      if (info.generationVar >= 0) this.variables[info.generationVar].domain = g;
      const bound = this.generationConsts.get(info.index);
      if (bound) bound.value = g;
      for (const member of slot.members.values()) {
        const variable = this.variables[member.variable];
        if (member.kind === 'ref') {
          const cap = Math.max(1, variable.initial) + (this.getSites.get(member.variable) ?? 0);
          variable.domain = cap + 1;
          const capConst = this.capConsts.get(member.variable);
          if (capConst) capConst.value = cap;
        } else if (member.kind === 'lock') {
          variable.domain = this.actors.length + 1;
        } else if (member.kind === 'ptr') {
          variable.domain = 1 + this.generations(variable.target ?? 0);
        }
      }
    }
    for (const variable of this.variables) {
      if (variable.kind === 'handle') variable.domain = 1 + this.generations(variable.target ?? 0);
    }
    // Device in-flight codes: each target gets a block of `generations` codes.
    for (const build of this.builds) {
      const device = build.actor.device;
      if (!device) continue;
      let base = 0;
      const issues = build.points[0]?.transitions.filter((t) => t.event.startsWith('dma issue')) ?? [];
      device.targets.forEach((target, i) => {
        target.base = base;
        target.generations = this.generations(target.object);
        const issue = issues[i];
        if (issue) patchBase(issue.ops, device.inflightVar, base);
        base += target.generations;
      });
      this.variables[device.inflightVar].domain = base + 1;
      const complete = build.points[0]?.transitions.find((t) => t.event === 'dma complete');
      if (complete) complete.ops = this.completeOps(device.targets, device.inflightVar);
    }
  }

  private completeOps(targets: DmaTargetInfo[], inflightVar: number): Op[] {
    const ops: Op[] = [];
    for (const target of targets) {
      const object = this.objects[target.object].info;
      const inRange = bin('&&', bin('>', read(inflightVar), constant(target.base)), bin('<=', read(inflightVar), constant(target.base + target.generations)));
      const body: Op[] = [];
      if (!object.isStatic) {
        body.push({ k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_FREED)), kind: 'dma-after-free', message: `dma complete ${target.text}: ${object.name} was freed` });
        if (object.unborn) {
          body.push({ k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_UNALLOCATED)), kind: 'dma-after-free', message: `dma complete ${target.text}: ${object.name} is not allocated` });
        }
        if (object.recyclable) {
          body.push({
            k: 'check',
            cond: bin('==', read(object.generationVar), bin('-', read(inflightVar), constant(target.base + 1))),
            kind: 'stale-access',
            message: `dma complete ${target.text}: ${object.name} was freed and reallocated since the DMA was issued`,
          });
        }
      }
      ops.push({ k: 'if', cond: inRange, then: body, else: [] });
    }
    ops.push({ k: 'assign', v: inflightVar, value: constant(0) });
    return ops;
  }

  private finish(): TransitionSystem {
    for (const build of this.builds) {
      this.current = build;
      const actor = build.actor;
      const numbering = new Int32Array(build.points.length).fill(-1);
      let count = 0;
      build.points.forEach((_, i) => {
        if (build.alias[i] < 0) numbering[i] = count++;
      });
      const map = (point: number): number => numbering[this.find(point)];
      const transitions: Transition[] = [];
      actor.points = [];
      for (let i = 0; i < count; i++) actor.points.push({ index: i, transitions: [] });
      build.points.forEach((point, i) => {
        if (build.alias[i] >= 0) return;
        for (const t of point.transitions) {
          const copy: Transition = { ...t, id: transitions.length, from: numbering[i], next: map(t.next), ops: remapOps(t.ops, map) };
          const touched = touchedVariables(copy);
          copy.reads = touched.reads;
          copy.writes = touched.writes;
          transitions.push(copy);
          actor.points[numbering[i]].transitions.push(copy.id);
        }
      });
      actor.transitions = transitions;
      const pcVar = this.variables[actor.pcVar];
      pcVar.domain = Math.max(1, count);
      pcVar.initial = map(build.entry);
      actor.endPc = actor.kind === 'thread' ? map(build.end) : -1;
      if (actor.kind === 'thread' && actor.points[actor.endPc].transitions.length > 0) {
        // A loop back to the end point cannot happen: the end point is only ever a join target.
        throw new Error('the end point has transitions');
      }
    }
    const leakChecks = this.objects
      .filter((slot) => !slot.info.isStatic)
      .map((slot) => ({
        cond: bin('!=', read(slot.info.lifeVar), constant(LIFE_LIVE)),
        kind: 'leak' as ViolationKind,
        message: `${slot.info.name} is still allocated when every thread has finished`,
        object: slot.info.index,
      }));
    return {
      proposal: this.variant.name,
      variables: this.variables,
      objects: this.objects.map((slot) => slot.info),
      actors: this.actors,
      symmetryGroups: this.symmetryGroups,
      orders: this.orders.map((order) => order.info),
      leakChecks,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Diagnostics

  private sourceText(node: { start: number; end: number }): string {
    return this.file.text.slice(node.start, node.end).replace(/\s+/g, ' ').trim();
  }

  private unsupported(message: string, at: { start: number; end: number }): void {
    this.complete = false;
    this.diagnostics.push(makeDiagnostic(CODES.notLowered, `${message}; proposal \`${this.variant.name}\` is not checked`, at.start, at.end));
  }

  private fail(message: string, at: { start: number; end: number }): LoweringError {
    this.unsupported(message, at);
    return new LoweringError(message);
  }
}

interface Value {
  expr: Expr;
  type: 'bool' | 'int' | 'state' | 'ptr' | 'null' | 'object' | 'name';
  values?: string[];
  name?: string;
  resolved?: Resolved;
}

function patchBase(ops: Op[], inflightVar: number, base: number): void {
  for (const op of ops) {
    if (op.k === 'assign' && op.v === inflightVar && op.value.k === 'bin' && op.value.r.k === 'const') {
      op.value = { ...op.value, r: constant(base) };
    } else if (op.k === 'if') {
      patchBase(op.then, inflightVar, base);
      patchBase(op.else, inflightVar, base);
    }
  }
}

function remapOps(ops: Op[], map: (point: number) => number): Op[] {
  return ops.map((op): Op => {
    if (op.k === 'goto') return { k: 'goto', pc: map(op.pc) };
    if (op.k === 'if') return { ...op, then: remapOps(op.then, map), else: remapOps(op.else, map) };
    return op;
  });
}

function exprReads(e: Expr, into: Set<number>): void {
  if (e.k === 'var') into.add(e.v);
  else if (e.k === 'not') exprReads(e.e, into);
  else if (e.k === 'bin') {
    exprReads(e.l, into);
    exprReads(e.r, into);
  }
}

function opsTouch(ops: Op[], reads: Set<number>, writes: Set<number>): void {
  for (const op of ops) {
    if (op.k === 'assign') {
      writes.add(op.v);
      exprReads(op.value, reads);
    } else if (op.k === 'check' || op.k === 'require') exprReads(op.cond, reads);
    else if (op.k === 'if') {
      exprReads(op.cond, reads);
      opsTouch(op.then, reads, writes);
      opsTouch(op.else, reads, writes);
    }
  }
}

function touchedVariables(t: Transition): { reads: number[]; writes: number[] } {
  const reads = new Set<number>();
  const writes = new Set<number>();
  if (t.guard) exprReads(t.guard, reads);
  opsTouch(t.ops, reads, writes);
  return { reads: [...reads].sort((a, b) => a - b), writes: [...writes].sort((a, b) => a - b) };
}

/** Lowers the named variant (`baseline` or a proposal) of a file. Never throws on bad input. */
export function lowerModel(file: SourceFile, proposal: string): LowerResult {
  const variant = buildVariant(file, proposal);
  const empty: TransitionSystem = { proposal, variables: [], objects: [], actors: [], symmetryGroups: [], orders: [], leakChecks: [] };
  if (!variant) {
    return {
      system: empty,
      diagnostics: [makeDiagnostic(CODES.unknownProposal, `no proposal named \`${proposal}\``, 0, 0)],
      complete: false,
    };
  }
  const lowerer = new Lowerer(file, variant);
  try {
    const system = lowerer.lower();
    return { system, diagnostics: lowerer.diagnostics, complete: lowerer.complete };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      system: empty,
      diagnostics: [...lowerer.diagnostics, makeDiagnostic(CODES.notLowered, `proposal \`${proposal}\` could not be lowered: ${message}`, variant.start, variant.end)],
      complete: false,
    };
  }
}

/**
 * The guard of a blocking step that touches memory (`lock o.m`, `wait until o.f`): it is also
 * enabled when one of its access checks fails, because waiting reads the freed (or stale, or null)
 * object; the step then reports that violation instead of blocking on it silently.
 */
function orFailing(guard: Expr, checks: Op[]): Expr {
  const conditions = checks.flatMap((op) => (op.k === 'check' ? [op.cond] : []));
  if (conditions.length === 0) return guard;
  return bin('||', guard, not(conditions.reduce((all, cond) => bin('&&', all, cond))));
}
