// Export of a lowered transition system as a Promela model, so that SPIN can cross-check the engine.
//
// The exported model has the semantics of the IR (see ir.ts) step for step:
// - every IR variable is one global Promela variable with the same encoding and domain;
// - every actor is one `active proctype` looping over `d_step`s, one per IR transition, each guarded
//   by the actor's program counter, the transition's guard and `err == 0`; so one IR step is one
//   SPIN transition and SPIN's depths equal the engine's trace lengths;
// - a failing `check` stores the violation kind's code in `err` and skips the rest of the step;
//   no step is enabled after that, like the engine, which stops at the first violation;
// - a `monitor` process asserts `err != K` for every kind K, and asserts that the current state is
//   neither a deadlock nor a leak (the IR's state-based checks), so pan's first assertion message
//   names the kind as `err!=K`. Its step is a self-loop and never adds depth to an error.
//
// Compiling with `-DONLY_KIND=K` keeps only kind K's assertion: a state reached through another
// violation is then a silent dead end, which finds the shortest trace to kind K alone.

import type { Diagnostic } from '../diagnostics/codes';
import { VIOLATION_KINDS, type SourceFile, type ViolationKind } from '../syntax/ast';
import type { Actor, Expr, Op, Transition, TransitionSystem, Variable } from './ir';
import { lowerModel, type CBodyTranslator } from './lower/index';

/** The code stored in `err` for each violation kind; 0 means no violation. */
export function promelaKindCode(kind: ViolationKind): number {
  return VIOLATION_KINDS.indexOf(kind) + 1;
}

/** The violation kind of an `err` code, or undefined for 0 and unknown codes. */
export function kindOfPromelaCode(code: number): ViolationKind | undefined {
  return VIOLATION_KINDS[code - 1];
}

export interface PanVerdict {
  /** `violation` when pan reported an assertion of the exported monitor, `safe` when it found none. */
  verdict: 'safe' | 'violation' | 'unknown';
  kind?: ViolationKind;
  /** pan's depth of the error: the number of model steps in the trace, like the engine's trace length. */
  depth?: number;
  /** States stored, transitions and pan's own elapsed seconds, when pan printed them. */
  states?: number;
  transitions?: number;
  seconds?: number;
  /** State-vector size in bytes and memory used in megabytes, when printed. */
  stateVectorBytes?: number;
  memoryMegabytes?: number;
  /** Why the verdict is `unknown`: pan's error line, or a note that its output was not recognised. */
  problem?: string;
}

/**
 * Reads the output of a pan compiled from an exported model: the verdict, the kind (from the
 * `err!=K` assertion text), the depth and the statistics. Never throws.
 */
export function parsePanOutput(output: string): PanVerdict {
  const result: PanVerdict = { verdict: 'unknown' };
  const number = (pattern: RegExp): number | undefined => {
    const match = pattern.exec(output);
    return match ? Number(match[1]) : undefined;
  };
  result.states = number(/^\s*(\d+(?:\.\d+)?(?:e\+\d+)?) states, stored/m);
  result.transitions = number(/^\s*(\d+(?:\.\d+)?(?:e\+\d+)?) transitions \(= /m);
  result.seconds = number(/pan: elapsed time ([\d.e+]+) seconds/);
  result.stateVectorBytes = number(/State-vector (\d+) byte/);
  result.memoryMegabytes = number(/^\s*([\d.]+)\s+total actual memory usage/m);
  const errors = number(/errors: (\d+)/);
  const assertion = /pan:\d+: assertion violated .*?err!=(\d+).*\(at depth (\d+)\)/.exec(output);
  if (assertion) {
    const kind = kindOfPromelaCode(Number(assertion[1]));
    if (!kind) return { ...result, problem: `unknown violation code ${assertion[1]} in pan's output` };
    return { ...result, verdict: 'violation', kind, depth: Number(assertion[2]) };
  }
  const otherError = /pan:\d+: (.*)/.exec(output) ?? /pan: (.*(?:error|out of memory|aborted).*)/i.exec(output);
  if (otherError) return { ...result, problem: otherError[1].trim() };
  if (errors === 0) return { ...result, verdict: 'safe' };
  return { ...result, problem: 'pan printed no verdict' };
}

// ---------------------------------------------------------------------------------------------
// The exporter.

/** A Promela model with the semantics of `system`, ready for `spin -a`. */
export function exportPromela(system: TransitionSystem): string {
  const writer = new PromelaWriter(system);
  return writer.write();
}

export interface PromelaExport {
  /** The Promela model; absent when the variant could not be lowered completely. */
  text?: string;
  /** Why the variant could not be lowered, or notes from the lowering. */
  diagnostics: Diagnostic[];
}

/**
 * Lowers one variant (`baseline` or a proposal's name) of a checked file and exports it; C bodies
 * are translated with `translateC`. Never throws.
 */
export function exportPromelaFromFile(file: SourceFile, proposal = 'baseline', translateC?: CBodyTranslator): PromelaExport {
  const lowered = lowerModel(file, proposal, { translateC });
  if (!lowered.complete) return { diagnostics: lowered.diagnostics };
  return { text: exportPromela(lowered.system), diagnostics: lowered.diagnostics };
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

class PromelaWriter {
  private readonly names: string[];
  private readonly lines: string[] = [];

  constructor(private readonly system: TransitionSystem) {
    this.names = system.variables.map((v) => `v${v.index}_${sanitize(v.name)}`.replace(/_$/, ''));
  }

  write(): string {
    this.header();
    this.declarations();
    for (const actor of this.system.actors) this.actor(actor);
    this.monitor();
    return this.lines.join('\n') + '\n';
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  private header(): void {
    const system = this.system;
    this.emit(`/* Lifetime Review: proposal \`${system.proposal.replace(/\*\//g, '* /')}\` exported for SPIN. */`);
    this.emit('/* Check it with: spin -a model.pml && gcc -O2 -DBFS -DNOREDUCE -o pan pan.c && ./pan */');
    this.emit('/* A violation shows as `assertion violated (err!=K)` with K the kind\'s code: */');
    VIOLATION_KINDS.forEach((kind) => this.emit(`/*   ${promelaKindCode(kind)} ${kind} */`));
    this.emit('/* pan\'s depth is the length of the shortest trace, in model steps. */');
    this.emit('');
  }

  private declarations(): void {
    this.emit('byte err = 0;');
    for (const variable of this.system.variables) {
      const detail = variable.kind === 'int' ? `, value = stored + ${variable.offset ?? 0}` : '';
      this.emit(
        `${typeFor(variable)} ${this.names[variable.index]} = ${variable.initial}; /* ${variable.name.replace(/\*\//g, '* /')} (${variable.kind}, 0..${variable.domain - 1}${detail}) */`,
      );
    }
    this.emit('');
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
    const pc = this.names[actor.pcVar];
    if (actor.transitions.length === 0) {
      // A process would add a step of its own; an actor that never moves needs none.
      this.emit(`/* ${actor.kind} ${actor.name}: no steps */`);
      this.emit('');
      return;
    }
    this.emit(`/* ${actor.kind} ${actor.name} */`);
    this.emit(`active proctype a${actor.index}_${sanitize(actor.name)}() {`);
    this.emit('end: do');
    for (const transition of actor.transitions) this.transition(actor, pc, transition);
    this.emit('  od');
    this.emit('}');
    this.emit('');
  }

  private transition(actor: Actor, pc: string, transition: Transition): void {
    // Leading `require`s read the state before the step, so they join the guard; see ir.ts.
    let ops = transition.ops;
    const conditions = [`err == 0`, `${pc} == ${transition.from}`];
    if (transition.guard) conditions.push(this.expr(transition.guard));
    for (let first = ops[0]; first?.k === 'require'; first = ops[0]) {
      conditions.push(this.expr(first.cond));
      ops = ops.slice(1);
    }
    const body: string[] = [`${pc} = ${transition.next}`];
    body.push(...this.ops(ops, pc));
    if (actor.kind === 'thread' && actor.finishChecks.length > 0 && mayReach(transition, actor.endPc)) {
      const finish = this.ops(actor.finishChecks, pc);
      body.push(this.branch(`err == 0 && ${pc} == ${actor.endPc}`, finish));
    }
    this.emit(`  :: /* ${transition.event.replace(/\*\//g, '* /')} */`);
    this.emit(`     d_step { (${conditions.join(' && ')}) -> ${body.join('; ')} }`);
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
          out.push(
            `if :: (${this.expr(op.cond)}) -> ${then.length ? then.join('; ') : 'skip'} :: else -> ${otherwise.length ? otherwise.join('; ') : 'skip'} fi`,
          );
          if (containsCheck(op.then) || containsCheck(op.else)) {
            const rest = this.ops(ops.slice(i + 1), pc);
            if (rest.length > 0) out.push(this.branch('err == 0', rest));
            return out;
          }
          break;
        }
        case 'check': {
          out.push(`if :: !(${this.expr(op.cond)}) -> err = ${promelaKindCode(op.kind)} :: else -> skip fi`);
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
    const finished = threads.map((t) => `${this.names[t.pcVar]} == ${t.endPc}`);
    const allFinished = finished.length > 0 ? finished.join(' && ') : '1';
    const someUnfinished = finished.length > 0 ? `!(${allFinished})` : '0';
    const stuck = threads.map((t) => this.stuck(t));
    const noInflight = system.actors
      .filter((a) => a.device)
      .map((a) => `${this.names[a.device!.inflightVar]} == 0`);
    const deadlock = ['err == 0', someUnfinished, ...stuck, ...noInflight].join(' && ');
    // Handlers can still move at their end point; the leak checks wait until none can.
    const idles = threads.some((t) => (t.points[t.endPc]?.transitions.length ?? 0) > 0);
    const settled = idles ? stuck : [];

    this.emit('/* The monitor: one assertion per violation kind, checked in every state. */');
    this.emit('active proctype monitor() {');
    this.emit('end: do');
    this.emit('  :: d_step {');
    for (const kind of VIOLATION_KINDS) {
      const code = promelaKindCode(kind);
      this.emit(`#if !defined(ONLY_KIND) || ONLY_KIND == ${code}`);
      if (kind === 'deadlock') {
        this.emit(`       assert(err != ${code} && !(${deadlock}));`);
      } else {
        this.emit(`       assert(err != ${code});`);
      }
      for (const check of system.leakChecks.filter((c) => c.kind === kind)) {
        // Checked in order: an earlier failing leak check hides the later ones, as in the engine.
        const earlier = system.leakChecks.slice(0, system.leakChecks.indexOf(check)).map((c) => this.expr(c.cond));
        const condition = ['err == 0', allFinished, ...settled, ...earlier, `!(${this.expr(check.cond)})`].join(' && ');
        this.emit(`       /* ${check.message.replace(/\*\//g, '* /')} */`);
        this.emit(`       assert(err != ${code} && !(${condition}));`);
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
    const pc = this.names[thread.pcVar];
    const clauses: string[] = [];
    for (const point of thread.points) {
      const enabled = point.transitions.map((id) => this.enabled(thread.transitions[id]));
      if (enabled.some((e) => e === '1')) continue;
      if (point.index === thread.endPc && enabled.length === 0) clauses.unshift(`${pc} == ${thread.endPc}`);
      else clauses.push(`(${pc} == ${point.index} && !(${enabled.join(' || ') || '0'}))`);
    }
    return `(${clauses.join(' || ') || '0'})`;
  }

  /** The condition under which a transition is enabled, `1` when it always is. */
  private enabled(transition: Transition): string {
    const parts: string[] = [];
    if (transition.guard) parts.push(this.expr(transition.guard));
    for (const op of transition.ops) {
      if (op.k !== 'require') break;
      parts.push(this.expr(op.cond));
    }
    return parts.length > 0 ? parts.join(' && ') : '1';
  }
}

function containsCheck(ops: Op[]): boolean {
  return ops.some((op) => op.k === 'check' || (op.k === 'if' && (containsCheck(op.then) || containsCheck(op.else))));
}

/** Whether a transition can move its actor to point `pc` (by default or through a `goto`). */
function mayReach(transition: Transition, pc: number): boolean {
  const viaGoto = (ops: Op[]): boolean =>
    ops.some((op) => (op.k === 'goto' && op.pc === pc) || (op.k === 'if' && (viaGoto(op.then) || viaGoto(op.else))));
  return transition.next === pc || viaGoto(transition.ops);
}
