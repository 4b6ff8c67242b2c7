// The lowered transition system: what the search explores and what the Promela exporter writes.
//
// A model (one proposal variant of a `.lifetime` file) becomes a fixed vector of small integer
// variables plus a set of actors. Every actor (a thread instance or a device) has a list of program
// points; its program counter is one of the variables. At each point the actor has zero or more
// transitions. A transition is one atomic step: it is enabled when its guard holds, and executing it
// runs its operations in order on the state vector, then sets the actor's program counter to `next`
// (unless a `goto` operation chose another successor).
//
// Semantics every consumer must follow:
// - All variables hold integers in `0 .. domain-1`. What a number means depends on the variable's
//   kind (see `VariableKind`). Operations never write a value outside the domain: the lowering puts a
//   `check` in front of every write that could leave it (an int out of range, a count beyond its
//   model bound).
// - `check` fails when its condition is false: the step is a violation of the given kind and the
//   search reports it with the trace that ends with this step. Nothing after a failing check runs.
// - `require` disables the whole transition when its condition is false (the state is unchanged, as
//   if the guard had been false). The lowering emits it only for blocking statements inside
//   `atomic` blocks, which the checker already rejects (LT2016).
// - `goto` sets the actor's next program point; the last `goto` executed wins; without one the actor
//   moves to `transition.next`.
// - An actor whose program counter equals `endPc` has finished. When a transition moves a thread to
//   its end point, the thread's `finishChecks` are evaluated in the new state. A handler (a work
//   item's worker, a timer, an RCU callback) has transitions at its end point, its idle point: it
//   counts as finished there, yet it can still move when triggered.
// - A state where every thread has finished and no thread transition is enabled is checked against
//   `leakChecks`.
// - A state where some thread has not finished, no thread transition is enabled and no device has a
//   DMA in flight (`inflight` variable non-zero) is a deadlock. Devices never count as able to move.
// - The choice among enabled transitions (of any actor) is nondeterministic.

import type { ViolationKind } from '../syntax/ast';

export const LIFE_UNALLOCATED = 0;
export const LIFE_LIVE = 1;
export const LIFE_FREED = 2;

/**
 * What a variable stands for, and how to read its value:
 * - `life`: an object's lifecycle, `LIFE_UNALLOCATED` / `LIFE_LIVE` / `LIFE_FREED`.
 * - `generation`: a recyclable object's allocation count, 0-based; bumped by `alloc` after a free.
 * - `ref`: a reference count, the value itself.
 * - `flag`: 0 false, 1 true.
 * - `state`: an index into `values`.
 * - `int`: the stored value plus `offset` (the range's low end).
 * - `ptr`: a pointer member: 0 null, `g + 1` points to object `target` at generation `g`.
 * - `handle`: a thread-local `let` handle, encoded like `ptr` (0 when the place was null).
 * - `lockOwner`: 0 free, `a + 1` held by actor `a`.
 * - `running`: a device's 0 stopped / 1 running.
 * - `inflight`: a device's DMA in flight: 0 none, otherwise `dmaCode` of the device's target
 *   (see `DeviceInfo.targets`).
 * - `pc`: an actor's program counter.
 * - `order`: an ordering requirement's bit: 1 once the first event has happened.
 */
export type VariableKind =
  | 'life'
  | 'generation'
  | 'ref'
  | 'flag'
  | 'state'
  | 'int'
  | 'ptr'
  | 'handle'
  | 'lockOwner'
  | 'running'
  | 'inflight'
  | 'pc'
  | 'order';

export interface Variable {
  index: number;
  /** Human name: `mm.users`, `mm` (life), `mm#gen`, `cpu0.pc`, `worker[1].h`, `order#0`. */
  name: string;
  kind: VariableKind;
  /** Number of values; the variable holds `0 .. domain-1`. */
  domain: number;
  /** Initial value (already encoded). */
  initial: number;
  /** The object the variable belongs to (members, life, generation), or -1. */
  object: number;
  /** The actor the variable belongs to (pc, handles, device state), or -1. */
  actor: number;
  /** For `int`: the value is `stored + offset`. */
  offset?: number;
  /** For `state`: the value names. */
  values?: string[];
  /** For `ptr` and `handle`: the object pointed to. */
  target?: number;
}

export interface ObjectInfo {
  index: number;
  name: string;
  isStatic: boolean;
  recyclable: boolean;
  unborn: boolean;
  /** The `life` variable (static objects have one too, always `LIFE_LIVE`). */
  lifeVar: number;
  /** The `generation` variable, or -1 when the object is not recyclable. */
  generationVar: number;
  /** Member variables by member name, reset to their initial values by `alloc`. */
  members: { name: string; variable: number }[];
}

export type BinaryOperator = '+' | '-' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

/** Pure integer expressions over the state vector; comparisons and logic yield 0 or 1. */
export type Expr =
  | { k: 'const'; value: number }
  | { k: 'var'; v: number }
  | { k: 'not'; e: Expr }
  | { k: 'bin'; op: BinaryOperator; l: Expr; r: Expr };

export type Op =
  /** `state[v] = value`. The value is within the domain (guarded by a preceding `check`). */
  | { k: 'assign'; v: number; value: Expr }
  /** A violation of `kind` when `cond` is false. */
  | { k: 'check'; cond: Expr; kind: ViolationKind; message: string }
  /** Disables the transition when `cond` is false (see the file comment). */
  | { k: 'require'; cond: Expr }
  | { k: 'if'; cond: Expr; then: Op[]; else: Op[] }
  /** Sets the actor's next program point. */
  | { k: 'goto'; pc: number };

export interface Transition {
  /** Index in `Actor.transitions` (the actor's transitions numbered across all its points). */
  id: number;
  /** The program point the transition leaves. */
  from: number;
  /** Enabled when this holds; absent means always enabled. */
  guard?: Expr;
  ops: Op[];
  /** The default successor point. */
  next: number;
  /** Source range of the statement this step executes (offsets into the checked file). */
  start: number;
  end: number;
  /** What the step does, in words: `put mm.users`, `if group.devices == 0`, `dma issue mm`. */
  event: string;
  /**
   * The step waits for something the kernel hands over in the end however often the other side
   * comes back, as `del_timer_sync` retries until the handler is not running: the progress check
   * treats it as strongly fair, as it treats taking a lock.
   */
  handedOver?: boolean;
  /** On the steps of an on-zero release action: the counter whose drop to zero runs it (`mm.users`). */
  onZero?: string;
  /** Variables this transition may read (guard included) and write; the pc is not listed. */
  reads: number[];
  writes: number[];
}

export interface ProgramPoint {
  index: number;
  /** Transitions leaving this point (indices into `Actor.transitions`). */
  transitions: number[];
}

export interface DmaTargetInfo {
  /** The place as written, `entry.pgd`. */
  text: string;
  /** The object the place designates. */
  object: number;
  /** `inflight` values `base + 1 .. base + generations` mean a DMA to `object` at generation `value - base - 1`. */
  base: number;
  generations: number;
}

export interface DeviceInfo {
  runningVar: number;
  inflightVar: number;
  targets: DmaTargetInfo[];
}

export interface Actor {
  index: number;
  /** `cpu0`, `worker[1]`, `smmu_dev`. */
  name: string;
  kind: 'thread' | 'device';
  /** The `pc` variable; devices have one too (always 0, a single point). */
  pcVar: number;
  points: ProgramPoint[];
  transitions: Transition[];
  /** The finished point of a thread (a point without transitions); -1 for devices. */
  endPc: number;
  /** Checked when the thread reaches `endPc` (a lock still held). */
  finishChecks: Op[];
  /** Thread-local handle variables. */
  locals: number[];
  /**
   * Instances of one `thread NAME[N]` share a group (its index in `TransitionSystem.symmetryGroups`)
   * and have identical code up to their own variables and their own actor number in lock owners.
   */
  symmetryGroup: number;
  instance: number;
  device?: DeviceInfo;
  /** Source range of the declaring item. */
  start: number;
  end: number;
}

export interface SymmetryGroup {
  name: string;
  /** Actor indices of the instances, in instance order. */
  actors: number[];
}

export interface OrderInfo {
  index: number;
  variable: number;
  text: string;
  start: number;
  end: number;
}

export interface TransitionSystem {
  /** `baseline` or the proposal's name. */
  proposal: string;
  variables: Variable[];
  objects: ObjectInfo[];
  actors: Actor[];
  symmetryGroups: SymmetryGroup[];
  orders: OrderInfo[];
  /** Evaluated in every state where all threads have finished: a failing one is a leak. */
  leakChecks: { cond: Expr; kind: ViolationKind; message: string; object: number }[];
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the lowering, the interpreter and the exporter.

export function constant(value: number): Expr {
  return { k: 'const', value };
}

export function read(v: number): Expr {
  return { k: 'var', v };
}

export function bin(op: BinaryOperator, l: Expr, r: Expr): Expr {
  return { k: 'bin', op, l, r };
}

export function not(e: Expr): Expr {
  return { k: 'not', e };
}

/** The initial state vector. */
export function initialState(system: TransitionSystem): number[] {
  return system.variables.map((variable) => variable.initial);
}

/** A variable's value in words: `live`, `true`, `closing`, `-1`, `null`, `mm@1`, `cpu0`, ... */
export function formatValue(system: TransitionSystem, v: number, value: number): string {
  const variable = system.variables[v];
  switch (variable.kind) {
    case 'life':
      return value === LIFE_LIVE ? 'live' : value === LIFE_FREED ? 'freed' : 'unallocated';
    case 'flag':
    case 'running':
    case 'order':
      return value !== 0 ? 'true' : 'false';
    case 'state':
      return variable.values?.[value] ?? String(value);
    case 'int':
      return String(value + (variable.offset ?? 0));
    case 'ptr':
    case 'handle': {
      if (value === 0) return 'null';
      const target = system.objects[variable.target ?? 0];
      return target.recyclable ? `${target.name}@${value - 1}` : target.name;
    }
    case 'lockOwner':
      return value === 0 ? 'free' : `held by ${system.actors[value - 1]?.name ?? value - 1}`;
    case 'inflight': {
      if (value === 0) return 'none';
      const device = system.actors[variable.actor]?.device;
      const target = device?.targets.find((t) => value > t.base && value <= t.base + t.generations);
      if (!target) return String(value);
      const object = system.objects[target.object];
      return object.recyclable ? `${object.name}@${value - target.base - 1}` : object.name;
    }
    default:
      return String(value);
  }
}

// The lowering lives in its own modules; it is re-exported here so that consumers of the IR need one import.
export { lowerModel, proposalNames } from './lower/index';
export type { LowerResult, LowerOptions, CBodyTranslator } from './lower/index';
