// Builds the bundles (client, server + engine worker, CLI + check worker) and copies the tree-sitter wasm
// files next to each bundle that parses C, where the C front end looks for them.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const production = process.argv.includes('--production');
const importMetaShim = 'const __lifetimeImportMetaUrl = require("url").pathToFileURL(__filename).href;';
const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  loader: { '.scm': 'text' },
  absWorkingDir: root,
  // web-tree-sitter locates its wasm through import.meta.url, which a CommonJS bundle lacks.
  define: { 'import.meta.url': '__lifetimeImportMetaUrl' },
  banner: { js: importMetaShim },
};

function exists(relative) {
  return fs.existsSync(path.join(root, relative));
}

const builds = [];
if (exists('client/src/extension.ts')) {
  builds.push({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client/extension.js', external: ['vscode'] });
}
if (exists('server/src/lsp/server.ts')) {
  builds.push({ ...common, entryPoints: ['server/src/lsp/server.ts'], outfile: 'dist/server/server.js', banner: { js: '#!/usr/bin/env node\n' + importMetaShim } });
}
if (exists('server/src/lsp/engineWorker.ts')) {
  builds.push({ ...common, entryPoints: ['server/src/lsp/engineWorker.ts'], outfile: 'dist/server/engineWorker.js' });
}
if (exists('server/src/cli/checkWorker.ts')) {
  builds.push({ ...common, entryPoints: ['server/src/cli/checkWorker.ts'], outfile: 'dist/cli/checkWorker.js' });
}
if (exists('server/src/lsp/analysisWorker.ts')) {
  builds.push({ ...common, entryPoints: ['server/src/lsp/analysisWorker.ts'], outfile: 'dist/server/analysisWorker.js' });
}
// The proposal pool's worker sits next to the engine worker's bundle, which holds the pool.
if (exists('server/src/workers/proposalWorker.ts')) {
  builds.push({ ...common, entryPoints: ['server/src/workers/proposalWorker.ts'], outfile: 'dist/server/proposalWorker.js' });
}
// The parallel search's thread script sits next to the check worker's bundle, which runs searches
// on threads with `lifetime check --search-workers N` (the language server does not).
if (exists('server/src/core/engine/parallel/searchWorker.ts')) {
  builds.push({ ...common, entryPoints: ['server/src/core/engine/parallel/searchWorker.ts'], outfile: 'dist/cli/searchWorker.js' });
}
if (exists('server/src/cli/main.ts')) {
  builds.push({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli/lifetime.js', banner: { js: '#!/usr/bin/env node\n' + importMetaShim } });
}

await Promise.all(builds.map((options) => esbuild.build(options)));

const wasmFiles = [
  path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'),
  path.join(root, 'node_modules/tree-sitter-c/tree-sitter-c.wasm'),
];
for (const dir of ['dist/server', 'dist/cli']) {
  fs.mkdirSync(path.join(root, dir), { recursive: true });
  for (const file of [...wasmFiles, path.join(root, 'grammars/kernel-apis.json')]) {
    if (fs.existsSync(file)) fs.copyFileSync(file, path.join(root, dir, path.basename(file)));
  }
}
for (const bin of ['dist/cli/lifetime.js', 'dist/server/server.js']) {
  if (fs.existsSync(path.join(root, bin))) fs.chmodSync(path.join(root, bin), 0o755);
}
