// Checks statements and expressions of one body in one view: every place resolves, every statement
// gets the kind of thing it works on, comparisons and assignments agree in type, and nothing inside
// `atomic` can block.

import { CODES } from '../diagnostics/codes';
import type {
  AssignStatement,
  Block,
  CallStatement,
  EventPattern,
  Expression,
  LetStatement,
  Place,
  Statement,
} from '../syntax/ast';
import type { BlockingOracle } from './calls';
import {
  designatedObjects,
  lookupLocal,
  nonPointerMember,
  resolvePlace,
  type Entity,
  type Resolver,
  type Scope,
} from './places';
import { describeMemberKind, type FnInfo, type MemberInfo } from './symbols';
import type { MemberKind } from './model';

export interface BodyEnv {
  r: Resolver;
  fn: FnInfo | undefined;
  /** The thread whose body this is, for `return` warnings. */
  threadName: string | undefined;
  /** Declaration id that owns locals declared here. */
  owner: number;
  blocking: BlockingOracle;
  /** Local ids by `let` statement, so a body checked in several views declares each local once. */
  localIds: Map<LetStatement, number>;
  proposal: string | undefined;
}

/** The type of an expression, for conditions, comparisons and assignments. */
type Ty =
  | { t: 'bool' | 'int' | 'null' | 'unknown' | 'device' | 'lock'; desc: string }
  | { t: 'state'; members: MemberInfo[]; desc: string }
  | { t: 'state-value'; name: string; desc: string }
  | { t: 'ptr'; targets: string[]; desc: string }
  | { t: 'object'; names: string[]; desc: string };

const UNKNOWN: Ty = { t: 'unknown', desc: 'unknown' };

/** The member kinds statements work on. */
const REF: readonly MemberKind[] = ['ref'];
const LOCK: readonly MemberKind[] = ['lock'];
const FLAG: readonly MemberKind[] = ['flag'];
const FLAG_OR_PTR: readonly MemberKind[] = ['flag', 'ptr'];
const INT: readonly MemberKind[] = ['int'];

export function checkBlock(env: BodyEnv, block: Block | undefined, scope: Scope | undefined, atomic: Block | undefined): void {
  const statements = block?.statements ?? [];
  const blockStart = scope;
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i];
    if (statement.kind === 'ReturnStatement' && env.threadName !== undefined && !env.fn && i + 1 < statements.length) {
      env.r.ctx.report(CODES.returnOutsideFn, `'return' finishes thread '${env.threadName}'; the statements after it never run`, statement.start, statement.end);
    }
    scope = checkStatement(env, statement, scope, atomic, blockStart);
  }
}

function checkStatement(env: BodyEnv, s: Statement, scope: Scope | undefined, atomic: Block | undefined, blockStart: Scope | undefined): Scope | undefined {
  const ctx = env.r.ctx;
  switch (s.kind) {
    case 'RefStatement':
      requireMember(env, s.target, scope, REF, s.op);
      break;
    case 'LockStatement':
      requireMember(env, s.target, scope, LOCK, s.op);
      if (s.op === 'lock' && atomic) {
        ctx.report(CODES.blockingInAtomic, `'lock ${ctx.textOf(s.target)}' can block, so it cannot stand inside 'atomic'; use 'trylock'`, s.start, s.end);
      }
      break;
    case 'UseStatement': {
      const entity = place(env, s.target, scope);
      if (entity.t === 'things' && entity.devices.length > 0) {
        ctx.report(CODES.wrongKind, `'use' needs an object; '${ctx.textOf(s.target)}' is a device`, s.target.start, s.target.end);
      }
      break;
    }
    case 'LifecycleStatement':
      requireObject(env, s.target, scope, s.op, true);
      break;
    case 'DeviceStatement': {
      requireDevice(env, s.target, scope, s.op);
      if (s.op === 'quiesce' && atomic) {
        ctx.report(CODES.blockingInAtomic, `'quiesce' waits for DMA in flight, so it cannot stand inside 'atomic'`, s.start, s.end);
      }
      break;
    }
    case 'AssignStatement':
      checkAssign(env, s, scope);
      break;
    case 'StepStatement': {
      const wanted = s.op === 'set' ? FLAG : s.op === 'clear' ? FLAG_OR_PTR : INT;
      requireMember(env, s.target, scope, wanted, s.op);
      break;
    }
    case 'WaitStatement':
      condition(env, s.condition, scope);
      if (atomic) ctx.report(CODES.blockingInAtomic, `'wait until' blocks, so it cannot stand inside 'atomic'`, s.start, s.end);
      break;
    case 'AssertStatement':
      condition(env, s.condition, scope);
      break;
    case 'IfStatement': {
      condition(env, s.condition, scope);
      checkBlock(env, s.then, scope, atomic);
      if (s.else) {
        if (s.else.kind === 'Block') checkBlock(env, s.else, scope, atomic);
        else checkStatement(env, s.else, scope, atomic, scope);
      }
      break;
    }
    case 'WhileStatement':
      condition(env, s.condition, scope);
      checkBlock(env, s.body, scope, atomic);
      break;
    case 'RepeatStatement':
      if (s.count && s.count.value < 0) {
        ctx.report(CODES.invalidValue, `'repeat' needs a count of at least 0, not ${s.count.value}`, s.count.start, s.count.end);
      }
      checkBlock(env, s.body, scope, atomic);
      break;
    case 'ChooseStatement':
      for (const branch of s.branches ?? []) checkBlock(env, branch, scope, atomic);
      break;
    case 'AtomicStatement':
      checkBlock(env, s.body, scope, atomic ?? s.body);
      break;
    case 'LetStatement':
      return checkLet(env, s, scope, blockStart);
    case 'CallStatement':
      checkCall(env, s, scope, atomic);
      break;
    case 'Block':
      checkBlock(env, s, scope, atomic);
      break;
    default:
      break;
  }
  return scope;
}

function place(env: BodyEnv, target: Place | undefined, scope: Scope | undefined): Entity {
  if (!target) return { t: 'error' };
  return resolvePlace(env.r, target, scope, env.fn);
}

function describeEntity(entity: Entity): string {
  switch (entity.t) {
    case 'things':
      return entity.devices.length > 0 ? 'a device' : 'an object';
    case 'members':
      return describeMemberKind(entity.members[0].kind);
    case 'any':
      return 'a parameter (an object)';
    case 'error':
      return 'unknown';
  }
}

function describeWanted(kinds: readonly MemberKind[]): string {
  return kinds.map(describeMemberKind).join(' or ');
}

function requireMember(env: BodyEnv, target: Place | undefined, scope: Scope | undefined, kinds: readonly MemberKind[], op: string): void {
  const entity = place(env, target, scope);
  if (!target || entity.t === 'error') return;
  if (entity.t === 'members') {
    const wrong = firstMemberNotOf(entity.members, kinds);
    if (!wrong) return;
    env.r.ctx.report(CODES.wrongKind, `'${op}' needs ${describeWanted(kinds)}; '${env.r.ctx.textOf(target)}' is ${describeMemberKind(wrong.kind)}`, target.start, target.end);
    return;
  }
  env.r.ctx.report(CODES.wrongKind, `'${op}' needs ${describeWanted(kinds)}; '${env.r.ctx.textOf(target)}' is ${describeEntity(entity)}`, target.start, target.end);
}

function firstMemberNotOf(members: MemberInfo[], kinds: readonly MemberKind[]): MemberInfo | undefined {
  for (const member of members) if (!kinds.includes(member.kind)) return member;
  return undefined;
}

/** For free, alloc, alive, freed: the place must designate a (non-static, for free/alloc) object. */
function requireObject(env: BodyEnv, target: Place | undefined, scope: Scope | undefined, op: string, lifecycle: boolean): void {
  const raw = place(env, target, scope);
  if (!target || raw.t === 'error') return;
  const ctx = env.r.ctx;
  const text = ctx.textOf(target);
  const wrongMember = nonPointerMember(raw);
  if (wrongMember) {
    ctx.report(CODES.wrongKind, `'${op}' needs an object; '${text}' is ${describeMemberKind(wrongMember.kind)} inside '${wrongMember.owner.name}'`, target.start, target.end);
    return;
  }
  const entity = designatedObjects(env.r, raw);
  if (entity.t !== 'things') return;
  if (entity.devices.length > 0) {
    ctx.report(CODES.wrongKind, `'${op}' needs an object; '${text}' is a device`, target.start, target.end);
    return;
  }
  if (!lifecycle) return;
  const fixed = entity.objects.find((object) => object.decl.isStatic);
  if (fixed) {
    const how = fixed.name === text ? `'${text}'` : `'${text}' designates '${fixed.name}', which`;
    ctx.report(CODES.staticFreed, `${how} is static and lives forever; it cannot be ${op === 'free' ? 'freed' : 'allocated'}`, target.start, target.end);
  }
}

function requireDevice(env: BodyEnv, target: Place | undefined, scope: Scope | undefined, op: string): void {
  const entity = place(env, target, scope);
  if (!target || entity.t === 'error' || entity.t === 'any') return;
  if (entity.t === 'things' && entity.objects.length === 0) return;
  env.r.ctx.report(CODES.wrongKind, `'${op}' needs a device; '${env.r.ctx.textOf(target)}' is ${describeEntity(entity)}`, target.start, target.end);
}

function checkLet(env: BodyEnv, s: LetStatement, scope: Scope | undefined, blockStart: Scope | undefined): Scope | undefined {
  const ctx = env.r.ctx;
  const raw = place(env, s.value, scope);
  if (s.value && raw.t !== 'error') {
    const member = nonPointerMember(raw);
    if (member) {
      ctx.report(CODES.wrongKind, `a handle designates an object; '${ctx.textOf(s.value)}' is ${describeMemberKind(member.kind)}`, s.value.start, s.value.end);
    } else if (raw.t === 'things' && raw.devices.length > 0) {
      ctx.report(CODES.wrongKind, `a handle designates an object; '${ctx.textOf(s.value)}' is a device`, s.value.start, s.value.end);
    }
  }
  if (!s.name || s.name.missing) return scope;
  const name = s.name.text;
  let id = env.localIds.get(s);
  if (id === undefined) {
    id = ctx.declare(name, 'local', s.name, s, env.owner, env.proposal);
    env.localIds.set(s, id);
  }
  // A later `let` of a name already declared in the same block assigns the handle again (it is the
  // same thread-local variable, as in the lowering); uses after it see the new value.
  return { local: { name, id, value: s.value, valueScope: scope }, parent: scope };
}

function checkCall(env: BodyEnv, s: CallStatement, scope: Scope | undefined, atomic: Block | undefined): void {
  const ctx = env.r.ctx;
  const view = env.r.view;
  const args = s.args ?? [];
  const calleeName = s.callee;
  let callee: FnInfo | undefined;
  if (calleeName && !calleeName.missing) {
    env.r.deps?.add(calleeName.text);
    callee = view.fns.get(calleeName.text);
    if (callee) {
      ctx.reference(calleeName, callee.id);
    } else {
      const other = view.threads.get(calleeName.text) ?? view.objects.get(calleeName.text) ?? view.devices.get(calleeName.text);
      if (other) {
        ctx.reference(calleeName, other.id);
        ctx.report(CODES.wrongKind, `'${calleeName.text}' is ${other.what === 'object' ? 'an object' : `a ${other.what}`}, not a procedure; it cannot be called`, calleeName.start, calleeName.end);
      } else {
        const removed = view.removed.has(calleeName.text) ? `; proposal ${view.proposal} removes it` : '';
        ctx.report(CODES.undefinedName, `procedure '${calleeName.text}' is not declared${removed}`, calleeName.start, calleeName.end);
      }
    }
  }
  args.forEach((arg, index) => {
    const raw = place(env, arg, scope);
    const member = nonPointerMember(raw);
    if (member) {
      ctx.report(CODES.wrongKind, `argument ${index + 1} must designate an object; '${ctx.textOf(arg)}' is ${describeMemberKind(member.kind)}`, arg.start, arg.end);
    }
  });
  if (!callee) return;
  const expected = callee.decl.params?.length ?? 0;
  if (args.length !== expected) {
    const range = s.argsRange ?? s;
    ctx.report(
      CODES.wrongArity,
      `'${callee.name}' takes ${expected} argument${expected === 1 ? '' : 's'}, but this call passes ${args.length}`,
      range.start,
      range.end,
      [{ start: callee.decl.name.start, end: callee.decl.name.end, message: `'${callee.name}' is declared here` }],
    );
  }
  if (atomic) {
    const blocker = env.blocking.blocker(callee, env.r.deps);
    if (blocker) {
      const via = blocker.via.length > 1 ? ` (through ${blocker.via.join(' → ')})` : '';
      ctx.report(CODES.blockingInAtomic, `'${callee.name}' can block ('${blocker.what}'${via}), so it cannot be called inside 'atomic'`, s.start, s.end, [
        { start: blocker.start, end: blocker.end, message: `this '${blocker.what}' can block` },
      ]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Expressions

function condition(env: BodyEnv, expression: Expression | undefined, scope: Scope | undefined): void {
  if (!expression) return;
  requireBool(env, expression, typeOf(env, expression, scope, undefined));
}

function requireBool(env: BodyEnv, expression: Expression, ty: Ty): void {
  if (ty.t === 'bool' || ty.t === 'unknown') return;
  const text = env.r.ctx.textOf(expression);
  let hint = '';
  if (ty.t === 'int') hint = `; compare it, e.g. '${text} == 0'`;
  else if (ty.t === 'ptr') hint = `; compare it, e.g. '${text} != null'`;
  else if (ty.t === 'object') hint = `; test it with 'alive ${text}'`;
  else if (ty.t === 'lock') hint = `; test it with 'held ${text}'`;
  env.r.ctx.report(CODES.invalidValue, `'${text}' is ${ty.desc}, not a condition${hint}`, expression.start, expression.end);
}

function isNameDeclared(env: BodyEnv, name: string, scope: Scope | undefined): boolean {
  const view = env.r.view;
  return (
    lookupLocal(scope, name) !== undefined ||
    (env.fn?.params.some((p) => p.name === name) ?? false) ||
    view.objects.has(name) ||
    view.devices.has(name) ||
    view.fns.has(name) ||
    view.threads.has(name)
  );
}

/** A one-segment place read as a value of one of the given state members, if it names one. */
function stateValue(env: BodyEnv, expression: Expression, states: MemberInfo[], scope: Scope | undefined): Ty | undefined {
  if (expression.kind !== 'Place' || expression.segments?.length !== 1) return undefined;
  const name = expression.segments[0];
  if (name.missing) return UNKNOWN;
  let found = false;
  for (const member of states) {
    const valueId = member.stateValues?.get(name.text);
    if (valueId !== undefined) {
      env.r.ctx.reference(name, valueId);
      found = true;
    }
  }
  if (found) return { t: 'state-value', name: name.text, desc: `state value '${name.text}'` };
  if (isNameDeclared(env, name.text, scope)) return undefined;
  const member = states[0];
  const values = [...(member.stateValues?.keys() ?? [])].join(', ');
  env.r.ctx.report(CODES.invalidValue, `state '${member.owner.name}.${member.name}' has no value '${name.text}' (its values: ${values})`, name.start, name.end);
  return UNKNOWN;
}

function typeOfEntity(entity: Entity, text: string): Ty {
  switch (entity.t) {
    case 'error':
    case 'any':
      return UNKNOWN;
    case 'things':
      if (entity.devices.length > 0) return { t: 'device', desc: `device '${text}'` };
      return { t: 'object', names: entity.objects.map((o) => o.name), desc: `object '${text}'` };
    case 'members': {
      const member = entity.members[0];
      const desc = `${describeMemberKind(member.kind)}`;
      switch (member.kind) {
        case 'ref':
        case 'int':
          return { t: 'int', desc };
        case 'flag':
          return { t: 'bool', desc };
        case 'state':
          return { t: 'state', members: entity.members.filter((m) => m.kind === 'state'), desc };
        case 'ptr':
          return { t: 'ptr', targets: entity.members.map((m) => m.ptrTarget ?? ''), desc };
        case 'lock':
          return { t: 'lock', desc };
      }
    }
  }
}

function typeOf(env: BodyEnv, e: Expression, scope: Scope | undefined, states: MemberInfo[] | undefined): Ty {
  const ctx = env.r.ctx;
  switch (e.kind) {
    case 'Place': {
      if (states) {
        const value = stateValue(env, e, states, scope);
        if (value) return value;
      }
      return typeOfEntity(resolvePlace(env.r, e, scope, env.fn), ctx.textOf(e));
    }
    case 'NumberLiteral':
      return { t: 'int', desc: `the number ${e.value}` };
    case 'BoolLiteral':
      return { t: 'bool', desc: `the boolean ${e.value}` };
    case 'NullLiteral':
      return { t: 'null', desc: "'null'" };
    case 'ParenExpression':
      return e.inner ? typeOf(env, e.inner, scope, states) : UNKNOWN;
    case 'UnaryExpression':
      if (e.operand) requireBool(env, e.operand, typeOf(env, e.operand, scope, undefined));
      return { t: 'bool', desc: 'a condition' };
    case 'TryExpression':
      requireMember(env, e.target, scope, [e.op === 'tryget' ? 'ref' : 'lock'], e.op);
      return { t: 'bool', desc: 'a condition' };
    case 'PredicateExpression':
      if (e.op === 'alive' || e.op === 'freed') requireObject(env, e.target, scope, e.op, false);
      else if (e.op === 'running' || e.op === 'idle') requireDevice(env, e.target, scope, e.op);
      else requireMember(env, e.target, scope, LOCK, e.op);
      return { t: 'bool', desc: 'a condition' };
    case 'BinaryExpression':
      return typeOfBinary(env, e, scope);
    default:
      return UNKNOWN;
  }
}

function isBareName(e: Expression | undefined): boolean {
  return !!e && e.kind === 'Place' && e.segments?.length === 1;
}

function typeOfBinary(env: BodyEnv, e: Extract<Expression, { kind: 'BinaryExpression' }>, scope: Scope | undefined): Ty {
  const BOOL: Ty = { t: 'bool', desc: 'a condition' };
  if (!e.left || !e.right) return BOOL;
  if (e.op === '&&' || e.op === '||') {
    requireBool(env, e.left, typeOf(env, e.left, scope, undefined));
    requireBool(env, e.right, typeOf(env, e.right, scope, undefined));
    return BOOL;
  }
  // A bare name on the left may be a state value named by the right side: `bound == e.state`.
  const leftFirst = !(isBareName(e.left) && !isNameDeclared(env, (e.left as Place).segments[0].text, scope));
  let left: Ty;
  let right: Ty;
  if (leftFirst) {
    left = typeOf(env, e.left, scope, undefined);
    right = typeOf(env, e.right, scope, left.t === 'state' ? left.members : undefined);
  } else {
    right = typeOf(env, e.right, scope, undefined);
    left = typeOf(env, e.left, scope, right.t === 'state' ? right.members : undefined);
  }
  if (left.t === 'unknown' || right.t === 'unknown') return BOOL;
  const ctx = env.r.ctx;
  if (e.op === '==' || e.op === '!=') {
    if (!comparable(left, right)) {
      ctx.report(
        CODES.invalidValue,
        `cannot compare '${ctx.textOf(e.left)}' (${left.desc}) with '${ctx.textOf(e.right)}' (${right.desc})`,
        e.start,
        e.end,
      );
    }
    return BOOL;
  }
  for (const [side, ty] of [[e.left, left], [e.right, right]] as const) {
    if (ty.t !== 'int') {
      ctx.report(CODES.invalidValue, `'${e.op}' compares numbers; '${ctx.textOf(side)}' is ${ty.desc}`, side.start, side.end);
      break;
    }
  }
  return BOOL;
}

function comparable(a: Ty, b: Ty): boolean {
  if (a.t === 'state-value' || b.t === 'state-value') {
    const other = a.t === 'state-value' ? b : a;
    return other.t === 'state' || other.t === 'state-value';
  }
  if (a.t === 'null' || b.t === 'null') {
    const other = a.t === 'null' ? b : a;
    return other.t === 'ptr' || other.t === 'object' || other.t === 'null';
  }
  if (a.t === 'ptr' || a.t === 'object') {
    if (b.t !== 'ptr' && b.t !== 'object') return false;
    const left = a.t === 'ptr' ? a.targets : a.names;
    const right = b.t === 'ptr' ? b.targets : b.names;
    return left.some((name) => right.includes(name));
  }
  if (a.t === 'state') {
    if (b.t !== 'state') return false;
    const values = (m: MemberInfo) => [...(m.stateValues?.keys() ?? [])].join(',');
    return values(a.members[0]) === values(b.members[0]);
  }
  return a.t === b.t && a.t !== 'lock' && a.t !== 'device';
}

function checkAssign(env: BodyEnv, s: AssignStatement, scope: Scope | undefined): void {
  const ctx = env.r.ctx;
  const entity = place(env, s.target, scope);
  if (!s.target || entity.t === 'error') {
    if (s.value) typeOf(env, s.value, scope, undefined);
    return;
  }
  const text = ctx.textOf(s.target);
  if (entity.t !== 'members') {
    ctx.report(CODES.wrongKind, `only members can be assigned; '${text}' is ${describeEntity(entity)}`, s.target.start, s.target.end);
    if (s.value) typeOf(env, s.value, scope, undefined);
    return;
  }
  const member = entity.members[0];
  if (member.kind === 'ref') {
    ctx.report(CODES.wrongKind, `'${text}' is a reference count; change it with 'get' and 'put', not '='`, s.target.start, s.target.end);
    return;
  }
  if (member.kind === 'lock') {
    ctx.report(CODES.wrongKind, `'${text}' is a lock; take it with 'lock' and release it with 'unlock', not '='`, s.target.start, s.target.end);
    return;
  }
  if (!s.value) return;
  const states = member.kind === 'state' ? entity.members.filter((m) => m.kind === 'state') : undefined;
  const value = typeOf(env, s.value, scope, states);
  if (value.t === 'unknown') return;
  const valueText = ctx.textOf(s.value);
  let ok: boolean;
  switch (member.kind) {
    case 'flag':
      ok = value.t === 'bool';
      break;
    case 'int':
      ok = value.t === 'int';
      if (ok && s.value.kind === 'NumberLiteral' && member.decl.kind === 'IntMember') {
        const low = member.decl.rangeLow?.value ?? 0;
        const high = member.decl.rangeHigh?.value ?? 7;
        if (s.value.value < low || s.value.value > high) {
          ctx.report(CODES.invalidValue, `'${text}' holds ${low}..${high}; ${s.value.value} is outside that range`, s.value.start, s.value.end);
          return;
        }
      }
      break;
    case 'state':
      ok = value.t === 'state-value' || (value.t === 'state' && comparable(value, { t: 'state', members: states ?? [], desc: '' }));
      break;
    case 'ptr':
      ok =
        value.t === 'null' ||
        ((value.t === 'object' || value.t === 'ptr') && (value.t === 'object' ? value.names : value.targets).includes(member.ptrTarget ?? ''));
      break;
  }
  if (!ok) {
    const wants = member.kind === 'ptr' ? `a pointer to '${member.ptrTarget}'` : describeMemberKind(member.kind);
    ctx.report(CODES.invalidValue, `'${text}' is ${wants}; it cannot take '${valueText}' (${value.desc})`, s.value.start, s.value.end);
  }
}

// ---------------------------------------------------------------------------------------------
// Ordering requirements and device targets

export function checkEvent(env: BodyEnv, event: EventPattern | undefined): void {
  if (!event || !event.target) return;
  switch (event.verb) {
    case 'free':
    case 'alloc':
      requireObject(env, event.target, undefined, event.verb, false);
      break;
    case 'use': {
      const entity = place(env, event.target, undefined);
      if (entity.t === 'things' && entity.devices.length > 0) {
        env.r.ctx.report(CODES.wrongKind, `'use' needs an object; '${env.r.ctx.textOf(event.target)}' is a device`, event.target.start, event.target.end);
      }
      break;
    }
    case 'stop':
    case 'start':
    case 'quiesce':
      requireDevice(env, event.target, undefined, event.verb);
      break;
    case 'set':
      requireMember(env, event.target, undefined, FLAG, event.verb);
      break;
    case 'clear':
      requireMember(env, event.target, undefined, FLAG_OR_PTR, event.verb);
      break;
    case 'get':
    case 'put':
      requireMember(env, event.target, undefined, REF, event.verb);
      break;
    case 'lock':
    case 'unlock':
      requireMember(env, event.target, undefined, LOCK, event.verb);
      break;
    case 'call': {
      const segments = event.target.segments ?? [];
      const name = segments[0];
      if (!name || name.missing) break;
      env.r.deps?.add(name.text);
      const fn = env.r.view.fns.get(name.text);
      if (!fn) {
        const removed = env.r.view.removed.has(name.text) ? `; proposal ${env.r.view.proposal} removes it` : '';
        env.r.ctx.report(CODES.undefinedName, `procedure '${name.text}' is not declared${removed}`, name.start, name.end);
      } else {
        env.r.ctx.reference(name, fn.id);
        if (segments.length > 1) env.r.ctx.report(CODES.wrongKind, `'call' names a procedure; '${env.r.ctx.textOf(event.target)}' is not one`, event.target.start, event.target.end);
      }
      break;
    }
  }
}

export function checkDmaTarget(env: BodyEnv, target: Place | undefined): void {
  const raw = place(env, target, undefined);
  if (!target || raw.t === 'error') return;
  const member = nonPointerMember(raw);
  const ctx = env.r.ctx;
  if (member) {
    ctx.report(CODES.wrongKind, `'dma' needs an object or a pointer to one; '${ctx.textOf(target)}' is ${describeMemberKind(member.kind)}`, target.start, target.end);
  } else if (raw.t === 'things' && raw.devices.length > 0) {
    ctx.report(CODES.wrongKind, `'dma' needs an object or a pointer to one; '${ctx.textOf(target)}' is a device`, target.start, target.end);
  }
}

/** `bind "C" = place`: the place may designate anything in the model; it must resolve. */
export function checkBindTarget(env: BodyEnv, target: Place | undefined): void {
  place(env, target, undefined);
}
