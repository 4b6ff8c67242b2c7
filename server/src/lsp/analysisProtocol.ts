// Messages between the language server and its analysis worker thread, which analyses the documents
// too large to analyse on the server's main thread (kernel C files, large models) so that they never
// hold up the requests of other documents. Everything is plain data.

import type { CFinding } from '../core/c/index';
import type { ApiTableTexts } from '../core/features/cBodies';
import type { EditorDiagnostic } from '../core/features/types';
import type { ModelResult } from '../core/engine/types';

export type AnalysisJob =
  /** A kernel C file against the built-in API table plus `tables`. */
  | { kind: 'c'; uri: string; text: string; tables: ApiTableTexts; allFindings: boolean; /** Headers the document includes by a quoted name, for their control macros. */ headers: string[] }
  /** A model's diagnostics, with the engine's result for this very text when one has arrived. */
  | { kind: 'model'; text: string; engine?: ModelResult };

export interface AnalysisRequest {
  id: number;
  job: AnalysisJob;
  /** One Int32 flag; the server stores 1 in it when the job's document has changed since. */
  cancelFlag: SharedArrayBuffer;
}

export type AnalysisAnswer =
  | { kind: 'c'; findings: CFinding[]; diagnostics: EditorDiagnostic[] }
  | { kind: 'model'; diagnostics: EditorDiagnostic[]; checkable: boolean };

export type AnalysisReply =
  | { id: number; status: 'done'; answer: AnalysisAnswer; ms: number }
  | { id: number; status: 'cancelled' }
  | { id: number; status: 'failed'; message: string };

export function isAnalysisRequest(value: unknown): value is AnalysisRequest {
  if (value === null || typeof value !== 'object') return false;
  const request = value as Partial<AnalysisRequest>;
  const job = request.job as Partial<AnalysisJob> | undefined;
  return (
    typeof request.id === 'number' &&
    request.cancelFlag instanceof SharedArrayBuffer &&
    job !== null &&
    typeof job === 'object' &&
    (job.kind === 'c' || job.kind === 'model') &&
    typeof job.text === 'string'
  );
}
