// Every LT2xxx code the checker can give has a `sem-*` err fixture that produces it, and the checker
// gives it on nothing but real semantic problems: the fixtures name the code they are about.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { allCodes } from '../../server/src/core/diagnostics/codes';
import { checkFile } from '../../server/src/core/semantic/checker';
import { parse } from '../../server/src/core/syntax/parser';

const errDir = path.join(process.cwd(), 'test/fixtures/syntax/err');

/** Codes the C front end gives while translating C bodies, not the checker. */
const GIVEN_ELSEWHERE = new Set(['LT2019']);

function semFixtures(): string[] {
  return fs.readdirSync(errDir).filter((name) => name.startsWith('sem-') && name.endsWith('.lifetime')).sort();
}

test('every LT2xxx code the checker gives has a sem- fixture named after it that produces it', () => {
  const fixtures = semFixtures();
  for (const info of allCodes().filter((c) => c.code.startsWith('LT2') && !GIVEN_ELSEWHERE.has(c.code))) {
    const file = fixtures.find((name) => name.startsWith(`sem-${info.code.toLowerCase()}-`));
    assert.ok(file, `no test/fixtures/syntax/err/sem-${info.code.toLowerCase()}-*.lifetime`);
    const text = fs.readFileSync(path.join(errDir, file), 'utf8');
    const parsed = parse(text);
    assert.deepEqual(parsed.diagnostics.map((d) => d.message), [], `${file} must be free of syntax errors`);
    const codes = checkFile(parsed.file).diagnostics.map((d) => d.code);
    assert.ok(codes.includes(info.code), `${file} does not produce ${info.code}; it gives ${codes.join(', ') || 'nothing'}`);
  }
});

test('each sem- fixture gives mostly the code it is named after', () => {
  for (const file of semFixtures()) {
    const code = file.slice(4, 10).toUpperCase();
    const text = fs.readFileSync(path.join(errDir, file), 'utf8');
    const diagnostics = checkFile(parse(text).file).diagnostics;
    const on = diagnostics.filter((d) => d.code === code).length;
    assert.ok(on * 2 > diagnostics.length, `${file}: only ${on} of ${diagnostics.length} diagnostics are ${code}`);
  }
});

test('the language reference example checks cleanly apart from its unused parameter', () => {
  const reference = fs.readFileSync(path.join(process.cwd(), 'docs/language.md'), 'utf8');
  const example = /```\n(model iommu_release_ordering[\s\S]*?)```/.exec(reference)?.[1];
  assert.ok(example, 'docs/language.md has lost its opening example');
  const parsed = parse(example);
  assert.deepEqual(parsed.diagnostics, []);
  const messages = checkFile(parsed.file).diagnostics.map((d) => `${d.code} ${d.message}`);
  assert.deepEqual(messages, ["LT2009 parameter 'd' of 'group_remove_device' is never used"]);
});
