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
import { checkMechanism, checkModuleName, conditionOperand } from './mechanisms';
import {
  designatedObjects,
  handlePlace,
  lookupLocal,
  nonPointerMember,
  resolvePlace,
  type Entity,
  type LocalInfo,
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
  /** A mechanism member (work, timer, completion, ...): no value of its own, tested with a predicate. */
  | { t: 'other'; desc: string; hint?: string }
  | { t: 'state'; members: MemberInfo[]; desc: string }
  | { t: 'state-value'; name: string; desc: string }
  | { t: 'ptr'; targets: string[]; desc: string }
  | { t: 'object'; names: string[]; desc: string };

const UNKNOWN: Ty = { t: 'unknown', desc: 'unknown' };

/** The member kinds the acting conditions and the predicates work on. */
const TRY_OPERANDS: Record<Exclude<Extract<Expression, { kind: 'TryExpression' }>['op'], 'try_module_get'>, readonly MemberKind[]> = {
  tryget: ['ref', 'percpu_ref'],
  trylock: ['lock'],
  tryget_live: ['percpu_ref'],
  wait_for_completion_timeout: ['completion'],
};
const PREDICATE_OPERANDS: Record<'held' | 'percpu_ref_is_zero' | 'completion_done' | 'work_pending' | 'timer_pending', readonly MemberKind[]> = {
  held: ['lock'],
  percpu_ref_is_zero: ['percpu_ref'],
  completion_done: ['completion'],
  work_pending: ['work'],
  timer_pending: ['timer'],
};

/** The member kinds statements work on. */
const REF: readonly MemberKind[] = ['ref', 'percpu_ref'];
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
    if (statement.kind === 'ReturnStatement' && statement.value && !env.fn) {
      env.r.ctx.report(CODES.returnValueOutsideFn, `'return' with a value is for procedures; ${env.threadName !== undefined ? `thread '${env.threadName}'` : 'this body'} has no caller to take it`, statement.value.start, statement.value.end);
    }
    scope = checkStatement(env, statement, scope, atomic, blockStart);
  }
}

function checkStatement(env: BodyEnv, s: Statement, scope: Scope | undefined, atomic: Block | undefined, blockStart: Scope | undefined): Scope | undefined {
  const ctx = env.r.ctx;
  switch (s.kind) {
    case 'RefStatement':
      requireMember(env, s.target, scope, s.locking ? ['ref'] : REF, s.op);
      if (s.locking) {
        requireMember(env, s.locking, scope, LOCK, 'locking');
        if (atomic) ctx.report(CODES.blockingInAtomic, `'put ... locking' may take the lock, so it cannot stand inside 'atomic'`, s.start, s.end);
      }
      break;
    case 'MechanismStatement':
    case 'CallbackStatement':
    case 'UnloadStatement':
      checkMechanism(env, s, scope, atomic);
      break;
    case 'ReturnStatement':
      if (s.value) checkValue(env, s.value, scope, atomic);
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
      checkAssign(env, s, scope, atomic);
      break;
    case 'StepStatement': {
      const wanted = s.op === 'set' ? FLAG : s.op === 'clear' ? FLAG_OR_PTR : INT;
      requireMember(env, s.target, scope, wanted, s.op);
      break;
    }
    case 'WaitStatement':
      condition(env, s.condition, scope, false);
      if (atomic) ctx.report(CODES.blockingInAtomic, `'wait until' blocks, so it cannot stand inside 'atomic'`, s.start, s.end);
      break;
    case 'AssertStatement':
      condition(env, s.condition, scope, false);
      break;
    case 'IfStatement': {
      condition(env, s.condition, scope, true);
      if (atomic) conditionInAtomic(env, s.condition);
      checkBlock(env, s.then, scope, atomic);
      if (s.else) {
        if (s.else.kind === 'Block') checkBlock(env, s.else, scope, atomic);
        else checkStatement(env, s.else, scope, atomic, scope);
      }
      break;
    }
    case 'WhileStatement':
      condition(env, s.condition, scope, true);
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
      return checkLet(env, s, scope, blockStart, atomic);
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

export function place(env: BodyEnv, target: Place | undefined, scope: Scope | undefined): Entity {
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
    case 'value':
      return `a local ${entity.ty === 'bool' ? 'boolean' : entity.ty === 'int' ? 'int' : 'value'}`;
    case 'error':
      return 'unknown';
  }
}

function describeWanted(kinds: readonly MemberKind[]): string {
  return kinds.map(describeMemberKind).join(' or ');
}

export function requireMember(env: BodyEnv, target: Place | undefined, scope: Scope | undefined, kinds: readonly MemberKind[], op: string): void {
  const entity = place(env, target, scope);
  if (!target || entity.t === 'error') return;
  // A count that is not a percpu_ref is asked for as a reference count, the common case.
  const wanted = kinds === REF ? describeMemberKind('ref') : describeWanted(kinds);
  if (entity.t === 'members') {
    const wrong = firstMemberNotOf(entity.members, kinds);
    if (!wrong) return;
    env.r.ctx.report(CODES.wrongKind, `'${op}' needs ${wanted}; '${env.r.ctx.textOf(target)}' is ${describeMemberKind(wrong.kind)}`, target.start, target.end);
    return;
  }
  env.r.ctx.report(CODES.wrongKind, `'${op}' needs ${wanted}; '${env.r.ctx.textOf(target)}' is ${describeEntity(entity)}`, target.start, target.end);
}

function firstMemberNotOf(members: MemberInfo[], kinds: readonly MemberKind[]): MemberInfo | undefined {
  for (const member of members) if (!kinds.includes(member.kind)) return member;
  return undefined;
}

/** For free, alloc, alive, freed: the place must designate a (non-static, for free/alloc) object. */
export function requireObject(env: BodyEnv, target: Place | undefined, scope: Scope | undefined, op: string, lifecycle: boolean): void {
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

function checkLet(env: BodyEnv, s: LetStatement, scope: Scope | undefined, blockStart: Scope | undefined, atomic: Block | undefined): Scope | undefined {
  const ctx = env.r.ctx;
  const local = letLocal(env, s, scope, atomic);
  if (!s.name || s.name.missing) return scope;
  const name = s.name.text;
  let id = env.localIds.get(s);
  if (id === undefined) {
    id = ctx.declare(name, 'local', s.name, s, env.owner, env.proposal);
    env.localIds.set(s, id);
  }
  ctx.declarations[id].localKind = local.value ? 'handle' : local.ty === 'bool' ? 'bool' : local.ty === 'int' ? 'int' : undefined;
  // A later `let` of a name already declared in the same block assigns it again (it is the same
  // thread-local variable, as in the lowering); uses after it see the new value. It must stay a
  // handle, or stay a value: the lowering keeps handles and values apart.
  for (let inBlock = scope; inBlock && inBlock !== blockStart; inBlock = inBlock.parent) {
    if (inBlock.local.name !== name) continue;
    if ((inBlock.local.value === undefined) !== (local.value === undefined) && local.ty !== 'unknown' && inBlock.local.ty !== 'unknown') {
      ctx.duplicates.add(id);
      const was = inBlock.local.value ? 'a handle' : 'a local value';
      ctx.report(CODES.duplicateName, `'${name}' is already declared in this block as ${was}; a later 'let' assigns it again, so it must be ${was} too`, s.name.start, s.name.end);
    }
    break;
  }
  return { local: { name, id, valueScope: scope, ...local }, parent: scope };
}

/**
 * What a `let` declares: a handle when its value designates an object (a place, a pointer member,
 * `rcu_dereference` of a pointer), else a value whose type its expression gives.
 */
function letLocal(env: BodyEnv, s: LetStatement, scope: Scope | undefined, atomic: Block | undefined): Pick<LocalInfo, 'value' | 'ty'> {
  const ctx = env.r.ctx;
  const target = handlePlace(s.value);
  let result: Pick<LocalInfo, 'value' | 'ty'>;
  if (target) {
    const raw = place(env, target, scope);
    const member = nonPointerMember(raw);
    if (raw.t === 'error') result = { value: undefined, ty: 'unknown' };
    else if (raw.t === 'value') result = { value: undefined, ty: raw.ty };
    else if (member && s.value.kind === 'Place') result = { value: undefined, ty: valueTypeOf(env, s.value, typeOfEntity(raw, ctx.textOf(target))) };
    else if (member) {
      ctx.report(CODES.wrongKind, `'rcu_dereference' reads a pointer; '${ctx.textOf(target)}' is ${describeMemberKind(member.kind)}`, target.start, target.end);
      result = { value: undefined, ty: 'unknown' };
    } else if (raw.t === 'things' && raw.devices.length > 0) {
      ctx.report(CODES.wrongKind, `a handle designates an object; '${ctx.textOf(target)}' is a device`, target.start, target.end);
      result = { value: target, ty: undefined };
    } else result = { value: target, ty: undefined };
  } else {
    reportNestedSteps(env, s.value, conditionOperand(s.value));
    if (atomic) conditionInAtomic(env, s.value);
    result = { value: undefined, ty: checkValue(env, s.value, scope, atomic) };
  }
  if (s.rangeLow && result.ty !== 'int' && result.ty !== 'unknown') {
    ctx.report(CODES.invalidValue, `only an int local takes a range; '${s.name?.text ?? ''}' is ${result.value ? 'a handle' : 'a boolean'}`, s.rangeLow.start, (s.rangeHigh ?? s.rangeLow).end);
  } else if (s.rangeLow && s.rangeHigh && s.rangeLow.value > s.rangeHigh.value) {
    ctx.report(CODES.invalidInitial, `local '${s.name?.text ?? ''}' has an empty range ${s.rangeLow.value}..${s.rangeHigh.value}`, s.rangeLow.start, s.rangeHigh.end);
  } else if (s.rangeLow && s.rangeHigh && s.value?.kind === 'NumberLiteral' && (s.value.value < s.rangeLow.value || s.value.value > s.rangeHigh.value)) {
    ctx.report(CODES.invalidInitial, `local '${s.name?.text ?? ''}' starts at ${s.value.value}, outside its range ${s.rangeLow.value}..${s.rangeHigh.value}`, s.value.start, s.value.end);
  }
  return result;
}

/** The type a value local takes from a type, reporting the types a local cannot hold. */
function valueTypeOf(env: BodyEnv, expression: Expression, ty: Ty): 'bool' | 'int' | 'unknown' {
  if (ty.t === 'bool' || ty.t === 'int' || ty.t === 'unknown') return ty.t;
  env.r.ctx.report(CODES.invalidValue, `a local holds a handle to an object, a boolean or an int; '${env.r.ctx.textOf(expression)}' is ${ty.desc}`, expression.start, expression.end);
  return 'unknown';
}

/**
 * Checks the value of `let`, an assignment or `return`: an expression, or a call of a procedure
 * (whose value is known only once it runs). Returns the value's type for a local.
 */
function checkValue(env: BodyEnv, value: Expression, scope: Scope | undefined, atomic: Block | undefined): 'bool' | 'int' | 'unknown' {
  if (value.kind === 'CallExpression') {
    checkCall(env, value.call, scope, atomic);
    return 'unknown';
  }
  return valueTypeOf(env, value, typeOf(env, value, scope, undefined));
}

export function checkCall(env: BodyEnv, s: CallStatement, scope: Scope | undefined, atomic: Block | undefined): void {
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
  // An argument designating an object (or a pointer to one) binds the parameter to it; any other
  // argument is a value.
  for (const arg of args) {
    if (arg.kind === 'Place') place(env, arg, scope);
    else checkValue(env, arg, scope, atomic);
  }
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

/**
 * A condition. Conditions that take a step of their own (`wait_for_completion_timeout`,
 * `tryget_live`, `put ... locking`) may only be the whole condition of `if` or `while`.
 */
function condition(env: BodyEnv, expression: Expression | undefined, scope: Scope | undefined, branching: boolean): void {
  if (!expression) return;
  reportNestedSteps(env, expression, branching ? conditionOperand(expression) : undefined);
  requireBool(env, expression, typeOf(env, expression, scope, undefined));
}

/** The conditions that take a step of their own: they may go either way, or block. */
function isSteppingCondition(e: Expression): boolean {
  return e.kind === 'LockedPutExpression' || (e.kind === 'TryExpression' && (e.op === 'wait_for_completion_timeout' || e.op === 'tryget_live'));
}

/** Reports every stepping condition inside `expression` other than `allowed`. */
function reportNestedSteps(env: BodyEnv, expression: Expression, allowed: Expression | undefined): void {
  const visit = (e: Expression): void => {
    if (e !== allowed && isSteppingCondition(e)) {
      const what = e.kind === 'LockedPutExpression' ? 'put ... locking' : e.kind === 'TryExpression' ? e.op : '';
      env.r.ctx.report(CODES.steppingCondition, `'${what}' takes a step of its own, so it must be the whole condition of 'if' or 'while' (or the value of 'let')`, e.start, e.end);
    }
    if (e.kind === 'UnaryExpression') visit(e.operand);
    else if (e.kind === 'ParenExpression') visit(e.inner);
    else if (e.kind === 'BinaryExpression') {
      visit(e.left);
      visit(e.right);
    }
  };
  visit(expression);
}

/** Inside `atomic`, a condition that can block is an error. */
function conditionInAtomic(env: BodyEnv, expression: Expression): void {
  const operand = conditionOperand(expression);
  if (operand.kind === 'LockedPutExpression' || (operand.kind === 'TryExpression' && operand.op === 'wait_for_completion_timeout')) {
    const what = operand.kind === 'LockedPutExpression' ? 'put ... locking' : 'wait_for_completion_timeout';
    env.r.ctx.report(CODES.blockingInAtomic, `'${what}' can block, so it cannot stand inside 'atomic'`, operand.start, operand.end);
  }
}

function requireBool(env: BodyEnv, expression: Expression, ty: Ty): void {
  if (ty.t === 'bool' || ty.t === 'unknown') return;
  const text = env.r.ctx.textOf(expression);
  let hint = '';
  if (ty.t === 'int') hint = `; compare it, e.g. '${text} == 0'`;
  else if (ty.t === 'ptr') hint = `; compare it, e.g. '${text} != null'`;
  else if (ty.t === 'object') hint = `; test it with 'alive ${text}'`;
  else if (ty.t === 'lock') hint = `; test it with 'held ${text}'`;
  else if (ty.t === 'other') hint = ty.hint ? `; ${ty.hint}` : '';
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
    case 'value':
      return entity.ty === 'unknown' ? UNKNOWN : { t: entity.ty, desc: `local ${entity.ty === 'bool' ? 'boolean' : 'int'} '${text}'` };
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
        case 'percpu_ref':
          return { t: 'other', desc, hint: `test it with 'percpu_ref_is_zero ${text}'` };
        case 'work':
          return { t: 'other', desc, hint: `test it with 'work_pending ${text}'` };
        case 'timer':
          return { t: 'other', desc, hint: `test it with 'timer_pending ${text}'` };
        case 'completion':
          return { t: 'other', desc, hint: `test it with 'completion_done ${text}'` };
        case 'srcu':
        case 'workqueue':
          return { t: 'other', desc };
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
      if (e.op === 'try_module_get') checkModuleName(env, e.target, e.op);
      else requireMember(env, e.target, scope, TRY_OPERANDS[e.op], e.op);
      return { t: 'bool', desc: 'a condition' };
    case 'PredicateExpression':
      if (e.op === 'alive' || e.op === 'freed') requireObject(env, e.target, scope, e.op, false);
      else if (e.op === 'running' || e.op === 'idle') requireDevice(env, e.target, scope, e.op);
      else requireMember(env, e.target, scope, PREDICATE_OPERANDS[e.op], e.op);
      return { t: 'bool', desc: 'a condition' };
    case 'RcuDereference': {
      const entity = place(env, e.target, scope);
      if (entity.t === 'members' && entity.members.every((m) => m.kind === 'ptr')) return typeOfEntity(entity, ctx.textOf(e.target));
      requireMember(env, e.target, scope, ['ptr'], 'rcu_dereference');
      return UNKNOWN;
    }
    case 'LockedPutExpression':
      requireMember(env, e.target, scope, ['ref'], 'put');
      requireMember(env, e.lock, scope, LOCK, 'locking');
      return { t: 'bool', desc: 'a condition' };
    case 'CallExpression':
      checkCall(env, e.call, scope, undefined);
      ctx.report(CODES.callValue, `a procedure's value can be taken only by 'let', an assignment or 'return'`, e.start, e.end);
      return UNKNOWN;
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
  return a.t === b.t && a.t !== 'lock' && a.t !== 'device' && a.t !== 'other';
}

function checkAssign(env: BodyEnv, s: AssignStatement, scope: Scope | undefined, atomic: Block | undefined): void {
  const ctx = env.r.ctx;
  const entity = place(env, s.target, scope);
  if (s.value?.kind === 'CallExpression') {
    checkCall(env, s.value.call, scope, atomic);
    if (entity.t !== 'value' && entity.t !== 'error') {
      ctx.report(CODES.wrongKind, `a procedure's value can be assigned only to a local value; '${ctx.textOf(s.target)}' is ${describeEntity(entity)}`, s.target.start, s.target.end);
    }
    return;
  }
  if (!s.target || entity.t === 'error') {
    if (s.value) typeOf(env, s.value, scope, undefined);
    return;
  }
  const text = ctx.textOf(s.target);
  if (entity.t === 'value') {
    if (!s.value) return;
    reportNestedSteps(env, s.value, conditionOperand(s.value));
    const value = typeOf(env, s.value, scope, undefined);
    if (value.t === 'unknown' || entity.ty === 'unknown' || value.t === entity.ty) return;
    ctx.report(CODES.invalidValue, `'${text}' is a local ${entity.ty === 'bool' ? 'boolean' : 'int'}; it cannot take '${ctx.textOf(s.value)}' (${value.desc})`, s.value.start, s.value.end);
    return;
  }
  if (s.publish && (entity.t !== 'members' || entity.members.some((m) => m.kind !== 'ptr'))) {
    ctx.report(CODES.wrongKind, `'rcu_assign_pointer' publishes a pointer; '${text}' is ${entity.t === 'members' ? describeMemberKind(entity.members[0].kind) : describeEntity(entity)}`, s.target.start, s.target.end);
    return;
  }
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
    default:
      ctx.report(CODES.wrongKind, `'${text}' is ${describeMemberKind(member.kind)}; it cannot be assigned`, s.target.start, s.target.end);
      return;
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

/** `bind "C" = place`: the place may designate anything in the model, a module too; it must resolve. */
export function checkBindTarget(env: BodyEnv, target: Place | undefined): void {
  const head = target?.segments?.[0];
  const module = head && target.segments.length === 1 ? env.r.view.modules.get(head.text) : undefined;
  if (module && head) env.r.ctx.reference(head, module.id);
  else place(env, target, undefined);
}
