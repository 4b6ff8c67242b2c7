// Lowers one variant of a checked `.lifetime` file into the transition system of `ir.ts`.
//
// Each family of constructs has its own module: declarations (declare.ts), places and access
// checks (places.ts), expressions and conditions (expressions.ts, conditions.ts), object and member
// steps (memory.ts), local values (values.ts), locks (locks.ts), devices (devices.ts), ordering
// requirements (orders.ts), control flow and calls (control.ts), and the kernel's mechanisms:
// handlers (handlers.ts) for work items (work.ts), timers (timers.ts) and callbacks; RCU and SRCU
// (rcu.ts), completions (completions.ts), percpu_ref (percpu.ts), modules (modules.ts) and
// lock-coupled puts (coupled.ts). Bounds are patched at the end (bounds.ts), then points are
// numbered (finish.ts). They share the state in context.ts and reach each other through parts.ts.

import { CODES, makeDiagnostic, type Diagnostic } from '../../diagnostics/codes';
import type { ModuleDecl, SourceFile } from '../../syntax/ast';
import type { TransitionSystem } from '../ir';
import { buildVariant, proposalNames } from '../variant';
import { Bounds } from './bounds';
import { Completions } from './completions';
import { LoweringContext, type CBodyTranslator } from './context';
import { Control } from './control';
import { CoupledPuts } from './coupled';
import { declareActors, declareHandlers, declareObjects } from './declare';
import { Devices } from './devices';
import { Expressions } from './expressions';
import { breakAsymmetricGroups, leakChecks, numberPoints, patchDomains } from './finish';
import { Handlers } from './handlers';
import { Locks } from './locks';
import { Memory } from './memory';
import { Modules } from './modules';
import { Orders } from './orders';
import type { Lowering } from './parts';
import { PercpuRefs } from './percpu';
import { Places } from './places';
import { Rcu } from './rcu';
import { Timers } from './timers';
import { Values } from './values';
import { WorkItems } from './work';

export { proposalNames };
export type { CBodyTranslator, CBodyTranslation } from './context';

export interface LowerResult {
  system: TransitionSystem;
  diagnostics: Diagnostic[];
  /** False when part of the variant could not be lowered; its verdict must then be skipped. */
  complete: boolean;
}

export interface LowerOptions {
  /** Translates `c { ... }` bodies; without it, a variant with a C body is not checked. */
  translateC?: CBodyTranslator;
}

function lowerVariant(ctx: LoweringContext, options: LowerOptions): TransitionSystem {
  const lw = { ctx } as Lowering;
  lw.bounds = new Bounds(lw);
  lw.places = new Places(lw);
  lw.orders = new Orders(lw);
  lw.expressions = new Expressions(lw);
  lw.memory = new Memory(lw);
  lw.locks = new Locks(lw);
  lw.devices = new Devices(lw);
  lw.values = new Values(lw);
  lw.handlers = new Handlers(lw);
  lw.work = new WorkItems(lw);
  lw.timers = new Timers(lw);
  lw.rcu = new Rcu(lw);
  lw.completions = new Completions(lw);
  lw.percpu = new PercpuRefs(lw);
  lw.modules = new Modules(lw);
  lw.coupled = new CoupledPuts(lw);
  lw.control = new Control(lw, options.translateC);

  for (const fn of ctx.variant.fns) ctx.fns.set(fn.name.text, fn);
  lw.modules.declare(ctx.file.items.filter((item): item is ModuleDecl => item.kind === 'ModuleDecl'));
  declareObjects(lw, ctx.variant.objects);
  declareActors(ctx);
  declareHandlers(lw, ctx.variant.objects);
  lw.orders.declare();
  // Handlers made while lowering (callbacks) are appended to the builds, and lowered in turn.
  for (let i = 0; i < ctx.builds.length; i++) lw.control.lowerActor(ctx.builds[i]);
  lw.rcu.patch();
  lw.handlers.patch();
  lw.work.patch();
  lw.completions.patch();
  patchDomains(ctx, lw.bounds);
  lw.devices.patch();
  breakAsymmetricGroups(ctx);
  numberPoints(ctx);
  return {
    proposal: ctx.variant.name,
    variables: ctx.variables,
    objects: ctx.objects.map((slot) => slot.info),
    actors: ctx.actors,
    symmetryGroups: ctx.symmetryGroups,
    orders: lw.orders.infos(),
    leakChecks: leakChecks(ctx),
  };
}

/** Lowers the named variant (`baseline` or a proposal) of a file. Never throws on bad input. */
export function lowerModel(file: SourceFile, proposal: string, options: LowerOptions = {}): LowerResult {
  const variant = buildVariant(file, proposal);
  const empty: TransitionSystem = { proposal, variables: [], objects: [], actors: [], symmetryGroups: [], orders: [], leakChecks: [] };
  if (!variant) {
    return {
      system: empty,
      diagnostics: [makeDiagnostic(CODES.unknownProposal, `no proposal named \`${proposal}\``, 0, 0)],
      complete: false,
    };
  }
  const ctx = new LoweringContext(file, variant);
  try {
    const system = lowerVariant(ctx, options);
    return { system, diagnostics: ctx.diagnostics, complete: ctx.complete };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      system: empty,
      diagnostics: [...ctx.diagnostics, makeDiagnostic(CODES.notLowered, `proposal \`${proposal}\` could not be lowered: ${message}`, variant.start, variant.end)],
      complete: false,
    };
  }
}
