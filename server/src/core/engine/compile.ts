// Compiles a transition system into specialised JavaScript functions over an Int32Array state
// vector: one guard and one step function per transition, plus packing into Uint32 words.
//
// The generated code only ever contains numbers and fixed operators taken from the IR, never text
// from the model, so generating it with `new Function` is safe.

import type { ViolationKind } from '../syntax/ast';
import type { Expr, Op, Transition, TransitionSystem } from './ir';

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
  /** Whether every transition at the point touches only this actor's own variables. */
  localPoint: Uint8Array;
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
  actors: CompiledActor[];
  /** Violation number `n` is `violations[n - 1]`. */
  violations: ViolationInfo[];
  pack: (s: Int32Array, arena: Uint32Array, offset: number) => void;
  unpack: (arena: Uint32Array, offset: number, s: Int32Array) => void;
  hash: (arena: Uint32Array, offset: number) => number;
  /** Returns a violation number when every thread has finished and an object leaked, else 0. */
  leak: (s: Int32Array) => number;
  threadCount: number;
}

function bitsFor(domain: number): number {
  let bits = 0;
  while (1 << bits < domain) bits++;
  return bits;
}

/** Packs variables into 32-bit words; a field never straddles two words. */
export function layout(system: TransitionSystem): { words: number; fields: BitField[] } {
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
  return { words: fields.length === 0 ? 1 : word + 1, fields };
}

class CodeGenerator {
  readonly violations: ViolationInfo[] = [];
  private readonly violationIds = new Map<string, number>();

  violation(kind: ViolationKind, message: string): number {
    const key = `${kind}\u0000${message}`;
    let id = this.violationIds.get(key);
    if (id === undefined) {
      this.violations.push({ kind, message });
      id = this.violations.length;
      this.violationIds.set(key, id);
    }
    return id;
  }

  num(e: Expr): string {
    switch (e.k) {
      case 'const':
        return String(e.value | 0);
      case 'var':
        return `s[${e.v}]`;
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
        return `(s[${e.v}] !== 0)`;
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
          code += `${indent}s[${op.v}] = ${this.num(op.value)};\n`;
          break;
        case 'check':
          code += `${indent}if (!${this.bool(op.cond)}) return ${this.violation(op.kind, op.message)};\n`;
          break;
        case 'require':
          code += `${indent}if (!${this.bool(op.cond)}) return -1;\n`;
          break;
        case 'goto':
          code += `${indent}s[${pcVar}] = ${op.pc};\n`;
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

function isLocal(system: TransitionSystem, owners: Int32Array[], actor: number, t: Transition): boolean {
  // owners[v] lists, per variable, bit 0 = read by another actor, bit 1 = written by another actor.
  for (const v of t.writes) if (owners[actor][v] !== 0) return false;
  for (const v of t.reads) if ((owners[actor][v] & 2) !== 0) return false;
  void system;
  return true;
}

/** For every actor, which variables other actors read (bit 0) or write (bit 1). */
function otherAccess(system: TransitionSystem): Int32Array[] {
  const n = system.variables.length;
  const reads = system.actors.map(() => new Uint8Array(n));
  const writes = system.actors.map(() => new Uint8Array(n));
  for (const actor of system.actors) {
    for (const t of actor.transitions) {
      for (const v of t.reads) reads[actor.index][v] = 1;
      for (const v of t.writes) writes[actor.index][v] = 1;
    }
    for (const op of actor.finishChecks) if (op.k === 'check') collectVars(op.cond, reads[actor.index]);
  }
  // Leak checks read object lifecycles in final states; they do not make a step dependent.
  return system.actors.map((actor) => {
    const access = new Int32Array(n);
    for (const other of system.actors) {
      if (other.index === actor.index) continue;
      for (let v = 0; v < n; v++) access[v] |= reads[other.index][v] | (writes[other.index][v] << 1);
    }
    return access;
  });
}

function collectVars(e: Expr, into: Uint8Array): void {
  if (e.k === 'var') into[e.v] = 1;
  else if (e.k === 'not') collectVars(e.e, into);
  else if (e.k === 'bin') {
    collectVars(e.l, into);
    collectVars(e.r, into);
  }
}

export function compileSystem(system: TransitionSystem): CompiledSystem {
  const generator = new CodeGenerator();
  const { words, fields } = layout(system);
  const owners = otherAccess(system);
  const actors: CompiledActor[] = system.actors.map((actor) => {
    const guards: (GuardFunction | null)[] = [];
    const steps: StepFunction[] = [];
    let finish = '';
    if (actor.kind === 'thread' && actor.finishChecks.length > 0) {
      finish = `  if (s[${actor.pcVar}] === ${actor.endPc}) {\n${generator.ops(actor.finishChecks, actor.pcVar, '    ')}  }\n`;
    }
    for (const t of actor.transitions) {
      guards.push(t.guard ? (new Function('s', `return ${generator.bool(t.guard)};`) as GuardFunction) : null);
      const body = `  s[${actor.pcVar}] = ${t.next};\n${generator.ops(t.ops, actor.pcVar, '  ')}${finish}  return 0;\n`;
      steps.push(new Function('s', body) as StepFunction);
    }
    const byPoint = actor.points.map((point) => Int32Array.from(point.transitions));
    const localPoint = new Uint8Array(actor.points.length);
    actor.points.forEach((point, i) => {
      localPoint[i] =
        actor.kind === 'thread' &&
        point.transitions.length > 0 &&
        point.transitions.every((id) => isLocal(system, owners, actor.index, actor.transitions[id]))
          ? 1
          : 0;
    });
    return { guards, steps, byPoint, localPoint };
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
    actors,
    violations: generator.violations,
    pack: new Function('s', 'a', 'o', packCode) as CompiledSystem['pack'],
    unpack: new Function('a', 'o', 's', unpackCode) as CompiledSystem['unpack'],
    hash: new Function('a', 'o', hashCode) as CompiledSystem['hash'],
    leak: new Function('s', leakCode) as CompiledSystem['leak'],
    threadCount: threads.length,
  };
}
