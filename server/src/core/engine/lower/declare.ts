// Declarations: the variables of every object and its members, and the actors (thread instances
// and devices) with their program counters.

import type { ObjectDecl } from '../../syntax/ast';
import { LIFE_LIVE, LIFE_UNALLOCATED, type ObjectInfo } from '../ir';
import type { LoweringContext, MemberSlot, ObjectSlot } from './context';
import type { Lowering } from './parts';

export function declareObjects(lw: Lowering, decls: ObjectDecl[]): void {
  const ctx = lw.ctx;
  const first = ctx.objects.length;
  for (const decl of decls) {
    const index = ctx.objects.length;
    const name = decl.name.text;
    const recyclable = decl.modifiers.some((m) => m.name === 'recyclable') && !decl.isStatic;
    const unborn = decl.modifiers.some((m) => m.name === 'unborn') && !decl.isStatic;
    const longLived = decl.modifiers.some((m) => m.name === 'long-lived') && !decl.isStatic;
    const lifeVar = ctx.addVariable(name, 'life', 3, unborn ? LIFE_UNALLOCATED : LIFE_LIVE, index);
    const generationVar = recyclable ? ctx.addVariable(`${name}#gen`, 'generation', 1, 0, index) : -1;
    const info: ObjectInfo = { index, name, isStatic: decl.isStatic, recyclable, unborn, lifeVar, generationVar, members: [] };
    ctx.objects.push({ info, members: new Map(), longLived, module: decl.isStatic ? lw.modules.indexOf(decl.module) : -1 });
    ctx.objectsByName.set(name, index);
  }
  decls.forEach((decl, i) => declareMembers(lw, decl, ctx.objects[first + i]));
}

/** The handler actors of work items, timers and percpu_refs, after the threads and devices. */
export function declareHandlers(lw: Lowering, decls: ObjectDecl[]): void {
  decls.forEach((decl) => {
    const slot = lw.ctx.objects[lw.ctx.objectsByName.get(decl.name.text) ?? -1];
    if (!slot || slot.info.name !== decl.name.text) return;
    lw.work.declareWorkers(decl, slot);
    lw.timers.declareHandlers(decl, slot);
    lw.percpu.declareConfirmations(decl, slot);
  });
}

function declareMembers(lw: Lowering, decl: ObjectDecl, slot: ObjectSlot): void {
  const ctx = lw.ctx;
  const objectName = slot.info.name;
  const index = slot.info.index;
  for (const member of decl.members) {
    if (member.kind === 'Error' || member.name.missing) continue;
    const name = member.name.text;
    const full = `${objectName}.${name}`;
    let memberSlot: MemberSlot;
    switch (member.kind) {
      case 'RefMember': {
        const initial = Math.max(0, member.initial?.value ?? 1);
        const variable = ctx.addVariable(full, 'ref', initial + 1, initial, index);
        memberSlot = { name, kind: 'ref', variable, onZero: member.onZero };
        break;
      }
      case 'LockMember':
        memberSlot = { name, kind: 'lock', variable: ctx.addVariable(full, 'lockOwner', 1, 0, index) };
        break;
      case 'FlagMember':
        memberSlot = { name, kind: 'flag', variable: ctx.addVariable(full, 'flag', 2, member.initial?.value ? 1 : 0, index) };
        break;
      case 'StateMember': {
        const values = member.values.map((v) => v.text);
        if (values.length === 0) values.push('none');
        const initial = member.initial ? Math.max(0, values.indexOf(member.initial.text)) : 0;
        memberSlot = {
          name,
          kind: 'state',
          variable: ctx.addVariable(full, 'state', values.length, initial, index, -1, { values }),
        };
        break;
      }
      case 'IntMember': {
        const low = member.rangeLow?.value ?? 0;
        const high = Math.max(low, member.rangeHigh?.value ?? 7);
        const initial = Math.min(high, Math.max(low, member.initial?.value ?? Math.max(low, Math.min(0, high))));
        const variable = ctx.addVariable(full, 'int', high - low + 1, initial - low, index, -1, { offset: low });
        memberSlot = { name, kind: 'int', variable, low, high };
        break;
      }
      case 'PtrMember': {
        const target = ctx.objectsByName.get(member.target.text);
        if (target === undefined) {
          ctx.unsupported(`pointer ${full} points to \`${member.target.text}\`, which is not an object`, member);
          continue;
        }
        const initial = member.initial && member.initial.kind === 'Identifier' ? 1 : 0;
        memberSlot = { name, kind: 'ptr', variable: ctx.addVariable(full, 'ptr', 2, initial, index, -1, { target }) };
        break;
      }
      case 'HandlerMember':
        memberSlot = member.mechanism === 'work' ? lw.work.declareMember(slot, name, 'work') : lw.timers.declareMember(slot, name);
        break;
      case 'PercpuRefMember':
        memberSlot = lw.percpu.declareMember(slot, member);
        break;
      case 'SyncMember':
        if (member.mechanism === 'completion') memberSlot = lw.completions.declareMember(slot, name);
        else if (member.mechanism === 'workqueue') memberSlot = lw.work.declareMember(slot, name, 'workqueue');
        else memberSlot = { name, kind: 'srcu', variable: ctx.addVariable(full, 'flag', 1, 0, index) };
        break;
    }
    slot.members.set(name, memberSlot);
    slot.info.members.push({ name, variable: memberSlot.variable });
  }
}

/** One actor per thread instance, then one per device. */
export function declareActors(ctx: LoweringContext): void {
  for (const thread of ctx.variant.threads) {
    const count = thread.count ? Math.max(1, Math.min(64, thread.count.value)) : 1;
    const group = thread.count ? ctx.symmetryGroups.length : -1;
    if (thread.count) ctx.symmetryGroups.push({ name: thread.name.text, actors: [] });
    for (let instance = 0; instance < count; instance++) {
      const name = thread.count ? `${thread.name.text}[${instance}]` : thread.name.text;
      const { actor } = ctx.addActor(name, thread, { symmetryGroup: group, instance });
      if (group >= 0) ctx.symmetryGroups[group].actors.push(actor.index);
    }
  }
  for (const device of ctx.variant.devices) {
    const name = device.name.text;
    const { actor } = ctx.addActor(name, device, {
      kind: 'device',
      endPc: -1,
      own: (index) => {
        const runningVar = ctx.addVariable(`${name}.running`, 'running', 2, device.initiallyStopped ? 0 : 1, -1, index);
        const inflightVar = ctx.addVariable(`${name}.inflight`, 'inflight', 1, 0, -1, index);
        return { device: { runningVar, inflightVar, targets: [] } };
      },
    });
    ctx.devicesByName.set(name, actor.index);
  }
}
