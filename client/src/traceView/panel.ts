// The trace view panel: one webview showing one proposal's counterexamples beside the model.
// Clicking a step (or stepping with the next/previous commands) reveals its statement. The panel
// follows the active editor: when another model becomes active, or a check of the shown model
// finishes, it asks the server for the trace again.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TraceViewData } from '../protocol';
import { makeNonce, traceViewHtml } from './html';

/** Asks the server for a model's trace (the named proposal, or the first with a violation). */
export type TraceFetcher = (uri: vscode.Uri, proposal?: string) => Promise<TraceViewData | null>;

export class TracePanel implements vscode.Disposable {
  static current: TracePanel | undefined;

  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private data: TraceViewData;
  private uri: vscode.Uri;
  private violation = 0;
  private selected = -1;
  private ready = false;
  private disposed = false;

  static show(data: TraceViewData, uri: vscode.Uri, fetch: TraceFetcher): TracePanel {
    if (TracePanel.current) {
      TracePanel.current.update(data, uri);
      TracePanel.current.panel.reveal(TracePanel.current.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
      return TracePanel.current;
    }
    TracePanel.current = new TracePanel(data, uri, fetch);
    return TracePanel.current;
  }

  private constructor(
    data: TraceViewData,
    uri: vscode.Uri,
    private readonly fetch: TraceFetcher,
  ) {
    this.data = data;
    this.uri = uri;
    this.panel = vscode.window.createWebviewPanel('lifetime.trace', this.title(), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [],
      retainContextWhenHidden: true,
    });
    this.panel.webview.html = traceViewHtml(this.panel.webview.cspSource, makeNonce());
    this.panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
    this.panel.webview.onDidReceiveMessage((message: unknown) => this.onMessage(message), undefined, this.disposables);
    vscode.window.onDidChangeActiveTextEditor((editor) => this.follow(editor), undefined, this.disposables);
    void vscode.commands.executeCommand('setContext', 'lifetime.traceViewOpen', true);
  }

  /** The model the panel shows. */
  get modelUri(): vscode.Uri {
    return this.uri;
  }

  update(data: TraceViewData, uri: vscode.Uri): void {
    const sameTrace = uri.toString() === this.uri.toString() && data.proposal === this.data.proposal;
    this.data = data;
    this.uri = uri;
    if (!sameTrace || this.violation >= data.violations.length) {
      this.violation = 0;
      this.selected = -1;
    }
    this.panel.title = this.title();
    this.post();
  }

  /** A check of `uri` finished: show its new result, keeping the proposal on view. */
  async refresh(uri: vscode.Uri): Promise<void> {
    if (uri.toString() !== this.uri.toString()) return;
    await this.load(uri, this.data.proposal || undefined);
  }

  /** Moves the selection by `delta` steps and reveals the step's source. */
  step(delta: number): void {
    const violation = this.data.violations[this.violation];
    if (!violation) return;
    const rows = violation.steps.length + (violation.blocked.length > 0 ? 1 : 0);
    if (rows === 0) return;
    const next = this.selected < 0 ? (delta > 0 ? 0 : rows - 1) : this.selected + delta;
    this.selected = Math.max(0, Math.min(next, rows - 1));
    void this.panel.webview.postMessage({ type: 'select', index: this.selected });
    void this.reveal(this.selected);
  }

  private title(): string {
    return this.data.proposal ? `Trace: ${this.data.proposal} · ${this.data.fileName}` : `Trace: ${this.data.fileName}`;
  }

  private post(): void {
    if (this.ready) void this.panel.webview.postMessage({ type: 'trace', data: this.data, violation: this.violation, index: this.selected });
  }

  private async load(uri: vscode.Uri, proposal: string | undefined): Promise<void> {
    let data: TraceViewData | null;
    try {
      data = await this.fetch(uri, proposal);
      if (!data && proposal !== undefined) data = await this.fetch(uri);
    } catch {
      data = null;
    }
    if (this.disposed) return;
    this.update(data ?? notChecked(uri), uri);
  }

  private follow(editor: vscode.TextEditor | undefined): void {
    if (!editor || editor.document.languageId !== 'lifetime' || editor.document.uri.toString() === this.uri.toString()) return;
    void this.load(editor.document.uri, undefined);
  }

  private onMessage(message: unknown): void {
    if (message === null || typeof message !== 'object') return;
    const { type, index, name, violation } = message as { type?: unknown; index?: unknown; name?: unknown; violation?: unknown };
    if (type === 'ready') {
      this.ready = true;
      this.post();
    } else if (type === 'reveal' && typeof index === 'number' && Number.isInteger(index)) {
      if (typeof violation === 'number' && Number.isInteger(violation)) this.violation = violation;
      this.selected = index;
      void this.reveal(index);
    } else if (type === 'violation' && typeof index === 'number' && Number.isInteger(index)) {
      this.violation = index;
      this.selected = -1;
    } else if (type === 'proposal' && typeof name === 'string') {
      void this.load(this.uri, name);
    }
  }

  private async reveal(index: number): Promise<void> {
    const violation = this.data.violations[this.violation];
    const range = violation?.steps[index]?.range ?? (index === violation?.steps.length ? violation.blocked[0]?.range : undefined);
    if (!range) return;
    const target = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    const visible = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === this.uri.toString());
    const editor = await vscode.window.showTextDocument(this.uri, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: true, selection: target });
    editor.revealRange(target, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (TracePanel.current === this) TracePanel.current = undefined;
    void vscode.commands.executeCommand('setContext', 'lifetime.traceViewOpen', false);
    this.panel.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}

/** What the panel shows for a model that has no check result yet. */
function notChecked(uri: vscode.Uri): TraceViewData {
  const fileName = path.posix.basename(uri.path);
  return { fileName, proposal: '', label: 'Not checked yet', verdict: 'No verdict yet: the check has not finished, or the model has errors. The trace appears here once it has one.', violations: [], others: [] };
}
