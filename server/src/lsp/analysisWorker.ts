// The analysis worker thread: analyses one document at a time, skipping jobs whose document changed
// while they waited. Its answers are plain data; the server publishes them only if the document is
// still at the version they were computed for.

import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { apiTableFromTexts, learnControlMacros, loadCParser, type ApiTable, type CParser, type Summaries } from '../core/c/index';
import { includedSummaries, type HeaderSummaryCache } from '../core/c/run';
import { analyzeText, isCheckable } from '../core/features/analysis';
import type { ApiTableTexts } from '../core/features/cBodies';
import { analyzeCDocument } from '../core/features/cFile';
import { editorDiagnostics } from '../core/features/diagnostics';
import { isAnalysisRequest, type AnalysisAnswer, type AnalysisJob, type AnalysisReply, type AnalysisRequest } from './analysisProtocol';

let parser: Promise<CParser> | undefined;
let table: { key: string; table: ApiTable } | undefined;

function tableFor(tables: ApiTableTexts): ApiTable {
  if (!table || table.key !== tables.key) table = { key: tables.key, table: apiTableFromTexts(tables.files).table };
  return table.table;
}

/** Summaries of included headers by a digest of their text, for the current API tables; at most this many kept. */
const HEADER_CACHE_LIMIT = 256;
let headerCache: { tablesKey: string; byDigest: Map<string, Summaries> } | undefined;

function headerCacheFor(tablesKey: string): HeaderSummaryCache {
  if (!headerCache || headerCache.tablesKey !== tablesKey || headerCache.byDigest.size >= HEADER_CACHE_LIMIT) headerCache = { tablesKey, byDigest: new Map() };
  const byDigest = headerCache.byDigest;
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');
  return { get: (text) => byDigest.get(digest(text)), set: (text, summaries) => byDigest.set(digest(text), summaries) };
}

async function answer(job: AnalysisJob): Promise<AnalysisAnswer> {
  if (job.kind === 'c') {
    const loaded = await (parser ??= loadCParser().catch((error: unknown) => {
      parser = undefined;
      throw error;
    }));
    const controlMacros = job.headers.length > 0 ? learnControlMacros(job.headers) : undefined;
    const apiTable = tableFor(job.tables);
    // As the CLI does for a file: the inline helpers of the headers it includes by a quoted name.
    const headerSummaries = () => includedSummaries(job.headers, apiTable, { parser: loaded, controlMacros }, headerCacheFor(job.tables.key));
    const { findings, diagnostics } = analyzeCDocument(job.text, apiTable, loaded, { allFindings: job.allFindings, fileName: job.uri, controlMacros, headerSummaries });
    return { kind: 'c', findings, diagnostics };
  }
  const analysis = analyzeText(job.text);
  analysis.engine = job.engine;
  return { kind: 'model', diagnostics: editorDiagnostics(analysis), checkable: isCheckable(analysis) };
}

function post(reply: AnalysisReply): void {
  parentPort?.postMessage(reply);
}

// Jobs run one after another, in the order they came.
let queue: Promise<void> = Promise.resolve();

function handle(request: AnalysisRequest): Promise<void> {
  const flag = new Int32Array(request.cancelFlag);
  if (Atomics.load(flag, 0) !== 0) {
    post({ id: request.id, status: 'cancelled' });
    return Promise.resolve();
  }
  const started = Date.now();
  return answer(request.job).then(
    (result) => post(Atomics.load(flag, 0) !== 0 ? { id: request.id, status: 'cancelled' } : { id: request.id, status: 'done', answer: result, ms: Date.now() - started }),
    (error: unknown) => post({ id: request.id, status: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
}

parentPort?.on('message', (message: unknown) => {
  if (isAnalysisRequest(message)) queue = queue.then(() => handle(message));
});
