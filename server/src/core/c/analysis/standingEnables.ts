import type { ApiTable } from '../apiTable';
import type { CFunction } from '../cir';
import { exprKey } from '../keys';
import type { Res } from '../state';
import { lastMember } from './fileFacts';

// A standing enable: the regulator, clock or runtime-PM enable that a bound device keeps while it is
// powered. A PM resume callback (or a `*_power_up` helper) takes it, and the next suspend, power-down
// or `remove()` drops it unconditionally, so an error return that keeps it is balanced by design:
// undoing it there would make that later release unbalanced.

/** Families of the enables a device keeps between a resume and the next suspend. */
const STANDING_FAMILIES: ReadonlySet<string> = new Set([
  'regulator_enable',
  'regulator_bulk_enable',
  'clk_enable',
  'clk_en',
  'clk_prepare',
  'clk_bulk_enable',
  'clk_bulk_en',
  'clk_bulk_prepare',
  'pm_runtime_enable',
]);

/** What the file says about its power callbacks. */
export interface PowerCallbacks {
  /** Functions named as resume callbacks in a PM ops table or initialiser of the file. */
  resumeCallbacks: Set<string>;
  /** For each function, the standing enables it releases, as `family|last member` (`regulator_enable|vdd`). */
  standingReleases: Map<string, Set<string>>;
}

// `SIMPLE_DEV_PM_OPS(name, suspend, resume)`, `SET_SYSTEM_SLEEP_PM_OPS(suspend, resume)`,
// `RUNTIME_PM_OPS(suspend, resume, idle)`, `DEFINE_RUNTIME_DEV_PM_OPS(name, suspend, resume, idle)`...
const PM_OPS_MACRO = /\b((?:DEFINE_|EXPORT_(?:NS_)?(?:GPL_)?)?(?:SIMPLE|RUNTIME|UNIVERSAL)_DEV_PM_OPS|(?:SET_)?(?:LATE_|NOIRQ_)?SYSTEM_SLEEP_PM_OPS|(?:SET_)?RUNTIME_PM_OPS)\s*\(([^;{}()]*)\)/g;
// `.resume = foo_resume,` and its variants in a `dev_pm_ops` or bus driver initialiser.
const RESUME_FIELD = /\.\s*(?:runtime_resume|resume(?:_early|_noirq)?|restore(?:_early|_noirq)?|thaw(?:_early|_noirq)?)\s*=\s*&?\s*([A-Za-z_][A-Za-z0-9_]*)/g;

export function collectResumeCallbacks(text: string): Set<string> {
  const names = new Set<string>();
  if (!/PM_OPS|resume|restore|thaw/.test(text)) return names;
  PM_OPS_MACRO.lastIndex = 0;
  for (let match = PM_OPS_MACRO.exec(text); match; match = PM_OPS_MACRO.exec(text)) {
    const args = match[2].split(',').map((a) => a.trim());
    // The macros that define a table name it first; the others start with the suspend callback.
    const resume = match[1].includes('DEV_PM_OPS') ? args[2] : args[1];
    if (resume !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(resume) && resume !== 'NULL') names.add(resume);
  }
  RESUME_FIELD.lastIndex = 0;
  for (let match = RESUME_FIELD.exec(text); match; match = RESUME_FIELD.exec(text)) if (match[1] !== 'NULL') names.add(match[1]);
  return names;
}

/** The standing enables each function releases by a direct call of the table. */
export function collectStandingReleases(functions: CFunction[], table: ApiTable): Map<string, Set<string>> {
  const releases = new Map<string, Set<string>>();
  for (const fn of functions) {
    for (const call of fn.calls) {
      const entry = table.byName.get(call.callee);
      if (!entry || entry.effect !== 'release' || typeof entry.object !== 'number') continue;
      const family = entry.families.find((f) => STANDING_FAMILIES.has(f));
      const arg = call.args[entry.object];
      const key = family !== undefined && arg ? exprKey(arg) : undefined;
      if (family === undefined || key === undefined) continue;
      const set = releases.get(fn.name) ?? new Set<string>();
      set.add(`${family}|${lastMember(key)}`);
      releases.set(fn.name, set);
    }
  }
  return releases;
}

const POWER_UP = /^(.*)_(power_up|power_on|poweron|resume)$/;
const POWER_DOWN_SUFFIXES = ['power_down', 'power_off', 'poweroff', 'suspend'];

/**
 * Whether `res` is a standing enable that the function may keep at an error return: the function is a
 * resume callback, or a power-up helper whose counterpart (`*_power_down`, `*_suspend`) releases the
 * same resource; and it undoes none of its standing enables itself (a resume that drops one clock on
 * failure but forgets the regulator has an incomplete unwind, and stays a finding).
 */
export function isStandingEnable(callbacks: PowerCallbacks, fnName: string, releasedAnywhere: ReadonlySet<string>, res: Res): boolean {
  if (!STANDING_FAMILIES.has(res.family) || res.local) return false;
  for (const released of releasedAnywhere) if (STANDING_FAMILIES.has(released.slice(0, released.indexOf('|')))) return false;
  if (callbacks.resumeCallbacks.has(fnName)) return true;
  const up = POWER_UP.exec(fnName);
  if (!up) return false;
  const members = new Set(res.names.map((n) => `${res.family}|${lastMember(n)}`));
  return POWER_DOWN_SUFFIXES.some((suffix) => [...(callbacks.standingReleases.get(`${up[1]}_${suffix}`) ?? [])].some((k) => members.has(k)));
}
