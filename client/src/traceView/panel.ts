// The trace view panel: one webview showing one counterexample; clicking a step (or stepping with
// the next/previous commands) reveals the step's statement in the model.

import * as vscode from 'vscode';
import type { TraceViewData } from '../protocol';
import { makeNonce, traceViewHtml } from './html';

export class TracePanel implements vscode.Disposable {
  static current: TracePanel | undefined;

  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private data: TraceViewData;
  private uri: vscode.Uri;
  private selected = -1;
  private ready = false;

  static show(data: TraceViewData, uri: vscode.Uri): TracePanel {
    if (TracePanel.current) {
      TracePanel.current.update(data, uri);
      TracePanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return TracePanel.current;
    }
    TracePanel.current = new TracePanel(data, uri);
    return TracePanel.current;
  }

  private constructor(data: TraceViewData, uri: vscode.Uri) {
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
    void vscode.commands.executeCommand('setContext', 'lifetime.traceViewOpen', true);
  }

  update(data: TraceViewData, uri: vscode.Uri): void {
    this.data = data;
    this.uri = uri;
    this.selected = -1;
    this.panel.title = this.title();
    this.post();
  }

  /** Moves the selection by `delta` steps and reveals the step's source. */
  step(delta: number): void {
    if (this.data.steps.length === 0) return;
    const next = this.selected < 0 ? (delta > 0 ? 0 : this.data.steps.length - 1) : this.selected + delta;
    this.selected = Math.max(0, Math.min(next, this.data.steps.length - 1));
    void this.panel.webview.postMessage({ type: 'select', index: this.selected });
    void this.reveal(this.selected);
  }

  private title(): string {
    return `Trace: ${this.data.label}`;
  }

  private post(): void {
    if (this.ready) void this.panel.webview.postMessage({ type: 'trace', data: this.data, index: this.selected });
  }

  private onMessage(message: unknown): void {
    if (message === null || typeof message !== 'object') return;
    const { type, index } = message as { type?: unknown; index?: unknown };
    if (type === 'ready') {
      this.ready = true;
      this.post();
    } else if (type === 'reveal' && typeof index === 'number' && Number.isInteger(index)) {
      this.selected = index;
      void this.reveal(index);
    }
  }

  private async reveal(index: number): Promise<void> {
    const step = this.data.steps[index];
    if (!step) return;
    const range = new vscode.Range(step.range.start.line, step.range.start.character, step.range.end.line, step.range.end.character);
    const visible = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === this.uri.toString());
    const editor = await vscode.window.showTextDocument(this.uri, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: true, selection: range });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (TracePanel.current === this) TracePanel.current = undefined;
    void vscode.commands.executeCommand('setContext', 'lifetime.traceViewOpen', false);
    this.panel.dispose();
    while (this.disposables.length > 0) this.disposables.pop()?.dispose();
  }
}
