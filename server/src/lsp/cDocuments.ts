// Kernel C documents, analysed when `lifetime.c.enable` is on: the tree-sitter parser is loaded once
// (its wasm ships next to the server bundle), the API table with `lifetime.c.apiFiles` added, and
// each document's findings published after edits pause.

import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { loadApiTable, loadCParser, type ApiTable, type CParser } from '../core/c/index';
import { analyzeCDocument, type CFileAnalysis } from '../core/features/cFile';
import { toLspDiagnostic } from './convert';
import { Coalescer } from './scheduler';
import type { LifetimeSettings } from './settings';

const C_ANALYSIS_INTERVAL_MS = 200;

export function isCDocument(document: TextDocument): boolean {
  return document.languageId === 'c' || /\.[ch]$/i.test(document.uri);
}

interface CDocumentState {
  document: TextDocument;
  analysis?: CFileAnalysis;
  analysisVersion: number;
  coalescer: Coalescer;
}

export class CDocuments {
  private readonly states = new Map<string, CDocumentState>();
  private parser: Promise<CParser> | undefined;
  private table: ApiTable | undefined;
  private tableKey = '';
  private enabled = false;

  /** Relative `lifetime.c.apiFiles` are resolved against this folder. */
  workspaceRoot: string | undefined;
  /** `lifetime.c.apiFiles`, resolved; the engine worker uses them for C bodies in models too. */
  apiFiles: string[] = [];

  constructor(private readonly connection: Connection) {}

  open(document: TextDocument): void {
    let state = this.states.get(document.uri);
    if (!state) {
      const created: CDocumentState = { document, analysisVersion: -1, coalescer: new Coalescer(C_ANALYSIS_INTERVAL_MS, () => void this.analyze(created)) };
      this.states.set(document.uri, (state = created));
    }
    state.document = document;
    if (this.enabled) state.coalescer.schedule();
  }

  close(uri: string): void {
    const state = this.states.get(uri);
    if (!state) return;
    state.coalescer.dispose();
    this.states.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  analysisFor(uri: string): CFileAnalysis | undefined {
    const state = this.states.get(uri);
    return state && state.analysisVersion === state.document.version ? state.analysis : undefined;
  }

  settingsChanged(settings: LifetimeSettings): void {
    const wasEnabled = this.enabled;
    this.enabled = settings.cEnable;
    const files = settings.cApiFiles.map((file) => (path.isAbsolute(file) || !this.workspaceRoot ? file : path.join(this.workspaceRoot, file)));
    this.apiFiles = files;
    const key = files.join('\n');
    // Extra tables serve C bodies in models as well as C files, so they are checked either way.
    if ((this.enabled || files.length > 0) && (key !== this.tableKey || !this.table)) {
      const { table, problems } = loadApiTable(files);
      this.table = table;
      this.tableKey = key;
      for (const problem of problems) void this.connection.window.showWarningMessage(`Lifetime: kernel API file ${problem.path}:${problem.line}: ${problem.message}`);
    }
    for (const state of this.states.values()) {
      state.analysisVersion = -1;
      if (this.enabled) state.coalescer.schedule();
      else if (wasEnabled) void this.connection.sendDiagnostics({ uri: state.document.uri, diagnostics: [] });
    }
  }

  dispose(): void {
    for (const state of this.states.values()) state.coalescer.dispose();
  }

  private async analyze(state: CDocumentState): Promise<void> {
    if (!this.enabled || !this.table) return;
    const uri = state.document.uri;
    const version = state.document.version;
    let parser: CParser;
    try {
      parser = await (this.parser ??= loadCParser());
    } catch (error) {
      this.parser = undefined;
      this.connection.console.error(`The C parser could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.states.get(uri) !== state || state.document.version !== version) return;
    try {
      state.analysis = analyzeCDocument(state.document.getText(), this.table, parser);
      state.analysisVersion = version;
    } catch (error) {
      this.connection.console.error(`C analysis of ${uri} failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    void this.connection.sendDiagnostics({ uri, version, diagnostics: state.analysis.diagnostics.map((d) => toLspDiagnostic(d, uri)) });
  }
}
