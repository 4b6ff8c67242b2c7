// Workspace trust: in an untrusted workspace the settings that name files are ignored and budgets
// are capped at the defaults, with one message; a client that says nothing is untrusted; the VS Code
// client's notification turns trust on. API files are never read while C checks are off.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_BUDGETS } from '../../server/src/core/engine/budgets';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';
import { restrictUntrusted, trustedByInitializationOptions } from '../../server/src/lsp/trust';
import { ensureBuilt, TestClient } from './lspClient';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-trust-'));
after(() => fs.rmSync(workspace, { recursive: true, force: true }));
fs.writeFileSync(
  path.join(workspace, 'mine.json'),
  JSON.stringify({ apis: [{ name: 'my_get', effect: 'acquire', family: 'mine', kind: 'ref', object: 'return', when: 'nonnull', release: 'my_put' }, { name: 'my_put', effect: 'release', family: 'mine', object: 'arg0' }] }),
);
const ROOT = pathToFileURL(workspace).href;

// A leak only the workspace's own API table knows about.
const C_SOURCE = `int demo(int bad)
{
	struct thing *t = my_get();
	if (!t)
		return -ENOMEM;
	if (bad)
		return -EINVAL;
	my_put(t);
	return 0;
}
`;

test('package.json restricts every setting that names a file or raises a budget', () => {
  const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8')) as {
    capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations?: string[] } };
    contributes: { configuration: { properties: Record<string, { type: string; items?: { type: string }; maximum?: number }> } };
  };
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  const restricted = new Set(untrusted.restrictedConfigurations ?? []);
  const properties = manifest.contributes.configuration.properties;
  for (const [name, schema] of Object.entries(properties)) {
    const namesFiles = /file|path|dir/i.test(name);
    const isBudget = schema.type === 'integer' || schema.type === 'number' || /max|timeout|limit|budget/i.test(name);
    if (namesFiles || isBudget) assert.ok(restricted.has(name), `${name} is not in restrictedConfigurations`);
  }
  for (const name of restricted) assert.ok(properties[name], `${name} is restricted but not a setting`);
  assert.ok(restricted.has('lifetime.c.apiFiles'));
});

test('untrusted settings lose their files and keep budgets at most the defaults', () => {
  const generous = { ...DEFAULT_SETTINGS, cApiFiles: ['x.json'], maxStates: 1e9, timeoutMs: 3_600_000, cEnable: true, backend: 'spin' as const };
  const { settings, restricted } = restrictUntrusted(generous);
  assert.deepEqual(settings.cApiFiles, []);
  assert.equal(settings.maxStates, DEFAULT_BUDGETS.maxStates);
  assert.equal(settings.timeoutMs, DEFAULT_BUDGETS.timeoutMs);
  assert.equal(settings.cEnable, true);
  assert.equal(settings.backend, 'engine');
  assert.deepEqual(restricted, ['lifetime.c.apiFiles', 'lifetime.check.maxStates', 'lifetime.check.timeoutMs', 'lifetime.check.backend']);
  const modest = restrictUntrusted({ ...DEFAULT_SETTINGS, maxStates: 1000, timeoutMs: 500 });
  assert.deepEqual(modest.restricted, []);
  assert.equal(modest.settings.maxStates, 1000);
  assert.equal(trustedByInitializationOptions(undefined), false);
  assert.equal(trustedByInitializationOptions({ workspaceTrusted: 'yes' }), false);
  assert.equal(trustedByInitializationOptions({ workspaceTrusted: true, clientCommands: [] }), true);
});

async function openC(client: TestClient, uri: string): Promise<void> {
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: C_SOURCE } });
}

const leakOfMyGet = (diagnostics: { code?: unknown; message: unknown }[]) => diagnostics.some((d) => String(d.code).startsWith('LT40') && /my_get/.test(String(d.message)));

test('a client that says nothing is untrusted: API files are ignored, said once, until the workspace is trusted', async () => {
  ensureBuilt();
  const client = new TestClient(['--stdio'], { c: { enable: true, apiFiles: ['mine.json'] }, check: { maxStates: 1e9 } });
  try {
    await client.initialize({ rootUri: ROOT, initializationOptions: { settings: { c: { enable: true, apiFiles: ['mine.json'] }, check: { maxStates: 1e9 } } } });
    const uri = `${ROOT}/demo.c`;
    await openC(client, uri);
    const first = await client.waitForDiagnostics(uri, () => true);
    assert.equal(leakOfMyGet(first.diagnostics), false, JSON.stringify(first.diagnostics));
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    const notices = client.shownMessages.filter((m) => /not trusted/.test(m.message));
    assert.equal(notices.length, 1, JSON.stringify(client.shownMessages));
    assert.match(notices[0].message, /lifetime\.c\.apiFiles, lifetime\.check\.maxStates/);
    await client.connection.sendNotification('lifetime/workspaceTrusted', {});
    const trusted = await client.waitForDiagnostics(uri, (p) => leakOfMyGet(p.diagnostics));
    assert.ok(leakOfMyGet(trusted.diagnostics));
  } finally {
    await client.shutdown();
  }
});

test('a trusted workspace uses its API files; /dev/zero and a missing file are named, and initialize is answered', async () => {
  ensureBuilt();
  const settings = { c: { enable: true, apiFiles: ['/dev/zero', 'mine.json', '../../../etc/passwd'] } };
  const client = new TestClient(['--stdio'], settings);
  try {
    const answered = client.initialize({ rootUri: ROOT, initializationOptions: { settings, workspaceTrusted: true } });
    await Promise.race([answered, new Promise((_, reject) => setTimeout(() => reject(new Error('initialize was not answered')), 5000))]);
    const uri = `${ROOT}/demo.c`;
    await openC(client, uri);
    await client.waitForDiagnostics(uri, (p) => leakOfMyGet(p.diagnostics));
    const problems = client.shownMessages.filter((m) => /kernel API file/.test(m.message)).map((m) => m.message);
    assert.ok(problems.some((m) => /"\/dev\/zero" was not read/.test(m)), JSON.stringify(problems));
    assert.ok(problems.some((m) => /"\.\.\/\.\.\/\.\.\/etc\/passwd" .*outside the workspace folder|"\.\.\/\.\.\/\.\.\/etc\/passwd" does not exist/.test(m)), JSON.stringify(problems));
    assert.ok(problems.every((m) => !/root:/.test(m)));
  } finally {
    await client.shutdown();
  }
});

test('API files are not read at all while C checks are off', async () => {
  ensureBuilt();
  const settings = { c: { enable: false, apiFiles: ['absent.json'] } };
  const client = new TestClient(['--stdio'], settings);
  try {
    await client.initialize({ rootUri: ROOT, initializationOptions: { settings, workspaceTrusted: true } });
    await client.open(`${ROOT}/m.lifetime`, 'object o { ref r }\n', 1);
    await client.waitForDiagnostics(`${ROOT}/m.lifetime`, () => true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(client.shownMessages.filter((m) => /kernel API file/.test(m.message)), []);
  } finally {
    await client.shutdown();
  }
});
