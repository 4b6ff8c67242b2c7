// The state one lowering shares between its parts: the variables, objects and actors declared so
// far, the actor whose code is being built, its program points, and the diagnostics.
//
// Control flow is built forwards: every statement starts at a fresh program point and returns the
// fresh point where control continues. Branches that meet again are joined by aliasing the fresh
// exit point of each branch to the join point; aliases are resolved and points renumbered at the end
// (see finish.ts).

import { CODES, makeDiagnostic, type Diagnostic } from '../../diagnostics/codes';
import type { Block, CBody, FnDecl, Place, SourceFile, Statement } from '../../syntax/ast';
import { LIFE_FREED, bin, constant, not, read, type Actor, type Expr, type ObjectInfo, type Op, type Transition, type Variable, type VariableKind } from '../ir';
import type { Variant } from '../variant';

export interface CBodyTranslation {
  statements: Statement[];
  diagnostics: Diagnostic[];
}

/** Translates a C body into model statements; returns undefined when it cannot. */
export type CBodyTranslator = (body: CBody, file: SourceFile) => CBodyTranslation | undefined;

export const MAX_ALTERNATIVES = 256;
const MAX_POINTS = 1 << 20;

export type MemberKind = 'ref' | 'lock' | 'flag' | 'state' | 'int' | 'ptr' | 'work' | 'timer' | 'percpu_ref' | 'completion' | 'srcu' | 'workqueue';

export interface MemberSlot {
  name: string;
  kind: MemberKind;
  /** The member's main variable: the count, the lock owner, the work item's or timer's state, ... */
  variable: number;
  onZero?: Block;
  /** For ints: the range. */
  low?: number;
  high?: number;
  /** For percpu_refs: the mode variable (see percpu.ts). */
  mode?: number;
  /** For work items, timers and percpu_refs: the handler actor (the worker, the timer, the confirmation). */
  handler?: number;
}

export interface ObjectSlot {
  info: ObjectInfo;
  members: Map<string, MemberSlot>;
  /** Not a leak when still allocated at the end: `long-lived` objects and modules. */
  longLived: boolean;
  /** For statics of a module (`static X in M`): the module's object index; their life is the module's. */
  module: number;
}

export interface Hop {
  object: number;
  /** The pointer or handle variable followed to reach the object, or -1 when named directly. */
  via: number;
  viaText: string;
}

export interface Resolved {
  hops: Hop[];
  member?: MemberSlot;
  text: string;
}

/** What a parameter stands for: a place (an object, a member, a handle) or a value. */
export type Binding = { place: Place; env: Env } | { value: Expr; type: 'bool' | 'int' };

export type Env = Map<string, Binding>;

/** The local values visible in the body being lowered, by name (a fresh scope per inlined call). */
export type ValueScope = Map<string, LocalValue>;

export interface LocalValue {
  variable: number;
  type: 'bool' | 'int';
  /** For ints: the range. */
  low: number;
  high: number;
}

/** Where a procedure's `return VALUE` stores its value: the local of the `let` or assignment that called it. */
export type Sink = LocalValue | undefined;

export interface PointBuild {
  transitions: Transition[];
}

export interface ActorBuild {
  actor: Actor;
  me: number;
  points: PointBuild[];
  alias: number[];
  handles: Map<string, number>;
  env: Env;
  /** The local values of the body being lowered. */
  values: ValueScope;
  /** Local value variables by the `let` that declares them (a `let` run again reuses its variable). */
  lets: Map<Statement, LocalValue>;
  returnPoint: number;
  /** Where `return VALUE` in the procedure being inlined stores its value. */
  sink: Sink;
  fnStack: string[];
  onZeroStack: number[];
  /** The module whose code is being lowered (its object index), or -1. */
  codeModule: number;
  entry: number;
  end: number;
  /**
   * For handlers (work items, timers, callbacks): the end point is the idle point, from which the
   * handler starts again when triggered; the actor counts as finished there.
   */
  idles: boolean;
  /** Lowers the actor's code; absent for threads and devices, which Control lowers itself. */
  lowerCode?: () => void;
  /**
   * Set when the actor's variables are referenced by other actors' variables (grace periods,
   * flushes, callbacks): the instances of a `thread NAME[N]` are then not interchangeable.
   */
  asymmetric: boolean;
}

/** One atomic step of a simple statement, before it is placed between two program points. */
export interface Step {
  guard?: Expr;
  ops: Op[];
  /** The step waits for something the kernel hands over in the end (see `Transition.handedOver`). */
  handedOver?: boolean;
  zero?: { variable: number; body: Block };
}

/**
 * The guard of a blocking step that touches memory (`lock o.m`, `wait until o.f`, a wait of the
 * kernel's mechanisms on an object's member): it is also enabled when one of its access checks
 * fails, because waiting reads the freed (or stale, or null) object; the step then reports that
 * violation instead of blocking on it silently.
 */
export function orFailing(guard: Expr, checks: Op[]): Expr {
  const conditions = checks.flatMap((op) => (op.k === 'check' ? [op.cond] : []));
  if (conditions.length === 0) return guard;
  return bin('||', guard, not(conditions.reduce((all, cond) => bin('&&', all, cond))));
}

/**
 * One way a condition that takes a step of its own can go (`wait_for_completion_timeout` returns
 * a completion or times out): a transition enabled when `guard` holds, whose operations end with
 * `whenTrue` or `whenFalse`.
 */
export interface Alternative {
  guard?: Expr;
  ops: (whenTrue: Op[], whenFalse: Op[]) => Op[];
}

/** Thrown where a construct has no model meaning; the statement is skipped and the variant marked incomplete. */
export class LoweringError extends Error {}

export class LoweringContext {
  /**
   * Constants standing for program points, patched with the points' final numbers (`pc == idle`
   * tests of another actor's handler).
   */
  readonly pointConsts: { build: ActorBuild; point: number; node: Expr & { k: 'const' } }[] = [];
  /**
   * `if` operations whose branches are filled in once every actor is lowered (grace-period
   * bookkeeping); those still empty then are dropped.
   */
  readonly lateIfs = new Set<Op>();
  readonly variables: Variable[] = [];
  readonly objects: ObjectSlot[] = [];
  readonly objectsByName = new Map<string, number>();
  readonly devicesByName = new Map<string, number>();
  readonly fns = new Map<string, FnDecl>();
  readonly actors: Actor[] = [];
  readonly builds: ActorBuild[] = [];
  readonly symmetryGroups: { name: string; actors: number[] }[] = [];
  readonly diagnostics: Diagnostic[] = [];
  complete = true;
  /** The actor whose code is being built. */
  current!: ActorBuild;

  constructor(
    readonly file: SourceFile,
    readonly variant: Variant,
  ) {}

  addVariable(
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

  /**
   * Declares an actor (a thread instance, a device, a handler's context): its pc variable, then the
   * variables `own` declares for it (a device's), then the actor and its build.
   */
  addActor(
    name: string,
    range: { start: number; end: number },
    shape: { kind?: Actor['kind']; endPc?: number; symmetryGroup?: number; instance?: number; own?: (index: number) => Pick<Actor, 'device'> },
  ): ActorBuild {
    const index = this.actors.length;
    const pcVar = this.addVariable(`${name}.pc`, 'pc', 1, 0, -1, index);
    const actor: Actor = {
      index,
      name,
      kind: shape.kind ?? 'thread',
      pcVar,
      points: [],
      transitions: [],
      endPc: shape.endPc ?? 0,
      finishChecks: [],
      locals: [],
      symmetryGroup: shape.symmetryGroup ?? -1,
      instance: shape.instance ?? 0,
      ...shape.own?.(index),
      start: range.start,
      end: range.end,
    };
    const build = this.newBuild(actor);
    this.actors.push(actor);
    this.builds.push(build);
    return build;
  }

  /** A new build for an actor; its points are made when its code is lowered. */
  newBuild(actor: Actor): ActorBuild {
    return {
      actor,
      me: actor.index + 1,
      points: [],
      alias: [],
      handles: new Map(),
      env: new Map(),
      values: new Map(),
      lets: new Map(),
      returnPoint: -1,
      sink: undefined,
      fnStack: [],
      onZeroStack: [],
      codeModule: -1,
      entry: 0,
      end: 0,
      idles: false,
      asymmetric: false,
    };
  }

  /** A constant that will hold the final number of `point` of `build`. */
  pointConst(build: ActorBuild, point: number): Expr & { k: 'const' } {
    const node: Expr & { k: 'const' } = { k: 'const', value: -1 };
    this.pointConsts.push({ build, point, node });
    return node;
  }

  /** An `if` whose `then` branch is filled in later; dropped when it stays empty. */
  lateIf(cond: Expr): Op & { k: 'if' } {
    const op: Op & { k: 'if' } = { k: 'if', cond, then: [], else: [] };
    this.lateIfs.add(op);
    return op;
  }

  // -------------------------------------------------------------------------------------------
  // Program points of the current actor

  newPoint(): number {
    const build = this.current;
    if (build.points.length >= MAX_POINTS) throw new LoweringError('the model has too many program points');
    build.points.push({ transitions: [] });
    build.alias.push(-1);
    return build.points.length - 1;
  }

  find(point: number): number {
    const alias = this.current.alias;
    while (alias[point] >= 0) point = alias[point];
    return point;
  }

  join(from: number, to: number): void {
    const a = this.find(from);
    const b = this.find(to);
    if (a !== b) this.current.alias[a] = b;
  }

  /**
   * Adds a transition of the current actor. Inside a module's code it first checks that the module
   * is still loaded (after the `require`s, which decide whether the step can run at all).
   */
  addTransition(from: number, guard: Expr | undefined, ops: Op[], next: number, range: { start: number; end: number }, event: string): Transition {
    const point = this.find(from);
    const module = this.current.codeModule;
    if (module >= 0) {
      let requires = 0;
      while (requires < ops.length && ops[requires].k === 'require') requires++;
      const object = this.objects[module].info;
      const check: Op = { k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_FREED)), kind: 'use-after-free', message: `${event}: runs code of module ${object.name} after it was unloaded` };
      ops = [...ops.slice(0, requires), check, ...ops.slice(requires)];
    }
    const transition: Transition = { id: -1, from: point, ops, next, start: range.start, end: range.end, event, reads: [], writes: [] };
    if (guard) transition.guard = guard;
    const onZero = this.current.onZeroStack.at(-1);
    if (onZero !== undefined) transition.onZero = this.variables[onZero].name;
    this.current.points[point].transitions.push(transition);
    return transition;
  }

  // -------------------------------------------------------------------------------------------
  // Diagnostics

  sourceText(node: { start: number; end: number }): string {
    return this.file.text.slice(node.start, node.end).replace(/\s+/g, ' ').trim();
  }

  unsupported(message: string, at: { start: number; end: number }): void {
    this.complete = false;
    this.diagnostics.push(makeDiagnostic(CODES.notLowered, `${message}; proposal \`${this.variant.name}\` is not checked`, at.start, at.end));
  }

  /** Runs `attempt`; when it fails, as if nothing had been reported. */
  quietly<T>(attempt: () => T): T | undefined {
    const complete = this.complete;
    const reported = this.diagnostics.length;
    try {
      return attempt();
    } catch (error) {
      if (!(error instanceof LoweringError)) throw error;
      this.complete = complete;
      this.diagnostics.length = reported;
      return undefined;
    }
  }

  fail(message: string, at: { start: number; end: number }): LoweringError {
    this.unsupported(message, at);
    return new LoweringError(message);
  }
}
