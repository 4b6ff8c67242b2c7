// The server's custom messages, as the client sees them (the shapes match server/src/lsp).

export interface StatusNotification {
  uri: string;
  version: number;
  state: 'idle' | 'checking' | 'safe' | 'violation' | 'incomplete' | 'error' | 'invalid';
  text: string;
}

// The trace view's data is built by the core; only its type crosses over (erased when bundled).
export type { TraceViewBlocked, TraceViewData, TraceViewStep, TraceViewViolation } from '../../server/src/core/features/traceView';

export const STATUS = 'lifetime/status';
export const TRACE = 'lifetime/trace';
export const CHECK = 'lifetime/check';
export const PROMELA = 'lifetime/promela';
/** Sent when the user trusts the workspace: the server then applies every setting. */
export const WORKSPACE_TRUSTED = 'lifetime/workspaceTrusted';
