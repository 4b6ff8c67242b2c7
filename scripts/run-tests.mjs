// Runs every compiled test file under out/test with node's built-in runner.
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const filters = process.argv.slice(2);
const files = [];
function walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'e2e' && entry.name !== 'vscode') walk(full);
    } else if (entry.name.endsWith('.test.js') && (filters.length === 0 || filters.some((f) => full.includes(f)))) {
      files.push(full);
    }
  }
}
walk('out/test');
files.sort();
if (files.length === 0) {
  console.error('run-tests: no compiled test files under out/test; run `npm run compile` first');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
