// The last pass: variable domains from the final bounds, program points renumbered with their
// aliases resolved, each transition's read and write sets, and the leak checks.

import type { ViolationKind } from '../../syntax/ast';
import { LIFE_LIVE, bin, constant, read, type Expr, type Op, type Transition } from '../ir';
import type { Bounds } from './bounds';
import type { LoweringContext } from './context';

/** Sets every variable's domain now that every actor, get site and alloc site is known. */
export function patchDomains(ctx: LoweringContext, bounds: Bounds): void {
  bounds.patch();
  for (const slot of ctx.objects) {
    const info = slot.info;
    if (info.generationVar >= 0) ctx.variables[info.generationVar].domain = bounds.generations(info.index);
    for (const member of slot.members.values()) {
      const variable = ctx.variables[member.variable];
      if (member.kind === 'ref' || member.kind === 'percpu_ref') variable.domain = bounds.cap(member.variable) + 1;
      else if (member.kind === 'lock') variable.domain = ctx.actors.length + 1;
      else if (member.kind === 'ptr') variable.domain = 1 + bounds.generations(variable.target ?? 0);
    }
  }
  for (const variable of ctx.variables) {
    if (variable.kind === 'handle') variable.domain = 1 + bounds.generations(variable.target ?? 0);
  }
}

/** Numbers each actor's points (aliases resolved) and fills in the transitions' read and write sets. */
export function numberPoints(ctx: LoweringContext): void {
  for (const build of ctx.builds) {
    ctx.current = build;
    const actor = build.actor;
    const numbering = new Int32Array(build.points.length).fill(-1);
    let count = 0;
    build.points.forEach((_, i) => {
      if (build.alias[i] < 0) numbering[i] = count++;
    });
    const map = (point: number): number => numbering[ctx.find(point)];
    for (const pointConst of ctx.pointConsts) if (pointConst.build === build) pointConst.node.value = map(pointConst.point);
    const transitions: Transition[] = [];
    actor.points = [];
    for (let i = 0; i < count; i++) actor.points.push({ index: i, transitions: [] });
    build.points.forEach((point, i) => {
      if (build.alias[i] >= 0) return;
      for (const t of point.transitions) {
        const copy: Transition = { ...t, id: transitions.length, from: numbering[i], next: map(t.next), ops: remapOps(t.ops, map, ctx.lateIfs) };
        const touched = touchedVariables(copy);
        copy.reads = touched.reads;
        copy.writes = touched.writes;
        transitions.push(copy);
        actor.points[numbering[i]].transitions.push(copy.id);
      }
    });
    actor.transitions = transitions;
    const pcVar = ctx.variables[actor.pcVar];
    pcVar.domain = Math.max(1, count);
    pcVar.initial = map(build.entry);
    actor.endPc = actor.kind === 'thread' ? map(build.end) : -1;
    if (actor.kind === 'thread' && !build.idles && actor.points[actor.endPc].transitions.length > 0) {
      // A loop back to the end point cannot happen: the end point is only ever a join target.
      throw new Error('the end point has transitions');
    }
  }
}

/**
 * Instances of a `thread NAME[N]` are interchangeable only when nothing of another actor refers to
 * one of them (a grace period waiting for it, a flush barrier, a callback it queued); otherwise
 * their group loses its symmetry, which only makes the search do more work.
 */
export function breakAsymmetricGroups(ctx: LoweringContext): void {
  for (const group of ctx.symmetryGroups) {
    if (!group.actors.some((a) => ctx.builds[a].asymmetric)) continue;
    for (const a of group.actors) ctx.actors[a].symmetryGroup = -1;
    group.actors = [];
  }
}

/** One check per non-static object: live when every thread has finished is a leak. */
export function leakChecks(ctx: LoweringContext): { cond: Expr; kind: ViolationKind; message: string; object: number }[] {
  return ctx.objects
    .filter((slot) => !slot.info.isStatic && !slot.longLived)
    .map((slot) => ({
      cond: bin('!=', read(slot.info.lifeVar), constant(LIFE_LIVE)),
      kind: 'leak' as ViolationKind,
      message: `${slot.info.name} is still allocated when every thread has finished`,
      object: slot.info.index,
    }));
}

/** The operations with program points renumbered; late `if`s that stayed empty are dropped. */
function remapOps(ops: Op[], map: (point: number) => number, lateIfs: ReadonlySet<Op>): Op[] {
  const result: Op[] = [];
  for (const op of ops) {
    if (op.k === 'goto') result.push({ k: 'goto', pc: map(op.pc) });
    else if (op.k === 'if') {
      if (lateIfs.has(op) && op.then.length === 0 && op.else.length === 0) continue;
      result.push({ ...op, then: remapOps(op.then, map, lateIfs), else: remapOps(op.else, map, lateIfs) });
    } else result.push(op);
  }
  return result;
}

function exprReads(e: Expr, into: Set<number>): void {
  if (e.k === 'var') into.add(e.v);
  else if (e.k === 'not') exprReads(e.e, into);
  else if (e.k === 'bin') {
    exprReads(e.l, into);
    exprReads(e.r, into);
  }
}

function opsTouch(ops: Op[], reads: Set<number>, writes: Set<number>): void {
  for (const op of ops) {
    if (op.k === 'assign') {
      writes.add(op.v);
      exprReads(op.value, reads);
    } else if (op.k === 'check' || op.k === 'require') exprReads(op.cond, reads);
    else if (op.k === 'if') {
      exprReads(op.cond, reads);
      opsTouch(op.then, reads, writes);
      opsTouch(op.else, reads, writes);
    }
  }
}

function touchedVariables(t: Transition): { reads: number[]; writes: number[] } {
  const reads = new Set<number>();
  const writes = new Set<number>();
  if (t.guard) exprReads(t.guard, reads);
  opsTouch(t.ops, reads, writes);
  return { reads: [...reads].sort((a, b) => a - b), writes: [...writes].sort((a, b) => a - b) };
}
