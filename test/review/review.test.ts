// `lifetime review` on constructed patches against test/fixtures/review/tree: a patch that
// introduces a bug, one that fixes one, a neutral one, a refactor that moves code and renames
// variables, a series whose second patch fixes what the first introduced, a patch that does not
// apply, and a model patch that changes a verdict. Exit codes and the JSON shape are exact.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { run } from '../../server/src/cli/main';
import { ensureBuilt, lifetime, STACK_LINE } from '../cli/bin';

const ROOT = process.cwd();
const FIXTURES = path.join(ROOT, 'test/fixtures/review');
const TREE = path.join(FIXTURES, 'tree');
const update = process.env.UPDATE_EXPECT === '1';
const F_FIELDS = ['code', 'kind', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'path', 'function'];

interface Output {
  stdout: string;
  stderr: string;
  exitCode: number;
}

async function review(patch: string, ...options: string[]): Promise<Output> {
  const output = await run(['review', '--tree', TREE, ...options, path.join(FIXTURES, patch)]);
  assert.doesNotMatch(output.stderr, STACK_LINE);
  return output;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function reviewJson(patch: string): Promise<{ json: any; exitCode: number; stderr: string }> {
  const output = await review(patch, '--format', 'json');
  return { json: JSON.parse(output.stdout), exitCode: output.exitCode, stderr: output.stderr };
}

function golden(name: string, actual: string): void {
  const file = path.join(FIXTURES, name);
  if (update) fs.writeFileSync(file, actual);
  else assert.equal(actual, fs.readFileSync(file, 'utf8'), `differs from test/fixtures/review/${name} (UPDATE_EXPECT=1 rewrites it)`);
}

let scratch = '';
before(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-review-'));
});
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('a patch that introduces a leak: exit 1, and the JSON is exactly the three lists with the finding in introduced', async () => {
  const { json, exitCode } = await reviewJson('introduce.patch');
  assert.equal(exitCode, 1);
  assert.deepEqual(Object.keys(json), ['introduced', 'fixed', 'remaining']);
  assert.deepEqual(json.fixed, []);
  assert.deepEqual(json.remaining, []);
  assert.equal(json.introduced.length, 1);
  const finding = json.introduced[0];
  assert.deepEqual(Object.keys(finding), F_FIELDS, 'a single patch has no `patch` field');
  assert.deepEqual(
    { code: finding.code, kind: finding.kind, severity: finding.severity, path: finding.path, function: finding.function, line: finding.line, column: finding.column },
    { code: 'LT4001', kind: 'leak', severity: 'error', path: 'drivers/demo/widget.c', function: 'widget_parse', line: 29, column: 3 },
  );
  assert.match(finding.message, /^child from of_get_child_by_name\(\) at line 23 is still held/);
});

test('a patch that fixes a lock leak: exit 0, the finding in fixed at its place before the patch', async () => {
  const { json, exitCode } = await reviewJson('fix.patch');
  assert.equal(exitCode, 0);
  assert.deepEqual(json.introduced, []);
  assert.deepEqual(json.remaining, []);
  assert.deepEqual(
    json.fixed.map((f: { code: string; function: string; line: number }) => [f.code, f.function, f.line]),
    [['LT4002', 'widget_reset', 55]],
  );
});

test('a neutral patch in a clean function reports nothing', async () => {
  const { json, exitCode } = await reviewJson('neutral.patch');
  assert.equal(exitCode, 0);
  assert.deepEqual(json, { introduced: [], fixed: [], remaining: [] });
});

test('a refactor that moves a function and renames its variables introduces and fixes nothing; the old bug remains', async () => {
  const { json, exitCode } = await reviewJson('refactor.patch');
  assert.equal(exitCode, 0);
  assert.deepEqual(json.introduced, []);
  assert.deepEqual(json.fixed, []);
  assert.deepEqual(
    json.remaining.map((f: { code: string; function: string; line: number }) => [f.code, f.function, f.line]),
    [
      ['LT4002', 'widget_reset', 41],
      ['LT4001', 'widget_label', 69],
    ],
    'the lock leak of widget_reset() is reported where the function moved to, the leak of the renamed buffer once',
  );
  assert.match(json.remaining[1].message, /^name from kmalloc\(\)/, 'a remaining finding is reported as it reads after the patch');
});

test('a series where patch 2 fixes what patch 1 introduced: each patch is judged on the tree the previous one left', async () => {
  const { json, exitCode } = await reviewJson('series.mbox');
  assert.equal(exitCode, 1);
  assert.deepEqual(
    json.introduced.map((f: { patch: string; function: string; code: string }) => [f.patch, f.function, f.code]),
    [['demo: widget: return the parse error directly', 'widget_parse', 'LT4001']],
  );
  assert.deepEqual(
    json.fixed.map((f: { patch: string; function: string; code: string }) => [f.patch, f.function, f.code]),
    [['demo: widget: put the child node on the parse error path', 'widget_parse', 'LT4001']],
  );
  assert.deepEqual(Object.keys(json.introduced[0]), [...F_FIELDS, 'patch']);
  assert.deepEqual(json.remaining, []);
});

test('the series as text: grouped by patch subject, the fix later in the series named (golden)', async () => {
  const output = await review('series.mbox');
  assert.equal(output.exitCode, 1);
  golden('series.expected.txt', output.stdout);
  assert.match(output.stdout, /^\[1\/2\] demo: widget: return the parse error directly\nintroduced:\n/m);
  assert.match(output.stdout, /fixed later in the series, by \[2\/2\]/);
});

test('the series as review replies: the hunk quoted with "> ", each finding under the line it concerns (golden)', async () => {
  const output = await review('series.mbox', '--format', 'email');
  golden('series.expected.eml', output.stdout);
  const replies = output.stdout.split(/\n(?=Subject: )/);
  assert.equal(replies.length, 2);
  assert.match(replies[0], /^Subject: Re: \[PATCH 1\/2\] demo: widget: return the parse error directly\n/);
  assert.match(replies[0], /\nOn Mon, 5 Jan 2026 10:00:00 \+0000, A Developer <reviewer@example.org> wrote:\n/);
  // The finding sits under the quoted `return ret;` the leak is at, with the path and line.
  assert.match(replies[0], /\n>  \t\treturn ret;\n\nThis introduces a leak \(LT4001\) in widget_parse\(\), drivers\/demo\/widget\.c:29:\nchild from of_get_child_by_name\(\)/);
  assert.match(replies[1], /This fixes a leak \(LT4001\) in widget_parse\(\), drivers\/demo\/widget\.c:29 before the patch:/);
});

test('the series as SARIF: valid SARIF 2.1.0, with baselineState new for introduced and absent for fixed', async () => {
  const output = await review('series.mbox', '--format', 'sarif');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const log: any = JSON.parse(output.stdout);
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const valid = validate({ ...log });
  assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  const results = log.runs[0].results;
  assert.deepEqual(
    results.map((r: { ruleId: string; baselineState: string; properties: { patch: string } }) => [r.ruleId, r.baselineState, r.properties.patch]),
    [
      ['LT4001', 'new', 'demo: widget: return the parse error directly'],
      ['LT4001', 'absent', 'demo: widget: put the child node on the parse error path'],
    ],
  );
  assert.equal(results[0].locations[0].physicalLocation.artifactLocation.uri, 'drivers/demo/widget.c');
  const refactor = JSON.parse((await review('refactor.patch', '--format', 'sarif')).stdout);
  assert.deepEqual(refactor.runs[0].results.map((r: { baselineState: string }) => r.baselineState), ['unchanged', 'unchanged']);
});

test('a patch that does not apply: exit 2, and the reason names the patch, the file, the hunk and its line in the patch', async () => {
  const bad = path.join(scratch, 'bad.patch');
  fs.writeFileSync(bad, fs.readFileSync(path.join(FIXTURES, 'introduce.patch'), 'utf8').replace(' \tret = of_property_read_u32(child, "count", &w->count);', ' \tret = of_property_read_u32(child, "size", &w->count);'));
  const output = await run(['review', '--tree', TREE, bad]);
  assert.equal(output.exitCode, 2);
  assert.equal(output.stdout, '');
  const lines = output.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, output.stderr);
  assert.match(lines[0], /^lifetime: .*bad\.patch: the patch "demo: widget: return the parse error directly": drivers\/demo\/widget\.c: hunk #1 \(@@ -25,10 \+25,8 @@\), at line \d+ of the patch, does not apply: .*the patch expects '\\tret = of_property_read_u32\(child, "size", &w->count\);' and the file has '\\tret = of_property_read_u32\(child, "count"/);
});

test('a model patch reports the verdict it changed: a safe proposal that now has a violation is introduced', async () => {
  const { json, exitCode } = await reviewJson('model.patch');
  assert.equal(exitCode, 1);
  assert.deepEqual(
    json.introduced.map((f: { code: string; kind: string; path: string; function: string }) => [f.code, f.kind, f.path, f.function]),
    [
      ['LT3001', 'use-after-free', 'models/lookup.lifetime', 'locked'],
      ['LT3005', 'get-from-zero', 'models/lookup.lifetime', 'locked'],
    ],
    'the failing get commits both kinds, and each is introduced with its own trace',
  );
  const text = await review('model.patch');
  assert.match(text.stdout, /proposal locked: safe, as expected before, get-from-zero in \d+ steps, also use-after-free, expected safe after/);
});

test('a tree that already holds the patch is reviewed against the tree without it', async () => {
  const copy = path.join(scratch, 'applied');
  fs.cpSync(TREE, copy, { recursive: true });
  const file = path.join(copy, 'drivers/demo/widget.c');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('\tif (ret) {\n\t\tof_node_put(child);\n\t\treturn ret;\n\t}\n', '\tif (ret)\n\t\treturn ret;\n'));
  const output = await run(['review', '--tree', copy, '--format', 'json', path.join(FIXTURES, 'introduce.patch')]);
  assert.equal(output.exitCode, 1);
  assert.equal(JSON.parse(output.stdout).introduced[0].function, 'widget_parse');
  assert.match(output.stderr, /lifetime: note: the tree already holds this series; it was reviewed against the tree without it/);
});

test('several patch files make one series in the order given', async () => {
  const output = await run(['review', '--tree', TREE, '--format', 'json', path.join(FIXTURES, 'fix.patch'), path.join(FIXTURES, 'neutral.patch')]);
  assert.equal(output.exitCode, 0);
  const json = JSON.parse(output.stdout);
  assert.deepEqual(json.fixed.map((f: { patch: string }) => f.patch), ['demo: widget: unlock on the reset error path']);
});

test('input errors: exit 2 with one line naming the input and the reason', async () => {
  const cases: [string[], RegExp][] = [
    [['review', '--tree', TREE, path.join(scratch, 'nope.patch')], /nope\.patch: no such patch file/],
    [['review', '--tree', TREE, path.join(TREE, 'drivers/demo/widget.c')], /widget\.c: line 1: not a patch: no unified diff/],
    [['review', '--tree', TREE, FIXTURES], /review: is a directory, not a patch/],
    [['review', '--tree', path.join(scratch, 'missing'), path.join(FIXTURES, 'fix.patch')], /missing: --tree must be a directory/],
    [['review', '--tree', scratch, '--staged'], /--staged needs a git checkout/],
    [['review', '--format', 'xml', 'x.patch'], /--format must be text, json, sarif or email/],
    [['review'], /needs a patch file \('-' for stdin\), a revision range such as HEAD~3\.\.HEAD, or --staged/],
    [['review', '--tree', TREE, path.join(FIXTURES, 'introduce.patch'), '--bogus'], /unknown option '--bogus' for 'lifetime review'/],
  ];
  for (const [args, reason] of cases) {
    const output = await run(args);
    assert.equal(output.exitCode, 2, `${args.join(' ')}: ${output.stderr}`);
    assert.equal(output.stdout, '');
    assert.equal(output.stderr.trimEnd().split('\n').length, 1, output.stderr);
    assert.match(output.stderr, reason);
  }
});

test('the built bin reads a patch on stdin', () => {
  ensureBuilt();
  const result = lifetime(['review', '--tree', TREE, '--format', 'json', '-'], {});
  assert.equal(result.status, 2, 'stdin is empty here: not a patch');
  const piped = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/lifetime.js'), 'review', '--tree', TREE, '--format', 'json', '-'], {
    input: fs.readFileSync(path.join(FIXTURES, 'introduce.patch')),
    encoding: 'utf8',
  });
  assert.equal(piped.status, 1, piped.stderr);
  assert.equal(JSON.parse(piped.stdout).introduced[0].function, 'widget_parse');
  assert.doesNotMatch(piped.stderr, STACK_LINE);
});
