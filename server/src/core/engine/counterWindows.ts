// State-conditional independence of the steps of a reference count (ample.ts, after zeroCounts.ts).
//
// Two steps that get and put a count commute, as long as neither can see the count take a value at
// which it behaves differently: `kref_get_unless_zero` and `kref_put` commute while the count is at
// least 2 (the put cannot reach zero, the get cannot see zero). This is the conditional
// independence of Katz and Peled, and the conditional stubborn sets of Valmari and Hansen, applied
// to the count alone: the rest of each step's accesses is still compared as usual.
//
// Per step that touches a qualifying counter `c` (zeroCounts.ts), and per value `v` of `c`, the
// step's *class* at `v`: the decisions its guard, checks, requires and branches take when only `c`
// is known (a condition that does not read `c` takes both ways), the point each way leads to, and
// each way's change of `c`. Two values with one class behave alike: the same ways, the same other
// writes, the same change. A step whose conditions read `c` together with another variable, or
// that writes `c` into another variable, has a class per value (it never commutes by this rule).
//
// The rule, for a member `a` of the set and an outsider `b` whose only remaining conflict with `a`
// is on `c`: along any path of the outsiders the count stays within `[lo, hi]`, `lo` the count
// minus the largest drop the outsiders can cause, `hi` the count plus their largest rise. When
// `lo >= 1` (no release of `c` runs on such a path, zeroCounts.ts), every step of `a` at its point
// keeps one class over `[lo, hi]`, and every step `u` of `b`'s future keeps, at every value `v` it
// can start from on such a path (`v` and `v` plus one of its changes both within `[lo, hi]`), the
// class it has at `v` plus any change of `a`'s steps, then `a`'s step and `u` commute wherever they
// meet on such a path: `b` stays out of the set.

import { transitionAccess, type CompiledSystem } from './compile';
import type { Actor, Expr, Op, Transition } from './ir';
import { binaryValue } from './violations';

/** Beyond this many ways through one step, the step has a class per value. */
const MAX_WAYS = 256;
/** Changes of a count by one step are kept as bits `change + CHANGE_OFFSET`. */
const CHANGE_OFFSET = 8;

function readsOf(e: Expr, into: Set<number>): Set<number> {
  if (e.k === 'var') into.add(e.v);
  else if (e.k === 'not') readsOf(e.e, into);
  else if (e.k === 'bin') {
    readsOf(e.l, into);
    readsOf(e.r, into);
  }
  return into;
}

function evaluate(e: Expr, value: number): number {
  switch (e.k) {
    case 'const':
      return e.value;
    case 'var':
      return value;
    case 'not':
      return evaluate(e.e, value) === 0 ? 1 : 0;
    default:
      return binaryValue(e.op, evaluate(e.l, value), evaluate(e.r, value));
  }
}

/** The class of step `t` at `value` of counter `c` as text, with the changes of its ways; undefined when opaque. */
function classAt(t: Transition, c: number, value: number, moves: Set<string>): { text: string; changes: number } | undefined {
  let text = '';
  let changes = 0;
  let ways = 0;
  let opaque = false;
  /** Decides `cond` at count `count`: 1 or 0 when it reads only `c`, -1 when it reads no `c`. */
  const decide = (cond: Expr, count: number): number => {
    const reads = readsOf(cond, new Set());
    if (!reads.has(c)) return -1;
    if (reads.size > 1) opaque = true;
    return evaluate(cond, count) !== 0 ? 1 : 0;
  };
  const end = (how: string, target: number, count: number): void => {
    ways++;
    text += `${how}${target}:${count - value};`;
    if (how === '>') moves.add(`${target}:${count - value}`);
    changes |= 1 << (count - value + CHANGE_OFFSET);
  };
  const walk = (rest: Op[], k: number, target: number, count: number, after: Op[][]): void => {
    if (opaque || ways > MAX_WAYS) return;
    if (k === rest.length) {
      if (after.length === 0) end('>', target, count);
      else walk(after[0], 0, target, count, after.slice(1));
      return;
    }
    const op = rest[k];
    if (op.k === 'goto') return walk(rest, k + 1, op.pc, count, after);
    if (op.k === 'assign') {
      if (readsOf(op.value, new Set()).has(c) && op.v !== c) opaque = true;
      return walk(rest, k + 1, target, op.v === c ? evaluate(op.value, count) : count, after);
    }
    const d = decide(op.cond, count);
    text += `${d}(`;
    if (op.k === 'if') {
      if (d !== 0) walk(op.then, 0, target, count, [rest.slice(k + 1), ...after]);
      text += '|';
      if (d !== 1) walk(op.else, 0, target, count, [rest.slice(k + 1), ...after]);
    } else {
      if (d !== 0) walk(rest, k + 1, target, count, after);
      text += '|';
      if (d !== 1) end(op.k === 'check' ? '!' : 'x', target, count);
    }
    text += ')';
  };
  const guard = t.guard === undefined ? -1 : decide(t.guard, value);
  text += `${guard}[`;
  if (guard !== 0) walk(t.ops, 0, t.next, value, []);
  text += ']';
  return opaque || ways > MAX_WAYS ? undefined : { text, changes };
}

function touches(actor: Actor, t: Transition, c: number): boolean {
  const access = transitionAccess(actor, t);
  return access.reads.has(c) || access.writes.has(c);
}

/** Whether a finish check that step `t` may run reads `c` (the class does not cover finish checks). */
function finishReads(actor: Actor, t: Transition, c: number): boolean {
  if (actor.kind !== 'thread' || !successorsOf(t).includes(actor.endPc)) return false;
  const reads = new Set<number>();
  for (const op of actor.finishChecks) if (op.k === 'check' || op.k === 'require' || op.k === 'if') readsOf(op.cond, reads);
  return reads.has(c);
}

/** Per step of one counter: its class id and the changes of its ways, per value. */
interface StepClasses {
  classes: Int32Array;
  changes: Int32Array;
  /** The point and change of every way that completes, over every value; undefined when opaque. */
  moves: { target: number; change: number }[] | undefined;
}

/** A bound no count reaches, for points beyond a cycle that changes the count. */
const UNREACHED = 1 << 20;

interface Reach {
  rise: Int32Array;
  drop: Int32Array;
}

export class CounterWindows {
  private readonly actors: Actor[];
  /** Per counter, per actor, per point: `reachOf`'s cache. */
  private readonly reach: (Reach | undefined)[][][];
  /** Per counter, per actor, per transition id: the classes of the steps that touch it (undefined for the others). */
  private readonly steps: (StepClasses | undefined)[][][];
  /** Per counter, per actor, per point: the ids of the steps touching the counter reachable from it. */
  private readonly futures: Int32Array[][][];
  /** Per counter: its domain. */
  private readonly domains: Int32Array;

  constructor(compiled: CompiledSystem, counters: Int32Array) {
    const system = compiled.system;
    this.domains = Int32Array.from(counters, (c) => system.variables[c].domain);
    this.steps = [...counters].map((c) => system.actors.map((actor) => actor.transitions.map((t) => (touches(actor, t, c) ? classesOf(t, c, system.variables[c].domain, finishReads(actor, t, c)) : undefined))));
    this.futures = [...counters].map((c, k) => system.actors.map((actor) => futureSteps(actor, this.steps[k][actor.index])));
    this.actors = system.actors;
    this.reach = [...counters].map(() => system.actors.map((actor) => new Array<Reach | undefined>(actor.points.length)));
  }

  /**
   * Whether counter number `k` cannot make member `a` at point `p` and outsider `b` at point `q`
   * dependent, when the count is `count` and the outsiders can drop it by at most `dropOut` and
   * raise it by at most `riseOut`, `b` itself by at most `dropB` and `riseB`.
   */
  independent(k: number, a: number, p: number, b: number, q: number, count: number, dropOut: number, riseOut: number, dropB: number, riseB: number): boolean {
    const domain = this.domains[k];
    const lo = count - dropOut;
    const hi = count + riseOut;
    if (lo < 1 || hi >= domain) return false;
    const steps = this.steps[k];
    let low = 0;
    let high = 0;
    for (const id of this.actors[a].points[p].transitions) {
      const step = steps[a][id];
      if (step === undefined) continue;
      for (let v = lo; v <= hi; v++) {
        if (step.classes[v] !== step.classes[lo] || step.classes[v] < 0) return false;
        const changes = step.changes[v];
        if (changes === 0) continue;
        low = Math.min(low, 31 - Math.clz32(changes & -changes) - CHANGE_OFFSET);
        high = Math.max(high, 31 - Math.clz32(changes) - CHANGE_OFFSET);
      }
    }
    const reach = this.reachOf(k, b, q);
    for (const id of this.futures[k][b][q]) {
      const step = steps[b][id]!;
      const from = this.actors[b].transitions[id].from;
      // The count when `b` starts the step: the others have moved it within their bounds, `b` by
      // what its own steps from `q` to the step's point can add up to.
      const first = Math.max(lo, count - (dropOut - dropB) - reach.drop[from]);
      const last = Math.min(hi, count + (riseOut - riseB) + reach.rise[from]);
      for (let v = first; v <= last; v++) {
        if (!startsWithin(step.changes[v], v, lo, hi)) continue;
        for (let d = low; d <= high; d++) {
          const w = v + d;
          if (w < 0 || w >= domain || step.classes[w] !== step.classes[v] || step.classes[v] < 0) return false;
        }
      }
    }
    return true;
  }

  /** The largest total rise and drop of counter `k` along `b`'s paths from `q` to each point (cached). */
  private reachOf(k: number, b: number, q: number): Reach {
    const cached = this.reach[k][b][q];
    if (cached !== undefined) return cached;
    const actor = this.actors[b];
    const points = actor.points.length;
    const rise = new Int32Array(points).fill(-UNREACHED);
    const drop = new Int32Array(points).fill(-UNREACHED);
    rise[q] = 0;
    drop[q] = 0;
    const steps = this.steps[k][b];
    for (let round = 0; ; round++) {
      let changed = false;
      for (const t of actor.transitions) {
        if (rise[t.from] === -UNREACHED) continue;
        const step = steps[t.id];
        const moves = step === undefined ? successorsOf(t).map((target) => ({ target, change: 0 })) : step.moves;
        if (moves === undefined) {
          // An opaque step: any change, towards any successor.
          for (const next of successorsOf(t)) if (next >= 0 && next < points) rise[next] = drop[next] = UNREACHED;
          continue;
        }
        for (const { target, change } of moves) {
          if (target < 0 || target >= points) continue;
          if (rise[t.from] + change > rise[target]) {
            rise[target] = Math.min(UNREACHED, rise[t.from] + change);
            changed = true;
          }
          if (drop[t.from] - change > drop[target]) {
            drop[target] = Math.min(UNREACHED, drop[t.from] - change);
            changed = true;
          }
        }
      }
      if (!changed) break;
      if (round > points) {
        // Still growing: a cycle changes the count, so no bound holds.
        rise.fill(UNREACHED);
        drop.fill(UNREACHED);
        break;
      }
    }
    const reach = { rise, drop };
    this.reach[k][b][q] = reach;
    return reach;
  }
}

/** Whether a step with `changes` at `v` can run on a path within `[lo, hi]` (one of its ways stays inside). */
function startsWithin(changes: number, v: number, lo: number, hi: number): boolean {
  for (let bits = changes; bits !== 0; bits &= bits - 1) {
    const w = v + 31 - Math.clz32(bits & -bits) - CHANGE_OFFSET;
    if (w >= lo && w <= hi) return true;
  }
  return false;
}

/** Class ids per value (-1 where opaque: every value then has its own class, which never matches). */
function classesOf(t: Transition, c: number, domain: number, opaque: boolean): StepClasses {
  const classes = new Int32Array(domain);
  const changes = new Int32Array(domain);
  const ids = new Map<string, number>();
  const moves = new Set<string>();
  for (let v = 0; v < domain; v++) {
    const at = opaque ? undefined : classAt(t, c, v, moves);
    if (at === undefined) return { classes: classes.fill(-1), changes: changes.fill(~0), moves: undefined };
    if (!ids.has(at.text)) ids.set(at.text, ids.size);
    classes[v] = ids.get(at.text)!;
    changes[v] = at.changes;
  }
  return {
    classes,
    changes,
    moves: [...moves].map((m) => {
      const [target, change] = m.split(':').map(Number);
      return { target, change };
    }),
  };
}

/** Per point of `actor`: the steps in `steps` reachable from it. */
function futureSteps(actor: Actor, steps: (StepClasses | undefined)[]): Int32Array[] {
  return actor.points.map((point) => {
    const seen = new Uint8Array(actor.points.length);
    const work = [point.index];
    seen[point.index] = 1;
    const found: number[] = [];
    while (work.length > 0) {
      const q = work.pop()!;
      for (const id of actor.points[q].transitions) {
        if (steps[id] !== undefined) found.push(id);
        const t = actor.transitions[id];
        for (const next of successorsOf(t)) {
          if (next >= 0 && next < actor.points.length && !seen[next]) {
            seen[next] = 1;
            work.push(next);
          }
        }
      }
    }
    return Int32Array.from(found);
  });
}

function successorsOf(t: Transition): number[] {
  const out = [t.next];
  const visit = (ops: Op[]): void => {
    for (const op of ops) {
      if (op.k === 'goto') out.push(op.pc);
      else if (op.k === 'if') {
        visit(op.then);
        visit(op.else);
      }
    }
  };
  visit(t.ops);
  return out;
}
