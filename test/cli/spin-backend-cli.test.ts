// `lifetime check --backend spin` through the built bin: the same output as the engine in text, JSON
// and SARIF (verdicts, kinds, traces, exit codes), and a clear one-line error when spin or gcc is
// missing or the flag is misused. The SPIN runs need the Debian packages spin and gcc.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { ensureBuilt, fixture, lifetime, STACK_LINE } from './bin';
import { spinUnavailableReason } from '../engine/spin-runner';

const unavailable = spinUnavailableReason();
const skip = unavailable && !process.env.CI ? `SPIN cannot run: ${unavailable}` : false;

before(() => ensureBuilt());

/** The verdict part of a JSON report: what both backends must agree on (times and state counts differ). */
function verdicts(json: string): unknown {
  const report = JSON.parse(json) as { files: { path: string; diagnostics: { code: string; severity: string; message: string; line: number }[]; proposals: Record<string, unknown>[] }[] };
  return report.files.map((file) => ({
    path: file.path,
    diagnostics: file.diagnostics.map((d) => `${d.code} ${d.severity} ${d.line} ${d.message}`),
    proposals: file.proposals.map((p) => ({ name: p.name, verdict: p.verdict, kind: p.kind, message: p.message, expectationMet: p.expectationMet, trace: (p.trace as unknown[] | undefined)?.length })),
  }));
}

test('--backend spin prints the engine\'s verdicts, diagnostics and trace lengths as JSON', { skip, timeout: 600_000 }, () => {
  const engine = lifetime(['check', '--exact', '--format', 'json', fixture('clean.lifetime')]);
  const spin = lifetime(['check', '--backend', 'spin', '--exact', '--format', 'json', fixture('clean.lifetime')]);
  assert.doesNotMatch(spin.stderr, STACK_LINE);
  assert.equal(spin.status, engine.status, spin.stderr);
  assert.deepEqual(verdicts(spin.stdout), verdicts(engine.stdout));
});

test('--backend spin: an unmet expectation fails the check in text, and SARIF carries the trace', { skip, timeout: 600_000 }, () => {
  const text = lifetime(['check', '--backend', 'spin', fixture('unmet.lifetime')]);
  assert.equal(text.status, 1, text.stderr);
  assert.match(text.stdout, /use-after-free/);
  assert.match(text.stdout, /\/\/ Boom/);
  const sarif = lifetime(['check', '--backend', 'spin', '--format', 'sarif', fixture('unmet.lifetime')]);
  assert.equal(sarif.status, 1, sarif.stderr);
  const log = JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; codeFlows?: unknown[] }[] }[] };
  assert.ok(log.runs[0].results.some((r) => (r.codeFlows ?? []).length > 0), 'a result with the violation trace as a code flow');
});

test('--backend spin without spin on PATH: one line that says what is missing, exit code 2', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-nopath-'));
  try {
    const saved = process.env.PATH;
    process.env.PATH = empty;
    let result;
    try {
      result = lifetime(['check', '--backend', 'spin', fixture('clean.lifetime')]);
    } finally {
      process.env.PATH = saved;
    }
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^lifetime: --backend spin needs spin and gcc on PATH, and they are not installed \(Debian: apt-get install spin gcc\)\n$/);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('--backend takes engine or spin, and spin does not combine with --simulate', () => {
  const bad = lifetime(['check', '--backend', 'tlc', fixture('clean.lifetime')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--backend must be engine or spin, not 'tlc'/);
  const simulate = lifetime(['check', '--backend', 'spin', '--simulate', '10', fixture('clean.lifetime')]);
  assert.equal(simulate.status, 2);
  assert.match(simulate.stderr, /--simulate runs the engine; it does not combine with --backend spin/);
});
