// Control flow: an actor's body as program points and transitions. Each simple statement is one
// step; `if`/`while` evaluate their condition in a step of its own; `choose` branches; calls are
// inlined with their parameters bound to the arguments; `atomic` blocks become one step per
// nondeterministic outcome; an on-zero action runs as ordinary steps after the put that triggers
// it. The kernel mechanisms' statements are lowered by their families (work.ts, timers.ts, rcu.ts,
// completions.ts, percpu.ts, modules.ts, coupled.ts); handlers' bodies are lowered here.

import { CODES, makeDiagnostic } from '../../diagnostics/codes';
import type { Block, CallStatement, CBody, Expression, FnDecl, MechanismStatement, ObjectDecl, PercpuRefMember, Place, Statement, ThreadDecl } from '../../syntax/ast';
import { bin, constant, read, type Op } from '../ir';
import { LoweringError, MAX_ALTERNATIVES, orFailing, type ActorBuild, type CBodyTranslator, type LoweringContext, type MemberSlot, type ObjectSlot, type Sink, type Step } from './context';
import { Conditions } from './conditions';
import { atomicEvent } from '../eventText';
import type { Lowering } from './parts';

export class Control {
  private readonly ctx: LoweringContext;
  private readonly conditions: Conditions;

  constructor(
    private readonly lw: Lowering,
    private readonly translateC: CBodyTranslator | undefined,
  ) {
    this.ctx = lw.ctx;
    this.conditions = new Conditions(lw);
  }

  lowerActor(build: ActorBuild): void {
    const ctx = this.ctx;
    ctx.current = build;
    const actor = build.actor;
    if (actor.kind === 'device') {
      this.lw.devices.lower(build);
      return;
    }
    if (build.lowerCode) {
      build.lowerCode();
    } else {
      build.entry = ctx.newPoint();
      build.end = ctx.newPoint();
      build.returnPoint = build.end;
      const decl = ctx.variant.threads.find((t) => t.name.text === actor.name.replace(/\[\d+\]$/, '')) as ThreadDecl;
      const exit = this.lowerBody(decl.body, build.entry);
      ctx.join(exit, build.end);
    }
    actor.finishChecks.push(...this.lw.locks.finishChecks(build), ...this.lw.rcu.finishChecks(build));
  }

  // -------------------------------------------------------------------------------------------
  // Handlers' bodies (see handlers.ts)

  /** A work item's or timer's handler, in its own scope. */
  lowerHandlerBody(body: Block, entry: number): number {
    const build = this.ctx.current;
    build.env = new Map();
    build.values = new Map();
    return this.lowerSeq(body.statements, entry);
  }

  /** A callback queued by call_rcu: the procedure, its parameters bound to what the call captured. */
  lowerCallback(fn: FnDecl, bindings: { param: string; variable: number; kind: 'handle' | 'bool' | 'int' }[], entry: number): number {
    const build = this.ctx.current;
    build.env = new Map();
    build.values = new Map();
    this.lw.values.bindCaptured(build, bindings);
    build.fnStack.push(fn.name.text);
    try {
      return this.lowerBody(fn.body, entry);
    } finally {
      build.fnStack.pop();
    }
  }

  /** kfree_rcu's callback: frees the object captured in `handle`. */
  lowerFreeThrough(handle: number, range: { start: number; end: number }, what: string, entry: number): number {
    const ctx = this.ctx;
    const build = ctx.current;
    const name = '$object';
    build.handles.set(name, handle);
    const place: Place = { kind: 'Place', start: range.start, end: range.end, segments: [{ kind: 'Identifier', text: name, start: range.start, end: range.end }] };
    return this.place(this.lw.memory.free(place, what), entry, range, what);
  }

  /** A percpu_ref's confirmation: the confirm callback, then the drop of the initial reference. */
  lowerConfirmation(member: PercpuRefMember, slot: ObjectSlot, memberSlot: MemberSlot, entry: number): number {
    const ctx = this.ctx;
    const build = ctx.current;
    build.env = new Map();
    build.values = new Map();
    let cur = member.onConfirm ? this.lowerSeq(member.onConfirm.statements, entry) : entry;
    const text = `${slot.info.name}.${memberSlot.name}`;
    const resolved = { hops: [{ object: slot.info.index, via: -1, viaText: slot.info.name }], member: memberSlot, text };
    const what = `percpu_ref_kill ${text}: the initial reference is dropped`;
    cur = this.place(this.lw.memory.refStep(resolved, memberSlot, 'put', what), cur, member, what);
    return cur;
  }

  /** The on-zero action after a put, as ordinary steps from `entry`. */
  lowerOnZeroAction(zero: { variable: number; body: Block }, entry: number): number {
    return this.lowerOnZero(zero, entry);
  }

  // -------------------------------------------------------------------------------------------
  // Bodies and statements

  private lowerBody(body: Block | CBody, cur: number): number {
    if (body.kind === 'Block') return this.lowerSeq(body.statements, cur);
    const statements = this.translate(body);
    return statements ? this.lowerSeq(statements, cur) : cur;
  }

  private translate(body: CBody): Statement[] | undefined {
    const ctx = this.ctx;
    const translation = this.translateC?.(body, ctx.file);
    if (translation) {
      ctx.diagnostics.push(...translation.diagnostics);
      return translation.statements;
    }
    ctx.complete = false;
    ctx.diagnostics.push(
      makeDiagnostic(CODES.cUntranslatable, `C bodies need the C front end to be checked; proposal \`${ctx.variant.name}\` is not checked`, body.start, body.end),
    );
    return undefined;
  }

  lowerSeq(statements: Statement[], cur: number): number {
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

  /** Places one step from `cur`, with its on-zero action; returns the next point. */
  place(step: Step, cur: number, range: { start: number; end: number }, event: string): number {
    const ctx = this.ctx;
    const next = ctx.newPoint();
    const ops = [...step.ops];
    if (step.zero) {
      const zeroEntry = ctx.newPoint();
      ops.push({ k: 'if', cond: bin('==', read(step.zero.variable), constant(0)), then: [{ k: 'goto', pc: zeroEntry }], else: [] });
      ctx.join(this.lowerOnZero(step.zero, zeroEntry), next);
    }
    const transition = ctx.addTransition(cur, step.guard, ops, next, range, event);
    if (step.handedOver) transition.handedOver = true;
    return next;
  }

  private lowerStatementUnsafe(s: Statement, cur: number): number {
    const ctx = this.ctx;
    switch (s.kind) {
      case 'Error':
        return cur;
      case 'Block':
        return this.lowerSeq(s.statements, cur);
      case 'IfStatement': {
        const thenEntry = ctx.newPoint();
        const elseEntry = ctx.newPoint();
        const joined = ctx.newPoint();
        this.conditions.branch(s.condition, cur, thenEntry, elseEntry, { start: s.start, end: s.condition.end }, `if ${ctx.sourceText(s.condition)}`);
        ctx.join(this.lowerSeq(s.then.statements, thenEntry), joined);
        const elseExit = !s.else ? elseEntry : s.else.kind === 'Block' ? this.lowerSeq(s.else.statements, elseEntry) : this.lowerStatement(s.else, elseEntry);
        ctx.join(elseExit, joined);
        return joined;
      }
      case 'WhileStatement': {
        const bodyEntry = ctx.newPoint();
        const exit = ctx.newPoint();
        this.conditions.branch(s.condition, cur, bodyEntry, exit, { start: s.start, end: s.condition.end }, `while ${ctx.sourceText(s.condition)}`);
        ctx.join(this.lowerSeq(s.body.statements, bodyEntry), cur);
        return exit;
      }
      case 'RepeatStatement': {
        const count = Math.max(0, Math.min(1000, s.count.value));
        for (let i = 0; i < count; i++) cur = this.lowerSeq(s.body.statements, cur);
        return cur;
      }
      case 'ChooseStatement': {
        const exit = ctx.newPoint();
        s.branches.forEach((branch, i) => {
          const entry = ctx.newPoint();
          const label = s.isMaybe ? 'maybe: yes' : `choose branch ${i + 1}`;
          ctx.addTransition(cur, undefined, [], entry, { start: s.start, end: branch.start }, label);
          ctx.join(this.lowerSeq(branch.statements, entry), exit);
        });
        if (s.isMaybe) ctx.addTransition(cur, undefined, [], exit, { start: s.start, end: s.branches[0]?.start ?? s.end }, 'maybe: no');
        return exit;
      }
      case 'AtomicStatement': {
        const exit = ctx.newPoint();
        const alternatives = this.genOps(s.body.statements);
        for (const ops of alternatives) {
          ctx.addTransition(cur, undefined, ops, exit, s, atomicEvent(s.body.statements.map((statement) => ctx.sourceText(statement))));
        }
        return exit;
      }
      case 'CallStatement':
        return this.lowerCall(s, cur, undefined);
      case 'ReturnStatement':
        if (s.value) {
          if (s.value.kind === 'CallExpression') cur = this.lowerCall(s.value.call, cur, ctx.current.sink);
          else cur = this.place({ ops: this.lw.values.returnStep(s, ctx.sourceText(s)) }, cur, s, ctx.sourceText(s));
        }
        ctx.join(cur, ctx.current.returnPoint);
        return ctx.newPoint();
      case 'RefStatement':
        if (s.locking) return this.lw.coupled.lowerStatement(s, cur, ctx.sourceText(s));
        break;
      case 'MechanismStatement': {
        const what = ctx.sourceText(s);
        const step = this.mechanismStep(s, what);
        if (step) return this.place(step, cur, s, what);
        const next = this.lw.work.lower(s, cur, what) ?? this.lw.rcu.lower(s, cur, what);
        if (next === undefined) throw ctx.fail(`\`${s.op}\` has no model meaning here`, s);
        return next;
      }
      case 'UnloadStatement':
        return this.lw.modules.lowerUnload(s, cur, (entry) => this.lowerSeq(s.body.statements, entry));
      case 'LetStatement':
        if (this.lw.values.isValueLet(s)) return this.conditions.letValue(s, cur, (call, at, sink) => this.lowerCall(call, at, sink));
        break;
      case 'AssignStatement':
        if (this.conditions.assignsLocal(s)) return this.conditions.assignValue(s, cur, (call, at, sink) => this.lowerCall(call, at, sink));
        break;
      default:
        break;
    }
    const step = this.simple(s);
    if (!step) return cur;
    return this.place(step, cur, s, ctx.sourceText(s));
  }

  /** The one-step mechanism statements; undefined for the ones that wait on several steps. */
  private mechanismStep(s: MechanismStatement, what: string): Step | undefined {
    const lw = this.lw;
    if (s.op === 'module_put') return { ops: lw.modules.put(s.target!, what) };
    return lw.work.step(s, what) ?? lw.timers.step(s, what) ?? lw.rcu.step(s, what) ?? lw.completions.step(s, what) ?? lw.percpu.step(s, what);
  }

  /** The one step of a simple statement, or undefined for statements that are not simple. */
  private simple(s: Statement): Step | undefined {
    const ctx = this.ctx;
    const lw = this.lw;
    const what = ctx.sourceText(s);
    switch (s.kind) {
      case 'RefStatement':
        if (s.locking) throw ctx.fail(`\`put ... locking\` may take the lock, so it cannot stand inside atomic`, s);
        return lw.memory.ref(s.target, s.op, what);
      case 'StepStatement':
        return lw.memory.step(s.target, s.op, what);
      case 'UseStatement':
        return lw.memory.use(s.target, what);
      case 'LifecycleStatement':
        return s.op === 'free' ? lw.memory.free(s.target, what) : lw.memory.alloc(s.target, what);
      case 'LockStatement':
        return lw.locks.step(s.target, s.op, what);
      case 'DeviceStatement':
        return lw.devices.step(s.target, s.op, what);
      case 'AssignStatement':
        return lw.memory.assign(s.target, s.value, what);
      case 'WaitStatement': {
        const checks: Op[] = [];
        const guard = orFailing(lw.expressions.toBool(lw.expressions.valueOf(s.condition, checks)), checks);
        return { guard, ops: checks };
      }
      case 'AssertStatement': {
        const message = s.message?.value ?? `${what} failed`;
        return { ops: lw.expressions.lowerCond(s.condition, [], [{ k: 'check', cond: constant(0), kind: 'assertion', message }]) };
      }
      case 'LetStatement': {
        const value = s.value.kind === 'RcuDereference' ? s.value.target : s.value;
        if (value.kind !== 'Place') throw ctx.fail(`\`let ${s.name.text}\` takes a place here`, s.value);
        return lw.memory.let(s.name.text, value, s.value.kind === 'RcuDereference', what);
      }
      case 'MechanismStatement': {
        const step = this.mechanismStep(s, what);
        if (!step) throw ctx.fail(`\`${s.op}\` waits for another thread, so it cannot stand inside atomic`, s);
        return step;
      }
      case 'CallbackStatement':
        return lw.rcu.step(s, what);
      default:
        return undefined;
    }
  }

  private lowerOnZero(zero: { variable: number; body: Block }, entry: number): number {
    const ctx = this.ctx;
    const build = ctx.current;
    if (build.onZeroStack.includes(zero.variable)) {
      ctx.unsupported(`the on-zero action of ${ctx.variables[zero.variable].name} runs itself again`, zero.body);
      return entry;
    }
    const saved = { env: build.env, returnPoint: build.returnPoint, values: build.values, sink: build.sink };
    const exit = ctx.newPoint();
    build.env = new Map();
    build.values = new Map();
    build.sink = undefined;
    build.returnPoint = exit;
    build.onZeroStack.push(zero.variable);
    try {
      ctx.join(this.lowerSeq(zero.body.statements, entry), exit);
    } finally {
      build.onZeroStack.pop();
      Object.assign(build, saved);
    }
    return exit;
  }

  private callee(call: CallStatement): FnDecl {
    const ctx = this.ctx;
    const fn = ctx.fns.get(call.callee.text);
    if (!fn) throw ctx.fail(`\`${call.callee.text}\` is not a procedure`, call.callee);
    if (ctx.current.fnStack.includes(fn.name.text)) throw ctx.fail(`\`${fn.name.text}\` calls itself; calls are inlined`, call.callee);
    return fn;
  }

  /** Inlines a call from `cur`; `sink` receives the procedure's `return VALUE`. */
  private lowerCall(s: CallStatement, cur: number, sink: Sink): number {
    const ctx = this.ctx;
    const fn = this.callee(s);
    const { env, copies } = this.lw.values.bindArgs(fn.params.map((p) => p.text), s.args);
    const build = ctx.current;
    const what = `call ${fn.name.text}`;
    const { pre, post } = this.lw.orders.ops(`call:f:${fn.name.text}`, what);
    if (pre.length > 0 || post.length > 0 || copies.length > 0) {
      const next = ctx.newPoint();
      ctx.addTransition(cur, undefined, [...pre, ...copies, ...post], next, s, ctx.sourceText(s));
      cur = next;
    }
    const saved = { env: build.env, returnPoint: build.returnPoint, values: build.values, sink: build.sink, codeModule: build.codeModule };
    const returnPoint = ctx.newPoint();
    build.env = env;
    build.values = new Map();
    build.sink = sink;
    build.returnPoint = returnPoint;
    if (fn.module) build.codeModule = this.lw.modules.indexOf(fn.module);
    build.fnStack.push(fn.name.text);
    try {
      ctx.join(this.lowerBody(fn.body, cur), returnPoint);
    } finally {
      build.fnStack.pop();
      Object.assign(build, saved);
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
        this.ctx.unsupported('an atomic block has too many nondeterministic outcomes', statement);
        return alternatives;
      }
      alternatives = combined;
    }
    return alternatives;
  }

  private genStatementOps(s: Statement): Op[][] {
    const ctx = this.ctx;
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
          this.conditions.requireSimple(s.condition);
          const thenAlternatives = this.genOps(s.then.statements);
          const elseAlternatives = !s.else ? [[]] : s.else.kind === 'Block' ? this.genOps(s.else.statements) : this.genStatementOps(s.else);
          const result: Op[][] = [];
          for (const t of thenAlternatives) for (const e of elseAlternatives) result.push(this.lw.expressions.lowerCond(s.condition, t, e));
          return result;
        }
        case 'CallStatement': {
          const fn = this.callee(s);
          const { env, copies } = this.lw.values.bindArgs(fn.params.map((p) => p.text), s.args);
          const build = ctx.current;
          const saved = { env: build.env, values: build.values, codeModule: build.codeModule };
          build.env = env;
          build.values = new Map();
          build.fnStack.push(fn.name.text);
          try {
            const statements = fn.body.kind === 'Block' ? fn.body.statements : this.translate(fn.body) ?? [];
            const { pre, post } = this.lw.orders.ops(`call:f:${fn.name.text}`, `call ${fn.name.text}`);
            return this.genOps(statements).map((ops) => [...pre, ...copies, ...post, ...ops]);
          } finally {
            build.fnStack.pop();
            Object.assign(build, saved);
          }
        }
        case 'WhileStatement':
        case 'ReturnStatement':
        case 'UnloadStatement':
          ctx.unsupported(`\`${s.kind === 'WhileStatement' ? 'while' : s.kind === 'ReturnStatement' ? 'return' : 'unload'}\` inside an atomic block cannot be checked`, s);
          return [[]];
        case 'LetStatement':
          if (this.lw.values.isValueLet(s)) return [this.conditions.letValueOps(s)];
          break;
        case 'AssignStatement':
          if (this.conditions.assignsLocal(s)) return [this.conditions.assignValueOps(s)];
          break;
        default:
          break;
      }
      const step = this.simple(s);
      if (!step) return [[]];
      const ops: Op[] = step.guard ? [{ k: 'require', cond: step.guard }, ...step.ops] : [...step.ops];
      if (!step.zero) return [ops];
      const build = ctx.current;
      if (build.onZeroStack.includes(step.zero.variable)) {
        ctx.unsupported(`the on-zero action of ${ctx.variables[step.zero.variable].name} runs itself again`, s);
        return [ops];
      }
      const saved = { env: build.env, values: build.values };
      build.env = new Map();
      build.values = new Map();
      build.onZeroStack.push(step.zero.variable);
      try {
        const zeroVar = step.zero.variable;
        return this.genOps(step.zero.body.statements).map((z) => [...ops, { k: 'if', cond: bin('==', read(zeroVar), constant(0)), then: z, else: [] } as Op]);
      } finally {
        build.onZeroStack.pop();
        Object.assign(build, saved);
      }
    } catch (error) {
      if (!(error instanceof LoweringError)) throw error;
      return [[]];
    }
  }
}

