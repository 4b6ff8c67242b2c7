// Document highlights and workspace symbols as pure functions over analyses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentHighlights } from '../../server/src/core/features/highlights';
import { matchRank, workspaceSymbols } from '../../server/src/core/features/workspaceSymbols';
import { cursor, parsed } from './helpers';

const MODEL = `model m
object mm { ref users = 2 on zero free mm; lock l }
thread a { lock mm.l; put mm.users; unlock mm.l }
thread b { let h = mm; use h; put mm.users }
proposal p { thread b { use mm } }
`;

function highlights(marked: string): string[] {
  const { text, offset } = cursor(marked);
  const lines = text.split('\n');
  return documentHighlights(parsed(text), offset).map((h) => `${h.kind === 3 ? 'W' : 'R'} ${h.range.start.line}:${lines[h.range.start.line].slice(0, h.range.end.character).split(/[\s{;]/).at(-1)}`);
}

test('a member: written by put, get, lock and unlock, declared once', () => {
  assert.deepEqual(highlights(MODEL.replace('ref users', 'ref us|ers')), ['W 1:users', 'W 2:mm.users', 'W 3:mm.users']);
  assert.deepEqual(highlights(MODEL.replace('lock l }', 'lock |l }')), ['W 1:l', 'W 2:mm.l', 'W 2:mm.l']);
});

test('an object: written by free and by its declaration, read by use, let and as the head of a member path', () => {
  const { text, offset } = cursor(MODEL.replace('object mm', 'object m|m'));
  const shown = documentHighlights(parsed(text), offset).map((h) => `${h.kind === 3 ? 'W' : 'R'} ${h.range.start.line}:${h.range.start.character}`);
  // object mm, free mm | lock mm.l, put mm.users, unlock mm.l | let h = mm, put mm.users | use mm (in the proposal)
  assert.deepEqual(shown, ['W 1:7', 'W 1:39', 'R 2:16', 'R 2:26', 'R 2:43', 'R 3:19', 'R 3:34', 'R 4:28']);
});

test('a handle: written by its let, read where it is used; nothing on a keyword', () => {
  assert.deepEqual(highlights(MODEL.replace('use h', 'use |h')), ['W 3:h', 'R 3:h']);
  assert.deepEqual(highlights(MODEL.replace('thread a', 'thr|ead a')), []);
});

test('workspace symbols: prefix matches first, then substrings, then characters in order; members name their object', () => {
  assert.equal(matchRank('domain', 'dom'), 0);
  assert.equal(matchRank('mm_domain', 'dom'), 1);
  assert.equal(matchRank('release_domain', 'rdm'), 2);
  assert.equal(matchRank('domain', 'xyz'), undefined);
  const files = [
    { uri: 'file:///a.lifetime', analysis: parsed(MODEL) },
    { uri: 'file:///b.lifetime', analysis: parsed('model other\nobject users_table { ref users = 1 }\n') },
  ];
  const found = workspaceSymbols(files, 'users');
  assert.deepEqual(found.map((s) => [s.name, s.containerName, s.uri]), [
    ['users', 'mm', 'file:///a.lifetime'],
    ['users', 'users_table', 'file:///b.lifetime'],
    ['users_table', undefined, 'file:///b.lifetime'],
  ]);
  assert.equal(workspaceSymbols(files, '').length > 5, true);
  assert.equal(workspaceSymbols(files, '', 3).length, 3);
});
