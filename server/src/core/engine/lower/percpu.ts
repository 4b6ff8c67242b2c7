// percpu_ref, with the kernel's semantics: `percpu_ref NAME` starts initialised, in percpu mode,
// holding its initial reference. `get`/`put`/`tryget` work as on a count; the release (`on zero`)
// runs in the thread whose put drops the last reference. `percpu_ref_kill r` marks it dead, exactly
// once; the kill is confirmed later, in the RCU callback of the switch to atomic mode, which runs
// the confirm callback (`on confirm`) and then drops the initial reference. `tryget_live r`
// succeeds while the ref is live, fails once the kill is confirmed, and between the kill and its
// confirmation may go either way (a reader may still see the percpu mode). The mode states are
// `percpu`, `atomic` (after `percpu_ref_switch_to_atomic_sync`), `killed`, `confirmed` and
// `exited` (after `percpu_ref_exit`, when any use is a use-after-free).

import type { ObjectDecl, PercpuRefMember, Place } from '../../syntax/ast';
import type { MechanismStatement } from '../../syntax/ast';
import { bin, constant, read, type Expr, type Op } from '../ir';
import type { Alternative, MemberSlot, ObjectSlot, Resolved, Step } from './context';
import type { Lowering } from './parts';

const PERCPU = 0;
const ATOMIC = 1;
const KILLED = 2;
const CONFIRMED = 3;
const EXITED = 4;
const MODES = ['percpu', 'atomic', 'killed', 'confirmed', 'exited'];

export class PercpuRefs {
  constructor(private readonly lw: Lowering) {}

  declareMember(slot: ObjectSlot, member: PercpuRefMember): MemberSlot {
    const ctx = this.lw.ctx;
    const name = member.name.text;
    const full = `${slot.info.name}.${name}`;
    const variable = ctx.addVariable(full, 'ref', 2, 1, slot.info.index);
    const mode = ctx.addVariable(`${full}.mode`, 'state', MODES.length, PERCPU, slot.info.index, -1, { values: MODES });
    return { name, kind: 'percpu_ref', variable, mode, onZero: member.onZero };
  }

  /** The confirmation of each percpu_ref's kill, once the threads exist. */
  declareConfirmations(decl: ObjectDecl, slot: ObjectSlot): void {
    for (const member of decl.members) {
      if (member.kind !== 'PercpuRefMember' || member.name.missing) continue;
      const memberSlot = slot.members.get(member.name.text);
      if (!memberSlot || memberSlot.kind !== 'percpu_ref') continue;
      const full = `${slot.info.name}.${member.name.text}`;
      const mode = memberSlot.mode!;
      const handler = this.lw.handlers.create({
        name: `${full} confirm`,
        guard: bin('==', read(mode), constant(KILLED)),
        ops: [...this.lw.places.objectChecks(slot.info.index, `percpu_ref_kill ${full} confirmed`), { k: 'assign', v: mode, value: constant(CONFIRMED) }],
        range: member,
        event: `percpu_ref_kill ${full} confirmed`,
        queued: bin('==', read(mode), constant(KILLED)),
        module: -1,
        body: (entry) => this.lw.control.lowerConfirmation(member, slot, memberSlot, entry),
      });
      memberSlot.handler = handler.build.actor.index;
    }
  }

  /** Checks every use of a percpu_ref makes: not after percpu_ref_exit. */
  useChecks(member: MemberSlot, what: string): Op[] {
    if (member.mode === undefined) return [];
    return [{ k: 'check', cond: bin('!=', read(member.mode), constant(EXITED)), kind: 'use-after-free', message: `${what}: the percpu_ref was used after percpu_ref_exit` }];
  }

  private ref(target: Place, what: string): { member: MemberSlot; resolved: Resolved; checks: Op[] } {
    const places = this.lw.places;
    const resolved = places.resolve(target);
    const member = places.asMember(resolved, target, ['percpu_ref']);
    return { member, resolved, checks: [...places.hopChecks(resolved.hops, resolved.hops.length, what), ...this.useChecks(member, what)] };
  }

  step(s: MechanismStatement, what: string): Step | undefined {
    switch (s.op) {
      case 'percpu_ref_kill': {
        const { member, checks } = this.ref(s.target!, what);
        const mode = member.mode!;
        const live = bin('||', bin('==', read(mode), constant(PERCPU)), bin('==', read(mode), constant(ATOMIC)));
        return {
          ops: [
            ...checks,
            { k: 'check', cond: live, kind: 'api-misuse', message: `${what}: the percpu_ref is already killed (percpu_ref_kill called more than once)` },
            { k: 'assign', v: mode, value: constant(KILLED) },
          ],
        };
      }
      case 'percpu_ref_init': {
        const resolved = this.lw.places.resolve(s.target!);
        const member = this.lw.places.asMember(resolved, s.target!, ['percpu_ref']);
        return {
          ops: [
            ...this.lw.places.hopChecks(resolved.hops, resolved.hops.length, what),
            { k: 'assign', v: member.variable, value: constant(1) },
            { k: 'assign', v: member.mode!, value: constant(PERCPU) },
          ],
        };
      }
      case 'percpu_ref_exit': {
        const { member, checks } = this.ref(s.target!, what);
        return { ops: [...checks, { k: 'assign', v: member.mode!, value: constant(EXITED) }] };
      }
      case 'percpu_ref_switch_to_atomic_sync': {
        const { member, checks } = this.ref(s.target!, what);
        const mode = member.mode!;
        return { ops: [...checks, { k: 'if', cond: bin('==', read(mode), constant(PERCPU)), then: [{ k: 'assign', v: mode, value: constant(ATOMIC) }], else: [] }] };
      }
      default:
        return undefined;
    }
  }

  /**
   * `tryget_live r` as a condition: a reference taken while the ref is live (and not at zero);
   * between a kill and its confirmation, a second alternative fails regardless.
   */
  tryLiveAlternatives(target: Place, what: string): Alternative[] {
    const { member, resolved, checks } = this.ref(target, what);
    const v = member.variable;
    const mode = member.mode!;
    const mayTake = bin('&&', bin('!=', read(mode), constant(CONFIRMED)), bin('!=', read(v), constant(0)));
    this.lw.bounds.noteGet(v);
    const take: Op[] = [this.lw.bounds.capCheck(v, what), { k: 'assign', v, value: bin('+', read(v), constant(1)) }, ...this.lw.rcu.pin(resolved)];
    return [
      { ops: (whenTrue, whenFalse) => [...checks, { k: 'if', cond: mayTake, then: [...take, ...whenTrue], else: whenFalse }] },
      { guard: bin('==', read(mode), constant(KILLED)), ops: (_, whenFalse) => [...checks, ...whenFalse] },
    ];
  }

  /** `percpu_ref_is_zero r`. */
  isZeroExpr(target: Place, checks: Op[]): Expr {
    const { member, checks: own } = this.ref(target, 'percpu_ref_is_zero');
    checks.push(...own);
    return bin('==', read(member.variable), constant(0));
  }
}
