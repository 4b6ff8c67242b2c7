// Workspace trust. A workspace is untrusted until the client says otherwise: the VS Code client
// passes `workspaceTrusted` in the initialization options and sends `lifetime/workspaceTrusted`
// when the user grants trust; another client that says nothing is treated as untrusted. In an
// untrusted workspace the settings that name files are ignored and the budgets are capped at the
// defaults, so that a cloned repository's settings cannot make the server read outside the
// workspace or search without bound.

import { DEFAULT_BUDGETS } from '../core/engine/budgets';
import type { LifetimeSettings } from './settings';

/** The notification the client sends when the user trusts the workspace. */
export const WORKSPACE_TRUSTED = 'lifetime/workspaceTrusted';

/** Whether the initialization options say the workspace is trusted (only an explicit `true` does). */
export function trustedByInitializationOptions(options: unknown): boolean {
  return options !== null && typeof options === 'object' && (options as { workspaceTrusted?: unknown }).workspaceTrusted === true;
}

export interface RestrictedSettings {
  settings: LifetimeSettings;
  /** The settings ignored or capped, as `lifetime.*` names; empty when nothing was restricted. */
  restricted: string[];
}

/** The settings as they apply in an untrusted workspace. */
export function restrictUntrusted(settings: LifetimeSettings): RestrictedSettings {
  const restricted: string[] = [];
  const result = { ...settings, cApiFiles: [...settings.cApiFiles] };
  if (result.cApiFiles.length > 0) {
    result.cApiFiles = [];
    restricted.push('lifetime.c.apiFiles');
  }
  if (result.maxStates > DEFAULT_BUDGETS.maxStates) {
    result.maxStates = DEFAULT_BUDGETS.maxStates;
    restricted.push('lifetime.check.maxStates');
  }
  if (result.timeoutMs > DEFAULT_BUDGETS.timeoutMs) {
    result.timeoutMs = DEFAULT_BUDGETS.timeoutMs;
    restricted.push('lifetime.check.timeoutMs');
  }
  // SPIN compiles and runs a program (pan) with gcc; a cloned repository's settings may not start one.
  if (result.backend !== 'engine') {
    result.backend = 'engine';
    restricted.push('lifetime.check.backend');
  }
  return { settings: result, restricted };
}

/** The one message that says what an untrusted workspace does not get. */
export function untrustedMessage(restricted: string[]): string {
  return (
    `Lifetime: this workspace is not trusted, so ${restricted.join(', ')} ${restricted.length === 1 ? 'is' : 'are'} ignored ` +
    '(API files are not read; budgets above the defaults are capped at the defaults; models are checked by the engine, not SPIN). Trust the workspace to use them.'
  );
}
