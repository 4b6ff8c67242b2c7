// The pattern library (examples/patterns/): at least ten historical kernel lifetime bugs, each
// citing its fix, with the buggy baseline and the fix as a proposal. Every expectation holds with
// reductions on and off, every trace replays, and the page `lifetime gallery examples/` renders
// shows them (the page itself is compared in gallery.test.ts).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { checkModel } from '../../server/src/core/engine/index';
import { lowerModel } from '../../server/src/core/engine/ir';
import { fixOf, questionOf } from '../../server/src/core/report/gallery';
import { checkFile } from '../../server/src/core/semantic/checker';
import { parse } from '../../server/src/core/syntax/parser';
import { replayTrace } from '../engine/replay';

const root = process.cwd();
const folder = path.join(root, 'examples', 'patterns');
const models = fs
  .readdirSync(folder)
  .filter((name) => name.endsWith('.lifetime'))
  .sort();

function load(name: string) {
  const text = fs.readFileSync(path.join(folder, name), 'utf8');
  const parsed = parse(text);
  return { text, parsed, semantic: checkFile(parsed.file) };
}

/** The commit id a pattern's Fix paragraph cites first, or the subject line it quotes when it says the id could not be verified. */
function citation(text: string): string {
  const fix = fixOf(text);
  const id = /^([0-9a-f]{12,40})\b/.exec(fix);
  if (id) return id[1];
  assert.match(fix, /could not be verified/, 'a fix without a commit id says the id could not be verified');
  const subject = /^"([^"]+)"/.exec(fix);
  assert.ok(subject, 'a fix without a commit id quotes its subject line');
  return subject[1];
}

test('the pattern library has at least ten models, each citing a different fix', () => {
  assert.ok(models.length >= 10, `${models.length} patterns`);
  const fixes = models.map((name) => citation(load(name).text));
  assert.equal(new Set(fixes).size, fixes.length, `distinct fixes: ${fixes.join(', ')}`);
});

test('the patterns are not the seed threads', () => {
  const seeds = new Set(fs.readdirSync(path.join(root, 'examples')).filter((name) => name.endsWith('.lifetime')));
  const seedModels = new Set([...seeds].map((name) => {
    const text = fs.readFileSync(path.join(root, 'examples', name), 'utf8');
    return /^model\s+(\w+)/m.exec(text)?.[1];
  }));
  for (const name of models) {
    assert.ok(!seeds.has(name), `${name} is a seed model`);
    assert.ok(!seedModels.has(/^model\s+(\w+)/m.exec(load(name).text)?.[1]), `${name} reuses a seed model's name`);
  }
});

for (const name of models) {
  test(`${name}: parses and checks with no diagnostic, and states its question and its fix`, () => {
    const { text, parsed, semantic } = load(name);
    assert.deepEqual([...parsed.diagnostics, ...semantic.diagnostics].map((d) => `${d.code} ${d.message}`), []);
    assert.match(text.split('\n')[0], /^\/\/ Question: /);
    assert.notEqual(questionOf(text), '');
    assert.notEqual(fixOf(text), '');
  });

  for (const exact of [false, true]) {
    test(`${name}: every expectation holds (${exact ? 'exact' : 'reductions on'}) and every trace replays`, () => {
      const { parsed } = load(name);
      const result = checkModel(parsed.file, undefined, { exact, timeoutMs: 60_000 });
      assert.deepEqual(result.diagnostics.map((d) => `${d.code} ${d.message}`), []);
      assert.ok(result.proposals.length >= 2, 'a baseline and at least one proposal');
      assert.equal(result.proposals[0].name, 'baseline');
      assert.equal(result.proposals[0].verdict, 'violation', 'the baseline shows the bug');
      assert.ok(result.proposals.some((p) => p.verdict === 'safe'), 'some proposal is safe');
      for (const proposal of result.proposals) {
        assert.notEqual(proposal.expected, undefined, `${proposal.name} states an expectation`);
        assert.equal(proposal.expectationMet, true, `${proposal.name}: expected ${proposal.expected}, got ${proposal.verdict} ${proposal.kind ?? ''}`);
        if (proposal.verdict === 'violation') {
          const { system } = lowerModel(parsed.file, proposal.name);
          assert.equal(replayTrace(system, proposal), proposal.trace?.length, `${proposal.name}: the whole trace replays`);
        }
      }
    });
  }
}
