// Per-family fixtures of the kernel API table (issue 12 item 6): in each file under
// test/fixtures/c-apis, a `// expect: KIND` comment marks the line of each expected finding, and every
// other line must have none. Each file pairs correct code with the same code missing a release.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeCText, loadApiTable, loadCParser } from '../../server/src/core/c/index';
import { LineIndex } from '../../server/src/core/util/lineIndex';

const fixtureDir = path.join(process.cwd(), 'test/fixtures/c-apis');

/** The API families the issue names, each with its fixture. */
export const FAMILY_FIXTURES = ['usb', 'net', 'fs', 'drm', 'i2c', 'of-fwnode', 'softirq', 'core'];

function expectations(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    // `// expect: leak, leak (low)`: two findings on the line, the second of low confidence.
    const match = /\/\/ expect: ([a-z-]+( \(low\))?(, [a-z-]+( \(low\))?)*)/.exec(line);
    if (match) for (const kind of match[1].split(', ')) out.push(`${i + 1}:${kind}`);
  });
  return out.sort();
}

test('every API family has a fixture, and nothing else is in the directory', () => {
  const files = fs.readdirSync(fixtureDir).filter((f) => f.endsWith('.c')).map((f) => f.replace(/\.c$/, '')).sort();
  assert.deepEqual(files, [...FAMILY_FIXTURES].sort());
});

for (const family of FAMILY_FIXTURES) {
  test(`API family ${family}: a missing release is found, the correct code gives nothing`, async () => {
    const parser = await loadCParser();
    const { table } = loadApiTable();
    const text = fs.readFileSync(path.join(fixtureDir, `${family}.c`), 'utf8');
    const expected = expectations(text);
    // A fixture that expects nothing would pass on a table that knows none of its APIs.
    assert.ok(expected.length >= 2, `${family}.c marks only ${expected.length} expected findings`);
    const lines = new LineIndex(text);
    const result = analyzeCText(text, table, { parser, lowConfidence: true });
    const actual = [...new Set(result.findings.map((f) => `${lines.positionAt(f.start).line + 1}:${f.kind}${f.confidence === 'low' ? ' (low)' : ''}`))].sort();
    const detail = result.findings.map((f) => `${lines.positionAt(f.start).line + 1}:${f.kind} [${f.function}] ${f.message}`).join('\n');
    assert.deepEqual(actual, expected, detail);
    // Every function that expects no finding must still have been analysed, not skipped.
    assert.equal(result.analysed, result.functions, `${family}.c: ${result.functions - result.analysed} functions not analysed`);
  });
}
