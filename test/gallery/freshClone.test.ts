// A fresh clone is the user's machine: nothing in the repository reads the development machine's
// shared directory next to the checkout (the seed threads are listed in test/gallery/threads.json).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = process.cwd();
const SKIPPED = new Set(['node_modules', 'out', 'dist', '.git', '.vscode-test']);
const SOURCE = /\.(ts|mjs|cjs|js|json|lua|vim|sh|md|yml|yaml)$|^run$/;
// Spelled in pieces so that this file does not match itself.
const UP = '..';
const SHARED = 'shared';
const OUTSIDE = [`${UP}/${SHARED}`, `'${UP}', '${SHARED}'`, `"${UP}", "${SHARED}"`, `${SHARED}/seeds`];

function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && SOURCE.test(entry.name)) out.push(full);
  }
}

test('no file in the repository reads the shared directory outside it', () => {
  const files: string[] = [];
  walk(root, files);
  assert.ok(files.some((file) => file.endsWith(path.join('gallery', 'gallery.test.ts'))), 'the walk sees the tests');
  const offenders = files.flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return OUTSIDE.filter((needle) => text.includes(needle)).map((needle) => `${path.relative(root, file)}: ${needle}`);
  });
  assert.deepEqual(offenders, []);
});
