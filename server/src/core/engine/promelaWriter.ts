// Writes a lowered transition system as Promela in a form SPIN's partial-order reduction can use.
//
// SPIN reduces only on statements that touch nothing but the moving process's own local variables,
// and it decides that per control state of the process, over every statement leaving it. So:
// - every actor is one proctype whose control flow follows the actor's program points: one Promela
//   control state per class of points (points that one transition may reach through a runtime
//   `goto` share a class, so the control state is always a function of the program counter and the
//   two state graphs stay the same size), one `d_step` option per transition;
// - the program counter and every variable that only this actor touches (and the monitor does not
//   read) are locals of the proctype;
// - a failing check is an `assert` inside the step itself, on a process-local `err`, so no guard
//   reads a global error flag;
// - the monitor needs to know which threads are finished or possibly blocked: each thread keeps a
//   global `blk_aN` that holds its point only at its blocking points and its end point (255
//   elsewhere), written only by the steps that enter or leave those points.
// Under `-DONLY_KIND=K` the other kinds set a global `halted` that every guard reads (no reduction
// there, and none needed: those runs look for one kind's shortest trace).

import { VIOLATION_KINDS } from '../syntax/ast';
import type { Actor, Expr, Op, Transition, TransitionSystem, Variable } from './ir';

/** Where each exported transition sits in the text: its 1-based line, which `spin -t -p` prints. */
export interface PromelaStepLine {
  line: number;
  actor: number;
  transition: number;
}

export interface WrittenPromela {
  text: string;
  steps: PromelaStepLine[];
}

/** The value of a thread's `blk_aN` while it is at a point that can neither block nor end. */
export const BLK_RUNNING = 255;

/** The name of thread `actor`'s blocking-point global. */
export function blockedName(actor: number): string {
  return `blk_a${actor}`;
}

export function promelaKindCode(kind: (typeof VIOLATION_KINDS)[number]): number {
  return VIOLATION_KINDS.indexOf(kind) + 1;
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
}

function typeFor(variable: Variable): string {
  if (variable.domain <= 2) return 'bit';
  if (variable.domain <= 256) return 'byte';
  if (variable.domain <= 32768) return 'short';
  return 'int';
}

function comment(text: string): string {
  return text.replace(/\*\//g, '* /');
}

function exprReads(e: Expr | undefined, into: Set<number>): void {
  if (!e) return;
  if (e.k === 'var') into.add(e.v);
  else if (e.k === 'not') exprReads(e.e, into);
  else if (e.k === 'bin') {
    exprReads(e.l, into);
    exprReads(e.r, into);
  }
}

function opsTouch(ops: Op[], into: Set<number>): void {
  for (const op of ops) {
    if (op.k === 'assign') {
      into.add(op.v);
      exprReads(op.value, into);
    } else if (op.k === 'check' || op.k === 'require') exprReads(op.cond, into);
    else if (op.k === 'if') {
      exprReads(op.cond, into);
      opsTouch(op.then, into);
      opsTouch(op.else, into);
    }
  }
}

function gotoTargets(ops: Op[], into: Set<number>): void {
  for (const op of ops) {
    if (op.k === 'goto') into.add(op.pc);
    else if (op.k === 'if') {
      gotoTargets(op.then, into);
      gotoTargets(op.else, into);
    }
  }
}

/** The points a transition can move its actor to. */
function destinations(transition: Transition): number[] {
  const targets = new Set<number>([transition.next]);
  gotoTargets(transition.ops, targets);
  return [...targets].sort((a, b) => a - b);
}

function containsCheck(ops: Op[]): boolean {
  return ops.some((op) => op.k === 'check' || (op.k === 'if' && (containsCheck(op.then) || containsCheck(op.else))));
}

/** The condition under which a transition is enabled (its guard and leading `require`s), or undefined when always. */
function enabledParts(transition: Transition): Expr[] {
  const parts: Expr[] = [];
  if (transition.guard) parts.push(transition.guard);
  for (const op of transition.ops) {
    if (op.k !== 'require') break;
    parts.push(op.cond);
  }
  return parts;
}

/** Classes of program points: a transition's possible destinations always share one. */
function pointClasses(actor: Actor): number[] {
  const parent = actor.points.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const transition of actor.transitions) {
    const [first, ...rest] = destinations(transition);
    for (const other of rest) parent[find(other)] = find(first);
  }
  return actor.points.map((_, i) => find(i));
}

export class PromelaWriter {
  private readonly names: string[];
  private readonly lines: string[] = [];
  private readonly steps: PromelaStepLine[] = [];
  /** For each variable, the actor whose proctype declares it, or -1 for a global. */
  private readonly owner: number[];
  /** Per thread, the points tracked by its `blk` global: blocking points and its end point. */
  private readonly tracked = new Map<number, Set<number>>();

  constructor(private readonly system: TransitionSystem) {
    this.names = system.variables.map((v) => `v${v.index}_${sanitize(v.name)}`.replace(/_$/, ''));
    for (const actor of system.actors) {
      if (actor.kind !== 'thread') continue;
      const points = new Set<number>([actor.endPc]);
      for (const point of actor.points) {
        const always = point.transitions.some((id) => enabledParts(actor.transitions[id]).length === 0);
        if (!always) points.add(point.index);
      }
      this.tracked.set(actor.index, points);
    }
    this.owner = this.owners();
  }

  write(): WrittenPromela {
    this.header();
    this.declarations();
    for (const actor of this.system.actors) this.actor(actor);
    this.monitor();
    return { text: this.lines.join('\n') + '\n', steps: this.steps };
  }

  /** A variable is local to the one actor that touches it, unless the monitor reads it. */
  private owners(): number[] {
    const touchedBy: Set<number>[] = this.system.variables.map(() => new Set<number>());
    for (const actor of this.system.actors) {
      const touched = new Set<number>([actor.pcVar]);
      for (const transition of actor.transitions) {
        exprReads(transition.guard, touched);
        opsTouch(transition.ops, touched);
      }
      opsTouch(actor.finishChecks, touched);
      for (const v of touched) touchedBy[v].add(actor.index);
    }
    const monitorReads = new Set<number>();
    for (const actor of this.system.actors) {
      if (actor.device) monitorReads.add(actor.device.inflightVar);
      const tracked = this.tracked.get(actor.index);
      if (!tracked) continue;
      for (const point of tracked) {
        for (const id of actor.points[point]?.transitions ?? []) for (const part of enabledParts(actor.transitions[id])) exprReads(part, monitorReads);
      }
    }
    for (const check of this.system.leakChecks) exprReads(check.cond, monitorReads);
    return this.system.variables.map((variable) => {
      const actors = [...touchedBy[variable.index]];
      return actors.length === 1 && !monitorReads.has(variable.index) ? actors[0] : -1;
    });
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  private header(): void {
    const system = this.system;
    this.emit(`/* Lifetime Review: proposal \`${comment(system.proposal)}\` exported for SPIN. */`);
    this.emit('/* Check it with: spin -a -o2 model.pml && gcc -O2 -DBFS -o pan pan.c && ./pan */');
    this.emit('/* A violation shows as `assertion violated (err!=K)` with K the kind\'s code: */');
    VIOLATION_KINDS.forEach((kind) => this.emit(`/*   ${promelaKindCode(kind)} ${kind} */`));
    this.emit('/* A failing step asserts inside the step (pan\'s depth is the steps before it); a deadlock or a leak is */');
    this.emit('/* asserted by the monitor in the state where it shows (`serr!=K`, pan\'s depth is the trace length). */');
    this.emit('#ifdef ONLY_KIND');
    this.emit('bit halted = 0;');
    this.emit('#define LIVE (halted == 0)');
    this.emit('#else');
    this.emit('#define LIVE 1');
    this.emit('#endif');
    for (const kind of VIOLATION_KINDS) {
      const code = promelaKindCode(kind);
      this.emit(`#if !defined(ONLY_KIND) || ONLY_KIND == ${code}`);
      this.emit(`#define FAIL_${code} err = ${code}; assert(err != ${code})`);
      this.emit('#else');
      this.emit(`#define FAIL_${code} err = ${code}; halted = 1`);
      this.emit('#endif');
    }
    this.emit('');
  }

  private declaration(variable: Variable): string {
    const detail = variable.kind === 'int' ? `, value = stored + ${variable.offset ?? 0}` : '';
    return `${typeFor(variable)} ${this.names[variable.index]} = ${variable.initial}; /* ${comment(variable.name)} (${variable.kind}, 0..${variable.domain - 1}${detail}) */`;
  }

  private declarations(): void {
    for (const variable of this.system.variables) if (this.owner[variable.index] < 0) this.emit(this.declaration(variable));
    for (const actor of this.system.actors) {
      if (actor.kind !== 'thread') continue;
      const initial = this.system.variables[actor.pcVar].initial;
      this.emit(`byte ${blockedName(actor.index)} = ${this.blockedValue(actor, initial)}; /* ${comment(actor.name)}: its point when blocking or finished, else ${BLK_RUNNING} */`);
    }
    this.emit('');
  }

  private blockedValue(actor: Actor, point: number): number {
    return this.tracked.get(actor.index)?.has(point) ? point : BLK_RUNNING;
  }

  private expr(e: Expr): string {
    switch (e.k) {
      case 'const':
        return String(e.value);
      case 'var':
        return this.names[e.v];
      case 'not':
        return `!(${this.expr(e.e)})`;
      case 'bin':
        return `(${this.expr(e.l)} ${e.op} ${this.expr(e.r)})`;
    }
  }

  private actor(actor: Actor): void {
    if (actor.transitions.length === 0) {
      // A process would add a step of its own; an actor that never moves needs none.
      this.emit(`/* ${actor.kind} ${comment(actor.name)}: no steps */`);
      this.emit('');
      return;
    }
    const classes = pointClasses(actor);
    const initial = this.system.variables[actor.pcVar].initial;
    this.emit(`/* ${actor.kind} ${comment(actor.name)} */`);
    this.emit(`active proctype a${actor.index}_${sanitize(actor.name)}() {`);
    this.emit('  byte err = 0;');
    for (const variable of this.system.variables) if (this.owner[variable.index] === actor.index) this.emit(`  ${this.declaration(variable)}`);
    // The initial point's class comes first: a process starts at its first statement.
    const order = [...new Set([classes[initial], ...classes])];
    for (const representative of order) {
      const members = actor.points.filter((p) => classes[p.index] === representative);
      const shared = members.length > 1;
      const transitions = members.flatMap((p) => p.transitions.map((id) => actor.transitions[id]));
      if (transitions.length === 0) {
        this.emit(`end_p${representative}: (0); /* finished */`);
        continue;
      }
      this.emit(`end_p${representative}: if`);
      for (const transition of transitions) this.transition(actor, transition, shared, classes);
      this.emit('  fi;');
    }
    this.emit('}');
    this.emit('');
  }

  private transition(actor: Actor, transition: Transition, shared: boolean, classes: number[]): void {
    const pc = this.names[actor.pcVar];
    let ops = transition.ops;
    const conditions = ['LIVE'];
    if (shared) conditions.push(`${pc} == ${transition.from}`);
    if (transition.guard) conditions.push(this.expr(transition.guard));
    // Leading `require`s read the state before the step, so they join the guard; see ir.ts.
    for (let first = ops[0]; first?.k === 'require'; first = ops[0]) {
      conditions.push(this.expr(first.cond));
      ops = ops.slice(1);
    }
    const body: string[] = [`${pc} = ${transition.next}`];
    body.push(...this.ops(ops, pc));
    const targets = destinations(transition);
    const tracked = this.tracked.get(actor.index);
    if (tracked && (tracked.has(transition.from) || targets.some((t) => tracked.has(t)))) body.push(this.blockedUpdate(actor, targets, tracked));
    if (actor.kind === 'thread' && actor.finishChecks.length > 0 && targets.includes(actor.endPc)) {
      body.push(this.branch(`err == 0 && ${pc} == ${actor.endPc}`, this.ops(actor.finishChecks, pc)));
    }
    this.emit(`  :: /* ${comment(transition.event)} */`);
    this.steps.push({ line: this.lines.length + 1, actor: actor.index, transition: transition.id });
    this.emit(`     d_step { (${conditions.join(' && ')}) -> ${body.join('; ')} }; goto end_p${classes[targets[0]]}`);
  }

  /** Sets the thread's `blk` global to its new point when that point is tracked, else to BLK_RUNNING. */
  private blockedUpdate(actor: Actor, targets: number[], tracked: Set<number>): string {
    const name = blockedName(actor.index);
    const pc = this.names[actor.pcVar];
    if (targets.length === 1) return `${name} = ${this.blockedValue(actor, targets[0])}`;
    const options = targets.filter((t) => tracked.has(t)).map((t) => `:: (${pc} == ${t}) -> ${name} = ${t} `);
    if (options.length === 0) return `${name} = ${BLK_RUNNING}`;
    return `if ${options.join('')}:: else -> ${name} = ${BLK_RUNNING} fi`;
  }

  /** A two-way `if` whose else does nothing. */
  private branch(condition: string, then: string[]): string {
    const inner = then.length > 0 ? then.join('; ') : 'skip';
    return `if :: (${condition}) -> ${inner} :: else -> skip fi`;
  }

  /**
   * The statements of an op list. After a `check` the rest of the list runs only while `err` is
   * still 0, so that nothing after a failing check changes the state.
   */
  private ops(ops: Op[], pc: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      switch (op.k) {
        case 'assign':
          out.push(`${this.names[op.v]} = ${this.expr(op.value)}`);
          break;
        case 'goto':
          out.push(`${pc} = ${op.pc}`);
          break;
        case 'require':
          // Only reachable for models the checker rejects (LT2016); SPIN reports a d_step that blocks.
          out.push(`(${this.expr(op.cond)})`);
          break;
        case 'if': {
          const then = this.ops(op.then, pc);
          const otherwise = this.ops(op.else, pc);
          out.push(`if :: (${this.expr(op.cond)}) -> ${then.length ? then.join('; ') : 'skip'} :: else -> ${otherwise.length ? otherwise.join('; ') : 'skip'} fi`);
          if (containsCheck(op.then) || containsCheck(op.else)) {
            const rest = this.ops(ops.slice(i + 1), pc);
            if (rest.length > 0) out.push(this.branch('err == 0', rest));
            return out;
          }
          break;
        }
        case 'check': {
          out.push(`if :: !(${this.expr(op.cond)}) -> FAIL_${promelaKindCode(op.kind)} :: else -> skip fi`);
          const rest = this.ops(ops.slice(i + 1), pc);
          if (rest.length > 0) out.push(this.branch('err == 0', rest));
          return out;
        }
      }
    }
    return out;
  }

  private monitor(): void {
    const system = this.system;
    const threads = system.actors.filter((a) => a.kind === 'thread');
    const finished = threads.map((t) => `${blockedName(t.index)} == ${t.endPc}`);
    const allFinished = finished.length > 0 ? finished.join(' && ') : '1';
    const someUnfinished = finished.length > 0 ? `!(${allFinished})` : '0';
    const stuck = threads.map((t) => this.stuck(t));
    const noInflight = system.actors.filter((a) => a.device).map((a) => `${this.names[a.device!.inflightVar]} == 0`);
    const deadlock = ['LIVE', someUnfinished, ...stuck, ...noInflight].join(' && ');
    // Handlers can still move at their end point; the leak checks wait until none can.
    const idles = threads.some((t) => (t.points[t.endPc]?.transitions.length ?? 0) > 0);
    const settled = idles ? stuck : [];

    this.emit('/* The monitor: deadlocks and leaks, asserted in every state; it reads only globals. */');
    this.emit('active proctype monitor() {');
    this.emit('  byte serr = 0;');
    this.emit('end: do');
    this.emit('  :: d_step {');
    for (const kind of VIOLATION_KINDS) {
      const code = promelaKindCode(kind);
      const checks = system.leakChecks.filter((c) => c.kind === kind);
      if (kind !== 'deadlock' && checks.length === 0) continue;
      this.emit(`#if !defined(ONLY_KIND) || ONLY_KIND == ${code}`);
      if (kind === 'deadlock') this.emit(`       assert(serr != ${code} && !(${deadlock}));`);
      for (const check of checks) {
        // Checked in order: an earlier failing leak check hides the later ones, as in the engine.
        const earlier = system.leakChecks.slice(0, system.leakChecks.indexOf(check)).map((c) => this.expr(c.cond));
        const condition = ['LIVE', allFinished, ...settled, ...earlier, `!(${this.expr(check.cond)})`].join(' && ');
        this.emit(`       /* ${comment(check.message)} */`);
        this.emit(`       assert(serr != ${code} && !(${condition}));`);
      }
      this.emit('#endif');
    }
    this.emit('       skip');
    this.emit('     }');
    this.emit('  od');
    this.emit('}');
  }

  /**
   * True in a state where the thread cannot move: finished, or no transition enabled at its point.
   * A handler's end point is its idle point, where it can still move when triggered.
   */
  private stuck(thread: Actor): string {
    const blk = blockedName(thread.index);
    const clauses: string[] = [];
    for (const point of thread.points) {
      if (!this.tracked.get(thread.index)?.has(point.index)) continue;
      const enabled = point.transitions.map((id) => enabledParts(thread.transitions[id]));
      if (enabled.some((parts) => parts.length === 0)) continue;
      const conditions = enabled.map((parts) => parts.map((e) => this.expr(e)).join(' && '));
      if (point.index === thread.endPc && enabled.length === 0) clauses.unshift(`${blk} == ${thread.endPc}`);
      else clauses.push(`(${blk} == ${point.index} && !(${conditions.join(' || ') || '0'}))`);
    }
    return `(${clauses.join(' || ') || '0'})`;
  }
}
