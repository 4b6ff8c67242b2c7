// Kernel C documents, analysed when `lifetime.c.enable` is on. The analysis runs in the analysis
// worker (a 200k-line file must not hold up the requests of other documents), against the built-in
// API table plus the `lifetime.c.apiFiles` tables, which are read asynchronously, under the rules of
// apiFiles.ts, and only while C checks are on. The headers a document includes by a quoted name
// are read under the same rules (inside a workspace folder, regular files, size-limited), for the
// macros that hide control flow (`GOTO(label, rc)`). Answers for versions that have changed since
// are dropped.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ApiTableTexts } from '../core/features/cBodies';
import type { CFileAnalysis } from '../core/features/cFile';
import { LineIndex } from '../core/util/lineIndex';
import type { AnalysisHost, AnalysisRun } from './analysisHost';
import { NO_API_TABLES, readApiFiles, readConfinedFile } from './apiFiles';
import { quotedIncludes } from '../core/c/index';
import { toLspDiagnostic } from './convert';
import { Coalescer } from './scheduler';
import type { LifetimeSettings } from './settings';

const C_ANALYSIS_INTERVAL_MS = 200;

/** A header a document includes is read for its macros only up to this size (at most 32 headers a document). */
const MAX_INCLUDED_HEADER_BYTES = 1024 * 1024;

export function isCDocument(document: TextDocument): boolean {
  return document.languageId === 'c' || /\.[ch]$/i.test(document.uri);
}

interface CDocumentState {
  document: TextDocument;
  analysis?: CFileAnalysis;
  analysisVersion: number;
  coalescer: Coalescer;
  run?: AnalysisRun;
}

export class CDocuments {
  private readonly states = new Map<string, CDocumentState>();
  private enabled = false;
  private allFindings = false;
  private tablesKey = '';
  private tablesGeneration = 0;
  private tablesReady: Promise<void> = Promise.resolve();

  /** The workspace folders; relative `lifetime.c.apiFiles` are resolved against the first. */
  workspaceFolders: string[] = [];
  /** The extra API tables as read (none while C checks are off); engine jobs get them for C bodies in models. */
  apiTables: ApiTableTexts = NO_API_TABLES;

  constructor(
    private readonly connection: Connection,
    private readonly host: AnalysisHost,
    /** Called when the extra tables change after a read, so that models with C bodies are checked again. */
    private readonly onTablesChanged: () => void = () => undefined,
  ) {}

  get workspaceRoot(): string | undefined {
    return this.workspaceFolders[0];
  }

  open(document: TextDocument): void {
    let state = this.states.get(document.uri);
    if (!state) {
      const created: CDocumentState = { document, analysisVersion: -1, coalescer: new Coalescer(C_ANALYSIS_INTERVAL_MS, () => void this.analyze(created)) };
      this.states.set(document.uri, (state = created));
    }
    if (state.document.version !== document.version) this.cancel(state);
    state.document = document;
    if (this.enabled) state.coalescer.schedule();
  }

  close(uri: string): void {
    const state = this.states.get(uri);
    if (!state) return;
    state.coalescer.dispose();
    this.cancel(state);
    this.states.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  analysisFor(uri: string): CFileAnalysis | undefined {
    const state = this.states.get(uri);
    return state && state.analysisVersion === state.document.version ? state.analysis : undefined;
  }

  /** Resolves once the extra API tables of the current settings have been read. */
  whenTablesRead(): Promise<void> {
    return this.tablesReady;
  }

  settingsChanged(settings: LifetimeSettings): void {
    const wasEnabled = this.enabled;
    this.enabled = settings.cEnable;
    this.allFindings = settings.cAllFindings;
    // The tables are read only while C checks are on: a workspace that names a file does not get it
    // opened unless the user has turned the checks on.
    const files = this.enabled ? settings.cApiFiles : [];
    const key = JSON.stringify([files, this.workspaceFolders]);
    if (key !== this.tablesKey) {
      this.tablesKey = key;
      const generation = ++this.tablesGeneration;
      const hadTables = this.apiTables.files.length > 0;
      if (files.length === 0) {
        this.apiTables = NO_API_TABLES;
        this.tablesReady = Promise.resolve();
        if (hadTables) this.onTablesChanged();
      } else {
        this.tablesReady = readApiFiles(files, this.workspaceFolders).then(
          ({ tables, problems }) => {
            if (generation !== this.tablesGeneration) return;
            for (const problem of problems) void this.connection.window.showWarningMessage(problem);
            const changed = tables.key !== this.apiTables.key;
            this.apiTables = tables;
            if (changed) this.onTablesChanged();
          },
          (error: unknown) => this.connection.console.error(`The kernel API files could not be read: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    }
    for (const state of this.states.values()) {
      this.cancel(state);
      state.analysisVersion = -1;
      if (this.enabled) state.coalescer.schedule();
      else if (wasEnabled) void this.connection.sendDiagnostics({ uri: state.document.uri, diagnostics: [] });
    }
  }

  dispose(): void {
    for (const state of this.states.values()) {
      state.coalescer.dispose();
      this.cancel(state);
    }
  }

  /** The texts of the headers `text` includes by a quoted name, next to the document and inside a workspace folder; the others lend nothing. */
  private async includedHeaders(uri: string, text: string): Promise<string[]> {
    if (!uri.startsWith('file:') || this.workspaceFolders.length === 0) return [];
    const dir = path.dirname(fileURLToPath(uri));
    const texts: string[] = [];
    for (const name of quotedIncludes(text)) {
      const read = await readConfinedFile(path.join(dir, name), this.workspaceFolders, MAX_INCLUDED_HEADER_BYTES);
      if ('text' in read) texts.push(read.text);
    }
    return texts;
  }

  private cancel(state: CDocumentState): void {
    state.run?.cancel();
    state.run = undefined;
  }

  private async analyze(state: CDocumentState): Promise<void> {
    const generation = this.tablesGeneration;
    await this.tablesReady;
    if (!this.enabled || generation !== this.tablesGeneration) return;
    const uri = state.document.uri;
    const version = state.document.version;
    if (this.states.get(uri) !== state || state.analysisVersion === version) return;
    this.cancel(state);
    const text = state.document.getText();
    const headers = await this.includedHeaders(uri, text);
    if (this.states.get(uri) !== state || state.document.version !== version || !this.enabled) return;
    const run = this.host.run({ kind: 'c', uri, text, tables: this.apiTables, allFindings: this.allFindings, headers });
    state.run = run;
    const outcome = await run.outcome;
    if (state.run === run) state.run = undefined;
    if (this.states.get(uri) !== state || state.document.version !== version || !this.enabled) return; // stale: a newer edit exists
    if (outcome.status === 'failed') {
      this.connection.console.error(`C analysis of ${uri} failed: ${outcome.message}`);
      return;
    }
    if (outcome.status !== 'done' || outcome.answer.kind !== 'c') return;
    state.analysis = { text, lines: new LineIndex(text), findings: outcome.answer.findings, diagnostics: outcome.answer.diagnostics };
    state.analysisVersion = version;
    void this.connection.sendDiagnostics({ uri, version, diagnostics: state.analysis.diagnostics.map((d) => toLspDiagnostic(d, uri)) });
  }
}
