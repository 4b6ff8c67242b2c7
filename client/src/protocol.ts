// The server's custom messages, as the client sees them (the shapes match server/src/lsp).

export interface StatusNotification {
  uri: string;
  version: number;
  state: 'idle' | 'checking' | 'safe' | 'violation' | 'incomplete' | 'error' | 'invalid';
  text: string;
}

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface TraceViewStep {
  index: number;
  actor: string;
  actorKind: 'thread' | 'device';
  event: string;
  range: LspRange;
  source: string;
  changed: string[];
  values: string[];
  failing: boolean;
}

export interface TraceViewData {
  proposal: string;
  label: string;
  verdict: string;
  message?: string;
  actors: { name: string; kind: 'thread' | 'device' }[];
  variables: string[];
  initial: string[];
  steps: TraceViewStep[];
}

export const STATUS = 'lifetime/status';
export const TRACE = 'lifetime/trace';
export const CHECK = 'lifetime/check';
export const PROMELA = 'lifetime/promela';
