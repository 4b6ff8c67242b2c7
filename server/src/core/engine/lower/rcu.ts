// RCU and SRCU, with the kernel's semantics:
// - a read-side section is a per-actor scope (`rcu_read_lock` ... `rcu_read_unlock`, nesting
//   allowed); an SRCU section belongs to its domain (`srcu_read_lock s` ... `srcu_read_unlock s`);
// - `synchronize_rcu` waits only for the readers that were inside a section when it was called,
//   until each of them has left it; readers that start later are not waited for;
// - `call_rcu f(args)`, `kfree_rcu x` and `call_srcu s f(args)` run their callback, in a context of
//   its own, after every reader that existed at the call has left its section;
// - `rcu_barrier` (`srcu_barrier s`) waits until every callback queued before it has run;
// - `let p = rcu_dereference x.ptr` reads a pointer inside a section; using `p` after the section
//   ended, without a reference taken inside it (`tryget p.r`), is an rcu-escape.
//
// Each domain keeps, per actor, its section depth; per waiter (a synchronize's actor or a callback)
// and reader, a bit "still waiting for that reader" set at the call and cleared when the reader's
// depth returns to zero. Readers and waiters are known only once every actor is lowered, so the
// steps are written with late parts filled in by `patch`.

import type { CallbackStatement, CallStatement, MechanismStatement, Place } from '../../syntax/ast';
import { bin, constant, not, read, type Expr, type Op, type Transition } from '../ir';
import type { ActorBuild, Resolved, Step } from './context';
import type { Handler } from './handlers';
import type { Lowering } from './parts';

const TAG_PLAIN = 0;
const TAG_PROTECTED = 1;
const TAG_EXPIRED = 2;

interface Callback {
  handler: Handler;
  queued: number;
  /** The part of the start guard that waits for the grace period: patched. */
  guard: Expr & { k: 'bin' };
  /** The bits the call sets: patched. */
  snapshot: Op & { k: 'if' };
}

interface Domain {
  name: string;
  /** Per reader actor: its depth variable, and the bound constants of its lock sites. */
  depths: Map<number, { variable: number; bounds: (Expr & { k: 'const' })[] }>;
  /** Per synchronizing actor: the transitions to complete. */
  syncs: { build: ActorBuild; idle: Transition; snapshot: Transition; wait: Transition }[];
  callbacks: Callback[];
  barriers: { build: ActorBuild; arm: Op & { k: 'if' }; wait: Transition }[];
  /** The operations each reader runs when its depth returns to zero: patched. */
  unlocks: { actor: number; op: Op & { k: 'if' } }[];
  /** Per waiter actor, per reader actor: the bit. */
  bits: Map<number, Map<number, number>>;
}

export class Rcu {
  private readonly domains = new Map<number, Domain>();
  /** Handle variables read by `rcu_dereference`, and their tag variable. */
  readonly tags = new Map<number, number>();
  private readonly tagsByActor = new Map<number, number[]>();

  constructor(private readonly lw: Lowering) {}

  /** The RCU domain (key -1) or an SRCU domain (its member variable). */
  private domain(key: number, name: string): Domain {
    let domain = this.domains.get(key);
    if (!domain) {
      domain = { name, depths: new Map(), syncs: [], callbacks: [], barriers: [], unlocks: [], bits: new Map() };
      this.domains.set(key, domain);
    }
    return domain;
  }

  private srcu(target: Place | undefined, what: string): { domain: Domain; checks: Op[] } {
    const places = this.lw.places;
    if (!target) throw this.lw.ctx.fail(`${what}: the SRCU domain is missing`, { start: 0, end: 0 });
    const resolved = places.resolve(target);
    const slot = places.asMember(resolved, target, ['srcu']);
    return { domain: this.domain(slot.variable, `srcu ${resolved.text}`), checks: places.hopChecks(resolved.hops, resolved.hops.length, what) };
  }

  private depthOf(domain: Domain, build: ActorBuild, create: boolean): number {
    const found = domain.depths.get(build.actor.index);
    if (found || !create) return found?.variable ?? -1;
    const ctx = this.lw.ctx;
    const label = domain.name === 'rcu' ? 'rcu' : `${domain.name}`;
    const variable = ctx.addVariable(`${build.actor.name}.${label}`, 'int', 1, 0, -1, build.actor.index, { offset: 0 });
    build.actor.locals.push(variable);
    build.asymmetric = true;
    domain.depths.set(build.actor.index, { variable, bounds: [] });
    return variable;
  }

  step(s: MechanismStatement | CallbackStatement, what: string): Step | undefined {
    const ctx = this.lw.ctx;
    if (s.kind === 'CallbackStatement') {
      const { domain, checks } = s.op === 'call_srcu' ? this.srcu(s.domain, what) : { domain: this.domain(-1, 'rcu'), checks: [] };
      return { ops: [...checks, ...this.queue(domain, s.call, s, what, s.op)] };
    }
    switch (s.op) {
      case 'rcu_read_lock':
      case 'srcu_read_lock': {
        const { domain, checks } = s.op === 'srcu_read_lock' ? this.srcu(s.target, what) : { domain: this.domain(-1, 'rcu'), checks: [] };
        const d = this.depthOf(domain, ctx.current, true);
        const bound: Expr & { k: 'const' } = { k: 'const', value: 0 };
        domain.depths.get(ctx.current.actor.index)!.bounds.push(bound);
        return {
          ops: [
            ...checks,
            { k: 'check', cond: bin('<', read(d), bound), kind: 'assertion', message: `${what}: read-side sections nest deeper than the model allows` },
            { k: 'assign', v: d, value: bin('+', read(d), constant(1)) },
          ],
        };
      }
      case 'rcu_read_unlock':
      case 'srcu_read_unlock': {
        const { domain, checks } = s.op === 'srcu_read_unlock' ? this.srcu(s.target, what) : { domain: this.domain(-1, 'rcu'), checks: [] };
        const d = this.depthOf(domain, ctx.current, true);
        const left = ctx.lateIf(bin('==', read(d), constant(0)));
        domain.unlocks.push({ actor: ctx.current.actor.index, op: left });
        const lock = s.op === 'rcu_read_unlock' ? 'rcu_read_lock' : 'srcu_read_lock';
        return {
          ops: [
            ...checks,
            { k: 'check', cond: bin('>', read(d), constant(0)), kind: 'api-misuse', message: `${what}: not inside a read-side section (no ${lock} to end)` },
            { k: 'assign', v: d, value: bin('-', read(d), constant(1)) },
            left,
          ],
        };
      }
      case 'kfree_rcu':
        return { ops: this.queueFree(s.target!, s, what) };
      default:
        return undefined;
    }
  }

  /** synchronize_rcu, synchronize_srcu, rcu_barrier, srcu_barrier. */
  lower(s: MechanismStatement, cur: number, what: string): number | undefined {
    const ctx = this.lw.ctx;
    switch (s.op) {
      case 'synchronize_rcu':
      case 'synchronize_srcu': {
        const { domain, checks } = s.op === 'synchronize_srcu' ? this.srcu(s.target, what) : { domain: this.domain(-1, 'rcu'), checks: [] };
        const next = ctx.newPoint();
        const wait = ctx.newPoint();
        ctx.current.asymmetric = true;
        // With no reader inside a section, the grace period is over at once; otherwise it waits.
        const idle = ctx.addTransition(cur, constant(1), [...checks], next, s, what);
        const snapshot = ctx.addTransition(cur, constant(0), [...checks], wait, s, `${what} (waits for the readers inside a section)`);
        const done = ctx.addTransition(wait, constant(1), [], next, s, `${what}: the grace period has ended`);
        domain.syncs.push({ build: ctx.current, idle, snapshot, wait: done });
        return next;
      }
      case 'rcu_barrier':
      case 'srcu_barrier': {
        const { domain, checks } = s.op === 'srcu_barrier' ? this.srcu(s.target, what) : { domain: this.domain(-1, 'rcu'), checks: [] };
        const wait = ctx.newPoint();
        const next = ctx.newPoint();
        ctx.current.asymmetric = true;
        const arm = ctx.lateIf(constant(1));
        ctx.addTransition(cur, undefined, [...checks, arm], wait, s, what);
        const done = ctx.addTransition(wait, constant(1), [], next, s, `${what}: the queued callbacks have run`);
        domain.barriers.push({ build: ctx.current, arm, wait: done });
        return next;
      }
      default:
        return undefined;
    }
  }

  /** The handler of a callback queued by the current actor, and the operations of the call. */
  private queue(domain: Domain, call: CallStatement, at: { start: number; end: number }, what: string, op: string): Op[] {
    const ctx = this.lw.ctx;
    const fn = ctx.fns.get(call.callee.text);
    if (!fn) throw ctx.fail(`\`${call.callee.text}\` is not a procedure`, call.callee);
    const caller = ctx.current;
    caller.asymmetric = true;
    const name = `${op} ${fn.name.text} (${caller.actor.name})`;
    const captures: Op[] = [];
    const bindings: { param: string; variable: number; kind: 'handle' | 'bool' | 'int' }[] = [];
    return this.makeCallback(domain, name, at, what, fn.module ? this.lw.modules.indexOf(fn.module) : -1, (handler) => {
      fn.params.forEach((param, i) => {
        const arg = call.args[i];
        if (!arg) return;
        const captured = this.lw.values.capture(arg, `${name}.${param.text}`, handler.build);
        captures.push(...captured.ops);
        bindings.push({ param: param.text, variable: captured.variable, kind: captured.kind });
      });
      return captures;
    }, (entry) => this.lw.control.lowerCallback(fn, bindings, entry));
  }

  /** `kfree_rcu x`: a callback that frees the object `x` designates at the call. */
  private queueFree(target: Place, at: { start: number; end: number }, what: string): Op[] {
    const ctx = this.lw.ctx;
    const caller = ctx.current;
    caller.asymmetric = true;
    const domain = this.domain(-1, 'rcu');
    const text = ctx.sourceText(target);
    const name = `kfree_rcu ${text} (${caller.actor.name})`;
    let variable = -1;
    return this.makeCallback(domain, name, at, what, -1, (handler) => {
      const captured = this.lw.values.capture(target, `${name}.object`, handler.build);
      variable = captured.variable;
      return captured.ops;
    }, (entry) => this.lw.control.lowerFreeThrough(variable, at, `kfree_rcu ${text}: free`, entry));
  }

  private makeCallback(domain: Domain, name: string, at: { start: number; end: number }, what: string, module: number, capture: (handler: Handler) => Op[], body: (entry: number) => number): Op[] {
    const ctx = this.lw.ctx;
    const queued = ctx.addVariable(`${name}.queued`, 'flag', 2, 0);
    const grace: Expr & { k: 'bin' } = bin('&&', bin('==', read(queued), constant(1)), constant(1)) as Expr & { k: 'bin' };
    const snapshot = ctx.lateIf(constant(1));
    const handler = this.lw.handlers.create({
      name,
      guard: grace,
      ops: [{ k: 'assign', v: queued, value: constant(0) }],
      range: at,
      event: `${name} runs after the grace period`,
      queued: bin('==', read(queued), constant(1)),
      module,
      body,
    });
    domain.callbacks.push({ handler, queued, guard: grace, snapshot });
    return [
      { k: 'check', cond: bin('==', read(queued), constant(0)), kind: 'api-misuse', message: `${what}: the callback is already queued (its rcu_head is in use)` },
      ...capture(handler),
      { k: 'assign', v: queued, value: constant(1) },
      snapshot,
    ];
  }

  /** `let p = rcu_dereference x.ptr` in the current actor: the handle's tag ops. */
  dereference(handle: number, what: string): Op[] {
    const ctx = this.lw.ctx;
    const build = ctx.current;
    let tag = this.tags.get(handle);
    if (tag === undefined) {
      tag = ctx.addVariable(`${ctx.variables[handle].name}#rcu`, 'state', 3, TAG_PLAIN, -1, build.actor.index, { values: ['plain', 'protected', 'expired'] });
      build.actor.locals.push(tag);
      build.asymmetric = true;
      this.tags.set(handle, tag);
      const list = this.tagsByActor.get(build.actor.index) ?? [];
      list.push(tag);
      this.tagsByActor.set(build.actor.index, list);
    }
    const d = this.depthOf(this.domain(-1, 'rcu'), build, false);
    const inside: Expr = d >= 0 ? bin('>', read(d), constant(0)) : constant(0);
    return [
      { k: 'check', cond: inside, kind: 'api-misuse', message: `${what}: rcu_dereference outside a read-side section` },
      { k: 'assign', v: tag, value: constant(TAG_PROTECTED) },
    ];
  }

  /** A plain `let` of a handle that was read by rcu_dereference before: no longer protected by a section. */
  untag(handle: number): Op[] {
    const tag = this.tags.get(handle);
    return tag === undefined ? [] : [{ k: 'assign', v: tag, value: constant(TAG_PLAIN) }];
  }

  /** A reference taken through a handle read under RCU: the handle no longer depends on the section. */
  pin(resolved: Resolved): Op[] {
    const ops: Op[] = [];
    for (const hop of resolved.hops) {
      const tag = this.tags.get(hop.via);
      if (tag !== undefined) ops.push({ k: 'assign', v: tag, value: constant(TAG_PLAIN) });
    }
    return ops;
  }

  /** The check of an access through `handle`: not after its section ended. */
  escapeCheck(handle: number, text: string, what: string): Op[] {
    const tag = this.tags.get(handle);
    if (tag === undefined) return [];
    return [{ k: 'check', cond: bin('!=', read(tag), constant(TAG_EXPIRED)), kind: 'rcu-escape', message: `${what}: ${text} was found under rcu_read_lock and its read-side section has ended` }];
  }

  /** Checks a finishing actor runs: it left every read-side section. */
  finishChecks(build: ActorBuild): Op[] {
    const checks: Op[] = [];
    for (const domain of this.domains.values()) {
      const depth = domain.depths.get(build.actor.index);
      if (!depth) continue;
      const where = domain.name === 'rcu' ? 'rcu_read_lock' : `${domain.name} read lock`;
      checks.push({ k: 'check', cond: bin('==', read(depth.variable), constant(0)), kind: 'lock-misuse', message: `${build.actor.name} finishes inside a read-side section (${where} without unlock)` });
    }
    return checks;
  }

  /** Fills in the late parts once every reader and waiter is known. */
  patch(): void {
    const ctx = this.lw.ctx;
    for (const domain of this.domains.values()) {
      const readers = [...domain.depths.entries()];
      for (const [, depth] of readers) {
        const bound = depth.bounds.length;
        for (const node of depth.bounds) node.value = bound;
        ctx.variables[depth.variable].domain = bound + 1;
      }
      const bit = (waiter: number, waiterName: string, reader: number): number => {
        let row = domain.bits.get(waiter);
        if (!row) domain.bits.set(waiter, (row = new Map()));
        let v = row.get(reader);
        if (v === undefined) {
          v = ctx.addVariable(`${waiterName}.waits(${ctx.actors[reader].name})`, 'flag', 2, 0, -1, waiter);
          row.set(reader, v);
        }
        return v;
      };
      const inside = (reader: number): Expr => bin('>', read(domain.depths.get(reader)!.variable), constant(0));
      const snapshotOps = (waiter: number, waiterName: string): Op[] =>
        readers.map(([reader]) => ({ k: 'if', cond: inside(reader), then: [{ k: 'assign', v: bit(waiter, waiterName, reader), value: constant(1) }], else: [] }) as Op);
      const over = (waiter: number, waiterName: string): Expr =>
        readers.map(([reader]) => bin('==', read(bit(waiter, waiterName, reader)), constant(0))).reduce((all: Expr, e) => bin('&&', all, e), constant(1));
      const anyInside = readers.map(([reader]) => inside(reader)).reduce((any: Expr, e) => bin('||', any, e), constant(0));
      for (const sync of domain.syncs) {
        const waiter = sync.build.actor.index;
        sync.idle.guard = readers.length > 0 ? not(anyInside) : constant(1);
        sync.snapshot.guard = anyInside;
        sync.snapshot.ops.push(...snapshotOps(waiter, sync.build.actor.name));
        sync.wait.guard = over(waiter, sync.build.actor.name);
      }
      for (const callback of domain.callbacks) {
        const waiter = callback.handler.build.actor.index;
        callback.snapshot.then.push(...snapshotOps(waiter, callback.handler.spec.name));
        callback.guard.r = over(waiter, callback.handler.spec.name);
      }
      for (const unlock of domain.unlocks) {
        for (const [, row] of domain.bits) {
          const v = row.get(unlock.actor);
          if (v !== undefined) unlock.op.then.push({ k: 'assign', v, value: constant(0) });
        }
        if (domain.name === 'rcu') {
          for (const tag of this.tagsByActor.get(unlock.actor) ?? []) {
            unlock.op.then.push({ k: 'if', cond: bin('==', read(tag), constant(TAG_PROTECTED)), then: [{ k: 'assign', v: tag, value: constant(TAG_EXPIRED) }], else: [] });
          }
        }
      }
      for (const barrier of domain.barriers) {
        const saved = ctx.current;
        ctx.current = barrier.build;
        const variables = domain.callbacks.map((callback) => {
          const v = this.lw.handlers.barrier(callback.handler);
          barrier.arm.then.push(...this.lw.handlers.arm(callback.handler, v));
          return v;
        });
        ctx.current = saved;
        barrier.wait.guard = variables.map((v) => bin('==', read(v), constant(0))).reduce((all: Expr, e) => bin('&&', all, e), constant(1));
      }
    }
  }
}

