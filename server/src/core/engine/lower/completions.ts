// Completions, with the kernel's semantics: `complete c` adds one to the count of completions,
// `complete_all c` makes it unlimited, `wait_for_completion c` blocks until the count is positive
// and takes one (none after complete_all), `wait_for_completion_timeout c` may also return before
// any complete (a condition, false on timeout), and `reinit_completion c` starts again. A second
// complete_all without a reinit in between is a misuse.
//
// The count is a state whose values are `0` .. `K` and `all`, K being the number of complete sites.

import type { MechanismStatement, Place } from '../../syntax/ast';
import { bin, constant, read, type Expr, type Op } from '../ir';
import { orFailing, type Alternative, type MemberSlot, type ObjectSlot, type Step } from './context';
import type { Lowering } from './parts';

export class Completions {
  /** Per completion variable: the constant of `all` and the number of complete sites. */
  private readonly alls = new Map<number, { all: Expr & { k: 'const' }; sites: number }>();

  constructor(private readonly lw: Lowering) {}

  declareMember(slot: ObjectSlot, name: string): MemberSlot {
    const variable = this.lw.ctx.addVariable(`${slot.info.name}.${name}`, 'state', 2, 0, slot.info.index, -1, { values: ['0', 'all'] });
    this.alls.set(variable, { all: { k: 'const', value: 1 }, sites: 0 });
    return { name, kind: 'completion', variable };
  }

  private completion(target: Place, what: string): { v: number; all: Expr & { k: 'const' }; checks: Op[] } {
    const places = this.lw.places;
    const resolved = places.resolve(target);
    const slot = places.asMember(resolved, target, ['completion']);
    const entry = this.alls.get(slot.variable)!;
    return { v: slot.variable, all: entry.all, checks: places.hopChecks(resolved.hops, resolved.hops.length, what) };
  }

  step(s: MechanismStatement, what: string): Step | undefined {
    switch (s.op) {
      case 'complete': {
        const { v, all, checks } = this.completion(s.target!, what);
        this.alls.get(v)!.sites++;
        return {
          ops: [
            ...checks,
            {
              k: 'if',
              cond: bin('!=', read(v), all),
              then: [
                { k: 'check', cond: bin('<', bin('+', read(v), constant(1)), all), kind: 'assertion', message: `${what}: count exceeds model bound` },
                { k: 'assign', v, value: bin('+', read(v), constant(1)) },
              ],
              else: [],
            },
          ],
        };
      }
      case 'complete_all': {
        const { v, all, checks } = this.completion(s.target!, what);
        return {
          ops: [
            ...checks,
            { k: 'check', cond: bin('!=', read(v), all), kind: 'api-misuse', message: `${what}: complete_all twice without reinit_completion` },
            { k: 'assign', v, value: all },
          ],
        };
      }
      case 'wait_for_completion': {
        const { v, all, checks } = this.completion(s.target!, what);
        return { guard: orFailing(bin('>', read(v), constant(0)), checks), ops: [...checks, ...this.consume(v, all)] };
      }
      case 'reinit_completion':
      case 'init_completion': {
        const { v, checks } = this.completion(s.target!, what);
        return { ops: [...checks, { k: 'assign', v, value: constant(0) }] };
      }
      default:
        return undefined;
    }
  }

  private consume(v: number, all: Expr): Op[] {
    return [{ k: 'if', cond: bin('!=', read(v), all), then: [{ k: 'assign', v, value: bin('-', read(v), constant(1)) }], else: [] }];
  }

  /**
   * `wait_for_completion_timeout c` as a condition: two alternatives, a completion taken (only when
   * one is there) and a timeout (always possible).
   */
  timeoutAlternatives(target: Place, what: string): Alternative[] {
    const { v, all, checks } = this.completion(target, what);
    return [
      { guard: bin('>', read(v), constant(0)), ops: (whenTrue) => [...checks, ...this.consume(v, all), ...whenTrue] },
      { ops: (_, whenFalse) => [...checks, ...whenFalse] },
    ];
  }

  /** `completion_done c`. */
  doneExpr(target: Place, checks: Op[]): Expr {
    const { v, checks: own } = this.completion(target, 'completion_done');
    checks.push(...own);
    return bin('>', read(v), constant(0));
  }

  /** Each count's values `0` .. `K`, `all`, now that every complete site is known. */
  patch(): void {
    for (const [v, entry] of this.alls) {
      const k = entry.sites;
      entry.all.value = k + 1;
      const variable = this.lw.ctx.variables[v];
      variable.domain = k + 2;
      variable.values = [...Array.from({ length: k + 1 }, (_, i) => String(i)), 'all'];
    }
  }
}
