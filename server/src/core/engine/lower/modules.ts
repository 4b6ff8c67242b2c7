// Modules: `module M` is a module whose code (procedures and handlers declared `in M`) and static
// data (`static X in M`) die when it is unloaded, so a callback that runs after the unload is a
// use-after-free. `try_module_get M` fails once the unload has begun; `module_put M` drops the
// reference. `unload M { exit }` is refused while M is in use (rmmod fails); otherwise M is going
// (try_module_get fails), its exit code runs, and then its code and data are freed.
//
// A module is lowered as an object `M` (its life is the code's and data's) with a count `M.refs`
// and a state `M.state` (`live`, `going`); it is never a leak.

import type { Identifier, ModuleDecl, Place, UnloadStatement } from '../../syntax/ast';
import { LIFE_FREED, LIFE_LIVE, bin, constant, read, type Expr, type Op } from '../ir';
import type { MemberSlot } from './context';
import type { Lowering } from './parts';

const MODULE_LIVE = 0;
const MODULE_GOING = 1;

export class Modules {
  private readonly byName = new Map<string, number>();

  constructor(private readonly lw: Lowering) {}

  declare(decls: ModuleDecl[]): void {
    const ctx = this.lw.ctx;
    for (const decl of decls) {
      const name = decl.name.text;
      if (decl.name.missing || ctx.objectsByName.has(name) || this.byName.has(name)) continue;
      const index = ctx.objects.length;
      const lifeVar = ctx.addVariable(name, 'life', 3, LIFE_LIVE, index);
      ctx.objects.push({
        info: { index, name, isStatic: false, recyclable: false, unborn: false, lifeVar, generationVar: -1, members: [] },
        members: new Map(),
        longLived: true,
        module: -1,
      });
      const slot = ctx.objects[index];
      const refs: MemberSlot = { name: 'refs', kind: 'ref', variable: ctx.addVariable(`${name}.refs`, 'ref', 1, 0, index) };
      const state: MemberSlot = { name: 'state', kind: 'state', variable: ctx.addVariable(`${name}.state`, 'state', 2, MODULE_LIVE, index, -1, { values: ['live', 'going'] }) };
      for (const member of [refs, state]) {
        slot.members.set(member.name, member);
        slot.info.members.push({ name: member.name, variable: member.variable });
      }
      this.byName.set(name, index);
    }
  }

  /** The object index of the module `in M` names, or -1. */
  indexOf(name: Identifier | undefined): number {
    if (!name || name.missing) return -1;
    return this.byName.get(name.text) ?? -1;
  }

  private module(target: Place): { index: number; refs: number; state: number; life: number } {
    const ctx = this.lw.ctx;
    const index = target.segments.length === 1 ? this.byName.get(target.segments[0].text) : undefined;
    if (index === undefined) throw ctx.fail(`\`${ctx.sourceText(target)}\` is not a module`, target);
    const slot = ctx.objects[index];
    return { index, refs: slot.members.get('refs')!.variable, state: slot.members.get('state')!.variable, life: slot.info.lifeVar };
  }

  private loadedCheck(life: number, text: string, what: string): Op {
    return { k: 'check', cond: bin('!=', read(life), constant(LIFE_FREED)), kind: 'use-after-free', message: `${what}: module ${text} was unloaded` };
  }

  /** `try_module_get M` as a condition. */
  tryGet(target: Place, whenTrue: Op[], whenFalse: Op[], what: string): Op[] {
    const { refs, state, life } = this.module(target);
    const bounds = this.lw.bounds;
    bounds.noteGet(refs);
    return [
      this.loadedCheck(life, target.segments[0].text, what),
      {
        k: 'if',
        cond: bin('==', read(state), constant(MODULE_LIVE)),
        then: [bounds.capCheck(refs, what), { k: 'assign', v: refs, value: bin('+', read(refs), constant(1)) }, ...whenTrue],
        else: whenFalse,
      },
    ];
  }

  /** `module_put M`. */
  put(target: Place, what: string): Op[] {
    const { refs, life } = this.module(target);
    return [
      this.loadedCheck(life, target.segments[0].text, what),
      { k: 'check', cond: bin('!=', read(refs), constant(0)), kind: 'refcount-underflow', message: `${what}: the module count is already 0` },
      { k: 'assign', v: refs, value: bin('-', read(refs), constant(1)) },
    ];
  }

  /** `unload M { exit }`: refused in use; else going, the exit code, then freed. */
  lowerUnload(s: UnloadStatement, cur: number, exitCode: (entry: number) => number): number {
    const ctx = this.lw.ctx;
    const { index, refs, state, life } = this.module(s.module);
    const name = ctx.objects[index].info.name;
    const next = ctx.newPoint();
    const entry = ctx.newPoint();
    const free: Expr = bin('&&', bin('==', read(refs), constant(0)), bin('==', read(state), constant(MODULE_LIVE)));
    ctx.addTransition(
      cur,
      undefined,
      [{ k: 'if', cond: free, then: [{ k: 'assign', v: state, value: constant(MODULE_GOING) }, { k: 'goto', pc: entry }], else: [{ k: 'goto', pc: next }] }],
      entry,
      { start: s.start, end: s.module.end },
      `unload ${name}`,
    );
    const build = ctx.current;
    const saved = build.codeModule;
    build.codeModule = index;
    const exit = exitCode(entry);
    build.codeModule = saved;
    ctx.addTransition(exit, undefined, [{ k: 'assign', v: life, value: constant(LIFE_FREED) }], next, { start: s.start, end: s.module.end }, `unload ${name}: its code and data are freed`);
    return next;
  }
}
