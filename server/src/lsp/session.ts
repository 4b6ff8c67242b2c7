// The server's state: one entry per open document with its current analysis and the engine's
// latest result for it, the settings, and the engine worker. Analysis follows every change
// (coalesced); the engine runs according to `lifetime.check.on`, each run tagged with the document
// version it checked, so a result that arrives after a newer edit is dropped. Models larger than
// LARGE_MODEL_CHARS are analysed in the analysis worker instead of on this thread, so that they never
// hold up requests on other documents; the editor features that need a syntax tree are off for them.

import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeText, isCheckable, type Analysis } from '../core/features/analysis';
import { editorDiagnostics, isEngineCode } from '../core/features/diagnostics';
import { fileVerdict } from '../core/report/verdictWording';
import { mapDiagnostics } from '../core/features/staleDiagnostics';
import type { EditorDiagnostic } from '../core/features/types';
import type { ModelResult } from '../core/engine/types';
import { formatCount } from '../core/features/ranges';
import { toLspDiagnostic } from './convert';
import { CDocuments, isCDocument } from './cDocuments';
import { AnalysisHost, type AnalysisRun } from './analysisHost';
import { EngineHost, type EngineOutcome, type EngineRun } from './engineHost';
import { isPatchDocument, PatchDocuments } from './patchReview';
import { Coalescer } from './scheduler';
import { DEFAULT_SETTINGS, type LifetimeSettings } from './settings';

const ANALYSIS_INTERVAL_MS = 30;
/**
 * With `check.on: change`, the engine starts once edits pause this long: a check started on every
 * keystroke would only be cancelled by the next one, and would take CPU from the editing itself.
 */
const ENGINE_SETTLE_MS = 250;
/** Checks shorter than this finish without a progress notification. */
const PROGRESS_DELAY_MS = 400;
/** Models larger than this (in UTF-16 units, about bytes) are analysed in the analysis worker. */
export const LARGE_MODEL_CHARS = 512 * 1024;
/** How many times one Check File request follows settings changes before answering. */
const MAX_SETTINGS_RESTARTS = 3;

export type CheckState = 'idle' | 'checking' | 'safe' | 'violation' | 'incomplete' | 'error' | 'invalid';

export interface StatusNotification {
  uri: string;
  version: number;
  state: CheckState;
  text: string;
}

interface DocumentState {
  document: TextDocument;
  analysis?: Analysis;
  analysisVersion: number;
  engine?: { version: number; result: ModelResult; ms: number };
  run?: { version: number; run: EngineRun; partial: boolean };
  coalescer: Coalescer;
  settleTimer?: NodeJS.Timeout;
  /** A version whose check failed (the worker died) or was stopped: not retried until the next edit. */
  failedVersion?: number;
  /** The engine's diagnostics as last published, with the text they were computed on. */
  lastEngine?: { text: string; diagnostics: EditorDiagnostic[] };
  /** A large model: its analysis in the worker, and what it found for `version`. */
  large?: { version: number; checkable?: boolean; run?: AnalysisRun; done?: Promise<void>; announced?: boolean };
}

export class Session {
  settings: LifetimeSettings = DEFAULT_SETTINGS;
  readonly engine: EngineHost;
  readonly analysisHost: AnalysisHost;
  private readonly states = new Map<string, DocumentState>();
  private workDoneProgress = false;
  private workerDeathReported = false;
  /** Counts settings changes, so that a check cancelled by one can be told from one cancelled by an edit. */
  private settingsGeneration = 0;

  readonly cDocuments: CDocuments;
  readonly patchDocuments: PatchDocuments;

  constructor(
    private readonly connection: Connection,
    workerPath: string,
    analysisWorkerPath = path.join(path.dirname(workerPath), 'analysisWorker.js'),
  ) {
    this.engine = new EngineHost(workerPath, (reason) => this.onWorkerDied(reason));
    this.analysisHost = new AnalysisHost(analysisWorkerPath);
    this.cDocuments = new CDocuments(connection, this.analysisHost, () => this.recheckModels());
    this.patchDocuments = new PatchDocuments(connection, () => this.cDocuments.workspaceRoot, () => this.cDocuments.apiTables);
  }

  setClientCapabilities(workDoneProgress: boolean): void {
    this.workDoneProgress = workDoneProgress;
  }

  open(document: TextDocument): void {
    if (isPatchDocument(document)) return this.patchDocuments.open(document);
    if (isCDocument(document)) return this.cDocuments.open(document);
    if (this.states.has(document.uri)) return this.change(document);
    const state: DocumentState = {
      document,
      analysisVersion: -1,
      coalescer: new Coalescer(ANALYSIS_INTERVAL_MS, () => this.analyzeAndPublish(state.document.uri, true)),
    };
    this.states.set(document.uri, state);
    state.coalescer.schedule();
  }

  change(document: TextDocument): void {
    if (isPatchDocument(document)) return this.patchDocuments.open(document);
    if (isCDocument(document)) return this.cDocuments.open(document);
    const state = this.states.get(document.uri);
    if (!state) return this.open(document);
    if (state.document === document && state.analysisVersion === document.version) return;
    state.document = document;
    this.cancelRun(state);
    state.coalescer.schedule();
  }

  saved(uri: string): void {
    const state = this.states.get(uri);
    if (state && this.settings.checkOn === 'save') this.startCheck(state);
  }

  close(uri: string): void {
    const state = this.states.get(uri);
    this.patchDocuments.close(uri);
    if (!state) return this.cDocuments.close(uri);
    this.cancelRun(state);
    state.large?.run?.cancel();
    state.coalescer.dispose();
    if (state.settleTimer) clearTimeout(state.settleTimer);
    this.states.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /**
   * The analysis of the document's current text, computed now if an edit is still pending; none for
   * a large model, whose analysis would hold up every other request.
   */
  analysisFor(uri: string): Analysis | undefined {
    const state = this.states.get(uri);
    if (!state || isLarge(state)) return undefined;
    if (state.analysisVersion !== state.document.version || !state.analysis) {
      state.coalescer.dispose();
      this.analyzeAndPublish(uri, true);
    }
    return state.analysis;
  }

  /** Runs the engine on the document now, whatever `check.on` says; resolves when it has an answer. */
  async checkNow(uri: string, proposals?: string[]): Promise<string> {
    const state = this.states.get(uri);
    if (!state) return `${uri} is not open.`;
    if (isLarge(state)) await this.analyzeLarge(state, false);
    else this.analysisFor(uri);
    let outcome: EngineOutcome;
    for (let attempt = 0; ; attempt++) {
      const generation = this.settingsGeneration;
      // A full check of this very text is already running: its answer covers the request.
      const inFlight = state.run && state.run.version === state.document.version && !state.run.partial ? state.run.run : undefined;
      const run = inFlight ?? this.startCheck(state, proposals);
      if (!run) return this.checkInput(state)?.checkable === false ? 'The model has errors; fix them to check it.' : 'Nothing to check.';
      outcome = await run.outcome;
      // Settings that arrive while the check runs (the first ones, after initialize) restart it
      // under the new settings: the request is answered by that check, not by its cancellation.
      const restartedBySettings = outcome.status === 'cancelled' && this.settingsGeneration !== generation && this.states.get(uri) === state;
      if (!restartedBySettings || attempt >= MAX_SETTINGS_RESTARTS) break;
      if (isLarge(state)) await this.analyzeLarge(state, false);
    }
    if (outcome.status === 'done') return fileVerdict(outcome.result.proposals).text;
    if (outcome.status === 'cancelled') return 'The check was cancelled (stopped, or replaced by the check of a later edit).';
    return outcome.message;
  }

  /** Stops the document's check in flight (and one about to start); answers whether there was one. */
  stopCheck(uri: string): boolean {
    const state = this.states.get(uri);
    if (!state) return false;
    const pending = state.settleTimer !== undefined;
    if (state.settleTimer) clearTimeout(state.settleTimer);
    state.settleTimer = undefined;
    if (!state.run && !pending) return false;
    this.cancelRun(state);
    state.failedVersion = state.document.version;
    this.status(uri, 'idle', 'check stopped; Lifetime: Check File runs it again');
    return true;
  }

  /** Settings changed: re-check open documents under the new budget. */
  settingsChanged(settings: LifetimeSettings): void {
    this.settings = settings;
    this.settingsGeneration++;
    this.cDocuments.settingsChanged(settings);
    this.patchDocuments.refresh();
    for (const state of this.states.values()) {
      this.cancelRun(state);
      state.engine = undefined;
      state.lastEngine = undefined;
      this.analyzeAndPublish(state.document.uri, true);
    }
  }

  async dispose(): Promise<void> {
    this.cDocuments.dispose();
    await this.analysisHost.dispose();
    this.patchDocuments.dispose();
    for (const state of this.states.values()) {
      state.coalescer.dispose();
      if (state.settleTimer) clearTimeout(state.settleTimer);
    }
    await this.engine.dispose();
  }

  /** The extra API tables changed: models (whose C bodies use them) are checked again. */
  private recheckModels(): void {
    this.patchDocuments.refresh();
    for (const state of this.states.values()) {
      this.cancelRun(state);
      state.engine = undefined;
      this.analyzeAndPublish(state.document.uri, true);
    }
  }

  private analyzeAndPublish(uri: string, mayCheck: boolean): void {
    const state = this.states.get(uri);
    if (!state) return;
    if (isLarge(state)) return void this.analyzeLarge(state, mayCheck);
    state.large = undefined;
    const version = state.document.version;
    if (state.analysisVersion !== version || !state.analysis) {
      try {
        state.analysis = analyzeText(state.document.getText());
      } catch (error) {
        this.connection.console.error(`Analysis of ${uri} failed: ${describeError(error)}`);
        return;
      }
      state.analysisVersion = version;
    }
    const analysis = state.analysis;
    analysis.engine = state.engine && state.engine.version === version ? state.engine.result : undefined;
    this.publish(state);
    if (!mayCheck) return;
    if (!isCheckable(analysis)) {
      this.status(uri, 'invalid', 'model has errors');
      return;
    }
    if (state.failedVersion === version) return;
    if (this.settings.checkOn === 'change' && !analysis.engine && !(state.run && state.run.version === version)) this.startCheckWhenSettled(state);
  }

  /**
   * Analyses a large model in the worker (with the engine's result when it has one for this text),
   * publishes the diagnostics if the document has not changed since, and starts a check as for any model.
   */
  private analyzeLarge(state: DocumentState, mayCheck: boolean): Promise<void> {
    const uri = state.document.uri;
    const version = state.document.version;
    const engine = state.engine && state.engine.version === version ? state.engine.result : undefined;
    if (state.large?.version === version && state.large.done && !engine) {
      return state.large.done.then(() => this.afterLargeAnalysis(state, version, mayCheck));
    }
    state.large?.run?.cancel();
    const text = state.document.getText();
    const run = this.analysisHost.run({ kind: 'model', text, engine });
    const large: NonNullable<DocumentState['large']> = { version, run, announced: state.large?.announced };
    state.large = large;
    state.analysis = undefined;
    state.analysisVersion = -1;
    if (!large.announced) {
      large.announced = true;
      this.status(uri, 'idle', `large model (${formatMiB(text.length)}): analysed in the background; hovers, completion and other editor features are off above ${formatMiB(LARGE_MODEL_CHARS)}`);
    }
    large.done = run.outcome.then((outcome) => {
      if (large.run === run) large.run = undefined;
      if (this.states.get(uri) !== state || state.document.version !== version) return; // stale: a newer edit exists
      if (outcome.status === 'failed') return void this.connection.console.error(`Analysis of ${uri} failed: ${outcome.message}`);
      if (outcome.status !== 'done' || outcome.answer.kind !== 'model') return;
      large.checkable = outcome.answer.checkable;
      void this.connection.sendDiagnostics({ uri, version, diagnostics: outcome.answer.diagnostics.map((d) => toLspDiagnostic(d, uri)) });
    });
    return large.done.then(() => this.afterLargeAnalysis(state, version, mayCheck));
  }

  private afterLargeAnalysis(state: DocumentState, version: number, mayCheck: boolean): void {
    if (!mayCheck || this.states.get(state.document.uri) !== state || state.document.version !== version || state.large?.checkable === undefined) return;
    if (!state.large.checkable) return this.status(state.document.uri, 'invalid', 'model has errors');
    if (state.failedVersion === version) return;
    const checked = state.engine && state.engine.version === version;
    if (this.settings.checkOn === 'change' && !checked && !(state.run && state.run.version === version)) this.startCheckWhenSettled(state);
  }

  /** The text to check and whether it can be checked, once the current version has been analysed. */
  private checkInput(state: DocumentState): { text: string; checkable: boolean } | undefined {
    if (isLarge(state)) {
      const large = state.large;
      return large && large.version === state.document.version && large.checkable !== undefined ? { text: state.document.getText(), checkable: large.checkable } : undefined;
    }
    if (state.analysisVersion !== state.document.version) {
      state.coalescer.dispose();
      this.analyzeAndPublish(state.document.uri, false);
    }
    return state.analysis ? { text: state.analysis.text, checkable: isCheckable(state.analysis) } : undefined;
  }

  private startCheckWhenSettled(state: DocumentState): void {
    if (state.settleTimer) clearTimeout(state.settleTimer);
    const version = state.document.version;
    state.settleTimer = setTimeout(() => {
      state.settleTimer = undefined;
      if (this.states.get(state.document.uri) !== state || state.document.version !== version) return;
      if (state.engine?.version === version || state.run?.version === version) return;
      this.startCheck(state);
    }, ENGINE_SETTLE_MS);
  }

  private publish(state: DocumentState): void {
    const analysis = state.analysis;
    if (!analysis) return;
    let diagnostics: EditorDiagnostic[];
    try {
      diagnostics = editorDiagnostics(analysis);
      if (analysis.engine) {
        state.lastEngine = { text: analysis.text, diagnostics: diagnostics.filter((d) => isEngineCode(d.code)) };
      } else if (state.lastEngine && isCheckable(analysis)) {
        // Until the engine has checked this text, show its previous findings where they moved to.
        const moved = mapDiagnostics(state.lastEngine.text, analysis.text, state.lastEngine.diagnostics);
        state.lastEngine = { text: analysis.text, diagnostics: moved };
        diagnostics.push(...moved);
      } else {
        state.lastEngine = undefined;
      }
    } catch (error) {
      this.connection.console.error(`Diagnostics of ${state.document.uri} failed: ${describeError(error)}`);
      diagnostics = editorDiagnostics({ ...analysis, engine: undefined });
    }
    const uri = state.document.uri;
    void this.connection.sendDiagnostics({ uri, version: state.analysisVersion, diagnostics: diagnostics.map((d) => toLspDiagnostic(d, uri)) });
  }

  private cancelRun(state: DocumentState): void {
    if (!state.run) return;
    state.run.run.cancel();
    state.run = undefined;
  }

  private startCheck(state: DocumentState, proposals?: string[]): EngineRun | undefined {
    const uri = state.document.uri;
    const input = this.checkInput(state);
    if (!input || !input.checkable) return undefined;
    this.cancelRun(state);
    const version = state.document.version;
    const text = input.text;
    let progressReport: ((message: string) => void) | undefined;
    let progressDone: (() => void) | undefined;
    let latestProgress = 'starting';
    const progressTimer = setTimeout(() => {
      if (!this.workDoneProgress) return;
      void this.connection.window.createWorkDoneProgress().then((reporter) => {
        if (state.run?.run !== run) return reporter.done();
        reporter.begin('Lifetime check', undefined, latestProgress, true);
        progressReport = (message) => reporter.report(message);
        progressDone = () => reporter.done();
      }, () => undefined);
    }, PROGRESS_DELAY_MS);
    const run = this.engine.run(
      text,
      {
        maxStates: this.settings.maxStates,
        timeoutMs: this.settings.timeoutMs,
        exact: this.settings.traceExact,
        backend: this.settings.backend,
        // Step facts serve hovers and inlay hints, which a large model does not get.
        collectFacts: !isLarge(state),
        proposals,
        apiTables: this.cDocuments.apiTables,
      },
      (progress) => {
        latestProgress = `${progress.proposal}: ${formatCount(progress.states)} states, depth ${progress.depth}`;
        progressReport?.(latestProgress);
      },
    );
    state.run = { version, run, partial: proposals !== undefined };
    this.status(uri, 'checking', 'checking…');
    void run.outcome.then((outcome) => {
      clearTimeout(progressTimer);
      progressDone?.();
      if (state.run?.run === run) state.run = undefined;
      const current = this.states.get(uri);
      if (current !== state || state.document.version !== version) return; // stale: a newer edit exists
      if (outcome.status === 'done') {
        const previous = state.engine && state.engine.version === version ? state.engine.result : undefined;
        state.engine = { version, result: proposals && previous ? mergeResults(previous, outcome.result) : outcome.result, ms: outcome.ms };
        this.analyzeAndPublish(uri, false);
        const verdict = fileVerdict(state.engine.result.proposals);
        this.status(uri, verdict.state, verdict.text);
        this.refreshEditorViews();
      } else if (outcome.status === 'failed') {
        state.failedVersion = version;
        this.connection.console.error(`Check of ${uri} failed: ${outcome.message}`);
        this.status(uri, 'error', outcome.message);
      }
    });
    return run;
  }

  private refreshEditorViews(): void {
    void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    void this.connection.sendRequest('workspace/inlayHint/refresh').catch(() => undefined);
  }

  private status(uri: string, state: CheckState, text: string): void {
    const notification: StatusNotification = { uri, version: this.states.get(uri)?.document.version ?? 0, state, text };
    void this.connection.sendNotification('lifetime/status', notification);
  }

  private onWorkerDied(reason: string): void {
    this.connection.console.error(`The engine worker stopped (${reason}); starting a new one.`);
    if (!this.workerDeathReported) {
      this.workerDeathReported = true;
      void this.connection.window.showWarningMessage(`Lifetime: the model checker stopped (${reason}). It has been restarted; the checks in progress were abandoned.`);
    }
    for (const state of this.states.values()) {
      if (this.settings.checkOn === 'change' && !state.run && !(state.engine && state.engine.version === state.document.version)) {
        setTimeout(() => this.analyzeAndPublish(state.document.uri, true), 100).unref();
      }
    }
  }

  /** The engine's result for the document's current text, if it has finished. */
  engineResult(uri: string): ModelResult | undefined {
    const state = this.states.get(uri);
    if (!state?.engine || state.engine.version !== state.document.version) return undefined;
    return state.engine.result;
  }

  /** Whether the document is a model too large for the editor features that need its syntax tree. */
  isLargeModel(uri: string): boolean {
    const state = this.states.get(uri);
    return state !== undefined && isLarge(state);
  }

  /** The URIs of the open `.lifetime` documents. */
  openModelUris(): string[] {
    return [...this.states.keys()];
  }

  documentVersion(uri: string): number | undefined {
    return this.states.get(uri)?.document.version;
  }
}

/** A re-check of some proposals replaces their verdicts in the full result of the same text. */
function mergeResults(previous: ModelResult, partial: ModelResult): ModelResult {
  const proposals = previous.proposals.map((result) => partial.proposals.find((p) => p.name === result.name) ?? result);
  for (const result of partial.proposals) if (!proposals.some((p) => p.name === result.name)) proposals.push(result);
  return { proposals, diagnostics: partial.diagnostics };
}

function isLarge(state: DocumentState): boolean {
  return state.document.getText().length > LARGE_MODEL_CHARS;
}

function formatMiB(chars: number): string {
  const mib = chars / (1024 * 1024);
  return mib >= 1 ? `${mib.toFixed(1)} MiB` : `${Math.round(chars / 1024)} KiB`;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
