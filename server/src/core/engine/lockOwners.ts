// Which locks only their holder can release: the facts the lock-aware parts of the partial-order
// reduction rest on (heldLocks.ts, and the access sets of compile.ts).
//
// A lock qualifies when every assignment to its owner variable writes 0 or the writer's own number,
// and its object is never allocated during the run (an allocation resets the members, and so would
// release a lock someone holds). The lowering writes a lock's owner only in `lock` (when free),
// `trylock` (when free), `unlock` (after checking the writer holds it) and the lock-coupled put
// (which took it itself). So while actor `a` holds a qualifying lock, no step of another actor
// changes its owner, and while `a` does not hold it, no step of another actor makes `a` its holder:
// the truth of `owner == a + 1` changes only through `a`'s own steps.

import { LIFE_LIVE, type Expr, type Op, type TransitionSystem } from './ir';

function forEachAssign(ops: Op[], visit: (v: number, value: Expr) => void): void {
  for (const op of ops) {
    if (op.k === 'assign') visit(op.v, op.value);
    else if (op.k === 'if') {
      forEachAssign(op.then, visit);
      forEachAssign(op.else, visit);
    }
  }
}

/** The lock variables whose owner only its holder, or an acquisition of the free lock, ever writes. */
export function qualifyingLocks(system: TransitionSystem): Set<number> {
  const locks = new Set(system.variables.filter((v) => v.kind === 'lockOwner').map((v) => v.index));
  const allocated = new Set<number>();
  for (const actor of system.actors) {
    for (const t of actor.transitions) {
      forEachAssign(t.ops, (v, value) => {
        const variable = system.variables[v];
        if (variable.kind === 'life' && !(value.k === 'const' && value.value !== LIFE_LIVE)) allocated.add(variable.object);
        if (locks.has(v) && !(value.k === 'const' && (value.value === 0 || value.value === actor.index + 1))) locks.delete(v);
      });
    }
  }
  for (const v of [...locks]) if (allocated.has(system.variables[v].object)) locks.delete(v);
  return locks;
}

/**
 * Whether `cond` only asks if actor number `actor` holds one of the qualifying `locks`
 * (`owner != actor + 1` or `owner == actor + 1`): no other actor's step changes its truth.
 */
export function asksOwnLock(cond: Expr, actor: number, locks: ReadonlySet<number>): boolean {
  return cond.k === 'bin' && (cond.op === '!=' || cond.op === '==') && cond.l.k === 'var' && locks.has(cond.l.v) && cond.r.k === 'const' && cond.r.value === actor + 1;
}
