// Golden tests for the `.lifetime` front end (parser, then semantic checker).
//
// - Every `test/fixtures/syntax/ok/*.lifetime` must parse and check with no diagnostic at all.
// - Every `test/fixtures/syntax/err/NAME.lifetime` must give exactly the diagnostics listed in its
//   sibling `NAME.expected`: one line per diagnostic, in source order, formatted as
//
//       LINE:COLUMN CODE MESSAGE
//
//   with a 1-based line and a 1-based UTF-16 column of the diagnostic's start, e.g.
//   `4:16 LT1001 Expected ':' and the expected outcome but found 'use-after-free'.`
//   A file with no diagnostics has an empty `.expected`. Run with `UPDATE_EXPECT=1` to rewrite
//   the `.expected` files from the current output (then review the diff).
//
// For every fixture the tree must also cover every character (see invariants.ts).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from '../../server/src/core/diagnostics/codes';
import { checkFile } from '../../server/src/core/semantic/checker';
import { parse } from '../../server/src/core/syntax/parser';
import { LineIndex } from '../../server/src/core/util/lineIndex';
import { diagnosticProblems, treeProblems } from './invariants';

const fixtureRoot = path.join(process.cwd(), 'test/fixtures/syntax');
const update = process.env.UPDATE_EXPECT === '1';

function fixtures(folder: string): string[] {
  const dir = path.join(fixtureRoot, folder);
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.lifetime'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Parses and checks `text`, asserting the structural invariants; returns all diagnostics in order. */
function analyse(text: string): Diagnostic[] {
  const result = parse(text);
  assert.deepEqual(treeProblems(text, result), [], 'the syntax tree must cover the input exactly');
  const semantic = checkFile(result.file);
  assert.deepEqual(diagnosticProblems(text, semantic.diagnostics), [], 'checker diagnostics must be well formed');
  return [...result.diagnostics, ...semantic.diagnostics].sort((a, b) => a.start - b.start);
}

export function formatDiagnostics(text: string, diagnostics: readonly Diagnostic[]): string {
  const lines = new LineIndex(text);
  return diagnostics
    .map((diagnostic) => {
      const position = lines.positionAt(diagnostic.start);
      return `${position.line + 1}:${position.character + 1} ${diagnostic.code} ${diagnostic.message}\n`;
    })
    .join('');
}

for (const file of fixtures('ok')) {
  test(`ok/${path.basename(file)} parses and checks cleanly`, () => {
    const text = fs.readFileSync(file, 'utf8');
    const diagnostics = analyse(text);
    assert.equal(formatDiagnostics(text, diagnostics), '', 'an ok fixture must have no diagnostics');
  });
}

for (const file of fixtures('err')) {
  test(`err/${path.basename(file)} gives the expected diagnostics`, () => {
    const text = fs.readFileSync(file, 'utf8');
    const actual = formatDiagnostics(text, analyse(text));
    const expectedFile = file.replace(/\.lifetime$/, '.expected');
    if (update) {
      fs.writeFileSync(expectedFile, actual);
      return;
    }
    assert.ok(fs.existsSync(expectedFile), `${path.relative(process.cwd(), expectedFile)} is missing; run with UPDATE_EXPECT=1 to create it`);
    assert.equal(actual, fs.readFileSync(expectedFile, 'utf8'));
  });
}

test('every syntax code LT1001..LT1012 has an err fixture that produces it', () => {
  const produced = new Set<string>();
  for (const file of fixtures('err')) {
    for (const diagnostic of parse(fs.readFileSync(file, 'utf8')).diagnostics) produced.add(diagnostic.code);
  }
  for (let n = 1001; n <= 1012; n++) assert.ok(produced.has(`LT${n}`), `no err fixture produces LT${n}`);
});
