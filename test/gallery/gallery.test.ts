// The seed gallery: every expectation in examples/ holds with reductions on and off, every trace
// replays as a real execution of the lowered model, and docs/gallery.md is up to date.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkModel } from '../../server/src/core/engine/index';
import { lowerModel } from '../../server/src/core/engine/ir';
import { checkFile } from '../../server/src/core/semantic/checker';
import { parse } from '../../server/src/core/syntax/parser';
import { replayTrace } from '../engine/replay';

const root = process.cwd();
const examples = path.join(root, 'examples');
const models = fs
  .readdirSync(examples)
  .filter((name) => name.endsWith('.lifetime'))
  .sort();

function load(name: string) {
  const text = fs.readFileSync(path.join(examples, name), 'utf8');
  const parsed = parse(text);
  return { text, parsed, semantic: checkFile(parsed.file) };
}

/** The threads the gallery covers, kept in the repository (test/gallery/threads.json). */
interface GalleryThread {
  seed: string;
  model: string;
  list: string;
  date: string;
  subject: string;
}
const threads: GalleryThread[] = JSON.parse(fs.readFileSync(path.join(root, 'test', 'gallery', 'threads.json'), 'utf8')).threads;

test('the gallery has one model per seed thread, and nothing else at the top level', () => {
  assert.equal(threads.length, 5, 'test/gallery/threads.json lists the five seed threads');
  assert.deepEqual(models, threads.map((thread) => thread.model).sort());
  assert.deepEqual(
    threads.map((thread) => thread.model),
    threads.map((thread) => `${thread.seed}.lifetime`),
    'each model is named after its seed thread',
  );
});

test("each gallery model's `// Thread:` comment names its thread's list and date", () => {
  for (const thread of threads) {
    const { text } = load(thread.model);
    const lines = text.split('\n');
    const first = lines.findIndex((line) => line.startsWith('// Thread: '));
    const end = lines.findIndex((line, index) => index > first && !/^\/\/ \S/.test(line));
    const cited = first < 0 ? '' : lines.slice(first, end).map((line) => line.slice(3)).join(' ');
    assert.ok(cited.length > 0, `${thread.model} cites its thread in a // Thread: comment`);
    assert.ok(cited.includes(`${thread.list}, ${thread.date}`), `${thread.model}: the // Thread: comment names ${thread.list}, ${thread.date}; it reads "${cited}"`);
  }
});

for (const name of models) {
  test(`${name}: parses and checks with no diagnostic`, () => {
    const { parsed, semantic } = load(name);
    assert.deepEqual([...parsed.diagnostics, ...semantic.diagnostics].map((d) => `${d.code} ${d.message}`), []);
  });

  test(`${name}: opens with the question under review`, () => {
    const { text } = load(name);
    assert.match(text.split('\n')[0], /^\/\/ Question: /);
  });

  for (const exact of [false, true]) {
    test(`${name}: every expectation holds (${exact ? 'exact' : 'reductions on'}) and every trace replays`, () => {
      const { parsed } = load(name);
      const result = checkModel(parsed.file, undefined, { exact, timeoutMs: 60_000 });
      assert.ok(result.proposals.length >= 2, 'a baseline and at least one proposal');
      for (const proposal of result.proposals) {
        assert.notEqual(proposal.expected, undefined, `${proposal.name} states an expectation`);
        assert.equal(proposal.expectationMet, true, `${proposal.name}: expected ${proposal.expected}, got ${proposal.verdict} ${proposal.kind ?? ''}`);
        if (proposal.verdict === 'violation') {
          const { system } = lowerModel(parsed.file, proposal.name);
          const replayed = replayTrace(system, proposal);
          assert.equal(replayed, proposal.trace?.length, `${proposal.name}: the whole trace replays`);
        }
      }
    });
  }
}

test('the baseline of every model has a violation and some proposal is safe', () => {
  for (const name of models) {
    const { parsed } = load(name);
    const result = checkModel(parsed.file, undefined, {});
    assert.equal(result.proposals[0].name, 'baseline');
    assert.equal(result.proposals[0].verdict, 'violation', `${name}: the baseline shows the thread's bug`);
    assert.ok(result.proposals.some((p) => p.verdict === 'safe'), `${name}: some proposal is safe`);
  }
});

test('docs/gallery.md is the page `lifetime gallery examples/` renders', () => {
  const cli = path.join(root, 'dist', 'cli', 'lifetime.js');
  assert.ok(fs.existsSync(cli), 'the CLI is built (npm run build)');
  const page = path.join(root, 'docs', 'gallery.md');
  if (process.env.UPDATE_EXPECT) {
    const written = spawnSync(process.execPath, [cli, 'gallery', 'examples/', '-o', 'docs/gallery.md'], { cwd: root, encoding: 'utf8' });
    assert.equal(written.status, 0, written.stderr);
  }
  const rendered = spawnSync(process.execPath, [cli, 'gallery', 'examples/', '-o', path.join('docs', '.gallery.fresh.md')], { cwd: root, encoding: 'utf8' });
  try {
    assert.equal(rendered.status, 0, rendered.stderr);
    const fresh = fs.readFileSync(path.join(root, 'docs', '.gallery.fresh.md'), 'utf8');
    assert.equal(fs.readFileSync(page, 'utf8'), fresh, 'docs/gallery.md is stale: run `node dist/cli/lifetime.js gallery examples/ -o docs/gallery.md`');
  } finally {
    fs.rmSync(path.join(root, 'docs', '.gallery.fresh.md'), { force: true });
  }
});
