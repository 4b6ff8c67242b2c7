// Fixture tests: each `// expect: KIND` comment marks the line of one expected finding (`KIND (low)`
// for one of low confidence, `KIND, KIND` for two); every other
// line must have none.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeCText, loadApiTable, loadCParser } from '../../server/src/core/c/index';
import { LineIndex } from '../../server/src/core/util/lineIndex';

const fixtureDir = path.join(process.cwd(), 'test/fixtures/c');

function expectations(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    // `// expect: leak, leak (low)`: two findings on the line, the second of low confidence.
    const match = /\/\/ expect: ([a-z-]+( \(low\))?(, [a-z-]+( \(low\))?)*)/.exec(line);
    if (match) for (const kind of match[1].split(', ')) out.push(`${i + 1}:${kind}`);
  });
  return out.sort();
}

for (const file of ['refs.c', 'locks.c', 'memory.c', 'control.c', 'errors.c', 'idioms.c', 'after-put.c', 'precision.c', 'semaphores.c', 'ownership.c', 'pcim.c', 'paths.c', 'release-matching.c', 'callers.c', 'ownership2.c', 'kunit.c', 'handover.c', 'lock-contracts.c', 'round15.c']) {
  test(`fixture ${file}: findings exactly where expected`, async () => {
    const parser = await loadCParser();
    const { table } = loadApiTable();
    const text = fs.readFileSync(path.join(fixtureDir, file), 'utf8');
    const lines = new LineIndex(text);
    const result = analyzeCText(text, table, { parser, lowConfidence: true });
    const actual = [...new Set(result.findings.map((f) => `${lines.positionAt(f.start).line + 1}:${f.kind}${f.confidence === 'low' ? ' (low)' : ''}`))].sort();
    const detail = result.findings.map((f) => `${lines.positionAt(f.start).line + 1}:${f.kind} [${f.function}] ${f.message}`).join('\n');
    assert.deepEqual(actual, expectations(text), detail);
  });
}

test('an ERROR node gives one LT4101 note for the function and the analysis continues', async () => {
  const parser = await loadCParser();
  const { table } = loadApiTable();
  const text = fs.readFileSync(path.join(fixtureDir, 'errors.c'), 'utf8');
  const result = analyzeCText(text, table, { parser });
  assert.equal(result.notes.length, 1);
  assert.equal(result.notes[0].code, 'LT4101');
  assert.equal(result.findings.length, 1);
});

test('findings carry codes, the acquire site and the return as related places', async () => {
  const parser = await loadCParser();
  const { table } = loadApiTable();
  const text = fs.readFileSync(path.join(fixtureDir, 'refs.c'), 'utf8');
  const leak = analyzeCText(text, table, { parser }).findings.find((f) => f.function === 'of_leak');
  assert.ok(leak);
  assert.equal(leak.code, 'LT4001');
  assert.match(leak.message, /np from of_find_compatible_node\(\) at line \d+ is still held/);
  assert.equal(text.slice(leak.related[0].start, leak.related[0].end).startsWith('of_find_compatible_node('), true);
  assert.equal(text.slice(leak.start, leak.end), 'return ret;');
});
