// The extension's commands. Each answers with a message rather than failing silently when there is
// no `.lifetime` editor or no server.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { CHECK, PROMELA, TRACE, type TraceViewData } from './protocol';
import { TracePanel, type TraceFetcher } from './traceView/panel';

function activeModelUri(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === 'lifetime') return editor.document.uri;
  return undefined;
}

function uriArgument(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string') {
    try {
      return vscode.Uri.parse(value, true);
    } catch {
      return undefined;
    }
  }
  return activeModelUri();
}

/** Server commands this extension runs itself (the language client must not register them again). */
export const CLIENT_COMMANDS = ['lifetime.showTrace', 'lifetime.stopCheck'];

export function traceFetcher(client: LanguageClient): TraceFetcher {
  return (uri, proposal) => client.sendRequest<TraceViewData | null>(TRACE, { uri: uri.toString(), proposal });
}

export function registerCommands(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined, output: vscode.LogOutputChannel): void {
  const running = (): LanguageClient | undefined => {
    const client = getClient();
    if (!client || !client.isRunning()) {
      void vscode.window.showWarningMessage('Lifetime: the language server is not running. Run "Lifetime: Restart Server".');
      return undefined;
    }
    return client;
  };
  const register = (command: string, handler: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(command, handler));

  register('lifetime.checkFile', async (target?: unknown) => {
    const uri = uriArgument(target);
    const client = running();
    if (!uri) return void vscode.window.showInformationMessage('Lifetime: open a .lifetime file to check it.');
    if (!client) return;
    const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Lifetime: checking' }, () =>
      client.sendRequest<string>(CHECK, { uri: uri.toString() }),
    );
    output.info(`${vscode.workspace.asRelativePath(uri)}: ${summary}`);
    void vscode.window.showInformationMessage(`Lifetime: ${summary}`);
  });

  register('lifetime.checkWorkspace', async () => {
    const client = running();
    if (!client) return;
    const files = await vscode.workspace.findFiles('**/*.lifetime', '**/node_modules/**');
    if (files.length === 0) return void vscode.window.showInformationMessage('Lifetime: no .lifetime files in this workspace.');
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Lifetime: checking the workspace', cancellable: true }, async (progress, token) => {
      let done = 0;
      for (const file of files) {
        if (token.isCancellationRequested) break;
        progress.report({ message: vscode.workspace.asRelativePath(file), increment: 100 / files.length });
        await vscode.workspace.openTextDocument(file);
        const summary = await client.sendRequest<string>(CHECK, { uri: file.toString() });
        output.info(`${vscode.workspace.asRelativePath(file)}: ${summary}`);
        done++;
      }
      void vscode.window.showInformationMessage(`Lifetime: checked ${done} of ${files.length} files; results are in the Problems panel.`);
    });
  });

  register('lifetime.showTrace', async (target?: unknown, proposal?: unknown) => {
    const uri = uriArgument(target);
    const client = running();
    if (!uri) return void vscode.window.showInformationMessage('Lifetime: open a .lifetime file to see its traces.');
    if (!client) return;
    const fetch = traceFetcher(client);
    const data = await fetch(uri, typeof proposal === 'string' ? proposal : undefined);
    if (!data) return void vscode.window.showInformationMessage('Lifetime: no check result yet for this file; run "Lifetime: Check File" first.');
    TracePanel.show(data, uri, fetch);
  });

  register('lifetime.stopCheck', async (target?: unknown) => {
    const uri = uriArgument(target);
    const client = running();
    if (!uri || !client) return;
    const answer = await client.sendRequest<string>('workspace/executeCommand', { command: 'lifetime.stopCheck', arguments: [uri.toString()] });
    void vscode.window.setStatusBarMessage(`Lifetime: ${answer}`, 4000);
  });

  register('lifetime.trace.next', () => TracePanel.current?.step(1));
  register('lifetime.trace.previous', () => TracePanel.current?.step(-1));

  register('lifetime.exportPromela', async (target?: unknown, proposal?: unknown) => {
    const uri = uriArgument(target);
    const client = running();
    if (!uri) return void vscode.window.showInformationMessage('Lifetime: open a .lifetime file to export it.');
    if (!client) return;
    const result = await client.sendRequest<{ text?: string; error?: string }>(PROMELA, { uri: uri.toString(), proposal: typeof proposal === 'string' ? proposal : undefined });
    if (result.text === undefined) return void vscode.window.showErrorMessage(`Lifetime: ${result.error ?? 'the export failed.'}`);
    const language = (await vscode.languages.getLanguages()).includes('promela') ? 'promela' : 'plaintext';
    const document = await vscode.workspace.openTextDocument({ content: result.text, language });
    await vscode.window.showTextDocument(document, { preview: false });
  });

  register('lifetime.restartServer', async () => {
    const client = getClient();
    if (!client) return;
    output.info('Restarting the Lifetime language server.');
    await client.restart();
    void vscode.window.showInformationMessage('Lifetime: the language server was restarted.');
  });
}
