// Every reachable violation: the search reports each violating step and state to a collector, which
// keeps, per violation kind, the first one at the smallest depth, and tells the search when nothing
// new can be found.
//
// A step can commit several violations at once: every check that fails on the state the step starts
// from, before the step writes anything (for example the use of a freed object that also breaks an
// `order`, whose check comes first). `stepViolations` finds them by evaluating those leading checks.

import type { ViolationKind } from '../syntax/ast';
import type { CompiledSystem } from './compile';
import type { BinaryOperator, Expr, Op } from './ir';

export interface FoundViolation {
  /** 1-based violation number in `CompiledSystem.violations`; 0 for a deadlock. */
  violation: number;
  /** The state in which the violation shows (a state violation) or from which the failing step starts. */
  state: number;
  /** The failing step (`actor * 65536 + transition`), or -1 for deadlock and leak (state violations). */
  move: number;
  deadlock: boolean;
}

interface Collected {
  found: FoundViolation;
  /** Steps in the trace: the depth of the state, plus one for a failing step. */
  length: number;
}

export class ViolationCollector {
  private readonly byKind = new Map<ViolationKind, Collected>();
  /** The kinds the compiled system can report at all: once each is found, nothing new can be. */
  private readonly possible: Set<ViolationKind>;

  constructor(private readonly compiled: CompiledSystem) {
    this.possible = new Set(compiled.violations.map((info) => info.kind));
    if (compiled.threadCount > 0) this.possible.add('deadlock');
  }

  kindOf(found: FoundViolation): ViolationKind {
    return found.deadlock ? 'deadlock' : this.compiled.violations[found.violation - 1].kind;
  }

  /** Records a violation whose trace has `length` steps; keeps the first of the shortest per kind. */
  record(found: FoundViolation, length: number): void {
    const kind = this.kindOf(found);
    const known = this.byKind.get(kind);
    if (known === undefined || length < known.length) this.byKind.set(kind, { found, length });
  }

  get any(): boolean {
    return this.byKind.size > 0;
  }

  /** Whether every kind the system can report has been found. */
  get complete(): boolean {
    return this.byKind.size >= this.possible.size;
  }

  /** Whether a kind found so far has a trace of `length` steps or more (a shorter one may still come). */
  hasLengthAtLeast(length: number): boolean {
    for (const collected of this.byKind.values()) if (collected.length >= length) return true;
    return false;
  }

  /** The shortest violation (the first found among equals), then the other kinds by length. */
  results(): FoundViolation[] {
    return [...this.byKind.values()].map((collected, order) => ({ collected, order })).sort((a, b) => a.collected.length - b.collected.length || a.order - b.order).map((entry) => entry.collected.found);
  }
}

/**
 * The violations transition `id` of `actor` commits from `state` (which must enable it), in the
 * order of its checks: every failing check before its first write, or, when the failing check
 * comes later, `first` (the step's result) alone.
 */
export function stepViolations(compiled: CompiledSystem, actor: number, id: number, state: Int32Array, first: number): number[] {
  const ops = compiled.system.actors[actor].transitions[id].ops;
  const found: number[] = [];
  for (const op of leadingChecks(ops)) {
    if (evaluate(op.cond, state) !== 0) continue;
    const number = violationNumber(compiled, op.kind, op.message);
    if (number > 0 && !found.includes(number)) found.push(number);
  }
  return found.length > 0 && found[0] === first ? found : [first];
}

function leadingChecks(ops: Op[]): Extract<Op, { k: 'check' }>[] {
  const checks: Extract<Op, { k: 'check' }>[] = [];
  for (const op of ops) {
    if (op.k !== 'check') break;
    checks.push(op);
  }
  return checks;
}

function violationNumber(compiled: CompiledSystem, kind: ViolationKind, message: string): number {
  return compiled.violations.findIndex((info) => info.kind === kind && info.message === message) + 1;
}

/** `l op r` for the IR's operators; comparisons and logic give 0 or 1. */
export function binaryValue(op: BinaryOperator, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '&&':
      return l !== 0 && r !== 0 ? 1 : 0;
    case '||':
      return l !== 0 || r !== 0 ? 1 : 0;
  }
}

/** The value of an IR expression in a state (comparisons and logic give 0 or 1). */
export function evaluate(e: Expr, s: Int32Array): number {
  switch (e.k) {
    case 'const':
      return e.value | 0;
    case 'var':
      return s[e.v];
    case 'not':
      return evaluate(e.e, s) === 0 ? 1 : 0;
    case 'bin': {
      const l = evaluate(e.l, s);
      if (e.op === '&&') return l !== 0 && evaluate(e.r, s) !== 0 ? 1 : 0;
      if (e.op === '||') return l !== 0 || evaluate(e.r, s) !== 0 ? 1 : 0;
      const r = evaluate(e.r, s);
      return binaryValue(e.op, l, r);
    }
  }
}
