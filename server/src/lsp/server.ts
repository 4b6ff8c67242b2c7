// The Lifetime language server. Run it as `lifetime-language-server --stdio` (any LSP client) or
// with `--node-ipc` (the VS Code client). Everything it knows about the language comes from the
// core; this file only wires LSP requests to core features.

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { advertisedCommands, CommandHandler } from './commands';
import { registerFeatures } from './features';
import { registerHighlights } from './highlights';
import { registerWorkspaceSymbols } from './workspaceSymbols';
import { FrameGuard } from './frameGuard';
import { describeError, Session } from './session';
import { validateSettings } from './settings';
import { spinMissing } from '../spin/spinBackend';
import { restrictUntrusted, trustedByInitializationOptions, untrustedMessage, WORKSPACE_TRUSTED } from './trust';
import { SEMANTIC_TOKEN_MODIFIERS, SEMANTIC_TOKEN_TYPES } from '../core/features/semanticTokens';
import { TRIGGER_CHARACTERS } from '../core/features/completion';

const USAGE = `Usage: lifetime-language-server --stdio | --node-ipc | --socket=PORT | --pipe=NAME

The Lifetime language server speaks the Language Server Protocol. Editors start it with --stdio.`;

function transportGiven(argv: string[]): boolean {
  return argv.some((arg) => arg === '--stdio' || arg === '--node-ipc' || arg.startsWith('--socket=') || arg.startsWith('--pipe=') || arg.startsWith('--clientProcessId'));
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (argv.includes('--version')) {
    process.stdout.write('lifetime-language-server 0.1.0\n');
    return;
  }
  if (!transportGiven(argv)) {
    process.stderr.write(`lifetime-language-server: no transport given.\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const connection = argv.includes('--stdio')
    ? createConnection(
        ProposedFeatures.all,
        process.stdin.pipe(new FrameGuard((bytes, reason) => process.stderr.write(`lifetime-language-server: skipped ${bytes} bytes of input with ${reason}\n`))),
        process.stdout,
      )
    : createConnection(ProposedFeatures.all);
  startServer(connection);
  connection.listen();
}

function startServer(connection: Connection): void {
  // Log instead of dying: one bad request must not take the editor's language support down.
  process.on('uncaughtException', (error) => connection.console.error(`Internal error: ${describeError(error)}`));
  process.on('unhandledRejection', (error) => connection.console.error(`Internal error: ${describeError(error)}`));

  const documents = new TextDocuments(TextDocument);
  const session = new Session(connection, path.join(__dirname, 'engineWorker.js'));
  const commands = new CommandHandler(connection, session);
  let configurationSupport = false;
  // Settings arrive both with initialize and through workspace/configuration: say each problem once.
  const warned = new Set<string>();
  const reportSettingProblems = (warnings: string[]) => {
    if (warnings.length === 0) warned.clear();
    for (const warning of warnings) {
      if (warned.has(warning)) continue;
      warned.add(warning);
      void connection.window.showWarningMessage(warning);
    }
  };

  // Untrusted until the client says otherwise (see trust.ts); the restriction is announced once.
  let trusted = false;
  let untrustedAnnounced = false;
  let lastRawSettings: unknown;
  const applySettings = (raw: unknown): void => {
    lastRawSettings = raw;
    const validated = validateSettings(raw);
    reportSettingProblems(validated.warnings);
    let settings = validated.settings;
    if (!trusted) {
      const restricted = restrictUntrusted(settings);
      settings = restricted.settings;
      if (restricted.restricted.length > 0 && !untrustedAnnounced) {
        untrustedAnnounced = true;
        void connection.window.showInformationMessage(untrustedMessage(restricted.restricted));
      }
    }
    if (settings.backend === 'spin') {
      const missing = spinMissing();
      if (missing) {
        reportSettingProblems([`Setting "lifetime.check.backend" is "spin", but ${missing.replace(/^--backend spin needs /, 'it needs ')}; using the engine.`]);
        settings = { ...settings, backend: 'engine' };
      }
    }
    session.settingsChanged(settings);
  };

  connection.onInitialize((params): InitializeResult => {
    const folders = (params.workspaceFolders ?? []).map((folder) => folder.uri);
    if (folders.length === 0 && params.rootUri) folders.push(params.rootUri);
    session.cDocuments.workspaceFolders = folders.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
    trusted = trustedByInitializationOptions(params.initializationOptions);
    const capabilities = params.capabilities;
    configurationSupport = capabilities.workspace?.configuration === true;
    session.setClientCapabilities(capabilities.window?.workDoneProgress === true);
    commands.showDocumentSupport = capabilities.window?.showDocument?.support === true;
    applySettings((params.initializationOptions as { settings?: unknown } | undefined)?.settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        completionProvider: { triggerCharacters: TRIGGER_CHARACTERS },
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [','] },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        inlayHintProvider: true,
        semanticTokensProvider: { legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [...SEMANTIC_TOKEN_MODIFIERS] }, full: true },
        executeCommandProvider: { commands: advertisedCommands(params.initializationOptions) },
        workspaceSymbolProvider: true,
        documentHighlightProvider: true,
      },
      serverInfo: { name: 'lifetime-language-server', version: '0.1.0' },
    };
  });

  async function loadSettings(): Promise<void> {
    if (!configurationSupport) return;
    let raw: unknown;
    try {
      raw = await connection.workspace.getConfiguration('lifetime');
    } catch (error) {
      connection.console.warn(`Could not read the settings: ${describeError(error)}`);
      return;
    }
    applySettings(raw);
  }

  connection.onInitialized(() => void loadSettings());
  connection.onDidChangeConfiguration((change) => {
    if (configurationSupport) return void loadSettings();
    applySettings((change.settings as { lifetime?: unknown } | null | undefined)?.lifetime);
  });
  connection.onNotification(WORKSPACE_TRUSTED, () => {
    if (trusted) return;
    trusted = true;
    if (configurationSupport) void loadSettings();
    else applySettings(lastRawSettings);
  });

  documents.onDidOpen((event) => session.open(event.document));
  documents.onDidChangeContent((event) => session.change(event.document));
  documents.onDidSave((event) => session.saved(event.document.uri));
  documents.onDidClose((event) => session.close(event.document.uri));

  registerFeatures(connection, documents, session);
  commands.register();
  registerHighlights(connection, session);
  registerWorkspaceSymbols(connection, session, () => session.cDocuments.workspaceRoot);

  connection.onShutdown(async () => {
    commands.dispose();
    await session.dispose();
  });
  connection.onExit(() => {
    process.exit(0);
  });

  documents.listen(connection);
}

main();
