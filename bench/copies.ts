// K independent copies of a lowered model, as one transition system: the best case for
// partial-order reduction, since no step of one copy touches a variable of another.
//
// Every variable, object and actor of the model is repeated K times and renumbered. Lock owners
// hold `actor + 1`, so the constants a lock's guards and assignments compare with it are shifted
// by the copy's first actor as well, and their domain grows to every actor of the product; nothing
// else in the IR names an actor by number.

import type { Actor, Expr, Op, TransitionSystem, Variable } from '../server/src/core/engine/ir';

interface Renumbering {
  variables: number;
  actors: number;
  objects: number;
  lockOwner: (v: number) => boolean;
}

function shiftLockConstant(r: Renumbering, v: number, value: Expr): Expr {
  return r.lockOwner(v) && value.k === 'const' && value.value !== 0 ? { k: 'const', value: value.value + r.actors } : expr(r, value);
}

function expr(r: Renumbering, e: Expr): Expr {
  switch (e.k) {
    case 'const':
      return e;
    case 'var':
      return { k: 'var', v: e.v + r.variables };
    case 'not':
      return { k: 'not', e: expr(r, e.e) };
    case 'bin': {
      if (e.l.k === 'var' && r.lockOwner(e.l.v)) return { k: 'bin', op: e.op, l: expr(r, e.l), r: shiftLockConstant(r, e.l.v, e.r) };
      if (e.r.k === 'var' && r.lockOwner(e.r.v)) return { k: 'bin', op: e.op, l: shiftLockConstant(r, e.r.v, e.l), r: expr(r, e.r) };
      return { k: 'bin', op: e.op, l: expr(r, e.l), r: expr(r, e.r) };
    }
  }
}

function ops(r: Renumbering, list: Op[]): Op[] {
  return list.map((op): Op => {
    switch (op.k) {
      case 'assign':
        return { k: 'assign', v: op.v + r.variables, value: shiftLockConstant(r, op.v, op.value) };
      case 'check':
        return { ...op, cond: expr(r, op.cond) };
      case 'require':
        return { k: 'require', cond: expr(r, op.cond) };
      case 'if':
        return { k: 'if', cond: expr(r, op.cond), then: ops(r, op.then), else: ops(r, op.else) };
      case 'goto':
        return op;
    }
  });
}

function actor(r: Renumbering, a: Actor, copy: number, groups: number): Actor {
  const shiftVar = (v: number): number => v + r.variables;
  return {
    ...a,
    index: a.index + r.actors,
    name: `${a.name}#${copy}`,
    pcVar: shiftVar(a.pcVar),
    transitions: a.transitions.map((t) => ({
      ...t,
      guard: t.guard ? expr(r, t.guard) : undefined,
      ops: ops(r, t.ops),
      reads: t.reads.map(shiftVar),
      writes: t.writes.map(shiftVar),
    })),
    finishChecks: ops(r, a.finishChecks),
    locals: a.locals.map(shiftVar),
    symmetryGroup: a.symmetryGroup < 0 ? a.symmetryGroup : a.symmetryGroup + copy * groups,
    device: a.device ? { ...a.device, runningVar: shiftVar(a.device.runningVar), inflightVar: shiftVar(a.device.inflightVar), targets: a.device.targets.map((t) => ({ ...t, object: t.object + r.objects })) } : undefined,
  };
}

/** The product of `k` independent copies of `system` (k ≥ 1). */
export function independentCopies(system: TransitionSystem, k: number): TransitionSystem {
  const copies: TransitionSystem = { proposal: system.proposal, variables: [], objects: [], actors: [], symmetryGroups: [], orders: [], leakChecks: [] };
  const isLockOwner = system.variables.map((v) => v.kind === 'lockOwner');
  for (let copy = 0; copy < k; copy++) {
    const r: Renumbering = {
      variables: copy * system.variables.length,
      actors: copy * system.actors.length,
      objects: copy * system.objects.length,
      lockOwner: (v) => isLockOwner[v] === true,
    };
    copies.variables.push(
      ...system.variables.map(
        (v): Variable => ({
          ...v,
          index: v.index + r.variables,
          name: `${v.name}#${copy}`,
          domain: v.kind === 'lockOwner' ? k * system.actors.length + 1 : v.domain,
          object: v.object < 0 ? v.object : v.object + r.objects,
          actor: v.actor < 0 ? v.actor : v.actor + r.actors,
          target: v.target === undefined ? undefined : v.target + r.objects,
        }),
      ),
    );
    copies.objects.push(
      ...system.objects.map((o) => ({
        ...o,
        index: o.index + r.objects,
        name: `${o.name}#${copy}`,
        lifeVar: o.lifeVar + r.variables,
        generationVar: o.generationVar < 0 ? o.generationVar : o.generationVar + r.variables,
        members: o.members.map((m) => ({ name: m.name, variable: m.variable + r.variables })),
      })),
    );
    copies.actors.push(...system.actors.map((a) => actor(r, a, copy, system.symmetryGroups.length)));
    copies.symmetryGroups.push(...system.symmetryGroups.map((g) => ({ name: `${g.name}#${copy}`, actors: g.actors.map((a) => a + r.actors) })));
    copies.orders.push(
      ...system.orders.map((o) => ({ ...o, index: o.index + copy * system.orders.length, variable: o.variable + r.variables })),
    );
    copies.leakChecks.push(...system.leakChecks.map((c) => ({ ...c, cond: expr(r, c.cond), object: c.object + r.objects })));
  }
  return copies;
}
