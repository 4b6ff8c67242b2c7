// The Lifetime extension: starts the language server (bundled with the extension, over IPC) and adds
// the commands, the status bar item and the trace view. Everything about the language is in the
// server; nothing from the workspace is executed.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerCChecks } from './cChecks';
import { CLIENT_COMMANDS, registerCommands } from './commands';
import { STATUS, WORKSPACE_TRUSTED, type StatusNotification } from './protocol';
import { isPatchDocument, registerReviewPatch } from './reviewPatch';
import { cChecksOn, CheckStatusBar } from './statusBar';
import { TracePanel } from './traceView/panel';
import { registerWalkthrough } from './walkthrough';

/**
 * Node flags for the server process: a larger young generation, so that checking a large file does
 * not copy its whole syntax tree in the garbage collector (see server/src/lsp/nodeFlags.ts).
 */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Lifetime', { log: true });
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath('dist/server/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: SERVER_NODE_FLAGS } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6010'] } },
  };
  // C documents always go to the server, which analyses them only while `lifetime.c.enable` is on,
  // so that turning the setting on or off takes effect at once.
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'lifetime' }, { language: 'c' }, { language: 'diff' }, { scheme: 'file', pattern: '**/*.eml' }],
    outputChannel: output,
    // The client draws traces and stops checks itself, so the server does not advertise those commands.
    // Until the user trusts the workspace, the server ignores the settings that name files and caps budgets.
    // Computed when the server starts, which may be after the user has trusted the workspace.
    initializationOptions: () => ({ settings: vscode.workspace.getConfiguration('lifetime'), clientCommands: CLIENT_COMMANDS, workspaceTrusted: vscode.workspace.isTrusted }),
    synchronize: { configurationSection: 'lifetime' },
  };
  client = new LanguageClient('lifetime', 'Lifetime Language Server', serverOptions, clientOptions);
  const started = client;
  const statusBar = new CheckStatusBar();
  context.subscriptions.push(statusBar);
  context.subscriptions.push(
    client.onNotification(STATUS, (status: StatusNotification) => {
      statusBar.update(status);
      // A finished check of the model on view redraws the trace view.
      if (status.state !== 'checking' && TracePanel.current?.modelUri.toString() === status.uri) void TracePanel.current.refresh(vscode.Uri.parse(status.uri));
    }),
  );
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (started.isRunning()) void started.sendNotification(WORKSPACE_TRUSTED);
    }),
  );
  registerCommands(context, () => client, output);
  registerReviewPatch(context, () => client, output);
  registerCChecks(context);
  registerWalkthrough(context);
  context.subscriptions.push({ dispose: () => TracePanel.current?.dispose() });
  const start = async (): Promise<void> => {
    try {
      await started.start();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      output.error(`The Lifetime language server did not start: ${reason}`);
      void vscode.window.showErrorMessage(`Lifetime: the language server did not start (${reason}). See the Lifetime output channel.`);
    }
  };
  if (await serverWanted()) return start();
  // Opened for a C file with C checks off: start once a model is opened or the checks are turned on.
  const waiting: vscode.Disposable[] = [];
  const startOnce = (): void => {
    while (waiting.length > 0) waiting.pop()?.dispose();
    void start();
  };
  waiting.push(
    vscode.workspace.onDidOpenTextDocument((document) => {
      if (document.languageId === 'lifetime' || isPatchDocument(document)) startOnce();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('lifetime.c.enable') && cChecksOn()) startOnce();
    }),
  );
  context.subscriptions.push(...waiting);
}

/** The server is needed for models and patch files, and for C files only when C checks are on. */
async function serverWanted(): Promise<boolean> {
  if (cChecksOn() || vscode.workspace.textDocuments.some((document) => document.languageId === 'lifetime' || isPatchDocument(document))) return true;
  const models = await vscode.workspace.findFiles('**/*.lifetime', '**/node_modules/**', 1);
  return models.length > 0;
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}
