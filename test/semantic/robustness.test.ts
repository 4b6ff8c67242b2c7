// The checker must give diagnostics, never an exception or an internal error, on every tree the
// parser produces: truncated, spliced and byte-flipped versions of the fixtures.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkFile } from '../../server/src/core/semantic/checker';
import { parse } from '../../server/src/core/syntax/parser';

function corpus(): string[] {
  const texts: string[] = [];
  for (const folder of ['test/fixtures/syntax/ok', 'test/fixtures/syntax/err']) {
    const dir = path.join(process.cwd(), folder);
    for (const name of fs.readdirSync(dir).sort()) {
      if (name.endsWith('.lifetime')) texts.push(fs.readFileSync(path.join(dir, name), 'utf8'));
    }
  }
  return texts;
}

/** A small deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['{', '}', '(', ')', '.', ',', '=', '==', ' new ', ' remove thread ', ' atomic {', ' let h = ', ' proposal p {', ' expect ', ':', ' fn f(a) ', ' c {', ' object o ', ' ptr p -> ', '\n'];

function mutate(text: string, next: () => number, others: string[]): string {
  const at = Math.floor(next() * (text.length + 1));
  switch (Math.floor(next() * 4)) {
    case 0:
      return text.slice(0, at);
    case 1: {
      const other = others[Math.floor(next() * others.length)];
      const from = Math.floor(next() * other.length);
      return text.slice(0, at) + other.slice(from, from + Math.floor(next() * 200));
    }
    case 2:
      return text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
    default:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 10));
  }
}

test('mutated fixtures check without exceptions or internal errors', () => {
  const texts = corpus();
  assert.ok(texts.length > 10);
  const next = random(20261121);
  for (let i = 0; i < 3000; i++) {
    let text = texts[i % texts.length];
    const rounds = 1 + Math.floor(next() * 3);
    for (let r = 0; r < rounds; r++) text = mutate(text, next, texts);
    const result = checkFile(parse(text).file);
    for (const diagnostic of result.diagnostics) {
      assert.ok(!/internal/.test(diagnostic.message), `internal error on input ${JSON.stringify(text)}: ${diagnostic.message}`);
      assert.ok(diagnostic.start >= 0 && diagnostic.end <= text.length && diagnostic.start <= diagnostic.end);
    }
  }
});
