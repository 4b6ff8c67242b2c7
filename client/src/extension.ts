// The Lifetime extension: starts the language server (bundled with the extension, over IPC) and adds
// the commands, the status bar item and the trace view. Everything about the language is in the
// server; nothing from the workspace is executed.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { STATUS, type StatusNotification } from './protocol';
import { CheckStatusBar } from './statusBar';
import { TracePanel } from './traceView/panel';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Lifetime', { log: true });
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath('dist/server/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const selector: LanguageClientOptions['documentSelector'] = [{ language: 'lifetime' }];
  if (vscode.workspace.getConfiguration('lifetime').get<boolean>('c.enable') === true) selector.push({ language: 'c' });
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    outputChannel: output,
    initializationOptions: { settings: vscode.workspace.getConfiguration('lifetime') },
    synchronize: { configurationSection: 'lifetime' },
  };
  client = new LanguageClient('lifetime', 'Lifetime Language Server', serverOptions, clientOptions);
  const statusBar = new CheckStatusBar();
  context.subscriptions.push(statusBar);
  context.subscriptions.push(client.onNotification(STATUS, (status: StatusNotification) => statusBar.update(status)));
  registerCommands(context, () => client, output);
  context.subscriptions.push({ dispose: () => TracePanel.current?.dispose() });
  try {
    await client.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    output.error(`The Lifetime language server did not start: ${reason}`);
    void vscode.window.showErrorMessage(`Lifetime: the language server did not start (${reason}). See the Lifetime output channel.`);
  }
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}
