// The kernel mechanisms in random models: work items, timers, RCU, completions, percpu_ref,
// lock-coupled puts and local values, added to a generated model so that the SPIN differential
// test covers their lowering too. The choices come from a random source of their own, so that a
// seed still yields the same base model as without them.

import { createRandom, type Random } from './random-models';

export interface MechanismParts {
  /** The model's objects; `counted` ones have a count `refs`. */
  objects: { name: string; counted: boolean }[];
  /** The top-level statement lines of each thread body, in place. */
  bodies: string[][];
  /** Members added to the static `g`. */
  staticMembers: string[];
  /** Items added to the model (procedures). */
  items: string[];
}

/** A short handler body for a work item or timer. */
function handlerBody(random: Random, parts: MechanismParts, self: string): string {
  const object = random.pick(parts.objects).name;
  const options = [`use ${object}`, 'set g.f0', 'clear g.f1', 'lock g.m0; unlock g.m0', `use ${object}; set g.f1`];
  if (random.chance(0.2)) options.push(self);
  return random.pick(options);
}

/** Inserts `line` at a random top-level position of a random thread body. */
function insert(random: Random, parts: MechanismParts, line: string, body = random.int(0, parts.bodies.length - 1)): void {
  const lines = parts.bodies[body];
  lines.splice(random.int(0, lines.length), 0, line);
}

/** Adds zero to two mechanisms to the model's parts. */
export function addMechanisms(seed: number, parts: MechanismParts): void {
  const random = createRandom((seed ^ 0x5bd1e995) >>> 0);
  if (!random.chance(0.45) || parts.bodies.length === 0) return;
  const count = random.int(1, 2);
  const kinds = ['work', 'timer', 'rcu', 'completion', 'percpu', 'locals', 'coupled'];
  for (let i = 0; i < count; i++) {
    const kind = kinds.splice(random.int(0, kinds.length - 1), 1)[0];
    switch (kind) {
      case 'work': {
        parts.staticMembers.push(`work w { ${handlerBody(random, parts, 'queue_work g.w')} }`);
        insert(random, parts, 'queue_work g.w');
        if (random.chance(0.5)) insert(random, parts, 'queue_work g.w');
        const stop = random.pick(['cancel_work_sync g.w', 'flush_work g.w', 'cancel_work g.w', 'disable_work_sync g.w', 'cancel_work_sync g.w']);
        insert(random, parts, stop);
        break;
      }
      case 'timer': {
        parts.staticMembers.push(`timer t { ${handlerBody(random, parts, 'mod_timer g.t')} }`);
        insert(random, parts, random.pick(['mod_timer g.t', 'mod_timer g.t', 'add_timer g.t']));
        insert(random, parts, random.pick(['del_timer g.t', 'del_timer_sync g.t', 'timer_shutdown_sync g.t']));
        break;
      }
      case 'rcu': {
        const object = random.pick(parts.objects).name;
        insert(random, parts, `rcu_read_lock; use ${object}; rcu_read_unlock`);
        const update = random.pick(['synchronize_rcu', 'call_rcu', 'call_rcu', 'kfree_rcu']);
        if (update === 'call_rcu') {
          parts.items.push(`fn rcu_cb(x) { ${random.pick(['use x', 'set g.f0', 'use x; set g.f1'])} }`);
          insert(random, parts, `call_rcu rcu_cb(${object})`);
          if (random.chance(0.4)) insert(random, parts, 'rcu_barrier');
        } else if (update === 'kfree_rcu') {
          const uncounted = parts.objects.filter((o) => !o.counted);
          insert(random, parts, uncounted.length > 0 ? `kfree_rcu ${random.pick(uncounted).name}` : 'synchronize_rcu');
        } else {
          insert(random, parts, 'synchronize_rcu');
        }
        break;
      }
      case 'completion': {
        parts.staticMembers.push('completion c');
        insert(random, parts, random.pick(['complete g.c', 'complete g.c', 'complete_all g.c']));
        const object = random.pick(parts.objects).name;
        insert(random, parts, random.pick(['wait_for_completion g.c', `if wait_for_completion_timeout g.c { use ${object} }`, 'reinit_completion g.c']));
        break;
      }
      case 'percpu': {
        parts.staticMembers.push(`percpu_ref p on zero set g.f1`);
        insert(random, parts, random.pick(['if tryget_live g.p { set g.f0; put g.p }', 'get g.p; put g.p', 'if tryget_live g.p { put g.p }']));
        insert(random, parts, 'percpu_ref_kill g.p');
        break;
      }
      case 'locals': {
        const counted = parts.objects.filter((o) => o.counted);
        if (counted.length === 0) break;
        const object = random.pick(counted).name;
        insert(random, parts, `let ok${i} = tryget ${object}.refs; if ok${i} { use ${object}; put ${object}.refs }`);
        break;
      }
      case 'coupled': {
        const counted = parts.objects.filter((o) => o.counted);
        if (counted.length === 0) break;
        // The last put of an owner, made under g.m1 when it drops the count to zero.
        const object = random.pick(counted).name;
        for (const lines of parts.bodies) {
          const at = lines.lastIndexOf(`put ${object}.refs`);
          if (at >= 0 && random.chance(0.7)) lines[at] = `put ${object}.refs locking g.m1`;
        }
        break;
      }
    }
  }
}
