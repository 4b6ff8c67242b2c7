// The documentation the CLI points at stays complete: every diagnostic code has an entry in
// docs/diagnostics.md (the target of SARIF help links), and docs/cli.md covers every option and
// every JSON field the CLI prints.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { allCodes } from '../../server/src/core/diagnostics/codes';
import { CHECK_HELP, REVIEW_HELP } from '../../server/src/cli/help';
import { ensureBuilt, lifetime } from './bin';

function doc(name: string): string {
  return fs.readFileSync(path.join(process.cwd(), 'docs', name), 'utf8');
}

/** The text of each `### LTnnnn` section of docs/diagnostics.md. */
function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = text.split(/^### /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    out.set(part.slice(0, newline).trim(), part.slice(newline + 1).split(/^## /m)[0]);
  }
  return out;
}

test('docs/diagnostics.md has an entry for every code, with its kind, severity, explanation and example', () => {
  const entries = sections(doc('diagnostics.md'));
  for (const info of allCodes()) {
    const body = entries.get(info.code);
    assert.ok(body !== undefined, `docs/diagnostics.md has no '### ${info.code}' heading`);
    assert.ok(body.includes(`**${info.kind}** · ${info.severity}`), `${info.code}: the entry must state '**${info.kind}** · ${info.severity}'`);
    const prose = body.replace(/```[\s\S]*?```/g, '').trim();
    assert.ok(prose.length > 40, `${info.code}: the explanation is missing`);
    assert.match(body, /```[\s\S]+?```/, `${info.code}: the example is missing`);
  }
  const known = new Set(allCodes().map((info) => info.code));
  for (const heading of entries.keys()) assert.ok(known.has(heading), `docs/diagnostics.md explains ${heading}, which codes.ts does not have`);
});

test('docs/cli.md documents every option of lifetime check', () => {
  const cli = doc('cli.md');
  const options = [...CHECK_HELP.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]);
  assert.ok(options.length >= 9);
  for (const option of options) assert.ok(cli.includes(`\`${option}`), `docs/cli.md does not document ${option}`);
});

test('docs/cli.md documents every field of the JSON report and every exit code', () => {
  const cli = doc('cli.md');
  const fields = [
    'files', 'path', 'diagnostics', 'proposals', 'code', 'kind', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn',
    'name', 'verdict', 'trace', 'actor', 'actorKind', 'event', 'changes', 'states', 'transitions', 'depth', 'ms', 'expected',
    'expectationMet', 'incompleteReason', 'seed',
  ];
  for (const field of fields) assert.ok(cli.includes(`\`${field}\``) || cli.includes(`"${field}"`), `docs/cli.md does not document '${field}'`);
  for (const code of ['| 0 |', '| 1 |', '| 2 |']) assert.ok(cli.includes(code), `docs/cli.md lacks the exit code row ${code}`);
});

test('docs/cli.md documents lifetime review: every option, the JSON fields, the baseline states and the exit codes', () => {
  const cli = doc('cli.md');
  const section = cli.slice(cli.indexOf('## `lifetime review`'), cli.indexOf('## `lifetime export'));
  assert.ok(section.length > 1000, 'docs/cli.md has no lifetime review section');
  const options = [...REVIEW_HELP.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]);
  assert.ok(options.length >= 8);
  for (const option of options) assert.ok(section.includes(`\`${option}`), `the review section does not document ${option}`);
  for (const field of ['introduced', 'fixed', 'remaining', 'path', 'function', 'patch']) assert.ok(section.includes(`\`${field}\``) || section.includes(`"${field}"`), `the review section does not document '${field}'`);
  for (const state of ['new', 'unchanged', 'absent']) assert.ok(section.includes(`\`${state}\``), `the review section does not name the baseline state '${state}'`);
  for (const row of ['| 0 |', '| 1 |', '| 2 |']) assert.ok(section.includes(row), `the review section lacks the exit code row ${row}`);
});

test('docs/ci.md shows a GitHub Actions job that uploads the SARIF', () => {
  const ci = doc('ci.md');
  assert.match(ci, /github\/codeql-action\/upload-sarif@v\d/);
  assert.match(ci, /--format sarif/);
  assert.match(ci, /security-events: write/);
});

test("the README's model gives the verdicts and the trace the README shows", () => {
  const readme = fs.readFileSync(path.join(process.cwd(), 'README.md'), 'utf8');
  const blocks: string[] = [];
  let open: string[] | undefined;
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) {
      if (open) blocks.push(open.join('\n'));
      open = open ? undefined : [];
    } else {
      open?.push(line);
    }
  }
  const model = blocks.find((block) => block.startsWith('model iommu_release_ordering'));
  const shown = blocks.find((block) => block.includes('// Boom: use d.domain'));
  assert.ok(model && shown, 'the README has the model and its output');
  ensureBuilt();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-readme-'));
  try {
    fs.writeFileSync(path.join(scratch, 'readme.lifetime'), model);
    const result = lifetime(['check', 'readme.lifetime'], { cwd: scratch });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    // Timings vary, and with them the width of the table's columns; the words must be the README's.
    const withoutTimes = (text: string) => text.replace(/\d+(\.\d+)? ms/g, 'T').replace(/ {2,}/g, '  ');
    for (const line of shown.trimEnd().split('\n')) {
      assert.ok(withoutTimes(result.stdout).includes(withoutTimes(line)), `the CLI no longer prints: ${line}\n${result.stdout}`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
