// Property test: the parser and the checker never throw and always produce a sound tree, on
// 100,000 random and mutated inputs per run plus a few pathological ones (10,000-deep nesting, a
// 1 MB line). The PRNG is seeded; the seed is printed, and `FUZZ_SEED=<n>` replays a run. A failing
// input is written to test-artifacts/fuzz-failure.lifetime.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkFile } from '../../server/src/core/semantic/checker';
import { parse } from '../../server/src/core/syntax/parser';
import { diagnosticProblems, treeProblems } from './invariants';

const RANDOM_INPUTS = 100_000;
/** A generous per-input bound: it catches runaway behaviour without making the test flaky. */
const MAX_MS_PER_INPUT = 2000;
/** The pathological inputs are up to 1 MB (about 800,000 tokens) and also go through the checker. */
const MAX_MS_PER_PATHOLOGICAL_INPUT = 10_000;

/** mulberry32: a small, fast, seedable PRNG. */
function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOUP = [
  'model', 'object', 'static', 'fn', 'thread', 'device', 'order', 'before', 'bind', 'proposal', 'expect', 'new', 'remove',
  'ref', 'lock', 'flag', 'state', 'int', 'ptr', 'on', 'zero', 'in', 'recyclable', 'unborn', 'stopped', 'dma', 'mutex',
  'get', 'put', 'use', 'free', 'alloc', 'start', 'stop', 'quiesce', 'set', 'clear', 'inc', 'dec', 'wait', 'until',
  'assert', 'if', 'else', 'while', 'repeat', 'choose', 'or', 'maybe', 'atomic', 'let', 'return', 'unlock', 'c', 'call',
  'tryget', 'trylock', 'alive', 'freed', 'running', 'held', 'true', 'false', 'null', 'safe', 'use-after-free', 'baseline',
  'mm', 'x', 'a-b', '_', 'users', '0', '1', '-1', '99999999999', '12ab', '"s"', '"\\"', '"open', '// c\n', '/* b */', '/*',
  '{', '}', '(', ')', '[', ']', ',', ';', ':', '.', '..', '->', '=', '==', '!=', '<', '<=', '>', '>=', '&&', '||', '!',
  '@', '#', '-', '&', '|', '\u00e9', '\ud83d\ude00', '\ud800', '\u0000', "'}'", 'c {', 'c { "}" }', '\n', ' ', '\t', '\r\n',
];
const FLIP_CHARS = '{}()[]"\'/*;:.,=!<>&|-_ \n\tac0@\u00e9\\';

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function int(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

function tokenSoup(random: () => number, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += pick(random, SOUP) + (random() < 0.7 ? ' ' : '');
  return text;
}

function mutate(random: () => number, corpus: readonly string[]): string {
  const base = pick(random, corpus);
  switch (int(random, 6)) {
    case 0:
      return base.slice(0, int(random, base.length + 1));
    case 1: {
      const chars = base.split('');
      const flips = 1 + int(random, 6);
      for (let i = 0; i < flips && chars.length > 0; i++) chars[int(random, chars.length)] = pick(random, FLIP_CHARS.split(''));
      return chars.join('');
    }
    case 2: {
      const other = pick(random, corpus);
      return base.slice(0, int(random, base.length + 1)) + other.slice(int(random, other.length + 1));
    }
    case 3:
      return tokenSoup(random, 1 + int(random, 120));
    case 4: {
      const from = int(random, base.length + 1);
      const to = from + int(random, 200);
      return base.slice(0, from) + base.slice(to);
    }
    default: {
      const at = int(random, base.length + 1);
      return base.slice(0, at) + tokenSoup(random, 1 + int(random, 10)) + base.slice(at);
    }
  }
}

function readCorpus(): string[] {
  const root = path.join(process.cwd(), 'test/fixtures/syntax');
  const texts: string[] = [];
  for (const folder of ['ok', 'err']) {
    for (const name of fs.readdirSync(path.join(root, folder)).sort()) {
      if (name.endsWith('.lifetime')) texts.push(fs.readFileSync(path.join(root, folder, name), 'utf8'));
    }
  }
  return texts;
}

function pathologicalInputs(random: () => number): { name: string; text: string }[] {
  const deep = 10_000;
  const megabyte = 1 << 20;
  let soupLine = '';
  while (soupLine.length < megabyte) soupLine += tokenSoup(random, 200).replace(/[\r\n]/g, ' ');
  let validLine = '';
  while (validLine.length < megabyte) validLine += 'put o.r; use o; o.n = 1; ';
  return [
    { name: 'deep braces at top level', text: '{'.repeat(deep) },
    { name: 'deep blocks', text: 'thread t ' + '{'.repeat(deep) + '}'.repeat(deep) },
    { name: 'deep unclosed blocks', text: 'fn f() ' + '{ use x '.repeat(deep) },
    { name: 'deep parentheses', text: 'thread t { assert ' + '('.repeat(deep) + 'x' + ')'.repeat(deep) + ' }' },
    { name: 'deep unclosed parentheses', text: 'thread t { assert ' + '('.repeat(deep) },
    { name: 'deep negation', text: 'thread t { assert ' + '!'.repeat(deep) + 'x }' },
    { name: 'deep if nesting', text: 'thread t { ' + 'if x { '.repeat(deep) + '}'.repeat(deep) + ' }' },
    { name: 'long else-if chain', text: 'thread t { if x { } ' + 'else if x { } '.repeat(deep) + '}' },
    { name: 'deep on-zero statements', text: 'object o { ' + 'ref r on zero '.repeat(deep) + '}' },
    { name: 'deep C body', text: 'fn f() c ' + '{'.repeat(deep) + '}'.repeat(deep) },
    { name: 'unbalanced C body', text: 'fn f() c ' + '{'.repeat(deep) },
    { name: '1 MB line of token soup', text: soupLine },
    { name: '1 MB statement line', text: 'object o { ref r; int n }\nthread t { ' + validLine + '}' },
    { name: '1 MB name', text: 'object ' + 'a'.repeat(megabyte) },
    { name: '1 MB unterminated string', text: 'model m "' + 'x'.repeat(megabyte) },
    { name: '1 MB unknown characters', text: '@'.repeat(megabyte) },
    { name: '1 MB of semicolons in a block', text: 'thread t {' + ';'.repeat(megabyte) + '}' },
    { name: 'empty', text: '' },
  ];
}

interface Outcome {
  ms: number;
}

function runOne(text: string, label: string): Outcome {
  const started = performance.now();
  let problems: string[];
  try {
    const result = parse(text);
    const semantic = checkFile(result.file);
    problems = [...treeProblems(text, result), ...diagnosticProblems(text, semantic.diagnostics)];
  } catch (error) {
    problems = [`threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}`];
  }
  const ms = performance.now() - started;
  if (problems.length > 0) {
    const artifact = path.join(process.cwd(), 'test-artifacts/fuzz-failure.lifetime');
    fs.mkdirSync(path.dirname(artifact), { recursive: true });
    fs.writeFileSync(artifact, text);
    assert.fail(`${label}: ${problems.join('; ')} (input saved to ${path.relative(process.cwd(), artifact)})`);
  }
  return { ms };
}

const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0;

test(`pathological inputs (FUZZ_SEED=${seed})`, (t) => {
  const random = makeRandom(seed ^ 0x5bd1e995);
  for (const { name, text } of pathologicalInputs(random)) {
    const { ms } = runOne(text, name);
    t.diagnostic(`${name}: ${ms.toFixed(1)} ms for ${text.length} characters`);
    assert.ok(ms < MAX_MS_PER_PATHOLOGICAL_INPUT, `${name} took ${ms.toFixed(0)} ms (bound ${MAX_MS_PER_PATHOLOGICAL_INPUT} ms)`);
  }
});

test(`${RANDOM_INPUTS} random and mutated inputs never throw (FUZZ_SEED=${seed})`, (t) => {
  console.log(`fuzz: FUZZ_SEED=${seed}`);
  const random = makeRandom(seed);
  const corpus = readCorpus();
  assert.ok(corpus.length > 0, 'the fixture corpus is empty');
  let maxMs = 0;
  let maxIndex = 0;
  let totalMs = 0;
  for (let i = 0; i < RANDOM_INPUTS; i++) {
    const text = mutate(random, corpus);
    const { ms } = runOne(text, `input ${i} (FUZZ_SEED=${seed})`);
    totalMs += ms;
    if (ms > maxMs) {
      maxMs = ms;
      maxIndex = i;
    }
  }
  t.diagnostic(`seed ${seed}: ${RANDOM_INPUTS} inputs, ${totalMs.toFixed(0)} ms in total, slowest ${maxMs.toFixed(2)} ms (input ${maxIndex})`);
  assert.ok(maxMs < MAX_MS_PER_INPUT, `input ${maxIndex} took ${maxMs.toFixed(0)} ms (bound ${MAX_MS_PER_INPUT} ms)`);
});
