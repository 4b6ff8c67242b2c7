// Model bounds that are known only once every actor is lowered: how far a reference count can
// rise (its initial value plus one per get site) and how many generations a recyclable object can
// have (one per alloc site). Checks are written with shared constant nodes, patched at the end.

import { bin, read, type Expr, type Op } from '../ir';
import type { LoweringContext } from './context';
import type { Lowering } from './parts';

export class Bounds {
  private readonly getSites = new Map<number, number>();
  private readonly allocSites = new Map<number, number>();
  private readonly capConsts = new Map<number, Expr & { k: 'const' }>();
  private readonly generationConsts = new Map<number, Expr & { k: 'const' }>();

  private readonly ctx: LoweringContext;

  constructor(lw: Lowering) {
    this.ctx = lw.ctx;
  }

  /** A get site of count `v`: one more unit the count may rise by. */
  noteGet(v: number): void {
    this.getSites.set(v, (this.getSites.get(v) ?? 0) + 1);
  }

  /** An alloc site of object `object`: one more generation it may have. */
  noteAlloc(object: number): void {
    this.allocSites.set(object, (this.allocSites.get(object) ?? 0) + 1);
  }

  private capNode(v: number): Expr & { k: 'const' } {
    let cap = this.capConsts.get(v);
    if (!cap) {
      cap = { k: 'const', value: 0 };
      this.capConsts.set(v, cap);
    }
    return cap;
  }

  /** Fails when count `v` is at its model bound, before an increment. */
  capCheck(v: number, what: string): Op {
    return { k: 'check', cond: bin('<', read(v), this.capNode(v)), kind: 'assertion', message: `${what}: count exceeds model bound` };
  }

  /**
   * The assignable range of a count is 0..cap inclusive; the check is `< cap + 1`, expressed with
   * the shared constant so that patching it later also updates this check.
   */
  capLimit(v: number): Expr {
    return bin('+', this.capNode(v), { k: 'const', value: 1 });
  }

  /** The number of generations of object `object`, as a constant patched at the end. */
  generationBound(object: number): Expr & { k: 'const' } {
    let bound = this.generationConsts.get(object);
    if (!bound) {
      bound = { k: 'const', value: 0 };
      this.generationConsts.set(object, bound);
    }
    return bound;
  }

  generations(object: number): number {
    const info = this.ctx.objects[object].info;
    return info.recyclable ? 1 + (this.allocSites.get(object) ?? 0) : 1;
  }

  /** The largest value count `v` can take, once every get site is known. */
  cap(v: number): number {
    return Math.max(1, this.ctx.variables[v].initial) + (this.getSites.get(v) ?? 0);
  }

  /** Writes the final bounds into the shared constants. */
  patch(): void {
    for (const [object, bound] of this.generationConsts) bound.value = this.generations(object);
    for (const [v, cap] of this.capConsts) cap.value = this.cap(v);
  }
}
