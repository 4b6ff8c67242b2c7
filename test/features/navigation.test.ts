import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definitionAt, prepareRenameAt, referencesAt, renameAt } from '../../server/src/core/features/navigation';
import type { Range } from '../../server/src/core/features/types';
import { cursor, parsed } from './helpers';

const MODEL = `model m
object mm { ref users = 1 on zero free mm }
fn drop(x) { put x.users }
thread cpu0 { use mm; drop(mm) }
thread cpu1 { put mm.users }
proposal p {
  thread cpu1 { put mm.users; use mm }
}
expect p: use-after-free
`;

function textAt(text: string, range: Range): string {
  const lines = text.split('\n');
  assert.equal(range.start.line, range.end.line);
  return lines[range.start.line].slice(range.start.character, range.end.character);
}

test('go to definition from a reference lands on the declared name', () => {
  const { text, offset } = cursor(MODEL.replace('thread cpu0 { use mm;', 'thread cpu0 { use m|m;'));
  const analysis = parsed(text);
  const [target] = definitionAt(analysis, offset);
  assert.deepEqual(target, { start: { line: 1, character: 7 }, end: { line: 1, character: 9 } });
});

test('go to definition of a member and of a procedure', () => {
  const member = cursor(MODEL.replace('thread cpu1 { put mm.users }', 'thread cpu1 { put mm.us|ers }'));
  const [users] = definitionAt(parsed(member.text), member.offset);
  assert.equal(textAt(member.text, users), 'users');
  assert.equal(users.start.line, 1);
  const fn = cursor(MODEL.replace('drop(mm)', 'dr|op(mm)'));
  const [drop] = definitionAt(parsed(fn.text), fn.offset);
  assert.deepEqual(drop.start, { line: 2, character: 3 });
});

test('nothing to go to on a keyword', () => {
  const { text, offset } = cursor(MODEL.replace('thread cpu0 { use', 'thread cpu0 { u|se'));
  assert.deepEqual(definitionAt(parsed(text), offset), []);
});

test('find references lists the declaration and every use, in the baseline and proposals', () => {
  const { text, offset } = cursor(MODEL.replace('object mm {', 'object m|m {'));
  const ranges = referencesAt(parsed(text), offset, true);
  assert.ok(ranges.length >= 7, JSON.stringify(ranges));
  for (const range of ranges) assert.equal(textAt(text, range), 'mm');
  const withoutDeclaration = referencesAt(parsed(text), offset, false);
  assert.equal(withoutDeclaration.length, ranges.length - 1);
});

test('rename changes the declaration and all references, expectations included', () => {
  const { text, offset } = cursor(MODEL.replace('proposal p {', 'proposal |p {'));
  const result = renameAt(parsed(text), offset, 'hold_ref');
  assert.ok('edits' in result);
  const lines = text.split('\n');
  for (const edit of [...result.edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)) {
    const line = lines[edit.range.start.line];
    lines[edit.range.start.line] = line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character);
  }
  const renamed = lines.join('\n');
  assert.match(renamed, /^proposal hold_ref \{$/m);
  assert.match(renamed, /^expect hold_ref: use-after-free$/m);
});

test('rename is refused on a keyword and to a keyword, with a message', () => {
  const onKeyword = cursor(MODEL.replace('thread cpu1 { put', 'thread cpu1 { p|ut'));
  assert.deepEqual(renameAt(parsed(onKeyword.text), onKeyword.offset, 'x'), { error: '"put" is a keyword of the language and cannot be renamed; only declared names can.' });
  assert.deepEqual(prepareRenameAt(parsed(onKeyword.text), onKeyword.offset), { error: '"put" is a keyword of the language and cannot be renamed; only declared names can.' });
  const toKeyword = cursor(MODEL.replace('object mm', 'object m|m'));
  assert.deepEqual(renameAt(parsed(toKeyword.text), toKeyword.offset, 'lock'), { error: '"lock" is a keyword of the language; choose another name.' });
  const invalid = renameAt(parsed(toKeyword.text), toKeyword.offset, '9lives');
  assert.ok('error' in invalid && invalid.error.includes('not a valid name'));
});

test('prepare rename gives the range and the current name', () => {
  const { text, offset } = cursor(MODEL.replace('drop(mm)', 'drop(m|m)'));
  const result = prepareRenameAt(parsed(text), offset);
  assert.ok('range' in result);
  assert.equal(result.placeholder, 'mm');
  assert.equal(textAt(text, result.range), 'mm');
});
