// The session against a stand-in engine worker that always crashes: the user is told once, however
// often the worker dies, and the server carries on publishing syntax and name diagnostics.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Connection } from 'vscode-languageserver/node';
import { Session } from '../../server/src/lsp/session';
import { UAF_MODEL } from './models';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-session-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const crashingWorker = path.join(dir, 'crash.js');
fs.writeFileSync(crashingWorker, "require('node:worker_threads').parentPort.on('message', () => process.exit(7));\n");

function fakeConnection() {
  const warnings: string[] = [];
  const errors: string[] = [];
  const published: { uri: string; version?: number; diagnostics: unknown[] }[] = [];
  const statuses: { state: string; text: string }[] = [];
  const connection = {
    sendDiagnostics: (params: { uri: string; version?: number; diagnostics: unknown[] }) => {
      published.push(params);
      return Promise.resolve();
    },
    sendNotification: (method: string, params: { state: string; text: string }) => {
      if (method === 'lifetime/status') statuses.push(params);
      return Promise.resolve();
    },
    sendRequest: () => Promise.resolve(null),
    console: { error: (message: string) => errors.push(message), warn: () => undefined, log: () => undefined, info: () => undefined },
    window: {
      showWarningMessage: (message: string) => {
        warnings.push(message);
        return Promise.resolve(undefined);
      },
      createWorkDoneProgress: () => Promise.reject(new Error('no progress in this test')),
    },
  };
  return { connection: connection as unknown as Connection, warnings, errors, published, statuses };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a dying engine worker is restarted and the user told once', async () => {
  const fake = fakeConnection();
  const session = new Session(fake.connection, crashingWorker);
  try {
    session.open(TextDocument.create('file:///a.lifetime', 'lifetime', 1, UAF_MODEL));
    await until(() => fake.statuses.some((s) => s.state === 'error'));
    session.open(TextDocument.create('file:///b.lifetime', 'lifetime', 1, UAF_MODEL));
    await until(() => fake.statuses.filter((s) => s.state === 'error').length >= 2);
    assert.equal(fake.warnings.length, 1);
    assert.match(fake.warnings[0], /^Lifetime: the model checker stopped \(the engine worker exited with code 7\)\. It has been restarted/);
    assert.ok(fake.errors.filter((e) => e.includes('exited with code 7')).length >= 2);
    assert.ok(fake.published.some((p) => p.uri === 'file:///b.lifetime'), 'syntax and name diagnostics are still published');
    // A check that killed the worker is not retried on its own (no crash loop); an edit retries it.
    const errorsBefore = fake.statuses.filter((s) => s.state === 'error').length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(fake.statuses.filter((s) => s.state === 'error').length, errorsBefore);
    session.change(TextDocument.create('file:///a.lifetime', 'lifetime', 2, UAF_MODEL + '\n'));
    await until(() => fake.statuses.filter((s) => s.state === 'error').length > errorsBefore);
    assert.equal(fake.warnings.length, 1);
  } finally {
    await session.dispose();
  }
});
