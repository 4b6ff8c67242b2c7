// The `lifetime.check.backend` setting: in a trusted workspace SPIN searches the model's Promela
// export and its trails become the same diagnostics the engine gives; in an untrusted workspace the
// setting is ignored and said so; without spin on PATH the engine is used, with one warning.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spinMissing } from '../../server/src/spin/spinBackend';
import { ensureBuilt, TestClient } from './lspClient';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-spin-lsp-'));
after(() => fs.rmSync(workspace, { recursive: true, force: true }));
const ROOT = pathToFileURL(workspace).href;
const MODEL = fs.readFileSync('examples/pasid-freed-at-mm-exit.lifetime', 'utf8');

// A `spin` on PATH that records each call, then runs the real one.
const wrapperDir = path.join(workspace, 'bin');
const callLog = path.join(workspace, 'spin-calls.log');
fs.mkdirSync(wrapperDir);
const realSpin = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'spin')).find((file) => fs.existsSync(file));
if (realSpin) {
  fs.writeFileSync(path.join(wrapperDir, 'spin'), `#!/bin/sh\necho "$@" >> '${callLog}'\nexec '${realSpin}' "$@"\n`, { mode: 0o755 });
}
const wrappedEnv = { ...process.env, PATH: `${wrapperDir}${path.delimiter}${process.env.PATH ?? ''}` };

interface Published {
  diagnostics: { code?: unknown; message: unknown; range: { start: { line: number } } }[];
}

/** The violations a check published, as `code line message` lines, sorted. */
function violations(params: Published): string[] {
  return params.diagnostics
    .filter((d) => /^LT3[0-4]/.test(String(d.code)) || /use-after-free|stale-access|ordering/.test(String(d.message)))
    .map((d) => `${String(d.code)} ${d.range.start.line} ${String(d.message).split('\n')[0]}`)
    .sort();
}

async function diagnosticsWith(settings: Record<string, unknown>, trusted: boolean, env: NodeJS.ProcessEnv): Promise<{ published: Published; messages: string[] }> {
  const client = new TestClient(['--stdio'], settings, [], env);
  try {
    await client.initialize({ rootUri: ROOT, initializationOptions: { settings, workspaceTrusted: trusted } });
    const uri = `${ROOT}/pasid.lifetime`;
    await client.open(uri, MODEL, 1);
    const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.some((d) => /stale-access/.test(String(d.message))), 120_000);
    return { published, messages: client.shownMessages.map((m) => m.message) };
  } finally {
    await client.shutdown();
  }
}

test('with check.backend "spin", SPIN checks the model and the diagnostics are the engine\'s', { skip: spinMissing() }, async () => {
  ensureBuilt();
  const engine = await diagnosticsWith({}, true, wrappedEnv);
  assert.equal(fs.existsSync(callLog), false, 'the engine backend ran spin');
  const spin = await diagnosticsWith({ check: { backend: 'spin' } }, true, wrappedEnv);
  assert.ok(fs.readFileSync(callLog, 'utf8').split('\n').some((line) => /-a/.test(line)), 'spin -a was never run');
  assert.ok(violations(engine.published).length > 0);
  assert.deepEqual(violations(spin.published), violations(engine.published));
});

test('an untrusted workspace ignores check.backend and says so', { skip: spinMissing() }, async () => {
  ensureBuilt();
  fs.rmSync(callLog, { force: true });
  const { messages } = await diagnosticsWith({ check: { backend: 'spin' } }, false, wrappedEnv);
  assert.equal(fs.existsSync(callLog), false, 'spin ran in an untrusted workspace');
  assert.ok(messages.some((m) => /not trusted/.test(m) && /lifetime\.check\.backend/.test(m)), JSON.stringify(messages));
});

test('without spin on PATH the engine checks the model, with one warning', async () => {
  ensureBuilt();
  const { messages } = await diagnosticsWith({ check: { backend: 'spin' } }, true, { ...process.env, PATH: path.join(workspace, 'empty') });
  assert.ok(messages.some((m) => /lifetime\.check\.backend" is "spin", but it needs spin and gcc on PATH/.test(m) && /using the engine/.test(m)), JSON.stringify(messages));
});
