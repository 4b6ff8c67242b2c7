// Devices: actors that, while running, may issue a DMA to any of their targets at any moment. A DMA
// is two steps, issue (resolves the target place) and complete (accesses the object), so `stop`
// can leave one in flight; `quiesce` waits for it. In-flight codes are blocks of generations per
// target, laid out once every alloc site is known.

import type { DeviceDecl, Place } from '../../syntax/ast';
import { LIFE_FREED, LIFE_UNALLOCATED, bin, constant, read, type DmaTargetInfo, type Expr, type Op } from '../ir';
import { LoweringError, type ActorBuild, type LoweringContext, type Resolved, type Step } from './context';
import type { Lowering } from './parts';

export class Devices {
  private readonly ctx: LoweringContext;

  constructor(private readonly lw: Lowering) {
    this.ctx = lw.ctx;
  }

  /** `start D`, `stop D`, `quiesce D`. */
  step(target: Place, op: 'start' | 'stop' | 'quiesce', what: string): Step {
    const ctx = this.ctx;
    const deviceIndex = ctx.devicesByName.get(target.segments[0]?.text ?? '');
    if (deviceIndex === undefined) throw ctx.fail(`\`${ctx.sourceText(target)}\` is not a device`, target);
    const device = ctx.actors[deviceIndex].device!;
    const key = `${op}:d${deviceIndex}`;
    if (op === 'start') return this.lw.orders.around({ ops: [{ k: 'assign', v: device.runningVar, value: constant(1) }] }, key, what);
    if (op === 'stop') return this.lw.orders.around({ ops: [{ k: 'assign', v: device.runningVar, value: constant(0) }] }, key, what);
    return this.lw.orders.around(
      { guard: bin('==', read(device.inflightVar), constant(0)), ops: [{ k: 'assign', v: device.runningVar, value: constant(0) }] },
      key,
      what,
    );
  }

  /** The device's single program point: one issue transition per target, and one completion. */
  lower(build: ActorBuild): void {
    const ctx = this.ctx;
    const actor = build.actor;
    const device = actor.device!;
    const decl = ctx.variant.devices.find((d) => d.name.text === actor.name) as DeviceDecl;
    const point = ctx.newPoint();
    build.entry = point;
    build.end = -1;
    let base = 0;
    for (const target of decl.targets) {
      let resolved: Resolved;
      try {
        resolved = this.lw.places.asObject(this.lw.places.resolve(target.target), target.target);
      } catch (error) {
        if (!(error instanceof LoweringError)) throw error;
        continue;
      }
      const text = ctx.sourceText(target.target);
      const last = resolved.hops.at(-1)!;
      const info: DmaTargetInfo = { text, object: last.object, base, generations: 1 };
      device.targets.push(info);
      const what = `dma issue ${text}`;
      const checks = this.lw.places.hopChecks(resolved.hops, resolved.hops.length - 1, what, 'dma-after-free');
      const capture: Expr = this.lw.places.pointerValue(last);
      const assign: Op = { k: 'assign', v: device.inflightVar, value: bin('+', capture, constant(base)) };
      const ops: Op[] =
        last.via >= 0 ? [...checks, { k: 'if', cond: bin('!=', read(last.via), constant(0)), then: [assign], else: [] }] : [...checks, assign];
      const guard = bin('&&', bin('!=', read(device.runningVar), constant(0)), bin('==', read(device.inflightVar), constant(0)));
      ctx.addTransition(point, guard, ops, point, target, what);
      base += 1; // Patched to the real generation count in `patch`.
    }
    if (device.targets.length === 0) return;
    ctx.addTransition(point, bin('!=', read(device.inflightVar), constant(0)), [], point, decl.name, 'dma complete');
  }

  /** Lays out the in-flight codes of every device: each target gets a block of `generations` codes. */
  patch(): void {
    const ctx = this.ctx;
    for (const build of ctx.builds) {
      const device = build.actor.device;
      if (!device) continue;
      let base = 0;
      const issues = build.points[0]?.transitions.filter((t) => t.event.startsWith('dma issue')) ?? [];
      device.targets.forEach((target, i) => {
        target.base = base;
        target.generations = this.lw.bounds.generations(target.object);
        const issue = issues[i];
        if (issue) patchBase(issue.ops, device.inflightVar, base);
        base += target.generations;
      });
      ctx.variables[device.inflightVar].domain = base + 1;
      const complete = build.points[0]?.transitions.find((t) => t.event === 'dma complete');
      if (complete) complete.ops = this.completeOps(device.targets, device.inflightVar);
    }
  }

  private completeOps(targets: DmaTargetInfo[], inflightVar: number): Op[] {
    const ops: Op[] = [];
    for (const target of targets) {
      const object = this.ctx.objects[target.object].info;
      const inRange = bin('&&', bin('>', read(inflightVar), constant(target.base)), bin('<=', read(inflightVar), constant(target.base + target.generations)));
      const body: Op[] = [];
      if (!object.isStatic) {
        body.push({ k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_FREED)), kind: 'dma-after-free', message: `dma complete ${target.text}: ${object.name} was freed` });
        if (object.unborn) {
          body.push({ k: 'check', cond: bin('!=', read(object.lifeVar), constant(LIFE_UNALLOCATED)), kind: 'dma-after-free', message: `dma complete ${target.text}: ${object.name} is not allocated` });
        }
        if (object.recyclable) {
          body.push({
            k: 'check',
            cond: bin('==', read(object.generationVar), bin('-', read(inflightVar), constant(target.base + 1))),
            kind: 'stale-access',
            message: `dma complete ${target.text}: ${object.name} was freed and reallocated since the DMA was issued`,
          });
        }
      }
      ops.push({ k: 'if', cond: inRange, then: body, else: [] });
    }
    ops.push({ k: 'assign', v: inflightVar, value: constant(0) });
    return ops;
  }
}

function patchBase(ops: Op[], inflightVar: number, base: number): void {
  for (const op of ops) {
    if (op.k === 'assign' && op.v === inflightVar && op.value.k === 'bin' && op.value.r.k === 'const') {
      op.value = { ...op.value, r: constant(base) };
    } else if (op.k === 'if') {
      patchBase(op.then, inflightVar, base);
      patchBase(op.else, inflightVar, base);
    }
  }
}
