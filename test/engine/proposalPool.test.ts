import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from '../../server/src/core/syntax/parser';
import { checkModel, proposalNames } from '../../server/src/core/engine/index';
import type { ModelResult } from '../../server/src/core/engine/types';
import { checkModelInPool, ProposalPool } from '../../server/src/workers/proposalPool';

function withoutTimes(result: ModelResult): unknown {
  return JSON.parse(JSON.stringify(result), (key, value) => (key === 'ms' && typeof value === 'number' ? 0 : value));
}

test('a pool of two workers gives the results, traces and diagnostics of checking in one thread, in order', async () => {
  const pool = new ProposalPool(2);
  try {
    for (const name of ['iommu-sva-release-vs-dma.lifetime', 'pasid-freed-at-mm-exit.lifetime', 'iommu-release-device-ordering.lifetime']) {
      const text = fs.readFileSync(path.join('examples', name), 'utf8');
      const file = parse(text).file;
      for (const exact of [true, false]) {
        const alone = checkModel(file, undefined, { exact, maxStates: 1_000_000 });
        const pooled = await checkModelInPool(pool, file, text, { exact, maxStates: 1_000_000 });
        assert.ok(alone.proposals.length >= 4, name);
        assert.deepEqual(withoutTimes(pooled), withoutTimes(alone), `${name}, exact ${exact}`);
      }
    }
  } finally {
    await pool.close();
  }
});

test('proposals of very different sizes, queued largest first, come back in the file\'s order with their traces', async () => {
  const pool = new ProposalPool(2);
  try {
    const text = fs.readFileSync('test/fixtures/cli/mixed-sizes.lifetime', 'utf8');
    const file = parse(text).file;
    for (const exact of [true, false]) {
      const alone = checkModel(file, undefined, { exact, maxStates: 1_000_000 });
      const pooled = await checkModelInPool(pool, file, text, { exact, maxStates: 1_000_000 });
      assert.deepEqual(pooled.proposals.map((p) => p.name), proposalNames(file));
      assert.equal(alone.proposals.filter((p) => (p.trace?.length ?? 0) > 0).length, 2, 'two proposals with traces');
      assert.deepEqual(withoutTimes(pooled), withoutTimes(alone), `exact ${exact}`);
    }
  } finally {
    await pool.close();
  }
});

test('a worker that dies gives its proposal an internal-error verdict, and the pool goes on with fresh workers', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-pool-'));
  const dying = path.join(dir, 'dying.js');
  fs.writeFileSync(dying, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));\n");
  const pool = new ProposalPool(2, dying);
  try {
    const text = fs.readFileSync('examples/iommu-sva-release-vs-dma.lifetime', 'utf8');
    const result = await checkModelInPool(pool, parse(text).file, text, { maxStates: 1000 });
    assert.ok(result.proposals.length >= 4);
    for (const proposal of result.proposals) {
      assert.equal(proposal.verdict, 'incomplete');
      assert.equal(proposal.incompleteReason, 'internal-error');
      assert.match(proposal.message ?? '', /exited with code 3/);
    }
    assert.equal(result.diagnostics.filter((d) => d.code === 'LT3506').length, result.proposals.length);
  } finally {
    await pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
