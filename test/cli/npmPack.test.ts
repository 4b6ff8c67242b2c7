// The install path docs/editors.md gives for other editors and for CI: `npm pack`, then a global
// install of the tarball. The tarball holds the bundles, which need no dependency at run time, so the
// install works offline; the installed `lifetime` checks models and C, and the installed
// `lifetime-language-server` answers `initialize`.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureBuilt, ROOT, STACK_LINE } from './bin';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-npm-pack-'));
const prefix = path.join(scratch, 'prefix');
const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
const tarball = path.join(scratch, `lifetime-review-${version}.tgz`);

/** The environment without the npm_* variables of an enclosing `npm test`, which would steer npm. */
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));

function npm(args: string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `npm ${args.join(' ')} failed: ${result.error?.message ?? ''}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

before(() => {
  ensureBuilt();
  // The bundles are already built; --ignore-scripts keeps `prepack` from rebuilding them under other tests.
  npm(['pack', '--ignore-scripts', '--pack-destination', scratch], ROOT);
  npm(['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], scratch);
});

test('the tarball holds the bundles, the docs and the gallery, and no sources or tests', () => {
  const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const file of ['package/dist/cli/lifetime.js', 'package/dist/cli/checkWorker.js', 'package/dist/cli/searchWorker.js', 'package/dist/cli/tree-sitter-c.wasm', 'package/dist/server/server.js', 'package/dist/server/engineWorker.js', 'package/dist/server/proposalWorker.js', 'package/docs/cli.md', 'package/examples/pasid-freed-at-mm-exit.lifetime']) {
    assert.ok(listing.includes(file), `${file} is in the tarball`);
  }
  assert.deepEqual(listing.filter((file) => /^package\/(server|client|test|bench|node_modules)\//.test(file) || file.endsWith('.map')), []);
});

test('the installed lifetime checks a model and a C file from any directory', () => {
  const bin = path.join(prefix, 'bin', 'lifetime');
  assert.equal(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout, `lifetime ${version}\n`);
  const installed = path.join(prefix, 'lib', 'node_modules', 'lifetime-review');
  assert.ok(!fs.existsSync(path.join(installed, 'node_modules')), 'no dependency was installed: the bundles need none');

  const model = spawnSync(bin, ['check', path.join(installed, 'examples', 'pasid-freed-at-mm-exit.lifetime')], { cwd: scratch, encoding: 'utf8' });
  assert.equal(model.status, 0, model.stdout + model.stderr);
  assert.match(model.stdout, /verdicts: \d+ safe, \d+ violations?, 0 incomplete, all as expected/);

  fs.writeFileSync(path.join(scratch, 'leak.c'), fs.readFileSync(path.join(ROOT, 'test/fixtures/cli/leak.c')));
  const c = spawnSync(bin, ['check', 'leak.c'], { cwd: scratch, encoding: 'utf8' });
  assert.equal(c.status, 1, c.stderr);
  assert.match(c.stdout, /error LT4001/);
  assert.doesNotMatch(model.stderr + c.stderr, STACK_LINE);
});

test('the installed lifetime-language-server answers initialize over stdio', async () => {
  const server = spawn(path.join(prefix, 'bin', 'lifetime-language-server'), ['--stdio'], { cwd: scratch, stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
    server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const answer = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no answer to initialize: ${out}`)), 30_000);
      server.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes('"id":1')) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      server.on('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    });
    assert.match(answer, /"capabilities"/);
    assert.match(answer, /"hoverProvider":true/);
  } finally {
    server.kill();
  }
});
