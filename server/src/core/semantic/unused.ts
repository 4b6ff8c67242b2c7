// Unused declarations: objects, procedures, members, parameters and locals that nothing refers to.
// Threads, devices and proposals run by themselves, so they are never unused. A name starting with
// `_` is unused on purpose.

import { CODES } from '../diagnostics/codes';
import type { CheckContext } from './context';
import type { Declaration, DeclarationKind } from './model';

const REPORTED: ReadonlySet<DeclarationKind> = new Set(['object', 'static', 'fn', 'member', 'param', 'local']);

function describe(declaration: Declaration): string {
  switch (declaration.kind) {
    case 'fn':
      return 'procedure';
    case 'param':
      return 'parameter';
    case 'local':
      return declaration.localKind === 'bool' || declaration.localKind === 'int' ? 'local' : 'handle';
    default:
      return declaration.kind;
  }
}

export function reportUnused(ctx: CheckContext, namesInC: ReadonlySet<string>): void {
  const saved = ctx.viewSuffix;
  ctx.viewSuffix = undefined;
  for (const declaration of ctx.declarations) {
    if (!REPORTED.has(declaration.kind) || declaration.name.startsWith('_') || namesInC.has(declaration.name)) continue;
    if (ctx.duplicates.has(declaration.id)) continue;
    if (usedCount(ctx, declaration.id) > 0) continue;
    const where = declaration.proposal ? ` in proposal ${declaration.proposal}` : '';
    const owner = declaration.container !== undefined ? ctx.declarations[declaration.container] : undefined;
    const of = declaration.kind === 'member' && owner ? ` of '${owner.name}'` : declaration.kind === 'param' && owner ? ` of '${owner.name}'` : '';
    ctx.report(CODES.unused, `${describe(declaration)} '${declaration.name}'${of}${where} is never used`, declaration.nameStart, declaration.nameEnd);
  }
  ctx.viewSuffix = saved;
}

function usedCount(ctx: CheckContext, id: number): number {
  return ctx.referenceCounts[id];
}
