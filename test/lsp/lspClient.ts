// A real LSP client for tests and the benchmark: it starts the built server as a child process and
// speaks JSON-RPC over stdio through vscode-jsonrpc / vscode-languageserver-protocol.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

/** The built server; LIFETIME_SERVER points a benchmark at another build (e.g. an older one, for a before/after ratio). */
export const SERVER_PATH = process.env.LIFETIME_SERVER ? path.resolve(process.env.LIFETIME_SERVER) : path.join(process.cwd(), 'dist/server/server.js');

/** Builds the bundles when the server bundle is missing or older than the sources. */
export function ensureBuilt(): void {
  if (fs.existsSync(SERVER_PATH) && !process.env.LIFETIME_REBUILD) return;
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('node scripts/build.mjs failed; the LSP tests need dist/server/server.js');
}

export interface Waiter<T> {
  predicate: (value: T) => boolean;
  resolve: (value: T) => void;
}

export class TestClient {
  readonly connection: MessageConnection;
  readonly child: ChildProcess;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publishDiagnostics, in order of arrival. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly shownMessages: { type: number; message: string }[] = [];
  readonly shownDocuments: { uri: string; takeFocus?: boolean }[] = [];
  private diagnosticWaiters: Waiter<PublishDiagnosticsParams>[] = [];
  stderr = '';
  exitCode: number | null | undefined;

  constructor(args: string[] = ['--stdio'], settings: Record<string, unknown> = {}, nodeArgs: string[] = [], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, [...nodeArgs, SERVER_PATH, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.stderr?.on('data', (chunk) => (this.stderr += String(chunk)));
    this.child.on('exit', (code) => (this.exitCode = code));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.set(params.uri, params);
      this.published.push(params);
      this.diagnosticWaiters = this.diagnosticWaiters.filter((waiter) => {
        if (!waiter.predicate(params)) return true;
        waiter.resolve(params);
        return false;
      });
    });
    this.connection.onNotification('window/showMessage', (params: { type: number; message: string }) => {
      this.shownMessages.push(params);
    });
    this.connection.onNotification('$/progress', (params: unknown) => {
      this.notifications.push({ method: '$/progress', params });
    });
    this.connection.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map(() => settings));
    this.connection.onRequest('window/showMessageRequest', (params: { type: number; message: string }) => {
      this.shownMessages.push(params);
      return null;
    });
    this.connection.onRequest('window/workDoneProgress/create', (params: unknown) => {
      this.notifications.push({ method: 'window/workDoneProgress/create', params });
      return null;
    });
    this.connection.onRequest('window/showDocument', (params: { uri: string; takeFocus?: boolean }) => {
      this.shownDocuments.push(params);
      return { success: true };
    });
    this.connection.onRequest('workspace/codeLens/refresh', () => null);
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    this.connection.onRequest('workspace/semanticTokens/refresh', () => null);
    this.connection.listen();
  }

  /** `options` adds to what the client says of itself: more window capabilities, a root, initialization options. */
  async initialize(options: { window?: Record<string, unknown>; rootUri?: string; initializationOptions?: unknown } = {}): Promise<unknown> {
    const result = await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: options.rootUri ?? null,
      capabilities: {
        workspace: { configuration: true },
        window: { workDoneProgress: true, ...options.window },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      },
      ...(options.initializationOptions !== undefined ? { initializationOptions: options.initializationOptions } : {}),
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'lifetime', version, text } });
  }

  change(uri: string, version: number, changes: { range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[]): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  /** Resolves with the first diagnostics for `uri` (already received or coming) that satisfy the predicate. */
  waitForDiagnostics(uri: string, predicate: (params: PublishDiagnosticsParams) => boolean, timeoutMs = 20_000): Promise<PublishDiagnosticsParams> {
    const current = this.diagnostics.get(uri);
    if (current && predicate(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.diagnostics.get(uri))?.slice(0, 500)}`)), timeoutMs);
      this.diagnosticWaiters.push({
        predicate: (params) => params.uri === uri && predicate(params),
        resolve: (params) => {
          clearTimeout(timer);
          resolve(params);
        },
      });
    });
  }

  /** Resolves when the server reports a finished check (any state but `checking`) of that version. */
  async waitForCheck(uri: string, version: number, timeoutMs = 20_000): Promise<{ state: string; text: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = this.notifications.find((n) => {
        const params = n.params as { uri?: string; version?: number; state?: string };
        return n.method === 'lifetime/status' && params.uri === uri && params.version === version && params.state !== 'checking';
      });
      if (status) return status.params as { state: string; text: string };
      if (Date.now() > deadline) throw new Error(`no finished check of ${uri} version ${version} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest(method, params) as Promise<T>;
  }

  async shutdown(): Promise<void> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    await new Promise<void>((resolve) => {
      if (this.exitCode !== undefined) return resolve();
      const timer = setTimeout(() => {
        this.child.kill();
        resolve();
      }, 3000);
      this.child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.connection.dispose();
  }

  kill(): void {
    if (this.exitCode === undefined) this.child.kill();
    this.connection.dispose();
  }
}

export function hasEngineDiagnostic(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => String(d.code).startsWith('LT30'));
}
