// The server's settings under `lifetime.*`, validated. A bad value never stops the server: the
// default is used and a warning names the setting, the value and the default.

import { DEFAULT_BUDGETS } from '../core/engine/budgets';

export type CheckOn = 'change' | 'save' | 'manual';

/** Who searches a model's states: the engine, or SPIN on the model's Promela export (`--backend spin`). */
export type CheckBackend = 'engine' | 'spin';

export interface LifetimeSettings {
  checkOn: CheckOn;
  maxStates: number;
  timeoutMs: number;
  backend: CheckBackend;
  traceExact: boolean;
  cEnable: boolean;
  cApiFiles: string[];
  /** Also show C findings of low confidence, as infos. */
  cAllFindings: boolean;
}

export const DEFAULT_SETTINGS: LifetimeSettings = {
  checkOn: 'change',
  // The CLI's defaults: a file has the same verdict in the editor and in CI.
  maxStates: DEFAULT_BUDGETS.maxStates,
  timeoutMs: DEFAULT_BUDGETS.timeoutMs,
  backend: 'engine',
  traceExact: false,
  cEnable: false,
  cApiFiles: [],
  cAllFindings: false,
};

export interface ValidatedSettings {
  settings: LifetimeSettings;
  warnings: string[];
}

type Reader = (dotted: string) => unknown;

/** Reads `check.on` from either a nested section (`{ check: { on } }`) or flat dotted keys. */
function readerFor(section: Record<string, unknown>): Reader {
  return (dotted) => {
    if (Object.prototype.hasOwnProperty.call(section, dotted)) return section[dotted];
    let value: unknown = section;
    for (const part of dotted.split('.')) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 60) + '…' : text;
  } catch {
    return String(value);
  }
}

/** Validates the `lifetime` configuration section; `raw` may be anything a client sends. */
export function validateSettings(raw: unknown): ValidatedSettings {
  const warnings: string[] = [];
  const settings: LifetimeSettings = { ...DEFAULT_SETTINGS, cApiFiles: [] };
  if (raw === undefined || raw === null) return { settings, warnings };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    warnings.push(`The "lifetime" settings must be an object, not ${describe(raw)}; using the defaults.`);
    return { settings, warnings };
  }
  const read = readerFor(raw as Record<string, unknown>);
  const reject = (name: string, value: unknown, expected: string, fallback: unknown) =>
    warnings.push(`Setting "lifetime.${name}" has the invalid value ${describe(value)} (expected ${expected}); using the default ${describe(fallback)}.`);

  const on = read('check.on');
  if (on !== undefined) {
    if (on === 'change' || on === 'save' || on === 'manual') settings.checkOn = on;
    else reject('check.on', on, '"change", "save" or "manual"', DEFAULT_SETTINGS.checkOn);
  }
  const maxStates = read('check.maxStates');
  if (maxStates !== undefined) {
    if (typeof maxStates === 'number' && Number.isInteger(maxStates) && maxStates >= 1 && maxStates <= 1e9) settings.maxStates = maxStates;
    else reject('check.maxStates', maxStates, 'a whole number from 1 to 1000000000', DEFAULT_SETTINGS.maxStates);
  }
  const timeoutMs = read('check.timeoutMs');
  if (timeoutMs !== undefined) {
    if (typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs >= 100 && timeoutMs <= 3_600_000) settings.timeoutMs = Math.round(timeoutMs);
    else reject('check.timeoutMs', timeoutMs, 'a number of milliseconds from 100 to 3600000', DEFAULT_SETTINGS.timeoutMs);
  }
  const backend = read('check.backend');
  if (backend !== undefined) {
    if (backend === 'engine' || backend === 'spin') settings.backend = backend;
    else reject('check.backend', backend, '"engine" or "spin"', DEFAULT_SETTINGS.backend);
  }
  const exact = read('trace.exact');
  if (exact !== undefined) {
    if (typeof exact === 'boolean') settings.traceExact = exact;
    else reject('trace.exact', exact, 'true or false', DEFAULT_SETTINGS.traceExact);
  }
  const cEnable = read('c.enable');
  if (cEnable !== undefined) {
    if (typeof cEnable === 'boolean') settings.cEnable = cEnable;
    else reject('c.enable', cEnable, 'true or false', DEFAULT_SETTINGS.cEnable);
  }
  const allFindings = read('c.allFindings');
  if (allFindings !== undefined) {
    if (typeof allFindings === 'boolean') settings.cAllFindings = allFindings;
    else reject('c.allFindings', allFindings, 'true or false', DEFAULT_SETTINGS.cAllFindings);
  }
  const apiFiles = read('c.apiFiles');
  if (apiFiles !== undefined) {
    if (Array.isArray(apiFiles) && apiFiles.every((file) => typeof file === 'string' && file.length > 0)) settings.cApiFiles = [...apiFiles];
    else reject('c.apiFiles', apiFiles, 'a list of file paths', DEFAULT_SETTINGS.cApiFiles);
  }
  return { settings, warnings };
}
