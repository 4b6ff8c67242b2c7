// The examples of the language reference parse: every code block of docs/language.md that is
// `.lifetime` text (not the grammar, not an example with an elided `{ ... }`) gives no syntax error.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from '../../server/src/core/syntax/parser';

test('every model example in docs/language.md parses without a syntax error', () => {
  const text = fs.readFileSync(path.join(process.cwd(), 'docs', 'language.md'), 'utf8');
  const blocks = [...text.matchAll(/^```\n([\s\S]*?)^```/gm)].map((match) => match[1]);
  const examples = blocks.filter((block) => !block.includes('= Item*') && !block.includes('{ ... }'));
  assert.ok(examples.length >= 15, `only ${examples.length} examples`);
  for (const example of examples) {
    const errors = parse(example).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => `${d.code} ${d.message} in:\n${example}`), []);
  }
});
