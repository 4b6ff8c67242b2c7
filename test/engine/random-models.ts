// A seeded generator of small, valid `.lifetime` models for differential testing.
//
// Each model has a few threads, one or two objects with reference counts and on-zero frees, a
// static holding locks, flags and a bounded counter, and sometimes a device that DMAs into an
// object. Statements are drawn at random but kept well formed: locks are mostly taken and released
// in pairs, atomic blocks never block, and every name used is declared. The same seed always
// yields the same text, so a failing model can be replayed from its seed alone.

import { addMechanisms, type MechanismParts } from './random-mechanisms';

/** A small deterministic random source (mulberry32). */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [low, high], both included. */
  int(low: number, high: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

export interface GeneratorOptions {
  /** Largest number of threads (at least 1). Default 3. */
  maxThreads?: number;
  /** Largest number of top-level statements per thread. Default 4. */
  maxStatements?: number;
  /** Whether models may contain a device. Default true. */
  devices?: boolean;
  /** Whether models may declare a thread array (`thread w[2]`). Default true. */
  threadArrays?: boolean;
  /** Whether models may contain an ordering requirement. Default true. */
  orders?: boolean;
  /** Whether models may contain recyclable objects, `alloc` and `let` handles. Default true. */
  recycling?: boolean;
  /** Whether threads may loop: spin-waits on a flag and trylock retries (for the livelock check). Default true. */
  loops?: boolean;
  /** Whether models may contain the kernel mechanisms (see random-mechanisms.ts). Default true. */
  mechanisms?: boolean;
}

export interface GeneratedModel {
  seed: number;
  text: string;
}

interface ObjectShape {
  name: string;
  /** Whether the object has a reference count `refs` whose on-zero action frees it. */
  counted: boolean;
  recyclable: boolean;
}

interface Context {
  random: Random;
  objects: ObjectShape[];
  device?: string;
  locks: string[];
  flags: string[];
  recycling: boolean;
  /** Counter for unique handle names within a thread. */
  handles: number;
  /** The counted objects the current thread holds a reference to. */
  owned: ObjectShape[];
  /** What the current thread may use without a race: what it owns, and what it alone frees. */
  usable: ObjectShape[];
  /** The locks the current thread holds at the statement being generated. */
  held: string[];
  loops: boolean;
}

const LOCKS = ['m0', 'm1'];
const FLAGS = ['f0', 'f1'];

/** Generates one model from a seed. */
export function generateModel(seed: number, options: GeneratorOptions = {}): GeneratedModel {
  const random = createRandom(seed);
  const maxThreads = Math.max(1, options.maxThreads ?? 3);
  const maxStatements = Math.max(1, options.maxStatements ?? 4);
  const recycling = (options.recycling ?? true) && random.chance(0.15);

  const objects: ObjectShape[] = [];
  const objectCount = random.int(1, 2);
  for (let i = 0; i < objectCount; i++) {
    objects.push({ name: `o${i}`, counted: random.chance(0.85), recyclable: recycling && i === 0 });
  }
  const device = (options.devices ?? true) && random.chance(0.35) ? 'd0' : undefined;
  const loops = (options.loops ?? true) && random.chance(0.3);
  const ctx: Context = { random, objects, device, locks: LOCKS, flags: FLAGS, recycling, handles: 0, owned: [], usable: [], held: [], loops };

  // Threads come first so that each counted object's initial count can match its owners.
  const threadCount = random.int(Math.min(2, maxThreads), maxThreads);
  const useArray = (options.threadArrays ?? true) && threadCount >= 2 && random.chance(0.15);
  const owners = new Array<number>(objects.length).fill(0);
  const threads: { header: string; lines: string[] }[] = [];
  const bodies = useArray ? 1 : threadCount;
  const freers = objects.map(() => random.int(0, bodies - 1));
  for (let t = 0; t < bodies; t++) {
    ctx.handles = 0;
    ctx.held = [];
    // A thread owns one reference to some counted objects and may use them freely until it drops it.
    ctx.owned = objects.filter((object) => object.counted && (t === 0 || random.chance(0.5)));
    ctx.usable = [...ctx.owned, ...objects.filter((object, index) => !object.counted && freers[index] === t)];
    const lines = threadBody(ctx, random.int(1, maxStatements));
    const instances = useArray ? threadCount : 1;
    objects.forEach((object, index) => {
      if (ctx.owned.includes(object)) {
        // An owner drops the reference it was given, as its last step, most of the time.
        owners[index] += instances;
        if (random.chance(0.95)) lines.push(`put ${object.name}.refs`);
      } else if (!object.counted && t === freers[index] && random.chance(0.85)) {
        lines.push(`free ${object.name}`);
      }
    });
    const header = useArray ? `thread w[${threadCount}]` : `thread t${t}`;
    threads.push({ header, lines });
  }
  const parts: MechanismParts = { objects, bodies: threads.map((thread) => thread.lines), staticMembers: [], items: [] };
  if (options.mechanisms ?? true) addMechanisms(seed, parts);

  const out: string[] = [`model random_${seed >>> 0}`, ''];
  objects.forEach((object, index) => {
    const modifiers = object.recyclable ? ' recyclable' : '';
    if (object.counted) {
      const initial = Math.max(1, owners[index] + (random.chance(0.1) ? 1 : 0) - (random.chance(0.1) ? 1 : 0));
      const action = random.chance(0.25)
        ? `{ set g.${random.pick(FLAGS)}; free ${object.name} }`
        : `free ${object.name}`;
      out.push(`object ${object.name}${modifiers} { ref refs = ${initial} on zero ${action} }`);
    } else {
      out.push(`object ${object.name}${modifiers}`);
    }
  });
  const limit = random.pick([1, 3, 3]);
  const extra = parts.staticMembers.map((member) => `; ${member}`).join('');
  out.push(`static g { lock m0; lock m1; flag f0; flag f1 = ${random.chance(0.3)}; int n = 0 in 0..${limit}${extra} }`);
  out.push(...parts.items);
  if (device) {
    const stopped = random.chance(0.5) ? ' stopped' : '';
    out.push(`device ${device}${stopped} { dma ${random.pick(objects).name} }`);
  }
  if ((options.orders ?? true) && random.chance(0.15)) {
    const target = random.pick(objects).name;
    const first = [`set g.${random.pick(FLAGS)}`, `clear g.${random.pick(FLAGS)}`, `lock g.${random.pick(LOCKS)}`];
    if (device) first.push(`quiesce ${device}`, `stop ${device}`);
    const second = [`free ${target}`, `use ${target}`];
    out.push(`order ${random.pick(first)} before ${random.pick(second)}`);
  }
  out.push('', ...threads.map((thread) => `${thread.header} {\n${indent(thread.lines).join('\n')}\n}`), '');
  return { seed: seed >>> 0, text: out.join('\n') };
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

function threadBody(ctx: Context, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(...statement(ctx, 0));
  return lines;
}

function statements(ctx: Context, depth: number, count: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(...statement(ctx, depth));
  return parts;
}

function block(ctx: Context, depth: number, count: number): string {
  const parts = statements(ctx, depth + 1, count);
  return parts.length === 0 ? '{ }' : `{ ${parts.join('; ')} }`;
}

function statement(ctx: Context, depth: number): string[] {
  const { random } = ctx;
  // Mostly use what the thread owns; a bare use of anything else is how races are written.
  const object = ctx.usable.length > 0 && random.chance(0.92) ? random.pick(ctx.usable) : random.pick(ctx.objects);
  const counted = ctx.objects.filter((o) => o.counted);
  const flag = random.pick(ctx.flags);
  const free = ctx.locks.filter((name) => !ctx.held.includes(name));
  const lock = random.pick(free.length > 0 && random.chance(0.95) ? free : ctx.locks);
  const nested = depth < 1;

  const choices: Array<[number, () => string[]]> = [
    [3, () => [`use ${object.name}`]],
    [object.counted ? 0.2 : 0.5, () => [`free ${object.name}`]],
    [0.3, () => (counted.length ? [`get ${random.pick(counted).name}.refs`] : [`use ${object.name}`])],
    [0.3, () => (counted.length ? [`put ${random.pick(counted).name}.refs`] : [`use ${object.name}`])],
    [
      1.5,
      () => {
        // A nested reference, taken while the thread still owns one.
        if (!ctx.owned.length) return [`use ${object.name}`];
        const target = random.pick(ctx.owned).name;
        return [`get ${target}.refs`, `use ${target}`, `put ${target}.refs`];
      },
    ],
    [
      3,
      () => {
        if (!counted.length) return [`use ${object.name}`];
        // tryget is safe only while something keeps the object allocated: here, the thread's own reference.
        const target = random.pick(ctx.owned.length > 0 && random.chance(0.6) ? ctx.owned : counted).name;
        const body = random.chance(0.85) ? `use ${target}; put ${target}.refs` : `use ${target}`;
        return [`if tryget ${target}.refs { ${body} }`];
      },
    ],
    [
      3,
      () => {
        ctx.held.push(lock);
        const inner = nested ? statements(ctx, depth + 1, random.int(0, 2)) : [`use ${object.name}`];
        ctx.held.pop();
        const unlock = random.chance(0.96) ? [`unlock g.${lock}`] : [];
        return [`lock g.${lock}`, ...inner, ...unlock];
      },
    ],
    [0.2, () => [`unlock g.${lock}`]],
    [2, () => [random.chance(0.7) ? `set g.${flag}` : `clear g.${flag}`]],
    [1, () => [random.chance(0.6) ? `wait until g.${flag}` : `wait until !g.${flag}`]],
    [0.7, () => [random.chance(0.7) ? 'inc g.n' : 'dec g.n']],
    [0.5, () => [`assert g.n <= ${random.int(0, 2)}`]],
    [
      nested ? 2 : 0,
      () => [`choose ${block(ctx, depth, random.int(1, 2))} or ${block(ctx, depth, random.int(0, 2))}`],
    ],
    [nested ? 1 : 0, () => [`maybe ${block(ctx, depth, random.int(1, 2))}`]],
    [nested ? 1 : 0, () => [`if g.${flag} ${block(ctx, depth, 1)} else ${block(ctx, depth, random.int(0, 1))}`]],
    [nested ? 1 : 0, () => [`atomic { ${atomicBody(ctx).join('; ')} }`]],
  ];
  if (ctx.loops) {
    // A spin-wait on a flag, and a trylock retry that then holds the lock for a use.
    choices.push([1, () => [random.chance(0.6) ? `while !g.${flag} { }` : `while g.${flag} { }`]]);
    choices.push([
      1,
      () => {
        ctx.held.push(lock);
        const inner = nested && random.chance(0.5) ? statements(ctx, depth + 1, 1) : [`use ${object.name}`];
        ctx.held.pop();
        return [`while !(trylock g.${lock}) { }`, ...inner, `unlock g.${lock}`];
      },
    ]);
  }
  if (ctx.device) {
    const device = ctx.device;
    choices.push([2, () => [random.pick(['stop', 'quiesce', 'quiesce', 'start']) + ` ${device}`]]);
  }
  if (ctx.recycling) {
    const recyclable = ctx.objects.filter((o) => o.recyclable);
    if (recyclable.length) {
      const target = random.pick(recyclable).name;
      choices.push([1, () => [`alloc ${target}`]]);
      // Recycled in one step, the object is never seen freed: only a stale handle can tell.
      choices.push([1.5, () => (random.chance(0.5) ? [`atomic { free ${target}; alloc ${target} }`] : [`free ${target}`, `alloc ${target}`])]);
      choices.push([
        2,
        () => {
          const handle = `h${ctx.handles++}`;
          return [`let ${handle} = ${target}`, `use ${handle}`];
        },
      ]);
    }
  }
  return weighted(random, choices)();
}

/** Statements that never block, for `atomic { }`. */
function atomicBody(ctx: Context): string[] {
  const { random } = ctx;
  const object = random.pick(ctx.objects).name;
  const options = [`use ${object}`, `set g.${random.pick(ctx.flags)}`, `clear g.${random.pick(ctx.flags)}`, 'inc g.n'];
  const counted = ctx.objects.filter((o) => o.counted);
  if (counted.length) {
    const target = random.pick(counted).name;
    options.push(`get ${target}.refs`);
  }
  const count = random.int(1, 3);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(random.pick(options));
  return out;
}

function weighted<T>(random: Random, choices: Array<[number, T]>): T {
  const total = choices.reduce((sum, [weight]) => sum + weight, 0);
  let roll = random.next() * total;
  for (const [weight, value] of choices) {
    roll -= weight;
    if (roll < 0 && weight > 0) return value;
  }
  return choices[choices.length - 1][1];
}
