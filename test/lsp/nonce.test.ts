// The trace view's script nonce comes from the system's random generator, not from Math.random:
// with Math.random made constant, two nonces still differ.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-nonce-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('webview nonces are unpredictable: crypto, not Math.random', async () => {
  // The client's own module, bundled as the extension bundles it.
  const outfile = path.join(dir, 'html.js');
  await esbuild.build({ entryPoints: [path.join(process.cwd(), 'client/src/traceView/html.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'silent' });
  const { makeNonce, traceViewHtml } = require(outfile) as { makeNonce: () => string; traceViewHtml: (csp: string, nonce: string) => string };
  const random = Math.random;
  Math.random = () => 0.5;
  let nonces: string[];
  try {
    nonces = [makeNonce(), makeNonce(), makeNonce()];
  } finally {
    Math.random = random;
  }
  assert.equal(new Set(nonces).size, 3, `nonces repeat when Math.random is constant: ${nonces.join(', ')}`);
  for (const nonce of nonces) {
    assert.match(nonce, /^[A-Za-z0-9_-]{32}$/);
    assert.match(traceViewHtml('vscode-resource:', nonce), new RegExp(`script-src 'nonce-${nonce}'`));
  }
});
