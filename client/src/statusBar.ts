// The status bar item: the verdicts of the active `.lifetime` editor in the words of every other
// surface ("as expected: baseline deadlock, 2 proposals safe"), a way to stop a running check, and,
// for a C file, whether C checks are off.

import * as vscode from 'vscode';
import { cStatusText } from '../../server/src/core/features/cChecksOffer';
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
  private readonly subscriptions: vscode.Disposable[];
  private running = false;

  constructor() {
    this.item.name = 'Lifetime check';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('lifetime.c.enable')) this.render();
      }),
    ];
    this.render();
  }

  update(status: StatusNotification): void {
    this.byUri.set(status.uri, status);
    this.render();
  }

  private render(): void {
    const document = vscode.window.activeTextEditor?.document;
    let running = false;
    if (document?.languageId === 'lifetime') {
      const status = this.byUri.get(document.uri.toString());
      const state = status?.state ?? 'idle';
      running = state === 'checking';
      const text = !status ? 'not checked' : state === 'checking' ? 'checking… (click to stop)' : state === 'invalid' ? 'the model has errors' : status.text;
      this.item.text = `${ICONS[state]} Lifetime: ${text}`;
      this.item.tooltip = status ? `${status.text}${running ? '\nClick to stop the check.' : ''}` : 'No check has run on this file yet (Lifetime: Check File).';
      this.item.command = running ? 'lifetime.stopCheck' : state === 'idle' || state === 'invalid' ? 'lifetime.checkFile' : 'lifetime.showTrace';
      this.item.backgroundColor = state === 'violation' || state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
      this.item.show();
    } else if (document?.languageId === 'c' && cStatusText(cChecksOn())) {
      const words = cStatusText(cChecksOn())!;
      this.item.text = `$(circle-slash) ${words.text}`;
      this.item.tooltip = words.tooltip;
      this.item.command = 'lifetime.enableCChecks';
      this.item.backgroundColor = undefined;
      this.item.show();
    } else {
      this.item.hide();
    }
    if (running !== this.running) {
      this.running = running;
      void vscode.commands.executeCommand('setContext', 'lifetime.checkRunning', running);
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}

export function cChecksOn(): boolean {
  return vscode.workspace.getConfiguration('lifetime').get<boolean>('c.enable') === true;
}
