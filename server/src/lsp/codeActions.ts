// Quick fixes, verified. The core proposes candidate edits for the violations under the cursor;
// each is applied to a copy of the text and checked by the engine (in the worker, within a small
// budget). Only candidates that remove the violation without adding another are offered. Verdicts
// are cached per document version, since editors ask for code actions at every cursor move.

import type { CancellationToken, CodeAction, CodeActionParams, Connection } from 'vscode-languageserver/node';
import { analyzeText } from '../core/features/analysis';
import { applyOffsetEdits, fixCandidates, judgeFix, type FixCandidate } from '../core/features/quickFixes';
import type { CodeActionItem } from '../core/features/types';
import { cQuickFixes } from '../core/features/cFile';
import type { Session } from './session';

const VERIFY_MAX_STATES = 300_000;
const VERIFY_TIMEOUT_MS = 3_000;
const MAX_CANDIDATES = 6;

export class CodeActionProvider {
  private cache = new Map<string, Promise<CodeActionItem | undefined>>();
  private cacheVersionKey = '';
  /** Cancels the verification runs of the cached version, which a newer version makes pointless. */
  private runs: (() => void)[] = [];

  constructor(
    private readonly session: Session,
    private readonly connection: Connection,
  ) {}

  async provide(params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
    const uri = params.textDocument.uri;
    const cAnalysis = this.session.cDocuments.analysisFor(uri);
    if (cAnalysis) {
      const start = cAnalysis.lines.offsetAt(params.range.start);
      const end = cAnalysis.lines.offsetAt(params.range.end);
      return cQuickFixes(cAnalysis, start, end).map((item) => this.toCodeAction(uri, item, params));
    }
    const analysis = this.session.analysisFor(uri);
    if (!analysis || !analysis.engine) return [];
    const version = this.session.documentVersion(uri);
    const start = analysis.lines.offsetAt(params.range.start);
    const end = analysis.lines.offsetAt(params.range.end);
    const candidates = fixCandidates(analysis, start, end).slice(0, MAX_CANDIDATES);
    if (candidates.length === 0) return [];
    const versionKey = `${uri}@${version}`;
    if (versionKey !== this.cacheVersionKey) {
      for (const cancel of this.runs) cancel();
      this.runs = [];
      this.cache = new Map();
      this.cacheVersionKey = versionKey;
    }
    const verdicts = await Promise.all(candidates.map((candidate) => this.verify(versionKey, analysis.text, candidate, analysis)));
    if (token.isCancellationRequested || this.session.documentVersion(uri) !== version) return [];
    return verdicts.filter((item): item is CodeActionItem => item !== undefined).map((item) => this.toCodeAction(uri, item, params));
  }

  private toCodeAction(uri: string, item: CodeActionItem, params: CodeActionParams): CodeAction {
    return {
      title: item.title,
      kind: item.kind,
      isPreferred: item.isPreferred,
      diagnostics: params.context.diagnostics.filter((d) => item.diagnosticCodes.includes(String(d.code))),
      edit: { changes: { [uri]: item.edits } },
    };
  }

  private verify(versionKey: string, text: string, candidate: FixCandidate, analysis: Parameters<typeof judgeFix>[0]): Promise<CodeActionItem | undefined> {
    const key = `${versionKey}#${candidate.key}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const settings = this.session.settings;
    const edited = applyOffsetEdits(text, candidate.edits);
    const promise = (async () => {
      const run = this.session.engine.run(edited, {
        maxStates: Math.min(settings.maxStates, VERIFY_MAX_STATES),
        timeoutMs: Math.min(settings.timeoutMs, VERIFY_TIMEOUT_MS),
        exact: settings.traceExact,
        collectFacts: false,
        proposals: candidate.checkProposals,
        apiTables: this.session.cDocuments.apiTables,
      });
      this.runs.push(run.cancel);
      const outcome = await run.outcome;
      if (outcome.status !== 'done') {
        if (outcome.status === 'failed') this.connection.console.warn(`Verifying "${candidate.title}" failed: ${outcome.message}`);
        this.cache.delete(key);
        return undefined;
      }
      return judgeFix(analysis, candidate, outcome.result, analyzeText(edited));
    })();
    this.cache.set(key, promise);
    return promise;
  }
}
