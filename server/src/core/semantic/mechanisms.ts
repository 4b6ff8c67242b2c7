// Checks of the kernel mechanisms' statements: each acts on a member of the right kind (a work
// item, a timer, a completion, a percpu_ref, an SRCU domain, a workqueue) or on a module; the
// callback of `call_rcu` is a call of a procedure; statements that wait cannot stand in `atomic`.

import { CODES } from '../diagnostics/codes';
import { MECHANISM_OPS, type Block, type CallbackStatement, type Expression, type MechanismOp, type MechanismStatement, type Place, type UnloadStatement } from '../syntax/ast';
import { checkBlock, checkCall, requireMember, requireObject, type BodyEnv } from './bodies';
import type { MemberKind } from './model';
import type { Scope } from './places';

/** The statements that can wait for another actor. */
export const BLOCKING_MECHANISMS: ReadonlySet<MechanismOp> = new Set<MechanismOp>([
  'cancel_work_sync',
  'flush_work',
  'disable_work_sync',
  'flush_workqueue',
  'destroy_workqueue',
  'del_timer_sync',
  'timer_delete_sync',
  'timer_shutdown_sync',
  'synchronize_rcu',
  'rcu_barrier',
  'synchronize_srcu',
  'srcu_barrier',
  'wait_for_completion',
  'percpu_ref_switch_to_atomic_sync',
]);

const MEMBER_OPERANDS: Record<string, MemberKind> = {
  work: 'work',
  workqueue: 'workqueue',
  timer: 'timer',
  srcu: 'srcu',
  completion: 'completion',
  percpu_ref: 'percpu_ref',
};

export function checkMechanism(env: BodyEnv, s: MechanismStatement | CallbackStatement | UnloadStatement, scope: Scope | undefined, atomic: Block | undefined): void {
  const ctx = env.r.ctx;
  switch (s.kind) {
    case 'MechanismStatement': {
      const operand = MECHANISM_OPS[s.op];
      if (operand === 'module') checkModuleName(env, s.target, s.op);
      else if (operand === 'object') requireObject(env, s.target, scope, s.op, true);
      else if (operand !== 'none') requireMember(env, s.target, scope, [MEMBER_OPERANDS[operand]], s.op);
      if (atomic && BLOCKING_MECHANISMS.has(s.op)) {
        ctx.report(CODES.blockingInAtomic, `'${s.op}' can wait for another thread, so it cannot stand inside 'atomic'`, s.start, s.end);
      }
      break;
    }
    case 'CallbackStatement':
      if (s.op === 'call_srcu') requireMember(env, s.domain, scope, ['srcu'], s.op);
      if (s.call && !s.call.callee.missing) checkCall(env, s.call, scope, undefined);
      break;
    case 'UnloadStatement':
      checkModuleName(env, s.module, 'unload');
      if (atomic) ctx.report(CODES.blockingInAtomic, `'unload' runs the module's exit code, so it cannot stand inside 'atomic'`, s.start, s.end);
      checkBlock(env, s.body, scope, atomic);
      break;
  }
}

/** `M` in `unload M`, `try_module_get M`, `module_put M`: it must name a module. */
export function checkModuleName(env: BodyEnv, target: Place | undefined, op: string): void {
  const name = target?.segments?.[0];
  if (!target || !name || name.missing) return;
  const ctx = env.r.ctx;
  const module = env.r.view.modules.get(name.text);
  if (module) {
    ctx.reference(name, module.id);
    if (target.segments.length > 1) ctx.report(CODES.wrongKind, `'${op}' needs a module; '${ctx.textOf(target)}' is not one`, target.start, target.end);
    return;
  }
  const other = env.r.view.objects.get(name.text) ?? env.r.view.devices.get(name.text) ?? env.r.view.fns.get(name.text) ?? env.r.view.threads.get(name.text);
  if (other) {
    ctx.reference(name, other.id);
    ctx.report(CODES.wrongKind, `'${op}' needs a module; '${name.text}' is ${other.what === 'object' ? 'an object' : other.what === 'fn' ? 'a procedure' : `a ${other.what}`}`, target.start, target.end);
    return;
  }
  ctx.report(CODES.undefinedName, `module '${name.text}' is not declared; declare it with 'module ${name.text}'`, name.start, name.end);
}

/** A condition without its parentheses and negations: what a branch on it tests. */
export function conditionOperand(expression: Expression): Expression {
  let e = expression;
  while (e.kind === 'ParenExpression' || e.kind === 'UnaryExpression') e = e.kind === 'ParenExpression' ? e.inner : e.operand;
  return e;
}
