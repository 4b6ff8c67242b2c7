// The transport the VS Code client uses: node IPC with a forked server process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { ensureBuilt, SERVER_PATH } from './lspClient';
import { UAF_MODEL } from './models';

test('the server answers over --node-ipc', async () => {
  ensureBuilt();
  const child = fork(SERVER_PATH, ['--node-ipc'], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const diagnostics = new Promise<PublishDiagnosticsParams>((resolve) => {
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      if (params.diagnostics.some((d) => d.code === 'LT3001')) resolve(params);
    });
  });
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.onRequest('workspace/inlayHint/refresh', () => null);
  connection.listen();
  try {
    const result = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { workspace: { configuration: true } } })) as { serverInfo: { name: string } };
    assert.equal(result.serverInfo.name, 'lifetime-language-server');
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: 'file:///ipc.lifetime', languageId: 'lifetime', version: 1, text: UAF_MODEL } });
    const published = await diagnostics;
    assert.equal(published.uri, 'file:///ipc.lifetime');
    await connection.sendRequest('shutdown');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
  } finally {
    connection.dispose();
    if (child.exitCode === null) child.kill();
  }
});

test('without a transport the server explains its usage and exits with 2', () => {
  ensureBuilt();
  const result = spawnSync(process.execPath, [SERVER_PATH], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^lifetime-language-server: no transport given\.\nUsage: lifetime-language-server --stdio/);
  const help = spawnSync(process.execPath, [SERVER_PATH, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--stdio/);
});
