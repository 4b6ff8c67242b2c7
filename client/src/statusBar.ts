// The status bar item: the state of the check of the active `.lifetime` editor.

import * as vscode from 'vscode';
import type { StatusNotification } from './protocol';

const ICONS: Record<StatusNotification['state'], string> = {
  idle: '$(circle-outline)',
  checking: '$(sync~spin)',
  safe: '$(pass)',
  violation: '$(error)',
  incomplete: '$(warning)',
  error: '$(alert)',
  invalid: '$(warning)',
};

export class CheckStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('lifetime.status', vscode.StatusBarAlignment.Left, 50);
  private readonly byUri = new Map<string, StatusNotification>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.item.name = 'Lifetime check';
    this.item.command = 'lifetime.showTrace';
    this.subscription = vscode.window.onDidChangeActiveTextEditor(() => this.render());
    this.render();
  }

  update(status: StatusNotification): void {
    this.byUri.set(status.uri, status);
    this.render();
  }

  private render(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'lifetime') {
      this.item.hide();
      return;
    }
    const status = this.byUri.get(editor.document.uri.toString());
    const state = status?.state ?? 'idle';
    this.item.text = `${ICONS[state]} Lifetime: ${state === 'idle' ? 'not checked' : state}`;
    this.item.tooltip = status ? status.text : 'No check has run on this file yet (Lifetime: Check File).';
    this.item.backgroundColor = state === 'violation' || state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
