// `lifetime check --format sarif` against the vendored SARIF 2.1.0 JSON schema, and the parts code
// scanning shows: rules with help, a codeFlow per violation with one threadFlow per thread or
// device whose locations follow the trace.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { allCodes } from '../../server/src/core/diagnostics/codes';
import { ensureBuilt, fixture, lifetime, ROOT, STACK_LINE } from './bin';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let validate: ReturnType<Ajv['compile']>;

before(() => {
  ensureBuilt();
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
  // The schema's language-tag pattern is not a valid Unicode-mode regular expression.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  validate = ajv.compile(schema);
});

function sarif(...paths: string[]): { log: Json; status: number | null } {
  const result = lifetime(['check', '--format', 'sarif', ...paths]);
  assert.doesNotMatch(result.stderr, STACK_LINE);
  return { log: JSON.parse(result.stdout), status: result.status };
}

test('the SARIF of models with violations, errors and warnings is valid SARIF 2.1.0', () => {
  const { log, status } = sarif(fixture('clean.lifetime'), fixture('unmet.lifetime'), fixture('errors.lifetime'), fixture('warnings.lifetime'), fixture('dir'));
  assert.equal(status, 1);
  const valid = validate(log);
  assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  assert.equal(log.version, '2.1.0');
});

test('SARIF with no results at all is valid too', () => {
  const { log, status } = sarif(fixture('dir'));
  assert.equal(status, 0);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.deepEqual(log.runs[0].results, []);
});

test('the rules are every diagnostic code, with help text and a link to its explanation', () => {
  const { log } = sarif(fixture('errors.lifetime'));
  const rules = log.runs[0].tool.driver.rules;
  assert.deepEqual(
    rules.map((rule: Json) => rule.id),
    allCodes().map((info) => info.code),
  );
  for (const rule of rules) {
    assert.ok(rule.shortDescription.text.length > 0);
    assert.ok(rule.help.text.length > 0);
    assert.ok(rule.helpUri.endsWith(`docs/diagnostics.md#${rule.id.toLowerCase()}`), rule.helpUri);
  }
  const results = log.runs[0].results;
  assert.deepEqual(results.map((r: Json) => r.ruleId), ['LT2004', 'LT2001']);
  for (const result of results) assert.equal(rules[result.ruleIndex].id, result.ruleId);
  assert.deepEqual(results[1].locations[0].physicalLocation, {
    artifactLocation: { uri: 'test/fixtures/cli/errors.lifetime', uriBaseId: '%SRCROOT%' },
    region: { startLine: 7, startColumn: 7, endLine: 7, endColumn: 11 },
  });
});

test('a violation has a codeFlow with one threadFlow per actor, its steps in trace order', () => {
  const { log } = sarif(fixture('unmet.lifetime'));
  const json = JSON.parse(lifetime(['check', '--format', 'json', fixture('unmet.lifetime')]).stdout);
  const trace = json.files[0].proposals[0].trace;
  const violation = log.runs[0].results.find((r: Json) => r.ruleId === 'LT3001');
  assert.ok(violation, 'no LT3001 result');
  assert.equal(violation.level, 'error');
  assert.equal(violation.codeFlows.length, 1);
  const flows = violation.codeFlows[0].threadFlows;
  const actors = [...new Set(trace.map((step: Json) => step.actor))];
  assert.deepEqual(flows.map((flow: Json) => flow.id), actors);
  // Every step appears once, in its actor's flow, numbered by its place in the whole trace.
  const order: Json[] = [];
  for (const flow of flows) {
    let last = 0;
    for (const location of flow.locations) {
      assert.ok(location.executionOrder > last, 'steps within a thread flow go forward');
      last = location.executionOrder;
      order[location.executionOrder - 1] = { actor: flow.id, line: location.location.physicalLocation.region.startLine, event: location.location.message.text };
    }
  }
  assert.deepEqual(
    order,
    trace.map((step: Json) => ({ actor: step.actor, line: step.line, event: step.event })),
  );
});

test('an expected violation is a note, and an unmet expectation an error on its expect line', () => {
  const { log } = sarif(fixture('clean.lifetime'), fixture('unmet.lifetime'));
  const levels = log.runs[0].results.map((r: Json) => `${r.ruleId} ${r.level} ${r.locations[0].physicalLocation.artifactLocation.uri}:${r.locations[0].physicalLocation.region.startLine}`);
  assert.deepEqual(levels, [
    'LT3001 note test/fixtures/cli/clean.lifetime:9',
    'LT3001 error test/fixtures/cli/unmet.lifetime:5',
    'LT3501 error test/fixtures/cli/unmet.lifetime:8',
  ]);
});
