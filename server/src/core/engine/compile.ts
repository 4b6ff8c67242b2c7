// Compiles a transition system into specialised JavaScript functions over an Int32Array state
// vector: one guard and one step function per transition, plus packing into Uint32 words.
//
// The generated code only ever contains numbers and fixed operators taken from the IR, never text
// from the model, so generating it with `new Function` is safe.

import { generated, generatedFunction } from './generatedCode';
import type { ViolationKind } from '../syntax/ast';
import type { Actor, Expr, Op, Transition, TransitionSystem } from './ir';
import { asksOwnLock, qualifyingLocks } from './lockOwners';

export interface ViolationInfo {
  kind: ViolationKind;
  message: string;
}

/** Returns 0 when the step ran, -1 when a `require` disabled it, or a violation number (1-based). */
export type StepFunction = (s: Int32Array) => number;
export type GuardFunction = (s: Int32Array) => boolean;

export interface CompiledActor {
  /** Per transition id. */
  guards: (GuardFunction | null)[];
  steps: StepFunction[];
  /** Per program point: the transition ids leaving it. */
  byPoint: Int32Array[];
  /** Per program point: runs every enabled transition there (generated, see `ExpandFunction`); null where none leave. */
  expand: (ExpandFunction | null)[];
  access: ActorAccess;
}

export interface BitField {
  variable: number;
  word: number;
  shift: number;
  mask: number;
}

export interface CompiledSystem {
  system: TransitionSystem;
  variableCount: number;
  words: number;
  fields: BitField[];
  /** Int32 words per variable bitset in `ActorAccess`. */
  wordsPerSet: number;
  actors: CompiledActor[];
  /** Violation number `n` is `violations[n - 1]`. */
  violations: ViolationInfo[];
  pack: (s: Int32Array, arena: Uint32Array, offset: number) => void;
  unpack: (arena: Uint32Array, offset: number, s: Int32Array) => void;
  hash: (arena: Uint32Array, offset: number) => number;
  /** Runs every enabled transition of a state into a batch of packed successors (see `StateExpandFunction`). */
  expandState: StateExpandFunction;
  /** The most successors a state can have (the batch `expandState` writes must hold this many). */
  maxSuccessors: number;
  /** No field uses the top bit of the last word (the inline store marks occupied slots with it). */
  lastWordTopBitFree: boolean;
  /**
   * Returns a violation number when every thread has finished and an object leaked, else 0; callers
   * ask only in states where no thread can move (a handler at its end point may still have work).
   */
  leak: (s: Int32Array) => number;
  threadCount: number;
}

function bitsFor(domain: number): number {
  let bits = 0;
  while (1 << bits < domain) bits++;
  return bits;
}

/** Packs variables into 32-bit words; a field never straddles two words. */
export function layout(system: TransitionSystem): { words: number; fields: BitField[]; lastWordTopBitFree: boolean } {
  const fields: BitField[] = [];
  let word = 0;
  let used = 0;
  for (const variable of system.variables) {
    const bits = bitsFor(variable.domain);
    if (bits === 0) continue;
    if (bits > 31) throw new Error(`variable ${variable.name} has too large a domain`);
    if (used + bits > 32) {
      word++;
      used = 0;
    }
    fields.push({ variable: variable.index, word, shift: used, mask: (2 ** bits - 1) | 0 });
    used += bits;
  }
  return { words: fields.length === 0 ? 1 : word + 1, fields, lastWordTopBitFree: used < 32 };
}

function returnViolation(id: number): string {
  return `return ${id};`;
}

class CodeGenerator {
  readonly violations: ViolationInfo[] = [];
  /** Violation numbers by kind, then by message (the IR's own strings, whose hashes V8 keeps). */
  private readonly violationIds = new Map<ViolationKind, Map<string, number>>();
  /** The code a failing `require` runs. */
  requireFail = 'return -1;';
  /** The code a failing `check` of violation number `id` runs. */
  checkFail: (id: number) => string = returnViolation;
  /** The name of the state array the generated expressions read and write. */
  arr = 's';
  /** Variables held in locals named `w<variable>` instead of in `arr`, or null for none. */
  locals: ReadonlySet<number> | null = null;

  /** The place of variable `v` in the generated code. */
  ref(v: number): string {
    return this.locals !== null && this.locals.has(v) ? `w${v}` : `${this.arr}[${v}]`;
  }

  violation(kind: ViolationKind, message: string): number {
    let byMessage = this.violationIds.get(kind);
    if (byMessage === undefined) {
      byMessage = new Map();
      this.violationIds.set(kind, byMessage);
    }
    let id = byMessage.get(message);
    if (id === undefined) {
      this.violations.push({ kind, message });
      id = this.violations.length;
      byMessage.set(message, id);
    }
    return id;
  }

  num(e: Expr): string {
    switch (e.k) {
      case 'const':
        return String(e.value | 0);
      case 'var':
        return this.ref(e.v);
      case 'not':
        return `(${this.bool(e)} ? 1 : 0)`;
      case 'bin':
        if (e.op === '+' || e.op === '-') return `(${this.num(e.l)} ${e.op} ${this.num(e.r)})`;
        return `(${this.bool(e)} ? 1 : 0)`;
    }
  }

  bool(e: Expr): string {
    switch (e.k) {
      case 'const':
        return e.value !== 0 ? 'true' : 'false';
      case 'var':
        return `(${this.ref(e.v)} !== 0)`;
      case 'not':
        return `!${this.bool(e.e)}`;
      case 'bin':
        switch (e.op) {
          case '&&':
          case '||':
            return `(${this.bool(e.l)} ${e.op} ${this.bool(e.r)})`;
          case '==':
            return `(${this.num(e.l)} === ${this.num(e.r)})`;
          case '!=':
            return `(${this.num(e.l)} !== ${this.num(e.r)})`;
          case '<':
          case '<=':
          case '>':
          case '>=':
            return `(${this.num(e.l)} ${e.op} ${this.num(e.r)})`;
          default:
            return `(${this.num(e)} !== 0)`;
        }
    }
  }

  ops(ops: Op[], pcVar: number, indent: string): string {
    let code = '';
    for (const op of ops) {
      switch (op.k) {
        case 'assign':
          code += `${indent}${this.ref(op.v)} = ${this.num(op.value)};\n`;
          break;
        case 'check':
          code += `${indent}if (!${this.bool(op.cond)}) ${this.checkFail(this.violation(op.kind, op.message))}\n`;
          break;
        case 'require':
          code += `${indent}if (!${this.bool(op.cond)}) ${this.requireFail}\n`;
          break;
        case 'goto':
          code += `${indent}${this.ref(pcVar)} = ${op.pc};\n`;
          break;
        case 'if':
          code += `${indent}if (${this.bool(op.cond)}) {\n${this.ops(op.then, pcVar, indent + '  ')}${indent}}`;
          code += op.else.length > 0 ? ` else {\n${this.ops(op.else, pcVar, indent + '  ')}${indent}}\n` : '\n';
          break;
      }
    }
    return code;
  }
}

function collectVars(e: Expr | undefined, into: Set<number>): void {
  if (!e) return;
  if (e.k === 'var') into.add(e.v);
  else if (e.k === 'not') collectVars(e.e, into);
  else if (e.k === 'bin') {
    collectVars(e.l, into);
    collectVars(e.r, into);
  }
}

/** The variables a list of operations reads and writes, and the points its `goto`s lead to. */
function collectOps(ops: Op[], reads: Set<number>, writes: Set<number>, gotos: Set<number>): void {
  for (const op of ops) {
    switch (op.k) {
      case 'assign':
        collectVars(op.value, reads);
        writes.add(op.v);
        break;
      case 'check':
      case 'require':
        collectVars(op.cond, reads);
        break;
      case 'if':
        collectVars(op.cond, reads);
        collectOps(op.then, reads, writes, gotos);
        collectOps(op.else, reads, writes, gotos);
        break;
      case 'goto':
        gotos.add(op.pc);
        break;
    }
  }
}

export interface TransitionAccess {
  reads: Set<number>;
  /** Includes the actor's own program counter. */
  writes: Set<number>;
  successors: Set<number>;
}

/**
 * What a transition reads and writes, computed from its guard and operations (not from its lists).
 * With `quietLocks` (the qualifying locks of lockOwners.ts), a finish check that only asks whether
 * the actor still holds one of them reads nothing: no other actor's step changes its truth, so for
 * the partial-order reduction it depends on nobody.
 */
export function transitionAccess(actor: Actor, t: Transition, quietLocks?: ReadonlySet<number>): TransitionAccess {
  const reads = new Set<number>();
  const writes = new Set<number>([actor.pcVar]);
  const successors = new Set<number>([t.next]);
  collectVars(t.guard, reads);
  collectOps(t.ops, reads, writes, successors);
  if (actor.kind === 'thread' && successors.has(actor.endPc)) {
    const ignored = new Set<number>();
    const checks = quietLocks === undefined ? actor.finishChecks : actor.finishChecks.filter((op) => op.k !== 'check' || !asksOwnLock(op.cond, actor.index, quietLocks));
    collectOps(checks, reads, ignored, ignored);
  }
  return { reads, writes, successors };
}

/**
 * Access sets for the partial-order reduction, as bitsets of `wordsPerSet` Int32 words per program
 * point: what the transitions at a point read and write (`pointReads`, `pointWrites`), and what the
 * transitions at every point reachable from it read and write (`futureReads`, `futureWrites`).
 */
export interface ActorAccess {
  pointReads: Int32Array;
  pointWrites: Int32Array;
  /** `pointReads | pointWrites`. */
  pointAccess: Int32Array;
  futureReads: Int32Array;
  futureWrites: Int32Array;
}

/** The variables an actor's future reads and writes, from each point. */
export interface FutureAccess {
  reads: Int32Array;
  writes: Int32Array;
}

/**
 * The accesses of `actor`'s future from each point: the union over every transition reachable from
 * it, leaving out the transitions marked in `cut` (and what only they lead to).
 */
export function futureAccess(actor: Actor, wordsPerSet: number, cut?: Uint8Array, quietLocks?: ReadonlySet<number>): FutureAccess {
  const points = actor.points.length;
  const access = actor.transitions.map((t) => transitionAccess(actor, t, quietLocks));
  const reads = new Int32Array(points * wordsPerSet);
  const writes = new Int32Array(points * wordsPerSet);
  for (let p = 0; p < points; p++) {
    const seen = new Uint8Array(points);
    const work = [p];
    seen[p] = 1;
    while (work.length > 0) {
      const q = work.pop()!;
      for (const id of actor.points[q].transitions) {
        if (cut !== undefined && cut[id] === 1) continue;
        for (const v of access[id].reads) reads[p * wordsPerSet + (v >>> 5)] |= 1 << (v & 31);
        for (const v of access[id].writes) writes[p * wordsPerSet + (v >>> 5)] |= 1 << (v & 31);
        for (const next of access[id].successors) {
          if (next >= 0 && next < points && !seen[next]) {
            seen[next] = 1;
            work.push(next);
          }
        }
      }
    }
  }
  return { reads, writes };
}

function actorAccess(actor: Actor, wordsPerSet: number, quietLocks: ReadonlySet<number>): ActorAccess {
  const points = actor.points.length;
  const pointReads = new Int32Array(points * wordsPerSet);
  const pointWrites = new Int32Array(points * wordsPerSet);
  for (const t of actor.transitions) {
    const access = transitionAccess(actor, t, quietLocks);
    const base = t.from * wordsPerSet;
    for (const v of access.reads) pointReads[base + (v >>> 5)] |= 1 << (v & 31);
    for (const v of access.writes) pointWrites[base + (v >>> 5)] |= 1 << (v & 31);
  }
  const { reads: futureReads, writes: futureWrites } = futureAccess(actor, wordsPerSet, undefined, quietLocks);
  const pointAccess = pointReads.map((r, k) => r | pointWrites[k]);
  return { pointReads, pointWrites, pointAccess, futureReads, futureWrites };
}

/**
 * Runs every enabled transition of one actor at one program point from a state. `s` and `t` both hold the unpacked state
 * and `current` its packed words. For each successor the packed form is written into `candidate`
 * (and the full successor is in `t`), then `emit(actor, transition)` is called; `t` is restored
 * afterwards. Returns the number of successors, -1 when a step failed a check (`out[0]` = violation
 * number, `out[1]` = transition id, `out[2]` = steps run including the failing one), or -2 when
 * `emit` returned false (`t` is restored).
 */
export type ExpandFunction = (
  s: Int32Array,
  t: Int32Array,
  current: Uint32Array,
  candidate: Uint32Array,
  emit: (actor: number, transition: number) => boolean,
  out: Int32Array,
) => number;

/**
 * Expands a whole state: runs every enabled transition of every actor, in actor order, and writes
 * each successor's packed words one after another into `batch` from word `start` (room for
 * `maxSuccessors` states is needed). `s` holds the unpacked state and `current` its packed words.
 * Returns the number of successors and sets `out[4]` to 1 when some thread had an enabled
 * transition, else 0. When a step fails a check it returns -1 with `out[0]` = violation number,
 * `out[1]` = transition id, `out[2]` = the word of `batch` after the complete successors and
 * `out[3]` = the failing actor.
 */
export type StateExpandFunction = (s: Int32Array, current: Uint32Array, batch: Uint32Array, start: number, out: Int32Array) => number;

/** Where the generated code of one transition puts the successor it computes. */
type SuccessorSink = 'emit' | 'batch';

/**
 * The code of one transition of `actor` (see `ExpandFunction` and `StateExpandFunction`). For the
 * batch the variables the step writes are locals (`w<variable>`), which the compiler keeps in
 * registers; for `emit` they are written in `t`, where the callback reads the whole successor, and
 * restored afterwards.
 */
function transitionCode(generator: CodeGenerator, actor: Actor, id: number, fieldOf: (BitField | undefined)[], words: number, sink: SuccessorSink): string {
  const pc = actor.pcVar;
  const t = actor.transitions[id];
  const { writes } = transitionAccess(actor, t);
  const inLocals = sink === 'batch';
  const restore = inLocals ? '' : [...writes].map((v) => `t[${v}] = s[${v}];`).join(' ');
  const label = `T${id}`;
  const fail = sink === 'emit' ? (v: number): string => `{ out[0] = ${v}; out[1] = ${id}; out[2] = n + 1; return -1; }` : (v: number): string => `{ out[0] = ${v}; out[1] = ${id}; out[2] = o; out[3] = ${actor.index}; return -1; }`;
  generator.arr = 's';
  generator.locals = null;
  const guard = t.guard ? `  if (!${generator.bool(t.guard)}) break ${label};\n` : '';
  if (inLocals) generator.locals = writes;
  else generator.arr = 't';
  const start = inLocals ? `  let ${[...writes].map((v) => `w${v} = s[${v}]`).join(', ')};\n  w${pc} = ${t.next};\n` : `  t[${pc}] = ${t.next};\n`;
  // Inside the step a failing check reports the violation and a failing require skips the step.
  generator.checkFail = fail;
  generator.requireFail = inLocals ? `break ${label};` : `{ ${restore} break ${label}; }`;
  const ops = generator.ops(t.ops, pc, '  ');
  generator.requireFail = 'return -1;';
  let finish = '';
  if (actor.kind === 'thread' && actor.finishChecks.length > 0) {
    const checks = generator.ops(actor.finishChecks, pc, '    ');
    finish = `  if (${generator.ref(pc)} === ${actor.endPc}) {\n${checks}  }\n`;
  }
  generator.checkFail = returnViolation;
  const touched = new Map<number, BitField[]>();
  for (const v of writes) {
    const field = fieldOf[v];
    if (!field) continue;
    const list = touched.get(field.word) ?? [];
    list.push(field);
    touched.set(field.word, list);
  }
  const target = (w: number): string => (sink === 'emit' ? `candidate[${w}]` : `batch[o + ${w}]`);
  let pack = '';
  for (let w = 0; w < words; w++) {
    const list = touched.get(w);
    if (!list) {
      pack += `  ${target(w)} = current[${w}];\n`;
      continue;
    }
    let clear = 0;
    for (const f of list) clear |= f.mask << f.shift;
    const parts = list.map((f) => (f.shift === 0 ? generator.ref(f.variable) : `(${generator.ref(f.variable)} << ${f.shift})`));
    pack += `  ${target(w)} = (current[${w}] & ${~clear}) | ${parts.join(' | ')};\n`;
  }
  generator.arr = 's';
  generator.locals = null;
  let code = `${label}: {\n${guard}${start}${ops}${finish}`;
  if (sink === 'emit') {
    code += `  n++;\n${pack}  if (!emit(${actor.index}, ${id})) { ${restore} return -2; }\n  ${restore}\n}\n`;
  } else {
    code += `${pack}  o += ${words};\n}\n`;
  }
  return code;
}

/** The body of the expansion function of one program point (see `ExpandFunction`). */
function pointCode(generator: CodeGenerator, actor: Actor, point: number, fieldOf: (BitField | undefined)[], words: number): string {
  let code = 'let n = 0;\n';
  for (const id of actor.points[point].transitions) code += transitionCode(generator, actor, id, fieldOf, words, 'emit');
  return code + 'return n;\n';
}

/**
 * The expansion function of one program point, generated on its first call (which it then replaces
 * in `expand`): only the partial-order reduction runs these, and only at the points where it finds
 * an ample set, so most are never needed. The step functions, generated first, have registered
 * every violation the code can report, so generating it later numbers nothing anew.
 */
function lazyPointExpansion(generator: CodeGenerator, actor: Actor, point: number, fieldOf: (BitField | undefined)[], words: number, expand: (ExpandFunction | null)[]): ExpandFunction {
  return (s, t, current, candidate, emit, out) => {
    const compiled = generatedFunction<ExpandFunction>(['s', 't', 'current', 'candidate', 'emit', 'out'], pointCode(generator, actor, point, fieldOf, words));
    expand[point] = compiled;
    return compiled(s, t, current, candidate, emit, out);
  };
}

/**
 * The code that appends the successors of one actor to `batch` from word offset `o` and advances
 * `o` past them, or returns -1 as `StateExpandFunction` does. It is the body of the actor's own
 * function (followed by `return o;`) or a block of the driver.
 */
function actorBatchCode(generator: CodeGenerator, actor: Actor, fieldOf: (BitField | undefined)[], words: number): string {
  let code = `switch (s[${actor.pcVar}]) {\n`;
  for (const point of actor.points) {
    if (point.transitions.length === 0) continue;
    code += `case ${point.index}: {\n`;
    for (const id of point.transitions) code += transitionCode(generator, actor, id, fieldOf, words, 'batch');
    code += 'break;\n}\n';
  }
  return code + '}\n';
}

type ActorBatchFunction = (s: Int32Array, current: Uint32Array, batch: Uint32Array, o: number, out: Int32Array) => number;

/**
 * A driver that runs every actor in order: small actors are written into it, and each of the others
 * is a function of its own that it calls. Every call site sees a single function, so calls stay direct.
 */
function stateExpansion(generator: CodeGenerator, system: TransitionSystem, fieldOf: (BitField | undefined)[], words: number): StateExpandFunction {
  const functions: ActorBatchFunction[] = [];
  // Small actors are written into the driver, as long as it stays small enough for V8 to optimise.
  let inlined = 0;
  let driver = 'return function expandState(s, current, batch, start, out) {\nlet o = start;\nlet threads = 0;\n';
  for (const actor of system.actors) {
    const transitions = actor.transitions.length;
    if (transitions === 0) continue;
    const code = actorBatchCode(generator, actor, fieldOf, words);
    let run: string;
    if (transitions <= MAX_INLINED_TRANSITIONS && inlined + transitions <= MAX_DRIVER_TRANSITIONS) {
      inlined += transitions;
      run = `{\n${code}}\n`;
    } else {
      run = `o = a${functions.length}(s, current, batch, o, out);\nif (o < 0) return -1;\n`;
      functions.push(generatedFunction<ActorBatchFunction>(['s', 'current', 'batch', 'o', 'out'], `${code}return o;\n`));
    }
    driver += actor.kind === 'thread' ? `{\nconst before = o;\n${run}if (o !== before) threads = 1;\n}\n` : run;
  }
  driver += `out[4] = threads;\nreturn (o - start) / ${words};\n};\n`;
  const names = functions.map((_, k) => `a${k}`);
  // The driver closes over the actor functions: the same driver over the same functions is the same.
  const key = `${names.join(',')}\n${driver}\n${functions.map((f) => f.toString()).join('\n')}`;
  return generated(key, () => new Function(...names, driver)(...functions) as StateExpandFunction);
}

/** Actors with at most this many transitions are written into the expansion driver instead of called from it. */
const MAX_INLINED_TRANSITIONS = 4;
/** The most transitions written into the driver: a much larger function is never optimised by V8. */
const MAX_DRIVER_TRANSITIONS = 64;

/** The most successors one state can have: the largest number of transitions at a point, summed over actors. */
function maxSuccessorsOf(system: TransitionSystem): number {
  let total = 0;
  for (const actor of system.actors) total += actor.points.reduce((most, point) => Math.max(most, point.transitions.length), 0);
  return Math.max(1, total);
}

export function compileSystem(system: TransitionSystem): CompiledSystem {
  const generator = new CodeGenerator();
  const { words, fields, lastWordTopBitFree } = layout(system);
  const fieldOf: (BitField | undefined)[] = new Array(system.variables.length);
  for (const field of fields) fieldOf[field.variable] = field;
  const wordsPerSet = Math.max(1, Math.ceil(system.variables.length / 32));
  let quietLocks: ReadonlySet<number> | undefined;
  const actors: CompiledActor[] = system.actors.map((actor) => {
    const guards: (GuardFunction | null)[] = [];
    const steps: StepFunction[] = [];
    let finish = '';
    if (actor.kind === 'thread' && actor.finishChecks.length > 0) {
      finish = `  if (s[${actor.pcVar}] === ${actor.endPc}) {\n${generator.ops(actor.finishChecks, actor.pcVar, '    ')}  }\n`;
    }
    for (const t of actor.transitions) {
      guards.push(t.guard ? generatedFunction<GuardFunction>(['s'], `return ${generator.bool(t.guard)};`) : null);
      const body = `  s[${actor.pcVar}] = ${t.next};\n${generator.ops(t.ops, actor.pcVar, '  ')}${finish}  return 0;\n`;
      steps.push(generatedFunction<StepFunction>(['s'], body));
    }
    const byPoint = actor.points.map((point) => Int32Array.from(point.transitions));
    const expand: (ExpandFunction | null)[] = [];
    for (const point of actor.points) expand.push(point.transitions.length === 0 ? null : lazyPointExpansion(generator, actor, point.index, fieldOf, words, expand));
    // Only the partial-order reduction reads the access sets: an exact search never computes them.
    let access: ActorAccess | undefined;
    return {
      guards,
      steps,
      byPoint,
      expand,
      get access(): ActorAccess {
        quietLocks ??= qualifyingLocks(system);
        access ??= actorAccess(actor, wordsPerSet, quietLocks);
        return access;
      },
    };
  });

  let packCode = '';
  let unpackCode = '';
  for (let w = 0; w < words; w++) {
    const parts = fields.filter((f) => f.word === w).map((f) => (f.shift === 0 ? `s[${f.variable}]` : `(s[${f.variable}] << ${f.shift})`));
    packCode += `a[o + ${w}] = ${parts.length > 0 ? parts.join(' | ') : '0'};\n`;
  }
  for (const f of fields) {
    unpackCode += `s[${f.variable}] = ${f.shift === 0 ? `a[o + ${f.word}]` : `(a[o + ${f.word}] >>> ${f.shift})`} & ${f.mask};\n`;
  }
  let hashCode = 'let h = 0x811c9dc5 | 0;\n';
  for (let w = 0; w < words; w++) {
    hashCode += `h = Math.imul(h ^ a[o + ${w}], 0x01000193); h ^= h >>> 15;\n`;
  }
  hashCode += 'h = Math.imul(h ^ (h >>> 16), 0x85ebca6b); h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35); return (h ^ (h >>> 16)) | 0;\n';

  const threads = system.actors.filter((a) => a.kind === 'thread');
  let leakCode = '';
  if (threads.length > 0) {
    leakCode += `if (${threads.map((a) => `s[${a.pcVar}] === ${a.endPc}`).join(' && ')}) {\n`;
    for (const check of system.leakChecks) {
      leakCode += `  if (!${generator.bool(check.cond)}) return ${generator.violation(check.kind, check.message)};\n`;
    }
    leakCode += '}\n';
  }
  leakCode += 'return 0;\n';

  return {
    system,
    variableCount: system.variables.length,
    words,
    fields,
    wordsPerSet,
    actors,
    violations: generator.violations,
    pack: generatedFunction<CompiledSystem['pack']>(['s', 'a', 'o'], packCode),
    unpack: generatedFunction<CompiledSystem['unpack']>(['a', 'o', 's'], unpackCode),
    hash: generatedFunction<CompiledSystem['hash']>(['a', 'o'], hashCode),
    expandState: stateExpansion(generator, system, fieldOf, words),
    maxSuccessors: maxSuccessorsOf(system),
    lastWordTopBitFree,
    leak: generatedFunction<CompiledSystem['leak']>(['s'], leakCode),
    threadCount: threads.length,
  };
}
